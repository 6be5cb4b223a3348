"""auxmtl -> PyTorch: checks that files auxmtl wrote load into torchvision's models with
`safetensors.torch.load_file` + `load_state_dict(strict=True)` and give auxmtl's outputs.

Usage: python3 scripts/interop/check_ours_in_torch.py DIR

DIR is written by the Swift test "auxmtl → torchvision" (Tests/AuxNNTests/TorchLoadsOursTests.swift),
which runs this script itself; it holds
- resnet18.safetensors: a full-size ResNet-18 state dict (`Module.saveState`);
- resnet50_narrow_os8.safetensors: a ResNet-50 with 16 base channels dilated to output stride 8;
- checkpoint.safetensors: a training checkpoint whose `model.` entries are a ResNet-18 with 8 base
  channels (the rest is optimiser and run state);
- io.safetensors: the input `x` and auxmtl's evaluation-mode outputs (`<name>.logits`,
  `<name>.features`).
Every float must agree to rtol 1e-4 with atol 1e-5 times the tensor's largest magnitude.

Exit status: 0 when everything agrees, 1 on a mismatch (printed), 77 when torch, torchvision or
safetensors cannot be imported (the message says so; the Swift test then reports a skip).
"""
import os
import sys

SKIP = 77

try:
    import torch
    from safetensors.torch import load_file

    sys.path.insert(0, os.path.dirname(__file__))
    import tv
except Exception as e:  # noqa: BLE001 - any import failure means "cannot check here"
    print(f"SKIP: PyTorch/torchvision/safetensors not importable ({type(e).__name__}: {e})")
    sys.exit(SKIP)


def close(actual, expected, what):
    a, e = actual.double(), expected.double()
    tol = 1e-4 * e.abs() + 1e-5 * e.abs().max()
    worst = ((a - e).abs() / tol).max().item()
    if worst > 1:
        i = ((a - e).abs() / tol).argmax().item()
        print(f"MISMATCH {what}: element {i}: torch {a.flatten()[i].item()} vs auxmtl {e.flatten()[i].item()}")
        return False
    print(f"ok {what} (worst ratio {worst:.3f})")
    return True


def load_strict(model, state, what):
    ints = [k for k, v in state.items() if k.endswith("num_batches_tracked")]
    bad = [k for k in ints if state[k].dtype != torch.int64 or state[k].dim() != 0]
    if bad:
        print(f"MISMATCH {what}: num_batches_tracked must be 0-d int64: {bad[:3]}")
        return False
    model.load_state_dict(state, strict=True)  # raises on any missing or unexpected entry
    return True


def main(d):
    io = load_file(os.path.join(d, "io.safetensors"))
    x = io["x"]
    ok = True
    torch.set_grad_enabled(False)

    r18 = tv.torchvision.models.resnet18()
    ok &= load_strict(r18, load_file(os.path.join(d, "resnet18.safetensors")), "resnet18")
    r18.eval()
    ok &= close(r18(x), io["resnet18.logits"], "resnet18 logits")
    ok &= close(tv.features(r18, x), io["resnet18.features"], "resnet18 features")

    r50 = tv.NarrowResNet(tv.Bottleneck, [3, 4, 6, 3], base=16, num_classes=10, replace_stride_with_dilation=[False, True, True])
    ok &= load_strict(r50, load_file(os.path.join(d, "resnet50_narrow_os8.safetensors")), "resnet50 OS8")
    r50.eval()
    ok &= close(r50(x), io["resnet50.logits"], "resnet50 OS8 logits")
    ok &= close(tv.features(r50, x), io["resnet50.features"], "resnet50 OS8 features")

    ckpt = load_file(os.path.join(d, "checkpoint.safetensors"))
    state = {k[len("model."):]: v for k, v in ckpt.items() if k.startswith("model.")}
    small = tv.NarrowResNet(tv.BasicBlock, [2, 2, 2, 2], base=8, num_classes=10)
    ok &= load_strict(small, state, "checkpoint model")
    small.eval()
    ok &= close(small(x), io["checkpoint.logits"], "checkpoint model logits")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
