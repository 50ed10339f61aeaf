/**
 * One read per scrape of a source several metric families share (the pump views for the pump and hub
 * gauges, the store components for the store and forwarder gauges): prom-client calls each family's
 * `collect` separately, and a 20,000-pump view list is worth building once.
 */
export class ScrapeCache {
  private generation = 0;
  private readonly values = new Map<string, { generation: number; value: unknown }>();

  /** A new scrape begins: every cached value is stale. */
  next(): void {
    this.generation += 1;
  }

  get<T>(key: string, read: () => T): T {
    const cached = this.values.get(key);
    if (cached && cached.generation === this.generation) return cached.value as T;
    const value = read();
    this.values.set(key, { generation: this.generation, value });
    return value;
  }
}
