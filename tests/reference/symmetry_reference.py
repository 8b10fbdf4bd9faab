"""Expected values for tests/unit/pressure_recordings_test.cpp (PressureRecordings.Symmetry*).

A real supine frame (Vista FSA, ../shared/data/pressure/pmatdata/S1/1.txt, frame 10; 64 x 32,
2.54 cm), calibrated as in the test (0.05 mmHg per count, values <= 5 mmHg read 0), then one
side scaled: sensels whose centre lies left of the unscaled frame's split line by s_left, the
others by s_right. The index is computed here independently of the C++ code:
 - rows: the midline is the mean column centre of the contact sensels (P > 0); a column's
   left share is clip((x_mid - c*pitch) / pitch, 0, 1);
 - principal: the axis is the major eigenvector of the contact mask's covariance
   (numpy.linalg.eigh), and each sensel's left share is counted on a 64 x 64 grid of points.
Also printed: what the old rule (split about the CoP, whole sensels) gave.
Run from the repo root: /usr/bin/python3 tests/reference/symmetry_reference.py
"""
import numpy as np

PITCH = 2.54
rows, cols = 64, 32
raw = np.loadtxt("../shared/data/pressure/pmatdata/S1/1.txt")[10].reshape(rows, cols)
p = raw * 0.05
p[p <= 5.0] = 0.0
p = p.astype(np.float32)
yc = (np.arange(rows)[:, None] + 0.5) * PITCH * np.ones((1, cols))
xc = (np.arange(cols)[None, :] + 0.5) * PITCH * np.ones((rows, 1))


def index(left, right):
    return 100.0 * (left - right) / (0.5 * (left + right))


def rows_split(m):
    mask = m > 0
    xm = xc[mask].mean()
    share = np.clip((xm - np.arange(cols) * PITCH) / PITCH, 0.0, 1.0)[None, :]
    return index((m * share).sum(), (m * (1 - share)).sum()), xm


def principal_axis(m):
    mask = m > 0
    pts = np.stack([yc[mask], xc[mask]])
    centre = pts.mean(axis=1)
    w, v = np.linalg.eigh(np.cov(pts, bias=True))
    u = v[:, np.argmax(w)]  # (row, col) direction of the long axis
    if u[0] < 0:
        u = -u  # pointing toward larger rows, as theta in (-90, 90]
    return centre, u


SUB = 64
offs = (np.arange(SUB) + 0.5) / SUB - 0.5


def principal_split(m):
    (ym, xm), u = principal_axis(m)
    # left when u_row * dx - u_col * dy < 0 at a point
    dy = yc[:, :, None, None] + offs[None, None, :, None] * PITCH - ym
    dx = xc[:, :, None, None] + offs[None, None, None, :] * PITCH - xm
    share = ((u[0] * dx - u[1] * dy) < 0).mean(axis=(2, 3))
    angle = np.degrees(np.arctan2(u[1], u[0]))
    return index((m * share).sum(), (m * (1 - share)).sum()), angle


def cop_split(m):
    xcop = (m * xc).sum() / m.sum()
    left = m[xc < xcop - 1e-9].sum() + 0.5 * m[np.abs(xc - xcop) < 1e-9].sum()
    right = m[xc > xcop + 1e-9].sum() + 0.5 * m[np.abs(xc - xcop) < 1e-9].sum()
    return index(left, right)


cases = [(s, 1.0) for s in (1.0, 1.1, 1.2, 1.3, 1.4, 1.5)] + [(1.0, s) for s in (1.1, 1.2, 1.3, 1.4, 1.5)]
_, xm0 = rows_split(p)
(ym0p, xm0p), u0 = principal_axis(p)
left_rows = xc < xm0
left_principal = (u0[0] * (xc - xm0p) - u0[1] * (yc - ym0p)) < 0
print(f"unscaled: midline col {xm0:.6f} cm, principal centroid ({ym0p:.6f}, {xm0p:.6f}) cm")
for sl, sr in cases:
    m = np.where(left_rows, p.astype(np.float64) * sl, p.astype(np.float64) * sr).astype(np.float32).astype(np.float64)
    si_rows, _ = rows_split(m)
    mp = np.where(left_principal, p.astype(np.float64) * sl, p.astype(np.float64) * sr).astype(np.float32).astype(np.float64)
    si_principal, angle = principal_split(mp)
    print(f"  {{{sl:.1f}, {sr:.1f}, {si_rows:.4f}, {si_principal:.4f}, {angle:.4f}}},  // CoP split gave {cop_split(m):.1f}")
