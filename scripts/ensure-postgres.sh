#!/usr/bin/env bash
# Finds (or starts) the PostgreSQL server the test suite uses.
# Uses RARECARE_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres.
# In CI (CI=true) an unreachable server is an error; elsewhere it is a loud warning.
set -uo pipefail
URL="${RARECARE_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
HOSTPORT=$(echo "$URL" | sed -E 's#^[^@]*@([^/]+)/.*#\1#')
HOST=${HOSTPORT%%:*}
PORT=${HOSTPORT##*:}
[ "$PORT" = "$HOST" ] && PORT=5432

ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }

if command -v pg_isready >/dev/null && ready; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for v in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
  done
  for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: PostgreSQL is not reachable at $HOST:$PORT and CI must run the PostgreSQL suite." >&2
  exit 1
fi
echo "WARNING: PostgreSQL is not reachable at $HOST:$PORT; the PostgreSQL tests will be skipped." >&2
exit 0
