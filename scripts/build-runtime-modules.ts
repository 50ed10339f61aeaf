/**
 * The `node_modules` a bundle still needs at run time: the native packages it leaves out
 * (scripts/build-targets.ts) and what they require, copied from the installed tree, so an image or a
 * hub package carries no development dependency and needs no `npm install` of its own.
 *   tsx scripts/build-runtime-modules.ts <node_modules dir to fill> <package>…
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './build-bundle.js';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Node's lookup of a package: `node_modules/<name>` in `fromDir` and each directory above it, up to the
 * repository's root. An optional dependency for another platform is simply not there (null).
 */
function findPackageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

/** Package directories of `names` and everything they depend on, each once. */
export function runtimeClosure(names: readonly string[], fromDir = root): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string, optional: boolean): void => {
    const dir = findPackageDir(name, from);
    if (dir === null) {
      if (optional) return;
      throw new Error(
        `runtime package ${name} is not installed (needed from ${relative(root, from) || '.'})`,
      );
    }
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const dependency of Object.keys(pkg.dependencies ?? {})) visit(dependency, dir, false);
    for (const dependency of Object.keys(pkg.optionalDependencies ?? {})) visit(dependency, dir, true);
  };
  for (const name of names) visit(name, fromDir, false);
  return [...found].sort();
}

/** Addon sources and other platforms' prebuilt addons: nothing a Linux host loads at run time. */
function isRuntimeFile(packageDir: string, path: string): boolean {
  const inside = relative(packageDir, path);
  if (inside === '') return true;
  const [top = '', second] = inside.split(sep);
  // A dependency's own dependencies are copied as packages of their own (from the closure).
  if (top === 'node_modules') return false;
  const native = existsSync(join(packageDir, 'binding.gyp'));
  if (native && (top === 'deps' || top === 'src' || top.endsWith('.cc') || top === 'binding.gyp'))
    return false;
  if (top === 'prebuilds' && second !== undefined && !second.startsWith('linux-')) return false;
  return (
    !/\.(md|markdown|d\.ts|d\.mts|d\.cts|ts\.map)$/i.test(basename(path)) || /^license/i.test(basename(path))
  );
}

/** Copies the closure of `names` into `nodeModulesDir`, keeping each package's place in the tree. */
export function copyRuntimeModules(names: readonly string[], nodeModulesDir: string): string[] {
  const copied: string[] = [];
  for (const dir of runtimeClosure(names)) {
    // `a/node_modules/b` stays nested under `a`; a workspace's own `node_modules` is hoisted to the top.
    const marker = `${sep}node_modules${sep}`;
    const inTree = dir.slice(dir.indexOf(marker) + marker.length);
    const target = join(nodeModulesDir, inTree);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(dir, target, { recursive: true, filter: (path) => isRuntimeFile(dir, path) });
    copied.push(inTree);
  }
  return copied;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [out, ...names] = process.argv.slice(2);
  if (!out || names.length === 0) {
    console.error('usage: tsx scripts/build-runtime-modules.ts <node_modules dir> <package>…');
    process.exitCode = 2;
  } else {
    const copied = copyRuntimeModules(names, out);
    console.log(`[runtime] ${copied.length} packages into ${out}: ${copied.join(', ')}`);
  }
}
