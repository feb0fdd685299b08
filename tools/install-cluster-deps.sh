#!/usr/bin/env bash
# Installs, from Debian's packages, the servers the cluster tests and `build.ps1 cluster-up` need:
# PostgreSQL (the shared result store) and Redis (cluster membership), without starting anything:
# service start-up is blocked while installing (a policy-rc.d that exits 101) and no main
# PostgreSQL cluster is created, so nothing listens on the default ports (5432, 6379). The tests
# start their own servers in temporary folders on free loopback ports (tests/Support/PostgresServer.cs,
# tests/Support/RedisServer.cs). Needs root and apt; installs only what is missing.
set -euo pipefail
have_postgres=0
have_redis=0
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && have_postgres=1
command -v redis-server >/dev/null 2>&1 && have_redis=1
if [ "$have_postgres" = 1 ] && [ "$have_redis" = 1 ]; then
  echo "PostgreSQL server binaries: already installed ($(ls -d /usr/lib/postgresql/*/bin | tail -1)); redis-server: $(command -v redis-server)"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-cluster-deps: needs root and apt-get (install Debian's postgresql and redis-server packages yourself)" >&2
  exit 1
fi
packages=()
[ "$have_postgres" = 1 ] || packages+=(postgresql)
[ "$have_redis" = 1 ] || packages+=(redis-server)
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1 && cp "$policy" "$policy.voxsave"
printf '#!/bin/sh\nexit 101\n' > "$policy"
chmod +x "$policy"
restore() {
  if [ "$had_policy" = 1 ]; then mv "$policy.voxsave" "$policy"; else rm -f "$policy"; fi
}
trap restore EXIT
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/voxscheduler-no-main.conf
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# A service manager that ignores policy-rc.d could have started the redis just installed on its default port: stop it.
if [ "$have_redis" = 0 ] && command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
fi
echo "installed: ${packages[*]}"
ls -d /usr/lib/postgresql/*/bin
command -v redis-server
