"""A clinic on this machine for tests and benchmarks: `plinth hub` and N `plinthd --simulate`
stations joined to it (schemas/hub.md), and subscribers that decode what arrives."""
import os
import subprocess
import time

import zmq

import harness


def decode(topic, payload):
    """The Python package's decoder (tools/python; the build puts it beside plinth_pb2)."""
    from plinth.stream import decode as decode_payload
    return decode_payload(topic, payload)


class Clinic:
    """The hub on four free loopback ports and one daemon per station, each with its own ports,
    archive directory and simulation seed; `sim_args` go to every plinthd."""

    def __init__(self, build, work, stations, sim_args, hub_args=()):
        self.plinth = os.path.join(build, "tools", "plinth")
        self.plinthd = os.path.join(build, "daemon", "plinthd")
        self.work = work
        self.sim_args = list(sim_args)
        self.hub_ports = {k: harness.free_port() for k in ("daemons_data", "daemons_control", "data", "control")}
        self.hub_args = list(hub_args)
        self.start_hub()
        self.daemons, self.configs, self.direct = {}, {}, {}
        self.seeds = {station: i + 1 for i, station in enumerate(stations)}
        for station in stations:
            self.configs[station] = self.write_config(station)
            self.start(station)

    def start_hub(self):
        self.hub = harness.Process([self.plinth, "hub", "--daemons-data", self.endpoint("daemons_data"),
                                    "--daemons-control", self.endpoint("daemons_control"),
                                    "--data", self.endpoint("data"), "--control", self.endpoint("control"),
                                    *self.hub_args], "hub", self.work)

    def endpoint(self, key):
        return f"tcp://127.0.0.1:{self.hub_ports[key]}"

    def write_config(self, station):
        path = os.path.join(self.work, station + ".toml")
        self.direct[station] = f"tcp://127.0.0.1:{harness.free_port()}"
        with open(path, "w") as f:
            f.write(f"""station = "{station}"
archive_dir = "{self.work}/{station}"
[network]
data = "{self.direct[station]}"
control = "tcp://127.0.0.1:{harness.free_port()}"
[hub]
data = "{self.endpoint('daemons_data')}"
control = "{self.endpoint('daemons_control')}"
""")
        return path

    def start(self, station):
        self.daemons[station] = harness.Process(
            harness.daemon_command(self.plinthd, "--simulate", "--config", self.configs[station], *self.sim_args,
                                   "--sim-seed", str(self.seeds[station])), station, self.work)

    def ctl(self, *args):
        return subprocess.run([self.plinth, "ctl", "-e", self.endpoint("control"), *args], capture_output=True,
                              text=True, timeout=20)

    def stop(self):
        for p in self.daemons.values():
            p.stop()
        self.hub.stop()


class Consumer:
    """A subscriber that reads all the time; `curve` = (public, secret, server public) as Z85."""

    def __init__(self, ctx, endpoint, topics=(b"",), curve=None):
        self.sock = ctx.socket(zmq.SUB)
        self.sock.setsockopt(zmq.RCVHWM, 100000)
        if curve:
            self.sock.curve_publickey, self.sock.curve_secretkey, self.sock.curve_serverkey = curve
        self.sock.connect(endpoint)
        for t in topics:
            self.sock.setsockopt(zmq.SUBSCRIBE, t)

    def collect(self, seconds, until=None):
        """[(receive time, topic, message)] for `seconds`, or until `until(messages)` is true."""
        out = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not self.sock.poll(50):
                continue
            while True:
                try:
                    topic, payload = self.sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                out.append((time.monotonic(), topic.decode(), decode(topic.decode(), payload)))
            if until and until(out):
                break
        return out


def stations_in(messages):
    return {m.header.station for _, t, m in messages if t != "hub.status"}
