#!/usr/bin/env bash
# Side by side on this machine: our sample host (SQLite store, and the in-memory store) and micromdm's
# scepserver (Debian package `scep`), both with an RSA CA key (2048 bits, CA_KEY_SIZE), under the same load from `scep bench`.
#
# Usage: bench/compare.sh            (as root: micromdm runs in a private network namespace)
#
# Prints one table (verified enrollments/s, latency, server CPU per enrollment and its ratio to the RSA
# private-key work, peak memory, failures, duplicate serial numbers, certificates the store held), the ratios
# ours / micromdm, our start-up time, the 1,000 vs 10,000 enrollments run, the RSA references of the same run
# (in-tool, openssl speed, and the BenchmarkDotNet codec benchmark), and the curve: server CPU per enrollment
# against the certificates each server has issued (curve.csv and curve.svg). Everything goes to $OUT (a new
# folder under /tmp by default), summary.md included. Every process it starts is stopped by its PID on exit.
#
# micromdm's file depot reads its whole index.txt at every enrollment (HasCN), so its cost grows with the
# certificates it has issued. It is therefore measured twice, each run on its own copy of a depot: "micromdm"
# from a fresh depot (no warm-up: the row says the depot's size before and after the run) and "micromdm-grown"
# from a depot that already holds MDM_GROWN certificates. Our hosts get their warm-up (the JIT needs it); the
# curve shows whether their cost grows with the store.
#
# Servers (SERVERS): sqlite, memory (our sample host with the SQLite / in-memory store), sqlite-base and
# memory-base (the same, built from BASELINE), micromdm (both micromdm rows), and our host with other
# CA keys and topologies:
#   ecdsa    our SQLite host with an ECDSA P-256 signing CA and an RSA encryption certificate
#            (SampleHost:CaKeyAlgorithm=EcdsaP256); the "÷ RSA work" column is then not comparable
#   softhsm  our SQLite host with the CA key in a SoftHSM2 token made for the run under $OUT/softhsm
#            (SampleHost:CaKey=pkcs11:...; needs softhsm2-util: apt-get install -y softhsm2)
#   softhsm-ecdsa  the same token holding an ECDSA P-256 CA key and its RSA encryption key (both ecdsa and softhsm)
#   softhsm-ra     softhsm with an RA certificate in a file (SampleHost:RaCertificate=File): the token only signs
#            the certificates, the RA key (in memory) signs the replies and decrypts the envelopes
#   upstream the RA topology (docs/upstream.md): our SQLite host as RA, its alias bench forwarding to our SQLite host as
#            the upstream CA (Upstream:Url, the RA's certificate enrolled there first); the RA is the server column,
#            the CA's CPU is reported beside it (--relay-pid), so server + CA is the topology's cost
#   pull     EJBCA's External RA model: our SQLite host as RA (Upstream:Mode=Pull) queues and answers PENDING; our
#            SQLite host as CA (ExternalRa) lists the queue every PULL_INTERVAL=0.1s over TLS (client certificate and
#            server certificate pinned), issues and delivers; the load tool polls every PULL_INTERVAL too
#            (scep bench --poll-interval). The RA is the server column, the CA's CPU is beside it
#
# Environment (all optional):
#   N=1000                 enrollments per measured run
#   CONCURRENCY="1 2 4 16" concurrent clients of the runs
#   WARMUP=2000            enrollments sent to each server after start, before its runs: .NET compiles hot
#                          methods again, optimized, in the background for the first thousands of requests
#   RUN_WARMUP=200         enrollments at the start of each measured run, not counted: the load tool is a new
#                          process each time and compiles its own hot path too
#   JIT_SETTLED_MS=50      our hosts only: after WARMUP, rounds of 500 more enrollments (at most JIT_ROUNDS=6) until
#                          one compiles for less than this many ms (dotnet_jit_compilation_seconds_total on /metrics);
#                          the JIT time of every measured run is recorded beside it and printed with the table
#   LINEAR="1000 10000"    the two runs of the linearity check (our SQLite host, concurrency LINEAR_C=4); "" skips it
#   CODEC_BENCH=1          run the BenchmarkDotNet codec benchmark (bench/Scep.Benchmarks, short job); 0 skips it
#   SERVERS="sqlite memory micromdm"   (also sqlite-base, memory-base, ecdsa, softhsm, softhsm-ecdsa, softhsm-ra, upstream, pull)
#   CA_KEY_SIZE=2048       the RSA keys of every CA (our hosts' SampleHost:CaKeySize, an ECDSA CA's encryption key,
#                          micromdm's -keySize); the sample host's own default is 3072. The "÷ RSA work" column is
#                          the RSA work at the size of the certificate clients encrypt to, so this size too
#   MDM_GROWN=10000        micromdm's second set of rows: runs on a depot that already holds this many certificates
#                          (grown by enrollments, MDM_GROWN_C=4 clients, before the runs); "" skips them
#   MDM_RUN_WARMUP=0       RUN_WARMUP for micromdm's runs: 0, so that a fresh depot is empty when the clock starts
#                          (micromdm is Go, nothing to compile; the load tool is compiled before the clock anyway)
#   CURVE=10000            the curve: a new server of each of CURVE_SERVERS, run in steps of CURVE_STEP=1000
#                          enrollments at CURVE_C=4 clients until its store holds CURVE certificates, each step's
#                          server CPU per enrollment measured (scep bench --server-pid) against the certificates
#                          the store held; our host after its warm-up (counted), micromdm from a fresh depot.
#                          Writes curve.csv and curve.svg; CURVE= skips it
#   CURVE_SERVERS="sqlite micromdm"    those of sqlite and micromdm in SERVERS by default; any of sqlite, ecdsa,
#                          softhsm, micromdm (stores whose certificates can be counted)
#   DOCS_SVG=PATH          also copy curve.svg there, e.g. DOCS_SVG=docs/images/depot-curve.svg
#   BASELINE=REV           also build the sample host at git revision REV (git archive, beside the run) for the
#                          servers sqlite-base and memory-base: an A/B of two versions in one run, e.g.
#                          BASELINE=HEAD~3 SERVERS="sqlite-base sqlite memory-base memory" LINEAR= bench/compare.sh
#   KEY_POOL=~/.cache/scep-bench/keys   device keys kept between runs (the first run generates them: minutes)
#   OUT=/tmp/scep-compare.XXXXXX
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-1000}
CONCURRENCY=${CONCURRENCY:-1 2 4 16}
WARMUP=${WARMUP:-2000}
RUN_WARMUP=${RUN_WARMUP:-200}
JIT_SETTLED_MS=${JIT_SETTLED_MS:-50}
JIT_ROUNDS=${JIT_ROUNDS:-6}
LINEAR=${LINEAR-1000 10000}
LINEAR_C=${LINEAR_C:-4}
CODEC_BENCH=${CODEC_BENCH:-1}
SERVERS=${SERVERS:-sqlite memory micromdm}
CA_KEY_SIZE=${CA_KEY_SIZE:-2048}
MDM_GROWN=${MDM_GROWN-10000}
MDM_GROWN_C=${MDM_GROWN_C:-4}
MDM_RUN_WARMUP=${MDM_RUN_WARMUP:-0}
CURVE=${CURVE-10000}
CURVE_STEP=${CURVE_STEP:-1000}
CURVE_C=${CURVE_C:-4}
CURVE_SERVERS=${CURVE_SERVERS:-$(for name in sqlite micromdm; do if [[ " $SERVERS " == *" $name "* ]]; then echo "$name"; fi; done)}
DOCS_SVG=${DOCS_SVG:-}
BASELINE=${BASELINE:-}
KEY_POOL=${KEY_POOL:-${XDG_CACHE_HOME:-$HOME/.cache}/scep-bench/keys}
CHALLENGE=bench-$RANDOM$RANDOM
OUT=${OUT:-$(mktemp -d /tmp/scep-compare.XXXXXX)}
mkdir -p "$OUT" "$KEY_POOL"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in dotnet python3 curl openssl; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done
CURVE_RUN=
[[ -n $CURVE ]] && CURVE_RUN=$CURVE_SERVERS
for name in $SERVERS; do
  case $name in sqlite|memory|sqlite-base|memory-base|ecdsa|softhsm|softhsm-ecdsa|softhsm-ra|upstream|pull|micromdm) ;; *) die "unknown server $name" ;; esac
