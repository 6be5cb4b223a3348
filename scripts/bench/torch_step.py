"""PyTorch twin of `auxmtl bench step`: the same models, batch, losses and optimiser, timed the same
way, so the two can be compared side by side on one machine.

Models (`--model`):
- `ref` (engine issue, item 7): an encoder of five conv3x3-BN-ReLU blocks 3->32, 32->64 (stride 2),
  64->64, 64->128 (stride 2), 128->128 (dilation 2), convolutions without bias;
- `resnet18`: torchvision's ResNet-18 dilated to output stride 8 (the dilated ResNet of DeepLab
  heads: MTI-Net/IAL's `ResnetDilated` convention, which torchvision's BasicBlock refuses, applied
  with scripts/interop/tv.py);
- `resnet50`: torchvision's ResNet-50 with `replace_stride_with_dilation=[False, True, True]`
  (output stride 8).
Heads: one per task, cycling over 7, 1 and 3 output channels (segmentation, depth, normals). For
`ref` and `resnet18` a light head (conv3x3 C->64 without bias, BN, ReLU, conv1x1 with bias); for
`resnet50` torchvision's DeepLabHead (ASPP rates 12/24/36, width 256, dropout 0.5, conv3x3, BN,
ReLU, conv1x1). Every output is resized bilinearly to the input size (align_corners=False).
Losses, cycling with the heads: cross-entropy, L1, and 1 - cosine similarity over channels; the
step minimises their sum (equal weighting) with Adam (lr 1e-3).

Usage: python3 scripts/bench/torch_step.py [--model ref] [--tasks 3] [--batch 16] [--size 64]
       [--threads 2] [--steps 30] [--warmup 5] [--count-macs]
Prints one line: `torch ms/step <median> (p10 <..> p90 <..>) ...`; with --count-macs also the
forward multiply-accumulates of convolutions and matrix products (FlopCounterMode / 2).
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))

CHANNELS = (7, 1, 3)


def block(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Head(nn.Module):
    """The light head: conv3x3-BN-ReLU, conv1x1 (auxmtl's ConvHead)."""

    def __init__(self, cin, out, hidden=64):
        super().__init__()
        self.body = block(cin, hidden)
        self.out = nn.Conv2d(hidden, out, 1)

    def forward(self, z):
        return self.out(self.body(z))


def reference_encoder():
    return nn.Sequential(
        block(3, 32), block(32, 64, stride=2), block(64, 64), block(64, 128, stride=2), block(128, 128, dilation=2)
    )


class ResNetEncoder(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        n = self.net
        x = n.maxpool(n.relu(n.bn1(n.conv1(x))))
        return n.layer4(n.layer3(n.layer2(n.layer1(x))))


class MultiTask(nn.Module):
    def __init__(self, model="ref", tasks=3):
        super().__init__()
        channels = [CHANNELS[t % 3] for t in range(tasks)]
        if model == "ref":
            self.encoder, c = reference_encoder(), 128
            self.heads = nn.ModuleList([Head(c, k) for k in channels])
        elif model == "resnet18":
            import tv

            self.encoder, c = ResNetEncoder(tv.dilate(tv.torchvision.models.resnet18(), 8)), 512
            self.heads = nn.ModuleList([Head(c, k) for k in channels])
        elif model == "resnet50":
            import tv
            from torchvision.models.segmentation.deeplabv3 import DeepLabHead

            net = tv.torchvision.models.resnet50(replace_stride_with_dilation=[False, True, True])
            self.encoder, c = ResNetEncoder(net), 2048
            self.heads = nn.ModuleList([DeepLabHead(c, k) for k in channels])
        else:
            raise ValueError(model)

    def forward(self, x):
        z = self.encoder(x)
        return [F.interpolate(h(z), size=x.shape[-2:], mode="bilinear", align_corners=False) for h in self.heads]


def targets(batch, size, tasks, gen):
    out = []
    for t in range(tasks):
        k = t % 3
        if k == 0:
            out.append(torch.randint(0, 7, (batch, size, size), generator=gen))
        elif k == 1:
            out.append(torch.rand(batch, 1, size, size, generator=gen))
        else:
            out.append(F.normalize(torch.randn(batch, 3, size, size, generator=gen), dim=1))
    return out


def loss_of(t, output, target):
    k = t % 3
    if k == 0:
        return F.cross_entropy(output, target)
    if k == 1:
        return (output - target).abs().mean()
    return (1 - F.cosine_similarity(output, target, dim=1)).mean()


def forward_macs(model, x):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    return counter.get_total_flops() // 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="ref", choices=["ref", "resnet18", "resnet50"])
    ap.add_argument("--tasks", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--count-macs", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = MultiTask(a.model, a.tasks)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(a.batch, 3, a.size, a.size, generator=gen)
    ys = targets(a.batch, a.size, a.tasks, gen)
    macs = forward_macs(model, x) if a.count_macs else None

    def step():
        opt.zero_grad(set_to_none=True)
        outs = model(x)
        loss = sum(loss_of(t, o, y) for t, (o, y) in enumerate(zip(outs, ys)))
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
    line = (f"torch ms/step {q(0.5):.2f} (p10 {q(0.1):.2f} p90 {q(0.9):.2f}) model {a.model} tasks {a.tasks} "
            f"threads {a.threads} batch {a.batch} size {a.size}")
    if macs is not None:
        line += f" forward-MACs {macs}"
    print(line)


if __name__ == "__main__":
    main()
