import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { BrokerAuthorizer } from './broker-auth.js';
import { duplexPair } from './in-process-stream.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_PACKET_BYTES } from './limits.js';
import { GuardedConnection } from './packet-size-guard.js';

export interface EmbeddedBrokerStats {
  /** Connections closed for a packet over `maxPacketBytes` (before or after CONNECT). */
  oversizedPackets: number;
  /** Connections closed for not completing CONNECT within `connectTimeoutMs`. */
  connectTimeouts: number;
}

export interface EmbeddedBroker {
  /** The URL hubs connect to: plain MQTT, or MQTT over TLS when the plain listener is off. */
  readonly url: string;
  readonly port: number;
  readonly tlsPort?: number;
  readonly stats: EmbeddedBrokerStats;
  /** A connection inside this process, the server's own (it needs no listener). */
  connectInProcess(): Duplex;
  close(): Promise<void>;
}

/**
 * The default broker: aedes in the server's own process, so the demo and a single-home deployment need
 * nothing else. Started only when no external broker URL is configured.
 */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Without it the broker is open to anyone (authentication disabled, development only). */
  auth?: BrokerAuthorizer;
  /** MQTT over TLS on `tls.port` when certificates are configured. */
  tls?: { port: number; key: Buffer; cert: Buffer };
  /** Plain MQTT on `port`; default on without TLS, off with it (hub passwords must not cross in clear). */
  plain?: boolean;
  maxPacketBytes?: number;
  connectTimeoutMs?: number;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const broker = await Aedes.createBroker({
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  const stats: EmbeddedBrokerStats = { oversizedPackets: 0, connectTimeouts: 0 };
  broker.on('connectionError', (_client, error) => {
    if (error.message === 'connect did not arrive in time') stats.connectTimeouts += 1;
  });
  const { auth } = options;
  if (auth) {
    broker.authenticate = (client, username, password, done) => {
      auth.authenticate(client, username, password).then(
        (returnCode) => {
          if (returnCode === 0) return done(null, true);
          const message = returnCode === 3 ? 'too many failed logins; try later' : 'not authorized';
          done(Object.assign(new Error(message), { returnCode }) as never, false);
        },
        () => done(Object.assign(new Error('authentication failed'), { returnCode: 3 }) as never, false),
      );
    };
    broker.authorizePublish = (client, packet, done) =>
      done(
        auth.canPublish(client, packet.topic) ? null : new Error(`not allowed to publish to ${packet.topic}`),
      );
    broker.authorizeSubscribe = (client, subscription, done) =>
      // A null subscription makes aedes refuse it (SUBACK 0x80) without dropping the connection.
      done(null, auth.canSubscribe(client, subscription.topic) ? subscription : (null as never));
    broker.authorizeForward = (client, packet) => (auth.canReceive(client, packet.topic) ? packet : null);
  }
  // Every socket is read through the size guard from its first byte, before CONNECT.
  const guarded = (socket: Socket) =>
    broker.handle(
      new GuardedConnection(socket, maxPacketBytes, () => {
        stats.oversizedPackets += 1;
      }),
    );
  const servers: Array<{ server: Server; tls: boolean }> = [];
  if (options.plain ?? !options.tls) servers.push({ server: createServer(guarded), tls: false });
  if (options.tls) {
    const { key, cert } = options.tls;
    // The handshake counts against the connect timeout too: a silent TLS socket is closed as soon.
    const handshakeTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    servers.push({ server: createTlsServer({ key, cert, handshakeTimeout }, guarded), tls: true });
  }
  for (const { server, tls } of servers) {
    server.listen(tls ? options.tls?.port : options.port, options.host);
    await once(server, 'listening');
  }
  const portOf = (tls: boolean) => {
    const found = servers.find((entry) => entry.tls === tls);
    return found ? (found.server.address() as AddressInfo).port : undefined;
  };
  const plainPort = portOf(false);
  const tlsPort = portOf(true);
  const port = (plainPort ?? tlsPort) as number;
  return {
    url: `${plainPort !== undefined ? 'mqtt' : 'mqtts'}://${options.host}:${port}`,
    port,
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    stats,
    connectInProcess() {
      const [serverEnd, clientEnd] = duplexPair();
      auth?.trustInProcess(serverEnd);
      if (broker.closed) serverEnd.destroy();
      else broker.handle(serverEnd);
      return clientEnd;
    },
    async close() {
      // Closing the listeners waits for every connection to end; aedes.close ends them.
      const closed = servers.map(
        ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(closed);
    },
  };
}
