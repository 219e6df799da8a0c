#!/usr/bin/env python3
"""Times what WeightWatcher (0.7.5.x) does per matrix on CPU, emulated with numpy/scipy.

Comparison only: nothing in specwatch depends on Python. WeightWatcher itself cannot be installed
on the project's machines (no PyPI), so its per-matrix path is reproduced step by step:

1. singular values with scipy (`scipy.linalg.svdvals`, float32 input, the fastest SciPy route);
2. the power-law fit as the `powerlaw` package runs it: for every candidate xmin, the MLE alpha and
   the KS distance over the whole tail, vectorised per candidate with numpy (O(n^2) in total);
3. the Marchenko-Pastur fit as WeightWatcher runs it: a brute-force search over sigma that refits
   the linear-kernel density estimate (bandwidth 0.1, 1000 points) for every trial sigma.

The emulation is a lower bound on WeightWatcher's cost: `powerlaw` and scikit-learn add object and
tree overheads that numpy's vectorised loops do not have.

Usage: python3 bench/compare-weightwatcher-path.py [--sizes 2048x2048,...] [--repeats 3] [--budget-seconds 120]
       python3 bench/compare-weightwatcher-path.py --checkpoint model.safetensors [--mp]
         (the whole-model path once: every float tensor with two or more dimensions; time it as a process)
"""
import argparse
import os
import platform
import statistics
import time

import numpy as np
import scipy
import scipy.linalg


def power_law_matrix(rows, cols, alpha, seed):
    """U diag(s) V^T with Haar U, V and s^2 a Pareto(alpha) sample: a power-law ESD."""
    rng = np.random.default_rng(seed)
    m = min(rows, cols)
    lam = np.sort((1 - rng.random(m)) ** (-1 / (alpha - 1)))[::-1]
    u, _ = np.linalg.qr(rng.standard_normal((rows, m)).astype(np.float32))
    v, _ = np.linalg.qr(rng.standard_normal((cols, m)).astype(np.float32))
    return ((u * np.sqrt(lam).astype(np.float32)) @ v.T).astype(np.float32)


def ww_power_law(evals):
    x = np.sort(evals[evals > 1e-5])
    n = len(x)
    best = (np.inf, np.nan, np.nan)
    for i in range(n - 1):
        tail = x[i:]
        k = n - i
        alpha = 1 + k / np.sum(np.log(tail / x[i]))
        if alpha > 1:
            theoretical = 1 - (tail / x[i]) ** (1 - alpha)
            empirical = np.arange(k) / k
            d = np.max(np.abs(theoretical - empirical))
        else:
            d = 1.0
        if d < best[0]:
            best = (d, alpha, x[i])
    return best


def linear_kde(samples, grid, h=0.1):
    u = np.abs(grid[:, None] - samples[None, :]) / h
    return np.where(u < 1, (1 - u) / h, 0).sum(axis=1) / len(samples)


def mp_pdf(x, sigma, q):
    a = sigma ** 2 * (1 - 1 / np.sqrt(q)) ** 2
    b = sigma ** 2 * (1 + 1 / np.sqrt(q)) ** 2
    inside = (x > a) & (x < b)
    out = np.zeros_like(x)
    xi = x[inside]
    out[inside] = np.sqrt((b - xi) * (xi - a)) / (2 * np.pi * sigma ** 2 * xi / q)
    return out


def ww_mp_fit(evals, n, m):
    q = n / m
    lam = evals * len(evals) / np.sum(evals)
    grid = np.linspace(0, lam.max() + 0.5, 1000)
    s0 = np.sqrt(lam.max() / (1 + q ** -0.5) ** 2)

    def error(sigma):
        density = linear_kde(lam, grid)  # refitted for every sigma, as WeightWatcher does
        peak = grid[np.argmax(density)]
        if sigma ** 2 * (1 + q ** -0.5) ** 2 < peak or sigma ** 2 * (1 - q ** -0.5) ** 2 > peak:
            return np.inf
        mask = density >= 0.01
        return np.sum((mp_pdf(grid[mask], sigma, q) - density[mask]) ** 2)

    sigmas = s0 * np.arange(0.05, 2.0001, 0.01)
    errors = [error(s) for s in sigmas]
    best = sigmas[int(np.argmin(errors))]
    # local refinement, as scipy.optimize.brute(finish=fmin) does: ~50 more evaluations
    for s in best + s0 * np.linspace(-0.01, 0.01, 50):
        errors.append(error(s))
    return best


def median_ms(fn, repeats, budget):
    times = []
    start = time.perf_counter()
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times), len(times), result


def whole_checkpoint(path, with_mp):
    """WeightWatcher's per-matrix path over a safetensors file, as one process would run it."""
    from safetensors import safe_open
    count = 0
    with safe_open(path, framework="np") as f:
        for name in f.keys():
            w = f.get_tensor(name)
            if w.ndim < 2 or w.dtype.kind != "f":
                continue
            w = w.reshape(w.shape[0], -1).astype(np.float32)
            evals = np.sort(scipy.linalg.svdvals(w).astype(np.float64) ** 2)
            ww_power_law(evals)
            if with_mp:
                ww_mp_fit(evals, max(w.shape), min(w.shape))
            count += 1
    print(f"# {count} matrices", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="512x512,1024x1024,2048x2048,4096x4096,1024x4096,4096x11008")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--budget-seconds", type=float, default=120)
    parser.add_argument("--checkpoint", help="a .safetensors file: run the whole-model path once")
    parser.add_argument("--mp", action="store_true", help="with --checkpoint: also the Marchenko-Pastur fit")
    args = parser.parse_args()
    if args.checkpoint:
        whole_checkpoint(args.checkpoint, args.mp)
        return
    print(f"# WeightWatcher CPU path (numpy {np.__version__}, scipy {scipy.__version__}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})")
    print("| shape | scipy svdvals ms | power-law scan ms | MP fit ms | total ms | runs |")
    print("|---|---:|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        rows, cols = (int(v) for v in size.lower().split("x"))
        w = power_law_matrix(rows, cols, 3.0, 1)
        svd_ms, runs, s = median_ms(lambda: scipy.linalg.svdvals(w), args.repeats, args.budget_seconds)
        evals = np.sort(s.astype(np.float64) ** 2)
        pl_ms, _, _ = median_ms(lambda: ww_power_law(evals), args.repeats, args.budget_seconds)
        mp_ms, _, _ = median_ms(lambda: ww_mp_fit(evals, max(rows, cols), min(rows, cols)), args.repeats,
                                args.budget_seconds)
        print(f"| {rows}x{cols} | {svd_ms:.1f} | {pl_ms:.1f} | {mp_ms:.1f} | {svd_ms + pl_ms + mp_ms:.1f} | {runs} |",
              flush=True)


if __name__ == "__main__":
    main()
