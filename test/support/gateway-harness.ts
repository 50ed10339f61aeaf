import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGateway,
  type Gateway,
  type GatewayConfigInput,
  gatewayConfigSchema,
} from '@pumpwatch/gateway';

/** A real gateway (simulated pump drivers, durable outbox, real MQTT client) with a fresh data dir. */
export async function startTestGateway(
  mqttUrl: string,
  overrides: Partial<GatewayConfigInput> & Pick<GatewayConfigInput, 'hubId' | 'pumps'>,
): Promise<Gateway> {
  const config = gatewayConfigSchema.parse({
    mqtt: { url: mqttUrl, reconnectPeriodMs: 200 },
    dataDir: mkdtempSync(join(tmpdir(), 'pw-gateway-')),
    heartbeatMs: 2000,
    ...overrides,
  });
  const gateway = createGateway(config);
  await gateway.start();
  return gateway;
}
