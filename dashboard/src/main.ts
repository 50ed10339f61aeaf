import './styles.css';
import type { ServerFrame } from '@pumpwatch/protocol';
import { acknowledgeAlert } from './ack.js';
import { type ConnectionStatus, isLive, type SocketLike, startConnection } from './connection.js';
import { loadNurseName, saveNurseName } from './nurse.js';
import { sortAlerts, sortPumps } from './order.js';
import { type AckUi, createAlertInbox } from './render/alerts.js';
import { createPumpGrid } from './render/pumps.js';
import { createStatusView } from './render/status.js';
import { applyFrame, emptyState, openAlerts, openAlertsByPump, pumpKey, serverNow } from './state.js';
import { alertRowView, pumpCardView, summaryView } from './view.js';

/** Composition root: wires the pure store to the socket, the DOM and the ack endpoint. */

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from index.html`);
  return el as T;
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const storage = safeStorage();
const nameInput = byId<HTMLInputElement>('nurse-name');
const nameHint = byId<HTMLElement>('nurse-name-hint');
const announcer = byId<HTMLElement>('announcer');

let state = emptyState();
let status: ConnectionStatus | null = null;
const acks = new Map<string, AckUi>();

const statusView = createStatusView({
  banner: byId('connection-banner'),
  bannerDetail: byId('connection-banner-detail'),
  live: byId('live-indicator'),
  frameNote: byId('frame-note'),
  summary: byId('alert-summary'),
});
const inbox = createAlertInbox(byId('alert-list'), byId('alert-empty'), (id) => void acknowledge(id));
const grid = createPumpGrid(byId('pump-grid'), byId('pump-empty'));

function render(): void {
  const now = Date.now();
  const live = status !== null && isLive(status, now);
  const serverClock = serverNow(state, now);
  const open = openAlerts(state);
  const byPump = openAlertsByPump(state);
  const summary = summaryView(open);

  statusView.render({
    live,
    lastDataAt: status?.lastDataAt ?? null,
    invalidFrames: status?.invalidFrames ?? 0,
    summaryText: state.hasSnapshot ? summary.text : 'Waiting for the first snapshot…',
    unacknowledged: summary.active.high + summary.active.medium + summary.active.low,
  });
  for (const id of acks.keys()) if (!state.alerts.has(id)) acks.delete(id);
  inbox.render(
    sortAlerts(open).map((a) => alertRowView(a, serverClock)),
    acks,
    state.hasSnapshot ? 'No open alerts.' : 'Waiting for live data…',
  );
  const alertsOf = (p: { hubId: string; pumpId: string }) => byPump.get(pumpKey(p.hubId, p.pumpId)) ?? [];
  grid.render(
    sortPumps(state.pumps.values(), alertsOf).map((p) => pumpCardView(p, alertsOf(p), serverClock)),
    state.hasSnapshot ? 'No pumps are reporting to this server.' : 'Waiting for live data…',
  );
}

// setTimeout rather than requestAnimationFrame: rAF stops in a background tab, and the tab title must
// still count new alerts there.
let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    render();
  }, 0);
}

function announceNewAlerts(before: ReadonlyMap<string, unknown>, frame: ServerFrame): void {
  // Only alert frames announce: a snapshot on (re)connect would read out the whole inbox.
  if (frame.type !== 'alert' || before.has(frame.alert.id) || frame.alert.status !== 'active') return;
  const a = frame.alert;
  announcer.textContent = `New ${a.priority} priority alert on ${a.pumpId}: ${a.message}`;
}

function onFrame(frame: ServerFrame, receivedAt: number): void {
  const before = state.alerts;
  state = applyFrame(state, frame, receivedAt);
  announceNewAlerts(before, frame);
  scheduleRender();
}

async function acknowledge(alertId: string): Promise<void> {
  if (acks.get(alertId)?.busy) return;
  const by = nameInput.value;
  if (!by.trim()) {
    nameInput.setAttribute('aria-invalid', 'true');
    nameHint.hidden = false;
    nameInput.focus();
  }
  acks.set(alertId, { busy: by.trim() !== '', error: null });
  render();
  const result = await acknowledgeAlert(alertId, by, (url, init) => fetch(url, init));
  if (result.ok) {
    acks.delete(alertId);
    // The socket will send the same alert; applying the reply too means the row updates even if it lags.
    state = applyFrame(state, { type: 'alert', alert: result.alert }, Date.now());
  } else {
    acks.set(alertId, { busy: false, error: result.message });
  }
  render();
}

nameInput.value = loadNurseName(storage);
nameInput.addEventListener('input', () => {
  saveNurseName(storage, nameInput.value);
  if (nameInput.value.trim()) {
    nameInput.removeAttribute('aria-invalid');
    nameHint.hidden = true;
    for (const [id, ui] of acks) if (ui.error && !ui.busy) acks.delete(id);
    scheduleRender();
  }
});

const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
const connection = startConnection({
  url: wsUrl,
  createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  onFrame,
  onStatus: (next) => {
    status = next;
    scheduleRender();
  },
  log: (message, detail) => console.warn(message, detail ?? ''),
});
window.addEventListener('online', () => connection.reconnectNow());

// "last seen N s ago" and staleness are functions of time, not only of frames.
setInterval(render, 1000);
render();
