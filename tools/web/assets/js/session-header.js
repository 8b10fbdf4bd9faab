// The session in the top bar: recording or not, how long, which session; and noticing that
// the data now belong to another session.
import { $, setText } from './dom.js';
import { clock } from './format.js';
import { state, statusIsFresh } from './state.js';
import { clearTrend, redrawTrend } from './trend-chart.js';

// A session id starts with its UTC start time (schemas/archive-layout.md: 20261123T091500Z-7f3a).
function sessionIdStartNs(id) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) * 1e6 : null;
}

// Every message header passes here; a new session id starts a new trend.
export function noteSession(h) {
  if (h.station) state.station = h.station;
  if (!h.session_id || h.session_id === state.sessionId) return;
  state.sessionId = h.session_id;
  // The page may open long after the start: the id says when it was (session.start, if it is
  // in the history, gives the exact time).
  state.sessionStartNs = sessionIdStartNs(h.session_id) || h.host_time_ns || null;
  clearTrend();
  redrawTrend();
}

export function renderSession() {
  const st = state.status;
  const el = $('session');
  const statusFresh = statusIsFresh();
  const recording = statusFresh && st.state === 'recording';
  el.dataset.state = !statusFresh ? 'unknown' : st.state;
  setText('session-state', !st ? 'Waiting for the daemon…' : recording ? 'Recording' : st.state === 'idle' ? 'No session' : st.state);
  setText('session-clock', recording && state.sessionStartNs ? clock(Date.now() / 1000 - state.sessionStartNs / 1e9) : '');
  setText('session-id', recording && state.sessionId ? state.sessionId : '');
  const station = state.requestedStation || state.station || '';
  setText('station-name', station);
  // Behind a plinth hub (several stations) or when chosen there, the way back to all tables.
  $('pill-clinic').hidden = !state.requestedStation && !(state.server && state.server.stations > 1);
}
