"""Session archives (schemas/archive-layout.md) as NumPy arrays and plain metadata.

Frames stay on disk and are read on demand (`mat.raw` is the h5py dataset); everything
else is small and read into NumPy when first used. A file that is still being recorded is
opened as an HDF5 SWMR reader: call `refresh()` to see what the daemon has flushed since.
"""
import h5py

try:  # pip's h5py finds HDF5's LZ4 filter (archive.compression = "lz4") through hdf5plugin;
    import hdf5plugin  # noqa: F401  Debian's finds it in hdf5-filter-plugin without this
except ImportError:
    pass
import numpy as np


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return [_text(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj):
    return {name: _text(value) for name, value in obj.attrs.items()}


def _units(dataset):
    units = dataset.attrs.get("units")
    if units is None:
        return {}
    if dataset.dtype.names:
        return dict(zip(dataset.dtype.names, _text(units)))
    return {"": _text(units)}


def _decode_text_fields(array):
    """Fixed-width UTF-8 byte fields (events) as str fields, so `ev["kind"] == "marker"` works."""
    if array.dtype.names is None or not any(array.dtype[n].kind == "S" for n in array.dtype.names):
        return array
    fields = []
    for name in array.dtype.names:
        dt = array.dtype[name]
        fields.append((name, f"U{dt.itemsize}" if dt.kind == "S" else dt))
    out = np.empty(array.shape, dtype=fields)
    for name in array.dtype.names:
        column = array[name]
        out[name] = np.char.decode(column, "utf-8", errors="replace") if column.dtype.kind == "S" else column
    return out


class _Series:
    """Cached reads of one group's datasets, dropped on refresh()."""

    def __init__(self, session, group):
        self._session = session
        self._group = group
        self._cache = {}

    def _dataset(self, name):
        return self._session._file[self._group].get(name) if self._group in self._session._file else None

    def _read(self, name, count=None):
        key = (name, count)
        if key not in self._cache:
            d = self._dataset(name)
            if d is None:
                self._cache[key] = None
            else:
                n = d.shape[0] if count is None else min(count, d.shape[0])
                self._cache[key] = _decode_text_fields(d[:n])
        return self._cache[key]

    def units(self, name):
        d = self._dataset(name)
        return _units(d) if d is not None else {}

    def _refresh(self):
        self._cache.clear()
        group = self._session._file.get(self._group)
        if group is not None:
            for d in group.values():
                if isinstance(d, h5py.Dataset):
                    d.refresh()


class Mat(_Series):
    """One pressure mat: frames (lazy) and their times, counters and metrics."""

    def __init__(self, session, device_id, attrs):
        super().__init__(session, "pressure/" + device_id)
        self.id = device_id
        self.attrs = attrs
        self.rows = int(attrs.get("rows", 0))
        self.cols = int(attrs.get("cols", 0))

    @property
    def raw(self):
        """h5py dataset uint16 [frames, rows, cols]; slicing reads from disk (`mat.raw[100:200]`).
        In a live file it may hold a frame more than `time_ns`: use `len(mat)` frames."""
        return self._dataset("raw")

    def __len__(self):
        """Frames whose raw values, time and seq have all been written."""
        if "len" not in self._cache:
            lengths = [d.shape[0] for d in (self._dataset(n) for n in ("raw", "time_ns", "seq")) if d is not None]
            self._cache["len"] = min(lengths) if lengths else 0
        return self._cache["len"]

    def frame(self, index):
        """One frame as a (rows, cols) uint16 array."""
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"frame {index} of {self.id}: the archive has {n} frames")
        return self.raw[index % n]

    def frames(self, start=0, stop=None):
        """Frames [start, stop) as one (n, rows, cols) array (read from disk now)."""
        stop = len(self) if stop is None else min(stop, len(self))
        return self.raw[start:stop]

    @property
    def time_ns(self):
        return self._read("time_ns", len(self))

    @property
    def seq(self):
        return self._read("seq", len(self))

    @property
    def device_time_us(self):
        return self._read("device_time_us", len(self))

    @property
    def metrics(self):
        """Structured array: time_ns then one float64 field per metric (schemas/pressure-metrics.md)."""
        return self._read("metrics")

    @property
    def metric_units(self):
        return self.units("metrics")

    def exposure(self):
        """The session's exposure snapshots (schemas/pressure-metrics.md §Exposure map) as a dict
        with `time_ns` [snapshots], `pti_mmhg_s` and `time_above_s` [snapshots, rows, cols], read
        from /pressure/<id>/exposure_* or, in archives written before v1.1, risk_*; None when the
        archive has neither."""
        for prefix in ("exposure_", "risk_"):
            t, pti, above = (self._dataset(prefix + n) for n in ("time_ns", "pti", "time_above"))
            if t is not None and pti is not None and above is not None:
                n = min(t.shape[0], pti.shape[0], above.shape[0])
                return {"time_ns": t[:n], "pti_mmhg_s": pti[:n], "time_above_s": above[:n]}
        return None

    def metrics_frame_index(self):
        """For each metrics row, the index of the frame with the same time_ns (-1 if none)."""
        t, m = self.time_ns, self.metrics
        if m is None or len(m) == 0:
            return np.zeros(0, dtype=np.int64)
        mt = m["time_ns"]
        # Frames decoded from one serial read share their arrival time: the k-th row with a
        # given time belongs to the k-th frame with that time (both are written in frame order).
        tie_rank = np.arange(len(mt)) - np.searchsorted(mt, mt, side="left")
        idx = np.searchsorted(t, mt, side="left") + tie_rank
        ok = (idx < len(t)) & (t[np.minimum(idx, len(t) - 1)] == mt) if len(t) else np.zeros(len(m), bool)
        return np.where(ok, idx, -1)

    def __repr__(self):
        return f"<plinth.Mat {self.id} {self.rows}x{self.cols}, {len(self)} frames>"


