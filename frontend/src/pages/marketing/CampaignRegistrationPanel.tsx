// A campaign's registration, as its staff works it: the public link and the seats, the check-in
// desk, and the settings (open or closed, capacity, the form's fields, consent checkboxes, the
// confirmation). Exported for the campaign page, which shows it as a tab; also reachable alone at
// /marketing/campaigns/:id/registration.
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useAuth } from '../../auth';
import { describeError, ErrorState, Loading } from '../../components/states';
import { can } from '../../permissions';
import { editorValues, settingsBody, type EditorValues, type RegistrationSettings } from './registrationLogic';

function CheckInDesk({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [last, setLast] = useState<{ ok: boolean; text: string } | null>(null);
  const input = useRef<{ focus: () => void } | null>(null);
  const checkIn = useMutation({
    mutationFn: (value: string) =>
      unwrap(
        api.POST('/api/v1/campaigns/{campaign_id}/check-in', { params: { path: { campaign_id: campaignId } }, body: { code: value } }),
      ),
    onSuccess: (member) => {
      const name = member.name ?? member.check_in_code ?? '';
      const text = t(member.already_checked_in ? 'registration.panel.alreadyCheckedIn' : 'registration.panel.checkedIn', { name });
      setLast({ ok: true, text });
      message.success(text);
      setCode('');
      void queryClient.invalidateQueries({ queryKey: ['campaign-registration', campaignId] });
    },
    onError: (error) => setLast({ ok: false, text: describeError(t, error) }),
    onSettled: () => input.current?.focus(),
  });
  const submit = () => {
    if (code.trim()) checkIn.mutate(code.trim());
  };
  return (
    <Card title={t('registration.panel.checkIn')} size="small" data-testid="checkin-desk">
      <Space.Compact style={{ width: '100%' }}>
        <Input
          ref={(el) => {
            input.current = el;
          }}
          autoFocus
          value={code}
          onChange={(e) => setCode(e.target.value)}
          onPressEnter={submit}
          placeholder={t('registration.panel.codePlaceholder')}
          autoComplete="off"
          style={{ fontFamily: 'monospace', textTransform: 'uppercase' }}
          data-testid="checkin-code-input"
        />
        <Button type="primary" onClick={submit} loading={checkIn.isPending} data-testid="checkin-submit">
          {t('registration.panel.checkInButton')}
        </Button>
      </Space.Compact>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('registration.panel.scanHint')}
      </Typography.Paragraph>
      {last && <Alert style={{ marginTop: 8 }} type={last.ok ? 'success' : 'error'} message={last.text} data-testid="checkin-result" />}
    </Card>
  );
}