done
for name in $CURVE_RUN; do
  case $name in sqlite|ecdsa|softhsm|softhsm-ecdsa|softhsm-ra|micromdm) ;; *) die "no curve for $name: its certificates cannot be counted (CURVE_SERVERS)" ;; esac
done
[[ -z $CURVE || ( $CURVE =~ ^[0-9]+$ && $CURVE_STEP =~ ^[1-9][0-9]*$ ) ]] || die "CURVE and CURVE_STEP are numbers of enrollments"
[[ -z $MDM_GROWN || $MDM_GROWN =~ ^[0-9]+$ ]] || die "MDM_GROWN is a number of certificates"
[[ $CA_KEY_SIZE =~ ^[1-9][0-9]{3}$ ]] || die "CA_KEY_SIZE is a number of bits, e.g. 2048 or 3072"
if [[ " $SERVERS $CURVE_RUN " == *" softhsm"* ]]; then
  command -v softhsm2-util >/dev/null || die "missing tool: softhsm2-util (apt-get install -y softhsm2), or leave softhsm out of SERVERS"
  [[ -f /usr/lib/softhsm/libsofthsm2.so ]] || die "missing /usr/lib/softhsm/libsofthsm2.so (apt-get install -y softhsm2)"
fi
if [[ " $SERVERS $CURVE_RUN " == *" micromdm "* ]]; then
  for tool in scepserver socat unshare nsenter ip; do
    command -v "$tool" >/dev/null || die "missing tool: $tool (apt-get install -y scep socat iproute2 util-linux), or SERVERS=\"sqlite memory\""
  done
  [[ $(id -u) == 0 ]] || die "micromdm's scepserver listens on every interface; it runs in a private network namespace, which needs root (or SERVERS=\"sqlite memory\")"
