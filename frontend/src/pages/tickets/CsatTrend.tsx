// The service dashboard's satisfaction panel: the ticket CSAT survey's answers over the dashboard's
// period, CSAT % per day/week/month (a line) and how many answered (bars), within the caller's
// tickets range as the results API applies it.
import { useQuery } from '@tanstack/react-query';
import { Card, Statistic } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { Chart } from '../../components/Chart';
import { EmptyState } from '../../components/states';
import { can } from '../../permissions';

interface Period {
  from: string;
  to: string;
  group_by: 'day' | 'week' | 'month';
}

export default function CsatTrend({ period }: { period: Period }) {
  const { t } = useTranslation();
  const me = useMe();
  const allowed = can(me, 'surveys:read');
  const surveys = useQuery({ queryKey: ['surveys'], enabled: allowed, queryFn: () => unwrap(api.GET('/api/v1/surveys')) });
  const csat = surveys.data?.items.find((s) => s.is_ticket_csat);
  const results = useQuery({
    queryKey: ['surveys', 'results', csat?.id, period],
    enabled: !!csat,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/surveys/{survey_id}/results', {
          params: { path: { survey_id: csat!.id }, query: { ...period, comments: 0 } },
        }),
      ),
  });
  if (!allowed) return null;
  const title = t('tickets.dashboard.csatTrend');
  const data = results.data;
  const groups = (data?.groups ?? []).filter((g) => g.responses > 0);
  const option: EChartsOption | null = groups.length
    ? {
        tooltip: { trigger: 'axis' },
        legend: { data: [t('tickets.dashboard.csatPercent'), t('tickets.dashboard.csatAnswers')] },
        grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: groups.map((g) => g.key ?? '') },
        yAxis: [
          { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
          { type: 'value', minInterval: 1 },
        ],
        series: [
          { name: t('tickets.dashboard.csatPercent'), type: 'line', data: groups.map((g) => g.csat.percent) },
          { name: t('tickets.dashboard.csatAnswers'), type: 'bar', yAxisIndex: 1, data: groups.map((g) => g.responses), barMaxWidth: 24 },
        ],
      }
    : null;
  return (
    <Card title={title} data-testid="csat-trend" style={{ marginBottom: 16 }}>
      {data && (
        <Statistic
          title={t('tickets.dashboard.csatPercent')}
          value={data.csat.percent ?? '–'}
          suffix={data.csat.percent === null ? undefined : '%'}
          data-testid="csat-percent"
        />
      )}
      {option ? (
        <Chart option={option} height={240} ariaLabel={title} data-testid="csat-chart" />
      ) : (
        <EmptyState description={t('tickets.dashboard.csatNone')} />
      )}
    </Card>
  );
}
