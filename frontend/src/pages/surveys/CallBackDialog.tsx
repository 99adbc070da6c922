// Log a call-back (回访): a phone follow-up with a customer, about a ticket or not; its outcome,
// the next action, and, when the customer was reached, a survey's answers taken on their behalf.
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { applyServerError } from '../../components/recordForm';
import { AnswerInput, answersOf, OUTCOMES, type Outcome } from './surveyBits';

// Fields a 422 can name on this form (customer_id and ticket_id are the dialog's props).
const KNOWN = new Set(['outcome', 'survey_id', 'answers', 'notes', 'next_action', 'next_action_at']);

interface Values {
  outcome: Outcome;
  survey_id?: string;
  notes?: string;
  next_action?: string;
  next_action_at?: string;
  answers?: Record<string, unknown>;
}

export default function CallBackDialog({
  open,
  customerId,
  ticketId,
  onClose,
  onLogged,
}: {
  open: boolean;
  customerId: string;
  ticketId?: string;
  onClose: () => void;
  onLogged?: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const surveys = useQuery({ queryKey: ['surveys'], enabled: open, queryFn: () => unwrap(api.GET('/api/v1/surveys')) });
  const outcome = Form.useWatch('outcome', form);
  const surveyId = Form.useWatch('survey_id', form);
  const active = (surveys.data?.items ?? []).filter((s) => s.active);
  const survey = active.find((s) => s.id === surveyId);

  useEffect(() => {
    if (open) {
      key.current = newIdempotencyKey();
      form.resetFields();
      form.setFieldsValue({ outcome: 'reached' });
    }
  }, [open, form]);

  async function submit(values: Values) {
    setBusy(true);
    try {
      const answers = survey && values.outcome === 'reached' ? answersOf(survey.questions, values.answers ?? {}) : {};
      await unwrap(
        api.POST('/api/v1/call-backs', {
          params: { header: { 'idempotency-key': key.current } },
          body: {
            customer_id: customerId,
            ticket_id: ticketId ?? null,
            outcome: values.outcome,
            survey_id: values.survey_id ?? null,
            answers: Object.keys(answers).length ? (answers as never) : null,
            notes: values.notes?.trim() || null,
            next_action: values.next_action?.trim() || null,
            next_action_at: values.next_action_at ? new Date(values.next_action_at).toISOString() : null,
          },
        }),
      );
      message.success(t('surveys.callBack.logged'));
      onLogged?.();
      onClose();
    } catch (error) {
      if (error instanceof ApiError) key.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, KNOWN, t);
      if (outcome.kind === 'other' || (outcome.kind === 'fields' && outcome.message)) message.error(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('surveys.callBack.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="call-back-form">
        <Form.Item name="outcome" label={t('surveys.callBack.outcome')} rules={[{ required: true }]}>
          <Select options={OUTCOMES.map((o) => ({ value: o, label: t(`surveys.outcome.${o}`) }))} data-testid="call-back-outcome" />
        </Form.Item>
        <Form.Item name="survey_id" label={t('surveys.callBack.survey')}>
          <Select allowClear options={active.map((s) => ({ value: s.id, label: s.name }))} data-testid="call-back-survey" />
        </Form.Item>
        {survey &&
          outcome === 'reached' &&
          survey.questions.map((q) => (
            <Form.Item
              key={q.id}
              name={['answers', q.id]}
              label={q.text}
              rules={q.required ? [{ required: true, message: t('common.required') }] : []}
            >
              <AnswerInput question={q} />
            </Form.Item>
          ))}
        <Form.Item name="notes" label={t('surveys.callBack.notes')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="next_action" label={t('surveys.callBack.nextAction')}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item name="next_action_at" label={t('surveys.callBack.nextActionAt')}>
          <Input type="datetime-local" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
