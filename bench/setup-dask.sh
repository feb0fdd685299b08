#!/bin/sh
# Installs Debian's Dask for the `compare` benchmark mode (not needed for building or testing).
set -e
if python3 -c "import dask" 2>/dev/null; then
  echo "dask already installed: $(python3 -c 'import dask; print(dask.__version__)')" >&2
  exit 0
fi
apt-get update
apt-get install -y python3-dask
