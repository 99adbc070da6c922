import { describe, expect, it } from 'vitest';
import { chartOption, definitionOf, drillRoute, groupText, measureKey, rowAt, type ReportResult } from './reportLogic';

const where = '{"op":"and","conditions":[{"field":"owner","op":"eq","value":"u1"}]}';
const result: ReportResult = {
  entity: 'deals',
  definition: {},
  time_zone: 'Asia/Shanghai',
  truncated: false,
  columns: [
    { key: 'owner', kind: 'group', field: 'owner', label: 'Owner', grain: null, fn: null, money: false },
    { key: 'currency', kind: 'group', field: 'currency', label: 'Currency', grain: null, fn: null, money: false },
    { key: 'sum:amount', kind: 'measure', field: 'amount', label: 'Amount', grain: null, fn: 'sum', money: true },
  ],
  rows: [
    {
      groups: [
        { key: 'owner', value: 'u1', label: 'Alice' },
        { key: 'currency', value: 'CNY', label: null },
      ],
      values: { 'sum:amount': '10.50' },
      drill: { path: '/api/v1/opportunities', query: { where } },
    },
    {
      groups: [
        { key: 'owner', value: 'u1', label: 'Alice' },
        { key: 'currency', value: 'USD', label: null },
      ],
      values: { 'sum:amount': '3.00' },
      drill: { path: '/api/v1/opportunities', query: { where } },
    },
    {
      groups: [
        { key: 'owner', value: null, label: null },
        { key: 'currency', value: 'CNY', label: null },
      ],
      values: { 'sum:amount': '1.00' },
      drill: null,
    },
  ],
};

describe('report logic', () => {
  it('drills to the list page with the where tree', () => {
    expect(drillRoute(result.rows[0].drill)).toBe(`/opportunities?where=${encodeURIComponent(where)}`);
    expect(drillRoute({ path: '/api/v1/activities', query: { where } })).toBeNull();
    expect(drillRoute(null)).toBeNull();
  });

  it('names groups by label, value or none', () => {
    expect(groupText(result.rows[0].groups[0], '-')).toBe('Alice');
    expect(groupText(result.rows[0].groups[1], '-')).toBe('CNY');
    expect(groupText(result.rows[2].groups[0], '-')).toBe('-');
  });

  it('sends only complete measures and groupings', () => {
    const d = definitionOf({ entity: 'deals', measures: [{ fn: 'sum' }], groupings: [{ field: '' }], period: { field: '' } });
    expect(d).toEqual({ entity: 'deals', measures: [{ fn: 'count' }], groupings: [] });
    expect(measureKey({ fn: 'avg', field: 'amount' })).toBe('avg:amount');
  });

  it('charts the first grouping along the axis, one series per currency, and finds the clicked row', () => {
    const option = chartOption(result, 'bar', '-', 'Sum') as { xAxis: { data: string[] }; series: { name: string; data: number[] }[] };
    expect(option.xAxis.data).toEqual(['Alice', '-']);
    expect(option.series.map((s) => [s.name, s.data])).toEqual([
      ['CNY', [10.5, 1]],
      ['USD', [3, 0]],
    ]);
    expect(rowAt(result, 'Alice', 'USD', '-', 'Sum')).toBe(result.rows[1]);
    const pie = chartOption(result, 'pie', '-', 'Sum') as { series: { data: { name: string; value: number }[] }[] };
    expect(pie.series[0].data).toEqual([
      { name: 'Alice', value: 13.5 },
      { name: '-', value: 1 },
    ]);
  });
});
