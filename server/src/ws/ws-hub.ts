import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerFrame } from '@pumpwatch/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

/** A client that has this much unsent data is too slow to keep up; it is dropped and must resync. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface WsHubOptions {
  path: string;
  /** The first frame every client receives. */
  snapshot: () => ServerFrame;
  heartbeatMs: number;
  now: () => number;
  /**
   * Decides on each upgrade whether the caller may listen (refused upgrades get 401). An accepted caller
   * comes with a check run at every heartbeat, so a socket whose session ended (logout, expiry) closes.
   */
  authorize: (request: IncomingMessage) => Promise<(() => boolean) | null>;
}

/**
 * Pushes frames to every browser and tool on `/ws`. A new connection gets a full snapshot first, so a
 * client that reconnects after an outage misses nothing. A heartbeat frame lets clients detect staleness;
 * WebSocket pings find dead peers.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly stillAuthorized = new WeakMap<WebSocket, () => boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WsHubOptions) {}

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== this.options.path) {
        socket.destroy();
        return;
      }
      this.options.authorize(request).then(
        (check) => {
          if (!check) {
            this.rejected += 1;
            socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
            return;
          }
          this.wss.handleUpgrade(request, socket, head, (ws) => {
            this.stillAuthorized.set(ws, check);
            this.onConnection(ws);
          });
        },
        () => socket.destroy(),
      );
    });
    this.timer = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** Upgrades refused for want of a valid token. */
  rejected = 0;

  get rejectedCount(): number {
    return this.rejected;
  }

  get clientCount(): number {
    return this.wss.clients.size;
  }

  broadcast(frame: ServerFrame): void {
    if (this.wss.clients.size === 0) return;
    const text = JSON.stringify(frame);
    for (const client of this.wss.clients) this.send(client, text);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    // Clients only listen; anything they send is ignored.
    this.send(ws, JSON.stringify(this.options.snapshot()));
  }

  private send(client: WebSocket, text: string): void {
    if (client.readyState !== client.OPEN) return;
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
      client.terminate();
      return;
    }
    client.send(text);
  }

  private beat(): void {
    const frame = JSON.stringify({ type: 'heartbeat', serverTime: this.options.now() });
    for (const client of this.wss.clients) {
      if (this.alive.get(client) === false) {
        client.terminate();
        continue;
      }
      if (this.stillAuthorized.get(client)?.() === false) {
        // 4001: the session ended (logout or expiry); the client must log in again.
        client.close(4001, 'session ended');
        continue;
      }
      this.alive.set(client, false);
      client.ping();
      this.send(client, frame);
    }
  }
}