fi

# --- processes we start, stopped by PID on exit ------------------------------------------------------------
STARTED=()
cleanup() {
  local pid children
  for pid in "${STARTED[@]}"; do
    [[ -d /proc/$pid ]] || continue
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" $children 2>/dev/null || true
  done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${STARTED[@]}"; do [[ -d /proc/$pid ]] && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${STARTED[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  STARTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_pids() {  # stop_pids PID... : stop these (and their direct children) now
  local pid children keep=()
  for pid in "$@"; do
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    kill -TERM "$pid" $children 2>/dev/null || true
  done
  for pid in "$@"; do
    for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do [[ " $* " == *" $pid "* ]] || keep+=("$pid"); done
  STARTED=("${keep[@]}")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

wait_for() {  # wait_for URL PID : until GetCACaps answers 200; fails when PID dies
  local url=$1 pid=$2 deadline=$((SECONDS + 60))
  until curl -sf -o /dev/null --max-time 2 "$url?operation=GetCACaps"; do
    [[ -d /proc/$pid ]] || return 1
    (( SECONDS < deadline )) || return 1
    sleep 0.02
  done
}

# --- build -------------------------------------------------------------------------------------------------
log "building (Release) into $OUT/build"
dotnet build -c Release "$ROOT/src/Scep.Cli" -o "$OUT/build/cli" >"$OUT/build-cli.log" 2>&1 || die "build failed, see $OUT/build-cli.log"
dotnet publish -c Release "$ROOT/samples/Scep.SampleHost" -o "$OUT/build/host" >"$OUT/build-host.log" 2>&1 || die "publish failed, see $OUT/build-host.log"
# The load tool is a new process for each run. With tiered compilation its hot path would still be recompiled
# (optimized, in the background) during the measured window, about a quarter of its CPU; compiled optimized at
# first call instead, it spends that before the clock starts. This changes only the load tool, never a server.
SCEP=(env DOTNET_TieredCompilation=0 dotnet "$OUT/build/cli/scep.dll")
HOST_DLL=$OUT/build/host/Scep.SampleHost.dll
if [[ " $SERVERS " == *-base* ]]; then
  [[ -n $BASELINE ]] || die "the servers sqlite-base and memory-base need BASELINE=<git revision>"
  rev=$(git -C "$ROOT" rev-parse --short "$BASELINE") || die "unknown revision $BASELINE"
  log "building the baseline host at $rev into $OUT/build/host-base"
  mkdir -p "$OUT/baseline-src"
  git -C "$ROOT" archive "$rev" | tar -x -C "$OUT/baseline-src"
  dotnet publish -c Release "$OUT/baseline-src/samples/Scep.SampleHost" -o "$OUT/build/host-base" >"$OUT/build-host-base.log" 2>&1 \
    || die "baseline publish failed, see $OUT/build-host-base.log"
  echo "$rev" >"$OUT/baseline.txt"
fi

# --- the machine and the RSA references ---------------------------------------------------------------------
log "machine and openssl speed rsa2048"
{
  echo "cores=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME") $(uname -r)"
  echo "dotnet=$(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}'))"
  echo "openssl=$(openssl version)"
  echo "scepserver=$(dpkg-query -W -f='${Version}' scep 2>/dev/null || echo none)"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
openssl speed -seconds 5 rsa2048 >"$OUT/openssl-speed.txt" 2>/dev/null || true

if [[ $CODEC_BENCH == 1 ]]; then
  log "codec benchmark (BenchmarkDotNet, short job)"
  # From the repository: BenchmarkDotNet looks for the project file below the working directory.
  (cd "$ROOT" && dotnet run -c Release --project "$ROOT/bench/Scep.Benchmarks" -- --filter '*CodecBenchmarks*' --job short \
      --exporters json --artifacts "$OUT/codec" >"$OUT/codec-bench.log" 2>&1) || log "codec benchmark failed, see $OUT/codec-bench.log"
fi

# --- servers -----------------------------------------------------------------------------------------------
# The running server: its PID, relays (micromdm), URL, the load tool's extra arguments, and where its store is
# (DATA: our SQLite host's data folder; DEPOT: micromdm's depot; neither for the in-memory store).
SERVER_PID= RELAYS=() URL= STARTUP_MS= CLIENT_ARGS=() DATA= DEPOT=
EXTRA_ARGS=()   # more host arguments for the next start_ours (--Section:Key=value)
FIXED_PORT=     # the port of the next start_ours, when its settings must name it
PULL_INTERVAL=${PULL_INTERVAL:-0.1}
start_ours() {  # start_ours NAME STORE [HOST_DIR [SETTING=VALUE...]] : files under $OUT/NAME; settings of SampleHost:
  local name=$1 store=$2 dir=${3:-$OUT/build/host} port data t0 dll setting host_args=("${EXTRA_ARGS[@]}") env_args=()
  shift $(( $# < 3 ? $# : 3 ))
  for setting in "$@"; do    # e.g. CaKeyAlgorithm=EcdsaP256: to the admin command (environment) and the host (argument)
    env_args+=("SampleHost__${setting%%=*}=${setting#*=}")
    host_args+=("--SampleHost:${setting%%=*}=${setting#*=}")
  done
  dll=$dir/Scep.SampleHost.dll
  port=${FIXED_PORT:-$(free_port)}
  data=$OUT/$name/data
  mkdir -p "$data"
  # The CA (RSA, CA_KEY_SIZE bits) is made by an admin command before the clock: the start-up time is that of a server whose
  # data folder exists. Admin commands read the configuration from the working directory and the environment.
  if [[ ! -f $data/ca.p12 && ! -f $OUT/$name/ca.done ]]; then
    (cd "$dir" && env SampleHost__DataDirectory="$data" SampleHost__CaKeySize="$CA_KEY_SIZE" SampleHost__CaPassphrase=bench \
      SampleHost__Store="$store" "${env_args[@]}" dotnet "$dll" show-ca) >"$OUT/$name/ca.txt" 2>&1 \
      || die "could not create the CA, see $OUT/$name/ca.txt"
    touch "$OUT/$name/ca.done"
  fi
  t0=$(now_ms)
  setsid dotnet "$dll" --contentRoot "$dir" --urls "http://127.0.0.1:$port" \
    --SampleHost:DataDirectory="$data" --SampleHost:CaKeySize="$CA_KEY_SIZE" --SampleHost:CaPassphrase=bench \
    --SampleHost:Store="$store" "${host_args[@]}" \
    --Scep:Aliases:bench:Mode=Ra --Scep:Aliases:bench:RaChallenge="$CHALLENGE" \
    </dev/null >>"$OUT/$name/server.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  RELAYS=() CLIENT_ARGS=() DEPOT=
  DATA=; [[ $store == Database ]] && DATA=$data
  URL=http://127.0.0.1:$port/scep/bench/pkiclient.exe
  wait_for "$URL" "$SERVER_PID" || die "$name did not start, see $OUT/$name/server.log"
  STARTUP_MS=$(( $(now_ms) - t0 ))
}

start_softhsm() {  # start_softhsm NAME [SETTING=VALUE...] : our SQLite host with its CA key in a SoftHSM2 token of its own, under $OUT/NAME
  local name=$1 hsm=$OUT/$1 key
  shift
  mkdir -p "$hsm/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
  export SOFTHSM2_CONF=$hsm/softhsm2.conf   # for the admin command (which creates the key in the token) and the host
  if [[ ! -f $hsm/token.done ]]; then
    softhsm2-util --init-token --free --label scep-bench --pin 1234 --so-pin 5678 >"$hsm/init-token.txt" 2>&1 \
      || die "softhsm2-util --init-token failed, see $hsm/init-token.txt"
    touch "$hsm/token.done"
  fi
  (umask 077 && printf '1234' >"$hsm/pin")
  chmod 600 "$hsm/pin"
  key="pkcs11:token=scep-bench;object=scep-ca?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:$hsm/pin"
  start_ours "$name" Database "$OUT/build/host" "CaKey=$key" "$@"
  unset SOFTHSM2_CONF
}

start_upstream() {  # start_upstream NAME : the RA topology: an RA (the server) forwarding to a CA (a relay) under $OUT/NAME
  local name=$1 dir=$OUT/$1 ca_pid ca_base fingerprint
  mkdir -p "$dir/ra-cert"
  # The CA first with its bench alias only: the RA's own certificate is enrolled there, as an operator would do it.
  EXTRA_ARGS=(); start_ours "$name/ca" Database
  "${SCEP[@]}" enroll "$URL" --cn bench-ra --challenge "$CHALLENGE" --out "$dir/ra-cert" >"$dir/ra-enroll.log" 2>&1 \
    || die "the RA's certificate was not issued, see $dir/ra-enroll.log"
  openssl pkcs12 -export -inkey "$dir/ra-cert/key.pem" -in "$dir/ra-cert/cert.pem" -passout pass:bench -out "$dir/ra.p12" 2>"$dir/pkcs12.log" \
    || die "openssl pkcs12 failed, see $dir/pkcs12.log"
  curl -sf --max-time 10 "$URL?operation=GetCACert" -o "$dir/upstream-ca.der" || die "no GetCACert from the CA"
  fingerprint=$(openssl x509 -in "$dir/ra-cert/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
  stop_pids "$SERVER_PID"
  # The CA again, trusting the RA on its alias from-ra (Scep:Aliases:*:TrustedRaSigners).
  EXTRA_ARGS=(--Scep:Aliases:from-ra:Mode=Ra "--Scep:Aliases:from-ra:TrustedRaSigners:0=$fingerprint"); start_ours "$name/ca" Database
  ca_pid=$SERVER_PID ca_base=${URL%/scep/bench/pkiclient.exe}
  EXTRA_ARGS=("--Upstream:Url=$ca_base/scep/from-ra/pkiclient.exe" "--Upstream:CaCertificateFile=$dir/upstream-ca.der"
    "--Upstream:RaCertificateFile=$dir/ra.p12" --Upstream:RaPassphrase=bench --Scep:Aliases:bench:CaName=upstream)
  start_ours "$name" Database
  EXTRA_ARGS=()
  RELAYS=("$ca_pid")
}

self_signed() {  # self_signed DIR NAME CN : DIR/NAME.p12 (passphrase bench) and DIR/NAME.pem, a TLS certificate for 127.0.0.1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -subj "/CN=$3" \
    -addext subjectAltName=IP:127.0.0.1 >"$1/$2.log" 2>&1 || die "openssl req failed, see $1/$2.log"
  openssl pkcs12 -export -inkey "$1/$2.key" -in "$1/$2.pem" -passout pass:bench -out "$1/$2.p12" 2>>"$1/$2.log" || die "openssl pkcs12 failed, see $1/$2.log"
}

sha256_of() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g'; }

start_pull() {  # start_pull NAME : the pull model: an RA (the server) that queues, a CA (a relay) that pulls, under $OUT/NAME
  local name=$1 dir=$OUT/$1 ca_pid ra_port ra_https
  mkdir -p "$dir/ra-cert"
  ra_port=$(free_port) ra_https=$(free_port)
  self_signed "$dir" ra-tls 127.0.0.1
  self_signed "$dir" puller bench-ca
  EXTRA_ARGS=("--ExternalRa:Url=https://127.0.0.1:$ra_https/admin/api/v1/upstream/requests" "--ExternalRa:ClientCertificateFile=$dir/puller.p12"
    --ExternalRa:ClientCertificatePassphrase=bench "--ExternalRa:ServerCertificateSha256=$(sha256_of "$dir/ra-tls.pem")"
    "--ExternalRa:PollInterval=00:00:0$PULL_INTERVAL")
  start_ours "$name/ca" Database
  ca_pid=$SERVER_PID
  "${SCEP[@]}" enroll "$URL" --cn bench-ra --challenge "$CHALLENGE" --out "$dir/ra-cert" >"$dir/ra-enroll.log" 2>&1 \
    || die "the RA's certificate was not issued, see $dir/ra-enroll.log"
  openssl pkcs12 -export -inkey "$dir/ra-cert/key.pem" -in "$dir/ra-cert/cert.pem" -passout pass:bench -out "$dir/ra.p12" 2>"$dir/pkcs12.log" \
    || die "openssl pkcs12 failed, see $dir/pkcs12.log"
  curl -sf --max-time 10 "$URL?operation=GetCACert" -o "$dir/upstream-ca.der" || die "no GetCACert from the CA"
  EXTRA_ARGS=("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:$ra_port" "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:$ra_https"
    "--Kestrel:Endpoints:Https:Certificate:Path=$dir/ra-tls.p12" --Kestrel:Endpoints:Https:Certificate:Password=bench
    --AdminApi:ClientCertificates:0:Name=bench-ca "--AdminApi:ClientCertificates:0:Sha256=$(sha256_of "$dir/puller.pem")"
    --AdminApi:ClientCertificates:0:Role=Operator --Upstream:Mode=Pull "--Upstream:CaCertificateFile=$dir/upstream-ca.der"
    "--Upstream:RaCertificateFile=$dir/ra.p12" --Upstream:RaPassphrase=bench --Scep:Aliases:bench:CaName=upstream)
  FIXED_PORT=$ra_port
  start_ours "$name" Database
  EXTRA_ARGS=() FIXED_PORT=
  RELAYS=("$ca_pid")
  CLIENT_ARGS=(--poll-interval "$PULL_INTERVAL")   # seconds
}

start_kind() {  # start_kind KIND NAME : one of our servers of this kind, its files under $OUT/NAME
  local kind=$1 name=$2
  case $kind in
    sqlite) start_ours "$name" Database ;;
    memory) start_ours "$name" InMemory ;;
    sqlite-base) start_ours "$name" Database "$OUT/build/host-base" ;;
    memory-base) start_ours "$name" InMemory "$OUT/build/host-base" ;;
    ecdsa) start_ours "$name" Database "$OUT/build/host" CaKeyAlgorithm=EcdsaP256 ;;   # RSA encryption certificate (CaKeySize)
    softhsm) start_softhsm "$name" ;;
    softhsm-ecdsa) start_softhsm "$name" CaKeyAlgorithm=EcdsaP256 ;;
    softhsm-ra) start_softhsm "$name" RaCertificate=File ;;
    upstream) start_upstream "$name" ;;
    pull) start_pull "$name" ;;
    *) die "unknown server $kind" ;;
  esac
}

