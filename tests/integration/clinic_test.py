"""The clinic overview end to end: two treatment tables (plinth sim mat + strap -> plinthd with
its own `station`), `plinth hub` (one stream, same topics, told apart only by Header.station),
plinth web on the hub, headless Chromium
(tests/browser/clinic_test.mjs) checked against an independent subscriber per station.

Usage: clinic_test.py BUILD_DIR. Screenshots: BUILD_DIR/clinic*.png.
"""
import json
import os
import sys
import tempfile
import unittest
import urllib.request

import zmq

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from browser_harness import (BROWSER_DIR, BUILD, PLINTH, PLINTHD, ChildProcesses, Subscriber,  # noqa: E402
                             follow_steps, pb, require_browser_tools, start_node)

STATIONS = {"room1": {"seed": "7", "posture": "supine"}, "room2": {"seed": "11", "posture": "prone"}}


class StationRecorder(Subscriber):
    """Independent subscriber on the hub: total load by station and device seq."""

    def __init__(self, context, endpoint):
        super().__init__(endpoint, (b"pressure.metrics.",), context)
        self.loads = {name: {} for name in STATIONS}

    def handle(self, topic, payload):
        m = pb.PressureMetrics()
        m.ParseFromString(payload)
        self.loads.setdefault(m.header.station, {})[m.header.device_seq] = m.total_load_n


