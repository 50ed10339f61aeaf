/** Hash routes, so the server needs no route of its own: `#/` the overview, `#/pumps/{pumpId}` a pump. */
export type Route = { view: 'overview' } | { view: 'pump'; pumpId: string; rangeId: string | null };

export function parseRoute(hash: string): Route {
  const match = /^#\/pumps\/([^/?]+)(?:\?(.*))?$/.exec(hash);
  if (!match) return { view: 'overview' };
  let pumpId: string;
  try {
    pumpId = decodeURIComponent(match[1] as string);
  } catch {
    return { view: 'overview' };
  }
  const range = new URLSearchParams(match[2] ?? '').get('range');
  return { view: 'pump', pumpId, rangeId: range };
}

export function pumpHref(pumpId: string, rangeId?: string): string {
  return `#/pumps/${encodeURIComponent(pumpId)}${rangeId ? `?range=${encodeURIComponent(rangeId)}` : ''}`;
}
