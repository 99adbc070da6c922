// /e/:key: an event's public registration page. No login; mobile first (a phone opening the link
// from an invitation is the common case). zh-CN/en by the browser's language, with a switch; the
// answers (errors, confirmation) come in the same language (Accept-Language).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Radio, Result, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { describeError, Loading } from '../../components/states';
import { normalizeLanguage, setLanguage } from '../../i18n';
import { publicApi } from './publicApi';
import { formPath, goesToWaitlist, registrationBody, sessionTime, textIn, type PageValues, type PublicEvent } from './registrationLogic';

type Done = { status: 'registered' | 'waitlisted'; code: string | null; message: string; already: boolean };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const next = normalizeLanguage(i18n.language) === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <Button size="small" onClick={() => setLanguage(next)} data-testid="language-switch" lang={next}>
      {t('registration.page.language')}
    </Button>
  );
}

export function PublicShell({ children }: { children: React.ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5', padding: '12px 8px 32px' }}>
      <main style={{ maxWidth: 560, margin: '0 auto' }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 8 }}>
          <LanguageSwitch />
        </div>
        <Card styles={{ body: { padding: 16 } }}>{children}</Card>
      </main>
    </div>
  );
}

function Sessions({ event, language }: { event: PublicEvent; language: string }) {
  const { t } = useTranslation();
  const choose = event.sessions.length > 1;
  const describe = (s: PublicEvent['sessions'][number]) => (
    <div style={{ whiteSpace: 'normal' }}>
      <Typography.Text strong>{s.name}</Typography.Text>
      <div>{sessionTime(s, language)}</div>
      {s.location && <div>{s.location}</div>}
      {s.online_url && <div>{t('registration.page.online')}</div>}
      <div>
        {s.full ? (
          <Tag color="orange">{t('registration.page.sessionFull')}</Tag>
        ) : s.seats_left == null ? (
          <Tag color="green">{t('registration.page.unlimited')}</Tag>
        ) : (
          <Tag color="green">{t('registration.page.seatsLeft', { count: s.seats_left })}</Tag>
        )}
      </div>
    </div>
  );
  if (!choose) {
    return event.sessions.length ? <div data-testid="event-session">{describe(event.sessions[0])}</div> : null;
  }
  return (
    <Form.Item
      name="session_id"
      label={t('registration.page.session')}
      rules={[{ required: true, message: t('registration.page.required') }]}
    >
      <Radio.Group style={{ width: '100%' }} data-testid="event-sessions">
        <Space direction="vertical" style={{ width: '100%' }}>
          {event.sessions.map((s) => (
            <Radio key={s.id} value={s.id} data-testid={`session-${s.id}`} style={{ alignItems: 'flex-start' }}>
              {describe(s)}
            </Radio>
          ))}
        </Space>
      </Radio.Group>
    </Form.Item>
  );
}

