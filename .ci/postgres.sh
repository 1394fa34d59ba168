#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on loopback as the postgres user and prints its URL.
# Usage: eval "$(bash .ci/postgres.sh start DIR PORT)"; bash .ci/postgres.sh stop DIR
set -euo pipefail
action=${1:?start|stop}
dir=${2:-/tmp/sapo-sync-pg}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$action" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      run_pg "'$bin/initdb' -D '$dir' -U postgres --auth=trust -E UTF8 --no-locale" >/dev/null
    fi
    run_pg "'$bin/pg_ctl' -D '$dir' status" >/dev/null 2>&1 || run_pg "'$bin/pg_ctl' -D '$dir' -l '$dir/server.log' -w -t 30 \
      -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off\" start" >/dev/null
    echo "export SAPO_SYNC_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    run_pg "'$bin/pg_ctl' -D '$dir' -m fast stop" >/dev/null 2>&1 || true
    ;;
esac
