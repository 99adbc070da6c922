import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import type { LeadRating, LeadStatus } from './leadFilters';

export type Lead = components['schemas']['LeadOut'];

const STATUS_COLOR: Record<LeadStatus, string> = {
  new: 'blue',
  contacted: 'cyan',
  qualified: 'green',
  unqualified: 'default',
  converted: 'purple',
};
const RATING_COLOR: Record<LeadRating, string> = { hot: 'red', warm: 'orange', cold: 'geekblue' };

export function LeadStatusTag({ status }: { status: LeadStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="lead-status">
      {t(`leads.status.${status}`)}
    </Tag>
  );
}

export function RatingTag({ rating }: { rating: LeadRating | null }) {
  const { t } = useTranslation();
  if (!rating) return <>—</>;
  return <Tag color={RATING_COLOR[rating]}>{t(`leads.rating.${rating}`)}</Tag>;
}

/** The score as a small badge: higher is warmer. */
export function ScoreBadge({ score }: { score: number }) {
  const color = score >= 50 ? 'green' : score >= 20 ? 'gold' : score < 0 ? 'red' : 'default';
  return (
    <Tag color={color} style={{ minWidth: 36, textAlign: 'center' }}>
      {score}
    </Tag>
  );
}

/** Where a record a lead matched or became lives in the client. */
export function recordPath(entity: string, id: string): string | null {
  if (entity === 'lead') return `/leads/${id}`;
  if (entity === 'customer') return `/customers/${id}`;
  if (entity === 'contact') return `/contacts/${id}`;
  if (entity === 'opportunity') return `/opportunities/${id}`;
  return null;
}
