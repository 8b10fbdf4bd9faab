// The one WebSocket to `plinth web` (schemas/dashboard.md §WebSocket messages), reconnecting
// with a growing delay (0.5 s up to 5 s) while the server is away.
import { state } from './state.js';

export function connect(onMessage, onClose) {
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' +
    (state.requestedStation ? '?station=' + encodeURIComponent(state.requestedStation) : '');
  const ws = new WebSocket(url);
  state.ws = ws;
  state.link = 'connecting';
  ws.onopen = () => { state.link = 'open'; state.reconnectDelay = 500; };
  ws.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    onMessage(message);
  };
  ws.onclose = () => {
    state.link = 'closed';
    state.server = null;
    onClose();
    setTimeout(() => connect(onMessage, onClose), state.reconnectDelay);
    state.reconnectDelay = Math.min(5000, state.reconnectDelay * 2);
  };
}
