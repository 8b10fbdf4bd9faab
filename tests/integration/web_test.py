"""The dashboard end to end: plinth sim (mat + strap) -> plinthd -> plinth web -> headless
Chromium (tests/browser/dashboard_test.mjs), checked against an independent ZeroMQ subscriber.

Usage: web_test.py BUILD_DIR. Needs node/npm (playwright-core is installed into
BUILD_DIR/browser-test with `npm ci` from tests/browser's lockfile) and /usr/bin/chromium
(tools/install-deps.sh installs both for tests). Screenshots: BUILD_DIR/dashboard*.png.
"""
import json
import os
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from browser_harness import (BROWSER_DIR, BUILD, PLINTH, PLINTHD, ChildProcesses, Subscriber,  # noqa: E402
                             follow_steps, pb, require_browser_tools, start_node)


class Recorder(Subscriber):
    """Independent subscriber: keeps every metrics message by device seq, beats, events."""

    def __init__(self, endpoint):
        super().__init__(endpoint, (b"pressure.metrics.mat0", b"heart.beat.", b"session.event"))
        self.metrics, self.beats, self.events = {}, {}, []

    def handle(self, topic, payload):
        if topic.startswith("pressure.metrics."):
            m = pb.PressureMetrics()
            m.ParseFromString(payload)
            self.metrics[m.header.device_seq] = m
        elif topic.startswith("heart.beat."):
            b = pb.HeartBeat()
            b.ParseFromString(payload)
            self.beats[b.beat_index] = b
        else:
            e = pb.SessionEvent()
            e.ParseFromString(payload)
            self.events.append(e)


