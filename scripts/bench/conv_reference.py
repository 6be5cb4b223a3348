"""PyTorch CPU timings of the reference model's conv / BN / upsample layers, for comparison with
auxmtl's own (scripts/bench/ConvBench). Same shapes, 2 threads, forward + backward.

Run: python3 scripts/bench/conv_reference.py [--repeats 20] [--threads 2]
Prints one line per layer: name, median and best wall-clock ms (forward + backward), and the best
CPU time of the calling thread (stable on a shared machine when --threads 1).
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--repeats", type=int, default=20)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=16)
p.add_argument("only", nargs="*", help="only items whose name contains one of these")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
N = args.batch

# (name, C, O, H, stride, padding, dilation, kernel, input needs grad)
CONVS = [
    ("enc1 conv3x3 3->32 64x64", 3, 32, 64, 1, 1, 1, 3, False),
    ("enc2 conv3x3 32->64 s2", 32, 64, 64, 2, 1, 1, 3, True),
    ("enc3 conv3x3 64->64 32x32", 64, 64, 32, 1, 1, 1, 3, True),
    ("enc4 conv3x3 64->128 s2", 64, 128, 32, 2, 1, 1, 3, True),
    ("enc5 conv3x3 128->128 d2 16x16", 128, 128, 16, 1, 2, 2, 3, True),
    ("head conv3x3 128->64 16x16", 128, 64, 16, 1, 1, 1, 3, True),
    ("head conv1x1 64->7 16x16", 64, 7, 16, 1, 0, 1, 1, True),
]
BNS = [("bn 32 64x64", 32, 64), ("bn 64 32x32", 64, 32), ("bn 128 16x16", 128, 16), ("bn 64 16x16", 64, 16)]


def timeit(fn, repeats):
    for _ in range(3):
        fn()
    ts = []
    cpu = float("inf")
    for _ in range(repeats):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
        cpu = min(cpu, (time.thread_time() - c0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2], ts[0], cpu


def report(name, fn):
    if args.only and not any(o in name for o in args.only):
        return
    med, best, cpu = timeit(fn, args.repeats)
    print(f"{name:40s} median {med:8.3f} ms  best {best:8.3f} ms  thread CPU {cpu:8.3f} ms", flush=True)


for name, c, o, h, s, pd, d, k, needx in CONVS:
    conv = nn.Conv2d(c, o, k, stride=s, padding=pd, dilation=d)
    x = torch.randn(N, c, h, h, requires_grad=needx)
    with torch.no_grad():
        g = torch.randn_like(conv(x))

    def step():
        conv.zero_grad(set_to_none=True)
        y = conv(x)
        y.backward(g)

    report(name, step)

for name, c, h in BNS:
    bn = nn.BatchNorm2d(c)
    x = torch.randn(N, c, h, h, requires_grad=True)
    g = torch.randn(N, c, h, h)

    def step():
        bn.zero_grad(set_to_none=True)
        x.grad = None
        bn(x).backward(g)

    report(name, step)

x = torch.randn(N, 7, 16, 16, requires_grad=True)
g = torch.randn(N, 7, 64, 64)


def up():
    x.grad = None
    F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=False).backward(g)


report("upsample x4 bilinear 7ch 16->64", up)

x = torch.randn(N, 64, 16, 16, requires_grad=True)
g = torch.randn(N, 64, 16, 16)


def relu():
    x.grad = None
    F.relu(x).backward(g)


report("relu 64x16x16", relu)


def block(c, o, stride=1, dilation=1):
    return nn.Sequential(nn.Conv2d(c, o, 3, stride=stride, padding=dilation, dilation=dilation),
                         nn.BatchNorm2d(o), nn.ReLU())


class Reference(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(block(3, 32), block(32, 64, 2), block(64, 64), block(64, 128, 2),
                                     block(128, 128, dilation=2))
        self.heads = nn.ModuleList([nn.Sequential(block(128, 64), nn.Conv2d(64, k, 1)) for k in (7, 1, 3)])

    def forward(self, x):
        z = self.encoder(x)
        return [F.interpolate(h(z), scale_factor=4, mode="bilinear", align_corners=False) for h in self.heads]


model = Reference()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(N, 3, 64, 64)
targets = [torch.randn(N, k, 64, 64) for k in (7, 1, 3)]


def train_step():
    opt.zero_grad(set_to_none=True)
    outs = model(x)
    loss = sum(((o - t) ** 2).mean() for o, t in zip(outs, targets))
    loss.backward()
    opt.step()


report("reference model training step", train_step)
