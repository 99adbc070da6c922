// /marketing/channels: campaign figures per channel, campaign type or lead source over a period
// (campaigns by start date, leads by creation date), within the reader's ranges: a bar chart of
// leads, deals and won deals, and a table with money per currency, cost per lead and ROI.
// The period and grouping live in the URL.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Input, Select, Space, Table, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { formatMoney, moneyList, roiText, type ChannelRow } from './campaignStatsBits';

const FILTERS = ['from', 'to', 'group_by'] as const;
export const GROUPINGS = ['channel', 'campaign_type', 'source'] as const;
type Grouping = (typeof GROUPINGS)[number];

/** A group's name: a campaign type or lead source in the reader's language, a channel as typed. */
export function labelOf(t: TFunction, groupBy: Grouping, key: string | null): string {
  if (key === null) return t('campaignStats.none');
  if (groupBy === 'campaign_type') return t(`campaignStats.type.${key}`, { defaultValue: key });
  if (groupBy === 'source') return t(`leads.source.${key}`, { defaultValue: key });
  return key;
}

export default function ChannelAnalysisPage() {
  const { t, i18n } = useTranslation();
  const { filters, set, clear } = useUrlFilters(FILTERS);
  const groupBy: Grouping = GROUPINGS.includes(filters.group_by as Grouping) ? (filters.group_by as Grouping) : 'channel';
  const query = { group_by: groupBy, from: filters.from || undefined, to: filters.to || undefined };
  const analysis = useQuery({
    queryKey: ['campaigns', 'analysis', query],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/analysis/channels', { params: { query } })),
  });
  const label = (key: string | null) => labelOf(t, groupBy, key);
  const rows = analysis.data?.items ?? [];
  const chart: EChartsOption = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { data: [t('campaignStats.leads'), t('campaignStats.deals'), t('campaignStats.wonDealsTitle')] },
      xAxis: { type: 'category', data: rows.map((r) => labelOf(t, groupBy, r.key)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('campaignStats.leads'), type: 'bar', data: rows.map((r) => r.leads?.first_touch ?? 0) },
        { name: t('campaignStats.deals'), type: 'bar', data: rows.map((r) => r.deals?.first_touch ?? 0) },
        { name: t('campaignStats.wonDealsTitle'), type: 'bar', data: rows.map((r) => r.won_deals?.first_touch ?? 0) },
      ],
    }),
    [rows, t, groupBy],
  );
  const locale = i18n.language;
  return (
    <div>
      <Typography.Title level={2}>{t('campaignStats.channelsTitle')}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input
          type="date"
          aria-label={t('campaignStats.from')}
          value={filters.from ?? ''}
          onChange={(e) => set({ from: e.target.value || undefined })}
        />
        <Input
          type="date"
          aria-label={t('campaignStats.to')}
          value={filters.to ?? ''}
          onChange={(e) => set({ to: e.target.value || undefined })}
        />
        <Select
          style={{ width: 180 }}
          aria-label={t('campaignStats.groupBy')}
          value={groupBy}
          onChange={(v) => set({ group_by: v })}
          options={GROUPINGS.map((g) => ({ value: g, label: t(`campaignStats.grouping.${g}`) }))}
          data-testid="channel-group-by"
        />
        <Button onClick={clear}>{t('common.clearFilters')}</Button>
      </Space>
      <Typography.Paragraph type="secondary">{t(`campaignStats.periodHelp.${groupBy}`)}</Typography.Paragraph>
      {analysis.isError ? (
        <ErrorState error={analysis.error} onRetry={() => void analysis.refetch()} />
      ) : analysis.isLoading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState description={t('campaignStats.empty')} />
      ) : (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Chart option={chart} height={320} ariaLabel={t('campaignStats.channelsTitle')} data-testid="channels-chart" />
          </Card>
          <Table<ChannelRow>
            rowKey={(r) => r.key ?? 'none'}
            size="small"
            pagination={false}
            dataSource={rows}
            data-testid="channels-table"
            scroll={{ x: true }}
            columns={[
              { key: 'key', title: t(`campaignStats.grouping.${groupBy}`), render: (_: unknown, r) => label(r.key) },
              ...(groupBy === 'source'
                ? []
                : [
                    { key: 'campaigns', title: t('campaignStats.campaigns'), render: (_: unknown, r: ChannelRow) => r.campaigns },
                    { key: 'members', title: t('campaignStats.members'), render: (_: unknown, r: ChannelRow) => r.members.total },
                    { key: 'attended', title: t('campaignStats.attended'), render: (_: unknown, r: ChannelRow) => r.attended },
                  ]),
              { key: 'leads', title: t('campaignStats.leads'), render: (_: unknown, r) => r.leads?.first_touch ?? '—' },
              { key: 'converted', title: t('campaignStats.converted'), render: (_: unknown, r) => r.converted_leads?.first_touch ?? '—' },
              { key: 'deals', title: t('campaignStats.deals'), render: (_: unknown, r) => r.deals?.first_touch ?? '—' },
              {
                key: 'won',
                title: t('campaignStats.won'),
                render: (_: unknown, r) => (r.won ? moneyList(r.won.first_touch, locale) : '—'),
              },
              {
                key: 'cpl',
                title: t('campaignStats.costPerLead'),
                render: (_: unknown, r) => (r.cost_per_lead ? formatMoney(r.cost_per_lead, locale) : '—'),
              },
              { key: 'roi', title: t('campaignStats.roi'), render: (_: unknown, r) => roiText(r.roi?.first_touch) },
            ]}
          />
        </>
      )}
    </div>
  );
}
