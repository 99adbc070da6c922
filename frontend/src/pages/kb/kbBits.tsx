// Pieces the knowledge-base pages share: types, the status tag, search-term highlighting.
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';

export type Article = components['schemas']['ArticleOut'];
export type ArticleSummary = components['schemas']['ArticleSummaryOut'];
export type KbCategory = components['schemas']['CategoryOut'];
export type Suggestion = components['schemas']['SuggestionOut'];

export const KB_STATUSES = ['draft', 'published', 'archived'] as const;
const STATUS_COLORS: Record<string, string> = { draft: 'default', published: 'green', archived: 'orange' };

export function ArticleStatusTag({ status }: { status: (typeof KB_STATUSES)[number] }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLORS[status]}>{t(`kb.status.${status}`)}</Tag>;
}

export function VisibilityTag({ visibility }: { visibility: 'internal' | 'public' }) {
  const { t } = useTranslation();
  return <Tag color={visibility === 'public' ? 'blue' : undefined}>{t(`kb.visibility.${visibility}`)}</Tag>;
}

/** The search's terms: words as typed (lower-cased), Chinese runs whole. */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  return [
    ...new Set(
      q
        .toLowerCase()
        .split(/[\s,，。;；:：!！?？]+/)
        .filter((w) => w.length > 0),
    ),
  ];
}

/** `text` split into plain parts and the parts matching a term (case-insensitive), in order. */
export function splitMatches(text: string, terms: string[]): { text: string; match: boolean }[] {
  if (!terms.length || !text) return text ? [{ text, match: false }] : [];
  const escaped = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'gi');
  return text
    .split(pattern)
    .filter((part) => part.length > 0)
    .map((part) => ({ text: part, match: terms.includes(part.toLowerCase()) }));
}

export function Highlight({ text, terms }: { text: string; terms: string[] }): ReactNode {
  return splitMatches(text, terms).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>));
}

export function useKbCategories() {
  return useQuery({
    queryKey: ['kb', 'categories'],
    queryFn: () => unwrap(api.GET('/api/v1/kb/categories')),
    staleTime: 60_000,
  });
}
