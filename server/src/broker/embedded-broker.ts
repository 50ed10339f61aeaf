import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { BrokerAuthorizer } from './broker-auth.js';

export interface EmbeddedBroker {
  /** mqtt:// URL clients connect to. */
  readonly url: string;
  readonly port: number;
  readonly tlsPort?: number;
  close(): Promise<void>;
}

/**
 * The default broker: aedes on a plain TCP listener, in the server's own process, so the demo and a
 * single-home deployment need nothing else. Started only when no external broker URL is configured.
 */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Without it the broker is open to anyone (authentication disabled, development only). */
  auth?: BrokerAuthorizer;
  /** MQTT over TLS on `tls.port`, besides plain MQTT on `port`, when certificates are configured. */
  tls?: { port: number; key: Buffer; cert: Buffer };
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const { auth } = options;
  if (auth) {
    broker.authenticate = (client, username, password, done) => {
      auth.authenticate(client, username, password).then(
        (ok) => {
          if (ok) return done(null, true);
          const error = Object.assign(new Error('not authorized'), { returnCode: 5 });
          done(error as never, false);
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
  }
  const servers: Server[] = [createServer(broker.handle)];
  const plain = servers[0] as Server;
  plain.listen(options.port, options.host);
  await once(plain, 'listening');
  if (options.tls) {
    const secure = createTlsServer({ key: options.tls.key, cert: options.tls.cert }, broker.handle);
    secure.listen(options.tls.port, options.host);
    await once(secure, 'listening');
    servers.push(secure);
  }
  const { port } = plain.address() as AddressInfo;
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    ...(servers[1] ? { tlsPort: (servers[1].address() as AddressInfo).port } : {}),
    async close() {
      // Closing the listeners waits for every connection to end; aedes.close ends them.
      const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(closed);
    },
  };
}
