/**
 * `npm run package:gateway [-- --out dist]`: the hub's Debian package, pumpwatch-gateway_<version>_all.deb
 * (docs/gateway.md, "Install on a hub"). It holds the compiled gateway, the native addons it loads
 * (prebuilt for linux x64, arm64, armv6/7: hence `all`), the systemd unit, a config template and a
 * /usr/bin wrapper. Nothing under /var/lib: the outbox and seq counters belong to the hub, not the package.
 *   /usr/lib/pumpwatch-gateway/{dist/main.js, package.json, node_modules/…}
 *   /lib/systemd/system/pumpwatch-gateway.service     /usr/bin/pumpwatch-gateway
 *   /etc/pumpwatch/gateway.yaml (conffile)             /usr/share/doc/pumpwatch-gateway/…
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, root } from './build-bundle.js';
import { copyRuntimeModules } from './build-runtime-modules.js';
import { BUILD_TARGETS } from './build-targets.js';

const PACKAGE = 'pumpwatch-gateway';
const deploy = join(root, 'deploy/gateway');

function put(stage: string, path: string, from: string, mode = 0o644): void {
  const target = join(stage, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(from, target);
  chmodSync(target, mode);
}

/** Installed-Size: KiB of the files, as dpkg counts it. */
function installedSizeKib(stage: string): number {
  const output = execFileSync('du', ['-sk', '--exclude=DEBIAN', stage]).toString();
  return Number(output.split('\t')[0]);
}

export async function buildGatewayDeb(outDir: string): Promise<string> {
  const target = BUILD_TARGETS.find((t) => t.workspace === 'gateway');
  if (!target) throw new Error('no gateway build target');
  await bundle(target);
  const gatewayPackage = JSON.parse(readFileSync(join(root, 'gateway/package.json'), 'utf8')) as {
    version: string;
  };
  const version = gatewayPackage.version;
  const stage = mkdtempSync(join(tmpdir(), 'pw-deb-'));
  // mkdtemp makes it 0700; it becomes the package's `./`, which must be 0755.
  chmodSync(stage, 0o755);
  try {
    const lib = join(stage, 'usr/lib', PACKAGE);
    cpSync(join(root, 'gateway/dist'), join(lib, 'dist'), { recursive: true });
    // `type: module` makes dist/main.js an ES module; the version is what the hub reports (version.ts).
    writeFileSync(
      join(lib, 'package.json'),
      `${JSON.stringify({ name: '@pumpwatch/gateway', version, private: true, type: 'module' }, null, 2)}\n`,
    );
    copyRuntimeModules(target.runtimePackages, join(lib, 'node_modules'));
    put(stage, `lib/systemd/system/${PACKAGE}.service`, join(deploy, `${PACKAGE}.service`));
    put(stage, `usr/bin/${PACKAGE}`, join(deploy, `${PACKAGE}.sh`), 0o755);
    put(stage, 'etc/pumpwatch/gateway.yaml', join(deploy, 'gateway.hub.yaml'));
    put(stage, `usr/share/doc/${PACKAGE}/gateway.md`, join(root, 'docs/gateway.md'));
    put(stage, `usr/share/doc/${PACKAGE}/config.example.yaml`, join(root, 'gateway/config.example.yaml'));

    const control = readFileSync(join(deploy, 'debian/control'), 'utf8')
      .replace('@VERSION@', version)
      .replace('@INSTALLED_SIZE@', String(installedSizeKib(stage)));
    mkdirSync(join(stage, 'DEBIAN'));
    writeFileSync(join(stage, 'DEBIAN/control'), control);
    put(stage, 'DEBIAN/conffiles', join(deploy, 'debian/conffiles'));
    for (const script of ['postinst', 'prerm', 'postrm']) {
      put(stage, `DEBIAN/${script}`, join(deploy, `debian/${script}`), 0o755);
    }

    mkdirSync(outDir, { recursive: true });
    const deb = join(outDir, `${PACKAGE}_${version}_all.deb`);
    // --root-owner-group: every file root:root without fakeroot; -Zxz: what Debian's own packages use.
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { stdio: 'pipe' });
    return deb;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist') } } });
buildGatewayDeb(resolve(String(values.out))).then(
  (deb) => console.log(`[package] ${deb}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
