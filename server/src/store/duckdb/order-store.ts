import type { StoredOrder } from '@pumpwatch/protocol';
import type { OrderStore } from '../ports.js';
import type { SqlConnection } from './guarded-connection.js';
import { PumpJsonTable } from './pump-json-table.js';

/** Prescribed orders: one row per pump, replaced on change. */
export class DuckDbOrderStore implements OrderStore {
  private readonly table: PumpJsonTable<StoredOrder>;

  constructor(connection: SqlConnection) {
    this.table = new PumpJsonTable(connection, 'orders');
  }

  put(order: StoredOrder): Promise<void> {
    return this.table.put(order.pumpId, order);
  }

  delete(pumpId: string): Promise<boolean> {
    return this.table.delete(pumpId);
  }

  all(): Promise<StoredOrder[]> {
    return this.table.all();
  }
}
