/**
 * `npm run mosquitto:auth -- --url http://server:8080 --out ./deploy/mosquitto`
 *
 * Writes Mosquitto's password file and ACL from the hubs registered on a running pumpwatch server
 * (`GET /api/hubs/mosquitto-config`), logging in with PUMPWATCH_ADMIN_USER / PUMPWATCH_ADMIN_PASSWORD.
 * Only hashes leave the server. Run it again after registering a hub, then reload Mosquitto (SIGHUP).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.PUMPWATCH_URL ?? 'http://127.0.0.1:8080' },
    out: { type: 'string', default: 'deploy/mosquitto' },
    help: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (values.help) {
    console.log('usage: npm run mosquitto:auth -- [--url http://127.0.0.1:8080] [--out deploy/mosquitto]');
    console.log('needs PUMPWATCH_ADMIN_USER and PUMPWATCH_ADMIN_PASSWORD in the environment');
    return;
  }
  const username = process.env.PUMPWATCH_ADMIN_USER;
  const password = process.env.PUMPWATCH_ADMIN_PASSWORD;
  if (!username || !password) throw new Error('set PUMPWATCH_ADMIN_USER and PUMPWATCH_ADMIN_PASSWORD');
  const login = await fetch(`${values.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const response = await fetch(`${values.url}/api/hubs/mosquitto-config`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`export failed: ${response.status} ${await response.text()}`);
  const { passwordFile, aclFile } = (await response.json()) as { passwordFile: string; aclFile: string };
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'passwd'), passwordFile, { mode: 0o640 });
  chmodSync(join(out, 'passwd'), 0o640);
  writeFileSync(join(out, 'acl'), aclFile);
  const hubs = passwordFile.trim().split('\n').filter(Boolean).length;
  console.log(`wrote ${join(out, 'passwd')} (${hubs} users) and ${join(out, 'acl')}`);
  console.log('mosquitto.conf needs: allow_anonymous false / password_file <passwd> / acl_file <acl>');
}

main().catch((error: unknown) => {
  console.error(`mosquitto:auth: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
