import type { PumpParamsStore, StoredPumpParams } from '../ports.js';
import type { SqlConnection } from './guarded-connection.js';
import { PumpJsonTable } from './pump-json-table.js';

/** Rule parameter overrides set through the API: one row per pump, replaced on change. */
export class DuckDbPumpParamsStore implements PumpParamsStore {
  private readonly table: PumpJsonTable<StoredPumpParams>;

  constructor(connection: SqlConnection) {
    this.table = new PumpJsonTable(connection, 'pump_params');
  }

  put(params: StoredPumpParams): Promise<void> {
    return this.table.put(params.pumpId, params);
  }

  delete(pumpId: string): Promise<boolean> {
    return this.table.delete(pumpId);
  }

  all(): Promise<StoredPumpParams[]> {
    return this.table.all();
  }
}
