"""PyTorch references for the DeepLab head, VGG-16-BN and the task-conditional VGG-16.

Writes Tests/Fixtures/interop/networks.safetensors:
- `deeplab.*`: torchvision's DeepLabHead layout built from torchvision's own `ASPP` class with a
  narrow width (`nn.Sequential(ASPP(16, [2, 4, 12], out_channels=8), Conv2d(8, 8, 3), BN, ReLU,
  Conv2d(8, 5, 1))`; torchvision's DeepLabHead fixes the width at 256): its state dict under
  `deeplab.state.`, features `deeplab.x` [2,16,8,8], evaluation output resized bilinearly to
  16x16 (`deeplab.eval.y`), and a training-mode pass with dropout disabled (`deeplab.train.y`,
  upstream `deeplab.train.gy`, gradients `deeplab.train.gx` and `deeplab.train.grad.<param>`,
  running statistics `deeplab.train.<buffer>`).
- `vgg.*`: torchvision's `vgg.make_layers(cfg, batch_norm=True)` with a narrow plan, as
  `features.*` (VGG16BN's names), evaluation features of `vgg.x`.
- `cvgg.*`: the task-conditional VGG layout of Auto-Lambda's multi-domain CIFAR-100 network
  (`network_block.<i>`, `network_block.<i>.bn_list.<task>`), written here from its description,
  narrow, 3 tasks, on `vgg.x`: evaluation features per task and one training-mode pass of task 1.

Run: python3 scripts/interop/networks.py
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

import tv
from torchvision.models.segmentation.deeplabv3 import ASPP
from torchvision.models.vgg import make_layers

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "interop")
torch.use_deterministic_algorithms(True)
VGG_PLAN = [4, 4, "M", 4, 4, "M", 8, 8, 8, "M", 8, 8, 8, "M", 8, 8, 8, "M"]
CVGG_PLAN = [4, 4, "M", 4, 4, "M", 8, 8, 8, "M", 8, 8, 8, "M", 8, 8, 8]


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def randomize_bn(module, gen):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.num_batches_tracked.fill_(3)


class ConditionalBN(nn.Module):
    def __init__(self, channels, tasks):
        super().__init__()
        self.bn_list = nn.ModuleList([nn.BatchNorm2d(channels) for _ in range(tasks)])

    def forward(self, x, task):
        return self.bn_list[task](x)


class ConditionalVGG(nn.Module):
    def __init__(self, plan, tasks):
        super().__init__()
        layers, c = [], 3
        for v in plan:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), ConditionalBN(v, tasks), nn.ReLU(inplace=True)]
                c = v
        self.network_block = nn.Sequential(*layers)

    def forward(self, x, task):
        for layer in self.network_block:
            x = layer(x, task) if isinstance(layer, ConditionalBN) else layer(x)
        return x


def main():
    gen = torch.Generator().manual_seed(99)
    torch.manual_seed(5)
    t = {}

    head = nn.Sequential(
        ASPP(16, [2, 4, 12], out_channels=8), nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 5, 1))
    randomize_bn(head, gen)
    for k, v in head.state_dict().items():
        t[f"deeplab.state.{k}"] = f32(v)
    x = torch.randn(2, 16, 8, 8, generator=gen)
    t["deeplab.x"] = x
    head.eval()
    with torch.no_grad():
        t["deeplab.eval.y"] = f32(F.interpolate(head(x), size=(16, 16), mode="bilinear", align_corners=False))
    head.train()
    head[0].project[3].p = 0.0
    xg = x.clone().requires_grad_()
    y = F.interpolate(head(xg), size=(16, 16), mode="bilinear", align_corners=False)
    gy = torch.randn(y.shape, generator=gen)
    y.backward(gy)
    t["deeplab.train.y"], t["deeplab.train.gy"], t["deeplab.train.gx"] = f32(y), gy, f32(xg.grad)
    params = dict(head.named_parameters())
    for name in ["0.convs.0.0.weight", "0.convs.3.0.weight", "0.convs.4.1.weight", "0.project.0.weight", "1.weight", "4.weight", "4.bias", "0.convs.4.2.weight"]:
        t[f"deeplab.train.grad.{name}"] = f32(params[name].grad)
    buffers = dict(head.named_buffers())
    for name in ["0.convs.2.1.running_mean", "0.convs.4.2.running_var", "0.project.1.running_mean", "2.running_var"]:
        t[f"deeplab.train.{name}"] = f32(buffers[name])

    vgg = make_layers(VGG_PLAN, batch_norm=True)
    randomize_bn(vgg, gen)
    for k, v in vgg.state_dict().items():
        t[f"vgg.state.features.{k}"] = f32(v)
    xv = torch.randn(2, 3, 32, 32, generator=gen)
    t["vgg.x"] = xv
    vgg.eval()
    with torch.no_grad():
        t["vgg.eval.features"] = f32(vgg(xv))

    cvgg = ConditionalVGG(CVGG_PLAN, 3)
    randomize_bn(cvgg, gen)
    for k, v in cvgg.state_dict().items():
        t[f"cvgg.state.{k}"] = f32(v)
    cvgg.eval()
    with torch.no_grad():
        for task in range(3):
            t[f"cvgg.eval.features{task}"] = f32(cvgg(xv, task))
    cvgg.train()
    xg = xv.clone().requires_grad_()
    z = cvgg(xg, 1)
    gz = torch.randn(z.shape, generator=gen)
    z.backward(gz)
    t["cvgg.train.features1"], t["cvgg.train.gy"], t["cvgg.train.gx"] = f32(z), gz, f32(xg.grad)
    params = dict(cvgg.named_parameters())
    for name in ["network_block.0.weight", "network_block.0.bias", "network_block.1.bn_list.1.weight", "network_block.40.weight"]:
        t[f"cvgg.train.grad.{name}"] = f32(params[name].grad)
    buffers = dict(cvgg.named_buffers())
    for name in ["network_block.1.bn_list.1.running_mean", "network_block.1.bn_list.0.running_mean", "network_block.1.bn_list.1.num_batches_tracked"]:
        t[f"cvgg.train.{name}"] = f32(buffers[name])
    save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, "networks.safetensors"))


if __name__ == "__main__":
    main()
