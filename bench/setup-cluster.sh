#!/bin/sh
# Installs what the `cluster` benchmark mode needs beyond the build: PostgreSQL and Redis server
# binaries (the benchmark starts its own servers on free loopback ports in temporary folders; no
# service is started or enabled here) and Debian's Dask distributed for the peer lines.
set -e
missing=""
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$missing redis-server"
/usr/bin/python3 -c "import distributed" 2>/dev/null || missing="$missing python3-distributed"
if [ -z "$missing" ]; then
  echo "cluster benchmark prerequisites already installed" >&2
  exit 0
fi
# Keep the packages' own services from starting (the benchmark runs its own servers), as .ci/run does.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
