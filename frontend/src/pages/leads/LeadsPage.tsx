import { PlusOutlined } from '@ant-design/icons';
import { Button, InputNumber, Space, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { BulkAssignBar, useRowSelection } from '../../components/BulkAssignBar';
import {
  ClearFilters,
  FilterSelect,
  QuickFilters,
  SearchFilter,
  SortSelect,
  TagFilter,
  useCursorList,
  useUrlFilters,
} from '../../components/lists';
import { RecordTable, sortOrderOf } from '../../components/RecordTable';
import { useUserName, useUserOptions } from '../../directory';
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
import { DrillNotice } from '../../components/DrillNotice';

const PAGE = 50;
// a full row, not one of only some fields
const isLead = (l: object): l is Lead => 'name' in l;

export default function LeadsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, set, clear } = useUrlFilters(LEAD_FILTERS);
  const userName = useUserName();
  const userOptions = useUserOptions();
  const mayAssign = can(me, 'leads:assign');
  const selection = useRowSelection<Lead>(mayAssign, (l) => l.name);
  const mayCreate = can(me, 'leads:create');
  const sort = filters.sort ?? '-updated_at';

  function setFilter(changes: Parameters<typeof set>[0]) {
    set(changes);
    selection.clear();
  }

  const apiQuery = leadApiQuery(filters);
  const { query, rows } = useCursorList(
    ['leads', 'list', apiQuery],
    (cursor) => unwrap(api.GET('/api/v1/leads', { params: { query: { ...apiQuery, limit: PAGE, cursor } as never } })),
    isLead,
  );

  const columns: NonNullable<TableProps<Lead>['columns']> = [
    {
      key: 'name',
      title: t('leads.fields.name'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'name'),
      render: (_: unknown, l: Lead) => <Link to={`/leads/${l.id}`}>{l.name}</Link>,
    },
    { key: 'company', title: t('leads.fields.company'), dataIndex: 'company', render: (v: string | null) => v ?? '—' },
    { key: 'status', title: t('leads.fields.status'), render: (_: unknown, l: Lead) => <LeadStatusTag status={l.status} /> },
    {
      key: 'score',
      title: t('leads.fields.score'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'score'),
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
      sortOrder: sortOrderOf(sort, 'updated_at'),
      render: (v: string) => formatDate(v, i18n.language),
    },
  ];

  const activeFilters = LEAD_FILTERS.filter((k) => k !== 'sort' && filters[k]).length;

  return (
    <section aria-labelledby="leads-title">
      <div className="page-header">
        <Typography.Title level={2} id="leads-title">
          {t('leads.title')}
        </Typography.Title>
        <DrillNotice where={filters.where} onClear={() => set({ where: undefined })} />
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/leads/new')} data-testid="new-lead">
            {t('leads.new')}
          </Button>
        )}
      </div>
      {/* the queue is for those who hand leads out */}
      <QuickFilters
        label={t('leads.filter.quick')}
        items={QUICK_FILTERS.filter((quick) => quick !== 'queue' || mayAssign).map((quick) => ({
          key: quick,
          label: quick === 'mine' ? t('leads.filter.mine') : quick === 'queue' ? t('leads.filter.queue') : t(`leads.status.${quick}`),
          checked: quickActive(filters, quick),
          onToggle: () => setFilter(toggleQuick(filters, quick)),
          testId: `quick-${quick}`,
        }))}
      />
      <div className="toolbar" role="search">
        <SearchFilter
          key={filters.q ?? ''}
          value={filters.q}
          onSearch={(v) => setFilter({ q: v })}
          placeholder={t('leads.searchPlaceholder')}
          width={280}
          testId="lead-search"
        />
        <FilterSelect
          label={t('leads.fields.status')}
          value={filters.status}
          onChange={(v) => setFilter({ status: v })}
          options={LEAD_STATUSES.map((s) => ({ value: s, label: t(`leads.status.${s}`) }))}
          style={{ width: 140 }}
        />
        <FilterSelect
          label={t('leads.fields.source')}
          value={filters.source}
          onChange={(v) => setFilter({ source: v })}
          options={LEAD_SOURCES.map((s) => ({ value: s, label: t(`leads.source.${s}`) }))}
          style={{ width: 140 }}
        />
        <FilterSelect
          label={t('leads.fields.rating')}
          value={filters.rating}
          onChange={(v) => setFilter({ rating: v })}
          options={LEAD_RATINGS.map((s) => ({ value: s, label: t(`leads.rating.${s}`) }))}
          style={{ width: 110 }}
        />
        <FilterSelect
          label={t('leads.fields.owner_id')}
          value={filters.owner}
          onChange={(v) => setFilter({ owner: v })}
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
        <TagFilter key={`tag-${filters.tag ?? ''}`} value={filters.tag} onChange={(v) => setFilter({ tag: v })} width={120} />
        <SortSelect
          value={sort}
          onChange={(v) => setFilter({ sort: v })}
          extra={[
            { value: '-score', label: t('leads.sort.scoreDesc') },
            { value: 'score', label: t('leads.sort.scoreAsc') },
          ]}
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
          unwrap(api.POST('/api/v1/leads/{lead_id}/assign', { params: { path: { lead_id: id } }, body: { owner_id: owner } }))
        }
        doneMessage={(count) => t('leads.assigned', { count })}
        refresh={['leads']}
      />
      <RecordTable<Lead>
        query={query}
        rows={rows}
        columns={columns}
        empty={t('leads.empty')}
        rowSelection={selection.rowSelection}
        onSort={(v) => setFilter({ sort: v })}
        testId="leads-table"
      />
    </section>
  );
}
