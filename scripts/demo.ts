/**
 * `npm start`: the whole system on embedded defaults in one process tree — the server with its embedded
 * broker and store, and a simulated home hub with the demo fleet. Authentication is on, as in
 * production: the demo creates an admin, a nurse and a viewer with passwords new at every start, gives
 * the demo hub its own broker credentials, and prints them all. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGateway, gatewayConfigSchema } from '@pumpwatch/gateway';
import { loadServerConfig, type PumpwatchServer, startPumpwatchServer } from '@pumpwatch/server';
import { DEMO_DOSE_WINDOW, demoFleet, demoPatients } from '@pumpwatch/simulators';
import { pino } from 'pino';
import pretty from 'pino-pretty';

const DEMO_HUB_ID = 'demo-hub';

type Role = 'admin' | 'coordinator' | 'nurse' | 'viewer';
interface DemoUser {
  username: string;
  /** Null for an admin whose password came from PUMPWATCH_ADMIN_PASSWORD: not ours to print. */
  password: string | null;
  role: Role;
}

const ROLE_TEXT: Record<Role, string> = {
  nurse: 'acknowledges and snoozes alerts, reads patients’ contact details',
  viewer: 'sees alerts and patients by initials, cannot acknowledge them',
  coordinator: 'also manages patients, therapies and pump assignments (API)',
  admin: 'also orders, rule settings, users, hubs and the audit log (API)',
};

/** 12 URL-safe characters: typeable, and new at every start since the demo wipes its data anyway. */
const demoPassword = () => randomBytes(9).toString('base64url');

/**
 * The demo's care team, its fictional patients and their therapies, each demo pump assigned to one
 * before the gateway starts: the first alerts already name their patients (docs/care.md).
 */
