"""The calibration in force and the session exposure map, end to end: plinth sim -> plinthd ->
`session.event` kind `calibration`, `pressure.exposure.mat0` every exposure_publish_interval_s, and
both in the archive (/devices/mat0 @calibration, /pressure/mat0/exposure_*).

Runs the real binaries. Usage: exposure_calibration_test.py BUILD_DIR
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np
import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
pb = harness.load_pb2(BUILD)
PLINTH = os.path.join(BUILD, "tools", "plinth")
PLINTHD = os.path.join(BUILD, "daemon", "plinthd")


class ExposureAndCalibration(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-exposure-")
        self.work = self.tmp.name
        self.data_port, self.control_port = harness.free_port(), harness.free_port()
        self.sim = harness.Process([PLINTH, "sim", "--rate", "50", "--seed", "11"], "sim", self.work)
        pty = self.sim.read_line()
        self.assertTrue(pty.startswith("/dev/"), pty)
        config = harness.write_config(self.work, pty, self.data_port, self.control_port,
                                      extra_mat="exposure_publish_interval_s = 1.0")
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write("auto_start = false\n" + text)  # the session starts once we listen
        self.daemon = harness.Process([PLINTHD, "--config", config], "plinthd", self.work)
        self.ctx = zmq.Context()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.RCVHWM, 100000)
        self.sub.connect(f"tcp://127.0.0.1:{self.data_port}")
        for topic in (b"pressure.exposure.", b"pressure.frame.", b"session.event"):
            self.sub.setsockopt(zmq.SUBSCRIBE, topic)

    def tearDown(self):
        self.sub.close(0)
        self.ctx.term()
        self.daemon.stop(timeout=10)
        self.sim.stop(timeout=10)
        self.tmp.cleanup()

    def receive(self, timeout_ms=200):
        if not self.sub.poll(timeout_ms):
            return None, None
        topic, payload = self.sub.recv_multipart()
        topic = topic.decode()
        msg = (pb.PressureExposure() if topic.startswith("pressure.exposure.")
               else pb.PressureFrame() if topic.startswith("pressure.frame.") else pb.SessionEvent())
        msg.ParseFromString(payload)
        return topic, msg

    def control(self, request):
        req = self.ctx.socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        req.connect(f"tcp://127.0.0.1:{self.control_port}")
        req.send_string(json.dumps(request))
        self.assertTrue(req.poll(5000), "no control reply")
        reply = json.loads(req.recv_string())
        req.close(0)
        return reply

    def test_calibration_event_and_exposure_snapshots_published_and_archived(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.receive()[0] != "pressure.frame.mat0":
            pass
        reply = self.control({"cmd": "session.start"})
        self.assertTrue(reply.get("ok"), reply)
        session = reply["session_id"]
        snapshots, calibration = [], None
        deadline = time.monotonic() + 20
        while (len(snapshots) < 3 or calibration is None) and time.monotonic() < deadline:
            topic, msg = self.receive()
            if topic == "pressure.exposure.mat0" and msg.header.session_id == session:
                snapshots.append(msg)
            elif topic == "session.event" and msg.kind == "calibration":
                calibration = msg
        self.assertIsNotNone(calibration, "no calibration event:\n" + self.daemon.tail())
        self.assertGreaterEqual(len(snapshots), 3, "exposure maps did not arrive:\n" + self.daemon.tail())

        self.assertEqual(calibration.label, "mat0")
        cal = json.loads(calibration.detail)
        self.assertEqual(cal["curve"], {"kind": "linear", "unit": "mmHg", "scale": 0.025})
        self.assertEqual(cal["noise_threshold_mmhg"], 5.0)
        self.assertEqual(cal["saturation_raw"], 4095)
        self.assertIsNone(cal["equilibration"])

        self.assertEqual([r.header.seq for r in snapshots], list(range(len(snapshots))))
        for r in snapshots:
            self.assertEqual((r.rows, r.cols), (64, 32))
            self.assertEqual(len(r.pressure_time_integral_mmhg_s), 64 * 32)
            self.assertEqual(len(r.time_above_threshold_s), 64 * 32)
            self.assertEqual(r.threshold_mmhg, 32.0)
        # Snapshots about 1 s of frame time apart; exposure only grows within a session.
        gaps = np.diff([r.header.host_time_ns for r in snapshots]) / 1e9
        self.assertTrue(np.all((gaps > 0.9) & (gaps < 3.0)), gaps)
        first = np.array(snapshots[0].pressure_time_integral_mmhg_s)
        last = np.array(snapshots[-1].pressure_time_integral_mmhg_s)
        self.assertTrue(np.all(last >= first))
        self.assertGreater(snapshots[-1].max_pressure_time_integral_mmhg_s, snapshots[0].max_pressure_time_integral_mmhg_s)
        self.assertAlmostEqual(snapshots[-1].max_pressure_time_integral_mmhg_s, float(last.max()),
                               delta=1e-3 * float(last.max()))
        self.assertGreater(snapshots[-1].duration_s, snapshots[0].duration_s)

        reply = self.control({"cmd": "session.stop"})
        self.assertTrue(reply.get("ok"), reply)  # replies once the archive is closed
        files = glob.glob(os.path.join(self.work, "sessions", "*.h5"))
        self.assertEqual(len(files), 1, files)
        with h5py.File(files[0], "r") as h5:
            archived = json.loads(h5["devices/mat0"].attrs["calibration"])
            self.assertEqual(archived, cal)
            pti = h5["pressure/mat0/exposure_pti"]
            above = h5["pressure/mat0/exposure_time_above"]
            times = h5["pressure/mat0/exposure_time_ns"][:]
            self.assertEqual(pti.dtype, np.float32)
            self.assertEqual(pti.shape[1:], (64, 32))
            # Every published snapshot, and the last one (taken at session stop unless a snapshot
            # was just due) ends at the session's last frame: the whole session's exposure.
            self.assertGreaterEqual(pti.shape[0], len(snapshots))
            self.assertEqual(times[-1], h5["pressure/mat0/time_ns"][-1])
            self.assertEqual(above.shape, pti.shape)
            self.assertEqual(times.shape[0], pti.shape[0])
            self.assertTrue(np.all(np.diff(times) > 0))
            stored = {int(t): i for i, t in enumerate(times)}
            for r in snapshots:
                i = stored[r.header.host_time_ns]
                np.testing.assert_array_equal(pti[i].ravel(), np.array(r.pressure_time_integral_mmhg_s, np.float32))
                np.testing.assert_array_equal(above[i].ravel(), np.array(r.time_above_threshold_s, np.float32))
            ev = h5["events"][:]
            kinds = [k.decode() for k in ev["kind"]]
            self.assertIn("calibration", kinds)
            self.assertEqual(ev["label"][kinds.index("calibration")].decode(), "mat0")

    def test_live_calibrate_records_each_stage_from_the_daemon(self):
        # The plumbing of `plinth calibrate` live: subscribe, decode raw frames, record the
        # stages back to back, write the file. (The simulated body is no uniform load, so the
        # numbers are not a calibration; the offline test checks the arithmetic.)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.receive()[0] != "pressure.frame.mat0":
            pass
        out = os.path.join(self.work, "cal.json")
        run = subprocess.run([PLINTH, "calibrate", "-e", f"tcp://127.0.0.1:{self.data_port}", "--device", "mat0",
                              "--non-interactive", "--load", "10", "--seconds", "1.5", "-o", out],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual((report["rows"], report["cols"]), (64, 32))
        self.assertTrue(40 <= report["unloaded_frames"] <= 100, report)  # 50 Hz for 1.5 s
        self.assertTrue(40 <= report["loaded_frames"][0] <= 100, report)
        with open(out) as f:
            cal = json.load(f)
        self.assertEqual(cal["format"], "plinth-calibration")
        offset = np.asarray(cal["offset"]).reshape(64, 32)
        self.assertTrue(np.all((offset >= 0) & (offset <= 4095)))
        self.assertGreater(offset.max(), 100)  # a body's raw counts, not zeros or byte-swapped junk
        # A second run refuses to overwrite the file.
        again = subprocess.run([PLINTH, "calibrate", "-e", f"tcp://127.0.0.1:{self.data_port}", "--device", "mat0",
                                "--non-interactive", "--load", "10", "--seconds", "0.5", "-o", out],
                               capture_output=True, text=True, timeout=60)
        self.assertNotEqual(again.returncode, 0)


if __name__ == "__main__":
    unittest.main()
