import { describe, expect, it } from 'vitest';
import { diffRows } from './diff';

describe('diffRows', () => {
  it('reads before/after pairs, tuples and snapshots', () => {
    expect(
      diffRows({
        status: { before: 'prospect', after: 'active' },
        tags: [['a'], ['a', 'b']],
        name: 'Acme',
        owner_id: { before: null, after: 'u1' },
      }),
    ).toEqual([
      { field: 'status', before: 'prospect', after: 'active' },
      { field: 'tags', before: '[\n "a"\n]', after: '[\n "a",\n "b"\n]' },
      { field: 'name', before: '', after: 'Acme' },
      { field: 'owner_id', before: '', after: 'u1' },
    ]);
  });
});
