"""plinth replay / inspect / export against a real recorded session.

Records a few seconds with plinth sim (mat + strap) -> plinthd, keeping what was published
live, then replays the archive onto another port and compares. Usage: replay_test.py BUILD_DIR
"""
import csv
import glob
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
pb = harness.load_pb2(BUILD)
PLINTH = os.path.join(BUILD, "tools", "plinth")
PLINTHD = os.path.join(BUILD, "daemon", "plinthd")
RECORD_S = 5.0

MESSAGES = {
    "pressure.frame.": pb.PressureFrame,
    "pressure.metrics.": pb.PressureMetrics,
    "pressure.exposure.": pb.PressureExposure,
    "heart.beat.": pb.HeartBeat,
    "heart.beat_final.": pb.HeartBeat,
    "heart.hrv.": pb.HeartHrv,
    "session.event": pb.SessionEvent,
}


def decode(topic, payload):
    for prefix, cls in MESSAGES.items():
        if topic.startswith(prefix):
            m = cls()
            m.ParseFromString(payload)
            return m
    return None


class Subscriber:
    def __init__(self, ctx, port, topics=(b"pressure.", b"heart.", b"session.event")):
        self.sock = ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t)
        self.messages = []  # (topic, message, received monotonic s)

    def pump(self, timeout_ms=100, batch=2000):
        # At most `batch` messages per call: a replay at full speed never leaves the socket
        # empty, and the caller's stop condition must get its turn.
        got = 0
        while got < batch and self.sock.poll(timeout_ms):
            topic, payload = self.sock.recv_multipart()
            topic = topic.decode()
            m = decode(topic, payload)
            if m is not None:
                self.messages.append((topic, m, time.monotonic()))
            got += 1
            timeout_ms = 0
        return got

    def of(self, prefix):
        return [m for t, m, _ in self.messages if t.startswith(prefix)]

    def close(self):
        self.sock.close(0)


def fields_equal(a, b, rel=1e-9):
    """Every field of two messages (header aside) equal, floats within `rel`; returns a diff text."""
    diffs = []
    for field in a.DESCRIPTOR.fields:
        if field.name == "header":
            continue
        va, vb = getattr(a, field.name), getattr(b, field.name)
        if field.message_type is not None:
            if field.label == field.LABEL_REPEATED:
                if len(va) != len(vb):
                    diffs.append(f"{field.name}: {len(va)} vs {len(vb)} entries")
                for x, y in zip(va, vb):
                    d = fields_equal(x, y, rel)
                    if d:
                        diffs.append(f"{field.name}[]: {d}")
            else:
                d = fields_equal(va, vb, rel)
                if d:
                    diffs.append(f"{field.name}.{d}")
        elif isinstance(va, float):
            if not (va == vb or (math.isnan(va) and math.isnan(vb)) or abs(va - vb) <= rel * max(abs(va), abs(vb))):
                diffs.append(f"{field.name}: {va!r} vs {vb!r}")
        elif va != vb:
            diffs.append(f"{field.name}: {va!r} vs {vb!r}")
    return "; ".join(diffs)


