import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Modal, Popconfirm, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { describeError, EmptyState, ErrorState } from '../components/states';
import { formatDate } from './customerBits';

type Session = components['schemas']['SessionOut'];

/** Signed-in devices: the account's live sessions; sign out any but this one. */
export default function SessionsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['auth-sessions'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/sessions')),
    enabled: open,
  });

  async function end(session: Session) {
    try {
      await unwrap(api.DELETE('/api/v1/auth/sessions/{session_id}', { params: { path: { session_id: session.id } } }));
      message.success(t('sessions.ended'));
      await queryClient.invalidateQueries({ queryKey: ['auth-sessions'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  return (
    <Modal
      open={open}
      title={t('sessions.title')}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
      width={820}
      destroyOnHidden
    >
      {sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <Table<Session>
          rowKey="id"
          data-testid="sessions"
          loading={sessions.isLoading}
          dataSource={sessions.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <EmptyState description={t('sessions.empty')} /> }}
          columns={[
            {
              key: 'device',
              title: t('sessions.fields.device'),
              render: (_: unknown, s: Session) => (
                <>
                  {s.user_agent ?? t('sessions.unknownDevice')} {s.current && <Tag color="blue">{t('sessions.current')}</Tag>}
                </>
              ),
            },
            { key: 'address', title: t('sessions.fields.address'), render: (_: unknown, s: Session) => s.last_ip ?? '—' },
            {
              key: 'created',
              title: t('sessions.fields.created_at'),
              render: (_: unknown, s: Session) => formatDate(s.created_at, i18n.language),
            },
            {
              key: 'used',
              title: t('sessions.fields.last_used_at'),
              render: (_: unknown, s: Session) => formatDate(s.last_used_at, i18n.language),
            },
            {
              key: 'expires',
              title: t('sessions.fields.expires_at'),
              render: (_: unknown, s: Session) => formatDate(s.expires_at, i18n.language),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, s: Session) =>
                s.current ? null : (
                  <Popconfirm
                    title={t('sessions.confirmEnd')}
                    onConfirm={() => end(s)}
                    okText={t('sessions.end')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" danger>
                      {t('sessions.end')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      )}
    </Modal>
  );
}
