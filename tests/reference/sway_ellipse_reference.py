"""Expected values for tests/unit/pressure_windows_test.cpp (PressureSway.*PredictionEllipse*).

Independent of the C++ closed form: the F(2, m) quantile is found by integrating the F density
numerically and inverting the CDF, and the coverage of the resulting ellipse is checked by
Monte Carlo. Run: /usr/bin/python3 tests/reference/sway_ellipse_reference.py
"""
import numpy as np


def f2_quantile(m, q=0.95):
    # Density of F(2, m): (1 + 2x/m)^(-(m/2 + 1)); integrate on a fine grid, invert the CDF.
    x = np.linspace(0.0, 400.0, 4_000_001)
    pdf = (1.0 + 2.0 * x / m) ** (-(m / 2.0 + 1.0))
    cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) * 0.5 * np.diff(x))])
    return float(np.interp(q, cdf, x))


def factor(n, q=0.95):
    p = 2
    return p * (n + 1) * (n - 1) / (n * (n - p)) * f2_quantile(n - p, q)


def coverage(n, k2, reps=200_000, seed=7):
    rng = np.random.default_rng(seed)
    s = rng.standard_normal((reps, n + 1, 2)) @ np.array([[2.0, 0.0], [0.6, 1.0]])
    past, new = s[:, :n, :], s[:, n, :]
    mean = past.mean(axis=1)
    d = past - mean[:, None, :]
    cov = np.einsum("rni,rnj->rij", d, d) / (n - 1)
    diff = new - mean
    m2 = np.einsum("ri,rij,rj->r", diff, np.linalg.inv(cov), diff)
    return float((m2 <= k2).mean())


print("factor k^2 (95 %):")
for n in (3, 5, 11, 50, 1000):
    print(f"  n={n}: {factor(n):.6f}")
print(f"chi2 limit: {-2 * np.log(0.05):.9f}")
for n in (5, 11):
    print(f"coverage n={n}: finite-sample factor {coverage(n, factor(n)):.4f}, chi2 {coverage(n, -2 * np.log(0.05)):.4f}")

# Eleven CoP samples (1 Hz over 10 s) used by the C++ test.
pts = np.array([[30.0 + 0.3 * np.sin(0.9 * k) + 0.05 * k, 15.0 + 0.2 * np.cos(1.7 * k)] for k in range(11)])
cov = np.cov(pts.T, ddof=1)
area = np.pi * factor(11) * np.sqrt(np.linalg.det(cov))
print(f"11-sample ellipse area: {area:.9f} cm^2 (chi2 would give {np.pi * -2 * np.log(0.05) * np.sqrt(np.linalg.det(cov)):.9f})")
