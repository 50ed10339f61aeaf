import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmbeddedBroker } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';
import { sleep, waitFor } from './support/wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const unitPath = join(root, 'deploy/gateway/pumpwatch-gateway.service');
const version = (JSON.parse(readFileSync(join(root, 'gateway/package.json'), 'utf8')) as { version: string })
  .version;

let work: string;
let deb: string;
/** The package extracted as a hub's root would hold it (dpkg-deb -x), outside the repository. */
let hubRoot: string;
const children: ChildProcess[] = [];

function unitDirectives(text: string): Map<string, string> {
  const directives = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) directives.set(match[1] as string, match[2] as string);
  }
  return directives;
}

/** The packaged gateway from the extracted tree, its node_modules the package's own. */
function startPackagedGateway(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(hubRoot, 'usr/lib/pumpwatch-gateway/dist/main.js'), ...args], {
    cwd: hubRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  return ((await exited) as [number | null])[0];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pumpwatch-deb-'));
  await run(process.execPath, ['--import', 'tsx', 'scripts/build-gateway-deb.ts', '--out', work], {
    cwd: root,
    timeout: 90_000,
  });
  deb = join(work, `pumpwatch-gateway_${version}_all.deb`);
  hubRoot = join(work, 'root');
  mkdirSync(hubRoot);
  execFileSync('dpkg-deb', ['-x', deb, hubRoot]);
}, 120_000);

afterAll(async () => {
  for (const child of children) await stop(child);
  rmSync(work, { recursive: true, force: true });
});

