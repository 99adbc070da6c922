// Moving a deal to another stage, from the board or the deal's page: the fields the stage requires
// (asked for in a small form, saved, then the move), and the close date / lost reason of a won or
// lost stage. Optimistic when the caller says how (the board), rolled back when the API refuses.
import { useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { CustomFieldItem } from '../components/CustomFieldInput';
import { describeError } from '../components/states';
import { useCustomFields } from '../directory';
import { missingFields, type BoardCard, type Opportunity, type Stage } from './salesLogic';
import { today } from './salesBits';

type Patch = components['schemas']['OpportunityPatch'];
const CLOSING = new Set(['expected_close_date', 'lost_reason']);

export interface StageMoveOptions {
  /** Show the move before the API answers; returns how to undo it. */
  optimistic?: (deal: BoardCard, stage: Stage) => () => void;
  /** After a move (or a refusal): refresh what shows the deal. */
  settled?: () => void;
}

interface Pending {
  /** A board card is enough to move and close a deal; the required fields need the whole deal. */
  deal: BoardCard;
  stage: Stage;
  fields: string[];
}

/** `request(deal, stage)` starts a move; render `dialogs` somewhere on the page. */
export function useStageMove({ optimistic, settled }: StageMoveOptions = {}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [required, setRequired] = useState<Pending | null>(null);
  const [closing, setClosing] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);

  async function request(deal: BoardCard | Opportunity, stage: Stage) {
    if (deal.stage_id === stage.id) return;
    const missing = stage.required_fields.length ? missingFields(await whole(deal), stage) : [];
    if (missing.length) setRequired({ deal, stage, fields: missing });
    else if (stage.kind !== 'open') setClosing({ deal, stage, fields: [] });
    else void commit(deal, stage, {});
  }

  /** The whole deal behind a board card (which leaves out, say, custom fields a stage may require). */
  async function whole(deal: BoardCard | Opportunity): Promise<Opportunity> {
    if ('custom_fields' in deal) return deal;
    try {
      return await unwrap(api.GET('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: deal.id } } }));
    } catch {
      // the move itself will say what is wrong (gone, or out of reach)
      return { ...deal, custom_fields: {} } as unknown as Opportunity;
    }
  }

  async function commit(deal: BoardCard, stage: Stage, extra: { expected_close_date?: string; lost_reason?: string; won_reason?: string }) {
    const undo = optimistic?.(deal, stage);
    try {
      await unwrap(
        api.POST('/api/v1/opportunities/{opportunity_id}/stage', {
          params: { path: { opportunity_id: deal.id } },
          body: { stage_id: stage.id, ...extra },
        }),
      );
      message.success(t('pipelines.moved', { stage: stage.name }));
      return true;
    } catch (error) {
      undo?.();
      // 422 names a field the deal lacks: ask for it (and whatever else the stage needs).
      const fields = error instanceof ApiError && error.status === 422 ? (error.problem.errors ?? []).map((e) => e.field) : [];
      const needed = fields.filter((f) => f !== 'stage_id' && !CLOSING.has(f));
      if (needed.length) setRequired({ deal, stage, fields: [...new Set([...missingFields(await whole(deal), stage), ...needed])] });
      else if (fields.some((f) => CLOSING.has(f))) setClosing({ deal, stage, fields: [] });
      else message.error(t('pipelines.moveFailed', { reason: describeError(t, error) }));
      return false;
    } finally {
      settled?.();
      void queryClient.invalidateQueries({ queryKey: ['opportunities'] });
    }
  }

  const dialogs: ReactNode = (
    <>
      {required && (
        <RequiredFieldsDialog
          pending={required}
          busy={busy}
          onCancel={() => setRequired(null)}
          onSave={async (patch) => {
            setBusy(true);
            try {
              const updated = await unwrap(
                api.PATCH('/api/v1/opportunities/{opportunity_id}', {
                  params: { path: { opportunity_id: required.deal.id }, header: { 'if-match': etagOf(required.deal.version) } },
                  body: patch,
                }),
              );
              const { stage } = required;
              setRequired(null);
              if (stage.kind !== 'open') setClosing({ deal: updated, stage, fields: [] });
              else await commit(updated, stage, {});
            } catch (error) {
              message.error(describeError(t, error));
              settled?.();
            } finally {
              setBusy(false);
            }
          }}
        />
      )}
      {closing && (
        <ClosingDialog
          pending={closing}
          busy={busy}
          onCancel={() => setClosing(null)}
          onConfirm={async (values) => {
            setBusy(true);
            const { deal, stage } = closing;
            setClosing(null);
            await commit(deal, stage, values);
            setBusy(false);
          }}
        />
      )}
    </>
  );
  return { request, dialogs };
}

function RequiredFieldsDialog({
  pending,
  busy,
  onCancel,
  onSave,
}: {
  pending: Pending;
  busy: boolean;
  onCancel: () => void;
  onSave: (patch: Patch) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const customFields = useCustomFields('opportunity');
  const contacts = useQuery({
    queryKey: ['contacts', 'of-customer', pending.deal.customer_id],
    enabled: pending.fields.includes('primary_contact_id'),
    queryFn: () =>
      unwrap(api.GET('/api/v1/contacts', { params: { query: { customer: pending.deal.customer_id, limit: 50, sort: 'name' } } })),
  });
  const rule = [{ required: true, message: t('common.required') }];

  function item(field: string): ReactNode {
    const label = t(`opportunities.fields.${field}` as 'opportunities.fields.name', { defaultValue: field });
    switch (field) {
      case 'amount':
        return (
          <Form.Item key={field} name="amount" label={label} rules={rule}>
            <InputNumber min={0.01} step={1000} style={{ width: '100%' }} />
          </Form.Item>
        );
      case 'expected_close_date':
        return (
          <Form.Item key={field} name="expected_close_date" label={label} rules={rule}>
            <Input type="date" />
          </Form.Item>
        );
      case 'competitors':
        return (
          <Form.Item key={field} name="competitors" label={label} rules={rule}>
            <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
          </Form.Item>
        );
      case 'description':
        return (
          <Form.Item key={field} name="description" label={label} rules={rule}>
            <Input.TextArea rows={3} maxLength={10000} />
          </Form.Item>
        );
      case 'primary_contact_id':
        return (
          <Form.Item key={field} name="primary_contact_id" label={label} rules={rule}>
            <Select
              loading={contacts.isLoading}
              options={(contacts.data?.items ?? [])
                .filter((c): c is components['schemas']['ContactOut'] => 'name' in c)
                .map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
        );
      default: {
        if (field.startsWith('custom.')) {
          const key = field.slice(7);
          const definition = customFields.data?.find((f) => f.key === key);
          if (definition) return <CustomFieldItem key={field} field={{ ...definition, required: true }} />;
          return (
            <Form.Item key={field} name={['custom_fields', key]} label={key} rules={rule}>
              <Input />
            </Form.Item>
          );
        }
        return (
          <Form.Item key={field} name={field} label={label} rules={rule}>
            <Input maxLength={100} />
          </Form.Item>
        );
      }
    }
  }

  return (
    <Modal
      open
      title={t('pipelines.required.title', { stage: pending.stage.name })}
      okText={t('pipelines.required.saveAndMove')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('pipelines.required.intro', { stage: pending.stage.name })}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        data-testid="required-fields-form"
        onFinish={(values: Record<string, unknown>) => {
          const patch: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(values)) {
            if (key === 'amount') patch.amount = String(value);
            else patch[key] = value;
          }
          void onSave(patch as Patch);
        }}
      >
        {pending.fields.map(item)}
      </Form>
    </Modal>
  );
}

function ClosingDialog({
  pending,
  busy,
  onCancel,
  onConfirm,
}: {
  pending: Pending;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (values: { expected_close_date: string; lost_reason?: string; won_reason?: string }) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const lost = pending.stage.kind === 'lost';
  const rule = [{ required: true, message: t('common.required') }];
  return (
    <Modal
      open
      title={t(lost ? 'pipelines.closing.lostTitle' : 'pipelines.closing.wonTitle', { name: pending.deal.name })}
      okText={t(lost ? 'pipelines.closing.confirmLost' : 'pipelines.closing.confirmWon')}
      okButtonProps={{ danger: lost }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="closing-form"
        initialValues={{ expected_close_date: today() }}
        onFinish={(values: { expected_close_date: string; lost_reason?: string; won_reason?: string }) =>
          void onConfirm({
            expected_close_date: values.expected_close_date,
            // why it was won is optional (the won/lost reasons analysis counts it when given)
            ...(lost ? { lost_reason: values.lost_reason?.trim() } : { won_reason: values.won_reason?.trim() || undefined }),
          })
        }
      >
        <Form.Item name="expected_close_date" label={t('pipelines.closing.closeDate')} rules={rule}>
          <Input type="date" />
        </Form.Item>
        {lost ? (
          <Form.Item name="lost_reason" label={t('pipelines.closing.lostReason')} rules={[{ ...rule[0], whitespace: true }]}>
            <Input maxLength={100} />
          </Form.Item>
        ) : (
          <Form.Item name="won_reason" label={t('pipelines.closing.wonReason')}>
            <Input maxLength={100} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
