import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createServerMetrics } from '../src/metrics/server-metrics.js';

/**
 * deploy/prometheus and deploy/grafana against the real thing: Debian's promtool checks the config,
 * the rules and the rules' own tests, and parses every dashboard query as PromQL; every metric name a
 * query or rule uses must be one the server's registry really exposes (read from the registry, not
 * listed here a second time).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const prometheusDir = join(root, 'deploy/prometheus');
const grafanaDir = join(root, 'deploy/grafana');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path));

function promtool(...args: string[]): { status: number | null; output: string } {
  if (!PROMTOOL)
    throw new Error('promtool not found: install Debian package prometheus (scripts/ensure-system-deps.sh)');
  const run = spawnSync(PROMTOOL, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Series names a scrape of the server can hold: each family, and a histogram's three series. */
function exposedSeriesNames(): Set<string> {
  const names = new Set(['up']); // Prometheus's own, one per target.
  for (const { name, type } of createServerMetrics({ now: Date.now }).families()) {
    names.add(name);
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions (followed by `(`),
 * keywords, label names (inside `{}` and `by (…)`), strings or durations.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:]|\s*\()/g)]
    .map((match) => match[1] ?? '')
    .filter((word) => !PROMQL_WORDS.has(word.toLowerCase()) && !/^(by|without|on|ignoring)$/.test(word));
}

interface DashboardPanel {
  id: number;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

function dashboards(): Array<{ file: string; uid: string; panels: DashboardPanel[] }> {
  const dir = join(grafanaDir, 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as { uid: string; panels: DashboardPanel[] }),
    }));
}

/** Grafana's `$__rate_interval` and `$__interval` as a duration promtool can parse. */
const asPromQL = (expr: string) => expr.replace(/\$__(rate_)?interval/g, '1m');

describe('metrics names', () => {
  it('finds the metric names of a query, not its functions, labels or durations', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, channel) (rate(a_seconds_bucket{channel=~"x|y"}[5m]))) / ignoring(x) b offset 5m > 0.5 and on() vector(1)',
      ),
    ).toEqual(['a_seconds_bucket', 'b']);
  });
});

describe('deploy/prometheus', () => {
  it('passes promtool check config (with the rule files it loads)', () => {
    const result = promtool('check', 'config', join(prometheusDir, 'prometheus.yml'));
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status, result.output).toBe(0);
  });

  it('passes promtool check rules and the rules’ own tests (promtool test rules)', () => {
    const rules = readdirSync(join(prometheusDir, 'rules')).map((file) => join(prometheusDir, 'rules', file));
    const checked = promtool('check', 'rules', ...rules);
    expect(checked.status, checked.output).toBe(0);
    const tested = promtool('test', 'rules', join(prometheusDir, 'rules.test.yml'));
    expect(tested.status, tested.output).toBe(0);
  });

  it('alerts on server down, ingest stalled, notifications failing, forwarder behind and hub fleet offline', () => {
    const file = parseYaml(readFileSync(join(prometheusDir, 'rules/pumpwatch.rules.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
    };
    const rules = file.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'PumpwatchServerDown',
        'PumpwatchIngestStalled',
        'PumpwatchNotificationsFailing',
        'PumpwatchForwarderBehind',
        'PumpwatchHubFleetOffline',
      ]),
    );
    const known = exposedSeriesNames();
    const unknown = rules.flatMap((rule) =>
      metricNamesIn(rule.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('deploy/grafana', () => {
  it('provisions the Prometheus datasource every panel names, and the dashboards folder', () => {
    const datasources = parseYaml(
      readFileSync(join(grafanaDir, 'provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; type: string }> };
    const uids = new Set(datasources.datasources.filter((d) => d.type === 'prometheus').map((d) => d.uid));
    const providers = parseYaml(
      readFileSync(join(grafanaDir, 'provisioning/dashboards/pumpwatch.yml'), 'utf8'),
    ) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.providers.map((provider) => provider.type)).toEqual(['file']);
    const elsewhere = dashboards().flatMap(({ file, panels }) =>
      panels.flatMap((panel) =>
        [panel.datasource?.uid, ...(panel.targets ?? []).map((target) => target.datasource?.uid)]
          .filter((uid) => uid === undefined || !uids.has(uid))
          .map((uid) => `${file} #${panel.id}: ${uid}`),
      ),
    );
    expect(elsewhere).toEqual([]);
  });

  it('has the five dashboards, each with a unique uid and unique panel ids', () => {
    const all = dashboards();
    expect(all.map((board) => board.file).sort()).toEqual([
      'alert-latency.json',
      'fleet-overview.json',
      'ingest.json',
      'notifications.json',
      'store-forwarder.json',
    ]);
    expect(new Set(all.map((board) => board.uid)).size).toBe(all.length);
    for (const board of all)
      expect(new Set(board.panels.map((panel) => panel.id)).size).toBe(board.panels.length);
  });

  it('queries only metrics the server exposes, in PromQL that promtool parses', () => {
    const known = exposedSeriesNames();
    const queries = dashboards().flatMap(({ file, panels }) =>
      panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          where: `${file} “${panel.title}”`,
          expr: target.expr ?? '',
        })),
      ),
    );
    expect(queries.length).toBeGreaterThan(30);
    const unknown = queries.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    expect(queries.filter(({ expr }) => metricNamesIn(expr).length === 0)).toEqual([]);

    // Each query as a recording rule: promtool parses it as PromQL and names the one that does not.
    const dir = mkdtempSync(join(tmpdir(), 'pw-dashboard-queries-'));
    try {
      const file = join(dir, 'queries.rules.yml');
      const rules = queries.map(({ expr }, index) => ({
        record: `dashboard:query_${index}`,
        expr: asPromQL(expr),
      }));
      writeFileSync(file, stringifyYaml({ groups: [{ name: 'dashboard-queries', rules }] }));
      const result = promtool('check', 'rules', file);
      expect(result.status, result.output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
