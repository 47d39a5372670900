#!/usr/bin/env bash
# Install (Debian packages) and start the real services the integration tests need:
# PostgreSQL 15 on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and Debian's Chromium.
# Prints the environment variables to export. Idempotent; fails loudly when something is missing.
set -euo pipefail

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
dpkg -s fonts-thai-tlwg >/dev/null 2>&1 || need_apt+=(fonts-thai-tlwg)
# WeasyPrint (server-made PDFs) needs Pango.
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need_apt[@]}" >&2
fi

# PostgreSQL: start the cluster, create a role and database with a password on loopback.
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  if [ -z "$cluster" ]; then
    pg_createcluster 15 main >&2
    cluster="15 main"
  fi
  pg_ctlcluster $cluster start >&2
fi
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
runuser -u postgres -- pg_isready -h 127.0.0.1 >&2
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mdt') THEN
    CREATE ROLE mdt LOGIN PASSWORD 'mdt-test-only' CREATEDB;
  END IF;
  -- The app's own role in production (scripts/app-role.sql): owns nothing, so it cannot drop
  -- the audit trail's guard. The owner may SET ROLE to it in tests.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mdt_app') THEN
    CREATE ROLE mdt_app LOGIN PASSWORD 'mdt-app-test-only';
  END IF;
END $$;
GRANT mdt_app TO mdt;
SQL
for dbname in mdt_test mdt_bench; do
  if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname='$dbname'" | grep -q 1; then
    runuser -u postgres -- createdb -O mdt "$dbname" >&2
  fi
done

# Redis on loopback, no persistence.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >&2
fi
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
  sleep 0.2
done
redis-cli -h 127.0.0.1 -p 6379 ping >&2

/usr/bin/chromium --version 2>/dev/null >&2 || { echo "chromium does not run" >&2; exit 1; }

echo "export MDT_TEST_DATABASE_URL=postgresql+psycopg://mdt:mdt-test-only@127.0.0.1:5432/mdt_test"
echo "export MDT_BENCH_DATABASE_URL=postgresql+psycopg://mdt:mdt-test-only@127.0.0.1:5432/mdt_bench"
echo "export MDT_TEST_REDIS_URL=redis://127.0.0.1:6379/15"
echo "export MDT_TEST_CHROMIUM=/usr/bin/chromium"
