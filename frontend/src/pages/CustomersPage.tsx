import { useState } from 'react';
import { FilterOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { Button, Checkbox, Dropdown, Grid, Space, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useMe } from '../auth';
import {
  ClearFilters,
  DepartmentFilter,
  FilterSelect,
  SearchFilter,
  SortSelect,
  TagFilter,
  useCursorList,
  useUrlFilters,
} from '../components/lists';
import { BulkAssignBar, useRowSelection } from '../components/BulkAssignBar';
import { CustomFieldFilter } from '../components/CustomFieldFilter';
import { RecordTable, sortOrderOf } from '../components/RecordTable';
import { useCustomFields, useRegions, useUserName, useUserOptions } from '../directory';
import { can } from '../permissions';
import { formatCustomValue, formatDate, LEVELS, STATUSES, StatusTag, TYPES, type Customer } from './customerBits';
import { DrillNotice } from '../components/DrillNotice';

const PAGE = 50;
const COLUMNS_KEY = 'crm.customers.columns';
const DEFAULT_COLUMNS = ['name', 'status', 'level', 'owner_id', 'phone', 'email', 'updated_at'];
// What the customer analysis drills down with (/analytics/customers): shown as tags above the list.
const ANALYSIS = [
  'rfm_segment',
  'rfm_recency',
  'rfm_frequency',
  'churn_risk',
  'value_currency',
  'created_from',
  'created_to',
  'touched_from',
  'touched_to',
  'lost_from',
  'lost_to',
  'dormant_at',
  'dormant_days',
] as const;
const FILTERS = ['q', 'owner', 'department', 'status', 'level', 'type', 'region', 'tag', 'sort', 'ck', 'cv', 'where', ...ANALYSIS] as const;

// a full row, not one of only some fields
const isCustomer = (c: object): c is Customer => 'name' in c;

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
  const { filters, setFilter: setUrlFilter, clear } = useUrlFilters(FILTERS);
  const sort = filters.sort ?? '-updated_at';
  const [columns, setColumns] = useState<string[]>(storedColumns);
  const userName = useUserName();
  const userOptions = useUserOptions();
  const regions = useRegions();
  const customFields = useCustomFields('customer');
  const mayAssign = can(me, 'customers:assign');
  const selection = useRowSelection<Customer>(mayAssign, (c) => c.name);
  // On a phone the filters fold away behind one button; search stays.
  const narrow = !Grid.useBreakpoint().md;
  const [showFilters, setShowFilters] = useState(false);
  const mayCreate = can(me, 'customers:create');

  function setFilter(key: (typeof FILTERS)[number], value: string | undefined) {
    setUrlFilter(key, value);
    selection.clear();
  }

  const { query, rows } = useCursorList(
    ['customers', 'list', filters],
    (cursor) => {
      const q: Record<string, string | number | undefined> = {
        q: filters.q,
        owner: filters.owner,
        status: filters.status,
        level: filters.level,
        type: filters.type,
        region: filters.region,
        department: filters.department,
        tag: filters.tag,
        ...Object.fromEntries(ANALYSIS.map((k) => [k, filters[k]])),
        where: filters.where,
        sort,
        limit: PAGE,
        cursor,
      };
      if (filters.ck && filters.cv) q[`custom.${filters.ck}`] = filters.cv;
      return unwrap(api.GET('/api/v1/customers', { params: { query: q as never } }));
    },
    isCustomer,
  );

  const allColumns: NonNullable<TableProps<Customer>['columns']> = [
    {
      key: 'name',
      title: t('customer.fields.name'),
      dataIndex: 'name',
      sorter: true,
      sortOrder: sortOrderOf(sort, 'name'),
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
      sortOrder: sortOrderOf(sort, 'created_at'),
      render: (v: string) => formatDate(v, i18n.language),
    },
    {
      key: 'updated_at',
      title: t('customer.fields.updated_at'),
      dataIndex: 'updated_at',
      sorter: true,
      sortOrder: sortOrderOf(sort, 'updated_at'),
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

  const activeFilters = FILTERS.filter((k) => k !== 'sort' && k !== 'q' && k !== 'cv' && filters[k]).length + (filters.q ? 1 : 0);

  return (
    <section aria-labelledby="customers-title">
      <div className="page-header">
        <Typography.Title level={2} id="customers-title">
          {t('customer.title')}
        </Typography.Title>
        <DrillNotice where={filters.where} onClear={() => setUrlFilter('where', undefined)} />
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
        <SearchFilter
          value={filters.q}
          onSearch={(v) => setFilter('q', v)}
          placeholder={t('customer.searchPlaceholder')}
          width={320}
          testId="customer-search"
        />
        {narrow && (
          <Button icon={<FilterOutlined />} aria-expanded={showFilters} onClick={() => setShowFilters((v) => !v)}>
            {t('common.filters')}
            {activeFilters ? ` (${activeFilters})` : ''}
          </Button>
        )}
        {(!narrow || showFilters) && (
          <>
            <FilterSelect
              label={t('customer.filter.owner')}
              value={filters.owner}
              onChange={(v) => setFilter('owner', v)}
              options={[{ value: 'me', label: t('customer.filter.mine') }, ...userOptions]}
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: 200 }}
              data-testid="owner-filter"
            />
            <FilterSelect
              label={t('customer.fields.status')}
              value={filters.status}
              onChange={(v) => setFilter('status', v)}
              options={STATUSES.map((s) => ({ value: s, label: t(`customer.status.${s}`) }))}
            />
            <FilterSelect
              label={t('customer.fields.level')}
              value={filters.level}
              onChange={(v) => setFilter('level', v)}
              options={LEVELS.map((l) => ({ value: l, label: l }))}
            />
            <FilterSelect
              label={t('customer.fields.customer_type')}
              value={filters.type}
              onChange={(v) => setFilter('type', v)}
              options={TYPES.map((l) => ({ value: l, label: l }))}
            />
            <DepartmentFilter value={filters.department} onChange={(v) => setFilter('department', v)} />
            {!!regions.data?.length && (
              <FilterSelect
                label={t('customer.fields.region_id')}
                value={filters.region}
                onChange={(v) => setFilter('region', v)}
                options={regions.data.map((r) => ({ value: r.id, label: r.name }))}
              />
            )}
            <TagFilter value={filters.tag} onChange={(v) => setFilter('tag', v)} width={140} />
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
        <ClearFilters active={activeFilters > 0} onClear={clear} />
      </div>
      {ANALYSIS.some((k) => filters[k]) && (
        <Space wrap size={[4, 4]} style={{ marginBottom: 8 }} data-testid="analysis-filters">
          <Typography.Text type="secondary">{t('customerAnalytics.filter.label')}:</Typography.Text>
          {ANALYSIS.filter((k) => filters[k]).map((k) => (
            <Tag key={k} closable onClose={() => setFilter(k, undefined)}>
              {k === 'rfm_segment' ? t(`customerAnalytics.segments.${filters[k]}` as never) : `${k} = ${filters[k]}`}
            </Tag>
          ))}
        </Space>
      )}
      <BulkAssignBar
        selection={selection}
        assign={(id, owner) =>
          unwrap(api.POST('/api/v1/customers/{customer_id}/assign', { params: { path: { customer_id: id } }, body: { owner_id: owner } }))
        }
        doneMessage={(count) => t('customer.assigned', { count })}
        refresh={['customers']}
      />
      <RecordTable<Customer>
        query={query}
        rows={rows}
        columns={visible}
        empty={t('customer.empty')}
        rowSelection={selection.rowSelection}
        onSort={(v) => setFilter('sort', v)}
        testId="customers-table"
      />
    </section>
  );
}
