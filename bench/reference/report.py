#!/usr/bin/python3
"""Joins ELBO's JMH JSON files and the reference timings into bench/compare's table and workload lines.

Usage: report.py <reference.txt> <elbo-1.json> [<elbo-2.json> ...], or report.py --paired
<paired.txt> for the targets line of bench/paired's output, or report.py --vae-family <elbo.txt>
<torch.txt> [<elbo_floor.txt> <torch_floor.txt>] for the VAE family's rows (elbo.bench.VaeFamilyBench
against reference/vae_family.py; with the GEMM floors of elbo.bench.GemmFloor and reference/gemm_floor.py), or
report.py --epochs <elbo.txt> <torch.txt> for whole training epochs (elbo.bench.EpochBench against
reference/vae_epoch.py). A full bench/compare run has
three rounds (one JMH fork and one reference run per setting each); every figure is the median of
the samples pooled over all rounds: JMH's measurement iterations, the reference's timings.

GEMM: GFLOP/s = 2MNK / median time, ELBO at 1 and 2 threads against the best reference whose
threads (torch and OpenBLAS) fit in as many cores. Elementwise: GB/s of array traffic, one thread.
"""
import json
import os
import statistics
import subprocess
import sys

BYTES_PER_ELEMENT = {"exp": 8, "log": 8, "tanh": 8, "sigmoid": 8, "softplus": 8, "logSigmoid": 8, "add": 12, "sum": 4}


def gemm_flops(shape):
    m, k, n = (int(d) for d in shape.split(":")[0].split("x"))
    return 2.0 * m * k * n


def main(reference_txt, elbo_jsons):
    pooled = {}  # (benchmark, params) -> microseconds per operation, every iteration of every round
    for path in elbo_jsons:
        for r in json.load(open(path)):
            key = (r["benchmark"], tuple(sorted(r.get("params", {}).items())))
            pooled.setdefault(key, []).extend(x for fork in r["primaryMetric"]["rawData"] for x in fork)
    elbo = {}
    peak = None
    for (benchmark, params), raw in pooled.items():
        med = statistics.median(raw)
        name = benchmark.rsplit(".", 2)
        params = dict(params)
        if name[-2] == "GemmBench":
            elbo[("sgemm/" + params["shape"], int(params["threads"]))] = med
        elif name[-2] == "ElementwiseBench":
            elbo[("elementwise/" + name[-1], int(params["threads"]))] = (med, int(params["n"]))
        elif name[-2] == "PeakBench":
            lanes = int(os.environ.get("ELBO_FLOAT_LANES", "16"))  # bench/compare sets it for the width run
            peak = 100_000 * 16 * lanes * 2 / med / 1e3  # GFLOP/s, see PeakBench.FLOPS

    samples = {}  # (torch threads, OpenBLAS threads, library, workload) -> microseconds, all rounds
    for line in open(reference_txt):
        tt, ob, lib, work, *times = line.split()
        samples.setdefault((int(tt), int(ob), lib, work), []).extend(float(t) for t in times)
    ref = {}  # (workload, cores) -> (median time of the best setting, label)
    for (tt, ob, lib, work), times in samples.items():
        us = statistics.median(times)
        threads = max(tt if lib == "torch" else 1, ob if work.startswith("sgemm") else 1)
        label = f"{lib} torch={tt} openblas={ob}" if lib == "torch" else f"numpy openblas={ob}"
        for cores in (1, 2):
            if threads <= cores and (work, cores) not in ref or threads <= cores and us < ref[(work, cores)][0]:
                ref[(work, cores)] = (us, label)

    rows = []
    for (work, threads), v in sorted(elbo.items()):
        if work.startswith("sgemm"):
            if (work, threads) not in ref:
                continue
            r_us, label = ref[(work, threads)]
            flops = gemm_flops(work.split("/", 1)[1])
            e_val, r_val, unit = flops / v / 1e3, flops / r_us / 1e3, "GFLOP/s"
            name = f"{work}/t{threads}"
            rows.append((name, v, r_us, e_val, r_val, unit, label))
        else:
            med, n = v
            op = work.split("/")[1]
            if (work, threads) not in ref:
                continue
            r_us, label = ref[(work, threads)]
            nbytes = BYTES_PER_ELEMENT[op] * n
            rows.append((f"{work}/t{threads}", med, r_us, nbytes / med / 1e3, nbytes / r_us / 1e3, "GB/s", label))

    print()
    print(f"{'benchmark':32} {'ELBO us':>10} {'ref us':>10} {'ELBO':>9} {'ref':>9} {'unit':8} {'ratio':>6}  reference")
    for name, e_us, r_us, e_val, r_val, unit, label in rows:
        print(f"{name:32} {e_us:10.1f} {r_us:10.1f} {e_val:9.1f} {r_val:9.1f} {unit:8} {e_val / r_val:6.2f}  {label}")
    if peak:
        print(f"\nFMA peak of one core measured by PeakBench: {peak:.1f} GFLOP/s")
        big = elbo.get(("sgemm/1024x1024x1024", 1))
        if big:
            print(f"1024^3 on one thread: {gemm_flops('1024x1024x1024') / big / 1e3:.1f} GFLOP/s"
                  f" = {100 * gemm_flops('1024x1024x1024') / big / 1e3 / peak:.0f}% of that peak")
    print_targets(rows, peak)
    print()
    for name, e_us, r_us, e_val, r_val, unit, label in rows:
        print(f"workload {name} elbo {e_val:.2f} reference {r_val:.2f} unit {unit} speedup {e_val / r_val:.3f}")


