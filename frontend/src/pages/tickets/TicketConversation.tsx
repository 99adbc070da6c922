// A ticket's conversation: public replies and internal notes (visibly distinct), oldest first, and
// the reply box with its "internal note" switch and attachment metadata.
import { useRef, useState } from 'react';
import { LockOutlined, MessageOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, List, Space, Switch, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { useUserName } from '../../directory';
import { formatDate } from '../customerBits';

type Comment = components['schemas']['CommentOut'];
type Attachment = components['schemas']['Attachment'];

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

function AttachmentList({ items }: { items: { name: string; size: number; storage_key: string }[] }) {
  if (!items.length) return null;
  return (
    <Space wrap size={4} style={{ marginTop: 4 }}>
      {items.map((a) => (
        <Tag key={a.storage_key} icon={<PaperClipOutlined />} title={a.storage_key}>
          {a.name} · {formatBytes(a.size)}
        </Tag>
      ))}
    </Space>
  );
}

export function Conversation({ ticketId, canReply, closed }: { ticketId: string; canReply: boolean; closed: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());
  const picker = useRef<HTMLInputElement>(null);

  const comments = useQuery({
    queryKey: ['tickets', 'comments', ticketId],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/comments', { params: { path: { ticket_id: ticketId } } })),
  });

  function pick(files: FileList | null) {
    const picked = [...(files ?? [])];
    const tooBig = picked.filter((f) => f.size > MAX_ATTACHMENT_BYTES);
    if (tooBig.length) message.error(t('tickets.reply.tooLarge', { name: tooBig[0].name }));
    setAttachments((current) => [
      ...current,
      ...picked
        .filter((f) => f.size <= MAX_ATTACHMENT_BYTES)
        .map((f) => ({ name: f.name, size: f.size, content_type: f.type || 'application/octet-stream', storage_key: '' })),
    ]);
    if (picker.current) picker.current.value = '';
  }

  const ready = body.trim() && attachments.every((a) => a.storage_key.trim());

  async function send() {
    if (!ready) return;
    setBusy(true);
    try {
      await unwrap(
        api.POST('/api/v1/tickets/{ticket_id}/comments', {
          params: { path: { ticket_id: ticketId }, header: { 'idempotency-key': idempotencyKey.current } },
          body: {
            visibility: internal ? 'internal' : 'public',
            body: body.trim(),
            attachments: attachments.map((a) => ({ ...a, storage_key: a.storage_key.trim() })),
          },
        }),
      );
      idempotencyKey.current = newIdempotencyKey();
      message.success(internal ? t('tickets.reply.noteAdded') : t('tickets.reply.sent'));
      setBody('');
      setAttachments([]);
      // the first public reply answers the ticket: its status and SLA change too
      await queryClient.invalidateQueries({ queryKey: ['tickets'] });
    } catch (error) {
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const items: Comment[] = comments.data?.items ?? [];
  return (
    <Card title={t('tickets.conversation')} data-testid="conversation">
      {comments.isError ? (
        <ErrorState error={comments.error} onRetry={() => void comments.refetch()} />
      ) : items.length ? (
        <List
          dataSource={items}
          data-testid="comments"
          renderItem={(c) => {
            const note = c.visibility === 'internal';
            return (
              <List.Item
                key={c.id}
                className={note ? 'ticket-note' : 'ticket-reply'}
                data-testid={note ? 'internal-note' : 'public-reply'}
                style={{
                  background: note ? '#fffbe6' : undefined,
                  borderLeft: `3px solid ${note ? '#faad14' : '#1668dc'}`,
                  paddingLeft: 12,
                  marginBottom: 8,
                }}
              >
                <div style={{ width: '100%' }}>
                  <Space size={6} wrap>
                    {note ? (
                      <Tag icon={<LockOutlined />} color="gold">
                        {t('tickets.reply.internalTag')}
                      </Tag>
                    ) : (
                      <Tag icon={<MessageOutlined />} color="blue">
                        {t('tickets.reply.publicTag')}
                      </Tag>
                    )}
                    <Typography.Text strong>{userName(c.author_id) ?? t('common.unknownUser')}</Typography.Text>
                    <Typography.Text type="secondary">{formatDate(c.created_at, i18n.language)}</Typography.Text>
                  </Space>
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{c.body}</Typography.Paragraph>
                  <AttachmentList items={c.attachments} />
                </div>
              </List.Item>
            );
          }}
        />
      ) : (
        <EmptyState description={t('tickets.reply.none')} />
      )}
      {canReply && !closed && (
        <div className="ticket-reply-box" style={{ marginTop: 16 }} data-testid="reply-box">
          <Space style={{ marginBottom: 8 }}>
            <Switch checked={internal} onChange={setInternal} aria-label={t('tickets.reply.internal')} data-testid="internal-toggle" />
            <Typography.Text>{internal ? t('tickets.reply.internalHelp') : t('tickets.reply.publicHelp')}</Typography.Text>
          </Space>
          <Input.TextArea
            aria-label={internal ? t('tickets.reply.notePlaceholder') : t('tickets.reply.replyPlaceholder')}
            placeholder={internal ? t('tickets.reply.notePlaceholder') : t('tickets.reply.replyPlaceholder')}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={4}
            maxLength={20000}
            style={internal ? { background: '#fffbe6' } : undefined}
            data-testid="reply-body"
          />
          {attachments.map((a, i) => (
            <Space key={`${a.name}-${i}`} wrap style={{ display: 'flex', marginTop: 8 }} data-testid="attachment-row">
              <Tag icon={<PaperClipOutlined />}>
                {a.name} · {formatBytes(a.size)}
              </Tag>
              <Input
                aria-label={t('tickets.reply.storageKey', { name: a.name })}
                placeholder={t('tickets.reply.storageKeyPlaceholder')}
                value={a.storage_key}
                onChange={(e) => setAttachments((list) => list.map((x, j) => (j === i ? { ...x, storage_key: e.target.value } : x)))}
                maxLength={500}
                style={{ width: 320 }}
                status={a.storage_key.trim() ? undefined : 'warning'}
              />
              <Button size="small" type="text" onClick={() => setAttachments((list) => list.filter((_, j) => j !== i))}>
                {t('common.delete')}
              </Button>
            </Space>
          ))}
          <Space style={{ marginTop: 8 }}>
            <input ref={picker} type="file" multiple hidden onChange={(e) => pick(e.target.files)} data-testid="attach-input" />
            <Button icon={<PaperClipOutlined />} onClick={() => picker.current?.click()}>
              {t('tickets.reply.attach')}
            </Button>
            <Button type="primary" disabled={!ready} loading={busy} onClick={() => void send()} data-testid="send-reply">
              {internal ? t('tickets.reply.addNote') : t('tickets.reply.send')}
            </Button>
          </Space>
        </div>
      )}
    </Card>
  );
}
