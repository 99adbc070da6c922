// Targets and forecast for a month, quarter or year: a table per group (owner, department,
// pipeline or forecast category) and a bar chart of target vs closed won vs weighted pipeline.
// Those who manage targets (directors, admins) keep them here too.
import { useMemo, useState } from 'react';
import { DeleteOutlined, EditOutlined, LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Table, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { Chart } from '../components/Chart';
import { useUrlFilters } from '../components/lists';
import { applyServerError } from '../components/recordForm';
import { describeError, EmptyState, ErrorState } from '../components/states';
import { useDepartments, useUserName, useUsers } from '../directory';
import { can } from '../permissions';
import { usePipelines } from './salesBits';
import { formatMoney, formatPeriod, parsePeriod, periodFromStart, periodOf, shiftPeriod, type PeriodKind } from './salesLogic';

type Line = components['schemas']['ForecastLineOut'];
type Target = components['schemas']['TargetOut'];
type GroupBy = components['schemas']['ForecastOut']['group_by'];
const GROUPS: GroupBy[] = ['owner', 'department', 'pipeline', 'category'];
const MONEY = ['target', 'closed_won', 'commit', 'best_case', 'pipeline', 'weighted_pipeline', 'gap'] as const;

export default function ForecastPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { filters, setFilter } = useUrlFilters(['period', 'group'] as const);
  const period = parsePeriod(filters.period) ?? periodOf('quarter', new Date());
  const periodText = formatPeriod(period);
  const group = (GROUPS as string[]).includes(filters.group ?? '') ? (filters.group as GroupBy) : 'owner';
  const [typed, setTyped] = useState<string | null>(null);
  const userName = useUserName();
  const users = useUsers();
  const departments = useDepartments();
  const pipelines = usePipelines();

  const forecast = useQuery({
    queryKey: ['forecast', periodText, group],
    queryFn: () => unwrap(api.GET('/api/v1/forecast', { params: { query: { period: periodText, group_by: group } } })),
  });

  const label = (key: string): string => {
    if (!key) return t('forecast.unassigned');
    if (group === 'owner') return userName(key) ?? key.slice(0, 8);
    if (group === 'department') return departments.data?.find((d) => d.id === key)?.name ?? key.slice(0, 8);
    if (group === 'pipeline') return pipelines.data?.find((p) => p.id === key)?.name ?? key.slice(0, 8);
    return i18n.exists(`opportunities.category.${key}`) ? t(`opportunities.category.${key}` as 'opportunities.category.commit') : key;
  };
  const lines = forecast.data?.lines ?? [];
  const currency = pipelines.data?.[0]?.currency;
  const money = (v: string | null | undefined) => formatMoney(v ?? null, currency, i18n.language);

  const option = useMemo<EChartsOption>(() => {
    const names = lines.map((l) => label(l.key));
    const num = (v: string | null) => (v == null ? null : Number(v));
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value' },
      series: [
        { name: t('forecast.columns.target'), type: 'bar', data: lines.map((l) => num(l.target)) },
        { name: t('forecast.columns.closed_won'), type: 'bar', data: lines.map((l) => num(l.closed_won)) },
        { name: t('forecast.columns.weighted_pipeline'), type: 'bar', data: lines.map((l) => num(l.weighted_pipeline)) },
      ],
    };
    // label() reads the directories: a new option when they arrive, not on every render
  }, [lines, t, users.data, departments.data, pipelines.data, group]); // eslint-disable-line react-hooks/exhaustive-deps

  function choosePeriod(kind: PeriodKind) {
    setFilter('period', formatPeriod(periodOf(kind, new Date())));
  }

  const columns = [
    { key: 'key', title: t('forecast.columns.key'), render: (_: unknown, l: Line) => label(l.key) },
    ...MONEY.filter((m) => (m !== 'target' && m !== 'gap') || group === 'owner' || group === 'department').map((m) => ({
      key: m,
      title: t(`forecast.columns.${m}`),
      align: 'right' as const,
      render: (_: unknown, l: Line) => <span data-col={m}>{money(l[m])}</span>,
    })),
    { key: 'won_count', title: t('forecast.columns.won_count'), align: 'right' as const, dataIndex: 'won_count' },
  ];

  return (
    <section aria-labelledby="forecast-title">
      <div className="page-header">
        <Typography.Title level={2} id="forecast-title">
          {t('forecast.title')}
        </Typography.Title>
      </div>
      <div className="toolbar">
        <Radio.Group
          aria-label={t('forecast.period')}
          optionType="button"
          value={period.kind}
          onChange={(e) => choosePeriod(e.target.value as PeriodKind)}
          options={(['month', 'quarter', 'year'] as const).map((k) => ({ value: k, label: t(`forecast.periodKind.${k}`) }))}
        />
        <Space.Compact>
          <Button
            icon={<LeftOutlined />}
            aria-label={t('forecast.previous')}
            onClick={() => setFilter('period', formatPeriod(shiftPeriod(period, -1)))}
          />
          <Input
            aria-label={t('forecast.period')}
            value={typed ?? periodText}
            status={typed !== null && !parsePeriod(typed) ? 'error' : undefined}
            onChange={(e) => setTyped(e.target.value)}
            onBlur={() => setTyped(null)}
            onPressEnter={() => {
              const p = parsePeriod(typed);
              if (p) setFilter('period', formatPeriod(p));
              setTyped(null);
            }}
            style={{ width: 110, textAlign: 'center' }}
            data-testid="period-input"
          />
          <Button
            icon={<RightOutlined />}
            aria-label={t('forecast.next')}
            onClick={() => setFilter('period', formatPeriod(shiftPeriod(period, 1)))}
          />
        </Space.Compact>
        <Select
          aria-label={t('forecast.groupBy')}
          value={group}
          onChange={(v: GroupBy) => setFilter('group', v === 'owner' ? undefined : v)}
          options={GROUPS.map((g) => ({ value: g, label: `${t('forecast.groupBy')}: ${t(`forecast.group.${g}`)}` }))}
          style={{ width: 240 }}
          data-testid="group-by"
        />
      </div>
      {forecast.isError ? (
        <ErrorState error={forecast.error} onRetry={() => void forecast.refetch()} />
      ) : (
        <>
          <Card title={t('forecast.chart')} style={{ marginBottom: 16 }}>
            {lines.length || forecast.isLoading ? (
              <Chart option={option} height={320} ariaLabel={t('forecast.chart')} data-testid="forecast-chart" />
            ) : (
              <EmptyState description={t('forecast.empty')} />
            )}
          </Card>
          <Table<Line>
            rowKey="key"
            size="middle"
            loading={forecast.isLoading}
            pagination={false}
            dataSource={lines}
            columns={columns}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: forecast.isLoading ? ' ' : <EmptyState description={t('forecast.empty')} /> }}
            data-testid="forecast-table"
            summary={() =>
              forecast.data && lines.length ? (
                <Table.Summary.Row className="forecast-total">
                  {columns.map((c, i) => (
                    <Table.Summary.Cell key={c.key} index={i} align={i ? 'right' : undefined}>
                      <Typography.Text strong>
                        {i === 0
                          ? t('forecast.total')
                          : c.key === 'won_count'
                            ? forecast.data.total.won_count
                            : money(forecast.data.total[c.key as (typeof MONEY)[number]])}
                      </Typography.Text>
                    </Table.Summary.Cell>
                  ))}
                </Table.Summary.Row>
              ) : null
            }
          />
        </>
      )}
      <ForecastHistory periodText={periodText} kind={period.kind} currency={currency} />
      {can(me, 'targets:read') && <Targets periodText={periodText} kind={period.kind} />}
    </section>
  );
}

