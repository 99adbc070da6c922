import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { Alert, App, Checkbox, Col, DatePicker, Form, Input, InputNumber, Modal, Radio, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { CustomerSelect } from '../../components/CustomerSelect';
import { duplicateMatches, DuplicateModal, type DuplicateMatch } from '../../components/recordForm';
import { describeError } from '../../components/states';
import { can } from '../../permissions';
import { DuplicateMatches } from './LeadFormPage';
import type { Lead } from './leadBits';

type ConvertBody = components['schemas']['ConvertBody'];
export type ConvertResult = components['schemas']['ConvertResult'];

interface Values {
  customerMode: 'new' | 'existing';
  customer_id?: string;
  customer_name?: string;
  contactMode: 'new' | 'existing' | 'none';
  contact_id?: string;
  withDeal: boolean;
  deal_name?: string;
  amount?: number | null;
  pipeline_id?: string;
  stage_id?: string;
  close_date?: Dayjs | null;
}

/** The request body for the dialog's answers (exported for tests). */
export function convertBody(v: Values, allowDuplicate: boolean): ConvertBody {
  const body: ConvertBody = { create_contact: v.contactMode === 'new', allow_duplicate: allowDuplicate };
  if (v.customerMode === 'existing') body.customer_id = v.customer_id ?? null;
  else if (v.customer_name?.trim()) body.customer = { name: v.customer_name.trim() };
  if (v.contactMode === 'existing') body.contact_id = v.contact_id ?? null;
  if (v.withDeal) {
    body.opportunity = {
      name: v.deal_name?.trim() || undefined,
      amount: v.amount === null || v.amount === undefined ? null : String(v.amount),
      pipeline_id: v.pipeline_id ?? null,
      stage_id: v.stage_id ?? null,
      expected_close_date: v.close_date ? v.close_date.format('YYYY-MM-DD') : null,
    } as ConvertBody['opportunity'];
  }
  return body;
}

export default function ConvertDialog({
  lead,
  open,
  onClose,
  onConverted,
}: {
  lead: Lead;
  open: boolean;
  onClose: () => void;
  onConverted: (result: ConvertResult) => void;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [duplicate, setDuplicate] = useState<DuplicateMatch[] | null>(null);
  const key = useRef(newIdempotencyKey());
  const customerMode = Form.useWatch('customerMode', form);
  const contactMode = Form.useWatch('contactMode', form);
  const customerId = Form.useWatch('customer_id', form);
  const withDeal = Form.useWatch('withDeal', form);
  const pipelineId = Form.useWatch('pipeline_id', form);
  const mayDeal = can(me, 'opportunities:create');

  const pipelines = useQuery({
    queryKey: ['pipelines'],
    enabled: open && mayDeal && can(me, 'pipelines:read'),
    queryFn: () => unwrap(api.GET('/api/v1/pipelines')),
  });
  const contacts = useQuery({
    queryKey: ['contacts', 'of-customer', customerId],
    enabled: open && customerMode === 'existing' && !!customerId,
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { customer: customerId!, limit: 50, sort: 'name' } } })),
  });
  const stages = pipelines.data?.items.find((p) => p.id === pipelineId)?.stages ?? [];

  useEffect(() => {
    if (!open) return;
    key.current = newIdempotencyKey();
    setError(null);
    form.resetFields();
    form.setFieldsValue({
      customerMode: 'new',
      customer_name: lead.company ?? lead.name,
      contactMode: 'new',
      withDeal: false,
      deal_name: `${lead.company ?? lead.name} - ${lead.name}`,
    });
  }, [open, lead, form]);

  async function submit(values: Values, allowDuplicate = false) {
    setBusy(true);
    setError(null);
    try {
      const result = await unwrap(
        api.POST('/api/v1/leads/{lead_id}/convert', {
          params: { path: { lead_id: lead.id }, header: { 'idempotency-key': key.current } },
          body: convertBody(values, allowDuplicate),
        }),
      );
      message.success(t('leads.converted'));
      onConverted(result);
      onClose();
    } catch (e) {
      if (e instanceof ApiError) key.current = newIdempotencyKey();
      if (e instanceof ApiError && e.status === 409 && e.kind === 'duplicate') setDuplicate(duplicateMatches(e));
      else if (e instanceof ApiError && e.status === 409) setError(`${t('leads.alreadyConverted')} (${e.message})`);
      else if (e instanceof ApiError && e.status === 422 && e.problem.errors?.length)
        setError(
          e
            .fieldErrors()
            .map((f) => `${f.name.join('.')}: ${f.errors.join(', ')}`)
            .join('; '),
        );
      else setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('leads.convertTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('leads.convert')}
      okButtonProps={{ 'data-testid': 'convert-submit' } as never}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      width={640}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" data-testid="convert-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} data-testid="convert-form">
        <Form.Item name="customerMode" label={t('leads.convertCustomer')}>
          <Radio.Group
            options={[
              { value: 'new', label: t('leads.customerNew') },
              { value: 'existing', label: t('leads.customerExisting') },
            ]}
          />
        </Form.Item>
        {customerMode === 'existing' ? (
          <Form.Item name="customer_id" label={t('leads.convertCustomer')} rules={[{ required: true, message: t('common.required') }]}>
            <CustomerSelect ariaLabel={t('leads.convertCustomer')} />
          </Form.Item>
        ) : (
          <Form.Item name="customer_name" label={t('leads.customerName')}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        <Form.Item name="contactMode" label={t('leads.convertContact')}>
          <Radio.Group
            options={[
              { value: 'new', label: t('leads.contactNew') },
              ...(customerMode === 'existing' ? [{ value: 'existing', label: t('leads.contactExisting') }] : []),
              { value: 'none', label: t('leads.contactNone') },
            ]}
          />
        </Form.Item>
        {customerMode === 'existing' && contactMode === 'existing' && (
          <Form.Item name="contact_id" label={t('leads.contactPick')} rules={[{ required: true, message: t('common.required') }]}>
            <Select
              loading={contacts.isFetching}
              options={(contacts.data?.items ?? [])
                .filter((c) => 'name' in c)
                .map((c) => ({ value: c.id, label: (c as { name: string }).name }))}
            />
          </Form.Item>
        )}
        {mayDeal && (
          <Form.Item name="withDeal" valuePropName="checked">
            <Checkbox data-testid="with-deal">{t('leads.withDeal')}</Checkbox>
          </Form.Item>
        )}
        {withDeal && (
          <Row gutter={16}>
            <Col span={24}>
              <Form.Item name="deal_name" label={t('leads.dealName')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="amount" label={t('leads.amount')}>
                <InputNumber min={0} precision={2} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="close_date" label={t('leads.closeDate')}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="pipeline_id" label={t('leads.pipeline')}>
                <Select
                  allowClear
                  loading={pipelines.isFetching}
                  options={(pipelines.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
                  onChange={() => form.setFieldValue('stage_id', undefined)}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="stage_id" label={t('leads.stage')}>
                <Select
                  allowClear
                  disabled={!pipelineId}
                  options={[...stages].sort((a, b) => a.position - b.position).map((s) => ({ value: s.id, label: s.name }))}
                />
              </Form.Item>
            </Col>
          </Row>
        )}
      </Form>
      <DuplicateModal
        open={!!duplicate}
        title={t('leads.duplicateTitle')}
        detail={t('leads.duplicateDetail')}
        onCancel={() => setDuplicate(null)}
        onAnyway={() => {
          setDuplicate(null);
          key.current = newIdempotencyKey();
          void submit(form.getFieldsValue(true), true);
        }}
      >
        <DuplicateMatches matches={duplicate ?? []} />
      </DuplicateModal>
    </Modal>
  );
}
