"""A plinthd with simulated devices and a subscriber on its own thread, for the fault and
archive-durability tests. Every message is decoded and stamped with the subscriber's receipt
time (UNIX ns), so that tests can measure how long the daemon took to say something."""
import glob
import os
import subprocess
import threading
import time

import zmq

import harness

MESSAGE_FOR_TOPIC = (
    ("pressure.frame.", "PressureFrame"),
    ("pressure.metrics.", "PressureMetrics"),
    ("heart.beat.", "HeartBeat"),
    ("heart.hrv.", "HeartHrv"),
    ("session.event", "SessionEvent"),
    ("relaxation", "Relaxation"),
    ("status", "Status"),
)


class Received:
    __slots__ = ("recv_ns", "topic", "msg")

    def __init__(self, recv_ns, topic, msg):
        self.recv_ns, self.topic, self.msg = recv_ns, topic, msg


class Stream:
    """A SUB socket read by a background thread into a list of Received."""

    def __init__(self, ctx, pb, endpoint, topics, rcvhwm=1000000):
        self.pb = pb
        self.socket = ctx.socket(zmq.SUB)
        self.socket.setsockopt(zmq.RCVHWM, rcvhwm)
        self.socket.setsockopt(zmq.LINGER, 0)
        for t in topics:
            self.socket.setsockopt(zmq.SUBSCRIBE, t.encode())
        self.socket.connect(endpoint)
        self.messages = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _decode(self, topic, payload):
        for prefix, name in MESSAGE_FOR_TOPIC:
            if topic.startswith(prefix):
                msg = getattr(self.pb, name)()
                msg.ParseFromString(payload)
                return msg
        return None

    def _run(self):
        while self.running:
            if not self.socket.poll(50):
                continue
            while True:
                try:
                    topic, payload = self.socket.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                now = time.time_ns()
                topic = topic.decode()
                msg = self._decode(topic, payload)
                with self.lock:
                    self.messages.append(Received(now, topic, msg))

    def close(self):
        self.running = False
        self.thread.join(5)
        self.socket.close(0)

    def snapshot(self, topic=None, kind=None, device=None):
        with self.lock:
            out = list(self.messages)
        if topic is not None:
            out = [r for r in out if r.topic == topic]
        if kind is not None:
            out = [r for r in out if r.msg.kind == kind]
        if device is not None:
            out = [r for r in out if r.msg.header.device_id == device]
        return out

    def wait_for(self, what, timeout, **filters):
        """The first message matching the filters (and `what`, a predicate on Received, or None)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for r in self.snapshot(**filters):
                if what is None or what(r):
                    return r
            time.sleep(0.02)
        raise AssertionError(f"timed out after {timeout} s waiting for {filters}")

    def wait_quiet(self, quiet_s=0.5, timeout=10):
        """Until nothing new has arrived for quiet_s (the stream is drained)."""
        end = time.monotonic() + timeout
        count = -1
        while time.monotonic() < end:
            with self.lock:
                n = len(self.messages)
            if n == count:
                return
            count = n
            time.sleep(quiet_s)


def daemon_command(build, *args):
    """plinthd's command line, under PLINTH_DAEMON_WRAPPER if set (valgrind, prlimit)."""
    return harness.daemon_command(os.path.join(build, "daemon", "plinthd"), *args)


class LoggedProcess(harness.Process):
    """A harness.Process whose stdout goes to its log as well (plinthd logs on stdout; an
    unread pipe would block it once full)."""

    def __init__(self, args, name, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


class DaemonCase:
    """Mixin for unittest.TestCase: self.work (temp dir), ports, start_sim(), start_daemon(),
    stream(). Everything it starts is stopped in cleanup."""

    def setup_case(self, build, prefix):
        import tempfile
        self.build = build
        self.pb = harness.load_pb2(build)
        self.tmp = tempfile.TemporaryDirectory(prefix=prefix)
        self.work = self.tmp.name
        self.data_port, self.control_port = harness.free_port(), harness.free_port()
        self.ctx = zmq.Context()
        self.processes, self.streams = [], []
        self.addCleanup(self.cleanup_case)

    def cleanup_case(self):
        for s in self.streams:
            s.close()
        for p in reversed(self.processes):
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
            p.log.close()
            if p.proc.stdout:
                p.proc.stdout.close()
        self.ctx.term()
        self.tmp.cleanup()

    def start_sim(self, name, *args):
        """plinth sim with these arguments; returns (process, the path it prints)."""
        p = harness.Process([os.path.join(self.build, "tools", "plinth"), "sim", *args], name, self.work)
        self.processes.append(p)
        return p, p.read_line()

    def start_daemon(self, config, name="plinthd", prefix=()):
        p = LoggedProcess([*prefix, *daemon_command(self.build, "--config", config)], name, self.work)
        self.processes.append(p)
        return p

    def stream(self, topics, rcvhwm=1000000):
        s = Stream(self.ctx, self.pb, f"tcp://127.0.0.1:{self.data_port}", topics, rcvhwm)
        self.streams.append(s)
        return s

    def archives(self):
        return sorted(glob.glob(os.path.join(self.work, "sessions", "*.h5")))


def events_of(h5):
    """The archive's /events as (time_ns, kind, label, value, detail) tuples."""
    ev = h5["events"][:]
    text = lambda b: b.decode() if isinstance(b, bytes) else str(b)  # noqa: E731
    return [(int(e["time_ns"]), text(e["kind"]), text(e["label"]), float(e["value"]), text(e["detail"])) for e in ev]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")
