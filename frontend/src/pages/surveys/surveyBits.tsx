// Shared pieces of the surveys pages: types, the answer widget per question type (the public page
// and the call-back dialog both use it), and the client for the public endpoints.
import createClient from 'openapi-fetch';
import { Checkbox, Input, Radio, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { components, paths } from '../../api/schema';

export type Survey = components['schemas']['SurveyOut'];
export type Question = components['schemas']['QuestionOut'];
export type QuestionType = Question['type'];
export type Results = components['schemas']['ResultsOut'];
export type CallBack = components['schemas']['CallBackOut'];
export type Outcome = CallBack['outcome'];

export const QUESTION_TYPES: QuestionType[] = ['rating', 'nps', 'single', 'multiple', 'text'];
export const OUTCOMES: Outcome[] = ['reached', 'not_reached', 'refused', 'wrong_number', 'call_later'];
export const GROUPS = ['agent', 'team', 'day', 'week', 'month'] as const;

/**
 * The public survey endpoints take no credentials: a client of their own that never sends the
 * signed-in user's token or cookie (the link is all the customer holds).
 */
export const publicApi = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost',
  fetch: (request: Request) => fetch(request),
  credentials: 'omit',
});

const range = (low: number, high: number) => Array.from({ length: high - low + 1 }, (_, i) => low + i);

/** The input for one question's answer; `value`/`onChange` as antd Form.Item hands them. */
export function AnswerInput({ question, value, onChange }: { question: Question; value?: unknown; onChange?: (value: unknown) => void }) {
  const { t } = useTranslation();
  const label = question.text;
  switch (question.type) {
    case 'rating':
    case 'nps': {
      const [low, high] = question.type === 'rating' ? [1, 5] : [0, 10];
      return (
        <div>
          <Radio.Group
            aria-label={label}
            optionType="button"
            value={value}
            onChange={(e) => onChange?.(e.target.value)}
            options={range(low, high).map((n) => ({ value: n, label: String(n) }))}
          />
          <div style={{ fontSize: 12, color: 'rgba(0,0,0,0.45)', marginTop: 4 }}>
            {question.type === 'rating' ? t('surveys.answer.ratingHint') : t('surveys.answer.npsHint')}
          </div>
        </div>
      );
    }
    case 'single':
      return (
        <Radio.Group
          aria-label={label}
          value={value}
          onChange={(e) => onChange?.(e.target.value)}
          options={question.choices.map((c) => ({ value: c, label: c }))}
        />
      );
    case 'multiple':
      return (
        <Checkbox.Group
          aria-label={label}
          value={(value as string[] | undefined) ?? []}
          onChange={(v) => onChange?.(v)}
          options={question.choices.map((c) => ({ value: c, label: c }))}
        />
      );
    default:
      return (
        <Input.TextArea
          aria-label={label}
          rows={3}
          maxLength={2000}
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange?.(e.target.value)}
        />
      );
  }
}

/** Form values -> the API's answers: unanswered questions left out. */
export function answersOf(questions: Question[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) {
    const v = values[q.id];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (typeof v === 'string' && !v.trim()) continue;
    out[q.id] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

export function TypeTag({ type }: { type: QuestionType }) {
  const { t } = useTranslation();
  return <Tag>{t(`surveys.type.${type}`)}</Tag>;
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value}%`;
}
