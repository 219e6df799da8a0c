#!/usr/bin/env python3
"""Writes a synthetic checkpoint with the shapes of a real model, for benchmarks.

  make-checkpoint.py gpt2-small OUT.safetensors            # 50 matrices, 124 M parameters, float32
  make-checkpoint.py llama-7b OUT_DIR [--layers 32]        # Llama-like shapes, bf16, sharded (Hugging Face layout)

Values are heavy-tailed (Student t with 3 degrees of freedom, scaled like an initialisation), so the
spectra have tails to fit. Needs numpy and safetensors (the project's .venv has both)."""
import argparse, json, os
import numpy as np


def gpt2_small():
    shapes = {"wte.weight": (50257, 768), "wpe.weight": (1024, 768)}
    for i in range(12):
        p = f"h.{i}."
        # Hugging Face's GPT-2 stores Conv1D weights as (in, out)
        shapes[p + "attn.c_attn.weight"] = (768, 2304)
        shapes[p + "attn.c_proj.weight"] = (768, 768)
        shapes[p + "mlp.c_fc.weight"] = (768, 3072)
        shapes[p + "mlp.c_proj.weight"] = (3072, 768)
    return shapes


def llama(layers, hidden=4096, intermediate=11008, vocab=32000):
    shapes = {"model.embed_tokens.weight": (vocab, hidden)}
    for i in range(layers):
        p = f"model.layers.{i}."
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            shapes[p + "self_attn." + name + ".weight"] = (hidden, hidden)
        shapes[p + "mlp.gate_proj.weight"] = (intermediate, hidden)
        shapes[p + "mlp.up_proj.weight"] = (intermediate, hidden)
        shapes[p + "mlp.down_proj.weight"] = (hidden, intermediate)
    shapes["lm_head.weight"] = (vocab, hidden)
    return shapes


def values(rng, shape, dtype):
    x = rng.standard_t(3, size=shape).astype(np.float32)
    x *= np.float32(1.0 / np.sqrt(shape[1]))
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["gpt2-small", "llama-7b"])
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shard-gb", type=float, default=5.0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    from safetensors.numpy import save_file
    if a.kind == "gpt2-small":
        save_file({k: values(rng, s, np.float32) for k, s in gpt2_small().items()}, a.out)
        return
    import torch  # bf16 needs torch's safetensors writer
    from safetensors.torch import save_file as save_torch
    os.makedirs(a.out, exist_ok=True)
    shapes = llama(a.layers)
    limit = a.shard_gb * 2**30
    # shards are assigned from the shapes first, then generated and written one at a time, so that
    # memory holds one shard (5 GB), not the whole model (13.5 GB for 7B)
    shards, current, size = [], [], 0
    for name, shape in shapes.items():
        current.append(name)
        size += int(np.prod(shape)) * 2
        if size >= limit:
            shards.append(current)
            current, size = [], 0
    if current:
        shards.append(current)
    weight_map = {}
    for i, names in enumerate(shards, 1):
        file = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        shard = {n: torch.from_numpy(values(rng, shapes[n], np.float32)).to(torch.bfloat16) for n in names}
        save_torch(shard, os.path.join(a.out, file))
        del shard
        weight_map.update({n: file for n in names})
    total = sum(int(np.prod(s)) for s in shapes.values())
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total * 2}, "weight_map": weight_map}, f)
    print(f"{len(shapes)} tensors, {total / 1e9:.2f} B parameters, {len(shards)} shards")


if __name__ == "__main__":
    main()
