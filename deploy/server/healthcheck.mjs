// HEALTHCHECK of the pumpwatch image (Dockerfile). One image runs the server or the gateway; the
// command of PID 1 says which: the server answers GET /api/health (200 when every component is ok,
// 503 otherwise), the gateway its local status endpoint. Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

const command = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
const gateway = command.some((arg) => arg.endsWith('gateway/dist/main.js'));
const tls = Boolean(process.env.PUMPWATCH_TLS_CERT);
const url = gateway
  ? `http://127.0.0.1:${process.env.PUMPWATCH_GATEWAY_STATUS_PORT || 8765}/status`
  : `${tls ? 'https' : 'http'}://127.0.0.1:${process.env.PUMPWATCH_HTTP_PORT || 8080}/api/health`;
if (tls) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // loopback, the certificate names the public host

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
