# A plain PyTorch training loop that saves a checkpoint every SAVE steps, alternating torch.save and
# safetensors' save_file, and after each save waits until the watcher (its /metrics on PORT)
# reports that step: the test then knows every checkpoint was seen while training went on.
# It also leaves a hostile torch.save file whose unpickling would create MARKER.
import json, os, sys, time, urllib.request
import torch
import safetensors.torch

out, port, steps, save, marker = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.manual_seed(0)
torch.set_num_threads(1)
model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 48), torch.nn.ReLU(), torch.nn.Linear(48, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
x = torch.randn(512, 32)
y = (x @ torch.randn(32, 10)).argmax(1)


def watcher_step():
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith("specwatch_checkpoint_last_step"):
            return float(line.rsplit(" ", 1)[1])
    return -1


class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {marker}",))


saved = []
for step in range(1, steps + 1):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    if step % save == 0:
        state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
        # written in place, as most loops do: the watcher must wait until the file is whole
        if (step // save) % 2 == 1:
            final = os.path.join(out, f"ckpt_step_{step}.pt")
            torch.save(state, final)
        else:
            final = os.path.join(out, f"ckpt_step_{step}.safetensors")
            safetensors.torch.save_file(state, final)
        saved.append({"step": step, "file": os.path.basename(final)})
        deadline = time.time() + 120
        while watcher_step() < step:
            if time.time() > deadline:
                sys.exit(f"the watcher did not report step {step} within 120 s")
            time.sleep(0.2)
torch.save({"weights": model.state_dict(), "surprise": Evil()}, os.path.join(out, f"evil_step_{steps + 1}.pt"))
print(json.dumps({"saved": saved}))
