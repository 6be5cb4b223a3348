#!/usr/bin/env bash
# Installs the Debian packages auxmtl builds against, only when they are missing (idempotent).
#   libopenblas-dev       CBLAS (sgemm) for the tensor engine
#   zlib1g-dev            gzip (IDX files) and deflate (PNG writing)
#   libpng-dev            PNG decoding (Cityscapes images, labels, disparity)
#   libtiff-dev           TIFF decoding (Cityscapes part labels)
#   dataset-fashion-mnist the real dataset the Fashion-MNIST task sets use
#   libopenmpi-dev, openmpi-bin  Open MPI for the optional data-parallel build (trait MPI) and
#                         its 2-rank tests; the default build does not need them
set -euo pipefail
packages=(libopenblas-dev zlib1g-dev libpng-dev libtiff-dev dataset-fashion-mnist libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
