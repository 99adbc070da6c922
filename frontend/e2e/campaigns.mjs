// Campaigns in the browser: a marketer creates an event, adds a session and a member, moves the
// member forward, and the funnel counts it. (E2E_ONLY=campaigns runs only these.)
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';
const demo = (who) => `${who}@demo.example.com`;

async function apiAs(ctx, who) {
  const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo(who), password: PASSWORD }),
  });
  assert.equal(r.status, 200, `login ${who}`);
  const { access_token } = await r.json();
  return async (path, init = {}) => {
    const res = await fetch(`${ctx.base}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

async function signedIn(ctx, who) {
  const context = await ctx.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(demo(who));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
  return { context, page };
}

async function shot(ctx, page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(ctx.shots, `${name}.png`) });
}

export const campaignTests = [
  {
    name: 'campaigns: a marketer creates an event, adds a session and a member, marks the member responded, and the funnel counts it',
    async run(ctx) {
      const api = await apiAs(ctx, 'marketer');
      const stamp = Date.now();
      const name = `E2E 客户沙龙 ${stamp}`;
      // a contact of the demo book to add (the marketer reads every contact)
      const contacts = await api('/api/v1/contacts?limit=1&sort=name');
      assert.equal(contacts.status, 200);
      const contact = contacts.body.items[0];

      const { page, context } = await signedIn(ctx, 'marketer');
      await page.getByTestId('main-nav').getByText('Campaigns', { exact: true }).click();
      await page.waitForURL('**/campaigns');
      await page.getByTestId('campaigns-table').locator('tbody tr.ant-table-row').first().waitFor();

      // 1. create: the dialog, then the campaign's page
      await page.getByTestId('new-campaign').click();
      const form = page.getByTestId('campaign-form');
      await form.getByTestId('campaign-name').fill(name);
      await form.getByLabel('Budget').fill('12000');
      await page.getByTestId('campaign-save').click();
      await page.getByRole('heading', { name }).waitFor();
      await page.getByTestId('campaign-status').filter({ hasText: 'Draft' }).waitFor();
      const id = page.url().split('/').pop();
      await page.getByTestId('campaign-move-scheduled').click();
      await page.getByTestId('campaign-status').filter({ hasText: 'Scheduled' }).waitFor();

      // 2. a session
      await page.getByRole('tab', { name: 'Sessions' }).click();
      await page.getByTestId('add-session').click();
      const sessionForm = page.getByTestId('session-form');
      await sessionForm.getByTestId('session-name').fill('上午场 Morning');
      const times = sessionForm.locator('.ant-picker-range input');
      await times.nth(0).click();
      await times.nth(0).fill('2027-01-15 09:00');
      await times.nth(0).press('Enter');
      await times.nth(1).fill('2027-01-15 12:00');
      await times.nth(1).press('Enter');
      await sessionForm.getByTestId('session-location').fill('上海国际会议中心');
      await sessionForm.getByLabel('Capacity').fill('80');
      await page.getByTestId('session-save').click();
      await page.getByTestId('sessions-table').getByText('上午场 Morning').waitFor();

      // 3. a member, found by name in the dialog
      await page.getByRole('tab', { name: 'Members' }).click();
      await page.getByTestId('add-members').click();
      await page.getByTestId('member-picker-search').locator('input').fill(contact.name);
      await page.getByTestId('member-picker-search').locator('input').press('Enter');
      const row = page.getByTestId('pick-contacts').locator('tbody tr.ant-table-row', { hasText: contact.name }).first();
      await row.locator('input[type="checkbox"]').check();
      await page.getByTestId('add-members-confirm').click();
      const memberRow = page.getByTestId('members-table').locator('tbody tr.ant-table-row', { hasText: contact.name });
      await memberRow.waitFor();
      await memberRow.getByText('Targeted').waitFor();

      // 4. moved forward by hand
      await memberRow.getByTestId('member-move').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Responded"]').click();
      await memberRow.getByText('Responded').waitFor();
      await shot(ctx, page, 'campaign-members');

      // 5. the funnel counts the member on every step up to responded
      await page.getByRole('tab', { name: 'Funnel' }).click();
      await page.getByTestId('funnel-chart').waitFor();
      await page.getByTestId('funnel-total').filter({ hasText: '1 members' }).waitFor();
      await shot(ctx, page, 'campaign-funnel');
      await context.close();

      const sessions = await api(`/api/v1/campaigns/${id}/sessions`);
      assert.equal(sessions.body.items.length, 1);
      assert.equal(sessions.body.items[0].capacity, 80);
      const members = await api(`/api/v1/campaigns/${id}/members`);
      assert.deepEqual(
        members.body.items.map((m) => [m.contact_id, m.status, !!m.responded_at]),
        [[contact.id, 'responded', true]],
      );
      const campaign = await api(`/api/v1/campaigns/${id}`);
      assert.equal(campaign.body.budget, '12000.00');
      assert.equal(campaign.body.status, 'scheduled');
      assert.equal((await api(`/api/v1/campaigns/${id}`, { method: 'DELETE' })).status, 204);
    },
  },
];