# Step 8's targets (issue 22), at every vector width the machine can run: sgemm on the VAE shapes and
# 1024^3 >= 0.9x OpenBLAS paired in one JVM on one thread, >= 1.0x on two; the transcendental elementwise
# kernels >= 1.0x PyTorch's on one thread; the VAE training step and the IWAE K=50 step >= 2x PyTorch's
# best setting. They replace Step 2's per-shape GEMM targets and its "90% of a stated peak". Every check
# prints a line "target <name> <value> <requirement> met|MISSED", which bench/compare sums up at the end.
TRANSCENDENTALS = ("exp", "log", "tanh", "sigmoid", "softplus", "logSigmoid")
STEP_TARGETS = {"vae": 2.0, "iwae50": 2.0}


def target_line(name, value, requirement, met):
    print(f"target {name:40} {value:>10} {requirement:28} {'met' if met else 'MISSED'}")


def gemm_target(name):
    """The least speedup Step 8 asks of paired sgemm workload `name` (sgemm/<shape>/t<threads>), or None."""
    if not name.startswith("sgemm/"):
        return None
    return 0.9 if name.endswith("/t1") else 1.0


def print_targets(rows, peak):
    print("\nTargets (Step 8; the GEMM's are checked on the paired run below)")
    for name, e_us, r_us, e_val, r_val, unit, label in rows:
        op = name.split("/")[1] if name.startswith("elementwise/") else None
        if op in TRANSCENDENTALS and name.endswith("/t1"):
            ratio = e_val / r_val
            target_line(name, f"{ratio:.3f}x", ">= 1.0x PyTorch, 1 thread", ratio >= 1.0)


def print_paired_targets(paired_txt):
    """The GEMM targets on bench/paired's lines: workload paired/<sgemm workload> ... speedup <r>."""
    print("Targets (Step 8, paired in one JVM: >= 0.9x OpenBLAS on one thread, >= 1.0x on two)")
    for line in open(paired_txt):
        words = line.split()
        if len(words) < 2 or words[0] != "workload" or not words[1].startswith("paired/"):
            continue
        name, ratio = words[1][len("paired/"):], float(words[-1])
        need = gemm_target(name)
        if need is not None:
            target_line("paired/" + name, f"{ratio:.3f}x", f">= {need}x OpenBLAS", ratio >= need)


