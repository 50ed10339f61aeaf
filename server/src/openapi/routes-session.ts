import {
  auditEntrySchema,
  hubCredentialsSchema,
  hubSchema,
  identitySchema,
  loginResponseSchema,
  mosquittoConfigSchema,
  okResponseSchema,
  userSchema,
} from '@pumpwatch/protocol';
import { z } from 'zod';
import { auditQuerySchema, newHubSchema, newUserSchema, userParams } from '../http/routes/admin.js';
import { loginBodySchema } from '../http/routes/session.js';
import type { RouteSpec } from './route-spec.js';

/** Sessions (server/src/http/routes/session.ts) and administration (admin.ts). */
export const sessionRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/login',
    summary: 'Log in: a signed bearer token for the other routes',
    tag: 'session',
    access: 'public',
    rateLimited: true,
    body: loginBodySchema,
    responses: { 200: { description: 'logged in', schema: loginResponseSchema } },
    errors: { 401: ['INVALID_CREDENTIALS'], 429: ['LOGIN_BACKOFF'] },
  },
  {
    method: 'POST',
    path: '/api/logout',
    summary: 'Revoke the token this request carries',
    tag: 'session',
    access: 'viewer',
    responses: { 200: { description: 'logged out', schema: okResponseSchema } },
  },
  {
    method: 'GET',
    path: '/api/me',
    summary: 'Who the token is for, with the role as stored now',
    tag: 'session',
    access: 'viewer',
    responses: { 200: { description: 'the caller', schema: identitySchema } },
  },
];

export const adminRoutes: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/users',
    summary: 'Create a user (the password policy applies)',
    tag: 'admin',
    access: 'admin',
    body: newUserSchema,
    responses: { 201: { description: 'created', schema: identitySchema } },
    errors: { 409: ['USER_EXISTS'] },
  },
  {
    method: 'GET',
    path: '/api/users',
    summary: 'Every user, never a password hash',
    tag: 'admin',
    access: 'admin',
    responses: { 200: { description: 'the users', schema: z.array(userSchema) } },
  },
  {
    method: 'DELETE',
    path: '/api/users/:username',
    summary: 'Delete a user; its tokens stop working at its next request',
    tag: 'admin',
    access: 'admin',
    params: userParams,
    responses: { 204: { description: 'deleted' } },
    errors: { 404: ['USER_NOT_FOUND'], 409: ['CANNOT_DELETE_SELF'] },
  },
  {
    method: 'POST',
    path: '/api/hubs',
    summary: 'Register a hub: its MQTT credentials, the password shown this once',
    tag: 'admin',
    access: 'admin',
    body: newHubSchema,
    responses: { 201: { description: 'registered', schema: hubCredentialsSchema } },
    errors: { 409: ['HUB_EXISTS'] },
  },
  {
    method: 'GET',
    path: '/api/hubs',
    summary: 'Registered hubs',
    tag: 'admin',
    access: 'admin',
    responses: { 200: { description: 'the hubs', schema: z.array(hubSchema) } },
  },
  {
    method: 'GET',
    path: '/api/hubs/mosquitto-config',
    summary: 'Password and ACL files for an external Mosquitto',
    tag: 'admin',
    access: 'admin',
    responses: { 200: { description: 'the files', schema: mosquittoConfigSchema } },
  },
  {
    method: 'GET',
    path: '/api/audit',
    summary: 'The audit log: who changed what, before and after',
    tag: 'admin',
    access: 'admin',
    query: auditQuerySchema,
    responses: { 200: { description: 'the matching entries', schema: z.array(auditEntrySchema) } },
  },
];
