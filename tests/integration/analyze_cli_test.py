"""`plinth analyze` as a researcher runs it: the real binary over the real recordings in
../shared/data/pressure, both output formats, and clear errors for bad input.

The pipeline's properties on these recordings are tested as functions in
tests/unit/analyze_test.cpp; this checks the command line around them.
Usage: analyze_cli_test.py BUILD_DIR
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
PLINTH = os.path.join(BUILD, "tools", "plinth")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "pressure")
VISTA = os.path.join(DATA, "pmatdata", "S1")
# Vista FSA: 64 rows x 32 columns, 2.54 cm pitch, about 1 frame/s (../shared/data/README.md).
VISTA_ARGS = ["--rows", "64", "--cols", "32", "--pitch", "2.54", "--scale", "0.05", "--unit", "mmHg",
              "--rate", "1"]


def analyze(path, *args):
    return subprocess.run([PLINTH, "analyze", path, *VISTA_ARGS, *args], capture_output=True, text=True, timeout=120)


class AnalyzeCommand(unittest.TestCase):
    def test_csv_and_json_lines_agree_frame_by_frame(self):
        path = os.path.join(VISTA, "1.txt")
        as_csv = analyze(path, "--format", "csv")
        self.assertEqual(as_csv.returncode, 0, as_csv.stderr)
        self.assertIn("calibration from", as_csv.stderr)  # what was assumed is said, on stderr
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        with open(path) as f:
            lines = sum(1 for line in f if line.strip())
        self.assertEqual(len(rows), lines)
        as_jsonl = analyze(path)
        self.assertEqual(as_jsonl.returncode, 0, as_jsonl.stderr)
        objects = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
        self.assertEqual(len(objects), len(rows))
        for row, obj in zip(rows, objects):
            self.assertEqual(set(row), set(obj))
            for key in ("total_load_n", "contact_area_cm2", "cop_col_cm"):
                a, b = row[key], obj[key]
                if a == "":
                    self.assertIsNone(b)
                else:
                    self.assertTrue(math.isclose(float(a), b, rel_tol=1e-6), (key, a, b))
        # The two known-corrupt first frames are flagged; the body frames are not.
        self.assertTrue(objects[0]["suspect"] and objects[1]["suspect"], objects[:2])
        self.assertFalse(any(o["suspect"] for o in objects[3:]))
        self.assertEqual(objects[1]["time_s"] - objects[0]["time_s"], 1.0)

    def test_centre_of_pressure_differs_between_right_and_left_side_lying(self):
        def median_cop(n):
            run = analyze(os.path.join(VISTA, f"{n}.txt"))
            self.assertEqual(run.returncode, 0, run.stderr)
            cop = sorted(o["cop_col_cm"] for o in map(json.loads, run.stdout.splitlines())
                         if not o["suspect"] and o["cop_col_cm"] is not None)
            return cop[len(cop) // 2]
        right, left = median_cop(2), median_cop(3)
        # Lying on one side puts the body's weight on the other half of the mat's width.
        self.assertGreater(abs(right - left), 2.54, (right, left))

    def test_bad_input_names_the_problem(self):
        with tempfile.TemporaryDirectory() as work:
            missing = analyze(os.path.join(work, "nope.txt"))
            self.assertNotEqual(missing.returncode, 0)
            self.assertIn("nope.txt", missing.stderr + missing.stdout)
            ragged = os.path.join(work, "ragged.txt")
            with open(ragged, "w") as f:
                f.write(" ".join(["10"] * 2048) + "\n" + " ".join(["10"] * 100) + "\n")
            bad = analyze(ragged)
            self.assertNotEqual(bad.returncode, 0)
            self.assertRegex(bad.stderr + bad.stdout, r"ragged\.txt")
            bad_config = subprocess.run([PLINTH, "analyze", os.path.join(VISTA, "1.txt"), "--config",
                                         os.path.join(work, "missing.toml")], capture_output=True, text=True,
                                        timeout=60)
            self.assertNotEqual(bad_config.returncode, 0)
            self.assertIn("missing.toml", bad_config.stderr + bad_config.stdout)


if __name__ == "__main__":
    unittest.main()
