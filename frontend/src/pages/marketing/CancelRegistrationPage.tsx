// /e/cancel/:token: the link of the confirmation e-mail. Shows which registration it cancels, and
// cancels it on the person's confirmation (a mail scanner opening the link cancels nothing).
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Result, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { describeError, Loading } from '../../components/states';
import { normalizeLanguage } from '../../i18n';
import { publicApi } from './publicApi';
import { PublicShell } from './PublicRegistrationPage';
import { sessionTime } from './registrationLogic';

export default function CancelRegistrationPage() {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const found = useQuery({
    queryKey: ['public-registration', token],
    queryFn: () => unwrap(publicApi.GET('/api/v1/public/registrations/{token}', { params: { path: { token } } })),
    retry: false,
  });

  async function cancel() {
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(publicApi.POST('/api/v1/public/registrations/{token}/cancel', { params: { path: { token } } }));
      setDone(true);
    } catch (error) {
      setFailure(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  let body;
  if (done) body = <Result status="success" title={t('registration.cancel.done')} data-testid="cancel-done" />;
  else if (found.isLoading) body = <Loading />;
  else if (found.isError || !found.data) {
    const missing = found.error instanceof ApiError && found.error.status === 404;
    body = <Result status="404" title={missing ? t('registration.cancel.missing') : describeError(t, found.error)} />;
  } else if (found.data.status === 'cancelled')
    body = <Result status="info" title={t('registration.cancel.alreadyCancelled')} data-testid="cancel-already" />;
  else {
    const r = found.data;
    body = (
      <>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('registration.cancel.title')}
        </Typography.Title>
        <Typography.Paragraph>{t('registration.cancel.question', { name: r.name, event: r.event })}</Typography.Paragraph>
        {r.session && r.starts_at && (
          <Typography.Paragraph type="secondary">
            {r.session} · {sessionTime({ starts_at: r.starts_at, ends_at: null }, normalizeLanguage(i18n.language))}
          </Typography.Paragraph>
        )}
        {failure && <Typography.Paragraph type="danger">{failure}</Typography.Paragraph>}
        <Button danger type="primary" block size="large" loading={busy} onClick={cancel} data-testid="cancel-confirm">
          {t('registration.cancel.confirm')}
        </Button>
      </>
    );
  }
  return <PublicShell>{body}</PublicShell>;
}
