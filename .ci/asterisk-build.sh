#!/usr/bin/env bash
# Build Asterisk 22.10.1 (bundled pjproject 2.17) from public source, offline, into a private prefix.
# (A copy of the lab recipe ../shared/asterisk/lab/build.sh; .ci/asterisk.sh calls it. Only change: apt-get
# through sudo when not root.)
#
#   build.sh ASTERISK_TARBALL PJPROJECT_TARBALL [PREFIX]
#
#   ASTERISK_TARBALL   asterisk-22.10.1.tar.gz  = git archive --prefix=asterisk-22.10.1/ 22.10.1
#                      of github.com/asterisk/asterisk (tag 22.10.1, f0e408a7b0d829c85bf15fa4b487870a50cb3000)
#   PJPROJECT_TARBALL  pjproject-2.17.tar.bz2   = git archive --prefix=pjproject-2.17/ 2.17 | bzip2 -9
#                      of github.com/pjsip/pjproject (tag 2.17). Its md5 is then exactly the one Asterisk
#                      pins in third-party/pjproject/pjproject-2.17.tar.bz2.md5 (baacc874...), so the bundled
#                      build verifies and uses it from the externals cache and never downloads.
#                      A .tar.gz is accepted too (repacked as .tar.bz2; the md5 file is then updated to match).
#   PREFIX             default /opt/asterisk-lab
#
# Env: JOBS (default 2), NICE (default 19), BUILD_DIR (default $PREFIX-build), SKIP_APT=1 to skip apt-get.
# Idempotent: exits 0 at once if $PREFIX/sbin/asterisk already reports 22.10.1.
# Sounds/MOH are not downloaded by the build (menuselect disables them); Debian's
# asterisk-core-sounds-{en,es}-wav and asterisk-moh-opsound-wav are linked into the prefix instead.
set -euo pipefail
AST_TGZ=$(readlink -f "${1:?asterisk tarball}")
PJ_TAR=$(readlink -f "${2:?pjproject tarball}")
PREFIX=${3:-/opt/asterisk-lab}
JOBS=${JOBS:-2}; NICE=${NICE:-19}
BUILD_DIR=${BUILD_DIR:-$PREFIX-build}
VER=22.10.1; PJVER=2.17

if [ -x "$PREFIX/sbin/asterisk" ] && "$PREFIX/sbin/asterisk" -V 2>/dev/null | grep -q "Asterisk $VER\$"; then
  echo "Asterisk $VER already installed in $PREFIX"; exit 0
fi

# --- 1. build dependencies and prompts (Debian 12) ---------------------------------------------
if [ "${SKIP_APT:-0}" != 1 ]; then
  pkgs="build-essential pkg-config bzip2 patch libjansson-dev libedit-dev libxml2-dev libsqlite3-dev
        uuid-dev libssl-dev libncurses-dev
        asterisk-core-sounds-en asterisk-core-sounds-en-wav asterisk-core-sounds-es asterisk-core-sounds-es-wav
        asterisk-moh-opsound-wav"
  missing=$(for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    [ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ] || $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
  fi
fi

# --- 2. sources ---------------------------------------------------------------------------------
mkdir -p "$BUILD_DIR/cache"
SRC="$BUILD_DIR/asterisk-$VER"
if [ ! -f "$SRC/configure" ]; then
  rm -rf "$SRC"; tar -xzf "$AST_TGZ" -C "$BUILD_DIR"
fi
# a git archive has no .git: tell build_tools/make_version the version (else "UNKNOWN__...")
echo "$VER" > "$SRC/.version"
case "$PJ_TAR" in
  *.tar.bz2) cp -f "$PJ_TAR" "$BUILD_DIR/cache/pjproject-$PJVER.tar.bz2" ;;
  *.tar.gz|*.tgz) gzip -dc "$PJ_TAR" | bzip2 -9 > "$BUILD_DIR/cache/pjproject-$PJVER.tar.bz2" ;;
  *) echo "unknown pjproject archive type: $PJ_TAR"; exit 1 ;;
