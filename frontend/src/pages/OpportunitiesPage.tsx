import { useMemo } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Input, Select, Space, Table, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { LoadMore, SortSelect, useUrlFilters } from '../components/lists';
import { EmptyState, ErrorState } from '../components/states';
import { useUserName, useUsers } from '../directory';
import { can } from '../permissions';
import {
  CATEGORIES,
  CategoryTag,
  CustomerName,
  CustomerNames,
  formatDay,
  StageTag,
  usePipelines,
  useStageIndex,
  type Category,
} from './salesBits';
import { formatMoney, type Opportunity } from './salesLogic';

const PAGE = 50;
const FILTERS = ['q', 'owner', 'pipeline', 'stage', 'category', 'from', 'to', 'sort'] as const;

export default function OpportunitiesPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, setFilter, clear } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const users = useUsers();
  const userName = useUserName();
  const pipelines = usePipelines();
  const stages = useStageIndex();

  const query = useInfiniteQuery({
    queryKey: ['opportunities', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/opportunities', {
          params: {
            query: {
              q: filters.q,
              owner: filters.owner,
              pipeline: filters.pipeline,
              stage: filters.stage,
              forecast_category: filters.category as Category | undefined,
              close_from: filters.from,
              close_to: filters.to,
              sort,
              limit: PAGE,
              cursor: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter((o): o is Opportunity => 'name' in o), [query.data]);

  const stageOptions = (pipelines.data ?? [])
    .filter((p) => !filters.pipeline || p.id === filters.pipeline)
    .flatMap((p) => p.stages.map((s) => ({ value: s.id, label: filters.pipeline ? s.name : `${p.name} · ${s.name}` })));

  const columns: NonNullable<TableProps<Opportunity>['columns']> = [
    {
      key: 'name',
      title: t('opportunities.fields.name'),
      render: (_: unknown, o: Opportunity) => <Link to={`/opportunities/${o.id}`}>{o.name}</Link>,
    },
    {
      key: 'customer',
      title: t('opportunities.fields.customer_id'),
      render: (_: unknown, o: Opportunity) => <CustomerName id={o.customer_id} />,
    },
    {
      key: 'stage',
      title: t('opportunities.fields.stage_id'),
      render: (_: unknown, o: Opportunity) => {
        const s = stages.get(o.stage_id);
        return s ? <StageTag name={s.name} kind={s.kind} /> : '—';
      },
    },
    {
      key: 'amount',
      title: t('opportunities.fields.amount'),
      align: 'right',
      render: (_: unknown, o: Opportunity) => formatMoney(o.amount, o.currency, i18n.language),
    },
    { key: 'probability', title: t('opportunities.fields.probability'), align: 'right', dataIndex: 'probability' },
    {
      key: 'category',
      title: t('opportunities.fields.forecast_category'),
      render: (_: unknown, o: Opportunity) => <CategoryTag category={o.forecast_category} />,
    },
    {
      key: 'close',
      title: t('opportunities.fields.expected_close_date'),
      render: (_: unknown, o: Opportunity) => formatDay(o.expected_close_date, i18n.language),
    },
    { key: 'owner', title: t('opportunities.fields.owner_id'), render: (_: unknown, o: Opportunity) => userName(o.owner_id) ?? '—' },
  ];
  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));
  const active = FILTERS.some((k) => k !== 'sort' && filters[k]);

  return (
    <section aria-labelledby="opportunities-title">
      <div className="page-header">
        <Typography.Title level={2} id="opportunities-title">
          {t('opportunities.title')}
        </Typography.Title>
        {can(me, 'opportunities:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/opportunities/new')}>
            {t('opportunities.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          aria-label={t('common.search')}
          placeholder={t('opportunities.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => setFilter('q', v.trim() || undefined)}
          style={{ width: 280 }}
          data-testid="opportunity-search"
        />
        <Select
          aria-label={t('opportunities.fields.owner_id')}
          placeholder={t('opportunities.fields.owner_id')}
          value={filters.owner}
          allowClear
          onChange={(v: string | undefined) => setFilter('owner', v)}
          options={[{ value: 'me', label: t('opportunities.mine') }, ...userOptions]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 200 }}
        />
        <Select
          aria-label={t('opportunities.fields.pipeline_id')}
          placeholder={t('opportunities.fields.pipeline_id')}
          value={filters.pipeline}
          allowClear
          onChange={(v: string | undefined) => {
            setFilter('pipeline', v);
          }}
          options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        <Select
          aria-label={t('opportunities.fields.stage_id')}
          placeholder={t('opportunities.fields.stage_id')}
          value={filters.stage}
          allowClear
          onChange={(v: string | undefined) => setFilter('stage', v)}
          options={stageOptions}
          style={{ width: 220 }}
        />
        <Select
          aria-label={t('opportunities.fields.forecast_category')}
          placeholder={t('opportunities.fields.forecast_category')}
          value={filters.category}
          allowClear
          onChange={(v: string | undefined) => setFilter('category', v)}
          options={CATEGORIES.map((c) => ({ value: c, label: t(`opportunities.category.${c}`) }))}
        />
        <Space.Compact>
          <Input
            type="date"
            aria-label={`${t('opportunities.closeRange')} ≥`}
            value={filters.from ?? ''}
            onChange={(e) => setFilter('from', e.target.value || undefined)}
            style={{ width: 150 }}
          />
          <Input
            type="date"
            aria-label={`${t('opportunities.closeRange')} <`}
            value={filters.to ?? ''}
            onChange={(e) => setFilter('to', e.target.value || undefined)}
            style={{ width: 150 }}
          />
        </Space.Compact>
        <SortSelect
          value={sort}
          onChange={(v) => setFilter('sort', v)}
          extra={[
            { value: '-amount', label: t('opportunities.sort.amountDesc') },
            { value: 'expected_close_date', label: t('opportunities.sort.closeAsc') },
          ]}
        />
        {active && <Button onClick={clear}>{t('common.clearFilters')}</Button>}
      </div>
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <CustomerNames ids={rows.map((o) => o.customer_id)}>
          <Table<Opportunity>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={t('opportunities.empty')} /> }}
            data-testid="opportunities-table"
          />
          <LoadMore query={query} shown={rows.length} />
        </CustomerNames>
      )}
    </section>
  );
}
