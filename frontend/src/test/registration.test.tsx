import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { json, mockApi, renderApp } from './harness';

afterEach(() => {
  vi.unstubAllGlobals();
  void i18n.changeLanguage('en');
});

const PAGE = '/api/v1/public/campaigns/ev_key123456';
const EVENT = {
  key: 'ev_key123456',
  name: 'AI Summit',
  description: 'Annual',
  type: 'event',
  starts_on: '2027-03-01',
  ends_on: null,
  state: 'open',
  waitlist: false,
  capacity: 100,
  seats_left: 40,
  sessions: [
    {
      id: 's1',
      name: 'Day 1',
      starts_at: '2027-03-01T01:00:00Z',
      ends_at: null,
      location: 'Hall A',
      online_url: null,
      capacity: 2,
      seats_left: 0,
      full: true,
    },
    {
      id: 's2',
      name: 'Day 2',
      starts_at: '2027-03-02T01:00:00Z',
      ends_at: null,
      location: 'Hall B',
      online_url: null,
      capacity: null,
      seats_left: 40,
      full: false,
    },
  ],
  fields: [{ key: 'diet', label: { 'zh-CN': '饮食', en: 'Diet' }, type: 'text', required: true, options: [] }],
  consents: [{ key: 'terms', channel: 'email', text: { 'zh-CN': '我同意条款', en: 'I accept the terms' }, required: true }],
};

describe('the public registration page', () => {
  it('shows sessions and seats, sends the registration in the reader language and shows the code', async () => {
    const sent: { body: unknown; language: string | null }[] = [];
    mockApi(async (url, request) => {
      if (url.pathname === PAGE) return json(200, EVENT);
      if (url.pathname === `${PAGE}/registrations`) {
        const body = await request.json();
        sent.push({ body, language: request.headers.get('accept-language') });
        if (sent.length === 1)
          return json(422, {
            status: 422,
            title: 'Validation failed',
            detail: 'The registration has invalid fields',
            errors: [{ field: 'email', message: 'is not a valid e-mail address' }],
          });
        return json(200, {
          status: 'registered',
          check_in_code: 'ABCD2345',
          message: 'See you there!',
          language: 'en',
          already_registered: false,
        });
      }
      return json(401, { status: 401 });
    });
    const user = userEvent.setup();
    render(renderApp('/e/ev_key123456'));
    expect(await screen.findByTestId('event-name')).toHaveTextContent('AI Summit');
    expect(screen.getByText('Full: waiting list')).toBeInTheDocument();
    expect(screen.getByText('40 seats left')).toBeInTheDocument();
    // Day 1 is full: choosing it offers the waiting list.
    await user.click(screen.getByText('Day 1'));
    expect(screen.getByTestId('registration-submit')).toHaveTextContent('Join the waiting list');
    await user.click(screen.getByText('Day 2'));
    expect(screen.getByTestId('registration-submit')).toHaveTextContent('Register');
    await user.type(screen.getByTestId('reg-name'), 'Li Na');
    await user.type(screen.getByTestId('reg-email'), 'li.na@example.com');
    await user.type(screen.getByTestId('answer-diet'), 'vegetarian');
    await user.click(screen.getByTestId('consent-terms'));
    await user.click(screen.getByTestId('registration-submit'));
    // The server's field error lands on the field.
    expect(await screen.findByText('is not a valid e-mail address')).toBeInTheDocument();
    await user.click(screen.getByTestId('registration-submit'));
    expect(await screen.findByTestId('checkin-code')).toHaveTextContent('ABCD2345');
    expect(screen.getByText('See you there!')).toBeInTheDocument();
    expect(sent[1]).toEqual({
      language: 'en',
      body: {
        name: 'Li Na',
        email: 'li.na@example.com',
        phone: null,
        company: null,
        session_id: 's2',
        answers: { diet: 'vegetarian' },
        consents: { terms: true },
        website: null,
      },
    });
  });

  it('switches to Chinese', async () => {
    mockApi((url) => (url.pathname === PAGE ? json(200, EVENT) : json(404, { status: 404, title: 'Not found' })));
    const user = userEvent.setup();
    render(renderApp('/e/ev_key123456'));
    await screen.findByTestId('event-name');
    await user.click(screen.getByTestId('language-switch'));
    expect(await screen.findByText('饮食')).toBeInTheDocument();
    expect(screen.getByText('我同意条款')).toBeInTheDocument();
    expect(screen.getByTestId('registration-submit')).toHaveTextContent('立即报名');
  });

  it('answers 404 with a plain message', async () => {
    mockApi(() => json(404, { status: 404, title: 'Not found' }));
    render(renderApp('/e/ev_nosuchkey00'));
    await waitFor(() => expect(screen.getByTestId('event-missing')).toBeInTheDocument());
    expect(screen.getByText('There is no such event, or it takes no registrations.')).toBeInTheDocument();
  });
});
