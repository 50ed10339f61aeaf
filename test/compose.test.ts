import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerConfig } from '@pumpwatch/server';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: string[];
}

const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};

/** No Docker engine runs here, so the file is checked for what can go wrong without running it. */
describe('docker-compose.yml', () => {
  it('defines Mosquitto, InfluxDB 2, the server and a gateway', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'influxdb', 'mosquitto', 'server']);
    expect(compose.services.mosquitto?.image).toMatch(/^eclipse-mosquitto:2/);
    expect(compose.services.influxdb?.image).toMatch(/^influxdb:2/);
  });

  it('references only files that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (!source.startsWith('.')) {
          expect(compose.volumes, `named volume ${source} of ${name}`).toHaveProperty(source);
          continue;
        }
        expect(existsSync(join(root, source)), `${name} mounts ${source}`).toBe(true);
      }
      if (service.build) {
        const context = typeof service.build === 'string' ? service.build : service.build.context;
        const dockerfile =
          typeof service.build === 'string' ? 'Dockerfile' : (service.build.dockerfile ?? 'Dockerfile');
        expect(existsSync(join(root, context, dockerfile)), `${name} builds ${dockerfile}`).toBe(true);
      }
      for (const dependency of service.depends_on ?? []) expect(compose.services).toHaveProperty(dependency);
    }
  });

  it('points the server at the external broker with a valid config', () => {
    const server = compose.services.server as ComposeService;
    expect(server.environment?.PUMPWATCH_MQTT_URL).toBe('mqtt://mosquitto:1883');
    const file = parseYaml(readFileSync(join(root, 'deploy/server/server.yaml'), 'utf8'));
    expect(() => parseServerConfig(file)).not.toThrow();
  });
});
