#!/usr/bin/env python3
"""PyTorch twin of elbo.bench.VaeFamilyBench: the VAE family's training steps and its test log-likelihood.

Every model is the IWAE paper's one-stochastic-layer MLP in float32: encoder 784-300-300-(mean 40,
log-variance 40) tanh with the log-variance hardtanh'd to [-6, 2], decoder 40-300-300-784 tanh with
Bernoulli logits; a fixed binary batch of 100 (p = 0.13); Adam at 1e-3. The workloads:

  vae      ELBO, one draw, analytic KL against N(0, I)                          ms per step
  iwae5    IWAE K = 5: z [K, B, D] decoded in one pass, logsumexp over K        ms per step
  iwae50   IWAE K = 50                                                          ms per step
  vamp500  ELBO with a VampPrior of 500 pseudo-inputs [500, 784] (hardtanh(0, 1), through the same
           encoder), log p(z) = logsumexp_k log N(z; mu_k, var_k) - log 500, Monte Carlo KL
           (log q - log p at the draw)                                          ms per step
  ll5000   importance-sampled log p(x), K = 5000 in chunks of 500 draws x 100 images, under
           torch.no_grad()                                                      images per second

Prints one line per workload, as the Java side does:
  vae_family <name> <median> <ms_per_step|images_per_s> steps <n> threads <t> loss <l>
Usage: vae_family.py [--workloads=vae,iwae5,iwae50,vamp500,ll5000] [--warmup=S] [--warmup-steps=N]
                     [--time=S] [--min-steps=N] [--eval-images=N]
(the same options as VaeFamilyBench; torch threads from TORCH_THREADS, BLAS from OPENBLAS_NUM_THREADS)
"""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

X, H, Z, BATCH, PSEUDO_INPUTS, LL_K, LL_CHUNK, LL_BATCH = 784, 300, 40, 100, 500, 5000, 500, 100
LOG_2PI = math.log(2 * math.pi)
ALL = ["vae", "iwae5", "iwae50", "vamp500", "ll5000"]


def normal_log_prob(x, mean, log_var):
    """log N(x; mean, diag e^log_var) summed over the last axis, from the log-variance (as elbo's Normal)."""
    return -0.5 * (log_var + (x - mean).pow(2) * torch.exp(-log_var) + LOG_2PI).sum(-1)


