#!/usr/bin/env bash
# Training wall time of the mlp example without the monitor, with its listener (snapshot every 50
# steps), and with --no-monitor plus the javaagent (the same schedule): interleaved runs, medians
# of the times and of the per-run ratios against the run without. train_seconds is the example's
# own measure of its training loop; wall is the whole process (the agent also starts before main).
# Usage: bench/mlp-overhead.sh [RUNS] [STEPS] [extra mlp flags for the listener run...]
# MLP_FLAGS (environment) goes to every arm, e.g. MLP_FLAGS="--torch-threads 2".
# Needs the build: mvn -B package -DskipTests (bin/specwatch-example, agent/javaagent/target/specwatch.jar).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
steps=${2:-2000}
shift $(( $# < 2 ? $# : 2 ))
read -r -a both <<< "${MLP_FLAGS:-}"
jar=agent/javaagent/target/specwatch.jar
[[ -f "$jar" ]] || { echo "mlp-overhead: $jar is missing; run: mvn -B package -DskipTests" >&2; exit 1; }
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(*[d[k] for k in sys.argv[2:]])' "$@"; }
now() { date +%s.%N; }
without=(); with=(); agent=(); wall_without=(); wall_with=(); wall_agent=()
for i in $(seq 1 "$runs"); do
  t0=$(now)
  a=$(bin/specwatch-example mlp --steps "$steps" "${both[@]}" --no-monitor 2>/dev/null | tail -n 1)
  t1=$(now)
  b=$(bin/specwatch-example mlp --steps "$steps" "${both[@]}" --every 50 --port 0 "$@" 2>/dev/null | tail -n 1)
  t2=$(now)
  c=$(JAVA_OPTS="-javaagent:$jar=port=0,every=50,model=mlp" bin/specwatch-example mlp --steps "$steps" "${both[@]}" --no-monitor 2>/dev/null | tail -n 1)
  t3=$(now)
  without+=("$(field "$a" train_seconds)"); with+=("$(field "$b" train_seconds)"); agent+=("$(field "$c" train_seconds)")
  wall_without+=("$(python3 -c "print($t1 - $t0)")"); wall_with+=("$(python3 -c "print($t2 - $t1)")"); wall_agent+=("$(python3 -c "print($t3 - $t2)")")
  echo "run $i: train_seconds without ${without[-1]}, listener ${with[-1]}, agent ${agent[-1]}; listener (torch_threads max_pause_ms" \
    "total_pause_ms snapshots dropped analysis_seconds): $(field "$b" torch_threads max_pause_ms total_pause_ms snapshots dropped analysis_seconds);" \
    "agent torch_threads $(field "$c" torch_threads)"
done
python3 - "${without[*]}" "${with[*]}" "${agent[*]}" "${wall_without[*]}" "${wall_with[*]}" "${wall_agent[*]}" <<'PY'
import statistics, sys
a, b, c, wa, wb, wc = ([float(v) for v in arg.split()] for arg in sys.argv[1:7])
def line(label, base, arm):
    m0, m1 = statistics.median(base), statistics.median(arm)
    pairs = statistics.median(y / x for x, y in zip(base, arm))
    return f"{label}: without {m0:.3f}, {m1:.3f}, overhead {100 * (m1 / m0 - 1):+.1f} % (median of per-run ratios {100 * (pairs - 1):+.1f} %)"
print("median train_seconds, " + line("listener", a, b))
print("median train_seconds, " + line("agent", a, c))
print("median wall seconds,   " + line("listener", wa, wb))
print("median wall seconds,   " + line("agent", wa, wc))
PY
