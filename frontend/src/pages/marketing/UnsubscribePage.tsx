// /unsubscribe/:token: the page an e-mail's or SMS's unsubscribe link opens. No login; it calls only
// the public endpoints, with no token. Shows the (masked) address and campaign, then confirms with
// one button (mail clients that support RFC 8058 post to the API directly and never show it).
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Result, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { describeError, Loading } from '../../components/states';
import { publicApi } from '../surveys/surveyBits';

export default function UnsubscribePage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const link = useQuery({
    queryKey: ['public-unsubscribe', token],
    queryFn: () => unwrap(publicApi.GET('/api/v1/public/unsubscribe/{token}', { params: { path: { token } } })),
    retry: false,
  });

  async function confirm() {
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(publicApi.POST('/api/v1/public/unsubscribe/{token}', { params: { path: { token } }, body: {} }));
      setDone(true);
    } catch (error) {
      setFailure(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  let body;
  if (link.isError) {
    body =
      link.error instanceof ApiError && link.error.status === 404 ? (
        <Result status="404" title={t('unsubscribe.missing')} data-testid="unsubscribe-missing" />
      ) : (
        <Result status="error" title={describeError(t, link.error)} />
      );
  } else if (link.isLoading || !link.data) body = <Loading />;
  else {
    const l = link.data;
    const channel = t(`unsubscribe.channel.${l.channel}`);
    if (done || l.unsubscribed)
      body = (
        <Result
          status="success"
          title={t(done ? 'unsubscribe.done' : 'unsubscribe.already')}
          subTitle={t('unsubscribe.doneDetail', { channel, address: l.masked_address ?? '' })}
          data-testid="unsubscribe-done"
        />
      );
    else
      body = (
        <>
          <Typography.Title level={3}>{t('unsubscribe.title')}</Typography.Title>
          <Typography.Paragraph>{t('unsubscribe.intro', { channel, campaign: l.campaign_name })}</Typography.Paragraph>
          <Typography.Paragraph strong data-testid="unsubscribe-address" style={{ fontSize: 18 }}>
            {l.masked_address}
          </Typography.Paragraph>
          {failure && <Typography.Paragraph type="danger">{failure}</Typography.Paragraph>}
          <Button type="primary" danger block size="large" loading={busy} onClick={() => void confirm()} data-testid="unsubscribe-confirm">
            {t('unsubscribe.confirm')}
          </Button>
        </>
      );
  }
  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5', padding: '32px 16px' }}>
      <main style={{ maxWidth: 480, margin: '0 auto' }}>
        <Card>{body}</Card>
      </main>
    </div>
  );
}
