// The members funnel (ECharts bars): for each step, the members who reached it or went further;
// bounced and unsubscribed apart. Counts within the caller's contacts/leads range.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { funnelBars, type Campaign, type MemberStatus } from './campaignLogic';

export function FunnelPanel({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const funnel = useQuery({
    queryKey: ['campaigns', 'members', campaign.id, 'funnel'],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}/members/funnel', { params: { path: { campaign_id: campaign.id } } })),
  });
  const bars = useMemo(() => funnelBars((funnel.data?.counts ?? {}) as Partial<Record<MemberStatus, number>>), [funnel.data]);
  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 40, top: 10, bottom: 20 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: bars.map((b) => t(`campaigns.memberStatus.${b.status}`)) },
      series: [
        {
          type: 'bar',
          name: t('campaigns.funnel.reached'),
          data: bars.map((b) => ({
            value: b.count,
            itemStyle: { color: ['bounced', 'unsubscribed'].includes(b.status) ? '#cf1322' : '#1668dc' },
          })),
          label: { show: true, position: 'right' },
        },
      ],
    }),
    [bars, t],
  );
  if (funnel.isLoading) return <Loading />;
  if (funnel.isError) return <ErrorState error={funnel.error} onRetry={() => void funnel.refetch()} />;
  const total = funnel.data?.total ?? 0;
  return (
    <div data-testid="funnel-panel">
      <Typography.Title level={4}>{t('campaigns.funnel.title')}</Typography.Title>
      <Typography.Paragraph type="secondary" data-testid="funnel-total">
        {t('campaigns.funnel.total', { count: total })} · {t('campaigns.funnel.reached')}
      </Typography.Paragraph>
      {total === 0 ? (
        <EmptyState description={t('campaigns.funnel.empty')} />
      ) : (
        <Chart option={option} height={360} ariaLabel={t('campaigns.funnel.title')} data-testid="funnel-chart" />
      )}
    </div>
  );
}
