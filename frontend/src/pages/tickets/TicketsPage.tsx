import { useMemo, useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Select, Table, Tag, TreeSelect, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { BulkAssignBar } from '../../components/BulkAssignBar';
import { LoadMore, useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState } from '../../components/states';
import { useUserName, useUsers } from '../../directory';
import { can } from '../../permissions';
import { CustomerName, CustomerNames } from '../salesBits';
import { categoryTree, PriorityTag, SlaCountdown, TicketStatusTag, useCategories, type Ticket } from './ticketBits';
import {
  TICKET_CHANNELS,
  TICKET_FILTERS,
  TICKET_KINDS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  ticketApiQuery,
  toggleView,
  VIEWS,
} from './ticketFilters';

const PAGE = 50;

export default function TicketsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { filters, set, clear } = useUrlFilters(TICKET_FILTERS);
  const [selected, setSelected] = useState<string[]>([]);
  const users = useUsers();
  const userName = useUserName();
  const categories = useCategories();
  const mayAssign = can(me, 'tickets:assign');
  const mayCreate = can(me, 'tickets:create');

  function setFilter(changes: Parameters<typeof set>[0]) {
    set(changes);
    setSelected([]);
  }

  const apiQuery = ticketApiQuery(filters, { departmentId: me.user.department_id, now: Date.now() });
  const query = useInfiniteQuery({
    queryKey: ['tickets', 'list', apiQuery],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/tickets', { params: { query: { ...apiQuery, limit: PAGE, cursor: pageParam } as never } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter((x): x is Ticket => 'number' in x), [query.data]);
  const tree = useMemo(() => categoryTree(categories.data ?? [], filters.category), [categories.data, filters.category]);

  const columns: NonNullable<TableProps<Ticket>['columns']> = [
    {
      key: 'number',
      title: t('tickets.fields.number'),
      render: (_: unknown, x: Ticket) => (
        <Link to={`/tickets/${x.id}`} data-testid="ticket-link">
          {x.number}
        </Link>
      ),
    },
    {
      key: 'subject',
      title: t('tickets.fields.subject'),
      render: (_: unknown, x: Ticket) => <Link to={`/tickets/${x.id}`}>{x.subject}</Link>,
    },
    {
      key: 'customer',
      title: t('tickets.fields.customer_id'),
      render: (_: unknown, x: Ticket) => (x.customer_id ? <CustomerName id={x.customer_id} /> : '—'),
    },
    { key: 'priority', title: t('tickets.fields.priority'), render: (_: unknown, x: Ticket) => <PriorityTag priority={x.priority} /> },
    { key: 'status', title: t('tickets.fields.status'), render: (_: unknown, x: Ticket) => <TicketStatusTag status={x.status} /> },
    {
      key: 'owner_id',
      title: t('tickets.fields.owner_id'),
      render: (_: unknown, x: Ticket) =>
        x.owner_id ? (userName(x.owner_id) ?? '—') : <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>,
    },
    { key: 'sla', title: t('tickets.fields.sla'), render: (_: unknown, x: Ticket) => <SlaCountdown ticket={x} /> },
  ];

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));
  const activeFilters = TICKET_FILTERS.filter((k) => k !== 'sort' && filters[k]).length;
  const select = (key: 'status' | 'priority' | 'kind' | 'channel', values: readonly string[], width: number) => (
    <Select
      aria-label={t(`tickets.fields.${key}`)}
      placeholder={t(`tickets.fields.${key}`)}
      value={filters[key]}
      allowClear
      onChange={(v: string | undefined) => setFilter({ [key]: v })}
      options={values.map((v) => ({ value: v, label: t(`tickets.${key}.${v}` as 'tickets.status.new') }))}
      style={{ width }}
      data-testid={`filter-${key}`}
    />
  );

  return (
    <section aria-labelledby="tickets-title">
      <div className="page-header">
        <Typography.Title level={2} id="tickets-title">
          {t('tickets.title')}
        </Typography.Title>
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/tickets/new')} data-testid="new-ticket">
            {t('tickets.new')}
          </Button>
        )}
      </div>
      <div className="quick-filters" role="group" aria-label={t('tickets.view.label')}>
        {VIEWS.map((view) => (
          <Tag.CheckableTag
            key={view}
            checked={filters.view === view}
            onChange={() => setFilter(toggleView(filters, view))}
            data-testid={`view-${view}`}
            style={{ padding: '4px 10px', fontSize: 14 }}
          >
            {t(`tickets.view.${view}`)}
          </Tag.CheckableTag>
        ))}
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          key={filters.q ?? ''}
          aria-label={t('common.search')}
          placeholder={t('tickets.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => setFilter({ q: v.trim() || undefined })}
          style={{ width: 260 }}
          data-testid="ticket-search"
        />
        {select('status', TICKET_STATUSES, 130)}
        {select('priority', TICKET_PRIORITIES, 120)}
        {select('kind', TICKET_KINDS, 150)}
        {select('channel', TICKET_CHANNELS, 130)}
        <TreeSelect
          aria-label={t('tickets.fields.category_id')}
          placeholder={t('tickets.fields.category_id')}
          value={filters.category}
          allowClear
          treeData={tree}
          treeDefaultExpandAll
          onChange={(v: string | undefined) => setFilter({ category: v })}
          style={{ width: 180 }}
        />
        <Select
          aria-label={t('customer.sort.label')}
          value={filters.sort ?? (filters.view === 'breaching' ? 'created_at' : '-updated_at')}
          onChange={(v: string) => setFilter({ sort: v })}
          options={[
            { value: '-updated_at', label: t('customer.sort.updatedDesc') },
            { value: '-created_at', label: t('customer.sort.createdDesc') },
            { value: 'created_at', label: t('tickets.sort.oldestFirst') },
            { value: '-number', label: t('tickets.sort.numberDesc') },
          ]}
          style={{ width: 170 }}
        />
        {activeFilters > 0 && (
          <Button
            onClick={() => {
              clear();
              setSelected([]);
            }}
          >
            {t('common.clearFilters')}
          </Button>
        )}
      </div>
      {mayAssign && selected.length > 0 && (
        <BulkAssignBar
          selected={selected}
          userOptions={userOptions}
          assign={(id, owner) =>
            unwrap(api.POST('/api/v1/tickets/{ticket_id}/assign', { params: { path: { ticket_id: id } }, body: { owner_id: owner } }))
          }
          doneMessage={(count) => t('tickets.assigned', { count })}
          onDone={async () => {
            setSelected([]);
            await queryClient.invalidateQueries({ queryKey: ['tickets'] });
          }}
        />
      )}
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <CustomerNames ids={rows.flatMap((x) => (x.customer_id ? [x.customer_id] : []))}>
          <Table<Ticket>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={t('tickets.empty')} /> }}
            rowSelection={
              mayAssign
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys as string[]),
                    getCheckboxProps: (x: Ticket) => ({ 'aria-label': x.number }) as never,
                  }
                : undefined
            }
            data-testid="tickets-table"
          />
          <LoadMore query={query} shown={rows.length} />
        </CustomerNames>
      )}
    </section>
  );
}
