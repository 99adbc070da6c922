// Pieces the record lists share.
import { useCallback } from 'react';
import { Button, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';

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
