#!/usr/bin/env python3
"""The Python side of the GPU check (bench/gpu-check.sh): references computed on the same machine.

  gpu_check.py env      --out FILE                  versions, the GPU, CUDA library folders
  gpu_check.py libs                                 prints the nvidia/*/lib folders of this Python (a path list)
  gpu_check.py prepare  --dir WORK --out FILE [--small] [--device auto|cuda|cpu] [--deadline-seconds S]
        writes the parity matrices (float32 .npy) and their float64 reference eigenvalues
        (torch.linalg.eigvalsh of the float64 Gram matrix, on the GPU) with WORK/manifest.json
  gpu_check.py speed    --out FILE [--small] [--device ...] [--deadline-seconds S]
        torch.linalg.svdvals (what WeightWatcher uses on a GPU) and torch's own Gram + eigvalsh on
        the 7B-shaped set and on 2048² matrices
  gpu_check.py report   --parts DIR --json FILE --md FILE
        merges every part into one JSON and one Markdown file (whatever parts exist)

Needs torch and numpy. Every step writes its JSON as it goes, so a timeout leaves what was done.
Without a GPU (--device cpu, or auto on a machine without one) the same code runs on the CPU, on
small sizes with --small: how the script is tested where there is no GPU.
"""
import argparse
import glob
import json
import os
import platform
import site
import statistics
import sys
import time


def save(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, default=str)
    os.replace(tmp, path)


def torch_device(choice):
    import torch
    if choice == "cpu":
        return torch.device("cpu")
    if choice == "cuda" or torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def sync(device):
    import torch
    if device.type == "cuda":
        torch.cuda.synchronize()


def library_dirs():
    """nvidia/*/lib folders (pip's CUDA packages) and torch/lib of this Python, as SPECWATCH_CUDA_LIBS would list them."""
    roots = []
    try:
        roots += site.getsitepackages()
    except AttributeError:
        pass
    try:
        roots.append(site.getusersitepackages())
    except AttributeError:
        pass
    roots += [p for p in sys.path if p]
    out = []
    for root in roots:
        for d in sorted(glob.glob(os.path.join(root, "nvidia", "*", "lib")), reverse=True) + [os.path.join(root, "torch", "lib")]:
            if os.path.isdir(d) and d not in out:
                out.append(d)
    return out


