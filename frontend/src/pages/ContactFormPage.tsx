import { useQuery } from '@tanstack/react-query';
import { Form, Input, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { CustomerSelect } from '../components/CustomerSelect';
import { changedBody, cleanValue, createBody } from '../components/formBody';
import { DescriptionItem, HalfItem, NameItem, OwnerItem, TagsInput, TagsItem } from '../components/formFields';
import { ConflictModal, DuplicateModal, FormPage, RecordForm } from '../components/recordForm';
import { useFormRecord } from '../components/useFormRecord';
import { useOpenSaved, useRecordSave, type SaveRequest } from '../components/useRecordSave';
import { useCustomFields } from '../directory';
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

/** Lists trimmed (never null), the primary flag a boolean. */
function clean(key: Standard, value: unknown): unknown {
  if (LISTS.has(key)) return Array.isArray(value) ? value.map((v) => String(v).trim()).filter(Boolean) : [];
  if (key === 'is_primary') return !!value;
  return cleanValue(value);
}

export default function ContactFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const openSaved = useOpenSaved('contacts');
  const [form] = Form.useForm<Values>();
  const customFields = useCustomFields('contact');
  const mayAssign = can(me, 'contacts:assign');

  const record = useQuery({
    queryKey: ['contacts', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id! } } })),
  });
  const { initial, reload } = useFormRecord(form, record, toValues);

  async function write(values: Values, { idempotencyKey, query }: SaveRequest) {
    if (!editing) {
      const created = await unwrap(
        api.POST('/api/v1/contacts', {
          params: { query, header: { 'idempotency-key': idempotencyKey } },
          body: createBody(values, STANDARD, { clean, customFields: true }) as ContactCreate,
        }),
      );
      await openSaved(t('contact.created'), created.id);
    } else {
      const current = record.data!;
      const body = changedBody(
        values,
        current,
        STANDARD.filter((key) => key !== 'owner_id' || mayAssign),
        { clean, customFields: true },
      );
      if (Object.keys(body).length)
        await unwrap(
          api.PATCH('/api/v1/contacts/{contact_id}', {
            params: { path: { contact_id: current.id }, query, header: { 'if-match': etagOf(current.version) } },
            body: body as ContactPatch,
          }),
        );
      await openSaved(t('common.saved'), current.id);
    }
  }
  const saving = useRecordSave({ form, known: KNOWN, write, reload });

  return (
    <FormPage
      name="contact-form"
      title={editing ? t('contact.editTitle') : t('contact.new')}
      error={saving.formError}
      record={editing ? record : undefined}
    >
      <RecordForm<Values>
        name="contact-form"
        form={form}
        onFinish={(v) => void saving.save(v)}
        initialValues={
          editing ? initial : { is_primary: false, phones: [], emails: [], tags: [], customer_id: params.get('customer') ?? undefined }
        }
        busy={saving.busy}
        editing={editing}
        customFields={customFields.data}
      >
        <NameItem label={t('contact.fields.name')} />
        <HalfItem name="customer_id" label={t('contact.fields.customer_id')}>
          <CustomerSelect />
        </HalfItem>
        <HalfItem name="title" label={t('contact.fields.title')}>
          <Input maxLength={200} />
        </HalfItem>
        <HalfItem name="birthday" label={t('contact.fields.birthday')}>
          <Input type="date" />
        </HalfItem>
        <HalfItem name="phones" label={t('contact.fields.phones')}>
          <TagsInput separators={[',', ' ']} />
        </HalfItem>
        <HalfItem name="emails" label={t('contact.fields.emails')}>
          <TagsInput separators={[',', ' ']} />
        </HalfItem>
        <HalfItem name="is_primary" label={t('contact.fields.is_primary')} valuePropName="checked">
          <Switch />
        </HalfItem>
        <OwnerItem label={t('contact.fields.owner_id')} mayAssign={mayAssign} allowClear={!editing} />
        <TagsItem label={t('contact.fields.tags')} />
        <DescriptionItem label={t('contact.fields.description')} />
      </RecordForm>
      <DuplicateModal
        editing={editing}
        {...saving.duplicateModal}
        onOpen={saving.duplicate?.existingId ? () => navigate(`/contacts/${saving.duplicate!.existingId}`) : undefined}
      />
      <ConflictModal {...saving.conflictModal} />
    </FormPage>
  );
}
