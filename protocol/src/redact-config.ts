/**
 * `--print-config`: the effective configuration without its secrets, so an operator can paste it into
 * a ticket. Secrets are found by their key name rather than by a list of today's paths, so a secret
 * added to the schema later is hidden too. Here because the server and the gateway share no other
 * package: both CLIs print their configuration with this one rule.
 */

/** What replaces a secret; a secret that is unset stays unset, so "is it configured?" still shows. */
export const REDACTED = '[redacted]';

/** Keys whose values are secrets: `password`, `mqtt.password`, `token`, `tokenSecret`, `privateKey`… */
const SECRET_KEY = /(pass|passwd|password|secret|token|privatekey|apikey|credentials?)$/i;

/** `scheme://user:password@host`: the password part of a URL's userinfo. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:\s]*):[^/?#@\s]*@/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of `value` with every secret replaced by REDACTED; the input is not changed. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'string') return redactUrl(value);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] = child !== undefined && isSecretKey(key) ? REDACTED : redactSecrets(child);
  }
  return copy;
}

/** Credentials in a URL: the userinfo password, and query parameters named like a secret (`?token=`). */
function redactUrl(text: string): string {
  const withoutPassword = text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  const query = withoutPassword.indexOf('?');
  if (query < 0 || !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return withoutPassword;
  const [beforeFragment = '', fragment] = withoutPassword.slice(query + 1).split(/(?=#)/, 2);
  const params = beforeFragment
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return isSecretKey(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${withoutPassword.slice(0, query)}?${params}${fragment ?? ''}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The text `--print-config` writes: JSON, which is also YAML, so it can be read back once secrets are filled in. */
export function formatEffectiveConfig(config: unknown): string {
  return `${JSON.stringify(redactSecrets(config), null, 2)}\n`;
}
