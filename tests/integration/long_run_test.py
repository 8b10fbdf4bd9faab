"""Long run (issue 7): a two-hour session, simulated at high speed, with memory that does
not grow. The mat (16x16, 50 Hz nominal) and the strap run 100 times faster than real time
(`plinth sim --time-warp`); the session lasts until the mat's own clock says two hours.
plinthd's resident memory is sampled throughout; once warmed up (the first third of the
session) it must stay flat.

What this covers: everything whose size follows the number of frames and beats (decoders,
pipeline, publishing, archive writer and HDF5's caches). What it cannot: state that grows
with wall-clock time (status and relaxation timers still tick in real time).

Usage: long_run_test.py BUILD_DIR
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from daemon_case import DaemonCase, rss_kib  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
NOMINAL_HZ, WARP, SESSION_S = 50, 100, 2 * 3600
BUDGET_S = 200


class LongRun(DaemonCase, unittest.TestCase):
    def test_two_hour_session_memory_is_flat(self):
        self.setup_case(BUILD, "plinth-long-")
        mat, mat_path = self.start_sim("sim", "--rate", str(NOMINAL_HZ), "--time-warp", str(WARP), "--rows", "16",
                                       "--cols", "16", "--seed", "51", "--shift-interval", "60",
                                       "--fault-log", os.path.join(self.work, "mat.json"))
        strap, strap_path = self.start_sim("strap", "--driver", "rr-line", "--time-warp", str(WARP), "--seed", "52")
        config = harness.write_config(self.work, mat_path, self.data_port, self.control_port, 16, 16,
                                      heart_port=strap_path)
        stream = self.stream(["status"])
        daemon = self.start_daemon(config)
        pid = daemon.proc.pid

        samples = []  # (mat device seconds, frames processed, beats, RSS KiB)
        started = time.monotonic()
        device_s = 0.0
        while device_s < SESSION_S:
            self.assertLess(time.monotonic() - started, BUDGET_S, f"only {device_s:.0f} s of session in the budget")
            self.assertIsNone(daemon.proc.poll(), "plinthd died:\n" + daemon.tail())
            time.sleep(1)
            statuses = stream.snapshot(topic="status")
            if not statuses:
                continue
            devices = {d.id: d for d in statuses[-1].msg.devices}
            frames, beats = devices["mat0"].frames, devices["strap0"].frames
            # The sim numbers frames from 0 at NOMINAL_HZ, so the counter is the session's clock.
            device_s = (frames + devices["mat0"].frames_lost) / NOMINAL_HZ
            samples.append((device_s, frames, beats, rss_kib(pid)))
        elapsed = time.monotonic() - started
        self.assertEqual(daemon.stop(), 0, daemon.tail())
        mat.stop()
        strap.stop()
        with open(os.path.join(self.work, "mat.json")) as f:
            sim = json.load(f)

        frames, beats = samples[-1][1], samples[-1][2]
        print(f"MEASURED long run: {device_s / 3600:.2f} h of session in {elapsed:.0f} s; {frames} frames "
              f"processed ({sim['messages_dropped']} not read in time), {beats} beats", file=sys.stderr)
        self.assertGreater(frames, 0.8 * SESSION_S * NOMINAL_HZ, "the daemon processed too few frames")
        self.assertGreater(beats, SESSION_S / 2, "too few beats")
        third = SESSION_S / 3
        middle = [s[3] for s in samples if third <= s[0] < 2 * third]
        last = [s[3] for s in samples if s[0] >= 2 * third]
        first = [s[3] for s in samples if s[0] < third]
        print(f"MEASURED RSS KiB, max per third of the session: {max(first)} / {max(middle)} / {max(last)}",
              file=sys.stderr)
        self.assertGreaterEqual(len(middle), 3)
        self.assertGreaterEqual(len(last), 3)
        self.assertLessEqual(max(last), max(middle) * 1.05 + 2048, f"RSS grew: {samples}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
