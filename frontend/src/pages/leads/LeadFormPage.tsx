import { useQuery } from '@tanstack/react-query';
import { Form, Input, List, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { changedBody, createBody } from '../../components/formBody';
import { DescriptionItem, HalfItem, NameItem, OwnerItem, RegionItem, TagsItem } from '../../components/formFields';
import { ConflictModal, DuplicateModal, FormPage, RecordForm, type DuplicateMatch } from '../../components/recordForm';
import { useFormRecord } from '../../components/useFormRecord';
import { useOpenSaved, useRecordSave, type SaveRequest } from '../../components/useRecordSave';
import { can } from '../../permissions';
import { recordPath, type Lead } from './leadBits';
import { LEAD_RATINGS, LEAD_SOURCES } from './leadFilters';

type LeadCreate = components['schemas']['LeadCreate'];
type LeadPatch = components['schemas']['LeadPatch'];

const STANDARD = [
  'name',
  'company',
  'title',
  'phone',
  'email',
  'source',
  'rating',
  'region_id',
  'tags',
  'description',
  'owner_id',
] as const;
type Standard = (typeof STANDARD)[number];
type Values = Partial<Record<Standard, unknown>>;
const KNOWN: ReadonlySet<string> = new Set(STANDARD);

function toValues(l: Lead): Values {
  const values: Values = {};
  for (const key of STANDARD) values[key] = l[key] ?? undefined;
  return values;
}

/** The records a duplicate answer named, each a link. */
export function DuplicateMatches({ matches }: { matches: DuplicateMatch[] }) {
  const { t } = useTranslation();
  if (!matches.length) return null;
  return (
    <List
      size="small"
      bordered
      data-testid="duplicate-matches"
      dataSource={matches}
      renderItem={(m) => {
        const path = recordPath(m.entity, m.id);
        const label = t(`leads.match.${m.entity as 'lead'}`, { defaultValue: m.entity });
        return <List.Item>{path ? <Link to={path}>{`${label} · ${m.id.slice(0, 8)}`}</Link> : `${label} · ${m.id.slice(0, 8)}`}</List.Item>;
      }}
    />
  );
}

export default function LeadFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const { t } = useTranslation();
  const me = useMe();
  const openSaved = useOpenSaved('leads');
  const [form] = Form.useForm<Values>();
  const mayAssign = can(me, 'leads:assign');

  const record = useQuery({
    queryKey: ['leads', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/leads/{lead_id}', { params: { path: { lead_id: id! } } })),
  });
  const { initial, reload } = useFormRecord(form, record, toValues);

  async function write(values: Values, { idempotencyKey, query }: SaveRequest) {
    if (!editing) {
      const created = await unwrap(
        api.POST('/api/v1/leads', {
          params: { query, header: { 'idempotency-key': idempotencyKey } },
          body: createBody(values, STANDARD) as LeadCreate,
        }),
      );
      await openSaved(t('leads.created'), created.id);
    } else {
      const current = record.data!;
      const body = changedBody(
        values,
        current,
        STANDARD.filter((key) => key !== 'owner_id' || mayAssign),
      );
      if (Object.keys(body).length) {
        await unwrap(
          api.PATCH('/api/v1/leads/{lead_id}', {
            params: { path: { lead_id: current.id }, query, header: { 'if-match': etagOf(current.version) } },
            body: body as LeadPatch,
          }),
        );
      }
      await openSaved(t('common.saved'), current.id);
    }
  }
  const saving = useRecordSave({ form, known: KNOWN, write, reload });

  return (
    <FormPage
      name="lead-form"
      title={editing ? t('leads.editTitle') : t('leads.new')}
      error={saving.formError}
      record={editing ? record : undefined}
    >
      <RecordForm<Values>
        name="lead-form"
        form={form}
        onFinish={(v) => void saving.save(v)}
        initialValues={editing ? initial : { source: 'other', tags: [] }}
        busy={saving.busy}
        editing={editing}
      >
        <NameItem label={t('leads.fields.name')} />
        <HalfItem name="company" label={t('leads.fields.company')}>
          <Input maxLength={200} />
        </HalfItem>
        <HalfItem name="title" label={t('leads.fields.title')}>
          <Input maxLength={200} />
        </HalfItem>
        <HalfItem name="source" label={t('leads.fields.source')}>
          <Select options={LEAD_SOURCES.map((s) => ({ value: s, label: t(`leads.source.${s}`) }))} />
        </HalfItem>
        <HalfItem name="phone" label={t('leads.fields.phone')}>
          <Input type="tel" inputMode="tel" />
        </HalfItem>
        <HalfItem name="email" label={t('leads.fields.email')}>
          <Input inputMode="email" autoComplete="off" />
        </HalfItem>
        <HalfItem name="rating" label={t('leads.fields.rating')}>
          <Select allowClear options={LEAD_RATINGS.map((r) => ({ value: r, label: t(`leads.rating.${r}`) }))} />
        </HalfItem>
        <RegionItem label={t('leads.fields.region_id')} />
        <OwnerItem label={t('leads.fields.owner_id')} mayAssign={mayAssign} allowClear={!editing} />
        <TagsItem label={t('leads.fields.tags')} />
        <DescriptionItem label={t('leads.fields.description')} />
      </RecordForm>
      <DuplicateModal editing={editing} {...saving.duplicateModal} title={t('leads.duplicateTitle')} detail={t('leads.duplicateDetail')}>
        <DuplicateMatches matches={saving.duplicate?.matches ?? []} />
      </DuplicateModal>
      <ConflictModal {...saving.conflictModal} title={t('leads.conflictTitle')} />
    </FormPage>
  );
}
