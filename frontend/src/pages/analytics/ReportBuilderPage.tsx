// /reports/new and /reports/:id: the report builder. Choose the entity, the measures (count, sum /
// average / min / max of a number), up to two groupings (a field, or a date by day...year), filters
// (the segment builder's condition editor over the entity's fields), a period; run it as a table or
// a chart; save it, share it with roles, export it as CSV or XLSX. Every cell and every bar opens
// the records behind it: the resource's list with the row's `where`.
import { useEffect, useMemo, useState } from 'react';
import { DeleteOutlined, DownloadOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { Chart } from '../../components/Chart';
import { describeError, ErrorState, Loading } from '../../components/states';
import { useDepartments, useRegions, useUserOptions } from '../../directory';
import type en from '../../i18n/en';
import { can } from '../../permissions';
import { GroupEditor, type Context } from '../marketing/SegmentBuilderPage';
import { append, emptyGroup, fromJson, toJson, update, type FieldInfo, type GroupNode } from '../marketing/segmentTree';
import {
  chartOption,
  definitionOf,
  drillRoute,
  ENTITIES,
  GRAINS,
  groupText,
  rowAt,
  SHARE_ROLES,
  type Chart as ChartKind,
  type Definition,
  type Entity,
  type Grouping,
  type Measure,
  type ReportResult,
  type ReportRow,
} from './reportLogic';

type FnKey = keyof typeof en.reports.fns;
type RoleKey = keyof typeof en.reports.roles;

async function download(response: Response, fallback: string) {
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export default function ReportBuilderPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const [entity, setEntity] = useState<Entity>('deals');
  const [measures, setMeasures] = useState<Measure[]>([{ fn: 'count' }]);
  const [groupings, setGroupings] = useState<Grouping[]>([]);
  const [tree, setTree] = useState<GroupNode>(() => emptyGroup('and'));
  const [period, setPeriod] = useState<{ field?: string; from?: string; to?: string }>({});
  const [chart, setChart] = useState<ChartKind>('table');
  const [sharedRoles, setSharedRoles] = useState<string[]>([]);
  const [result, setResult] = useState<ReportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const existing = useQuery({
    queryKey: ['reports', id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET('/api/v1/reports/{report_id}', { params: { path: { report_id: id! } } })),
  });
  const owned = !id || existing.data?.owner_id === me?.user.id;
  const readOnly = !owned || !can(me, id ? 'reports:update' : 'reports:create');
  useEffect(() => {
    const saved = existing.data;
    if (!saved) return;
    const d = saved.definition as unknown as Definition;
    setName(saved.name);
    setEntity(d.entity);
    setMeasures(d.measures?.length ? d.measures : [{ fn: 'count' }]);
    setGroupings(d.groupings ?? []);
    setTree(fromJson(d.filters ?? { op: 'and', conditions: [] }));
    setPeriod(d.period ? { field: d.period.field, from: d.period.from, to: d.period.to } : {});
    setChart(saved.chart);
    setSharedRoles(saved.shared_roles);
  }, [existing.data]);

  const catalogue = useQuery({
    queryKey: ['report-fields', entity],
    queryFn: () => unwrap(api.GET('/api/v1/reports/fields', { params: { query: { entity } } })),
    staleTime: 60_000,
  });
  const users = useUserOptions();
  const departments = useDepartments();
  const regions = useRegions();
  const zh = i18n.language.startsWith('zh');
  const fields = useMemo(
    () => new Map((catalogue.data?.filters ?? []).map((f) => [f.name, f as unknown as FieldInfo & { label_zh: string }])),
    [catalogue.data],
  );
  const fieldLabel = (name: string) => {
    const f = fields.get(name);
    return f ? (zh ? f.label_zh : f.label) : name;
  };
  const options = (names: string[] | undefined) => (names ?? []).map((n) => ({ value: n, label: fieldLabel(n) }));
  const ctx: Context = {
    fields,
    options: [...fields.values()].map((f) => ({ value: f.name, label: fieldLabel(f.name) })),
    refOptions: (field) => {
      if (field.endsWith('owner') || field === 'assignee') return users;
      if (field.endsWith('department')) return (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
      if (field.endsWith('region')) return (regions.data ?? []).map((r) => ({ value: r.id, label: r.name }));
      return null;
    },
    label: (f) => fieldLabel(f.name),
    change: (key, fn) => setTree((current) => update(current, key, fn)),
    add: (groupKey, node) => setTree((current) => append(current, groupKey, node)),
    readOnly,
  };

  const definition = (): Definition =>
    definitionOf({
      entity,
      measures,
      groupings,
      filters: toJson(tree) as Definition['filters'],
      period: period.field ? { field: period.field, from: period.from, to: period.to } : null,
    });

  async function run() {
    setError(null);
    setBusy(true);
    try {
      setResult(await unwrap(api.POST('/api/v1/reports/run', { body: { definition: definition() as never } })));
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  // A saved report runs as soon as it is loaded.
  useEffect(() => {
    if (existing.data && fields.size) void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [existing.data, fields.size]);

  function changeEntity(next: Entity) {
    setEntity(next);
    setMeasures([{ fn: 'count' }]);
    setGroupings([]);
    setTree(emptyGroup('and'));
    setPeriod({});
    setResult(null);
  }

  async function save() {
    setError(null);
    if (!name.trim()) {
      setError(t('reports.nameRequired'));
      return;
    }
    setBusy(true);
    const body = { name: name.trim(), definition: definition() as never, chart, shared_roles: sharedRoles };
    try {
      if (id && existing.data) {
        await unwrap(
          api.PATCH('/api/v1/reports/{report_id}', {
            params: { path: { report_id: id }, header: { 'if-match': etagOf(existing.data.version) } },
            body,
          }),
        );
        await queryClient.invalidateQueries({ queryKey: ['reports'] });
      } else {
        const made = await unwrap(api.POST('/api/v1/reports', { body }));
        await queryClient.invalidateQueries({ queryKey: ['reports'] });
        navigate(`/reports/${made.id}`, { replace: true });
      }
      message.success(t('common.saved'));
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function exportAs(format: 'csv' | 'xlsx') {
    setError(null);
    try {
      const { response } = id
        ? await api.GET('/api/v1/reports/{report_id}/export', {
            params: { path: { report_id: id }, query: { format } },
            parseAs: 'stream',
          })
        : await api.POST('/api/v1/reports/run/export', {
            params: { query: { format } },
            body: { definition: definition() as never },
            parseAs: 'stream',
          });
      if (!response.ok) throw new Error(`${response.status}`);
      await download(response, `report.${format}`);
    } catch (e) {
      setError(describeError(t, e));
    }
  }

  const none = t('reports.none');
  const measureLabel = (m: Measure) =>
    m.fn === 'count' ? t('reports.fns.count') : `${t(`reports.fns.${m.fn as FnKey}`)} · ${fieldLabel(m.field ?? '')}`;
  const open = (row: ReportRow | undefined) => {
    const route = row ? drillRoute(row.drill) : null;
    if (route) navigate(route);
  };

  if (id && existing.isLoading) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  const cat = catalogue.data;
  const columns = result
    ? result.columns.map((c, index) => ({
        key: c.key,
        title:
          c.kind === 'group'
            ? `${fieldLabel(c.field ?? '')}${c.grain ? ` (${t(`reports.grains.${c.grain as (typeof GRAINS)[number]}`)})` : ''}`
            : measureLabel({ fn: c.fn as Measure['fn'], field: c.field ?? undefined }),
        align: c.kind === 'measure' ? ('right' as const) : undefined,
        render: (_: unknown, row: ReportRow) => {
          const text = c.kind === 'group' ? groupText(row.groups[index], none) : String(row.values[c.key] ?? '—');
          const route = drillRoute(row.drill);
          return route ? (
            <Typography.Link onClick={() => navigate(route)} data-testid={`cell-${c.key}`}>
              {text}
            </Typography.Link>
          ) : (
            text
          );
        },
      }))
    : [];

  return (
    <div style={{ maxWidth: 1200 }}>
      <Typography.Title level={2}>{id ? existing.data?.name : t('reports.new')}</Typography.Title>
      <Form layout="vertical" disabled={readOnly}>
        <Space wrap align="start">
          <Form.Item label={t('reports.name')} required>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              style={{ width: 300 }}
              data-testid="report-name"
            />
          </Form.Item>
          <Form.Item label={t('reports.entity')}>
            <Select
              value={entity}
              onChange={changeEntity}
              style={{ width: 200 }}
              data-testid="report-entity"
              options={ENTITIES.map((e) => ({ value: e, label: t(`reports.entities.${e}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item label={t('reports.measures')}>
          <Space orientation="vertical">
            {measures.map((m, i) => (
              <Space key={i} wrap data-testid={`measure-${i}`}>
                <Select
                  value={m.fn}
                  style={{ width: 140 }}
                  onChange={(fn: Measure['fn']) =>
                    setMeasures(measures.map((x, j) => (j === i ? { fn, field: fn === 'count' ? undefined : x.field } : x)))
                  }
                  options={(['count', 'sum', 'avg', 'min', 'max'] as const).map((fn) => ({ value: fn, label: t(`reports.fns.${fn}`) }))}
                  data-testid={`measure-fn-${i}`}
                />
                {m.fn !== 'count' && (
                  <Select
                    value={m.field}
                    style={{ width: 200 }}
                    placeholder={t('reports.field')}
                    onChange={(field: string) => setMeasures(measures.map((x, j) => (j === i ? { ...x, field } : x)))}
                    options={options(cat?.numbers)}
                    data-testid={`measure-field-${i}`}
                  />
                )}
                {measures.length > 1 && (
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    aria-label={t('reports.remove')}
                    onClick={() => setMeasures(measures.filter((_, j) => j !== i))}
                  />
                )}
              </Space>
            ))}
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => setMeasures([...measures, { fn: 'sum' }])}
              data-testid="add-measure"
            >
              {t('reports.addMeasure')}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item label={t('reports.groupings')}>
          <Space orientation="vertical">
            {groupings.map((g, i) => (
              <Space key={i} wrap>
                <Select
                  value={g.grain ? `date:${g.field}` : g.field}
                  style={{ width: 220 }}
                  showSearch
                  optionFilterProp="label"
                  onChange={(v: string) =>
                    setGroupings(
                      groupings.map((x, j) =>
                        j === i ? (v.startsWith('date:') ? { field: v.slice(5), grain: x.grain ?? 'month' } : { field: v }) : x,
                      ),
                    )
                  }
                  options={[
                    ...options(cat?.groups),
                    ...(cat?.dates ?? []).map((d) => ({ value: `date:${d}`, label: `${fieldLabel(d)} (${t('reports.byDate')})` })),
                  ]}
                  data-testid={`grouping-field-${i}`}
                />
                {g.grain && (
                  <Select
                    value={g.grain}
                    style={{ width: 120 }}
                    onChange={(grain: Grouping['grain']) => setGroupings(groupings.map((x, j) => (j === i ? { ...x, grain } : x)))}
                    options={GRAINS.map((gr) => ({ value: gr, label: t(`reports.grains.${gr}`) }))}
                    data-testid={`grouping-grain-${i}`}
                  />
                )}
                <Button
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label={t('reports.remove')}
                  onClick={() => setGroupings(groupings.filter((_, j) => j !== i))}
                />
              </Space>
            ))}
            {groupings.length < 2 && (
              <Button
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setGroupings([...groupings, { field: '' }])}
                data-testid="add-grouping"
              >
                {t('reports.addGrouping')}
              </Button>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t('reports.period')}>
          <Space wrap>
            <Select
              allowClear
              value={period.field}
              placeholder={t('reports.noPeriod')}
              style={{ width: 200 }}
              onChange={(field?: string) => setPeriod({ ...period, field })}
              options={options(cat?.dates)}
              data-testid="period-field"
            />
            <DatePicker.RangePicker
              value={period.from && period.to ? [dayjs(period.from), dayjs(period.to)] : null}
              onChange={(range) => setPeriod({ ...period, from: range?.[0]?.format('YYYY-MM-DD'), to: range?.[1]?.format('YYYY-MM-DD') })}
            />
          </Space>
        </Form.Item>
      </Form>
      <Typography.Title level={4}>{t('reports.filters')}</Typography.Title>
      {catalogue.isError ? (
        <ErrorState error={catalogue.error} onRetry={() => void catalogue.refetch()} />
      ) : (
        <GroupEditor group={tree} ctx={ctx} depth={1} root />
      )}
      <Space wrap style={{ marginTop: 16 }}>
        <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void run()} data-testid="run-report">
          {t('reports.run')}
        </Button>
        <Radio.Group
          value={chart}
          onChange={(e) => setChart(e.target.value)}
          optionType="button"
          data-testid="report-chart"
          options={(['table', 'bar', 'line', 'pie'] as const).map((c) => ({ value: c, label: t(`reports.charts.${c}`) }))}
        />
        <Button icon={<DownloadOutlined />} onClick={() => void exportAs('csv')} data-testid="export-csv">
          CSV
        </Button>
        <Button icon={<DownloadOutlined />} onClick={() => void exportAs('xlsx')} data-testid="export-xlsx">
          XLSX
        </Button>
      </Space>
      {error && <Alert type="error" showIcon style={{ marginTop: 16 }} message={error} data-testid="report-error" />}
      {result && (
        <Card style={{ marginTop: 16 }}>
          {result.truncated && <Alert type="info" showIcon message={t('reports.truncated')} style={{ marginBottom: 8 }} />}
          {chart !== 'table' && result.rows.length > 0 && (
            <Chart
              option={chartOption(result, chart, none, measureLabel(measures[0] ?? { fn: 'count' }))}
              height={360}
              ariaLabel={name || t('reports.new')}
              data-testid="report-chart-canvas"
              onClick={({ name: category, seriesName }) =>
                open(rowAt(result, category, chart === 'pie' ? undefined : seriesName, none, measureLabel(measures[0] ?? { fn: 'count' })))
              }
            />
          )}
          <Table
            rowKey={(row) => row.groups.map((g) => String(g.value)).join('|') || 'all'}
            size="small"
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: true }}
            dataSource={result.rows}
            columns={columns}
            data-testid="report-table"
          />
        </Card>
      )}
      {owned && (
        <Card size="small" style={{ marginTop: 16 }} title={t('reports.saveTitle')}>
          <Space wrap>
            {can(me, 'reports:manage') && (
              <Select
                mode="multiple"
                value={sharedRoles}
                onChange={setSharedRoles}
                placeholder={t('reports.shareWith')}
                style={{ minWidth: 260 }}
                options={SHARE_ROLES.map((r) => ({ value: r, label: t(`reports.roles.${r as RoleKey}`) }))}
                data-testid="report-share"
              />
            )}
            <Button type="primary" loading={busy} onClick={() => void save()} disabled={readOnly} data-testid="save-report">
              {t('common.save')}
            </Button>
            <Button onClick={() => navigate('/reports')}>{t('common.cancel')}</Button>
          </Space>
        </Card>
      )}
    </div>
  );
}
