#!/usr/bin/env python3
"""Fits the polynomial of ELBO's float32 exp (EXP_P0..EXP_P4 in core/.../kernels/VectorMath.java) by
Remez exchange on a dense grid, minimising the relative error of

  e^r ~ 1 + r + r^2 P(r),  |r| <= ln2/2,  P of degree 4.

Prints the coefficients as float32 literals, highest degree first as VectorMath names them (EXP_P0 is
the r^4 coefficient), and the maximum relative error, in exact arithmetic, of the polynomial with
those float32 coefficients. Usage: bench/reference/fit_polynomials.py
"""
import numpy as np


def remez(f, weight, lo, hi, degree, grid=400001, iterations=40):
    """Coefficients (lowest first) of the degree-`degree` p minimising max |weight(x) (f(x) - p(x))|."""
    x = np.linspace(lo, hi, grid)
    fx, wx = f(x), weight(x)
    # start from the Chebyshev extrema
    ref = (lo + hi) / 2 - (hi - lo) / 2 * np.cos(np.pi * np.arange(degree + 2) / (degree + 1))
    for _ in range(iterations):
        # p(x_i) + (-1)^i E / w(x_i) = f(x_i), for the degree+1 coefficients and the level E
        a = np.vander(ref, degree + 1, increasing=True)
        signs = (-1.0) ** np.arange(degree + 2) / weight(ref)
        sol = np.linalg.solve(np.column_stack([a, signs]), f(ref))
        coef = sol[:-1]
        err = wx * (fx - np.polynomial.polynomial.polyval(x, coef))
        # new reference: the extremum of each run of equal sign
        runs = np.split(np.arange(grid), np.nonzero(np.diff(np.sign(err)))[0] + 1)
        peaks = np.array([r[np.argmax(np.abs(err[r]))] for r in runs])
        if len(peaks) < degree + 2:
            break
        # keep degree+2 consecutive extrema holding the largest error
        best = max(range(len(peaks) - degree - 1), key=lambda s: np.abs(err[peaks[s:s + degree + 2]]).min())
        ref = x[peaks[best:best + degree + 2]]
    return coef


def report(name, coef, approx, exact, lo, hi):
    c32 = coef.astype(np.float32)
    x = np.linspace(lo, hi, 2000001)
    x = x[x != 0]
    rel = np.abs(approx(x, c32.astype(np.float64)) - exact(x)) / np.abs(exact(x))
    print(f"{name}: max relative error {rel.max():.3g} (float32 coefficients, exact arithmetic)")
    for i, c in enumerate(c32[::-1]):
        print(f"  {name}{i} = {np.format_float_scientific(c, precision=16, unique=True)}f")


def main():
    half_ln2 = np.log(2) / 2
    # exp: e^r - 1 - r = r^2 P(r); relative error of e^r = r^2 (P - g) / e^r with g = (e^r - 1 - r) / r^2
    g = lambda r: np.where(np.abs(r) < 1e-5, 0.5 + r / 6 + r * r / 24, (np.expm1(r) - r) / np.where(r == 0, 1, r * r))
    coef = remez(g, lambda r: np.maximum(r * r, 1e-12) / np.exp(r), -half_ln2, half_ln2, 4)
    report("EXP_P", coef, lambda r, c: 1 + r + r * r * np.polynomial.polynomial.polyval(r, c), np.exp,
           -half_ln2, half_ln2)

if __name__ == "__main__":
    main()