function Targets({ periodText, kind }: { periodText: string; kind: PeriodKind }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const users = useUsers();
  const departments = useDepartments();
  const mayManage = can(me, 'targets:manage');
  const [editing, setEditing] = useState<Target | 'new' | null>(null);
  const targets = useQuery({ queryKey: ['targets'], queryFn: async () => (await unwrap(api.GET('/api/v1/targets'))).items });
  const rows = (targets.data ?? []).filter((x) => x.period_kind === kind && periodFromStart(x.period_kind, x.period_start) === periodText);

  async function refresh() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['targets'] }),
      queryClient.invalidateQueries({ queryKey: ['forecast'] }),
    ]);
  }

  return (
    <Card
      title={`${t('targets.title')} · ${periodText}`}
      style={{ marginTop: 16 }}
      extra={
        mayManage && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="new-target">
            {t('targets.new')}
          </Button>
        )
      }
    >
      {targets.isError ? (
        <ErrorState error={targets.error} onRetry={() => void targets.refetch()} />
      ) : (
        <Table<Target>
          rowKey="id"
          size="small"
          pagination={false}
          loading={targets.isLoading}
          dataSource={rows}
          locale={{ emptyText: <EmptyState description={t('targets.empty')} /> }}
          data-testid="targets-table"
          columns={[
            {
              key: 'who',
              title: t('targets.who'),
              render: (_: unknown, x: Target) =>
                x.user_id
                  ? (userName(x.user_id) ?? x.user_id.slice(0, 8))
                  : (departments.data?.find((d) => d.id === x.department_id)?.name ?? '—'),
            },
            {
              key: 'amount',
              title: t('targets.amount'),
              align: 'right',
              render: (_: unknown, x: Target) => formatMoney(x.amount, undefined, i18n.language),
            },
            { key: 'won', title: t('targets.wonCount'), align: 'right', render: (_: unknown, x: Target) => x.won_count ?? '—' },
            ...(mayManage
              ? [
                  {
                    key: 'actions',
                    title: t('common.actions'),
                    render: (_: unknown, x: Target) => (
                      <Space size={4}>
                        <Button size="small" icon={<EditOutlined />} aria-label={t('targets.edit')} onClick={() => setEditing(x)} />
                        <Popconfirm
                          title={t('common.confirmDelete')}
                          okText={t('common.delete')}
                          cancelText={t('common.cancel')}
                          onConfirm={async () => {
                            try {
                              await unwrap(api.DELETE('/api/v1/targets/{record_id}', { params: { path: { record_id: x.id } } }));
                              message.success(t('targets.deleted'));
                              await refresh();
                            } catch (error) {
                              message.error(describeError(t, error));
                            }
                          }}
                        >
                          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      {editing && (
        <TargetDialog
          target={editing === 'new' ? null : editing}
          periodText={periodText}
          userOptions={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
          departmentOptions={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          onClose={() => setEditing(null)}
          onSaved={async (created) => {
            message.success(created ? t('targets.created') : t('targets.saved'));
            setEditing(null);
            await refresh();
          }}
        />
      )}
    </Card>
  );
}

interface TargetValues {
  who: 'user' | 'department';
  user_id?: string;
  department_id?: string;
  period: string;
  amount: number;
  won_count?: number | null;
}

function TargetDialog({
  target,
  periodText,
  userOptions,
  departmentOptions,
  onClose,
  onSaved,
}: {
  target: Target | null;
  periodText: string;
  userOptions: { value: string; label: string }[];
  departmentOptions: { value: string; label: string }[];
  onClose: () => void;
  onSaved: (created: boolean) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<TargetValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const who = Form.useWatch('who', form);
  const rule = [{ required: true, message: t('common.required') }];

  async function save(values: TargetValues) {
    setBusy(true);
    setError(null);
    try {
      if (target) {
        await unwrap(
          api.PATCH('/api/v1/targets/{record_id}', {
            params: { path: { record_id: target.id } },
            body: { amount: String(values.amount), won_count: values.won_count ?? null },
          }),
        );
      } else {
        await unwrap(
          api.POST('/api/v1/targets', {
            body: {
              ...(values.who === 'user' ? { user_id: values.user_id } : { department_id: values.department_id }),
              period: values.period.trim().toUpperCase(),
              amount: String(values.amount),
              won_count: values.won_count ?? null,
            },
          }),
        );
      }
      await onSaved(!target);
    } catch (e) {
      const outcome = applyServerError(form, e, new Set(['user_id', 'department_id', 'period', 'amount', 'won_count']), t);
      setError(outcome.kind === 'fields' ? outcome.message : outcome.kind === 'other' ? outcome.message : describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={target ? t('targets.edit') : t('targets.new')}
      okText={target ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <Form<TargetValues>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={
          target
            ? {
                who: target.user_id ? 'user' : 'department',
                user_id: target.user_id ?? undefined,
                department_id: target.department_id ?? undefined,
                period: periodFromStart(target.period_kind, target.period_start),
                amount: Number(target.amount),
                won_count: target.won_count,
              }
            : { who: 'user', period: periodText }
        }
      >
        <Form.Item name="who" label={t('targets.who')}>
          <Radio.Group
            disabled={!!target}
            options={[
              { value: 'user', label: t('targets.user') },
              { value: 'department', label: t('targets.department') },
            ]}
          />
        </Form.Item>
        {who === 'department' ? (
          <Form.Item name="department_id" label={t('targets.department')} rules={[{ required: true, message: t('targets.whoRequired') }]}>
            <Select disabled={!!target} options={departmentOptions} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
        ) : (
          <Form.Item name="user_id" label={t('targets.user')} rules={[{ required: true, message: t('targets.whoRequired') }]}>
            <Select disabled={!!target} options={userOptions} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
        )}
        <Form.Item
          name="period"
          label={t('targets.period')}
          extra={t('targets.periodHelp')}
          rules={[
            ...rule,
            { validator: (_r, v: string) => (parsePeriod(v) ? Promise.resolve() : Promise.reject(new Error(t('targets.periodInvalid')))) },
          ]}
        >
          <Input disabled={!!target} />
        </Form.Item>
        <Form.Item name="amount" label={t('targets.amount')} rules={rule}>
          <InputNumber min={0} step={10000} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="won_count" label={t('targets.wonCount')}>
          <InputNumber min={0} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** How the quarter's commit and best case (and closed won, against the target) moved week by
 * week: the worker's weekly snapshots, in the main currency (amounts in other currencies are
 * drawn as their own lines, never added in). */
function ForecastHistory({ periodText, kind, currency }: { periodText: string; kind: PeriodKind; currency: string | undefined }) {
  const { t } = useTranslation();
  const history = useQuery({
    queryKey: ['forecast', 'history', periodText],
    enabled: kind === 'quarter',
    queryFn: () => unwrap(api.GET('/api/v1/forecast/history', { params: { query: { period: periodText } } })),
  });
  const weeks = history.data?.weeks ?? [];
  const option = useMemo<EChartsOption>(() => {
    const currencies = [...new Set(weeks.flatMap((w) => [...w.commit, ...w.best_case, ...w.closed_won].map((m) => m.currency)))].sort(
      (a, b) => (a === currency ? -1 : b === currency ? 1 : a.localeCompare(b)),
    );
    const amount = (list: { currency: string; amount: string }[], c: string) => Number(list.find((m) => m.currency === c)?.amount ?? 0);
    const suffix = (c: string) => (currencies.length > 1 ? ` (${c})` : '');
    const series: EChartsOption['series'] = currencies.flatMap((c) => [
      { name: `${t('forecast.history.commit')}${suffix(c)}`, type: 'line' as const, data: weeks.map((w) => amount(w.commit, c)) },
      { name: `${t('forecast.history.bestCase')}${suffix(c)}`, type: 'line' as const, data: weeks.map((w) => amount(w.best_case, c)) },
      { name: `${t('forecast.history.closedWon')}${suffix(c)}`, type: 'line' as const, data: weeks.map((w) => amount(w.closed_won, c)) },
    ]);
    if (weeks.some((w) => w.target !== null))
      series.push({
        name: t('forecast.history.target'),
        type: 'line',
        lineStyle: { type: 'dashed' },
        data: weeks.map((w) => (w.target === null ? null : Number(w.target))),
      });
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: weeks.map((w) => w.week) },
      yAxis: { type: 'value' },
      series,
    };
  }, [weeks, currency, t]);
  return (
    <Card title={t('forecast.history.title')} style={{ marginTop: 16 }} data-testid="forecast-history">
      {kind !== 'quarter' ? (
        <Typography.Text type="secondary">{t('forecast.history.quarterOnly')}</Typography.Text>
      ) : history.isError ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : !history.isLoading && weeks.length === 0 ? (
        <EmptyState description={t('forecast.history.empty')} />
      ) : (
        <Chart option={option} height={280} ariaLabel={t('forecast.history.title')} data-testid="forecast-history-chart" />
      )}
    </Card>
  );
}
