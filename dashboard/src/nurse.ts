/** The nurse's name, remembered per browser so each acknowledgement records who made it. */
export const NURSE_NAME_KEY = 'pumpwatch.nurseName';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Storage can be missing or throw (private mode, disabled cookies): then the name is simply not kept. */
export function loadNurseName(storage: Store | null | undefined): string {
  try {
    return storage?.getItem(NURSE_NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveNurseName(storage: Store | null | undefined, name: string): void {
  try {
    const trimmed = name.trim();
    if (trimmed) storage?.setItem(NURSE_NAME_KEY, trimmed);
    else storage?.removeItem(NURSE_NAME_KEY);
  } catch {
    // Not persisted; the field still holds the name for this page.
  }
}
