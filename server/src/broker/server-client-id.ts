import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Client ids starting with this belong to the server's own MQTT client, and only to it (broker-auth.ts). */
export const SERVER_CLIENT_ID_PREFIX = 'pumpwatch-server-';

const SERVER_CLIENT_ID = /^pumpwatch-server-[0-9a-f]{32}$/;

/**
 * The server's MQTT client id: random (128 bits), made once per data directory and kept there
 * (`mqtt-client-id`, 0600) so the broker keeps the server's persistent session across restarts. It used
 * to be a hash of the data directory's path: anyone who guessed the path could connect with it, kick the
 * server's subscriber off and take its queued telemetry (issue #11).
 */
export function serverClientId(dataDir: string): string {
  const fresh = () => `${SERVER_CLIENT_ID_PREFIX}${randomBytes(16).toString('hex')}`;
  if (dataDir === ':memory:') return fresh();
  const file = join(dataDir, 'mqtt-client-id');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (SERVER_CLIENT_ID.test(stored)) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = fresh();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return id;
}
