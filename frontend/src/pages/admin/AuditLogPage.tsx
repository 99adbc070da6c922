import { useMemo, useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Input, Select, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { diffRows } from '../../components/diff';
import { EmptyState, ErrorState } from '../../components/states';
import { useUserName, useUsers } from '../../directory';
import { formatDate } from '../customerBits';

type Entry = components['schemas']['AuditEntryOut'];

// The entity names the audit log uses (free text is accepted too).
// 'permission': refused attempts (security events; action permission.denied).
const ENTITIES = [
  'customers',
  'contacts',
  'activities',
  'user',
  'role',
  'department',
  'region',
  'custom_fields',
  'api_token',
  'permission',
];

/** The record's id (ids begin with their time, so the end tells them apart), linked when it has a page. */
function RecordId({ entity, id }: { entity: string; id: string | null }) {
  if (!id) return <>—</>;
  const short = <Typography.Text code copyable={{ text: id }} title={id}>{`…${id.slice(-8)}`}</Typography.Text>;
  const page = entity.startsWith('customer') ? 'customers' : entity.startsWith('contact') ? 'contacts' : null;
  return page ? <Link to={`/${page}/${id}`}>{short}</Link> : short;
}

export function Diff({ changes }: { changes: Record<string, unknown> }) {
  const { t } = useTranslation();
  const rows = diffRows(changes);
  if (!rows.length) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  return (
    <Table
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={rows}
      columns={[
        { key: 'field', title: t('audit.field'), dataIndex: 'field', width: 160 },
        {
          key: 'before',
          title: t('audit.before'),
          render: (_: unknown, r) => (
            <pre className="diff" style={{ color: '#cf1322' }}>
              {r.before}
            </pre>
          ),
        },
        {
          key: 'after',
          title: t('audit.after'),
          render: (_: unknown, r) => (
            <pre className="diff" style={{ color: '#389e0d' }}>
              {r.after}
            </pre>
          ),
        },
      ]}
    />
  );
}

export default function AuditLogPage() {
  const { t, i18n } = useTranslation();
  const users = useUsers();
  const userName = useUserName();
  const [filters, setFilters] = useState<{
    actor_id?: string;
    entity?: string;
    action?: string;
    entity_id?: string;
    from?: string;
    to?: string;
  }>({});

  const query = useInfiniteQuery({
    queryKey: ['audit-log', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit-log', {
          params: {
            query: {
              actor_id: filters.actor_id,
              entity: filters.entity,
              action: filters.action,
              entity_id: filters.entity_id,
              from: filters.from ? new Date(filters.from).toISOString() : undefined,
              to: filters.to ? new Date(filters.to).toISOString() : undefined,
              limit: 50,
              cursor: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  const set = (key: keyof typeof filters, value: string | undefined) => setFilters((f) => ({ ...f, [key]: value || undefined }));

  return (
    <section aria-labelledby="audit-title">
      <div className="page-header">
        <Typography.Title level={2} id="audit-title">
          {t('audit.title')}
        </Typography.Title>
      </div>
      <div className="toolbar" role="search">
        <Select
          aria-label={t('audit.fields.actor')}
          placeholder={t('audit.fields.actor')}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          value={filters.actor_id}
          onChange={(v: string | undefined) => set('actor_id', v)}
          options={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          style={{ width: 200 }}
        />
        <AutoComplete
          aria-label={t('audit.fields.entity')}
          placeholder={t('audit.fields.entity')}
          allowClear
          value={filters.entity}
          onChange={(v: string | undefined) => set('entity', v?.trim())}
          options={ENTITIES.map((e) => ({ value: e }))}
          style={{ width: 180 }}
        />
        <Input
          aria-label={t('audit.fields.action')}
          placeholder={t('audit.fields.action')}
          allowClear
          onPressEnter={(e) => set('action', (e.target as HTMLInputElement).value.trim())}
          onBlur={(e) => set('action', e.target.value.trim())}
          style={{ width: 180 }}
        />
        <Input
          aria-label={t('audit.fields.entity_id')}
          placeholder={t('audit.fields.entity_id')}
          allowClear
          onPressEnter={(e) => set('entity_id', (e.target as HTMLInputElement).value.trim())}
          onBlur={(e) => set('entity_id', e.target.value.trim())}
          style={{ width: 200 }}
        />
        <Input type="datetime-local" aria-label={t('audit.from')} onChange={(e) => set('from', e.target.value)} style={{ width: 200 }} />
        <Input type="datetime-local" aria-label={t('audit.to')} onChange={(e) => set('to', e.target.value)} style={{ width: 200 }} />
      </div>
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Entry>
            rowKey="id"
            size="small"
            loading={query.isLoading}
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState /> }}
            expandable={{ expandedRowRender: (e) => <Diff changes={e.changes} />, rowExpandable: (e) => Object.keys(e.changes).length > 0 }}
            columns={[
              { key: 'at', title: t('audit.fields.at'), render: (_: unknown, e: Entry) => formatDate(e.at, i18n.language) },
              {
                key: 'actor',
                title: t('audit.fields.actor'),
                render: (_: unknown, e: Entry) => userName(e.actor_id) ?? (e.actor_id ? e.actor_id.slice(0, 8) : '—'),
              },
              { key: 'action', title: t('audit.fields.action'), dataIndex: 'action' },
              { key: 'entity', title: t('audit.fields.entity'), dataIndex: 'entity' },
              {
                key: 'entity_id',
                title: t('audit.fields.entity_id'),
                render: (_: unknown, e: Entry) => <RecordId entity={e.entity} id={e.entity_id} />,
              },
              { key: 'ip', title: t('audit.fields.ip'), dataIndex: 'ip' },
            ]}
          />
          {query.hasNextPage && (
            <div className="load-more">
              <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
