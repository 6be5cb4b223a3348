"""Shared helpers for the interop scripts: importing torchvision here, narrow torchvision ResNets,
and dilating a ResNet stage.

torchvision 0.28's compiled operators do not load on this machine; its model code does not need
them, so the module that registers them is replaced by an empty one before the import.
"""
import sys
import types

sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torchvision  # noqa: E402,F401
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet  # noqa: E402


class NarrowResNet(ResNet):
    """torchvision's own ResNet (its BasicBlock/Bottleneck modules, `_make_layer` and forward) with
    every width scaled from 64 to `base` channels: the stem has `base` channels and stage k has
    `base * 2**k` planes. Module names are torchvision's, so the state dict has the same keys as a
    full-width model's and only smaller shapes."""

    def __init__(self, block, layers, base=8, num_classes=10, replace_stride_with_dilation=None):
        self._base = base
        self._first = True
        super().__init__(block, layers, num_classes=num_classes, replace_stride_with_dilation=replace_stride_with_dilation)
        # torchvision made the stem and the classifier for 64 channels: rebuild them narrow and
        # re-run torchvision's initialisation over the whole model.
        self.conv1 = nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.fc = nn.Linear(8 * base * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if self._first:
            self.inplanes = self._base
            self._first = False
        return super()._make_layer(block, planes * self._base // 64, blocks, stride, dilate)


def dilate_stage(stage, dilation):
    """Trades a ResNet stage's stride for `dilation`: the strided convolution gets stride 1 and
    (if 3x3) half the dilation, i.e. the previous stage's; every other 3x3 convolution gets
    `dilation`. This is the dilated ResNet used with DeepLab heads (MTI-Net, IAL, Auto-Lambda) and
    the only way to dilate torchvision's BasicBlock, which refuses dilation itself; for Bottleneck
    blocks it equals torchvision's replace_stride_with_dilation."""
    for m in stage.modules():
        if not isinstance(m, nn.Conv2d):
            continue
        if m.stride == (2, 2):
            m.stride = (1, 1)
            if m.kernel_size == (3, 3):
                m.dilation = m.padding = (dilation // 2, dilation // 2)
        elif m.kernel_size == (3, 3):
            m.dilation = m.padding = (dilation, dilation)


def dilate(model, output_stride):
    """Dilates layer3/layer4 in place to output stride 16 or 8 (see dilate_stage)."""
    if output_stride == 16:
        dilate_stage(model.layer4, 2)
    elif output_stride == 8:
        dilate_stage(model.layer3, 2)
        dilate_stage(model.layer4, 4)
    elif output_stride != 32:
        raise ValueError(output_stride)
    return model


def features(model, x):
    """torchvision's `_forward_impl` up to layer4."""
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    return model.layer4(model.layer3(model.layer2(model.layer1(x))))


def randomize_batchnorm(model, gen):
    """Non-trivial affine parameters and running statistics, so that evaluation mode is tested.

    The last batch norm of each residual branch (bn2 of a BasicBlock, bn3 of a Bottleneck) gets
    weights in [0.2, 0.5), the others in [0.5, 1.5): with all weights near 1 the activations of a
    narrow random ResNet-50 grow to ~1e3 through the residual sums, and the float32 references
    (PyTorch's or ours) lose digits that a 1e-4 comparison needs."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                block = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else None
                last = (isinstance(block, BasicBlock) and name.endswith("bn2")) or (isinstance(block, Bottleneck) and name.endswith("bn3"))
                lo, hi = (0.2, 0.5) if last else (0.5, 1.5)
                m.weight.copy_(torch.rand(c, generator=gen) * (hi - lo) + lo)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 100, (1,), generator=gen)))


def kink_margin(model, x):
    """The smallest distance of any value to a kink of the forward pass, relative to its tensor's
    largest magnitude: ReLU inputs from 0, and max-pooling windows between their two largest
    values. A float32 computation can flip a ReLU mask or a max-pool choice where this is below
    its rounding error, and one flip changes gradients everywhere upstream (training-mode batch
    norm spreads it over the channel), so training-mode references are made where it is large."""
    margins = []

    def relu_hook(_, inp):
        v = inp[0].detach()
        margins.append((v.abs().min() / v.abs().max()).item())

    def pool_hook(mod, inp):
        v = inp[0].detach()
        cols = torch.nn.functional.unfold(
            torch.nn.functional.pad(v, (mod.padding,) * 4, value=float("-inf")).flatten(0, 1).unsqueeze(1),
            mod.kernel_size, stride=mod.stride)
        top = cols.topk(2, dim=1).values
        gap = (top[:, 0] - top[:, 1])[top[:, 0] > 0]
        if gap.numel():
            margins.append((gap.min() / v.abs().max()).item())

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            hooks.append(m.register_forward_pre_hook(relu_hook))
        elif isinstance(m, nn.MaxPool2d):
            hooks.append(m.register_forward_pre_hook(pool_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return min(margins)
