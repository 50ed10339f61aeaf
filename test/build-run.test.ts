import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/**
 * The compiled build as the Docker image runs it: `npm run build -- --out DIR` writes a tree outside
 * the repository, so the bundles can resolve nothing from the repository's node_modules, only the
 * native packages the build copied beside them.
 */
let out: string;
const children: ChildProcess[] = [];

/** Runs a compiled entry point to its exit; never throws on a non-zero exit code. */
async function node(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: out,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, {
    cwd: out,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'pumpwatch-build-'));
  await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out', out, '--skip-dashboard'], {
    cwd: root,
    timeout: 60_000,
  });
}, 90_000);

afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(out, { recursive: true, force: true });
});

describe('the compiled build (npm run build)', () => {
  it('runs the gateway: --help, --print-config with secrets redacted, every config error with exit 2', async () => {
    const help = await node(['gateway/dist/main.js', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--print-config');

    const printed = await node(['gateway/dist/main.js', '--demo', '--print-config'], {
      PUMPWATCH_MQTT_URL: 'mqtt://hub:canary-url@127.0.0.1:1883',
      PUMPWATCH_MQTT_PASSWORD: 'canary-env',
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toMatch(/canary/);
    expect(JSON.parse(printed.stdout)).toMatchObject({ hubId: 'HUB-DEMO', mqtt: { password: '[redacted]' } });

    const bad = await node(['gateway/dist/main.js', '--mqtt-url', 'http://x', '--heartbeat-ms', 'often']);
    expect(bad.code).toBe(2);
    for (const path of ['hubId', 'mqtt.url', 'heartbeatMs', 'pumps'])
      expect(bad.stderr).toContain(`  ${path}:`);
  });

  it('runs the server: --print-config with secrets redacted, a bad config with exit 2', async () => {
    const printed = await node(['server/dist/main.js', '--print-config'], {
      PUMPWATCH_TOKEN_SECRET: 'canary-token-secret-0123456789abcdef',
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toMatch(/canary/);
    expect(JSON.parse(printed.stdout).auth.tokenSecret).toBe('[redacted]');

    const bad = await node(['server/dist/main.js', '--http-port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CONFIG_INVALID[\s\S]*http\.port/);
  });

  it('starts the compiled server, whose /api/health the image HEALTHCHECK reads, and a compiled hub that feeds it', async () => {
    const [httpPort, mqttPort, statusPort] = [await freePort(), await freePort(), await freePort()];
    const config = join(out, 'server.yaml');
    writeFileSync(config, `store:\n  kind: memory\ndataDir: ${join(out, 'server-data')}\nlogLevel: warn\n`);
    const server = start(['server/dist/main.js', '--config', config], {
      PUMPWATCH_AUTH_MODE: 'disabled',
      PUMPWATCH_HTTP_PORT: String(httpPort),
      PUMPWATCH_MQTT_PORT: String(mqttPort),
    });
    const health = `http://127.0.0.1:${httpPort}/api/health`;
    await waitFor(() => fetch(health).then((r) => r.ok), { what: `compiled server\n${server.output()}` });

    const healthcheck = join(root, 'deploy/server/healthcheck.mjs');
    expect((await node([healthcheck], { PUMPWATCH_HTTP_PORT: String(httpPort) })).code).toBe(0);
    expect((await node([healthcheck], { PUMPWATCH_HTTP_PORT: String(await freePort()) })).code).toBe(1);

    // The demo fleet through the compiled gateway (LevelDB outbox, a native addon) to the compiled server.
    const gateway = start(
      [
        'gateway/dist/main.js',
        '--demo',
        '--data-dir',
        join(out, 'gateway-data'),
        '--status-port',
        String(statusPort),
      ],
      { PUMPWATCH_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}` },
    );
    await waitFor(
      async () => {
        const body = (await fetch(health).then((r) => r.json())) as { ingest: { accepted: number } };
        return body.ingest.accepted > 0;
      },
      { what: `telemetry from the compiled gateway\n${gateway.output()}` },
    );
    const status = (await fetch(`http://127.0.0.1:${statusPort}/status`).then((r) => r.json())) as {
      connected: boolean;
    };
    expect(status.connected).toBe(true);

    expect(await stop(gateway.child)).toBe(0);
    expect(await stop(server.child)).toBe(0);
  });
});
