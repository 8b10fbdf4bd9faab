"""plinth report, history and repair end to end (schemas/report.md).

Sessions are written by build/bench/synth_session (the daemon's own per-device code on a
virtual clock) from REAL recordings: the Vista FSA mat recording pmatdata/S1/1.txt and the
60-minute NN series of ../shared/data/hrv. Every number the report shows is checked against
tests/integration/report_expect.py (h5py + NumPy, from the definitions), the page in headless
Chromium (no request leaves the page, the numbers it shows, the pictures, the layout) and the
PDF with poppler's pdfinfo / pdftoppm / pdftotext. Repair: a real plinthd killed with SIGKILL.

Usage: report_test.py BUILD_DIR [ReportNumbers|ReportCrash|History|Repair]
Screenshots: BUILD_DIR/report*.png, BUILD_DIR/history.png.
"""
import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import report_expect  # noqa: E402
from daemon_case import DaemonCase  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(REPO, "build")
PLINTH = os.path.join(BUILD, "tools", "plinth")
SYNTH = os.path.join(BUILD, "bench", "synth_session")
DATA = os.path.join(REPO, "..", "shared", "data")
VISTA = os.path.join(DATA, "pressure", "pmatdata", "S1", "1.txt")
NN60 = os.path.join(DATA, "hrv", "nsr_60min_nn_ms.txt")
BROWSER_DIR = os.path.join(BUILD, "browser-test")


def synth(directory, *args):
    run = subprocess.run([SYNTH, "--dir", directory, *args], capture_output=True, text=True, timeout=120)
    if run.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"synth_session failed: {run.stderr}")
    return run.stdout.strip().splitlines()[-1]


def real_session(directory, *extra):
    """12 min at 1 Hz of the real supine recording and real NN intervals, markers and pains."""
    return synth(directory, "--minutes", "12", "--rate", "1", "--scale", "0.05", "--play", VISTA, "--rr-file", NN60,
                 "--empty-before", "0", "--regions", "--marker", "240:effleurage", "--marker", "420:petrissage",
                 "--marker", "600:rest", "--pain", "30:6", "--pain", "690:3", "--gap", "200:4", *extra)


