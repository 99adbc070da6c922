import { PlusOutlined } from '@ant-design/icons';
import { Button, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { can } from '../permissions';
import { BulkAssignBar, useRowSelection } from '../components/BulkAssignBar';
import { CustomerSelect } from '../components/CustomerSelect';
import { CustomFieldFilter } from '../components/CustomFieldFilter';
import { DepartmentFilter, FilterSelect, SearchFilter, SortSelect, TagFilter, useCursorList, useUrlFilters } from '../components/lists';
import { RecordTable } from '../components/RecordTable';
import { useCustomFields, useUserName, useUsers } from '../directory';
import { formatDate, type Contact } from './customerBits';
import { DrillNotice } from '../components/DrillNotice';

const FILTERS = ['q', 'owner', 'department', 'customer', 'tag', 'sort', 'ck', 'cv', 'where'] as const;
// a full row, not one of only some fields
const isContact = (c: object): c is Contact => 'name' in c;

export default function ContactsPage() {
  const { t, i18n } = useTranslation();
  const { filters, setFilter: setUrlFilter } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const users = useUsers();
  const userName = useUserName();
  const me = useMe();
  const navigate = useNavigate();
  const customFields = useCustomFields('contact');
  const mayAssign = can(me, 'contacts:assign');
  const selection = useRowSelection<Contact>(mayAssign, (c) => c.name);

  function setFilter(key: (typeof FILTERS)[number], value: string | undefined) {
    setUrlFilter(key, value);
    selection.clear();
  }

  const { query, rows } = useCursorList(
    ['contacts', 'list', filters],
    (cursor) => {
      const q: Record<string, string | number | undefined> = {
        q: filters.q,
        owner: filters.owner,
        department: filters.department,
        customer: filters.customer,
        tag: filters.tag,
        where: filters.where,
        sort,
        limit: 50,
        cursor,
      };
      if (filters.ck && filters.cv) q[`custom.${filters.ck}`] = filters.cv;
      return unwrap(api.GET('/api/v1/contacts', { params: { query: q as never } }));
    },
    isContact,
  );

  const columns: NonNullable<TableProps<Contact>['columns']> = [
    { key: 'name', title: t('contact.fields.name'), render: (_: unknown, c: Contact) => <Link to={`/contacts/${c.id}`}>{c.name}</Link> },
    { key: 'title', title: t('contact.fields.title'), dataIndex: 'title' },
    { key: 'phones', title: t('contact.fields.phones'), render: (_: unknown, c: Contact) => c.phones.join(', ') },
    { key: 'emails', title: t('contact.fields.emails'), render: (_: unknown, c: Contact) => c.emails.join(', ') },
    {
      key: 'customer',
      title: t('contact.fields.customer_id'),
      render: (_: unknown, c: Contact) => (c.customer_id ? <Link to={`/customers/${c.customer_id}`}>{t('common.open')}</Link> : '—'),
    },
    { key: 'owner', title: t('contact.fields.owner_id'), render: (_: unknown, c: Contact) => userName(c.owner_id) ?? '—' },
    { key: 'tags', title: t('contact.fields.tags'), render: (_: unknown, c: Contact) => c.tags.map((x) => <Tag key={x}>{x}</Tag>) },
    {
      key: 'updated_at',
      title: t('contact.fields.updated_at'),
      render: (_: unknown, c: Contact) => formatDate(c.updated_at, i18n.language),
    },
  ];

  return (
    <section aria-labelledby="contacts-title">
      <div className="page-header">
        <Typography.Title level={2} id="contacts-title">
          {t('contact.title')}
        </Typography.Title>
        <DrillNotice where={filters.where} onClear={() => setUrlFilter('where', undefined)} />
        {can(me, 'contacts:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/contacts/new')}>
            {t('contact.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <SearchFilter value={filters.q} onSearch={(v) => setFilter('q', v)} placeholder={t('contact.searchPlaceholder')} width={300} />
        <FilterSelect
          label={t('customer.filter.owner')}
          value={filters.owner}
          onChange={(v) => setFilter('owner', v)}
          options={[{ value: 'me', label: t('customer.filter.mine') }, ...(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 200 }}
        />
        <DepartmentFilter value={filters.department} onChange={(v) => setFilter('department', v)} />
        <CustomerSelect ariaLabel={t('contact.fields.customer_id')} value={filters.customer} onChange={(v) => setFilter('customer', v)} />
        <TagFilter value={filters.tag} onChange={(v) => setFilter('tag', v)} width={140} applyOnBlur={false} />
        <CustomFieldFilter
          fields={customFields.data ?? []}
          fieldKey={filters.ck}
          value={filters.cv}
          onField={(v) => setFilter('ck', v)}
          onValue={(v) => setFilter('cv', v)}
        />
        <SortSelect value={sort} onChange={(v) => setFilter('sort', v)} />
      </div>
      <BulkAssignBar
        selection={selection}
        assign={(id, owner) =>
          unwrap(api.POST('/api/v1/contacts/{contact_id}/assign', { params: { path: { contact_id: id } }, body: { owner_id: owner } }))
        }
        doneMessage={(count) => t('contact.assigned', { count })}
        refresh={['contacts']}
      />
      <RecordTable<Contact>
        query={query}
        rows={rows}
        columns={columns}
        empty={t('contact.empty')}
        rowSelection={selection.rowSelection}
        testId="contacts-table"
      />
    </section>
  );
}
