#!/usr/bin/env bash
# Training wall time of the mlp example with and without the monitor (snapshot every 50 steps),
# interleaved runs, medians of the times and of the per-pair ratios.
# Usage: bench/mlp-overhead.sh [RUNS] [STEPS] [extra mlp flags for the monitored run...]
# MLP_FLAGS (environment) goes to both arms, e.g. MLP_FLAGS="--torch-threads 2".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
steps=${2:-2000}
shift $(( $# < 2 ? $# : 2 ))
read -r -a both <<< "${MLP_FLAGS:-}"
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(*[d[k] for k in sys.argv[2:]])' "$@"; }
with=(); without=()
for i in $(seq 1 "$runs"); do
  a=$(bin/specwatch-example mlp --steps "$steps" "${both[@]}" --no-monitor 2>/dev/null | tail -n 1)
  b=$(bin/specwatch-example mlp --steps "$steps" "${both[@]}" --every 50 --port 0 "$@" 2>/dev/null | tail -n 1)
  without+=("$(field "$a" train_seconds)")
  with+=("$(field "$b" train_seconds)")
  echo "run $i: without ${without[-1]} s, with ${with[-1]} s (torch_threads max_pause_ms total_pause_ms snapshots dropped analysis_seconds:" \
    "$(field "$b" torch_threads max_pause_ms total_pause_ms snapshots dropped analysis_seconds))"
done
python3 - "${without[*]}" "${with[*]}" <<'PY'
import statistics, sys
a = [float(v) for v in sys.argv[1].split()]
b = [float(v) for v in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
pairs = statistics.median(y / x for x, y in zip(a, b))
print(f"median train_seconds: without {ma:.3f}, with {mb:.3f}, overhead {100 * (mb / ma - 1):+.1f} %"
      f" (median of per-run ratios {100 * (pairs - 1):+.1f} %)")
PY
