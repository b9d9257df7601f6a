#!/usr/bin/env bash
# `make run`: a local PostgreSQL under ./.data (unless ATIENDE_DATABASE_URL is
# set), mailpit as the demo mail relay (its inbox at http://127.0.0.1:8025),
# migrations, demo data, then Atiende in the foreground. Ctrl-C stops all of
# it: Atiende drains, then mailpit and the PostgreSQL this script started stop
# (the data stays under ./.data; `make clean-data` deletes it).
# `run-demo.sh stop` (make stop) stops what a `make run` in another terminal
# left running, without deleting anything.
# Tests override CONFIG, ATIENDE_BIN, MAILPIT_BIN, MAILPIT_SMTP, MAILPIT_HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-$PWD/.data}
pgport=${PGPORT:-55432}
config=${CONFIG:-deploy/demo.yml}
bin=${ATIENDE_BIN:-./bin/atiende}
mailpit=${MAILPIT_BIN:-$data/bin/mailpit}
mailpit_smtp=${MAILPIT_SMTP:-127.0.0.1:1025}
mailpit_http=${MAILPIT_HTTP:-127.0.0.1:8025}

# kill_pidfile ends the process whose pid is in $1 (if it is still running)
# and waits up to 25 s for it to go.
kill_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  rm -f "$f"
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 250); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

if [ "${1:-}" = stop ]; then
  kill_pidfile "$data/atiende.pid"
  kill_pidfile "$data/mailpit.pid"
  .ci/pg.sh stop "$data/pg"
  echo "stopped; the data stays in $data (make clean-data deletes it)"
  exit 0
fi

mkdir -p "$data"
started_pg=""
atiende_pid=""
mailpit_pid=""
stopped=""
stop() {
  [ -n "$stopped" ] && return 0
  stopped=1
  trap '' INT TERM # a second Ctrl-C must not cut the cleanup short
  if [ -n "$atiende_pid" ]; then
    kill -TERM "$atiende_pid" 2>/dev/null || true
    wait "$atiende_pid" 2>/dev/null || true
    rm -f "$data/atiende.pid"
  fi
  if [ -n "$mailpit_pid" ]; then
    kill -TERM "$mailpit_pid" 2>/dev/null || true
    wait "$mailpit_pid" 2>/dev/null || true
    rm -f "$data/mailpit.pid"
  fi
  [ -n "$started_pg" ] && .ci/pg.sh stop "$data/pg"
  true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

if [ -z "${ATIENDE_DATABASE_URL:-}" ]; then
  started_pg=1
  .ci/pg.sh start "$data/pg" "$pgport" durable
  export ATIENDE_DATABASE_URL=$(.ci/pg.sh url "$pgport")
fi
export ATIENDE_ADMIN_PASSWORD=${ATIENDE_ADMIN_PASSWORD:-atiende-demo}
if [ -x "$mailpit" ] || { [ -z "${MAILPIT_BIN:-}" ] && GOBIN="$data/bin" go install github.com/axllent/mailpit@v1.27.11; }; then
  "$mailpit" --smtp "$mailpit_smtp" --listen "$mailpit_http" --disable-version-check \
    --database "$data/mailpit.db" >"$data/mailpit.log" 2>&1 &
  mailpit_pid=$!
  echo "$mailpit_pid" >"$data/mailpit.pid"
  echo "demo mail: inbox at http://$mailpit_http"
else
  echo "demo mail: mailpit could not be fetched; emails stay pending" >&2
fi
"$bin" migrate -config "$config"
"$bin" demo-data -config "$config"
"$bin" serve -config "$config" -banner &
atiende_pid=$!
echo "$atiende_pid" >"$data/atiende.pid"
wait "$atiende_pid"
