// /invite/:token and /reset-password/:token: the one-time links mailed to a new user (invitation)
// or after a password reset. No login: the secret in the path is all the page holds. The user
// chooses their own password; no administrator ever sets one.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Result, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { describeError, Loading } from '../components/states';
import { publicApi } from './surveys/surveyBits';

interface Values {
  password: string;
  confirm: string;
}

export default function SetPasswordPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { token = '' } = useParams();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const link = useQuery({
    queryKey: ['password-link', token],
    queryFn: () => unwrap(publicApi.GET('/api/v1/auth/password-links/{token}', { params: { path: { token } } })),
    retry: false,
  });

  async function submit(values: Values) {
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(
        publicApi.POST('/api/v1/auth/password-links/{token}', { params: { path: { token } }, body: { password: values.password } }),
      );
      navigate('/login', { replace: true, state: { passwordSet: true } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) setGone(true);
      else if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length)
        form.setFields([{ name: 'password', errors: error.problem.errors.map((e) => e.message) }]);
      else setFailure(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const status = link.isError && link.error instanceof ApiError ? link.error.status : null;
  let body;
  if (link.isLoading) body = <Loading />;
  else if (gone || status === 410 || status === 404 || status === 422)
    body = (
      <Result
        status="warning"
        title={gone || status === 410 ? t('passwordLink.gone') : t('passwordLink.invalid')}
        extra={<Link to="/login">{t('passwordLink.toLogin')}</Link>}
        data-testid="password-link-gone"
      />
    );
  else if (link.isError || !link.data) body = <Alert type="error" showIcon title={describeError(t, link.error)} />;
  else {
    const invitation = link.data.purpose === 'invitation';
    body = (
      <>
        <Typography.Title level={1} style={{ marginTop: 0, fontSize: 26 }}>
          {invitation ? t('passwordLink.inviteTitle', { name: link.data.name }) : t('passwordLink.resetTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {invitation
            ? t('passwordLink.inviteIntro', { email: link.data.email })
            : t('passwordLink.resetIntro', { email: link.data.email })}
        </Typography.Paragraph>
        {failure && <Alert type="error" showIcon title={failure} role="alert" style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy} data-testid="set-password-form">
          {/* The account's address, for password managers. */}
          <input type="email" name="username" autoComplete="username" value={link.data.email} readOnly hidden />
          <Form.Item
            name="password"
            label={t('passwordLink.password')}
            extra={t('password.rules')}
            rules={[{ required: true, message: t('common.required') }]}
          >
            <Input.Password autoComplete="new-password" autoFocus />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('password.confirm')}
            dependencies={['password']}
            rules={[
              { required: true, message: t('common.required') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('passwordLink.submit')}
          </Button>
        </Form>
      </>
    );
  }
  return (
    <main className="login-page">
      <Card className="login-card">{body}</Card>
    </main>
  );
}
