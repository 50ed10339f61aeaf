import { Counter, Gauge, type Registry } from 'prom-client';
import type { MetricSources } from './ports.js';

/** The server's sources once `watch` was called; undefined before (the families are then empty). */
export type SourceReader = () => MetricSources | undefined;

/** One sample of a family: its labels (bounded sets only: never a pump or hub id) and its value. */
export type Sample = readonly [labels: Record<string, string>, value: number];

interface CollectedFamily {
  registry: Registry;
  name: string;
  help: string;
  labelNames?: readonly string[];
  read: SourceReader;
  /** The family's samples now; may be async (the store's figures are). */
  samples: (sources: MetricSources) => readonly Sample[] | Promise<readonly Sample[]>;
}

/**
 * A counter that is read, not incremented: at each scrape it takes the totals the server already
 * keeps (IngestStats, PagingStats…). Those only grow while the process lives, as a counter must; a
 * restart starts them at 0, which Prometheus's `rate()` and `increase()` treat as a counter reset.
 */
export function collectedCounter(family: CollectedFamily): Counter<string> {
  return new Counter({
    name: family.name,
    help: family.help,
    labelNames: family.labelNames ?? [],
    registers: [family.registry],
    async collect() {
      const sources = family.read();
      if (!sources) return;
      const samples = await family.samples(sources);
      this.reset();
      // A family without labels would still show 0; with nothing to report it shows no sample at all.
      if (samples.length === 0) this.remove({});
      for (const [labels, value] of samples) this.inc(labels, value);
    },
  });
}

/** A gauge set from the server's state at each scrape. */
export function collectedGauge(family: CollectedFamily): Gauge<string> {
  return new Gauge({
    name: family.name,
    help: family.help,
    labelNames: family.labelNames ?? [],
    registers: [family.registry],
    async collect() {
      const sources = family.read();
      if (!sources) return;
      const samples = await family.samples(sources);
      this.reset();
      if (samples.length === 0) this.remove({});
      for (const [labels, value] of samples) this.set(labels, value);
    },
  });
}
