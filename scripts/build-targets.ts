/**
 * What `npm run build` produces. Each process is one esbuild bundle: the workspace packages
 * (`@pumpwatch/protocol`, `@pumpwatch/simulators`) and every pure-JavaScript dependency are compiled in,
 * so `node server/dist/main.js` needs neither tsx nor TypeScript, and a hub carries no TypeScript loader
 * (issue 17: ~110 MiB of a hub's RSS was the loader).
 */

/**
 * Packages that load a compiled addon from their own directory (node-gyp-build / platform packages):
 * they cannot be inlined and are resolved from `node_modules` at run time.
 */
export const NATIVE_PACKAGES = [
  '@duckdb/node-api',
  'classic-level',
  '@serialport/bindings-cpp',
  // Optional and required at run time by name (gateway/src/sources/ble/noble-transport.ts) only when
  // a BLE pump is configured; listed so that a later static import still stays out of the bundle.
  '@abandonware/noble',
] as const;

export interface BuildTarget {
  /** Workspace folder, relative to the repository root. */
  workspace: string;
  /** Entry point, relative to the workspace. */
  entry: string;
  /** Bundle, relative to the workspace; run as `node <workspace>/<outfile>`. */
  outfile: string;
  /** Native packages this process loads at run time (a subset of NATIVE_PACKAGES). */
  runtimePackages: readonly string[];
}

export const BUILD_TARGETS: readonly BuildTarget[] = [
  {
    workspace: 'server',
    entry: 'src/main.ts',
    outfile: 'dist/main.js',
    runtimePackages: ['@duckdb/node-api'],
  },
  {
    workspace: 'gateway',
    entry: 'src/main.ts',
    outfile: 'dist/main.js',
    runtimePackages: ['classic-level', '@serialport/bindings-cpp'],
  },
  {
    workspace: 'simulators',
    entry: 'src/main.ts',
    outfile: 'dist/main.js',
    runtimePackages: [],
  },
];

/**
 * CommonJS dependencies inside an ES module bundle still call `require` and read `__dirname`; an ES
 * module has neither, so the bundle defines them (esbuild's documented workaround for `format: esm`).
 */
export const ESM_REQUIRE_SHIM = [
  "import { createRequire as __pwCreateRequire } from 'node:module';",
  "import { dirname as __pwDirname } from 'node:path';",
  "import { fileURLToPath as __pwFileURLToPath } from 'node:url';",
  'const require = __pwCreateRequire(import.meta.url);',
  'const __filename = __pwFileURLToPath(import.meta.url);',
  'const __dirname = __pwDirname(__filename);',
].join('\n');
