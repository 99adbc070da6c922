// /segments/new and /segments/:id: the segment builder. Conditions in AND/OR groups (nested up to
// five levels), a field picker offering the fields the server declares for the audience (custom
// fields included), an operator picker by field kind, and a value input by kind and operator. The
// count and a sample of the matching records follow the edits (the unsaved preview, debounced).
import { useEffect, useMemo, useState } from 'react';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Form, Input, InputNumber, Radio, Select, Space, Statistic, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import type en from '../../i18n/en';
import { useMe } from '../../auth';
import { describeError, ErrorState, Loading } from '../../components/states';
import { useDepartments, useRegions, useUserOptions } from '../../directory';
import { can } from '../../permissions';
import {
  append,
  emptyGroup,
  fromJson,
  isGroup,
  MAX_DEPTH,
  newLeaf,
  toJson,
  update,
  valueInput,
  withOperator,
  type FieldInfo,
  type GroupNode,
  type LeafNode,
  type TreeNode,
} from './segmentTree';

type Audience = 'contacts' | 'leads' | 'both';
type OpKey = keyof typeof en.segments.ops;
type StatusKey = keyof typeof en.segments.memberStatus;
const MEMBER_STATUSES = [
  'targeted',
  'sent',
  'opened',
  'clicked',
  'registered',
  'attended',
  'responded',
  'converted',
  'bounced',
  'unsubscribed',
];

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

/** What the condition editor needs from its page (the report builder reuses it). */
export interface Context {
  fields: Map<string, FieldInfo>;
  options: { value: string; label: string }[];
  refOptions: (field: string) => { value: string; label: string }[] | null;
  label: (field: FieldInfo) => string;
  change: (key: string, fn: (node: TreeNode) => TreeNode | null) => void;
  add: (groupKey: string, node: TreeNode) => void;
  readOnly: boolean;
}

function ValueEditor({ leaf, field, ctx }: { leaf: LeafNode; field: FieldInfo; ctx: Context }) {
  const { t } = useTranslation();
  const set = (value: unknown) => ctx.change(leaf.key, (n) => ({ ...(n as LeafNode), value }));
  const refs = field.kind === 'ref' ? ctx.refOptions(field.name) : null;
  const choices = field.choices.length ? field.choices.map((c) => ({ value: c, label: c })) : refs;
  const input = valueInput(field.kind, leaf.op);
  const testid = `value-${leaf.key}`;
  const scalar = (value: unknown, onChange: (v: unknown) => void, id?: string) => {
    if (field.kind === 'number')
      return <InputNumber value={value as number | null} onChange={(v) => onChange(v)} data-testid={id} style={{ width: 140 }} />;
    if (field.kind === 'date')
      return (
        <DatePicker
          value={value ? dayjs(value as string) : null}
          onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : null)}
          data-testid={id}
        />
      );
    if (field.kind === 'datetime')
      return (
        <DatePicker
          showTime
          value={value ? dayjs(value as string) : null}
          onChange={(d) => onChange(d ? d.toISOString() : null)}
          data-testid={id}
        />
      );
    if (choices)
      return (
        <Select
          showSearch
          optionFilterProp="label"
          value={(value as string) || undefined}
          options={choices}
          onChange={(v) => onChange(v)}
          style={{ minWidth: 180 }}
          data-testid={id}
        />
      );
    return <Input value={value as string} onChange={(e) => onChange(e.target.value)} style={{ width: 220 }} data-testid={id} />;
  };
  switch (input) {
    case 'bool':
      return (
        <Select
          value={leaf.value as boolean}
          onChange={set}
          style={{ width: 110 }}
          data-testid={testid}
          options={[
            { value: true, label: t('segments.yes') },
            { value: false, label: t('segments.no') },
          ]}
        />
      );
    case 'days':
      return (
        <Space>
          <InputNumber min={0} max={36500} precision={0} value={leaf.value as number} onChange={(v) => set(v)} data-testid={testid} />
          {t('segments.days')}
        </Space>
      );
    case 'list':
      return (
        <Select
          mode={choices ? 'multiple' : 'tags'}
          value={leaf.value as string[]}
          options={choices ?? []}
          onChange={(v) => set(field.kind === 'number' ? (v as string[]).map(Number).filter((n) => !Number.isNaN(n)) : v)}
          style={{ minWidth: 220 }}
          tokenSeparators={[',']}
          placeholder={t('segments.listPlaceholder')}
          data-testid={testid}
        />
      );
    case 'range': {
      const [low, high] = leaf.value as [unknown, unknown];
      return (
        <Space>
          {scalar(low, (v) => set([v, high]), `${testid}-from`)}
          {t('segments.and')}
          {scalar(high, (v) => set([low, v]), `${testid}-to`)}
        </Space>
      );
    }
    case 'campaign': {
      const value = leaf.value as { campaign_id: string; status: string | null };
      return (
        <Space wrap>
          <Input
            value={value.campaign_id}
            placeholder={t('segments.campaignId')}
            onChange={(e) => set({ ...value, campaign_id: e.target.value.trim() })}
            style={{ width: 300 }}
            data-testid={testid}
          />
          <Select
            allowClear
            value={value.status ?? undefined}
            placeholder={t('segments.anyStatus')}
            options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`segments.memberStatus.${s as StatusKey}`) }))}
            onChange={(s) => set({ ...value, status: s ?? null })}
            style={{ width: 180 }}
          />
        </Space>
      );
    }
    default:
      return scalar(leaf.value, set, testid);
  }
}

