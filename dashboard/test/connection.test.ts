import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BACKOFF_MAX_MS,
  backoffDelay,
  type ConnectionStatus,
  isLive,
  parseServerFrame,
  type SocketLike,
  STALE_AFTER_MS,
  startConnection,
} from '../src/connection.js';
import { alert } from './fixtures.js';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop() {
    this.onclose?.({});
  }
}

const snapshot = { type: 'snapshot', pumps: [], alerts: [], serverTime: 1 };

describe('frame parsing', () => {
  it('accepts every frame type the server sends', () => {
    expect(parseServerFrame(JSON.stringify(snapshot)).ok).toBe(true);
    expect(parseServerFrame(JSON.stringify({ type: 'alert', alert: alert() })).ok).toBe(true);
    expect(parseServerFrame(JSON.stringify({ type: 'heartbeat', serverTime: 5 })).ok).toBe(true);
  });

  it('rejects non-JSON, unknown types and schema violations, saying why', () => {
    expect(parseServerFrame('{nope')).toEqual({ ok: false, reason: 'frame is not JSON' });
    expect(parseServerFrame(new ArrayBuffer(2))).toEqual({ ok: false, reason: 'frame is not text' });
    expect(parseServerFrame(JSON.stringify({ type: 'gossip' })).ok).toBe(false);
    const bad = parseServerFrame(
      JSON.stringify({ type: 'alert', alert: { ...alert(), priority: 'urgent' } }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('priority');
  });
});

describe('backoff', () => {
  it('doubles from 0.5 s and caps at 10 s', () => {
    const max = () => 1;
    expect(backoffDelay(0, max)).toBe(500);
    expect(backoffDelay(1, max)).toBe(1000);
    expect(backoffDelay(3, max)).toBe(4000);
    expect(backoffDelay(30, max)).toBe(BACKOFF_MAX_MS);
  });

  it('jitters down to half the ceiling', () => {
    expect(backoffDelay(1, () => 0)).toBe(500);
  });
});

describe('connection', () => {
  let sockets: FakeSocket[];
  let frames: unknown[];
  let statuses: ConnectionStatus[];
  let logs: string[];

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    frames = [];
    statuses = [];
    logs = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = (onAttemptFailed?: () => void) =>
    startConnection({
      ...(onAttemptFailed ? { onAttemptFailed } : {}),
      url: 'ws://test/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      onFrame: (frame) => frames.push(frame),
      onStatus: (s) => statuses.push(s),
      log: (m) => logs.push(m),
      random: () => 1,
    });

  it('is not live when open until the first frame arrives', () => {
    const c = start();
    sockets[0]?.open();
    expect(c.status().phase).toBe('open');
    expect(isLive(c.status(), Date.now())).toBe(false);
    sockets[0]?.receive(snapshot);
    expect(isLive(c.status(), Date.now())).toBe(true);
    c.stop();
  });

  it('counts and logs an invalid frame and never passes it on', () => {
    const c = start();
    sockets[0]?.open();
    sockets[0]?.receive({ type: 'alert', alert: { id: 'x' } });
    sockets[0]?.receive('not json');
    expect(frames).toEqual([]);
    expect(c.status().invalidFrames).toBe(2);
    expect(logs.filter((l) => l.includes('invalid frame'))).toHaveLength(2);
    c.stop();
  });

  it('reconnects with growing delays after closes, and resets them once data flows', () => {
    const c = start();
    sockets[0]?.drop();
    expect(c.status().phase).toBe('closed');
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    sockets[2]?.open();
    sockets[2]?.receive(snapshot);
    expect(c.status().attempt).toBe(0);
    c.stop();
  });

  it('goes stale after 12 s without a frame, drops the socket and reconnects', () => {
    const c = start();
    sockets[0]?.open();
    sockets[0]?.receive(snapshot);
    vi.advanceTimersByTime(STALE_AFTER_MS - 1_000);
    expect(isLive(c.status(), Date.now())).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(isLive(c.status(), Date.now())).toBe(false);
    expect(sockets[0]?.closed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    c.stop();
  });

  it('stays live while heartbeats keep coming', () => {
    const c = start();
    sockets[0]?.open();
    sockets[0]?.receive(snapshot);
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(5_000);
      sockets[0]?.receive({ type: 'heartbeat', serverTime: i });
    }
    expect(isLive(c.status(), Date.now())).toBe(true);
    expect(sockets).toHaveLength(1);
    c.stop();
  });

  it('ignores events from a socket it has already replaced', () => {
    const c = start();
    const first = sockets[0];
    first?.drop();
    vi.advanceTimersByTime(500);
    first?.receive(snapshot);
    expect(frames).toEqual([]);
    c.stop();
  });

  it('connects at once on reconnectNow instead of waiting out the backoff', () => {
    const c = start();
    sockets[0]?.drop();
    c.reconnectNow();
    expect(sockets).toHaveLength(2);
    c.stop();
  });

  it('stops reconnecting once stopped', () => {
    const c = start();
    c.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.closed).toBe(true);
  });

  it('reports a socket that closed before any frame (a refused upgrade looks just like that)', () => {
    const failed = vi.fn();
    const c = start(failed);
    // The server answers 401 to the upgrade: the browser fires error then close, never open.
    sockets[0]?.onerror?.({});
    expect(failed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    sockets[1]?.open();
    sockets[1]?.drop();
    expect(failed).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1_000);
    // A socket that delivered data and then closed is a lost connection, not a refusal.
    sockets[2]?.open();
    sockets[2]?.receive(snapshot);
    sockets[2]?.drop();
    expect(failed).toHaveBeenCalledTimes(2);
    c.stop();
  });
});
