import { describe, expect, it } from 'vitest';
import {
  addMoney,
  formatPeriod,
  isRotting,
  lineTotal,
  linesTotal,
  missingFields,
  moveCard,
  parsePeriod,
  periodFromStart,
  periodOf,
  shiftPeriod,
  toCents,
  weighted,
  type Board,
  type Opportunity,
} from './salesLogic';

function deal(id: string, stage: string, amount: string, probability: number, extra: Partial<Opportunity> = {}): Opportunity {
  return {
    id,
    name: `Deal ${id}`,
    customer_id: 'c',
    primary_contact_id: null,
    amount,
    currency: 'CNY',
    expected_close_date: null,
    pipeline_id: 'p',
    stage_id: stage,
    probability,
    forecast_category: 'pipeline',
    source_lead_id: null,
    campaign_id: null,
    last_campaign_id: null,
    competitors: [],
    next_step: null,
    lost_reason: null,
    won_reason: null,
    tags: [],
    owner_id: 'u',
    department_id: null,
    custom_fields: {},
    description: null,
    stage_entered_at: '2026-11-01T00:00:00Z',
    closed_at: null,
    created_at: '2026-10-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    created_by: null,
    updated_by: null,
    version: 1,
    ...extra,
  };
}

function board(): Board {
  return {
    pipeline_id: 'p',
    columns: [
      {
        stage_id: 's1',
        name: 'Qualify',
        kind: 'open',
        probability: 10,
        count: 3,
        amount: '3000.00',
        weighted_amount: '300.00',
        cards: [deal('a', 's1', '1000.00', 10), deal('b', 's1', '2000.00', 10)],
      },
      { stage_id: 's2', name: 'Proposal', kind: 'open', probability: 50, count: 0, amount: '0.00', weighted_amount: '0.00', cards: [] },
    ],
  };
}

describe('money', () => {
  it('rounds half up to the cent without floats', () => {
    expect(toCents('0.005')).toBe(1n);
    expect(toCents('0.004')).toBe(0n);
    expect(toCents('-1.005')).toBe(-101n);
    expect(addMoney('0.10', '0.20')).toBe('0.30');
    expect(addMoney('100.00', '-250.50')).toBe('-150.50');
    expect(weighted('333.33', 25)).toBe('83.33');
    expect(weighted('1000.00', 75)).toBe('750.00');
  });

  it('computes line totals as the API does', () => {
    expect(lineTotal({ quantity: '3', unit_price: '19.99', discount_percent: '10' })).toBe('53.97');
    expect(lineTotal({ quantity: 2, unit_price: 1200 })).toBe('2400.00');
    expect(lineTotal({ quantity: '1.5', unit_price: '0.333', discount_percent: '0' })).toBe('0.50');
    expect(lineTotal({ quantity: '', unit_price: '10' })).toBeNull();
    expect(lineTotal({ quantity: 'abc', unit_price: '10' })).toBeNull();
    expect(
      linesTotal([
        { quantity: 10, unit_price: '1200.00', discount_percent: 15 },
        { quantity: 1, unit_price: '15000.00' },
        { quantity: null, unit_price: 5 },
      ]),
    ).toBe('25200.00');
  });
});

describe('periods', () => {
  it('parses months, quarters and years and refuses the rest', () => {
    expect(parsePeriod('2026-Q4')).toEqual({ kind: 'quarter', year: 2026, index: 4 });
    expect(parsePeriod('2026-q1')).toEqual({ kind: 'quarter', year: 2026, index: 1 });
    expect(parsePeriod('2026-11')).toEqual({ kind: 'month', year: 2026, index: 11 });
    expect(parsePeriod('2026')).toEqual({ kind: 'year', year: 2026, index: 0 });
    for (const bad of ['2026-13', '2026-Q5', '26-Q1', '', null, '2026-1']) expect(parsePeriod(bad)).toBeNull();
  });

  it('formats, steps across years and finds the current period', () => {
    expect(formatPeriod({ kind: 'month', year: 2026, index: 3 })).toBe('2026-03');
    expect(formatPeriod(shiftPeriod(parsePeriod('2026-Q4')!, 1))).toBe('2027-Q1');
    expect(formatPeriod(shiftPeriod(parsePeriod('2026-01')!, -1))).toBe('2025-12');
    expect(formatPeriod(shiftPeriod(parsePeriod('2026-05')!, -17))).toBe('2024-12');
    expect(formatPeriod(shiftPeriod(parsePeriod('2026')!, -2))).toBe('2024');
    expect(formatPeriod(periodOf('quarter', new Date(2026, 10, 30)))).toBe('2026-Q4');
    expect(periodFromStart('quarter', '2026-07-01')).toBe('2026-Q3');
    expect(periodFromStart('month', '2026-02-01')).toBe('2026-02');
    expect(periodFromStart('year', '2026-01-01')).toBe('2026');
  });
});

describe('board', () => {
  it('moves a card: counts, sums and weighted sums follow', () => {
    const before = board();
    const after = moveCard(before, 'b', 's2');
    const [from, to] = after.columns;
    expect(from.count).toBe(2);
    expect(from.amount).toBe('1000.00');
    expect(from.weighted_amount).toBe('100.00');
    expect(from.cards.map((c) => c.id)).toEqual(['a']);
    expect(to.count).toBe(1);
    expect(to.amount).toBe('2000.00');
    expect(to.weighted_amount).toBe('1000.00');
    expect(to.cards[0]).toMatchObject({ id: 'b', stage_id: 's2', probability: 50 });
    // the input is not touched: rolling back is putting it back
    expect(before).toEqual(board());
  });

  it('leaves the board alone for an unknown card, unknown stage or the same column', () => {
    const b = board();
    expect(moveCard(b, 'zzz', 's2')).toBe(b);
    expect(moveCard(b, 'a', 'nope')).toBe(b);
    expect(moveCard(b, 'a', 's1')).toBe(b);
  });

  it('knows a rotting deal and the fields a stage still needs', () => {
    const now = new Date('2026-11-30T00:00:00Z');
    expect(isRotting({ stage_entered_at: '2026-11-01T00:00:00Z' }, { kind: 'open', rotting_days: 14 }, now)).toBe(true);
    expect(isRotting({ stage_entered_at: '2026-11-25T00:00:00Z' }, { kind: 'open', rotting_days: 14 }, now)).toBe(false);
    expect(isRotting({ stage_entered_at: '2026-01-01T00:00:00Z' }, { kind: 'won', rotting_days: 14 }, now)).toBe(false);
    expect(isRotting({ stage_entered_at: '2026-01-01T00:00:00Z' }, { kind: 'open', rotting_days: null }, now)).toBe(false);
    const d = deal('x', 's1', '0.00', 10, { next_step: 'call', custom_fields: { budget: 5 } });
    expect(
      missingFields(d, { required_fields: ['amount', 'expected_close_date', 'next_step', 'custom.budget', 'custom.po', 'competitors'] }),
    ).toEqual(['amount', 'expected_close_date', 'custom.po', 'competitors']);
  });
});
