// Add members: search contacts and leads (within the caller's range, as the lists answer), pick
// some, add them; the answer says how many were added, already members, or refused.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { App, Input, Modal, Table, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../components/states';

interface Row {
  id: string;
  name: string;
  detail: string;
}

export function AddMembersDialog({
  open,
  campaignId,
  onClose,
  onAdded,
}: {
  open: boolean;
  campaignId: string;
  onClose: () => void;
  onAdded: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [contactIds, setContactIds] = useState<string[]>([]);
  const [leadIds, setLeadIds] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const search = q.trim() || undefined;
  const contacts = useQuery({
    queryKey: ['contacts', 'pick', search],
    enabled: open,
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { q: search, limit: 20 } as never } })),
  });
  const leads = useQuery({
    queryKey: ['leads', 'pick', search],
    enabled: open,
    queryFn: () => unwrap(api.GET('/api/v1/leads', { params: { query: { q: search, limit: 20 } as never } })),
  });
  const contactRows: Row[] = (contacts.data?.items ?? [])
    .filter((c): c is Extract<typeof c, { name: string }> => 'name' in c)
    .map((c) => ({ id: c.id, name: c.name, detail: [c.emails[0], c.phones[0]].filter(Boolean).join(' · ') }));
  const leadRows: Row[] = (leads.data?.items ?? [])
    .filter((l): l is Extract<typeof l, { name: string }> => 'name' in l)
    .map((l) => ({ id: l.id, name: l.name, detail: [l.company, l.email, l.phone].filter(Boolean).join(' · ') }));
  const count = contactIds.length + leadIds.length;

  async function add() {
    setSaving(true);
    try {
      const result = await unwrap(
        api.POST('/api/v1/campaigns/{campaign_id}/members', {
          params: { path: { campaign_id: campaignId } },
          body: { contact_ids: contactIds, lead_ids: leadIds },
        }),
      );
      message.success(
        t('campaigns.members.result', { added: result.added.length, already: result.already.length, refused: result.refused.length }),
      );
      setContactIds([]);
      setLeadIds([]);
      onAdded();
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setSaving(false);
    }
  }

  const table = (rows: Row[], loading: boolean, selected: string[], select: (ids: string[]) => void, testId: string) => (
    <Table<Row>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={rows}
      pagination={false}
      scroll={{ y: 320 }}
      rowSelection={{ selectedRowKeys: selected, onChange: (keys) => select(keys.map(String)), preserveSelectedRowKeys: true }}
      columns={[
        { key: 'name', title: t('campaigns.members.name'), dataIndex: 'name' },
        { key: 'detail', title: `${t('campaigns.members.email')} / ${t('campaigns.members.phone')}`, dataIndex: 'detail' },
      ]}
      data-testid={testId}
    />
  );

  return (
    <Modal
      open={open}
      title={t('campaigns.members.dialogTitle')}
      onCancel={onClose}
      onOk={() => void add()}
      okText={t('campaigns.members.addSelected', { count })}
      okButtonProps={{ disabled: count === 0, loading: saving, 'data-testid': 'add-members-confirm' } as never}
      width={760}
      destroyOnHidden
    >
      <Input.Search
        allowClear
        aria-label={t('common.search')}
        placeholder={t('campaigns.members.searchPlaceholder')}
        onSearch={(v) => setQ(v)}
        data-testid="member-picker-search"
        style={{ marginBottom: 12 }}
      />
      <Tabs
        items={[
          {
            key: 'contacts',
            label: `${t('campaigns.members.contacts')}${contactIds.length ? ` (${contactIds.length})` : ''}`,
            children: table(contactRows, contacts.isLoading, contactIds, setContactIds, 'pick-contacts'),
          },
          {
            key: 'leads',
            label: `${t('campaigns.members.leads')}${leadIds.length ? ` (${leadIds.length})` : ''}`,
            children: table(leadRows, leads.isLoading, leadIds, setLeadIds, 'pick-leads'),
          },
        ]}
      />
    </Modal>
  );
}
