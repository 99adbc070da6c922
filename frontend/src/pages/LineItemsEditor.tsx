// A deal's line items: product, quantity, unit price, discount; each line's total and the sum as
// the API computes them. Saving replaces them all, and the deal's amount becomes the sum.
import { useState } from 'react';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Input, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { describeError } from '../components/states';
import { formatMoney, lineTotal, linesTotal, toScaled } from './salesLogic';

type Detail = components['schemas']['OpportunityDetailOut'];
interface Row {
  key: string;
  product_name: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
}

let next = 0;
const rowKey = () => `new-${++next}`;

function fromDeal(deal: Detail): Row[] {
  return deal.line_items.map((l) => ({
    key: l.id,
    product_name: l.product_name,
    quantity: String(Number(l.quantity)),
    unit_price: l.unit_price,
    discount_percent: String(Number(l.discount_percent)),
  }));
}

/** What is wrong with a row, by field ("" when fine). */
function problems(row: Row): Partial<Record<keyof Row, boolean>> {
  const q = toScaled(row.quantity);
  const p = toScaled(row.unit_price);
  const d = toScaled(row.discount_percent || '0');
  return {
    product_name: !row.product_name.trim(),
    quantity: q === null || q <= 0n,
    unit_price: p === null || p < 0n,
    discount_percent: d === null || d < 0n || d > 100n * 10n ** 4n,
  };
}

/** Render with key={deal.version}: a saved (or otherwise changed) deal starts the editor afresh. */
export function LineItemsEditor({ deal, editable, onSaved }: { deal: Detail; editable: boolean; onSaved: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [rows, setRows] = useState<Row[]>(() => fromDeal(deal));
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const dirty = JSON.stringify(rows.map(({ key: _, ...r }) => r)) !== JSON.stringify(fromDeal(deal).map(({ key: _, ...r }) => r));
  const invalid = rows.some((r) => Object.values(problems(r)).some(Boolean));

  function update(key: string, field: keyof Row, value: string) {
    setRows((list) => list.map((r) => (r.key === key ? { ...r, [field]: value } : r)));
  }

  async function save() {
    setTried(true);
    if (invalid) return;
    setBusy(true);
    try {
      await unwrap(
        api.PATCH('/api/v1/opportunities/{opportunity_id}', {
          params: { path: { opportunity_id: deal.id }, header: { 'if-match': etagOf(deal.version) } },
          body: {
            line_items: rows.map((r) => ({
              product_name: r.product_name.trim(),
              quantity: r.quantity.trim(),
              unit_price: r.unit_price.trim(),
              discount_percent: r.discount_percent.trim() || '0',
            })),
          },
        }),
      );
      message.success(t('opportunities.lines.saved'));
      onSaved();
    } catch (error) {
      message.error(error instanceof ApiError && error.status === 412 ? t('customer.conflictDetail') : describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const cell = (row: Row, field: keyof Row, label: string, width: number, numeric = true) => (
    <Input
      aria-label={label}
      value={row[field]}
      inputMode={numeric ? 'decimal' : undefined}
      status={tried && problems(row)[field] ? 'error' : undefined}
      disabled={!editable || busy}
      onChange={(e) => update(row.key, field, e.target.value)}
      style={{ width }}
    />
  );

  return (
    <Card
      title={t('opportunities.lines.title')}
      extra={
        editable && (
          <Space>
            {dirty && (
              <Button size="small" onClick={() => setRows(fromDeal(deal))} disabled={busy}>
                {t('opportunities.lines.reset')}
              </Button>
            )}
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() =>
                setRows((list) => [...list, { key: rowKey(), product_name: '', quantity: '1', unit_price: '', discount_percent: '0' }])
              }
              data-testid="add-line"
            >
              {t('opportunities.lines.add')}
            </Button>
            <Button size="small" type="primary" disabled={!dirty} loading={busy} onClick={() => void save()} data-testid="save-lines">
              {t('opportunities.lines.save')}
            </Button>
          </Space>
        )
      }
    >
      <Table<Row>
        className="line-items"
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('opportunities.lines.empty') }}
        data-testid="line-items"
        columns={[
          {
            key: 'product',
            title: t('opportunities.lines.product'),
            render: (_: unknown, r: Row) => cell(r, 'product_name', t('opportunities.lines.product'), 170, false),
          },
          {
            key: 'quantity',
            title: t('opportunities.lines.quantity'),
            render: (_: unknown, r: Row) => cell(r, 'quantity', t('opportunities.lines.quantity'), 64),
          },
          {
            key: 'price',
            title: t('opportunities.lines.unitPrice'),
            render: (_: unknown, r: Row) => cell(r, 'unit_price', t('opportunities.lines.unitPrice'), 96),
          },
          {
            key: 'discount',
            title: t('opportunities.lines.discount'),
            render: (_: unknown, r: Row) => cell(r, 'discount_percent', t('opportunities.lines.discount'), 56),
          },
          {
            key: 'total',
            title: t('opportunities.lines.total'),
            align: 'right',
            render: (_: unknown, r: Row) => <span data-testid="line-total">{formatMoney(lineTotal(r), deal.currency, i18n.language)}</span>,
          },
          ...(editable
            ? [
                {
                  key: 'remove',
                  title: '',
                  render: (_: unknown, r: Row) => (
                    <Button
                      size="small"
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('opportunities.lines.remove')}
                      disabled={busy}
                      onClick={() => setRows((list) => list.filter((x) => x.key !== r.key))}
                    />
                  ),
                },
              ]
            : []),
        ]}
        summary={() =>
          rows.length ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={4}>
                <Typography.Text strong>{t('opportunities.lines.sum')}</Typography.Text>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={4} align="right">
                <Typography.Text strong data-testid="lines-sum">
                  {formatMoney(linesTotal(rows), deal.currency, i18n.language)}
                </Typography.Text>
              </Table.Summary.Cell>
              {editable && <Table.Summary.Cell index={5} />}
            </Table.Summary.Row>
          ) : null
        }
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('opportunities.amountFromLines')}
      </Typography.Paragraph>
    </Card>
  );
}
