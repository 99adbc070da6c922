import { PlusOutlined } from '@ant-design/icons';
import { Button, Input, Space, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { ClearFilters, FilterSelect, SearchFilter, SortSelect, useCursorList, useUrlFilters } from '../components/lists';
import { RecordTable } from '../components/RecordTable';
import { useUserName, useUserOptions } from '../directory';
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
import { DrillNotice } from '../components/DrillNotice';
import { DRILL_FILTERS } from './analytics/salesDrill';

const PAGE = 50;
// The drill-down filters come from an analysis figure's link (pages/analytics) or a report
// (`where`), never typed here.
const FILTERS = [
  ...(['q', 'owner', 'pipeline', 'stage', 'category', 'from', 'to', 'sort', 'where'] as const),
  ...DRILL_FILTERS,
  ...(['won_reason', 'lost_reason'] as const),
] as const;
type Status = 'open' | 'won' | 'lost' | 'closed';
// a full row, not one of only some fields
const isOpportunity = (o: object): o is Opportunity => 'name' in o;

export default function OpportunitiesPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, setFilter, clear } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const userName = useUserName();
  const userOptions = useUserOptions();
  const pipelines = usePipelines();
  const stages = useStageIndex();

  const { query, rows } = useCursorList(
    ['opportunities', 'list', filters],
    (cursor) =>
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
              where: filters.where,
              department: filters.department,
              status: filters.status as Status | undefined,
              created_from: filters.created_from,
              created_to: filters.created_to,
              closed_from: filters.closed_from,
              closed_to: filters.closed_to,
              source: filters.source,
              campaign: filters.campaign,
              region: filters.region,
              customer_level: filters.customer_level,
              customer_type: filters.customer_type,
              product: filters.product,
              reached_stage: filters.reached_stage,
              furthest_stage: filters.furthest_stage,
              passed_stage: filters.passed_stage,
              won_reason: filters.won_reason,
              lost_reason: filters.lost_reason,
              sort,
              limit: PAGE,
              cursor,
            },
          },
        }),
      ),
    isOpportunity,
  );

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
  const active = FILTERS.some((k) => k !== 'sort' && filters[k]);
  const drilled = DRILL_FILTERS.some((k) => filters[k]);

  return (
    <section aria-labelledby="opportunities-title">
      <div className="page-header">
        <Typography.Title level={2} id="opportunities-title">
          {t('opportunities.title')}
        </Typography.Title>
        <DrillNotice where={filters.where} onClear={() => setFilter('where', undefined)} />
        {can(me, 'opportunities:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/opportunities/new')}>
            {t('opportunities.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <SearchFilter
          value={filters.q}
          onSearch={(v) => setFilter('q', v)}
          placeholder={t('opportunities.searchPlaceholder')}
          width={280}
          testId="opportunity-search"
        />
        <FilterSelect
          label={t('opportunities.fields.owner_id')}
          value={filters.owner}
          onChange={(v) => setFilter('owner', v)}
          options={[{ value: 'me', label: t('opportunities.mine') }, ...userOptions]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 200 }}
        />
        <FilterSelect
          label={t('opportunities.fields.pipeline_id')}
          value={filters.pipeline}
          onChange={(v) => setFilter('pipeline', v)}
          options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        <FilterSelect
          label={t('opportunities.fields.stage_id')}
          value={filters.stage}
          onChange={(v) => setFilter('stage', v)}
          options={stageOptions}
          style={{ width: 220 }}
        />
        <FilterSelect
          label={t('opportunities.fields.forecast_category')}
          value={filters.category}
          onChange={(v) => setFilter('category', v)}
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
        <ClearFilters active={active} onClear={clear} />
      </div>
      {drilled && (
        <Tag
          color="blue"
          closable
          onClose={clear}
          closeIcon={<span aria-label={t('salesAnalysis.clearDrill')}>×</span>}
          data-testid="drill-filter"
        >
          {t('salesAnalysis.drilled')}
        </Tag>
      )}
      <RecordTable<Opportunity>
        query={query}
        rows={rows}
        columns={columns}
        empty={t('opportunities.empty')}
        testId="opportunities-table"
        wrap={(content) => <CustomerNames ids={rows.map((o) => o.customer_id)}>{content}</CustomerNames>}
      />
    </section>
  );
}
