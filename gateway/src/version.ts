import { createRequire } from 'node:module';

/** The gateway's package version, reported in the retained hub status. */
export function gatewayVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../package.json') as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
