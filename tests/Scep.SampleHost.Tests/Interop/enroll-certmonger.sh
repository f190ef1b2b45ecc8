#!/usr/bin/env bash
# One enrollment by certmonger (Debian package certmonger): its daemon builds the PKCSReq and scep-submit sends it.
# The daemon runs without D-Bus on a private socket, with every state folder under OUTDIR, and exits when the
# request is done; nothing of the machine's own certmonger state is touched.
#
# Usage: enroll-certmonger.sh URL CN CHALLENGE OUTDIR [TIMEOUT_SECONDS]
# Writes OUTDIR/ca.pem (scep-submit -C), key.pem, cert.pem, caps.txt, list.txt (getcert list), daemon.log.
# Exit 0 when getcert reports success and cert.pem exists; the caller checks the certificate itself.
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
URL=$1 CN=$2 CHALLENGE=$3 OUT=$4 LIMIT=${5:-60}
SUBMIT=/usr/lib/certmonger/scep-submit
[[ -x $SUBMIT ]] || SUBMIT=/usr/libexec/certmonger/scep-submit
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STATE=$OUT/state
mkdir -p "$STATE"/{requests,cas,tmp,conf,local}

timeout 30 "$SUBMIT" -u "$URL" -c >"$OUT/caps.txt"
timeout 30 "$SUBMIT" -u "$URL" -C >"$OUT/ca.pem"

quote() { printf '%q' "$1"; }
cat >"$STATE/request.sh" <<INNER
getcert add-scep-ca -c SAMPLEHOST -u $(quote "$URL") -N $(quote "$OUT/ca.pem") || exit 10
getcert request -c SAMPLEHOST -I enroll -k $(quote "$OUT/key.pem") -f $(quote "$OUT/cert.pem") \\
  -N $(quote "CN=$CN") -L $(quote "$CHALLENGE") -w --wait-timeout=$((LIMIT - 5)) -v
echo \$? >$(quote "$STATE/request.rc")
getcert list -i enroll >$(quote "$OUT/list.txt") 2>&1
INNER

export CERTMONGER_REQUESTS_DIR=$STATE/requests CERTMONGER_CAS_DIR=$STATE/cas CERTMONGER_TMPDIR=$STATE/tmp \
  CERTMONGER_CONFIG_DIR=$STATE/conf CERTMONGER_LOCAL_CA_DIR=$STATE/local CERTMONGER_SYSTEM_LOCK_FILE=$STATE/lock
set +e
timeout --kill-after=5 "$LIMIT" certmonger -n -L -P "$STATE/socket" -c "bash $STATE/request.sh" </dev/null >"$OUT/daemon.log" 2>&1
daemon=$?
set -e
request=$(cat "$STATE/request.rc" 2>/dev/null || echo missing)
if [[ $daemon != 0 || $request != 0 || ! -s $OUT/cert.pem ]]; then
  echo "certmonger did not enroll (daemon exit $daemon, getcert request exit $request)" >&2
  cat "$OUT/list.txt" >&2 2>/dev/null || tail -n 20 "$OUT/daemon.log" >&2
  exit 1
fi
