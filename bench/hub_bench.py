"""What the hub costs (schemas/hub.md): eight simulated stations (64x32 @ 50 Hz by default)
behind `plinth hub`, every message received both directly from its daemon and through the hub
by one process; prints the added latency (p50/p99 of hub arrival - direct arrival of the same
message, matched by station, topic and seq), the throughput and the hub's CPU.

Usage: /usr/bin/python3 bench/hub_bench.py [BUILD_DIR] [--seconds 30] [--stations 8] [--rate 50]
"""
import argparse
import os
import sys
import tempfile
import time

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import harness  # noqa: E402
from clinic import Clinic, decode  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * len(values) + 0.5)) - 1))] if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--stations", type=int, default=8)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--rows", type=int, default=64)
    ap.add_argument("--cols", type=int, default=32)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    harness.load_pb2(build)  # and the Python package beside it
    stations = [f"room{i}" for i in range(1, a.stations + 1)]
    with tempfile.TemporaryDirectory(prefix="plinth-hub-bench-") as work:
        clinic = Clinic(build, work, stations, ["--sim-rate", str(a.rate), "--sim-rows", str(a.rows),
                                                "--sim-cols", str(a.cols)])
        ctx = zmq.Context()
        try:
            run(a, ctx, clinic, stations)
        finally:
            ctx.destroy(0)
            clinic.stop()


def run(a, ctx, clinic, stations):
    # Everything, both ways: the hub's subscriber and one per daemon, polled by one loop so that
    # both arrivals of a message are stamped on the same clock with the same overheads.
    def subscriber(endpoint):
        s = ctx.socket(zmq.SUB)
        s.setsockopt(zmq.RCVHWM, 1000000)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(endpoint)
        return s

    through_hub = subscriber(clinic.endpoint("data"))
    direct = [subscriber(clinic.direct[s]) for s in stations]
    poller = zmq.Poller()
    for s in [through_hub, *direct]:
        poller.register(s, zmq.POLLIN)

    def drain(until, record):
        while time.monotonic() < until:
            for sock, _ in poller.poll(50):
                while True:
                    try:
                        topic, payload = sock.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    record(time.monotonic_ns(), time.time_ns(), sock is through_hub, topic.decode(), payload)

    seen = set()
    drain(time.monotonic() + 5, lambda *m: seen.add(decode(m[3], m[4]).header.station) if m[2] else None)
    missing = set(stations) - seen
    if missing:
        raise SystemExit(f"stations {sorted(missing)} did not arrive through the hub in 5 s")

    arrivals = {}  # (station, topic, seq) -> [direct ns, hub ns]
    wire = {True: [], False: []}  # host arrival -> receive, per path (UNIX clocks of one machine)
    counts = {"messages": 0, "bytes": 0}
    statuses = []

    def record(mono_ns, unix_ns, hub, topic, payload):
        m = decode(topic, payload)
        if topic == "hub.status":
            statuses.append(m)
            return
        if hub:
            counts["messages"] += 1
            counts["bytes"] += len(topic) + len(payload)
        slot = arrivals.setdefault((m.header.station, topic, m.header.seq), [None, None])
        slot[1 if hub else 0] = mono_ns
        if topic.startswith("pressure.frame."):
            wire[hub].append((unix_ns - m.header.host_time_ns) / 1e3)

    hub_pid = clinic.hub.proc.pid
    cpu0, t0 = cpu_seconds(hub_pid), time.monotonic()
    drain(t0 + a.seconds, record)
    elapsed = time.monotonic() - t0
    hub_cpu = (cpu_seconds(hub_pid) - cpu0) / elapsed * 100

    added = [(h - d) / 1e3 for d, h in arrivals.values() if d is not None and h is not None]
    frames_added = [(v[1] - v[0]) / 1e3 for k, v in arrivals.items()
                    if k[1].startswith("pressure.frame.") and None not in v]
    only_direct = sum(1 for d, h in arrivals.values() if h is None)
    print(f"== hub: {len(stations)} stations x {a.rows}x{a.cols} @ {a.rate:g} Hz, {elapsed:.0f} s, "
          f"load {open('/proc/loadavg').read().split()[0]}, {os.cpu_count()} CPUs")
    print(f"RESULT hub added latency, all messages (n={len(added)}): p50 {percentile(added, 0.5):.0f} us, "
          f"p99 {percentile(added, 0.99):.0f} us, p99.9 {percentile(added, 0.999):.0f} us, max {max(added):.0f} us")
    print(f"RESULT hub added latency, pressure.frame (n={len(frames_added)}): p50 {percentile(frames_added, 0.5):.0f} us,"
          f" p99 {percentile(frames_added, 0.99):.0f} us")
    for hub, name in ((False, "direct"), (True, "through the hub")):
        print(f"RESULT host arrival -> subscriber, pressure.frame, {name}: p50 {percentile(wire[hub], 0.5):.0f} us, "
              f"p99 {percentile(wire[hub], 0.99):.0f} us")
    print(f"RESULT hub throughput: {counts['messages'] / elapsed:.0f} messages/s, "
          f"{counts['bytes'] / elapsed / 1e6:.2f} MB/s to one subscriber; hub CPU {hub_cpu:.1f} % of one core; "
          f"{only_direct} message(s) seen directly but not through the hub (in flight at the end)")
    if statuses:
        s = statuses[-1]
        print(f"RESULT hub.status: {s.messages_per_s:.0f} messages/s, {s.bytes_per_s / 1e6:.2f} MB/s, "
              f"{s.subscribers} subscriber(s), capture missed {s.capture_missed}; "
              + ", ".join(f"{x.station} {x.rate_hz:.0f}/s" for x in s.stations))


if __name__ == "__main__":
    main()
