import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { makeQueryClient } from '../App';
import CampaignSendsPanel, { progressPercent, sendBody } from '../pages/marketing/CampaignSendsPanel';
import type { Send } from '../pages/marketing/CampaignSendsPanel';
import { json, mockApi } from './harness';

afterEach(() => vi.unstubAllGlobals());

const CAMPAIGN = '00000000-0000-4000-8000-0000000000c1';
const TEMPLATE = '00000000-0000-4000-8000-0000000000t1';

function send(overrides: Partial<Send>): Send {
  return {
    id: '00000000-0000-4000-8000-0000000000s1',
    campaign_id: CAMPAIGN,
    template_id: TEMPLATE,
    channel: 'email',
    audience: 'members',
    segment_id: null,
    member_statuses: null,
    locale: null,
    status: 'sending',
    scheduled_at: '2026-12-07T10:00:00Z',
    rate_per_minute: null,
    queued: 60,
    sent: 35,
    failed: 5,
    skipped: 7,
    skipped_reasons: { no_consent: 4, duplicate: 3 },
    started_at: '2026-12-07T10:00:01Z',
    completed_at: null,
    error: null,
    owner_id: '00000000-0000-4000-8000-000000000001',
    created_at: '2026-12-07T09:59:00Z',
    updated_at: '2026-12-07T10:01:00Z',
    version: 3,
    ...overrides,
  };
}

function renderPanel(lang = 'en') {
  void i18n.changeLanguage(lang);
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <ConfigProvider>
        <AntApp>
          <MemoryRouter>
            <CampaignSendsPanel campaignId={CAMPAIGN} />
          </MemoryRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>,
  );
}

describe('send progress', () => {
  it('is what has an outcome over what will have one', () => {
    expect(progressPercent(send({}))).toBe(40);
    expect(progressPercent(send({ queued: 0, sent: 0, failed: 0, status: 'completed' }))).toBe(100);
    expect(progressPercent(send({ queued: 0, sent: 0, failed: 0, status: 'scheduled' }))).toBe(0);
  });

  it('builds the request from the form: members by status, or a segment, locale only when fixed', () => {
    expect(sendBody({ template_id: 't', audience: 'members', member_statuses: ['opened'], locale: 'recipient' })).toEqual({
      template_id: 't',
      audience: 'members',
      member_statuses: ['opened'],
    });
    expect(
      sendBody({ template_id: 't', audience: 'segment', segment_id: 's', member_statuses: ['sent'], locale: 'zh-CN', rate_per_minute: 60 }),
    ).toEqual({ template_id: 't', audience: 'segment', segment_id: 's', locale: 'zh-CN', rate_per_minute: 60 });
  });
});

describe('CampaignSendsPanel', () => {
  it('lists the sends with their progress and cancels a running one', async () => {
    let cancelled = false;
    const calls = mockApi((url, request) => {
      if (url.pathname === `/api/v1/campaigns/${CAMPAIGN}/sends` && request.method === 'GET') {
        return json(200, { items: [send(cancelled ? { status: 'cancelled' } : {})] });
      }
      if (url.pathname.endsWith('/cancel')) {
        cancelled = true;
        expect(request.headers.get('Idempotency-Key')).toBeTruthy();
        return json(200, send({ status: 'cancelled' }));
      }
      return json(404, {});
    });
    renderPanel();
    expect(await screen.findByText('Sending')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: '35 of 100 sent' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel send' }));
    await waitFor(() => expect(calls).toContain(`POST /api/v1/sends/00000000-0000-4000-8000-0000000000s1/cancel`));
    expect(await screen.findByText('Cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel send' })).toBeNull();
  });

  it('schedules a new send to the campaign members (in Chinese)', async () => {
    let posted: unknown = null;
    mockApi(async (url, request) => {
      if (url.pathname === `/api/v1/campaigns/${CAMPAIGN}/sends` && request.method === 'POST') {
        posted = await request.json();
        return json(201, send({ status: 'scheduled', sent: 0, failed: 0, queued: 0, skipped: 0, skipped_reasons: {} }));
      }
      if (url.pathname === `/api/v1/campaigns/${CAMPAIGN}/sends`)
        return json(200, { items: posted ? [send({ status: 'scheduled' })] : [] });
      if (url.pathname === '/api/v1/message-templates') {
        return json(200, { items: [{ id: TEMPLATE, name: '邀请函', channel: 'email' }], next_cursor: null });
      }
      return json(404, {});
    });
    renderPanel('zh-CN');
    expect(await screen.findByText('暂无发送')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: '新建发送' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('消息模板'));
    await userEvent.click(await screen.findByText('邀请函 (电子邮件)'));
    await userEvent.click(within(dialog).getByRole('button', { name: /安排发送/ }));
    await waitFor(() => expect(posted).toEqual({ template_id: TEMPLATE, audience: 'members' }));
    expect(await screen.findByText('已安排')).toBeTruthy();
  });
});
