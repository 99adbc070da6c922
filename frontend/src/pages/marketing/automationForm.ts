// The automation editor's pure half: the form's values <-> the API's body, and the small condition
// editor's rows <-> a condition tree (one AND/OR group of conditions). The segment builder has a
// fuller tree editor (nested groups); the two should become one component once both are merged.
import type { components } from '../../api/schema';

export type Automation = components['schemas']['AutomationOut'];
export type AutomationRun = components['schemas']['RunOut'];
export type Catalogue = components['schemas']['CatalogueOut'];
export type ActionKind = Catalogue['actions'][number];
export type FieldSpec = components['schemas']['FieldOut'];

export type ConditionRow = { field?: string; op?: string; value?: string };
export type ActionRow = { type?: string } & Record<string, string | number | undefined>;

export type FormValues = {
  name: string;
  description?: string;
  trigger: string;
  match: 'and' | 'or';
  conditions: ConditionRow[];
  actions: ActionRow[];
  delay_amount: number;
  delay_unit: 'minutes' | 'hours' | 'days';
  status: 'active' | 'paused';
};

type Leaf = { field: string; op: string; value: unknown };
type Tree = { op: 'and' | 'or'; conditions: unknown[] };

/** The audience whose fields the conditions may use, from the trigger's record kinds. */
export function audienceOf(recordKinds: readonly string[]): 'leads' | 'contacts' | 'both' {
  if (recordKinds.length === 1) return recordKinds[0] === 'lead' ? 'leads' : 'contacts';
  return 'both';
}

/** A value typed in a text box, as the operator and field kind want it. */
export function parseValue(kind: string | undefined, op: string, raw: string | undefined): unknown {
  const text = (raw ?? '').trim();
  if (op === 'is_null') return text !== 'false';
  if (op === 'within_last_days' || op === 'more_than_days_ago') return Number(text);
  const list = ['in', 'not_in', 'has_any', 'has_all', 'has_none', 'between'].includes(op);
  const one = (part: string): unknown => {
    if (kind === 'number') return Number(part);
    if (kind === 'bool') return part === 'true';
    return part;
  };
  if (list)
    return text
      .split(',')
      .map((p) => one(p.trim()))
      .filter((p) => p !== '');
  return one(text);
}

export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function toTree(match: 'and' | 'or', rows: ConditionRow[], fields: FieldSpec[]): Tree {
  const kinds = new Map(fields.map((f) => [f.name, f.kind]));
  const conditions: Leaf[] = rows
    .filter((r) => r.field && r.op)
    .map((r) => ({ field: r.field!, op: r.op!, value: parseValue(kinds.get(r.field!), r.op!, r.value) }));
  return { op: match, conditions };
}

/** The rows of a stored tree; a nested group (made through the API) is not editable here: null. */
export function fromTree(tree: Record<string, unknown> | undefined): { match: 'and' | 'or'; rows: ConditionRow[] } | null {
  if (!tree) return { match: 'and', rows: [] };
  const items = (tree.conditions as unknown[] | undefined) ?? [];
  const rows: ConditionRow[] = [];
  for (const item of items) {
    const leaf = item as Partial<Leaf> & { conditions?: unknown };
    if (leaf.conditions !== undefined) return null;
    rows.push({ field: leaf.field, op: leaf.op, value: formatValue(leaf.value) });
  }
  return { match: tree.op === 'or' ? 'or' : 'and', rows };
}

/** An action row as the API takes it: only the kind's parameters, blanks left out. */
export function toAction(row: ActionRow, kinds: ActionKind[]): Record<string, unknown> {
  const kind = kinds.find((k) => k.type === row.type);
  const out: Record<string, unknown> = { type: row.type };
  for (const param of kind?.params ?? []) {
    const value = row[param.name];
    if (value === undefined || value === '' || value === null) continue;
    out[param.name] = param.type === 'int' ? Number(value) : value;
  }
  return out;
}

export function toBody(values: FormValues, fields: FieldSpec[], kinds: ActionKind[]) {
  return {
    name: values.name,
    description: values.description || null,
    trigger: values.trigger,
    conditions: toTree(values.match, values.conditions ?? [], fields),
    actions: (values.actions ?? []).map((a) => toAction(a, kinds)),
    delay_amount: Number(values.delay_amount ?? 0),
    delay_unit: values.delay_unit,
    status: values.status,
  };
}

export function toForm(rule: Automation): FormValues {
  const tree = fromTree(rule.conditions) ?? { match: 'and' as const, rows: [] };
  return {
    name: rule.name,
    description: rule.description ?? undefined,
    trigger: rule.trigger,
    match: tree.match,
    conditions: tree.rows,
    actions: rule.actions as ActionRow[],
    delay_amount: rule.delay_amount,
    delay_unit: rule.delay_unit,
    status: rule.status,
  };
}

export const RUN_COLORS: Record<string, string> = { pending: 'blue', done: 'green', skipped: 'default', failed: 'red' };
