import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Col, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { customFieldsBody } from '../components/CustomFieldInput';
import { changedBody, createBody } from '../components/formBody';
import { DescriptionItem, HALF, NameItem, OwnerItem, RegionItem, TagsItem } from '../components/formFields';
import { ConflictModal, DuplicateModal, FormPage, RecordForm } from '../components/recordForm';
import { ErrorState, Loading } from '../components/states';
import { useFormRecord } from '../components/useFormRecord';
import { useRecordSave, type SaveRequest } from '../components/useRecordSave';
import { useCustomFields } from '../directory';
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

export default function CustomerFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const customFields = useCustomFields('customer');
  const mayAssign = can(me, 'customers:assign');

  const record = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id! } } })),
  });
  const { initial, reload } = useFormRecord(form, record, toValues);

  async function write(values: Values, { idempotencyKey, allowDuplicate }: SaveRequest) {
    const query = allowDuplicate ? { allow_duplicate: true } : {};
    if (!editing) {
      const body = createBody(values, STANDARD);
      body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
      const created = await unwrap(
        api.POST('/api/v1/customers', { params: { query, header: { 'idempotency-key': idempotencyKey } }, body: body as CustomerCreate }),
      );
      message.success(t('customer.created'));
      await queryClient.invalidateQueries({ queryKey: ['customers'] });
      navigate(`/customers/${created.id}`, { replace: true });
    } else {
      const current = record.data!;
      const body = changedBody(
        values,
        current,
        STANDARD.filter((key) => key !== 'owner_id' || mayAssign),
      );
      const custom = customFieldsBody(values.custom_fields, current.custom_fields, 'update');
      if (Object.keys(custom).length) body.custom_fields = custom;
      if (Object.keys(body).length) {
        await unwrap(
          api.PATCH('/api/v1/customers/{customer_id}', {
            params: { path: { customer_id: current.id }, query, header: { 'if-match': etagOf(current.version) } },
            body: body as CustomerPatch,
          }),
        );
      }
      message.success(t('common.saved'));
      await queryClient.invalidateQueries({ queryKey: ['customers'] });
      navigate(`/customers/${current.id}`, { replace: true });
    }
  }
  const saving = useRecordSave({ form, known: KNOWN, write, reload });

  if (editing && record.isLoading) return <Loading />;
  if (editing && record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;

  return (
    <FormPage name="customer-form" title={editing ? t('customer.editTitle') : t('customer.new')} error={saving.formError}>
      <RecordForm<Values>
        name="customer-form"
        form={form}
        onFinish={(v) => void saving.save(v)}
        initialValues={editing ? initial : { kind: 'company', status: 'prospect', tags: [] }}
        busy={saving.busy}
        editing={editing}
        customFields={customFields.data}
      >
        <NameItem label={t('customer.fields.name')} />
        <Col {...HALF}>
          <Form.Item name="kind" label={t('customer.fields.kind')}>
            <Select options={(['company', 'individual'] as const).map((k) => ({ value: k, label: t(`customer.kind.${k}`) }))} />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="status" label={t('customer.fields.status')}>
            <Select options={STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="level" label={t('customer.fields.level')}>
            <Select allowClear options={LEVELS.map((l) => ({ value: l, label: l }))} />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="customer_type" label={t('customer.fields.customer_type')}>
            <Select allowClear options={TYPES.map((l) => ({ value: l, label: l }))} />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="industry" label={t('customer.fields.industry')}>
            <Input maxLength={100} />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="phone" label={t('customer.fields.phone')}>
            <Input type="tel" inputMode="tel" />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="email" label={t('customer.fields.email')}>
            <Input inputMode="email" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="website" label={t('customer.fields.website')}>
            <Input inputMode="url" />
          </Form.Item>
        </Col>
        <Col {...HALF}>
          <Form.Item name="source" label={t('customer.fields.source')}>
            <Input maxLength={100} />
          </Form.Item>
        </Col>
        <RegionItem label={t('customer.fields.region_id')} />
        <OwnerItem label={t('customer.fields.owner_id')} mayAssign={mayAssign} allowClear={!editing} />
        <Col span={24}>
          <Form.Item name="address" label={t('customer.fields.address')}>
            <Input maxLength={500} />
          </Form.Item>
        </Col>
        <TagsItem label={t('customer.fields.tags')} />
        <DescriptionItem label={t('customer.fields.description')} />
      </RecordForm>
      <DuplicateModal
        editing={editing}
        {...saving.duplicateModal}
        onOpen={saving.duplicate?.existingId ? () => navigate(`/customers/${saving.duplicate!.existingId}`) : undefined}
      />
      <ConflictModal {...saving.conflictModal} />
    </FormPage>
  );
}
