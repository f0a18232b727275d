#!/usr/bin/env python3
"""PyTorch twin of elbo.bench.EpochBench: whole training epochs of ./elbo train's loop on MNIST.

The model is ./elbo train's default, the VampPrior paper's, in float32: encoder 784-300-300 of gated
layers (h = (W1 x + b1) * sigmoid(W2 x + b2)) with linear heads to the mean and the log-variance (40
each, the log-variance hardtanh'd to [-6, 2]); decoder 40-300-300 gated, then a linear layer to 784
Bernoulli logits (its bias started at the logit of the mean training pixel, as ELBO's); Adam at 5e-4;
batch 100. The loop is a training loop's: MNIST is read from the IDX gz files with NumPy once, before
any timing (the first 50,000 training images, as ./elbo train keeps the last 10,000 for validation);
every epoch shuffles with torch.randperm; every batch gathers its grey intensities and binarises them
afresh with torch.bernoulli; then loss, backward, Adam step. The workloads:

  vae      ELBO, one draw, analytic KL against N(0, I)                          seconds per epoch
  iwae5    IWAE K = 5: z [K, B, D] decoded in one pass, logsumexp over K - log K seconds per epoch
  iwae50   IWAE K = 50                                                          seconds per epoch
  vamp500  ELBO with a VampPrior of 500 pseudo-inputs, started at the first 500 training images'
           intensities, hardtanh(0, 1)'d and pushed through the same encoder each step;
           log p(z) = logsumexp_k log N(z; mu_k, var_k) - log 500; Monte Carlo KL (log q - log p at
           the draw), as ELBO's VampPrior                                        seconds per epoch
  ll5000   importance-sampled log p(x), K = 5000 in chunks of 500 draws x 100 images under
           torch.no_grad(), on test images binarised once (the vae workload's model)  images per second

Protocol (as EpochBench): each workload runs --warmup-steps untimed steps (more until --warmup seconds
have passed), then --blocks timed blocks
of --block steps, each block a fresh epoch order (randperm) from its start; the figure is the median
block time scaled to --epoch-steps steps (600: a 60,000-image epoch at batch 100). ll5000 times
--eval-calls calls over --eval-images images after one untimed call. After a training workload, the
same number of blocks of batch assembly alone (gather + bernoulli) are timed: binarize_share is their
median over the training blocks' median.

Prints one line per workload, as the Java side does:
  vae_epoch <name> <median> s_per_epoch ms_per_step <m> block <S> blocks <R> epoch_steps <n> threads <t>
            binarize_share <f> loss <l>
  vae_epoch ll5000 <rate> images_per_s images <N> calls <R> k 5000 threads <t> mean_loglik <l>
Usage: vae_epoch.py [--workloads=vae,iwae5,iwae50,vamp500,ll5000] [--data-dir=DIR] [--warmup=S] [--warmup-steps=N]
                    [--block=S] [--blocks=R] [--epoch-steps=N] [--eval-images=N] [--eval-calls=N]
(DIR holds mnist/; default $ELBO_DATA, then ./data. Torch threads from TORCH_THREADS, BLAS threads from
OPENBLAS_NUM_THREADS.)
"""
import gzip
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vae_family as family  # noqa: E402  (the same losses; only the networks differ)

X, H, Z, BATCH, PSEUDO_INPUTS, LL_K, LL_CHUNK, LL_BATCH = 784, 300, 40, 100, 500, 5000, 500, 100
TRAIN_IMAGES = 50_000        # ./elbo train's default: the last 10,000 of the 60,000 are validation
ALL = ["vae", "iwae5", "iwae50", "vamp500", "ll5000"]


def read_idx_images(path):
    """The images of an IDX3 gz file as float32 intensities in [0, 1], [N, 784]."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in range(0, 16, 4))
    if magic != 0x803 or rows * cols != X:
        sys.exit(f"{path}: not an IDX file of 28x28 images")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, X).astype(np.float32) / 255.0


class GatedDense(nn.Module):
    """The VampPrior paper's gated layer: (W1 x + b1) * sigmoid(W2 x + b2)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.value = nn.Linear(n_in, n_out)
        self.gate = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.value(x) * torch.sigmoid(self.gate(x))


class Vae(family.Vae):
    """vae_family.py's model (encode, log_px, log_prior, draw, the ELBO and IWAE losses, log p(x)) with
    ./elbo train's default networks: gated layers, and the output bias at the mean pixel's logit."""

    def __init__(self, mean_pixel, pseudo_inputs=None):
        nn.Module.__init__(self)   # not family.Vae's: its networks are tanh
        self.trunk = nn.Sequential(GatedDense(X, H), GatedDense(H, H))
        self.mean = nn.Linear(H, Z)
        self.log_var = nn.Linear(H, Z)
        self.decoder = nn.Sequential(GatedDense(Z, H), GatedDense(H, H), nn.Linear(H, X))
        with torch.no_grad():   # as BernoulliDecoder.initOutputBias
            m = mean_pixel.clamp(1e-3, 1 - 1e-3)
            self.decoder[-1].bias.copy_(torch.log(m / (1 - m)))
        self.pseudo_inputs = None if pseudo_inputs is None else nn.Parameter(pseudo_inputs.clone())


