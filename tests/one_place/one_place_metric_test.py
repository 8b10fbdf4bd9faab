"""A metric is a one-place change (issue #13): plinthd_test_metric is plinthd plus one row in the
per-frame metrics table (tests/one_place/test_metric_field.cpp). With nothing else changed, the
metric must reach the stream (PressureMetrics.extra), the archive's metrics columns and
`plinth export`'s CSV, every frame, with the value the row computes (2 * total_load_n + 1).

Usage: one_place_metric_test.py BUILD_DIR PLINTHD_TEST_METRIC
"""
import csv
import glob
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
import zmq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
PLINTHD = os.path.abspath(sys.argv[2])
del sys.argv[1:3]
pb = harness.load_pb2(BUILD)
PLINTH = os.path.join(BUILD, "tools", "plinth")
NAME = "test_twice_load_plus_one"


def expected(total_load_n):
    return 2.0 * total_load_n + 1.0


class OnePlaceMetric(unittest.TestCase):
    def test_new_metric_reaches_stream_archive_and_csv(self):
        with tempfile.TemporaryDirectory(prefix="plinth-one-place-") as work:
            sim = harness.Process([PLINTH, "sim", "--rate", "50", "--seed", "11"], "sim", work)
            daemon = None
            try:
                pty = sim.read_line()
                data_port, control_port = harness.free_port(), harness.free_port()
                config = harness.write_config(work, pty, data_port, control_port)
                daemon = harness.Process(harness.daemon_command(PLINTHD, "--config", config), "plinthd", work)
                streamed = self.receive_metrics(data_port, wanted=60)
                self.assertEqual(daemon.stop(timeout=20), 0, daemon.tail())
                daemon = None
            finally:
                if daemon:
                    daemon.stop(timeout=10)
                sim.stop(timeout=10)

            # The stream: in `extra` under the column name, with the row's value, on every message.
            loaded = 0
            for m in streamed:
                extra = {v.name: v.value for v in m.extra}
                self.assertIn(NAME, extra)
                self.assertEqual(extra[NAME], expected(m.total_load_n))
                loaded += m.total_load_n > 0
            self.assertGreater(loaded, 0, "the simulated body never loaded the mat: the check is empty")

            # The archive: a metrics column of that name, equal to the formula on every row.
            [archive] = glob.glob(os.path.join(work, "sessions", "*.h5"))
            with h5py.File(archive, "r") as h5:
                metrics = h5["pressure/mat0/metrics"][:]
            self.assertIn(NAME, metrics.dtype.names)
            self.assertGreaterEqual(len(metrics), len(streamed))
            np.testing.assert_array_equal(metrics[NAME], expected(metrics["total_load_n"]))
            # The streamed values are archived ones (same frames, same numbers).
            by_time = dict(zip(metrics["time_ns"].tolist(), metrics[NAME].tolist()))
            for m in streamed:
                self.assertEqual(by_time[m.header.host_time_ns], dict((v.name, v.value) for v in m.extra)[NAME])

            # The CSV export: the same column, the same numbers.
            out = os.path.join(work, "csv")
            r = subprocess.run([PLINTH, "export", archive, "--csv", out], capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "metrics_mat0.csv")) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), len(metrics))
            for row, archived in zip(rows, metrics):
                self.assertEqual(float(row[NAME]), archived[NAME])

    def receive_metrics(self, data_port, wanted):
        ctx = zmq.Context()
        sub = ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.RCVHWM, 100000)
        sub.connect(f"tcp://127.0.0.1:{data_port}")
        sub.setsockopt(zmq.SUBSCRIBE, b"pressure.metrics.mat0")
        got = []
        try:
            while len(got) < wanted:
                if not sub.poll(15000):
                    self.fail(f"only {len(got)} pressure.metrics messages in 15 s")
                _, payload = sub.recv_multipart()
                m = pb.PressureMetrics()
                m.ParseFromString(payload)
                got.append(m)
        finally:
            sub.close(0)
            ctx.term()
        return got


if __name__ == "__main__":
    unittest.main()
