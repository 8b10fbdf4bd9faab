"""Sessions of one pseudonymous subject across an archive directory (schemas/report.md §History):
the table `plinth history --csv` writes, as a structured NumPy array (no pandas).

    >>> import plinth
    >>> h = plinth.history("sessions/", "P-017")
    >>> h["date"], h["pain_before"], h["pain_after"], h["calibration_group"]

Computed here from the archives with h5py and NumPy; the ctest `report_history` checks that
it equals the C++ table column by column.
"""
import json
import math
import os
import warnings

import h5py
import numpy as np

ARTIFACT_MASK = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x400 | 0x2000
DROPPED, SPLIT, SEGMENT_START = 1 << 8, 1 << 6, 1 << 14
REST_LABELS = ("rest", "hands off", "pause", "end", "stop")

COLUMNS = [
    ("date", "U"), ("started_at", "U"), ("started_at_ns", "i8"), ("session_id", "U"), ("file", "U"),
    ("duration_min", "f8"), ("end_state", "U"), ("pain_before", "f8"), ("pain_after", "f8"),
    ("baseline_hr_bpm", "f8"), ("baseline_ln_rmssd", "f8"), ("hr_change_bpm", "f8"), ("rmssd_change_pct", "f8"),
    ("relaxation_end", "f8"), ("time_on_table_min", "f8"), ("contact_area_cm2", "f8"), ("peak_pressure_mmhg", "f8"),
    ("ppi_mmhg", "f8"), ("techniques", "U"), ("calibration", "U"), ("calibration_group", "U"), ("device", "U"),
    ("device_group", "U"), ("marks", "U"),
]


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _open(path):
    try:
        return h5py.File(path, "r")
    except OSError:
        return h5py.File(path, "r", libver="latest", swmr=True)


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def calibration_fingerprint(calibration_json):
    """The calibration identity of schemas/report.md: FNV-1a 64 of a canonical text."""
    if not calibration_json:
        return ""
    try:
        j = json.loads(calibration_json)
    except ValueError:
        return fnv1a64(("unknown:" + calibration_json).encode())
    g = lambda x: "%.17g" % (float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else math.nan)  # noqa: E731
    curve = j.get("curve") or {}
    kind = curve.get("kind", "")
    text = "curve=%s;unit=%s" % (kind, curve.get("unit", ""))
    if kind == "linear":
        text += ";scale=" + g(curve.get("scale"))
    if kind == "power":
        text += ";a=%s;b=%s" % (g(curve.get("a")), g(curve.get("b")))
    if kind == "table":
        for key in ("x", "p"):
            text += ";%s=%s" % (key, ",".join(g(v) for v in curve.get(key, [])))
    for key in ("saturation_raw", "noise_threshold_mmhg", "noise_floor_sd", "contact_threshold_mmhg", "pitch_row_cm",
                "pitch_col_cm"):
        text += ";%s=%s" % (key, g(j.get(key)))
    eq = j.get("equilibration")
    text += ";equilibration=" + (eq.get("fnv1a64", "") if isinstance(eq, dict) else "none")
    return fnv1a64(text.encode())


def _window(beats, begin, end):
    """HR and RMSSD of the NN of beats with begin < t <= end, as the live engine builds a window."""
    b = beats[(beats["time_ns"] > begin) & (beats["time_ns"] <= end)]
    nn, starts, break_next = [], [], True
    for row in b:
        flags = int(row["flags"])
        if flags & SEGMENT_START:
            break_next = True
        count = int(row["nn_count"]) if "nn_count" in b.dtype.names and np.isfinite(row["nn_count"]) else (
            0 if flags & DROPPED else 2 if flags & SPLIT else 1)
        for _ in range(count):
            nn.append(float(row["nn_ms"]))
            starts.append(break_next)
            break_next = False
    if len(nn) < 2:
        return math.nan, math.nan
    d = [nn[k] - nn[k - 1] for k in range(1, len(nn)) if not starts[k]]
    return 60000.0 / np.mean(nn), (math.sqrt(np.mean(np.square(d))) if d else math.nan)


