# COUNT checkpoints of a small model, torch.save'd as ckpt_step_<10·i>.pt, for the restart test.
import sys
import torch

out, count = sys.argv[1], int(sys.argv[2])
torch.manual_seed(1)
model = torch.nn.Sequential(torch.nn.Linear(96, 160), torch.nn.Linear(160, 80))
for i in range(1, count + 1):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    torch.save(model.state_dict(), f"{out}/ckpt_step_{10 * i}.pt")
