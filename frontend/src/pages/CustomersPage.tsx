import { useMemo, useState } from 'react';
import { FilterOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Checkbox, Dropdown, Grid, Input, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import { LoadMore, SortSelect, useUrlFilters } from '../components/lists';
import { BulkAssignBar } from '../components/BulkAssignBar';
import { CustomFieldFilter } from '../components/CustomFieldFilter';
import { EmptyState, ErrorState } from '../components/states';
import { useCustomFields, useDepartments, useRegions, useUserName, useUsers } from '../directory';
import { can } from '../permissions';
import { formatCustomValue, formatDate, LEVELS, STATUSES, StatusTag, TYPES, type Customer } from './customerBits';

const PAGE = 50;
const COLUMNS_KEY = 'crm.customers.columns';
const DEFAULT_COLUMNS = ['name', 'status', 'level', 'owner_id', 'phone', 'email', 'updated_at'];
const FILTERS = ['q', 'owner', 'department', 'status', 'level', 'type', 'region', 'tag', 'sort', 'ck', 'cv'] as const;

function storedColumns(): string[] {
  try {
    const raw = localStorage.getItem(COLUMNS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string')) return parsed as string[];
  } catch {
    // ignore
  }
  return DEFAULT_COLUMNS;
}

export default function CustomersPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { filters, setFilter: setUrlFilter, clear } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const [columns, setColumns] = useState<string[]>(storedColumns);
  const [selected, setSelected] = useState<string[]>([]);
  const users = useUsers();
  const userName = useUserName();
  const regions = useRegions();
  const departments = useDepartments();
  const customFields = useCustomFields('customer');
  const mayAssign = can(me, 'customers:assign');
  // On a phone the filters fold away behind one button; search stays.
  const narrow = !Grid.useBreakpoint().md;
  const [showFilters, setShowFilters] = useState(false);
  const mayCreate = can(me, 'customers:create');

  function setFilter(key: (typeof FILTERS)[number], value: string | undefined) {
    setUrlFilter(key, value);
    setSelected([]);
  }

  const query = useInfiniteQuery({
    queryKey: ['customers', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const q: Record<string, string | number | undefined> = {
        q: filters.q,
        owner: filters.owner,
        status: filters.status,
        level: filters.level,
        type: filters.type,
        region: filters.region,
        department: filters.department,
        tag: filters.tag,
        sort,
        limit: PAGE,
        cursor: pageParam,
      };
      if (filters.ck && filters.cv) q[`custom.${filters.ck}`] = filters.cv;
      return unwrap(api.GET('/api/v1/customers', { params: { query: q as never } }));
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = useMemo(() => (query.data?.pages.flatMap((p) => p.items) ?? []).filter((c): c is Customer => 'name' in c), [query.data]);

  const allColumns: NonNullable<TableProps<Customer>['columns']> = [
    {
      key: 'name',
      title: t('customer.fields.name'),
      dataIndex: 'name',
      sorter: true,
      sortOrder: sort === 'name' ? 'ascend' : sort === '-name' ? 'descend' : null,
      render: (_: unknown, c: Customer) => <Link to={`/customers/${c.id}`}>{c.name}</Link>,
    },
    {
      key: 'status',
      title: t('customer.fields.status'),
      dataIndex: 'status',
      render: (_: unknown, c: Customer) => <StatusTag status={c.status} />,
    },
    { key: 'level', title: t('customer.fields.level'), dataIndex: 'level' },
    { key: 'kind', title: t('customer.fields.kind'), dataIndex: 'kind', render: (_: unknown, c: Customer) => t(`customer.kind.${c.kind}`) },
    { key: 'customer_type', title: t('customer.fields.customer_type'), dataIndex: 'customer_type' },
    { key: 'industry', title: t('customer.fields.industry'), dataIndex: 'industry' },
    {
      key: 'owner_id',
      title: t('customer.fields.owner_id'),
      dataIndex: 'owner_id',
      render: (_: unknown, c: Customer) => userName(c.owner_id) ?? '—',
    },
    { key: 'phone', title: t('customer.fields.phone'), dataIndex: 'phone' },
    { key: 'email', title: t('customer.fields.email'), dataIndex: 'email' },
    {
      key: 'region_id',
      title: t('customer.fields.region_id'),
      dataIndex: 'region_id',
      render: (_: unknown, c: Customer) => regions.data?.find((r) => r.id === c.region_id)?.name ?? '—',
    },
    {
      key: 'tags',
      title: t('customer.fields.tags'),
      dataIndex: 'tags',
      render: (_: unknown, c: Customer) => c.tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
    {
      key: 'created_at',
      title: t('customer.fields.created_at'),
      dataIndex: 'created_at',
      sorter: true,
      sortOrder: sort === 'created_at' ? 'ascend' : sort === '-created_at' ? 'descend' : null,
      render: (v: string) => formatDate(v, i18n.language),
    },
    {
      key: 'updated_at',
      title: t('customer.fields.updated_at'),
      dataIndex: 'updated_at',
      sorter: true,
      sortOrder: sort === 'updated_at' ? 'ascend' : sort === '-updated_at' ? 'descend' : null,
      render: (v: string) => formatDate(v, i18n.language),
    },
    ...(customFields.data ?? []).map((f) => ({
      key: `custom.${f.key}`,
      title: f.label,
      render: (_: unknown, c: Customer) => formatCustomValue(c.custom_fields[f.key], t),
    })),
  ];
  const visible = allColumns.filter((c) => columns.includes(String(c.key)));

  function chooseColumns(next: string[]) {
    setColumns(next);
    try {
      localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
    } catch {
      // ignore
    }
  }

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));
  const activeFilters = FILTERS.filter((k) => k !== 'sort' && k !== 'q' && k !== 'cv' && filters[k]).length + (filters.q ? 1 : 0);

  return (
    <section aria-labelledby="customers-title">
      <div className="page-header">
        <Typography.Title level={2} id="customers-title">
          {t('customer.title')}
        </Typography.Title>
        <Space wrap>
          <Dropdown
            trigger={['click']}
            popupRender={() => (
              <div
                className="column-chooser"
                style={{
                  background: '#fff',
                  padding: 12,
                  boxShadow: '0 6px 16px rgba(0,0,0,.12)',
                  borderRadius: 8,
                  maxHeight: 360,
                  overflow: 'auto',
                }}
              >
                <Checkbox.Group
                  value={columns}
                  onChange={(v) => chooseColumns(v.length ? (v as string[]) : ['name'])}
                  style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
                  options={allColumns.map((c) => ({ value: String(c.key), label: c.title as string, disabled: c.key === 'name' }))}
                />
              </div>
            )}
          >
            <Button icon={<SettingOutlined />} data-testid="column-chooser">
              {t('common.columns')}
            </Button>
          </Dropdown>
          {mayCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/customers/new')}>
              {t('customer.new')}
            </Button>
          )}
        </Space>
      </div>
      <div className="toolbar" role="search">
        <Input.Search
          aria-label={t('common.search')}
          placeholder={t('customer.searchPlaceholder')}
          defaultValue={filters.q}
          allowClear
          onSearch={(v) => setFilter('q', v.trim() || undefined)}
          style={{ width: 320 }}
          data-testid="customer-search"
        />
        {narrow && (
          <Button icon={<FilterOutlined />} aria-expanded={showFilters} onClick={() => setShowFilters((v) => !v)}>
            {t('common.filters')}
            {activeFilters ? ` (${activeFilters})` : ''}
          </Button>
        )}
        {(!narrow || showFilters) && (
          <>
            <Select
              aria-label={t('customer.filter.owner')}
              placeholder={t('customer.filter.owner')}
              value={filters.owner}
              allowClear
              onChange={(v: string | undefined) => setFilter('owner', v)}
              options={[{ value: 'me', label: t('customer.filter.mine') }, ...userOptions]}
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: 200 }}
              data-testid="owner-filter"
            />
            <Select
              aria-label={t('customer.fields.status')}
              placeholder={t('customer.fields.status')}
              value={filters.status}
              allowClear
              onChange={(v: string | undefined) => setFilter('status', v)}
              options={STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))}
            />
            <Select
              aria-label={t('customer.fields.level')}
              placeholder={t('customer.fields.level')}
              value={filters.level}
              allowClear
              onChange={(v: string | undefined) => setFilter('level', v)}
              options={LEVELS.map((l) => ({ value: l, label: l }))}
            />
            <Select
              aria-label={t('customer.fields.customer_type')}
              placeholder={t('customer.fields.customer_type')}
              value={filters.type}
              allowClear
              onChange={(v: string | undefined) => setFilter('type', v)}
              options={TYPES.map((l) => ({ value: l, label: l }))}
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
            {!!regions.data?.length && (
              <Select
                aria-label={t('customer.fields.region_id')}
                placeholder={t('customer.fields.region_id')}
                value={filters.region}
                allowClear
                onChange={(v: string | undefined) => setFilter('region', v)}
                options={regions.data.map((r) => ({ value: r.id, label: r.name }))}
              />
            )}
            <Input
              aria-label={t('customer.filter.tag')}
              placeholder={t('customer.filter.tag')}
              defaultValue={filters.tag}
              allowClear
              onPressEnter={(e) => setFilter('tag', (e.target as HTMLInputElement).value.trim() || undefined)}
              onBlur={(e) => setFilter('tag', e.target.value.trim() || undefined)}
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
          </>
        )}
        {activeFilters > 0 && <Button onClick={clear}>{t('common.clearFilters')}</Button>}
      </div>
      {mayAssign && selected.length > 0 && (
        <BulkAssignBar
          selected={selected}
          userOptions={userOptions}
          assign={(id, owner) =>
            unwrap(api.POST('/api/v1/customers/{customer_id}/assign', { params: { path: { customer_id: id } }, body: { owner_id: owner } }))
          }
          doneMessage={(count) => t('customer.assigned', { count })}
          onDone={async () => {
            setSelected([]);
            await queryClient.invalidateQueries({ queryKey: ['customers'] });
          }}
        />
      )}
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Customer>
            rowKey="id"
            size="middle"
            columns={visible}
            dataSource={rows}
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: query.isLoading ? ' ' : <EmptyState description={t('customer.empty')} /> }}
            rowSelection={
              mayAssign
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys as string[]),
                    // a name for each checkbox, for screen readers
                    getCheckboxProps: (c: Customer) => ({ 'aria-label': c.name }) as never,
                  }
                : undefined
            }
            onChange={(_p, _f, sorter) => {
              const s = Array.isArray(sorter) ? sorter[0] : sorter;
              if (!s?.order || !s.columnKey) setFilter('sort', undefined);
              else setFilter('sort', `${s.order === 'descend' ? '-' : ''}${String(s.columnKey)}`);
            }}
            data-testid="customers-table"
          />
          <LoadMore query={query} shown={rows.length} />
        </>
      )}
    </section>
  );
}