class Recorded:
    """One session recorded once for all tests."""

    @classmethod
    def record(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plinth-replay-")
        work = cls.tmp.name
        data_port, control_port = harness.free_port(), harness.free_port()
        sim = harness.Process([PLINTH, "sim", "--rate", "50", "--seed", "11"], "sim", work)
        strap = harness.Process([PLINTH, "sim", "--driver", "rr-line", "--seed", "5"], "strap", work)
        try:
            pty, strap_pty = sim.read_line(), strap.read_line()
            config = harness.write_config(work, pty, data_port, control_port, heart_port=strap_pty)
            ctx = zmq.Context()
            live = Subscriber(ctx, data_port)
            daemon = harness.Process([PLINTHD, "--config", config], "plinthd", work)
            try:
                end = time.monotonic() + 30
                while not live.of("pressure.metrics.") and time.monotonic() < end:
                    live.pump()
                assert live.of("pressure.metrics."), "no live metrics:\n" + daemon.tail()
                end = time.monotonic() + RECORD_S
                sent_marker = False
                while time.monotonic() < end:
                    live.pump()
                    if not sent_marker and time.monotonic() > end - RECORD_S / 2:
                        for request in ({"cmd": "marker", "label": "effleurage", "detail": "upper back", "value": 2},
                                        {"cmd": "pain", "score": 4, "detail": "lower back"}):
                            req = ctx.socket(zmq.REQ)
                            req.setsockopt(zmq.LINGER, 0)
                            req.connect(f"tcp://127.0.0.1:{control_port}")
                            req.send_string(json.dumps(request))
                            assert req.poll(5000), "no control reply"
                            assert json.loads(req.recv_string())["ok"]
                            req.close(0)
                        sent_marker = True
                assert daemon.stop() == 0, daemon.tail()
                while live.pump(300):
                    pass
            finally:
                daemon.stop()
                live.close()
                ctx.term()
        finally:
            sim.stop()
            strap.stop()
        files = glob.glob(os.path.join(work, "sessions", "*.h5"))
        assert len(files) == 1, files
        cls.archive = files[0]
        cls.live = live
        cls.work = work


def run_replay(args, topics=(b"pressure.", b"heart.", b"session.event"), timeout=90, stop_when=None):
    """Runs plinth replay on a free port with a subscriber; returns (subscriber, returncode, stderr, seconds)."""
    port = harness.free_port()
    ctx = zmq.Context()
    sub = Subscriber(ctx, port, topics)
    cmd = [PLINTH, "replay", *args, "--endpoint", f"tcp://127.0.0.1:{port}", "--wait-subscriber", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        end = started + timeout
        while proc.poll() is None and time.monotonic() < end:
            sub.pump()
            if stop_when and stop_when(sub):
                proc.send_signal(signal.SIGINT)
                break
        proc.wait(timeout=20)
        elapsed = time.monotonic() - started
        while sub.pump(300):
            pass
        stderr = proc.stderr.read().decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        sub.close()
        ctx.term()
    return sub, proc.returncode, stderr, elapsed


class ReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Recorded.record()
        cls.archive = Recorded.archive
        cls.live = Recorded.live
        with h5py.File(cls.archive, "r") as f:
            cls.session_id = f.attrs["session_id"]
            cls.started_at_ns = int(f.attrs["started_at_ns"])
            cls.frame_times = f["pressure/mat0/time_ns"][:]
            cls.events = f["events"][:]
            cls.beats = f["heart/strap0/beats"][:]
            cls.finals = f["heart/strap0/beats_final"][:]
            cls.exposure_snapshots = len(f["pressure/mat0/exposure_time_ns"])

    @classmethod
    def tearDownClass(cls):
        Recorded.tmp.cleanup()

    def live_metrics_by_seq(self):
        return {m.header.device_seq: m for m in self.live.of("pressure.metrics.mat0")}

    def assert_metrics_match_live(self, replayed, minimum_fraction=0.9):
        live = self.live_metrics_by_seq()
        self.assertGreater(len(live), 50, "too few live metrics to compare")
        by_seq = {m.header.device_seq: m for m in replayed}
        common = sorted(set(live) & set(by_seq))
        self.assertGreaterEqual(len(common), minimum_fraction * len(live), (len(common), len(live)))
        for seq in common:
            a, b = live[seq], by_seq[seq]
            self.assertEqual(a.header.host_time_ns, b.header.host_time_ns, seq)
            self.assertEqual(a.header.timeline_ns, b.header.timeline_ns, seq)  # the recorded timeline
            self.assertEqual((a.header.session_id, a.header.station), (b.header.session_id, b.header.station))
            diff = fields_equal(a, b)
            self.assertFalse(diff, f"device seq {seq}: {diff}")
        return common

    def test_recompute_with_the_recorded_config_gives_the_live_metrics(self):
        sub, code, err, _ = run_replay([self.archive, "--speed", "max", "--recompute"])
        self.assertEqual(code, 0, err)
        metrics = sub.of("pressure.metrics.mat0")
        self.assertEqual(len(metrics), len(self.frame_times))
        self.assertEqual([m.header.seq for m in metrics], list(range(len(metrics))))
        self.assertEqual(metrics[0].header.session_id, self.session_id)
        common = self.assert_metrics_match_live(metrics)
        # Movement and sway depend on the frames before: they are part of what must agree.
        self.assertTrue(any(m.movement_index != 0 for m in metrics))
        # The frames carry the same calibrated maps as live.
        live_frames = {f.header.device_seq: f for f in self.live.of("pressure.frame.mat0")}
        replay_frames = {f.header.device_seq: f for f in sub.of("pressure.frame.mat0")}
        for seq in common[:: max(1, len(common) // 20)]:
            if seq in live_frames:
                a, b = live_frames[seq], replay_frames[seq]
                self.assertEqual(a.raw, b.raw)
                self.assertEqual(list(a.pressure_mmhg), list(b.pressure_mmhg))
                self.assertEqual((a.gap_before, a.suspect, a.saturated_count, a.pitch_cm),
                                 (b.gap_before, b.suspect, b.saturated_count, b.pitch_cm))

    def test_recompute_with_another_config_changes_the_metrics(self):
        config = os.path.join(Recorded.work, "plinthd.toml")
        with open(config) as f:
            text = f.read()
        other = os.path.join(Recorded.work, "double.toml")
        with open(other, "w") as f:
            f.write(text.replace("scale = 0.025", "scale = 0.05"))
        sub, code, err, _ = run_replay([self.archive, "--speed", "max", "--recompute", "--config", other,
                                        "--device", "mat0"])
        self.assertEqual(code, 0, err)
        live = self.live_metrics_by_seq()
        replayed = {m.header.device_seq: m for m in sub.of("pressure.metrics.mat0")}
        seq = next(s for s in replayed if s in live and live[s].peak_pressure_mmhg > 0)
        self.assertAlmostEqual(replayed[seq].peak_pressure_mmhg, 2 * live[seq].peak_pressure_mmhg,
                               delta=1e-3 * live[seq].peak_pressure_mmhg)
        self.assertFalse(sub.of("heart."), "--device mat0 must leave the strap out")

    def test_as_recorded_replays_the_archived_metrics_and_events_in_order(self):
        sub, code, err, _ = run_replay([self.archive, "--speed", "max"])
        self.assertEqual(code, 0, err)
        metrics = sub.of("pressure.metrics.mat0")
        self.assertEqual(len(metrics), len(self.frame_times))
        self.assert_metrics_match_live(metrics)
        frames = sub.of("pressure.frame.mat0")
        live_frames = {f.header.device_seq: f for f in self.live.of("pressure.frame.mat0")}
        checked = 0
        for f in frames:
            if f.header.device_seq in live_frames:
                self.assertEqual(list(f.pressure_mmhg), list(live_frames[f.header.device_seq].pressure_mmhg))
                checked += 1
        self.assertGreater(checked, 50)

        # Events: all of them, in archive order, with per-topic seq from 0.
        events = sub.of("session.event")
        self.assertEqual([(e.kind, e.label) for e in events],
                         [(k.decode(), l.decode()) for k, l in zip(self.events["kind"], self.events["label"])])
        self.assertEqual([e.header.seq for e in events], list(range(len(events))))
        kinds = [e.kind for e in events]
        self.assertIn("marker", kinds)
        self.assertIn("pain", kinds)
        marker = events[kinds.index("marker")]
        self.assertEqual((marker.label, marker.detail, marker.value), ("effleurage", "upper back", 2.0))
        # Live, the marker arrived in the middle of the frames; replayed, it must too.
        # A final beat decision carries its beat's own time but comes ~52 beats later, live and replayed.
        order = [(t, m) for t, m, _ in sub.messages if not t.startswith("heart.beat_final.")]
        times = [m.header.host_time_ns for _, m in order]
        self.assertEqual(times, sorted(times), "replayed messages are not in time order")
        marker_at = next(i for i, (t, m) in enumerate(order) if t == "session.event" and m.kind == "marker")
        self.assertTrue(any(t.startswith("pressure.frame.") for t, _ in order[:marker_at]))
        self.assertTrue(any(t.startswith("pressure.frame.") for t, _ in order[marker_at:]))

        # The strap's beats and HRV as recorded.
        beats = sub.of("heart.beat.strap0")
        self.assertEqual(len(beats), len(self.beats))
        live_beats = {b.header.device_seq: b for b in self.live.of("heart.beat.strap0")}
        self.assertGreater(len(live_beats), 0)
        for b in beats:
            if b.header.device_seq in live_beats:
                diff = fields_equal(live_beats[b.header.device_seq], b)
                self.assertFalse(diff, diff)
                self.assertEqual(live_beats[b.header.device_seq].header.timeline_ns, b.header.timeline_ns)
        # The exposure snapshots as recorded (the maps), at the moments live published them.
        exposures = sub.of("pressure.exposure.mat0")
        live_exposures = {e.header.host_time_ns: e for e in self.live.of("pressure.exposure.mat0")}
        self.assertEqual(len(exposures), self.exposure_snapshots)
        self.assertGreater(len(exposures), 0)
        for e in exposures:
            self.assertIn(e.header.host_time_ns, live_exposures)
            live = live_exposures[e.header.host_time_ns]
            # The archive keeps the maps as float32 (as on the wire); the maxima live were doubles.
            diff = fields_equal(live, e, rel=1e-6)
            self.assertFalse(diff, diff)
            self.assertEqual(list(live.pressure_time_integral_mmhg_s), list(e.pressure_time_integral_mmhg_s))
        print(f"MEASURED replay: {len(exposures)} exposure snapshots, equal to the live ones")

        # The final decisions as recorded, and as published live.
        finals = sub.of("heart.beat_final.strap0")
        self.assertEqual(len(finals), len(self.finals))
        self.assertGreater(len(finals), 0)
        self.assertTrue(all(b.final_decision for b in finals))
        live_finals = {b.header.device_seq: b for b in self.live.of("heart.beat_final.strap0")}
        compared = 0
        for b in finals:
            if b.header.device_seq in live_finals:
                diff = fields_equal(live_finals[b.header.device_seq], b)
                self.assertFalse(diff, diff)
                self.assertEqual(live_finals[b.header.device_seq].header.timeline_ns, b.header.timeline_ns)
                compared += 1
        print(f"MEASURED replay: {len(finals)} final beat decisions, {compared} equal to the live ones")
        self.assertGreater(compared, 0)
        # The sliding (60 s) and standard (300 s) windows can share an arrival time.
        live_hrv = {(h.header.host_time_ns, h.window_kind): h for h in self.live.of("heart.hrv.strap0")}
        checked = 0
        for h in sub.of("heart.hrv.strap0"):
            key = (h.header.host_time_ns, h.window_kind)
            if key in live_hrv:
                diff = fields_equal(live_hrv[key], h)
                self.assertFalse(diff, diff)
                checked += 1
        self.assertGreater(checked, 0)

    def test_start_offset_skips_the_beginning_but_keeps_the_metrics(self):
        start_s = 2.0
        sub, code, err, _ = run_replay([self.archive, "--speed", "max", "--recompute", "--start", str(start_s)])
        self.assertEqual(code, 0, err)
        frames = sub.of("pressure.frame.mat0")
        expected = [t for t in self.frame_times if t >= self.started_at_ns + start_s * 1e9]
        self.assertEqual([f.header.host_time_ns for f in frames], expected)
        self.assertEqual(frames[0].header.seq, 0)
        # The frames before the start still fed the pipeline: sway and movement as live.
        self.assert_metrics_match_live(sub.of("pressure.metrics.mat0"), minimum_fraction=0.5)

    def test_speed_factor_paces_the_replay(self):
        span_s = (self.frame_times[-1] - self.frame_times[0]) * 1e-9
        sub, code, err, elapsed = run_replay([self.archive, "--speed", "4", "--device", "mat0"])
        self.assertEqual(code, 0, err)
        self.assertEqual(len(sub.of("pressure.frame.mat0")), len(self.frame_times))
        # Lower bound only: a replay that ignores the clock finishes far sooner.
        self.assertGreater(elapsed, 0.7 * span_s / 4, (elapsed, span_s))

    def test_loop_until_ctrl_c(self):
        n = len(self.frame_times)
        sub, code, err, _ = run_replay(
            [self.archive, "--speed", "max", "--loop", "--device", "mat0"], topics=(b"pressure.frame.",),
            stop_when=lambda s: len(s.messages) > n + 10)
        self.assertEqual(code, 0, err)
        frames = sub.of("pressure.frame.mat0")
        self.assertGreater(len(frames), n)
        # The second pass starts again at the first frame, numbering on.
        self.assertEqual(frames[n].header.host_time_ns, self.frame_times[0])
        self.assertEqual(frames[n].header.seq, n)

    def test_bad_files_give_clear_errors(self):
        missing = os.path.join(Recorded.work, "nope.h5")
        garbage = os.path.join(Recorded.work, "garbage.h5")
        with open(garbage, "wb") as f:
            f.write(os.urandom(4096))
        truncated = os.path.join(Recorded.work, "truncated.h5")
        with open(self.archive, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read(3000))
        for path, words in ((missing, "no such file"), (garbage, "not an HDF5 file"), (truncated, truncated)):
            for cmd in (["replay", path, "--speed", "max"], ["inspect", path], ["export", path, "--csv", Recorded.work]):
                r = subprocess.run([PLINTH, *cmd], capture_output=True, timeout=30)
                # main() reports errors through spdlog (stdout); either stream will do.
                output = (r.stdout + r.stderr).decode()
                self.assertEqual(r.returncode, 1, (cmd, output))
                self.assertIn(words, output, cmd)
        r = subprocess.run([PLINTH, "replay", self.archive, "--start", "9999"], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("past the end", (r.stdout + r.stderr).decode())
        r = subprocess.run([PLINTH, "replay", self.archive, "--device", "mat7"], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no device 'mat7'", (r.stdout + r.stderr).decode())

    def test_inspect(self):
        r = subprocess.run([PLINTH, "inspect", "--json", self.archive], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        s = json.loads(r.stdout)
        self.assertEqual(s["session_id"], self.session_id)
        self.assertEqual(s["subject"], "itest-001")
        self.assertTrue(s["ended_cleanly"])
        mat = next(d for d in s["devices"] if d["id"] == "mat0")
        self.assertEqual(mat["frames"], len(self.frame_times))
        self.assertEqual(mat["attributes"]["rows"], 64)
        self.assertTrue(40 < mat["frame_rate_hz"] < 60, mat["frame_rate_hz"])
        gap_events = [e for e in self.events if e["kind"] == b"gap"]
        self.assertEqual(mat["gap_events"], len(gap_events))
        self.assertEqual(mat["gap_event_frames"], sum(e["value"] for e in gap_events))
        load = mat["metric_ranges"]["total_load_n"]
        self.assertLessEqual(load["min"], load["mean"])
        self.assertLessEqual(load["mean"], load["max"])
        strap = next(d for d in s["devices"] if d["id"] == "strap0")
        self.assertEqual(strap["beats"], len(self.beats))
        self.assertEqual(s["events"]["by_kind"]["marker"], 1)
        self.assertEqual(s["events"]["first_markers"][0]["label"], "effleurage")
        self.assertEqual(s["archive_dropped"].get("frame"), 0)
        text = subprocess.run([PLINTH, "inspect", self.archive], capture_output=True, timeout=30)
        self.assertEqual(text.returncode, 0, text.stderr)
        out = text.stdout.decode()
        for words in (self.session_id, "mat0", "strap0", "effleurage", "total_load_n", "frames"):
            self.assertIn(words, out)

    def test_export_csv(self):
        out = os.path.join(Recorded.work, "csv")
        r = subprocess.run([PLINTH, "export", self.archive, "--csv", out], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "metrics_mat0.csv")) as f:
            rows = list(csv.DictReader(f))
        with h5py.File(self.archive, "r") as h:
            metrics = h["pressure/mat0/metrics"][:]
            seqs = h["pressure/mat0/seq"][:]
        self.assertEqual(len(rows), len(metrics))
        self.assertEqual(int(rows[5]["time_ns"]), metrics["time_ns"][5])
        self.assertEqual(float(rows[5]["total_load_n"]), metrics["total_load_n"][5])
        self.assertEqual(int(rows[5]["seq"]), seqs[5])
        with open(os.path.join(out, "events.csv")) as f:
            events = list(csv.DictReader(f))
        self.assertEqual(len(events), len(self.events))
        marker = next(e for e in events if e["kind"] == "marker")
        self.assertEqual((marker["label"], marker["detail"], float(marker["value"])), ("effleurage", "upper back", 2.0))
        with open(os.path.join(out, "beats_strap0.csv")) as f:
            self.assertEqual(len(list(csv.DictReader(f))), len(self.beats))
        self.assertTrue(os.path.exists(os.path.join(out, "hrv_strap0.csv")))


if __name__ == "__main__":
    unittest.main()
