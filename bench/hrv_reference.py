#!/usr/bin/python3
"""Side-by-side HRV: Plinth's C++ update (bench_hrv, BM_HrvUpdate5min) against an independent
NumPy/SciPy implementation of the same documented settings (schemas/hrv.md sections 4-6,
"default" preset), on the same NN series, timed in one run and reported as a ratio.

The reference is written from the spec with library routines only: scipy.interpolate.CubicSpline
(not-a-knot), scipy.signal.welch (Hann, 256 samples, 50 % overlap, nfft 4096, constant detrend,
density), numpy.trapz over the band bins. pyHRV/NeuroKit2 are not installable here (no PyPI);
the values are also checked against `plinth hrv --correction none` (the same computation as
the benchmarked call).

Needs python3-numpy and python3-scipy (Debian).
usage: bench/hrv_reference.py BUILD_DIR [NN_FILE] [--iterations N]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import welch

BANDS = {"vlf": (0.0033, 0.04), "lf": (0.04, 0.15), "hf": (0.15, 0.40)}
FS = 4.0


def hrv_reference(nn):
    """Time domain, Poincare, Welch LF/HF and PNS index of one window of NN intervals (ms)."""
    d = np.diff(nn)
    mean_nn = nn.mean()
    sdnn = nn.std(ddof=1)
    rmssd = math.sqrt(np.mean(d * d))
    var_d = d.var(ddof=1)
    sd1 = math.sqrt(0.5 * var_d)
    sd2 = math.sqrt(2.0 * sdnn * sdnn - 0.5 * var_d)
    out = {
        "mean_nn_ms": mean_nn,
        "hr_bpm": 60000.0 / mean_nn,
        "sdnn_ms": sdnn,
        "rmssd_ms": rmssd,
        "ln_rmssd": math.log(rmssd),
        "pnn50_pct": 100.0 * np.count_nonzero(np.abs(d) > 50.0) / d.size,
        "sd1_ms": sd1,
        "sd2_ms": sd2,
        "sd1_sd2": sd1 / sd2,
    }
    t = np.concatenate(([0.0], np.cumsum(nn[1:]) / 1000.0))  # each NN sits at the beat ending it
    grid = np.arange(t[0], t[-1], 1.0 / FS)
    x = CubicSpline(t, nn, bc_type="not-a-knot")(grid)
    x = x - x.mean()
    f, p = welch(x, fs=FS, window="hann", nperseg=256, noverlap=128, nfft=4096, detrend="constant",
                 scaling="density", average="mean")
    for name, (lo, hi) in BANDS.items():
        sel = (f >= lo) & (f < hi)
        out[name + "_ms2"] = np.trapz(p[sel], f[sel])
        if name != "vlf":
            out[name + "_peak_hz"] = f[sel][np.argmax(p[sel])]
    lf, hf = out["lf_ms2"], out["hf_ms2"]
    out["lf_hf"] = lf / hf
    out["lf_nu"] = 100.0 * lf / (lf + hf)
    out["hf_nu"] = 100.0 * hf / (lf + hf)
    out["resp_rate_bpm"] = 60.0 * out["hf_peak_hz"]
    sd1_pct = 100.0 * sd1 / mean_nn
    out["pns_index"] = ((mean_nn - 926.0) / 90.0 + (rmssd - 42.0) / 15.0 + (sd1_pct - 3.207) / 1.145) / 3.0
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("nn_file", nargs="?", default="../shared/data/hrv/nsr_5min_nn_ms.txt")
    ap.add_argument("--iterations", type=int, default=2000)
    args = ap.parse_args()

    nn = np.loadtxt(args.nn_file)
    ref = hrv_reference(nn)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(args.iterations):
        hrv_reference(nn)
    py_cpu_us = (time.process_time() - cpu0) / args.iterations * 1e6
    py_wall_us = (time.perf_counter() - wall0) / args.iterations * 1e6

    bench = subprocess.run([os.path.join(args.build_dir, "daemon/hrv/bench_hrv"),
                            "--benchmark_filter=BM_HrvUpdate5min$", "--benchmark_format=json"],
                           check=True, capture_output=True, text=True)
    b = json.loads(bench.stdout)["benchmarks"][0]
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
    cpp_cpu_us, cpp_wall_us = b["cpu_time"] * scale, b["real_time"] * scale

    plinth = subprocess.run([os.path.join(args.build_dir, "tools/plinth"), "hrv", args.nn_file,
                             "--correction", "none", "--window", "300"],
                            check=True, capture_output=True, text=True)
    ours = json.loads(plinth.stdout)["whole"]

    print(f"HRV on {args.nn_file}: {nn.size} NN, {nn.sum() / 1000:.1f} s; load {os.getloadavg()[0]:.2f}")
    print(f"  {'metric':<16} {'plinth':>14} {'numpy/scipy':>14} {'rel diff':>10}")
    worst = 0.0
    for k, v in ref.items():
        mine = ours.get(k)
        rel = abs(mine - v) / max(abs(v), 1e-12) if mine is not None else float("inf")
        worst = max(worst, rel)
        print(f"  {k:<16} {mine if mine is not None else float('nan'):>14.6g} {v:>14.6g} {rel:>10.2e}")
    print(f"  one 5-min update: plinth {cpp_cpu_us:.1f} us CPU ({cpp_wall_us:.1f} us wall); "
          f"numpy/scipy {py_cpu_us:.1f} us CPU ({py_wall_us:.1f} us wall) over {args.iterations} runs")
    print(f"RESULT hrv nn={nn.size} plinth_us={cpp_cpu_us:.1f} reference_us={py_cpu_us:.1f} "
          f"ratio={py_cpu_us / cpp_cpu_us:.1f} worst_rel_diff={worst:.2e} load={os.getloadavg()[0]:.2f}")
    return 0 if worst < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
