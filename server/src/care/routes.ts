import {
  assignBodySchema,
  careTeamInputSchema,
  idSchema,
  patientInputSchema,
  patientStatuses,
  plannedPauseInputSchema,
  therapyInputSchema,
} from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasRole } from '../auth/roles.js';
import { type ApiErrorCode, PumpwatchError } from '../errors.js';
import { sendError, sendValidationError } from '../http/errors.js';
import { pumpIdParams } from '../http/route-params.js';
import { allow, identityOf } from '../http/security.js';
import type { CareService } from './care-service.js';
import { patientSummary } from './redact.js';

export const patientParams = z.object({ patientId: idSchema });
export const therapyParams = z.object({ therapyId: idSchema });
export const teamParams = z.object({ teamId: idSchema });
export const patientQuery = z.object({
  q: z.string().trim().max(120).optional(),
  teamId: idSchema.optional(),
  status: z.enum(patientStatuses).optional(),
});

/** The care service's errors, as HTTP answers. */
const STATUS_OF: Partial<Record<string, { status: number; code: ApiErrorCode }>> = {
  PATIENT_NOT_FOUND: { status: 404, code: 'PATIENT_NOT_FOUND' },
  THERAPY_NOT_FOUND: { status: 404, code: 'THERAPY_NOT_FOUND' },
  TEAM_NOT_FOUND: { status: 404, code: 'TEAM_NOT_FOUND' },
  PATIENT_DISCHARGED: { status: 409, code: 'PATIENT_DISCHARGED' },
  ASSIGNMENT_CONFLICT: { status: 409, code: 'ASSIGNMENT_CONFLICT' },
  PAUSE_NOT_FOUND: { status: 404, code: 'PAUSE_NOT_FOUND' },
};

/**
 * Patients, therapies, pump assignments and care teams (docs/care.md, docs/api.md#care). Coordinators
 * (and admins) change them; nurses read everything, each read of a patient's contact details audited;
 * viewers see patients by initials and never their contact details.
 */
export function registerCareRoutes(app: FastifyInstance, deps: { care: CareService }): void {
  const { care } = deps;
  const viewer = allow('viewer');
  const coordinator = allow('coordinator');
  const admin = allow('admin');
  const by = (request: FastifyRequest) => identityOf(request).username;
  const mayReadContacts = (request: FastifyRequest) => hasRole(identityOf(request).role, 'nurse');

  // --- Teams ----------------------------------------------------------------------------------------
  app.get('/api/teams', viewer, async () => care.directory.allTeams());
  app.post('/api/teams', admin, async (request, reply) => {
    const body = careTeamInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return reply.code(201).send(await care.createTeam(body.data, by(request)));
  });
  app.get('/api/teams/:teamId', viewer, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const team = care.directory.team(params.data.teamId);
    return team ?? sendError(reply, 404, 'TEAM_NOT_FOUND', `no care team ${params.data.teamId}`);
  });
  app.put('/api/teams/:teamId', admin, async (request, reply) => {
    const params = teamParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = careTeamInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, () => care.updateTeam(params.data.teamId, body.data, by(request)));
  });

  // --- Patients -------------------------------------------------------------------------------------
  app.get('/api/patients', viewer, async (request, reply) => {
    const query = patientQuery.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const redacted = !mayReadContacts(request);
    // A viewer searching by name would learn names: only the team and status filters apply to them.
    const filter = redacted ? { ...query.data, q: undefined } : query.data;
    const { q, teamId, status } = filter;
    const patients = care.directory.findPatients({
      ...(q ? { q } : {}),
      ...(teamId ? { teamId } : {}),
      ...(status ? { status } : {}),
    });
    return patients.map((patient) => patientSummary(patient, redacted));
  });
  app.post('/api/patients', coordinator, async (request, reply) => {
    const body = patientInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, async () => reply.code(201).send(await care.createPatient(body.data, by(request))));
  });
  app.get('/api/patients/:patientId', viewer, async (request, reply) => {
    const params = patientParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const { patientId } = params.data;
    if (!mayReadContacts(request)) {
      const patient = care.directory.patient(patientId);
      if (!patient) return sendError(reply, 404, 'PATIENT_NOT_FOUND', `no patient ${patientId}`);
      return patientSummary(patient, true);
    }
    return answer(reply, () => care.readPatient(patientId, by(request)));
  });
  app.put('/api/patients/:patientId', coordinator, async (request, reply) => {
    const params = patientParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = patientInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, () => care.updatePatient(params.data.patientId, body.data, by(request)));
  });
  app.post('/api/patients/:patientId/discharge', coordinator, async (request, reply) => {
    const params = patientParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answer(reply, () => care.dischargePatient(params.data.patientId, by(request)));
  });

  // --- Therapies ------------------------------------------------------------------------------------
  app.get('/api/patients/:patientId/therapies', viewer, async (request, reply) => {
    const params = patientParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    if (!care.directory.patient(params.data.patientId))
      return sendError(reply, 404, 'PATIENT_NOT_FOUND', `no patient ${params.data.patientId}`);
    return care.directory.therapiesOf(params.data.patientId);
  });
  app.post('/api/patients/:patientId/therapies', coordinator, async (request, reply) => {
    const params = patientParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = therapyInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, async () =>
      reply.code(201).send(await care.createTherapy(params.data.patientId, body.data, by(request))),
    );
  });
  app.get('/api/therapies/:therapyId', viewer, async (request, reply) => {
    const params = therapyParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const therapy = care.directory.therapy(params.data.therapyId);
    return therapy ?? sendError(reply, 404, 'THERAPY_NOT_FOUND', `no therapy ${params.data.therapyId}`);
  });
  app.put('/api/therapies/:therapyId', coordinator, async (request, reply) => {
    const params = therapyParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = therapyInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return answer(reply, () => care.updateTherapy(params.data.therapyId, body.data, by(request)));
  });

  // --- Assignments ----------------------------------------------------------------------------------
  app.get('/api/pumps/:pumpId/assignment', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const { pumpId } = params.data;
    return {
      pumpId,
      current: care.directory.currentAssignment(pumpId) ?? null,
      history: care.directory.assignmentsOf(pumpId),
    };
  });
  app.put('/api/pumps/:pumpId/assignment', coordinator, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = assignBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const { therapyId, from } = body.data;
    return answer(reply, () => care.assign(params.data.pumpId, therapyId, by(request), from));
  });
  app.delete('/api/pumps/:pumpId/assignment', coordinator, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const ended = await care.endAssignment(params.data.pumpId, by(request));
    if (!ended)
      return sendError(reply, 404, 'ASSIGNMENT_NOT_FOUND', `pump ${params.data.pumpId} is not assigned`);
    return ended;
  });

  // --- Planned pauses (nurses: they are at the bedside or on the phone with the patient) -----------
  const nurse = allow('nurse');
  app.get('/api/pumps/:pumpId/pause', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return { pumpId: params.data.pumpId, current: care.pauses.current(params.data.pumpId) ?? null };
  });
  app.put('/api/pumps/:pumpId/pause', nurse, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = plannedPauseInputSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return reply.code(201).send(await care.pauses.start(params.data.pumpId, body.data, by(request)));
  });
  app.delete('/api/pumps/:pumpId/pause', nurse, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answer(reply, () => care.pauses.end(params.data.pumpId, by(request)));
  });
}

async function answer<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await action();
  } catch (error) {
    const mapped = error instanceof PumpwatchError ? STATUS_OF[error.code] : undefined;
    if (mapped) return sendError(reply, mapped.status, mapped.code, (error as Error).message);
    throw error;
  }
}
