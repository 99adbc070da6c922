import { describe, expect, it } from 'vitest';
import { drillTo, shade } from './customerDrill';

describe('drillTo', () => {
  it('turns a list drill into the list page with its filters', () => {
    expect(drillTo({ path: '/api/v1/customers', query: { rfm_segment: 'champions' } })).toBe('/customers?rfm_segment=champions');
    expect(drillTo({ path: '/api/v1/customers', query: { rfm_recency: 5, rfm_frequency: 4, x: null } })).toBe(
      '/customers?rfm_recency=5&rfm_frequency=4',
    );
  });
  it('turns a record drill into its page, and nothing else into anything', () => {
    expect(drillTo({ path: '/api/v1/customers/abc', query: {} })).toBe('/customers/abc');
    expect(drillTo(null)).toBeNull();
    expect(drillTo({ path: 'https://elsewhere.example/x', query: {} })).toBeNull();
  });
});

describe('shade', () => {
  it('is the share of the largest count', () => {
    expect(shade(5, 10)).toBe(0.5);
    expect(shade(0, 0)).toBe(0);
  });
});
