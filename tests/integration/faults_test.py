"""Faults (issue 7): unplugged cables, corrupt bytes, a stuck subscriber. Real binaries:
plinth sim on ptys -> plinthd -> ZeroMQ subscribers and the HDF5 archive.

Usage: faults_test.py BUILD_DIR [unittest test names, e.g. UnplugReplug]
Measured figures are printed on stderr as lines starting with "MEASURED".
"""
import json
import os
import sys
import time
import unittest

import h5py
import numpy as np
import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from daemon_case import DaemonCase, events_of  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
ROWS, COLS = 32, 16


def read_json(path):
    with open(path) as f:
        return json.load(f)


def measured(what, value, unit):
    print(f"MEASURED {what}: {value:.3f} {unit}", file=sys.stderr)


class UnplugReplug(DaemonCase, unittest.TestCase):
    """The mat and the strap vanish for 3 s (pty closed, /dev/serial/by-id-like link removed)
    and come back on a new pty behind the same link."""

    UNPLUG_AT_S, STRAP_UNPLUG_AT_S, UNPLUG_FOR_S, RATE = 4.0, 9.0, 3.0, 100

    def test_unplug_and_replug(self):
        self.setup_case(BUILD, "plinth-unplug-")
        mat_log, strap_log = os.path.join(self.work, "mat.json"), os.path.join(self.work, "strap.json")
        fault = ["--unplug-at", str(self.UNPLUG_AT_S), "--unplug-for", str(self.UNPLUG_FOR_S)]
        mat, mat_path = self.start_sim("sim", "--rate", str(self.RATE), "--rows", str(ROWS), "--cols", str(COLS),
                                       "--seed", "11", "--link", os.path.join(self.work, "mat0"),
                                       "--fault-log", mat_log, *fault)
        # The strap later: the artifact corrector publishes beats only after a few have arrived.
        strap, strap_path = self.start_sim("strap", "--driver", "rr-line", "--seed", "5", "--breathing", "12",
                                           "--link", os.path.join(self.work, "strap0"), "--fault-log", strap_log,
                                           "--unplug-at", str(self.STRAP_UNPLUG_AT_S), "--unplug-for",
                                           str(self.UNPLUG_FOR_S))
        self.assertEqual(mat_path, os.path.join(self.work, "mat0"))
        config = harness.write_config(self.work, mat_path, self.data_port, self.control_port, ROWS, COLS,
                                      heart_port=strap_path)
        stream = self.stream(["pressure.frame.", "session.event", "status", "heart.beat."])
        daemon = self.start_daemon(config)

        # Lost, then connected again, for both devices; then a little more data.
        for dev in ("mat0", "strap0"):
            lost = stream.wait_for(None, 20, topic="session.event", kind="device.lost", device=dev)
            stream.wait_for(lambda r: r.recv_ns > lost.recv_ns, 10, topic="session.event", kind="device.connected",
                            device=dev)
        stream.wait_for(lambda r: r.recv_ns > lost.recv_ns, 10, topic="heart.beat.strap0")
        time.sleep(1)
        self.assertEqual(daemon.stop(), 0, daemon.tail())
        stream.wait_quiet()
        self.assertEqual(mat.stop(), 0, mat.tail())
        self.assertEqual(strap.stop(), 0, strap.tail())
        logs = {"mat0": read_json(mat_log), "strap0": read_json(strap_log)}

        events = stream.snapshot(topic="session.event")
        for dev, log in logs.items():
            unplug = next(e["unix_ns"] for e in log["plug_events"] if e["event"] == "unplug")
            replug = next(e["unix_ns"] for e in log["plug_events"] if e["event"] == "replug")
            lost = [e for e in events if e.msg.kind == "device.lost" and e.msg.header.device_id == dev]
            back = [e for e in events if e.msg.kind == "device.connected" and e.msg.header.device_id == dev]
            self.assertEqual(len(lost), 1, f"{dev}: one device.lost event")
            self.assertEqual(len(back), 2, f"{dev}: connected at start and after the replug")
            detect_s = (lost[0].recv_ns - unplug) / 1e9
            reconnect_s = (back[1].recv_ns - replug) / 1e9
            measured(f"{dev} unplug -> device.lost received", detect_s, "s")
            measured(f"{dev} replug -> device.connected received", reconnect_s, "s")
            self.assertTrue(0 <= detect_s < 1.0, f"{dev}: unplug detected after {detect_s:.3f} s")
            self.assertTrue(0 <= reconnect_s < 2.0, f"{dev}: reconnected {reconnect_s:.3f} s after the replug")
            self.assertGreater(back[1].recv_ns, lost[0].recv_ns)
            statuses = [s.msg for s in stream.snapshot(topic="status")]
            states = [next(d.state for d in s.devices if d.id == dev) for s in statuses]
            self.assertIn("lost", states, f"{dev}: status said lost during the outage")
            self.assertEqual(next(d.reconnects for d in statuses[-1].devices if d.id == dev), 1)

        # The mat: no frames during the outage, one session, and the counter jump is a gap event
        # that covers every frame the device counted while unplugged.
        log = logs["mat0"]
        unplug = next(e["unix_ns"] for e in log["plug_events"] if e["event"] == "unplug")
        replug = next(e["unix_ns"] for e in log["plug_events"] if e["event"] == "replug")
        frames = stream.snapshot(topic="pressure.frame.mat0")
        self.assertEqual(len({f.msg.header.session_id for f in frames}), 1)
        seqs = [f.msg.header.seq for f in frames]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))))
        # By arrival at the daemon, not receipt here: a loaded machine may deliver older frames late.
        self.assertFalse([f for f in frames if unplug + 100e6 < f.msg.header.host_time_ns < replug],
                         "frames read while the mat was unplugged")
        # (Jumps before the unplug are frames the sim could not send before plinthd opened it.)
        dev = [f.msg.header.device_seq for f in frames]
        all_jumps = [(b.msg.header.device_seq, b.msg.header.device_seq - a.msg.header.device_seq - 1, b.recv_ns)
                     for a, b in zip(frames, frames[1:]) if b.msg.header.device_seq != a.msg.header.device_seq + 1]
        jumps = [(seq, n) for seq, n, t in all_jumps if t > unplug]
        all_jumps = [(seq, n) for seq, n, _ in all_jumps]
        self.assertEqual(len(jumps), 1, jumps)
        after_seq, lost_frames = jumps[0]
        unsent = len([s for s in log["not_sent"] if after_seq - lost_frames - 1 < s < after_seq])
        measured("mat0 frames lost across the outage", lost_frames, "frames")
        # Counted while unplugged, plus at most what sat in the pty when it closed.
        self.assertGreaterEqual(lost_frames, unsent)
        self.assertLessEqual(lost_frames, unsent + 20)
        self.assertGreater(unsent, 0.8 * self.UNPLUG_FOR_S * self.RATE)
        first_after = next(f for f in frames if f.msg.header.device_seq == after_seq)
        self.assertEqual(first_after.msg.gap_before, lost_frames)
        gaps = [e.msg for e in events if e.msg.kind == "gap" and e.msg.header.device_id == "mat0"]
        self.assertEqual([(int(g.detail.split()[-1]), int(g.value)) for g in gaps], all_jumps)

        # The strap: beats on either side of the outage, none during it.
        beats = stream.snapshot(topic="heart.beat.strap0")
        s_unplug = next(e["unix_ns"] for e in logs["strap0"]["plug_events"] if e["event"] == "unplug")
        s_replug = next(e["unix_ns"] for e in logs["strap0"]["plug_events"] if e["event"] == "replug")
        self.assertTrue(any(b.recv_ns < s_unplug for b in beats), "beats before the unplug")
        self.assertTrue(any(b.recv_ns > s_replug for b in beats), "beats after the replug")
        self.assertEqual(len({b.msg.header.session_id for b in beats} | {frames[0].msg.header.session_id}), 1)

        # One archive for the whole session, with the outage in it.
        files = self.archives()
        self.assertEqual(len(files), 1, files)
        with h5py.File(files[0], "r") as h5:
            self.assertEqual(h5.attrs["session_id"], frames[0].msg.header.session_id)
            seq = h5["pressure/mat0/seq"][:].astype(np.int64)
            t = h5["pressure/mat0/time_ns"][:]
            steps = np.diff(seq)
            archive_jumps = [(int(seq[k + 1]), int(steps[k]) - 1) for k in np.nonzero(steps != 1)[0]]
            self.assertEqual(archive_jumps, all_jumps, "the archive's counter jumps are the published ones")
            k = int(np.nonzero(seq == after_seq)[0][0]) - 1
            self.assertEqual(seq[k + 1] - seq[k], lost_frames + 1)
            self.assertGreater(t[k + 1] - t[k], 0.8 * self.UNPLUG_FOR_S * 1e9)
            ev = events_of(h5)
            for dev in ("mat0", "strap0"):
                kinds = [e[1] for e in ev if e[2] == dev]
                self.assertEqual(kinds.count("device.lost"), 1, (dev, kinds))
                self.assertEqual(kinds.count("device.connected"), 2, (dev, kinds))
            self.assertIn(("gap", "mat0", float(lost_frames)), [(e[1], e[2], e[3]) for e in ev])
            lost_t = next(e[0] for e in ev if e[1] == "device.lost" and e[2] == "mat0")
            self.assertTrue(t[k] <= lost_t <= t[k + 1])


