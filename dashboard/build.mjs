// Builds the browser bundle into dashboard/dist/ (served by the server at `/`). Run: node dashboard/build.mjs
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * zod re-exports its namespace as `z`, which esbuild cannot tree-shake, so every one of its ~50 locales
 * (260 KiB minified) lands in the bundle although only English is ever configured. Nothing here reads
 * `z.locales`, so the locale index is cut down to English.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
    }));
  },
};
const dist = join(here, 'dist');
const started = performance.now();

try {
  // Asset names carry a content hash, so old ones are removed rather than left to pile up.
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const result = await build({
    absWorkingDir: here,
    entryPoints: { main: 'src/main.ts' },
    outdir: 'dist/assets',
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  });

  const [jsOut, meta] = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint === 'src/main.ts',
  ) ?? [undefined, undefined];
  if (!jsOut || !meta?.cssBundle) throw new Error('esbuild produced no main bundle and stylesheet');
  const asset = (path) => relative(join(here, 'dist'), join(here, path)).split('\\').join('/');

  // index.html refers to assets/main.js and assets/main.css; point them at the hashed files.
  let html = await readFile(join(here, 'src/index.html'), 'utf8');
  for (const [from, to] of [
    ['assets/main.js', asset(jsOut)],
    ['assets/main.css', asset(meta.cssBundle)],
  ]) {
    if (!html.includes(`"${from}"`)) throw new Error(`src/index.html does not reference "${from}"`);
    html = html.replace(`"${from}"`, `"${to}"`);
  }
  // Web Push (docs/paging.md): the service worker at the root, unhashed, so its scope is the whole app and
  // its URL stays the same across builds; the web app manifest and its icon beside it.
  await build({
    absWorkingDir: here,
    entryPoints: { sw: 'src/push/sw.ts' },
    outdir: 'dist',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  });
  for (const file of ['manifest.webmanifest', 'icon.svg'])
    await writeFile(join(dist, file), await readFile(join(here, 'src/push', file)));
  html = html.replace('</head>', '  <link rel="manifest" href="manifest.webmanifest" />\n  </head>');
  await writeFile(join(dist, 'index.html'), html);

  const written = ['dist/index.html', 'dist/sw.js', ...Object.keys(result.metafile.outputs)].sort();
  for (const file of written) {
    const { size } = await stat(join(here, file));
    console.log(`  dashboard/${file}  ${(size / 1024).toFixed(1)} KiB`);
  }
  console.log(`dashboard built in ${Math.round(performance.now() - started)} ms`);
} catch (err) {
  console.error(`dashboard build failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
}
