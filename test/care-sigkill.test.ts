import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDuckDbStore } from '@pumpwatch/server/store';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './support/wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const writer = join(root, 'server/test/store/fixtures/care-writer.ts');
const KINDS = ['patients', 'therapies', 'assignments', 'teams'] as const;
type Kind = (typeof KINDS)[number];

/** The version a record carries (care-writer.ts puts it there). */
const versionOf = (kind: Kind, record: Record<string, unknown>) =>
  Number(kind === 'assignments' ? record.from : record.updatedAt);

/**
 * Care records have the same restart safety as alerts (docs/storage.md#care-records): a put that has
 * resolved is committed, so a SIGKILL right after loses nothing. No server and no network here: the
 * child opens the embedded store itself, as the server does, and writes without pause until killed.
 */
describe('SIGKILL while care records are being written', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('keeps every put that had resolved, at its acknowledged version or a later one', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-care-sigkill-')), 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, signal) => done(signal)),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    /** Per kind and id, the newest version whose put had resolved. */
    const acknowledged = new Map<Kind, Map<string, number>>(KINDS.map((kind) => [kind, new Map()]));
    const highest = new Map<Kind, number>(KINDS.map((kind) => [kind, 0]));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const [kind, id, version] = line.split(' ') as [Kind, string, string];
      if (!acknowledged.has(kind)) return;
      acknowledged.get(kind)?.set(id, Number(version));
      highest.set(kind, Math.max(highest.get(kind) ?? 0, Number(version)));
    });

    // Past 100 versions of every kind: each of its 40 ids replaced at least once, writers still going.
    await waitFor(() => KINDS.every((kind) => (highest.get(kind) ?? 0) >= 100), {
      timeoutMs: 45_000,
      what: `100 acknowledged puts of every kind (stderr: ${stderr})`,
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = await openDuckDbStore({ dataDir });
    try {
      for (const kind of KINDS) {
        const bad: unknown[] = [];
        const records = await store.care[kind].all((key, error) => bad.push([key, error]));
        expect(bad, kind).toEqual([]);
        const stored = new Map(records.map((record) => [record.id, versionOf(kind, record)]));
        const expected = acknowledged.get(kind) as Map<string, number>;
        expect(expected.size, kind).toBe(40);
        for (const [id, version] of expected) {
          // Each writer has one put in flight: the one at the kill may have committed without its line
          // (the id's next version, 40 on), never lost an acknowledged one.
          expect([version, version + 40], `${kind} ${id}`).toContain(stored.get(id));
        }
      }
      const patient = await store.care.patients.get('pat_1');
      expect(patient?.displayName).toBe(`Patient ${patient?.updatedAt}`);
    } finally {
      await store.close();
    }
  }, 90_000);
});
