// Message templates: e-mail and SMS, each written in Chinese and/or English. Filter by channel,
// search by name; a row opens the editor.
import { useMemo } from 'react';
import { MailOutlined, MessageOutlined, PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { LoadMore, SearchFilter, useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState } from '../../components/states';
import { can } from '../../permissions';

type Summary = components['schemas']['TemplateSummaryOut'];
const FILTERS = ['q', 'channel'] as const;
const PAGE = 50;

export function ChannelTag({ channel }: { channel: 'email' | 'sms' }) {
  const { t } = useTranslation();
  return channel === 'email' ? (
    <Tag icon={<MailOutlined />} color="blue">
      {t('messageTemplates.channel.email')}
    </Tag>
  ) : (
    <Tag icon={<MessageOutlined />} color="green">
      {t('messageTemplates.channel.sms')}
    </Tag>
  );
}

export default function TemplatesPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { filters, set } = useUrlFilters(FILTERS);
  const channel = filters.channel === 'email' || filters.channel === 'sms' ? filters.channel : undefined;
  const query = useInfiniteQuery({
    queryKey: ['message-templates', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/message-templates', { params: { query: { q: filters.q, channel, limit: PAGE, cursor: pageParam } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <section aria-labelledby="templates-title">
      <div className="page-header">
        <Typography.Title level={2} id="templates-title">
          {t('messageTemplates.title')}
        </Typography.Title>
        {can(me, 'message_templates:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/marketing/templates/new')} data-testid="new-template">
            {t('messageTemplates.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <SearchFilter
          value={filters.q}
          onSearch={(q) => set({ q })}
          placeholder={t('messageTemplates.searchPlaceholder')}
          width={280}
          testId="templates-search"
        />
        <Segmented
          aria-label={t('messageTemplates.fields.channel')}
          value={channel ?? 'all'}
          onChange={(v) => set({ channel: v === 'all' ? undefined : String(v) })}
          options={[
            { value: 'all', label: t('messageTemplates.allChannels') },
            { value: 'email', label: t('messageTemplates.channel.email') },
            { value: 'sms', label: t('messageTemplates.channel.sms') },
          ]}
        />
      </div>
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Summary>
            rowKey="id"
            loading={query.isPending}
            dataSource={rows}
            pagination={false}
            data-testid="templates-table"
            locale={{ emptyText: <EmptyState description={t('messageTemplates.empty')} /> }}
            columns={[
              {
                title: t('messageTemplates.fields.name'),
                dataIndex: 'name',
                render: (name: string, row) => <Link to={`/marketing/templates/${row.id}`}>{name}</Link>,
              },
              {
                title: t('messageTemplates.fields.channel'),
                dataIndex: 'channel',
                render: (c: Summary['channel']) => <ChannelTag channel={c} />,
              },
              {
                title: t('messageTemplates.fields.languages'),
                dataIndex: 'locales',
                render: (locales: Summary['locales'], row) => (
                  <Space size={4}>
                    {locales.map((l) => (
                      <Tag key={l} color={l === row.default_locale ? 'geekblue' : undefined}>
                        {t(`messageTemplates.locale.${l}`)}
                      </Tag>
                    ))}
                  </Space>
                ),
              },
              { title: t('messageTemplates.fields.subject'), dataIndex: 'subject', ellipsis: true, render: (s: string | null) => s ?? '—' },
              { title: t('messageTemplates.fields.updatedAt'), dataIndex: 'updated_at', render: (v: string) => when.format(new Date(v)) },
            ]}
          />
          <LoadMore query={query} shown={rows.length} />
        </>
      )}
    </section>
  );
}