class Trainer:
    """A training loop on the intensities `train` [N, 784]: randperm per epoch, bernoulli per batch."""

    def __init__(self, train, loss_of, vamp):
        torch.manual_seed(1)
        self.train = train
        self.vae = Vae(train[:5000].mean(0), train[:PSEUDO_INPUTS] if vamp else None)
        self.opt = torch.optim.Adam(self.vae.parameters(), lr=5e-4)
        self.loss_of = loss_of
        self.batches = (train.shape[0] + BATCH - 1) // BATCH
        self.loss_sum = 0.0

    def run_steps(self, steps):
        """`steps` steps of a new epoch from its start (as Trainer.runSteps): shuffle, then per batch
        gather + binarise, loss, backward, Adam."""
        order = torch.randperm(self.train.shape[0])
        for b in range(steps):
            i = b % self.batches
            x = torch.bernoulli(self.train[order[i * BATCH:(i + 1) * BATCH]])
            loss = self.loss_of(self.vae, x)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.loss_sum += loss.item()   # a training loop logs its loss: one sync per step

    def binarize_seconds(self, block, blocks):
        """Median over `blocks` of the time to assemble `block` binarised batches alone."""
        order = torch.randperm(self.train.shape[0])
        sink = 0.0
        times = []
        for r in range(blocks + 1):          # the first block is a warm-up
            t0 = time.perf_counter()
            for b in range(block):
                i = (r * block + b) % self.batches
                x = torch.bernoulli(self.train[order[i * BATCH:(i + 1) * BATCH]])
                sink += float(x[0, 0])
            if r:
                times.append(time.perf_counter() - t0)
        return statistics.median(times)


def make_trainer(name, train):
    if name == "vae":
        return Trainer(train, lambda vae, x: vae.elbo_loss(x), False)
    if name == "vamp500":
        return Trainer(train, lambda vae, x: vae.elbo_loss(x), True)
    k = int(name[len("iwae"):])
    return Trainer(train, lambda vae, x, k=k: vae.iwae_loss(x, k), False)


def main():
    opt = {}
    keys = ("workloads", "data-dir", "warmup", "warmup-steps", "block", "blocks", "epoch-steps", "eval-images", "eval-calls")
    for a in sys.argv[1:]:
        if not a.startswith("--") or "=" not in a:
            sys.exit(f"expected --key=value, got '{a}'")
        key, value = a[2:].split("=", 1)
        if key not in keys:
            sys.exit(f"unknown option --{key}; expected some of {keys}")
        opt[key] = value
    workloads = opt.get("workloads", ",".join(ALL)).split(",")
    for w in workloads:
        if w not in ALL:
            sys.exit(f"unknown workload '{w}'; expected some of {ALL}")
    data_dir = opt.get("data-dir") or os.environ.get("ELBO_DATA") or "data"
    warmup_seconds = float(opt.get("warmup", "3"))
    warmup_steps = int(opt.get("warmup-steps", "20"))
    block = int(opt.get("block", "50"))
    blocks = int(opt.get("blocks", "5"))
    epoch_steps = int(opt.get("epoch-steps", "600"))
    eval_images = int(opt.get("eval-images", "100"))
    eval_calls = int(opt.get("eval-calls", "3"))
    threads = int(os.environ.get("TORCH_THREADS", "1"))
    torch.set_num_threads(threads)

    t0 = time.perf_counter()
    train = torch.from_numpy(read_idx_images(os.path.join(data_dir, "mnist", "train-images-idx3-ubyte.gz"))[:TRAIN_IMAGES].copy())
    test = torch.from_numpy(read_idx_images(os.path.join(data_dir, "mnist", "t10k-images-idx3-ubyte.gz")))
    print(f"loaded MNIST from {data_dir} in {time.perf_counter() - t0:.2f} s (untimed)", file=sys.stderr)

    vae_trainer = None
    for name in workloads:
        if name == "ll5000":
            if vae_trainer is None:
                vae_trainer = make_trainer("vae", train)
            gen = torch.Generator().manual_seed(0x5EED)       # binarised once, as Binarizer.fixed
            x = torch.bernoulli(test[:eval_images], generator=gen)
            vae_trainer.vae.log_likelihood(x)                 # untimed
            times = []
            for _ in range(eval_calls):
                t = time.perf_counter()
                mean = vae_trainer.vae.log_likelihood(x).mean().item()
                times.append(time.perf_counter() - t)
            n = x.shape[0]
            print(f"vae_epoch ll5000 {n / statistics.median(times):.3f} images_per_s images {n} calls {eval_calls}"
                  f" k {LL_K} threads {threads} mean_loglik {mean:.3f}", flush=True)
            continue
        trainer = make_trainer(name, train)
        if name == "vae":
            vae_trainer = trainer
        start = time.perf_counter()
        trainer.run_steps(warmup_steps)
        while time.perf_counter() - start < warmup_seconds:
            trainer.run_steps(max(1, min(warmup_steps, block)))
        trainer.loss_sum = 0.0
        times = []
        for _ in range(blocks):
            t = time.perf_counter()
            trainer.run_steps(block)
            times.append(time.perf_counter() - t)
        median = statistics.median(times)
        share = trainer.binarize_seconds(block, blocks) / median
        print(f"vae_epoch {name} {median * epoch_steps / block:.4f} s_per_epoch ms_per_step {1e3 * median / block:.4f}"
              f" block {block} blocks {blocks} epoch_steps {epoch_steps} threads {threads}"
              f" binarize_share {share:.5f} loss {trainer.loss_sum / (block * blocks):.3f}", flush=True)


if __name__ == "__main__":
    main()
