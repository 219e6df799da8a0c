"""Hostile and odd files that only the real writers make: pickles whose objects call os.system or eval
when unpickled (written by the real torch.save), the legacy pre-zip format, TorchScript, a bare
pickle, a torch.device global, numpy object arrays and a compressed .npz to corrupt.

Usage: write_hostile.py OUT_DIR MARKER_PATH
"""
import builtins, os, pickle, sys

import numpy as np
import torch

out, marker = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


class System:
    def __reduce__(self):
        return (os.system, ("touch " + marker,))


class Eval:
    def __reduce__(self):
        return (builtins.eval, ("open(%r, 'w').close()" % marker,))


w = torch.randn(8, 6)
torch.save({"w": w, "payload": System()}, os.path.join(out, "torch_os_system.pt"))
torch.save({"w": w, "payload": Eval()}, os.path.join(out, "torch_eval.pt"))
torch.save({"w": w}, os.path.join(out, "torch_legacy.pt"), _use_new_zipfile_serialization=False)
torch.save({"w": w, "device": torch.device("cpu")}, os.path.join(out, "torch_device.pt"))
torch.jit.save(torch.jit.script(torch.nn.Linear(4, 3)), os.path.join(out, "torchscript.pt"))
with open(os.path.join(out, "torch_bare_pickle.pt"), "wb") as f:
    pickle.dump({"w": [1.0, 2.0]}, f, protocol=2)
np.savez(os.path.join(out, "npz_object.npz"), o=np.array([{"a": 1}, None], dtype=object))
np.savez_compressed(os.path.join(out, "npz_compressed.npz"), w=np.random.randn(300, 200).astype(np.float32))
os.makedirs(os.path.join(out, "trainer-state-only"), exist_ok=True)
torch.save({"not": "weights"}, os.path.join(out, "trainer-state-only", "training_args.bin"))
torch.save({"state": {}}, os.path.join(out, "trainer-state-only", "optimizer.pt"))
assert not os.path.exists(marker)
print("ok")
