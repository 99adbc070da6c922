// The table of a record list: its error state, its empty state, sortable columns, row selection,
// then "load more".
import type { ReactNode } from 'react';
import { Table, type TableProps } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { LoadMore } from './lists';
import { EmptyState, ErrorState } from './states';

/** The arrow of a sortable column, from the list's sort ("name" ascending, "-name" descending). */
export function sortOrderOf(sort: string, key: string): SortOrder {
  return sort === key ? 'ascend' : sort === `-${key}` ? 'descend' : null;
}

interface ListQuery {
  isError: boolean;
  error: unknown;
  isLoading: boolean;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

export function RecordTable<T extends { id: string }>({
  query,
  rows,
  columns,
  empty,
  rowSelection,
  onSort,
  testId,
  wrap = (content) => content,
}: {
  query: ListQuery;
  rows: T[];
  columns: NonNullable<TableProps<T>['columns']>;
  /** What an empty list says. */
  empty: string;
  rowSelection?: TableProps<T>['rowSelection'];
  /** A click on a sortable column's header: the sort it asks for (none: the default order). */
  onSort?: (sort: string | undefined) => void;
  testId: string;
  /** Around the table and "load more" (a provider their cells read). */
  wrap?: (content: ReactNode) => ReactNode;
}) {
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return wrap(
    <>
      <Table<T>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={rows}
        loading={query.isLoading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={empty} /> }}
        rowSelection={rowSelection}
        onChange={
          onSort &&
          ((_p, _f, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            if (!s?.order || !s.columnKey) onSort(undefined);
            else onSort(`${s.order === 'descend' ? '-' : ''}${String(s.columnKey)}`);
          })
        }
        data-testid={testId}
      />
      <LoadMore query={query} shown={rows.length} />
    </>,
  );
}
