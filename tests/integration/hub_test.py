"""A clinic behind one hub (schemas/hub.md): eight `plinthd --simulate` stations, `plinth hub`,
consumers and `plinth ctl --station` through the hub.

Checks: every station arrives; per (station, topic) the sequence numbers are consecutive (no
cross-talk, no mixing); each station's mat0 is its own; a slow consumer does not slow a fast
one; hub.status lists all eight with sensible rates; a marker sent with --station reaches that
station only; a SIGKILLed and restarted station re-appears within 2 s.
Usage: hub_test.py BUILD_DIR
"""
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from clinic import Clinic, Consumer, stations_in  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
harness.load_pb2(BUILD)  # and the Python package (plinth.stream.decode) beside it
PLINTH = os.path.join(BUILD, "tools", "plinth")
PLINTHD = os.path.join(BUILD, "daemon", "plinthd")
STATIONS = [f"room{i}" for i in range(1, 9)]
SIM_RATE = 20  # light on the CPU: rates are compared, not pushed
SIM_ARGS = ["--sim-rate", str(SIM_RATE), "--sim-rows", "16", "--sim-cols", "16"]
class Hub(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plinth-hub-")
        cls.clinic = Clinic(BUILD, cls.tmp.name, STATIONS, SIM_ARGS)
        cls.ctx = zmq.Context()
        cls.fast = Consumer(cls.ctx, cls.clinic.endpoint("data"))
        first = cls.fast.collect(20, until=lambda ms: stations_in(ms) >= set(STATIONS))
        missing = set(STATIONS) - stations_in(first)
        if missing:
            cls.clinic.stop()
            raise AssertionError(f"stations {sorted(missing)} never arrived through the hub; hub log:\n"
                                 f"{cls.clinic.hub.tail()}")

    @classmethod
    def tearDownClass(cls):
        cls.fast.sock.close(0)
        cls.ctx.term()
        cls.clinic.stop()
        cls.tmp.cleanup()

    def test_1_every_station_arrives_in_order_without_cross_talk(self):
        messages = self.fast.collect(3)
        last_seq, sessions, frames = {}, collections.defaultdict(set), collections.defaultdict(list)
        gaps = []
        for _, topic, m in messages:
            if topic == "hub.status":
                continue
            key = (m.header.station, topic)
            if key in last_seq and m.header.seq != last_seq[key] + 1:
                gaps.append((key, last_seq[key], m.header.seq))
            last_seq[key] = m.header.seq
            sessions[m.header.station].add(m.header.session_id)
            if topic == "pressure.frame.mat0":
                frames[m.header.station].append(m.header.device_seq)
        self.assertEqual(gaps, [], "sequence numbers must run on per station and topic")
        self.assertEqual(set(sessions), set(STATIONS))
        for station, ids in sessions.items():
            self.assertEqual(len(ids), 1, f"{station}: one session, got {ids}")
        self.assertEqual(len({next(iter(ids)) for ids in sessions.values()}), len(STATIONS), "one session per station")
        # Every table has its own mat0: each station's frames follow that mat's own counter.
        for station in STATIONS:
            counters = frames[station]
            self.assertGreaterEqual(len(counters), SIM_RATE * 2, station)
            self.assertEqual([b - a for a, b in zip(counters, counters[1:])], [1] * (len(counters) - 1), station)
        rate = sum(len(v) for v in frames.values()) / 3 / len(STATIONS)
        print(f"MEASURED through the hub: {len(messages)} messages in 3 s, mat0 frames {rate:.1f} /s per station")

    def test_2_a_slow_consumer_does_not_slow_the_others(self):
        before = self.fast.collect(3)
        slow = self.ctx.socket(zmq.SUB)
        slow.setsockopt(zmq.RCVHWM, 1)
        slow.setsockopt(zmq.RCVBUF, 4096)
        slow.setsockopt(zmq.SUBSCRIBE, b"")
        slow.connect(self.clinic.endpoint("data"))
        try:
            time.sleep(1)  # its queues at the hub fill up: it never reads
            during = self.fast.collect(3)
        finally:
            slow.close(0)
        count = lambda ms: sum(1 for _, t, _ in ms if t != "hub.status")  # noqa: E731
        print(f"MEASURED fast consumer: {count(before) / 3:.0f} messages/s alone, {count(during) / 3:.0f} /s "
              f"beside a consumer that never reads")
        self.assertGreaterEqual(count(during), 0.9 * count(before))
        last, gaps = {}, 0
        for _, topic, m in during:
            key = (m.header.station, topic)
            gaps += key in last and m.header.seq != last[key] + 1
            last[key] = m.header.seq
        self.assertEqual(gaps, 0, "the fast consumer lost messages")

    def test_3_hub_status_lists_every_station(self):
        statuses = [m for _, t, m in self.fast.collect(3) if t == "hub.status"]
        self.assertGreaterEqual(len(statuses), 2)
        status = statuses[-1]
        by_name = {s.station: s for s in status.stations}
        self.assertEqual(set(by_name), set(STATIONS))
        for name, s in by_name.items():
            self.assertTrue(s.connected, name)
            self.assertTrue(s.control, name)
            # per frame: pressure.frame and .metrics; plus beats, status, ...: 2-3 x the frame rate
            self.assertGreater(s.rate_hz, 1.8 * SIM_RATE, name)
            self.assertLess(s.rate_hz, 4 * SIM_RATE, name)
        self.assertGreaterEqual(status.subscribers, 1)
        self.assertGreater(status.proxy.backend_messages_out, 0)
        self.assertEqual(status.header.station, "hub")
        print(f"MEASURED hub.status: {status.messages_per_s:.0f} messages/s, {status.bytes_per_s / 1e3:.0f} kB/s, "
              f"{status.subscribers} subscriber(s), per station "
              + ", ".join(f"{n} {s.rate_hz:.0f}/s" for n, s in sorted(by_name.items())))

    def test_4_ctl_station_reaches_that_station_only(self):
        listed = self.clinic.ctl("stations")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(json.loads(listed.stdout)["stations"], sorted(STATIONS))
        unknown = self.clinic.ctl("--station", "room99", "status")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("room1, room2", json.loads(unknown.stdout)["error"])
        status = self.clinic.ctl("--station", "room3", "status")
        self.assertEqual(status.returncode, 0, status.stdout + status.stderr)
        self.assertEqual(json.loads(status.stdout)["station"], "room3")

        sent = self.clinic.ctl("--station", "room3", "marker", "hub-marker", "--detail", "through the hub")
        self.assertEqual(sent.returncode, 0, sent.stdout + sent.stderr)
        self.assertTrue(json.loads(sent.stdout)["archived"])
        events = self.fast.collect(3, until=lambda ms: any(t == "session.event" and m.label == "hub-marker"
                                                            for _, t, m in ms))
        markers = [m for _, t, m in events if t == "session.event" and m.kind == "marker"]
        self.assertEqual([(m.header.station, m.label) for m in markers], [("room3", "hub-marker")])

    def test_5_a_killed_station_reappears_within_2_s_of_its_restart(self):
        victim = "room5"
        self.clinic.daemons[victim].stop(signal.SIGKILL)
        gone = self.fast.collect(2.5)
        self.assertNotIn(victim, {m.header.station for _, t, m in gone[len(gone) // 2:] if t != "hub.status"})
        restarted = time.monotonic()
        self.clinic.start(victim)
        back = self.fast.collect(10, until=lambda ms: any(t != "hub.status" and m.header.station == victim
                                                          for _, t, m in ms))
        arrivals = [at for at, t, m in back if t != "hub.status" and m.header.station == victim]
        self.assertTrue(arrivals, f"{victim} did not come back; its log:\n{self.clinic.daemons[victim].tail()}")
        delay = arrivals[0] - restarted
        print(f"MEASURED {victim} back through the hub {delay * 1000:.0f} ms after its restart")
        self.assertLess(delay, 2.0)
        # Its control link is back too (the new connection takes over the station's routing id).
        deadline = time.monotonic() + 3
        while True:
            status = self.clinic.ctl("--station", victim, "status")
            if status.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(status.returncode, 0, status.stdout + status.stderr)

    def test_6_after_a_hub_restart_every_station_comes_back(self):
        self.clinic.hub.stop()
        self.fast.collect(0.5)  # what was in flight
        restarted, restarted_unix_ns = time.monotonic(), time.time_ns()
        self.clinic.start_hub()
        back = self.fast.collect(10, until=lambda ms: stations_in(ms) >= set(STATIONS))
        self.assertEqual(stations_in(back), set(STATIONS), f"hub log:\n{self.clinic.hub.tail()}")
        print(f"MEASURED all {len(STATIONS)} stations back {(back[-1][0] - restarted) * 1000:.0f} ms after the hub's "
              f"restart")
        # Live data, not a backlog queued while the hub was away: nothing older than the restart.
        stale = [m.header.station for _, t, m in back
                 if t.startswith("pressure.frame.") and m.header.host_time_ns < restarted_unix_ns - 500_000_000]
        self.assertEqual(stale, [])


class HubCurve(unittest.TestCase):
    """One station and the hub with CURVE on every link: the daemon proves its own key pair to
    the hub, consumers theirs; a consumer without keys gets nothing."""

    def test_curve_on_both_sides(self):
        with tempfile.TemporaryDirectory(prefix="plinth-hub-curve-") as work:
            keys = {}
            for name, directory in (("hub", "hub"), ("room1", "daemons"), ("tablet", "clients"),
                                    ("daemon-client", "daemon-clients")):
                subprocess.run([PLINTH, "keygen", os.path.join(work, "keys"), "--name", name], check=True,
                               capture_output=True)
                os.makedirs(os.path.join(work, directory), exist_ok=True)
                os.replace(os.path.join(work, "keys", name + ".pub"), os.path.join(work, directory, name + ".pub"))
                keys[name] = os.path.join(work, "keys", name + ".key")
            ports = {k: harness.free_port() for k in ("dd", "dc", "d", "c")}
            ep = {k: f"tcp://127.0.0.1:{v}" for k, v in ports.items()}
            hub = harness.Process([PLINTH, "hub", "--daemons-data", ep["dd"], "--daemons-control", ep["dc"],
                                   "--data", ep["d"], "--control", ep["c"], "--key", keys["hub"],
                                   "--daemons", os.path.join(work, "daemons"),
                                   "--clients", os.path.join(work, "clients")], "hub", work)
            config = os.path.join(work, "room1.toml")
            with open(config, "w") as f:
                f.write(f"""station = "room1"
archive_dir = "{work}/sessions"
[network]
data = "tcp://127.0.0.1:{harness.free_port()}"
control = "tcp://127.0.0.1:{harness.free_port()}"
curve_server_key = "{keys['room1']}"
curve_authorized_clients = "{work}/daemon-clients"
[hub]
data = "{ep['dd']}"
control = "{ep['dc']}"
server_key = "{work}/hub/hub.pub"
""")
            daemon = harness.Process(harness.daemon_command(PLINTHD, "--simulate", "--config", config, *SIM_ARGS),
                                     "room1", work)
            ctx = zmq.Context()
            try:
                import tomllib
                with open(keys["tablet"], "rb") as f:
                    tablet = tomllib.load(f)
                with open(os.path.join(work, "hub", "hub.pub"), "rb") as f:
                    hub_public = tomllib.load(f)["public"].encode()
                secure = Consumer(ctx, ep["d"],
                                  curve=(tablet["public"].encode(), tablet["secret"].encode(), hub_public))
                plain = Consumer(ctx, ep["d"])
                got = secure.collect(15, until=lambda ms: "room1" in stations_in(ms))
                self.assertIn("room1", stations_in(got), f"hub log:\n{hub.tail()}\ndaemon log:\n{daemon.tail()}")
                self.assertEqual(plain.collect(1), [], "a consumer without keys must get nothing")
                ctl = subprocess.run([PLINTH, "ctl", "-e", ep["c"], "--server-key", os.path.join(work, "hub", "hub.pub"),
                                      "--client-key", keys["tablet"], "--station", "room1", "status"],
                                     capture_output=True, text=True, timeout=20)
                self.assertEqual(ctl.returncode, 0, ctl.stdout + ctl.stderr)
                self.assertEqual(json.loads(ctl.stdout)["station"], "room1")
                for sock in (secure.sock, plain.sock):
                    sock.close(0)
            finally:
                ctx.term()
                daemon.stop()
                hub.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
