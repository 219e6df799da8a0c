# A tiny Hugging Face Trainer run (2-layer GPT-2 from its config, random token data, no downloads)
# saving every SAVE steps with save_total_limit=2; after each save it waits until the watcher
# (its /metrics on PORT) reports the step. Then it writes the same model sharded with
# save_pretrained(max_shard_size) into SHARDED/checkpoint-<max_steps>/ and unsharded beside it.
import json, os, sys, time, urllib.request
import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, TrainerCallback

out, port, steps, save, sharded = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.manual_seed(0)
torch.set_num_threads(1)
config = GPT2Config(n_layer=2, n_head=2, n_embd=64, vocab_size=128, n_positions=32)
model = GPT2LMHeadModel(config)


class Tokens(torch.utils.data.Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        ids = torch.randint(0, 128, (32,), generator=g)
        return {"input_ids": ids, "labels": ids}


def watcher_step():
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith("specwatch_checkpoint_last_step"):
            return float(line.rsplit(" ", 1)[1])
    return -1


class WaitForWatcher(TrainerCallback):
    def on_save(self, args, state, control, **kwargs):
        deadline = time.time() + 120
        while watcher_step() < state.global_step:
            if time.time() > deadline:
                sys.exit(f"the watcher did not report step {state.global_step} within 120 s")
            time.sleep(0.2)


args = TrainingArguments(output_dir=out, max_steps=steps, save_steps=save, save_total_limit=2, per_device_train_batch_size=8,
                         logging_steps=1000, report_to=[], use_cpu=True, disable_tqdm=True, learning_rate=1e-3)
Trainer(model=model, args=args, train_dataset=Tokens(), callbacks=[WaitForWatcher()]).train()
target = os.path.join(sharded, f"checkpoint-{steps}")
model.save_pretrained(target, max_shard_size="200KB")
model.save_pretrained(os.path.join(sharded, "unsharded"), safe_serialization=True)
with open(os.path.join(target, "trainer_state.json"), "w") as f:
    json.dump({"global_step": steps}, f)
print(json.dumps({"kept": sorted(d for d in os.listdir(out) if d.startswith("checkpoint-")),
                  "shards": sorted(f for f in os.listdir(target) if f.endswith(".safetensors"))}))
