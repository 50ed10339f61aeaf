import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlarmPlayer } from '../src/audio.js';
import type { SocketLike } from '../src/connection.js';
import { createConsoleController } from '../src/controller/console-controller.js';
import type { ConsoleModel } from '../src/controller/console-model.js';
import type { Notifier } from '../src/notify.js';
import { alert, pump } from './fixtures.js';

/** The controller without a DOM: a fake socket, a fake API and a clock the test moves. */

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  close() {
    this.closed = true;
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const player: AlarmPlayer = {
  unlock: async () => {},
  setDemand: () => {},
  state: () => 'ready',
  burstsPlayed: () => 0,
  playing: () => null,
};
const notifier: Notifier = {
  state: () => 'default',
  request: async () => 'default',
  notify: () => false,
  shown: 0,
};

function start(api = vi.fn(async (_url: string, _init?: RequestInit) => new Response('[]'))) {
  const sockets: FakeSocket[] = [];
  const models: ConsoleModel[] = [];
  const controller = createConsoleController({
    identity: {
      kind: 'user',
      session: { token: 't', expiresAt: Date.now() + 3_600_000, username: 'ana', role: 'nurse' },
    },
    api,
    wsUrl: 'ws://x/ws',
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    player,
    notifier,
    nameStorage: null,
    now: Date.now,
    route: { view: 'overview' },
    render: (m) => models.push(m),
    onNotificationClick: () => {},
    onLogout: () => {},
    onExpired: () => {},
  });
  controller.start();
  return { controller, sockets, models, api };
}

describe('console controller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('draws the pumps and alerts of the snapshot it receives', async () => {
    const { sockets, models } = start();
    sockets[0]?.receive({ type: 'snapshot', pumps: [pump()], alerts: [alert()], serverTime: Date.now() });
    await vi.advanceTimersByTimeAsync(0);
    const last = models.at(-1) as ConsoleModel;
    expect(last.grid?.cards.map((c) => c.pumpId)).toEqual(['pump-1']);
    expect(last.inbox.rows.map((r) => r.id)).toEqual(['a1']);
  });

  it('acknowledges once per intent, however often the page is drawn meanwhile', async () => {
    const acked = { ...alert(), status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: 1 };
    const api = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(acked)));
    const { controller, sockets, models } = start(api);
    sockets[0]?.receive({ type: 'snapshot', pumps: [pump()], alerts: [alert()], serverTime: Date.now() });
    controller.intents.acknowledge('a1');
    controller.intents.acknowledge('a1');
    await vi.advanceTimersByTimeAsync(2_000);
    const posts = api.mock.calls.filter(([url, init]) => url.endsWith('/ack') && init?.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(models.at(-1)?.inbox.rows[0]?.status).toBe('acknowledged');
  });

  it('stops everything on stop: the socket closes and nothing is drawn or asked for again', async () => {
    const { controller, sockets, models, api } = start();
    await vi.advanceTimersByTimeAsync(1_500);
    controller.stop();
    const drawn = models.length;
    const asked = api.mock.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.closed).toBe(true);
    expect(models.length).toBe(drawn);
    expect(api.mock.calls.length).toBe(asked);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asks for one pump’s alerts from the start of the detail range, not every alert', async () => {
    const { controller, api } = start();
    controller.intents.navigate({ view: 'pump', pumpId: 'PUMP-7', rangeId: '1h' });
    await vi.advanceTimersByTimeAsync(0);
    const urls = api.mock.calls.map(([url]) => url);
    const alertsUrl = urls.find((u) => u.startsWith('/api/alerts'));
    expect(alertsUrl).toMatch(/^\/api\/alerts\?status=all&pumpId=PUMP-7&from=\d+$/);
    const from = Number(new URLSearchParams(alertsUrl?.split('?')[1]).get('from'));
    expect(Date.now() - from).toBe(3_600_000);
    expect(urls.some((u) => u.startsWith('/api/pumps/PUMP-7/samples?'))).toBe(true);
  });
});
