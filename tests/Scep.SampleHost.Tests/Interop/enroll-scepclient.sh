#!/usr/bin/env bash
# One enrollment by micromdm's scepclient (Debian package scep). It makes a fresh key, reads GetCACaps and
# GetCACert, sends PKCSReq (DES-CBC + SHA-1; by POST when POSTPKIOperation is advertised) and writes the certificate.
#
# Usage: enroll-scepclient.sh URL CN CHALLENGE OUTDIR [TIMEOUT_SECONDS]
# Writes OUTDIR/key.pem, cert.pem, scepclient.log; OUTDIR must be new (scepclient re-uses csr.pem and turns an
# existing cert.pem into a renewal).
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
URL=$1 CN=$2 CHALLENGE=$3 OUT=$4 LIMIT=${5:-60}
mkdir -p "$OUT"
[[ ! -e $OUT/cert.pem && ! -e $OUT/csr.pem ]] || { echo "$OUT was used before" >&2; exit 2; }
set +e
timeout --kill-after=5 "$LIMIT" scepclient -private-key "$OUT/key.pem" -certificate "$OUT/cert.pem" \
  -cn "$CN" -challenge "$CHALLENGE" -server-url "$URL" -debug >"$OUT/scepclient.log" 2>&1
rc=$?
set -e
if [[ $rc != 0 || ! -s $OUT/cert.pem ]]; then
  echo "scepclient did not enroll (exit $rc)" >&2
  tail -n 5 "$OUT/scepclient.log" >&2
  exit 1
fi