async function addDemoPatients(server: PumpwatchServer, members: string[]): Promise<string> {
  const by = 'demo';
  const team = await server.care.createTeam(
    { name: 'Home infusion team (demo)', timeZone: 'Europe/London', members },
    by,
  );
  // The demo nurse is on call around the clock, the admin leads the team: their pages (and the
  // "nobody reachable" alarm until a device subscribes) are what a real team would get.
  const admin = { username: members[0] ?? 'admin', role: 'admin' as const };
  const [rota] = await server.oncall.putRotations(
    team.id,
    [
      {
        name: 'Nurse on call (demo)',
        shift: 'daily',
        handoffTime: '07:00',
        startDate: new Date(Date.now() - 2 * 24 * 3_600_000).toISOString().slice(0, 10),
        members: ['nurse'],
      },
    ],
    admin,
  );
  if (rota)
    await server.oncall.setPolicy(
      team.id,
      {
        leadUsername: admin.username,
        steps: [
          { targets: [{ kind: 'rotation', rotationId: rota.id }] },
          { targets: [{ kind: 'team_lead' }] },
        ],
      },
      admin,
    );
  const lines: string[] = [];
  for (const { pumpId, patient, therapy } of demoPatients(Date.now())) {
    const created = await server.care.createPatient({ ...patient, teamId: team.id }, by);
    const given = await server.care.createTherapy(created.id, therapy, by);
    await server.care.assign(pumpId, given.id, by);
    lines.push(`    ${pumpId}  ${created.displayName}: ${given.drug}, ${given.dose}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const env = { ...process.env };
  const dataDir = resolve(env.PUMPWATCH_DATA_DIR ?? 'data/demo');
  // Every demo starts clean: yesterday's alerts would only confuse the story.
  rmSync(dataDir, { recursive: true, force: true });
  env.PUMPWATCH_DATA_DIR = join(dataDir, 'server');

  const logger = pino(
    { level: env.PUMPWATCH_LOG_LEVEL ?? 'info' },
    pretty({ colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }),
  );
  const serverConfig = loadServerConfig({ env, argv: [] });
  serverConfig.engine.pumps[DEMO_DOSE_WINDOW.pumpId] = DEMO_DOSE_WINDOW.params;
  const server = await startPumpwatchServer(serverConfig, { logger: logger.child({ name: 'server' }) });

  // PUMPWATCH_ADMIN_USER / _PASSWORD, when set, are ensured by the server itself at start.
  const envAdmin = serverConfig.auth.adminUser;
  const users: DemoUser[] = [
    envAdmin
      ? { username: envAdmin, password: null, role: 'admin' }
      : { username: 'admin', password: demoPassword(), role: 'admin' },
    ...(
      [
        { username: 'nurse', password: demoPassword(), role: 'nurse' },
        { username: 'coordinator', password: demoPassword(), role: 'coordinator' },
        { username: 'viewer', password: demoPassword(), role: 'viewer' },
      ] as const
    ).filter((user) => user.username !== envAdmin),
  ];
  for (const user of users) {
    if (user.password !== null) await server.security.users.create(user.username, user.password, user.role);
  }
  const hub = await server.security.hubs.register(DEMO_HUB_ID);
  const caseload = await addDemoPatients(
    server,
    users.map((user) => user.username),
  );

  const gatewayConfig = gatewayConfigSchema.parse({
    hubId: DEMO_HUB_ID,
    mqtt: { url: server.mqttUrl, username: hub.username, password: hub.password },
    dataDir: join(dataDir, 'gateway'),
    demo: true,
  });
  const gateway = createGateway(gatewayConfig, { logger: logger.child({ name: 'gateway' }) });
  await gateway.start();

  const fleet = demoFleet()
    .map((pump) => `    ${pump.pumpId}  ${pump.label}  (${pump.scenario.name})`)
    .join('\n');
  const shown = users.map((u) => ({ ...u, secret: u.password ?? '(PUMPWATCH_ADMIN_PASSWORD)' }));
  const nameWidth = Math.max(...shown.map((u) => u.username.length));
  const secretWidth = Math.max(...shown.map((u) => u.secret.length));
  const logins = shown
    .map(
      (u) =>
        `    ${u.username.padEnd(nameWidth)}  ${u.secret.padEnd(secretWidth)}  ${u.role}: ${ROLE_TEXT[u.role]}`,
    )
    .join('\n');
  const authRequired = serverConfig.auth.mode === 'required';
  const access = authRequired
    ? [
        `  Log in to the dashboard as one of these (passwords are new at every start):`,
        logins,
        '',
        `  API with a token: curl -s ${server.httpUrl}/api/login -H 'content-type: application/json' \\`,
        `                      -d '{"username":"${users[0]?.username}","password":"…"}'`,
        `                    then  -H 'Authorization: Bearer <token>'  on every other /api call.`,
      ]
    : [
        '  AUTHENTICATION IS OFF (PUMPWATCH_AUTH_MODE=disabled): no login; anyone can acknowledge.',
        '  Development only. Enter your name in the dashboard to acknowledge.',
      ];
  process.stdout.write(
    [
      '',
      '  pumpwatch demo is running',
      '',
      `  Dashboard:   ${server.httpUrl}/`,
      `  API:         ${server.httpUrl}/api/pumps   ${server.httpUrl}/api/alerts`,
      `  MQTT broker: ${server.mqttUrl} (embedded aedes; hub "${hub.username}" logs in with its own password)`,
      '',
      ...access,
      '',
      `  Simulated home hub "${DEMO_HUB_ID}" with ${demoFleet().length} pumps:`,
      fleet,
      '',
      '  Their patients (invented people, every name made up; docs/care.md):',
      caseload,
      '',
      '  Within two minutes: air in line (~75 s), battery low (~90 s), downstream occlusion (~95 s),',
      '  a missed vancomycin dose (PUMP-0008, ~90 s).',
      '  The nurse is on call and pages go to her devices: until one is subscribed ("Get alerts on this',
      '  device" in the dashboard) the team shows a high "Nobody reachable" alarm, as it would for real.',
      `  ${authRequired ? 'Log in as nurse' : 'Open the dashboard'} and acknowledge them. Ctrl-C stops everything.`,
      '',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping the demo');
    await gateway.stop();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pumpwatch demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (String(error).includes('EADDRINUSE')) {
    process.stderr.write('A port is taken: set PUMPWATCH_HTTP_PORT and PUMPWATCH_MQTT_PORT to free ones.\n');
  }
  process.exit(1);
});
