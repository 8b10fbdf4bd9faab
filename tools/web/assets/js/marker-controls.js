// The buttons that mark a technique, add a note or record a pain score: each a control request
// through the dashboard server to the daemon (schemas/dashboard.md, schemas/control-protocol.md),
// one at a time, with the outcome said in words.
import { $ } from './dom.js';
import { TIME_FORMAT } from './format.js';
import { state } from './state.js';

const CONTROL_TIMEOUT_MS = 9000;  // the server gives up on the daemon after 6 s

export function buildTechniqueButtons(names) {
  const box = $('technique-buttons');
  box.replaceChildren(...names.map((name) => {
    const b = document.createElement('button');
    b.type = 'button'; b.className = 'btn technique'; b.dataset.label = name; b.textContent = name;
    b.addEventListener('click', () => sendCommand({ cmd: 'marker', label: name }, `marker “${name}”`));
    return b;
  }));
}

function buildPainButtons() {
  const box = $('pain-buttons');
  for (let score = 0; score <= 10; score++) {
    const b = document.createElement('button');
    b.type = 'button'; b.dataset.score = String(score); b.textContent = String(score);
    const hue = 120 - score * 12;  // green to red
    b.style.background = `hsl(${hue}, 65%, ${score >= 4 && score <= 7 ? 38 : 36}%)`;
    b.title = `Pain score ${score} of 10`;
    b.addEventListener('click', () => sendCommand({ cmd: 'pain', score }, `pain score ${score}`));
    box.appendChild(b);
  }
}

function feedback(kind, text, id) {
  const el = $('control-feedback');
  el.dataset.state = kind;
  el.dataset.id = id === undefined ? '' : String(id);
  el.textContent = text;
}

function setButtonsDisabled(disabled) {
  for (const b of document.querySelectorAll('.actions-card button')) b.disabled = disabled;
}

function sendCommand(request, what) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    feedback('error', `✗ Not recorded: ${what} — not connected to the dashboard server`);
    return;
  }
  if (state.pending) return;
  const id = state.nextCommandId++;
  state.pending = { id, what, timer: setTimeout(() => finishCommand(id, { ok: false, error: 'no answer from the dashboard server' }), CONTROL_TIMEOUT_MS) };
  setButtonsDisabled(true);
  feedback('pending', `Sending ${what}…`, id);
  state.ws.send(JSON.stringify({ type: 'control', id, request }));
}

export function finishCommand(id, reply) {
  const p = state.pending;
  if (p && p.id === id) {
    clearTimeout(p.timer);
    state.pending = null;
    setButtonsDisabled(false);
  }
  const what = p && p.id === id ? p.what : 'command';
  const at = new Date().toLocaleTimeString([], TIME_FORMAT);
  if (reply.ok) {
    const archived = reply.archived === false ? ' (not archived: no session is recording)' : '';
    feedback('ok', `✓ Recorded ${what} at ${at}${archived}`, id);
  } else {
    feedback('error', `✗ Not recorded: ${what} — ${reply.error || 'unknown error'}`, id);
  }
}

// A command still waiting when the link drops will get no reply: say so now.
export function failPendingCommand(error) {
  if (state.pending) finishCommand(state.pending.id, { ok: false, error });
}

export function startMarkerControls() {
  buildPainButtons();
  $('note-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('note-text');
    const text = input.value.trim();
    if (!text) { feedback('error', '✗ Type a note first'); return; }
    sendCommand({ cmd: 'marker', label: text }, `note “${text}”`);
    input.value = '';
  });
}
