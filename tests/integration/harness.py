"""Helpers for integration tests that run the real binaries (plinth sim, plinthd)."""
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process whose output is kept in a log file and which is always reaped."""

    def __init__(self, args, name, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)

    def read_line(self, timeout=10.0):
        """First stdout line (e.g. the pty path plinth sim prints)."""
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"{self.name} printed nothing within {timeout} s; log:\n{self.tail()}")
        return self.proc.stdout.readline().decode().strip()

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.name} did not exit within {timeout} s of signal {sig}")
        return self.proc.returncode

    def tail(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-4000:].decode(errors="replace")

    def __del__(self):
        if getattr(self, "proc", None) and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def daemon_command(plinthd, *args):
    """plinthd and its arguments, under PLINTH_DAEMON_WRAPPER if set (e.g. valgrind)."""
    return [*shlex.split(os.environ.get("PLINTH_DAEMON_WRAPPER", "")), plinthd, *args]


def load_pb2(build_dir):
    sys.path.insert(0, os.path.join(build_dir, "python"))
    import plinth_pb2  # noqa: E402
    return plinth_pb2


def write_config(workdir, pty_path, data_port, control_port, rows=64, cols=32, extra_mat="", heart_port=None,
                 station="itest-table"):
    path = os.path.join(workdir, "plinthd.toml")
    with open(path, "w") as f:
        f.write(f"""
subject = "itest-001"
station = "{station}"
archive_dir = "{workdir}/sessions"
[network]
data = "tcp://127.0.0.1:{data_port}"
control = "tcp://127.0.0.1:{control_port}"
[[mat]]
id = "mat0"
driver = "plinth-mat"
port = "{pty_path}"
rows = {rows}
cols = {cols}
pitch_cm = 2.54
saturation_raw = 4095
noise_threshold_mmhg = 5.0
{extra_mat}
[mat.calibration]
curve = "linear"
unit = "mmHg"
scale = 0.025
""")
        if heart_port:
            f.write(f"""
[[heart]]
id = "strap0"
driver = "rr-line"
port = "{heart_port}"
baseline_s = 30
""")
    return path


def wait_for(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
