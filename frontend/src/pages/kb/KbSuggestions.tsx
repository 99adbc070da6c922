// Articles that may answer a ticket, ranked against its subject and description, with link and
// unlink (a link counts the article as used). Mounted on the ticket page: <KbSuggestions ticketId=... />.
import { LinkOutlined, DisconnectOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, List, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState, Loading } from '../../components/states';
import { can } from '../../permissions';

export default function KbSuggestions({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const mayLink = can(me, 'tickets:update');
  const params = { params: { path: { ticket_id: ticketId } } };
  const suggestions = useQuery({
    queryKey: ['kb', 'suggestions', ticketId],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/kb-suggestions', params)),
  });
  const links = useQuery({
    queryKey: ['kb', 'links', ticketId],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/kb-links', params)),
  });
  const toggle = useMutation({
    mutationFn: async ({ articleId, linked }: { articleId: string; linked: boolean }) => {
      if (linked) {
        await unwrap(
          api.DELETE('/api/v1/tickets/{ticket_id}/kb-links/{article_id}', {
            params: { path: { ticket_id: ticketId, article_id: articleId } },
          }),
        );
      } else {
        await unwrap(api.POST('/api/v1/tickets/{ticket_id}/kb-links', { ...params, body: { article_id: articleId } }));
      }
      return linked;
    },
    onSuccess: (wasLinked) => {
      message.success(wasLinked ? t('kb.unlinked') : t('kb.linked'));
      void queryClient.invalidateQueries({ queryKey: ['kb'] });
    },
    onError: (error) => message.error(describeError(t, error)),
  });

  if (suggestions.isPending || links.isPending) return <Loading />;
  if (suggestions.isError) return <ErrorState error={suggestions.error} onRetry={() => void suggestions.refetch()} />;
  const linkedIds = new Set((links.data?.items ?? []).map((l) => l.article_id));
  // Linked articles first (even when no longer suggested), then the other suggestions.
  const suggested = suggestions.data.items.map((s) => ({
    id: s.article.id,
    title: s.article.title,
    snippet: s.article.snippet,
    used: s.article.used_in_count,
  }));
  const extra = (links.data?.items ?? [])
    .filter((l) => !suggested.some((s) => s.id === l.article_id))
    .map((l) => ({ id: l.article_id, title: l.title, snippet: '', used: null as number | null }));
  const rows = [...extra, ...suggested].sort((a, b) => Number(linkedIds.has(b.id)) - Number(linkedIds.has(a.id)));

  return (
    <section aria-label={t('kb.suggestions')} data-testid="kb-suggestions">
      <Typography.Title level={5}>{t('kb.suggestions')}</Typography.Title>
      {rows.length === 0 ? (
        <EmptyState description={t('kb.noSuggestions')} />
      ) : (
        <List
          size="small"
          dataSource={rows}
          renderItem={(row) => {
            const linked = linkedIds.has(row.id);
            return (
              <List.Item
                data-testid={`kb-suggestion-${row.id}`}
                actions={
                  mayLink
                    ? [
                        <Button
                          key="toggle"
                          size="small"
                          icon={linked ? <DisconnectOutlined /> : <LinkOutlined />}
                          loading={toggle.isPending && toggle.variables?.articleId === row.id}
                          onClick={() => toggle.mutate({ articleId: row.id, linked })}
                        >
                          {linked ? t('kb.unlink') : t('kb.link')}
                        </Button>,
                      ]
                    : []
                }
              >
                <List.Item.Meta
                  title={
                    <Space>
                      <Link to={`/kb/${row.id}`}>{row.title}</Link>
                      {linked && <Typography.Text type="success">{t('kb.isLinked')}</Typography.Text>}
                    </Space>
                  }
                  description={
                    <>
                      <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                        {row.snippet}
                      </Typography.Paragraph>
                      {row.used !== null && <Typography.Text type="secondary">{t('kb.usedIn', { count: row.used })}</Typography.Text>}
                    </>
                  }
                />
              </List.Item>
            );
          }}
        />
      )}
    </section>
  );
}
