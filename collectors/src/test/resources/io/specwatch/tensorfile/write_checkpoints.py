"""Writes checkpoints with the real frameworks and, next to them, what those frameworks read back.

Usage: write_checkpoints.py OUT_DIR. Writes OUT_DIR/expected.json:
  {"files": {relative path: [{"name", "shape", "dtype", "sha32", "sha64"}, ...]}}
where sha32 is the SHA-256 of the tensor as contiguous little-endian float32 (row-major), sha64 the
same as float64 (only for float64 tensors), and both are null for non-float dtypes. Names and order
are what a reader should list: the model weights only, in the order the framework saved them.
"""
import hashlib, json, os, sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
expected = {}
torch.manual_seed(0)
np.random.seed(0)


def describe_array(name, a):
    a = np.asarray(a)
    floating = a.dtype.kind == "f" and a.dtype.itemsize in (2, 4, 8)
    return {"name": name, "shape": list(a.shape), "dtype": a.dtype.str,
            "sha32": hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest() if floating else None,
            "sha64": hashlib.sha256(np.ascontiguousarray(a, dtype="<f8").tobytes()).hexdigest() if floating and a.dtype.itemsize == 8 else None}


def describe_tensor(name, t):
    t = t.detach()
    floating = t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    return {"name": name, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "sha32": hashlib.sha256(t.to(torch.float32).contiguous().numpy().astype("<f4").tobytes()).hexdigest() if floating else None,
            "sha64": hashlib.sha256(t.to(torch.float64).contiguous().numpy().astype("<f8").tobytes()).hexdigest() if t.dtype == torch.float64 else None}


def record(path, tensors):
    """tensors: list of (name, tensor or array) as a reader should list them."""
    expected[path] = [describe_tensor(n, t) if isinstance(t, torch.Tensor) else describe_array(n, t) for n, t in tensors]


def safetensors_tensors(paths):
    tensors = []
    for p in paths:
        with safetensors.safe_open(p, "pt") as f:
            # the reader lists a file's tensors in data order; safe_open's keys() are sorted by name
            header_order = sorted(f.keys(), key=lambda k: safetensors_offset(p, k))
            tensors += [(k, f.get_tensor(k)) for k in header_order]
    return tensors


def safetensors_offset(path, key):
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        return json.loads(fh.read(n))[key]["data_offsets"][0]


# --- plain PyTorch: an MLP and a CNN, as state_dicts, torch.save and safetensors ------------------
import safetensors.torch

mlp = torch.nn.Sequential(torch.nn.Linear(48, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32))
sd = mlp.state_dict()
torch.save(sd, os.path.join(out, "mlp.pt"))
safetensors.torch.save_file(sd, os.path.join(out, "mlp.safetensors"))
np.savez(os.path.join(out, "mlp.npz"), **{k: v.numpy() for k, v in sd.items()})
record("mlp.pt", list(sd.items()))
record("mlp.safetensors", safetensors_tensors([os.path.join(out, "mlp.safetensors")]))
record("mlp.npz", list(sd.items()))

cnn = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 16, 3), torch.nn.Flatten(),
                          torch.nn.Linear(16 * 4 * 4, 10))
torch.save(cnn.state_dict(), os.path.join(out, "cnn.pth"))
record("cnn.pth", list(cnn.state_dict().items()))

# views, parameters and every float dtype: what torch.save really writes for each
base = torch.randn(10, 30)
mixed = {
    "param": torch.nn.Parameter(torch.randn(16, 8)),
    "transposed": torch.randn(12, 20).t(),
    "sliced": base[:, 5:25],
    "expanded": torch.randn(1, 8).expand(6, 8),
    "half": torch.randn(16, 24).half(),
    "bf16": torch.randn(16, 24).bfloat16(),
    "f64": torch.randn(10, 12).double() * 1e3,
    "ints": torch.arange(12).reshape(3, 4),
    "u16": torch.zeros(2, 3, dtype=torch.uint16),
    "scalar": torch.tensor(3.5),
}
assert not mixed["transposed"].is_contiguous() and not mixed["sliced"].is_contiguous()
torch.save(mixed, os.path.join(out, "mixed.pt"))
record("mixed.pt", list(mixed.items()))

torch.save(sd, os.path.join(out, "protocol4.pt"), pickle_protocol=4)
record("protocol4.pt", list(sd.items()))

ddp = {"module." + k: v for k, v in sd.items()}
torch.save(ddp, os.path.join(out, "ddp.pt"))
record("ddp.pt", list(sd.items()))

opt = torch.optim.Adam(mlp.parameters())
mlp(torch.randn(4, 48)).sum().backward()
opt.step()
torch.save({"epoch": 3, "model": mlp.state_dict(), "optimizer": opt.state_dict()}, os.path.join(out, "nested.pt"))
record("nested.pt", list(mlp.state_dict().items()))

torch.save(torch.randn(20, 12), os.path.join(out, "bare_tensor.pt"))
record("bare_tensor.pt", [("bare_tensor", torch.load(os.path.join(out, "bare_tensor.pt")))])

# --- Hugging Face: a tiny GPT-2, sharded and single safetensors, pytorch_model.bin, a Trainer checkpoint --
import transformers
from transformers import GPT2Config, GPT2LMHeadModel
transformers.logging.set_verbosity_error()

