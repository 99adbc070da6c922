import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Col, Form, Input, InputNumber, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { useMe } from '../auth';
import { CustomerSelect } from '../components/CustomerSelect';
import { customFieldsBody } from '../components/CustomFieldInput';
import { applyServerError, ConflictModal, CustomFieldsCard, FormButtons } from '../components/recordForm';
import { ErrorState, Loading } from '../components/states';
import { useCustomFields, useUsers } from '../directory';
import { can } from '../permissions';
import { usePipelines } from './salesBits';

type Detail = components['schemas']['OpportunityDetailOut'];
type Create = components['schemas']['OpportunityCreate'];
type Patch = components['schemas']['OpportunityPatch'];

// Fields the form edits; pipeline and stage only on create (afterwards the stage moves through
// the stage route, which checks the stage's required fields).
const EDITABLE = [
  'name',
  'customer_id',
  'amount',
  'currency',
  'expected_close_date',
  'probability',
  'forecast_category',
  'next_step',
  'competitors',
  'tags',
  'owner_id',
  'description',
] as const;
const CREATE_ONLY = ['pipeline_id', 'stage_id'] as const;
type Field = (typeof EDITABLE)[number] | (typeof CREATE_ONLY)[number];
type Values = Partial<Record<Field, unknown>> & { custom_fields?: Record<string, unknown> };
const KNOWN: ReadonlySet<string> = new Set([...EDITABLE, ...CREATE_ONLY, 'custom_fields']);

