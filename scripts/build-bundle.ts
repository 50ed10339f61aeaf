/** One process's bundle (scripts/build-targets.ts), for `npm run build` and the hub package. */
import { rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { type BuildTarget, ESM_REQUIRE_SHIM, NATIVE_PACKAGES } from './build-targets.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * zod's namespace export pulls in its ~50 locales, which esbuild cannot tree-shake; only English is
 * configured, so the index is cut down to it (as dashboard/build.mjs does for the browser).
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
    }));
  },
};

/**
 * How every process is compiled; benchmarks of code the server runs compile it the same way
 * (scripts/support/run-as-built.ts), since the bundle runs faster than the sources under tsx.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [...NATIVE_PACKAGES],
  banner: { js: ESM_REQUIRE_SHIM },
  plugins: [zodEnglishOnly],
  // Whitespace and syntax only: identifiers stay readable in stack traces without a source map.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
} satisfies BuildOptions;

/** Bundles `target` into `<outRoot>/<workspace>/<outfile>`: the repository itself by default. */
export async function bundle(target: BuildTarget, outRoot = root): Promise<void> {
  const workspace = join(root, target.workspace);
  const outfile = join(outRoot, target.workspace, target.outfile);
  rmSync(dirname(outfile), { recursive: true, force: true });
  const started = performance.now();
  await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: workspace,
    entryPoints: [join(workspace, target.entry)],
    outfile,
    sourcemap: 'linked',
  });
  const kib = (statSync(outfile).size / 1024).toFixed(0);
  const ms = (performance.now() - started).toFixed(0);
  const shown = outfile.startsWith(`${root}/`) ? relative(root, outfile) : outfile;
  console.log(`[build] ${shown}: ${kib} KiB in ${ms} ms`);
}
