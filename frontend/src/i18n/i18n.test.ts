import { describe, expect, it } from 'vitest';
import en from './en';
import zhCN from './zh-CN';
import { normalizeLanguage } from './index';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
}

describe('translations', () => {
  it('zh-CN has exactly the keys of en', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it('every message keeps its placeholders and is not empty', () => {
    const lookup = (tree: unknown, key: string) =>
      key.split('.').reduce((node: unknown, part) => (node as Record<string, unknown>)[part], tree) as string;
    for (const key of keys(en)) {
      const a = lookup(en, key);
      const b = lookup(zhCN, key);
      expect(b.length, key).toBeGreaterThan(0);
      expect(placeholders(b), key).toEqual(placeholders(a));
    }
  });

  it('maps browser languages to the two we ship', () => {
    expect(normalizeLanguage('zh-CN')).toBe('zh-CN');
    expect(normalizeLanguage('zh')).toBe('zh-CN');
    expect(normalizeLanguage('zh-TW')).toBe('zh-CN');
    expect(normalizeLanguage('en-GB')).toBe('en');
    expect(normalizeLanguage('de')).toBe('en');
    expect(normalizeLanguage(undefined)).toBe('en');
  });
});