mdm_template() {  # mdm_template DIR : a depot with micromdm's CA (RSA, CA_KEY_SIZE bits) and no certificate yet, made once per run
  local dir=$1
  [[ -f $dir/ca.pem ]] && return 0
  mkdir -p "$(dirname "$dir")"
  scepserver ca -init -depot "$dir" -keySize "$CA_KEY_SIZE" -organization scep-bench -organizational_unit "SCEP BENCH CA" \
    >"$dir.ca-init.log" 2>&1 || die "scepserver ca -init failed, see $dir.ca-init.log"
}

start_micromdm() {  # start_micromdm DIR DEPOT : following /work/shared/interop/start-micromdm-server.sh (PEERS.md): loopback only
  local dir=$1 depot=$2 port run sock t0 deadline
  port=$(free_port)
  run=$dir/run
  sock=$run/scep.sock
  mkdir -p "$run"
  [[ -f $depot/ca.pem ]] || die "no CA in the depot $depot"
  t0=$(now_ms)
  # unshare and bash exec, so $! is scepserver itself; its network namespace has only lo.
  setsid unshare -n bash -c 'ip link set lo up && exec "$@"' _ scepserver -depot "$depot" -port "$port" \
    -allowrenew 0 -crtvalid 365 -challenge "$CHALLENGE" </dev/null >>"$run/server.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  deadline=$((SECONDS + 30))
  until nsenter -t "$SERVER_PID" -n curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/scep?operation=GetCACaps"; do
    [[ -d /proc/$SERVER_PID ]] || die "scepserver exited, see $run/server.log"
    (( SECONDS < deadline )) || die "scepserver did not come up"
    sleep 0.02
  done
  STARTUP_MS=$(( $(now_ms) - t0 ))
  [[ $(cat "/proc/$SERVER_PID/comm") == scepserver ]] || die "unexpected process at $SERVER_PID"
  rm -f "$sock"
  setsid nsenter -t "$SERVER_PID" -n socat UNIX-LISTEN:"$sock",fork,unlink-early,mode=600,backlog=512 \
    TCP:127.0.0.1:"$port" </dev/null >>"$run/relay.log" 2>&1 &
  RELAYS=($!)
  STARTED+=("${RELAYS[0]}")
  until [[ -S $sock ]]; do sleep 0.05; (( SECONDS < deadline )) || die "inner relay did not come up"; done
  setsid socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork,backlog=512 UNIX-CONNECT:"$sock" \
    </dev/null >>"$run/relay.log" 2>&1 &
  RELAYS+=($!)
  STARTED+=("${RELAYS[1]}")
  URL=http://127.0.0.1:$port/scep
  CLIENT_ARGS=(--legacy)   # its replies are DES-CBC + SHA-1 whatever the request used
  DATA= DEPOT=$depot
  wait_for "$URL" "${RELAYS[1]}" || die "relay on 127.0.0.1:$port did not come up"
}

