import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutboxStore } from '../src/outbox/outbox-store.js';

/** Mode bits of every file and directory under `dir`, by path relative to it. */
function modesUnder(dir: string): Map<string, number> {
  const modes = new Map<string, number>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    modes.set(path.slice(dir.length + 1), statSync(path).mode & 0o777);
  }
  return modes;
}

/** Issue #11: data files were readable by every user of the machine; the outbox holds patient telemetry. */
describe('outbox file modes', () => {
  it('keeps the outbox directory 0700 and its files 0600, and migrates an older 0755 / 0644 one', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pumpwatch-gw-modes-')), 'outbox');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'LOG.old'), 'from an older gateway', { mode: 0o644 });
    chmodSync(join(dir, 'LOG.old'), 0o644);
    const store = await OutboxStore.open(dir, { maxEntries: 1000 });
    for (let i = 0; i < 50; i++)
      await store.append('PUMP-1', {
        v: 1,
        ts: i + 1,
        state: 'infusing',
        rate_mL_h: 5,
        vi_mL: 1,
        alarms: [],
      });
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const modes = modesUnder(dir);
    expect(modes.size).toBeGreaterThan(2);
    for (const [path, mode] of modes) expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: '600' });
  });
});
