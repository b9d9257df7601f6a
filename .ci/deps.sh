#!/usr/bin/env bash
# Installs from Debian's packages whatever Atiende's run or tests need and is
# missing. Usage: deps.sh run|test. Under CI=true a failed install fails.
set -euo pipefail
want=(postgresql)
if [ "${1:-run}" = test ]; then
  # sipp, baresip: real SIP peers; chromium: browser tests; promtool: metric lint;
  # espeak-ng/sox: prompt tooling.
  want+=(sip-tester baresip-core chromium prometheus sox)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  echo "deps: could not install ${missing[*]}" >&2
  exit 1
fi