issued() {  # certificates the running server's store holds: rows of our SQLite store, lines of micromdm's index.txt; -1 unknown
  if [[ -n $DEPOT ]]; then
    if [[ -f $DEPOT/index.txt ]]; then wc -l <"$DEPOT/index.txt"; else echo 0; fi
  elif [[ -n $DATA ]]; then
    python3 - "$DATA/scep.db" <<'PY' || echo -1
import sqlite3, sys, pathlib
path = pathlib.Path(sys.argv[1])
if not path.exists():
    print(-1)
else:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        print(db.execute("SELECT COUNT(*) FROM certificates").fetchone()[0])
PY
  else
    echo -1
  fi
}

bench() {  # bench DIR JSON N C [RUN_WARMUP] : a measured run when JSON is given, else a warm-up; log in DIR/bench.log
  local dir=$1 json=$2 n=$3 c=$4 warm=${5:-$RUN_WARMUP} args
  args=(bench "$URL" -n "$n" -c "$c" --challenge "$CHALLENGE" --digest sha256 --key-pool "$KEY_POOL" --timeout 60s "${CLIENT_ARGS[@]}")
  if [[ -n $json ]]; then
    args+=(--warmup "$warm" --server-pid "$SERVER_PID" --json "$json")
    for pid in "${RELAYS[@]}"; do args+=(--relay-pid "$pid"); done
  fi
  "${SCEP[@]}" "${args[@]}" >>"$dir/bench.log" 2>&1 || true   # failures are results, not errors
}

