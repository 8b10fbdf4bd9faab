"""Security end to end (schemas/security.md): plinth keygen, a CURVE daemon that serves only
authorized client keys on both endpoints, config rules checked by plinthd --check-config,
archive modes, and sd_notify (READY=1, WATCHDOG=1, STOPPING=1) on a socket the test opens.

Runs the real binaries. Usage: security_test.py BUILD_DIR
"""
import glob
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest

import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
pb = harness.load_pb2(BUILD)
PLINTH = os.path.join(BUILD, "tools", "plinth")
PLINTHD = os.path.join(BUILD, "daemon", "plinthd")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def run(args, timeout=30):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


class Keys:
    """Key pairs made by `plinth keygen` in one directory."""

    def __init__(self, work):
        self.dir = os.path.join(work, "keys")
        for name in ("daemon", "tablet", "stranger"):
            r = run([PLINTH, "keygen", self.dir, "--name", name])
            assert r.returncode == 0, r.stderr
        self.clients = os.path.join(work, "clients")
        os.mkdir(self.clients)
        shutil.copy(self.pub("tablet"), self.clients)

    def key(self, name):
        return os.path.join(self.dir, name + ".key")

    def pub(self, name):
        return os.path.join(self.dir, name + ".pub")

    def z85(self, name):
        with open(self.key(name), "rb") as f:
            t = tomllib.load(f)
        return t["public"].encode(), t["secret"].encode()


class Keygen(unittest.TestCase):
    def test_files_modes_and_format(self):
        with tempfile.TemporaryDirectory(prefix="plinth-keygen-") as work:
            keys = Keys(work)
            self.assertEqual(mode(keys.dir), 0o700)
            self.assertEqual(mode(keys.key("tablet")), 0o600)
            self.assertEqual(mode(keys.pub("tablet")), 0o644)
            public, secret = keys.z85("tablet")
            self.assertEqual(zmq.curve_public(secret), public)  # a real CURVE pair
            with open(keys.pub("tablet"), "rb") as f:
                self.assertEqual(tomllib.load(f), {"public": public.decode()})
            # Never overwrites.
            r = run([PLINTH, "keygen", keys.dir, "--name", "tablet"])
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("tablet.key: exists already", r.stderr)
            self.assertEqual(keys.z85("tablet"), (public, secret))


