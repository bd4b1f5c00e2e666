#!/usr/bin/env bash
# Start a local PostgreSQL (Debian packages) and create the test role and database.
# Prints the SQLAlchemy URL to use as TEST_POSTGRES_URL.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='govreport'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role govreport login superuser password 'govreport'\""
su postgres -c "psql -qAtc \"select 1 from pg_database where datname='govreport_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O govreport govreport_test"
echo "postgresql+asyncpg://govreport:govreport@127.0.0.1:5432/govreport_test"
