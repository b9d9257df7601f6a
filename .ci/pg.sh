#!/usr/bin/env bash
# A local PostgreSQL cluster for `make run` and `make test`.
# Usage: pg.sh start DIR PORT [durable] | stop DIR | url PORT
# The cluster listens on 127.0.0.1 only, with trust auth for the local user
# postgres. Running as root, it runs as the postgres system user.
set -euo pipefail
cmd=$1
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL is not installed (run .ci/deps.sh)" >&2; exit 1; }
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $cmd in
start)
  dir=$(realpath -m "$2"); port=$3; mode=${4:-fast}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  fi
  if as "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then exit 0; fi
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300"
  [ "$mode" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "$opts" start >/dev/null
  ;;
stop)
  dir=$(realpath -m "$2")
  [ -f "$dir/data/PG_VERSION" ] && as "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  ;;
url)
  echo "postgres://postgres@127.0.0.1:$2/postgres?sslmode=disable"
  ;;
*) echo "usage: pg.sh start DIR PORT [durable|fast] | stop DIR | url PORT" >&2; exit 2 ;;
esac
