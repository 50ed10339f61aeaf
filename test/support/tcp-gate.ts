import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on loopback with a gate. While held, new connections are refused (closed at once);
 * released, they are forwarded to `targetPort`. A test puts it in front of one client to decide which
 * client reaches a restarted broker first.
 */
export class TcpGate {
  private held = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpGate> {
    let gate: TcpGate | undefined;
    const server = createServer((client) => {
      if (!gate || gate.held) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        gate.sockets.add(socket);
        socket.on('close', () => gate?.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    gate = new TcpGate(server, (server.address() as AddressInfo).port);
    return gate;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  hold(): void {
    this.held = true;
  }

  /** Cuts every connection through the gate, as a WAN link that went down. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  release(): void {
    this.held = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
