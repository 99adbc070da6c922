import { useState } from 'react';
import { CalendarOutlined, CheckOutlined, ClockCircleOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Form, Input, List, Modal, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, etagOf, unwrap } from '../api/client';
import { useMe } from '../auth';
import { describeError, EmptyState, ErrorState } from '../components/states';
import { can } from '../permissions';
import { formatDate } from './customerBits';
import { mergeMine, todaySpan, type Activity } from './myDay';

const LIMIT = 100;

/** My planned work in a span: the list by assignee and by owner, merged (see myDay.ts). */
function useMine(key: string, span: { from?: Date; to: Date }, sort: string) {
  const me = useMe();
  return useQuery({
    queryKey: ['activities', 'my-day', key, span.from?.toISOString(), span.to.toISOString()],
    queryFn: async () => {
      const base = {
        status: 'planned' as const,
        occurred_from: span.from?.toISOString(),
        occurred_to: span.to.toISOString(),
        sort,
        limit: LIMIT,
      };
      const [byAssignee, byOwner] = await Promise.all([
        unwrap(api.GET('/api/v1/activities', { params: { query: { ...base, assignee: 'me' } } })),
        unwrap(api.GET('/api/v1/activities', { params: { query: { ...base, owner: 'me' } } })),
      ]);
      const live = (items: typeof byAssignee.items) => items.filter((a): a is Activity => 'subject' in a);
      return mergeMine([live(byAssignee.items), live(byOwner.items)], me.user.id);
    },
  });
}

export default function MyDayPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [{ start, end }] = useState(() => todaySpan());
  const today = useMine('today', { from: start, to: end }, 'occurred_at');
  const overdue = useMine('overdue', { to: start }, '-occurred_at');
  const [finishing, setFinishing] = useState<Activity | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ outcome?: string }>();
  const mayUpdate = can(me, 'activities:update');

  async function markDone(a: Activity, outcome: string | undefined) {
    setBusy(true);
    try {
      await unwrap(
        api.PATCH('/api/v1/activities/{activity_id}', {
          params: { path: { activity_id: a.id }, header: { 'if-match': etagOf(a.version) } },
          body: { status: 'done', outcome: outcome?.trim() || null },
        }),
      );
      message.success(t('myDay.done'));
      setFinishing(null);
      await queryClient.invalidateQueries({ queryKey: ['activities'] });
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const when = (a: Activity) =>
    a.kind === 'appointment' && a.starts_at
      ? `${formatDate(a.starts_at, i18n.language)} – ${a.ends_at ? new Date(a.ends_at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) : ''}`
      : t('myDay.due', { when: formatDate(a.due_at ?? a.occurred_at, i18n.language) });

  const link = (a: Activity) =>
    a.lead_id ? `/leads/${a.lead_id}` : a.customer_id ? `/customers/${a.customer_id}` : a.contact_id ? `/contacts/${a.contact_id}` : null;

  const renderList = (q: typeof today, empty: string, testId: string, late: boolean) =>
    q.isError ? (
      <ErrorState error={q.error} onRetry={() => void q.refetch()} />
    ) : (
      <List
        loading={q.isLoading}
        dataSource={q.data ?? []}
        locale={{ emptyText: <EmptyState description={empty} /> }}
        data-testid={testId}
        renderItem={(a) => {
          const to = link(a);
          return (
            <List.Item
              key={a.id}
              data-testid="my-day-item"
              actions={
                mayUpdate
                  ? [
                      <Button
                        key="done"
                        size="small"
                        icon={<CheckOutlined />}
                        onClick={() => {
                          form.resetFields();
                          setFinishing(a);
                        }}
                        aria-label={`${t('myDay.markDone')}: ${a.subject}`}
                      >
                        {t('myDay.markDone')}
                      </Button>,
                    ]
                  : []
              }
            >
              <List.Item.Meta
                avatar={a.kind === 'appointment' ? <CalendarOutlined /> : <ClockCircleOutlined />}
                title={
                  <>
                    {to ? <Link to={to}>{a.subject}</Link> : a.subject} <Tag>{t(`activity.kind.${a.kind as 'task'}`)}</Tag>
                  </>
                }
                description={<Typography.Text type={late ? 'danger' : 'secondary'}>{when(a)}</Typography.Text>}
              />
            </List.Item>
          );
        }}
      />
    );

  return (
    <section aria-labelledby="my-day-title">
      <div className="page-header">
        <Typography.Title level={2} id="my-day-title">
          {t('myDay.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{start.toLocaleDateString(i18n.language, { dateStyle: 'full' })}</Typography.Text>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={`${t('myDay.today')}${today.data ? ` (${today.data.length})` : ''}`}>
            {renderList(today, t('myDay.nothingToday'), 'my-day-today', false)}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={`${t('myDay.overdue')}${overdue.data ? ` (${overdue.data.length})` : ''}`}>
            {renderList(overdue, t('myDay.nothingOverdue'), 'my-day-overdue', true)}
          </Card>
        </Col>
      </Row>
      <Modal
        open={!!finishing}
        title={`${t('myDay.doneTitle')}: ${finishing?.subject ?? ''}`}
        onCancel={() => setFinishing(null)}
        onOk={() => form.submit()}
        okText={t('myDay.markDone')}
        okButtonProps={{ 'data-testid': 'confirm-done' } as never}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => finishing && void markDone(finishing, v.outcome)}>
          <Form.Item name="outcome" label={t('myDay.outcome')}>
            <Input maxLength={100} />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
