function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 1);
}

/** An audit change set as rows: {field: {before, after}}, {field: [before, after]} or a snapshot. */
export function diffRows(changes: Record<string, unknown>): { field: string; before: string; after: string }[] {
  return Object.entries(changes).map(([field, value]) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && ('before' in value || 'after' in value)) {
      const v = value as { before?: unknown; after?: unknown };
      return { field, before: show(v.before), after: show(v.after) };
    }
    if (Array.isArray(value) && value.length === 2) return { field, before: show(value[0]), after: show(value[1]) };
    return { field, before: '', after: show(value) };
  });
}
