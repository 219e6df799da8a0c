#!/usr/bin/env bash
# Training wall time of the mlp example with and without the monitor (snapshot every 50 steps),
# interleaved runs, medians. Usage: bench/mlp-overhead.sh [RUNS] [STEPS] [extra mlp flags for the monitored run...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
steps=${2:-2000}
shift $(( $# < 2 ? $# : 2 ))
with=(); without=(); pauses=()
for i in $(seq 1 "$runs"); do
  a=$(bin/specwatch-example mlp --steps "$steps" --no-monitor 2>/dev/null | tail -n 1)
  b=$(bin/specwatch-example mlp --steps "$steps" --every 50 --port 0 "$@" 2>/dev/null | tail -n 1)
  without+=("$(echo "$a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])')")
  with+=("$(echo "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])')")
  pauses+=("$(echo "$b" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["max_pause_ms"], d["snapshots"], d["dropped"], d["analysis_seconds"])')")
  echo "run $i: without ${without[-1]} s, with ${with[-1]} s (max_pause_ms snapshots dropped analysis_seconds: ${pauses[-1]})"
done
python3 - "${without[*]}" "${with[*]}" <<'PY'
import statistics, sys
a = [float(v) for v in sys.argv[1].split()]
b = [float(v) for v in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"median train_seconds: without {ma:.3f}, with {mb:.3f}, overhead {100 * (mb / ma - 1):+.1f} %")
PY
