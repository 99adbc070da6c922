import { useQuery } from '@tanstack/react-query';
import { Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { changedBody, createBody } from '../components/formBody';
import { DescriptionItem, FullItem, HalfItem, NameItem, OwnerItem, RegionItem, TagsItem } from '../components/formFields';
import { ConflictModal, DuplicateModal, FormPage, RecordForm } from '../components/recordForm';
import { useFormRecord } from '../components/useFormRecord';
import { useOpenSaved, useRecordSave, type SaveRequest } from '../components/useRecordSave';
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
  const navigate = useNavigate();
  const openSaved = useOpenSaved('customers');
  const [form] = Form.useForm<Values>();
  const customFields = useCustomFields('customer');
  const mayAssign = can(me, 'customers:assign');

  const record = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id! } } })),
  });
  const { initial, reload } = useFormRecord(form, record, toValues);

  async function write(values: Values, { idempotencyKey, query }: SaveRequest) {
    if (!editing) {
      const created = await unwrap(
        api.POST('/api/v1/customers', {
          params: { query, header: { 'idempotency-key': idempotencyKey } },
          body: createBody(values, STANDARD, { customFields: true }) as CustomerCreate,
        }),
      );
      await openSaved(t('customer.created'), created.id);
    } else {
      const current = record.data!;
      const body = changedBody(
        values,
        current,
        STANDARD.filter((key) => key !== 'owner_id' || mayAssign),
        { customFields: true },
      );
      if (Object.keys(body).length) {
        await unwrap(
          api.PATCH('/api/v1/customers/{customer_id}', {
            params: { path: { customer_id: current.id }, query, header: { 'if-match': etagOf(current.version) } },
            body: body as CustomerPatch,
          }),
        );
      }
      await openSaved(t('common.saved'), current.id);
    }
  }
  const saving = useRecordSave({ form, known: KNOWN, write, reload });

  return (
    <FormPage
      name="customer-form"
      title={editing ? t('customer.editTitle') : t('customer.new')}
      error={saving.formError}
      record={editing ? record : undefined}
    >
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
        <HalfItem name="kind" label={t('customer.fields.kind')}>
          <Select options={(['company', 'individual'] as const).map((k) => ({ value: k, label: t(`customer.kind.${k}`) }))} />
        </HalfItem>
        <HalfItem name="status" label={t('customer.fields.status')}>
          <Select options={STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))} />
        </HalfItem>
        <HalfItem name="level" label={t('customer.fields.level')}>
          <Select allowClear options={LEVELS.map((l) => ({ value: l, label: l }))} />
        </HalfItem>
        <HalfItem name="customer_type" label={t('customer.fields.customer_type')}>
          <Select allowClear options={TYPES.map((l) => ({ value: l, label: l }))} />
        </HalfItem>
        <HalfItem name="industry" label={t('customer.fields.industry')}>
          <Input maxLength={100} />
        </HalfItem>
        <HalfItem name="phone" label={t('customer.fields.phone')}>
          <Input type="tel" inputMode="tel" />
        </HalfItem>
        <HalfItem name="email" label={t('customer.fields.email')}>
          <Input inputMode="email" autoComplete="off" />
        </HalfItem>
        <HalfItem name="website" label={t('customer.fields.website')}>
          <Input inputMode="url" />
        </HalfItem>
        <HalfItem name="source" label={t('customer.fields.source')}>
          <Input maxLength={100} />
        </HalfItem>
        <RegionItem label={t('customer.fields.region_id')} />
        <OwnerItem label={t('customer.fields.owner_id')} mayAssign={mayAssign} allowClear={!editing} />
        <FullItem name="address" label={t('customer.fields.address')}>
          <Input maxLength={500} />
        </FullItem>
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
