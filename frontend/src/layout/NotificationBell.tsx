import { useState } from 'react';
import { BellOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, List, Popover, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { describeError } from '../components/states';
import { formatDate } from '../pages/customerBits';
import { recordPath } from '../pages/leads/leadBits';

type Notification = components['schemas']['NotificationOut'];

const POLL_MS = 30_000;
const ENTITIES = ['lead', 'customer', 'contact', 'opportunity', 'activity'] as const;

/** The notification's text in the user's language where its kind is known; the server's otherwise. */
export function notificationText(t: TFunction, n: Pick<Notification, 'kind' | 'entity' | 'title'>): string {
  if (n.kind === 'assigned') {
    const entity = ENTITIES.find((e) => e === n.entity) ?? 'other';
    return t(`notifications.assigned.${entity}`);
  }
  return n.title;
}

/** Where clicking a notification goes: its subject, if the client has a page for it. */
export function notificationPath(n: Pick<Notification, 'entity' | 'entity_id'>): string | null {
  if (!n.entity || !n.entity_id) return null;
  if (n.entity === 'activity') return '/my-day';
  return recordPath(n.entity, n.entity_id);
}

export default function NotificationBell() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);

  // The unread count, polled; the list itself is loaded when the panel opens.
  const unread = useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: () => unwrap(api.GET('/api/v1/notifications/unread-count')),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const recent = useQuery({
    queryKey: ['notifications', 'recent'],
    enabled: open,
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 20 } } })),
  });
  const count = unread.data?.unread ?? 0;

  async function markRead(ids?: string[]) {
    try {
      await unwrap(api.POST('/api/v1/notifications/read', { body: ids ? { ids } : {} }));
    } catch (error) {
      message.error(describeError(t, error));
    }
    await queryClient.invalidateQueries({ queryKey: ['notifications'] });
  }

  async function openOne(n: Notification) {
    if (!n.read_at) await markRead([n.id]);
    const path = notificationPath(n);
    setOpen(false);
    if (path) navigate(path);
  }

  const panel = (
    <div style={{ width: 360, maxHeight: 420, overflow: 'auto' }} data-testid="notification-panel">
      <List
        size="small"
        loading={recent.isLoading}
        dataSource={recent.data?.items ?? []}
        locale={{ emptyText: t('notifications.empty') }}
        renderItem={(n) => (
          <List.Item
            key={n.id}
            onClick={() => void openOne(n)}
            style={{ cursor: 'pointer', background: n.read_at ? undefined : '#e6f4ff', paddingInline: 8 }}
            data-testid="notification-item"
            data-unread={n.read_at ? undefined : 'true'}
          >
            <List.Item.Meta
              title={<Typography.Text strong={!n.read_at}>{notificationText(t, n)}</Typography.Text>}
              description={formatDate(n.created_at, i18n.language)}
            />
          </List.Item>
        )}
      />
    </div>
  );

  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        // the list and the badge tell the same story while the panel is open
        if (next) void unread.refetch();
      }}
      trigger={['click']}
      placement="bottomRight"
      title={
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <span>{t('notifications.title')}</span>
          <Button size="small" type="link" disabled={!count} onClick={() => void markRead()} data-testid="mark-all-read">
            {t('notifications.markAllRead')}
          </Button>
        </div>
      }
      content={panel}
    >
      <Button
        type="text"
        aria-label={t('notifications.bell', { count })}
        data-testid="notification-bell"
        icon={
          <Badge count={count} overflowCount={99} size="small" data-testid="notification-count">
            <BellOutlined style={{ fontSize: 18 }} />
          </Badge>
        }
      />
    </Popover>
  );
}
