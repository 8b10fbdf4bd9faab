"""Expected values for tests/unit/pressure_noise_floor_test.cpp, from the real BodiTrak BT3510
exports in ../shared/data/pressure/pmatdata-exp2/S1 (29 files, each one 64 x 27 frame averaged
over ~20 frames; a baseline of ~40-50 counts where nothing presses).

The data set has no empty-mat recording, so a sensel's unloaded readings are taken from the
files in which the body is elsewhere: unloaded = more than 2 sensels (Chebyshev distance) from
any reading above 60 counts (the baseline's maximum is ~54). For sensel i, offset = mean and
spread = sample SD (ddof 1) of its unloaded readings; a sensel with fewer than 5 such readings
gets the median offset and the RMS spread of the others.
Run from the repo root: /usr/bin/python3 tests/reference/noise_floor_reference.py
"""
import glob
import re

import numpy as np

np.seterr(all="ignore")
import warnings

warnings.simplefilter("ignore", RuntimeWarning)

files = sorted(glob.glob("../shared/data/pressure/pmatdata-exp2/S1/*.txt"),
               key=lambda f: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", f)])
A = np.array([np.loadtxt(f) for f in files])  # [29, 64, 27]
R, C = A.shape[1:]


def near(mask, k):
    out = np.zeros_like(mask)
    for dr in range(-k, k + 1):
        for dc in range(-k, k + 1):
            out[max(0, dr):R + min(0, dr), max(0, dc):C + min(0, dc)] |= \
                mask[max(0, -dr):R + min(0, -dr), max(0, -dc):C + min(0, -dc)]
    return out


clearly_loaded = A > 60
unloaded = np.array([~near(m, 2) for m in clearly_loaded])


def calibration(use):
    V = np.where(unloaded & use[:, None, None], A, np.nan)
    n = (~np.isnan(V)).sum(0)
    ok = n >= 5
    with np.errstate(all="ignore"):
        off = np.nanmean(V, 0)
        sd = np.nanstd(V, 0, ddof=1)
    off = np.where(ok, off, np.median(off[ok]))
    sd = np.where(ok, sd, np.sqrt(np.mean(sd[ok] ** 2)))
    return off, sd, ok


off_all, sd_all, ok_all = calibration(np.ones(len(A), bool))
print(f"all 29 files: {ok_all.sum()} of {ok_all.size} sensels with >= 5 unloaded readings; "
      f"offset median {np.median(off_all):.4f}, spread median {np.median(sd_all):.4f}, "
      f"RMS {np.sqrt(np.mean(sd_all[ok_all] ** 2)):.4f}, max {sd_all.max():.4f} counts")

# How the unloaded readings spread about their sensel's offset, in units of its spread. Light
# loading only adds counts, so the lower tail is the cleaner view of the noise.
z = ((A - off_all) / sd_all)[unloaded & ok_all[None]]
print(f"unloaded readings: {z.size}; below -3 SD: {np.mean(z < -3):.5f}, above +3 SD: {np.mean(z > 3):.5f} "
      f"(Gaussian: 0.00135 each side)")

# A real loaded frame (B1) with a calibration from the other 28 files.
target = 0
off, sd, ok = calibration(np.arange(len(A)) != target)
F = A[target]
old = F > off                      # mean offset, no floor: the old behaviour
new = F > off + 3.0 * sd           # per-sensel floor, k = 3
far = unloaded[target]             # more than 2 sensels from the body
print(f"B1: calibrated sensels {ok.sum()}; contact old {old.sum()}, new {new.sum()} "
      f"(drop {old.sum() - new.sum()}); clearly loaded (>60) {clearly_loaded[target].sum()}, kept "
      f"{(new & clearly_loaded[target]).sum()}; far from the body: {far.sum()} sensels, in contact "
      f"old {(old & far).sum()}, new {(new & far).sum()}")
print(f"B1 offsets/spreads checksum: sum offset {off.sum():.6f}, sum spread {sd.sum():.6f}")

# The empty mat: per-sensel offsets and spreads of all 29 files, Gaussian noise of that spread,
# rounded to whole counts. Calibrated from 100 such frames, tested on others.
rng = np.random.default_rng(2024)
def empty_frames(n):
    return np.rint(off_all + sd_all * rng.standard_normal((n, R, C)))
cal = empty_frames(100)
o = cal.mean(0); s = cal.std(0, ddof=1)
test = empty_frames(2000)
n = R * C
for k in (0.0, 3.0, 4.0, 5.0):
    rate = np.mean(test > o + k * s)
    print(f"empty mat, k = {k}: {rate:.6f} of sensels in contact ({rate * n:.2f} per frame)")
mmhg = 0.05 * (test - o)
print(f"empty mat, k = 3 and 5 mmHg at 0.05 mmHg/count: {np.mean((test > o + 3 * s) & (mmhg > 5.0)):.6f}; "
      f"largest reading above its offset {np.max(test - o):.1f} counts = {0.05 * np.max(test - o):.2f} mmHg")
