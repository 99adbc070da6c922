// On a resolved ticket: the satisfaction survey link the worker made for it, to copy and send to
// the customer, and whether it was answered.
import { useQuery } from '@tanstack/react-query';
import { Card, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { formatDate } from '../customerBits';
import { can } from '../../permissions';

const STATE_COLORS = { pending: 'blue', answered: 'green', expired: 'default', revoked: 'default' } as const;

export default function TicketSurveyLink({ ticketId, resolved }: { ticketId: string; resolved: boolean }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const invitations = useQuery({
    queryKey: ['tickets', ticketId, 'survey-invitations'],
    enabled: resolved && can(me, 'tickets:read'),
    // the worker makes the invitation shortly after the resolve: look again until it is there
    refetchInterval: (query) => (query.state.data?.items.length ? false : 3000),
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket_id}/survey-invitations', { params: { path: { ticket_id: ticketId } } })),
  });
  const latest = invitations.data?.items[0];
  if (!resolved || !latest) return null;
  const link = `${window.location.origin}${latest.path}`;
  return (
    <Card title={t('surveys.invitation.title')} size="small" style={{ marginTop: 16 }} data-testid="survey-invitation">
      <Tag color={STATE_COLORS[latest.state]} data-testid="survey-invitation-state">
        {t(`surveys.invitation.states.${latest.state}`)}
      </Tag>
      {latest.state === 'pending' && (
        <>
          <Typography.Paragraph copyable={{ text: link }} style={{ marginTop: 8, wordBreak: 'break-all' }}>
            <a href={latest.path} data-testid="survey-invitation-link" target="_blank" rel="noreferrer">
              {link}
            </a>
          </Typography.Paragraph>
          <Typography.Text type="secondary">
            {t('surveys.invitation.expires', { when: formatDate(latest.expires_at, i18n.language) })}
          </Typography.Text>
        </>
      )}
    </Card>
  );
}
