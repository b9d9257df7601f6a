#!/usr/bin/env bash
# `make run`: a local PostgreSQL under ./.data (unless ATIENDE_DATABASE_URL is
# set), mailpit as the demo mail relay (its inbox at http://127.0.0.1:8025),
# migrations, demo data, then Atiende in the foreground. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${DATA:-$PWD/.data}
pgport=${PGPORT:-55432}
if [ -z "${ATIENDE_DATABASE_URL:-}" ]; then
  .ci/pg.sh start "$data/pg" "$pgport" durable
  export ATIENDE_DATABASE_URL=$(.ci/pg.sh url "$pgport")
fi
export ATIENDE_ADMIN_PASSWORD=${ATIENDE_ADMIN_PASSWORD:-atiende-demo}
mkdir -p "$data"
mailpit_pid=""
if [ -x "$data/bin/mailpit" ] || GOBIN="$data/bin" go install github.com/axllent/mailpit@v1.27.11; then
  "$data/bin/mailpit" --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 \
    --database "$data/mailpit.db" >"$data/mailpit.log" 2>&1 &
  mailpit_pid=$!
  echo "demo mail: inbox at http://127.0.0.1:8025"
else
  echo "demo mail: mailpit could not be fetched; emails stay pending" >&2
fi
atiende_pid=""
stop() {
  [ -n "$atiende_pid" ] && kill -TERM "$atiende_pid" 2>/dev/null && wait "$atiende_pid" 2>/dev/null
  [ -n "$mailpit_pid" ] && kill "$mailpit_pid" 2>/dev/null
  true
}
trap stop EXIT INT TERM
./bin/atiende migrate -config deploy/demo.yml
./bin/atiende demo-data -config deploy/demo.yml
./bin/atiende serve -config deploy/demo.yml -banner &
atiende_pid=$!
wait "$atiende_pid"
