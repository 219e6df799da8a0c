#!/usr/bin/env bash
# The whole GPU check in one command, for a machine with an NVIDIA GPU, Python with torch and numpy,
# and no Java, Maven or network. Build its Java side first, elsewhere: bench/gpu-check-pack.sh
# (target/gpu-check/: a jlink runtime and the GPU path's jars), and carry target/gpu-check along.
#
#   bash bench/gpu-check.sh
#
# Steps (each under a timeout, all within GPU_CHECK_SECONDS, default 420 s; a failed step does
# not stop the others, and every step writes its results as it goes):
#   env        versions, the GPU (python, torch)                    -> parts/env.json
#   doctor     CUDA discovery as specwatch does it; when it finds no libraries, again with
#              SPECWATCH_CUDA_LIBS set to this Python's nvidia/*/lib folders (said in the report)
#   prepare    ~20 parity matrices (64 to 8192, square/tall/wide, Gaussian/heavy-tailed/power-law/
#              spiked) and their float64 reference eigenvalues on the GPU (torch.linalg.eigvalsh)
#   parity     our engine (float32 and float64) against them: top of the spectrum, α, xmin, spikes;
#              the engine contract on the GPU
#   speed-java 2048² per matrix, the 7B-shaped set (224 matrices), vectors, sizes, parallel engines
#   speed-torch torch.linalg.svdvals and torch's Gram + eigvalsh on the same GPU, same shapes
#   report     $OUT/gpu-check.json and $OUT/gpu-check.md (always written)
# Results go to $OUT when set (the device tool's output folder), else bench/gpu-check.out/.
# GPU_CHECK_SMALL=1 runs tiny sizes (how the script is tested on a machine without a GPU);
# GPU_CHECK_JAVA and GPU_CHECK_CLASSPATH override the packed runtime and classpath.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/bench/gpu-check.out}"
parts="$out/parts"
logs="$out/logs"
work="${GPU_CHECK_WORK:-${TMPDIR:-/tmp}/specwatch-gpu-check}"
budget="${GPU_CHECK_SECONDS:-420}"
python="${PYTHON:-python3}"
small=()
[[ "${GPU_CHECK_SMALL:-0}" == 1 ]] && small=(--small)
java="${GPU_CHECK_JAVA:-$root/target/gpu-check/jre/bin/java}"
classpath="${GPU_CHECK_CLASSPATH:-$root/target/gpu-check/lib/*}"
mkdir -p "$parts" "$logs" "$work"
rm -f "$parts"/*.json
start=$(date +%s)
steps=()

# run NAME CAP COMMAND...: runs with a timeout of min(CAP, what is left of the budget minus 30 s
# kept for the report); exports STEP_SECONDS (the timeout) for commands that take a deadline
run() {
  local name="$1" cap="$2"
  shift 2
  local left=$((budget - ($(date +%s) - start) - 30))
  local limit=$((cap < left ? cap : left))
  if ((limit < 5)); then
    steps+=("{\"name\": \"$name\", \"exit\": \"skipped: no time left\", \"seconds\": 0}")
    echo "gpu-check: $name skipped (no time left)" >&2
    return 0
  fi
  export STEP_SECONDS=$((limit - 10 > 5 ? limit - 10 : 5))
  local t0=$(date +%s)
  echo "gpu-check: $name (at most ${limit} s)" >&2
  timeout -k 10 "$limit" "$@" >"$logs/$name.log" 2>&1
  local status=$?
  steps+=("{\"name\": \"$name\", \"exit\": $status, \"seconds\": $(($(date +%s) - t0))}")
  echo "gpu-check: $name exit $status in $(($(date +%s) - t0)) s" >&2
  return 0
}

write_steps() {
  local joined
  joined=$(IFS=,; echo "${steps[*]:-}")
  printf '{"steps": [%s], "hint": %s, "budget_seconds": %s, "total_seconds": %s}\n' "$joined" "${hint_json:-null}" "$budget" \
    "$(($(date +%s) - start))" >"$parts/steps.json"
}

jvm=(-Xmx24g -Djna.tmpdir="$work/jna" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$classpath" io.specwatch.bench.GpuCheck)
mkdir -p "$work/jna"

command -v nvidia-smi >/dev/null 2>&1 && run nvidia-smi 15 nvidia-smi
run env 60 "$python" bench/gpu_check.py env --out "$parts/env.json"
# the packed runtime is the build machine's OpenJDK 17 cut down by jlink: it needs glibc >= 2.34, libstdc++ and zlib
run java-version 30 "$java" -version
run doctor 60 "$java" "${jvm[@]}" doctor --out "$parts/doctor.json"
hint_json=null
if ! grep -q '"usable" : true' "$parts/doctor.json" 2>/dev/null; then
  # not found where specwatch looks by itself: try the folders this Python's torch uses, and say so
  libs="$("$python" bench/gpu_check.py libs 2>/dev/null || true)"
  if [[ -n "$libs" ]]; then
    cp "$parts/doctor.json" "$parts/doctor-without-hint.json" 2>/dev/null || true
    export SPECWATCH_CUDA_LIBS="$libs"
    hint_json="\"SPECWATCH_CUDA_LIBS=$libs\""
    run doctor-with-hint 60 "$java" "${jvm[@]}" doctor --out "$parts/doctor.json"
  fi
fi
write_steps
run prepare 100 bash -c '"$0" bench/gpu_check.py prepare --dir "$1/parity" --out "$2/prepare.json" --deadline-seconds "$STEP_SECONDS" "${@:3}"' \
  "$python" "$work" "$parts" "${small[@]}"
run parity 90 bash -c '"$0" "${@:4}" parity --dir "$1/parity" --out "$2/parity.json" --deadline-seconds "$STEP_SECONDS"' \
  "$java" "$work" "$parts" "${jvm[@]}"
write_steps
run speed-java 125 bash -c '"$0" "${@:3}" speed --out "$1/speed-java.json" --deadline-seconds "$STEP_SECONDS" $2' \
  "$java" "$parts" "${small[*]:-}" "${jvm[@]}"
write_steps
run speed-torch 105 bash -c '"$0" bench/gpu_check.py speed --out "$1/speed-torch.json" --deadline-seconds "$STEP_SECONDS" "${@:2}"' \
  "$python" "$parts" "${small[@]}"
write_steps
if ! timeout 60 "$python" bench/gpu_check.py report --parts "$parts" --json "$out/gpu-check.json" --md "$out/gpu-check.md" \
    >"$logs/report.log" 2>&1; then
  # the report itself failed: still leave a summary of what ran
  {
    echo "# GPU check (report step failed; raw parts in parts/, logs in logs/)"
    echo
    echo '```'
    cat "$parts/steps.json"
    tail -n 20 "$logs"/*.log
    echo '```'
  } >"$out/gpu-check.md"
  cp "$parts/steps.json" "$out/gpu-check.json"
fi
rm -rf "$work/parity"
echo "gpu-check: done in $(($(date +%s) - start)) s; results in $out/gpu-check.md and $out/gpu-check.json" >&2
