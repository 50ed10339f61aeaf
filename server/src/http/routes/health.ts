import type { FastifyInstance } from 'fastify';
import { allow } from '../security.js';

export interface HealthComponent {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

export interface HealthDeps {
  components: () => Promise<Record<string, HealthComponent>>;
  /** Extra figures that are not pass/fail (ingest counters). */
  metrics: () => Record<string, unknown>;
}

/** `GET /api/health`: 200 when every component is ok, 503 naming the failing ones. No patient data. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/api/health', allow('public'), async (_request, reply) => {
    const components = await deps.components();
    const failing = Object.entries(components)
      .filter(([, component]) => !component.ok)
      .map(([name]) => name);
    const body = {
      status: failing.length === 0 ? 'ok' : 'degraded',
      ...(failing.length ? { failing } : {}),
      components,
      ...deps.metrics(),
    };
    return reply.code(failing.length === 0 ? 200 : 503).send(body);
  });
}
