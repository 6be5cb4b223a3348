"""Full-size ResNet-50 interop check (PyTorch -> auxmtl), run by hand (its files are ~100 MB).

Writes DIR/resnet50.safetensors (torchvision's `resnet50()` state dict, as
`safetensors.torch.save_file(model.state_dict(), ...)` writes it) and DIR/resnet50_io.safetensors
(a fixed input `x` [2,3,224,224] with torchvision's evaluation-mode `logits` and layer4 `features`,
and `x8` [1,3,128,128] with the `os8.features` of the same weights dilated to output stride 8 via
`replace_stride_with_dilation=[False, True, True]`; references computed in float64).

    python3 scripts/interop/resnet50.py --out /tmp/r50 [--weights resnet50.pth]
    AUXMTL_RESNET50_DIR=/tmp/r50 swift test -c release -Xswiftc -enable-testing --filter ResNet50Interop

Without --weights the network is randomly initialised (seed 0) and its batch-norm statistics are
set by a few training-mode passes over random images; with --weights (a torchvision checkpoint
you have, e.g. from `torchvision.models.resnet50(weights="IMAGENET1K_V2").state_dict()` saved
with torch.save) the pretrained weights are checked.
"""
import argparse
import copy
import os

import torch
from safetensors.torch import save_file

import tv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    model = tv.torchvision.models.resnet50()
    if a.weights:
        model.load_state_dict(torch.load(a.weights, map_location="cpu"))
    else:
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(4, 3, 96, 96) * 2)
    model.eval()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(a.out, "resnet50.safetensors"), metadata={"format": "pt"})

    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 3, 224, 224, generator=gen)
    x8 = torch.randn(1, 3, 128, 128, generator=gen)
    ref = copy.deepcopy(model).double()
    dilated = tv.torchvision.models.resnet50(replace_stride_with_dilation=[False, True, True])
    dilated.load_state_dict(model.state_dict())
    dilated = dilated.double().eval()
    with torch.no_grad():
        io = {
            "x": x, "x8": x8,
            "logits": ref(x.double()).float(),
            "features": tv.features(ref, x.double()).float(),
            "os8.features": tv.features(dilated, x8.double()).float(),
        }
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(a.out, "resnet50_io.safetensors"))
    print(f"wrote {a.out}/resnet50.safetensors and resnet50_io.safetensors")


if __name__ == "__main__":
    main()
