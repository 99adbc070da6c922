// The segment builder's model: a condition tree as the API takes it ({op, conditions} groups of
// {field, op, value} leaves, app/domain/shared/conditions.py), with a key per node for React and
// immutable edits. Incomplete leaves (no value yet) are left out of what is sent, so the live count
// follows what the person has finished typing.
import type { components } from '../../api/schema';

export type FieldInfo = components['schemas']['FieldOut'];
export type Kind = FieldInfo['kind'];

export interface LeafNode {
  key: string;
  field: string;
  op: string;
  value: unknown;
}
export interface GroupNode {
  key: string;
  op: 'and' | 'or';
  conditions: TreeNode[];
}
export type TreeNode = LeafNode | GroupNode;
export interface TreeJson {
  [key: string]: unknown;
  op: 'and' | 'or';
  conditions: unknown[];
}

/** Which input a leaf's value takes, by field kind and operator. */
export type ValueInput = 'text' | 'number' | 'date' | 'datetime' | 'bool' | 'list' | 'range' | 'days' | 'campaign';

export const MAX_DEPTH = 5;
let counter = 0;
export function nextKey(): string {
  counter += 1;
  return `n${counter}`;
}

export function isGroup(node: TreeNode): node is GroupNode {
  return 'conditions' in node;
}

export function emptyGroup(op: 'and' | 'or' = 'and'): GroupNode {
  return { key: nextKey(), op, conditions: [] };
}

export function valueInput(kind: Kind, op: string): ValueInput {
  if (op === 'is_null') return 'bool';
  if (op === 'within_last_days' || op === 'more_than_days_ago') return 'days';
  if (op === 'member' || op === 'not_member') return 'campaign';
  if (['in', 'not_in', 'has_any', 'has_all', 'has_none'].includes(op)) return 'list';
  if (op === 'between') return 'range';
  if (kind === 'bool') return 'bool';
  if (kind === 'number') return 'number';
  if (kind === 'date') return 'date';
  if (kind === 'datetime') return 'datetime';
  return 'text';
}

export function defaultValue(field: FieldInfo, op: string): unknown {
  switch (valueInput(field.kind, op)) {
    case 'bool':
      return op === 'is_null' ? true : true;
    case 'days':
      return 30;
    case 'list':
      return [];
    case 'range':
      return [null, null];
    case 'campaign':
      return { campaign_id: '', status: null };
    case 'number':
      return null;
    default:
      return field.kind === 'choice' && field.choices.length ? field.choices[0] : '';
  }
}

export function newLeaf(field: FieldInfo): LeafNode {
  const op = field.operators[0];
  return { key: nextKey(), field: field.name, op, value: defaultValue(field, op) };
}

/** A leaf with another operator: the value is kept when it still fits, else reset. */
export function withOperator(leaf: LeafNode, field: FieldInfo, op: string): LeafNode {
  const same = valueInput(field.kind, leaf.op) === valueInput(field.kind, op);
  return { ...leaf, op, value: same ? leaf.value : defaultValue(field, op) };
}

export function complete(leaf: LeafNode): boolean {
  const v = leaf.value;
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => x !== null && x !== undefined && x !== '');
  if (typeof v === 'object') return !!(v as { campaign_id?: string }).campaign_id;
  return true;
}

function leafJson(leaf: LeafNode): unknown {
  let value = leaf.value;
  if (leaf.op === 'member' || leaf.op === 'not_member') {
    const c = value as { campaign_id: string; status: string | null };
    value = c.status ? { campaign_id: c.campaign_id, status: c.status } : { campaign_id: c.campaign_id };
  }
  return { field: leaf.field, op: leaf.op, value };
}

/** What the API takes: complete leaves only, and groups left empty by that dropped too. */
export function toJson(group: GroupNode): TreeJson {
  const conditions: unknown[] = [];
  for (const node of group.conditions) {
    if (isGroup(node)) {
      const inner = toJson(node);
      if (inner.conditions.length) conditions.push(inner);
    } else if (complete(node)) {
      conditions.push(leafJson(node));
    }
  }
  return { op: group.op, conditions };
}

export function fromJson(raw: unknown): GroupNode {
  const g = (raw ?? {}) as { op?: string; conditions?: unknown[] };
  return {
    key: nextKey(),
    op: g.op === 'or' ? 'or' : 'and',
    conditions: (g.conditions ?? []).map((c) => {
      const n = c as Record<string, unknown>;
      if (Array.isArray(n.conditions)) return fromJson(n);
      let value = n.value;
      if ((n.op === 'member' || n.op === 'not_member') && value && typeof value === 'object')
        value = { status: null, ...(value as object) };
      return { key: nextKey(), field: String(n.field), op: String(n.op), value };
    }),
  };
}

/** The tree with `fn` applied to the node of `key` (null removes it). */
export function update(group: GroupNode, key: string, fn: (node: TreeNode) => TreeNode | null): GroupNode {
  if (group.key === key) {
    const replaced = fn(group);
    return replaced && isGroup(replaced) ? replaced : group;
  }
  const conditions: TreeNode[] = [];
  for (const node of group.conditions) {
    if (node.key === key) {
      const replaced = fn(node);
      if (replaced) conditions.push(replaced);
    } else {
      conditions.push(isGroup(node) ? update(node, key, fn) : node);
    }
  }
  return { ...group, conditions };
}

export function append(group: GroupNode, groupKey: string, node: TreeNode): GroupNode {
  return update(group, groupKey, (g) => ({ ...(g as GroupNode), conditions: [...(g as GroupNode).conditions, node] }));
}

export function countLeaves(group: GroupNode): number {
  return group.conditions.reduce((n, c) => n + (isGroup(c) ? countLeaves(c) : 1), 0);
}
