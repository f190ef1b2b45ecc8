#!/usr/bin/env bash
# Side by side on this machine: our sample host (SQLite store, and the in-memory store) and micromdm's
# scepserver (Debian package `scep`), both with an RSA-2048 CA key, under the same load from `scep bench`.
#
# Usage: bench/compare.sh            (as root: micromdm runs in a private network namespace)
#
# Prints one table (verified enrollments/s, latency, server CPU per enrollment and its ratio to the RSA
# private-key work, peak memory, failures, duplicate serial numbers), the ratios ours / micromdm, our start-up
# time, the 1,000 vs 10,000 enrollments run, and the RSA references of the same run (in-tool, openssl speed,
# and the BenchmarkDotNet codec benchmark). Everything goes to $OUT (a new folder under /tmp by default),
# summary.md included. Every process it starts is stopped by its PID on exit.
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
#   SERVERS="sqlite memory micromdm"   (sqlite-base and memory-base: the same hosts built from BASELINE)
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
if [[ " $SERVERS " == *" micromdm "* ]]; then
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
SERVER_PID= RELAYS=() URL= STARTUP_MS=
start_ours() {  # start_ours NAME STORE [HOST_DIR]
  local name=$1 store=$2 dir=${3:-$OUT/build/host} port data t0 dll
  dll=$dir/Scep.SampleHost.dll
  port=$(free_port)
  data=$OUT/$name/data
  mkdir -p "$data"
  # The CA (RSA 2048) is made by an admin command before the clock: the start-up time is that of a server whose
  # data folder exists. Admin commands read the configuration from the working directory and the environment.
  if [[ ! -f $data/ca.p12 ]]; then
    (cd "$dir" && SampleHost__DataDirectory=$data SampleHost__CaKeySize=2048 SampleHost__CaPassphrase=bench \
      SampleHost__Store=$store dotnet "$dll" show-ca) >"$OUT/$name/ca.txt" 2>&1 || die "could not create the CA, see $OUT/$name/ca.txt"
  fi
  t0=$(now_ms)
  setsid dotnet "$dll" --contentRoot "$dir" --urls "http://127.0.0.1:$port" \
    --SampleHost:DataDirectory="$data" --SampleHost:CaKeySize=2048 --SampleHost:CaPassphrase=bench \
    --SampleHost:Store="$store" \
    --Scep:Aliases:bench:Mode=Ra --Scep:Aliases:bench:RaChallenge="$CHALLENGE" \
    </dev/null >>"$OUT/$name/server.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  RELAYS=()
  URL=http://127.0.0.1:$port/scep/bench/pkiclient.exe
  wait_for "$URL" "$SERVER_PID" || die "$name did not start, see $OUT/$name/server.log"
  STARTUP_MS=$(( $(now_ms) - t0 ))
}

start_micromdm() {  # following /work/shared/interop/start-micromdm-server.sh (PEERS.md): loopback only
  local name=micromdm port depot run sock t0 deadline
  port=$(free_port)
  depot=$OUT/$name/depot
  run=$OUT/$name/run
  sock=$run/scep.sock
  mkdir -p "$depot" "$run"
  [[ -f $depot/ca.pem ]] || scepserver ca -init -depot "$depot" -keySize 2048 -organization scep-bench \
    -organizational_unit "SCEP BENCH CA" >"$run/ca-init.log" 2>&1 || die "scepserver ca -init failed, see $run/ca-init.log"
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
  wait_for "$URL" "${RELAYS[1]}" || die "relay on 127.0.0.1:$port did not come up"
}

bench() {  # bench NAME JSON N C : a measured run when JSON is given, else a warm-up
  local name=$1 json=$2 n=$3 c=$4 args
  args=(bench "$URL" -n "$n" -c "$c" --challenge "$CHALLENGE" --digest sha256 --key-pool "$KEY_POOL" --timeout 60s)
  [[ $name == micromdm ]] && args+=(--legacy)   # its replies are DES-CBC + SHA-1 whatever the request used
  if [[ -n $json ]]; then
    args+=(--warmup "$RUN_WARMUP" --server-pid "$SERVER_PID" --json "$json")
    for pid in "${RELAYS[@]}"; do args+=(--relay-pid "$pid"); done
  fi
  "${SCEP[@]}" "${args[@]}" >>"$OUT/$name/bench.log" 2>&1 || true   # failures are results, not errors
}

jit_ms() {  # our host's JIT compilation time so far, in whole ms (from its /metrics; 0 when unreadable)
  local ms
  ms=$(curl -sf --max-time 5 "${URL%/scep/bench/pkiclient.exe}/metrics" |
    awk '$1 == "dotnet_jit_compilation_seconds_total" {printf "%d\n", $2 * 1000}') || true
  echo "${ms:-0}"
}

for name in $SERVERS; do
  mkdir -p "$OUT/$name"
  case $name in
    sqlite) start_ours sqlite Database ;;
    memory) start_ours memory InMemory ;;
    sqlite-base) start_ours sqlite-base Database "$OUT/build/host-base" ;;
    memory-base) start_ours memory-base InMemory "$OUT/build/host-base" ;;
    micromdm) start_micromdm ;;
    *) die "unknown server $name" ;;
  esac
  echo "$STARTUP_MS" >"$OUT/$name/startup-ms"
  log "$name: PID $SERVER_PID, first answer after $STARTUP_MS ms; warm-up of $WARMUP enrollments (the first run also fills the key pool $KEY_POOL)"
  (( WARMUP > 0 )) && bench "$name" "" "$WARMUP" 4
  ours=false; [[ $name == micromdm ]] || ours=true
  if $ours; then
    # .NET compiles hot methods again, optimized, in the background; under full load that lags behind. Measure
    # once it has caught up: a round of 500 enrollments that costs the JIT less than JIT_SETTLED_MS. (It still
    # compiles in bursts later, 50-280 ms per measured run here: recorded per run, and part of the CPU column.)
    for round in $(seq "$JIT_ROUNDS"); do
      before=$(jit_ms); bench "$name" "" 500 2; spent=$(( $(jit_ms) - before ))
      log "$name: warm-up round $round, 500 enrollments, JIT $spent ms"
      (( spent < JIT_SETTLED_MS )) && break
    done
  fi
  for c in $CONCURRENCY; do
    log "$name: $N enrollments, $c concurrent clients"
    if $ours; then before=$(jit_ms); fi
    bench "$name" "$OUT/$name/c$c.json" "$N" "$c"
    if $ours; then echo $(( $(jit_ms) - before )) >"$OUT/$name/c$c.jit-ms"; fi
  done
  awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" >"$OUT/$name/vmhwm-kib"
  if [[ $name == sqlite && -n $LINEAR ]]; then
    for n in $LINEAR; do
      log "$name: linearity, $n enrollments, $LINEAR_C concurrent clients"
      bench "$name" "$OUT/$name/linear-$n.json" "$n" "$LINEAR_C"
      awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" >"$OUT/$name/linear-$n-rss-after-kib"
    done
  fi
  stop_pids "$SERVER_PID" "${RELAYS[@]}"
done

# --- the table -----------------------------------------------------------------------------------------------
python3 "$ROOT/bench/compare-table.py" "$OUT" "$N" "$CONCURRENCY" "$LINEAR" | tee "$OUT/summary.md"
log "results in $OUT"
