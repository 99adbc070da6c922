// /automations/new and /automations/:id/edit: the automation editor — the trigger, the conditions
// on its record (one AND/OR group; the fields come from the segments' field list for the trigger's
// record kinds), the actions with their parameters, the delay and the active switch. The server
// checks everything again; a 422 lands on the field it names.
import { useEffect, useMemo, useState } from 'react';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { applyServerError } from '../../components/recordForm';
import { ErrorState, Loading } from '../../components/states';
import { useUserOptions } from '../../directory';
import { useCatalogue } from './AutomationsPage';
import { audienceOf, fromTree, toBody, toForm, type FormValues } from './automationForm';

const KNOWN = new Set(['name', 'description', 'trigger', 'conditions', 'actions', 'delay_amount', 'delay_unit', 'status']);
const USER_PARAMS = new Set(['user_id', 'assignee_id']);

export default function AutomationEditorPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const zh = i18n.language === 'zh-CN';
  const catalogue = useCatalogue();
  const users = useUserOptions();
  const existing = useQuery({
    queryKey: ['automations', id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET('/api/v1/automations/{automation_id}', { params: { path: { automation_id: id! } } })),
  });
  const nested = !!existing.data && fromTree(existing.data.conditions) === null;
  const trigger = Form.useWatch('trigger', form);
  const kinds = catalogue.data?.triggers.find((tr) => tr.key === trigger)?.record_kinds ?? ['lead'];
  const audience = audienceOf(kinds);
  const fields = useQuery({
    queryKey: ['segments', 'fields', audience],
    queryFn: () => unwrap(api.GET('/api/v1/segments/fields', { params: { query: { audience } } })),
    staleTime: 60_000,
  });
  const fieldSpecs = useMemo(() => fields.data?.items ?? [], [fields.data]);

  useEffect(() => {
    if (existing.data) form.setFieldsValue(toForm(existing.data));
  }, [existing.data, form]);

  async function save(values: FormValues) {
    setBusy(true);
    try {
      const body = toBody(values, fieldSpecs, catalogue.data?.actions ?? []);
      if (nested) delete (body as { conditions?: unknown }).conditions; // kept as stored
      if (id && existing.data) {
        await unwrap(
          api.PATCH('/api/v1/automations/{automation_id}', {
            params: { path: { automation_id: id }, header: { 'if-match': etagOf(existing.data.version) } },
            body: body as never,
          }),
        );
      } else {
        await unwrap(api.POST('/api/v1/automations', { body: body as never }));
      }
      await queryClient.invalidateQueries({ queryKey: ['automations'] });
      message.success(t('common.saved'));
      navigate('/automations');
    } catch (error) {
      applyServerError(form, error, KNOWN, t);
    } finally {
      setBusy(false);
    }
  }

  if (existing.isError) return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  if ((id && !existing.data) || !catalogue.data) return <Loading />;
  const triggerOptions = catalogue.data.triggers.map((tr) => ({ value: tr.key, label: zh ? tr.label_zh : tr.label_en }));
  const actionKinds = catalogue.data.actions;
  const fieldOptions = fieldSpecs.map((f) => ({ value: f.name, label: f.label || f.name }));

  return (
    <div style={{ maxWidth: 900 }}>
      <Typography.Title level={2}>{id ? t('automations.edit') : t('automations.new')}</Typography.Title>
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={{
          trigger: 'lead.created',
          match: 'and',
          conditions: [],
          actions: [{ type: 'add_tag' }],
          delay_amount: 0,
          delay_unit: 'minutes',
          status: 'active',
        }}
        data-testid="automation-form"
      >
        <Form.Item name="name" label={t('automations.fields.name')} rules={[{ required: true, message: t('common.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('automations.fields.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="trigger" label={t('automations.fields.trigger')} rules={[{ required: true }]}>
          <Select options={triggerOptions} data-testid="trigger" />
        </Form.Item>

        <Card size="small" title={t('automations.fields.conditions')} style={{ marginBottom: 16 }}>
          {nested ? (
            <Alert type="info" message={t('automations.nestedGroups')} />
          ) : (
            <>
              <Form.Item name="match">
                <Radio.Group
                  options={[
                    { value: 'and', label: t('automations.match.and') },
                    { value: 'or', label: t('automations.match.or') },
                  ]}
                />
              </Form.Item>
              <Form.List name="conditions">
                {(rows, { add, remove }) => (
                  <>
                    {rows.map((row) => (
                      <Space key={row.key} align="start" wrap>
                        <Form.Item name={[row.name, 'field']} rules={[{ required: true, message: t('common.required') }]}>
                          <Select
                            showSearch
                            optionFilterProp="label"
                            options={fieldOptions}
                            placeholder={t('automations.field')}
                            style={{ width: 220 }}
                          />
                        </Form.Item>
                        <Form.Item noStyle shouldUpdate>
                          {() => {
                            const name = form.getFieldValue(['conditions', row.name, 'field']) as string | undefined;
                            const spec = fieldSpecs.find((f) => f.name === name);
                            return (
                              <Form.Item name={[row.name, 'op']} rules={[{ required: true, message: t('common.required') }]}>
                                <Select
                                  options={(spec?.operators ?? []).map((o) => ({ value: o, label: o }))}
                                  placeholder={t('automations.operator')}
                                  style={{ width: 170 }}
                                />
                              </Form.Item>
                            );
                          }}
                        </Form.Item>
                        <Form.Item name={[row.name, 'value']} tooltip={t('automations.valueHint')}>
                          <Input placeholder={t('automations.value')} style={{ width: 220 }} />
                        </Form.Item>
                        <Button icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(row.name)} />
                      </Space>
                    ))}
                    <Button icon={<PlusOutlined />} onClick={() => add({})}>
                      {t('automations.addCondition')}
                    </Button>
                  </>
                )}
              </Form.List>
            </>
          )}
        </Card>

        <Card size="small" title={t('automations.fields.actions')} style={{ marginBottom: 16 }}>
          <Form.List name="actions">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Space key={row.key} align="start" wrap style={{ display: 'flex' }}>
                    <Form.Item name={[row.name, 'type']} rules={[{ required: true }]}>
                      <Select
                        options={actionKinds.map((a) => ({ value: a.type, label: zh ? a.label_zh : a.label_en }))}
                        style={{ width: 200 }}
                        aria-label={t('automations.actionType')}
                        data-testid={`action-type-${row.name}`}
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {() => {
                        const type = form.getFieldValue(['actions', row.name, 'type']) as string | undefined;
                        const kind = actionKinds.find((a) => a.type === type);
                        return (kind?.params ?? []).map((p) => (
                          <Form.Item
                            key={p.name}
                            name={[row.name, p.name]}
                            rules={p.required ? [{ required: true, message: t('common.required') }] : []}
                          >
                            {USER_PARAMS.has(p.name) ? (
                              <Select
                                showSearch
                                allowClear
                                optionFilterProp="label"
                                options={users}
                                placeholder={t(`automations.params.${p.name}` as 'automations.params.user_id')}
                                style={{ width: 200 }}
                              />
                            ) : p.type === 'int' ? (
                              <InputNumber min={0} max={365} placeholder={t(`automations.params.${p.name}` as 'automations.params.tag')} />
                            ) : (
                              <Input
                                placeholder={t(`automations.params.${p.name}` as 'automations.params.tag')}
                                aria-label={t(`automations.params.${p.name}` as 'automations.params.tag')}
                                style={{ width: 260 }}
                                data-testid={`action-${row.name}-${p.name}`}
                              />
                            )}
                          </Form.Item>
                        ));
                      }}
                    </Form.Item>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      onClick={() => remove(row.name)}
                      disabled={rows.length < 2}
                    />
                  </Space>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ type: 'add_tag' })}>
                  {t('automations.addAction')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>

        <Space align="start" wrap>
          <Form.Item name="delay_amount" label={t('automations.fields.delay')}>
            <InputNumber min={0} max={129600} />
          </Form.Item>
          <Form.Item name="delay_unit" label=" ">
            <Select
              style={{ width: 120 }}
              options={(['minutes', 'hours', 'days'] as const).map((u) => ({ value: u, label: t(`automations.units.${u}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="status"
            label={t('automations.fields.status')}
            getValueProps={(v: string) => ({ checked: v === 'active' })}
            getValueFromEvent={(on: boolean) => (on ? 'active' : 'paused')}
          >
            <Switch />
          </Form.Item>
        </Space>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="save-automation">
            {t('common.save')}
          </Button>
          <Button onClick={() => navigate('/automations')}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </div>
  );
}