def rmssd_change_pct(hrv):
    """100 (e^delta_ln_rmssd - 1) for each row of an HRV structured array (schemas/hrv.md §7).
    Archives written before `rmssd_change_pct` carry `ln_rmssd_change_pct`, a percent change of
    lnRMSSD that is not this (it depends on the unit); it is ignored and the value derived from
    `delta_ln_rmssd`."""
    if "rmssd_change_pct" in hrv.dtype.names:
        return np.asarray(hrv["rmssd_change_pct"], dtype=np.float64)
    if "delta_ln_rmssd" in hrv.dtype.names:
        return 100.0 * np.expm1(np.asarray(hrv["delta_ln_rmssd"], dtype=np.float64))
    return np.full(len(hrv), np.nan)


class Heart(_Series):
    """One heart-rate strap: beats and HRV updates."""

    def __init__(self, session, device_id, attrs):
        super().__init__(session, "heart/" + device_id)
        self.id = device_id
        self.attrs = attrs

    @property
    def beats(self):
        """Structured array: time_ns, rr_ms, nn_ms, hr_bpm, flags, missing, ...: every beat as
        it arrived, with its provisional (live) artifact decision."""
        return self._read("beats")

    @property
    def beats_final(self):
        """Structured array, as `beats` plus beat_index, nn_count, provisional_flags: the final
        artifact decision of every beat (schemas/hrv.md 3.2), the series to analyse. None in
        archives written before Plinth 0.2."""
        return self._read("beats_final")

    def nn_ms(self):
        """The corrected NN series from the final decisions (a missed beat counts twice, a
        dropped one not at all); from the live decisions in older archives."""
        b = self.beats_final
        if b is None:
            b = self.beats
            return b["nn_ms"][np.isfinite(b["nn_ms"])]
        return np.repeat(b["nn_ms"], b["nn_count"].astype(np.int64))

    @property
    def hrv(self):
        """Structured array: time_ns then the HRV fields of schemas/hrv.md."""
        return self._read("hrv")

    @property
    def rmssd_change_pct(self):
        """Percent change of RMSSD against the session baseline per HRV row, also for archives
        written before the field existed (see `rmssd_change_pct`); None without HRV rows."""
        hrv = self.hrv
        return None if hrv is None else rmssd_change_pct(hrv)

    def __repr__(self):
        beats = self.beats
        return f"<plinth.Heart {self.id}, {0 if beats is None else len(beats)} beats>"


