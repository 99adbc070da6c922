import { useQuery } from '@tanstack/react-query';
import { Form, Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { CustomerSelect } from '../components/CustomerSelect';
import { changedBody, cleanValue, createBody } from '../components/formBody';
import { DescriptionItem, HalfItem, NameItem, OwnerItem, TagsInput } from '../components/formFields';
import { ConflictModal, FormPage, RecordForm } from '../components/recordForm';
import { useFormRecord } from '../components/useFormRecord';
import { useOpenSaved, useRecordSave, type SaveRequest } from '../components/useRecordSave';
import { useCustomFields } from '../directory';
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

export default function OpportunityFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const me = useMe();
  const openSaved = useOpenSaved('opportunities');
  const [form] = Form.useForm<Values>();
  const customFields = useCustomFields('opportunity');
  const pipelines = usePipelines();
  const mayAssign = can(me, 'opportunities:assign');
  const pipelineId = Form.useWatch('pipeline_id', form);

  const record = useQuery({
    queryKey: ['opportunities', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: id! } } })),
  });
  const { initial, reload } = useFormRecord(form, record, toValues);
  const closed = !!record.data?.closed_at;
  const fromLines = !!record.data?.line_items.length;

  async function write(values: Values, { idempotencyKey }: SaveRequest) {
    if (!editing) {
      const body = createBody(values, [...EDITABLE, ...CREATE_ONLY], { customFields: true });
      if (body.amount !== undefined) body.amount = String(body.amount);
      const created = await unwrap(
        api.POST('/api/v1/opportunities', { params: { header: { 'idempotency-key': idempotencyKey } }, body: body as Create }),
      );
      await openSaved(t('opportunities.created'), created.id);
    } else {
      const current = record.data!;
      // The amount is a decimal string on the record and a number on the form; a deal with line
      // items takes its amount from them, a closed one has no forecast category to change.
      const body = changedBody(
        values,
        current,
        EDITABLE.filter((key) => key !== 'amount' && (key !== 'owner_id' || mayAssign) && (key !== 'forecast_category' || !closed)),
        { lists: ['tags', 'competitors'], customFields: true },
      );
      if (!fromLines) {
        const v = cleanValue(values.amount);
        const amount = v === null ? null : Number(v);
        if (JSON.stringify(amount) !== JSON.stringify(Number(current.amount ?? null)))
          body.amount = amount === null ? null : String(amount);
      }
      if (Object.keys(body).length)
        await unwrap(
          api.PATCH('/api/v1/opportunities/{opportunity_id}', {
            params: { path: { opportunity_id: current.id }, header: { 'if-match': etagOf(current.version) } },
            body: body as Patch,
          }),
        );
      await openSaved(t('common.saved'), current.id);
    }
  }
  const saving = useRecordSave({ form, known: KNOWN, write, reload });

  const pipeline = (pipelines.data ?? []).find((p) => p.id === pipelineId);
  const categories = (['pipeline', 'best_case', 'commit', 'omitted'] as const).map((c) => ({
    value: c,
    label: t(`opportunities.category.${c}`),
  }));
  return (
    <FormPage
      name="opportunity-form"
      title={editing ? t('opportunities.editTitle') : t('opportunities.new')}
      error={saving.formError}
      record={editing ? record : undefined}
    >
      <RecordForm<Values>
        name="opportunity-form"
        form={form}
        onFinish={(v) => void saving.save(v)}
        initialValues={editing ? initial : { customer_id: search.get('customer') ?? undefined, tags: [], competitors: [] }}
        busy={saving.busy}
        editing={editing}
        customFields={customFields.data}
      >
        <NameItem label={t('opportunities.fields.name')} />
        <HalfItem
          name="customer_id"
          label={t('opportunities.fields.customer_id')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <CustomerSelect ariaLabel={t('opportunities.fields.customer_id')} />
        </HalfItem>
        {!editing && (
          <>
            <HalfItem name="pipeline_id" label={t('opportunities.fields.pipeline_id')}>
              <Select
                allowClear
                onChange={() => form.setFieldValue('stage_id', undefined)}
                options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              />
            </HalfItem>
            <HalfItem name="stage_id" label={t('opportunities.fields.stage_id')}>
              <Select
                allowClear
                disabled={!pipeline}
                options={(pipeline?.stages ?? []).filter((s) => s.kind === 'open').map((s) => ({ value: s.id, label: s.name }))}
              />
            </HalfItem>
          </>
        )}
        <HalfItem name="amount" label={t('opportunities.fields.amount')} extra={fromLines ? t('opportunities.amountFromLines') : undefined}>
          <InputNumber min={0} step={1000} style={{ width: '100%' }} disabled={fromLines} />
        </HalfItem>
        <HalfItem name="currency" label={t('opportunities.fields.currency')} rules={[{ pattern: /^[A-Z]{3}$/, message: 'ISO 4217' }]}>
          <Input maxLength={3} placeholder={pipeline?.currency ?? 'CNY'} />
        </HalfItem>
        <HalfItem name="expected_close_date" label={t('opportunities.fields.expected_close_date')}>
          <Input type="date" />
        </HalfItem>
        <HalfItem name="probability" label={t('opportunities.fields.probability')}>
          <InputNumber min={0} max={100} style={{ width: '100%' }} />
        </HalfItem>
        {!closed && (
          <HalfItem name="forecast_category" label={t('opportunities.fields.forecast_category')}>
            <Select allowClear={!editing} options={categories} />
          </HalfItem>
        )}
        <HalfItem name="next_step" label={t('opportunities.fields.next_step')}>
          <Input maxLength={100} />
        </HalfItem>
        <OwnerItem label={t('opportunities.fields.owner_id')} mayAssign={mayAssign} allowClear={!editing} />
        <HalfItem name="competitors" label={t('opportunities.fields.competitors')}>
          <TagsInput />
        </HalfItem>
        <HalfItem name="tags" label={t('opportunities.fields.tags')}>
          <TagsInput />
        </HalfItem>
        <DescriptionItem label={t('opportunities.fields.description')} maxLength={10000} />
      </RecordForm>
      <ConflictModal {...saving.conflictModal} />
    </FormPage>
  );
}