def cmd_env(args):
    data = {"python": sys.version.split()[0], "platform": platform.platform(), "library_dirs": library_dirs()}
    try:
        libc = platform.libc_ver()
        data["libc"] = "%s %s" % libc
    except Exception as e:  # noqa: BLE001 - a fact for the report, never fatal
        data["libc"] = repr(e)
    try:
        import numpy
        data["numpy"] = numpy.__version__
        import torch
        data["torch"] = torch.__version__
        data["torch_cuda"] = torch.version.cuda
        data["cuda_available"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            p = torch.cuda.get_device_properties(0)
            data["gpu"] = {"name": p.name, "memory_gib": round(p.total_memory / 2**30, 1),
                           "capability": "%d.%d" % (p.major, p.minor), "count": torch.cuda.device_count(),
                           "multiprocessors": p.multi_processor_count}
            data["torch_linalg_library"] = str(torch.backends.cuda.preferred_linalg_library())
    except Exception as e:  # noqa: BLE001
        data["error"] = repr(e)
    save(args.out, data)
    print(json.dumps(data, indent=2, default=str))


def cmd_libs(args):
    print(os.pathsep.join(library_dirs()))


# name, rows, cols, kind — square, tall, wide, 64 to 8192; Gaussian, heavy-tailed entries,
# power-law spectra (like trained weights) and planted spikes
PARITY = [
    ("g-64", 64, 64, "gaussian"), ("t-64", 64, 64, "heavy"), ("g-128x512", 128, 512, "gaussian"),
    ("t-512x128", 512, 128, "heavy"), ("g-300x200", 300, 200, "gaussian"), ("s-1000x500", 1000, 500, "spiked"),
    ("g-1024", 1024, 1024, "gaussian"), ("p-1024", 1024, 1024, "powerlaw"), ("t-2048x768", 2048, 768, "heavy"),
    ("p-768x3072", 768, 3072, "powerlaw"), ("g-2048", 2048, 2048, "gaussian"), ("s-4096x1024", 4096, 1024, "spiked"),
    ("t-1024x4096", 1024, 4096, "heavy"), ("g-4096", 4096, 4096, "gaussian"), ("p-4096", 4096, 4096, "powerlaw"),
    ("t-11008x4096", 11008, 4096, "heavy"), ("g-4096x11008", 4096, 11008, "gaussian"), ("s-8192x2048", 8192, 2048, "spiked"),
    ("p-2048x8192", 2048, 8192, "powerlaw"), ("t-8192", 8192, 8192, "heavy"),
]
PARITY_SMALL = [("g-64", 64, 64, "gaussian"), ("t-96x40", 96, 40, "heavy"), ("p-50x120", 50, 120, "powerlaw"),
                ("s-200x100", 200, 100, "spiked")]


def make_matrix(torch, rows, cols, kind, seed, device):
    g = torch.Generator(device=device).manual_seed(seed)
    m = min(rows, cols)
    if kind == "gaussian":
        return torch.randn(rows, cols, generator=g, device=device, dtype=torch.float32)
    if kind == "heavy":
        # Student-t entries with 2.5 degrees of freedom (infinite fourth moment): a heavy-tailed ESD
        z = torch.randn(rows, cols, generator=g, device=device, dtype=torch.float64)
        chi2 = torch.distributions.Chi2(torch.tensor(2.5, dtype=torch.float64, device=device))
        torch.manual_seed(seed)
        v = chi2.sample((rows, cols))
        return (z / torch.sqrt(v / 2.5)).to(torch.float32)
    if kind == "spiked":
        w = torch.randn(rows, cols, generator=g, device=device, dtype=torch.float64)
        for strength in (4.0, 6.0, 9.0):
            u = torch.randn(rows, 1, generator=g, device=device, dtype=torch.float64)
            v = torch.randn(1, cols, generator=g, device=device, dtype=torch.float64)
            w += strength * (rows * cols) ** 0.25 * (u / u.norm()) @ (v / v.norm())
        return w.to(torch.float32)
    if kind == "powerlaw":
        # U diag(σ) Vᵀ with σ² a Pareto sample of exponent 3 (xmin 1), Haar-like U, V from QR
        u, _ = torch.linalg.qr(torch.randn(rows, m, generator=g, device=device, dtype=torch.float64))
        v, _ = torch.linalg.qr(torch.randn(cols, m, generator=g, device=device, dtype=torch.float64))
        x = torch.rand(m, generator=g, device=device, dtype=torch.float64)
        sigma = torch.sqrt((1 - x) ** (-1 / 2.0))
        return ((u * sigma) @ v.T).to(torch.float32)
    raise ValueError(kind)


def cmd_prepare(args):
    import numpy as np
    import torch
    device = torch_device(args.device)
    deadline = time.time() + args.deadline_seconds
    os.makedirs(args.dir, exist_ok=True)
    specs = PARITY_SMALL if args.small else PARITY
    manifest = {"reference": "torch.linalg.eigvalsh of the float64 Gram matrix of the float32 matrix, on " + str(device),
                "device": str(device), "torch": torch.__version__, "matrices": []}
    status = {"status": "running", "device": str(device), "matrices": []}
    for i, (name, rows, cols, kind) in enumerate(specs):
        if time.time() > deadline:
            status["stopped"] = "deadline after %d matrices" % i
            break
        start = time.time()
        w = make_matrix(torch, rows, cols, kind, 1000 + i, device)
        w64 = w.to(torch.float64)
        gram = w64.T @ w64 if rows >= cols else w64 @ w64.T
        ref = torch.linalg.eigvalsh(gram)
        sync(device)
        seconds = time.time() - start
        wfile, rfile = name + ".w.npy", name + ".ref.npy"
        np.save(os.path.join(args.dir, wfile), w.cpu().numpy())
        np.save(os.path.join(args.dir, rfile), ref.cpu().numpy())
        del w, w64, gram, ref
        manifest["matrices"].append({"name": name, "rows": rows, "cols": cols, "kind": kind, "w": wfile, "ref": rfile})
        save(os.path.join(args.dir, "manifest.json"), manifest)
        status["matrices"].append({"name": name, "seconds": round(seconds, 3)})
        save(args.out, status)
        print("prepared %s (%d x %d, %s) in %.2f s" % (name, rows, cols, kind, seconds), flush=True)
    status["status"] = "ok" if "stopped" not in status else "partial"
    save(args.out, status)


def timed(device, fn):
    sync(device)
    start = time.perf_counter()
    fn()
    sync(device)
    return time.perf_counter() - start


def block_shapes(small):
    d, f = (64, 172) if small else (4096, 11008)
    return [(d, d)] * 4 + [(f, d)] * 2 + [(d, f)]


def cmd_speed(args):
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False  # the same FP32 arithmetic as our engine's default
    device = torch_device(args.device)
    deadline = time.time() + args.deadline_seconds
    blocks = 2 if args.small else 32
    per = 128 if args.small else 2048
    out = {"status": "running", "device": str(device), "torch": torch.__version__, "small": args.small,
           "note": "matrices generated on the device: no host-to-device copy is timed here (our engine's times include its upload)"}
    if device.type == "cuda":
        out["gpu"] = torch.cuda.get_device_name(0)
    gen = torch.Generator(device=device).manual_seed(7)

    def randn(r, c):
        return torch.randn(r, c, generator=gen, device=device, dtype=torch.float32)

    def gram_eigvalsh(w):
        g = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        return torch.linalg.eigvalsh(g)

    # warm-up: library handles, workspaces, kernels
    for fn in (torch.linalg.svdvals, gram_eigvalsh):
        timed(device, lambda: fn(randn(512, 512)))

    # 2048² per matrix, each method, distinct matrices
    runs = 5 if args.small else 10
    per_matrix = {}
    for label, fn in (("svdvals", torch.linalg.svdvals), ("gram_eigvalsh", gram_eigvalsh)):
        times = []
        for _ in range(runs):
            if time.time() > deadline:
                break
            w = randn(per, per)
            times.append(timed(device, lambda: fn(w)))
        per_matrix[label] = {"shape": "%dx%d" % (per, per), "seconds": times,
                             "median_seconds": statistics.median(times) if times else None}
    out["per_matrix"] = per_matrix
    save(args.out, out)

    # the 7B set: svdvals on one block of 7 scaled by the 32 blocks (all of it would not fit the time)
    block = block_shapes(args.small)
    svd = {"method": "torch.linalg.svdvals, float32", "block": ["%dx%d" % s for s in block], "seconds": []}
    for r, c in block:
        if time.time() > deadline:
            svd["stopped"] = "deadline"
            break
        w = randn(r, c)
        svd["seconds"].append(timed(device, lambda: torch.linalg.svdvals(w)))
        del w
        out["set_7b_svdvals"] = svd
        save(args.out, out)
    if len(svd["seconds"]) == len(block):
        svd["block_seconds"] = sum(svd["seconds"])
        svd["scaled_to_set_seconds"] = svd["block_seconds"] * blocks
        svd["scaled"] = "one block of %d matrices timed, times %d blocks" % (len(block), blocks)
    out["set_7b_svdvals"] = svd
    save(args.out, out)

    # torch's own Gram + eigvalsh (the same method as our engine) on the whole set, generated in batches
    eig = {"method": "torch Gram (float32, TF32 off) + torch.linalg.eigvalsh", "matrices": 0, "seconds": 0.0}
    for b in range(blocks):
        if time.time() > deadline:
            eig["stopped"] = "deadline after %d blocks" % b
            break
        for r, c in block:
            w = randn(r, c)
            eig["seconds"] += timed(device, lambda: gram_eigvalsh(w))
            eig["matrices"] += 1
            del w
    eig["of"] = blocks * len(block)
    if eig["matrices"] < eig["of"] and eig["matrices"] > 0:
        eig["scaled_to_set_seconds"] = eig["seconds"] * eig["of"] / eig["matrices"]
    out["set_7b_gram_eigvalsh"] = eig
    out["status"] = "ok"
    save(args.out, out)
    print(json.dumps(out, indent=2, default=str))


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"status": "missing", "reason": "%s: %s" % (os.path.basename(path), e)}