class Dashboard(ChildProcesses, unittest.TestCase):
    def setUp(self):
        require_browser_tools(self)
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-web-")
        self.work = self.tmp.name
        data_port, control_port = harness.free_port(), harness.free_port()
        self.data = f"tcp://127.0.0.1:{data_port}"
        self.control_endpoint = f"tcp://127.0.0.1:{control_port}"
        self.sim = self.start([PLINTH, "sim", "--rate", "50", "--seed", "7"], "sim")
        pty = self.sim.read_line()
        self.strap = self.start([PLINTH, "sim", "--driver", "rr-line", "--seed", "3"], "strap")
        strap_pty = self.strap.read_line()
        config = harness.write_config(self.work, pty, data_port, control_port, heart_port=strap_pty)
        self.daemon = self.start([PLINTHD, "--config", config], "plinthd")
        self.recorder = Recorder(self.data)
        self.recorder.start()
        # Port 0: plinth web picks a free port and prints its URL first.
        self.web = self.start([PLINTH, "web", "--data", self.data, "--control", self.control_endpoint,
                               "--listen", "127.0.0.1:0", "--techniques", "effleurage, petrissage,friction"], "web")
        self.url = self.web.read_line(timeout=30)
        self.assertTrue(self.url.startswith("http://127.0.0.1:"), self.url)

    def tearDown(self):
        self.recorder.stop()
        codes = self.stop_children()
        self.tmp.cleanup()
        self.assertEqual(codes.get("web"), 0, "plinth web did not exit cleanly on SIGTERM")

    def http(self, path, method="GET"):
        request = urllib.request.Request(self.url.rstrip("/") + path, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read()

    def check_http(self):
        status, ctype, body = self.http("/")
        self.assertEqual((status, ctype), (200, "text/html; charset=utf-8"))
        self.assertIn(b'id="heatmap"', body)
        self.assertNotIn(b"https://", body)  # no CDN: the clinic may be offline
        self.assertEqual(self.http("/app.js")[:2], (200, "text/javascript; charset=utf-8"))
        self.assertEqual(self.http("/style.css")[:2], (200, "text/css; charset=utf-8"))
        self.assertEqual(self.http("/vendor/uplot.js")[0], 200)
        self.assertEqual(self.http("/no/such/file")[0], 404)
        self.assertEqual(self.http("/", method="POST")[0], 405)
        harness.wait_for(lambda: (json.loads(self.http("/healthz")[2]).get("messages") or 0) > 0, 30,
                         "plinth web to receive data")
        # Oversized requests are refused, not buffered.
        big = urllib.request.Request(self.url, data=b"x" * 100000, method="GET")
        try:
            urllib.request.urlopen(big, timeout=10)
            self.fail("a 100 kB request was accepted")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 413)
        except (ConnectionError, urllib.error.URLError):
            pass  # closed before the answer could be read: refused all the same

    def browser(self):
        return start_node(self, "dashboard_test.mjs", [self.url, BUILD], BROWSER_DIR, os.path.join(self.work, "node.log"))

    def test_dashboard_shows_the_stream_and_sends_markers(self):
        self.check_http()
        node = self.browser()
        shown_metrics = []

        def on_step(step):
            if step["step"] == "metrics":
                shown_metrics.append(step)
            if step["step"] == "unplug":
                self.sim.stop(timeout=15)  # the mat's pty disappears: an unplugged device
                return True
            if step["step"] == "stop-daemon":
                self.assertEqual(self.daemon.stop(timeout=20), 0, self.daemon.tail())
                return True
            return False
        steps, node_log = follow_steps(node, os.path.join(self.work, "node.log"), on_step)
        self.assertNotIn("error", steps, f"{steps.get('error')}\nnode log:\n{node_log}\nweb log:\n{self.web.tail()}")
        self.assertEqual(node.returncode, 0, node_log)
        self.assertEqual(steps["loaded"]["status"], 200)
        self.assertTrue(steps["loaded"]["uplot"], "uPlot was not vendored into the page")

        # The numbers on the page are those of the published metrics with the same device seq.
        with self.recorder.lock:
            published = dict(self.recorder.metrics)
            beats = dict(self.recorder.beats)
        self.assertGreaterEqual(len(shown_metrics), 6)
        self.assertGreater(len({s["device_seq"] for s in shown_metrics}), 1, "the numbers did not update")
        for shown in shown_metrics:
            m = published.get(shown["device_seq"])
            self.assertIsNotNone(m, f"page shows device seq {shown['device_seq']}, never published")
            for text, value, half_unit in ((shown["load"], m.total_load_n, 0.5),
                                           (shown["area"], m.contact_area_cm2, 0.5),
                                           (shown["peak"], m.peak_pressure_mmhg, 0.5),
                                           (shown["ppi"], m.peak_pressure_index_mmhg, 0.5),
                                           (shown["symmetry"], m.symmetry_index_pct, 0.05)):
                self.assertLessEqual(abs(float(text) - value), half_unit + 1e-9, f"page {text} vs published {value}")
            self.assertTrue(m.total_load_n > 100)

        beat = beats.get(steps["heart"]["beat_index"])
        self.assertIsNotNone(beat, "page shows a beat that was never published")
        self.assertLessEqual(abs(float(steps["heart"]["hr"]) - beat.hr_bpm), 0.5)

        # The marker and the pain score reached the daemon and came back on session.event.
        self.assertEqual(steps["marker"]["state"], "ok", steps["marker"]["text"])
        self.assertEqual(steps["pain"]["state"], "ok")
        harness.wait_for(lambda: any(e.kind == "marker" and e.label == "effleurage" for e in self.recorder.events),
                         10, "the marker on session.event")
        harness.wait_for(lambda: any(e.kind == "pain" and e.value == 3 for e in self.recorder.events),
                         10, "the pain score on session.event")
        self.assertIn(steps["relaxation"]["state"], ("settling", "baseline", "live", "no_data"))

        # Unplugged: a banner names the mat, the map is marked as not live.
        self.assertIn("mat0", steps["banner"]["text"])
        self.assertTrue(steps["banner"]["stale_overlay"])
        self.assertIn("No data from the daemon", steps["daemon-banner"]["text"])
        self.assertEqual(steps["fallback"], {"step": "fallback", "canvas": True, "uplot": "undefined"})
        self.assertEqual(steps["done"]["console_errors"], [])
        self.assertTrue(os.path.getsize(os.path.join(BUILD, "dashboard.png")) > 10000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