class CorruptStream(DaemonCase, unittest.TestCase):
    """Random bytes, bit flips, truncated and duplicated frames injected into 1% of the mat's
    messages: no crash, every intact frame delivered, the damage counted on `status`."""

    RATE, SECONDS = 200, 15

    def test_corrupt_stream(self):
        self.setup_case(BUILD, "plinth-corrupt-")
        mat_log = os.path.join(self.work, "mat.json")
        mat, mat_path = self.start_sim("sim", "--rate", str(self.RATE), "--rows", str(ROWS), "--cols", str(COLS),
                                       "--seed", "21", "--corrupt", "0.01", "--fault-log", mat_log)
        strap, strap_path = self.start_sim("strap", "--driver", "rr-line", "--seed", "6", "--corrupt", "0.05")
        config = harness.write_config(self.work, mat_path, self.data_port, self.control_port, ROWS, COLS,
                                      heart_port=strap_path)
        stream = self.stream(["pressure.frame.mat0", "status", "heart.beat.", "session.event"])
        daemon = self.start_daemon(config)
        stream.wait_for(None, 20, topic="pressure.frame.mat0")
        time.sleep(self.SECONDS)
        self.assertIsNone(daemon.proc.poll(), "plinthd died:\n" + daemon.tail())
        last_status = stream.snapshot(topic="status")[-1].msg
        self.assertEqual(daemon.stop(), 0, daemon.tail())
        stream.wait_quiet()
        self.assertEqual(mat.stop(), 0)
        self.assertEqual(strap.stop(), 0)
        log = read_json(mat_log)
        faults = log["faults"]
        print(f"MEASURED injected into {faults['messages']} mat frames: {faults}", file=sys.stderr)
        for kind in ("garbage", "bit_flip", "truncate", "duplicate"):
            self.assertGreater(faults[kind], 0, f"the sim injected no {kind}: {faults}")

        frames = stream.snapshot(topic="pressure.frame.mat0")
        received = [f.msg.header.device_seq for f in frames]
        self.assertEqual(len(received), len(set(received)), "a duplicated frame was published twice")
        self.assertEqual(received, sorted(received))
        lo, hi = received[0], received[-1]
        intact = {s for s in log["intact"] if lo <= s <= hi}
        corrupted = {s for s in log["corrupted"] if lo <= s <= hi}
        unsent = {s for s in log["not_sent"] if lo <= s <= hi}
        missing = sorted(intact - set(received))
        self.assertEqual(missing, [], "intact frames not delivered")
        self.assertEqual(sorted(corrupted & set(received)), [], "corrupted frames were delivered")
        self.assertGreater(len(corrupted), 0)
        self.assertGreater(len(received), 0.9 * self.RATE * self.SECONDS)
        measured("intact mat frames delivered", len(intact), "frames (all)")

        # The damage, counted on `status` (the last one before stopping).
        mat0 = next(d for d in last_status.devices if d.id == "mat0")
        print(f"MEASURED status mat0: crc_errors={mat0.crc_errors} framing_errors={mat0.framing_errors} "
              f"resyncs={mat0.resyncs} garbage_bytes={mat0.garbage_bytes} duplicates={mat0.duplicates} "
              f"sequence_gaps={mat0.sequence_gaps} frames_lost={mat0.frames_lost}", file=sys.stderr)
        self.assertGreater(mat0.crc_errors + mat0.framing_errors, 0)
        self.assertGreater(mat0.resyncs, 0)
        self.assertGreater(mat0.garbage_bytes, 0)
        self.assertGreater(mat0.sequence_gaps, 0)
        self.assertLessEqual(mat0.frames_lost, len(corrupted | unsent))
        # Every frame the device counted but that was not delivered is in a gap event.
        gaps = [e.msg for e in stream.snapshot(topic="session.event", kind="gap", device="mat0")]
        self.assertEqual(sum(int(g.value) for g in gaps), len(corrupted | unsent))

        # The strap, corrupted at 5%, still delivers beats.
        self.assertGreater(len(stream.snapshot(topic="heart.beat.strap0")), 3)


