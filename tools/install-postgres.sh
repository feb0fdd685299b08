#!/usr/bin/env bash
# Installs PostgreSQL's server binaries from Debian's packages for the postgres backend's tests,
# without starting anything: service start-up is blocked while installing (a policy-rc.d that
# exits 101) and no main cluster is created, so nothing listens on the default port. The tests
# start their own server in a temporary folder on a free loopback port (tests/Support/PostgresServer.cs).
# Needs root and apt; does nothing when the binaries are already there.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL server binaries: already installed ($(ls -d /usr/lib/postgresql/*/bin | tail -1))"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: needs root and apt-get (install Debian's postgresql package yourself)" >&2
  exit 1
fi
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
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls -d /usr/lib/postgresql/*/bin
