import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGateway,
  type Gateway,
  type GatewayConfigInput,
  gatewayConfigSchema,
} from '@pumpwatch/gateway';

/**
 * A real gateway (simulated pump drivers, durable outbox, real MQTT client) with a fresh data dir.
 * `overrides.mqtt` is merged into the harness's MQTT settings, so a test against a broker that asks for
 * credentials passes only `mqtt: { username, password }` (from `registerHub`).
 */
export async function startTestGateway(
  mqttUrl: string,
  overrides: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'hubId' | 'pumps'>,
): Promise<Gateway> {
  const { mqtt, ...rest } = overrides;
  const config = gatewayConfigSchema.parse({
    dataDir: mkdtempSync(join(tmpdir(), 'pw-gateway-')),
    heartbeatMs: 2000,
    ...rest,
    mqtt: { url: mqttUrl, reconnectPeriodMs: 200, ...mqtt },
  });
  const gateway = createGateway(config);
  await gateway.start();
  return gateway;
}