measured() {  # measured DIR RUN N C [RUN_WARMUP] : a measured run, DIR/RUN.json, with the store's size before and after it in DIR/RUN.store
  local dir=$1 run=$2 before
  before=$(issued)
  bench "$dir" "$dir/$run.json" "$3" "$4" "${5:-$RUN_WARMUP}"
  echo "$before $(issued)" >"$dir/$run.store"
}

jit_ms() {  # our host's JIT compilation time so far, in whole ms (from its /metrics; 0 when unreadable)
  local ms
  ms=$(curl -sf --max-time 5 "${URL%/scep/bench/pkiclient.exe}/metrics" |
    awk '$1 == "dotnet_jit_compilation_seconds_total" {printf "%d\n", $2 * 1000}') || true
  echo "${ms:-0}"
}

warm_up_ours() {  # warm_up_ours NAME : WARMUP enrollments, then rounds of 500 until the JIT has caught up
  local name=$1 round before spent
  log "$name: warm-up of $WARMUP enrollments (the first run also fills the key pool $KEY_POOL)"
  if (( WARMUP > 0 )); then bench "$OUT/$name" "" "$WARMUP" 4; fi
  # .NET compiles hot methods again, optimized, in the background; under full load that lags behind. Measure
  # once it has caught up: a round of 500 enrollments that costs the JIT less than JIT_SETTLED_MS. (It still
  # compiles in bursts later, 50-280 ms per measured run here: recorded per run, and part of the CPU column.)
  for round in $(seq "$JIT_ROUNDS"); do
    before=$(jit_ms); bench "$OUT/$name" "" 500 2; spent=$(( $(jit_ms) - before ))
    log "$name: warm-up round $round, 500 enrollments, JIT $spent ms"
    if (( spent < JIT_SETTLED_MS )); then break; fi
  done
}

