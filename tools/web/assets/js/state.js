// What the page knows: the newest message per topic and when it came (performance.now() ms),
// shared by the panels. Message format: schemas/dashboard.md.
export const STALE_FRAME_MS = 2000;   // no pressure frame for this long: the stream is stale
export const STALE_STATUS_MS = 3500;  // status comes once a second

export const now = () => performance.now();

// The table chosen on the clinic overview (/?station=room3); null: the stream's current station.
const requestedStation = new URLSearchParams(location.search).get('station') || null;

export const state = {
  requestedStation, station: null,  // station: the one the messages come from (Header.station)
  ws: null, link: 'connecting', reconnectDelay: 500, hello: null, server: null, serverAt: 0,
  mat: null,                 // the mat shown (first seen)
  frame: null, frameDirty: false, frameAt: 0, framesReceived: 0, framesDrawn: 0, fpsCount: 0, fps: 0,
  metrics: null, metricsShownAt: 0, metricsAt: 0,
  cop: [],                   // [{t, row_cm, col_cm}] last COP_TRAIL_S seconds
  status: null, statusAt: 0,
  strap: null, beat: null, beatAt: 0, hrv: null,
  relax: null, relaxAt: 0,
  sessionId: '', sessionStartNs: null,
  trend: { t: [], relax: [], hr: [] }, markers: [],
  events: [],
  nextCommandId: 1, pending: null,
};

export function statusIsFresh() {
  return Boolean(state.status) && now() - state.statusAt < STALE_STATUS_MS;
}

// Seconds since the epoch of a message: its host time, or now for one without.
export function messageTimeS(m) {
  return m.header && m.header.host_time_ns ? m.header.host_time_ns / 1e9 : Date.now() / 1000;
}
