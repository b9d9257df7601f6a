#!/usr/bin/env bash
# The real Asterisk 22.10.1 the tests run (ivr/asterisk/asterisklab): built
# once into a cache outside the clone, reused afterwards. Prints the prefix
# (for ATIENDE_ASTERISK_PREFIX) on stdout; progress goes to stderr.
#
#   ATIENDE_ASTERISK_PREFIX  the cache (default /var/cache/atiende/asterisk-22.10.1)
#   ATIENDE_ASTERISK_SRC     the folder with the two source archives:
#                              asterisk-22.10.1.tar.gz  (github.com/asterisk/asterisk, tag 22.10.1)
#                              pjproject-2.17.tar.bz2   (github.com/pjsip/pjproject, tag 2.17; the
#                                                        tarball Asterisk pins in third-party/pjproject)
#                            `make test` and .ci/run set it to ../shared/asterisk/src when that exists.
#
# The build (.ci/asterisk-build.sh: bundled pjproject, a small module set, no
# downloads, Debian's prompt packages) takes about 5 minutes on 2 cores; its
# logs are in $ATIENDE_ASTERISK_PREFIX-build. Exit status 1 when Asterisk is
# neither cached nor buildable: under CI=true that fails `make test`,
# elsewhere the Asterisk tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
VER=22.10.1
PREFIX=${ATIENDE_ASTERISK_PREFIX:-/var/cache/atiende/asterisk-$VER}
# The stock configuration (what `make samples` installs) is the base the
# tests put deploy/asterisk over, as an administrator does.
samples() {
  [ -d "$PREFIX/samples" ] && return 0
  local d; d=$(ls -d "$PREFIX-build"/asterisk-$VER/configs/samples 2>/dev/null) || { echo "asterisk: no configs/samples in $PREFIX-build" >&2; return 1; }
  mkdir -p "$PREFIX/samples.tmp"
  for f in "$d"/*.sample; do cp "$f" "$PREFIX/samples.tmp/$(basename "$f" .sample)"; done
  mv "$PREFIX/samples.tmp" "$PREFIX/samples"
}
if [ -x "$PREFIX/sbin/asterisk" ] && "$PREFIX/sbin/asterisk" -V 2>/dev/null | grep -q "Asterisk $VER\$"; then
  samples; echo "$PREFIX"; exit 0
fi
SRC=${ATIENDE_ASTERISK_SRC:-}
if [ -z "$SRC" ] && [ -d ../shared/asterisk/src ]; then SRC=$(cd ../shared/asterisk/src && pwd); fi
ast=$SRC/asterisk-$VER.tar.gz
pj=$SRC/pjproject-2.17.tar.bz2
[ -f "$pj" ] || pj=$SRC/pjproject-2.17.tar.gz
if [ -z "$SRC" ] || [ ! -f "$ast" ] || [ ! -f "$pj" ]; then
  cat >&2 <<MSG
asterisk: no Asterisk $VER in $PREFIX and no sources to build it.
  Put asterisk-$VER.tar.gz and pjproject-2.17.tar.bz2 in a folder and set ATIENDE_ASTERISK_SRC to it:
    git -C asterisk archive --prefix=asterisk-$VER/ $VER | gzip > asterisk-$VER.tar.gz      (github.com/asterisk/asterisk)
    git -C pjproject archive --prefix=pjproject-2.17/ 2.17 | bzip2 -9 > pjproject-2.17.tar.bz2  (github.com/pjsip/pjproject)
  or point ATIENDE_ASTERISK_PREFIX at an existing build of $VER.
MSG
  exit 1
fi
# the cache lives outside the clone; make it ours if it is not writable
parent=$(dirname "$PREFIX")
if ! mkdir -p "$parent" 2>/dev/null || [ ! -w "$parent" ]; then
  sudo install -d -o "$(id -u)" -g "$(id -g)" "$parent"
fi
# one build at a time (two `make test` at once wait for the first)
exec 9>"$parent/.asterisk-$VER.lock"
flock 9
if [ -x "$PREFIX/sbin/asterisk" ] && "$PREFIX/sbin/asterisk" -V 2>/dev/null | grep -q "Asterisk $VER\$"; then
  echo "$PREFIX"; exit 0
fi
echo "asterisk: building $VER into $PREFIX (about 5 minutes on 2 cores; logs in $PREFIX-build)" >&2
start=$(date +%s)
if ! .ci/asterisk-build.sh "$ast" "$pj" "$PREFIX" >&2; then
  echo "asterisk: the build failed; see the logs in $PREFIX-build" >&2
  exit 1
fi
echo "asterisk: built in $(( $(date +%s) - start )) s" >&2
samples
echo "$PREFIX"
