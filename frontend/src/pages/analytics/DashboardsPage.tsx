// /analytics/dashboards: the caller's dashboards and those shared with their roles; a new one.
// /analytics/dashboards/:id: one dashboard's widgets on its grid (computed for whoever looks),
// and for its owner the editor: add widgets, move them up or down, resize, share, delete.
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { EmptyState, ErrorState, Loading, describeError } from '../../components/states';
import { can } from '../../permissions';
import { move, ordered, pack, type GridItem } from './grid';
import { WIDGET_KEYS, WidgetCard } from './widgets';

type Dashboard = components['schemas']['DashboardOut'];
type LayoutItem = components['schemas']['LayoutItem'];
// The business roles a dashboard is shared with (role keys; custom roles by their key too).
const SHARE_ROLES = ['sales_director', 'sales_manager', 'sales_rep', 'service_manager', 'service_agent', 'marketer', 'analyst'];
const WIDTHS = [3, 4, 6, 8, 12];
const HEIGHTS = [2, 3, 4, 6];
const ROW_PX = 72;

export function DashboardsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const list = useQuery({ queryKey: ['dashboards'], queryFn: () => unwrap(api.GET('/api/v1/dashboards')) });
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;

  async function create() {
    try {
      const layout = pack(
        ['pipeline_by_stage', 'closing_this_month', 'attainment'].map((widget) => ({
          widget,
          x: 0,
          y: 0,
          w: widget === 'pipeline_by_stage' ? 12 : 6,
          h: 3,
        })),
      );
      const made = await unwrap(api.POST('/api/v1/dashboards', { body: { name: name.trim(), layout: layout as LayoutItem[] } }));
      navigate(`/analytics/dashboards/${made.id}?edit=1`);
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  return (
    <section aria-labelledby="dashboards-title">
      <div className="page-header">
        <Typography.Title level={2} id="dashboards-title">
          {t('dashboards.title')}
        </Typography.Title>
        {can(me, 'reports:create') && (
          <Space.Compact>
            <Input
              placeholder={t('dashboards.name')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              data-testid="dashboard-name"
            />
            <Button
              type="primary"
              icon={<PlusOutlined />}
              disabled={!name.trim()}
              onClick={() => void create()}
              data-testid="dashboard-create"
            >
              {t('dashboards.new')}
            </Button>
          </Space.Compact>
        )}
      </div>
      <Table<Dashboard>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <EmptyState description={t('dashboards.empty')} /> }}
        columns={[
          {
            key: 'name',
            title: t('dashboards.name'),
            render: (_: unknown, d: Dashboard) => <Link to={`/analytics/dashboards/${d.id}`}>{d.name}</Link>,
          },
          { key: 'widgets', title: t('dashboards.widgetCount'), align: 'right', render: (_: unknown, d: Dashboard) => d.layout.length },
          {
            key: 'shared',
            title: t('dashboards.sharedWith'),
            render: (_: unknown, d: Dashboard) =>
              d.owner_id !== me.user.id ? (
                <Tag>{t('dashboards.sharedWithMe')}</Tag>
              ) : d.shared_roles.length ? (
                d.shared_roles.map((r) => <Tag key={r}>{t(`dashboards.roles.${r}`, { defaultValue: r })}</Tag>)
              ) : (
                <Typography.Text type="secondary">{t('dashboards.private')}</Typography.Text>
              ),
          },
        ]}
      />
    </section>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [editing, setEditing] = useState(() => new URLSearchParams(window.location.search).has('edit'));
  const dashboard = useQuery({
    queryKey: ['dashboards', id],
    queryFn: () => unwrap(api.GET('/api/v1/dashboards/{dashboard_id}', { params: { path: { dashboard_id: id } } })),
  });
  const data = useQuery({
    queryKey: ['dashboards', id, 'data'],
    queryFn: () => unwrap(api.GET('/api/v1/dashboards/{dashboard_id}/data', { params: { path: { dashboard_id: id } } })),
  });
  if (dashboard.isLoading) return <Loading />;
  if (dashboard.isError || !dashboard.data) return <ErrorState error={dashboard.error} onRetry={() => void dashboard.refetch()} />;
  const d = dashboard.data;
  const mine = d.owner_id === me.user.id;

  async function save(changes: { name?: string; layout?: GridItem[]; shared_roles?: string[] }) {
    try {
      await unwrap(
        api.PATCH('/api/v1/dashboards/{dashboard_id}', {
          params: { path: { dashboard_id: id }, header: { 'if-match': `W/"${d.version}"` } },
          body: { ...changes, layout: changes.layout as LayoutItem[] | undefined },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ['dashboards'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function remove() {
    try {
      await unwrap(api.DELETE('/api/v1/dashboards/{dashboard_id}', { params: { path: { dashboard_id: id } } }));
      await queryClient.invalidateQueries({ queryKey: ['dashboards'] });
      navigate('/analytics/dashboards');
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  const items = data.data?.items ?? [];
  return (
    <section aria-labelledby="dashboard-title">
      <div className="page-header">
        <Typography.Title level={2} id="dashboard-title">
          {d.name}
        </Typography.Title>
        <Space wrap>
          <Link to="/analytics/dashboards">{t('dashboards.all')}</Link>
          {mine && can(me, 'reports:update') && (
            <Button onClick={() => setEditing((e) => !e)} data-testid="dashboard-edit">
              {editing ? t('dashboards.done') : t('dashboards.edit')}
            </Button>
          )}
          {mine && can(me, 'reports:delete') && (
            <Popconfirm title={t('dashboards.deleteConfirm')} onConfirm={() => void remove()}>
              <Button danger icon={<DeleteOutlined />}>
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </div>
      {!mine && <Typography.Paragraph type="secondary">{t('dashboards.readOnly')}</Typography.Paragraph>}
      {editing && mine && <Editor dashboard={d} onSave={save} canShare={can(me, 'reports:manage')} />}
      {data.isError ? (
        <ErrorState error={data.error} onRetry={() => void data.refetch()} />
      ) : (
        <div className="dashboard-grid" data-testid="dashboard-grid">
          {items.map((item, i) => (
            <div
              key={i}
              style={{
                gridColumn: `${item.x + 1} / span ${item.w}`,
                gridRow: `${item.y + 1} / span ${item.h}`,
                minHeight: item.h * ROW_PX,
              }}
            >
              <WidgetCard value={item} title={typeof item.options.title === 'string' ? item.options.title : undefined} />
            </div>
          ))}
          {!items.length && !data.isLoading && <EmptyState description={t('dashboards.noWidgets')} />}
        </div>
      )}
    </section>
  );
}

function Editor({
  dashboard,
  onSave,
  canShare,
}: {
  dashboard: Dashboard;
  onSave: (c: { name?: string; layout?: GridItem[]; shared_roles?: string[] }) => Promise<void>;
  canShare: boolean;
}) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState<string>('leads_to_work');
  const layout = ordered(dashboard.layout as GridItem[]);
  const saveLayout = (next: GridItem[]) => onSave({ layout: pack(next) });
  const widgetOptions = WIDGET_KEYS.map((k) => ({ value: k, label: t(`dashboards.widgets.${k}`, { defaultValue: k }) }));

  return (
    <Card size="small" style={{ marginBottom: 16 }} data-testid="dashboard-editor">
      <Form layout="vertical">
        <Form.Item label={t('dashboards.name')}>
          <Input
            defaultValue={dashboard.name}
            maxLength={200}
            onBlur={(e) => e.target.value.trim() && e.target.value !== dashboard.name && void onSave({ name: e.target.value.trim() })}
          />
        </Form.Item>
        {canShare && (
          <Form.Item label={t('dashboards.sharedWith')} extra={t('dashboards.shareHint')}>
            <Select
              mode="multiple"
              value={dashboard.shared_roles}
              options={SHARE_ROLES.map((r) => ({ value: r, label: t(`dashboards.roles.${r}`, { defaultValue: r }) }))}
              onChange={(roles: string[]) => void onSave({ shared_roles: roles })}
              placeholder={t('dashboards.private')}
              data-testid="dashboard-share"
            />
          </Form.Item>
        )}
      </Form>
      <Table<GridItem>
        size="small"
        rowKey={(_, i) => String(i)}
        pagination={false}
        scroll={{ x: true }}
        dataSource={layout}
        columns={[
          {
            key: 'widget',
            title: t('dashboards.widget'),
            render: (_: unknown, item: GridItem) => t(`dashboards.widgets.${item.widget}`, { defaultValue: item.widget }),
          },
          {
            key: 'w',
            title: t('dashboards.width'),
            render: (_: unknown, item: GridItem, i: number) => (
              <Select
                size="small"
                value={item.w}
                options={WIDTHS.map((w) => ({ value: w, label: `${w}/12` }))}
                onChange={(w: number) => void saveLayout(layout.map((x, j) => (j === i ? { ...x, w } : x)))}
                aria-label={t('dashboards.width')}
              />
            ),
          },
          {
            key: 'h',
            title: t('dashboards.height'),
            render: (_: unknown, item: GridItem, i: number) => (
              <Select
                size="small"
                value={item.h}
                options={HEIGHTS.map((h) => ({ value: h, label: String(h) }))}
                onChange={(h: number) => void saveLayout(layout.map((x, j) => (j === i ? { ...x, h } : x)))}
                aria-label={t('dashboards.height')}
              />
            ),
          },
          {
            key: 'actions',
            title: '',
            render: (_: unknown, _item: GridItem, i: number) => (
              <Space size={4}>
                <Button
                  size="small"
                  icon={<ArrowUpOutlined />}
                  disabled={i === 0}
                  aria-label={t('dashboards.up')}
                  onClick={() => void saveLayout(move(layout, i, -1))}
                />
                <Button
                  size="small"
                  icon={<ArrowDownOutlined />}
                  disabled={i === layout.length - 1}
                  aria-label={t('dashboards.down')}
                  onClick={() => void saveLayout(move(layout, i, 1))}
                />
                <Button
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('dashboards.remove')}
                  onClick={() => void saveLayout(layout.filter((_, j) => j !== i))}
                />
              </Space>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 8 }} wrap>
        <Select
          style={{ minWidth: 220 }}
          value={adding}
          options={widgetOptions}
          onChange={setAdding}
          aria-label={t('dashboards.widget')}
          data-testid="dashboard-add-widget"
        />
        <Button
          icon={<PlusOutlined />}
          onClick={() => void saveLayout([...layout, { widget: adding, x: 0, y: 0, w: 6, h: 3, options: {} }])}
          data-testid="dashboard-add"
        >
          {t('dashboards.add')}
        </Button>
      </Space>
    </Card>
  );
}
