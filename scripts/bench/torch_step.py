"""PyTorch twin of `auxmtl bench step`: the same reference model, batch, losses and optimiser,
timed the same way, so the two can be compared side by side on one machine.

Reference model (issue "Foundation", item 7): an encoder of five conv3x3-BN-ReLU blocks
3->32, 32->64 (stride 2), 64->64, 64->128 (stride 2), 128->128 (dilation 2); three heads, each
conv3x3 128->64-BN-ReLU then conv1x1 to 7, 1 and 3 channels, upsampled x4 bilinearly
(align_corners=False); losses cross-entropy, L1 and 1 - cosine; Adam (lr 1e-3).

Usage: python3 scripts/bench/torch_step.py [--batch 16] [--size 64] [--threads 2] [--steps 30] [--warmup 5]
Prints one line: `torch ms/step <median> (p10 <..> p90 <..>)`.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Head(nn.Module):
    def __init__(self, out):
        super().__init__()
        self.body = block(128, 64)
        self.out = nn.Conv2d(64, out, 1)

    def forward(self, z, size):
        return F.interpolate(self.out(self.body(z)), size=size, mode="bilinear", align_corners=False)


class Reference(nn.Module):
    def __init__(self, tasks=(7, 1, 3)):
        super().__init__()
        self.encoder = nn.Sequential(
            block(3, 32), block(32, 64, stride=2), block(64, 64), block(64, 128, stride=2), block(128, 128, dilation=2)
        )
        self.heads = nn.ModuleList([Head(c) for c in tasks])

    def forward(self, x):
        z = self.encoder(x)
        return [h(z, x.shape[-2:]) for h in self.heads]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Reference()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 3, a.size, a.size)
    seg = torch.randint(0, 7, (a.batch, a.size, a.size))
    depth = torch.rand(a.batch, 1, a.size, a.size)
    normal = F.normalize(torch.randn(a.batch, 3, a.size, a.size), dim=1)

    def step():
        opt.zero_grad(set_to_none=True)
        s, d, n = model(x)
        loss = F.cross_entropy(s, seg) + (d - depth).abs().mean() + (1 - F.cosine_similarity(n, normal, dim=1)).mean()
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    print(f"torch ms/step {q(0.5):.2f} (p10 {q(0.1):.2f} p90 {q(0.9):.2f}) threads {a.threads} batch {a.batch} size {a.size}")


if __name__ == "__main__":
    main()