describe('the hub systemd unit', () => {
  it('passes systemd-analyze verify without a warning', async () => {
    // verify checks that ExecStart's binary exists: point it at this machine's node, wherever it is.
    const copy = join(work, 'pumpwatch-gateway.service');
    writeFileSync(copy, readFileSync(unitPath, 'utf8').replace('/usr/bin/node ', `${process.execPath} `));
    const { stdout, stderr } = await run('systemd-analyze', ['verify', copy]);
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('restarts always, is watched by systemd, logs to journald, reads /etc and keeps data in /var/lib', () => {
    const unit = unitDirectives(readFileSync(unitPath, 'utf8'));
    expect(unit.get('Restart')).toBe('always');
    expect(unit.get('Type')).toBe('notify');
    expect(unit.get('NotifyAccess')).toBe('all');
    expect(Number.parseInt(unit.get('WatchdogSec') ?? '', 10)).toBeGreaterThan(0);
    expect(unit.get('StandardOutput')).toBe('journal');
    expect(unit.get('ExecStart')).toMatch(
      /^\/usr\/bin\/node .*\/usr\/lib\/pumpwatch-gateway\/dist\/main\.js --config \/etc\/pumpwatch\/gateway\.yaml$/,
    );
    expect(unit.get('StateDirectory')).toBe('pumpwatch-gateway');
    expect(readFileSync(unitPath, 'utf8')).toContain('PUMPWATCH_GATEWAY_DATA_DIR=/var/lib/pumpwatch-gateway');
    expect(unit.get('User')).toBe('pumpwatch-gateway');
  });
});

describe('the hub package (npm run package:gateway)', () => {
  it('is an architecture-independent Debian package that needs Node 20 and systemd', async () => {
    const { stdout } = await run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture', 'Depends']);
    expect(stdout).toContain('Package: pumpwatch-gateway');
    expect(stdout).toContain(`Version: ${version}`);
    expect(stdout).toContain('Architecture: all');
    expect(stdout).toMatch(/Depends: .*nodejs \(>= 20\.19\).*systemd/);
    const info = (await run('dpkg-deb', ['-I', deb, 'conffiles'])).stdout;
    expect(info.trim()).toBe('/etc/pumpwatch/gateway.yaml');
  });

  it('installs the gateway, its unit, config and native addons for the Pi, and nothing in /var/lib', async () => {
    const { stdout } = await run('dpkg-deb', ['-c', deb], { maxBuffer: 16 * 1024 * 1024 });
    const paths = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\.\//, '/'));
    for (const expected of [
      '/usr/lib/pumpwatch-gateway/dist/main.js',
      '/usr/lib/pumpwatch-gateway/package.json',
      '/lib/systemd/system/pumpwatch-gateway.service',
      '/usr/bin/pumpwatch-gateway',
      '/etc/pumpwatch/gateway.yaml',
      '/usr/lib/pumpwatch-gateway/node_modules/classic-level/prebuilds/linux-arm64/classic-level.armv8.node',
      '/usr/lib/pumpwatch-gateway/node_modules/classic-level/prebuilds/linux-arm/classic-level.armv7.node',
      '/usr/lib/pumpwatch-gateway/node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node',
    ]) {
      expect(paths).toContain(expected);
    }
    // The outbox and seq counters are the hub's, not the package's: dpkg never removes or replaces them.
    expect(paths.filter((path) => path.startsWith('/var/'))).toEqual([]);
    expect(paths.filter((path) => /\/prebuilds\/(?!linux-)[^/]+\//.test(path))).toEqual([]);
    // No maintainer script deletes anything under /var/lib.
    for (const script of ['postinst', 'prerm', 'postrm']) {
      const text = readFileSync(join(root, 'deploy/gateway/debian', script), 'utf8');
      expect(text, script).not.toMatch(/\brm\b[^\n]*\/var\/lib/);
    }
    // The unit in the package is the one in the repository.
    expect(readFileSync(join(hubRoot, 'lib/systemd/system/pumpwatch-gateway.service'), 'utf8')).toBe(
      readFileSync(unitPath, 'utf8'),
    );
  });

  it('ships a config that lists everything a fresh hub must set, so postinst does not start it yet', async () => {
    const gateway = startPackagedGateway([
      '--config',
      join(hubRoot, 'etc/pumpwatch/gateway.yaml'),
      '--print-config',
    ]);
    const [code] = (await once(gateway.child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(gateway.output()).toMatch(/CONFIG_INVALID/);
    expect(gateway.output()).toContain('  hubId:');
    expect(gateway.output()).toContain('  pumps:');
  });

  it('keeps seq counting across a reinstall of the package files, and delivers what the outbox held', async () => {
    const dataDir = join(work, 'var-lib-pumpwatch-gateway');
    const config = join(work, 'gateway.yaml');
    const brokerPort = await freePort();
    writeFileSync(
      config,
      `hubId: HUB-DEB\nmqtt: { url: "mqtt://127.0.0.1:${brokerPort}" }\ndataDir: ${dataDir}\nstatus: { enabled: false }\npumps:\n  - { pumpId: PUMP-D1, driver: simulated, intervalMs: 100 }\n`,
    );
    // No broker yet: the samples stay in the outbox.
    const first = startPackagedGateway(['--config', config]);
    await waitFor(() => first.output().includes('gateway started'), { what: first.output() });
    await sleep(1500);
    expect(await stop(first.child)).toBe(0);

    // Upgrade: the package's files are replaced; the data directory is not among them.
    execFileSync('dpkg-deb', ['-x', deb, hubRoot]);
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: brokerPort });
    const subscriber = await mqtt.connectAsync(broker.url);
    const samples: Array<{ seq: number; ts: number }> = [];
    subscriber.on('message', (_topic, payload) => samples.push(JSON.parse(payload.toString())));
    await subscriber.subscribeAsync('pumpwatch/v1/hubs/HUB-DEB/pumps/PUMP-D1/telemetry', { qos: 1 });
    try {
      const secondStartedAt = Date.now();
      const second = startPackagedGateway(['--config', config]);
      // Until the second run's own samples arrive behind the backlog the first run left.
      await waitFor(() => samples.filter((s) => s.ts > secondStartedAt).length >= 5, {
        what: `telemetry after the reinstall\n${second.output()}`,
      });
      expect(await stop(second.child)).toBe(0);
      // QoS 1 is at least once: a duplicate is allowed (the server drops it by seq), a gap is not.
      const seqs = [...new Set(samples.map((s) => s.seq))].sort((a, b) => a - b);
      const backlog = samples.filter((s) => s.ts < secondStartedAt).map((s) => s.seq);
      const fresh = samples.filter((s) => s.ts > secondStartedAt).map((s) => s.seq);
      expect(backlog.length).toBeGreaterThan(5);
      expect(seqs.every((seq, i) => seq === i)).toBe(true);
      // The second run counts on from the first run's last seq, kept in the data directory.
      expect(Math.min(...fresh)).toBe(Math.max(...backlog) + 1);
    } finally {
      await subscriber.endAsync();
      await broker.close();
    }
  });

  it('tells systemd it is ready, pings the watchdog while running and says when it stops', async () => {
    const socket = join(work, 'notify.sock');
    // Node cannot receive unix datagrams; python3 stands in for systemd's notify socket. It closes the
    // barrier fd that systemd-notify passes, as systemd does, so systemd-notify returns at once.
    const listener = spawn(
      'python3',
      [
        '-u',
        '-c',
        [
          'import socket, sys, array, os',
          's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
          's.bind(sys.argv[1])',
          'print("LISTENING", flush=True)',
          'while True:',
          '    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))',
          '    for level, kind, data in anc:',
          '        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:',
          '            fds = array.array("i"); fds.frombytes(data[: len(data) - len(data) % 4])',
          '            [os.close(fd) for fd in fds]',
          '    print(msg.decode(), flush=True)',
        ].join('\n'),
        socket,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(listener);
    let messages = '';
    listener.stdout?.on('data', (chunk: Buffer) => {
      messages += chunk.toString();
    });
    await waitFor(() => messages.includes('LISTENING'));

    const gateway = startPackagedGateway(
      [
        '--demo',
        '--data-dir',
        join(work, 'watchdog-data'),
        '--status-port',
        '0',
        '--mqtt-url',
        'mqtt://127.0.0.1:9',
      ],
      { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '600000' },
    );
    await waitFor(() => messages.split('\n').filter((m) => m === 'WATCHDOG=1').length >= 3, {
      what: `READY=1 and watchdog pings\n${messages}\n${gateway.output()}`,
    });
    const lines = messages.split('\n');
    expect(lines.indexOf('READY=1')).toBeGreaterThan(0);
    expect(lines.indexOf('READY=1')).toBeLessThan(lines.indexOf('WATCHDOG=1'));
    expect(await stop(gateway.child)).toBe(0);
    await waitFor(() => messages.includes('STOPPING=1'), { what: messages });
    expect(gateway.output()).not.toContain('systemd-notify failed');
    listener.kill('SIGTERM');
  });
});