esac
want=$(cut -d' ' -f1 "$SRC/third-party/pjproject/pjproject-$PJVER.tar.bz2.md5")
have=$(md5sum "$BUILD_DIR/cache/pjproject-$PJVER.tar.bz2" | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
  echo "note: pjproject tarball md5 $have differs from Asterisk's pinned $want; pinning ours (same tag, other packing)"
  echo "$have  pjproject-$PJVER.tar.bz2" > "$SRC/third-party/pjproject/pjproject-$PJVER.tar.bz2.md5"
fi

cd "$SRC"
# --- 3. configure (bundled pjproject from the local cache; no network) --------------------------
if [ ! -f makeopts ] || ! grep -q -- "--prefix=$PREFIX" config.status 2>/dev/null; then
  nice -n "$NICE" ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" \
    --with-pjproject-bundled --with-externals-cache="$BUILD_DIR/cache" \
    --without-dahdi --without-pri --without-ss7 --without-openr2 --without-tonezone \
    --without-postgres --without-unixodbc --without-ldap --without-radius --without-srtp \
    --without-gsm --without-speex --without-speexdsp --without-ogg --without-vorbis \
    --without-jack --without-portaudio --without-bluetooth --without-neon --without-lua \
    --without-iksemel --without-imap --without-sdl --without-libcurl \
    > "$BUILD_DIR/configure.log" 2>&1 || { tail -30 "$BUILD_DIR/configure.log"; exit 1; }
fi

# --- 4. menuselect: a small module set; no sound/MOH downloads ---------------------------------
make menuselect.makeopts >/dev/null
menuselect/menuselect \
  --disable-category MENUSELECT_CORE_SOUNDS --disable-category MENUSELECT_MOH \
  --disable-category MENUSELECT_EXTRA_SOUNDS \
  --disable-category MENUSELECT_ADDONS --disable-category MENUSELECT_APPS \
  --disable-category MENUSELECT_CDR --disable-category MENUSELECT_CEL \
  --disable-category MENUSELECT_CHANNELS --disable-category MENUSELECT_CODECS \
  --disable-category MENUSELECT_FORMATS --disable-category MENUSELECT_PBX \
  --disable-category MENUSELECT_UTILS --disable-category MENUSELECT_TESTS \
  --enable app_stasis --enable app_queue --enable app_dial --enable app_playback \
  --enable app_read --enable app_echo --enable app_verbose --enable app_senddtmf \
  --enable app_exec --enable app_transfer --enable app_milliwatt \
  --enable chan_pjsip --enable chan_bridge_media \
  --enable codec_ulaw --enable codec_alaw --enable codec_a_mu --enable codec_resample \
  --enable format_wav --enable format_pcm --enable format_sln \
  --enable pbx_config --enable pbx_spool \
  menuselect.makeopts
menuselect/menuselect --check-deps menuselect.makeopts
# (menuselect always rewrites ./menuselect.makeopts, whatever file it is given: never run it here
#  without the settings above, e.g. a bare `menuselect --list-options`, or the defaults come back)

# --- 5. build + install ---------------------------------------------------------------------------
nice -n "$NICE" make -j"$JOBS" > "$BUILD_DIR/make.log" 2>&1 || { tail -40 "$BUILD_DIR/make.log"; exit 1; }
# no download at install: the sound/MOH tarball categories must still be empty
grep -Eq '^MENUSELECT_(CORE_SOUNDS|MOH|EXTRA_SOUNDS)=.+' menuselect.makeopts && { echo "sound downloads are selected"; exit 1; }
nice -n "$NICE" make install > "$BUILD_DIR/install.log" 2>&1 || { tail -40 "$BUILD_DIR/install.log"; exit 1; }

# prompts and MOH: Debian's packages (the datadir is $PREFIX/var/lib/asterisk)
DATA="$PREFIX/var/lib/asterisk"
for d in sounds moh; do
  if [ -d "$DATA/$d" ] && [ ! -L "$DATA/$d" ] && [ -z "$(find "$DATA/$d" -type f | head -1)" ]; then rm -rf "${DATA:?}/$d"; fi
  [ -e "$DATA/$d" ] || ln -s "/usr/share/asterisk/$d" "$DATA/$d"
done
"$PREFIX/sbin/asterisk" -V
