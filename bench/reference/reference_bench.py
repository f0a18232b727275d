#!/usr/bin/python3
"""The peer side of bench/compare: the same GEMM and elementwise workloads as ELBO's JMH benchmarks,
run through PyTorch (Debian's python3-torch, GEMM via OpenBLAS) and NumPy (OpenBLAS sgemm).

NumPy runs in a process of its own (--lib numpy): importing torch into the same process was measured
to slow OpenBLAS's sgemm about 4x on this machine. Thread counts are fixed by the caller: torch's with --torch-threads, OpenBLAS's through the
OPENBLAS_NUM_THREADS environment variable (read once when the library loads, hence one process per
setting). Prints one line per workload: <library> <workload> <microseconds> ..., one figure per sample
(bench/compare runs this once per round and report.py takes the median of all rounds' samples).
"""
import argparse
import os
import time

import numpy as np

torch = None  # imported only for --lib torch: importing it slows OpenBLAS in the same process ~4x here

GEMM_SHAPES = ["128x784x300", "128x300x300", "128x300x40", "128x40x300", "128x300x784",
               "784x128x300:TN", "128x300x784:NT", "1024x1024x1024"]
ELEMENTWISE_N = 4194304


def sample_us(fn, samples, min_seconds):
    """`samples` timings in microseconds per call, each the mean of enough calls to last `min_seconds`,
    after a warm-up of at least 3 calls and 4 * `min_seconds` (with one call of warm-up, torch's
    logsigmoid on 4M floats, which allocates its result and a buffer, took 43-82 ms in the first two
    timings and 5.9 ms from the fourth on)."""
    end = time.perf_counter() + 4 * min_seconds
    calls = 0
    while calls < 3 or time.perf_counter() < end:
        fn()
        calls += 1
    reps = 1
    while True:  # calibrate
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_seconds:
            break
        reps *= 2
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps * 1e6)
    return times


def report(lib, workload, times):
    print(lib, workload, *(round(t, 3) for t in times), flush=True)


def gemm_operands(shape, lib):
    dims, _, trans = shape.partition(":")
    m, k, n = (int(d) for d in dims.split("x"))
    ta, tb = (trans == "TN"), (trans == "NT")
    rng = np.random.default_rng(1)
    a = (rng.random((k, m) if ta else (m, k), dtype=np.float32) - 0.5)
    b = (rng.random((n, k) if tb else (k, n), dtype=np.float32) - 0.5)
    if lib == "torch":
        a, b = torch.from_numpy(a), torch.from_numpy(b)
        c = torch.empty((m, n), dtype=torch.float32)
        at, bt = (a.t() if ta else a), (b.t() if tb else b)  # views: no transpose is materialised
        return lambda: torch.mm(at, bt, out=c)
    c = np.empty((m, n), dtype=np.float32)
    at, bt = (a.T if ta else a), (b.T if tb else b)
    return lambda: np.dot(at, bt, out=c)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch-threads", type=int, default=1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--lib", choices=["torch", "numpy"], default="torch")
    p.add_argument("--skip-elementwise", action="store_true")
    p.add_argument("--only-elementwise", action="store_true")
    args = p.parse_args()
    samples, min_s = (5, 0.05) if args.quick else (5, 0.2)  # per round: a full run has three
    if args.lib == "numpy":
        for shape in GEMM_SHAPES:
            report("numpy", "sgemm/" + shape, sample_us(gemm_operands(shape, "numpy"), samples, min_s))
        return

    global torch
    import torch as torch_module
    torch = torch_module
    torch.set_num_threads(args.torch_threads)
    if not args.only_elementwise:
        for shape in GEMM_SHAPES:
            report("torch", "sgemm/" + shape, sample_us(gemm_operands(shape, "torch"), samples, min_s))
    if args.skip_elementwise:
        return
    g = torch.Generator().manual_seed(3)
    x = torch.randn(ELEMENTWISE_N, generator=g) * 4
    z = torch.rand(ELEMENTWISE_N, generator=g) + 0.5
    y = torch.empty(ELEMENTWISE_N)
    work = {
        "exp": lambda: torch.exp(x, out=y),
        "log": lambda: torch.log(z, out=y),
        "tanh": lambda: torch.tanh(x, out=y),
        "sigmoid": lambda: torch.sigmoid(x, out=y),
        "softplus": lambda: torch.nn.functional.softplus(x),  # no out= variant
        "logSigmoid": lambda: torch.nn.functional.logsigmoid(x),  # no out= variant
        "add": lambda: torch.add(x, z, out=y),
        "sum": lambda: torch.sum(x, dtype=torch.float64),  # ELBO sums float32 in float64 too
    }
    for name, fn in work.items():
        report("torch", "elementwise/" + name, sample_us(fn, samples, min_s))


if __name__ == "__main__":
    main()
