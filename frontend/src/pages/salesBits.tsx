// What the selling screens share: pipelines, customer names, tags for categories and stages.
import { createContext, useContext, type ReactNode } from 'react';
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

/** Names of many customers (a page of deals, a board) in one request: id -> name. */
function useCustomerNames(ids: string[]): { names: Map<string, string>; loaded: boolean } {
  const { me } = useAuth();
  const wanted = [...new Set(ids)].sort().slice(0, 200);
  const found = useQuery({
    queryKey: ['customers', 'names', wanted],
    enabled: wanted.length > 0 && can(me, 'customers:read'),
    staleTime: STALE,
    queryFn: async () => (await unwrap(api.GET('/api/v1/customers', { params: { query: { ids: wanted, limit: 200 } } }))).items,
  });
  const names = new Map((found.data ?? []).flatMap((c) => ('name' in c ? [[c.id, c.name] as const] : [])));
  return { names, loaded: found.isSuccess };
}

const NamesContext = createContext<{ names: Map<string, string>; loaded: boolean } | null>(null);

/** Lets every <CustomerName> below read these customers' names from one request. */
export function CustomerNames({ ids, children }: { ids: string[]; children: ReactNode }) {
  return <NamesContext.Provider value={useCustomerNames(ids)}>{children}</NamesContext.Provider>;
}

export function CustomerName({ id }: { id: string }) {
  const batch = useContext(NamesContext);
  const fromBatch = batch?.names.get(id);
  // Outside a batch, or a customer the batch did not cover (a card loaded later): its own request.
  const single = useCustomerName(fromBatch === undefined && (!batch || batch.loaded) ? id : null);
  return <>{fromBatch ?? single ?? '…'}</>;
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
