import { timingSafeEqual } from 'node:crypto';
import type { Client } from 'aedes';
import type { HubCredentials } from '../auth/hub-credentials.js';
import { addressKey, LoginThrottle } from './login-throttle.js';
import { SERVER_CLIENT_ID_PREFIX } from './server-client-id.js';

/** The server's own MQTT user on the embedded broker; the colon keeps it out of the hub-id namespace. */
export const SERVER_MQTT_USERNAME = 'pumpwatch:server';

type BrokerIdentity = { kind: 'server' } | { kind: 'hub'; hubId: string };

export interface BrokerAuthStats {
  /** Wrong or missing credentials (CONNACK 5). */
  rejectedConnects: number;
  /** Right or wrong credentials with a client id that is not theirs (CONNACK 5, no password checked). */
  refusedClientIds: number;
  /** Refused unchecked by the login back-off (CONNACK 3). */
  throttledConnects: number;
  refusedPublishes: number;
  refusedSubscribes: number;
  /** Messages not delivered to a client whose identity may not read their topic. */
  refusedForwards: number;
}

/** CONNACK return codes aedes passes on: accepted, server unavailable (try later), not authorized. */
export type ConnectVerdict = 0 | 3 | 5;

/**
 * Who may do what on the embedded broker: each hub logs in with its own credentials (username = hub
 * id) and may publish, subscribe and be delivered to only under `{prefix}/hubs/{hubId}/`; the server's
 * own client, connected in-process, reads everything and publishes only the commit watermarks
 * (`{prefix}/hubs/{hubId}/committed`, which no hub may publish). A client id is tied to the
 * identity (`clientIdFits`), so nobody can take over another client's session. Every refusal is counted
 * (`/api/health` → `mqttAuth`).
 */
export class BrokerAuthorizer {
  readonly stats: BrokerAuthStats = {
    rejectedConnects: 0,
    refusedClientIds: 0,
    throttledConnects: 0,
    refusedPublishes: 0,
    refusedSubscribes: 0,
    refusedForwards: 0,
  };
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  /** The broker's ends of in-process streams (`EmbeddedBroker.connectInProcess`): the server's own. */
  private readonly inProcess = new WeakSet<object>();

  constructor(
    private readonly hubs: HubCredentials,
    private readonly serverPassword: string,
    private readonly topicPrefix: string,
    private readonly throttle: LoginThrottle = new LoginThrottle(),
  ) {}

  /** Marks a connection as the server's own, made inside this process: it never crosses a socket. */
  trustInProcess(connection: object): void {
    this.inProcess.add(connection);
  }

  async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<ConnectVerdict> {
    const secret = password ?? Buffer.alloc(0);
    if (username === SERVER_MQTT_USERNAME) {
      // The server's user works only in-process: its password is worth nothing on the network.
      const ok =
        this.inProcess.has(client.conn) &&
        sameSecret(secret, this.serverPassword) &&
        this.clientIdFits(client.id);
      return ok ? this.accept(client, { kind: 'server' }) : this.reject();
    }
    if (!username) return this.reject();
    const identity: BrokerIdentity = { kind: 'hub', hubId: username };
    if (!this.clientIdFits(client.id, identity)) {
      this.stats.refusedClientIds += 1;
      return this.reject();
    }
    // A socket, or the size guard around one (packet-size-guard.ts): both carry the peer's address.
    const address = addressKey((client.conn as { remoteAddress?: string }).remoteAddress);
    if (this.throttle.begin(address, username) !== 'go') {
      this.stats.throttledConnects += 1;
      return 3;
    }
    let ok = false;
    try {
      ok = await this.hubs.verify(username, secret.toString('utf8'));
    } finally {
      this.throttle.end(address, username, ok);
    }
    return ok ? this.accept(client, identity) : this.reject();
  }

  /**
   * The server's ids start `pumpwatch-server-` (random, server-client-id.ts) and no one else's may; a
   * hub's id is its hub id, alone or followed by `:` and anything (`hub-a:gateway`). The separator is not
   * in the id alphabet, so a client id names exactly one hub: with `-`, hub `home-1` could claim
   * `home-1-b`, the id of hub `home-1-b`. Without an identity: the server's.
   */
  clientIdFits(clientId: string, identity: BrokerIdentity = { kind: 'server' }): boolean {
    const serverId = clientId.startsWith(SERVER_CLIENT_ID_PREFIX);
    if (identity.kind === 'server') return serverId && clientId.length > SERVER_CLIENT_ID_PREFIX.length;
    return !serverId && (clientId === identity.hubId || clientId.startsWith(`${identity.hubId}:`));
  }

  canPublish(client: Client | null, topic: string): boolean {
    // Messages the broker publishes itself (client null) are its own business.
    if (!client) return true;
    const identity = this.identities.get(client);
    const ok =
      identity?.kind === 'hub'
        ? this.ownsTopic(identity.hubId, topic) && !isCommittedTopic(topic)
        : identity?.kind === 'server' &&
          isCommittedTopic(topic) &&
          topic.startsWith(`${this.topicPrefix}/hubs/`);
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

  /**
   * Delivery, the last gate (aedes `authorizeForward`: retained messages and every message a
   * subscription matched): a hub gets only its own subtree, whatever subscription or session it holds.
   */
  canReceive(client: Client, topic: string): boolean {
    const identity = this.identities.get(client);
    const ok =
      identity?.kind === 'server' || (identity?.kind === 'hub' && this.ownsTopic(identity.hubId, topic));
    if (!ok) this.stats.refusedForwards += 1;
    return ok;
  }

  private accept(client: Client, identity: BrokerIdentity): ConnectVerdict {
    this.identities.set(client, identity);
    return 0;
  }

  private reject(): ConnectVerdict {
    this.stats.rejectedConnects += 1;
    return 5;
  }

  /** A hub's subtree; a wildcard subscription fits only if it starts inside it (`+` before it does not). */
  private ownsTopic(hubId: string, topic: string): boolean {
    return topic.startsWith(`${this.topicPrefix}/hubs/${hubId}/`);
  }
}

/** Only the server says what it has committed (docs/protocol.md, "Confirmation"). */
function isCommittedTopic(topic: string): boolean {
  return topic.endsWith('/committed');
}

function sameSecret(given: Buffer, expected: string): boolean {
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
