// /automations/:id/runs: the run log of one automation (status, record, each action's outcome,
// the error or the reason it was skipped, times), newest first, and a dry run of the rule.
import { useState } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, List, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { describeError, ErrorState, Loading } from '../../components/states';
import { can } from '../../permissions';
import { RUN_COLORS, type AutomationRun } from './automationForm';

type DryRun = components['schemas']['DryRunOut'];

function recordLink(kind: string, id: string) {
  return kind === 'lead' ? `/leads/${id}` : `/contacts/${id}`;
}

export default function AutomationRunsPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const me = useMe();
  const { message } = App.useApp();
  const rule = useQuery({
    queryKey: ['automations', id],
    queryFn: () => unwrap(api.GET('/api/v1/automations/{automation_id}', { params: { path: { automation_id: id! } } })),
  });
  const runs = useInfiniteQuery({
    queryKey: ['automations', id, 'runs'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/automations/{automation_id}/runs', {
          params: { path: { automation_id: id! }, query: { cursor: pageParam, limit: 50 } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const [recordId, setRecordId] = useState('');
  const [dry, setDry] = useState<DryRun | null>(null);
  const [trying, setTrying] = useState(false);

  async function dryRun() {
    setTrying(true);
    try {
      const body = { record_id: recordId.trim() || null, limit: 10 };
      setDry(await unwrap(api.POST('/api/v1/automations/{automation_id}/dry-run', { params: { path: { automation_id: id! } }, body })));
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setTrying(false);
    }
  }

  if (rule.isError) return <ErrorState error={rule.error} onRetry={() => void rule.refetch()} />;
  if (!rule.data) return <Loading />;
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {rule.data.name} · {t('automations.runs')}
        </Typography.Title>
        <Space>
          <Button onClick={() => void runs.refetch()} data-testid="reload-runs">
            {t('common.reload')}
          </Button>
          {can(me, 'automations:update') && <Link to={`/automations/${id}/edit`}>{t('common.edit')}</Link>}
        </Space>
      </Space>
      <Table<AutomationRun>
        rowKey="id"
        loading={runs.isLoading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('automations.run.empty') }}
        data-testid="runs-table"
        columns={[
          {
            key: 'status',
            title: t('automations.run.status'),
            render: (_: unknown, r: AutomationRun) => (
              <Tag color={RUN_COLORS[r.status]} data-testid="run-status">
                {t(`automations.run.statuses.${r.status}`)}
              </Tag>
            ),
          },
          {
            key: 'record',
            title: t('automations.run.record'),
            render: (_: unknown, r: AutomationRun) => (
              <Link to={recordLink(r.record_kind, r.record_id)}>{t(`automations.run.kinds.${r.record_kind}`)}</Link>
            ),
          },
          {
            key: 'actions',
            title: t('automations.run.actions'),
            render: (_: unknown, r: AutomationRun) => (
              <Space orientation="vertical" size={0}>
                {r.actions_done.map((s, i) => (
                  <span key={i}>
                    <Tag color={s.result === 'done' ? 'green' : 'default'}>{t(`automations.run.results.${s.result}`)}</Tag>
                    {s.type}: {s.detail}
                  </span>
                ))}
              </Space>
            ),
          },
          { key: 'error', title: t('automations.run.error'), render: (_: unknown, r: AutomationRun) => r.error ?? r.reason ?? '' },
          { key: 'attempts', title: t('automations.run.attempts'), dataIndex: 'attempts' },
          {
            key: 'run_at',
            title: t('automations.run.runAt'),
            render: (_: unknown, r: AutomationRun) => new Date(r.run_at).toLocaleString(),
          },
          {
            key: 'finished_at',
            title: t('automations.run.finishedAt'),
            render: (_: unknown, r: AutomationRun) => (r.finished_at ? new Date(r.finished_at).toLocaleString() : ''),
          },
        ]}
      />
      {runs.hasNextPage && (
        <Button onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage} style={{ marginTop: 8 }}>
          {t('common.loadMore')}
        </Button>
      )}
      {can(me, 'automations:update') && (
        <Card title={t('automations.dryRun')} style={{ marginTop: 24 }}>
          <Typography.Paragraph type="secondary">{t('automations.dryRunHint')}</Typography.Paragraph>
          <Space.Compact style={{ width: '100%', maxWidth: 520 }}>
            <Input
              value={recordId}
              onChange={(e) => setRecordId(e.target.value)}
              placeholder={t('automations.recordId')}
              aria-label={t('automations.recordId')}
            />
            <Button type="primary" onClick={() => void dryRun()} loading={trying} data-testid="dry-run">
              {t('automations.dryRun')}
            </Button>
          </Space.Compact>
          {dry && (
            <>
              {dry.hidden > 0 && <Alert type="info" style={{ marginTop: 12 }} message={t('automations.hidden', { count: dry.hidden })} />}
              <List
                style={{ marginTop: 12 }}
                dataSource={dry.items}
                data-testid="dry-run-items"
                renderItem={(item) => (
                  <List.Item>
                    <Space orientation="vertical" size={0}>
                      <span>
                        <Link to={recordLink(item.record_kind, item.record_id)}>{t(`automations.run.kinds.${item.record_kind}`)}</Link>{' '}
                        <Tag color={item.matches ? 'green' : 'default'}>
                          {item.matches ? t('automations.matches') : t('automations.noMatch')}
                        </Tag>
                        {item.reason}
                      </span>
                      {item.actions.map((s, i) => (
                        <span key={i}>
                          <Tag>{t(`automations.run.results.${s.result}`)}</Tag>
                          {s.type}: {s.detail}
                        </span>
                      ))}
                    </Space>
                  </List.Item>
                )}
              />
            </>
          )}
        </Card>
      )}
    </div>
  );
}
