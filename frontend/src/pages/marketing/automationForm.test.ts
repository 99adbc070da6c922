import { describe, expect, it } from 'vitest';
import { audienceOf, fromTree, parseValue, toBody, toForm, type Automation, type FieldSpec } from './automationForm';

const fields: FieldSpec[] = [
  { name: 'score', kind: 'number', label: 'Score', operators: ['gt', 'in'], choices: [] },
  { name: 'source', kind: 'choice', label: 'Source', operators: ['eq', 'in'], choices: ['event', 'web_form'] },
  { name: 'tags', kind: 'tags', label: 'Tags', operators: ['has_any'], choices: [] },
];
const kinds = [
  { type: 'add_tag', label_en: 'Add a tag', label_zh: '添加标签', params: [{ name: 'tag', type: 'text' as const, required: true }] },
  {
    type: 'create_task',
    label_en: 'Create a task',
    label_zh: '创建任务',
    params: [
      { name: 'subject', type: 'text' as const, required: true },
      { name: 'due_in_days', type: 'int' as const, required: false },
    ],
  },
];

describe('automation form', () => {
  it('types values by field kind and operator', () => {
    expect(parseValue('number', 'gt', ' 40 ')).toBe(40);
    expect(parseValue('number', 'in', '1, 2,3')).toEqual([1, 2, 3]);
    expect(parseValue('tags', 'has_any', 'vip, hot')).toEqual(['vip', 'hot']);
    expect(parseValue('text', 'is_null', 'false')).toBe(false);
    expect(parseValue('datetime', 'within_last_days', '7')).toBe(7);
  });

  it('builds the API body: one group, only the action kind’s parameters, numbers as numbers', () => {
    const body = toBody(
      {
        name: 'Welcome',
        trigger: 'lead.created',
        match: 'or',
        conditions: [{ field: 'score', op: 'gt', value: '40' }, { field: 'source', op: 'eq', value: 'event' }, {}],
        actions: [
          { type: 'create_task', subject: 'Call', due_in_days: '2', tag: 'stray' },
          { type: 'add_tag', tag: 'nurture' },
        ],
        delay_amount: 1,
        delay_unit: 'hours',
        status: 'active',
      },
      fields,
      kinds,
    );
    expect(body.conditions).toEqual({
      op: 'or',
      conditions: [
        { field: 'score', op: 'gt', value: 40 },
        { field: 'source', op: 'eq', value: 'event' },
      ],
    });
    expect(body.actions).toEqual([
      { type: 'create_task', subject: 'Call', due_in_days: 2 },
      { type: 'add_tag', tag: 'nurture' },
    ]);
    expect(body.description).toBeNull();
  });

  it('reads a stored rule back into the form, and refuses nested groups it cannot show', () => {
    const rule = {
      id: '1',
      name: 'R',
      description: null,
      trigger: 'lead.created',
      conditions: { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: ['vip', 'hot'] }] },
      actions: [{ type: 'add_tag', tag: 'x' }],
      delay_amount: 0,
      delay_unit: 'minutes',
      status: 'paused',
    } as unknown as Automation;
    const form = toForm(rule);
    expect(form.conditions).toEqual([{ field: 'tags', op: 'has_any', value: 'vip, hot' }]);
    expect(form.status).toBe('paused');
    expect(fromTree({ op: 'and', conditions: [{ op: 'or', conditions: [] }] })).toBeNull();
  });

  it('picks the audience of the trigger’s record kinds', () => {
    expect(audienceOf(['lead'])).toBe('leads');
    expect(audienceOf(['contact'])).toBe('contacts');
    expect(audienceOf(['contact', 'lead'])).toBe('both');
  });
});