def read_floor(path, prefixed):
    """GemmFloor's (or gemm_floor.py's, prefixed with `<torch threads> <OpenBLAS threads>`) lines: name ->
    [(ms, setting)], setting None for ELBO's."""
    out = {}
    for line in open(path):
        words = line.split()
        if prefixed and len(words) >= 4 and words[2] == "gemm_floor":
            out.setdefault(words[3], []).append((float(words[4]), f"torch={words[0]} ob={words[1]}"))
        elif not prefixed and len(words) >= 3 and words[0] == "gemm_floor":
            out.setdefault(words[1], []).append((float(words[2]), None))
    return out


def print_gemm_floor(rows, elbo_floor_txt, torch_floor_txt):
    """Each step against its products alone: how much of it is GEMM, and the ceiling of its speed-up.

    The ceiling is PyTorch's best step over ELBO's GEMMs alone: the speed-up ELBO's step would reach were
    everything but its products free. A step target above it cannot be met with these GEMMs, and ELBO's
    GEMM floor against PyTorch's says how far these GEMMs are from OpenBLAS's over a whole step.
    """
    elbo_floor = read_floor(elbo_floor_txt, False)
    torch_floor = read_floor(torch_floor_txt, True)
    print("\nGEMM floor: each step's 20 products alone, on the same kernels and threads (ms; elbo.bench.GemmFloor,"
          " reference/gemm_floor.py at its best setting)")
    print(f"{'workload':10} {'ELBO step':>10} {'its GEMMs':>10} {'share':>6} {'PyTorch':>10} {'its GEMMs':>10}"
          f"  {'best setting':14} {'ceiling':>8}")
    for name, value, best, unit, *_ in rows:
        if name not in elbo_floor or name not in torch_floor:
            continue
        floor = elbo_floor[name][0][0]
        torch_best = min(torch_floor[name])
        print(f"{name:10} {value:10.3f} {floor:10.3f} {floor / value:6.0%} {best[0]:10.3f} {torch_best[0]:10.3f}"
              f"  {torch_best[1]:14} {best[0] / floor:7.3f}x")
    print("(share: the step's time in its products; ceiling: PyTorch's best step over ELBO's GEMMs alone, the"
          " speed-up ELBO would reach were everything but its products free: a step target above it needs"
          " faster GEMMs, not a faster rest)")


