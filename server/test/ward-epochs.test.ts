import { describe, expect, it } from 'vitest';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import { WardCore } from '../src/ward/ward-core.js';
import { sample } from './fixtures.js';

const accepted = (ward: WardCore, seq: number, epoch?: string, ts = 1_000_000 + seq) =>
  !('duplicate' in ward.onSample('H', 'P', sample({ seq, ts, ...(epoch ? { epoch } : {}) }), ts));

describe('hub store epochs (issue 15)', () => {
  it('opens a new duplicate window when a hub store starts afresh, instead of discarding its seqs', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    for (let seq = 0; seq <= 100; seq++) expect(accepted(ward, seq)).toBe(true);
    expect(accepted(ward, 50)).toBe(false);
    // The hub's data directory was wiped: seqs start again at 0, with an epoch the server has not seen.
    for (let seq = 0; seq <= 10; seq++) expect(accepted(ward, seq, 'E2', 2_000_000 + seq)).toBe(true);
    expect(accepted(ward, 3, 'E2', 2_000_003)).toBe(false);
    expect(ward.view('P', 2_000_100)?.latest?.seq).toBe(10);
  });

  it('restores only the current epoch into duplicate detection after a restart', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    ward.restorePump(
      { hubId: 'H', pumpId: 'P', receivedAt: 1, sample: sample({ seq: 4, ts: 5, epoch: 'E2' }) },
      10,
    );
    for (let seq = 0; seq <= 4; seq++) ward.restoreSeq('P', seq, 'E2');
    expect(accepted(ward, 4, 'E2')).toBe(false);
    expect(accepted(ward, 5, 'E2')).toBe(true);
  });
});
