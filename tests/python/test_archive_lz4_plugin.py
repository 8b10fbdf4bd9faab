#!/usr/bin/python3
"""An archive written with archive.compression = "lz4" reads in Debian's stock h5py and h5dump
through Debian's own LZ4 filter plugin (hdf5-filter-plugin), the reader-side set-up that
schemas/archive-layout.md §Compression gives; without the plugin the read fails, so the
plugin, not plinth's in-process filter, is what decodes here.

Usage: test_archive_lz4_plugin.py <path to archive_sample_writer>
"""
import os
import subprocess
import sys
import tempfile
import unittest

PLUGIN_DIR = "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins"
WRITER = None


def expected_frame(n, values=2048):
    import numpy as np
    return ((n * 31 + np.arange(values) * 7) % 4000).astype(np.uint16)


READ_FRAMES = r"""
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    raw = f["pressure/mat0/raw"]
    plist = raw.id.get_create_plist()
    print("filters", [plist.get_filter(i)[0] for i in range(plist.get_nfilters())])
    np.save(sys.argv[2], raw[:])
"""


class Lz4Archive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        result = subprocess.run([WRITER, "session-lz4", os.path.join(cls.tmp.name, "sessions")], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        cls.path = result.stdout.strip()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def read_in_fresh_python(self, plugin_path):
        # A fresh interpreter: HDF5 looks for plugins when a filter is first needed.
        env = dict(os.environ, HDF5_PLUGIN_PATH=plugin_path)
        out = os.path.join(self.tmp.name, "frames.npy")
        result = subprocess.run(["/usr/bin/python3", "-c", READ_FRAMES, self.path, out], capture_output=True,
                                text=True, timeout=120, env=env)
        return result, out

    def test_plugin_is_installed(self):
        self.assertTrue(os.path.exists(os.path.join(PLUGIN_DIR, "libh5lz4.so")),
                        "Debian's hdf5-filter-plugin is missing (tools/install-deps.sh installs it for the tests)")

    def test_h5py_reads_every_frame_through_debians_plugin(self):
        import numpy as np
        result, out = self.read_in_fresh_python(PLUGIN_DIR)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("filters [2, 32004]", result.stdout)  # shuffle, then LZ4
        frames = np.load(out)
        self.assertEqual(frames.shape, (50, 64, 32))
        for n in range(50):
            np.testing.assert_array_equal(frames[n].ravel(), expected_frame(n))

    def test_without_the_plugin_the_read_fails(self):
        empty = os.path.join(self.tmp.name, "no-plugins")
        os.makedirs(empty, exist_ok=True)
        result, _ = self.read_in_fresh_python(empty)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("filter", result.stderr.lower())

    def test_h5dump_reads_frames_through_the_plugin(self):
        env = dict(os.environ, HDF5_PLUGIN_PATH=PLUGIN_DIR)
        out = subprocess.run(["/usr/bin/h5dump", "-p", "-d", "/pressure/mat0/raw", "-s", "37,0,0", "-c", "1,1,6",
                              self.path], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("32004", out.stdout)
        values = ", ".join(str(v) for v in expected_frame(37)[:6])
        self.assertIn(values, " ".join(out.stdout.split()))


if __name__ == "__main__":
    WRITER = sys.argv.pop(1)
    unittest.main(verbosity=2)