def print_vae_family(elbo_txt, torch_txt, elbo_floor_txt=None, torch_floor_txt=None):
    """The VAE family's rows: ELBO against the best PyTorch setting per workload, in rounds.

    elbo_txt holds VaeFamilyBench's lines, `vae_family <name> <value> <unit> key value ...`, each prefixed
    with its round number; torch_txt vae_family.py's, each prefixed with `<round> <torch threads>
    <OpenBLAS threads>` (files without the round prefix are one round). A unit of ms_per_step is better
    lower, images_per_s higher; speedup > 1 means ELBO is faster either way. As for the VAE step: the
    setting with the best median over the rounds counts, and the speedup is the median of the rounds'
    speedups, each round's ELBO against the same round's PyTorch at that setting (a busy spell of the
    shared machine then slows both sides of a ratio, not one side of it).
    """
    def fields(words):
        return dict(zip(words[4::2], words[5::2]))

    elbo = {}  # name -> {round: (value, unit, other fields)}
    for line in open(elbo_txt):
        words = line.split()
        r = 1
        if len(words) >= 5 and words[1] == "vae_family":
            r, words = int(words[0]), words[1:]
        if len(words) >= 4 and words[0] == "vae_family":
            elbo.setdefault(words[1], {})[r] = (float(words[2]), words[3], fields(words))
    torch_runs = {}  # name -> {(torch threads, OpenBLAS threads): {round: value}}
    for line in open(torch_txt):
        words = line.split()
        r = 1
        if len(words) >= 7 and words[3] == "vae_family":
            r, words = int(words[0]), words[1:]
        if len(words) >= 6 and words[2] == "vae_family":
            setting = (int(words[0]), int(words[1]))
            torch_runs.setdefault(words[3], {}).setdefault(setting, {})[r] = float(words[4])
    settings = sorted({s for runs in torch_runs.values() for s in runs})

    rows = []
    for name, by_round in elbo.items():
        runs = torch_runs.get(name)
        if not runs:
            continue
        unit = next(iter(by_round.values()))[1]
        extra = by_round[max(by_round)][2]
        lower_is_better = unit.startswith("ms")
        medians = {s: statistics.median(v.values()) for s, v in runs.items()}
        best_setting = (min if lower_is_better else max)(medians, key=medians.get)
        ratios = [(runs[best_setting][r] / v[0] if lower_is_better else v[0] / runs[best_setting][r])
                  for r, v in sorted(by_round.items()) if r in runs[best_setting]]
        value = statistics.median(v[0] for v in by_round.values())
        best = (medians[best_setting], *best_setting)
        rows.append((name, value, best, unit, statistics.median(ratios), extra, medians, ratios))

    rounds = max((len(r[7]) for r in rows), default=0)
    print("\nVAE family (medians; ms_per_step: lower is better, images_per_s: higher is better;"
          f" ELBO at {rows[0][5].get('threads', '?') if rows else '?'} threads; {rounds} round(s): the speedup is the"
          " median of the rounds' ratios, each round's ELBO against the same round's PyTorch at its best setting)")
    head = f"{'workload':10} {'unit':13} {'ELBO':>10} {'PyTorch':>10} {'speedup':>8}  {'best setting':14}"
    head += "".join(f" {'t%d/ob%d' % s:>10}" for s in settings)
    print(head + f" {'alloc B/step':>13} {'ws arrays':>9}")
    for name, value, best, unit, speedup, extra, by_setting, _ in rows:
        line = (f"{name:10} {unit:13} {value:10.3f} {best[0]:10.3f} {speedup:8.3f}  "
                f"{'torch=%d ob=%d' % (best[1], best[2]):14}")
        line += "".join(f" {by_setting[s]:10.3f}" if s in by_setting else f" {'-':>10}" for s in settings)
        print(line + f" {extra.get('alloc_bytes_per_step', '-'):>13} {extra.get('workspace_arrays_per_step', '-'):>9}")
    print("(t<i>/ob<j>: PyTorch at torch threads i and OPENBLAS_NUM_THREADS j; alloc B/step: bytes ELBO's"
          " stepping thread allocated per timed step or call; ws arrays: arrays its Workspace had to create"
          " per step, 0 in the steady state)")
    if rounds > 1:
        for name, *_, ratios in rows:
            print(f"  {name}: the rounds' speedups " + " ".join(f"{x:.3f}" for x in ratios))
    if elbo_floor_txt and torch_floor_txt:
        print_gemm_floor(rows, elbo_floor_txt, torch_floor_txt)
    for name, value, best, unit, speedup, *_ in rows:
        print(f"workload vae_family/{name} elbo {value:.4f} reference {best[0]:.4f} unit {unit} speedup {speedup:.3f}")
    for name, value, best, unit, speedup, *_ in rows:
        if name in STEP_TARGETS:
            need = STEP_TARGETS[name]
            target_line(f"vae_family/{name} step", f"{speedup:.3f}x", f">= {need}x PyTorch's best", speedup >= need)


def cpu_model():
    """lscpu's model name, vendor, family and model (else /proc/cpuinfo's model name), and the CPUs online."""
    info = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        info = {k.strip(): v.strip() for k, _, v in (l.partition(":") for l in out.splitlines()) if v}
    except (OSError, subprocess.CalledProcessError):
        pass
    name = info.get("Model name")
    if name is None:
        try:
            name = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        except (OSError, StopIteration):
            name = "?"
    detail = ", ".join(f"{k.lower()} {info[k]}" for k in ("Vendor ID", "CPU family", "Model") if k in info)
    return f"{name}" + (f" ({detail})" if detail else "") + f", {os.cpu_count()} CPUs"


