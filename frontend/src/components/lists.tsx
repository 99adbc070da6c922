// Pieces the record lists share: filters kept in the URL and their toolbar controls, the sort,
// the pages loaded over the keyset cursor.
import { useCallback, useMemo } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Input, Select, Tag, Typography, type SelectProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { useDepartments } from '../directory';

/** The named filters of a list, read from the URL query (absent or empty: undefined). */
export function readFilters<K extends string>(params: URLSearchParams, keys: readonly K[]): Record<K, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, params.get(k) || undefined])) as Record<K, string | undefined>;
}

/** The URL query with some filters set (a value) or removed (undefined/empty); others kept. */
export function withFilters(params: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value) next.set(key, value);
    else next.delete(key);
  }
  return next;
}

/** A list's filters kept in the URL, so a filtered list can be bookmarked, shared and reloaded. */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params, keys);
  const set = useCallback(
    // the URL as it is now, not as the render saw it: quick successive changes all stick
    (changes: Partial<Record<K, string | undefined>>) =>
      setParams(withFilters(new URLSearchParams(window.location.search), changes), { replace: true }),
    [setParams],
  );
  const setFilter = useCallback(
    (key: K, value: string | undefined) => set({ [key]: value } as Partial<Record<K, string | undefined>>),
    [set],
  );
  const clear = useCallback(() => setParams(new URLSearchParams(), { replace: true }), [setParams]);
  return { filters, set, setFilter, clear };
}

/** The list's sort order: "-updated_at" (the API's default), "-created_at", "name", "-name". */
export function SortSelect({
  value,
  onChange,
  extra = [],
}: {
  value: string;
  onChange: (sort: string | undefined) => void;
  /** More orders the list offers, after the common four (leads: by score; deals: by amount). */
  extra?: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  return (
    <Select
      aria-label={t('customer.sort.label')}
      value={value}
      onChange={(v: string) => onChange(v === '-updated_at' ? undefined : v)}
      options={[
        { value: '-updated_at', label: t('customer.sort.updatedDesc') },
        { value: '-created_at', label: t('customer.sort.createdDesc') },
        { value: 'name', label: t('customer.sort.nameAsc') },
        { value: '-name', label: t('customer.sort.nameDesc') },
        ...extra,
      ]}
    />
  );
}

interface Pager {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** "Load more" over the keyset cursor, then "no more"; with how many rows are shown. */
export function LoadMore({ query, shown }: { query: Pager; shown: number }) {
  const { t } = useTranslation();
  return (
    <div className="load-more">
      {query.hasNextPage ? (
        <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage} data-testid="load-more">
          {t('common.loadMore')}
        </Button>
      ) : (
        shown > 0 && <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
      )}
      {shown > 0 && (
        <div>
          <Typography.Text type="secondary" data-testid="shown-count">
            {t('common.shown', { count: shown })}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}

/** A list's rows, page after page over the keyset cursor; `keep` (a module-level guard, so the rows
 * change with the pages only) picks the full rows: a list may answer with only some fields of a row. */
export function useCursorList<I, T extends I>(
  queryKey: readonly unknown[],
  load: (cursor: string | undefined) => Promise<{ items: I[]; next_cursor?: string | null }>,
  keep: (item: I) => item is T,
) {
  const query = useInfiniteQuery({
    queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => load(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter(keep), [query.data, keep]);
  return { query, rows };
}

/** The search box of a list's toolbar; an empty search clears the filter. */
export function SearchFilter({
  value,
  onSearch,
  placeholder,
  width,
  testId,
}: {
  value: string | undefined;
  onSearch: (q: string | undefined) => void;
  placeholder: string;
  width: number;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <Input.Search
      aria-label={t('common.search')}
      placeholder={placeholder}
      defaultValue={value}
      allowClear
      onSearch={(v) => onSearch(v.trim() || undefined)}
      style={{ width }}
      data-testid={testId}
    />
  );
}

/** One filter of a list as a select, named by its label (also the placeholder); cleared: undefined. */
export function FilterSelect({
  label,
  onChange,
  ...props
}: Omit<SelectProps, 'onChange'> & { label: string; onChange: (value: string | undefined) => void }) {
  return <Select aria-label={label} placeholder={label} allowClear onChange={(v: string | undefined) => onChange(v)} {...props} />;
}

/** The department filter, where the caller may read departments and there are some. */
export function DepartmentFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | undefined) => void }) {
  const { t } = useTranslation();
  const departments = useDepartments();
  if (!departments.data?.length) return null;
  return (
    <FilterSelect
      label={t('users.fields.department_id')}
      value={value}
      onChange={onChange}
      options={departments.data.map((d) => ({ value: d.id, label: d.name }))}
    />
  );
}

/** The tag filter: applied on Enter (and, unless told otherwise, on leaving the box). */
export function TagFilter({
  value,
  onChange,
  width,
  applyOnBlur = true,
}: {
  value: string | undefined;
  onChange: (tag: string | undefined) => void;
  width: number;
  applyOnBlur?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Input
      aria-label={t('customer.filter.tag')}
      placeholder={t('customer.filter.tag')}
      defaultValue={value}
      allowClear
      onPressEnter={(e) => onChange((e.target as HTMLInputElement).value.trim() || undefined)}
      onBlur={applyOnBlur ? (e) => onChange(e.target.value.trim() || undefined) : undefined}
      style={{ width }}
    />
  );
}

/** "Clear filters", while any filter is set. */
export function ClearFilters({ active, onClear }: { active: boolean; onClear: () => void }) {
  const { t } = useTranslation();
  if (!active) return null;
  return <Button onClick={onClear}>{t('common.clearFilters')}</Button>;
}

/** The one-click filters above a list (leads' "mine", tickets' views), each a chip that toggles. */
export function QuickFilters({
  label,
  items,
}: {
  label: string;
  items: { key: string; label: string; checked: boolean; onToggle: () => void; testId: string }[];
}) {
  return (
    <div className="quick-filters" role="group" aria-label={label}>
      {items.map((item) => (
        <Tag.CheckableTag
          key={item.key}
          checked={item.checked}
          onChange={item.onToggle}
          data-testid={item.testId}
          style={{ padding: '4px 10px', fontSize: 14 }}
        >
          {item.label}
        </Tag.CheckableTag>
      ))}
    </div>
  );
}
