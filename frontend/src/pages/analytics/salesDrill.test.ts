import { describe, expect, it } from 'vitest';
import { amountIn, drillUrl, mainCurrency, percent } from './salesDrill';

describe('sales analysis drill-down', () => {
  it('opens the deals page with the figure query, encoded', () => {
    const url = drillUrl({
      path: '/api/v1/opportunities',
      query: { status: 'won', closed_from: '2026-01-01T16:00:00Z', product: '客服系统' },
    });
    const params = new URL(url, 'http://x').searchParams;
    expect(url.startsWith('/opportunities?')).toBe(true);
    expect(params.get('status')).toBe('won');
    expect(params.get('closed_from')).toBe('2026-01-01T16:00:00Z');
    expect(params.get('product')).toBe('客服系统');
  });

  it('charts the currency with the largest total, never a sum across currencies', () => {
    const cells = [
      [
        { currency: 'USD', amount: '100.00' },
        { currency: 'CNY', amount: '50.00' },
      ],
      [{ currency: 'CNY', amount: '70.00' }],
    ];
    expect(mainCurrency(cells)).toBe('CNY');
    expect(mainCurrency([])).toBeUndefined();
    expect(amountIn(cells[0], 'USD')).toBe(100);
    expect(amountIn(cells[1], 'USD')).toBe(0);
  });

  it('formats a rate as a percentage, or a dash without one', () => {
    expect(percent(0.5, 'en')).toBe('50%');
    expect(percent(null, 'en')).toBe('—');
  });
});
