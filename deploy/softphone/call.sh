#!/usr/bin/env bash
# `make call`: a demo call through the menu. A caller (sipp, from María
# López's number, a demo contact) dials the help desk (6000), hears the
# welcome, presses 1 (failures), 1 (internet) and 2 (a new ticket), waits in
# the network queue for an agent (ana's phone: baresip -f deploy/softphone,
# ana available in the console), talks for a while and hangs up.
# ATIENDE_SIP (default 127.0.0.1:5060) is where `make run` listens.
set -euo pipefail
cd "$(dirname "$0")"
sip=${ATIENDE_SIP:-127.0.0.1:5060}
talk_ms=${TALK_MS:-25000}
command -v sipp >/dev/null || { echo "make call: sipp is not installed (apt-get install sip-tester)" >&2; exit 1; }
[ -r /usr/share/sip-tester/dtmf_2833_1.pcap ] || { echo "make call: sipp's DTMF pcaps are missing (/usr/share/sip-tester)" >&2; exit 1; }
echo "calling the help desk at $sip from +527222769600: keys 1, 1, 2, then ${talk_ms} ms with the agent"
exec sipp "$sip" -sf call.xml -s 6000 -key caller +527222769600 -d "$talk_ms" -m 1 \
  -i 127.0.0.1 -mi 127.0.0.1 -p "${CALL_SIP_PORT:-5090}" -mp "${CALL_RTP_PORT:-30200}" \
  -nostdin -timeout 120s -timeout_error -nd -trace_err -error_file "${TMPDIR:-/tmp}/atiende-call-errors.log"
