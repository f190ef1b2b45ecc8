#!/usr/bin/env bash
# Coverage-guided fuzzing of the Scep.Protocol decoders with AFL++ and SharpFuzz.
#
#   fuzz/run.sh [SECONDS]        build, instrument, fuzz for SECONDS (default 3600) at nice 19, then
#                                minimise the queue into fuzz/corpus with afl-cmin and replay it
#   fuzz/run.sh replay PATH...   run inputs once each (a crash or hang AFL found, or fuzz/corpus)
#   fuzz/run.sh seeds            regenerate fuzz/seeds (valid inputs of every kind)
#
# Needs: the .NET SDK, and AFL++ (Debian: apt-get install afl++; 4.04c was used). Installs the
# SharpFuzz.CommandLine tool into fuzz/.tools. Work files go to fuzz/out (not committed); one fuzz
# process only (the machine's cores are shared). Findings: fuzz/out/findings/default/{crashes,hangs}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
caller=$PWD
cd "$here"

sharpfuzz_version=2.3.0
project="$here/Scep.Fuzz/Scep.Fuzz.csproj"
bin="$here/out/bin"
tools="$here/.tools"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build() {
  rm -rf "$bin"  # sharpfuzz instruments in place: always start from a fresh copy
  dotnet build "$project" -c Release -o "$bin" -v quiet -nologo >/dev/null
  if [[ ! -x $tools/sharpfuzz ]]; then
    dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
  fi
  # Only the library under test is instrumented: the fuzzer steers by Scep.Protocol's branches.
  "$tools/sharpfuzz" "$bin/Scep.Protocol.dll" >/dev/null
}

# afl-cmin wants the program by path.
target=("$(command -v dotnet)" "$bin/Scep.Fuzz.dll")
# Replays run an uninstrumented build: instrumented code needs AFL's shared memory.
plain_bin="$here/out/plain-bin"
plain=(dotnet "$plain_bin/Scep.Fuzz.dll")
build_plain() { dotnet build "$project" -c Release -o "$plain_bin" -v quiet -nologo >/dev/null; }

case "${1:-}" in
  replay)
    shift
    build_plain
    paths=()
    for p in "$@"; do [[ $p = /* ]] && paths+=("$p") || paths+=("$caller/$p"); done
    exec "${plain[@]}" replay "${paths[@]}"
    ;;
  seeds)
    build_plain
    rm -rf "$here/seeds"
    exec "${plain[@]}" seeds "$here/seeds"
    ;;
esac

seconds=${1:-3600}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }
build

# Start from the seeds and the corpus grown by earlier runs.
mkdir -p "$here/out"
input="$here/out/input"
rm -rf "$input"
mkdir -p "$input"
cp "$here/seeds/"* "$input/"
if [[ -d $here/corpus ]]; then
  for f in "$here/corpus/"*; do cp "$f" "$input/corpus-$(basename "$f")"; done
fi
findings="$here/out/findings"
rm -rf "$findings"
# AFL_SKIP_BIN_CHECK: the target is `dotnet`, not an AFL-compiled binary. AFL_NO_AFFINITY: shared cores.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
# -t 5000: a .NET start and an RSA decryption fit easily; what does not is a hang worth a look.
nice -n 19 afl-fuzz -i "$input" -o "$findings" -t 5000 -m none -V "$seconds" -- "${target[@]}" \
  >"$here/out/afl.log" 2>&1 || true

stats="$findings/default/fuzzer_stats"
[[ -f $stats ]] || { echo "afl-fuzz did not start; see $here/out/afl.log" >&2; tail -n 30 "$here/out/afl.log" >&2; exit 1; }
grep -E '^(start_time|last_update|run_time|execs_done|execs_per_sec|corpus_count|corpus_found|bitmap_cvg|edges_found|total_edges|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' "$stats" \
  | tee "$here/out/summary.txt"

# Minimise the queue into the committed corpus.
minimised="$here/out/cmin"
rm -rf "$minimised"
nice -n 19 afl-cmin -i "$findings/default/queue" -o "$minimised" -t 5000 -m none -- "${target[@]}" >"$here/out/cmin.log" 2>&1
rm -rf "$here/corpus"
mkdir -p "$here/corpus"
n=0
for f in "$minimised"/*; do
  n=$((n + 1))
  cp "$f" "$here/corpus/$(printf 'input-%05d' "$n")"
done
echo "corpus: $n inputs, $(du -sh "$here/corpus" | cut -f1)"

# Anything AFL kept as a crash or hang is replayed for the report.
build_plain
for kind in crashes hangs; do
  dir="$findings/default/$kind"
  if compgen -G "$dir/id:*" >/dev/null; then
    echo "$kind found:"
    "${plain[@]}" replay "$dir" || true
  fi
done