export default function PublicRegistrationPage() {
  const { t, i18n } = useTranslation();
  const language = normalizeLanguage(i18n.language);
  const { key = '' } = useParams();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PageValues>();
  const [done, setDone] = useState<Done | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const sessionId = Form.useWatch('session_id', form);
  const event = useQuery({
    queryKey: ['public-event', key],
    queryFn: () => unwrap(publicApi.GET('/api/v1/public/campaigns/{key}', { params: { path: { key } } })),
    retry: false,
  });

  async function submit(values: PageValues) {
    if (!event.data) return;
    setBusy(true);
    setFailure(null);
    try {
      const answer = await unwrap(
        publicApi.POST('/api/v1/public/campaigns/{key}/registrations', {
          params: { path: { key }, header: { 'accept-language': language } },
          body: registrationBody(event.data, values),
        }),
      );
      setDone({ status: answer.status, code: answer.check_in_code, message: answer.message, already: answer.already_registered });
      void queryClient.invalidateQueries({ queryKey: ['public-event', key] });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
        form.setFields(error.problem.errors.map((e) => ({ name: formPath(e.field) as never, errors: [e.message] })));
        setFailure(error.problem.detail ?? null);
      } else setFailure(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  if (event.isLoading)
    return (
      <PublicShell>
        <Loading />
      </PublicShell>
    );
  if (event.isError || !event.data) {
    const missing = event.error instanceof ApiError && event.error.status === 404;
    return (
      <PublicShell>
        <Result
          status={missing ? '404' : 'error'}
          title={missing ? t('registration.page.missing') : describeError(t, event.error)}
          data-testid="event-missing"
        />
      </PublicShell>
    );
  }
  const e = event.data;
  if (done) {
    return (
      <PublicShell>
        <Result
          status={done.status === 'registered' ? 'success' : 'info'}
          title={t(done.status === 'registered' ? 'registration.page.registered' : 'registration.page.waitlisted')}
          subTitle={done.message}
          data-testid={`registration-${done.status}`}
          extra={
            <Space direction="vertical" style={{ width: '100%' }}>
              {done.code && (
                <div>
                  <Typography.Text type="secondary">{t('registration.page.code')}</Typography.Text>
                  <div data-testid="checkin-code" style={{ fontSize: 32, fontFamily: 'monospace', letterSpacing: 4, fontWeight: 600 }}>
                    {done.code}
                  </div>
                  <Typography.Text type="secondary">{t('registration.page.codeHint')}</Typography.Text>
                </div>
              )}
              <Button
                onClick={() => {
                  form.resetFields();
                  setDone(null);
                }}
              >
                {t('registration.page.another')}
              </Button>
            </Space>
          }
        />
      </PublicShell>
    );
  }
  const waitlist = goesToWaitlist(e, sessionId ?? (e.sessions.length === 1 ? e.sessions[0].id : undefined));
  return (
    <PublicShell>
      <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="event-name">
        {e.name}
      </Typography.Title>
      {(e.starts_on || e.ends_on) && (
        <Typography.Paragraph type="secondary">
          {[e.starts_on, e.ends_on]
            .filter(Boolean)
            .filter((v, i, all) => all.indexOf(v) === i)
            .join(' – ')}
        </Typography.Paragraph>
      )}
      {e.description && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{e.description}</Typography.Paragraph>}
      {e.state === 'closed' ? (
        <Result status="info" title={t('registration.page.closed')} data-testid="event-closed" />
      ) : (
        <Form form={form} layout="vertical" onFinish={submit} requiredMark data-testid="registration-form" scrollToFirstError>
          {e.state === 'full' && (
            <Alert
              type="warning"
              showIcon
              message={t('registration.page.fullNotice')}
              style={{ marginBottom: 16 }}
              data-testid="event-full"
            />
          )}
          {e.sessions.length > 0 && <Typography.Title level={5}>{t('registration.page.sessions')}</Typography.Title>}
          <Sessions event={e} language={language} />
          <Typography.Title level={5}>{t('registration.page.yourDetails')}</Typography.Title>
          <Form.Item
            name="name"
            label={t('registration.page.name')}
            rules={[{ required: true, whitespace: true, message: t('registration.page.required') }]}
          >
            <Input autoComplete="name" maxLength={200} data-testid="reg-name" />
          </Form.Item>
          <Form.Item
            name="email"
            label={t('registration.page.email')}
            dependencies={['phone']}
            rules={[
              { type: 'email', message: t('registration.page.reachable') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  value || getFieldValue('phone') ? Promise.resolve() : Promise.reject(new Error(t('registration.page.reachable'))),
              }),
            ]}
          >
            <Input type="email" inputMode="email" autoComplete="email" maxLength={254} data-testid="reg-email" />
          </Form.Item>
          <Form.Item name="phone" label={t('registration.page.phone')}>
            <Input type="tel" inputMode="tel" autoComplete="tel" maxLength={50} data-testid="reg-phone" />
          </Form.Item>
          <Form.Item name="company" label={t('registration.page.company')}>
            <Input autoComplete="organization" maxLength={200} data-testid="reg-company" />
          </Form.Item>
          {e.fields.map((f) => {
            const label = textIn(f.label, language);
            const rules = f.required && f.type !== 'checkbox' ? [{ required: true, message: t('registration.page.required') }] : [];
            if (f.type === 'checkbox')
              return (
                <Form.Item key={f.key} name={['answers', f.key]} valuePropName="checked">
                  <Checkbox data-testid={`answer-${f.key}`}>{label}</Checkbox>
                </Form.Item>
              );
            return (
              <Form.Item key={f.key} name={['answers', f.key]} label={label} rules={rules}>
                {f.type === 'select' ? (
                  <Select options={f.options.map((o) => ({ value: o, label: o }))} data-testid={`answer-${f.key}`} />
                ) : (
                  <Input.TextArea autoSize maxLength={2000} data-testid={`answer-${f.key}`} />
                )}
              </Form.Item>
            );
          })}
          {e.consents.map((c) => (
            <Form.Item
              key={c.key}
              name={['consents', c.key]}
              valuePropName="checked"
              rules={
                c.required
                  ? [{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('registration.page.required')))) }]
                  : []
              }
            >
              <Checkbox data-testid={`consent-${c.key}`}>
                {textIn(c.text, language)}
                {c.required && <span style={{ color: '#ff4d4f' }}> *</span>}
              </Checkbox>
            </Form.Item>
          ))}
          {/* A field people never see (off-screen, skipped by keyboard and screen readers); bots fill it. */}
          <div aria-hidden="true" style={{ position: 'absolute', left: -10000, width: 1, height: 1, overflow: 'hidden' }}>
            <Form.Item name="website" label={t('registration.page.website')}>
              <Input tabIndex={-1} autoComplete="off" />
            </Form.Item>
          </div>
          {failure && <Alert type="error" message={failure} style={{ marginBottom: 16 }} data-testid="registration-error" />}
          <Button type="primary" htmlType="submit" loading={busy} block size="large" data-testid="registration-submit">
            {waitlist ? t('registration.page.joinWaitlist') : t('registration.page.submit')}
          </Button>
        </Form>
      )}
    </PublicShell>
  );
}
