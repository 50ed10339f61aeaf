import type { BadRowHandler } from '../quarantine.js';
import { decodeRows } from './decode-rows.js';
import type { SqlConnection } from './guarded-connection.js';

/** The tables that hold one JSON document per pump, and the column each keeps it in. */
const documentColumn = { orders: 'order_json', pump_params: 'params_json' } as const;

/**
 * One JSON document per pump, replaced on change: prescribed orders (OrderStore), rule settings
 * (PumpParamsStore). These are few and small, and read whole at start, so a row of JSON is all they need.
 */
export class PumpJsonTable<T extends { pumpId: string }> {
  private readonly column: string;

  constructor(
    private readonly connection: SqlConnection,
    private readonly table: keyof typeof documentColumn,
  ) {
    this.column = documentColumn[table];
  }

  async put(document: T): Promise<void> {
    await this.connection.run(
      `INSERT OR REPLACE INTO ${this.table} (pump_id, ${this.column}) VALUES ($pump, $json)`,
      { pump: document.pumpId, json: JSON.stringify(document) },
    );
  }

  /** False when the pump had none. */
  async delete(pumpId: string): Promise<boolean> {
    const result = await this.connection.run(`DELETE FROM ${this.table} WHERE pump_id = $pump`, {
      pump: pumpId,
    });
    return result.rowsChanged > 0;
  }

  async all(onBadRow?: BadRowHandler): Promise<T[]> {
    const result = await this.connection.runAndReadAll(
      `SELECT pump_id, ${this.column} AS document FROM ${this.table} ORDER BY pump_id`,
    );
    return decodeRows(
      result.getRowObjectsJS(),
      (row) => JSON.parse(String(row.document)) as T,
      (row) => String(row.pump_id),
      onBadRow,
    );
  }
}
