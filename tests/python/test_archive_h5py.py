#!/usr/bin/python3
"""Stock h5py (no plugins) reads Plinth session archives as schemas/archive-layout.md says:
a finished session, a live one with swmr=True and refresh(), one killed with SIGKILL, and one
whose disk filled up.

Usage: test_archive_h5py.py <path to archive_sample_writer>
"""
import os
import signal
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

WRITER = None


def expected_frame(n, values=2048):
    return ((n * 31 + np.arange(values) * 7) % 4000).astype(np.uint16)


def run_writer(mode, path, **kwargs):
    return subprocess.run([WRITER, mode, path], capture_output=True, text=True, timeout=120, **kwargs)


class FinishedSession(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        result = run_writer("session", os.path.join(cls.tmp.name, "sessions"))
        assert result.returncode == 0, result.stderr
        cls.path = result.stdout.strip()
        cls.f = h5py.File(cls.path, "r")

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        cls.tmp.cleanup()

    def test_root_attributes_are_text_and_numbers(self):
        a = self.f.attrs
        self.assertEqual(a["format"], "plinth-session")
        self.assertEqual(a["format_version"], 2)
        self.assertEqual(a["session_id"], "20261123T091500Z-7f3a")
        self.assertEqual(a["subject"], "P-017")
        self.assertEqual(a["started_at"], "2026-11-23T09:15:00.123Z")
        self.assertEqual(a["ended_at"], "2026-11-23T09:15:05.123Z")
        self.assertIn("[session]", a["config"])
        self.assertEqual(a["archive_dropped_frame"], 0)
        self.assertEqual(oct(os.stat(self.path).st_mode & 0o777), "0o600")

    def test_device_attributes(self):
        d = self.f["devices/mat0"].attrs
        self.assertEqual(d["kind"], "mat")
        self.assertEqual((d["rows"], d["cols"]), (64, 32))
        self.assertAlmostEqual(d["pitch_cm"], 2.54)
        self.assertEqual(self.f["devices/h10"].attrs["kind"], "heart")

    def test_frames_are_plain_compressed_uint16(self):
        raw = self.f["pressure/mat0/raw"]
        self.assertEqual(raw.dtype, np.uint16)
        self.assertEqual(raw.shape, (50, 64, 32))
        self.assertEqual(raw.compression, "gzip")
        self.assertTrue(raw.shuffle)
        np.testing.assert_array_equal(raw[37].ravel(), expected_frame(37))
        # Chunks are deflated by the archive's own threads and written whole (H5Dwrite_chunk):
        # every one must decode with the stock filters, in order.
        frames = raw[:]
        for n in range(50):
            np.testing.assert_array_equal(frames[n].ravel(), expected_frame(n))
        self.assertEqual(self.f["pressure/mat1/raw"].shape, (50, 16, 16))
        np.testing.assert_array_equal(self.f["pressure/mat1/raw"][3].ravel(), expected_frame(3, 256))
        self.assertEqual(raw.attrs["units"], "raw ADC counts")

    @unittest.skipUnless(os.path.exists("/usr/bin/h5dump"), "h5dump not installed (hdf5-tools)")
    def test_h5dump_reads_frames_without_plugins(self):
        out = subprocess.run(["/usr/bin/h5dump", "-p", "-d", "/pressure/mat0/raw", "-s", "37,0,0", "-c", "1,1,6",
                              self.path], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("SHUFFLE", out.stdout)
        self.assertIn("DEFLATE", out.stdout)
        values = ", ".join(str(v) for v in expected_frame(37)[:6])
        self.assertIn(values, " ".join(out.stdout.split()))

    def test_series_and_metrics(self):
        p = self.f["pressure/mat0"]
        np.testing.assert_array_equal(p["seq"][:], np.arange(50, dtype=np.uint32))
        self.assertEqual(p["time_ns"].dtype, np.int64)
        self.assertEqual(p["device_time_us"][10], 1_000_000)
        m = p["metrics"][:]
        self.assertEqual(m.dtype.names, ("time_ns", "total_load_n", "peak_pressure_mmhg"))
        np.testing.assert_allclose(m["total_load_n"], 1.5 * np.arange(50))
        np.testing.assert_array_equal(m["time_ns"], p["time_ns"][:])
        self.assertEqual(list(p["metrics"].attrs["units"]), ["ns", "N", "mmHg"])

    def test_heart(self):
        beats = self.f["heart/h10/beats"][:]
        self.assertEqual(beats.dtype.names, ("time_ns", "rr_ms", "nn_ms", "hr_bpm", "flags", "missing", "timeline_ns"))
        np.testing.assert_allclose(beats["rr_ms"], [1000, 1001, 1002, 1003])
        hrv = self.f["heart/h10/hrv"][:]
        self.assertEqual(hrv["rmssd_ms"][0], 45.0)
        self.assertTrue(np.isnan(hrv["sdnn_ms"][0]))

    def test_events_decode_as_utf8(self):
        ev = self.f["events"][:]
        kinds = [k.decode("utf-8") for k in ev["kind"]]
        self.assertEqual(kinds, ["session.start", "pain"])
        self.assertEqual(ev["label"][1].decode("utf-8"), "lower back \u00e9")
        self.assertEqual(ev["detail"][1].decode("utf-8"), "reported 6/10")
        self.assertTrue(np.isnan(ev["value"][0]))
        self.assertEqual(ev["value"][1], 6.0)

    def test_status(self):
        st = self.f["status"][:]
        self.assertEqual(st.dtype.names, ("time_ns", "frames", "queue_fill"))
        self.assertEqual(st["frames"][0], 50)


class LiveSession(unittest.TestCase):
    def test_swmr_reader_sees_each_flush(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "live.h5")
            with subprocess.Popen([WRITER, "live", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True) as writer:
                self.read_live(writer, path)
            with h5py.File(path, "r") as f:
                self.assertIn("ended_at", f.attrs)

    def read_live(self, writer, path):
        try:
            self.assertEqual(writer.stdout.readline().strip(), "ready 20")
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                raw = f["pressure/mat0/raw"]
                self.assertEqual(raw.shape[0], 20)
                writer.stdin.write("go\n")
                writer.stdin.flush()
                self.assertEqual(writer.stdout.readline().strip(), "ready 50")
                raw.refresh()
                self.assertEqual(raw.shape[0], 50)
                np.testing.assert_array_equal(raw[49].ravel(), expected_frame(49))
                f["pressure/mat0/seq"].refresh()
                self.assertEqual(f["pressure/mat0/seq"][49], 49)
            writer.stdin.write("go\n")
            writer.stdin.flush()
            self.assertEqual(writer.wait(timeout=60), 0)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()


class Crashes(unittest.TestCase):
    def test_killed_writer_leaves_flushed_frames(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "killed.h5")
            result = run_writer("killed", path)
            self.assertEqual(result.returncode, -signal.SIGKILL, result.stderr)
            self.assertEqual(result.stdout.strip(), "flushed 60")
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                raw = f["pressure/mat0/raw"]
                self.assertGreaterEqual(raw.shape[0], 60)
                np.testing.assert_array_equal(raw[59].ravel(), expected_frame(59))
                self.assertNotIn("ended_at", f.attrs)

    def test_full_disk_leaves_flushed_frames_and_exits_cleanly(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "full.h5")
            result = run_writer("full", path)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            lines = result.stdout.splitlines()
            flushed = int(lines[0].split()[1])
            self.assertGreater(flushed, 16)
            self.assertIn("File too large", lines[1])
            with h5py.File(path, "r", libver="latest", swmr=True) as f:
                self.assertGreaterEqual(f["pressure/mat0/raw"].shape[0], flushed)
                np.testing.assert_array_equal(f["pressure/mat0/seq"][:flushed], np.arange(flushed))


if __name__ == "__main__":
    WRITER = os.path.abspath(sys.argv.pop(1))
    unittest.main()