grow_to() {  # grow_to NAME TARGET : enrollments, in batches of at most 1,000, until the store holds TARGET certificates
  local name=$1 target=$2 have n
  while have=$(issued); (( have < target )); do
    n=$(( target - have ))
    if (( n > 1000 )); then n=1000; fi
    bench "$OUT/$name" "" "$n" "$MDM_GROWN_C"
    (( $(issued) > have )) || die "$name: no certificate issued by a batch of $n, see $OUT/$name/bench.log"
  done
}

run_micromdm() {  # run_micromdm NAME TEMPLATE : micromdm's runs, each from its own copy of the depot TEMPLATE
  local name=$1 template=$2 c hwm=0 run_hwm
  for c in $CONCURRENCY; do
    rm -rf "$OUT/$name/depot"
    cp -a "$template" "$OUT/$name/depot"
    start_micromdm "$OUT/$name" "$OUT/$name/depot"
    [[ -f $OUT/$name/startup-ms ]] || echo "$STARTUP_MS" >"$OUT/$name/startup-ms"
    log "$name: PID $SERVER_PID, depot of $(issued) certificates; $N enrollments, $c concurrent clients"
    measured "$OUT/$name" "c$c" "$N" "$c" "$MDM_RUN_WARMUP"
    log "$name: depot $(cut -d' ' -f1 "$OUT/$name/c$c.store") -> $(cut -d' ' -f2 "$OUT/$name/c$c.store") certificates"
    run_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    if (( run_hwm > hwm )); then hwm=$run_hwm; fi
    stop_pids "$SERVER_PID" "${RELAYS[@]}"
  done
  echo "$hwm" >"$OUT/$name/vmhwm-kib"
  rm -rf "$OUT/$name/depot"
}