class ClinicOverview(ChildProcesses, unittest.TestCase):
    def setUp(self):
        require_browser_tools(self)
        self.tmp = tempfile.TemporaryDirectory(prefix="plinth-clinic-")
        self.work = self.tmp.name
        self.daemons, data_endpoints = {}, []
        # The real hub: every daemon's stream from one address (schemas/hub.md).
        hub_ports = {k: harness.free_port() for k in ("daemons_data", "daemons_control", "data", "control")}
        hub_endpoint = {k: f"tcp://127.0.0.1:{port}" for k, port in hub_ports.items()}
        self.start([PLINTH, "hub", "--daemons-data", hub_endpoint["daemons_data"],
                    "--daemons-control", hub_endpoint["daemons_control"], "--data", hub_endpoint["data"],
                    "--control", hub_endpoint["control"]], "hub")
        for station, sim in STATIONS.items():
            work = os.path.join(self.work, station)
            os.makedirs(work)
            mat = self.start([PLINTH, "sim", "--rate", "20", "--seed", sim["seed"], "--posture", sim["posture"]],
                             station + "-mat")
            strap = self.start([PLINTH, "sim", "--driver", "rr-line", "--seed", sim["seed"]], station + "-strap")
            data_port, control_port = harness.free_port(), harness.free_port()
            config = harness.write_config(work, mat.read_line(), data_port, control_port,
                                          heart_port=strap.read_line(), station=station)
            with open(config, "a") as f:
                f.write(f'[hub]\ndata = "{hub_endpoint["daemons_data"]}"\ncontrol = "{hub_endpoint["daemons_control"]}"\n')
            self.daemons[station] = self.start([PLINTHD, "--config", config], station + "-plinthd")
            data_endpoints.append(f"tcp://127.0.0.1:{data_port}")
        self.context = zmq.Context()
        hub = hub_endpoint["data"]
        self.recorder = StationRecorder(self.context, hub)
        self.recorder.start()
        self.web = self.start([PLINTH, "web", "--data", hub, "--listen", "127.0.0.1:0"], "web")
        self.url = self.web.read_line(timeout=30)
        # The same tables without a hub: one plinth web subscribed to both daemons.
        self.direct = self.start([PLINTH, "web", "--data", ",".join(data_endpoints), "--listen", "127.0.0.1:0"],
                                 "web-direct")
        self.direct_url = self.direct.read_line(timeout=30)

    def tearDown(self):
        self.recorder.stop()
        codes = self.stop_children()
        self.context.destroy(linger=0)
        self.tmp.cleanup()
        self.assertEqual(codes.get("web"), 0, "plinth web did not exit cleanly on SIGTERM")

    def clinic_json(self, url):
        with urllib.request.urlopen(url.rstrip("/") + "/clinic.json", timeout=10) as r:
            return json.loads(r.read())

    def published_load(self, station, device_seq):
        with self.recorder.lock:
            return self.recorder.loads.get(station, {}).get(device_seq)

    def assert_shows_station(self, station, shown):
        """Every shown load is the one `station` published with that device seq."""
        self.assertGreaterEqual(len(shown), 3, shown)
        for device_seq, text in shown:
            load = self.published_load(station, device_seq)
            self.assertIsNotNone(load, f"{station}: page shows device seq {device_seq}, never published")
            self.assertLessEqual(abs(float(text) - load), 0.5 + 1e-9, f"{station} seq {device_seq}: {text} vs {load}")

    def test_one_tile_per_station_and_each_station_page_shows_only_its_table(self):
        harness.wait_for(lambda: len(self.clinic_json(self.direct_url)["stations"]) == 2, 30,
                         "plinth web --data A,B to hear both stations")
        node = start_node(self, "clinic_test.mjs", [self.url, BUILD], BROWSER_DIR, os.path.join(self.work, "node.log"))
        tiles, station_page, default_page = [], [], []

        def on_step(step):
            if step["step"] == "tiles":
                tiles.append(step)
            if step["step"] == "station-metrics":
                station_page.append(step)
            if step["step"] == "default-metrics":
                default_page.append(step)
            if step["step"] == "stop-room1":
                self.assertEqual(self.daemons["room1"].stop(timeout=20), 0)
                return True
            return False
        steps, node_log = follow_steps(node, os.path.join(self.work, "node.log"), on_step)
        self.assertNotIn("error", steps, f"{steps.get('error')}\nnode log:\n{node_log}\nweb log:\n{self.web.tail()}")
        self.assertEqual(node.returncode, 0, node_log)

        # One tile per station, each with its own station's live load and a heart rate.
        for station in STATIONS:
            shown = [(t["tiles"][station]["load_seq"], t["tiles"][station]["load"]) for t in tiles]
            self.assert_shows_station(station, shown)
            self.assertEqual(tiles[-1]["tiles"][station]["href"], f"/?station={station}")
            self.assertEqual(tiles[-1]["tiles"][station]["level"], "ok", tiles[-1])
            hr = tiles[-1]["tiles"][station]["hr"]
            self.assertTrue(hr == "—" or 30 <= float(hr) <= 200, hr)
        self.assertEqual(sorted(tiles[-1]["tiles"]), sorted(STATIONS))

        # The station page (reached by clicking room2's tile) shows room2's numbers, never room1's.
        self.assertTrue(steps["station-page"]["url"].endswith("/?station=room2"), steps["station-page"])
        self.assertEqual(steps["station-page"]["station"], "room2")
        self.assertFalse(steps["station-page"]["markers_visible"])
        shown = [(s["device_seq"], s["load"]) for s in station_page]
        self.assert_shows_station("room2", shown)
        differs = [seq for seq, text in shown
                   if self.published_load("room1", seq) is not None
                   and abs(self.published_load("room1", seq) - float(text)) > 0.5]
        self.assertTrue(differs, "room1 and room2 publish the same loads: the check proves nothing")

        # The page without a station follows one station all along (the first heard).
        followed = {s["station"] for s in default_page}
        self.assertEqual(len(followed), 1, default_page)
        self.assert_shows_station(followed.pop(), [(s["device_seq"], s["load"]) for s in default_page])

        # room1's daemon stops: its tile raises the stale-station alarm; room2 stays live.
        self.assertIn("No data from room1", steps["silent"]["alarm"])
        self.assertEqual(steps["silent"]["room2_level"], "ok")
        self.assertEqual(steps["done"]["external_requests"], [])
        self.assertEqual(steps["done"]["console_errors"], [])
        for shot in ("clinic.png", "clinic-station.png", "clinic-alarm.png"):
            self.assertTrue(os.path.getsize(os.path.join(BUILD, shot)) > 10000, shot)


if __name__ == "__main__":
    unittest.main(verbosity=2)
