// The knowledge base: search (Chinese or English, ranked), category / status / visibility
// filters, results with the search terms highlighted in the title and a snippet.
import { useMemo } from 'react';
import { EyeOutlined, LikeOutlined, LinkOutlined, PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { LoadMore, useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState } from '../../components/states';
import { can } from '../../permissions';
import { ArticleStatusTag, Highlight, KB_STATUSES, searchTerms, useKbCategories, VisibilityTag } from './kbBits';

const PAGE = 20;
const FILTERS = ['q', 'category', 'status', 'visibility', 'tag'] as const;

export default function KbPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, set, clear } = useUrlFilters(FILTERS);
  const editor = can(me, 'kb:update');
  const categories = useKbCategories();
  const categoryName = useMemo(() => new Map((categories.data?.items ?? []).map((c) => [c.id, c.name])), [categories.data]);
  const query = useInfiniteQuery({
    queryKey: ['kb', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/kb/articles', { params: { query: { ...filters, limit: PAGE, cursor: pageParam } as never } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const terms = searchTerms(filters.q);

  return (
    <section aria-labelledby="kb-title">
      <div className="page-header">
        <Typography.Title level={2} id="kb-title">
          {t('kb.title')}
        </Typography.Title>
        {can(me, 'kb:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/kb/new')} data-testid="new-article">
            {t('kb.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          key={filters.q ?? ''}
          aria-label={t('common.search')}
          placeholder={t('kb.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          enterButton
          onSearch={(v) => set({ q: v.trim() || undefined })}
          style={{ width: 360 }}
          data-testid="kb-search"
        />
        <Select
          aria-label={t('kb.fields.category')}
          placeholder={t('kb.fields.category')}
          value={filters.category}
          allowClear
          onChange={(v: string | undefined) => set({ category: v })}
          options={(categories.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          style={{ minWidth: 180 }}
        />
        {editor && (
          <Select
            aria-label={t('kb.fields.status')}
            placeholder={t('kb.fields.status')}
            value={filters.status}
            allowClear
            onChange={(v: string | undefined) => set({ status: v })}
            options={KB_STATUSES.map((s) => ({ value: s, label: t(`kb.status.${s}`) }))}
            style={{ minWidth: 140 }}
          />
        )}
        <Select
          aria-label={t('kb.fields.visibility')}
          placeholder={t('kb.fields.visibility')}
          value={filters.visibility}
          allowClear
          onChange={(v: string | undefined) => set({ visibility: v })}
          options={(['internal', 'public'] as const).map((s) => ({ value: s, label: t(`kb.visibility.${s}`) }))}
          style={{ minWidth: 140 }}
        />
        {filters.tag && (
          <Tag closable onClose={() => set({ tag: undefined })}>
            {filters.tag}
          </Tag>
        )}
        <Button onClick={clear}>{t('common.clearFilters')}</Button>
      </div>
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <List
            loading={query.isPending}
            dataSource={rows}
            locale={{ emptyText: <EmptyState description={filters.q ? t('kb.noResults') : t('common.empty')} /> }}
            data-testid="kb-results"
            renderItem={(a) => (
              <List.Item key={a.id} data-testid="kb-result">
                <List.Item.Meta
                  title={
                    <Space wrap>
                      <Link to={`/kb/${a.id}`}>
                        <Highlight text={a.title} terms={terms} />
                      </Link>
                      {a.status !== 'published' && <ArticleStatusTag status={a.status} />}
                      <VisibilityTag visibility={a.visibility} />
                      {a.category_id && <Typography.Text type="secondary">{categoryName.get(a.category_id)}</Typography.Text>}
                    </Space>
                  }
                  description={
                    <>
                      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>
                        <Highlight text={a.snippet} terms={terms} />
                      </Typography.Paragraph>
                      <Space size="middle" wrap>
                        <span title={t('kb.views')}>
                          <EyeOutlined /> {a.view_count}
                        </span>
                        <span title={t('kb.helpful')}>
                          <LikeOutlined /> {a.helpful_count}
                        </span>
                        <span title={t('kb.usedInTitle')}>
                          <LinkOutlined /> {a.used_in_count}
                        </span>
                        {a.tags.map((tag) => (
                          <Tag key={tag} style={{ cursor: 'pointer' }} onClick={() => set({ tag })}>
                            {tag}
                          </Tag>
                        ))}
                      </Space>
                    </>
                  }
                />
              </List.Item>
            )}
          />
          <LoadMore query={query} shown={rows.length} />
        </>
      )}
    </section>
  );
}
