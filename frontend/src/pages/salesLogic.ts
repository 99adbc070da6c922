// The selling screens' arithmetic, without React: money as exact decimals, line-item totals as the
// API computes them, forecast periods, and the board's optimistic move.
import type { components } from '../api/schema';

export type Opportunity = components['schemas']['OpportunityOut'];
export type Board = components['schemas']['BoardOut'];
export type BoardColumn = components['schemas']['BoardColumnOut'];
export type BoardCard = components['schemas']['BoardCardOut'];
export type Stage = components['schemas']['StageOut'];

// -- money: decimal strings <-> cents as BigInt (never floats) ------------------------------

const SCALE = 4; // quantities, prices and percentages are read to 4 decimals

/** "12.5" -> 125000n at 4 decimals; null for anything that is not a plain decimal. */
export function toScaled(value: string | number | null | undefined, scale = SCALE): bigint | null {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value).trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) return null;
  const [, sign, whole, frac = ''] = match;
  const digits = BigInt((whole || '0') + frac.padEnd(scale, '0').slice(0, scale));
  return sign === '-' ? -digits : digits;
}

/** cents -> "1234.50" */
export function centsToString(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

export function toCents(value: string | number | null | undefined): bigint {
  const scaled = toScaled(value, 4);
  if (scaled === null) return 0n;
  // round half up (away from zero) from 4 decimals to 2
  const sign = scaled < 0n ? -1n : 1n;
  return (sign * (sign * scaled + 50n)) / 100n;
}

export function addMoney(...values: (string | number | null | undefined)[]): string {
  return centsToString(values.reduce<bigint>((sum, v) => sum + toCents(v), 0n));
}

/** amount x probability / 100, to the cent (half up). */
export function weighted(amount: string | number, probability: number): string {
  const cents = toCents(amount) * BigInt(Math.round(probability));
  const sign = cents < 0n ? -1n : 1n;
  return centsToString((sign * (sign * cents + 50n)) / 100n);
}

export interface LineInput {
  quantity?: string | number | null;
  unit_price?: string | number | null;
  discount_percent?: string | number | null;
}

/** quantity x unit price x (100 - discount) / 100, rounded half up to the cent, as the API does. */
export function lineTotal(line: LineInput): string | null {
  const q = toScaled(line.quantity ?? null);
  const p = toScaled(line.unit_price ?? null);
  const d = toScaled(line.discount_percent ?? 0) ?? 0n;
  if (q === null || p === null) return null;
  const numerator = q * p * (100n * 10n ** 4n - d); // scaled by 10^12 * 100
  const unit = 10n ** 12n; // -> cents: divide by 10^14 / 100
  const sign = numerator < 0n ? -1n : 1n;
  return centsToString((sign * (sign * numerator + unit / 2n)) / unit);
}

export function linesTotal(lines: LineInput[]): string {
  return addMoney(...lines.map((l) => lineTotal(l) ?? '0'));
}

export function formatMoney(value: string | number | null | undefined, currency: string | undefined, language: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  try {
    return new Intl.NumberFormat(language, {
      style: currency ? 'currency' : 'decimal',
      currency: currency || undefined,
      maximumFractionDigits: 2,
    }).format(n);
  } catch {
    return `${n.toFixed(2)}${currency ? ` ${currency}` : ''}`;
  }
}

// -- forecast periods --------------------------------------------------------------------------

export type PeriodKind = 'month' | 'quarter' | 'year';
export interface Period {
  kind: PeriodKind;
  year: number;
  /** month 1-12, quarter 1-4, or 0 for a year */
  index: number;
}

/** "2026-11", "2026-Q4", "2026" -> a Period; null when it is none of those. */
export function parsePeriod(text: string | null | undefined): Period | null {
  const s = (text ?? '').trim().toUpperCase();
  let m = /^(\d{4})$/.exec(s);
  if (m) return { kind: 'year', year: Number(m[1]), index: 0 };
  m = /^(\d{4})-Q([1-4])$/.exec(s);
  if (m) return { kind: 'quarter', year: Number(m[1]), index: Number(m[2]) };
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(s);
  if (m) return { kind: 'month', year: Number(m[1]), index: Number(m[2]) };
  return null;
}

export function formatPeriod(p: Period): string {
  if (p.kind === 'year') return String(p.year);
  if (p.kind === 'quarter') return `${p.year}-Q${p.index}`;
  return `${p.year}-${String(p.index).padStart(2, '0')}`;
}

export function periodOf(kind: PeriodKind, day: Date): Period {
  const year = day.getFullYear();
  const month = day.getMonth() + 1;
  if (kind === 'year') return { kind, year, index: 0 };
  if (kind === 'quarter') return { kind, year, index: Math.ceil(month / 3) };
  return { kind, year, index: month };
}

/** The period `steps` periods later (negative: earlier). */
export function shiftPeriod(p: Period, steps: number): Period {
  if (p.kind === 'year') return { ...p, year: p.year + steps };
  const per = p.kind === 'quarter' ? 4 : 12;
  const flat = p.year * per + (p.index - 1) + steps;
  return { kind: p.kind, year: Math.floor(flat / per), index: (((flat % per) + per) % per) + 1 };
}

/** A target's period (kind + first day) as the API's period text. */
export function periodFromStart(kind: PeriodKind, start: string): string {
  const [y, m] = start.split('-').map(Number);
  return formatPeriod(periodOf(kind, new Date(y, m - 1, 1)));
}

// -- the board ---------------------------------------------------------------------------------

/** The deal has been in an open stage longer than the stage's rotting days. */
export function isRotting(card: Pick<Opportunity, 'stage_entered_at'>, stage: Pick<Stage, 'kind' | 'rotting_days'>, now = new Date()) {
  if (stage.kind !== 'open' || stage.rotting_days == null) return false;
  return now.getTime() - new Date(card.stage_entered_at).getTime() > stage.rotting_days * 86400_000;
}

/**
 * The board as it will be once `cardId` is in `toStageId`: out of its column (count, sum and
 * weighted sum less), at the top of the target column (more, weighted at that stage's
 * probability). The same board when the card or the stage is not there.
 */
export function moveCard(board: Board, cardId: string, toStageId: string): Board {
  const from = board.columns.find((c) => c.cards.some((card) => card.id === cardId));
  const to = board.columns.find((c) => c.stage_id === toStageId);
  if (!from || !to || from === to) return board;
  const card = from.cards.find((c) => c.id === cardId)!;
  const moved: BoardCard = { ...card, stage_id: to.stage_id, probability: to.probability };
  return {
    ...board,
    columns: board.columns.map((column) => {
      if (column === from)
        return {
          ...column,
          count: Math.max(0, column.count - 1),
          amount: addMoney(column.amount, `-${card.amount}`),
          weighted_amount: addMoney(column.weighted_amount, `-${weighted(card.amount, card.probability)}`),
          cards: column.cards.filter((c) => c.id !== cardId),
        };
      if (column === to)
        return {
          ...column,
          count: column.count + 1,
          amount: addMoney(column.amount, card.amount),
          weighted_amount: addMoney(column.weighted_amount, weighted(card.amount, to.probability)),
          cards: [moved, ...column.cards],
        };
      return column;
    }),
  };
}

/** The fields a stage requires that the deal lacks (as the API judges them). */
export function missingFields(deal: Opportunity, stage: Pick<Stage, 'required_fields'>): string[] {
  return stage.required_fields.filter((name) => {
    const value = name.startsWith('custom.') ? deal.custom_fields[name.slice(7)] : (deal as unknown as Record<string, unknown>)[name];
    if (name === 'amount') return !value || toCents(value as string) === 0n;
    return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  });
}
