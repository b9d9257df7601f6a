#!/usr/bin/env bash
# `make test` (default) or `make bench` (test.sh bench): a throwaway
# PostgreSQL, then go vet + go test -race, or the Go benchmarks without -race.
# Peers (sipp, baresip, chromium, Asterisk) are started by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
dir=$(mktemp -d /tmp/atiende-test-pg.XXXXXX)
port=$((40000 + $$ % 20000))
cleanup() { .ci/pg.sh stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT
if [ "$mode" = bench ]; then
  .ci/pg.sh start "$dir" "$port" durable
else
  .ci/pg.sh start "$dir" "$port" fast
fi
export ATIENDE_TEST_DATABASE_URL=$(.ci/pg.sh url "$port")
echo "$mode: PostgreSQL at $ATIENDE_TEST_DATABASE_URL ($(nproc) cores)"
# The real Asterisk (built once into a cache outside the clone): its tests
# skip without it, except under CI=true, where a missing Asterisk fails.
if prefix=$(.ci/asterisk.sh); then
  export ATIENDE_ASTERISK_PREFIX=$prefix
  echo "$mode: Asterisk $("$prefix/sbin/asterisk" -V | cut -d' ' -f2) in $prefix"
elif [ "${CI:-}" = true ]; then
  echo "$mode: Asterisk is required under CI=true" >&2; exit 1
else
  echo "$mode: no Asterisk; the tests that need it skip" >&2
fi
if [ "$mode" = bench ]; then
  go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-3s}" -timeout 60m ${PKGS:-./...}
  exit
fi
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi
go vet ./...
go test -race -count=1 -timeout 45m ${PKGS:-./...}
