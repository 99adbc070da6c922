import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Col, Form, Input, Row, Select, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { useMe } from '../auth';
import { customFieldsBody } from '../components/CustomFieldInput';
import { applyServerError, ConflictModal, CustomFieldsCard, DuplicateModal, FormButtons } from '../components/recordForm';
import { CustomerSelect } from '../components/CustomerSelect';
import { ErrorState, Loading } from '../components/states';
import { useCustomFields, useUsers } from '../directory';
import { can } from '../permissions';
import type { Contact } from './customerBits';

type ContactCreate = components['schemas']['ContactCreate'];
type ContactPatch = components['schemas']['ContactPatch'];

const STANDARD = ['name', 'customer_id', 'title', 'phones', 'emails', 'birthday', 'is_primary', 'tags', 'description', 'owner_id'] as const;
type Standard = (typeof STANDARD)[number];
type Values = Partial<Record<Standard, unknown>> & { custom_fields?: Record<string, unknown> };
const KNOWN: ReadonlySet<string> = new Set([...STANDARD, 'custom_fields']);
const LISTS = new Set(['phones', 'emails', 'tags']);

function toValues(c: Contact): Values {
  const values: Values = { custom_fields: { ...c.custom_fields } };
  for (const key of STANDARD) values[key] = c[key] ?? undefined;
  return values;
}

function clean(key: Standard, value: unknown): unknown {
  if (LISTS.has(key)) return Array.isArray(value) ? value.map((v) => String(v).trim()).filter(Boolean) : [];
  if (key === 'is_primary') return !!value;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

export default function ContactFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const [params] = useSearchParams();
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
  const customFields = useCustomFields('contact');
  const users = useUsers();
  const mayAssign = can(me, 'contacts:assign');

  const record = useQuery({
    queryKey: ['contacts', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id! } } })),
  });
  const initial = useMemo(() => (record.data ? toValues(record.data) : undefined), [record.data]);
  useEffect(() => {
    if (initial) form.setFieldsValue(initial);
  }, [initial, form]);

  async function save(values: Values, allowDuplicate = false) {
    setBusy(true);
    setFormError(null);
    try {
      let savedId: string;
      if (!editing) {
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          const v = clean(key, values[key]);
          if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
        }
        body.is_primary = !!values.is_primary;
        body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
        const created = await unwrap(
          api.POST('/api/v1/contacts', {
            params: { query: allowDuplicate ? { allow_duplicate: true } : {}, header: { 'idempotency-key': idempotencyKey.current } },
            body: body as ContactCreate,
          }),
        );
        savedId = created.id;
        message.success(t('contact.created'));
      } else {
        const current = record.data!;
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          if (key === 'owner_id' && !mayAssign) continue;
          const v = clean(key, values[key]);
          if (JSON.stringify(v ?? null) !== JSON.stringify(current[key] ?? null)) body[key] = v;
        }
        const custom = customFieldsBody(values.custom_fields, current.custom_fields, 'update');
        if (Object.keys(custom).length) body.custom_fields = custom;
        if (Object.keys(body).length)
          await unwrap(
            api.PATCH('/api/v1/contacts/{contact_id}', {
              params: {
                path: { contact_id: current.id },
                query: allowDuplicate ? { allow_duplicate: true } : {},
                header: { 'if-match': etagOf(current.version) },
              },
              body: body as ContactPatch,
            }),
          );
        savedId = current.id;
        message.success(t('common.saved'));
      }
      await queryClient.invalidateQueries({ queryKey: ['contacts'] });
      navigate(`/contacts/${savedId}`, { replace: true });
    } catch (error) {
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, KNOWN, t);
      if (outcome.kind === 'duplicate') setDuplicate({ existingId: outcome.existingId, values });
      else if (outcome.kind === 'conflict') setConflict(true);
      else setFormError(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  if (editing && record.isLoading) return <Loading />;
  if (editing && record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;
  const half = { xs: 24, md: 12 };
  return (
    <section aria-labelledby="contact-form-title">
      <div className="page-header">
        <Typography.Title level={2} id="contact-form-title">
          {editing ? t('contact.editTitle') : t('contact.new')}
        </Typography.Title>
      </div>
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={
          editing ? initial : { is_primary: false, phones: [], emails: [], tags: [], customer_id: params.get('customer') ?? undefined }
        }
        disabled={busy}
        scrollToFirstError
        data-testid="contact-form"
      >
        <Card>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item
                name="name"
                label={t('contact.fields.name')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="customer_id" label={t('contact.fields.customer_id')}>
                <CustomerSelect />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="title" label={t('contact.fields.title')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="birthday" label={t('contact.fields.birthday')}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="phones" label={t('contact.fields.phones')}>
                <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="emails" label={t('contact.fields.emails')}>
                <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="is_primary" label={t('contact.fields.is_primary')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
            {mayAssign && !!users.data?.length && (
              <Col {...half}>
                <Form.Item name="owner_id" label={t('contact.fields.owner_id')}>
                  <Select
                    showSearch={{ optionFilterProp: 'label' }}
                    allowClear={!editing}
                    options={users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
                  />
                </Form.Item>
              </Col>
            )}
            <Col span={24}>
              <Form.Item name="tags" label={t('contact.fields.tags')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="description" label={t('contact.fields.description')}>
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
        onOpen={duplicate?.existingId ? () => navigate(`/contacts/${duplicate.existingId}`) : undefined}
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
