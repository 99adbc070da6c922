import { useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Col, Form, Input, Row, Select, TreeSelect, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { customFieldsBody } from '../../components/CustomFieldInput';
import { CustomerSelect } from '../../components/CustomerSelect';
import { applyServerError, CustomFieldsCard, FormButtons } from '../../components/recordForm';
import { useCustomFields, useDepartments, useUsers } from '../../directory';
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

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

/** The create body: blanks left out, so the server's defaults and assignment rules apply; the
 * queue choice becomes `owner_id: null` with the team. */
export function ticketBody(values: Values): TicketCreate {
  const body: Record<string, unknown> = {};
  for (const key of FIELDS) {
    const v = clean(values[key]);
    if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
  }
  if (body.owner_id === QUEUE) body.owner_id = null;
  else delete body.department_id;
  body.custom_fields = customFieldsBody(values.custom_fields, undefined, 'create');
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
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const users = useUsers();
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

  async function save(values: Values) {
    setBusy(true);
    setFormError(null);
    try {
      const created = await unwrap(
        api.POST('/api/v1/tickets', { params: { header: { 'idempotency-key': idempotencyKey.current } }, body: ticketBody(values) }),
      );
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
      // The assignment rules may hand it to someone else, out of the creator's range (an agent's own).
      const readable = await api.GET('/api/v1/tickets/{ticket_id}', { params: { path: { ticket_id: created.id } } });
      if (readable.response.ok) {
        message.success(t('tickets.created', { number: created.number }));
        navigate(`/tickets/${created.id}`, { replace: true });
      } else {
        message.info(t('tickets.createdElsewhere', { number: created.number }));
        navigate('/tickets', { replace: true });
      }
    } catch (error) {
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, KNOWN, t);
      if (outcome.kind === 'fields' || outcome.kind === 'other') setFormError(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  const half = { xs: 24, md: 12 };
  const third = { xs: 24, md: 8 };
  return (
    <section aria-labelledby="ticket-form-title">
      <div className="page-header">
        <Typography.Title level={2} id="ticket-form-title">
          {t('tickets.new')}
        </Typography.Title>
      </div>
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={{
          kind: 'service_request',
          channel: 'phone',
          priority: 'normal',
          tags: [],
          customer_id: search.get('customer') ?? undefined,
          department_id: me.user.department_id ?? undefined,
        }}
        disabled={busy}
        scrollToFirstError
        data-testid="ticket-form"
      >
        <Card>
          <Row gutter={16}>
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
            <Col {...half}>
              <Form.Item name="customer_id" label={t('tickets.fields.customer_id')}>
                <CustomerSelect
                  ariaLabel={t('tickets.fields.customer_id')}
                  onChange={(v) => form.setFieldsValue({ customer_id: v, contact_id: undefined })}
                />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="contact_id" label={t('tickets.fields.contact_id')}>
                <Select
                  aria-label={t('tickets.fields.contact_id')}
                  allowClear
                  disabled={!customerId}
                  loading={contacts.isFetching}
                  placeholder={customerId ? undefined : t('tickets.pickCustomerFirst')}
                  options={contactOptions}
                  showSearch={{ optionFilterProp: 'label' }}
                />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="category_id" label={t('tickets.fields.category_id')}>
                <TreeSelect aria-label={t('tickets.fields.category_id')} allowClear treeData={tree} treeDefaultExpandAll />
              </Form.Item>
            </Col>
            {mayAssign && !!users.data?.length && (
              <Col {...half}>
                <Form.Item name="owner_id" label={t('tickets.fields.owner_id')} extra={t('tickets.ownerHelp')}>
                  <Select
                    aria-label={t('tickets.fields.owner_id')}
                    allowClear
                    showSearch={{ optionFilterProp: 'label' }}
                    options={[
                      { value: QUEUE, label: t('tickets.leaveInQueue') },
                      ...users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name })),
                    ]}
                  />
                </Form.Item>
              </Col>
            )}
            {owner === QUEUE && (
              <Col {...half}>
                <Form.Item name="department_id" label={t('tickets.fields.department_id')}>
                  <Select allowClear options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
                </Form.Item>
              </Col>
            )}
            <Col span={24}>
              <Form.Item
                name="subject"
                label={t('tickets.fields.subject')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input maxLength={300} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="description" label={t('tickets.fields.description')}>
                <Input.TextArea rows={4} maxLength={20000} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="tags" label={t('tickets.fields.tags')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} aria-label={t('tickets.fields.tags')} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <CustomFieldsCard fields={customFields.data} />
        <FormButtons busy={busy} editing={false} onCancel={() => navigate(-1)} />
      </Form>
    </section>
  );
}
