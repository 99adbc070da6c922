import { useEffect, useRef, useState } from 'react';
import { App, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { describeError } from '../components/states';

export type ActivityKind = 'note' | 'call' | 'email' | 'meeting' | 'visit';
const KINDS: ActivityKind[] = ['call', 'meeting', 'note', 'email', 'visit'];

interface Values {
  kind: ActivityKind;
  subject: string;
  body?: string;
  occurred_at?: string;
  duration_minutes?: number;
  outcome?: string;
}

function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

export default function ActivityDialog({
  open,
  kind,
  customerId,
  contactId,
  leadId,
  onClose,
  onLogged,
}: {
  open: boolean;
  kind: ActivityKind;
  customerId?: string;
  contactId?: string;
  leadId?: string;
  onClose: () => void;
  onLogged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());

  useEffect(() => {
    if (open) {
      key.current = newIdempotencyKey();
      form.setFieldsValue({ kind, subject: '', body: '', occurred_at: localNow(), duration_minutes: undefined, outcome: '' });
    }
  }, [open, kind, form]);

  async function submit(values: Values) {
    setBusy(true);
    try {
      await unwrap(
        api.POST('/api/v1/activities', {
          params: { header: { 'idempotency-key': key.current } },
          body: {
            kind: values.kind,
            subject: values.subject.trim(),
            body: values.body?.trim() || null,
            occurred_at: values.occurred_at ? new Date(values.occurred_at).toISOString() : null,
            duration_minutes: values.duration_minutes ?? null,
            outcome: values.outcome?.trim() || null,
            customer_id: customerId ?? null,
            contact_id: contactId ?? null,
            lead_id: leadId ?? null,
          },
        }),
      );
      message.success(t('activity.logged'));
      onLogged();
      onClose();
    } catch (error) {
      if (error instanceof ApiError) key.current = newIdempotencyKey();
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
        form.setFields(error.fieldErrors().map((f) => ({ name: f.name as never, errors: f.errors })));
      } else {
        message.error(describeError(t, error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('activity.log')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="activity-form">
        <Form.Item name="kind" label={t('activity.fields.kind')} rules={[{ required: true }]}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`activity.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="subject"
          label={t('activity.fields.subject')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="body" label={t('activity.fields.body')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="occurred_at" label={t('activity.fields.occurred_at')}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="duration_minutes" label={t('activity.fields.duration_minutes')}>
          <InputNumber min={0} max={10000} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="outcome" label={t('activity.fields.outcome')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
