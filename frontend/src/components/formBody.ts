// Form values -> the bodies of create (POST) and edit (PATCH) requests.
import { customFieldsBody } from './CustomFieldInput';

/** The form's values: its standard fields, and the tenant's custom fields where it has them. */
type FormValues<K extends string> = Partial<Record<K, unknown>> & { custom_fields?: Record<string, unknown> };

/** A field's value as the API wants it: text trimmed, blank or absent -> null. */
export function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

/** The create body: blanks (null, an empty list) left out, so the server's defaults apply; with
 * `customFields`, the custom fields filled in (always sent, maybe empty). */
export function createBody<K extends string>(
  values: FormValues<K>,
  keys: readonly K[],
  {
    clean = (_key, value) => cleanValue(value),
    customFields = false,
  }: { clean?: (key: K, value: unknown) => unknown; customFields?: boolean } = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of keys) {
    const v = clean(key, values[key]);
    if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
  }
  if (customFields) body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
  return body;
}

/** The edit body: only the fields whose value differs from the record's; a list emptied is sent
 * as [] (the API keeps lists, never null); with `customFields`, the custom fields changed, if any. */
export function changedBody<K extends string>(
  values: FormValues<K>,
  current: Partial<Record<K, unknown>> & { custom_fields?: Record<string, unknown> },
  keys: readonly K[],
  {
    lists = ['tags'],
    clean = (_key, value) => cleanValue(value),
    customFields = false,
  }: { lists?: readonly string[]; clean?: (key: K, value: unknown) => unknown; customFields?: boolean } = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of keys) {
    const v = clean(key, values[key]);
    if (JSON.stringify(v ?? null) !== JSON.stringify(current[key] ?? null)) body[key] = lists.includes(key) && v === null ? [] : v;
  }
  if (customFields) {
    const custom = customFieldsBody(values.custom_fields, current.custom_fields, 'update');
    if (Object.keys(custom).length) body.custom_fields = custom;
  }
  return body;
}