def fmt(x, spec="%.3g"):
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "**no**"
    if isinstance(x, (int, float)):
        return spec % x
    return str(x)


def cmd_report(args):
    parts = {name: load(os.path.join(args.parts, name + ".json"))
             for name in ("env", "doctor", "prepare", "parity", "speed-java", "speed-torch", "steps")}
    env, doctor, parity = parts["env"], parts["doctor"], parts["parity"]
    java, torch_speed = parts["speed-java"], parts["speed-torch"]
    summary = {}
    md = ["# GPU check", ""]
    gpu = env.get("gpu") or {}
    md.append("Machine: %s (%s GiB, compute capability %s), %s; torch %s (CUDA %s), Python %s, %s." % (
        gpu.get("name", "no GPU seen by torch"), gpu.get("memory_gib", "?"), gpu.get("capability", "?"),
        env.get("platform", "?"), env.get("torch", "?"), env.get("torch_cuda", "?"), env.get("python", "?"), env.get("libc", "?")))
    md.append("")
    if doctor.get("usable") is not True:
        md.append("**No usable GPU for specwatch**: %s. The torch references below ran %s." % (
            doctor.get("reason") or (doctor.get("doctor") or ["?"])[-1], "on " + str(torch_speed.get("device", "?"))))
        md.append("")
    md.append("## Discovery (specwatch doctor)")
    md.append("")
    md.append("```")
    md += doctor.get("doctor", [doctor.get("reason", "no doctor output")])
    md.append("```")
    if doctor.get("status") == "missing":
        # the Java side did not even write its file: show why (e.g. the runtime needs a newer glibc)
        log = os.path.join(os.path.dirname(os.path.abspath(args.parts)), "logs", "doctor.log")
        try:
            with open(log) as f:
                lines = f.read().splitlines()[:20]
        except OSError:
            lines = ["(no %s)" % log]
        md.append("")
        md.append("The Java side did not start; its output:")
        md.append("")
        md.append("```")
        md += lines
        md.append("```")
    if parts["steps"].get("hint"):
        md.append("")
        md.append("Library hint needed: " + parts["steps"]["hint"])
    md.append("")

    md.append("## Parity with a float64 reference (%s)" % parity.get("reference", "?"))
    md.append("")
    if parity.get("status") not in ("ok", "parity-failures"):
        md.append("Not run to the end: status %s, %s" % (parity.get("status"), parity.get("reason", "")))
        md.append("")
    for label, rows in (parity.get("engines") or {}).items():
        md.append("### %s" % label)
        md.append("")
        md.append("| matrix | shape | kind | top-10 max rel. error | max error / λ_max | α (ref) | xmin (ref) | tail (ref) | spikes (ref) | s | pass |")
        md.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            md.append("| %s | %d×%d | %s | %s | %s | %s (%s) | %s (%s) | %s (%s) | %s (%s) | %s | %s |" % (
                r.get("name"), r.get("rows", 0), r.get("cols", 0), r.get("kind"), fmt(r.get("top10_max_relative_error"), "%.2e"),
                fmt(r.get("all_max_error_over_lambda_max"), "%.2e"), fmt(r.get("alpha"), "%.4f"), fmt(r.get("alpha_reference"), "%.4f"),
                fmt(r.get("xmin"), "%.5g"), fmt(r.get("xmin_reference"), "%.5g"), fmt(r.get("tail")), fmt(r.get("tail_reference")),
                fmt(r.get("spikes")), fmt(r.get("spikes_reference")), fmt(r.get("seconds"), "%.3f"),
                fmt(r.get("pass")) if "error" not in r else "**error: %s**" % r["error"]))
        md.append("")
        summary["parity_" + label + "_pass"] = all(r.get("pass") for r in rows) if rows else False
    for label, c in (parity.get("contract") or {}).items():
        if isinstance(c, dict):
            md.append("Engine contract, %s: %d checks passed, %d failed%s" % (
                label, c.get("passed", 0), len(c.get("failed", [])), "".join("\n  * " + f for f in c.get("failed", []))))
            md.append("")
    summary["contract_failures"] = parity.get("contract_failures")

    md.append("## Speed")
    md.append("")
    if java.get("status") not in ("ok",):
        md.append("Java side status: %s %s" % (java.get("status"), java.get("reason", "")))
        md.append("")
    set7 = java.get("set_7b") or {}
    svd = torch_speed.get("set_7b_svdvals") or {}
    eig = torch_speed.get("set_7b_gram_eigvalsh") or {}
    ours = set7.get("wall_seconds") if set7.get("complete") else set7.get("wall_seconds_scaled_to_all")
    ref = svd.get("scaled_to_set_seconds")
    engine = java.get("engine", "cuda")
    small = " — SMALL SIZES (a test of the harness, not a measurement)" if java.get("small") or torch_speed.get("small") else ""
    md.append("7B-shaped set (32 × {4096² ×4, 11008×4096 ×2, 4096×11008}, 224 matrices, values only)%s; engine under test: %s:" % (small, engine))
    md.append("")
    md.append("| method | seconds | note |")
    md.append("|---|---|---|")
    md.append("| specwatch engine, float32, 1 engine | %s | wall time incl. upload from the host; %s of %s matrices; engine time %s s, waiting for the generator %s s |" % (
        fmt(ours, "%.1f"), set7.get("matrices"), set7.get("of"), fmt(set7.get("engine_seconds"), "%.1f"),
        fmt(set7.get("waiting_for_generator_seconds"), "%.1f")))
    for p in java.get("set_7b_parallel") or []:
        w = p.get("wall_seconds") if p.get("complete") else p.get("wall_seconds_scaled_to_all")
        md.append("| specwatch engine, %d engines at once | %s | wall time; %s of %s matrices |" % (
            p.get("engines"), fmt(w, "%.1f"), p.get("matrices"), p.get("of")))
    md.append("| torch.linalg.svdvals | %s | %s |" % (fmt(ref, "%.1f"), svd.get("scaled", "not complete: " + str(svd.get("seconds")))))
    md.append("| torch Gram + eigvalsh | %s | %s of %s matrices, on-device data |" % (
        fmt(eig.get("seconds") if eig.get("matrices") == eig.get("of") else eig.get("scaled_to_set_seconds"), "%.1f"),
        eig.get("matrices"), eig.get("of")))
    md.append("")
    if ours and ref:
        summary["set_7b_seconds"] = ours
        summary["set_7b_svdvals_seconds"] = ref
        summary["set_7b_speedup_vs_svdvals"] = ref / ours
        summary["goal_under_30s"] = ours < 30
        summary["goal_5x_svdvals"] = ref / ours >= 5
        md.append("Goals: under 30 s: %s (%.1f s); at least 5× faster than svdvals: %s (%.1f×)." % (
            fmt(ours < 30), ours, fmt(ref / ours >= 5), ref / ours))
        md.append("")
    pm = java.get("per_matrix") or {}
    tpm = torch_speed.get("per_matrix") or {}
    md.append("Per matrix, %s (medians): specwatch %s s (first call of the process %s s, not included); svdvals %s s; torch Gram + eigvalsh %s s." % (
        pm.get("shape") or (tpm.get("svdvals") or {}).get("shape", "2048x2048"), fmt(pm.get("median_seconds"), "%.4f"), fmt(java.get("first_call_seconds"), "%.2f"),
        fmt((tpm.get("svdvals") or {}).get("median_seconds"), "%.4f"), fmt((tpm.get("gram_eigvalsh") or {}).get("median_seconds"), "%.4f")))
    md.append("")
    if java.get("sizes_float32"):
        md.append("Square matrices, values only, medians (s): float32 " + ", ".join(
            "%d²: %s" % (s["n"], fmt(s.get("median_seconds"), "%.4f")) for s in java["sizes_float32"]) + "; float64 " + ", ".join(
            "%d²: %s" % (s["n"], fmt(s.get("median_seconds"), "%.4f")) for s in java.get("sizes_float64", [])) + ".")
        md.append("")
    if java.get("vectors"):
        md.append("Vectors at %s (medians, s): %s." % (java["vectors"].get("shape"), ", ".join(
            "%s %s" % (k.replace("_median_seconds", ""), fmt(v, "%.4f")) for k, v in java["vectors"].items() if k.endswith("_median_seconds"))))
        md.append("")
    fb = java.get("fallbacks") or {}
    md.append("Fallbacks to a CPU engine during the speed runs (must be 0): " + json.dumps(fb))
    md.append("")
    steps = parts["steps"].get("steps") or []
    if steps:
        md.append("Steps: " + "; ".join("%s exit %s in %ss" % (s.get("name"), s.get("exit"), s.get("seconds")) for s in steps))
        md.append("")
    merged = {"summary": summary, "parts": parts}
    save(args.json, merged)
    with open(args.md, "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("env")
    e.add_argument("--out", required=True)
    sub.add_parser("libs")
    for name in ("prepare", "speed"):
        s = sub.add_parser(name)
        s.add_argument("--out", required=True)
        s.add_argument("--small", action="store_true")
        s.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
        s.add_argument("--deadline-seconds", type=float, default=1e6)
        if name == "prepare":
            s.add_argument("--dir", required=True)
    r = sub.add_parser("report")
    r.add_argument("--parts", required=True)
    r.add_argument("--json", required=True)
    r.add_argument("--md", required=True)
    args = p.parse_args()
    {"env": cmd_env, "libs": cmd_libs, "prepare": cmd_prepare, "speed": cmd_speed, "report": cmd_report}[args.command](args)


if __name__ == "__main__":
    main()