class Vae(nn.Module):
    def __init__(self, vamp=False):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(X, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh())
        self.mean = nn.Linear(H, Z)
        self.log_var = nn.Linear(H, Z)
        self.decoder = nn.Sequential(nn.Linear(Z, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh(), nn.Linear(H, X))
        # The VampPrior paper's pseudo-inputs start: N(0.05, 0.01^2)
        self.pseudo_inputs = nn.Parameter(0.05 + 0.01 * torch.randn(PSEUDO_INPUTS, X)) if vamp else None

    def encode(self, x):
        h = self.trunk(x)
        return self.mean(h), F.hardtanh(self.log_var(h), -6.0, 2.0)

    def log_px(self, z, x):
        """log p(x | z) for z [..., D] against x [B, X] (broadcast): one decoder pass over every code."""
        logits = self.decoder(z)
        return (x * logits - F.softplus(logits)).sum(-1)

    def log_prior(self, z):
        if self.pseudo_inputs is None:
            return -0.5 * (z.pow(2) + LOG_2PI).sum(-1)
        mu, log_var = self.encode(F.hardtanh(self.pseudo_inputs, 0.0, 1.0))        # [500, D]
        per_component = normal_log_prob(z.unsqueeze(-2), mu, log_var)             # [..., 500]
        return torch.logsumexp(per_component, -1) - math.log(PSEUDO_INPUTS)

    def draw(self, x, k):
        """k reparameterised draws z [k, B, D] and log q(z | x) [k, B]."""
        mu, log_var = self.encode(x)
        z = mu + torch.exp(0.5 * log_var) * torch.randn(k, *mu.shape)
        return mu, log_var, z, normal_log_prob(z, mu, log_var)

    def elbo_loss(self, x):
        mu, log_var, z, log_q = self.draw(x, 1)
        reconstruction = self.log_px(z, x).mean(0)                                # [B]
        if self.pseudo_inputs is None:
            kl = 0.5 * (mu.pow(2) + torch.expm1(log_var) - log_var).sum(-1)        # analytic
        else:
            kl = (log_q - self.log_prior(z)).mean(0)                              # Monte Carlo
        return -reconstruction.mean() + kl.mean()

    def iwae_loss(self, x, k):
        _, _, z, log_q = self.draw(x, k)
        log_w = self.log_px(z, x) + self.log_prior(z) - log_q                      # [K, B]
        return -(torch.logsumexp(log_w, 0) - math.log(k)).mean()

    def log_likelihood(self, x):
        """log (1/K) sum_k w_k for each image of x, K = 5000, in chunks of 500 draws x 100 images."""
        out = []
        with torch.no_grad():
            for start in range(0, x.shape[0], LL_BATCH):
                images = x[start:start + LL_BATCH]
                mu, log_var = self.encode(images)
                total = torch.full((images.shape[0],), -math.inf)
                for done in range(0, LL_K, LL_CHUNK):
                    c = min(LL_CHUNK, LL_K - done)
                    z = mu + torch.exp(0.5 * log_var) * torch.randn(c, *mu.shape)
                    log_w = self.log_px(z, images) + self.log_prior(z) - normal_log_prob(z, mu, log_var)
                    total = torch.logaddexp(total, torch.logsumexp(log_w.double(), 0))
                out.append(total - math.log(LL_K))
        return torch.cat(out)


def training_step(loss_of, vamp):
    torch.manual_seed(1)
    vae = Vae(vamp)
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    x = torch.bernoulli(torch.full((BATCH, X), 0.13))

    def step():
        loss = loss_of(vae, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def log_likelihood(images):
    torch.manual_seed(1)
    vae = Vae()
    x = torch.bernoulli(torch.full((images, X), 0.13))
    return lambda: vae.log_likelihood(x).mean().item()


def measure(name, work, min_warmup, warmup_seconds, seconds, min_steps, images_per_call, threads):
    start = time.perf_counter()
    i = 0
    while i < min_warmup or time.perf_counter() - start < warmup_seconds:
        work()
        i += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_steps or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        last = work()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    value = f"{images_per_call / (median / 1e3):.3f} images_per_s" if images_per_call else f"{median:.4f} ms_per_step"
    what = "mean_loglik" if images_per_call else "loss"
    print(f"vae_family {name} {value} steps {n} threads {threads} {what} {last:.3f}", flush=True)


def main():
    opt = {}
    for a in sys.argv[1:]:
        if not a.startswith("--") or "=" not in a:
            sys.exit(f"expected --key=value, got '{a}'")
        key, value = a[2:].split("=", 1)
        if key not in ("workloads", "warmup", "warmup-steps", "time", "min-steps", "eval-images"):
            sys.exit(f"unknown option --{key}")
        opt[key] = value
    workloads = opt.get("workloads", ",".join(ALL)).split(",")
    for w in workloads:
        if w not in ALL:
            sys.exit(f"unknown workload '{w}'; expected some of {ALL}")
    warmup_seconds = float(opt.get("warmup", "5"))
    warmup_steps = int(opt.get("warmup-steps", "30"))
    seconds = float(opt.get("time", "10"))
    min_steps = int(opt.get("min-steps", "5"))
    eval_images = int(opt.get("eval-images", "20"))
    threads = int(os.environ.get("TORCH_THREADS", "1"))
    torch.set_num_threads(threads)
    for name in workloads:
        if name == "ll5000":
            work = log_likelihood(eval_images)
        elif name == "vae":
            work = training_step(lambda vae, x: vae.elbo_loss(x), False)
        elif name == "vamp500":
            work = training_step(lambda vae, x: vae.elbo_loss(x), True)
        else:
            k = int(name[len("iwae"):])
            work = training_step(lambda vae, x, k=k: vae.iwae_loss(x, k), False)
        eval_ = name == "ll5000"
        measure(name, work, 2 if eval_ else warmup_steps, warmup_seconds, seconds, min_steps,
                eval_images if eval_ else 0, threads)


if __name__ == "__main__":
    main()
