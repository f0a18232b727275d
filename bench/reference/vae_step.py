#!/usr/bin/env python3
"""PyTorch twin of elbo.bench.VaeStep: one forward + backward + Adam step of the MLP VAE
784-300-300-40 (tanh), Bernoulli likelihood, Gaussian posterior, N(0, I) prior, batch 100.

Prints: vae_step_ms <median> steps <n> torch_threads <t>
Usage: vae_step.py [warmup] [steps]   (set torch threads with TORCH_THREADS, BLAS with OPENBLAS_NUM_THREADS)
"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

X, H, Z, BATCH = 784, 300, 40, 100


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(X, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh(), nn.Linear(H, 2 * Z))
        self.decoder = nn.Sequential(nn.Linear(Z, H), nn.Tanh(), nn.Linear(H, H), nn.Tanh(), nn.Linear(H, X))

    def loss(self, x):
        h = self.encoder(x)
        mean, log_var = h[:, :Z], h[:, Z:]
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = self.decoder(z)
        log_px = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).sum(1)
        return -(log_px - kl).mean()


def main():
    warmup = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    threads = int(os.environ.get("TORCH_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    vae = Vae()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    x = torch.bernoulli(torch.full((BATCH, X), 0.13))
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        loss = vae.loss(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print(f"vae_step_ms {times[len(times) // 2]:.4f} steps {steps} torch_threads {threads} loss {value:.3f}")


if __name__ == "__main__":
    main()
