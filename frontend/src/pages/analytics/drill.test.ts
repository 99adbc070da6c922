import { describe, expect, it } from 'vitest';
import { drillRoute } from './drill';

describe('drillRoute', () => {
  it('maps a stage of the pipeline to the deals list filtered to it', () => {
    expect(drillRoute({ path: '/api/v1/opportunities', query: { pipeline: 'p1', stage: 's1' } })).toBe(
      '/opportunities?pipeline=p1&stage=s1',
    );
  });
  it('names the close window as the deals list does', () => {
    expect(drillRoute({ path: '/api/v1/opportunities', query: { close_from: '2026-12-01', close_to: '2027-01-01', owner: 'u' } })).toBe(
      '/opportunities?owner=u&from=2026-12-01&to=2027-01-01',
    );
  });
  it('maps leads, tickets, campaigns and surveys', () => {
    expect(drillRoute({ path: '/api/v1/leads', query: { status: 'new' } })).toBe('/leads?status=new');
    expect(drillRoute({ path: '/api/v1/tickets', query: { open: 'true', owner: 'none' } })).toBe('/tickets?view=unassigned');
    expect(drillRoute({ path: '/api/v1/tickets', query: { open: 'true', breaching_before: 'x' } })).toBe('/tickets?view=breaching');
    expect(drillRoute({ path: '/api/v1/campaigns/c1', query: {} })).toBe('/campaigns/c1');
    expect(drillRoute({ path: '/api/v1/campaigns', query: { status: 'running' } })).toBe('/campaigns?status=running');
    expect(drillRoute({ path: '/api/v1/surveys/s/results', query: {} })).toBe('/surveys/s/results');
    expect(drillRoute({ path: '/api/v1/activities', query: {} })).toBe('/my-day');
  });
  it('gives nothing for what no page lists', () => {
    expect(drillRoute(null)).toBeNull();
    expect(drillRoute({ path: '/elsewhere', query: {} })).toBeNull();
  });
});