function toValues(o: Detail): Values {
  const values: Values = { custom_fields: { ...o.custom_fields } };
  for (const key of EDITABLE) values[key] = o[key] ?? undefined;
  values.amount = Number(o.amount);
  return values;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

export default function OpportunityFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const customFields = useCustomFields('opportunity');
  const users = useUsers();
  const pipelines = usePipelines();
  const mayAssign = can(me, 'opportunities:assign');
  const pipelineId = Form.useWatch('pipeline_id', form);

  const record = useQuery({
    queryKey: ['opportunities', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: id! } } })),
  });
  const initial = useMemo(() => (record.data ? toValues(record.data) : undefined), [record.data]);
  useEffect(() => {
    if (initial) form.setFieldsValue(initial);
  }, [initial, form]);
  const closed = !!record.data?.closed_at;
  const fromLines = !!record.data?.line_items.length;

  async function save(values: Values) {
    setBusy(true);
    setFormError(null);
    try {
      if (!editing) {
        const body: Record<string, unknown> = {};
        for (const key of [...EDITABLE, ...CREATE_ONLY]) {
          const v = clean(values[key]);
          if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = key === 'amount' ? String(v) : v;
        }
        body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
        const created = await unwrap(
          api.POST('/api/v1/opportunities', { params: { header: { 'idempotency-key': idempotencyKey.current } }, body: body as Create }),
        );
        message.success(t('opportunities.created'));
        await queryClient.invalidateQueries({ queryKey: ['opportunities'] });
        navigate(`/opportunities/${created.id}`, { replace: true });
      } else {
        const current = record.data!;
        const body: Record<string, unknown> = {};
        for (const key of EDITABLE) {
          if (key === 'owner_id' && !mayAssign) continue;
          if (key === 'amount' && fromLines) continue;
          if (key === 'forecast_category' && closed) continue;
          let v = clean(values[key]);
          let before: unknown = current[key] ?? null;
          if (key === 'amount') {
            v = v === null ? null : Number(v);
            before = Number(before);
          }
          if (JSON.stringify(v ?? null) !== JSON.stringify(before)) {
            if ((key === 'tags' || key === 'competitors') && v === null) body[key] = [];
            else body[key] = key === 'amount' && v !== null ? String(v) : v;
          }
        }
        const custom = customFieldsBody(values.custom_fields, current.custom_fields, 'update');
        if (Object.keys(custom).length) body.custom_fields = custom;
        if (Object.keys(body).length)
          await unwrap(
            api.PATCH('/api/v1/opportunities/{opportunity_id}', {
              params: { path: { opportunity_id: current.id }, header: { 'if-match': etagOf(current.version) } },
              body: body as Patch,
            }),
          );
        message.success(t('common.saved'));
        await queryClient.invalidateQueries({ queryKey: ['opportunities'] });
        navigate(`/opportunities/${current.id}`, { replace: true });
      }
    } catch (error) {
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, KNOWN, t);
      if (outcome.kind === 'conflict') setConflict(true);
      else if (outcome.kind === 'fields') setFormError(outcome.message);
      else if (outcome.kind === 'other') setFormError(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  if (editing && record.isLoading) return <Loading />;
  if (editing && record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;

  const half = { xs: 24, md: 12 };
  const pipeline = (pipelines.data ?? []).find((p) => p.id === pipelineId);
  const categories = (['pipeline', 'best_case', 'commit', 'omitted'] as const).map((c) => ({
    value: c,
    label: t(`opportunities.category.${c}`),
  }));
  return (
    <section aria-labelledby="opportunity-form-title">
      <div className="page-header">
        <Typography.Title level={2} id="opportunity-form-title">
          {editing ? t('opportunities.editTitle') : t('opportunities.new')}
        </Typography.Title>
      </div>
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={editing ? initial : { customer_id: search.get('customer') ?? undefined, tags: [], competitors: [] }}
        disabled={busy}
        scrollToFirstError
        data-testid="opportunity-form"
      >
        <Card>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item
                name="name"
                label={t('opportunities.fields.name')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item
                name="customer_id"
                label={t('opportunities.fields.customer_id')}
                rules={[{ required: true, message: t('common.required') }]}
              >
                <CustomerSelect ariaLabel={t('opportunities.fields.customer_id')} />
              </Form.Item>
            </Col>
            {!editing && (
              <>
                <Col {...half}>
                  <Form.Item name="pipeline_id" label={t('opportunities.fields.pipeline_id')}>
                    <Select
                      allowClear
                      onChange={() => form.setFieldValue('stage_id', undefined)}
                      options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
                    />
                  </Form.Item>
                </Col>
                <Col {...half}>
                  <Form.Item name="stage_id" label={t('opportunities.fields.stage_id')}>
                    <Select
                      allowClear
                      disabled={!pipeline}
                      options={(pipeline?.stages ?? []).filter((s) => s.kind === 'open').map((s) => ({ value: s.id, label: s.name }))}
                    />
                  </Form.Item>
                </Col>
              </>
            )}
            <Col {...half}>
              <Form.Item
                name="amount"
                label={t('opportunities.fields.amount')}
                extra={fromLines ? t('opportunities.amountFromLines') : undefined}
              >
                <InputNumber min={0} step={1000} style={{ width: '100%' }} disabled={fromLines} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item
                name="currency"
                label={t('opportunities.fields.currency')}
                rules={[{ pattern: /^[A-Z]{3}$/, message: 'ISO 4217' }]}
              >
                <Input maxLength={3} placeholder={pipeline?.currency ?? 'CNY'} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="expected_close_date" label={t('opportunities.fields.expected_close_date')}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="probability" label={t('opportunities.fields.probability')}>
                <InputNumber min={0} max={100} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            {!closed && (
              <Col {...half}>
                <Form.Item name="forecast_category" label={t('opportunities.fields.forecast_category')}>
                  <Select allowClear={!editing} options={categories} />
                </Form.Item>
              </Col>
            )}
            <Col {...half}>
              <Form.Item name="next_step" label={t('opportunities.fields.next_step')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            {mayAssign && !!users.data?.length && (
              <Col {...half}>
                <Form.Item name="owner_id" label={t('opportunities.fields.owner_id')}>
                  <Select
                    allowClear={!editing}
                    showSearch={{ optionFilterProp: 'label' }}
                    options={users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
                  />
                </Form.Item>
              </Col>
            )}
            <Col {...half}>
              <Form.Item name="competitors" label={t('opportunities.fields.competitors')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="tags" label={t('opportunities.fields.tags')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="description" label={t('opportunities.fields.description')}>
                <Input.TextArea rows={3} maxLength={10000} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <CustomFieldsCard fields={customFields.data} />
        <FormButtons busy={busy} editing={editing} onCancel={() => navigate(-1)} />
      </Form>
      <ConflictModal
        open={conflict}
        onCancel={() => setConflict(false)}
        onReload={async () => {
          setConflict(false);
          const fresh = await record.refetch();
          if (fresh.data) form.setFieldsValue(toValues(fresh.data));
        }}
      />
    </section>
  );
}
