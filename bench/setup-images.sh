#!/bin/sh
# Installs Debian's numpy, scipy and nibabel for the `image` benchmark mode's peers (not needed
# for building or testing: the golden fixtures they produced are committed).
set -e
if /usr/bin/python3 -c "import numpy, scipy.ndimage, scipy.stats, nibabel" 2>/dev/null; then
  echo "peers already installed: scipy $(/usr/bin/python3 -c 'import scipy; print(scipy.__version__)'), nibabel $(/usr/bin/python3 -c 'import nibabel; print(nibabel.__version__)')" >&2
  exit 0
fi
apt-get update
apt-get install -y python3-numpy python3-scipy python3-nibabel
