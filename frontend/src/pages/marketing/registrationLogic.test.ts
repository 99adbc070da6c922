import { describe, expect, it } from 'vitest';
import { editorValues, goesToWaitlist, registrationBody, settingsBody, textIn, type PublicEvent } from './registrationLogic';

const session = (id: string, full = false) => ({
  id,
  name: id,
  starts_at: '2027-03-01T01:00:00Z',
  ends_at: null,
  location: null,
  online_url: null,
  capacity: 10,
  seats_left: full ? 0 : 3,
  full,
});

const event = (over: Partial<PublicEvent> = {}): PublicEvent => ({
  key: 'ev_x',
  name: 'Summit',
  description: null,
  type: 'event',
  starts_on: null,
  ends_on: null,
  state: 'open',
  waitlist: false,
  capacity: null,
  seats_left: null,
  sessions: [session('s1')],
  fields: [
    { key: 'diet', label: { en: 'Diet' }, type: 'select', required: true, options: ['any'] },
    { key: 'parking', label: { en: 'Parking' }, type: 'checkbox', required: false, options: [] },
    { key: 'note', label: { en: 'Note' }, type: 'text', required: false, options: [] },
  ],
  consents: [{ key: 'terms', channel: 'email', text: { en: 'Terms' }, required: true }],
  ...over,
});

describe('registration helpers', () => {
  it('picks the reader language, else the other', () => {
    expect(textIn({ 'zh-CN': '饮食', en: 'Diet' }, 'zh-CN')).toBe('饮食');
    expect(textIn({ en: 'Diet' }, 'zh-CN')).toBe('Diet');
    expect(textIn({ 'zh-CN': '饮食' }, 'en')).toBe('饮食');
    expect(textIn(undefined, 'en')).toBe('');
  });

  it('builds the body: blanks dropped, the only session chosen, every consent as a boolean', () => {
    const body = registrationBody(event(), {
      name: '  Li Na ',
      email: '',
      phone: '139 1122 3344',
      answers: { diet: 'any', note: '   ' },
      consents: {},
    });
    expect(body).toEqual({
      name: 'Li Na',
      email: null,
      phone: '139 1122 3344',
      company: null,
      session_id: 's1',
      answers: { diet: 'any', parking: false },
      consents: { terms: false },
      website: null,
    });
  });

  it('leaves the session to choose when there are several', () => {
    const body = registrationBody(event({ sessions: [session('a'), session('b')] }), { name: 'x' });
    expect(body.session_id).toBeNull();
  });

  it('knows when a registration lands on the waiting list', () => {
    expect(goesToWaitlist(event({ state: 'full' }), undefined)).toBe(true);
    const two = event({ sessions: [session('a', true), session('b')] });
    expect(goesToWaitlist(two, 'a')).toBe(true);
    expect(goesToWaitlist(two, 'b')).toBe(false);
  });

  it('turns the editor into the PUT body and back', () => {
    const body = settingsBody({
      open: true,
      capacity: 100,
      confirmation_zh: '见！',
      confirmation_en: '',
      fields: [{ key: 'diet', label_zh: '饮食', label_en: 'Diet', type: 'select', required: true, options: [' any ', ''] }],
      consents: [{ key: 'terms', channel: 'sms', text_zh: '同意', required: false }],
    });
    expect(body).toEqual({
      open: true,
      capacity: 100,
      confirmation: { 'zh-CN': '见！' },
      fields: [{ key: 'diet', label: { 'zh-CN': '饮食', en: 'Diet' }, type: 'select', required: true, options: ['any'] }],
      consents: [{ key: 'terms', channel: 'sms', text: { 'zh-CN': '同意' }, required: false }],
    });
    const back = editorValues({
      campaign_id: 'c',
      open: true,
      page_live: true,
      public_key: 'ev_x',
      public_url: 'http://x/e/ev_x',
      fields: body.fields!.map((f) => ({ ...f, required: !!f.required, options: f.options ?? [] })) as never,
      consents: body.consents!.map((c) => ({ ...c, required: !!c.required })) as never,
      capacity: 100,
      confirmation: { 'zh-CN': '见！' },
      sessions: [],
      registered: 0,
      waitlisted: 0,
      cancelled: 0,
      attended: 0,
      version: 3,
    });
    expect(back.fields?.[0]).toMatchObject({ key: 'diet', label_zh: '饮食', label_en: 'Diet', options: ['any'] });
    expect(back.confirmation_en).toBe('');
  });
});
