import { useMemo, useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, InputNumber, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { BulkAssignBar } from '../../components/BulkAssignBar';
import { LoadMore, SortSelect, useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState } from '../../components/states';
import { useUserName, useUsers } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';
import { LeadStatusTag, RatingTag, ScoreBadge, type Lead } from './leadBits';
import {
  LEAD_FILTERS,
  LEAD_RATINGS,
  LEAD_SOURCES,
  LEAD_STATUSES,
  leadApiQuery,
  QUICK_FILTERS,
  quickActive,
  toggleQuick,
} from './leadFilters';

const PAGE = 50;

export default function LeadsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { filters, set, clear } = useUrlFilters(LEAD_FILTERS);
  const [selected, setSelected] = useState<string[]>([]);
  const users = useUsers();
  const userName = useUserName();
  const mayAssign = can(me, 'leads:assign');
  const mayCreate = can(me, 'leads:create');
  const sort = filters.sort ?? '-updated_at';

  function setFilter(changes: Parameters<typeof set>[0]) {
    set(changes);
    setSelected([]);
  }

  const apiQuery = leadApiQuery(filters);
  const query = useInfiniteQuery({
    queryKey: ['leads', 'list', apiQuery],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/leads', { params: { query: { ...apiQuery, limit: PAGE, cursor: pageParam } as never } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter((l): l is Lead => 'name' in l), [query.data]);

  const sorted = (key: string) => (sort === key ? 'ascend' : sort === `-${key}` ? 'descend' : null);
  const columns: NonNullable<TableProps<Lead>['columns']> = [
    {
      key: 'name',
      title: t('leads.fields.name'),
      sorter: true,
      sortOrder: sorted('name'),
      render: (_: unknown, l: Lead) => <Link to={`/leads/${l.id}`}>{l.name}</Link>,
    },
    { key: 'company', title: t('leads.fields.company'), dataIndex: 'company', render: (v: string | null) => v ?? '—' },
    { key: 'status', title: t('leads.fields.status'), render: (_: unknown, l: Lead) => <LeadStatusTag status={l.status} /> },
    {
      key: 'score',
      title: t('leads.fields.score'),
      sorter: true,
      sortOrder: sorted('score'),
      render: (_: unknown, l: Lead) => <ScoreBadge score={l.score} />,
    },
    { key: 'rating', title: t('leads.fields.rating'), render: (_: unknown, l: Lead) => <RatingTag rating={l.rating} /> },
    { key: 'source', title: t('leads.fields.source'), render: (_: unknown, l: Lead) => t(`leads.source.${l.source}`) },
    {
      key: 'owner_id',
      title: t('leads.fields.owner_id'),
      render: (_: unknown, l: Lead) =>
        l.owner_id ? (userName(l.owner_id) ?? '—') : <Typography.Text type="secondary">{t('leads.unassigned')}</Typography.Text>,
    },
    { key: 'tags', title: t('leads.fields.tags'), render: (_: unknown, l: Lead) => l.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) },
    {
      key: 'updated_at',
      title: t('leads.fields.updated_at'),
      dataIndex: 'updated_at',
      sorter: true,
      sortOrder: sorted('updated_at'),
      render: (v: string) => formatDate(v, i18n.language),
    },
  ];

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));
  const activeFilters = LEAD_FILTERS.filter((k) => k !== 'sort' && filters[k]).length;

  return (
    <section aria-labelledby="leads-title">
      <div className="page-header">
        <Typography.Title level={2} id="leads-title">
          {t('leads.title')}
        </Typography.Title>
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/leads/new')} data-testid="new-lead">
            {t('leads.new')}
          </Button>
        )}
      </div>
      <div className="quick-filters" role="group" aria-label={t('leads.filter.quick')}>
        {/* the queue is for those who hand leads out */}
        {QUICK_FILTERS.filter((quick) => quick !== 'queue' || mayAssign).map((quick) => (
          <Tag.CheckableTag
            key={quick}
            checked={quickActive(filters, quick)}
            onChange={() => setFilter(toggleQuick(filters, quick))}
            data-testid={`quick-${quick}`}
            style={{ padding: '4px 10px', fontSize: 14 }}
          >
            {quick === 'mine' ? t('leads.filter.mine') : quick === 'queue' ? t('leads.filter.queue') : t(`leads.status.${quick}`)}
          </Tag.CheckableTag>
        ))}
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          key={filters.q ?? ''}
          aria-label={t('common.search')}
          placeholder={t('leads.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => setFilter({ q: v.trim() || undefined })}
          style={{ width: 280 }}
          data-testid="lead-search"
        />
        <Select
          aria-label={t('leads.fields.status')}
          placeholder={t('leads.fields.status')}
          value={filters.status}
          allowClear
          onChange={(v: string | undefined) => setFilter({ status: v })}
          options={LEAD_STATUSES.map((s) => ({ value: s, label: t(`leads.status.${s}`) }))}
          style={{ width: 140 }}
        />
        <Select
          aria-label={t('leads.fields.source')}
          placeholder={t('leads.fields.source')}
          value={filters.source}
          allowClear
          onChange={(v: string | undefined) => setFilter({ source: v })}
          options={LEAD_SOURCES.map((s) => ({ value: s, label: t(`leads.source.${s}`) }))}
          style={{ width: 140 }}
        />
        <Select
          aria-label={t('leads.fields.rating')}
          placeholder={t('leads.fields.rating')}
          value={filters.rating}
          allowClear
          onChange={(v: string | undefined) => setFilter({ rating: v })}
          options={LEAD_RATINGS.map((s) => ({ value: s, label: t(`leads.rating.${s}`) }))}
          style={{ width: 110 }}
        />
        <Select
          aria-label={t('leads.fields.owner_id')}
          placeholder={t('leads.fields.owner_id')}
          value={filters.owner}
          allowClear
          onChange={(v: string | undefined) => setFilter({ owner: v })}
          options={[{ value: 'me', label: t('leads.filter.mine') }, { value: 'none', label: t('leads.filter.queue') }, ...userOptions]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 180 }}
        />
        <Space.Compact>
          <InputNumber
            key={`min-${filters.smin ?? ''}`}
            aria-label={t('leads.filter.scoreMin')}
            placeholder={t('leads.filter.scoreMin')}
            defaultValue={filters.smin === undefined ? undefined : Number(filters.smin)}
            precision={0}
            onBlur={(e) => setFilter({ smin: e.target.value.trim() || undefined })}
            onPressEnter={(e) => setFilter({ smin: (e.target as HTMLInputElement).value.trim() || undefined })}
            style={{ width: 110 }}
            data-testid="score-min"
          />
          <InputNumber
            key={`max-${filters.smax ?? ''}`}
            aria-label={t('leads.filter.scoreMax')}
            placeholder={t('leads.filter.scoreMax')}
            defaultValue={filters.smax === undefined ? undefined : Number(filters.smax)}
            precision={0}
            onBlur={(e) => setFilter({ smax: e.target.value.trim() || undefined })}
            onPressEnter={(e) => setFilter({ smax: (e.target as HTMLInputElement).value.trim() || undefined })}
            style={{ width: 110 }}
            data-testid="score-max"
          />
        </Space.Compact>
        <Input
          key={`tag-${filters.tag ?? ''}`}
          aria-label={t('customer.filter.tag')}
          placeholder={t('customer.filter.tag')}
          defaultValue={filters.tag}
          allowClear
          onPressEnter={(e) => setFilter({ tag: (e.target as HTMLInputElement).value.trim() || undefined })}
          onBlur={(e) => setFilter({ tag: e.target.value.trim() || undefined })}
          style={{ width: 120 }}
        />
        <SortSelect
          value={sort}
          onChange={(v) => setFilter({ sort: v })}
          extra={[
            { value: '-score', label: t('leads.sort.scoreDesc') },
            { value: 'score', label: t('leads.sort.scoreAsc') },
          ]}
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
            unwrap(api.POST('/api/v1/leads/{lead_id}/assign', { params: { path: { lead_id: id } }, body: { owner_id: owner } }))
          }
          doneMessage={(count) => t('leads.assigned', { count })}
          onDone={async () => {
            setSelected([]);
            await queryClient.invalidateQueries({ queryKey: ['leads'] });
          }}
        />
      )}
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Lead>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={t('leads.empty')} /> }}
            rowSelection={
              mayAssign
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys as string[]),
                    getCheckboxProps: (l: Lead) => ({ 'aria-label': l.name }) as never,
                  }
                : undefined
            }
            onChange={(_p, _f, sorter) => {
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              if (!s?.order || !s.columnKey) setFilter({ sort: undefined });
              else setFilter({ sort: `${s.order === 'descend' ? '-' : ''}${String(s.columnKey)}` });
            }}
            data-testid="leads-table"
          />
          <LoadMore query={query} shown={rows.length} />
        </>
      )}
    </section>
  );
}
