import { describe, expect, it } from 'vitest';
import { readFilters, withFilters } from '../../components/lists';
import { LEAD_FILTERS, leadApiQuery, quickActive, toggleQuick } from './leadFilters';

describe('lead filters', () => {
  it('map the URL to the API query, score range inclusive', () => {
    const f = readFilters(new URLSearchParams('owner=none&status=qualified&smin=20&smax=50&q=%20acme%20&sort=-score'), LEAD_FILTERS);
    expect(leadApiQuery(f)).toEqual({
      q: 'acme',
      owner: 'none',
      status: 'qualified',
      source: undefined,
      rating: undefined,
      tag: undefined,
      score_from: 20,
      score_to: 51,
      sort: '-score',
    });
  });

  it('drop values the API would refuse and default the sort', () => {
    const q = leadApiQuery(
      readFilters(new URLSearchParams('status=bogus&source=web_form&smin=abc&smax=-5&rating=hot&q=%20'), LEAD_FILTERS),
    );
    expect(q.status).toBeUndefined();
    expect(q.source).toBe('web_form');
    expect(q.rating).toBe('hot');
    expect(q.score_from).toBeUndefined();
    expect(q.score_to).toBe(-4);
    expect(q.q).toBeUndefined();
    expect(q.sort).toBe('-updated_at');
  });

  it('quick filters toggle their field and replace a competing value', () => {
    const f = readFilters(new URLSearchParams('owner=me&status=new'), LEAD_FILTERS);
    expect(quickActive(f, 'mine')).toBe(true);
    expect(quickActive(f, 'queue')).toBe(false);
    expect(toggleQuick(f, 'mine')).toEqual({ owner: undefined });
    expect(toggleQuick(f, 'queue')).toEqual({ owner: 'none' });
    expect(toggleQuick(f, 'qualified')).toEqual({ status: 'qualified' });
    const next = withFilters(new URLSearchParams('owner=me&status=new&q=x'), toggleQuick(f, 'new'));
    expect(next.toString()).toBe('owner=me&q=x');
  });
});
