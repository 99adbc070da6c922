import { describe, expect, it } from 'vitest';
import { formatMinutes, formatRate, grainFor, statsPeriod, topComplaintCategories } from './dashboardLogic';

const NOW = Date.parse('2026-11-30T09:15:00Z');

describe('service dashboard period', () => {
  it('ends a preset at the next UTC midnight and picks the grain', () => {
    expect(statsPeriod({}, NOW)).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', group_by: 'day' });
    expect(statsPeriod({ period: '90d' }, NOW).group_by).toBe('week');
    expect(statsPeriod({ period: '365d' }, NOW).group_by).toBe('month');
    expect(statsPeriod({ period: 'forever' }, NOW)).toEqual(statsPeriod({ period: '30d' }, NOW));
  });

  it('takes custom days with the end day included, and a chosen grain', () => {
    expect(statsPeriod({ from: '2026-11-01', to: '2026-11-10', group: 'week' }, NOW)).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-11T00:00:00.000Z',
      group_by: 'week',
    });
    // reversed or malformed days fall back to the preset
    expect(statsPeriod({ from: '2026-11-10', to: '2026-11-01' }, NOW).to).toBe('2026-12-01T00:00:00.000Z');
    // never longer than the API allows
    const long = statsPeriod({ from: '2020-01-01', to: '2026-01-01' }, NOW);
    expect(Date.parse(long.to) - Date.parse(long.from)).toBe(366 * 86_400_000);
  });

  it('grains', () => {
    expect(grainFor(31 * 86_400_000)).toBe('day');
    expect(grainFor(32 * 86_400_000)).toBe('week');
    expect(grainFor(121 * 86_400_000)).toBe('month');
  });
});

describe('service dashboard figures', () => {
  it('ranks categories by complaints', () => {
    const rows = [
      { key: 'a', count: 10, complaints: 1 },
      { key: 'b', count: 3, complaints: 3 },
      { key: 'c', count: 8, complaints: 0 },
    ];
    expect(topComplaintCategories(rows).map((r) => r.key)).toEqual(['b', 'a']);
  });

  it('formats durations and rates', () => {
    expect(formatMinutes(45)).toBe('45m');
    expect(formatMinutes(90)).toBe('1h 30m');
    expect(formatMinutes(3000)).toBe('2d 2h');
    expect(formatMinutes(null)).toBe('—');
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(null)).toBe('—');
  });
});
