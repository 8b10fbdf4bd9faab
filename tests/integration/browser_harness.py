"""Headless Chromium for the dashboard tests: playwright-core from tests/browser's lockfile
(no browser download; Debian's /usr/bin/chromium) and a node script from tests/browser run
beside it, speaking one JSON object per line on stdout."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import zmq

import harness

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The test's one argument is the build dir (it is taken off argv before unittest sees it).
BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(REPO, "build")
pb = harness.load_pb2(BUILD)
PLINTH = os.path.join(BUILD, "tools", "plinth")
PLINTHD = os.path.join(BUILD, "daemon", "plinthd")
BROWSER_DIR = os.path.join(BUILD, "browser-test")
CHROMIUM = os.environ.get("PLINTH_CHROMIUM", "/usr/bin/chromium")


def install_playwright(browser_dir):
    """playwright-core from the lockfile into the build dir (no browser download)."""
    marker = os.path.join(browser_dir, "node_modules", "playwright-core", "package.json")
    if os.path.exists(marker):
        return
    npm = shutil.which("npm")
    if not npm:
        raise AssertionError("npm is missing: run tools/install-deps.sh (PLINTH_WITH_TEST_DEPS=1)")
    os.makedirs(browser_dir, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(REPO, "tests", "browser", name), browser_dir)
    run = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=browser_dir,
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise AssertionError(f"npm ci for playwright-core failed:\n{run.stdout}\n{run.stderr}")


def start_node(test_case, script_name, args, browser_dir, log_path):
    """Runs tests/browser/<script_name> with `args`; reaped by the test case's cleanup."""
    # ES modules resolve packages next to the script: run a copy beside node_modules.
    shutil.copy(os.path.join(REPO, "tests", "browser", "chromium.mjs"), browser_dir)
    script = shutil.copy(os.path.join(REPO, "tests", "browser", script_name), browser_dir)
    log = open(log_path, "wb")
    node = subprocess.Popen(["node", script, *args], cwd=browser_dir,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)

    def reap():
        if node.poll() is None:
            node.kill()
            node.wait()
        node.stdin.close()
        node.stdout.close()
        log.close()
    test_case.addCleanup(reap)
    return node


def follow_steps(node, log_path, on_step, timeout=240):
    """Reads the script's steps until `done` or `error`. `on_step(step)` returning True means
    the script waits for the test to act: it is told to go on. Returns the last step of each
    name and the tail of the script's log."""
    steps = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = node.stdout.readline()
        if not line:
            break
        step = json.loads(line)
        steps[step["step"]] = step
        if on_step(step):
            node.stdin.write(b"go\n")
            node.stdin.flush()
        if step["step"] in ("done", "error"):
            break
    node.wait(60)
    with open(log_path, errors="replace") as f:
        return steps, f.read()[-3000:]


def require_browser_tools(test_case):
    """The binaries and Chromium must be there; playwright-core is installed on first use."""
    for path in (CHROMIUM, PLINTH, PLINTHD):
        test_case.assertTrue(os.path.exists(path), f"{path} is missing (tools/install-deps.sh installs chromium)")
    install_playwright(BROWSER_DIR)


class Subscriber(threading.Thread):
    """An independent ZeroMQ subscriber on its own thread: `handle(topic, payload)` is called
    under `lock` for every message, so the test can read what it kept under the same lock."""

    def __init__(self, endpoint, topics, context=None):
        super().__init__(daemon=True)
        self.own_context = context is None
        self.ctx = context or zmq.Context()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.RCVHWM, 100000)
        self.sub.connect(endpoint)
        for topic in topics:
            self.sub.setsockopt(zmq.SUBSCRIBE, topic)
        self.lock = threading.Lock()
        self.stopping = False

    def handle(self, topic, payload):
        raise NotImplementedError

    def run(self):
        while not self.stopping:
            if not self.sub.poll(100):
                continue
            topic, payload = self.sub.recv_multipart()
            with self.lock:
                self.handle(topic.decode(), payload)

    def stop(self):
        self.stopping = True
        self.join(5)
        self.sub.close(0)
        if self.own_context:
            self.ctx.term()


class ChildProcesses:
    """unittest mixin: what start() starts (logs in self.work) stop_children() stops, newest
    first, returning each one's exit code by name."""

    def start(self, args, name):
        proc = harness.Process(args, name, self.work)
        self.__dict__.setdefault("children", []).append(proc)
        return proc

    def stop_children(self):
        return {proc.name: proc.stop(timeout=15) for proc in reversed(self.__dict__.get("children", []))}
