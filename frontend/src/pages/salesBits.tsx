// What the selling screens share: pipelines, customer names, tags for categories and stages.
import { useQuery } from '@tanstack/react-query';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useAuth } from '../auth';
import { can } from '../permissions';
import type { Opportunity } from './salesLogic';

export type Pipeline = components['schemas']['PipelineOut'];
export type Quote = components['schemas']['QuoteOut'];
export type Order = components['schemas']['OrderOut'];
export const CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type Category = Opportunity['forecast_category'];

const STALE = 5 * 60 * 1000;

export function usePipelines() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['pipelines'],
    enabled: can(me, 'pipelines:read'),
    staleTime: STALE,
    queryFn: async () => (await unwrap(api.GET('/api/v1/pipelines'))).items,
  });
}

/** stage id -> stage (with its pipeline), over every pipeline. */
export function useStageIndex() {
  const pipelines = usePipelines();
  const index = new Map<string, Pipeline['stages'][number]>();
  for (const p of pipelines.data ?? []) for (const s of p.stages) index.set(s.id, s);
  return index;
}

/** A customer's name, loaded once and shared with the other customer screens' cache. */
export function useCustomerName(id: string | null | undefined): string | undefined {
  const { me } = useAuth();
  const found = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: !!id && can(me, 'customers:read'),
    staleTime: STALE,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id! } } })),
  });
  return found.data?.name;
}

export function CustomerName({ id }: { id: string }) {
  return <>{useCustomerName(id) ?? '…'}</>;
}

const CATEGORY_COLOR: Record<Category, string> = {
  pipeline: 'blue',
  best_case: 'cyan',
  commit: 'gold',
  closed: 'green',
  omitted: 'default',
};

export function CategoryTag({ category }: { category: Category }) {
  const { t } = useTranslation();
  return <Tag color={CATEGORY_COLOR[category]}>{t(`opportunities.category.${category}`)}</Tag>;
}

const KIND_COLOR = { open: 'processing', won: 'success', lost: 'error' } as const;

export function StageTag({ name, kind }: { name: string; kind: 'open' | 'won' | 'lost' }) {
  return <Tag color={KIND_COLOR[kind]}>{name}</Tag>;
}

export function formatDay(value: string | null | undefined, language: string): string {
  if (!value) return '—';
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(language, { dateStyle: 'medium' });
}

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}
