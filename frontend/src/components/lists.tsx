// Pieces the record lists share.
import { Button, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';

/**
 * The list's filters, kept in the URL (shareable, back/forward work): their values, one setter
 * that drops empty values, and a reset.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined])) as Record<K, string | undefined>;
  function setFilter(key: K, value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }
  function clear() {
    setParams(new URLSearchParams(), { replace: true });
  }
  return { filters, setFilter, clear };
}

/** The list's sort order: "-updated_at" (the API's default), "-created_at", "name", "-name". */
export function SortSelect({
  value,
  onChange,
  extra = [],
}: {
  value: string;
  onChange: (sort: string | undefined) => void;
  /** More orders the list offers, after the common four. */
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
