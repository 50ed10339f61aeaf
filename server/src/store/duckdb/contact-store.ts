import {
  byCreation,
  type ContactDetails,
  type ContactStore,
  contactDetailsSchema,
  type PushDevice,
  pushDeviceSchema,
} from '../../paging/contacts/ports.js';
import type { BadRowHandler } from '../quarantine.js';
import { decodeRows } from './decode-rows.js';
import { GroupCommit } from './group-commit.js';
import type { SqlConnection } from './guarded-connection.js';

/**
 * Push devices, contact details and paging secrets (`paging_contacts`): one JSON document per record,
 * keyed by kind and id, with its owner's username beside it so one person's devices are one query.
 * Like `care_records`, no column defaults and no ALTER (schema.ts explains why).
 */
export const contactSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS paging_contacts (
     kind VARCHAR NOT NULL,
     id VARCHAR NOT NULL,
     owner VARCHAR NOT NULL,
     json VARCHAR NOT NULL,
     PRIMARY KEY (kind, id)
   )`,
];

type ContactKind = 'device' | 'contact' | 'secret';

type Write =
  | { op: 'put'; kind: ContactKind; id: string; owner: string; json: string }
  | { op: 'delete'; kind: ContactKind; id: string };

/**
 * The ContactStore port on the embedded store. Writes are group-committed as care records are
 * (care-store.ts): the writes asked for while one commit is on disk go in the next, in order, in one
 * transaction, so a delete and a put of the same device can never swap.
 */
export class DuckDbContactStore implements ContactStore {
  private readonly writes = new GroupCommit<Write>((group) => this.commit(group));

  constructor(private readonly connection: SqlConnection) {}

  putDevice(device: PushDevice): Promise<void> {
    return this.put('device', device.id, device.username, device);
  }

  async deleteDevice(id: string): Promise<boolean> {
    const existed = (await this.select('device', { id })).length > 0;
    await this.writes.add({ op: 'delete', kind: 'device', id });
    return existed;
  }

  async device(id: string): Promise<PushDevice | null> {
    const [row] = await this.select('device', { id });
    return row ? pushDeviceSchema.parse(JSON.parse(row.json)) : null;
  }

  async devicesOf(username: string, onBadRow?: BadRowHandler): Promise<PushDevice[]> {
    return this.decodeDevices(await this.select('device', { owner: username }), onBadRow);
  }

  async allDevices(onBadRow?: BadRowHandler): Promise<PushDevice[]> {
    return this.decodeDevices(await this.select('device', {}), onBadRow);
  }

  putContact(contact: ContactDetails): Promise<void> {
    return this.put('contact', contact.username, contact.username, contact);
  }

  async contactOf(username: string): Promise<ContactDetails | null> {
    const [row] = await this.select('contact', { id: username });
    return row ? contactDetailsSchema.parse(JSON.parse(row.json)) : null;
  }

  async secret(name: string): Promise<string | null> {
    const [row] = await this.select('secret', { id: name });
    return row ? (JSON.parse(row.json) as string) : null;
  }

  putSecret(name: string, value: string): Promise<void> {
    return this.put('secret', name, '', value);
  }

  /** Resolves once every write asked for so far has committed (or failed): close waits for it. */
  drain(): Promise<void> {
    return this.writes.drain();
  }

  private put(kind: ContactKind, id: string, owner: string, record: unknown): Promise<void> {
    // Serialised now, so a caller changing the object afterwards changes nothing stored.
    return this.writes.add({ op: 'put', kind, id, owner, json: JSON.stringify(record) });
  }

  private async commit(group: Write[]): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const write of group) {
        if (write.op === 'delete') {
          await this.connection.run('DELETE FROM paging_contacts WHERE kind = $kind AND id = $id', {
            kind: write.kind,
            id: write.id,
          });
        } else {
          await this.connection.run(
            `INSERT OR REPLACE INTO paging_contacts (kind, id, owner, json) VALUES ($kind, $id, $owner, $json)`,
            { kind: write.kind, id: write.id, owner: write.owner, json: write.json },
          );
        }
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async select(
    kind: ContactKind,
    where: { id?: string; owner?: string },
  ): Promise<Array<{ id: string; json: string }>> {
    // A read after a write sees it, as the memory store's does.
    await this.drain();
    const values: Record<string, string> = { kind };
    let sql = 'SELECT id, json FROM paging_contacts WHERE kind = $kind';
    if (where.id !== undefined) {
      sql += ' AND id = $id';
      values.id = where.id;
    }
    if (where.owner !== undefined) {
      sql += ' AND owner = $owner';
      values.owner = where.owner;
    }
    const result = await this.connection.runAndReadAll(sql, values);
    return result.getRowObjectsJS().map((row) => ({ id: String(row.id), json: String(row.json) }));
  }

  private decodeDevices(rows: Array<{ id: string; json: string }>, onBadRow?: BadRowHandler): PushDevice[] {
    return decodeRows(
      rows,
      (row) => pushDeviceSchema.parse(JSON.parse(row.json)),
      (row) => row.id,
      onBadRow,
    ).sort(byCreation);
  }
}
