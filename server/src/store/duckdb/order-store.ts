import type { StoredOrder } from '@pumpwatch/protocol';
import type { OrderStore } from '../ports.js';
import type { SqlConnection } from './guarded-connection.js';

/** Orders are few and small: one JSON row per pump, replaced on change. */
export class DuckDbOrderStore implements OrderStore {
  constructor(private readonly connection: SqlConnection) {}

  async put(order: StoredOrder): Promise<void> {
    await this.connection.run('INSERT OR REPLACE INTO orders (pump_id, order_json) VALUES ($pump, $json)', {
      pump: order.pumpId,
      json: JSON.stringify(order),
    });
  }

  async delete(pumpId: string): Promise<boolean> {
    const result = await this.connection.run('DELETE FROM orders WHERE pump_id = $pump', { pump: pumpId });
    return result.rowsChanged > 0;
  }

  async all(): Promise<StoredOrder[]> {
    const result = await this.connection.runAndReadAll('SELECT order_json FROM orders ORDER BY pump_id');
    return result.getRowObjectsJS().map((row) => JSON.parse(String(row.order_json)) as StoredOrder);
  }
}
