#!/usr/bin/python3
"""Plots a grokking run: test/train accuracy (from --accuracy-out) and the effective-rank ratio of
each layer (from the monitor's --history) against the step, optionally with a second run (the
weight-decay-0 control) dashed. Needs matplotlib (Debian: python3-matplotlib).

usage: bench/plot-grokking.py OUT.png ACCURACY.csv HISTORY.jsonl [CONTROL_ACCURACY.csv CONTROL_HISTORY.jsonl]
"""
import csv
import re
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def load(accuracy_csv, history_jsonl):
    acc = list(csv.DictReader(open(accuracy_csv)))
    layers = {}
    for line in open(history_jsonl):
        r = json.loads(line)
        if r.get("effective_rank_ratio") is not None:
            layers.setdefault(r["layer"], []).append((r["step"], r["effective_rank_ratio"]))
    return acc, layers


def short(layer):
    # DJL names parameters like 03attention_01keyProjection_weight
    name = re.sub(r"^\d\d", "", layer)
    name = re.sub(r"attention_\d\d(\w+)Projection", r"attention \1", name)
    return name.replace("_weight", "").replace("_embedding", " embedding")


out = sys.argv[1]
runs = [load(sys.argv[2], sys.argv[3])]
if len(sys.argv) > 5:
    runs.append(load(sys.argv[4], sys.argv[5]))
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8), sharex=True)
for i, (acc, layers) in enumerate(runs):
    style = "-" if i == 0 else "--"
    label = "" if i == 0 else " (wd 0)"
    steps = [int(r["step"]) for r in acc]
    top.plot(steps, [float(r["test_accuracy"]) for r in acc], style, color="C3", label="test accuracy" + label)
    top.plot(steps, [float(r["train_accuracy"]) for r in acc], style, color="C0", label="train accuracy" + label)
    for j, (layer, points) in enumerate(sorted(layers.items())):
        if "positions" in layer:
            continue  # a 3 × width matrix: too few eigenvalues for a rank to mean much
        points.sort()
        bottom.plot([p[0] for p in points], [p[1] for p in points], style, color=f"C{j}",
                    label=short(layer) if i == 0 else None)
top.set_ylabel("accuracy")
top.legend(loc="lower right")
top.grid(alpha=0.3)
bottom.set_ylabel("effective-rank ratio")
bottom.set_xlabel("step")
bottom.set_xscale("symlog", linthresh=100)
bottom.legend(loc="lower left", fontsize=8, ncol=2)
bottom.grid(alpha=0.3)
fig.suptitle("grokking (modular addition, one-layer Transformer): accuracy and the spectra's effective rank")
fig.tight_layout()
fig.savefig(out, dpi=110)
print("wrote", out)
