import { useMemo } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Col, Form, Input, Select, TreeSelect } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { CustomerSelect } from '../../components/CustomerSelect';
import { createBody } from '../../components/formBody';
import { DescriptionItem, FullItem, HalfItem, OwnerItem, TagsItem } from '../../components/formFields';
import { FormPage, RecordForm } from '../../components/recordForm';
import { useRecordSave, type SaveRequest } from '../../components/useRecordSave';
import { useCustomFields, useDepartments } from '../../directory';
import { can } from '../../permissions';
import { categoryTree, useCategories } from './ticketBits';
import { TICKET_CHANNELS, TICKET_KINDS, TICKET_PRIORITIES } from './ticketFilters';

type TicketCreate = components['schemas']['TicketCreate'];

const FIELDS = [
  'kind',
  'channel',
  'priority',
  'category_id',
  'customer_id',
  'contact_id',
  'subject',
  'description',
  'tags',
  'owner_id',
  'department_id',
] as const;
type Field = (typeof FIELDS)[number];
type Values = Partial<Record<Field, unknown>> & { custom_fields?: Record<string, unknown> };
const KNOWN: ReadonlySet<string> = new Set([...FIELDS, 'custom_fields']);
/** The assignee select's "leave it in the team's queue" choice (an explicit owner_id: null). */
const QUEUE = '__queue__';

/** The create body: blanks left out, so the server's defaults and assignment rules apply; the
 * queue choice becomes `owner_id: null` with the team. */
export function ticketBody(values: Values): TicketCreate {
  const body = createBody(values, FIELDS, { customFields: true });
  if (body.owner_id === QUEUE) body.owner_id = null;
  else delete body.department_id;
  return body as TicketCreate;
}

export default function TicketFormPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const departments = useDepartments();
  const categories = useCategories();
  const customFields = useCustomFields('ticket');
  const mayAssign = can(me, 'tickets:assign');
  const customerId = Form.useWatch('customer_id', form) as string | undefined;
  const owner = Form.useWatch('owner_id', form) as string | undefined;
  const tree = useMemo(() => categoryTree(categories.data ?? []), [categories.data]);
  const contacts = useQuery({
    queryKey: ['contacts', 'of-customer', customerId],
    enabled: !!customerId && can(me, 'contacts:read'),
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { customer: customerId, limit: 200 } } })),
  });
  const contactOptions = (contacts.data?.items ?? []).flatMap((c) => ('name' in c ? [{ value: c.id, label: c.name }] : []));

  async function write(values: Values, { idempotencyKey }: SaveRequest) {
    const created = await unwrap(
      api.POST('/api/v1/tickets', { params: { header: { 'idempotency-key': idempotencyKey } }, body: ticketBody(values) }),
    );
    await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    // The assignment rules may hand it to a colleague; whoever opened a ticket keeps reading it.
    const routedAway = created.owner_id != null && created.owner_id !== me.user.id;
    message.success(t(routedAway ? 'tickets.createdElsewhere' : 'tickets.created', { number: created.number }));
    navigate(`/tickets/${created.id}`, { replace: true });
  }
  const saving = useRecordSave({ form, known: KNOWN, write });

  const third = { xs: 24, md: 8 };
  return (
    <FormPage name="ticket-form" title={t('tickets.new')} error={saving.formError}>
      <RecordForm<Values>
        name="ticket-form"
        form={form}
        onFinish={(v) => void saving.save(v)}
        initialValues={{
          kind: 'service_request',
          channel: 'phone',
          priority: 'normal',
          tags: [],
          customer_id: search.get('customer') ?? undefined,
          department_id: me.user.department_id ?? undefined,
        }}
        busy={saving.busy}
        editing={false}
        customFields={customFields.data}
      >
        <Col {...third}>
          <Form.Item name="kind" label={t('tickets.fields.kind')}>
            <Select options={TICKET_KINDS.map((v) => ({ value: v, label: t(`tickets.kind.${v}`) }))} />
          </Form.Item>
        </Col>
        <Col {...third}>
          <Form.Item name="channel" label={t('tickets.fields.channel')}>
            <Select options={TICKET_CHANNELS.map((v) => ({ value: v, label: t(`tickets.channel.${v}`) }))} />
          </Form.Item>
        </Col>
        <Col {...third}>
          <Form.Item name="priority" label={t('tickets.fields.priority')}>
            <Select options={TICKET_PRIORITIES.map((v) => ({ value: v, label: t(`tickets.priority.${v}`) }))} />
          </Form.Item>
        </Col>
        <HalfItem name="customer_id" label={t('tickets.fields.customer_id')}>
          <CustomerSelect
            ariaLabel={t('tickets.fields.customer_id')}
            onChange={(v) => form.setFieldsValue({ customer_id: v, contact_id: undefined })}
          />
        </HalfItem>
        <HalfItem name="contact_id" label={t('tickets.fields.contact_id')}>
          <Select
            aria-label={t('tickets.fields.contact_id')}
            allowClear
            disabled={!customerId}
            loading={contacts.isFetching}
            placeholder={customerId ? undefined : t('tickets.pickCustomerFirst')}
            options={contactOptions}
            showSearch={{ optionFilterProp: 'label' }}
          />
        </HalfItem>
        <HalfItem name="category_id" label={t('tickets.fields.category_id')}>
          <TreeSelect aria-label={t('tickets.fields.category_id')} allowClear treeData={tree} treeDefaultExpandAll />
        </HalfItem>
        <OwnerItem
          label={t('tickets.fields.owner_id')}
          ariaLabel={t('tickets.fields.owner_id')}
          extra={t('tickets.ownerHelp')}
          mayAssign={mayAssign}
          allowClear
          leading={[{ value: QUEUE, label: t('tickets.leaveInQueue') }]}
        />
        {owner === QUEUE && (
          <HalfItem name="department_id" label={t('tickets.fields.department_id')}>
            <Select allowClear options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
          </HalfItem>
        )}
        <FullItem
          name="subject"
          label={t('tickets.fields.subject')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={300} />
        </FullItem>
        <DescriptionItem label={t('tickets.fields.description')} rows={4} maxLength={20000} />
        <TagsItem label={t('tickets.fields.tags')} ariaLabel={t('tickets.fields.tags')} />
      </RecordForm>
    </FormPage>
  );
}
