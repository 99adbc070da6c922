// Browser scenario of marketing automation: a marketer builds a rule in the editor (trigger,
// one condition, an action), a lead is created, and the rule's run log shows the run done.
import assert from 'node:assert/strict';

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

async function eventually(check, seconds = 60) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function choose(page, select, option) {
  await select.click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).first().click();
}

export const automationTests = [
  {
    name: 'automation: a marketer builds a rule, a lead is created, the run log shows it done',
    async run(ctx) {
      const stamp = Date.now();
      const tag = `auto-${stamp}`;
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(demo('marketer'));
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('user-menu').waitFor();

      await page.getByTestId('main-nav').getByText('Automations', { exact: true }).click();
      await page.waitForURL('**/automations');
      await page.getByTestId('new-automation').click();
      const form = page.getByTestId('automation-form');
      await form.getByLabel('Name').fill(`Tag e2e leads ${stamp}`);
      // Only leads whose name carries the stamp (other leads of the demo stay untouched).
      await form.getByRole('button', { name: 'Add a condition' }).click();
      await choose(page, form.locator('.ant-select', { hasText: 'Field' }).first(), 'Name');
      await choose(page, form.locator('.ant-select', { hasText: 'Operator' }).first(), 'contains');
      await form.getByPlaceholder('Value').fill(String(stamp));
      await form.getByTestId('action-0-tag').fill(tag);
      await page.getByTestId('save-automation').click();
      await page.waitForURL('**/automations');
      const row = page.getByTestId('automations-table').locator('tr', { hasText: `Tag e2e leads ${stamp}` });
      await row.waitFor();

      const api = await apiAs(ctx, 'marketer');
      const made = await api('/api/v1/leads', { method: 'POST', body: JSON.stringify({ name: `Auto lead ${stamp}` }) });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await api('/api/v1/leads', { method: 'POST', body: JSON.stringify({ name: `Unrelated lead ${stamp + 1}x` }) });

      await row.getByRole('link', { name: `Tag e2e leads ${stamp}` }).click();
      await page.waitForURL('**/runs');
      await eventually(async () => {
        await page.getByTestId('reload-runs').click();
        return (await page.getByTestId('runs-table').getByTestId('run-status').allInnerTexts()).includes('Done');
      });
      assert.equal(await page.getByTestId('runs-table').getByTestId('run-status').count(), 1);
      const lead = await api(`/api/v1/leads/${made.body.id}`);
      assert.ok(lead.body.tags.includes(tag), JSON.stringify(lead.body.tags));
      await context.close();
    },
  },
];
