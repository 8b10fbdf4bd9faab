#!/usr/bin/python3
"""Independent NumPy reference for Plinth's HRV spectrum (schemas/hrv.md section 5).

Written from the formulas, not from the C++ code, with NumPy only (no SciPy on Debian's
/usr/bin/python3 here), so that the expected values in tests/unit/hrv_spectrum_test.cpp are not
the implementation checking itself:
  - not-a-knot cubic spline: a dense linear system for the knot second derivatives,
  - Welch: np.fft.rfft of periodic-Hann (or Hamming) windowed, mean-removed segments,
  - smoothness priors (Tarvainen, Ranta-aho, Karjalainen 2002): z - (I + lambda^2 D2'D2)^-1 z
    solved densely with np.linalg.solve,
  - bands by the trapezoid rule over the bins low <= f < high,
  - the respiratory peak rule of schemas/hrv.md 5.7.

Prints the segment-length table, the Kubios-preset values and detrended samples as the C++ test
expects them.  usage: tests/reference/hrv_spectrum_reference.py [DATA_DIR]
"""
import sys

import numpy as np

FS = 4.0
NFFT = 4096


def load(data_dir, name):
    return np.loadtxt(f"{data_dir}/hrv/{name}")


def not_a_knot_spline(t, y, grid):
    n = len(t)
    h = np.diff(t)
    a = np.zeros((n, n))
    r = np.zeros(n)
    # Third derivative continuous across t[1] and t[n-2].
    a[0, 0], a[0, 1], a[0, 2] = h[1], -(h[0] + h[1]), h[0]
    a[-1, -3], a[-1, -2], a[-1, -1] = h[-1], -(h[-2] + h[-1]), h[-2]
    for i in range(1, n - 1):
        a[i, i - 1] = h[i - 1]
        a[i, i] = 2.0 * (h[i - 1] + h[i])
        a[i, i + 1] = h[i]
        r[i] = 6.0 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1])
    m = np.linalg.solve(a, r)
    k = np.clip(np.searchsorted(t, grid, side="right") - 1, 0, n - 2)
    hk = h[k]
    left = t[k + 1] - grid
    right = grid - t[k]
    return (m[k] * left**3 / (6 * hk) + m[k + 1] * right**3 / (6 * hk)
            + (y[k] / hk - m[k] * hk / 6) * left + (y[k + 1] / hk - m[k + 1] * hk / 6) * right)


def resample(nn):
    t = np.concatenate(([0.0], np.cumsum(nn[1:]) / 1000.0))
    grid = np.arange(t[0], t[-1], 1.0 / FS)
    return not_a_knot_spline(t, nn, grid)  # dense: 175 MB and ~30 s for the 60-min series


