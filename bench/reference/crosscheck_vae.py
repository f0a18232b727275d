#!/usr/bin/env python3
"""PyTorch (float64) reimplementation of ELBO's VAE objectives, checked against a file written by
elbo.bench.CrossCheckExport: the same model, weights, batch and noise; every loss, log-weight and
parameter gradient must agree to 1e-9 relative.

The file is safetensors, parsed here with NumPy alone: an 8-byte little-endian header length N, N bytes
of JSON header ({"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}), then the raw data.

Prints one line per case with the largest relative difference of its loss, its log-weights and its
gradients (elementwise: |torch - elbo| / max(|elbo|, 1e-300), maximised over every element of every
tensor), then "largest relative difference <value>"; exits 1 if that is above 1e-9.
Usage: crosscheck_vae.py <file.safetensors>
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-9
LOG_2PI = math.log(2 * math.pi)
MIN_LOG_VAR, MAX_LOG_VAR = -6.0, 2.0   # GaussianPosterior's clamp of the log-variance


def read_safetensors(path):
    """(name -> float64 tensor, metadata) of a safetensors file holding F64 tensors only."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    buffer = data[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F64":
            raise ValueError(f"{path}: {name} is {entry['dtype']}, expected F64")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(buffer[begin:end], dtype="<f8").reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


# ---- the model (elbo.models.vae: GaussianPosterior, BernoulliDecoder, StandardPrior, MixturePrior) ----

def linear(p, name, h):
    """elbo.nn.Linear: y = h Wᵀ + b, W: [out, in]."""
    return F.linear(h, p[name + ".weight"], p[name + ".bias"])


def trunk(p, name, h):
    """Networks.trunk (tanh): Sequential children 0, 2, 4, ... are Linear, 1, 3, 5, ... tanh."""
    layer = 0
    while f"{name}.{layer}.weight" in p:
        h = torch.tanh(linear(p, f"{name}.{layer}", h))
        layer += 2
    return h


def encode(p, x):
    """h = net(x), μ = W_μ h + b_μ, v = clamp(W_v h + b_v, -6, 2) (gradient 1 on [-6, 2], as ELBO's clamp)."""
    h = trunk(p, "posterior.net", x)
    return linear(p, "posterior.mean", h), linear(p, "posterior.logVar", h).clamp(MIN_LOG_VAR, MAX_LOG_VAR)


def bernoulli_log_prob(x, logits):
    """log p(x|z) = Σ_i x_i ℓ_i − softplus(ℓ_i), softplus(ℓ) = max(ℓ, 0) + log1p(e^−|ℓ|) (no threshold)."""
    softplus = logits.clamp(min=0) + torch.log1p(torch.exp(-logits.abs()))
    return (x * logits - softplus).sum(-1)


def normal_log_prob(z, mu, v):
    """log N(z; μ, diag e^v) = Σ_d −½ (log 2π + v_d + (z_d − μ_d)² e^−v_d)."""
    return (-0.5 * (LOG_2PI + v + (z - mu) ** 2 * torch.exp(-v))).sum(-1)


def prior_log_prob(p, kind, z):
    """standard: log N(z; 0, I) = −½ Σ_d (log 2π + z_d²);
    mog: log Σ_c softmax(a)_c N(z; μ_c, diag e^v_c) = logsumexp_c (log softmax(a)_c + log N(z; μ_c, e^v_c))."""
    if kind == "standard":
        return (-0.5 * (LOG_2PI + z ** 2)).sum(-1)
    log_weights = torch.log_softmax(p["prior.logits"], 0)                                       # [C]
    log_components = normal_log_prob(z.unsqueeze(-2), p["prior.means"], p["prior.logVars"])    # [K, B, C]
    return torch.logsumexp(log_components + log_weights, -1)


# ---- the objectives (elbo.models.vae.objective) ---------------------------------------------------------

