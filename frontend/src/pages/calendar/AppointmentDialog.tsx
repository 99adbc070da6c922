import { useEffect, useRef, useState } from 'react';
import { Alert, App, Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { CustomerSelect } from '../../components/CustomerSelect';
import { describeError } from '../../components/states';
import { useUsers } from '../../directory';
import { can } from '../../permissions';
import { toLocalInput } from './weekGrid';

interface Values {
  subject: string;
  starts_at: string;
  ends_at: string;
  customer_id?: string;
  assignee_id?: string;
}

/** The ids a 409 overlap answer names. */
export function conflictIds(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 409) return [];
  const raw = (error.problem as Record<string, unknown>).conflicts;
  return Array.isArray(raw) ? raw.filter((c): c is string => typeof c === 'string') : [];
}

/** Schedule an appointment; an overlap with the person's other planned appointments is shown
 * with what it overlaps, and "schedule anyway" sends it again with force=true. */
export default function AppointmentDialog({
  open,
  start,
  describe,
  onClose,
  onCreated,
}: {
  open: boolean;
  start: Date | null;
  /** The subject and time of a known appointment, for the conflict list. */
  describe: (id: string) => string | undefined;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [conflicts, setConflicts] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  const users = useUsers();
  const mayAssign = can(me, 'activities:assign');

  useEffect(() => {
    if (!open || !start) return;
    key.current = newIdempotencyKey();
    setConflicts(null);
    setError(null);
    form.resetFields();
    form.setFieldsValue({
      subject: '',
      starts_at: toLocalInput(start),
      ends_at: toLocalInput(new Date(start.getTime() + 60 * 60_000)),
      assignee_id: me.user.id,
    });
  }, [open, start, form, me.user.id]);

  async function submit(values: Values, force = false) {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/activities', {
          params: { query: force ? { force: true } : {}, header: { 'idempotency-key': key.current } },
          body: {
            kind: 'appointment',
            subject: values.subject.trim(),
            starts_at: new Date(values.starts_at).toISOString(),
            ends_at: new Date(values.ends_at).toISOString(),
            customer_id: values.customer_id ?? null,
            assignee_id: values.assignee_id ?? me.user.id,
          },
        }),
      );
      message.success(t('calendar.created'));
      onCreated();
      onClose();
    } catch (e) {
      if (e instanceof ApiError) key.current = newIdempotencyKey();
      const ids = conflictIds(e);
      if (ids.length) setConflicts(ids);
      else if (e instanceof ApiError && e.status === 422 && e.problem.errors?.length)
        form.setFields(e.fieldErrors().map((f) => ({ name: f.name as never, errors: f.errors })));
      else setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('calendar.newAppointment')}
      onCancel={onClose}
      confirmLoading={busy}
      okText={conflicts ? t('calendar.scheduleAnyway') : t('common.save')}
      okButtonProps={{ 'data-testid': conflicts ? 'schedule-anyway' : 'appointment-save' } as never}
      onOk={() => (conflicts ? void submit(form.getFieldsValue(true), true) : form.submit())}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      {conflicts && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          data-testid="appointment-conflict"
          title={t('calendar.conflictTitle')}
          description={
            <>
              {t('calendar.conflictDetail', { count: conflicts.length })}
              <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                {conflicts.map((id) => (
                  <li key={id}>{describe(id) ?? id.slice(0, 8)}</li>
                ))}
              </ul>
            </>
          }
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        onValuesChange={() => setConflicts(null)}
        data-testid="appointment-form"
      >
        <Form.Item
          name="subject"
          label={t('calendar.subject')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="starts_at" label={t('calendar.starts')} rules={[{ required: true, message: t('common.required') }]}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="ends_at" label={t('calendar.ends')} rules={[{ required: true, message: t('common.required') }]}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="customer_id" label={t('calendar.customer')} rules={[{ required: true, message: t('common.required') }]}>
          <CustomerSelect ariaLabel={t('calendar.customer')} />
        </Form.Item>
        {mayAssign && !!users.data?.length && (
          <Form.Item name="assignee_id" label={t('calendar.assignee')}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