class Session:
    """One session archive. Use `plinth.open_session(path)`."""

    def __init__(self, path, swmr=None):
        self.path = str(path)
        self._file = self._open(self.path, swmr)
        self.swmr = self._file.swmr_mode
        self.attrs = _attrs(self._file)
        if self.attrs.get("format") != "plinth-session":
            fmt = self.attrs.get("format")
            self._file.close()
            raise ValueError(f"{self.path}: not a Plinth session archive (format attribute {fmt!r})")
        self.devices = {}
        self.mats = {}
        self.hearts = {}
        for device_id, group in self._file.get("devices", {}).items():
            attrs = _attrs(group)
            self.devices[device_id] = attrs
            if attrs.get("kind") == "mat":
                self.mats[device_id] = Mat(self, device_id, attrs)
            elif attrs.get("kind") == "heart":
                self.hearts[device_id] = Heart(self, device_id, attrs)
        self._root = _Series(self, "/")

    @staticmethod
    def _open(path, swmr):
        if swmr is None:
            # A complete file opens the ordinary way; one being recorded (or left by a killed
            # daemon) still carries the SWMR-writing mark and opens only as a SWMR reader.
            try:
                return h5py.File(path, "r")
            except OSError:
                return h5py.File(path, "r", libver="latest", swmr=True)
        if swmr:
            return h5py.File(path, "r", libver="latest", swmr=True)
        return h5py.File(path, "r")

    # Metadata -------------------------------------------------------------------------------
    @property
    def session_id(self):
        return self.attrs.get("session_id")

    @property
    def subject(self):
        return self.attrs.get("subject")

    @property
    def started_at_ns(self):
        return self.attrs.get("started_at_ns")

    @property
    def ended_at_ns(self):
        """None while recording, or if the daemon did not end the session cleanly."""
        return self.attrs.get("ended_at_ns")

    @property
    def config(self):
        """The effective plinthd configuration (TOML text)."""
        return self.attrs.get("config", "")

    @property
    def mat(self):
        """The only (or first) mat, for the common one-mat session."""
        if not self.mats:
            raise KeyError("the session has no mat")
        return next(iter(self.mats.values()))

    @property
    def heart(self):
        if not self.hearts:
            raise KeyError("the session has no heart-rate strap")
        return next(iter(self.hearts.values()))

    # Session-wide series -------------------------------------------------------------------
    @property
    def events(self):
        """Structured array: time_ns, kind, label, value, detail (text fields as str)."""
        events = self._root._read("events")
        return events if events is not None else np.zeros(0, dtype=[("time_ns", "<i8"), ("kind", "U32"),
                                                                    ("label", "U64"), ("value", "<f8"),
                                                                    ("detail", "U256")])

    def markers(self):
        """Events of kind marker and pain, in time order."""
        ev = self.events
        return ev[(ev["kind"] == "marker") | (ev["kind"] == "pain")]

    @property
    def status(self):
        return self._root._read("status")

    @property
    def relaxation(self):
        return self._root._read("relaxation")

    def seconds(self, time_ns):
        """Times (ns, UNIX) as seconds since the session start."""
        return (np.asarray(time_ns, dtype=np.int64) - int(self.started_at_ns or 0)) * 1e-9

    # Live files ---------------------------------------------------------------------------
    def refresh(self):
        """See what the writer has flushed since (SWMR); cached arrays are read again."""
        if not self.swmr:
            return self
        for series in [self._root, *self.mats.values(), *self.hearts.values()]:
            series._refresh()
        return self

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"<plinth.Session {self.session_id} subject={self.subject!r} "
                f"mats={list(self.mats)} hearts={list(self.hearts)}{' (SWMR)' if self.swmr else ''}>")


def open_session(path, swmr=None):
    """Opens a session archive. swmr=True: read a file that is being recorded (then call
    `refresh()`); False: an ordinary read-only open; None (default): SWMR when possible."""
    return Session(path, swmr)