def loss(p, x, eps, objective, estimator, prior):
    """(loss, log w) of one case; the loss's gradient is the estimator's."""
    mu, v = encode(p, x)                                                  # [B, D]
    z = mu + torch.exp(v / 2) * eps                                       # z = μ + e^(v/2) ε, [K, B, D]
    log_px = bernoulli_log_prob(x, linear(p, "decoder.out", trunk(p, "decoder.net", z)))   # [K, B]
    log_pz = prior_log_prob(p, prior, z)
    if estimator == "reparam":
        log_qz = normal_log_prob(z, mu, v)                                # log q_φ(z|x), φ live
    else:
        log_qz = normal_log_prob(z, mu.detach(), v.detach())             # STL, DReG: log q_⊥φ(z|x)
    log_w = log_px + log_pz - log_qz                                      # log w_k, [K, B]
    k = eps.shape[0]
    if objective == "elbo":
        # loss = −(1/B) Σ_b (1/K) Σ_k log p(x_b|z_k) + (1/B) Σ_b KL_b (β = 1, no free bits), with
        # KL(N(μ, e^v) ‖ N(0, I)) = ½ Σ_d (e^v − 1 − v + μ²) analytic, else (1/K) Σ_k log q(z_k) − log p(z_k)
        if prior == "standard":
            kl = 0.5 * (torch.expm1(v) - v + mu ** 2).sum(-1)
        else:
            kl = (log_qz - log_pz).mean(0)
        return -log_px.mean(0).mean() + kl.mean(), log_w
    # IWAE: L_K = log (1/K) Σ_k w_k = logsumexp_k log w_k − log K;  loss = −(1/B) Σ_b L_K(x_b)
    bound = torch.logsumexp(log_w, 0) - math.log(k)
    if estimator == "dreg":
        # DReG (Tucker et al. 2018): the surrogate Σ_k w̃_k log w_k, w̃ = softmax_k(log w) held constant,
        # gives every parameter Σ_k w̃_k ∇ log w_k; the hook weights the path through each z_k once more,
        # so the encoder gets Σ_k w̃_k² ∂ log w_k/∂z_k ∂z_k/∂φ. Value L_K, gradient the surrogate's.
        w_tilde = torch.softmax(log_w, 0).detach()
        z.register_hook(lambda g: w_tilde.unsqueeze(-1) * g)
        surrogate = (w_tilde * log_w).sum(0)
        bound = bound.detach() + (surrogate - surrogate.detach())
    return -bound.mean(), log_w


# ---- the comparison ------------------------------------------------------------------------------------

def relative_difference(ours, elbo):
    """max over elements of |ours − elbo| / max(|elbo|, 1e-300)."""
    return ((ours - elbo).abs() / elbo.abs().clamp(min=1e-300)).max().item()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: crosscheck_vae.py <file.safetensors>")
    torch.set_default_dtype(torch.float64)
    tensors, metadata = read_safetensors(sys.argv[1])
    x = tensors["x"]
    largest = 0.0
    for case in metadata["cases"].split(","):
        objective, estimator, prior = (metadata[f"{case}/{key}"] for key in ("objective", "estimator", "prior"))
        params = {name[len("param/"):]: t.clone().requires_grad_(True)
                  for name, t in tensors.items() if name.startswith("param/")}
        value, log_w = loss(params, x, tensors[f"{case}/eps"], objective, estimator, prior)
        value.backward()
        grad_prefix = f"{case}/grad/"
        expected = {name[len(grad_prefix):]: t for name, t in tensors.items() if name.startswith(grad_prefix)}
        computed = {name: t.grad for name, t in params.items() if t.grad is not None}
        if expected.keys() != computed.keys():
            sys.exit(f"{case}: ELBO has gradients for {sorted(expected)}, PyTorch for {sorted(computed)}")
        d_loss = relative_difference(value.detach(), tensors[f"{case}/loss"])
        d_log_w = relative_difference(log_w.detach(), tensors[f"{case}/log_w"])
        d_grads = {name: relative_difference(computed[name], expected[name]) for name in expected}
        worst = max(d_grads, key=d_grads.get)
        print(f"{case:17s} {objective} {estimator:7s} prior {prior:8s} K={log_w.shape[0]}  loss {d_loss:.2e}  "
              f"log_w {d_log_w:.2e}  gradients {d_grads[worst]:.2e} ({len(d_grads)} tensors, "
              f"worst {worst})")
        largest = max(largest, d_loss, d_log_w, d_grads[worst])
    print(f"largest relative difference {largest:.3e} (tolerance {TOLERANCE:g}, elementwise)")
    sys.exit(0 if largest <= TOLERANCE else 1)


if __name__ == "__main__":
    main()
