import { describe, expect, it } from 'vitest';
import {
  append,
  complete,
  countLeaves,
  emptyGroup,
  fromJson,
  newLeaf,
  toJson,
  update,
  valueInput,
  withOperator,
  type FieldInfo,
  type LeafNode,
} from './segmentTree';

const level: FieldInfo = { name: 'customer.level', kind: 'text', label: 'Level', operators: ['eq', 'neq', 'in', 'is_null'], choices: [] };
const tags: FieldInfo = { name: 'tags', kind: 'tags', label: 'Tags', operators: ['has_any', 'has_all', 'is_null'], choices: [] };
const recency: FieldInfo = {
  name: 'last_activity_at',
  kind: 'datetime',
  label: 'Last activity',
  operators: ['within_last_days', 'more_than_days_ago', 'is_null'],
  choices: [],
};

describe('segment tree', () => {
  it('sends complete conditions only, and drops groups left empty', () => {
    let tree = emptyGroup('and');
    const a = { ...newLeaf(level), value: 'A' };
    const b = newLeaf(tags); // no tag chosen yet
    const inner = emptyGroup('or');
    tree = append(append(append(tree, tree.key, a), tree.key, b), tree.key, inner);
    tree = append(tree, inner.key, newLeaf(recency));
    tree = append(tree, tree.key, append(emptyGroup('or'), '', b)); // a group of nothing complete
    expect(toJson(tree)).toEqual({
      op: 'and',
      conditions: [
        { field: 'customer.level', op: 'eq', value: 'A' },
        { op: 'or', conditions: [{ field: 'last_activity_at', op: 'within_last_days', value: 30 }] },
      ],
    });
    expect(countLeaves(tree)).toBe(3);
  });

  it('picks the value input by kind and operator, and resets a value that no longer fits', () => {
    expect(valueInput('text', 'in')).toBe('list');
    expect(valueInput('number', 'between')).toBe('range');
    expect(valueInput('datetime', 'within_last_days')).toBe('days');
    expect(valueInput('campaign', 'member')).toBe('campaign');
    expect(valueInput('text', 'is_null')).toBe('bool');
    const leaf: LeafNode = { ...newLeaf(level), value: 'A' };
    expect(withOperator(leaf, level, 'neq').value).toBe('A');
    expect(withOperator(leaf, level, 'in').value).toEqual([]);
    expect(complete({ ...leaf, value: [] })).toBe(false);
    expect(complete({ ...leaf, value: [1, null] })).toBe(false);
    expect(complete({ ...leaf, value: { campaign_id: '' } })).toBe(false);
    expect(complete({ ...leaf, value: false })).toBe(true);
  });

  it('reads a saved tree back, edits and removes nodes', () => {
    const saved = {
      op: 'or',
      conditions: [
        { field: 'tags', op: 'has_any', value: ['vip'] },
        { op: 'and', conditions: [{ field: 'campaign', op: 'member', value: { campaign_id: 'c1' } }] },
      ],
    };
    const tree = fromJson(saved);
    expect(toJson(tree)).toEqual(saved);
    const first = tree.conditions[0];
    const edited = update(tree, first.key, (n) => ({ ...(n as LeafNode), value: ['vip', 'partner'] }));
    expect((toJson(edited).conditions[0] as { value: string[] }).value).toEqual(['vip', 'partner']);
    const removed = update(tree, first.key, () => null);
    expect(removed.conditions).toHaveLength(1);
    expect(tree.conditions).toHaveLength(2); // immutable
  });
});
