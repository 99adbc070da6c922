// Small pieces of the campaign pages: status and type tags, the create/edit form's fields.
import { DatePicker, Form, Input, InputNumber, Select, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useUserOptions } from '../../directory';
import { CAMPAIGN_TYPES, type Campaign, type CampaignStatus, type CampaignType, type MemberStatus } from './campaignLogic';

const STATUS_COLOR: Record<CampaignStatus, string> = {
  draft: 'default',
  scheduled: 'blue',
  running: 'green',
  completed: 'purple',
  cancelled: 'red',
};
const MEMBER_COLOR: Record<MemberStatus, string> = {
  targeted: 'default',
  sent: 'blue',
  opened: 'cyan',
  clicked: 'geekblue',
  registered: 'gold',
  attended: 'orange',
  responded: 'lime',
  converted: 'green',
  bounced: 'red',
  unsubscribed: 'volcano',
};

export function CampaignStatusTag({ status }: { status: CampaignStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="campaign-status">
      {t(`campaigns.status.${status}`)}
    </Tag>
  );
}

export function CampaignTypeLabel({ type }: { type: CampaignType }) {
  const { t } = useTranslation();
  return <>{t(`campaigns.type.${type}`)}</>;
}

export function MemberStatusTag({ status }: { status: MemberStatus }) {
  const { t } = useTranslation();
  return <Tag color={MEMBER_COLOR[status]}>{t(`campaigns.memberStatus.${status}`)}</Tag>;
}

export function formatMoney(value: string | null | undefined, currency: string, language: string): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(language, { style: 'currency', currency }).format(Number(value));
}

/** The form's values: dates as a range, amounts as numbers (sent as strings). */
export interface CampaignFormValues {
  name: string;
  campaign_type: CampaignType;
  channel?: string | null;
  dates?: [Dayjs | null, Dayjs | null] | null;
  currency?: string;
  budget?: number | null;
  actual_cost?: number | null;
  expected_revenue?: number | null;
  description?: string | null;
  tags?: string[];
  owner_id?: string;
}

export function formValuesOf(c: Campaign): CampaignFormValues {
  return {
    name: c.name,
    campaign_type: c.campaign_type,
    channel: c.channel,
    dates: c.starts_on ? [dayjs(c.starts_on), c.ends_on ? dayjs(c.ends_on) : null] : null,
    currency: c.currency,
    budget: c.budget === null ? null : Number(c.budget),
    actual_cost: c.actual_cost === null ? null : Number(c.actual_cost),
    expected_revenue: c.expected_revenue === null ? null : Number(c.expected_revenue),
    description: c.description,
    tags: c.tags,
    owner_id: c.owner_id,
  };
}

const money = (v: number | null | undefined) => (v === null || v === undefined ? null : v.toFixed(2));

/** The API body of the form's values (dates as ISO days, amounts as decimal strings). */
export function campaignBody(values: CampaignFormValues): Record<string, unknown> {
  const [start, end] = values.dates ?? [null, null];
  const body: Record<string, unknown> = {
    name: values.name,
    campaign_type: values.campaign_type,
    channel: values.channel || null,
    starts_on: start ? start.format('YYYY-MM-DD') : null,
    ends_on: end ? end.format('YYYY-MM-DD') : null,
    budget: money(values.budget),
    actual_cost: money(values.actual_cost),
    expected_revenue: money(values.expected_revenue),
    description: values.description || null,
    tags: values.tags ?? [],
  };
  if (values.currency) body.currency = values.currency;
  if (values.owner_id) body.owner_id = values.owner_id;
  return body;
}

export function CampaignFormFields({ mayAssign }: { mayAssign: boolean }) {
  const { t } = useTranslation();
  const users = useUserOptions();
  const amount = (name: 'budget' | 'actual_cost' | 'expected_revenue') => (
    <Form.Item name={name} label={t(`campaigns.fields.${name}`)}>
      <InputNumber min={0} precision={2} style={{ width: 180 }} data-testid={`campaign-${name}`} />
    </Form.Item>
  );
  return (
    <>
      <Form.Item name="name" label={t('campaigns.fields.name')} rules={[{ required: true, message: t('common.required') }]}>
        <Input maxLength={200} data-testid="campaign-name" />
      </Form.Item>
      <Space wrap>
        <Form.Item
          name="campaign_type"
          label={t('campaigns.fields.campaign_type')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Select
            style={{ width: 180 }}
            data-testid="campaign-type"
            options={CAMPAIGN_TYPES.map((type) => ({ value: type, label: t(`campaigns.type.${type}`) }))}
          />
        </Form.Item>
        <Form.Item name="channel" label={t('campaigns.fields.channel')}>
          <Input maxLength={100} style={{ width: 180 }} />
        </Form.Item>
      </Space>
      <Form.Item name="dates" label={t('campaigns.fields.dates')}>
        <DatePicker.RangePicker allowEmpty={[true, true]} data-testid="campaign-dates" />
      </Form.Item>
      <Space wrap>
        <Form.Item name="currency" label={t('campaigns.fields.currency')} rules={[{ pattern: /^[A-Z]{3}$/, message: 'ISO 4217' }]}>
          <Input maxLength={3} style={{ width: 90 }} placeholder="CNY" />
        </Form.Item>
        {amount('budget')}
        {amount('actual_cost')}
        {amount('expected_revenue')}
      </Space>
      <Form.Item name="tags" label={t('campaigns.fields.tags')}>
        <Select mode="tags" tokenSeparators={[',', '，']} open={false} />
      </Form.Item>
      {mayAssign && (
        <Form.Item name="owner_id" label={t('campaigns.fields.owner_id')}>
          <Select showSearch optionFilterProp="label" options={users} allowClear />
        </Form.Item>
      )}
      <Form.Item name="description" label={t('campaigns.fields.description')}>
        <Input.TextArea rows={3} maxLength={10000} />
      </Form.Item>
    </>
  );
}
