import type { Client } from 'aedes';
import type { HubCredentials } from '../auth/hub-credentials.js';

/** The server's own MQTT user on the embedded broker; the colon keeps it out of the hub-id namespace. */
export const SERVER_MQTT_USERNAME = 'pumpwatch:server';

type BrokerIdentity = { kind: 'server' } | { kind: 'hub'; hubId: string };

export interface BrokerAuthStats {
  rejectedConnects: number;
  refusedPublishes: number;
  refusedSubscribes: number;
}

/**
 * Who may do what on the embedded broker: each hub logs in with its own credentials (username = hub
 * id) and may publish and subscribe only under `{prefix}/hubs/{hubId}/`; the server's own client reads
 * everything and publishes nothing. Every refusal is counted (`/api/health` → `mqttAuth`).
 */
export class BrokerAuthorizer {
  readonly stats: BrokerAuthStats = { rejectedConnects: 0, refusedPublishes: 0, refusedSubscribes: 0 };
  private readonly identities = new WeakMap<Client, BrokerIdentity>();

  constructor(
    private readonly hubs: HubCredentials,
    private readonly serverPassword: string,
    private readonly topicPrefix: string,
  ) {}

  async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<boolean> {
    const secret = password?.toString('utf8') ?? '';
    let identity: BrokerIdentity | null = null;
    if (username === SERVER_MQTT_USERNAME && secret === this.serverPassword) identity = { kind: 'server' };
    else if (username && (await this.hubs.verify(username, secret)))
      identity = { kind: 'hub', hubId: username };
    if (!identity) {
      this.stats.rejectedConnects += 1;
      return false;
    }
    this.identities.set(client, identity);
    return true;
  }

  canPublish(client: Client | null, topic: string): boolean {
    // Messages the broker publishes itself (client null) are its own business.
    if (!client) return true;
    const identity = this.identities.get(client);
    const ok = identity?.kind === 'hub' && this.ownsTopic(identity.hubId, topic);
    if (!ok) this.stats.refusedPublishes += 1;
    return ok;
  }

  canSubscribe(client: Client, topic: string): boolean {
    const identity = this.identities.get(client);
    const ok =
      identity?.kind === 'server' || (identity?.kind === 'hub' && this.ownsTopic(identity.hubId, topic));
    if (!ok) this.stats.refusedSubscribes += 1;
    return ok;
  }

  /** A hub's subtree; a wildcard subscription fits only if it starts inside it (`+` before it does not). */
  private ownsTopic(hubId: string, topic: string): boolean {
    return topic.startsWith(`${this.topicPrefix}/hubs/${hubId}/`);
  }
}
