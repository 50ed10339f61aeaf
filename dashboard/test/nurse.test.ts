import { describe, expect, it } from 'vitest';
import { loadNurseName, NURSE_NAME_KEY, saveNurseName } from '../src/nurse.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe('nurse name', () => {
  it('is remembered trimmed, and forgotten when cleared', () => {
    const s = memoryStorage();
    saveNurseName(s, '  Ana Silva ');
    expect(s.data.get(NURSE_NAME_KEY)).toBe('Ana Silva');
    expect(loadNurseName(s)).toBe('Ana Silva');
    saveNurseName(s, '  ');
    expect(loadNurseName(s)).toBe('');
  });

  it('survives storage that throws or is missing', () => {
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadNurseName(throwing)).toBe('');
    expect(() => saveNurseName(throwing, 'Ana')).not.toThrow();
    expect(loadNurseName(null)).toBe('');
  });
});
