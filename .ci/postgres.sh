#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 with trust auth and a database `test`.
# Starts an installed cluster that is down; installs Debian's server when none is installed
# and we are root. Prints what it does; exits non-zero if no server could be had.
set -uo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
command -v pg_isready >/dev/null 2>&1 && ready && exit 0

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL (Debian package)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq postgresql >/dev/null || exit 1
    installed=1
  else
    echo "no PostgreSQL server installed and not root: skipping"; exit 1
  fi
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
if [ "${installed:-0}" = 1 ]; then
  hba=/etc/postgresql/$version/main/pg_hba.conf
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
fi
echo "starting PostgreSQL $version"
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do ready && break; sleep 1; done
ready || { echo "PostgreSQL did not come up"; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null \
  | grep -q 1 || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || true
exit 0
