#!/usr/bin/env bash
# Whole-model CPU speed on the GPT-2-small-shaped set (issue 13's CPU goals), all in one run:
#   * specwatch analyze on the file, as a whole process, with --jobs 1 and --jobs 2;
#   * WeightWatcher's CPU path (scipy svdvals + the power-law scan per matrix), as a whole process;
#   * the floor: Gram products + LAPACK's eigenvalues-only routine for every matrix, nothing else
#     (medians from `specwatch bench` per shape, summed with the set's counts), float64 (what the
#     analysis uses up to M = 1024) and float32;
#   * 2048 x 2048 per matrix: the full analysis against WeightWatcher's path.
# Rounds are interleaved so that drift of the machine's speed hits every contender alike; medians.
#
# Usage: bench/gpt2-cpu.sh [ROUNDS] [FILE]   (builds nothing: run `mvn -B -q package -DskipTests` first)
#   BENCH_PYTHON: a Python with numpy, scipy and safetensors (default .venv/bin/python), e.g.
#   python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install numpy scipy safetensors
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
file=${2:-target/bench/gpt2s.safetensors}
py=${BENCH_PYTHON:-.venv/bin/python}
"$py" -c "import numpy, scipy, safetensors" 2>/dev/null || {
  echo "gpt2-cpu.sh: $py lacks numpy, scipy or safetensors; set BENCH_PYTHON (see the header)" >&2; exit 2; }
mkdir -p "$(dirname "$file")" target/bench
[ -f "$file" ] || "$py" bench/make-checkpoint.py gpt2-small "$file"
out=target/bench/gpt2-cpu
mkdir -p "$out"
: > "$out/times.tsv"

elapsed() { # label, command...: one whole-process time in seconds, appended to times.tsv
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$out/$label.out" 2> "$out/$label.err"
  t1=$(date +%s.%N)
  echo -e "$label\t$(echo "$t1 - $t0" | bc)" >> "$out/times.tsv"
}

echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  elapsed specwatch-jobs1 bin/specwatch analyze --format json --jobs 1 "$file"
  elapsed specwatch-jobs2 bin/specwatch analyze --format json --jobs 2 "$file"
  elapsed weightwatcher-path "$py" bench/compare-weightwatcher-path.py --checkpoint "$file"
  echo "round $r done: $(tail -3 "$out/times.tsv" | tr '\t\n' '= ')"
done

bin/specwatch bench --sizes 50257x768,1024x768,768x2304,768x768,768x3072,3072x768,2048x2048 \
  --engines gram64,gram32,analysis --repeats "$rounds" > "$out/floor.md"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-} "$py" bench/compare-weightwatcher-path.py --sizes 2048x2048 --repeats "$rounds" > "$out/ww-2048.md"

"$py" - "$out" <<'EOF'
import re, statistics, sys
out = sys.argv[1]
times = {}
for line in open(f"{out}/times.tsv"):
    label, t = line.split("\t")
    times.setdefault(label, []).append(float(t))
med = {k: statistics.median(v) for k, v in times.items()}
counts = {"50257x768": 1, "1024x768": 1, "768x2304": 12, "768x768": 12, "768x3072": 12, "3072x768": 12}
per = {}
for line in open(f"{out}/floor.md"):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 3 and re.fullmatch(r"\d+x\d+", cells[0]):
        label = cells[1]
        kind = ("Gram + eigenvalues, float64" if label.startswith("Gram") and "float64" in label
                else "Gram + eigenvalues, float32" if label.startswith("Gram") and "float32" in label
                else "analysis" if label.startswith("full analysis") else None)
        if kind:
            per[(cells[0], kind)] = float(cells[2])
def floor(kind):
    return sum(n * per[(s, kind)] for s, n in counts.items()) / 1e3
ww2048 = None
for line in open(f"{out}/ww-2048.md"):
    if line.startswith("| 2048x2048"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        ww2048 = float(cells[1]) + float(cells[2])  # svdvals + power-law scan (the path the goal names)
print(f"| contender | median s ({len(times['specwatch-jobs1'])} rounds) |")
print("|---|---:|")
for k in ("specwatch-jobs1", "specwatch-jobs2", "weightwatcher-path"):
    print(f"| {k} (whole process) | {med[k]:.2f} |")
kinds = sorted({k for (_, k) in per if k != "analysis"})
for kind in kinds:
    if all((s, kind) in per for s in counts):
        print(f"| floor: {kind}, sum over the 50 matrices | {floor(kind):.2f} |")
best = min(med["specwatch-jobs1"], med["specwatch-jobs2"])
print()
print(f"speed-up over WeightWatcher's path: {med['weightwatcher-path'] / best:.2f}x (goal >= 5)")
for kind in kinds:
    if all((s, kind) in per for s in counts):
        # the floor runs on one core; with two jobs its ideal is half of it
        print(f"specwatch --jobs 1 / floor ({kind}, one core): {med['specwatch-jobs1'] / floor(kind):.2f}x (goal <= 1.5)")
        print(f"specwatch --jobs 2 / floor ({kind}, ideal on two cores: half): {med['specwatch-jobs2'] / (floor(kind) / 2):.2f}x")
a2048 = per.get(("2048x2048", "analysis"))
if a2048 and ww2048:
    print(f"2048x2048 per matrix: analysis {a2048:.1f} ms vs WeightWatcher's path {ww2048:.1f} ms: {ww2048 / a2048:.1f}x (goal >= 4)")
EOF
