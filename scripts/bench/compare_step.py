"""Runs `auxmtl bench step` and its PyTorch twin (torch_step.py) alternately on one machine and
prints each one's median step time over the alternations and its best round, and their ratios.

    python3 scripts/bench/compare_step.py --model ref --batch 16 --size 64 --threads 2 --steps 20 --rounds 3

Both get the same model, tasks, batch, size, threads, steps and warm-up. Alternating spreads
changes in the machine's load over both; the load average is printed before and after.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def median_of(output, pattern):
    m = re.search(pattern, output)
    if not m:
        sys.exit(f"could not find {pattern!r} in:\n{output}")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("model", "ref"), ("tasks", 3), ("batch", 16), ("size", 64), ("threads", 2), ("steps", 20), ("warmup", 3), ("rounds", 3)]:
        ap.add_argument(f"--{name}", default=default, type=type(default))
    ap.add_argument("--auxmtl", default=os.path.join(ROOT, ".build", "release", "auxmtl"))
    a = ap.parse_args()
    common = ["--model", a.model, "--tasks", str(a.tasks), "--batch", str(a.batch), "--size", str(a.size),
              "--threads", str(a.threads), "--steps", str(a.steps), "--warmup", str(a.warmup)]
    ours, theirs, extra = [], [], {}
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for r in range(a.rounds):
        out = subprocess.run([a.auxmtl, "bench", "step", *common], capture_output=True, text=True, check=True).stdout
        ours.append(median_of(out, r"ms/step ([0-9.]+)"))
        extra["gflops"] = median_of(out, r"effective GFLOP/s ([0-9.]+)")
        extra["memory"] = re.search(r"peak tensor memory (.*)", out).group(1)
        out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench", "torch_step.py"), *common],
                             capture_output=True, text=True, check=True).stdout
        theirs.append(median_of(out, r"torch ms/step ([0-9.]+)"))
        print(f"round {r + 1}: auxmtl {ours[-1]:.1f} ms, torch {theirs[-1]:.1f} ms", flush=True)
    o, t = statistics.median(ours), statistics.median(theirs)
    print(f"model {a.model}, tasks {a.tasks}, batch {a.batch}, size {a.size}, threads {a.threads}: "
          f"median of rounds: auxmtl {o:.1f} ms/step, torch {t:.1f} ms/step, auxmtl/torch {o / t:.2f}; "
          f"best round: auxmtl {min(ours):.1f}, torch {min(theirs):.1f}, auxmtl/torch {min(ours) / min(theirs):.2f} "
          f"(auxmtl effective {extra['gflops']:.1f} GFLOP/s in its last round; {extra['memory']})")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
