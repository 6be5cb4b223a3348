# auxmtl — the two commands of the README, and a few helpers.
#
#   make demo   build (release) and run the main job on its embedded default
#   make test   build (release, numeric tests need it) and run every test
#
# Both install the Debian packages they need first, only when missing.

SWIFT ?= swift
# With Open MPI installed (scripts/install-deps.sh adds it) the build enables the package trait MPI
# (data-parallel training, --distributed mpi); without it everything builds and runs single-process.
TRAITS = $(shell pkg-config --exists ompi 2>/dev/null && echo --traits MPI)
RELEASE_TEST = $(SWIFT) test -c release -Xswiftc -enable-testing $(TRAITS)
# OpenBLAS 0.3.21 misdetects AVX-512 AMD CPUs; the auxmtl binary sets this itself, the test
# process does not, so set it here (it only selects BLAS kernels, never changes results' meaning).
export OPENBLAS_CORETYPE ?= $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo SkylakeX)

.PHONY: deps build demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product auxmtl $(TRAITS)

demo: build
	.build/release/auxmtl demo

test: deps
	$(RELEASE_TEST)

clean:
	rm -rf .build
