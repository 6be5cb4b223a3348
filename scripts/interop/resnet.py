"""torchvision ResNet interop fixtures (PyTorch -> auxmtl direction).

Writes Tests/Fixtures/interop/:
- resnet18_narrow.safetensors, resnet50_narrow.safetensors: state dicts of torchvision's ResNet-18
  (BasicBlock [2,2,2,2], 8 base channels) and ResNet-50 (Bottleneck [3,4,6,3], 4 base channels),
  built from torchvision's own classes with narrow widths (see tv.NarrowResNet) and saved exactly
  as `safetensors.torch.save_file(model.state_dict())` would, except that floats are stored as F16
  to keep the files small (the weights were rounded to F16 before computing any reference, so the
  references are exact for the stored values; num_batches_tracked is I64).
- resnet_io.safetensors: a fixed input `x` [2,3,64,64] and torchvision's outputs on it:
  `<net>.logits`, `<net>.features` (eval mode, output stride 32), `<net>.os16.features`,
  `<net>.os8.features` (the same weights dilated), and one training-mode step
  (`<net>.train.logits`, gradients `<net>.train.grad.<param>` of cross-entropy against `labels`,
  running statistics `<net>.train.<buffer>` afterwards) at output stride 32 for ResNet-18 and 8
  for ResNet-50, on its own input `<net>.train.x` ([2,3,64,64] and [2,3,32,32]), the first of 200
  seeded draws whose forward pass keeps every ReLU input and every max-pool choice at least 1e-5
  (relative) away from a kink (tv.kink_margin): elsewhere a float32 rounding difference can flip
  one mask and, through training-mode batch norm, change every upstream gradient (a typical
  random input puts several of ResNet-50's ReLU inputs within 1e-6 of 0).

References are computed in float64 from the stored (F16-exact) weights and saved as float32, so
they are the exact answer to compare float32 results against (PyTorch's float32 results agree
with them to rtol 1e-4 with atol 1e-5 times the tensor's largest magnitude, the tolerance the
Swift tests use).

Run: python3 scripts/interop/resnet.py   (torch 2.x CPU, torchvision, safetensors)
"""
import copy
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

import tv

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "interop")
torch.use_deterministic_algorithms(True)

GRADS = {
    "resnet18": ["conv1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.weight", "fc.weight"],
    "resnet50": ["conv1.weight", "layer1.0.downsample.0.weight", "layer3.5.conv2.weight", "layer4.0.conv2.weight", "fc.weight"],
}
BUFFERS = {
    "resnet18": ["bn1.running_mean", "bn1.running_var", "layer4.1.bn2.running_var", "bn1.num_batches_tracked"],
    "resnet50": ["bn1.running_mean", "layer2.0.downsample.1.running_var", "layer4.2.bn3.running_mean", "bn1.num_batches_tracked"],
}


def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def train_input(model, size, threshold=1e-5):
    """The first of 200 seeded [2,3,size,size] inputs whose training-mode forward pass stays
    `threshold` away from every kink (see the module docstring)."""
    probe = copy.deepcopy(model)  # the probing passes update running statistics
    for seed in range(200):
        x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        if tv.kink_margin(probe, x) >= threshold:
            return x
    raise RuntimeError("no input far enough from the kinks")


def worst_ratio(actual, expected):
    """Largest |a - e| / (1e-4 |e| + 1e-5 max|e|): the Swift tests' tolerance, <= 1 passes."""
    a, e = actual.double(), expected.double()
    return ((a - e).abs() / (1e-4 * e.abs() + 1e-5 * e.abs().max())).max().item()


def float32_check(model32, name, x, labels, io):
    """PyTorch's own float32 results must pass the tolerance the Swift tests apply to ours."""
    model32.eval()
    with torch.no_grad():
        worst = worst_ratio(model32(x), io[f"{name}.logits"])
    if name == "resnet50":
        model32 = tv.dilate(model32, 8)
    model32.train()
    logits = model32(io[f"{name}.train.x"])
    F.cross_entropy(logits, labels).backward()
    params = dict(model32.named_parameters())
    for g in GRADS[name]:
        worst = max(worst, worst_ratio(params[g].grad, io[f"{name}.train.grad.{g}"]))
    print(f"{name}: PyTorch float32 vs float64 references, worst tolerance ratio {worst:.3f}")
    assert worst <= 1, name


def build(name, gen):
    if name == "resnet18":
        model = tv.NarrowResNet(tv.BasicBlock, [2, 2, 2, 2], base=8, num_classes=10)
    else:
        model = tv.NarrowResNet(tv.Bottleneck, [3, 4, 6, 3], base=4, num_classes=10)
    tv.randomize_batchnorm(model, gen)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(m.running_mean.half().float())
                m.running_var.copy_(m.running_var.half().float())
    return model


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20260801)
    torch.manual_seed(7)
    x = torch.randn(2, 3, 64, 64, generator=gen)
    labels = torch.tensor([3, 8])
    io = {"x": x, "labels": labels.float()}
    for name in ["resnet18", "resnet50"]:
        model = build(name, gen)
        state = {}
        for k, v in model.state_dict().items():
            state[k] = v.clone() if v.dtype == torch.int64 else v.detach().half().contiguous()
        save_file(state, os.path.join(OUT, f"{name}_narrow.safetensors"), metadata={"format": "pt"})

        model32 = copy.deepcopy(model)
        model = model.double()
        xd = x.double()
        model.eval()
        with torch.no_grad():
            io[f"{name}.logits"] = f32(model(xd))
            io[f"{name}.features"] = f32(tv.features(model, xd))
            for os_ in (16, 8):
                dilated = tv.dilate(copy.deepcopy(model), os_)
                io[f"{name}.os{os_}.features"] = f32(tv.features(dilated, xd))
                io[f"{name}.os{os_}.logits"] = f32(dilated(xd))
        if name == "resnet50":
            # For Bottleneck blocks tv.dilate equals torchvision's own replace_stride_with_dilation.
            ref = tv.NarrowResNet(tv.Bottleneck, [3, 4, 6, 3], base=4, num_classes=10, replace_stride_with_dilation=[False, True, True])
            ref.load_state_dict(model.state_dict())
            ref = ref.double().eval()
            with torch.no_grad():
                assert torch.equal(tv.features(ref, xd), tv.features(tv.dilate(copy.deepcopy(model), 8), xd))

        if name == "resnet50":
            model = tv.dilate(model, 8)
        model.train()
        # ResNet-18 at stride 32 needs 64x64 (2x2 maps in layer4; at 1x1 its batch norm sees two
        # values per channel and its gradient is rounding noise); ResNet-50 at stride 8 has 4x4.
        xt = train_input(model, 64 if name == "resnet18" else 32)
        io[f"{name}.train.x"] = f32(xt)
        model.zero_grad()
        logits = model(xt)
        F.cross_entropy(logits, labels).backward()
        io[f"{name}.train.logits"] = f32(logits)
        params = dict(model.named_parameters())
        for g in GRADS[name]:
            io[f"{name}.train.grad.{g}"] = f32(params[g].grad)
        buffers = dict(model.named_buffers())
        for b in BUFFERS[name]:
            io[f"{name}.train.{b}"] = f32(buffers[b])
        float32_check(model32, name, x, labels, io)
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "resnet_io.safetensors"))


if __name__ == "__main__":
    main()
