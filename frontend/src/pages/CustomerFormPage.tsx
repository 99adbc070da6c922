import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Col, Form, Input, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { useMe } from '../auth';
import { customFieldsBody } from '../components/CustomFieldInput';
import { applyServerError, ConflictModal, CustomFieldsCard, DuplicateModal, FormButtons } from '../components/recordForm';
import { ErrorState, Loading } from '../components/states';
import { useCustomFields, useRegions, useUsers } from '../directory';
import { can } from '../permissions';
import { LEVELS, STATUSES, TYPES, type Customer } from './customerBits';

type CustomerCreate = components['schemas']['CustomerCreate'];
type CustomerPatch = components['schemas']['CustomerPatch'];

const STANDARD = [
  'name',
  'kind',
  'status',
  'level',
  'customer_type',
  'industry',
  'source',
  'region_id',
  'phone',
  'email',
  'website',
  'address',
  'tags',
  'description',
  'owner_id',
] as const;
type Standard = (typeof STANDARD)[number];
type Values = Partial<Record<Standard, unknown>> & { custom_fields?: Record<string, unknown> };
const KNOWN: ReadonlySet<string> = new Set([...STANDARD, 'custom_fields']);

function toValues(c: Customer): Values {
  const values: Values = { custom_fields: { ...c.custom_fields } };
  for (const key of STANDARD) values[key] = c[key] ?? undefined;
  return values;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

export default function CustomerFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [duplicate, setDuplicate] = useState<{ existingId?: string; values: Values } | null>(null);
  const [conflict, setConflict] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const customFields = useCustomFields('customer');
  const users = useUsers();
  const regions = useRegions();
  const mayAssign = can(me, 'customers:assign');

  const record = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id! } } })),
  });
  const initial = useMemo(() => (record.data ? toValues(record.data) : undefined), [record.data]);
  useEffect(() => {
    if (initial) form.setFieldsValue(initial);
  }, [initial, form]);

  function showServerErrors(error: unknown, values: Values): void {
    const outcome = applyServerError(form, error, KNOWN, t);
    if (outcome.kind === 'fields') setFormError(outcome.message);
    else if (outcome.kind === 'duplicate') setDuplicate({ existingId: outcome.existingId, values });
    else if (outcome.kind === 'conflict') setConflict(true);
    else setFormError(outcome.message);
  }

  async function save(values: Values, allowDuplicate = false) {
    setBusy(true);
    setFormError(null);
    try {
      if (!editing) {
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          const v = clean(values[key]);
          if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
        }
        body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
        const created = await unwrap(
          api.POST('/api/v1/customers', {
            params: { query: allowDuplicate ? { allow_duplicate: true } : {}, header: { 'idempotency-key': idempotencyKey.current } },
            body: body as CustomerCreate,
          }),
        );
        message.success(t('customer.created'));
        await queryClient.invalidateQueries({ queryKey: ['customers'] });
        navigate(`/customers/${created.id}`, { replace: true });
      } else {
        const current = record.data!;
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          if (key === 'owner_id' && !mayAssign) continue;
          const v = clean(values[key]);
          const before = current[key] ?? null;
          if (JSON.stringify(v ?? null) !== JSON.stringify(before)) body[key] = key === 'tags' && v === null ? [] : v;
        }
        const custom = customFieldsBody(values.custom_fields, current.custom_fields, 'update');
        if (Object.keys(custom).length) body.custom_fields = custom;
        if (Object.keys(body).length) {
          await unwrap(
            api.PATCH('/api/v1/customers/{customer_id}', {
              params: {
                path: { customer_id: current.id },
                query: allowDuplicate ? { allow_duplicate: true } : {},
                header: { 'if-match': etagOf(current.version) },
              },
              body: body as CustomerPatch,
            }),
          );
        }
        message.success(t('common.saved'));
        await queryClient.invalidateQueries({ queryKey: ['customers'] });
        navigate(`/customers/${current.id}`, { replace: true });
      }
    } catch (error) {
      // The server answered: the next attempt is a new request (a reused key with another body is refused).
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      showServerErrors(error, values);
    } finally {
      setBusy(false);
    }
  }

  if (editing && record.isLoading) return <Loading />;
  if (editing && record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;

  const half = { xs: 24, md: 12 };
  return (
    <section aria-labelledby="customer-form-title">
      <div className="page-header">
        <Typography.Title level={2} id="customer-form-title">
          {editing ? t('customer.editTitle') : t('customer.new')}
        </Typography.Title>
      </div>
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={editing ? initial : { kind: 'company', status: 'prospect', tags: [] }}
        disabled={busy}
        scrollToFirstError
        data-testid="customer-form"
      >
        <Card>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item
                name="name"
                label={t('customer.fields.name')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="kind" label={t('customer.fields.kind')}>
                <Select options={(['company', 'individual'] as const).map((k) => ({ value: k, label: t(`customer.kind.${k}`) }))} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="status" label={t('customer.fields.status')}>
                <Select options={STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="level" label={t('customer.fields.level')}>
                <Select allowClear options={LEVELS.map((l) => ({ value: l, label: l }))} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="customer_type" label={t('customer.fields.customer_type')}>
                <Select allowClear options={TYPES.map((l) => ({ value: l, label: l }))} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="industry" label={t('customer.fields.industry')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="phone" label={t('customer.fields.phone')}>
                <Input type="tel" inputMode="tel" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="email" label={t('customer.fields.email')}>
                <Input inputMode="email" autoComplete="off" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="website" label={t('customer.fields.website')}>
                <Input inputMode="url" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="source" label={t('customer.fields.source')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            {!!regions.data?.length && (
              <Col {...half}>
                <Form.Item name="region_id" label={t('customer.fields.region_id')}>
                  <Select allowClear options={regions.data.map((r) => ({ value: r.id, label: r.name }))} />
                </Form.Item>
              </Col>
            )}
            {mayAssign && !!users.data?.length && (
              <Col {...half}>
                <Form.Item name="owner_id" label={t('customer.fields.owner_id')}>
                  <Select
                    allowClear={!editing}
                    showSearch={{ optionFilterProp: 'label' }}
                    options={users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
                  />
                </Form.Item>
              </Col>
            )}
            <Col span={24}>
              <Form.Item name="address" label={t('customer.fields.address')}>
                <Input maxLength={500} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="tags" label={t('customer.fields.tags')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="description" label={t('customer.fields.description')}>
                <Input.TextArea rows={3} maxLength={5000} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <CustomFieldsCard fields={customFields.data} />
        <FormButtons busy={busy} editing={editing} onCancel={() => navigate(-1)} />
      </Form>
      <DuplicateModal
        editing={editing}
        open={!!duplicate}
        onCancel={() => setDuplicate(null)}
        onAnyway={() => {
          const values = duplicate!.values;
          setDuplicate(null);
          idempotencyKey.current = newIdempotencyKey();
          void save(values, true);
        }}
        onOpen={duplicate?.existingId ? () => navigate(`/customers/${duplicate.existingId}`) : undefined}
      />
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