class CheckConfig(unittest.TestCase):
    """The [network] rules, as an administrator meets them: plinthd --check-config."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-seccfg-")
        self.work = self.tmp.name
        self.keys = Keys(self.work)

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, network, archive_dir=None):
        path = harness.write_config(self.work, "/dev/ttyACM0", 7460, 7461)
        with open(path) as f:
            text = f.read()
        start = text.index("[network]")
        end = text.index("[[mat]]")
        text = text[:start] + "[network]\n" + network + "\n" + text[end:]
        if archive_dir:
            text = text.replace(f'archive_dir = "{self.work}/sessions"', f'archive_dir = "{archive_dir}"')
        with open(path, "w") as f:
            f.write(text)
        r = run([PLINTHD, "--check-config", path])
        line = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("[network]"))) + 2
        return r, path, line

    def test_beyond_loopback_without_keys_is_refused_with_file_line_key(self):
        r, path, line = self.check('data = "tcp://0.0.0.0:7460"')
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"{path}:{line}: network.data: binds beyond this machine", r.stderr)

    def test_insecure_true_is_allowed_with_a_loud_warning(self):
        r, _, _ = self.check('data = "tcp://0.0.0.0:7460"\ninsecure = true')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("INSECURE: the data endpoint tcp://0.0.0.0:7460 is plain TCP", r.stdout + r.stderr)

    def test_curve_beyond_loopback_is_fine(self):
        r, _, _ = self.check(f'data = "tcp://0.0.0.0:7460"\ncurve_server_key = "{self.keys.key("daemon")}"\n'
                             f'curve_authorized_clients = "{self.keys.clients}"')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("INSECURE", r.stdout + r.stderr)

    def test_bad_key_file_is_named(self):
        r, path, line = self.check(f'curve = true\ncurve_server_key = "{self.keys.pub("daemon")}"\n'
                                   f'curve_authorized_clients = "{self.keys.clients}"')
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{path}:{line + 1}: network.curve_server_key: {self.keys.pub('daemon')}: no 'secret", r.stderr)

    def test_existing_loose_archive_dir_gets_a_warning_and_is_left_alone(self):
        loose = os.path.join(self.work, "loose")
        os.mkdir(loose)
        os.chmod(loose, 0o755)
        r, _, _ = self.check("", archive_dir=loose)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"archive_dir {loose} has mode 0755", r.stdout + r.stderr)
        self.assertEqual(mode(loose), 0o755)


class CurveDaemon(unittest.TestCase):
    """plinthd with `curve = true` on loopback: the same code path as a LAN address."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plinth-curve-")
        work = cls.work = cls.tmp.name
        cls.keys = Keys(work)
        cls.data_port, cls.control_port = harness.free_port(), harness.free_port()
        cls.data = f"tcp://127.0.0.1:{cls.data_port}"
        cls.control = f"tcp://127.0.0.1:{cls.control_port}"
        cls.sim = harness.Process([PLINTH, "sim", "--rate", "50", "--seed", "5"], "sim", work)
        pty = cls.sim.read_line()
        config = harness.write_config(work, pty, cls.data_port, cls.control_port)
        with open(config) as f:
            text = f.read()
        text = text.replace("[network]\n", f'[network]\ncurve = true\ncurve_server_key = "{cls.keys.key("daemon")}"\n'
                                           f'curve_authorized_clients = "{cls.keys.clients}"\n')
        with open(config, "w") as f:
            f.write(text)
        cls.daemon = harness.Process([PLINTHD, "--config", config], "plinthd", work)
        cls.ctx = zmq.Context()
        end = time.monotonic() + 20
        while True:
            r = cls.ctl("tablet", "status", timeout=1)
            if r.returncode == 0:
                break
            if time.monotonic() > end or cls.daemon.proc.poll() is not None:
                raise AssertionError(f"CURVE plinthd never answered: {r.stderr}\n{cls.daemon.tail()}")

    @classmethod
    def tearDownClass(cls):
        cls.ctx.term()
        cls.daemon.stop(timeout=10)
        cls.sim.stop(timeout=10)
        cls.tmp.cleanup()

    @classmethod
    def curve_args(cls, client):
        if client is None:
            return []
        return ["--server-key", cls.keys.pub("daemon"), "--client-key", cls.keys.key(client)]

    @classmethod
    def ctl(cls, client, *args, timeout=3):
        return run([PLINTH, "ctl", "-e", cls.control, "--timeout", str(timeout), *cls.curve_args(client), *args])

    def subscriber(self, client):
        s = self.ctx.socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        if client:
            public, secret = self.keys.z85(client)
            s.curve_serverkey = self.keys.z85("daemon")[0]
            s.curve_publickey, s.curve_secretkey = public, secret
        s.setsockopt(zmq.SUBSCRIBE, b"status")
        s.connect(self.data)
        return s

    def received_within(self, sock, seconds):
        ok = sock.poll(int(seconds * 1000)) != 0
        if ok:
            topic, payload = sock.recv_multipart()
            msg = pb.Status()
            msg.ParseFromString(payload)
            self.assertEqual(topic, b"status")
        sock.close(0)
        return ok

    def test_authorized_client_controls(self):
        r = self.ctl("tablet", "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        reply = json.loads(r.stdout)
        self.assertTrue(reply["ok"])
        self.assertEqual(reply["state"], "recording")
        r = self.ctl("tablet", "marker", "effleurage")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_unknown_client_key_is_refused(self):
        r = self.ctl("stranger", "status")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        self.assertIn("refused this client's key", r.stderr)

    def test_plain_client_gets_no_control(self):
        r = self.ctl(None, "status")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")

    def test_data_needs_an_authorized_curve_client(self):
        self.assertTrue(self.received_within(self.subscriber("tablet"), 5))
        self.assertFalse(self.received_within(self.subscriber(None), 2.5))
        self.assertFalse(self.received_within(self.subscriber("stranger"), 2.5))

    def test_plinth_sub_with_keys(self):
        r = run([PLINTH, "sub", "-e", self.data, "-n", "1", "--timeout", "10", *self.curve_args("tablet"), "status"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout.splitlines()[0])["topic"], "status")
        r = run([PLINTH, "sub", "-e", self.data, "-n", "1", "--timeout", "5", *self.curve_args("stranger")])
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("refused this client's key", r.stderr)

    def test_archive_is_private(self):
        files = glob.glob(os.path.join(self.work, "sessions", "*.h5"))
        self.assertEqual(len(files), 1)
        self.assertEqual(mode(os.path.dirname(files[0])), 0o700)
        self.assertEqual(mode(files[0]), 0o600)


class SystemdNotify(unittest.TestCase):
    def test_ready_watchdog_stopping(self):
        with tempfile.TemporaryDirectory(prefix="plinth-notify-") as work:
            sock_path = os.path.join(work, "notify.sock")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            listener.bind(sock_path)
            listener.settimeout(0.5)
            data_port, control_port = harness.free_port(), harness.free_port()
            sim = harness.Process([PLINTH, "sim", "--rate", "20", "--seed", "9"], "sim", work)
            config = harness.write_config(work, sim.read_line(), data_port, control_port)
            env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="1000000")
            env.pop("WATCHDOG_PID", None)
            log = open(os.path.join(work, "plinthd.log"), "wb")
            daemon = subprocess.Popen([PLINTHD, "--config", config], env=env, stdout=log, stderr=subprocess.STDOUT)
            messages = []

            def wait_for(what, timeout):
                end = time.monotonic() + timeout
                while time.monotonic() < end:
                    try:
                        messages.append(listener.recv(4096).decode())
                    except socket.timeout:
                        pass
                    if sum(what in m.split("\n") for m in messages) >= (2 if what == "WATCHDOG=1" else 1):
                        return True
                return False

            try:
                self.assertTrue(wait_for("READY=1", 20), messages)
                ready = next(m for m in messages if "READY=1" in m.split("\n"))
                self.assertIn("STATUS=recording", ready)
                # The daemon answers on its endpoints once it said READY.
                r = run([PLINTH, "ctl", "-e", f"tcp://127.0.0.1:{control_port}", "status"])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(wait_for("WATCHDOG=1", 5), messages)  # every 0.5 s with WATCHDOG_USEC=1 s
                daemon.send_signal(signal.SIGTERM)
                self.assertTrue(wait_for("STOPPING=1", 10), messages)
                self.assertEqual(daemon.wait(20), 0)
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
                sim.stop(timeout=10)
                listener.close()
                log.close()


if __name__ == "__main__":
    unittest.main()
