import { describe, expect, it } from 'vitest';
import { changedBody, cleanValue, createBody } from './formBody';

describe('cleanValue', () => {
  it('trims text and turns blanks into null', () => {
    expect(cleanValue('  Acme ')).toBe('Acme');
    expect(cleanValue('   ')).toBeNull();
    expect(cleanValue(undefined)).toBeNull();
    expect(cleanValue(0)).toBe(0);
  });
});

describe('createBody', () => {
  it('leaves out blanks and empty lists, keeps the rest', () => {
    const body = createBody({ name: ' Acme ', phone: '', tags: [], level: 'A', email: undefined }, [
      'name',
      'phone',
      'tags',
      'level',
      'email',
    ]);
    expect(body).toEqual({ name: 'Acme', level: 'A' });
  });

  it('sends the filled custom fields, an empty object when none', () => {
    expect(createBody({ name: 'A', custom_fields: { size: 3, note: '' } }, ['name'], { customFields: true })).toEqual({
      name: 'A',
      custom_fields: { size: 3 },
    });
    expect(createBody({ name: 'A' }, ['name'], { customFields: true })).toEqual({ name: 'A', custom_fields: {} });
  });

  it('uses the page cleaner per key', () => {
    const body = createBody({ flag: undefined, name: 'x' }, ['flag', 'name'], {
      clean: (key, v) => (key === 'flag' ? !!v : cleanValue(v)),
    });
    expect(body).toEqual({ flag: false, name: 'x' });
  });
});

describe('changedBody', () => {
  const current = { name: 'Acme', phone: null, tags: ['vip'], custom_fields: { size: 3 } };

  it('sends only what changed; a cleared list as []', () => {
    expect(changedBody({ name: 'Acme ', phone: '123', tags: [] }, current, ['name', 'phone', 'tags'])).toEqual({ phone: '123', tags: [] });
    expect(changedBody({ name: 'Acme', phone: '', tags: undefined }, current, ['name', 'phone', 'tags'])).toEqual({ tags: [] });
  });

  it('cleared: null for a field that is not a list', () => {
    expect(changedBody({ name: 'Acme', phone: '' }, { ...current, phone: '1' }, ['name', 'phone'])).toEqual({ phone: null });
  });

  it('skips keys not asked for, and adds changed custom fields only', () => {
    expect(
      changedBody<'name' | 'phone'>({ name: 'Other', phone: null, custom_fields: { size: 3 } }, current, ['phone'], { customFields: true }),
    ).toEqual({});
    expect(changedBody({ custom_fields: { size: 4 } }, current, [], { customFields: true })).toEqual({ custom_fields: { size: 4 } });
  });
});