def plinth(*args, check=True):
    run = subprocess.run([PLINTH, *args], capture_output=True, text=True, timeout=300)
    if check and run.returncode != 0:
        raise AssertionError(f"plinth {' '.join(args)} failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    return run


def install_playwright():
    marker = os.path.join(BROWSER_DIR, "node_modules", "playwright-core", "package.json")
    if os.path.exists(marker):
        return
    os.makedirs(BROWSER_DIR, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(REPO, "tests", "browser", name), BROWSER_DIR)
    run = subprocess.run([shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                         cwd=BROWSER_DIR, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise AssertionError(f"npm ci for playwright-core failed:\n{run.stdout}\n{run.stderr}")


def browse(url, screenshot, width=900):
    """What the page shows, from tests/browser/report_page_test.mjs in headless Chromium."""
    install_playwright()
    script = shutil.copy(os.path.join(REPO, "tests", "browser", "report_page_test.mjs"), BROWSER_DIR)
    run = subprocess.run(["node", script, url, screenshot, str(width)], cwd=BROWSER_DIR, capture_output=True,
                         text=True, timeout=180)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    if "error" in result:
        raise AssertionError(f"browser: {result['error']}\n{run.stderr[-2000:]}")
    return result


def close(test, shown, expected, tol=1e-9, what=""):
    test.assertIsNotNone(expected, what)
    test.assertIsNotNone(shown, what)
    test.assertLessEqual(abs(float(shown) - float(expected)), tol * max(1.0, abs(float(expected))),
                         f"{what}: report {shown}, expected {expected}")


def read_pgm(path):
    """A binary PGM (what pdftoppm -gray writes) as a 2-D uint8 array."""
    data = open(path, "rb").read()
    tokens, i = [], 0
    while len(tokens) < 4:
        while data[i:i + 1].isspace():
            i += 1
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        tokens.append(data[i:j])
        i = j
    w, h = int(tokens[1]), int(tokens[2])
    return np.frombuffer(data[i + 1:i + 1 + w * h], np.uint8).reshape(h, w)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def measured(what, value):
    print(f"MEASURED {what}: {value}", file=sys.stderr)


class Case(unittest.TestCase):
    def setUp(self):
        for path in (PLINTH, SYNTH, VISTA, NN60):
            self.assertTrue(os.path.exists(path), path)
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-report-")
        self.work = self.tmp.name
        self.addCleanup(self.tmp.cleanup)


class ReportNumbers(Case):
    """A real-data session: JSON, HTML and PDF say what the archive holds."""

    def test_report_numbers_page_and_pdf(self):
        path = real_session(self.work)
        html, pdf, js = (os.path.join(self.work, "r." + e) for e in ("html", "pdf", "json"))
        started = time.monotonic()
        plinth("report", path, "-o", html, "--pdf", pdf, "--json", js)
        measured("plinth report with PDF, 12-min session", f"{time.monotonic() - started:.1f} s")
        with open(js) as f:
            r = json.load(f)
        e = report_expect.expected(path)

        self.assertEqual(r["end_state"], "clean")
        close(self, r["duration_s"], e["duration_s"], what="duration")
        self.assertEqual({k: r["pain"][k] for k in ("before", "after")}, e["pain"])
        m = r["mats"][0]
        for key in ("frames", "sequence_gaps", "frames_lost", "suspect_frames", "occupied_frames"):
            self.assertEqual(m[key], e[key], key)
        self.assertEqual((m["sequence_gaps"], m["frames_lost"]), (1, 4))
        self.assertGreater(m["suspect_frames"], 0, "the Vista recording's corrupt frames are flagged")
        close(self, m["time_on_table_s"], e["time_on_table_s"], 1e-9, "time on table")
        for key in ("total_load_n", "contact_area_cm2", "mean_pressure_mmhg", "peak_pressure_mmhg", "ppi_mmhg",
                    "symmetry_index_pct"):
            for part in ("mean", "min", "max", "count"):
                close(self, m[key][part], e[key][part], 1e-12, f"{key}.{part}")
        mean_map = np.array(m["mean_map"]["values"]).reshape(64, 32)
        np.testing.assert_allclose(mean_map, e["mean_map"], rtol=1e-6, atol=1e-5)
        close(self, m["mean_map_peak_mmhg"], e["mean_map"].max(), 1e-6, "mean map peak")
        for key, value in e["exposure"].items():
            close(self, m["exposure"][key], value, 1e-6, key)
        self.assertEqual([g["name"] for g in m["regions"]], list(e["regions"]))
        for g in m["regions"]:
            for key, value in e["regions"][g["name"]].items():
                close(self, g[key], value, 1e-5, f"region {g['name']} {key}")

        h = r["hearts"][0]
        self.assertEqual(h["beats"], e["beats"])
        first = h["comparisons"][0]
        self.assertEqual(first["title"], "First vs last 5 min")
        for side, key in ((first["before"], "first"), (first["after"], "last"), (h["whole"], "whole")):
            for k in ("beats", "nn_count"):
                self.assertEqual(side[k], e[key][k], f"{key} {k}")
            for k in ("hr_bpm", "rmssd_ms", "artifact_pct"):
                close(self, side[k], e[key][k], 1e-9, f"{key} {k}")
        close(self, first["rmssd_change_pct"], 100 * (e["last"]["rmssd_ms"] / e["first"]["rmssd_ms"] - 1), 1e-9)
        markers = h["comparisons"][1:]
        self.assertEqual([c["marker_label"] for c in markers], [x["label"] for x in e["markers"]])
        self.assertEqual([c["marker_label"] for c in markers], ["effleurage", "petrissage"])  # not "rest"
        for c, x in zip(markers, e["markers"]):
            for side in ("before", "after"):
                self.assertEqual(c[side]["nn_count"], x[side]["nn_count"])
                close(self, c[side]["rmssd_ms"], x[side]["rmssd_ms"], 1e-9, f"{c['marker_label']} {side}")
        # Windows under 5 min carry the Task Force caveat.
        self.assertTrue(any("5-min standard" in c for c in markers[0]["after"]["caveats"]), markers[0]["after"])
        close(self, r["relaxation"]["index"]["mean"], e["relaxation_mean"], 1e-12, "relaxation mean")
        self.assertIn("Pain 6 before, 3 after", r["summary"])

        # The page in headless Chromium: no requests, the numbers, the pictures, the layout.
        page = browse("file://" + html, os.path.join(BUILD, "report.png"))
        self.assertEqual([u for u in page["requests"] if u != "file://" + html], [], "the page made requests")
        self.assertEqual(page["console_errors"], [])
        self.assertLessEqual(page["scroll_width"], page["inner_width"], "the page is wider than the window")
        numbers = page["numbers"]
        shown = {
            "mat.0.peak_pressure_mmhg.mean": (e["peak_pressure_mmhg"]["mean"], 0),
            "mat.0.ppi_mmhg.max": (e["ppi_mmhg"]["max"], 0),
            "mat.0.contact_area_cm2.mean": (e["contact_area_cm2"]["mean"], 0),
            "mat.0.symmetry_index_pct.mean": (e["symmetry_index_pct"]["mean"], 1),
            "mat.0.occupied_frames": (e["occupied_frames"], 0),
            "mat.0.exposure.area_above_5min_cm2": (e["exposure"]["area_above_5min_cm2"], 0),
            "mat.0.region.pelvis.mean_load_n": (e["regions"]["pelvis"]["mean_load_n"], 0),
            "heart.0.comparison.0.before.rmssd_ms": (e["first"]["rmssd_ms"], 1),
            "heart.0.comparison.0.after.hr_bpm": (e["last"]["hr_bpm"], 1),
            "heart.0.whole.rmssd_ms": (e["whole"]["rmssd_ms"], 1),
            "pain.before": (6, 0),
            "pain.after": (3, 0),
        }
        for key, (value, digits) in shown.items():
            self.assertIn(key, numbers)
            close(self, numbers[key]["value"], value, 1e-9, key)
            self.assertLessEqual(abs(float(numbers[key]["text"]) - value), 0.5 * 10 ** -digits + 1e-9, key)
        svgs = {s["id"]: s for s in page["svgs"]}
        # Rects: 1 background + 1 frame + 60 in the legend + one per run of coloured sensels.
        for map_id, least in (("map-mean-mat0", 200), ("map-exposure-mat0", 200), ("map-above-mat0", 63)):
            self.assertGreaterEqual(svgs[map_id]["rects"], least, map_id)
            self.assertGreater(svgs[map_id]["width"], 150, map_id)
        for chart in ("chart-peak-mat0", "chart-area-mat0", "chart-symmetry-mat0", "chart-hr-strap0",
                      "chart-rmssd-strap0", "chart-hf-strap0", "chart-relaxation"):
            self.assertGreater(svgs[chart]["points"], 10, chart)
            self.assertGreaterEqual(svgs[chart]["paths"], 1, chart)
        self.assertGreater(os.path.getsize(os.path.join(BUILD, "report.png")), 50000)

        # The PDF: A4 pages rendered by poppler, with the report's words and pictures on them.
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        measured("PDF", f"{pages} pages, {size.split(':', 1)[1].strip()}, {os.path.getsize(pdf)} bytes")
        self.assertGreaterEqual(pages, 3)
        self.assertIn("(A4)", size)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
        for words in ("Session report", "P-017", "Pain 6 before, 3 after", "Data quality", "First vs last",
                      "Task Force"):
            self.assertIn(words, text)
        prefix = os.path.join(self.work, "page")
        subprocess.run(["pdftoppm", "-r", "40", "-gray", pdf, prefix], check=True)
        for k in range(1, pages + 1):
            pgm = next(p for p in (f"{prefix}-{k}.pgm", f"{prefix}-{k:02d}.pgm") if os.path.exists(p))
            img = read_pgm(pgm)
            self.assertGreater(img.shape[0], img.shape[1], "portrait")
            self.assertGreater(np.mean(img < 200), 0.005, f"PDF page {k} looks blank")
        shutil.copy(next(p for p in (f"{prefix}-1.pgm", f"{prefix}-01.pgm") if os.path.exists(p)),
                    os.path.join(BUILD, "report-pdf-page1.pgm"))


class ReportCrash(Case):
    """A session whose writer was killed: the report reads it, says so and suggests repair."""

    def test_crashed_session(self):
        path = real_session(self.work, "--kill-at", "330")
        html, js = os.path.join(self.work, "c.html"), os.path.join(self.work, "c.json")
        run = plinth("report", path, "-o", html, "--json", js)
        self.assertIn("plinth repair", run.stderr)
        with open(js) as f:
            r = json.load(f)
        e = report_expect.expected(path)
        self.assertEqual(r["end_state"], "crash")
        self.assertIsNone(r["ended_at"])
        close(self, r["duration_s"], e["duration_s"], what="duration up to the last record")
        self.assertTrue(any("plinth repair" in n for n in r["notices"]))
        last = r["hearts"][0]["comparisons"][0]["after"]
        self.assertTrue(any("did not end cleanly" in c for c in last["caveats"]), last["caveats"])
        close(self, r["mats"][0]["peak_pressure_mmhg"]["mean"], e["peak_pressure_mmhg"]["mean"], 1e-12)
        page = browse("file://" + html, os.path.join(BUILD, "report-crash.png"))
        self.assertIn("plinth repair", page["notice"])
        self.assertIn("did not end cleanly", page["summary"])

    def test_mean_map_needs_the_sessions_equilibration(self):
        """The report rebuilds the calibration on this machine: if the equilibration it finds is
        not the one the archive names, the mean map is withheld and the report says why."""
        path = synth(self.work, "--minutes", "2", "--rate", "2", "--no-heart")
        first = json.loads(plinth("report", path, "-o", os.path.join(self.work, "m1.html"), "--json", "-").stdout)
        self.assertTrue(first["mats"][0]["mean_map_basis"].startswith("mean of"), first["mats"][0]["mean_map_basis"])
        self.assertIsNotNone(first["mats"][0]["mean_map_peak_mmhg"])
        other = os.path.join(self.work, "other-equilibration.h5")
        shutil.copy(path, other)
        with h5py.File(other, "r+") as f:
            calibration = json.loads(f["devices/mat0"].attrs["calibration"])
            calibration["equilibration"] = {"file": "/gone/mat0-cal.json", "fnv1a64": "0123456789abcdef"}
            f["devices/mat0"].attrs["calibration"] = json.dumps(calibration)
        r = json.loads(plinth("report", other, "-o", os.path.join(self.work, "m2.html"), "--json", "-").stdout)
        basis = r["mats"][0]["mean_map_basis"]
        self.assertIn("not computed: the equilibration file found now (none)", basis)
        self.assertIn("0123456789abcdef", basis)
        self.assertIsNone(r["mats"][0]["mean_map_peak_mmhg"])


class History(Case):
    """Three sessions of one client, the third with another calibration, one of another client,
    one that crashed: the C++ table equals plinth.history() (Python, independent code)."""

    def test_history(self):
        days = [("2026-11-02", "1", "0.05"), ("2026-11-09", "2", "0.05"), ("2026-11-16", "3", "0.06")]
        for date, seed, scale in days:
            synth(self.work, "--start", f"{date}T09:00:00Z", "--seed", seed, "--minutes", "8", "--scale", scale,
                  "--rate", "1", "--play", VISTA, "--rr-file", NN60, "--empty-before", "0",
                  "--pain", f"20:{7 - int(seed)}", "--pain", f"450:{5 - int(seed)}", "--marker", "120:effleurage",
                  "--marker", f"{200 + 20 * int(seed)}:petrissage")
        synth(self.work, "--start", "2026-11-10T09:00:00Z", "--subject", "P-099", "--minutes", "3", "--rate", "1",
              "--play", VISTA)
        synth(self.work, "--start", "2026-11-20T09:00:00Z", "--seed", "4", "--minutes", "6", "--rate", "1",
              "--scale", "0.05", "--play", VISTA, "--rr-file", NN60, "--kill-at", "300")
        html, table = os.path.join(self.work, "h.html"), os.path.join(self.work, "h.csv")
        plinth("history", self.work, "--subject", "P-017", "-o", html, "--csv", table)
        with open(table) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["date"] for r in rows], ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-20"])
        self.assertEqual([r["calibration_group"] for r in rows], ["A", "A", "B", "A"])
        self.assertEqual([r["marks"] for r in rows],
                         ["", "", "calibration changed", "calibration changed; did not end cleanly"])
        self.assertEqual([r["pain_before"] for r in rows[:3]], ["6", "5", "4"])
        self.assertEqual([r["techniques"] for r in rows[:3]], ["effleurage; petrissage"] * 3)

        sys.path.insert(0, os.path.join(BUILD, "python"))
        import plinth as plinth_py  # noqa: E402
        py = plinth_py.history(self.work, "P-017")
        self.assertIsInstance(py, np.ndarray)
        self.assertIsNotNone(py.dtype.names)
        self.assertEqual(len(py), len(rows))
        for name in py.dtype.names:
            self.assertIn(name, rows[0], f"column {name} is not in the CSV")
        for r, p in zip(rows, py):
            for name in py.dtype.names:
                value = p[name]
                if isinstance(value, (str, np.str_)):
                    self.assertEqual(r[name], str(value), name)
                elif np.isnan(value):
                    self.assertEqual(r[name], "", name)
                else:
                    close(self, float(r[name]), float(value), 1e-9, f"{r['date']} {name}")

        page = browse("file://" + html, os.path.join(BUILD, "history.png"))
        self.assertEqual([u for u in page["requests"] if u != "file://" + html], [])
        self.assertEqual(page["rows"], 4)
        self.assertEqual(page["groups"], ["A", "A", "B", "A"])
        trends = {s["id"]: s for s in page["svgs"]}
        for chart in ("trend-pain", "trend-resting-hr", "trend-ln-rmssd", "trend-contact-area", "trend-peak"):
            self.assertGreater(trends[chart]["points"], 2, chart)
        # Calibration groups are never joined: the contact-area line has one piece per run of a group
        # (A A | B | A): its path has three moves.
        with open(html) as f:
            text = f.read()
        start = text.index('id="trend-contact-area"')
        line = text[text.index('class="line"', start):]
        path_d = line[line.index(' d="') + 4:line.index('"/>')]
        self.assertEqual(path_d.count("M"), 3, path_d)


class Repair(DaemonCase, unittest.TestCase):
    """SIGKILL a real plinthd mid-session; repair; plain h5py.File and h5dump open the copy."""

    def test_repair_after_kill_9(self):
        self.setup_case(BUILD, "plinth-repair-")
        sim, mat = self.start_sim("sim", "--rate", "20", "--seed", "61")
        strap, strap_port = self.start_sim("strap", "--driver", "rr-line", "--seed", "62")
        config = harness.write_config(self.work, mat, self.data_port, self.control_port, heart_port=strap_port)
        events = self.stream(["session.event"])
        daemon = self.start_daemon(config)
        events.wait_for(None, 20, topic="session.event", kind="session.start")
        time.sleep(6)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait()
        original = self.archives()[0]
        before = sha256(original)
        with self.assertRaises(OSError):
            h5py.File(original, "r")  # the killed file does not open the ordinary way

        inspect = plinth("inspect", original)
        self.assertIn("plinth repair", inspect.stdout)
        run = plinth("repair", original)
        copy = run.stdout.strip()
        self.assertEqual(copy, original[:-3] + ".repaired.h5")
        self.assertEqual(sha256(original), before, "the original changed")
        self.assertEqual(os.stat(copy).st_mode & 0o777, 0o600)

        with h5py.File(copy) as f, h5py.File(original, "r", libver="latest", swmr=True) as o:
            self.assertEqual(f.attrs["ended"], "crash")
            n = min(o["pressure/mat0/raw"].shape[0], o["pressure/mat0/time_ns"].shape[0], o["pressure/mat0/seq"].shape[0])
            self.assertGreater(n, 50)
            self.assertEqual(f["pressure/mat0/raw"].shape[0], n)
            self.assertEqual(f["pressure/mat0/time_ns"].shape[0], n)
            np.testing.assert_array_equal(f["pressure/mat0/raw"][n - 1], o["pressure/mat0/raw"][n - 1])
            last_frame = int(o["pressure/mat0/time_ns"][n - 1])
            self.assertEqual(int(f.attrs["last_frame_ns"]), last_frame)
            # schemas/report.md §Repair: the latest record of every table it names (a relaxation
            # row flushed after the last status row made this fail when relaxation was left out).
            tables = ["events", "status", "relaxation"] + [f"heart/strap0/{t}" for t in ("beats", "beats_final", "hrv")]
            last = max([last_frame] + [int(o[t]["time_ns"].max()) for t in tables if t in o and o[t].shape[0]])
            self.assertEqual(int(f.attrs["ended_at_ns"]), last)
            self.assertTrue(f.attrs["ended_at"].endswith("Z"))
            for name in ("session_id", "subject", "config", "started_at_ns", "format_version"):
                self.assertEqual(f.attrs[name], o.attrs[name], name)
            self.assertEqual(dict(f["devices/mat0"].attrs), dict(o["devices/mat0"].attrs))
            for table in ("events", "heart/strap0/beats", "heart/strap0/hrv", "status"):
                copied, source = f[table][:], o[table][:]
                self.assertEqual(copied.dtype, source.dtype, table)
                for field in source.dtype.names:  # field by field: NaN equals NaN here
                    np.testing.assert_array_equal(copied[field], source[field], f"{table}.{field}")
            measured("frames in the repaired copy", n)
        dump = subprocess.run(["h5dump", "-H", copy], capture_output=True, text=True)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        self.assertIn('ATTRIBUTE "ended"', dump.stdout)
        data = subprocess.run(["h5dump", "-d", "/pressure/mat0/time_ns", copy], capture_output=True, text=True)
        self.assertEqual(data.returncode, 0, data.stderr)

        # The report of the killed file suggests repair; the repaired copy is "crash, repaired".
        report = plinth("report", original, "-o", os.path.join(self.work, "k.html"), "--json", "-")
        self.assertIn("plinth repair", report.stderr)
        self.assertEqual(json.loads(report.stdout)["end_state"], "crash")
        repaired = plinth("report", copy, "-o", os.path.join(self.work, "k2.html"), "--json", "-")
        self.assertEqual(json.loads(repaired.stdout)["end_state"], "crash, repaired")
        # Never overwrites; a clean file needs nothing.
        again = plinth("repair", original, check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("never overwrites", again.stdout + again.stderr)  # plinth logs errors with spdlog
        self.assertIn("nothing to repair", plinth("repair", copy).stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
