"""The Python package (tools/python/plinth, built into BUILD/python/plinth): archives as NumPy,
live SWMR files, killed sessions, and decoding the live stream.

Usage: test_python_client.py BUILD_DIR ARCHIVE_SAMPLE_WRITER
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np
import zmq

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 2 else os.path.abspath("build")
WRITER = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(BUILD, "tests", "archive_sample_writer")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(BUILD, "python"))
import plinth  # noqa: E402

T0 = 1_795_425_300_123_000_000


def sample_frame(n, values):
    return (n * 31 + np.arange(values) * 7) % 4000


class Archive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plinth-py-")
        out = subprocess.run([WRITER, "session", cls.tmp.name], capture_output=True, check=True, timeout=60)
        cls.path = out.stdout.decode().strip()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_metadata(self):
        with plinth.open_session(self.path) as s:
            self.assertEqual(s.session_id, "20261123T091500Z-7f3a")
            self.assertEqual(s.subject, "P-017")
            self.assertEqual(s.started_at_ns, T0)
            self.assertEqual(s.ended_at_ns, T0 + 5_000_000_000)
            self.assertIn("subject", s.config)
            self.assertEqual(sorted(s.mats), ["mat0", "mat1"])
            self.assertEqual(list(s.hearts), ["h10"])
            self.assertEqual(s.devices["mat0"]["driver"], "plinth-mat")
            self.assertEqual(s.devices["mat0"]["pitch_cm"], 2.54)
            self.assertIsInstance(s.attrs["format_version"], int)
            self.assertIn("mat0", repr(s))

    def test_frames_and_series_as_numpy(self):
        with plinth.open_session(self.path) as s:
            mat = s.mats["mat0"]
            self.assertEqual((mat.rows, mat.cols, len(mat)), (64, 32, 50))
            self.assertEqual(mat.raw.shape, (50, 64, 32))  # lazy h5py dataset
            np.testing.assert_array_equal(mat.frame(7).ravel(), sample_frame(7, 2048))
            np.testing.assert_array_equal(mat.frame(-1).ravel(), sample_frame(49, 2048))
            self.assertEqual(mat.frames(10, 13).shape, (3, 64, 32))
            with self.assertRaises(IndexError):
                mat.frame(50)
            self.assertEqual(mat.time_ns.dtype, np.int64)
            np.testing.assert_array_equal(mat.time_ns, T0 + np.arange(50) * 100_000_000)
            np.testing.assert_array_equal(mat.seq, np.arange(50))
            m = mat.metrics
            self.assertEqual(m.dtype.names, ("time_ns", "total_load_n", "peak_pressure_mmhg"))
            np.testing.assert_array_equal(m["total_load_n"], 1.5 * np.arange(50))
            self.assertEqual(mat.metric_units["total_load_n"], "N")
            np.testing.assert_array_equal(mat.metrics_frame_index(), np.arange(50))
            np.testing.assert_allclose(s.seconds(mat.time_ns)[:3], [0.0, 0.1, 0.2])
            self.assertEqual(len(s.mats["mat1"]), 50)

    def test_heart_events_status(self):
        with plinth.open_session(self.path) as s:
            beats = s.heart.beats
            self.assertEqual(len(beats), 4)
            np.testing.assert_array_equal(beats["rr_ms"], [1000, 1001, 1002, 1003])
            hrv = s.heart.hrv
            self.assertEqual(hrv["rmssd_ms"][0], 45.0)
            self.assertTrue(np.isnan(hrv["sdnn_ms"][0]))
            # The sample archive has neither rmssd_change_pct nor delta_ln_rmssd: NaN per row.
            self.assertTrue(np.isnan(s.heart.rmssd_change_pct).all())
            self.assertEqual(s.heart.rmssd_change_pct.shape, (len(hrv),))
            ev = s.events
            self.assertEqual(list(ev["kind"]), ["session.start", "pain"])
            self.assertEqual(ev["label"][1], "lower back \u00e9")
            self.assertEqual(ev["value"][1], 6.0)
            self.assertEqual(list(s.markers()["kind"]), ["pain"])
            self.assertEqual(s.status["frames"][0], 50)

    def test_exposure_maps_from_new_and_pre_v1_1_archives(self):
        import shutil
        import h5py
        with plinth.open_session(self.path) as s:
            e = s.mats["mat0"].exposure()
            self.assertEqual(e["pti_mmhg_s"].shape, (0, 64, 32))
            self.assertEqual(e["time_ns"].shape, (0,))
        # An archive written before v1.1 names the same datasets risk_*: still read.
        old = os.path.join(self.tmp.name, "old-risk-names.h5")
        shutil.copy(self.path, old)
        with h5py.File(old, "r+") as f:
            g = f["pressure/mat0"]
            for name in ("time_ns", "pti", "time_above"):
                g.move("exposure_" + name, "risk_" + name)
            g["risk_time_ns"].resize((2,))
            g["risk_time_ns"][:] = [T0, T0 + 5_000_000_000]
            for name in ("risk_pti", "risk_time_above"):
                g[name].resize((2, 64, 32))
                g[name][1] = np.full((64, 32), 7.5, np.float32)
        with plinth.open_session(old) as s:
            e = s.mats["mat0"].exposure()
            np.testing.assert_array_equal(e["time_ns"], [T0, T0 + 5_000_000_000])
            self.assertEqual(e["pti_mmhg_s"][1, 3, 4], 7.5)
            self.assertEqual(e["time_above_s"].shape, (2, 64, 32))

    def test_rmssd_change_of_an_old_archive(self):
        # Rows as archives wrote them before rmssd_change_pct: derived from delta_ln_rmssd.
        old = np.array([(1, np.log(1.2), 4.66), (2, np.nan, np.nan)],
                       dtype=[("time_ns", "<i8"), ("delta_ln_rmssd", "<f8"), ("ln_rmssd_change_pct", "<f8")])
        change = plinth.rmssd_change_pct(old)
        self.assertAlmostEqual(change[0], 20.0, places=9)
        self.assertTrue(np.isnan(change[1]))
        new = np.array([(1, np.log(1.2), 20.0)],
                       dtype=[("time_ns", "<i8"), ("delta_ln_rmssd", "<f8"), ("rmssd_change_pct", "<f8")])
        self.assertEqual(plinth.rmssd_change_pct(new)[0], 20.0)

    def test_not_an_archive(self):
        bad = os.path.join(self.tmp.name, "bad.h5")
        with open(bad, "wb") as f:
            f.write(b"not hdf5 at all" * 100)
        with self.assertRaises(OSError):
            plinth.open_session(bad)


class LiveAndKilledFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-py-live-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_reads_a_file_while_it_is_written(self):
        path = os.path.join(self.tmp.name, "live.h5")
        writer = subprocess.Popen([WRITER, "live", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            self.assertEqual(writer.stdout.readline().strip(), b"ready 20")
            s = plinth.open_session(path, swmr=True)
            self.assertTrue(s.swmr)
            self.assertEqual(len(s.mat), 20)
            self.assertIsNone(s.ended_at_ns)
            first = s.mat.time_ns
            writer.stdin.write(b"go\n")
            writer.stdin.flush()
            self.assertEqual(writer.stdout.readline().strip(), b"ready 50")
            self.assertEqual(len(s.mat), 20, "without refresh() the reader keeps its view")
            s.refresh()
            self.assertEqual(len(s.mat), 50)
            np.testing.assert_array_equal(s.mat.time_ns[:20], first)
            np.testing.assert_array_equal(s.mat.frame(49).ravel(), sample_frame(49, 2048))
            self.assertEqual(len(s.mat.metrics), 50)
            s.close()
            writer.stdin.write(b"stop\n")
            writer.stdin.flush()
            self.assertEqual(writer.wait(30), 0)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
            writer.stdin.close()
            writer.stdout.close()
        with plinth.open_session(path) as s:
            self.assertEqual(len(s.mat), 50)
            self.assertIsNotNone(s.ended_at_ns)

    def test_reads_what_a_killed_writer_flushed(self):
        path = os.path.join(self.tmp.name, "killed.h5")
        out = subprocess.run([WRITER, "killed", path], capture_output=True, timeout=60)
        self.assertEqual(out.returncode, -9)
        with plinth.open_session(path) as s:
            self.assertGreaterEqual(len(s.mat), 60)
            self.assertIsNone(s.ended_at_ns)
            np.testing.assert_array_equal(s.mat.frame(59).ravel(), sample_frame(59, 2048))


class Stream(unittest.TestCase):
    def publish_until_stopped(self, port, stop, messages):
        ctx = zmq.Context.instance()
        pub = ctx.socket(zmq.PUB)
        pub.setsockopt(zmq.LINGER, 0)
        pub.bind(f"tcp://127.0.0.1:{port}")
        seq = 0
        while not stop.is_set():
            for topic, make in messages:
                msg = make(seq)
                pub.send_multipart([topic.encode(), msg.SerializeToString()])
            seq += 1
            time.sleep(0.01)
        pub.close(0)

    def test_subscribe_decodes_and_filters(self):
        pb = plinth.pb
        port = free_port()

        def metrics(seq):
            m = pb.PressureMetrics(total_load_n=600.0 + seq, contact_sensels=1200)
            m.header.session_id = "S-1"
            m.header.seq = seq
            m.header.device_id = "mat0"
            m.header.host_time_ns = T0 + seq
            m.sway.path_length_cm = 1.25
            return m

        def event(seq):
            e = pb.SessionEvent(kind="marker", label="effleurage", value=float("nan"))
            e.header.seq = seq
            return e

        class Unknown:
            def SerializeToString(self):
                return b"\x00\x01"

        messages = [("pressure.metrics.mat0", metrics), ("session.event", event), ("mystery.topic", lambda s: Unknown())]
        stop = threading.Event()
        thread = threading.Thread(target=self.publish_until_stopped, args=(port, stop, messages))
        thread.start()
        try:
            endpoint = f"tcp://127.0.0.1:{port}"
            got = list(plinth.subscribe(endpoint, ["pressure.metrics."], count=3, timeout=10))
            self.assertEqual(len(got), 3)
            for msg in got:
                self.assertEqual(msg.topic, "pressure.metrics.mat0")
                self.assertIsInstance(msg.message, pb.PressureMetrics)
                self.assertEqual(msg.message.header.session_id, "S-1")
                self.assertEqual(msg.message.total_load_n, 600.0 + msg.message.header.seq)
                self.assertLess(abs(msg.received_ns - time.time_ns()), 60e9)
            seqs = [m.message.header.seq for m in got]
            self.assertEqual(seqs, sorted(seqs))

            # Everything, as dicts; the unknown topic is skipped.
            got = list(plinth.subscribe(endpoint, count=6, timeout=10, as_dict=True))
            self.assertEqual({m.topic for m in got}, {"pressure.metrics.mat0", "session.event"})
            d = next(m.message for m in got if m.topic == "pressure.metrics.mat0")
            self.assertEqual(d["header"]["device_id"], "mat0")
            self.assertEqual(d["sway"]["path_length_cm"], 1.25)
            self.assertEqual(d["contact_sensels"], 1200)
            e = next(m.message for m in got if m.topic == "session.event")
            self.assertEqual(e["kind"], "marker")

            with self.assertRaises(ValueError):
                list(plinth.subscribe(endpoint, ["mystery."], count=1, timeout=10, skip_unknown=False))
            # A timeout ends the iteration quietly.
            self.assertEqual(list(plinth.subscribe(endpoint, ["nothing.here"], timeout=0.3)), [])
        finally:
            stop.set()
            thread.join()

    def test_decode(self):
        payload = plinth.pb.HeartBeat(rr_ms=812.5).SerializeToString()
        self.assertEqual(plinth.decode("heart.beat.h10", payload).rr_ms, 812.5)
        self.assertIs(plinth.message_class("status"), plinth.pb.Status)
        self.assertIsNone(plinth.message_class("statusx"))
        self.assertIs(plinth.message_class("heart.beat_final.h10"), plinth.pb.HeartBeat)
        self.assertIs(plinth.message_class("hub.status"), plinth.pb.HubStatus)  # through a hub (schemas/hub.md)
        # The exposure map's topic was pressure.risk.<id> before v1.1; both decode alike.
        exposure = plinth.pb.PressureExposure(rows=2, cols=1, threshold_mmhg=32.0).SerializeToString()
        self.assertEqual(plinth.decode("pressure.exposure.mat0", exposure).threshold_mmhg, 32.0)
        self.assertEqual(plinth.decode("pressure.risk.mat0", exposure).rows, 2)
        with self.assertRaises(ValueError):
            plinth.decode("pressure.frame.mat0", b"\xff\xff\xff")


class SourceTreeImport(unittest.TestCase):
    def test_import_from_tools_python_generates_the_protobuf_module(self):
        with tempfile.TemporaryDirectory(prefix="plinth-py-cache-") as cache:
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PLINTH_PB2_DIR")}
            env["PYTHONPATH"] = os.path.join(REPO, "tools", "python")
            env["XDG_CACHE_HOME"] = cache
            env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the source tree
            code = ("import plinth, sys; m = plinth.pb.PressureMetrics(total_load_n=1.5); "
                    "print(plinth.decode('pressure.metrics.x', m.SerializeToString()).total_load_n, plinth.__file__)")
            out = subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True, timeout=60, cwd="/")
            self.assertEqual(out.returncode, 0, out.stderr.decode())
            value, where = out.stdout.decode().split()
            self.assertEqual(value, "1.5")
            self.assertTrue(where.startswith(os.path.join(REPO, "tools", "python")), where)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    unittest.main()
