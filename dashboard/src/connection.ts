import { type ServerFrame, serverFrameSchema } from '@pumpwatch/protocol';

/**
 * No frame for longer than this means the data on screen is not live. The server sends a heartbeat
 * every 5 s (docs/api.md), so 12 s is two missed heartbeats plus slack.
 */
export const STALE_AFTER_MS = 12_000;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
const STALE_CHECK_EVERY_MS = 1_000;

export type ParsedFrame = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

/** Every frame crosses a trust boundary: JSON, then `serverFrameSchema`. Nothing else reaches the state. */
export function parseServerFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const parsed = serverFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 10 s, each scaled by 0.5–1. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

export type ConnectionPhase = 'connecting' | 'open' | 'closed';

export interface ConnectionStatus {
  phase: ConnectionPhase;
  /** Browser time of the last valid frame on the CURRENT socket; null until one arrives. */
  lastFrameAt: number | null;
  /** Browser time of the last valid frame on any socket, for "last data received at". */
  lastDataAt: number | null;
  /** Frames that failed to parse since the page loaded: counted and logged, never applied. */
  invalidFrames: number;
  /** Failed attempts in a row; 0 once a socket has delivered a valid frame. */
  attempt: number;
}

/**
 * Live means: the socket is open AND a valid frame arrived within `STALE_AFTER_MS`. An open socket that
 * has not yet delivered its snapshot is not live.
 */
export function isLive(status: ConnectionStatus, now: number): boolean {
  return status.phase === 'open' && status.lastFrameAt !== null && now - status.lastFrameAt <= STALE_AFTER_MS;
}

/** The part of the browser WebSocket this module uses, so tests can pass a fake. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface ConnectionDeps {
  url: string;
  createSocket: (url: string) => SocketLike;
  onFrame: (frame: ServerFrame, receivedAt: number) => void;
  onStatus: (status: ConnectionStatus) => void;
  now?: () => number;
  log?: (message: string, detail?: unknown) => void;
  random?: () => number;
  /**
   * A socket closed before delivering any valid frame. The server refuses an upgrade without a valid
   * token with 401, but a browser's WebSocket reports that exactly like an unreachable server (close
   * 1006), so the console asks the API whether its session still holds.
   */
  onAttemptFailed?: () => void;
}

export interface Connection {
  status(): ConnectionStatus;
  /** Drop any wait and connect now (e.g. the browser came back online). */
  reconnectNow(): void;
  stop(): void;
}

/**
 * Keeps one WebSocket open for as long as it runs: reconnects with backoff after a close or error, and
 * closes a socket that has gone quiet for longer than `STALE_AFTER_MS` (a half-open TCP connection
 * never fires `close` by itself). Each new socket starts with the server's snapshot.
 */
export function startConnection(deps: ConnectionDeps): Connection {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});
  let status: ConnectionStatus = {
    phase: 'connecting',
    lastFrameAt: null,
    lastDataAt: null,
    invalidFrames: 0,
    attempt: 0,
  };
  let socket: SocketLike | null = null;
  /** Whether the current socket has delivered a valid frame. */
  let delivered = false;
  let openedAt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const setStatus = (patch: Partial<ConnectionStatus>) => {
    status = { ...status, ...patch };
    deps.onStatus(status);
  };

  const detach = (s: SocketLike) => {
    s.onopen = null;
    s.onmessage = null;
    s.onclose = null;
    s.onerror = null;
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer !== null) return;
    const delay = backoffDelay(status.attempt, deps.random);
    log(`pumpwatch: live data lost; reconnecting in ${delay} ms (attempt ${status.attempt + 1})`);
    setStatus({ phase: 'closed', lastFrameAt: null, attempt: status.attempt + 1 });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open();
    }, delay);
  };

  const drop = (s: SocketLike) => {
    if (socket !== s) return;
    detach(s);
    socket = null;
    try {
      s.close();
    } catch {
      // Already closed or never opened: nothing to release.
    }
    scheduleReconnect();
    if (!delivered) deps.onAttemptFailed?.();
  };

  const open = () => {
    if (stopped) return;
    setStatus({ phase: 'connecting', lastFrameAt: null });
    let s: SocketLike;
    try {
      s = deps.createSocket(deps.url);
    } catch (err) {
      log('pumpwatch: cannot create WebSocket', err);
      scheduleReconnect();
      return;
    }
    socket = s;
    delivered = false;
    openedAt = now();
    s.onopen = () => {
      if (socket !== s) return;
      openedAt = now();
      setStatus({ phase: 'open', lastFrameAt: null });
    };
    s.onmessage = (ev) => {
      if (socket !== s) return;
      const parsed = parseServerFrame(ev.data);
      if (!parsed.ok) {
        log(`pumpwatch: ignored an invalid frame (${parsed.reason})`, ev.data);
        setStatus({ invalidFrames: status.invalidFrames + 1 });
        return;
      }
      const at = now();
      delivered = true;
      // Reset the backoff only once the server has proven it works, not on a bare open.
      setStatus({ lastFrameAt: at, lastDataAt: at, attempt: 0 });
      deps.onFrame(parsed.frame, at);
    };
    s.onclose = () => drop(s);
    s.onerror = () => drop(s);
  };

  const staleTimer = setInterval(() => {
    if (!socket) return;
    const since = status.lastFrameAt ?? openedAt;
    if (now() - since > STALE_AFTER_MS) {
      log(`pumpwatch: no frame for over ${STALE_AFTER_MS} ms; dropping the socket`);
      drop(socket);
    }
  }, STALE_CHECK_EVERY_MS);

  open();

  return {
    status: () => status,
    reconnectNow() {
      if (stopped || socket) return;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      open();
    },
    stop() {
      stopped = true;
      clearInterval(staleTimer);
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      if (socket) {
        const s = socket;
        socket = null;
        detach(s);
        s.close();
      }
      setStatus({ phase: 'closed', lastFrameAt: null });
    },
  };
}
