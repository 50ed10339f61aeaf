import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactStore, PushDevice } from '../src/paging/contacts/ports.js';
import { openDuckDbStore } from '../src/store/duckdb/open-duckdb-store.js';
import {
  type MemoryStoreData,
  newMemoryStoreData,
  openMemoryStore,
} from '../src/store/memory/open-memory-store.js';

interface OpenedContacts {
  contacts: ContactStore;
  close(): Promise<void>;
}

interface ContactStoreFactory {
  freshLocation(): string;
  /** Opening the same location again must see what was stored. */
  open(location: string): Promise<OpenedContacts>;
}

function device(overrides: Partial<PushDevice> = {}): PushDevice {
  return {
    id: 'dev_1',
    username: 'ana',
    endpoint: 'https://push.example.org/send/abc',
    keys: { p256dh: 'BPublicKeyOfTheBrowser', auth: 'authsecret' },
    label: "Ana's phone",
    createdAt: 1000,
    lastSuccessAt: null,
    ...overrides,
  };
}

/** One suite every ContactStore adapter passes. */
function describeContactStoreContract(name: string, factory: ContactStoreFactory): void {
  describe(`contact store contract: ${name}`, () => {
    const opened: OpenedContacts[] = [];
    const open = async (location: string) => {
      const store = await factory.open(location);
      opened.push(store);
      return store.contacts;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    it("keeps each person's devices apart, oldest first, and survives a reopen", async () => {
      const location = factory.freshLocation();
      const contacts = await open(location);
      await contacts.putDevice(device({ id: 'dev_b', createdAt: 2000, label: 'tablet' }));
      await contacts.putDevice(device({ id: 'dev_a', createdAt: 1000 }));
      await contacts.putDevice(
        device({ id: 'dev_c', username: 'ben', endpoint: 'https://push.example.org/x' }),
      );
      expect((await contacts.devicesOf('ana')).map((d) => d.id)).toEqual(['dev_a', 'dev_b']);
      expect((await contacts.devicesOf('ben')).map((d) => d.id)).toEqual(['dev_c']);
      expect((await contacts.allDevices()).map((d) => d.id)).toEqual(['dev_a', 'dev_c', 'dev_b']);
      await opened[0]?.close();
      const again = await open(location);
      expect(await again.device('dev_b')).toEqual(device({ id: 'dev_b', createdAt: 2000, label: 'tablet' }));
      expect(await again.devicesOf('nobody')).toEqual([]);
    });

    it('replaces a device on put (its last success) and deletes it once', async () => {
      const contacts = await open(factory.freshLocation());
      await contacts.putDevice(device());
      await contacts.putDevice(device({ lastSuccessAt: 5000 }));
      expect((await contacts.device('dev_1'))?.lastSuccessAt).toBe(5000);
      expect(await contacts.deleteDevice('dev_1')).toBe(true);
      expect(await contacts.deleteDevice('dev_1')).toBe(false);
      expect(await contacts.device('dev_1')).toBeNull();
      expect(await contacts.devicesOf('ana')).toEqual([]);
    });

    it('keeps contact details per person and replaces them on put', async () => {
      const location = factory.freshLocation();
      const contacts = await open(location);
      expect(await contacts.contactOf('ana')).toBeNull();
      const first = {
        username: 'ana',
        email: 'ana@example.org',
        smsNumber: null,
        updatedAt: 1,
        updatedBy: 'ana',
      };
      await contacts.putContact(first);
      await contacts.putContact({ ...first, smsNumber: '+447700900123', updatedAt: 2 });
      await opened[0]?.close();
      expect(await (await open(location)).contactOf('ana')).toEqual({
        ...first,
        smsNumber: '+447700900123',
        updatedAt: 2,
      });
    });

    it('keeps named secrets across a reopen', async () => {
      const location = factory.freshLocation();
      const contacts = await open(location);
      expect(await contacts.secret('vapid-keys')).toBeNull();
      await contacts.putSecret('vapid-keys', '{"publicKey":"p","privateKey":"k"}');
      await opened[0]?.close();
      expect(await (await open(location)).secret('vapid-keys')).toBe('{"publicKey":"p","privateKey":"k"}');
    });

    it('refuses calls once closed', async () => {
      const store = await factory.open(factory.freshLocation());
      await store.close();
      await expect(store.contacts.devicesOf('ana')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    });
  });
}

const memory = new Map<string, MemoryStoreData>();
let next = 0;
describeContactStoreContract('in memory', {
  freshLocation: () => {
    next += 1;
    return `memory-${next}`;
  },
  async open(location) {
    let data = memory.get(location);
    if (!data) {
      data = newMemoryStoreData();
      memory.set(location, data);
    }
    const store = openMemoryStore(data);
    return { contacts: store.contacts, close: () => store.close() };
  },
});

describeContactStoreContract('DuckDB', {
  freshLocation: () => join(mkdtempSync(join(tmpdir(), 'pw-contacts-')), 'data'),
  async open(location) {
    const store = await openDuckDbStore({ dataDir: location });
    return { contacts: store.contacts, close: () => store.close() };
  },
});