function LeafEditor({ leaf, ctx }: { leaf: LeafNode; ctx: Context }) {
  const { t } = useTranslation();
  const field = ctx.fields.get(leaf.field);
  if (!field)
    return (
      <Alert
        type="warning"
        showIcon
        message={t('segments.unknownField', { field: leaf.field })}
        action={<Button size="small" icon={<DeleteOutlined />} onClick={() => ctx.change(leaf.key, () => null)} />}
      />
    );
  return (
    <Space wrap data-testid={`leaf-${leaf.key}`} className="segment-leaf">
      <Select
        showSearch
        optionFilterProp="label"
        value={leaf.field}
        options={ctx.options}
        onChange={(name: string) => {
          const next = ctx.fields.get(name);
          if (next) ctx.change(leaf.key, () => ({ ...newLeaf(next), key: leaf.key }));
        }}
        style={{ minWidth: 220 }}
        disabled={ctx.readOnly}
        aria-label={t('segments.field')}
        data-testid={`field-${leaf.key}`}
      />
      <Select
        value={leaf.op}
        options={field.operators.map((op) => ({ value: op, label: t(`segments.ops.${op as OpKey}`) }))}
        onChange={(op: string) => ctx.change(leaf.key, (n) => withOperator(n as LeafNode, field, op))}
        style={{ minWidth: 150 }}
        disabled={ctx.readOnly}
        aria-label={t('segments.operator')}
        data-testid={`op-${leaf.key}`}
      />
      <ValueEditor leaf={leaf} field={field} ctx={ctx} />
      {!ctx.readOnly && (
        <Button type="text" icon={<DeleteOutlined />} aria-label={t('segments.remove')} onClick={() => ctx.change(leaf.key, () => null)} />
      )}
    </Space>
  );
}

export function GroupEditor({ group, ctx, depth, root }: { group: GroupNode; ctx: Context; depth: number; root?: boolean }) {
  const { t } = useTranslation();
  const first = ctx.options[0] ? ctx.fields.get(ctx.options[0].value) : undefined;
  return (
    <Card size="small" data-testid={`group-${group.key}`} style={{ background: depth % 2 ? '#fafafa' : undefined }}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Radio.Group
            value={group.op}
            onChange={(e) => ctx.change(group.key, (g) => ({ ...(g as GroupNode), op: e.target.value }))}
            optionType="button"
            size="small"
            disabled={ctx.readOnly}
            options={[
              { value: 'and', label: t('segments.matchAll') },
              { value: 'or', label: t('segments.matchAny') },
            ]}
          />
          {!root && !ctx.readOnly && (
            <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => ctx.change(group.key, () => null)}>
              {t('segments.removeGroup')}
            </Button>
          )}
        </Space>
        {group.conditions.map((node) =>
          isGroup(node) ? (
            <GroupEditor key={node.key} group={node} ctx={ctx} depth={depth + 1} />
          ) : (
            <LeafEditor key={node.key} leaf={node} ctx={ctx} />
          ),
        )}
        {!ctx.readOnly && (
          <Space>
            <Button
              size="small"
              icon={<PlusOutlined />}
              disabled={!first}
              onClick={() => first && ctx.add(group.key, newLeaf(first))}
              data-testid={`add-condition-${group.key}`}
            >
              {t('segments.addCondition')}
            </Button>
            {depth < MAX_DEPTH && (
              <Button
                size="small"
                icon={<PlusOutlined />}
                onClick={() => ctx.add(group.key, emptyGroup('or'))}
                data-testid={`add-group-${group.key}`}
              >
                {t('segments.addGroup')}
              </Button>
            )}
          </Space>
        )}
      </Space>
    </Card>
  );
}

