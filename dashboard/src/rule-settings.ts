import { type PumpParamsResponse, pumpParamsResponseSchema } from '@pumpwatch/protocol';
import { formatAgo, formatClock } from './format.js';

/**
 * A pump's own rule settings (`GET /api/pumps/{pumpId}/params`, docs/api.md) for the detail view: an
 * admin may set thresholds for one patient (a battery warning at 30 % instead of 20 %), and a nurse must
 * be able to see that this pump's alarms do not follow the usual ones.
 */

export interface RuleSettingLine {
  /** Dotted path in the engine's parameter tree, as the API names it: `battery.lowPct`. */
  path: string;
  value: string;
}

export interface RuleSettingsView {
  lines: RuleSettingLine[];
  /** "Set by grace at 14:03:27 (3 min ago)". */
  setBy: string;
}

export type JsonGet = (url: string) => Promise<{ ok: boolean; json: unknown }>;

const DAY_MS = 24 * 60 * 60_000;

export function pumpParamsUrl(pumpId: string): string {
  return `/api/pumps/${encodeURIComponent(pumpId)}/params`;
}

/**
 * The pump's settings, or null when they cannot be known: a server older than the route (404), no
 * answer, or a body that does not parse. Never throws: the detail view works without them.
 */
export async function fetchPumpParams(pumpId: string, getJson: JsonGet): Promise<PumpParamsResponse | null> {
  try {
    const reply = await getJson(pumpParamsUrl(pumpId));
    if (!reply.ok) return null;
    const parsed = pumpParamsResponseSchema.safeParse(reply.json);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every leaf of a parameter tree with its dotted path, in the order the tree lists them. */
export function flattenSettings(
  tree: Record<string, unknown>,
  prefix = '',
): { path: string; value: unknown }[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(value) ? flattenSettings(value, path) : [{ path, value }];
  });
}

/**
 * A value as a nurse can read it. The engine names units in its keys: milliseconds become a duration
 * ("45 min" rather than 2700000), percentages get their sign; other values stand as they are, since
 * their unit is already in the path (`defaultLimit_mmHg`). Exact, never rounded: it is a threshold.
 */
export function formatSettingValue(path: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (path.endsWith('Ms')) return exactDuration(value);
    if (path.endsWith('Pct')) return `${value} %`;
    return String(value);
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * What the detail view shows, or null when the pump has no settings of its own (`overrides` null, or an
 * empty tree that changes nothing). `serverNow` is the server's clock, on which `updatedAt` is.
 */
export function ruleSettingsView(
  params: PumpParamsResponse,
  serverNow: number,
  timeZone?: string,
): RuleSettingsView | null {
  if (params.overrides === null) return null;
  const lines = flattenSettings(params.overrides).map(({ path, value }) => ({
    path,
    value: formatSettingValue(path, value),
  }));
  if (lines.length === 0) return null;
  return { lines, setBy: setByText(params.updatedBy, params.updatedAt, serverNow, timeZone) };
}

function setByText(by: string | null, at: number | null, serverNow: number, timeZone?: string): string {
  const who = `Set by ${by ?? 'an unknown user'}`;
  if (at === null) return who;
  const age = serverNow - at;
  // A clock time without a date would mislead once the setting is older than a day.
  if (age >= DAY_MS) return `${who} ${formatAgo(age)}`;
  return `${who} at ${formatClock(at, timeZone)} (${formatAgo(age)})`;
}

/** In the largest unit that divides it exactly: "2 h", "45 min", "90 s", "0.5 s". */
function exactDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
