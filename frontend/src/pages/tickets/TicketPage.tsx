import { useState } from 'react';
import { AimOutlined, CheckOutlined, RiseOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Button, Card, Col, Descriptions, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { ErrorState, Loading } from '../../components/states';
import { useAction } from '../../components/useAction';
import { useCustomFields, useUserName, useUsers } from '../../directory';
import { can } from '../../permissions';
import { formatCustomValue, formatDate } from '../customerBits';
import { useCustomerName } from '../salesBits';
import { readSla, type SlaTarget } from './sla';
import { categoryPath, PriorityTag, SlaReadingTag, TicketStatusTag, useCategories, useNow, type Ticket } from './ticketBits';
import KbSuggestions from '../kb/KbSuggestions';
import TicketSurveyLink from '../surveys/TicketSurveyLink';
import { Conversation } from './TicketConversation';
import { CreateLeadDialog, EscalateDialog, ResolveDialog, type Escalation } from './TicketDialogs';
import { MOVES, TICKET_PRIORITIES, type TicketPriority, type TicketStatus } from './ticketFilters';

function SlaPanel({ ticket }: { ticket: Ticket }) {
  const { t, i18n } = useTranslation();
  const now = useNow(1000);
  const readings = readSla(ticket, now);
  const row = (target: SlaTarget) => {
    const clock = ticket.sla[target];
    return (
      <Descriptions.Item label={t(`tickets.sla.${target}`)} key={target}>
        <Space direction="vertical" size={0}>
          <SlaReadingTag reading={readings[target]} />
          <Typography.Text type="secondary">
            {t('tickets.sla.due')}: {formatDate(clock.due_at, i18n.language)}
          </Typography.Text>
          {clock.completed_at && (
            <Typography.Text type="secondary">
              {t('tickets.sla.done')}: {formatDate(clock.completed_at, i18n.language)}
            </Typography.Text>
          )}
        </Space>
      </Descriptions.Item>
    );
  };
  return (
    <Card title={t('tickets.sla.title')} data-testid="sla-panel" extra={ticket.sla.paused && <Tag>{t('tickets.sla.paused')}</Tag>}>
      {ticket.sla.policy_id ? (
        <Descriptions column={1} size="small">
          {row('first_response')}
          {row('resolution')}
        </Descriptions>
      ) : (
        <Typography.Text type="secondary">{t('tickets.sla.noPolicy')}</Typography.Text>
      )}
    </Card>
  );
}

function Escalations({ ticketId, version }: { ticketId: string; version: number }) {
  const { t, i18n } = useTranslation();
  const userName = useUserName();
  const escalations = useQuery({
    queryKey: ['tickets', 'escalations', ticketId, version],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/escalations', { params: { path: { ticket_id: ticketId } } })),
  });
  const items = escalations.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Card title={t('tickets.escalation.history')} style={{ marginTop: 16 }} data-testid="escalations">
      <List
        size="small"
        dataSource={items}
        renderItem={(e) => (
          <List.Item key={e.id}>
            <div>
              <Space wrap size={4}>
                <Tag color="volcano">{t('tickets.escalation.level', { level: e.level })}</Tag>
                {e.from_priority !== e.to_priority && (
                  <span>
                    {t(`tickets.priority.${e.from_priority}`)} → {t(`tickets.priority.${e.to_priority}`)}
                  </span>
                )}
                {e.from_owner_id !== e.to_owner_id && (
                  <span>
                    {userName(e.from_owner_id) ?? t('tickets.unassigned')} → {userName(e.to_owner_id) ?? t('tickets.unassigned')}
                  </span>
                )}
              </Space>
              <div>{e.reason}</div>
              <Typography.Text type="secondary">
                {userName(e.escalated_by) ?? ''} · {formatDate(e.escalated_at, i18n.language)}
              </Typography.Text>
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}

export default function TicketPage() {
  const { id } = useParams() as { id: string };
  const { t, i18n } = useTranslation();
  const me = useMe();
  const userName = useUserName();
  const users = useUsers();
  const categories = useCategories();
  const customFields = useCustomFields('ticket');
  const { busy, run } = useAction(['tickets']);
  const [dialog, setDialog] = useState<'resolve' | 'escalate' | 'lead' | null>(null);
  const [newOwner, setNewOwner] = useState<string>();

  const ticket = useQuery({
    queryKey: ['tickets', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}', { params: { path: { ticket_id: id } } })),
  });
  const customerName = useCustomerName(ticket.data?.customer_id);

  if (ticket.isLoading) return <Loading />;
  if (ticket.isError) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const x = ticket.data!;
  const mayUpdate = can(me, 'tickets:update');
  const mayAssign = can(me, 'tickets:assign');
  const live = x.status === 'new' || x.status === 'open' || x.status === 'pending';
  const moves = MOVES[x.status];

  const patch = (body: Record<string, unknown>, done: string) =>
    run(
      () =>
        unwrap(
          api.PATCH('/api/v1/tickets/{ticket_id}', {
            params: { path: { ticket_id: x.id }, header: { 'if-match': etagOf(x.version) } },
            body: body as never,
          }),
        ),
      done,
    );
  const move = (status: TicketStatus) => patch({ status }, t('tickets.statusChanged'));

  const escalate = (e: Escalation) =>
    run(
      () =>
        unwrap(
          api.POST('/api/v1/tickets/{ticket_id}/escalate', {
            params: { path: { ticket_id: x.id } },
            body: { reason: e.reason, to_manager: e.to_manager, ...(e.priority ? { priority: e.priority } : {}) },
          }),
        ),
      t('tickets.escalation.done'),
    );

  const createLead = (body: { name?: string; company?: string; description?: string }) =>
    run(
      () =>
        unwrap(
          api.POST('/api/v1/tickets/{ticket_id}/create-lead', {
            params: { path: { ticket_id: x.id }, header: { 'idempotency-key': newIdempotencyKey() } },
            body,
          }),
        ),
      t('tickets.leadCreated'),
    );

  const category = categoryPath(categories.data, x.category_id);
  const customValues = Object.entries(x.custom_fields ?? {});
  const labelOf = (key: string) => customFields.data?.find((f) => f.key === key)?.label ?? key;

  return (
    <section aria-labelledby="ticket-title">
      <div className="page-header">
        <Space align="center" wrap>
          <Typography.Title level={2} id="ticket-title" style={{ margin: 0 }}>
            {x.number} · {x.subject}
          </Typography.Title>
          <TicketStatusTag status={x.status} />
          <PriorityTag priority={x.priority} />
          {x.escalation_level > 0 && (
            <Badge count={t('tickets.escalation.level', { level: x.escalation_level })} style={{ backgroundColor: '#fa541c' }} />
          )}
        </Space>
        {mayUpdate && (
          <Space wrap data-testid="ticket-actions">
            {moves
              .filter((s) => s !== 'resolved')
              .map((s) => (
                <Button key={s} loading={busy} onClick={() => void move(s)} data-testid={`move-${s}`}>
                  {s === 'open' && !live ? t('tickets.reopen') : t(`tickets.move.${s as 'open'}`)}
                </Button>
              ))}
            {live && (
              <Button icon={<RiseOutlined />} onClick={() => setDialog('escalate')} data-testid="escalate">
                {t('tickets.escalate')}
              </Button>
            )}
            {!x.lead_id && (
              <Button icon={<AimOutlined />} onClick={() => setDialog('lead')} data-testid="create-lead">
                {t('tickets.createLead')}
              </Button>
            )}
            {moves.includes('resolved') && (
              <Button type="primary" icon={<CheckOutlined />} onClick={() => setDialog('resolve')} data-testid="resolve">
                {t('tickets.resolve')}
              </Button>
            )}
          </Space>
        )}
      </div>
      {x.lead_id && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={
            can(me, 'leads:read') ? (
              <Link to={`/leads/${x.lead_id}`} data-testid="lead-link">
                {t('tickets.openLead')}
              </Link>
            ) : (
              t('tickets.leadMade')
            )
          }
        />
      )}
      {x.solution && (x.status === 'resolved' || x.status === 'closed') && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('tickets.fields.solution')}
          description={x.solution}
          data-testid="solution-shown"
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card title={t('tickets.details')}>
            <Descriptions column={{ xs: 1, md: 2 }} size="small">
              <Descriptions.Item label={t('tickets.fields.kind')}>{t(`tickets.kind.${x.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.channel')}>{t(`tickets.channel.${x.channel}`)}</Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.customer_id')}>
                {x.customer_id ? <Link to={`/customers/${x.customer_id}`}>{customerName ?? '…'}</Link> : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.category_id')}>{category ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.priority')}>
                {mayUpdate && live ? (
                  <Select<TicketPriority>
                    size="small"
                    aria-label={t('tickets.fields.priority')}
                    value={x.priority}
                    disabled={busy}
                    onChange={(p) => void patch({ priority: p }, t('common.saved'))}
                    options={TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
                    style={{ width: 120 }}
                  />
                ) : (
                  t(`tickets.priority.${x.priority}`)
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.created_at')}>{formatDate(x.created_at, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.tags')}>
                {x.tags.length ? x.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('tickets.fields.reopen_count')}>{x.reopen_count}</Descriptions.Item>
              {customValues.map(([key, value]) => (
                <Descriptions.Item key={key} label={labelOf(key)}>
                  {formatCustomValue(value, t)}
                </Descriptions.Item>
              ))}
              <Descriptions.Item label={t('tickets.fields.description')} span={2}>
                <span style={{ whiteSpace: 'pre-wrap' }}>{x.description ?? '—'}</span>
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <div style={{ marginTop: 16 }}>
            <Conversation ticketId={x.id} canReply={mayUpdate} closed={x.status === 'closed'} />
          </div>
        </Col>
        <Col xs={24} lg={9}>
          <SlaPanel ticket={x} />
          <Card title={t('tickets.fields.owner_id')} style={{ marginTop: 16 }} data-testid="assignee-card">
            <Typography.Paragraph data-testid="assignee">
              {x.owner_id ? (userName(x.owner_id) ?? x.owner_id.slice(0, 8)) : t('tickets.unassigned')}
            </Typography.Paragraph>
            {mayAssign && (
              <Space wrap>
                <Select
                  aria-label={t('customer.assignTo')}
                  placeholder={t('customer.assignTo')}
                  value={newOwner}
                  onChange={setNewOwner}
                  showSearch={{ optionFilterProp: 'label' }}
                  style={{ width: 240 }}
                  options={(users.data ?? [])
                    .filter((u) => u.active && u.id !== x.owner_id)
                    .map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
                />
                <Button
                  disabled={!newOwner}
                  loading={busy}
                  data-testid="assign"
                  onClick={async () => {
                    const ok = await run(
                      () =>
                        unwrap(
                          api.POST('/api/v1/tickets/{ticket_id}/assign', {
                            params: { path: { ticket_id: x.id } },
                            body: { owner_id: newOwner! },
                          }),
                        ),
                      t('tickets.assignedOne'),
                    );
                    if (ok) setNewOwner(undefined);
                  }}
                >
                  {x.owner_id ? t('tickets.reassign') : t('tickets.assign')}
                </Button>
              </Space>
            )}
          </Card>
          <Escalations ticketId={x.id} version={x.version} />
          <TicketSurveyLink ticketId={x.id} resolved={x.status === 'resolved' || x.status === 'closed'} />
          <KbSuggestions ticketId={x.id} />
        </Col>
      </Row>
      <ResolveDialog
        open={dialog === 'resolve'}
        initial={x.solution}
        busy={busy}
        onCancel={() => setDialog(null)}
        onResolve={async (solution) => {
          if (await patch({ status: 'resolved', solution }, t('tickets.resolved'))) setDialog(null);
        }}
      />
      <EscalateDialog
        open={dialog === 'escalate'}
        current={x.priority}
        busy={busy}
        onCancel={() => setDialog(null)}
        onEscalate={async (e) => {
          if (await escalate(e)) setDialog(null);
        }}
      />
      <CreateLeadDialog
        open={dialog === 'lead'}
        busy={busy}
        defaultName={customerName ?? x.subject}
        onCancel={() => setDialog(null)}
        onCreate={async (body) => {
          if (await createLead(body)) setDialog(null);
        }}
      />
    </section>
  );
}
