// /campaigns: the campaigns in the caller's range as a filtered list, or as a month calendar
// (each campaign on the days from its start to its end); marketers create them here.
import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Calendar, Segmented, Tag, Typography, type TableProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { ClearFilters, FilterSelect, SearchFilter, SortSelect, TagFilter, useCursorList, useUrlFilters } from '../../components/lists';
import { RecordTable, sortOrderOf } from '../../components/RecordTable';
import { ErrorState } from '../../components/states';
import { useUserName } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';
import { CampaignStatusTag, CampaignTypeLabel, formatMoney } from './campaignBits';
import { CampaignFormDialog } from './CampaignForm';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, campaignsOn, isoDay, monthRange, type Campaign } from './campaignLogic';

const PAGE = 50;
const FILTERS = ['q', 'status', 'campaign_type', 'tag', 'owner', 'sort', 'view'] as const;
const isCampaign = (c: object): c is Campaign => 'name' in c;

export default function CampaignsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, set, clear } = useUrlFilters(FILTERS);
  const [creating, setCreating] = useState(false);
  const mayCreate = can(me, 'campaigns:create');
  const view = filters.view === 'calendar' ? 'calendar' : 'list';
  const sort = filters.sort ?? '-updated_at';
  const apiQuery = {
    q: filters.q,
    status: filters.status,
    campaign_type: filters.campaign_type,
    tag: filters.tag,
    owner: filters.owner,
    sort: filters.sort,
  };
  const active = FILTERS.filter((k) => k !== 'sort' && k !== 'view' && filters[k]).length > 0;

  return (
    <section aria-labelledby="campaigns-title">
      <div className="page-header">
        <Typography.Title level={2} id="campaigns-title">
          {t('campaigns.title')}
        </Typography.Title>
        {mayCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-campaign">
            {t('campaigns.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <Segmented
          value={view}
          onChange={(v) => set({ view: v === 'calendar' ? 'calendar' : undefined })}
          options={[
            { value: 'list', label: t('campaigns.view.list') },
            { value: 'calendar', label: t('campaigns.view.calendar') },
          ]}
          data-testid="campaign-view"
        />
        <SearchFilter
          key={filters.q ?? ''}
          value={filters.q}
          onSearch={(v) => set({ q: v })}
          placeholder={t('campaigns.searchPlaceholder')}
          width={240}
          testId="campaign-search"
        />
        <FilterSelect
          label={t('campaigns.fields.status')}
          value={filters.status}
          onChange={(v) => set({ status: v })}
          options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaigns.status.${s}`) }))}
          style={{ width: 130 }}
        />
        <FilterSelect
          label={t('campaigns.fields.campaign_type')}
          value={filters.campaign_type}
          onChange={(v) => set({ campaign_type: v })}
          options={CAMPAIGN_TYPES.map((s) => ({ value: s, label: t(`campaigns.type.${s}`) }))}
          style={{ width: 150 }}
        />
        <FilterSelect
          label={t('campaigns.fields.owner_id')}
          value={filters.owner}
          onChange={(v) => set({ owner: v })}
          options={[{ value: 'me', label: t('common.me') }]}
          style={{ width: 110 }}
        />
        <TagFilter key={filters.tag ?? ''} value={filters.tag} onChange={(v) => set({ tag: v })} width={130} />
        {view === 'list' && <SortSelect value={sort} onChange={(v) => set({ sort: v })} />}
        <ClearFilters active={active} onClear={clear} />
      </div>
      {view === 'list' ? (
        <CampaignTable apiQuery={apiQuery} sort={sort} onSort={(v) => set({ sort: v })} />
      ) : (
        <CampaignCalendar apiQuery={apiQuery} />
      )}
      <CampaignFormDialog
        open={creating}
        mayAssign={can(me, 'campaigns:assign')}
        onClose={() => setCreating(false)}
        onSaved={(c) => {
          setCreating(false);
          navigate(`/campaigns/${c.id}`);
        }}
      />
    </section>
  );
}

type ApiQuery = Record<string, string | undefined>;

function CampaignTable({ apiQuery, sort, onSort }: { apiQuery: ApiQuery; sort: string; onSort: (sort: string | undefined) => void }) {
  const { t, i18n } = useTranslation();
  const userName = useUserName();
  const { query, rows } = useCursorList(
    ['campaigns', 'list', apiQuery],
    (cursor) => unwrap(api.GET('/api/v1/campaigns', { params: { query: { ...apiQuery, limit: PAGE, cursor } as never } })),
    isCampaign,
  );
  const columns: NonNullable<TableProps<Campaign>['columns']> = [
    {
      key: 'name',
      title: t('campaigns.fields.name'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'name'),
      render: (_: unknown, c: Campaign) => <Link to={`/campaigns/${c.id}`}>{c.name}</Link>,
    },
    {
      key: 'type',
      title: t('campaigns.fields.campaign_type'),
      render: (_: unknown, c: Campaign) => <CampaignTypeLabel type={c.campaign_type} />,
    },
    { key: 'status', title: t('campaigns.fields.status'), render: (_: unknown, c: Campaign) => <CampaignStatusTag status={c.status} /> },
    { key: 'channel', title: t('campaigns.fields.channel'), render: (_: unknown, c: Campaign) => c.channel ?? '—' },
    {
      key: 'dates',
      title: t('campaigns.fields.dates'),
      render: (_: unknown, c: Campaign) =>
        c.starts_on ? `${c.starts_on}${c.ends_on && c.ends_on !== c.starts_on ? ` – ${c.ends_on}` : ''}` : '—',
    },
    {
      key: 'budget',
      title: t('campaigns.fields.budget'),
      render: (_: unknown, c: Campaign) => formatMoney(c.budget, c.currency, i18n.language),
    },
    { key: 'owner', title: t('campaigns.fields.owner_id'), render: (_: unknown, c: Campaign) => userName(c.owner_id) ?? '—' },
    {
      key: 'tags',
      title: t('campaigns.fields.tags'),
      render: (_: unknown, c: Campaign) => c.tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
    {
      key: 'updated_at',
      title: t('campaigns.fields.updated_at'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'updated_at'),
      render: (_: unknown, c: Campaign) => formatDate(c.updated_at, i18n.language),
    },
  ];
  return <RecordTable query={query} rows={rows} columns={columns} empty={t('campaigns.empty')} onSort={onSort} testId="campaigns-table" />;
}

/** The month on antd's Calendar: the campaigns starting in or before it (up to 200), each shown on
 * the days it runs. */
function CampaignCalendar({ apiQuery }: { apiQuery: ApiQuery }) {
  const { t } = useTranslation();
  const [month, setMonth] = useState<Dayjs>(dayjs());
  const { from, to } = monthRange(month.year(), month.month());
  const list = useQuery({
    queryKey: ['campaigns', 'calendar', apiQuery, from],
    // a campaign that started earlier may still run this month: fetch from a quarter back
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/campaigns', {
          params: {
            query: { ...apiQuery, starts_from: dayjs(from).subtract(3, 'month').format('YYYY-MM-DD'), starts_to: to, limit: 200 } as never,
          },
        }),
      ),
  });
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const campaigns = (list.data?.items ?? []).filter(isCampaign);
  return (
    <div data-testid="campaign-calendar">
      <Calendar
        value={month}
        onPanelChange={(value) => setMonth(value)}
        onSelect={(value, info) => info.source !== 'date' && setMonth(value)}
        cellRender={(date, info) => {
          if (info.type !== 'date') return info.originNode;
          const on = campaignsOn(campaigns, isoDay(date.toDate()));
          return (
            <ul className="campaign-calendar-cell" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {on.slice(0, 3).map((c) => (
                <li key={c.id}>
                  <Link to={`/campaigns/${c.id}`} title={c.name}>
                    <Badge status={c.status === 'running' ? 'processing' : c.status === 'cancelled' ? 'error' : 'default'} text={c.name} />
                  </Link>
                </li>
              ))}
              {on.length > 3 && (
                <li>
                  <Typography.Text type="secondary">{t('campaigns.calendarMore', { count: on.length - 3 })}</Typography.Text>
                </li>
              )}
            </ul>
          );
        }}
      />
    </div>
  );
}
