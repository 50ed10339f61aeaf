import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerConfig, parseServerConfig } from '@pumpwatch/server';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: string[];
  ports?: string[];
}

const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};

/** No Docker engine runs here, so the file is checked for what can go wrong without running it. */
describe('docker-compose.yml', () => {
  it('defines Mosquitto, InfluxDB 2, the server, a gateway, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'gateway',
      'grafana',
      'influxdb',
      'mosquitto',
      'prometheus',
      'server',
    ]);
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

  it('has Prometheus scrape the server on its metrics address, which the host cannot reach', () => {
    const server = compose.services.server as ComposeService;
    const config = loadServerConfig({
      env: { ...server.environment, PUMPWATCH_CONFIG: join(root, 'deploy/server/server.yaml') },
    });
    const listen = config.metrics.listen;
    expect(listen?.host).toBe('0.0.0.0');
    expect(server.ports?.some((port) => port.endsWith(`:${listen?.port}`))).toBe(false);
    const prometheus = parseYaml(readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const job = prometheus.scrape_configs.find((scrape) => scrape.job_name === 'pumpwatch');
    expect(job?.static_configs.flatMap((entry) => entry.targets)).toEqual([`server:${listen?.port}`]);
    // The rules directory is mounted where the config's relative rule_files look for it.
    expect(compose.services.prometheus?.volumes).toEqual(
      expect.arrayContaining([
        './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './deploy/prometheus/rules:/etc/prometheus/rules:ro',
      ]),
    );
    expect(prometheus.rule_files).toEqual(['rules/*.rules.yml']);
  });

  it('provisions Grafana with the Prometheus service and the dashboards where the provider reads them', () => {
    const grafana = compose.services.grafana as ComposeService;
    const datasources = parseYaml(
      readFileSync(join(root, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ url: string }> };
    const url = new URL(datasources.datasources[0]?.url ?? '');
    expect(compose.services).toHaveProperty(url.hostname);
    expect(compose.services[url.hostname]?.ports?.some((port) => port.endsWith(`:${url.port}`))).toBe(true);
    const providers = parseYaml(
      readFileSync(join(root, 'deploy/grafana/provisioning/dashboards/pumpwatch.yml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        `./deploy/grafana/dashboards:${providers.providers[0]?.options.path}:ro`,
      ]),
    );
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
  });

  it('pins every image to a version', () => {
    const images = Object.values(compose.services).flatMap((service) =>
      service.image ? [service.image] : [],
    );
    expect(images.filter((image) => !/:[\w.-]+$/.test(image) || image.endsWith(':latest'))).toEqual([]);
  });
});

/** Dockerfile instructions by stage: `FROM` starts one; continued lines (`\`) are joined. */
function dockerStages(text: string): Array<Array<{ op: string; args: string }>> {
  const stages: Array<Array<{ op: string; args: string }>> = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ op: op.toUpperCase(), args: rest.join(' ') });
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const final = stages.at(-1) ?? [];
  const commands = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);

  it('builds in one stage and runs the compiled bundles in another, without npm, tsx or dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0] ?? [];
    expect(build.some((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    // The final stage receives only the build's output directory, never the sources or their node_modules.
    expect(commands('COPY')).toEqual(['--from=build /out/ /app/']);
    expect(commands('RUN').join(' ')).not.toMatch(/\bnpm\b|\bnpx\b|\btsx\b/);
    expect(commands('CMD')).toEqual([
      '["node", "server/dist/main.js", "--config", "/etc/pumpwatch/server.yaml"]',
    ]);
  });

  it('runs as a user other than root and checks health on /api/health', () => {
    const users = commands('USER');
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const [healthcheck] = commands('HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "\/app\/healthcheck\.mjs"\]/);
    expect(stages[0]?.some((i) => i.args.includes('cp deploy/server/healthcheck.mjs /out/'))).toBe(true);
    expect(readFileSync(join(root, 'deploy/server/healthcheck.mjs'), 'utf8')).toContain('/api/health');
  });

  it('gives compose the compiled processes of the built image, the gateway with the hub unit’s node flags', () => {
    const services = compose.services as Record<string, ComposeService & { command?: string[] }>;
    expect(services.server?.image).toBe(services.gateway?.image);
    expect(services.server?.command?.slice(0, 2)).toEqual(['node', 'server/dist/main.js']);
    const gateway = services.gateway?.command ?? [];
    expect(gateway[0]).toBe('node');
    const script = gateway.indexOf('gateway/dist/main.js');
    expect(script).toBeGreaterThan(0);
    const unit = readFileSync(join(root, 'deploy/gateway/pumpwatch-gateway.service'), 'utf8');
    const execStart = (/^ExecStart=(.+)$/m.exec(unit)?.[1] ?? '').split(/\s+/);
    const unitFlags = execStart.slice(
      1,
      execStart.findIndex((word) => word.endsWith('/dist/main.js')),
    );
    expect(gateway.slice(1, script)).toEqual(unitFlags);
  });
});