function Overview({ settings }: { settings: RegistrationSettings }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Card title={t('registration.panel.publicLink')} size="small" data-testid="registration-overview">
      {settings.public_url ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Link
            href={settings.public_url}
            target="_blank"
            data-testid="registration-public-url"
            style={{ wordBreak: 'break-all' }}
          >
            {settings.public_url}
          </Typography.Link>
          <Button
            size="small"
            onClick={() => {
              void navigator.clipboard?.writeText(settings.public_url ?? '');
              message.success(t('registration.panel.copied'));
            }}
          >
            {t('registration.panel.copy')}
          </Button>
        </Space>
      ) : null}
      {!settings.page_live && <Alert type="info" showIcon style={{ marginTop: 8 }} message={t('registration.panel.notLive')} />}
      <Typography.Paragraph style={{ marginTop: 8 }} data-testid="registration-counts">
        {t('registration.panel.counts', settings)}
      </Typography.Paragraph>
      {settings.sessions.length > 0 && (
        <Descriptions size="small" column={1}>
          {settings.sessions.map((s) => (
            <Descriptions.Item key={s.id} label={s.name}>
              {s.capacity == null ? s.registered : `${s.registered} / ${s.capacity}`}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
    </Card>
  );
}

function SettingsEditor({ campaignId, settings, editable }: { campaignId: string; settings: RegistrationSettings; editable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EditorValues>();
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => form.setFieldsValue(editorValues(settings)), [form, settings]);
  const save = useMutation({
    mutationFn: (values: EditorValues) =>
      unwrap(
        api.PUT('/api/v1/campaigns/{campaign_id}/registration', {
          params: { path: { campaign_id: campaignId }, header: { 'if-match': etagOf(settings.version) } },
          body: settingsBody(values),
        }),
      ),
    onSuccess: (saved) => {
      setFailure(null);
      queryClient.setQueryData(['campaign-registration', campaignId], saved);
      message.success(t('registration.panel.saved'));
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 422) form.setFields(error.fieldErrors() as never);
      setFailure(describeError(t, error));
    },
  });
  return (
    <Card title={t('registration.panel.title')} size="small">
      <Form form={form} layout="vertical" disabled={!editable} onFinish={(v) => save.mutate(v)} data-testid="registration-settings">
        <Form.Item name="open" label={t('registration.panel.open')} valuePropName="checked">
          <Switch data-testid="registration-open" />
        </Form.Item>
        <Form.Item name="capacity" label={t('registration.panel.capacity')} extra={t('registration.panel.capacityHint')}>
          <InputNumber min={0} max={1000000} style={{ width: 200 }} data-testid="registration-capacity" />
        </Form.Item>
        <Row gutter={8}>
          <Col xs={24} md={12}>
            <Form.Item name="confirmation_zh" label={`${t('registration.panel.confirmation')} (中文)`}>
              <Input.TextArea autoSize maxLength={2000} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="confirmation_en" label={`${t('registration.panel.confirmation')} (English)`}>
              <Input.TextArea autoSize maxLength={2000} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5}>{t('registration.panel.fields')}</Typography.Title>
        <Form.List name="fields">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }) => (
                <Card key={key} size="small" style={{ marginBottom: 8 }}>
                  <Row gutter={8}>
                    <Col xs={12} md={4}>
                      <Form.Item
                        name={[name, 'key']}
                        label={t('registration.panel.key')}
                        rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/ }]}
                      >
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={4}>
                      <Form.Item name={[name, 'type']} label={t('registration.panel.type')} initialValue="text">
                        <Select
                          options={(['text', 'select', 'checkbox'] as const).map((v) => ({
                            value: v,
                            label: t(`registration.panel.types.${v}`),
                          }))}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={5}>
                      <Form.Item name={[name, 'label_zh']} label={t('registration.panel.labelZh')}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={5}>
                      <Form.Item name={[name, 'label_en']} label={t('registration.panel.labelEn')}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={3}>
                      <Form.Item name={[name, 'required']} label={t('registration.panel.required')} valuePropName="checked">
                        <Switch />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={3}>
                      <Button danger onClick={() => remove(name)} style={{ marginTop: 30 }}>
                        ×
                      </Button>
                    </Col>
                    <Col span={24}>
                      <Form.Item noStyle shouldUpdate>
                        {() =>
                          form.getFieldValue(['fields', name, 'type']) === 'select' ? (
                            <Form.Item name={[name, 'options']} label={t('registration.panel.options')}>
                              <Select mode="tags" open={false} />
                            </Form.Item>
                          ) : null
                        }
                      </Form.Item>
                    </Col>
                  </Row>
                </Card>
              ))}
              <Button onClick={() => add({ type: 'text', required: false })} style={{ marginBottom: 16 }}>
                {t('registration.panel.addField')}
              </Button>
            </>
          )}
        </Form.List>
        <Typography.Title level={5}>{t('registration.panel.consents')}</Typography.Title>
        <Form.List name="consents">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }) => (
                <Card key={key} size="small" style={{ marginBottom: 8 }}>
                  <Row gutter={8}>
                    <Col xs={12} md={4}>
                      <Form.Item
                        name={[name, 'key']}
                        label={t('registration.panel.key')}
                        rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/ }]}
                      >
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={4}>
                      <Form.Item name={[name, 'channel']} label={t('registration.panel.channel')} initialValue="email">
                        <Select
                          options={(['email', 'sms'] as const).map((v) => ({ value: v, label: t(`registration.panel.channels.${v}`) }))}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={6}>
                      <Form.Item name={[name, 'text_zh']} label={t('registration.panel.textZh')}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={6}>
                      <Form.Item name={[name, 'text_en']} label={t('registration.panel.textEn')}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={2}>
                      <Form.Item name={[name, 'required']} label={t('registration.panel.required')} valuePropName="checked">
                        <Switch />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={2}>
                      <Button danger onClick={() => remove(name)} style={{ marginTop: 30 }}>
                        ×
                      </Button>
                    </Col>
                  </Row>
                </Card>
              ))}
              <Button onClick={() => add({ channel: 'email', required: false })} style={{ marginBottom: 16 }}>
                {t('registration.panel.addConsent')}
              </Button>
            </>
          )}
        </Form.List>
        {failure && <Alert type="error" message={failure} style={{ marginBottom: 8 }} />}
        {editable && (
          <div style={{ marginTop: 8 }}>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="registration-save">
              {t('registration.panel.save')}
            </Button>
          </div>
        )}
      </Form>
    </Card>
  );
}

export function CampaignRegistrationPanel({ campaignId }: { campaignId: string }) {
  const { me } = useAuth();
  const editable = can(me, 'campaigns:update');
  const settings = useQuery({
    queryKey: ['campaign-registration', campaignId],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}/registration', { params: { path: { campaign_id: campaignId } } })),
  });
  if (settings.isLoading) return <Loading />;
  if (settings.isError || !settings.data) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="campaign-registration-panel">
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Overview settings={settings.data} />
        </Col>
        {editable && (
          <Col xs={24} lg={12}>
            <CheckInDesk campaignId={campaignId} />
          </Col>
        )}
      </Row>
      <SettingsEditor campaignId={campaignId} settings={settings.data} editable={editable} />
    </Space>
  );
}

export default CampaignRegistrationPanel;
