// One article: its sanitized HTML (rendered and cleaned by the server), counts, "was this
// helpful?", and for editors publish / archive / edit and the list of revisions.
import { useState } from 'react';
import { DislikeOutlined, EditOutlined, HistoryOutlined, LikeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { describeError, ErrorState, Loading } from '../../components/states';
import { useUserName } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';
import { ArticleStatusTag, useKbCategories, VisibilityTag, type Article } from './kbBits';

export default function KbArticlePage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const categories = useKbCategories();
  const editor = can(me, 'kb:update');
  const [history, setHistory] = useState(false);
  const [revision, setRevision] = useState<number | null>(null);
  const path = { params: { path: { article_id: id } } };
  const article = useQuery({
    queryKey: ['kb', 'article', id],
    queryFn: () => unwrap(api.GET('/api/v1/kb/articles/{article_id}', path)),
  });
  const versions = useQuery({
    queryKey: ['kb', 'versions', id],
    queryFn: () => unwrap(api.GET('/api/v1/kb/articles/{article_id}/versions', path)),
    enabled: editor && history,
  });
  const shown = useQuery({
    queryKey: ['kb', 'version', id, revision],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/kb/articles/{article_id}/versions/{revision}', { params: { path: { article_id: id, revision: revision ?? 1 } } }),
      ),
    enabled: revision !== null,
  });

  const done = (updated: Article, text: string) => {
    queryClient.setQueryData(['kb', 'article', id], updated);
    void queryClient.invalidateQueries({ queryKey: ['kb', 'list'] });
    message.success(text);
  };
  const move = useMutation({
    mutationFn: (verb: 'publish' | 'archive') =>
      unwrap(
        api.POST(verb === 'publish' ? '/api/v1/kb/articles/{article_id}/publish' : '/api/v1/kb/articles/{article_id}/archive', {
          ...path,
          params: { ...path.params, header: { 'if-match': etagOf(article.data?.version ?? 0) } },
        }),
      ),
    onSuccess: (updated, verb) => done(updated, verb === 'publish' ? t('kb.published') : t('kb.archived')),
    onError: (error) => message.error(describeError(t, error)),
  });
  const vote = useMutation({
    mutationFn: (helpful: boolean) => unwrap(api.POST('/api/v1/kb/articles/{article_id}/feedback', { ...path, body: { helpful } })),
    onSuccess: (updated) => done(updated, t('kb.thanks')),
    onError: (error) => message.error(describeError(t, error)),
  });

  if (article.isPending) return <Loading />;
  if (article.isError) return <ErrorState error={article.error} onRetry={() => void article.refetch()} />;
  const a = article.data;
  const category = (categories.data?.items ?? []).find((c) => c.id === a.category_id);

  return (
    <article aria-labelledby="kb-article-title">
      <div className="page-header">
        <Space wrap>
          <Typography.Title level={2} id="kb-article-title" style={{ margin: 0 }}>
            {a.title}
          </Typography.Title>
          <ArticleStatusTag status={a.status} />
          <VisibilityTag visibility={a.visibility} />
        </Space>
        <Space wrap>
          <Link to="/kb">{t('kb.back')}</Link>
          {editor && (
            <>
              <Button icon={<EditOutlined />} onClick={() => navigate(`/kb/${a.id}/edit`)} data-testid="edit-article">
                {t('common.edit')}
              </Button>
              {a.status !== 'published' && (
                <Button type="primary" onClick={() => move.mutate('publish')} loading={move.isPending} data-testid="publish-article">
                  {t('kb.publish')}
                </Button>
              )}
              {a.status !== 'archived' && (
                <Button onClick={() => move.mutate('archive')} loading={move.isPending} data-testid="archive-article">
                  {t('kb.archive')}
                </Button>
              )}
              <Button icon={<HistoryOutlined />} onClick={() => setHistory(true)} data-testid="article-history">
                {t('kb.history')}
              </Button>
            </>
          )}
        </Space>
      </div>
      <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }}>
        <Descriptions.Item label={t('kb.fields.category')}>{category?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('kb.views')}>{a.view_count}</Descriptions.Item>
        <Descriptions.Item label={t('kb.usedInTitle')}>
          <span data-testid="used-in-count">{a.used_in_count}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('kb.fields.updated_at')}>{formatDate(a.revised_at, i18n.language)}</Descriptions.Item>
      </Descriptions>
      {a.tags.length > 0 && (
        <div style={{ marginBottom: 12 }}>
          {a.tags.map((tag) => (
            <Tag key={tag}>
              <Link to={`/kb?tag=${encodeURIComponent(tag)}`}>{tag}</Link>
            </Tag>
          ))}
        </div>
      )}
      {/* body_html is rendered and sanitized by the server (nh3): no script, handler or javascript: URL */}
      <div className="kb-body" data-testid="article-body" dangerouslySetInnerHTML={{ __html: a.body_html }} />
      {a.status === 'published' && (
        <div className="kb-feedback" role="group" aria-label={t('kb.wasHelpful')}>
          <Typography.Text>{t('kb.wasHelpful')}</Typography.Text>{' '}
          <Button icon={<LikeOutlined />} onClick={() => vote.mutate(true)} data-testid="helpful-yes">
            {t('common.yes')} ({a.helpful_count})
          </Button>{' '}
          <Button icon={<DislikeOutlined />} onClick={() => vote.mutate(false)} data-testid="helpful-no">
            {t('common.no')} ({a.not_helpful_count})
          </Button>
        </div>
      )}
      <Drawer
        open={history}
        onClose={() => {
          setHistory(false);
          setRevision(null);
        }}
        title={t('kb.history')}
        width={560}
      >
        {revision !== null && shown.data ? (
          <>
            <Button onClick={() => setRevision(null)}>{t('common.back')}</Button>
            <Typography.Title level={4}>
              {t('kb.revision', { n: shown.data.revision })}: {shown.data.title}
            </Typography.Title>
            <div className="kb-body" dangerouslySetInnerHTML={{ __html: shown.data.body_html ?? '' }} />
          </>
        ) : (
          <List
            loading={versions.isPending}
            dataSource={versions.data?.items ?? []}
            renderItem={(v) => (
              <List.Item
                key={v.revision}
                actions={[
                  <Button key="show" size="small" onClick={() => setRevision(v.revision)}>
                    {t('common.open')}
                  </Button>,
                ]}
              >
                <List.Item.Meta
                  title={`${t('kb.revision', { n: v.revision })}${v.current ? ` · ${t('kb.current')}` : ''}: ${v.title}`}
                  description={`${formatDate(v.revised_at, i18n.language)} · ${v.revised_by ? (userName(v.revised_by) ?? '—') : '—'}`}
                />
              </List.Item>
            )}
          />
        )}
      </Drawer>
    </article>
  );
}
