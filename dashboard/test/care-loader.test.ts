import { describe, expect, it, vi } from 'vitest';
import { createCareApi } from '../src/care/care-api.js';
import { createCareLoader } from '../src/care/care-loader.js';

/** The care pages' loader with a fake fetch: what it sends, and what a refusal puts on which field. */

type Reply = { status: number; body: unknown };

function setup(route: (method: string, url: string, body: unknown) => Reply) {
  const calls: string[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url}`);
    const reply = route(method, url, init?.body ? JSON.parse(String(init.body)) : undefined);
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  });
  const onChange = vi.fn();
  const loader = createCareLoader({ api: createCareApi(fetcher), now: () => 1_000_000, onChange });
  return { loader, calls, onChange };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const valid = { displayName: 'Bea Test', birthDate: '1950-02-03', teamId: 'team_1' };
const stored = {
  ...valid,
  id: 'pat_2',
  externalIds: [],
  phones: [],
  caregivers: [],
  status: 'active',
  dischargedAt: null,
  createdAt: 1,
  updatedAt: 1,
  updatedBy: 'cora',
};

describe('care loader forms', () => {
  it('sends nothing while the form is invalid, and says where', async () => {
    const { loader, calls } = setup(() => ({ status: 200, body: [] }));
    loader.submit('patient', { ...valid, phone: 'call me' }, null);
    await flush();
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
    expect(Object.keys(loader.forms().patient.errors)).toEqual(['phone']);
  });

  it("puts the server's VALIDATION_FAILED issues on their fields", async () => {
    const { loader, calls } = setup((method) =>
      method === 'POST'
        ? {
            status: 400,
            body: {
              error: {
                code: 'VALIDATION_FAILED',
                message: 'request does not match the schema',
                issues: [{ path: 'birthDate', message: 'not a real date' }],
              },
            },
          }
        : { status: 200, body: [] },
    );
    loader.submit('patient', valid, null);
    await flush();
    await flush();
    expect(calls).toContain('POST /api/patients');
    expect(loader.forms().patient).toMatchObject({
      errors: { birthDate: 'not a real date' },
      busy: false,
      done: null,
    });
  });

  it('a success says so, bumps the version (the view clears the form) and re-reads the caseload', async () => {
    const { loader, calls } = setup((method) =>
      method === 'POST' ? { status: 201, body: stored } : { status: 200, body: [] },
    );
    loader.submit('patient', valid, null);
    for (let i = 0; i < 4; i++) await flush();
    expect(loader.forms().patient).toMatchObject({
      errors: {},
      done: 'Patient Bea Test created.',
      version: 1,
    });
    expect(calls).toContain('GET /api/patients');
  });

  it('assigns with PUT to the chosen pump, the therapy in the body', async () => {
    const bodies: unknown[] = [];
    const { loader, calls } = setup((method, _url, body) => {
      if (method === 'PUT') bodies.push(body);
      return method === 'PUT'
        ? {
            status: 409,
            body: { error: { code: 'PATIENT_DISCHARGED', message: 'patient pat_1 is discharged' } },
          }
        : { status: 200, body: [] };
    });
    loader.submit('assignment', { pumpId: 'PUMP-7', therapyId: 'thr_1' }, 'pat_1');
    await flush();
    await flush();
    expect(calls).toContain('PUT /api/pumps/PUMP-7/assignment');
    expect(bodies).toEqual([{ therapyId: 'thr_1' }]);
    expect(loader.forms().assignment.errors._form).toContain('discharged');
  });
});

describe('care loader reads', () => {
  it('reads a therapy once for the cards and gives its line in the team zone', async () => {
    const therapy = {
      id: 'thr_1',
      patientId: 'pat_1',
      drug: 'Vancomycin',
      dose: '1 g',
      order: { rate_mL_h: 100, vtbi_mL: 250, tolerance_pct: 10 },
      schedule: { kind: 'continuous' },
      startDate: '1970-01-01',
      status: 'active',
      createdAt: 0,
      updatedAt: 0,
      updatedBy: 'x',
    };
    const { loader, calls } = setup((_m, url) =>
      url === '/api/therapies/thr_1' ? { status: 200, body: therapy } : { status: 200, body: [] },
    );
    expect(loader.timing('thr_1', 'team_1', 1_000_000)).toBeNull();
    await flush();
    expect(loader.timing('thr_1', 'team_1', 1_000_000)).toBe('Day 1');
    expect(calls.filter((c) => c === 'GET /api/therapies/thr_1')).toHaveLength(1);
  });

  it('a viewer reply (summary) is accepted as the patient, a failure is said in words', async () => {
    const { loader } = setup((_m, url) =>
      url === '/api/patients/pat_1'
        ? {
            status: 200,
            body: { id: 'pat_1', displayName: 'A. S.', teamId: 'team_1', status: 'active', redacted: true },
          }
        : url.startsWith('/api/alerts')
          ? { status: 503, body: {} }
          : { status: 200, body: [] },
    );
    loader.patient('pat_1');
    await flush();
    await flush();
    const data = loader.patient('pat_1');
    expect(data.patient?.displayName).toBe('A. S.');
    expect(data.alertsError).toBe('Could not load the alert history (HTTP_503).');
  });
});