def _session_row(path, compare_s):
    with _open(path) as f:
        a = f.attrs
        t0 = int(a.get("started_at_ns", 0))
        row = {"started_at": _text(a.get("started_at", "")), "started_at_ns": t0, "session_id": _text(a["session_id"]),
               "file": path}
        row["date"] = row["started_at"][:10]
        ended = "ended_at_ns" in a
        row["end_state"] = ("crash, repaired" if _text(a.get("ended", "")) == "crash" else "clean") if ended else "crash"
        ev = f["events"][:] if "events" in f else None
        kinds = [_text(k) for k in ev["kind"]] if ev is not None else []
        labels = [_text(x) for x in ev["label"]] if ev is not None else []
        pains = [float(v) for k, v in zip(kinds, ev["value"]) if k == "pain" and np.isfinite(v)] if ev is not None else []
        row["pain_before"] = pains[0] if pains else math.nan
        row["pain_after"] = pains[-1] if len(pains) > 1 else math.nan
        used = []
        for k, label in zip(kinds, labels):
            if k == "marker" and label.lower() not in REST_LABELS and label not in used:
                used.append(label)
        row["techniques"] = "; ".join(used)

        last = t0
        devices = f["devices"]
        mats = [d for d in devices if _text(devices[d].attrs.get("kind")) == "mat"]
        hearts = [d for d in devices if _text(devices[d].attrs.get("kind")) == "heart"]
        for d in mats:
            t = f[f"pressure/{d}/time_ns"]
            n = min(t.shape[0], f[f"pressure/{d}/raw"].shape[0], f[f"pressure/{d}/seq"].shape[0])
            if n:
                last = max(last, int(t[n - 1]))
        for d in hearts:
            beats = f[f"heart/{d}/beats"]
            if beats.shape[0]:
                last = max(last, int(beats[-1]["time_ns"]))
        if ev is not None and len(ev):
            last = max(last, int(ev["time_ns"][-1]))
        end = int(a["ended_at_ns"]) if ended else last
        row["duration_min"] = max(0.0, (end - t0) / 1e9) / 60.0

        identity = []
        for key in ("time_on_table_min", "contact_area_cm2", "peak_pressure_mmhg", "ppi_mmhg"):
            row[key] = math.nan
        row["calibration"] = ""
        if mats:
            d = mats[0]
            attrs = devices[d].attrs
            m = f[f"pressure/{d}/metrics"][:]
            use = (m["occupied"] == 1) & (m["suspect"] == 0)
            dt = np.diff(m["time_ns"]) / 1e9
            ok = use[:-1] & (dt > 0) & (dt <= float(attrs.get("exposure_max_gap_s", 5.0)))
            row["time_on_table_min"] = float(dt[ok].sum()) / 60.0
            for key, field in (("contact_area_cm2", "contact_area_cm2"), ("peak_pressure_mmhg", "peak_pressure_mmhg"),
                               ("ppi_mmhg", "ppi_mmhg")):
                v = m[field][use & np.isfinite(m[field])]
                row[key] = float(v.mean()) if len(v) else math.nan
            row["calibration"] = calibration_fingerprint(_text(attrs.get("calibration", "")))
            serial = _text(attrs.get("serial", "")) or _text(attrs.get("usb_serial", ""))
            identity.append("mat %s %s %s" % (_text(attrs.get("driver", "")), _text(attrs.get("model", "")), serial))

        for key in ("baseline_hr_bpm", "baseline_ln_rmssd", "hr_change_bpm", "rmssd_change_pct"):
            row[key] = math.nan
        if hearts:
            d = hearts[0]
            attrs = devices[d].attrs
            identity.append("strap %s %s" % (_text(attrs.get("driver", "")), _text(attrs.get("model", ""))))
            hrv = f[f"heart/{d}/hrv"][:]
            for r in hrv[hrv["kind"] == 2] if len(hrv) else []:
                row["baseline_hr_bpm"], row["baseline_ln_rmssd"] = float(r["hr_bpm"]), float(r["ln_rmssd"])
            name = f"heart/{d}/beats_final"
            beats = f[name][:] if name in f and "nn_ms" in f[name].dtype.names else f[f"heart/{d}/beats"][:]
            if len(beats) >= 2:
                first, last_beat = int(beats["time_ns"][0]), int(beats["time_ns"][-1])
                span = last_beat - first
                width = span // 2 if span < 2 * int(compare_s * 1e9) else int(compare_s * 1e9)
                hr1, rmssd1 = _window(beats, first - 1, first - 1 + width)
                hr2, rmssd2 = _window(beats, last_beat - width, last_beat)
                row["hr_change_bpm"] = hr2 - hr1
                row["rmssd_change_pct"] = 100.0 * (rmssd2 / rmssd1 - 1.0) if rmssd1 > 0 else math.nan
        row["device"] = "; ".join(identity)

        row["relaxation_end"] = math.nan
        if "relaxation" in f and f["relaxation"].shape[0]:
            rx = f["relaxation"][:]
            live = (rx["live"] == 1) & np.isfinite(rx["index"])
            if live.any():
                last_live = int(rx["time_ns"][live].max())
                tail = live & (rx["time_ns"] > last_live - int(compare_s * 1e9))
                row["relaxation_end"] = float(rx["index"][tail].mean())
    return row


def _letters(k):
    out = ""
    while True:
        out = chr(ord("A") + k % 26) + out
        k = k // 26 - 1
        if k < 0:
            return out


def session_files(directory):
    """Every *.h5 under directory, sorted; a .repaired.h5 copy is left out when its original is there."""
    files = []
    for root, _, names in os.walk(directory):
        files += [os.path.join(root, n) for n in names if n.endswith(".h5")]
    files.sort()
    present = set(files)
    return [p for p in files if not (p.endswith(".repaired.h5") and p[:-len(".repaired.h5")] + ".h5" in present)]


def history(directory, subject, compare_minutes=5.0):
    """One row per session of `subject` in `directory`, oldest first (schemas/report.md §History)."""
    rows = []
    for path in session_files(directory):
        try:
            with _open(path) as f:
                if f.attrs.get("format") != "plinth-session" or _text(f.attrs.get("subject", "")) != subject:
                    continue
            rows.append(_session_row(path, compare_minutes * 60.0))
        except (OSError, KeyError, ValueError) as e:
            warnings.warn("%s: not read (%s)" % (path, e))  # as `plinth history` names it on stderr
    rows.sort(key=lambda r: r["started_at_ns"])
    calibrations, devices = {}, {}
    for i, r in enumerate(rows):
        r["calibration_group"] = calibrations.setdefault(r["calibration"], _letters(len(calibrations)))
        r["device_group"] = devices.setdefault(r["device"], _letters(len(devices)))
        marks = []
        if i and r["calibration"] != rows[i - 1]["calibration"]:
            marks.append("calibration changed")
        if i and r["device"] != rows[i - 1]["device"]:
            marks.append("device changed")
        if r["end_state"] == "crash":
            marks.append("did not end cleanly")
        r["marks"] = "; ".join(marks)
    dtype = []
    for name, kind in COLUMNS:
        if kind == "U":
            kind = "U%d" % max([1] + [len(str(r[name])) for r in rows])
        dtype.append((name, kind))
    return np.array([tuple(r[name] for name, _ in COLUMNS) for r in rows], dtype=dtype)
