import { healthResponseSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import type { RouteSpec } from './route-spec.js';

/** Health, metrics, this document, and the dashboard's files. */
export const opsRoutes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/api/health',
    summary: 'Health of every component and operational counters; no patient data',
    tag: 'operations',
    access: 'public',
    responses: {
      200: { description: 'every component ok', schema: healthResponseSchema },
      503: { description: 'some component failing (`failing` names them)', schema: healthResponseSchema },
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (docs/operations.md#protecting-metrics)',
    tag: 'operations',
    access: 'public',
    ownCredential: 'the scrape token (`metrics.token`) as a bearer token',
    onlyWhen: '`metrics.token` is set and `metrics.listen` is not (else it is served on its own address)',
    responses: { 200: { description: 'the exposition', contentType: 'text/plain' } },
    errors: { 401: ['UNAUTHENTICATED'] },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document (OpenAPI 3.1), generated from the protocol schemas',
    tag: 'operations',
    access: 'public',
    responses: {
      200: { description: 'the document', schema: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
  },
  {
    method: 'GET',
    path: '/api/docs',
    summary: 'This document as a self-contained HTML page',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'the page', contentType: 'text/html' } },
  },
  {
    method: 'GET',
    path: '/',
    summary: 'The dashboard (its login page)',
    tag: 'dashboard',
    access: 'public',
    responses: { 200: { description: 'the dashboard', contentType: 'text/html' } },
    errors: { 503: ['DASHBOARD_NOT_BUILT'] },
  },
  {
    method: 'GET',
    path: '/*',
    summary: "The dashboard's built files (scripts, styles, the service worker)",
    tag: 'dashboard',
    access: 'public',
    onlyWhen: 'the dashboard is built (`npm run build:dashboard`)',
    responses: { 200: { description: 'the file', contentType: 'application/octet-stream' } },
    errors: { 404: ['NOT_FOUND'] },
  },
];