def welch(x, seg, nfft=NFFT, window="hann"):
    seg = min(seg, len(x))
    n = np.arange(seg)
    if window == "hann":
        w = 0.5 - 0.5 * np.cos(2 * np.pi * n / seg)
    else:
        w = 0.54 - 0.46 * np.cos(2 * np.pi * n / seg)
    step = seg - seg // 2
    acc = np.zeros(nfft // 2 + 1)
    count = 0
    for start in range(0, len(x) - seg + 1, step):
        s = x[start:start + seg]
        s = (s - s.mean()) * w
        acc += np.abs(np.fft.rfft(s, nfft)) ** 2
        count += 1
    p = acc / (FS * np.sum(w * w) * count)
    p[1:-1] *= 2.0
    return np.arange(nfft // 2 + 1) * FS / nfft, p


def band(f, p, lo, hi):
    sel = (f >= lo - 1e-12) & (f < hi - 1e-12)
    ff, pp = f[sel], p[sel]
    return float(np.sum(0.5 * (pp[1:] + pp[:-1]) * np.diff(ff))), float(ff[np.argmax(pp)])


def smoothness_priors_dense(z, lam):
    n = len(z)
    d2 = np.zeros((n - 2, n))
    for i in range(n - 2):
        d2[i, i:i + 3] = (1.0, -2.0, 1.0)
    trend = np.linalg.solve(np.eye(n) + lam * lam * d2.T @ d2, z)
    return z - trend


def spectrum(x, seg, nfft=NFFT, window="hann", vlf_low=0.0033):
    f, p = welch(x, seg, nfft, window)
    vlf, _ = band(f, p, vlf_low, 0.04)
    lf, lf_peak = band(f, p, 0.04, 0.15)
    hf, hf_peak = band(f, p, 0.15, 0.40)
    return dict(vlf=vlf, lf=lf, hf=hf, lf_hf=lf / hf, lf_peak=lf_peak, hf_peak=hf_peak, f=f, p=p)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    series = {"5min": load(data_dir, "nsr_5min_nn_ms.txt"), "60min": load(data_dir, "nsr_60min_nn_ms.txt")}
    print("# Welch segment length vs LF, HF (ms^2), LF/HF; Hann, 50 % overlap, mean removed, trapezoid")
    for name, nn in series.items():
        x = resample(nn)
        x = x - x.mean()
        print(f"{name}: {len(x)} samples at 4 Hz")
        for label, seg in (("64s", 256), ("128s", 512), ("150s", 600), ("256s", 1024), ("whole", len(x))):
            nfft = NFFT if seg <= NFFT else 16384
            s = spectrum(x, seg, nfft)
            print(f"  {label:6s} seg={seg:6d} nfft={nfft:6d} LF={s['lf']:.4f} HF={s['hf']:.4f} "
                  f"LF/HF={s['lf_hf']:.6f} VLF={s['vlf']:.4f} lf_peak={s['lf_peak']:.6f} hf_peak={s['hf_peak']:.6f}")

    print("# Kubios-style preset: smoothness priors lambda=500 on the 4 Hz series, Hann 256 s, 50 %,"
          " VLF 0-0.04, trapezoid")
    nn = series["5min"]
    x = resample(nn)
    z = smoothness_priors_dense(x, 500.0)
    for i in (0, 1, 100, 600, len(z) - 1):
        print(f"  detrended[{i}] = {z[i]:.9f}   (resampled {x[i]:.9f})")
    print(f"  detrended sum of squares = {np.sum(z * z):.6f}, n = {len(z)}")
    for label, seg, nfft in (("256s", 1024, NFFT), ("150s", 600, NFFT), ("256s nfft 1024", 1024, 1024)):
        s = spectrum(z - z.mean(), seg, nfft, "hann", 0.0)
        print(f"  5min kubios {label}: VLF={s['vlf']:.4f} LF={s['lf']:.4f} HF={s['hf']:.4f} "
              f"LF/HF={s['lf_hf']:.6f} lf_peak={s['lf_peak']:.6f} hf_peak={s['hf_peak']:.6f} "
              f"resp={60 * respiratory_peak(s['f'], s['p'], FS / min(seg, len(z))):.6f}")

    # Gain of the smoothness-priors high-pass at a frequency, stationary (interior) part.
    for fq in (0.005, 0.01, 0.02, 0.0355, 0.04, 0.1, 0.25):
        w = 2 * np.pi * fq / FS
        q = (2 - 2 * np.cos(w)) ** 2 * 500.0**2
        print(f"  gain({fq} Hz) = {q / (1 + q):.6f}")

    print("# Respiratory peak rule (schemas/hrv.md 5.7), default settings")
    for name, nn in series.items():
        x = resample(nn)
        s = spectrum(x - x.mean(), 256)
        print(f"  {name} whole: resp={60 * respiratory_peak(s['f'], s['p'], FS / 256):.6f} "
              f"(HF argmax {60 * s['hf_peak']:.4f})")
    nn = series["60min"]
    end = np.cumsum(nn) / 1000.0
    for k in range(12):
        w = nn[(end > 300 * k) & (end <= 300 * (k + 1))]
        x = resample(w)
        s = spectrum(x - x.mean(), 256)
        print(f"  60min window {k:2d}: resp={60 * respiratory_peak(s['f'], s['p'], FS / 256):.6f} "
              f"HF argmax={60 * s['hf_peak']:.4f} dominant 0.05-0.4={60 * dominant(s['f'], s['p']):.4f}")


def local_peaks(f, p, lo, hi):
    """Bins k with lo <= f < hi and p[k] above both neighbours (which may lie outside)."""
    return [k for k in range(1, len(f) - 1)
            if lo - 1e-12 <= f[k] < hi - 1e-12 and p[k] > p[k - 1] and p[k] > p[k + 1]]


def dominant(f, p):
    peaks = local_peaks(f, p, 0.05, 0.40)
    return f[max(peaks, key=lambda k: p[k])] if peaks else float("nan")


def respiratory_peak(f, p, segment_hz):
    """Largest local maximum in [0.15, 0.40) Hz with >= 5 % of the PSD of the largest local
    maximum in [0.05, 0.40), and not within one segment bin (fs / L) of the 2nd or 3rd harmonic
    of that largest peak when it lies below 0.15 Hz."""
    everything = local_peaks(f, p, 0.05, 0.40)
    hf = local_peaks(f, p, 0.15, 0.40)
    if not hf:
        return float("nan")
    top = max(everything, key=lambda k: p[k])
    best = max(hf, key=lambda k: p[k])
    if p[best] < 0.05 * p[top]:
        return float("nan")
    if f[top] < 0.15 and any(abs(f[best] - h * f[top]) <= segment_hz for h in (2, 3)):
        return float("nan")
    return f[best]


if __name__ == "__main__":
    main()
