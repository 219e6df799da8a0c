#!/usr/bin/env bash
# Peak RSS of the monitored process against the same run without the monitor (issue 16's cases):
#   mlp --hidden 2048 --every 1, and teacher-student --every 1 --steps 50, each with the JVM's
#   default heap and with -Xmx1g, RUNS times each, alternating; medians of the examples' own
#   "peak_rss_mb" (VmHWM). Build first: mvn -B -q package -DskipTests
#   bench/memory.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
out=target/bench/memory
mkdir -p "$out"
: > "$out/rss.tsv"
peak() { tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_mb"])'; }
echo "# $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
  for heap in default 1g; do
    opts=""; [ "$heap" = default ] || opts="-Xmx$heap"
    for monitor in on off; do
      flag=""; [ "$monitor" = on ] || flag="--no-monitor"
      mlp=$(JAVA_OPTS="$opts" bin/specwatch-example mlp --hidden 2048 --every 1 --steps 300 --port 0 $flag 2>/dev/null | peak)
      ts=$(JAVA_OPTS="$opts" bin/specwatch-example teacher-student --every 1 --steps 50 --port 0 $flag 2>/dev/null | peak)
      echo -e "mlp\t$heap\t$monitor\t$mlp" >> "$out/rss.tsv"
      echo -e "teacher-student\t$heap\t$monitor\t$ts" >> "$out/rss.tsv"
    done
  done
  echo "round $r done"
done
python3 - "$out/rss.tsv" <<'PY'
import statistics, sys
rss = {}
for line in open(sys.argv[1]):
    job, heap, monitor, mb = line.rstrip("\n").split("\t")
    rss.setdefault((job, heap, monitor), []).append(float(mb))
print("| job | heap | peak RSS, monitor on (MB) | off (MB) | growth (MB) |")
print("|---|---|---:|---:|---:|")
for job in ("mlp", "teacher-student"):
    for heap in ("default", "1g"):
        on = statistics.median(rss[(job, heap, "on")]); off = statistics.median(rss[(job, heap, "off")])
        print(f"| {job} | {heap} | {on:.0f} | {off:.0f} | {on - off:+.0f} |")
PY
