#!/usr/bin/env bash
# A 7-billion-parameter-shaped bf16 checkpoint (Llama-like shapes, Hugging Face sharded layout,
# heavy-tailed random values: bench/make-checkpoint.py llama-7b) analysed by `specwatch analyze`
# with -Xmx4g on the CPU. LAYERS decoder layers (default 1: the embedding, one layer's 7 matrices and
# the output head, the 7B model's every distinct shape) are analysed whole, and the 32-layer total
# is extrapolated from the per-matrix times (say so when quoting it). Prints seconds per matrix,
# the total, and the process's peak RSS.
#   bench/llama7b-cpu.sh [LAYERS]   (run `mvn -B -q package -DskipTests` first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
layers=${1:-1}
py=${BENCH_PYTHON:-.venv/bin/python}
dir=target/bench/llama7b-$layers
[ -f "$dir/model.safetensors.index.json" ] || "$py" bench/make-checkpoint.py llama-7b "$dir" --layers "$layers"
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "%e s wall, peak RSS %M KiB" -o target/bench/llama7b.time \
  env JAVA_OPTS=-Xmx4g bin/specwatch analyze --format json --verbose "$dir" > target/bench/llama7b.jsonl 2> target/bench/llama7b.err
cat target/bench/llama7b.time
grep -i "start-up" target/bench/llama7b.err || true
python3 - target/bench/llama7b.jsonl "$layers" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
layers = int(sys.argv[2])
print("| matrix | shape | seconds | alpha | status |")
print("|---|---|---:|---:|---|")
per_shape = {}
for r in rows:
    shape = "x".join(str(s) for s in r.get("shape", []))
    print(f"| {r['name']} | {shape} | {r.get('seconds', float('nan')):.2f} | {r.get('alpha')} | {r.get('status')} |")
    kind = r["name"].split(".")[-2] if ".layers." in r["name"] else r["name"]
    per_shape.setdefault(kind, []).append(r.get("seconds", 0.0))
total = sum(r.get("seconds", 0.0) for r in rows)
in_layers = sum(sum(v) for k, v in per_shape.items() if not k.startswith(("model.embed", "lm_head"))) / layers
outside = total - in_layers * layers
print(f"\nanalysed: {len(rows)} matrices, {total:.1f} s of matrix time; 32 layers extrapolated: "
      f"{outside + 32 * in_layers:.0f} s ({outside + 32 * in_layers:.0f} / 60 = {(outside + 32 * in_layers) / 60:.1f} min)")
PY
