// /surveys/:id/results: headline CSAT % and NPS, a chart per question's distribution, the same
// headline per agent, team or period (with a CSAT trend line for periods) and the newest comments.
// Filters live in the URL (from, to, agent, team, channel, group_by).
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Input, List, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { Chart } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useDepartments, useUserName, useUsers } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';
import { GROUPS, percent, TypeTag, type Results } from './surveyBits';

const FILTERS = ['from', 'to', 'agent', 'team', 'channel', 'group_by'] as const;
type Group = Results['groups'][number];
type QuestionResult = Results['questions'][number];

function iso(day: string | undefined, end = false): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

function distributionChart(q: QuestionResult): EChartsOption {
  return {
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: q.distribution.map((d) => String(d.value)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: q.distribution.map((d) => d.count), itemStyle: { color: '#1668dc' } }],
  };
}

export default function SurveyResultsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { id = '' } = useParams();
  const { filters, set, clear } = useUrlFilters(FILTERS);
  const users = useUsers();
  const departments = useDepartments();
  const userName = useUserName();
  const survey = useQuery({
    queryKey: ['surveys', id],
    queryFn: () => unwrap(api.GET('/api/v1/surveys/{survey_id}', { params: { path: { survey_id: id } } })),
  });
  const query = {
    from: iso(filters.from),
    to: iso(filters.to, true),
    agent: filters.agent,
    team: filters.team,
    channel: filters.channel as 'link' | 'call_back' | undefined,
    group_by: filters.group_by as (typeof GROUPS)[number] | undefined,
    comments: 50,
  };
  const results = useQuery({
    queryKey: ['surveys', id, 'results', query],
    queryFn: () => unwrap(api.GET('/api/v1/surveys/{survey_id}/results', { params: { path: { survey_id: id }, query: query as never } })),
  });
  const periods = ['day', 'week', 'month'].includes(filters.group_by ?? '');
  const trend: EChartsOption | null = useMemo(() => {
    if (!periods || !results.data?.groups.length) return null;
    const groups = results.data.groups;
    return {
      grid: { left: 48, right: 48, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { data: [t('surveys.csat'), t('surveys.nps')] },
      xAxis: { type: 'category', data: groups.map((g) => g.key ?? '') },
      yAxis: [
        { type: 'value', min: 0, max: 100, name: '%' },
        { type: 'value', min: -100, max: 100, name: 'NPS' },
      ],
      series: [
        { name: t('surveys.csat'), type: 'line', data: groups.map((g) => g.csat.percent) },
        { name: t('surveys.nps'), type: 'line', yAxisIndex: 1, data: groups.map((g) => g.nps.score) },
      ],
    };
  }, [periods, results.data, t]);

  if (survey.isError) return <ErrorState error={survey.error} onRetry={() => void survey.refetch()} />;
  const r = results.data;
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }} data-testid="results-title">
          {survey.data?.name ?? t('surveys.results')}
        </Typography.Title>
        <Space>
          {can(me, 'surveys:manage') && <Link to={`/surveys/${id}/edit`}>{t('common.edit')}</Link>}
          <Link to="/surveys">{t('common.back')}</Link>
        </Space>
      </Space>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input
          type="date"
          aria-label={t('surveys.filters.from')}
          value={filters.from ?? ''}
          onChange={(e) => set({ from: e.target.value || undefined })}
        />
        <Input
          type="date"
          aria-label={t('surveys.filters.to')}
          value={filters.to ?? ''}
          onChange={(e) => set({ to: e.target.value || undefined })}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 180 }}
          placeholder={t('surveys.filters.agent')}
          value={filters.agent}
          onChange={(v) => set({ agent: v })}
          options={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
        />
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('surveys.filters.team')}
          value={filters.team}
          onChange={(v) => set({ team: v })}
          options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
        />
        <Select
          allowClear
          style={{ width: 150 }}
          placeholder={t('surveys.filters.channel')}
          value={filters.channel}
          onChange={(v) => set({ channel: v })}
          options={(['link', 'call_back'] as const).map((c) => ({ value: c, label: t(`surveys.channel.${c}`) }))}
        />
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('surveys.filters.groupBy')}
          value={filters.group_by}
          onChange={(v) => set({ group_by: v })}
          options={GROUPS.map((g) => ({ value: g, label: t(`surveys.group.${g}`) }))}
          data-testid="group-by"
        />
        <Button onClick={clear}>{t('common.clearFilters')}</Button>
      </Space>
      {results.isLoading || !r ? (
        results.isError ? (
          <ErrorState error={results.error} onRetry={() => void results.refetch()} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Card>
                <Statistic title={t('surveys.responses')} value={r.responses} data-testid="stat-responses" />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card>
                <Statistic title={t('surveys.csat')} value={percent(r.csat.percent)} data-testid="stat-csat" />
                <Typography.Text type="secondary">
                  {t('surveys.csatHelp', { satisfied: r.csat.satisfied, answered: r.csat.answered })}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card>
                <Statistic title={t('surveys.nps')} value={r.nps.score ?? '—'} data-testid="stat-nps" />
                <Typography.Text type="secondary">
                  {t('surveys.npsHelp', { promoters: r.nps.promoters, passives: r.nps.passives, detractors: r.nps.detractors })}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card>
                <Statistic title={t('surveys.averageRating')} value={r.average_rating ?? '—'} />
              </Card>
            </Col>
          </Row>
          {trend && (
            <Card title={t('surveys.trend')} style={{ marginTop: 16 }}>
              <Chart option={trend} height={280} ariaLabel={t('surveys.trend')} />
            </Card>
          )}
          {filters.group_by && (
            <Card title={t(`surveys.group.${filters.group_by as (typeof GROUPS)[number]}`)} style={{ marginTop: 16 }}>
              <Table<Group>
                rowKey={(g) => g.key ?? 'none'}
                size="small"
                pagination={false}
                dataSource={r.groups}
                data-testid="groups-table"
                columns={[
                  { key: 'label', title: t('surveys.group.label'), render: (_: unknown, g: Group) => g.label ?? g.key ?? t('common.none') },
                  { key: 'responses', title: t('surveys.responses'), render: (_: unknown, g: Group) => g.responses },
                  { key: 'csat', title: t('surveys.csat'), render: (_: unknown, g: Group) => percent(g.csat.percent) },
                  { key: 'nps', title: t('surveys.nps'), render: (_: unknown, g: Group) => g.nps.score ?? '—' },
                  { key: 'avg', title: t('surveys.averageRating'), render: (_: unknown, g: Group) => g.average_rating ?? '—' },
                ]}
              />
            </Card>
          )}
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            {r.questions
              .filter((q) => q.type !== 'text')
              .map((q) => (
                <Col xs={24} lg={12} key={q.id}>
                  <Card
                    size="small"
                    title={
                      <Space>
                        <TypeTag type={q.type} />
                        <span>{q.text}</span>
                      </Space>
                    }
                    extra={t('surveys.answered', { count: q.answered })}
                  >
                    <Chart option={distributionChart(q)} height={220} ariaLabel={q.text} data-testid={`chart-${q.id}`} />
                  </Card>
                </Col>
              ))}
          </Row>
          <Card title={t('surveys.comments')} style={{ marginTop: 16 }}>
            {r.comments.length === 0 ? (
              <EmptyState description={t('surveys.noComments')} />
            ) : (
              <List
                dataSource={r.comments}
                data-testid="comments"
                renderItem={(c) => (
                  <List.Item>
                    <List.Item.Meta
                      title={c.text}
                      description={
                        <Space wrap size={4}>
                          <span>{formatDate(c.answered_at, i18n.language)}</span>
                          <Tag>{t(`surveys.channel.${c.channel}`)}</Tag>
                          {c.owner_id && <span>{userName(c.owner_id) ?? t('common.unknownUser')}</span>}
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
            )}
          </Card>
        </>
      )}
    </div>
  );
}
