#!/usr/bin/env bash
# What watching costs over analysing: `specwatch watch DIR --once` on a directory holding one
# checkpoint against `specwatch analyze FILE` on the same file, both as whole processes, one BLAS
# thread and one matrix at a time (what a watcher does), so the difference is the watcher's own:
# directory scan, readiness check, history and monitor plumbing, and with --vectors 10 (the
# default) the top singular vectors it keeps for the dynamics. Rounds interleaved; medians.
#
# Usage: bench/watch-vs-analyze.sh [ROUNDS] [FILE]   (run `mvn -B -q package -DskipTests` first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
file=${2:-target/bench/gpt2s.safetensors}
py=${BENCH_PYTHON:-.venv/bin/python}
[ -f "$file" ] || "$py" bench/make-checkpoint.py gpt2-small "$file"
out=target/bench/watch-vs-analyze
rm -rf "$out" && mkdir -p "$out/dir"
# a finished checkpoint, as a watcher started after training finds it
ln "$file" "$out/dir/model_step_1.safetensors" 2>/dev/null || cp "$file" "$out/dir/model_step_1.safetensors"
touch -d '1 minute ago' "$out/dir/model_step_1.safetensors"
: > "$out/times.tsv"

elapsed() { # label, command...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$out/$label.out" 2> "$out/$label.err" || { echo "$label failed:"; cat "$out/$label.err"; exit 1; }
  t1=$(date +%s.%N)
  echo -e "$label\t$(echo "$t1 - $t0" | bc)" >> "$out/times.tsv"
}

echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  elapsed analyze bin/specwatch analyze --format json --jobs 1 --threads 1 "$file"
  elapsed watch-vectors0 bin/specwatch watch "$out/dir" --once --threads 1 --vectors 0 --analysis-priority normal
  elapsed watch-default bin/specwatch watch "$out/dir" --once --threads 1 --analysis-priority normal
  echo "round $r done"
done
python3 - "$out/times.tsv" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    label, t = line.split("\t")
    times.setdefault(label, []).append(float(t))
base = statistics.median(times["analyze"])
print("| command | median s | over analyze |")
print("|---|---|---|")
for label, ts in times.items():
    m = statistics.median(ts)
    print(f"| {label} | {m:.2f} | {m - base:+.2f} s ({m / base:.2f}x) |")
PY
