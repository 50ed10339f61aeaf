import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerFrame } from '@pumpwatch/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ErrorSink, guarded, logToConsole } from '../guard.js';

/** A client that has this much unsent data is too slow to keep up; it is dropped and must resync. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Frames (messages and pings) a client may send per second. Clients only listen: the dashboard sends
 * nothing (grep dashboard/src for `.send(`), and a tool's own pings come seconds apart. A client sending
 * faster is flooding: it is closed with 1008 (policy violation) and counted (issue #11: a flooder was
 * never disconnected and slowed the API).
 */
const MAX_CLIENT_FRAMES_PER_SECOND = 20;
/**
 * A flooder is sent its close frame and no longer read (so its answer is never seen either): its socket
 * is destroyed this long after, time enough for the close frame to leave.
 */
const FLOODER_CLOSE_GRACE_MS = 200;

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
  authorize: (request: IncomingMessage) => Promise<WsGrant | null>;
  /**
   * A frame as a client whose grant says `redacted` may see it (patients by initials, docs/security.md).
   * Without it every client gets the same frame.
   */
  redact?: (frame: ServerFrame) => ServerFrame;
  /** Frames a client may send per second before it is closed (default 20). */
  maxClientFramesPerSecond?: number;
  /** Unsent bytes a client may hold before it is dropped (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Where a listener's or the heartbeat's exception goes (counted in /api/health). */
  onError?: ErrorSink;
}

/** What an accepted upgrade may receive, and the check that keeps it open. */
export interface WsGrant {
  /** Run at every heartbeat: false closes the socket with 4001 (the session ended). */
  stillAuthorized: () => boolean;
  /** The caller's role may not see patient names or contact details: frames go out redacted. */
  redacted?: boolean;
}

/** Clients disconnected by the hub's limits, for `/api/health` (`websocketDropped`). */
export interface WsDropCounts {
  /** Sent frames faster than the per-client rate: closed with 1008. */
  flooding: number;
  /** Fell further behind than the send backlog limit: dropped. */
  slow: number;
}

/** One client's frames in the current one-second window. */
interface InboundWindow {
  startedAt: number;
  frames: number;
  closing: boolean;
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
  private readonly redactedClients = new WeakSet<WebSocket>();
  private readonly inbound = new WeakMap<WebSocket, InboundWindow>();
  private timer: NodeJS.Timeout | undefined;
  private readonly drops: WsDropCounts = { flooding: 0, slow: 0 };
  private readonly onError: ErrorSink;
  private readonly maxFramesPerSecond: number;
  private readonly maxBufferedBytes: number;

  constructor(private readonly options: WsHubOptions) {
    this.onError = options.onError ?? logToConsole;
    this.maxFramesPerSecond = options.maxClientFramesPerSecond ?? MAX_CLIENT_FRAMES_PER_SECOND;
    this.maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  }

  attach(server: Server): void {
    server.on('upgrade', guarded('ws/upgrade', this.onUpgrade, this.onError));
    this.timer = setInterval(
      guarded('ws/heartbeat', () => this.beat(), this.onError),
      this.options.heartbeatMs,
    );
    this.timer.unref();
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node takes its own error listener off an upgraded socket; one that fails while `authorize` runs
    // would otherwise throw from the emitter and end the process.
    socket.on('error', () => socket.destroy());
    if (pathOf(request) !== this.options.path) {
      socket.destroy();
      return;
    }
    this.options
      .authorize(request)
      .then((grant) => {
        if (!grant) {
          this.rejected += 1;
          socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        this.wss.handleUpgrade(
          request,
          socket,
          head,
          guarded(
            'ws/connection',
            (ws: WebSocket) => {
              this.stillAuthorized.set(ws, grant.stillAuthorized);
              if (grant.redacted && this.options.redact) this.redactedClients.add(ws);
              this.onConnection(ws);
            },
            this.onError,
          ),
        );
      })
      .catch((error: unknown) => {
        socket.destroy();
        this.onError('ws/upgrade', error);
      });
  };

  /** Upgrades refused for want of a valid token. */
  rejected = 0;

  get rejectedCount(): number {
    return this.rejected;
  }

  get clientCount(): number {
    return this.wss.clients.size;
  }

  /** Clients disconnected for flooding or for falling behind, since start. */
  get dropCounts(): WsDropCounts {
    return { ...this.drops };
  }

  broadcast(frame: ServerFrame): void {
    if (this.wss.clients.size === 0) return;
    const text = JSON.stringify(frame);
    // Serialised once per audience, and the redacted text only when a redacted client is listening.
    let redacted: string | undefined;
    for (const client of this.wss.clients) {
      if (this.redactedClients.has(client)) {
        redacted ??= JSON.stringify(this.options.redact?.(frame) ?? frame);
        this.send(client, redacted);
      } else this.send(client, text);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.alive.set(ws, true);
    ws.on(
      'pong',
      guarded('ws/pong', () => this.alive.set(ws, true), this.onError),
    );
    ws.on(
      'error',
      guarded('ws/error', () => ws.terminate(), this.onError),
    );
    // Clients only listen; what they send is ignored, and counted against the rate.
    const countFrame = guarded('ws/message', () => this.countInbound(ws), this.onError);
    ws.on('message', countFrame);
    ws.on('ping', countFrame);
    const snapshot = this.options.snapshot();
    const redact = this.redactedClients.has(ws) ? this.options.redact : undefined;
    this.send(ws, JSON.stringify(redact ? redact(snapshot) : snapshot));
  }

  /** Counts one frame from a client; past the rate, the client is closed (1008) and stops being read. */
  private countInbound(ws: WebSocket): void {
    const now = performance.now();
    let window = this.inbound.get(ws);
    if (!window || now - window.startedAt >= 1000) {
      window = { startedAt: now, frames: 0, closing: window?.closing ?? false };
      this.inbound.set(ws, window);
    }
    if (window.closing) return;
    window.frames += 1;
    if (window.frames <= this.maxFramesPerSecond) return;
    window.closing = true;
    this.drops.flooding += 1;
    // Stop reading what it already sent, tell it why, and do not wait on its answer for long.
    ws.pause();
    ws.close(1008, 'too many messages');
    setTimeout(() => ws.terminate(), FLOODER_CLOSE_GRACE_MS).unref();
  }

  private send(client: WebSocket, text: string): void {
    if (client.readyState !== client.OPEN) return;
    if (client.bufferedAmount > this.maxBufferedBytes) {
      // Its close frame would queue behind the backlog: dropped at once, it reconnects and resyncs.
      this.drops.slow += 1;
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

function pathOf(request: IncomingMessage): string | undefined {
  try {
    return new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
