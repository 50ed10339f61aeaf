import { compareText, type MemoryLifecycle } from './lifecycle.js';

/**
 * One JSON document per pump, replaced on change: prescribed orders and rule settings, as the DuckDB
 * adapter's PumpJsonTable. Kept as JSON text so each read returns a fresh copy of what JSON carries.
 */
export class MemoryPumpDocuments<T extends { pumpId: string }> {
  constructor(
    private readonly documents: Map<string, string>,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async put(document: T): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.documents.set(document.pumpId, JSON.stringify(document));
  }

  /** False when the pump had none. */
  async delete(pumpId: string): Promise<boolean> {
    this.lifecycle.assertOpen('deletes');
    return this.documents.delete(pumpId);
  }

  /** Every document, by pump id. */
  async all(): Promise<T[]> {
    this.lifecycle.assertOpen('queries');
    return [...this.documents.keys()]
      .sort(compareText)
      .map((pumpId) => JSON.parse(this.documents.get(pumpId) as string) as T);
  }
}
