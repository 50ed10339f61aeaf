import { chmodSync, type Dirent, type FSWatcher, mkdirSync, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/*
 * The same as server/src/store/private-files.ts: the gateway cannot import the server, and protocol/ holds
 * no Node-only code. Kept small so the two copies are easy to compare.
 */

/**
 * Creates the data directory 0700, or makes an existing one 0700 (a directory made by an older server was
 * 0755, its files 0644: readable by every user of the machine, issue #11). Not a shared directory:
 * one with the sticky bit (`/tmp`) or owned by another user is left as it is.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const stat = statSync(dir);
  const sticky = (stat.mode & 0o1000) !== 0;
  const ours = process.getuid === undefined || stat.uid === process.getuid();
  if (!sticky && ours && (stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Every file under `dir` 0600 and every directory 0700; files that vanish meanwhile are skipped. */
export function restrictTree(dir: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodQuietly(path, PRIVATE_DIR_MODE);
      restrictTree(path);
    } else if (entry.isFile()) {
      chmodQuietly(path, PRIVATE_FILE_MODE);
    }
  }
}

/**
 * LevelDB creates its files itself, 0644 under the usual umask, and new ones at every compaction (`.ldb`,
 * `.log`, `MANIFEST-*`); setting `process.umask` would change every file of the process. So the tree is
 * restricted now, and each file that appears later when the directory's watcher reports it. The directory
 * being 0700 already keeps other users out; this is the second layer.
 */
export function keepPrivate(dir: string, onError?: (error: unknown) => void): { close(): void } {
  restrictTree(dir);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, name) => {
      if (name) restrictEntry(join(dir, name.toString()));
    });
    watcher.on('error', (error) => onError?.(error));
    watcher.unref();
  } catch (error) {
    onError?.(error);
  }
  return {
    close() {
      watcher?.close();
      // What appeared after the last event (the last compaction's files) is restricted too.
      restrictTree(dir);
    },
  };
}

function restrictEntry(path: string): void {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      chmodQuietly(path, PRIVATE_DIR_MODE);
      restrictTree(path);
    } else if (stat.isFile() && (stat.mode & 0o777) !== PRIVATE_FILE_MODE) {
      chmodQuietly(path, PRIVATE_FILE_MODE);
    }
  } catch {
    // Gone already (a log removed by a compaction): nothing to restrict.
  }
}

function chmodQuietly(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // Removed meanwhile, or not ours: the directory's own mode still keeps others out.
  }
}