class StuckSubscriber(DaemonCase, unittest.TestCase):
    """A subscriber that connects and never reads (tiny receive high-water mark) for 20 s does
    not delay another subscriber or acquisition.

    ZeroMQ's PUB socket drops silently, per subscriber, once that subscriber's queue (the
    daemon's send high-water mark) is full: the daemon cannot count those drops. Every message
    carries a per-topic `seq`, so each subscriber counts its own losses."""

    RATE, SECONDS = 100, 20

    def test_stuck_subscriber(self):
        self.setup_case(BUILD, "plinth-stuck-")
        mat_log = os.path.join(self.work, "mat.json")
        mat, mat_path = self.start_sim("sim", "--rate", str(self.RATE), "--rows", str(ROWS), "--cols", str(COLS),
                                       "--seed", "31", "--fault-log", mat_log)
        config = harness.write_config(self.work, mat_path, self.data_port, self.control_port, ROWS, COLS)
        stuck = self.ctx.socket(zmq.SUB)
        stuck.setsockopt(zmq.RCVHWM, 1)
        stuck.setsockopt(zmq.RCVBUF, 4096)
        stuck.setsockopt(zmq.LINGER, 0)
        stuck.setsockopt(zmq.SUBSCRIBE, b"pressure.")
        stuck.connect(f"tcp://127.0.0.1:{self.data_port}")
        self.addCleanup(stuck.close, 0)
        stream = self.stream(["pressure.frame.mat0", "status"])
        daemon = self.start_daemon(config)
        first = stream.wait_for(None, 20, topic="pressure.frame.mat0")
        time.sleep(self.SECONDS)
        self.assertEqual(daemon.stop(), 0, daemon.tail())
        stream.wait_quiet()
        self.assertEqual(mat.stop(), 0)
        log = read_json(mat_log)

        frames = stream.snapshot(topic="pressure.frame.mat0")
        seqs = [f.msg.header.seq for f in frames]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "the reading subscriber lost frames")
        dev = [f.msg.header.device_seq for f in frames]
        self.assertEqual(dev, list(range(dev[0], dev[0] + len(dev))), "acquisition lost frames")
        self.assertEqual([n for n in log["not_sent"] if dev[0] <= n <= dev[-1]], [],
                         "the daemon stopped reading the device")
        elapsed = (frames[-1].recv_ns - first.recv_ns) / 1e9
        self.assertGreater(len(frames), 0.95 * self.RATE * elapsed)
        latency = max((f.recv_ns - f.msg.header.host_time_ns) for f in frames) / 1e9
        measured("reading subscriber, worst frame latency beside a stuck one", latency, "s")
        self.assertLess(latency, 1.0)
        statuses = [s.msg for s in stream.snapshot(topic="status")]
        frames_counted = [next(d.frames for d in s.devices if d.id == "mat0") for s in statuses]
        self.assertGreater(frames_counted[-1] - frames_counted[0],
                           0.95 * self.RATE * (statuses[-1].header.host_time_ns - statuses[0].header.host_time_ns) / 1e9)
        self.assertEqual(next(d.frames_lost for d in statuses[-1].devices if d.id == "mat0"), 0)

        # The stuck subscriber really was stuck: ZeroMQ dropped most of its messages.
        got = 0
        while stuck.poll(100):
            stuck.recv_multipart()
            got += 1
        measured("messages the stuck subscriber could still read", got, "messages")
        print(f"MEASURED published frames+metrics: {2 * len(frames)}", file=sys.stderr)
        self.assertLess(got, 0.9 * 2 * len(frames))


if __name__ == "__main__":
    unittest.main(verbosity=2)
