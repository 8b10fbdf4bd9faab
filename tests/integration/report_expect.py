"""What `plinth report` must say about an archive, computed here with h5py and NumPy alone,
from the definitions in schemas/report.md (not from the C++ code). For sessions with a linear
mmHg calibration and no equilibration (what the tests generate)."""
import json

import h5py
import numpy as np

KPA_PER_MMHG = 0.133322
ARTIFACT_MASK = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x400 | 0x2000
SEGMENT_START = 1 << 14


def open_any(path):
    try:
        return h5py.File(path, "r")
    except OSError:
        return h5py.File(path, "r", libver="latest", swmr=True)


def stat(values, use):
    v = values[use.astype(bool) & np.isfinite(values)]
    if len(v) == 0:
        return None
    return {"mean": float(v.mean()), "min": float(v.min()), "max": float(v.max()), "count": int(len(v))}


def rect_masks(config, rows, cols):
    """The [[mat.regions]] rect entries of the archived TOML (the tests write them one per line)."""
    import re
    masks = []
    for name, r0, c0, nr, nc in re.findall(r'name = "([^"]+)", rect = \[(\d+), (\d+), (\d+), (\d+)\]', config):
        m = np.zeros((rows, cols), bool)
        m[int(r0):int(r0) + int(nr), int(c0):int(c0) + int(nc)] = True
        masks.append((name, m))
    return masks


def window(beats, begin, end):
    """NN of the beats with begin < t <= end, as HrvMonitor builds a window; RMSSD and HR."""
    sel = (beats["time_ns"] > begin) & (beats["time_ns"] <= end)
    b = beats[sel]
    nn, starts = [], []
    break_next = True
    for row in b:
        if int(row["flags"]) & SEGMENT_START:
            break_next = True
        for _ in range(int(row["nn_count"])):
            nn.append(row["nn_ms"])
            starts.append(break_next)
            break_next = False
    nn = np.array(nn)
    diffs = np.array([nn[k] - nn[k - 1] for k in range(1, len(nn)) if not starts[k]])
    artifacts = sum(1 for row in b if int(row["flags"]) & ARTIFACT_MASK)
    return {
        "beats": int(len(b)),
        "nn_count": int(len(nn)),
        "hr_bpm": 60000.0 / nn.mean() if len(nn) else None,
        "rmssd_ms": float(np.sqrt(np.mean(diffs ** 2))) if len(diffs) else None,
        "artifact_pct": 100.0 * artifacts / len(b) if len(b) else None,
    }


