import { describe, expect, it } from 'vitest';
import { amountIn, currenciesOf, drillRoute, heatData, percent } from './leadsActivityLogic';

describe('lead & activity analysis logic', () => {
  it('lands a drill-down on the list page with the same filters', () => {
    expect(drillRoute({ path: '/api/v1/leads', query: { source: 'web_form', created_from: '2026-01-01T00:00:00Z' } })).toBe(
      '/leads?source=web_form&created_from=2026-01-01T00%3A00%3A00Z',
    );
    expect(drillRoute({ path: '/api/v1/opportunities', query: { status: 'lost', lost_reason: '价格偏高' } })).toBe(
      '/opportunities?status=lost&lost_reason=%E4%BB%B7%E6%A0%BC%E5%81%8F%E9%AB%98',
    );
    expect(drillRoute({ path: '/api/v1/activities', query: { owner: 'x' } })).toBeNull();
    expect(drillRoute(null)).toBeNull();
  });

  it('reads money per currency, never summing across them', () => {
    const won = [
      { currency: 'CNY', amount: '100.50' },
      { currency: 'USD', amount: '7.00' },
    ];
    expect(amountIn(won, 'USD')).toBe(7);
    expect(amountIn(won, 'EUR')).toBe(0);
    expect(currenciesOf([won, [{ currency: 'CNY', amount: '1' }], []])).toEqual(['CNY', 'USD']);
  });

  it('draws Monday on top of the heat map and scales to the busiest cell', () => {
    const { data, max } = heatData([
      { weekday: 1, hour: 9, done: 4 },
      { weekday: 7, hour: 23, done: 0 },
    ]);
    expect(data).toEqual([
      [9, 6, 4],
      [23, 0, 0],
    ]);
    expect(max).toBe(4);
    expect(heatData([]).max).toBe(1);
  });

  it('shows rates as percentages', () => {
    expect(percent(0.4567)).toBe(45.7);
    expect(percent(null)).toBeNull();
  });
});
