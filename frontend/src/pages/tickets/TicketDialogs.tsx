// The detail page's dialogs: resolve (a solution is required), escalate, create a lead.
import { useEffect, useState } from 'react';
import { Checkbox, Form, Input, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { TICKET_PRIORITIES, type TicketPriority } from './ticketFilters';

export function ResolveDialog({
  open,
  initial,
  busy,
  onCancel,
  onResolve,
}: {
  open: boolean;
  initial: string | null;
  busy: boolean;
  onCancel: () => void;
  onResolve: (solution: string) => void;
}) {
  const { t } = useTranslation();
  const [solution, setSolution] = useState(initial ?? '');
  useEffect(() => {
    if (open) setSolution(initial ?? '');
  }, [open, initial]);
  return (
    <Modal
      open={open}
      title={t('tickets.resolve')}
      okText={t('tickets.resolve')}
      onCancel={onCancel}
      okButtonProps={{ disabled: !solution.trim(), loading: busy, 'data-testid': 'resolve-ok' } as never}
      onOk={() => onResolve(solution.trim())}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('tickets.solutionRequired')}</Typography.Paragraph>
      <Input.TextArea
        aria-label={t('tickets.fields.solution')}
        value={solution}
        onChange={(e) => setSolution(e.target.value)}
        rows={5}
        maxLength={20000}
        data-testid="solution"
      />
    </Modal>
  );
}

export interface Escalation {
  reason: string;
  priority: TicketPriority | null;
  to_manager: boolean;
}

/** Higher priorities than `current` (the only ones an escalation may raise to). */
export function higherPriorities(current: TicketPriority): TicketPriority[] {
  return TICKET_PRIORITIES.slice(TICKET_PRIORITIES.indexOf(current) + 1);
}

export function EscalateDialog({
  open,
  current,
  busy,
  onCancel,
  onEscalate,
}: {
  open: boolean;
  current: TicketPriority;
  busy: boolean;
  onCancel: () => void;
  onEscalate: (e: Escalation) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string; priority?: TicketPriority; to_manager: boolean }>();
  const higher = higherPriorities(current);
  return (
    <Modal
      open={open}
      title={t('tickets.escalate')}
      okText={t('tickets.escalate')}
      onCancel={onCancel}
      okButtonProps={{ loading: busy, 'data-testid': 'escalate-ok' } as never}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ to_manager: false }}
        onFinish={(v) => onEscalate({ reason: v.reason.trim(), priority: v.priority ?? null, to_manager: v.to_manager })}
      >
        <Form.Item
          name="reason"
          label={t('tickets.escalation.reason')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea rows={3} maxLength={2000} data-testid="escalate-reason" />
        </Form.Item>
        <Form.Item name="priority" label={t('tickets.escalation.raiseTo')} extra={t('tickets.escalation.defaultHelp')}>
          <Select
            aria-label={t('tickets.escalation.raiseTo')}
            allowClear
            disabled={!higher.length}
            options={higher.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
          />
        </Form.Item>
        <Form.Item name="to_manager" valuePropName="checked">
          <Checkbox data-testid="escalate-to-manager">{t('tickets.escalation.toManager')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function CreateLeadDialog({
  open,
  busy,
  defaultName,
  onCancel,
  onCreate,
}: {
  open: boolean;
  busy: boolean;
  defaultName: string;
  onCancel: () => void;
  onCreate: (body: { name?: string; company?: string; description?: string }) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name?: string; company?: string; description?: string }>();
  return (
    <Modal
      open={open}
      title={t('tickets.createLead')}
      okText={t('common.create')}
      onCancel={onCancel}
      okButtonProps={{ loading: busy, 'data-testid': 'create-lead-ok' } as never}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('tickets.createLeadHelp')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) =>
          onCreate(Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (typeof x === 'string' && x.trim() ? [[k, x.trim()]] : []))))
        }
      >
        <Form.Item name="name" label={t('leads.fields.name')}>
          <Input placeholder={defaultName} maxLength={200} />
        </Form.Item>
        <Form.Item name="company" label={t('leads.fields.company')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('leads.fields.description')}>
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
