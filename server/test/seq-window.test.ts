import { describe, expect, it } from 'vitest';
import { SeqWindow } from '../src/pumps/seq-window.js';

describe('SeqWindow', () => {
  it('accepts each seq once', () => {
    const window = new SeqWindow(16);
    expect(window.mark(1)).toBe(true);
    expect(window.mark(1)).toBe(false);
    expect(window.check(1)).toBe('duplicate');
  });

  it('accepts late, out-of-order seqs inside the window once', () => {
    const window = new SeqWindow(16);
    window.mark(10);
    expect(window.mark(5)).toBe(true);
    expect(window.mark(5)).toBe(false);
    expect(window.mark(9)).toBe(true);
  });

  it('forgets slots when the window slides, so reused slots are not mistaken for duplicates', () => {
    const window = new SeqWindow(16);
    window.mark(3);
    window.mark(3 + 16);
    expect(window.check(3 + 32)).toBe('new');
    window.mark(40);
    expect(window.check(3 + 16)).toBe('beyond_window');
  });

  it('survives a jump larger than the window', () => {
    const window = new SeqWindow(16);
    for (let seq = 0; seq < 10; seq += 1) window.mark(seq);
    expect(window.mark(1000)).toBe(true);
    expect(window.check(999)).toBe('new');
    expect(window.highest).toBe(1000);
  });
});
