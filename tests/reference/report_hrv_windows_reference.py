"""Expected values of tests/unit/report_test.cpp (ReportHrvWindows.*), computed independently of
the C++ code: HRV over windows of the real 60-minute NN series (../shared/data/hrv), the beats
taken as they are (no correction), each beat ending at the cumulative sum of the intervals.

Windows hold the beats whose time t satisfies begin < t <= end (schemas/report.md §Heart); the
first interval of a window has no successive difference. RMSSD = sqrt(mean(diff^2)), HR =
60000 / mean(NN). Run: /usr/bin/python3 tests/reference/report_hrv_windows_reference.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NN = np.loadtxt(os.path.join(HERE, "..", "..", "..", "shared", "data", "hrv", "nsr_60min_nn_ms.txt"))
T = np.cumsum(NN) * 1e6  # ns since the first beat's start; int64 in C++, exact here up to rounding
T = np.round(T).astype(np.int64)


def window(begin, end):
    sel = (T > begin) & (T <= end)
    nn = NN[sel]
    d = np.diff(nn)
    return len(nn), 60000.0 / nn.mean(), np.sqrt(np.mean(d ** 2))


S = 1_000_000_000
first, last = T[0], T[-1]
print("first 5 min   n=%d hr=%.10f rmssd=%.10f" % window(first - 1, first - 1 + 300 * S))
print("last 5 min    n=%d hr=%.10f rmssd=%.10f" % window(last - 300 * S, last))
marker = first + 1800 * S  # a technique marker half an hour in, the next one at 33 min
print("before marker n=%d hr=%.10f rmssd=%.10f" % window(marker - 300 * S, marker))
print("after marker  n=%d hr=%.10f rmssd=%.10f" % window(marker, marker + 180 * S))
