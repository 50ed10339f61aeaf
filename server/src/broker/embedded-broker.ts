import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt:// URL clients connect to. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The default broker: aedes on a plain TCP listener, in the server's own process, so the demo and a
 * single-home deployment need nothing else. Started only when no external broker URL is configured.
 */
export async function startEmbeddedBroker(options: { host: string; port: number }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://${options.host}:${port}`,
    port,
    async close() {
      // Closing the listener waits for every connection to end; aedes.close ends them.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await serverClosed;
    },
  };
}