export default function SegmentBuilderPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [audience, setAudience] = useState<Audience>('contacts');
  const [tree, setTree] = useState<GroupNode>(() => emptyGroup('and'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const readOnly = !can(me, id ? 'segments:update' : 'segments:create');

  const existing = useQuery({
    queryKey: ['segments', id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET('/api/v1/segments/{segment_id}', { params: { path: { segment_id: id! } } })),
  });
  useEffect(() => {
    if (!existing.data) return;
    setName(existing.data.name);
    setDescription(existing.data.description ?? '');
    setAudience(existing.data.audience);
    setTree(fromJson(existing.data.conditions));
  }, [existing.data]);

  const fieldList = useQuery({
    queryKey: ['segment-fields', audience],
    queryFn: () => unwrap(api.GET('/api/v1/segments/fields', { params: { query: { audience } } })),
    staleTime: 60_000,
  });
  const users = useUserOptions();
  const departments = useDepartments();
  const regions = useRegions();

  const fields = useMemo(() => new Map((fieldList.data?.items ?? []).map((f) => [f.name, f])), [fieldList.data]);
  const label = (f: FieldInfo) => t(`segments.fieldNames.${f.name.replace(/\./g, '_')}`, { defaultValue: f.label });
  const ctx: Context = {
    fields,
    options: [...fields.values()].map((f) => ({ value: f.name, label: label(f) })),
    refOptions: (field) => {
      if (field.endsWith('owner')) return users;
      if (field.endsWith('department')) return (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
      if (field.endsWith('region')) return (regions.data ?? []).map((r) => ({ value: r.id, label: r.name }));
      return null;
    },
    label,
    change: (key, fn) => setTree((current) => update(current, key, fn)),
    add: (groupKey, node) => setTree((current) => append(current, groupKey, node)),
    readOnly,
  };

  const conditions = useMemo(() => toJson(tree), [tree]);
  const wanted = useDebounced(JSON.stringify({ audience, conditions }), 400);
  const preview = useQuery({
    queryKey: ['segment-preview', wanted],
    placeholderData: keepPreviousData,
    // A busy database answers 503 with Retry-After: try again; a bad condition (422) is shown at once.
    retry: (failures, e) => failures < 3 && e instanceof ApiError && e.status === 503,
    retryDelay: 1000,
    queryFn: () => unwrap(api.POST('/api/v1/segments/preview', { body: JSON.parse(wanted) })),
  });

  async function save() {
    setError(null);
    if (!name.trim()) {
      setError(t('segments.nameRequired'));
      return;
    }
    setBusy(true);
    const body = { name: name.trim(), description: description.trim() || null, audience, conditions };
    try {
      if (id && existing.data) {
        await unwrap(
          api.PATCH('/api/v1/segments/{segment_id}', {
            params: { path: { segment_id: id }, header: { 'if-match': etagOf(existing.data.version) } },
            body,
          }),
        );
      } else {
        await unwrap(api.POST('/api/v1/segments', { body }));
      }
      await queryClient.invalidateQueries({ queryKey: ['segments'] });
      message.success(t('common.saved'));
      navigate('/segments');
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  if (id && existing.isLoading) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return (
    <div style={{ maxWidth: 1100 }}>
      <Typography.Title level={2}>{id ? t('segments.edit') : t('segments.new')}</Typography.Title>
      <Form layout="vertical" disabled={readOnly}>
        <Space wrap align="start">
          <Form.Item label={t('segments.name')} required>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              style={{ width: 320 }}
              data-testid="segment-name"
            />
          </Form.Item>
          <Form.Item label={t('segments.audience')}>
            <Radio.Group
              value={audience}
              onChange={(e) => setAudience(e.target.value)}
              optionType="button"
              data-testid="segment-audience"
              options={(['contacts', 'leads', 'both'] as const).map((a) => ({ value: a, label: t(`segments.audiences.${a}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item label={t('segments.description')}>
          <Input.TextArea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={10000} />
        </Form.Item>
      </Form>
      <Space align="start" wrap style={{ width: '100%' }} size="large">
        <div style={{ minWidth: 320, flex: 1 }}>
          <Typography.Title level={4}>{t('segments.conditions')}</Typography.Title>
          {fieldList.isError ? (
            <ErrorState error={fieldList.error} onRetry={() => void fieldList.refetch()} />
          ) : (
            <GroupEditor group={tree} ctx={ctx} depth={1} root />
          )}
        </div>
        <Card style={{ minWidth: 260 }}>
          <Statistic
            title={t('segments.count')}
            value={preview.data?.count ?? '—'}
            loading={preview.isLoading}
            valueRender={(node) => <span data-testid="segment-count">{node}</span>}
          />
          <Typography.Text type="secondary">{t('segments.countHelp')}</Typography.Text>
          {preview.isError && (
            <Alert type="warning" showIcon style={{ marginTop: 8 }} message={describeError(t, preview.error)} data-testid="preview-error" />
          )}
        </Card>
      </Space>
      {!!preview.data?.sample.length && (
        <>
          <Typography.Title level={4} style={{ marginTop: 16 }}>
            {t('segments.sample')}
          </Typography.Title>
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={preview.data.sample}
            data-testid="segment-sample"
            columns={[
              { key: 'name', title: t('segments.name'), dataIndex: 'name' },
              { key: 'kind', title: t('segments.kind'), render: (_: unknown, r) => t(`segments.kinds.${r.kind}`) },
              { key: 'company', title: t('segments.company'), dataIndex: 'company' },
              { key: 'email', title: t('segments.email'), dataIndex: 'email' },
              { key: 'phone', title: t('segments.phone'), dataIndex: 'phone' },
            ]}
          />
        </>
      )}
      {error && <Alert type="error" showIcon style={{ marginTop: 16 }} message={error} data-testid="segment-error" />}
      {!readOnly && (
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="save-segment">
            {t('common.save')}
          </Button>
          <Button onClick={() => navigate('/segments')}>{t('common.cancel')}</Button>
        </Space>
      )}
    </div>
  );
}
