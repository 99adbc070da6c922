import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { contentBody } from '../pages/marketing/TemplateEditorPage';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const MARKETER = {
  ...ME,
  permissions: ['message_templates:read', 'message_templates:create', 'message_templates:update', 'contacts:read', 'leads:read'],
};
const VARIABLES = {
  items: [
    {
      name: 'contact',
      label_en: 'Recipient (contact or lead)',
      label_zh: '收件人',
      fields: [{ path: 'contact.name', label_en: 'Name', label_zh: '名称' }],
    },
  ],
  filters: ['default'],
  sample: { contact: { name: '张伟' } },
};

type Body = { channel: string; locale?: string; content: Record<string, Record<string, string>>; name?: string };

/** A server that renders `{{ contact.name }}` as 张伟 and refuses `{{ contact.nope }}` like the real one. */
function server(saved: Body[], previews: Body[]) {
  return mockApi(async (url, request) => {
    if (url.pathname === '/api/v1/auth/refresh')
      return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
    if (url.pathname === '/api/v1/auth/me') return json(200, MARKETER);
    if (url.pathname === '/api/v1/notifications/unread-count') return json(200, { unread: 0 });
    if (url.pathname === '/api/v1/message-templates/variables') return json(200, VARIABLES);
    if (url.pathname === '/api/v1/message-templates/preview') {
      const body = (await request.clone().json()) as Body;
      previews.push(body);
      const locale = body.locale && body.content[body.locale] ? body.locale : Object.keys(body.content)[0];
      const parts = body.content[locale];
      const bad = Object.entries(parts).find(([, v]) => v.includes('contact.nope'));
      if (bad)
        return json(422, {
          status: 422,
          title: 'Validation failed',
          detail: 'x',
          errors: [{ field: `content.${locale}.${bad[0]}`, message: 'line 1: unknown variable contact.nope' }],
        });
      const fill = (s?: string) => (s == null ? null : s.replace(/\{\{ contact\.name \}\}/g, '张伟'));
      return json(200, {
        channel: body.channel,
        locale,
        subject: fill(parts.subject),
        html: fill(parts.html),
        text: fill(parts.text) ?? '',
        sms_length: null,
        missing: [],
        sample: true,
      });
    }
    if (url.pathname === '/api/v1/message-templates' && request.method === 'POST') {
      const body = (await request.clone().json()) as Body;
      saved.push(body);
      if (JSON.stringify(body).includes('contact.nope'))
        return json(422, {
          status: 422,
          title: 'Validation failed',
          detail: 'content.en.subject: line 1: unknown variable contact.nope',
          errors: [{ field: 'content.en.subject', message: 'line 1: unknown variable contact.nope' }],
        });
      return json(201, {
        id: 'tpl1',
        name: body.name,
        channel: body.channel,
        description: null,
        default_locale: 'zh-CN',
        content: body.content,
        variables: ['contact.name'],
        sms_length: null,
        created_at: '2026-12-07T00:00:00Z',
        updated_at: '2026-12-07T00:00:00Z',
        created_by: null,
        updated_by: null,
        version: 1,
      });
    }
    if (url.pathname === '/api/v1/message-templates/tpl1') return json(404, { status: 404, title: 'Not found' });
    return json(404, { status: 404, title: 'Not found' });
  });
}

describe('the message template editor', () => {
  it('previews both languages side by side as the writer types, then saves', async () => {
    const saved: Body[] = [];
    const previews: Body[] = [];
    server(saved, previews);
    const user = userEvent.setup();
    render(renderApp('/marketing/templates/new'));
    await user.type(await screen.findByTestId('template-name'), 'Launch');
    await user.type(screen.getByTestId('template-zh-CN-subject'), '诚邀{{{{ contact.name }}');
    await user.type(screen.getByTestId('template-zh-CN-text'), '您好');
    // English is written too, on its own tab.
    await user.click(screen.getByRole('tab', { name: 'English' }));
    await user.type(screen.getByTestId('template-en-subject'), 'Hello {{{{ contact.name }}');
    await user.type(screen.getByTestId('template-en-text'), 'Hi');

    const written = {
      'zh-CN': { subject: '诚邀{{ contact.name }}', text: '您好' },
      en: { subject: 'Hello {{ contact.name }}', text: 'Hi' },
    };
    // After a pause in typing: one preview per language, each asking for its own.
    await waitFor(() =>
      expect(previews.slice(-2).map((p) => [p.locale, p.content])).toEqual([
        ['zh-CN', written],
        ['en', written],
      ]),
    );
    await waitFor(() => expect(screen.getByTestId('preview-subject-zh-CN')).toHaveTextContent('诚邀张伟'));
    expect(screen.getByTestId('preview-text-zh-CN')).toHaveTextContent('您好');
    await waitFor(() => expect(screen.getByTestId('preview-subject-en')).toHaveTextContent('Hello 张伟'));

    await user.click(screen.getByTestId('save-template'));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toMatchObject({ name: 'Launch', channel: 'email', default_locale: 'zh-CN' });
    expect(saved[0].content).toEqual(written);
  });

  it('shows a template mistake on the field it is in, and in the preview', async () => {
    const saved: Body[] = [];
    server(saved, []);
    const user = userEvent.setup();
    render(renderApp('/marketing/templates/new'));
    await user.type(await screen.findByTestId('template-name'), 'Broken');
    await user.click(screen.getByRole('tab', { name: 'English' }));
    await user.type(screen.getByTestId('template-en-subject'), 'Hi {{{{ contact.nope }}');
    await user.type(screen.getByTestId('template-en-text'), 'x');
    const pane = await screen.findByTestId('preview-en');
    expect(await within(pane).findByText(/content\.en\.subject: line 1: unknown variable contact\.nope/)).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: '中文' }));
    await user.click(screen.getByTestId('save-template'));
    await waitFor(() => expect(saved).toHaveLength(1));
    // The error lands on the English subject, and the English tab opens to show it.
    expect(await screen.findByText('line 1: unknown variable contact.nope')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'English' })).toHaveAttribute('aria-selected', 'true');
  });
});

describe('contentBody', () => {
  it('leaves out blank parts and languages, and what the channel has not', () => {
    expect(contentBody('sms', { 'zh-CN': { subject: 'x', text: '您好' }, en: { text: '  ' } })).toEqual({ 'zh-CN': { text: '您好' } });
    expect(contentBody('email', { en: { subject: 'S', html: '', text: 'T' } })).toEqual({ en: { subject: 'S', text: 'T' } });
    expect(contentBody('email', undefined)).toEqual({});
  });
});
