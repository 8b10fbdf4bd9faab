// The last few session events under the marker buttons; markers and pain scores also go onto
// the trend chart, and session start/stop open or close the summary.
import { $ } from './dom.js';
import { TIME_FORMAT } from './format.js';
import { messageTimeS, state } from './state.js';
import { hideSummary, requestSummary } from './session-summary.js';
import { addMarker } from './trend-chart.js';

const EVENT_KINDS = new Set(['marker', 'pain', 'session.start', 'session.stop', 'baseline', 'device.connected', 'device.lost', 'device.searching', 'archive.error']);
const EVENT_LOOK = {
  marker: ['Marker', 'marker'], pain: ['Pain', 'pain'], baseline: ['Baseline', 'session'],
  'session.start': ['Session start', 'session'], 'session.stop': ['Session stop', 'session'],
  'device.connected': ['Connected', 'ok'], 'device.lost': ['Device lost', 'device'],
  'device.searching': ['Searching', 'device'], 'archive.error': ['Archive error', 'device'],
};

export function onEvent(e) {
  if (e.kind === 'session.start') state.sessionStartNs = e.header ? e.header.host_time_ns : state.sessionStartNs;
  if (e.kind === 'session.start') hideSummary(true);
  if (e.kind === 'session.stop') requestSummary(true);
  if (!EVENT_KINDS.has(e.kind)) return;
  const t = messageTimeS(e);
  if (state.events.some((x) => x.seq === (e.header && e.header.seq) && x.t === t)) return;
  state.events.push({ t, seq: e.header ? e.header.seq : null, kind: e.kind, label: e.label, value: e.value, detail: e.detail });
  if (state.events.length > 50) state.events.shift();
  if (e.kind === 'marker' || e.kind === 'pain')
    addMarker({ t, kind: e.kind, label: e.kind === 'pain' ? `pain ${e.value}` : e.label });
  renderEvents();
}

function renderEvents() {
  const list = $('events');
  const recent = state.events.slice(-4).reverse();
  list.replaceChildren(...recent.map((e) => {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = new Date(e.t * 1000).toLocaleTimeString([], TIME_FORMAT);
    const kind = document.createElement('span');
    const look = EVENT_LOOK[e.kind] || [e.kind, 'session'];
    kind.className = 'kind kind-' + look[1];
    kind.textContent = look[0];
    const text = document.createElement('span');
    text.textContent = e.kind === 'pain' ? `${e.value} / 10` : e.label + (e.detail ? ` — ${e.detail}` : '');
    li.append(time, kind, text);
    return li;
  }));
}
