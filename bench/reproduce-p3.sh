#!/usr/bin/env bash
# Runs the P3 observations R1-R8 of research-notes.md with the teacher-student example (full size
# unless noted, seeds 1 and 2) and prints the monitor's own numbers from each run's history.
# Usage: bench/reproduce-p3.sh   (after mvn -B package -DskipTests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
run() { # name, args...
  local name=$1; shift
  for seed in 1 2; do
    bin/specwatch-example teacher-student --port 0 --seed "$seed" --history "$out/$name-$seed.jsonl" "$@" >/dev/null 2>&1
  done
}
run gd0.1 --optimizer gd --lr 0.1 --steps 10 --every 1
run gd1 --optimizer gd --lr 1 --steps 10 --every 1
run gd10 --optimizer gd --lr 10 --steps 10 --every 1
run gd100 --optimizer gd --lr 100 --steps 10 --every 1
run gd10-reduced --optimizer gd --lr 10 --steps 2000 --every 500 --n 500 --d 250 --h 375
run gd3000 --optimizer gd --lr 3000 --steps 1 --every 1
run adam0.1 --optimizer adam --lr 0.1 --steps 1 --every 1
run adam0.01 --optimizer adam --lr 0.01 --steps 10 --every 1
run adam1 --optimizer adam --lr 1 --steps 10 --every 1
python3 - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
def hist(name, seed):
    return {r["step"]: r for r in map(json.loads, open(os.path.join(d, f"{name}-{seed}.jsonl")))}
def both(f):
    return " / ".join(f(s) for s in (1, 2))
def ratio(h, t): return h[t]["sv_max"] / h[0]["sv_max"]
def ov(h, t): return h[t]["direction_overlap"]["teacher"]
for name in ("gd0.1", "gd1", "gd10", "gd100"):
    print(f"R1 {name} 10 steps: max spikes " + both(lambda s: str(max(r['spikes'] for r in hist(name, s).values())))
          + "; σ₁ ratio " + both(lambda s: f"{ratio(hist(name, s), 10):.3f}") + "; overlap " + both(lambda s: f"{ov(hist(name, s), 10):.3f}"))
def r1b(s):
    h = hist("gd10-reduced", s); top = h[2000]["top_singular_values"]
    return f"σ₁/σ₂ {top[0]/top[1]:.3f}, Δ eff-rank ratio {abs(h[2000]['effective_rank_ratio'] - h[0]['effective_rank_ratio']):.4f}"
print("R1b reduced, GD 10, 2000 steps: " + both(r1b))
print("R2 GD 3000, 1 step: σ₁ ratio " + both(lambda s: f"{ratio(hist('gd3000', s), 1):.3f}") + "; spikes "
      + both(lambda s: str(hist('gd3000', s)[1]['spikes'])) + "; overlap " + both(lambda s: f"{ov(hist('gd3000', s), 1):.3f}"))
print("R3 Adam 0.1, 1 step: σ₁ ratio " + both(lambda s: f"{ratio(hist('adam0.1', s), 1):.3f}") + "; overlap " + both(lambda s: f"{ov(hist('adam0.1', s), 1):.3f}"))
print("R4 10 steps: overlap Adam 0.01 " + both(lambda s: f"{ov(hist('adam0.01', s), 10):.3f}") + " vs GD 100 " + both(lambda s: f"{ov(hist('gd100', s), 10):.3f}"))
print("R5 stable rank of ΔW₁: GD 3000 " + both(lambda s: f"{hist('gd3000', s)[1]['update_stable_rank']:.3f}") + "; Adam 0.1 " + both(lambda s: f"{hist('adam0.1', s)[1]['update_stable_rank']:.3f}"))
print("R6 update alignment at the spike-forming step: GD 3000 " + both(lambda s: f"{hist('gd3000', s)[1]['update_alignment']:.3f}")
      + "; Adam 0.1 " + both(lambda s: f"{hist('adam0.1', s)[1]['update_alignment']:.3f}") + "; without spike (GD 100, step 1) " + both(lambda s: f"{hist('gd100', s)[1]['update_alignment']:.3f}"))
print("R7 Adam 1, 10 steps: α_hill " + both(lambda s: f"{hist('adam1', s)[0]['alpha_hill']:.3f} → {hist('adam1', s)[10]['alpha_hill']:.3f}")
      + "; effective-rank ratio " + both(lambda s: f"{hist('adam1', s)[10]['effective_rank_ratio']:.3f}"))
print("R8 at init: α_hill " + both(lambda s: f"{hist('gd3000', s)[0]['alpha_hill']:.3f}") + "; effective-rank ratio " + both(lambda s: f"{hist('gd3000', s)[0]['effective_rank_ratio']:.3f}")
      + f"; σ₁ " + both(lambda s: f"{hist('gd3000', s)[0]['sv_max']:.2f}") + f" vs √h + √d = {1500**0.5 + 1000**0.5:.2f}")
PY
rm -rf "$out"
