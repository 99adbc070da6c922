import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { useAuth } from '../auth';
import { describeError } from '../components/states';
import { normalizeLanguage, setLanguage, type Language } from '../i18n';

interface Failure {
  kind: 'credentials' | 'throttled' | 'deactivated' | 'other';
  text?: string;
  retryAt?: number;
}

function useSecondsLeft(until: number | undefined): number {
  const [, tick] = useState(0);
  useEffect(() => {
    if (!until) return;
    const timer = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0;
}

export default function LoginPage() {
  const { t, i18n } = useTranslation();
  const { status, login, expired } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const secondsLeft = useSecondsLeft(failure?.retryAt);
  // Forgot password: the answer is the same whether or not the address has an account.
  const [forgetting, setForgetting] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [forgotForm] = Form.useForm<{ email: string }>();
  const passwordSet = (location.state as { passwordSet?: boolean } | null)?.passwordSet;

  if (status === 'signed-in') return <Navigate to={from} replace />;

  async function submit(values: { email: string; password: string }) {
    setBusy(true);
    setFailure(null);
    try {
      await login(values.email.trim(), values.password);
      navigate(from, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setFailure({ kind: 'credentials' });
      else if (error instanceof ApiError && error.status === 429)
        setFailure({ kind: 'throttled', retryAt: Date.now() + (error.retryAfter ?? 60) * 1000 });
      else if (error instanceof ApiError && error.status === 403) setFailure({ kind: 'deactivated' });
      else setFailure({ kind: 'other', text: describeError(t, error) });
    } finally {
      setBusy(false);
    }
  }

  async function requestReset(values: { email: string }) {
    const email = values.email.trim();
    try {
      await unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } }));
      setSentTo(email);
      setForgetting(false);
    } catch (error) {
      forgotForm.setFields([{ name: 'email', errors: [describeError(t, error)] }]);
    }
  }

  let message: string | null = null;
  if (failure?.kind === 'credentials') message = t('login.badCredentials');
  else if (failure?.kind === 'throttled')
    message = secondsLeft > 0 ? t('login.throttled', { seconds: secondsLeft }) : t('login.throttledNow');
  else if (failure?.kind === 'deactivated') message = t('login.deactivated');
  else if (failure?.kind === 'other') message = failure.text ?? null;

  return (
    <main className="login-page">
      <Card className="login-card">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 28 }}>
            {t('login.title')}
          </Typography.Title>
          <Select
            aria-label={t('language.label')}
            size="small"
            value={normalizeLanguage(i18n.language)}
            onChange={(lng: Language) => setLanguage(lng)}
            options={[
              { value: 'en', label: t('language.en') },
              { value: 'zh-CN', label: t('language.zh') },
            ]}
            style={{ width: 100 }}
          />
        </div>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {expired && !failure && <Alert type="info" showIcon title={t('login.sessionExpired')} style={{ marginBottom: 16 }} />}
        {passwordSet && !failure && !sentTo && (
          <Alert type="success" showIcon title={t('login.passwordSet')} style={{ marginBottom: 16 }} />
        )}
        {sentTo && (
          <Alert
            type="info"
            showIcon
            title={t('login.forgotSent', { email: sentTo })}
            style={{ marginBottom: 16 }}
            data-testid="forgot-sent"
          />
        )}
        {message && <Alert type="error" showIcon title={message} role="alert" style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Form.Item label={t('login.email')} name="email" rules={[{ required: true, message: t('login.emailRequired') }]}>
            <Input autoComplete="username" autoFocus inputMode="email" spellCheck={false} />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} disabled={failure?.kind === 'throttled' && secondsLeft > 0}>
            {t('login.submit')}
          </Button>
        </Form>
        <Button type="link" onClick={() => setForgetting(true)} style={{ padding: 0, marginTop: 8 }} data-testid="forgot-password">
          {t('login.forgot')}
        </Button>
        <Modal
          open={forgetting}
          title={t('login.forgotTitle')}
          onCancel={() => setForgetting(false)}
          onOk={() => forgotForm.submit()}
          okText={t('login.forgotSubmit')}
          destroyOnHidden
        >
          <Typography.Paragraph type="secondary">{t('login.forgotHelp')}</Typography.Paragraph>
          <Form form={forgotForm} name="forgot" layout="vertical" onFinish={requestReset} requiredMark={false}>
            <Form.Item label={t('login.email')} name="email" rules={[{ required: true, message: t('login.emailRequired') }]}>
              <Input autoComplete="username" inputMode="email" spellCheck={false} />
            </Form.Item>
          </Form>
        </Modal>
      </Card>
    </main>
  );
}