config = GPT2Config(n_layer=2, n_embd=64, n_head=2, vocab_size=256, n_positions=32, bos_token_id=0, eos_token_id=0)
gpt = GPT2LMHeadModel(config)
gpt.save_pretrained(os.path.join(out, "gpt2-sharded"), max_shard_size="60KB")
gpt.save_pretrained(os.path.join(out, "gpt2-single"))
shards = sorted(f for f in os.listdir(os.path.join(out, "gpt2-sharded")) if f.endswith(".safetensors"))
assert len(shards) >= 3, shards


record("gpt2-sharded", safetensors_tensors([os.path.join(out, "gpt2-sharded", s) for s in shards]))
record("gpt2-single", safetensors_tensors([os.path.join(out, "gpt2-single", "model.safetensors")]))

gsd = gpt.state_dict()
os.makedirs(os.path.join(out, "gpt2-bin"), exist_ok=True)
torch.save(gsd, os.path.join(out, "gpt2-bin", "pytorch_model.bin"))
record("gpt2-bin", list(gsd.items()))

# a sharded pytorch_model.bin as transformers 4.x wrote it: torch.save per shard and an index
os.makedirs(os.path.join(out, "gpt2-bin-sharded"), exist_ok=True)
keys = list(gsd)
parts = [keys[: len(keys) // 2], keys[len(keys) // 2:]]
weight_map = {}
for i, part in enumerate(parts):
    name = f"pytorch_model-{i + 1:05d}-of-{len(parts):05d}.bin"
    torch.save({k: gsd[k].clone() for k in part}, os.path.join(out, "gpt2-bin-sharded", name))
    weight_map.update({k: name for k in part})
with open(os.path.join(out, "gpt2-bin-sharded", "pytorch_model.bin.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
record("gpt2-bin-sharded", [(k, gsd[k]) for part in parts for k in part])

from transformers import Trainer, TrainingArguments


class Tokens(torch.utils.data.Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        ids = torch.randint(0, 256, (16,), generator=torch.Generator().manual_seed(i))
        return {"input_ids": ids, "labels": ids}


args = TrainingArguments(output_dir=os.path.join(out, "trainer"), max_steps=2, save_steps=2, per_device_train_batch_size=4,
                         use_cpu=True, report_to=[], logging_steps=100, disable_tqdm=True)
Trainer(model=GPT2LMHeadModel(config), args=args, train_dataset=Tokens()).train()
ckpt = os.path.join(out, "trainer", "checkpoint-2")
present = sorted(os.listdir(ckpt))
assert "optimizer.pt" in present and "training_args.bin" in present and "trainer_state.json" in present, present
record("trainer/checkpoint-2", safetensors_tensors([os.path.join(ckpt, "model.safetensors")]))

# --- Lightning: a real Trainer checkpoint; only its state_dict is the model ----------------------
import lightning as L


class Tiny(L.LightningModule):
    def __init__(self, hidden=24):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(12, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 4))

    def training_step(self, batch, i):
        x, y = batch
        return torch.nn.functional.mse_loss(self.net(x), y)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)


data = torch.utils.data.TensorDataset(torch.randn(32, 12), torch.randn(32, 4))
trainer = L.Trainer(max_steps=3, accelerator="cpu", enable_progress_bar=False, logger=False, enable_model_summary=False,
                    default_root_dir=os.path.join(out, "lightning"))
trainer.fit(Tiny(), torch.utils.data.DataLoader(data, batch_size=8))
ckpt_dir = os.path.join(out, "lightning", "checkpoints")
ckpt_file = [f for f in os.listdir(ckpt_dir) if f.endswith(".ckpt")][0]
os.replace(os.path.join(ckpt_dir, ckpt_file), os.path.join(out, "lightning.ckpt"))
loaded = torch.load(os.path.join(out, "lightning.ckpt"), weights_only=False)
assert loaded["optimizer_states"][0]["state"], "Adam moments are in the checkpoint"
record("lightning.ckpt", list(loaded["state_dict"].items()))

# --- NumPy: .npy in every layout, .npz stored and compressed ------------------------------------
arrays = {
    "w": np.random.randn(20, 16).astype(np.float32),
    "f64": np.random.randn(9, 7) * 1e5,
    "fortran": np.asfortranarray(np.random.randn(11, 6).astype(np.float32)),
    "fortran3": np.asfortranarray(np.random.randn(3, 4, 5)),
    "big_endian": np.random.randn(8, 5).astype(">f4"),
    "half": np.random.randn(6, 10).astype(np.float16),
    "ints": np.arange(12).reshape(3, 4),
}
np.savez(os.path.join(out, "arrays.npz"), **arrays)
np.savez_compressed(os.path.join(out, "compressed.npz"), **arrays)
record("arrays.npz", list(arrays.items()))
record("compressed.npz", list(arrays.items()))
for name in ("fortran", "fortran3", "big_endian", "half", "f64"):
    np.save(os.path.join(out, name + ".npy"), arrays[name])
    record(name + ".npy", [(name, arrays[name])])

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"files": expected}, f, indent=1)
print("wrote", len(expected), "checkpoints")
