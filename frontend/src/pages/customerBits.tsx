import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema';

export type Customer = components['schemas']['CustomerOut'];
export type Contact = components['schemas']['ContactOut'];
export const STATUSES = ['prospect', 'active', 'inactive', 'lost'] as const;
export const LEVELS = ['A', 'B', 'C', 'D'];
export const TYPES = ['smb', 'enterprise', 'partner', 'government'];

const STATUS_COLOR: Record<string, string> = { prospect: 'blue', active: 'green', inactive: 'default', lost: 'red' };

export function StatusTag({ status }: { status: Customer['status'] }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLOR[status]}>{t(`customer.status.${status}`)}</Tag>;
}

export function formatDate(value: string | null | undefined, language: string): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A custom field's value, readable. */
export function formatCustomValue(value: unknown, t: (key: 'common.yes' | 'common.no') => string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}
