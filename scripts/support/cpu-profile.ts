import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  areas: Array<{ area: string; pct: number }>;
  functions: Array<{ fn: string; pct: number }>;
}

/**
 * Where a V8 CPU profile (node --cpu-prof) spent its busy time: self time grouped by area (a package in
 * node_modules, a folder of ours such as server/src/ingest, Node's internals, the garbage collector) and
 * the top functions. Idle time is left out of the percentages.
 */
export function summarizeProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const usPerHit = (profile.endTime - profile.startTime) / totalHits;
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleHits = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleHits += hits;
      continue;
    }
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
    const fn = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  }
  const busyHits = totalHits - idleHits || 1;
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, hits]) => [key, Math.round((hits / busyHits) * 1000) / 10] as const);
  return {
    file,
    busyMs: Math.round((busyHits * usPerHit) / 1000),
    idleMs: Math.round((idleHits * usPerHit) / 1000),
    areas: top(byArea, 14).map(([area, pct]) => ({ area, pct })),
    functions: top(byFunction, 16).map(([fn, pct]) => ({ fn, pct })),
  };
}

/** Every .cpuprofile under `dir`, summarized, with a printable text. */
export function summarizeProfiles(dir: string): { summary: ProfileSummary[]; text: string } {
  const files = listProfiles(dir);
  const summary = files.map(summarizeProfile);
  const text = summary
    .map((s) =>
      [
        `CPU profile ${s.file}: busy ${(s.busyMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s`,
        '  by area (% of busy time):',
        ...s.areas.map((a) => `    ${a.pct.toFixed(1).padStart(5)} %  ${a.area}`),
        '  top functions (self time):',
        ...s.functions.map((f) => `    ${f.pct.toFixed(1).padStart(5)} %  ${f.fn}`),
      ].join('\n'),
    )
    .join('\n');
  return { summary, text };
}

function listProfiles(dir: string): string[] {
  let found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found = found.concat(listProfiles(path));
    else if (entry.endsWith('.cpuprofile')) found.push(path);
  }
  return found;
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const ours = /\/(protocol|server|simulators|gateway|dashboard|scripts)\/src\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/src/${ours[2]?.replace(/\.ts$/, '')}`;
  return shortUrl(url);
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*?\/(server|protocol)\//, '$1/');
}
