// A campaign's results, for the campaign page's "Results" tab: the member funnel as a bar chart,
// and the KPIs: leads, converted leads and deals (first touch, last touch in the hint), won amount
// per currency, cost per lead and ROI; the event survey's responses once sent. Lead and deal
// figures are within the reader's own ranges (the API's rule), hidden without the permission.
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Space, Statistic, Switch, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { ErrorState, Loading } from '../../components/states';
import { useMe } from '../../auth';
import { can } from '../../permissions';
import { SendSurveyButton } from './SendSurveyButton';
import { funnelSteps, formatMoney, moneyList, roiText, type CampaignStats } from './campaignStatsBits';

export interface CampaignStatsPanelProps {
  campaignId: string;
}

function Kpi({ title, value, hint, testId }: { title: string; value: string | number; hint?: string; testId: string }) {
  return (
    <Col xs={12} md={8} xl={4}>
      <Card size="small">
        <Statistic title={title} value={value} data-testid={testId} />
        {hint && <Typography.Text type="secondary">{hint}</Typography.Text>}
      </Card>
    </Col>
  );
}

export function CampaignStatsPanel({ campaignId }: CampaignStatsPanelProps) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [children, setChildren] = useState(false);
  const stats = useQuery({
    queryKey: ['campaigns', campaignId, 'stats', children],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/campaigns/{campaign_id}/stats', {
          params: { path: { campaign_id: campaignId }, query: { include_children: children } },
        }),
      ),
  });
  const s: CampaignStats | undefined = stats.data;
  const funnel: EChartsOption | null = useMemo(() => {
    if (!s) return null;
    const steps = funnelSteps(s);
    return {
      grid: { left: 96, right: 24, top: 8, bottom: 24 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: steps.map((x) => t(`campaignStats.step.${x.step}`)) },
      series: [{ type: 'bar', data: steps.map((x) => x.count), itemStyle: { color: '#1668dc' }, label: { show: true, position: 'right' } }],
    };
  }, [s, t]);

  if (stats.isError) return <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />;
  if (!s || !funnel) return <Loading />;
  const locale = i18n.language;
  const touches = (pair: { first_touch: number; last_touch: number } | null) =>
    pair === null
      ? { value: '—' as string | number, hint: undefined }
      : { value: pair.first_touch, hint: t('campaignStats.lastTouch', { count: pair.last_touch }) };
  const leads = touches(s.leads);
  const converted = touches(s.converted_leads);
  const deals = touches(s.deals);
  return (
    <div data-testid="campaign-stats">
      <Space style={{ marginBottom: 12 }}>
        <Switch checked={children} onChange={setChildren} aria-label={t('campaignStats.includeChildren')} />
        <Typography.Text>{t('campaignStats.includeChildren')}</Typography.Text>
      </Space>
      <Row gutter={[12, 12]}>
        <Kpi title={t('campaignStats.leads')} value={leads.value} hint={leads.hint} testId="kpi-leads" />
        <Kpi title={t('campaignStats.converted')} value={converted.value} hint={converted.hint} testId="kpi-converted" />
        <Kpi title={t('campaignStats.deals')} value={deals.value} hint={deals.hint} testId="kpi-deals" />
        <Kpi
          title={t('campaignStats.won')}
          value={s.won ? moneyList(s.won.first_touch, locale) : '—'}
          hint={s.won_deals ? t('campaignStats.wonDeals', { count: s.won_deals.first_touch }) : undefined}
          testId="kpi-won"
        />
        <Kpi
          title={t('campaignStats.costPerLead')}
          value={s.cost_per_lead ? formatMoney(s.cost_per_lead, locale) : '—'}
          hint={t('campaignStats.cost', {
            cost: moneyList(
              s.costs.filter((c) => c.actual_cost !== null).map((c) => ({ currency: c.currency, amount: c.actual_cost as string })),
              locale,
            ),
          })}
          testId="kpi-cpl"
        />
        <Kpi
          title={t('campaignStats.roi')}
          value={roiText(s.roi?.first_touch)}
          hint={s.roi && s.roi.first_touch === null ? t('campaignStats.roiUnavailable') : undefined}
          testId="kpi-roi"
        />
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('campaignStats.funnel')}>
            <Chart option={funnel} height={300} ariaLabel={t('campaignStats.funnel')} data-testid="funnel-chart" />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card
            size="small"
            title={t('campaignStats.event')}
            extra={
              can(me, 'campaigns:update') &&
              can(me, 'surveys:read') && <SendSurveyButton campaignId={campaignId} current={s.survey?.survey_id ?? null} />
            }
          >
            <Statistic title={t('campaignStats.registrations')} value={s.registrations} />
            <Typography.Text type="secondary">{t('campaignStats.waitlisted', { count: s.waitlisted })}</Typography.Text>
            <Statistic title={t('campaignStats.attended')} value={s.attended} style={{ marginTop: 8 }} />
            {s.survey && (
              <Statistic
                style={{ marginTop: 8 }}
                title={t('campaignStats.survey', { responses: s.survey.responses, invited: s.survey.invited })}
                value={s.survey.average_score ?? '—'}
                data-testid="survey-score"
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

export default CampaignStatsPanel;
