import {
  alertEventSchema,
  contactViewSchema,
  deviceViewSchema,
  escalationPolicyResponseSchema,
  feedTokenResponseSchema,
  overrideSchema,
  pagingPathSchema,
  rotationSchema,
  teamOnCallResponseSchema,
  testPageResponseSchema,
} from '@pumpwatch/protocol';
import { z } from 'zod';
import { type CareFetch, call, send } from '../care/care-api.js';

/**
 * The on-call and paging routes (docs/api.md "On call" and "Paging") as the dashboard calls them, every
 * reply parsed with the protocol's schema, the one the server builds it with.
 */

export type Device = z.infer<typeof deviceViewSchema>;
export type Contact = z.infer<typeof contactViewSchema>;
export type Receipt = z.infer<typeof testPageResponseSchema>['receipts'][number];
export type PagingPath = z.infer<typeof pagingPathSchema>;
export type AlertEvent = z.infer<typeof alertEventSchema>;

const id = encodeURIComponent;
const anything = z.unknown();

export function createOncallApi(fetcher: CareFetch) {
  const team = (teamId: string) => `/api/teams/${id(teamId)}`;
  return {
    onCall: (teamId: string, at?: number) =>
      call(fetcher, `${team(teamId)}/oncall${at === undefined ? '' : `?at=${at}`}`, teamOnCallResponseSchema),
    rotations: (teamId: string) => call(fetcher, `${team(teamId)}/rotations`, z.array(rotationSchema)),
    putRotations: (teamId: string, body: unknown) =>
      call(fetcher, `${team(teamId)}/rotations`, z.array(rotationSchema), send('PUT', body)),
    overrides: (teamId: string) => call(fetcher, `${team(teamId)}/overrides`, z.array(overrideSchema)),
    createOverride: (teamId: string, body: unknown) =>
      call(fetcher, `${team(teamId)}/overrides`, overrideSchema, send('POST', body)),
    cancelOverride: (teamId: string, overrideId: string) =>
      call(fetcher, `${team(teamId)}/overrides/${id(overrideId)}`, overrideSchema, send('DELETE')),
    policy: (teamId: string) =>
      call(fetcher, `${team(teamId)}/escalation-policy`, escalationPolicyResponseSchema),
    feedToken: () => call(fetcher, '/api/me/oncall-feed-token', feedTokenResponseSchema, send('POST', {})),
    devices: () => call(fetcher, '/api/me/devices', z.array(deviceViewSchema)),
    removeDevice: (deviceId: string) =>
      call(fetcher, `/api/me/devices/${id(deviceId)}`, anything, send('DELETE')),
    contact: () => call(fetcher, '/api/me/contact', contactViewSchema),
    putContact: (body: unknown) => call(fetcher, '/api/me/contact', contactViewSchema, send('PUT', body)),
    testPage: () => call(fetcher, '/api/me/test-page', testPageResponseSchema, send('POST', {})),
    paging: (alertId: string) => call(fetcher, `/api/alerts/${id(alertId)}/paging`, pagingPathSchema),
    events: (alertId: string) =>
      call(fetcher, `/api/alerts/${id(alertId)}/events`, z.array(alertEventSchema)),
  };
}

export type OncallApi = ReturnType<typeof createOncallApi>;
