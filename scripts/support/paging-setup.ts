import { createECDH, randomBytes } from 'node:crypto';
import {
  careTeamSchema,
  patientSchema,
  rotationSchema,
  teamOnCallResponseSchema,
  therapySchema,
} from '@pumpwatch/protocol';
import { z } from 'zod';

/**
 * With `auth.mode: disabled` (the benchmark's server, like every bench server: it measures the alert path,
 * not login) every caller acts as the admin `anonymous` (docs/security.md#development-mode), so the
 * on-call nurse is `anonymous` too: `POST /api/me/devices` subscribes her device, and a rotation names
 * her. Authentication on would need 1,000 hub credentials for the load generator's hubs.
 */
export const ON_CALL_USERNAME = 'anonymous';

/** A pump that will fault, with the program it runs, so its therapy's order matches (no order_mismatch). */
export interface FaultPump {
  pumpId: string;
  program: { rate_mL_h: number; vtbi_mL: number };
}

export interface OnCallSetup {
  teamId: string;
  rotationId: string;
  patientId: string;
  deviceId: string;
}

/**
 * Through the HTTP API, as a coordinator would: a care team in UTC whose one rotation has the on-call
 * user on call since yesterday, a policy whose first step pages that rotation (high alerts escalate only
 * after 10 min, past the end of any run, so each alert is paged exactly once), a fictional patient with one
 * continuous therapy per fault pump, each pump assigned to its therapy, and one push device whose endpoint
 * is the benchmark's loopback stand-in for a push service.
 */
export async function setUpOnCall(
  httpUrl: string,
  pushEndpointUrl: string,
  pumps: readonly FaultPump[],
): Promise<OnCallSetup> {
  const api = apiClient(httpUrl);
  const team = careTeamSchema.parse(
    await api('POST', '/api/teams', {
      name: 'Bench night team',
      timeZone: 'UTC',
      members: [ON_CALL_USERNAME],
    }),
  );
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const [rotation] = z.array(rotationSchema).parse(
    await api('PUT', `/api/teams/${team.id}/rotations`, [
      {
        name: 'Nights',
        shift: 'daily',
        handoffTime: '00:00',
        startDate: yesterday,
        members: [ON_CALL_USERNAME],
      },
    ]),
  );
  if (!rotation) throw new Error('PUT rotations answered no rotation');
  const tenMinutes = 600_000;
  await api('PUT', `/api/teams/${team.id}/escalation-policy`, {
    steps: [
      {
        targets: [{ kind: 'rotation', rotationId: rotation.id }],
        delayMs: { high: tenMinutes, medium: tenMinutes, low: null },
      },
    ],
    repeat: 0,
  });
  const onCall = teamOnCallResponseSchema.parse(await api('GET', `/api/teams/${team.id}/oncall`));
  if (onCall.rotations[0]?.username !== ON_CALL_USERNAME)
    throw new Error(`nobody on call for the bench team: ${JSON.stringify(onCall)}`);

  const patient = patientSchema.parse(
    await api('POST', '/api/patients', {
      displayName: 'Bartholomew Testbench',
      birthDate: '1950-01-01',
      teamId: team.id,
      notes: 'Fictional benchmark patient',
    }),
  );
  const from = Date.now() - 60_000;
  for (const pump of pumps) {
    const therapy = therapySchema.parse(
      await api('POST', `/api/patients/${patient.id}/therapies`, {
        drug: 'Ceftriaxone',
        dose: '2 g',
        order: { ...pump.program, tolerance_pct: 10 },
        schedule: { kind: 'continuous' },
        startDate: yesterday,
      }),
    );
    await api('PUT', `/api/pumps/${pump.pumpId}/assignment`, { therapyId: therapy.id, from });
  }

  const device = deviceSchema.parse(
    await api('POST', '/api/me/devices', {
      endpoint: `${pushEndpointUrl}/push/bench-phone`,
      expirationTime: null,
      keys: subscriptionKeys(),
      label: 'Bench phone',
    }),
  );
  return { teamId: team.id, rotationId: rotation.id, patientId: patient.id, deviceId: device.id };
}

const deviceSchema = z.object({ id: z.string().min(1), pushService: z.string() });

/**
 * The browser's half of a subscription: a P-256 public key and a 16-byte auth secret. The benchmark does
 * not decrypt the pages (test/paging-webpush.test.ts does), so the private key is dropped.
 */
function subscriptionKeys(): { p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** JSON over fetch; a non-2xx answer is an error naming the route and the server's error body. */
function apiClient(httpUrl: string) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${httpUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
