import { useMemo } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { Button, Select, TreeSelect, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { BulkAssignBar, useRowSelection } from '../../components/BulkAssignBar';
import { ClearFilters, FilterSelect, QuickFilters, SearchFilter, useCursorList, useUrlFilters } from '../../components/lists';
import { RecordTable } from '../../components/RecordTable';
import { useUserName } from '../../directory';
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
import { DrillNotice } from '../../components/DrillNotice';

const PAGE = 50;
// a full row, not one of only some fields
const isTicket = (x: object): x is Ticket => 'number' in x;

export default function TicketsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, set, clear } = useUrlFilters(TICKET_FILTERS);
  const userName = useUserName();
  const categories = useCategories();
  const mayAssign = can(me, 'tickets:assign');
  const selection = useRowSelection<Ticket>(mayAssign, (x) => x.number);
  const mayCreate = can(me, 'tickets:create');

  function setFilter(changes: Parameters<typeof set>[0]) {
    set(changes);
    selection.clear();
  }

  const apiQuery = ticketApiQuery(filters, { departmentId: me.user.department_id, now: Date.now() });
  const { query, rows } = useCursorList(
    ['tickets', 'list', apiQuery],
    (cursor) => unwrap(api.GET('/api/v1/tickets', { params: { query: { ...apiQuery, limit: PAGE, cursor } as never } })),
    isTicket,
  );
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

  const activeFilters = TICKET_FILTERS.filter((k) => k !== 'sort' && filters[k]).length;
  const select = (key: 'status' | 'priority' | 'kind' | 'channel', values: readonly string[], width: number) => (
    <FilterSelect
      label={t(`tickets.fields.${key}`)}
      value={filters[key]}
      onChange={(v) => setFilter({ [key]: v })}
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
        <DrillNotice where={filters.where} onClear={() => set({ where: undefined })} />
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/tickets/new')} data-testid="new-ticket">
            {t('tickets.new')}
          </Button>
        )}
      </div>
      <QuickFilters
        label={t('tickets.view.label')}
        items={VIEWS.map((view) => ({
          key: view,
          label: t(`tickets.view.${view}`),
          checked: filters.view === view,
          onToggle: () => setFilter(toggleView(filters, view)),
          testId: `view-${view}`,
        }))}
      />
      <div className="toolbar" role="search">
        <SearchFilter
          key={filters.q ?? ''}
          value={filters.q}
          onSearch={(v) => setFilter({ q: v })}
          placeholder={t('tickets.searchPlaceholder')}
          width={260}
          testId="ticket-search"
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
        <ClearFilters
          active={activeFilters > 0}
          onClear={() => {
            clear();
            selection.clear();
          }}
        />
      </div>
      <BulkAssignBar
        selection={selection}
        assign={(id, owner) =>
          unwrap(api.POST('/api/v1/tickets/{ticket_id}/assign', { params: { path: { ticket_id: id } }, body: { owner_id: owner } }))
        }
        doneMessage={(count) => t('tickets.assigned', { count })}
        refresh={['tickets']}
      />
      <RecordTable<Ticket>
        query={query}
        rows={rows}
        columns={columns}
        empty={t('tickets.empty')}
        rowSelection={selection.rowSelection}
        testId="tickets-table"
        wrap={(content) => <CustomerNames ids={rows.flatMap((x) => (x.customer_id ? [x.customer_id] : []))}>{content}</CustomerNames>}
      />
    </section>
  );
}
