import type { GatewayStatus } from './gateway.js';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const when = (ms: number | null | undefined): string => (ms ? new Date(ms).toLocaleString() : '—');

/**
 * The hub's local status page for the household and the nurse on a visit (`GET /` on the status
 * port): first and loudest, whether anyone is confirming this hub's data. Refreshes itself.
 */
export function statusPage(status: GatewayStatus): string {
  const confirmation = status.confirmation;
  const unconfirmed = confirmation?.state === 'not_confirmed';
  const banner = unconfirmed
    ? `<p class="alarm" role="alert">MONITORING NOT CONFIRMED since ${escapeHtml(when(confirmation?.since))}: nobody has confirmed this hub's data for a while. The pumps' readings are kept here, but nobody is watching them. Call the care team.</p>`
    : `<p class="ok">Monitoring confirmed${confirmation?.lastConfirmedAt ? ` (last ${escapeHtml(when(confirmation.lastConfirmedAt))})` : ''}.</p>`;
  const pumps = Object.entries(status.pumps)
    .map(
      ([pumpId, pump]) =>
        `<tr><td>${escapeHtml(pumpId)}</td><td>${escapeHtml(pump.link)}${pump.linkReason ? ` (${escapeHtml(pump.linkReason)})` : ''}</td><td>${escapeHtml(when(pump.lastReadingAt))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>pumpwatch hub ${escapeHtml(status.hubId)}</title>
<style>body{font:16px system-ui;margin:1.5em}.alarm{background:#b00020;color:#fff;padding:1em;font-size:1.4em}.ok{background:#1b5e20;color:#fff;padding:.6em}td,th{padding:.2em .8em;text-align:left}</style>
</head><body>
<h1>pumpwatch hub ${escapeHtml(status.hubId)}</h1>
${banner}
<p>Broker: ${status.connected ? 'connected' : 'not connected'} · waiting on this hub: ${status.outbox.depth} readings · dropped over the disk budget: ${status.outbox.dropped}</p>
<table><thead><tr><th>pump</th><th>link</th><th>last reading</th></tr></thead><tbody>${pumps}</tbody></table>
<p><a href="/status">status as JSON</a></p>
</body></html>`;
}
