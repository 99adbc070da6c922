// A campaign's members (the contacts and leads the caller may read): status filter, search, a
// forward-only status move per row, removal, and the add-members dialog.
import { useState } from 'react';
import { UserAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Popconfirm, Select, Space, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { FilterSelect, SearchFilter, useCursorList } from '../../components/lists';
import { RecordTable } from '../../components/RecordTable';
import { useAction } from '../../components/useAction';
import { formatDate } from '../customerBits';
import { AddMembersDialog } from './AddMembersDialog';
import { MemberStatusTag } from './campaignBits';
import { lastStepAt, MEMBER_STATUSES, memberMoves, type Campaign, type Member, type MemberStatus } from './campaignLogic';

const PAGE = 50;
const isMember = (m: object): m is Member => 'status' in m;

export function MembersPanel({ campaign, mayUpdate }: { campaign: Campaign; mayUpdate: boolean }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<string>();
  const [kind, setKind] = useState<string>();
  const [q, setQ] = useState<string>();
  const [adding, setAdding] = useState(false);
  const base = ['campaigns', 'members', campaign.id];
  const { busy, run } = useAction(base);
  const { query, rows } = useCursorList(
    [...base, { status, kind, q }],
    (cursor) =>
      unwrap(
        api.GET('/api/v1/campaigns/{campaign_id}/members', {
          params: { path: { campaign_id: campaign.id }, query: { status, kind, q, limit: PAGE, cursor } as never },
        }),
      ),
    isMember,
  );

  const move = (m: Member, to: MemberStatus) =>
    run(
      () =>
        unwrap(
          api.PATCH('/api/v1/campaigns/{campaign_id}/members/{member_id}', {
            params: { path: { campaign_id: campaign.id, member_id: m.id } },
            body: { status: to as never },
          }),
        ),
      t('campaigns.members.moved', { status: t(`campaigns.memberStatus.${to}`) }),
    );

  const columns: NonNullable<TableProps<Member>['columns']> = [
    {
      key: 'name',
      title: t('campaigns.members.name'),
      render: (_: unknown, m: Member) => (
        <Link to={m.contact_id ? `/contacts/${m.contact_id}` : `/leads/${m.lead_id}`}>{m.name ?? '—'}</Link>
      ),
    },
    {
      key: 'kind',
      title: t('campaigns.members.kind'),
      render: (_: unknown, m: Member) => (m.kind === 'contact' ? t('campaigns.members.kindContact') : t('campaigns.members.kindLead')),
    },
    { key: 'company', title: t('campaigns.members.company'), render: (_: unknown, m: Member) => m.company ?? '—' },
    { key: 'email', title: t('campaigns.members.email'), render: (_: unknown, m: Member) => m.email ?? '—' },
    { key: 'phone', title: t('campaigns.members.phone'), render: (_: unknown, m: Member) => m.phone ?? '—' },
    { key: 'status', title: t('campaigns.members.status'), render: (_: unknown, m: Member) => <MemberStatusTag status={m.status} /> },
    {
      key: 'registration',
      title: t('campaigns.members.registration'),
      render: (_: unknown, m: Member) => (m.registration_status ? t(`campaigns.registrationStatus.${m.registration_status}`) : '—'),
    },
    { key: 'last', title: t('campaigns.members.lastStep'), render: (_: unknown, m: Member) => formatDate(lastStepAt(m), i18n.language) },
    ...(mayUpdate
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, m: Member) => (
              <Space>
                {memberMoves(m.status).length > 0 && (
                  <Select<MemberStatus>
                    size="small"
                    placeholder={t('campaigns.members.moveTo')}
                    aria-label={t('campaigns.members.moveTo')}
                    value={null as never}
                    disabled={busy}
                    style={{ width: 130 }}
                    onChange={(to) => void move(m, to)}
                    options={memberMoves(m.status).map((s) => ({ value: s, label: t(`campaigns.memberStatus.${s}`) }))}
                    data-testid="member-move"
                  />
                )}
                <Popconfirm
                  title={t('campaigns.members.confirmRemove')}
                  onConfirm={() =>
                    void run(
                      () =>
                        unwrap(
                          api.DELETE('/api/v1/campaigns/{campaign_id}/members/{member_id}', {
                            params: { path: { campaign_id: campaign.id, member_id: m.id } },
                          }),
                        ),
                      t('campaigns.members.removed'),
                    )
                  }
                >
                  <Button size="small" type="link" danger>
                    {t('campaigns.members.remove')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <div data-testid="members-panel">
      <div className="toolbar" role="search">
        <SearchFilter value={q} onSearch={setQ} placeholder={t('campaigns.members.searchPlaceholder')} width={240} testId="member-search" />
        <FilterSelect
          label={t('campaigns.members.status')}
          value={status}
          onChange={setStatus}
          options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`campaigns.memberStatus.${s}`) }))}
          style={{ width: 140 }}
          data-testid="member-status-filter"
        />
        <FilterSelect
          label={t('campaigns.members.kind')}
          value={kind}
          onChange={setKind}
          options={[
            { value: 'contact', label: t('campaigns.members.kindContact') },
            { value: 'lead', label: t('campaigns.members.kindLead') },
          ]}
          style={{ width: 120 }}
        />
        {mayUpdate && (
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setAdding(true)} data-testid="add-members">
            {t('campaigns.members.add')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('campaigns.members.rangeNote')}</Typography.Paragraph>
      <RecordTable query={query} rows={rows} columns={columns} empty={t('campaigns.members.empty')} testId="members-table" />
      <AddMembersDialog
        open={adding}
        campaignId={campaign.id}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setAdding(false);
          void queryClient.invalidateQueries({ queryKey: base });
        }}
      />
    </div>
  );
}
