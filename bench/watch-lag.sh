#!/usr/bin/env bash
# The watcher's lag behind a job that writes a GPT-2-small-shaped checkpoint (497 MB) every
# INTERVAL seconds: `specwatch watch` with its defaults (poll 5 s) on an empty directory, a writer
# that copies the file in as model_step_K.safetensors, and, just before each next write, the
# watcher's own specwatch_checkpoint_lag_seconds (last write of the checkpoint to the end of its
# analysis) and specwatch_checkpoint_last_step from /metrics. Lag must stay under INTERVAL.
#   bench/watch-lag.sh [INTERVAL] [COUNT] [FILE]   (run `mvn -B -q package -DskipTests` first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
interval=${1:-60}; count=${2:-3}; file=${3:-target/bench/gpt2s.safetensors}
py=${BENCH_PYTHON:-.venv/bin/python}
[ -f "$file" ] || "$py" bench/make-checkpoint.py gpt2-small "$file"
out=target/bench/watch-lag
rm -rf "$out" && mkdir -p "$out/ckpts"
port=9671
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
bin/specwatch watch "$out/ckpts" --port "$port" --history "$out/h.jsonl" > "$out/watch.out" 2> "$out/watch.err" &
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/-/healthy"; do sleep 0.2; done
metric() { curl -s "http://127.0.0.1:$port/metrics" | grep -E "^$1[{ ]" | awk '{print $NF}' | head -n 1; }
echo "| checkpoint | last step analysed before the next write | lag s |"
echo "|---:|---:|---:|"
for k in $(seq "$count"); do
  cp "$file" "$out/ckpts/model_step_$k.safetensors"
  sleep "$interval"
  echo "| $k | $(metric specwatch_checkpoint_last_step) | $(metric specwatch_checkpoint_lag_seconds) |"
done