def expected(path, compare_s=300.0):
    out = {}
    with open_any(path) as f:
        t0 = int(f.attrs["started_at_ns"])
        ended = "ended_at_ns" in f.attrs
        end = int(f.attrs["ended_at_ns"]) if ended else None
        out["end_state"] = ("crash, repaired" if f.attrs.get("ended") == "crash" else "clean") if ended else "crash"
        config = f.attrs["config"]
        ev = f["events"][:]
        kinds = [k.decode() for k in ev["kind"]]
        pains = [float(v) for k, v in zip(kinds, ev["value"]) if k == "pain"]
        out["pain"] = {"before": pains[0] if pains else None, "after": pains[-1] if len(pains) > 1 else None}
        markers = [(int(t), l.decode()) for t, k, l in zip(ev["time_ns"], kinds, ev["label"]) if k == "marker"]

        mat = f["devices/mat0"].attrs
        rows, cols = int(mat["rows"]), int(mat["cols"])
        area = float(mat["pitch_row_cm"]) * float(mat["pitch_col_cm"])
        cal = json.loads(mat["calibration"])
        assert cal["curve"]["kind"] == "linear" and cal["curve"]["unit"] == "mmHg" and cal["equilibration"] is None
        scale, floor = cal["curve"]["scale"], cal["noise_threshold_mmhg"]
        g = f["pressure/mat0"]
        n = min(g["raw"].shape[0], g["time_ns"].shape[0], g["seq"].shape[0])
        t = g["time_ns"][:n]
        seq = g["seq"][:n].astype(np.int64)
        steps = np.diff(seq) % (1 << 32)
        out["sequence_gaps"] = int(np.sum((steps > 1) & (steps <= (1 << 25))))
        out["frames_lost"] = int(np.sum(np.where((steps > 1) & (steps <= (1 << 25)), steps - 1, 0)))
        out["frames"] = int(n)
        m = g["metrics"][:]
        use = (m["occupied"] == 1) & (m["suspect"] == 0)
        out["occupied_frames"] = int(use.sum())
        out["suspect_frames"] = int((m["suspect"] != 0).sum())
        for name in ("total_load_n", "contact_area_cm2", "mean_pressure_mmhg", "peak_pressure_mmhg", "ppi_mmhg",
                     "symmetry_index_pct"):
            out[name] = stat(m[name], use)
        dt = np.diff(m["time_ns"]) / 1e9
        ok = use[:-1] & (dt > 0) & (dt <= float(mat["exposure_max_gap_s"]))
        out["time_on_table_s"] = float(dt[ok].sum())

        # The mean map: every usable frame through the linear curve and the noise floor.
        frame_of = {int(x): i for i, x in enumerate(t)}
        total = np.zeros((rows, cols))
        region_masks = rect_masks(config, rows, cols)
        region_sums = {name: np.zeros(3) for name, _ in region_masks}
        region_peak_max = {name: 0.0 for name, _ in region_masks}
        total_load = 0.0
        count = 0
        for row_index in np.flatnonzero(use):
            i = frame_of[int(m["time_ns"][row_index])]
            p = g["raw"][i].astype(np.float64) * scale
            p[p <= floor] = 0.0
            total += p
            count += 1
            total_load += m["total_load_n"][row_index]
            for name, mask in region_masks:
                region_sums[name] += [p[mask].sum() * KPA_PER_MMHG * 0.1 * area, (p[mask] > 0).sum() * area, p[mask].max()]
                region_peak_max[name] = max(region_peak_max[name], p[mask].max())
        out["mean_map"] = total / max(count, 1)
        out["regions"] = {name: {"mean_load_n": s[0] / count, "mean_contact_area_cm2": s[1] / count,
                                 "mean_peak_mmhg": s[2] / count, "max_peak_mmhg": region_peak_max[name],
                                 "share_of_load_pct": 100.0 * s[0] / total_load}
                          for name, s in region_sums.items()}

        pti, above = g["exposure_pti"], g["exposure_time_above"]
        k = min(pti.shape[0], above.shape[0], g["exposure_time_ns"].shape[0]) - 1
        last_pti, last_above = pti[k], above[k]
        out["exposure"] = {"max_pti_mmhg_s": float(last_pti.max()), "max_time_above_s": float(last_above.max()),
                           "area_any_above_cm2": float((last_above > 0).sum() * area),
                           "area_above_5min_cm2": float((last_above >= 300).sum() * area)}
        for name, mask in region_masks:
            out["regions"][name]["max_time_above_s"] = float(last_above[mask].max())
            out["regions"][name]["area_time_above_cm2"] = float((last_above[mask] > 0).sum() * area)

        last = max(int(t[-1]), int(ev["time_ns"].max()), int(f["heart/strap0/beats"][-1]["time_ns"]))
        out["duration_s"] = ((end if ended else last) - t0) / 1e9

        beats = f["heart/strap0/beats_final"][:]
        out["beats"] = int(len(beats))
        first, last_beat = int(beats["time_ns"][0]), int(beats["time_ns"][-1])
        span = last_beat - first
        width = span // 2 if span < 2 * compare_s * 1e9 else int(compare_s * 1e9)
        out["first"] = window(beats, first - 1, first - 1 + width)
        out["last"] = window(beats, last_beat - width, last_beat)
        out["whole"] = window(beats, first - 1, last_beat)
        techniques = sorted((tm, label) for tm, label in markers
                            if first < tm < last_beat and label.lower() not in ("rest", "hands off", "pause", "end", "stop"))
        out["markers"] = []
        for j, (tm, label) in enumerate(techniques):
            begin = max(tm - int(compare_s * 1e9), techniques[j - 1][0] if j > 0 else first - 1, first - 1)
            stop = min(tm + int(compare_s * 1e9), techniques[j + 1][0] if j + 1 < len(techniques) else last_beat, last_beat)
            out["markers"].append({"label": label, "before": window(beats, begin, tm), "after": window(beats, tm, stop)})
        relax = f["relaxation"][:]
        live = (relax["live"] == 1) & np.isfinite(relax["index"])
        out["relaxation_mean"] = float(relax["index"][live].mean()) if live.any() else None
    return out
