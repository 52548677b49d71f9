#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 (for the test suite's PostgreSQL runs): starts the
# local cluster if installed, installs Debian's postgresql when missing and running as root.
set -euo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open 5432; then exit 0; fi
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package postgresql)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | sort -V | tail -1)
    # Local trust authentication, as on the development machines the tests expect.
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(local\s+all\s+postgres\s+)\S+/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  else
    echo "PostgreSQL is not running and not installed: 'sudo apt-get install postgresql', or set" >&2
    echo "KOTOPOLKU_TEST_POSTGRES_URL to a server the tests may create databases on." >&2
    exit 1
  fi
fi
echo "Starting PostgreSQL..."
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
for _ in $(seq 1 60); do
  port_open 5432 && exit 0
  sleep 1
done
echo "PostgreSQL did not come up on 127.0.0.1:5432; see /var/log/postgresql/." >&2
exit 1
