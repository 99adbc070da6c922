import { describe, expect, it } from 'vitest';
import { customFieldsBody } from './CustomFieldInput';

describe('customFieldsBody', () => {
  it('drops empty values on create', () => {
    expect(customFieldsBody({ a: '', b: 3, c: [], d: null, e: false }, undefined, 'create')).toEqual({ b: 3, e: false });
  });

  it('sends only changes on update, null for a removed value', () => {
    const before = { a: 'x', b: 3, c: ['p'] };
    expect(customFieldsBody({ a: 'x', b: 4, c: [], d: undefined }, before, 'update')).toEqual({ b: 4, c: null });
  });
});