for name in $SERVERS; do
  mkdir -p "$OUT/$name"
  if [[ $name == micromdm ]]; then
    # From a fresh depot: no warm-up, each run on an empty copy (micromdm's cost grows with its depot).
    mdm_template "$OUT/micromdm/template"
    run_micromdm micromdm "$OUT/micromdm/template"
    if [[ -n $MDM_GROWN ]]; then
      # From a depot of MDM_GROWN certificates, grown once by enrollments and copied for each run.
      mkdir -p "$OUT/micromdm-grown"
      cp -a "$OUT/micromdm/template" "$OUT/micromdm-grown/template"
      start_micromdm "$OUT/micromdm-grown" "$OUT/micromdm-grown/template"
      log "micromdm-grown: growing a depot to $MDM_GROWN certificates ($MDM_GROWN_C clients)"
      grow_to micromdm-grown "$MDM_GROWN"
      stop_pids "$SERVER_PID" "${RELAYS[@]}"
      run_micromdm micromdm-grown "$OUT/micromdm-grown/template"
      rm -rf "$OUT/micromdm-grown/template"   # certificates and keys of no further use
    fi
    continue
  fi
  start_kind "$name" "$name"
  echo "$STARTUP_MS" >"$OUT/$name/startup-ms"
  log "$name: PID $SERVER_PID, first answer after $STARTUP_MS ms"
  warm_up_ours "$name"
  for c in $CONCURRENCY; do
    log "$name: $N enrollments, $c concurrent clients"
    before=$(jit_ms)
    measured "$OUT/$name" "c$c" "$N" "$c"
    echo $(( $(jit_ms) - before )) >"$OUT/$name/c$c.jit-ms"
  done
  awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" >"$OUT/$name/vmhwm-kib"
  if [[ $name == sqlite && -n $LINEAR ]]; then
    for n in $LINEAR; do
      log "$name: linearity, $n enrollments, $LINEAR_C concurrent clients"
      measured "$OUT/$name" "linear-$n" "$n" "$LINEAR_C"
      awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" >"$OUT/$name/linear-$n-rss-after-kib"
    done
  fi
  stop_pids "$SERVER_PID" "${RELAYS[@]}"
done

# --- the curve: server CPU per enrollment against the certificates issued so far -------------------------------
# A new server of each kind. Each step is one `scep bench --server-pid` run of CURVE_STEP enrollments without a
# warm-up of its own, so the server CPU of a step is that of its own enrollments only (read from /proc before and
# after it) and the store's size before and after the step is exact (counted between steps, not during them).
for name in $CURVE_RUN; do
  dir=curve/$name
  mkdir -p "$OUT/$dir"
  if [[ $name == micromdm ]]; then
    mdm_template "$OUT/micromdm/template"
    cp -a "$OUT/micromdm/template" "$OUT/$dir/depot"
    start_micromdm "$OUT/$dir" "$OUT/$dir/depot"
    log "curve, $name: a fresh depot, no warm-up"
  else
    start_kind "$name" "$dir"
    warm_up_ours "$dir"
  fi
  step=0
  while have=$(issued); (( have < CURVE )); do
    step=$((step + 1))
    run=$(printf 'step-%03d' "$step")
    measured "$OUT/$dir" "$run" "$CURVE_STEP" "$CURVE_C" 0
    read -r before after <"$OUT/$dir/$run.store"
    cpu=$(python3 -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["serverCpuMsPerEnrollment"])' "$OUT/$dir/$run.json" 2>/dev/null || echo "?")
    log "curve, $name: step $step, store $before -> $after certificates, $cpu ms server CPU per enrollment"
    (( after > before )) || die "curve, $name: no certificate issued in step $step, see $OUT/$dir/bench.log"
  done
  stop_pids "$SERVER_PID" "${RELAYS[@]}"
  rm -rf "$OUT/$dir/depot"
done
if [[ -n $CURVE_RUN ]]; then
  python3 "$ROOT/bench/curve-svg.py" "$OUT" "$OUT/curve.csv" "$OUT/curve.svg" || die "could not draw the curve"
  if [[ -n $DOCS_SVG ]]; then
    mkdir -p "$(dirname "$DOCS_SVG")"
    cp "$OUT/curve.svg" "$DOCS_SVG"
    log "curve copied to $DOCS_SVG"
  fi
fi

# --- the table -----------------------------------------------------------------------------------------------
CA_KEY_SIZE=$CA_KEY_SIZE python3 "$ROOT/bench/compare-table.py" "$OUT" "$N" "$CONCURRENCY" "$LINEAR" | tee "$OUT/summary.md"
log "results in $OUT"
