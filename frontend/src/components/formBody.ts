// Form values -> the bodies of create (POST) and edit (PATCH) requests.

/** A field's value as the API wants it: text trimmed, blank or absent -> null. */
export function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

/** The create body: blanks (null, an empty list) left out, so the server's defaults apply. */
export function createBody<K extends string>(
  values: Partial<Record<K, unknown>>,
  keys: readonly K[],
  clean: (key: K, value: unknown) => unknown = (_key, value) => cleanValue(value),
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of keys) {
    const v = clean(key, values[key]);
    if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
  }
  return body;
}

/** The edit body: only the fields whose value differs from the record's; a list emptied is sent
 * as [] (the API keeps lists, never null). */
export function changedBody<K extends string>(
  values: Partial<Record<K, unknown>>,
  current: Partial<Record<K, unknown>>,
  keys: readonly K[],
  {
    lists = ['tags'],
    clean = (_key, value) => cleanValue(value),
  }: { lists?: readonly string[]; clean?: (key: K, value: unknown) => unknown } = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of keys) {
    const v = clean(key, values[key]);
    if (JSON.stringify(v ?? null) !== JSON.stringify(current[key] ?? null)) body[key] = lists.includes(key) && v === null ? [] : v;
  }
  return body;
}
