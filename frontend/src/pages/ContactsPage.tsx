import { useMemo, useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Select, Table, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { can } from '../permissions';
import { BulkAssignBar } from '../components/BulkAssignBar';
import { CustomerSelect } from '../components/CustomerSelect';
import { CustomFieldFilter } from '../components/CustomFieldFilter';
import { LoadMore, SortSelect, useUrlFilters } from '../components/lists';
import { EmptyState, ErrorState } from '../components/states';
import { useCustomFields, useDepartments, useUserName, useUsers } from '../directory';
import { formatDate, type Contact } from './customerBits';

const FILTERS = ['q', 'owner', 'department', 'customer', 'tag', 'sort', 'ck', 'cv'] as const;

export default function ContactsPage() {
  const { t, i18n } = useTranslation();
  const { filters, setFilter: setUrlFilter } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const users = useUsers();
  const userName = useUserName();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const departments = useDepartments();
  const customFields = useCustomFields('contact');
  const mayAssign = can(me, 'contacts:assign');
  const [selected, setSelected] = useState<string[]>([]);

  function setFilter(key: (typeof FILTERS)[number], value: string | undefined) {
    setUrlFilter(key, value);
    setSelected([]);
  }

  const query = useInfiniteQuery({
    queryKey: ['contacts', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const q: Record<string, string | number | undefined> = {
        q: filters.q,
        owner: filters.owner,
        department: filters.department,
        customer: filters.customer,
        tag: filters.tag,
        sort,
        limit: 50,
        cursor: pageParam,
      };
      if (filters.ck && filters.cv) q[`custom.${filters.ck}`] = filters.cv;
      return unwrap(api.GET('/api/v1/contacts', { params: { query: q as never } }));
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter((c): c is Contact => 'name' in c), [query.data]);

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
        {can(me, 'contacts:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/contacts/new')}>
            {t('contact.new')}
          </Button>
        )}
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          aria-label={t('common.search')}
          placeholder={t('contact.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => setFilter('q', v.trim() || undefined)}
          style={{ width: 300 }}
        />
        <Select
          aria-label={t('customer.filter.owner')}
          placeholder={t('customer.filter.owner')}
          value={filters.owner}
          allowClear
          onChange={(v: string | undefined) => setFilter('owner', v)}
          options={[{ value: 'me', label: t('customer.filter.mine') }, ...(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))]}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 200 }}
        />
        {!!departments.data?.length && (
          <Select
            aria-label={t('users.fields.department_id')}
            placeholder={t('users.fields.department_id')}
            value={filters.department}
            allowClear
            onChange={(v: string | undefined) => setFilter('department', v)}
            options={departments.data.map((d) => ({ value: d.id, label: d.name }))}
          />
        )}
        <CustomerSelect ariaLabel={t('contact.fields.customer_id')} value={filters.customer} onChange={(v) => setFilter('customer', v)} />
        <Input
          aria-label={t('customer.filter.tag')}
          placeholder={t('customer.filter.tag')}
          defaultValue={filters.tag}
          allowClear
          onPressEnter={(e) => setFilter('tag', (e.target as HTMLInputElement).value.trim() || undefined)}
          style={{ width: 140 }}
        />
        <CustomFieldFilter
          fields={customFields.data ?? []}
          fieldKey={filters.ck}
          value={filters.cv}
          onField={(v) => setFilter('ck', v)}
          onValue={(v) => setFilter('cv', v)}
        />
        <SortSelect value={sort} onChange={(v) => setFilter('sort', v)} />
      </div>
      {mayAssign && selected.length > 0 && (
        <BulkAssignBar
          selected={selected}
          userOptions={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
          assign={(id, owner) =>
            unwrap(api.POST('/api/v1/contacts/{contact_id}/assign', { params: { path: { contact_id: id } }, body: { owner_id: owner } }))
          }
          doneMessage={(count) => t('contact.assigned', { count })}
          onDone={async () => {
            setSelected([]);
            await queryClient.invalidateQueries({ queryKey: ['contacts'] });
          }}
        />
      )}
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Contact>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={t('contact.empty')} /> }}
            rowSelection={
              mayAssign
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys as string[]),
                    getCheckboxProps: (c: Contact) => ({ 'aria-label': c.name }) as never,
                  }
                : undefined
            }
            data-testid="contacts-table"
          />
          <LoadMore query={query} shown={rows.length} />
        </>
      )}
    </section>
  );
}
