/**
 * Runs a benchmark of the server's code as that code ships: compiled by esbuild with the build's own
 * options (scripts/build-bundle.ts BUNDLE_OPTIONS) into one bundle under artifacts/built/, in a node
 * process of its own. `node server/dist/main.js` runs such a bundle; under tsx every source file is a
 * module of its own, and the alert engine measured 10–20 % slower there (npm run bench:engine --
 * --source runs the sources).
 */
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, root } from '../build-bundle.js';

/**
 * Call first thing in the script with its `import.meta.url`. From the sources (a `.ts` URL, without
 * `--source`) it bundles the script, runs the bundle with `nodeFlags` and the same arguments, and
 * resolves true once that exits (with its exit code); in the bundle, or with `--source`, it resolves
 * false at once and the script goes on.
 */
export async function runAsBuilt(scriptUrl: string, nodeFlags: readonly string[]): Promise<boolean> {
  const args = process.argv.slice(2);
  if (!scriptUrl.endsWith('.ts') || args.includes('--source')) return false;
  const script = fileURLToPath(scriptUrl);
  const outfile = join(root, 'artifacts/built', basename(script).replace(/\.ts$/, '.mjs'));
  const started = performance.now();
  await build({ ...BUNDLE_OPTIONS, absWorkingDir: root, entryPoints: [script], outfile });
  console.log(
    `compiled ${basename(script)} as the server is built (${((performance.now() - started) / 1000).toFixed(1)} s): ` +
      `node ${[...nodeFlags, outfile].join(' ')}`,
  );
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, outfile, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  process.exitCode = code;
  return true;
}
