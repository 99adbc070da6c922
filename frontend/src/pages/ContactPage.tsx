import { useState } from 'react';
import { EditOutlined, MessageOutlined, PhoneOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, List, Row, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useCustomFields, useUserName } from '../directory';
import { can } from '../permissions';
import ActivityDialog, { type ActivityKind } from './ActivityDialog';
import ConsentsPanel from './marketing/ConsentsPanel';
import { formatCustomValue, formatDate } from './customerBits';

type Activity = components['schemas']['ActivityOut'];

export default function ContactPage() {
  const { id } = useParams() as { id: string };
  const { t, i18n } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const userName = useUserName();
  const customFields = useCustomFields('contact');
  const [activity, setActivity] = useState<ActivityKind | null>(null);

  const contact = useQuery({
    queryKey: ['contacts', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id } } })),
  });
  const activities = useQuery({
    queryKey: ['activities', 'of-contact', id],
    enabled: can(me, 'activities:read'),
    queryFn: () => unwrap(api.GET('/api/v1/activities', { params: { query: { contact: id, limit: 50, sort: '-occurred_at' } } })),
  });

  if (contact.isLoading) return <Loading />;
  if (contact.isError) return <ErrorState error={contact.error} onRetry={() => void contact.refetch()} />;
  const c = contact.data!;
  const items = (activities.data?.items ?? []).filter((a): a is Activity => 'subject' in a);

  return (
    <section aria-labelledby="contact-title">
      <div className="page-header">
        <Space wrap>
          <Typography.Title level={2} id="contact-title">
            {c.name}
          </Typography.Title>
          {c.is_primary && <Tag color="gold">{t('contact.fields.is_primary')}</Tag>}
        </Space>
        {can(me, 'contacts:update') && (
          <Button icon={<EditOutlined />} onClick={() => navigate(`/contacts/${c.id}/edit`)}>
            {t('common.edit')}
          </Button>
        )}
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={t('customer.profile')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('contact.fields.title')}>{c.title ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.customer_id')}>
                {c.customer_id ? <Link to={`/customers/${c.customer_id}`}>{t('common.open')}</Link> : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.phones')}>{c.phones.join(', ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.emails')}>{c.emails.join(', ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.birthday')}>{c.birthday ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.owner_id')}>{userName(c.owner_id) ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.tags')}>
                {c.tags.map((x) => (
                  <Tag key={x}>{x}</Tag>
                ))}
              </Descriptions.Item>
              <Descriptions.Item label={t('contact.fields.description')}>{c.description ?? '—'}</Descriptions.Item>
              {(customFields.data ?? []).map((f) => (
                <Descriptions.Item key={f.id} label={f.label}>
                  {formatCustomValue(c.custom_fields[f.key], t)}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
          <div style={{ marginTop: 16 }}>
            <ConsentsPanel kind="contact" id={c.id} canEdit={can(me, 'contacts:update')} />
          </div>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            title={t('contact.activities')}
            extra={
              can(me, 'activities:create') && (
                <Space wrap>
                  <Button size="small" icon={<PhoneOutlined />} onClick={() => setActivity('call')}>
                    {t('activity.logCall')}
                  </Button>
                  <Button size="small" icon={<MessageOutlined />} onClick={() => setActivity('note')}>
                    {t('activity.logNote')}
                  </Button>
                </Space>
              )
            }
          >
            {activities.isLoading ? (
              <Loading />
            ) : activities.isError ? (
              <ErrorState error={activities.error} onRetry={() => void activities.refetch()} />
            ) : (
              <List
                dataSource={items}
                locale={{ emptyText: <EmptyState description={t('activity.empty')} /> }}
                renderItem={(a) => (
                  <List.Item>
                    <List.Item.Meta
                      title={
                        <span>
                          <Tag>{t(`activity.kind.${a.kind}`)}</Tag>
                          {a.subject}
                        </span>
                      }
                      description={`${formatDate(a.occurred_at, i18n.language)} · ${userName(a.owner_id) ?? ''}${a.body ? ` — ${a.body}` : ''}`}
                    />
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>
      <ActivityDialog
        open={activity !== null}
        kind={activity ?? 'note'}
        contactId={c.id}
        customerId={c.customer_id ?? undefined}
        onClose={() => setActivity(null)}
        onLogged={() => void queryClient.invalidateQueries({ queryKey: ['activities', 'of-contact', id] })}
      />
    </section>
  );
}