def print_epochs(elbo_txt, torch_txt):
    """Whole epochs of ./elbo train's loop (elbo.bench.EpochBench) against reference/vae_epoch.py.

    elbo_txt holds EpochBench's lines, `vae_epoch <name> <value> <unit> key value ...`; torch_txt
    vae_epoch.py's, each prefixed with `<torch threads> <OpenBLAS threads>`. s_per_epoch is better lower
    (speedup = PyTorch / ELBO), images_per_s higher (speedup = ELBO / PyTorch); > 1: ELBO faster.
    """
    def fields(words):
        return dict(zip(words[4::2], words[5::2]))

    elbo = {}  # name -> (value, unit, other fields)
    for line in open(elbo_txt):
        words = line.split()
        if len(words) >= 4 and words[0] == "vae_epoch":
            elbo[words[1]] = (float(words[2]), words[3], fields(words))
    torch_runs = {}  # name -> [(value, torch threads, OpenBLAS threads, other fields)]
    for line in open(torch_txt):
        words = line.split()
        if len(words) >= 6 and words[2] == "vae_epoch":
            torch_runs.setdefault(words[3], []).append(
                (float(words[4]), int(words[0]), int(words[1]), fields(words[2:])))
    settings = sorted({(tt, ob) for runs in torch_runs.values() for _, tt, ob, _ in runs})

    rows = []
    for name, (value, unit, extra) in elbo.items():
        runs = torch_runs.get(name)
        if not runs:
            continue
        lower_is_better = unit.startswith("s_per")
        key = (lambda r: r[0]) if lower_is_better else (lambda r: -r[0])
        best = min(runs, key=key)
        speedup = best[0] / value if lower_is_better else value / best[0]
        rows.append((name, value, best, unit, speedup, extra, {(tt, ob): v for v, tt, ob, _ in runs}))

    print(f"\nmachine: {cpu_model()}")
    first = rows[0][5] if rows else {}
    print("Training epochs of ./elbo train's loop on MNIST (gated 784-300-300, D=40, batch 100, dynamic"
          f" binarisation), median of {first.get('blocks', '?')} blocks of {first.get('block', '?')} steps scaled to"
          f" {first.get('epoch_steps', '?')} steps; ELBO at {first.get('threads', '?')} threads")
    print("(s_per_epoch: lower is better; images_per_s, K=5000 log-likelihood: higher is better;"
          " speedup = PyTorch time / ELBO time, > 1: ELBO faster)")
    head = (f"{'workload':9} {'unit':12} {'ELBO':>9} {'PyTorch':>9} {'speedup':>8}  {'best setting':14}"
            + "".join(f" {'t%d/ob%d' % st:>9}" for st in settings)
            + f" {'ELBO ms/step':>12} {'bin. ELBO':>9} {'bin. torch':>10}")
    print(head)
    for name, value, best, unit, speedup, extra, by_setting in rows:
        line = (f"{name:9} {unit:12} {value:9.3f} {best[0]:9.3f} {speedup:8.3f}  "
                f"{'torch=%d ob=%d' % (best[1], best[2]):14}")
        line += "".join(f" {by_setting[st]:9.3f}" if st in by_setting else f" {'-':>9}" for st in settings)
        bin_elbo = extra.get("binarize_share")
        bin_torch = best[3].get("binarize_share")
        line += (f" {extra.get('ms_per_step', '-'):>12}"
                 f" {'%.2f%%' % (100 * float(bin_elbo)) if bin_elbo else '-':>9}"
                 f" {'%.2f%%' % (100 * float(bin_torch)) if bin_torch else '-':>10}")
        print(line)
    print("(t<i>/ob<j>: PyTorch at torch threads i and OPENBLAS_NUM_THREADS j; bin.: the share of an epoch that"
          " batch assembly and binarisation alone take, timed separately on the same batches)")
    for name, value, best, unit, speedup, *_ in rows:
        print(f"workload epoch/{name} elbo {value:.4f} reference {best[0]:.4f} unit {unit} speedup {speedup:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "--paired":
        print_paired_targets(sys.argv[2])
    elif sys.argv[1] == "--vae-family":
        print_vae_family(*sys.argv[2:6])
    elif sys.argv[1] == "--epochs":
        print_epochs(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2:])
