import { Button, Empty, Result, Spin } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError, NetworkError } from '../api/errors';

/** One sentence for any failure, in the user's language. */
export function describeError(t: TFunction, error: unknown): string {
  if (error instanceof NetworkError) return t('common.networkError');
  if (error instanceof ApiError) {
    if (error.status === 403) return t('common.forbidden');
    if (error.status >= 500) return t('common.serverError', { status: error.status });
    return error.message;
  }
  return t('common.loadError');
}

export function Loading({ tip }: { tip?: string }) {
  const { t } = useTranslation();
  return (
    <div role="status" aria-live="polite" style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
      <div style={{ marginTop: 8, color: 'rgba(0,0,0,0.45)' }}>{tip ?? t('app.loading')}</div>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status =
    error instanceof ApiError && error.status === 404 ? '404' : error instanceof ApiError && error.status === 403 ? '403' : 'error';
  const title = status === '404' ? t('notFound.recordTitle') : t('common.loadError');
  const detail = status === '404' ? t('notFound.recordDetail') : describeError(t, error);
  return (
    <Result
      status={status}
      title={title}
      subTitle={detail}
      extra={onRetry && status === 'error' ? <Button onClick={onRetry}>{t('app.retry')}</Button> : undefined}
    />
  );
}

export function EmptyState({ description }: { description?: string }) {
  const { t } = useTranslation();
  return <Empty description={description ?? t('common.empty')} />;
}
