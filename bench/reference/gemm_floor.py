#!/usr/bin/env python3
"""PyTorch twin of elbo.bench.GemmFloor: the products of one training step of vae_family.py's models,
timed alone with torch.mm (nothing else of the step), in the order the step runs them.

For each dense layer in -> out on `rows` rows (W is [out, in], as nn.Linear's):
  forward          y  = x W^T     rows x in x out : NT
  input gradient   dx = dy W      rows x out x in       (not for the encoder's first layer)
  weight gradient  dW = dy^T x    out x rows x in : TN
Encoder 784-300-300-(40, 40) on the batch's 100 rows, decoder 40-300-300-784 on the K*100 codes.

Prints one line per workload, as the Java side does:
  gemm_floor <name> <median> ms_per_step products <p> gflop <g> gflops <rate> threads <t>
Usage: gemm_floor.py [--workloads=vae,iwae5,iwae50] [--warmup=S] [--time=S] [--min-steps=N]
(torch threads from TORCH_THREADS, BLAS from OPENBLAS_NUM_THREADS)
"""
import os
import sys
import time

import torch

X, H, Z, BATCH = 784, 300, 40, 100
SAMPLES = {"vae": 1, "iwae5": 5, "iwae50": 50}


def products(k):
    """(m, k, n, transA, transB) of one step, forward then backward in reverse layer order."""
    forward, backward = [], []

    def layer(rows, n_in, n_out, input_gradient):
        forward.append((rows, n_in, n_out, False, True))
        backward.append((n_out, rows, n_in, True, False))
        if input_gradient:
            backward.append((rows, n_out, n_in, False, False))
    layer(BATCH, X, H, False)
    layer(BATCH, H, H, True)
    layer(BATCH, H, Z, True)
    layer(BATCH, H, Z, True)
    layer(k * BATCH, Z, H, True)
    layer(k * BATCH, H, H, True)
    layer(k * BATCH, H, X, True)
    return forward + backward[::-1]


def operands(m, k, n, ta, tb):
    g = torch.Generator().manual_seed(1)
    a = torch.rand((k, m) if ta else (m, k), generator=g) - 0.5
    b = torch.rand((n, k) if tb else (k, n), generator=g) - 0.5
    return (a.t() if ta else a), (b.t() if tb else b), torch.empty(m, n)  # views: nothing is transposed


def main():
    opt = {"workloads": ",".join(SAMPLES), "warmup": "3", "time": "5", "min-steps": "10"}
    for a in sys.argv[1:]:
        key, eq, value = a[2:].partition("=")
        if not a.startswith("--") or not eq or key not in opt:
            sys.exit(f"gemm_floor.py: expected one of --{', --'.join(opt)} as --key=value, got '{a}'")
        opt[key] = value
    threads = int(os.environ.get("TORCH_THREADS", "1"))
    torch.set_num_threads(threads)
    for name in opt["workloads"].split(","):
        if name not in SAMPLES:
            sys.exit(f"gemm_floor.py: unknown workload '{name}'; expected some of {list(SAMPLES)}")
        shapes = products(SAMPLES[name])
        work = [operands(*s) for s in shapes]

        def step():
            for a, b, c in work:
                torch.mm(a, b, out=c)
        start = time.perf_counter()
        while time.perf_counter() - start < float(opt["warmup"]):
            step()
        times = []
        start = time.perf_counter()
        while len(times) < int(opt["min-steps"]) or time.perf_counter() - start < float(opt["time"]):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
        times.sort()
        n = len(times)
        median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
        gflop = sum(2.0 * m * k * n_ for m, k, n_, _, _ in shapes) / 1e9
        print(f"gemm_floor {name} {median:.4f} ms_per_step products {len(shapes)} gflop {gflop:.4f}"
              f" gflops {gflop / (median / 1e3):.1f} threads {threads}", flush=True)


if __name__ == "__main__":
    main()
