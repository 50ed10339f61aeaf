/**
 * `npm run build`: the dashboard, then one JavaScript bundle per process (scripts/build-targets.ts):
 *   node server/dist/main.js --config …     node gateway/dist/main.js --config …
 *   node simulators/dist/main.js --help
 * `npm run build -- --out DIR` writes the bundles instead into a tree that runs without the repository
 * (the Docker image's /app): DIR/<workspace>/{dist, package.json}, DIR/dashboard/dist and DIR/node_modules with the native
 * packages the bundles load (scripts/build-runtime-modules.ts).
 * `npm run typecheck` (tsc -b) stays the type check: esbuild strips types without checking them.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, root } from './build-bundle.js';
import { copyRuntimeModules } from './build-runtime-modules.js';
import { BUILD_TARGETS } from './build-targets.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    // Reuse dashboard/dist when it is built: a test must not rebuild what parallel tests serve.
    'skip-dashboard': { type: 'boolean', default: false },
  },
});

/** The package.json a bundle needs beside its dist/: `type: module`, and the version it reports. */
function writeRuntimePackageJson(workspace: string, outRoot: string): void {
  const source = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const runtime = { name: source.name, version: source.version, private: true, type: 'module' };
  writeFileSync(join(outRoot, workspace, 'package.json'), `${JSON.stringify(runtime, null, 2)}\n`);
}

async function main(): Promise<void> {
  if (!values['skip-dashboard'] || !existsSync(join(root, 'dashboard/dist/index.html'))) {
    execFileSync(process.execPath, [join(root, 'dashboard/build.mjs')], { stdio: 'inherit' });
  }
  if (values.out === undefined) {
    for (const target of BUILD_TARGETS) await bundle(target);
    return;
  }

  const out = resolve(values.out);
  for (const target of BUILD_TARGETS) {
    await bundle(target, out);
    writeRuntimePackageJson(target.workspace, out);
  }
  mkdirSync(join(out, 'dashboard'), { recursive: true });
  // The server finds it at ../../dashboard/dist from server/dist/main.js (server/src/server.ts).
  cpSync(join(root, 'dashboard/dist'), join(out, 'dashboard/dist'), { recursive: true });
  const natives = [...new Set(BUILD_TARGETS.flatMap((target) => target.runtimePackages))];
  const copied = copyRuntimeModules(natives, join(out, 'node_modules'));
  console.log(
    `[build] ${out}: ${BUILD_TARGETS.length} bundles, dashboard, ${copied.length} runtime packages`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
