// The browser scenarios. Each gets fresh browser contexts from ctx.newContext().
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentTests } from './segments.mjs';
import { automationTests } from './automations.mjs';
import { registrationTests } from './registration.mjs';
import { campaignTests } from './campaigns.mjs';
import { unsubscribeTests } from './unsubscribe.mjs';
import { marketingFlowTests } from './marketingFlow.mjs';
import { customerAnalyticsTests } from './analyticsCustomers.mjs';
import { reportTests } from './analyticsReports.mjs';
import { analyticsHomeTests } from './analyticsHome.mjs';
import { analyticsLeadsTests } from './analyticsLeads.mjs';

const PASSWORD = 'crm-demo-2026';
const demo = (who) => `${who}@demo.example.com`;

async function shot(ctx, page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(ctx.shots, `${name}.png`) });
}

/** JSON API calls from node (setup and assertions), as a script would make them. */
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

/** The text part of a stored .eml message, its transfer encoding undone. */
function mailText(raw) {
  for (const part of raw.split(/\r?\n--[^\r\n]+\r?\n/)) {
    const [head, ...rest] = part.split(/\r?\n\r?\n/);
    if (!/content-type:\s*text\/plain/i.test(head)) continue;
    const body = rest.join('\n\n');
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head))
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    return body;
  }
  return '';
}

/** Now, in the form the mail files' names start with (UTC): only mail sent after it counts. */
const mailStamp = () => new Date().toISOString().replace(/[-:.Z]/g, '');

/** The newest invitation or reset link mailed to `email` (the worker sends it within a second or two). */
async function mailedLink(ctx, email, { after = '' } = {}) {
  for (let i = 0; i < 60; i++) {
    const files = existsSync(ctx.mailDir)
      ? readdirSync(ctx.mailDir)
          .filter((f) => f.endsWith('.eml'))
          .sort()
      : [];
    for (const file of files.reverse()) {
      const raw = readFileSync(join(ctx.mailDir, file), 'utf8');
      if (!raw.toLowerCase().includes(email.toLowerCase()) || file < after) continue;
      const found = mailText(raw).match(/https?:\/\/\S+\/(invite|reset-password)\/(\S+)/);
      if (found) {
        // The worker writes the message just before its transaction (holding the link's hash)
        // commits: wait for the link to answer before using it.
        for (let j = 0; j < 20; j++) {
          const r = await fetch(`${ctx.base}/api/v1/auth/password-links/${found[2]}`);
          if (r.status === 200) return { path: new URL(found[0]).pathname, token: found[2] };
          await new Promise((res) => setTimeout(res, 250));
        }
        throw new Error(`the link mailed to ${email} does not work`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no link mailed to ${email} in ${ctx.mailDir}`);
}

/** A new user chooses their password through the mailed invitation (as a script would). */
async function acceptInvitation(ctx, email, password) {
  const { token } = await mailedLink(ctx, email);
  const r = await fetch(`${ctx.base}/api/v1/auth/password-links/${token}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  assert.equal(r.status, 204, await r.text());
}

async function userNames(ctx) {
  const api = await apiAs(ctx, 'admin');
  const { body } = await api('/api/v1/users?limit=200');
  return new Map(body.items.map((u) => [u.email, u.name]));
}

async function login(page, email, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(ctx, who, options) {
  const context = await ctx.newContext(options);
  const page = await context.newPage();
  await login(page, demo(who));
  await page.getByTestId('user-menu').waitFor();
  return { context, page };
}

async function ownerCells(page) {
  await page.getByTestId('customers-table').locator('tbody tr.ant-table-row').first().waitFor();
  // the Owner column is the 4th with the default columns (after the selection checkbox, if any)
  const header = page.getByTestId('customers-table').locator('thead th');
  const titles = await header.allInnerTexts();
  const index = titles.findIndex((t) => t.trim() === 'Owner');
  assert.ok(index >= 0, `no Owner column in ${titles}`);
  return page
    .getByTestId('customers-table')
    .locator(`tbody tr.ant-table-row td:nth-child(${index + 1})`)
    .allInnerTexts();
}

async function pickOption(page, label, option) {
  // A click can land while the dropdown is still opening (or its options still loading) and
  // choose nothing. Check the select shows the choice (antd puts it in a title), and try again if not.
  const input = page.getByLabel(label, { exact: true });
  const select = input.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]');
  const chosen = select.locator(`[title="${option}"]`);
  const item = page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`);
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      // aria-expanded turns false at once when the dropdown closes (its closing animation still shows it)
      if ((await input.getAttribute('aria-expanded')) !== 'true') await input.click();
      await item.click({ timeout: 3000 });
      await chosen.waitFor({ timeout: 2000 });
      return;
    } catch {
      // not taken (or the dropdown closed under the click): the next attempt opens it again
    }
  }
  await chosen.waitFor();
}

// -- the selling step ---------------------------------------------------------------------------

/** The first pipeline ("New business") with its stages, and a deal of the caller's in `stage`. */
async function salesSetup(ctx, who) {
  const api = await apiAs(ctx, who);
  const pipeline = (await api('/api/v1/pipelines')).body.items[0];
  const customer = (await api('/api/v1/customers?owner=me&limit=1')).body.items[0];
  assert.ok(pipeline && customer, 'a pipeline and a customer of the seller');
  const stage = (name) => pipeline.stages.find((s) => s.name.startsWith(name));
  async function deal(stageName, fields = {}) {
    const r = await api('/api/v1/opportunities', {
      method: 'POST',
      body: JSON.stringify({
        name: `E2E ${stageName} ${Date.now()}`,
        customer_id: customer.id,
        pipeline_id: pipeline.id,
        stage_id: stage(stageName).id,
        ...fields,
      }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }
  const counts = async () =>
    Object.fromEntries((await api(`/api/v1/pipelines/${pipeline.id}/board?cards=1`)).body.columns.map((c) => [c.stage_id, c.count]));
  return { api, pipeline, stage, deal, counts };
}

const card = (page, id) => page.locator(`[data-testid="deal-card"][data-id="${id}"]`);
const column = (page, stage) => page.getByTestId(`column-${stage.id}`);

async function columnCount(page, stage) {
  return Number((await column(page, stage).getByTestId('column-count').innerText()).replace(/\D/g, ''));
}

/**
 * Drag a card onto a column's head with the mouse, as a person would: both in view first (the
 * board scrolls sideways; a scroll in the middle of a drag would pick up another card).
 */
async function dragCard(page, source, target) {
  await page.getByTestId('board').evaluate((el, right) => (el.scrollLeft = right ? el.scrollWidth : 0), false);
  const head = target.locator('.board-column-head');
  if (!(await head.evaluate((el) => el.getBoundingClientRect().right <= el.closest('.board').getBoundingClientRect().right)))
    await page.getByTestId('board').evaluate((el) => (el.scrollLeft = el.scrollWidth));
  await page.evaluate(() => window.scrollTo(0, 0));
  const from = await source.boundingBox();
  const to = await head.boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + 12);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 8, from.y + 20, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** "CN¥12,345.60" -> 12345.6 */
const amountOf = (text) => Number(text.replace(/[^\d.-]/g, ''));

function currentQuarter() {
  const now = new Date();
  return `${now.getFullYear()}-Q${Math.ceil((now.getMonth() + 1) / 3)}`;
}

export const salesTests = [
  {
    name: 'sales board: a rep drags a deal to the next stage and the column counts follow',
    async run(ctx) {
      const { api, pipeline, stage, deal, counts } = await salesSetup(ctx, 'east.rep1');
      const d = await deal('Qualify', { amount: '12000', expected_close_date: '2026-12-20' });
      const [qualify, needs] = [stage('Qualify'), stage('Needs analysis')];
      const before = await counts();
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.getByTestId('main-nav').getByText('Pipeline', { exact: true }).click();
      await page.waitForURL(`**/pipelines/${pipeline.id}/board`);
      assert.match(await page.title(), /Pipeline board/);
      await card(page, d.id).waitFor();
      assert.equal(await columnCount(page, qualify), before[qualify.id]);
      await shot(ctx, page, '30-board');
      await dragCard(page, card(page, d.id), column(page, needs));
      await column(page, needs).locator(`[data-id="${d.id}"]`).waitFor();
      await page.getByText(`Moved to ${needs.name}`).waitFor();
      await page.waitForFunction(
        ([id, n]) => document.querySelector(`[data-testid="column-${id}"] [data-testid="column-count"]`)?.textContent?.startsWith(`${n} `),
        [needs.id, before[needs.id] + 1],
      );
      assert.equal(await columnCount(page, qualify), before[qualify.id] - 1);
      assert.equal(await columnCount(page, needs), before[needs.id] + 1);
      // the API agrees
      assert.equal((await api(`/api/v1/opportunities/${d.id}`)).body.stage_id, needs.id);
      const after = await counts();
      assert.equal(after[qualify.id], before[qualify.id] - 1);
      assert.equal(after[needs.id], before[needs.id] + 1);
      const history = (await api(`/api/v1/opportunities/${d.id}`)).body.stage_history;
      assert.ok(history.some((h) => h.from_stage_id === qualify.id && h.to_stage_id === needs.id));
    },
  },
  {
    name: 'sales board: a stage that requires a field asks for it, then moves',
    async run(ctx) {
      const { api, pipeline, stage, deal } = await salesSetup(ctx, 'east.rep1');
      const d = await deal('Needs analysis'); // no amount: Proposal requires one
      const proposal = stage('Proposal');
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.goto(`/pipelines/${pipeline.id}/board`);
      await card(page, d.id).getByTestId('move-to').click();
      await page.locator('.ant-dropdown:visible').getByText(proposal.name).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('required-fields-form').waitFor();
      await dialog.getByText(`The stage ${proposal.name} needs these fields`).waitFor();
      // exactly the missing field
      assert.equal(await dialog.getByTestId('required-fields-form').locator('.ant-form-item').count(), 1);
      await shot(ctx, page, '31-board-required-field');
      // the deal has not moved yet
      assert.equal((await api(`/api/v1/opportunities/${d.id}`)).body.stage_id, stage('Needs analysis').id);
      await page.getByRole('button', { name: 'Save and move' }).click();
      await dialog.getByText('Required').waitFor(); // nothing entered: the form says so
      await dialog.getByLabel('Amount').fill('56000');
      await page.getByRole('button', { name: 'Save and move' }).click();
      await column(page, proposal).locator(`[data-id="${d.id}"]`).waitFor();
      const after = (await api(`/api/v1/opportunities/${d.id}`)).body;
      assert.equal(after.stage_id, proposal.id);
      assert.equal(after.amount, '56000.00');
    },
  },
  {
    name: 'sales board: moving to won asks for the close date and the deal is won',
    async run(ctx) {
      const { api, pipeline, stage, deal } = await salesSetup(ctx, 'east.rep1');
      const d = await deal('Negotiation', { amount: '88000', expected_close_date: '2027-01-31' });
      const won = stage('Won');
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.goto(`/pipelines/${pipeline.id}/board`);
      await dragCard(page, card(page, d.id), column(page, won));
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('closing-form').waitFor();
      await dialog.getByLabel('Close date').fill('2026-11-27');
      await dialog.getByLabel('Why it was won (optional)').fill('product fit');
      await shot(ctx, page, '32-board-won-dialog');
      await page.getByRole('button', { name: 'Mark as won' }).click();
      await column(page, won).locator(`[data-id="${d.id}"]`).waitFor();
      const after = (await api(`/api/v1/opportunities/${d.id}`)).body;
      assert.equal(after.stage_id, won.id);
      assert.equal(after.forecast_category, 'closed');
      assert.equal(after.expected_close_date, '2026-11-27');
      assert.equal(after.won_reason, 'product fit');
      assert.ok(after.closed_at);
      // the deal's page says so too
      await page.goto(`/opportunities/${d.id}`);
      await page.locator('.page-header').getByText(won.name).waitFor();
      await page.locator('.page-header').getByText('Closed').waitFor();
      await page.getByTestId('stage-history').getByText(won.name).waitFor();
    },
  },
  {
    name: 'opportunity detail: add a line item, quote it, accept the quote and order it',
    async run(ctx) {
      const { api, deal } = await salesSetup(ctx, 'east.rep1');
      const d = await deal('Needs analysis', { amount: '1000' });
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.goto('/opportunities?owner=me');
      await page.getByTestId('opportunities-table').locator('tbody tr.ant-table-row').first().waitFor();
      await page.getByTestId('opportunities-table').getByRole('link', { name: d.name }).click();
      await page.waitForURL(`**/opportunities/${d.id}`);
      await page.getByRole('heading', { name: d.name }).waitFor();
      await page.getByTestId('add-line').click();
      const lines = page.getByTestId('line-items');
      await lines.getByLabel('Product').fill('Training day 培训');
      await lines.getByLabel('Quantity').fill('3');
      await lines.getByLabel('Unit price').fill('4000');
      await lines.getByLabel('Discount (%)').fill('10');
      assert.equal(amountOf(await lines.getByTestId('line-total').innerText()), 10800);
      await page.getByTestId('save-lines').click();
      await page.getByText('Line items saved').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="deal-amount"]')?.textContent?.includes('10,800'));
      assert.equal((await api(`/api/v1/opportunities/${d.id}`)).body.amount, '10800.00');

      await page.getByTestId('create-quote').click();
      const quotes = page.getByTestId('quotes-table');
      await quotes.getByText('Draft', { exact: true }).waitFor();
      await quotes.getByRole('button', { name: 'Mark sent' }).click();
      await quotes.getByText('Sent', { exact: true }).waitFor();
      await quotes.getByRole('button', { name: 'Accept' }).click();
      await quotes.getByText('Accepted', { exact: true }).waitFor();
      await quotes.getByTestId('create-order').click();
      const orders = page.getByTestId('orders-table');
      await orders.getByText(/^SO\d{6}$/).waitFor();
      await shot(ctx, page, '33-opportunity-detail');
      const quote = (await api(`/api/v1/quotes?opportunity=${d.id}`)).body.items;
      assert.equal(quote.length, 1);
      assert.equal(quote[0].status, 'accepted');
      assert.equal(quote[0].total, '10800.00');
      const order = (await api(`/api/v1/orders?opportunity=${d.id}`)).body.items;
      assert.equal(order.length, 1);
      assert.equal(order[0].quote_id, quote[0].id);
      await quotes.getByText(quote[0].number).waitFor();
      await orders.getByText(order[0].number).waitFor();
      // an order exists for the quote: no second one offered
      assert.equal(await quotes.getByTestId('create-order').count(), 0);
    },
  },
  {
    name: 'opportunity form: create a deal for a customer, then edit it',
    async run(ctx) {
      const api = await apiAs(ctx, 'east.rep2');
      const customer = (await api('/api/v1/customers?owner=me&limit=1')).body.items[0];
      const name = `E2E form deal ${Date.now()}`;
      const { page } = await signedIn(ctx, 'east.rep2');
      await page.goto(`/opportunities/new?customer=${customer.id}`);
      const form = page.getByTestId('opportunity-form');
      await form.getByText(customer.name).waitFor(); // the customer comes preselected
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Amount').fill('45000');
      await form.getByLabel('Close date').fill('2027-02-15');
      await form.getByLabel('Next step').fill('Send proposal');
      await shot(ctx, page, '36-opportunity-form');
      await form.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/opportunities\/[0-9a-f-]{36}$/);
      const id = page.url().split('/').pop();
      await page.getByRole('heading', { name }).waitFor();
      const created = (await api(`/api/v1/opportunities/${id}`)).body;
      assert.equal(created.customer_id, customer.id);
      assert.equal(created.amount, '45000.00');
      assert.equal(created.expected_close_date, '2027-02-15');
      assert.equal(created.next_step, 'Send proposal');
      await page.getByTestId('edit-opportunity').click();
      await page.waitForURL(`**/opportunities/${id}/edit`);
      const next = page.getByTestId('opportunity-form').getByLabel('Next step');
      await page.waitForFunction(() => document.querySelector('#next_step')?.value === 'Send proposal');
      await next.fill('Security review');
      await page.getByTestId('opportunity-form').getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`**/opportunities/${id}`);
      await page.getByTestId('opportunity-details').getByText('Security review').waitFor();
      const edited = (await api(`/api/v1/opportunities/${id}`)).body;
      assert.equal(edited.next_step, 'Security review');
      assert.equal(edited.version, created.version + 1);
    },
  },
  {
    name: 'forecast: the chart renders and the table matches GET /forecast',
    async run(ctx) {
      const period = currentQuarter();
      const api = await apiAs(ctx, 'east.manager');
      const expected = (await api(`/api/v1/forecast?period=${period}&group_by=owner`)).body;
      assert.ok(expected.lines.length > 1, 'the demo seed has deals closing this quarter');
      const { page } = await signedIn(ctx, 'east.manager');
      await page.getByTestId('main-nav').getByText('Forecast', { exact: true }).click();
      await page.waitForURL('**/forecast');
      assert.equal(await page.getByTestId('period-input').inputValue(), period);
      await page.getByTestId('forecast-chart').locator('canvas').waitFor();
      const rows = page.getByTestId('forecast-table').locator('tbody tr.ant-table-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), expected.lines.length);
      for (const [i, line] of expected.lines.entries()) {
        for (const col of ['closed_won', 'commit', 'best_case', 'pipeline', 'weighted_pipeline']) {
          const shown = amountOf(await rows.nth(i).locator(`[data-col="${col}"]`).innerText());
          assert.equal(shown, Number(line[col]), `${col} of line ${i}`);
        }
        const target = await rows.nth(i).locator('[data-col="target"]').innerText();
        assert.equal(line.target === null ? target : amountOf(target), line.target === null ? '—' : Number(line.target));
      }
      const total = page.locator('.forecast-total');
      assert.equal(amountOf(await total.locator('td').nth(2).innerText()), Number(expected.total.closed_won));
      await shot(ctx, page, '34-forecast');
      // a manager reads targets, does not set them
      assert.equal(await page.getByTestId('new-target').count(), 0);
      // another grouping, through the URL
      await page.goto(`/forecast?period=${period}&group=pipeline`);
      const byPipeline = (await api(`/api/v1/forecast?period=${period}&group_by=pipeline`)).body;
      await page.getByTestId('forecast-table').getByText('New business').waitFor();
      assert.equal(await rows.count(), byPipeline.lines.length);
    },
  },
  {
    name: 'forecast: a director sets a target and the forecast shows it',
    async run(ctx) {
      const period = '2027-03';
      const api = await apiAs(ctx, 'director');
      const users = (await api('/api/v1/users?limit=200')).body.items;
      const rep = users.find((u) => u.email === demo('west.rep1'));
      const { page } = await signedIn(ctx, 'director');
      await page.goto(`/forecast?period=${period}`);
      await page.getByTestId('targets-table').waitFor();
      await page.getByTestId('new-target').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('combobox').first().click();
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${rep.name}"]`).click();
      await dialog.getByLabel('Amount').fill('123456');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await page.getByText('Target created').waitFor();
      await page.getByTestId('targets-table').getByText(rep.name).waitFor();
      const targets = (await api('/api/v1/targets')).body.items.filter((x) => x.user_id === rep.id && x.period_start === '2027-03-01');
      assert.equal(targets.length, 1);
      assert.equal(targets[0].amount, '123456.00');
      const forecast = (await api(`/api/v1/forecast?period=${period}&group_by=owner`)).body;
      const line = forecast.lines.find((l) => l.key === rep.id);
      assert.ok(line && Number(line.target) === 123456, JSON.stringify(forecast.lines));
      await page.getByTestId('forecast-table').getByText(rep.name).waitFor();
      await shot(ctx, page, '35-targets');
    },
  },
];

/** The selling step end to end, as the issue tells it: capture, routing, conversion, the board, the forecast. */
export const flowTests = [
  {
    name: 'selling flow: a web form lead is routed to a rep, converted, its deal dragged to won, and the forecast follows',
    async run(ctx) {
      const admin = await apiAs(ctx, 'admin');
      const rep = await apiAs(ctx, 'east.rep1');
      const repId = (await rep('/api/v1/auth/me')).body.user.id;
      const form = await admin('/api/v1/lead-forms', {
        method: 'POST',
        body: JSON.stringify({ name: `E2E flow form ${Date.now()}`, fields: ['name', 'company', 'email', 'phone'] }),
      });
      assert.equal(form.status, 201, JSON.stringify(form.body));
      // tried first: web-form leads go to east.rep1 (removed again at the end)
      const rule = await admin('/api/v1/lead-assignment-rules', {
        method: 'POST',
        body: JSON.stringify({ name: 'E2E flow: web leads to east.rep1', position: 0, source: 'web_form', user_id: repId }),
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      try {
        // 1. a visitor fills in the public form: no token, only the form's key
        const stamp = Date.now();
        const company = `Flow Co ${stamp}`;
        const posted = await fetch(`${ctx.base}/api/v1/public/lead-forms/${form.body.form_key}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `Flow visitor ${stamp}`, company, email: `flow.${stamp}@example.org` }),
        });
        assert.equal(posted.status, 202);

        // 2. the worker routes it to the rep (and tells them)
        let lead;
        for (let i = 0; i < 60 && !lead; i++) {
          const found = (await rep(`/api/v1/leads?q=${stamp}`)).body.items;
          if (found.length) lead = found[0];
          else await new Promise((r) => setTimeout(r, 500));
        }
        assert.ok(lead, "the routed lead is in the rep's range");
        assert.equal(lead.owner_id, repId);
        assert.equal(lead.source, 'web_form');

        const period = currentQuarter();
        const closedBefore = Number((await rep(`/api/v1/forecast?period=${period}&group_by=owner`)).body.total.closed_won);

        // 3. the rep converts it: a new customer and a deal in the first pipeline (a screen wide
        // enough for the whole board: the drag goes from the first column to won)
        const { page } = await signedIn(ctx, 'east.rep1', { viewport: { width: 2400, height: 1000 } });
        await page.goto(`/leads/${lead.id}`);
        await page.getByTestId('convert').click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('New customer name').fill(company);
        await dialog.getByTestId('with-deal').click();
        await dialog.getByLabel('Deal name').fill(`Flow deal ${stamp}`);
        await dialog.getByLabel('Amount').fill('43210');
        await dialog.getByLabel('Pipeline').click();
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
        await dialog.getByTestId('convert-submit').click();
        await page.getByTestId('converted-links').waitFor();
        const converted = (await rep(`/api/v1/leads/${lead.id}`)).body;
        assert.equal(converted.status, 'converted');
        const deal = (await rep(`/api/v1/opportunities/${converted.converted_opportunity_id}`)).body;
        assert.equal(Number(deal.amount), 43210);
        assert.equal(deal.source_lead_id, lead.id);

        // 4. on the board the rep drags the deal to won, giving today as the close date
        const pipeline = (await rep('/api/v1/pipelines')).body.items.find((p) => p.id === deal.pipeline_id);
        const won = pipeline.stages.find((s) => s.kind === 'won');
        await page.goto(`/pipelines/${pipeline.id}/board`);
        await dragCard(page, card(page, deal.id), column(page, won));
        const closing = page.getByRole('dialog');
        await closing.getByTestId('closing-form').waitFor();
        const now = new Date();
        const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
        await closing.getByLabel('Close date').fill(today);
        await page.getByRole('button', { name: 'Mark as won' }).click();
        await column(page, won).locator(`[data-id="${deal.id}"]`).waitFor();
        assert.equal((await rep(`/api/v1/opportunities/${deal.id}`)).body.stage_id, won.id);

        // 5. the forecast counts it as closed won, in the API and on the page
        const after = (await rep(`/api/v1/forecast?period=${period}&group_by=owner`)).body;
        assert.equal(Number(after.total.closed_won), closedBefore + 43210);
        await page.goto(`/forecast?period=${period}`);
        const total = page.locator('.forecast-total');
        await total.waitFor();
        assert.equal(amountOf(await total.locator('td').nth(2).innerText()), closedBefore + 43210);
        await shot(ctx, page, '40-flow-forecast');
      } finally {
        await admin(`/api/v1/lead-assignment-rules/${rule.body.id}`, { method: 'DELETE' });
        await admin(`/api/v1/lead-forms/${form.body.id}`, { method: 'DELETE' });
      }
    },
  },
];

/** Local midnight today, and a time of today (the browser runs in this machine's time zone). */
/** Pick an option of the select labelled `label` within `scope` (its title starts with `title`)
 * until the select shows it: a dialog still zooming in, or a list still sliding open, can move
 * the option away from under the click. */
async function chooseOption(page, scope, label, title) {
  const chosen = scope.locator(`.ant-select [title^="${title}"]`);
  for (let i = 0; i < 3 && !(await chosen.isVisible()); i++) {
    await scope.getByLabel(label, { exact: true }).click();
    await page
      .locator(`.ant-select-dropdown:visible .ant-select-item-option[title^="${title}"]`)
      .click({ timeout: 5000 })
      .catch(() => {});
    await page.waitForTimeout(300);
  }
  await chosen.waitFor();
}

// -- the service step ---------------------------------------------------------------------------

/** An SLA policy for the priority (the demo seed has none), so tickets get clocks; then a ticket of
 * `who`'s own made through the API, as a script or the phone system would. */
async function serviceSetup(ctx, who, fields = {}) {
  const manager = await apiAs(ctx, 'service.manager');
  const priority = fields.priority ?? 'high';
  const policies = (await manager('/api/v1/sla-policies')).body.items;
  if (!policies.some((p) => p.active && p.priority === priority && p.customer_level === null)) {
    const r = await manager('/api/v1/sla-policies', {
      method: 'POST',
      body: JSON.stringify({ name: `E2E ${priority}`, priority, first_response_minutes: 240, resolution_minutes: 2400 }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const api = await apiAs(ctx, who);
  const me = (await api('/api/v1/auth/me')).body;
  const r = await api('/api/v1/tickets', {
    method: 'POST',
    body: JSON.stringify({
      subject: `E2E ticket ${Date.now()}`,
      kind: 'complaint',
      channel: 'email',
      priority,
      description: 'The invoice PDF is empty.',
      owner_id: me.user.id,
      ...fields,
    }),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { api, manager, me, ticket: r.body };
}

export const serviceTests = [
  {
    name: 'tickets: an agent opens the mine view, writes an internal note and a public reply, and resolves with a solution',
    async run(ctx) {
      const { api, ticket } = await serviceSetup(ctx, 'agent2');
      const { page } = await signedIn(ctx, 'agent2');
      await page.getByTestId('main-nav').getByText('Tickets', { exact: true }).click();
      await page.waitForURL('**/tickets');
      await page.getByTestId('view-mine').click();
      await page.waitForURL(/view=mine/);
      const table = page.getByTestId('tickets-table');
      const row = table.locator('tr.ant-table-row', { hasText: ticket.number });
      await row.waitFor();
      // the clock that runs now: the first response, on track
      const countdown = row.getByTestId('sla-countdown');
      assert.equal(await countdown.getAttribute('data-state'), 'ok');
      assert.match(await countdown.innerText(), /^Reply: .+ left$/);
      await shot(ctx, page, '40-tickets-mine');
      await row.getByTestId('ticket-link').click();
      await page.waitForURL(`**/tickets/${ticket.id}`);
      await page.getByRole('heading', { name: `${ticket.number} · ${ticket.subject}` }).waitFor();

      // an internal note: visibly apart, and the ticket is still new (a note is no response)
      await page.getByTestId('internal-toggle').click();
      await page.getByTestId('reply-body').fill('Checked the billing logs: the PDF renderer timed out.');
      await page.getByTestId('send-reply').click();
      await page.getByTestId('internal-note').filter({ hasText: 'PDF renderer timed out' }).waitFor();
      assert.equal(await page.getByTestId('ticket-status').first().innerText(), 'New');
      // a public reply: the first response, which opens the ticket
      await page.getByTestId('internal-toggle').click();
      await page.getByTestId('reply-body').fill('We are regenerating your invoice now.');
      await page.getByTestId('send-reply').click();
      await page.getByTestId('public-reply').filter({ hasText: 'regenerating your invoice' }).waitFor();
      await page.getByTestId('ticket-status').filter({ hasText: 'Open' }).waitFor();
      await page.getByTestId('sla-panel').locator('[data-state="met"]').waitFor();
      await shot(ctx, page, '41-ticket-conversation');

      // resolve: the dialog wants a solution
      await page.getByTestId('resolve').click();
      const dialog = page.getByRole('dialog');
      assert.ok(await dialog.getByTestId('resolve-ok').isDisabled());
      await dialog.getByTestId('solution').fill('Invoice regenerated and sent again.');
      await dialog.getByTestId('resolve-ok').click();
      await page.getByTestId('ticket-status').filter({ hasText: 'Resolved' }).waitFor();
      await page.getByTestId('solution-shown').getByText('Invoice regenerated and sent again.').waitFor();
      await shot(ctx, page, '42-ticket-resolved');

      const stored = (await api(`/api/v1/tickets/${ticket.id}`)).body;
      assert.equal(stored.status, 'resolved');
      assert.equal(stored.solution, 'Invoice regenerated and sent again.');
      assert.ok(stored.first_responded_at);
      const comments = (await api(`/api/v1/tickets/${ticket.id}/comments`)).body.items;
      assert.deepEqual(
        comments.map((c) => c.visibility),
        ['internal', 'public'],
      );
      const publicOnly = (await api(`/api/v1/tickets/${ticket.id}/comments?visibility=public`)).body.items;
      assert.equal(publicOnly.length, 1);
    },
  },
  {
    name: 'tickets: the service desk opens a complaint for a customer from the new-ticket form',
    async run(ctx) {
      // the desk's manager: the assignment rules route the complaint to whoever is next, in the team
      const api = await apiAs(ctx, 'service.manager');
      const customer = (await api('/api/v1/customers?limit=1&sort=name')).body.items[0];
      const subject = `E2E form ticket ${Date.now()}`;
      const { page } = await signedIn(ctx, 'service.manager');
      await page.goto('/tickets');
      await page.getByTestId('new-ticket').click();
      await page.waitForURL('**/tickets/new');
      const form = page.getByTestId('ticket-form');
      await chooseOption(page, form, 'Kind', 'Complaint');
      await chooseOption(page, form, 'Priority', 'Urgent');
      await form.getByLabel('Customer', { exact: true }).fill(customer.name);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${customer.name}"]`).click();
      await form.getByLabel('Subject').fill(subject);
      await form.getByLabel('Description').fill('The delivery arrived damaged.');
      await form.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
      const id = page.url().split('/').pop();
      const stored = (await api(`/api/v1/tickets/${id}`)).body;
      assert.deepEqual(
        [stored.kind, stored.priority, stored.customer_id, stored.subject, stored.status],
        ['complaint', 'urgent', customer.id, subject, 'new'],
      );
    },
  },
  {
    name: 'tickets: an agent whose new ticket the rules route to a colleague is told so and keeps reading it',
    async run(ctx) {
      const manager = await apiAs(ctx, 'service.manager');
      const agent1 = (await (await apiAs(ctx, 'agent1'))('/api/v1/auth/me')).body.user;
      const stamp = Date.now();
      const rule = await manager('/api/v1/ticket-assignment-rules', {
        method: 'POST',
        body: JSON.stringify({ name: `E2E chat inquiries ${stamp}`, position: 0, kind: 'inquiry', channel: 'chat', user_id: agent1.id }),
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      try {
        const subject = `E2E routed away ${stamp}`;
        const { page } = await signedIn(ctx, 'agent2');
        await page.goto('/tickets/new');
        const form = page.getByTestId('ticket-form');
        await chooseOption(page, form, 'Kind', 'Inquiry');
        await chooseOption(page, form, 'Channel', 'Chat');
        await form.getByLabel('Subject').fill(subject);
        await form.getByRole('button', { name: 'Create' }).click();
        await page.getByText(/the assignment rules gave it to a colleague/).waitFor();
        await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
        await page.getByRole('heading', { name: new RegExp(subject) }).waitFor();
        const found = (await manager(`/api/v1/tickets?q=${encodeURIComponent(subject)}`)).body.items;
        assert.deepEqual(
          found.map((t) => t.owner_id),
          [agent1.id],
        );
      } finally {
        assert.equal((await manager(`/api/v1/ticket-assignment-rules/${rule.body.id}`, { method: 'DELETE' })).status, 204);
      }
    },
  },
  {
    name: "tickets: a manager escalates an agent's ticket to urgent and reassigns it",
    async run(ctx) {
      const names = await userNames(ctx);
      const { manager, ticket } = await serviceSetup(ctx, 'agent2', { priority: 'normal' });
      const agent1 = (await manager('/api/v1/users?limit=200')).body.items.find((u) => u.email === demo('agent1'));
      const { page } = await signedIn(ctx, 'service.manager');
      await page.goto(`/tickets/${ticket.id}`);
      await page.getByRole('heading', { name: `${ticket.number} · ${ticket.subject}` }).waitFor();
      assert.equal(await page.getByTestId('assignee').innerText(), names.get(demo('agent2')));

      await page.getByTestId('escalate').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('escalate-reason').fill('Customer threatens to cancel the contract');
      await chooseOption(page, dialog, 'Raise priority to', 'Urgent');
      await dialog.getByTestId('escalate-ok').click();
      await page.getByTestId('escalations').getByText('Customer threatens to cancel the contract').waitFor();
      await page.getByTestId('ticket-priority').filter({ hasText: 'Urgent' }).first().waitFor();

      await chooseOption(page, page.getByTestId('assignee-card'), 'Assign to…', `${agent1.name} (`);
      await page.getByTestId('assign').click();
      await page.getByTestId('assignee').filter({ hasText: agent1.name }).waitFor();
      await shot(ctx, page, '43-ticket-escalated');

      const stored = (await manager(`/api/v1/tickets/${ticket.id}`)).body;
      assert.equal(stored.priority, 'urgent');
      assert.equal(stored.escalation_level, 1);
      assert.equal(stored.owner_id, agent1.id);
      const escalations = (await manager(`/api/v1/tickets/${ticket.id}/escalations`)).body.items;
      assert.deepEqual(
        escalations.map((e) => [e.level, e.from_priority, e.to_priority]),
        [[1, 'normal', 'urgent']],
      );
    },
  },
  {
    name: 'service dashboard: the charts render and the figures match GET /tickets/stats',
    async run(ctx) {
      const { manager } = await serviceSetup(ctx, 'agent2');
      const day = 86_400_000;
      const to = Math.floor(Date.now() / day) * day + day;
      const query = new URLSearchParams({ from: new Date(to - 30 * day).toISOString(), to: new Date(to).toISOString(), group_by: 'day' });
      const expected = (await manager(`/api/v1/tickets/stats?${query}`)).body;
      assert.ok(expected.total > 0 && expected.volume.length === 30, JSON.stringify(expected).slice(0, 300));
      const { page } = await signedIn(ctx, 'service.manager');
      await page.getByTestId('main-nav').getByText('Service dashboard', { exact: true }).click();
      await page.waitForURL('**/service-dashboard');
      for (const chart of ['volume-chart', 'complaint-categories-chart', 'channel-chart', 'priority-chart', 'owner-chart'])
        if (chart !== 'complaint-categories-chart' || expected.by_category.some((c) => c.complaints > 0))
          await page.getByTestId(chart).locator('canvas').waitFor();
      const kpis = page.getByTestId('service-kpis');
      const total = await kpis.getByTestId('kpi-total').innerText();
      assert.equal(Number(total.replace(/\D/g, '')), expected.total);
      await shot(ctx, page, '44-service-dashboard');
      // another period through the URL: by week over 90 days
      await page.getByTestId('period-presets').getByText('90 days').click();
      await page.waitForURL(/period=90d/);
      await page.getByTestId('volume-chart').locator('canvas').waitFor();
    },
  },
];

function todayAt(hour, minute = 0) {
  const d = new Date();
  d.setHours(hour, minute, 0, 0);
  return d;
}

/** One customer of the caller's book, to link activities to. */
async function someCustomer(api) {
  const { status, body } = await api('/api/v1/customers?owner=me&limit=1&sort=name');
  assert.equal(status, 200);
  assert.ok(body.items.length, 'the demo user owns no customer');
  return body.items[0];
}

/** The number on the bell's badge (0 when no badge shows). */
async function bellCount(page) {
  const badge = page.getByTestId('notification-bell').locator('.ant-badge-count');
  if (!(await badge.count())) return 0;
  const text = (await badge.first().getAttribute('title')) ?? (await badge.first().innerText());
  return Number.parseInt(text, 10) || 0;
}

// -- the service step: satisfaction surveys ------------------------------------------------------

/** Poll until `check` returns something truthy (the worker inside the server is asynchronous). */
async function eventually(check, seconds = 30) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const surveyTests = [
  {
    name: 'surveys: a service manager builds a survey with questions of several types',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'service.manager');
      const name = `E2E built survey ${Date.now()}`;
      await page.goto('/surveys');
      await page.getByTestId('new-survey').click();
      const form = page.getByTestId('survey-form');
      await form.getByLabel('Name').fill(name);
      await page.getByTestId('question-text-0').fill('How satisfied are you?');
      await page.getByTestId('add-single').click();
      await page.getByTestId('question-text-1').fill('Was it solved the first time?');
      const choices = page.getByTestId('question-choices-1').locator('input');
      for (const choice of ['Yes', 'No']) {
        await choices.fill(choice);
        await choices.press('Enter');
      }
      await page.getByTestId('add-text').click();
      await page.getByTestId('question-text-2').fill('Anything else?');
      // The text question moves up to second place.
      await page.getByTestId('question-2').getByRole('button', { name: 'Move up' }).click();
      await shot(ctx, page, 'survey-builder');
      await page.getByTestId('save-survey').click();
      await page.getByTestId('surveys-table').getByRole('link', { name }).waitFor();
      const api = await apiAs(ctx, 'service.manager');
      const made = (await api('/api/v1/surveys')).body.items.find((s) => s.name === name);
      assert.ok(made, 'the survey was saved');
      assert.deepEqual(
        made.questions.map((q) => [q.type, q.text, q.required, q.choices]),
        [
          ['rating', 'How satisfied are you?', true, []],
          ['text', 'Anything else?', false, []],
          ['single', 'Was it solved the first time?', false, ['Yes', 'No']],
        ],
      );
      await page.getByTestId('surveys-table').getByRole('link', { name }).click();
      await page.getByTestId('results-title').getByText(name).waitFor();
      assert.equal(await page.getByTestId('stat-responses').locator('.ant-statistic-content-value').innerText(), '0');
      await shot(ctx, page, 'survey-results');
    },
  },
  {
    name: 'surveys: a customer answers the link of a resolved ticket without logging in, once',
    async run(ctx) {
      const manager = await apiAs(ctx, 'service.manager');
      const stamp = Date.now();
      const r = await manager('/api/v1/surveys', {
        method: 'POST',
        body: JSON.stringify({
          name: `E2E CSAT ${stamp}`,
          is_ticket_csat: true,
          questions: [
            { id: 'sat', type: 'rating', text: 'Rate our service', required: true },
            { id: 'say', type: 'text', text: 'Tell us more' },
          ],
        }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const agent = await apiAs(ctx, 'agent1');
      const me = (await agent('/api/v1/auth/me')).body.user.id;
      // their own (the desk's assignment rules would route it to whoever is next)
      const ticket = (
        await agent('/api/v1/tickets', { method: 'POST', body: JSON.stringify({ subject: `E2E printer ${stamp}`, owner_id: me }) })
      ).body;
      const resolved = await agent(`/api/v1/tickets/${ticket.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ status: 'resolved', solution: 'Replaced the toner' }),
      });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      // The worker inside the server makes the invitation.
      const invitation = await eventually(async () => (await agent(`/api/v1/tickets/${ticket.id}/survey-invitations`)).body.items[0]);
      assert.equal(invitation.state, 'pending');

      // A fresh browser, nobody signed in: two tabs open the link.
      const context = await ctx.newContext();
      const [first, second] = [await context.newPage(), await context.newPage()];
      for (const page of [first, second]) {
        await page.goto(invitation.path);
        await page.getByTestId('public-survey-form').waitFor();
      }
      await first.getByText(`E2E printer ${stamp}`).waitFor();
      await first.getByTestId('survey-submit').click(); // the rating is required
      await first.getByText('Required').waitFor();
      await first.locator('.ant-form-item').filter({ hasText: 'Rate our service' }).getByText('5', { exact: true }).click();
      await first.getByLabel('Tell us more').fill('Quick and friendly');
      await shot(ctx, first, 'survey-public');
      await first.getByTestId('survey-submit').click();
      await first.getByTestId('survey-thanks').waitFor();
      // The second tab's submit: already answered; so is the link opened again.
      await second.locator('.ant-form-item').filter({ hasText: 'Rate our service' }).getByText('3', { exact: true }).click();
      await second.getByTestId('survey-submit').click();
      await second.getByTestId('survey-already').waitFor();
      await first.reload();
      await first.getByTestId('survey-already').waitFor();
      const after = (await agent(`/api/v1/tickets/${ticket.id}/survey-invitations`)).body.items[0];
      assert.equal(after.state, 'answered');
      const results = await manager(`/api/v1/surveys/${r.body.id}/results`);
      assert.equal(results.body.responses, 1);
      assert.deepEqual(results.body.csat, { answered: 1, satisfied: 1, percent: 100 });
      assert.equal(results.body.comments[0].text, 'Quick and friendly');
    },
  },
  {
    name: 'surveys: an agent logs a call-back on the customer page with the answers taken on the phone',
    async run(ctx) {
      const manager = await apiAs(ctx, 'service.manager');
      const name = `E2E phone survey ${Date.now()}`;
      const made = await manager('/api/v1/surveys', {
        method: 'POST',
        body: JSON.stringify({ name, questions: [{ id: 'rec', type: 'nps', text: 'Would you recommend us?', required: true }] }),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const agent = await apiAs(ctx, 'agent1');
      const customer = (await agent('/api/v1/customers?limit=1')).body.items[0];
      const { page } = await signedIn(ctx, 'agent1');
      await page.goto(`/customers/${customer.id}`);
      await page.getByTestId('log-call-back').click();
      const form = page.getByTestId('call-back-form');
      await pickOption(page, 'Survey answered on the call', name);
      await form.locator('.ant-form-item').filter({ hasText: 'Would you recommend us?' }).getByText('9', { exact: true }).click();
      await form.getByLabel('Next action', { exact: true }).fill('Send the renewal offer');
      await shot(ctx, page, 'call-back-dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await page.getByText('Call-back logged').waitFor();
      const logged = (await agent(`/api/v1/call-backs?customer=${customer.id}`)).body.items[0];
      assert.equal(logged.outcome, 'reached');
      assert.equal(logged.next_action, 'Send the renewal offer');
      assert.ok(logged.response_id, 'the answers were recorded');
      const results = await manager(`/api/v1/surveys/${made.body.id}/results?channel=call_back`);
      assert.equal(results.status, 200, JSON.stringify(results.body));
      assert.equal(results.body.nps.promoters, 1);
    },
  },
];

// -- the knowledge base ------------------------------------------------------------------------

export const kbTests = [
  {
    name: 'knowledge base: a service manager writes and publishes a Chinese article, an agent searches and finds it',
    async run(ctx) {
      const stamp = Date.now();
      const title = `量子打印机校准指南 ${stamp}`;
      // 1. the service manager writes it (Markdown, previewed) and publishes it at once
      const { page, context } = await signedIn(ctx, 'service.manager');
      await page.getByTestId('main-nav').getByText('Knowledge base', { exact: true }).click();
      await page.getByTestId('new-article').click();
      await page.getByTestId('article-title').fill(title);
      await page.getByTestId('article-body-input').fill('## 步骤\n\n1. 打开**设置**\n2. 选择校准\n\n<script>window.hacked = 1</script>');
      await page.getByRole('tab', { name: 'Preview' }).click();
      await page.getByTestId('article-preview').locator('strong', { hasText: '设置' }).waitFor();
      await page.getByRole('tab', { name: 'Write' }).click();
      await page.getByTestId('save-publish').click();
      await page.getByRole('heading', { name: title }).waitFor();
      await page.locator('.ant-tag', { hasText: 'Published' }).waitFor();
      const articleUrl = page.url();
      await shot(ctx, page, 'kb-published');
      await context.close();

      // 2. an agent searches in Chinese and finds it, the terms highlighted, and reads it
      const agent = await signedIn(ctx, 'agent1');
      await agent.page.goto('/kb');
      await agent.page.getByTestId('kb-search').locator('input').fill(`量子打印机 ${stamp}`);
      await agent.page.getByTestId('kb-search').locator('input').press('Enter');
      const result = agent.page.getByTestId('kb-result').filter({ hasText: String(stamp) });
      await result.waitFor();
      // the unfiltered list (newest first) holds it too: wait for the search's answer, one article
      await agent.page.waitForFunction(() => document.querySelectorAll('[data-testid="kb-result"]').length === 1);
      assert.equal((await result.locator('mark', { hasText: '量子打印机' }).count()) >= 1, true);
      await result.getByRole('link').first().click();
      await agent.page.getByRole('heading', { name: title }).waitFor();
      assert.equal(agent.page.url(), articleUrl);
      await agent.page.getByTestId('article-body').locator('strong', { hasText: '设置' }).waitFor();
      assert.equal(await agent.page.getByTestId('article-body').locator('script').count(), 0);
      assert.equal(await agent.page.evaluate(() => window.hacked), undefined);
      await agent.page.getByTestId('helpful-yes').click();
      await agent.page.getByTestId('helpful-yes').filter({ hasText: '(1)' }).waitFor();
      // agents read but do not write
      assert.equal(await agent.page.getByTestId('edit-article').count(), 0);
      await shot(ctx, agent.page, 'kb-agent-reads');
      await agent.context.close();

      const manager = await apiAs(ctx, 'service.manager');
      const id = articleUrl.split('/').pop();
      assert.equal((await manager(`/api/v1/kb/articles/${id}`, { method: 'DELETE' })).status, 204);
    },
  },
];

// -- the service flow ------------------------------------------------------------------------------

export const serviceFlowTests = [
  {
    name: 'service flow: a complaint is routed to an agent with its SLA, answered and resolved; the customer answers the survey link; the dashboard counts it',
    async run(ctx) {
      const stamp = Date.now();
      const manager = await apiAs(ctx, 'service.manager');
      const agent1 = (await manager('/api/v1/users?limit=200')).body.items.find((u) => u.email === demo('agent1'));
      // The desk's set-up: an SLA for high priority (the demo has one per priority), a first rule
      // sending complaints that come in person to agent1, and an active ticket CSAT survey.
      const policies = (await manager('/api/v1/sla-policies')).body.items;
      if (!policies.some((p) => p.active && p.priority === 'high' && p.customer_level === null)) {
        const made = await manager('/api/v1/sla-policies', {
          method: 'POST',
          body: JSON.stringify({ name: `E2E high ${stamp}`, priority: 'high', first_response_minutes: 240, resolution_minutes: 2400 }),
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
      }
      const rule = await manager('/api/v1/ticket-assignment-rules', {
        method: 'POST',
        body: JSON.stringify({ name: `E2E in person ${stamp}`, position: 0, kind: 'complaint', channel: 'in_person', user_id: agent1.id }),
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      let csat = (await manager('/api/v1/surveys')).body.items.find((x) => x.is_ticket_csat && x.active);
      if (!csat) {
        const made = await manager('/api/v1/surveys', {
          method: 'POST',
          body: JSON.stringify({
            name: `E2E flow CSAT ${stamp}`,
            is_ticket_csat: true,
            questions: [{ id: 'sat', type: 'rating', text: 'How did we do?', required: true }],
          }),
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        csat = made.body;
      }
      const day = 86_400_000;
      const to = Math.floor(Date.now() / day) * day + day;
      const period = new URLSearchParams({ from: new Date(to - 30 * day).toISOString(), to: new Date(to).toISOString(), group_by: 'day' });
      const before = (await manager(`/api/v1/surveys/${csat.id}/results?${period}`)).body;

      // 1. The complaint comes in: the manager takes it at the desk, leaving the assignee to the rules.
      const subject = `E2E flow complaint ${stamp}`;
      const customer = (await manager('/api/v1/customers?limit=1&sort=name')).body.items[0];
      const desk = await signedIn(ctx, 'service.manager');
      await desk.page.goto('/tickets/new');
      const form = desk.page.getByTestId('ticket-form');
      await chooseOption(desk.page, form, 'Kind', 'Complaint');
      await chooseOption(desk.page, form, 'Channel', 'In person');
      await chooseOption(desk.page, form, 'Priority', 'High');
      await form.getByLabel('Customer', { exact: true }).fill(customer.name);
      await desk.page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${customer.name}"]`).click();
      await form.getByLabel('Subject').fill(subject);
      await form.getByLabel('Description').fill('The replacement part was the wrong size, second time this month.');
      await form.getByRole('button', { name: 'Create' }).click();
      await desk.page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
      const ticketId = desk.page.url().split('/').pop();
      // 2. Routed by the rule to agent1, with its SLA clocks running.
      const stored = (await manager(`/api/v1/tickets/${ticketId}`)).body;
      assert.equal(stored.owner_id, agent1.id, 'the assignment rule gave it to agent1');
      assert.ok(stored.sla.first_response.due_at && stored.sla.resolution.due_at, JSON.stringify(stored.sla));
      await desk.page.getByTestId('sla-panel').waitFor();
      await desk.context.close();

      // 3. agent1 finds it in "mine" with its countdown, replies and resolves it.
      const { page, context } = await signedIn(ctx, 'agent1');
      await page.goto('/tickets?view=mine');
      const row = page.getByTestId('tickets-table').locator('tr.ant-table-row', { hasText: stored.number });
      await row.waitFor();
      assert.equal(await row.getByTestId('sla-countdown').getAttribute('data-state'), 'ok');
      await row.getByTestId('ticket-link').click();
      await page.waitForURL(`**/tickets/${ticketId}`);
      await page.getByTestId('reply-body').fill('Sorry about that: the right part is on its way by courier today.');
      await page.getByTestId('send-reply').click();
      await page.getByTestId('public-reply').filter({ hasText: 'right part is on its way' }).waitFor();
      await page.getByTestId('sla-panel').locator('[data-state="met"]').waitFor();
      await page.getByTestId('resolve').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('solution').fill('Sent the right part; the customer confirmed the size.');
      await dialog.getByTestId('resolve-ok').click();
      await page.getByTestId('ticket-status').filter({ hasText: 'Resolved' }).waitFor();
      // 4. The worker makes the survey invitation; the ticket page shows its link.
      const link = page.getByTestId('survey-invitation-link');
      await link.waitFor({ timeout: 30_000 });
      const path = await link.getAttribute('href');
      assert.match(path, /^\/survey\/[A-Za-z0-9_-]+$/);
      await shot(ctx, page, '50-flow-resolved-with-survey-link');
      await context.close();

      // 5. The customer, signed in nowhere, answers the link.
      const visitor = await ctx.newContext();
      const answer = await visitor.newPage();
      await answer.goto(path);
      await answer.getByTestId('public-survey-form').waitFor();
      await answer.getByText(subject).waitFor();
      await answer.locator('.ant-form-item').first().getByText('5', { exact: true }).click();
      await answer.getByTestId('survey-submit').click();
      await answer.getByTestId('survey-thanks').waitFor();
      await visitor.close();

      // 6. The service dashboard counts the answer in its CSAT panel.
      const after = (await manager(`/api/v1/surveys/${csat.id}/results?${period}`)).body;
      assert.equal(after.responses, before.responses + 1);
      assert.equal(after.csat.satisfied, before.csat.satisfied + 1);
      const board = await signedIn(ctx, 'service.manager');
      await board.page.goto('/service-dashboard');
      const panel = board.page.getByTestId('csat-trend');
      await panel.getByTestId('csat-chart').locator('canvas').waitFor();
      const shown = await panel.getByTestId('csat-percent').locator('.ant-statistic-content-value').innerText();
      assert.equal(Number.parseFloat(shown), after.csat.percent);
      await shot(ctx, board.page, '51-flow-dashboard-csat');
      await board.context.close();
      // leave the desk's rules as they were
      assert.equal((await manager(`/api/v1/ticket-assignment-rules/${rule.body.id}`, { method: 'DELETE' })).status, 204);
    },
  },
];

export const tests = [
  {
    name: 'leads: a rep filters, opens a lead, reads its score, converts it with a new customer and a deal',
    async run(ctx) {
      const api = await apiAs(ctx, 'east.rep1');
      const stamp = Date.now();
      const name = `Lead e2e ${stamp}`;
      const company = `Convert Co ${stamp}`;
      const made = await api('/api/v1/leads', {
        method: 'POST',
        body: JSON.stringify({ name, company, source: 'referral', phone: `+86 139 ${String(stamp).slice(-8)}`, rating: 'hot' }),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const lead = made.body;
      assert.ok(lead.score > 0 && lead.score_reasons.length > 0, 'the demo scoring rules fire for a referral with a phone');

      const { context, page } = await signedIn(ctx, 'east.rep1');
      await page.getByTestId('main-nav').getByText('Leads', { exact: true }).click();
      await page.waitForURL('**/leads');
      const table = page.getByTestId('leads-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      assert.equal(await page.title(), 'Leads · CRM');
      // quick filter "my leads", a source, a score range and the search, all kept in the URL
      await page.getByTestId('quick-mine').click();
      await page.waitForURL(/owner=me/);
      await pickOption(page, 'Source', 'Referral');
      await page.waitForURL(/source=referral/);
      await page.getByLabel('Score from').fill(String(lead.score));
      await page.getByLabel('Score from').press('Enter');
      await page.waitForURL(new RegExp(`smin=${lead.score}`));
      await page.getByTestId('lead-search').locator('input').fill(String(stamp));
      await page.getByTestId('lead-search').locator('input').press('Enter');
      await page.waitForURL(/q=/);
      await table.getByRole('link', { name }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="leads-table"] tbody tr.ant-table-row').length === 1);
      assert.equal(await table.locator('tbody tr.ant-table-row').count(), 1);
      await shot(ctx, page, '20-leads-filtered');
      // a score range above it leaves nothing
      await page.getByLabel('Score from').fill(String(lead.score + 1));
      await page.getByLabel('Score from').press('Enter');
      await page.getByText('No leads match').waitFor();
      await page.getByLabel('Score from').fill(String(lead.score));
      await page.getByLabel('Score from').press('Enter');
      await table.getByRole('link', { name }).click();
      await page.waitForURL(`**/leads/${lead.id}`);
      // the stale tab: opened before the conversion, converts afterwards and gets the 409
      const stale = await context.newPage();
      await stale.goto(`/leads/${lead.id}`);
      await stale.getByTestId('convert').waitFor();

      // the score and the rules that fired
      const score = page.getByTestId('score-card');
      await score.getByText(String(lead.score), { exact: true }).waitFor();
      for (const reason of lead.score_reasons) await score.getByText(reason.label).waitFor();
      await page.getByTestId('mark-contacted').click();
      await page.getByTestId('lead-status').getByText('Contacted').waitFor();
      await shot(ctx, page, '21-lead-detail');

      // convert: new customer (named), new contact, a deal with an amount in the first pipeline
      await page.getByTestId('convert').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('New customer name').fill(`${company} Ltd`);
      await dialog.getByTestId('with-deal').click();
      await dialog.getByLabel('Deal name').fill(`Deal ${stamp}`);
      await dialog.getByLabel('Amount').fill('125000');
      await dialog.getByLabel('Pipeline').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
      await shot(ctx, page, '22-lead-convert');
      await dialog.getByTestId('convert-submit').click();
      const links = page.getByTestId('converted-links');
      await links.waitFor();
      await page.getByTestId('lead-status').getByText('Converted').waitFor();
      const after = (await api(`/api/v1/leads/${lead.id}`)).body;
      assert.equal(after.status, 'converted');
      assert.ok(after.converted_customer_id && after.converted_contact_id && after.converted_opportunity_id);
      assert.equal(await links.getByTestId('link-customer').getAttribute('href'), `/customers/${after.converted_customer_id}`);
      assert.equal(await links.getByTestId('link-contact').getAttribute('href'), `/contacts/${after.converted_contact_id}`);
      assert.equal(await links.getByTestId('link-opportunity').getAttribute('href'), `/opportunities/${after.converted_opportunity_id}`);
      const deal = await api(`/api/v1/opportunities/${after.converted_opportunity_id}`);
      assert.equal(deal.status, 200);
      assert.equal(deal.body.name, `Deal ${stamp}`);
      assert.equal(Number(deal.body.amount), 125000);
      await shot(ctx, page, '23-lead-converted');

      // converting again (from the tab that still shows it open) is the API's 409, said plainly
      await stale.getByTestId('convert').click();
      await stale.getByRole('dialog').getByTestId('convert-submit').click();
      const refused = stale.getByTestId('convert-error');
      await refused.waitFor();
      assert.match(await refused.innerText(), /already converted/);
      await shot(ctx, stale, '24-lead-convert-twice');

      await links.getByTestId('link-customer').click();
      await page.waitForURL(`**/customers/${after.converted_customer_id}`);
      await page.getByRole('heading', { name: `${company} Ltd` }).waitFor();
    },
  },
  {
    name: 'leads: a duplicate email names what matched and can be created anyway',
    async run(ctx) {
      const api = await apiAs(ctx, 'east.rep1');
      const email = `dup.${Date.now()}@example.com`;
      const first = await api('/api/v1/leads', { method: 'POST', body: JSON.stringify({ name: 'First of two', email }) });
      assert.equal(first.status, 201);
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.goto('/leads');
      await page.getByTestId('new-lead').click();
      await page.waitForURL('**/leads/new');
      const form = page.getByTestId('lead-form');
      await form.getByLabel('Name', { exact: true }).fill('Second of two');
      await form.getByLabel('Email', { exact: true }).fill(email.toUpperCase());
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByText('This lead may already exist').waitFor();
      const matches = page.getByTestId('duplicate-matches');
      assert.equal(await matches.getByRole('link').first().getAttribute('href'), `/leads/${first.body.id}`);
      await shot(ctx, page, '25-lead-duplicate');
      await page.getByRole('button', { name: 'Create anyway' }).click();
      await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
      assert.ok(!page.url().endsWith(first.body.id));
      await page.getByRole('heading', { name: 'Second of two' }).waitFor();
    },
  },
  {
    name: 'leads: the director works the unassigned queue and assigns in bulk',
    async run(ctx) {
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'director');
      await page.goto('/leads');
      const table = page.getByTestId('leads-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      await page.getByTestId('quick-queue').click();
      await page.waitForURL(/owner=none/);
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[data-testid="leads-table"] tbody tr.ant-table-row')];
        return rows.length > 0 && rows.every((r) => r.textContent.includes('Unassigned'));
      });
      const before = await table.locator('tbody tr.ant-table-row').count();
      const first = await table.locator('tbody tr.ant-table-row a').first().getAttribute('href');
      await table.locator('tr.ant-table-row .ant-checkbox-input').first().check({ force: true });
      await page.getByTestId('bulk-bar').waitFor();
      await shot(ctx, page, '31-leads-queue-bulk');
      const rep1 = names.get(demo('east.rep1'));
      await page.getByLabel('Assign to…').fill(rep1);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title^="${rep1} ("]`).click();
      await page.getByTestId('bulk-bar').getByRole('button', { name: 'Assign' }).click();
      await page.getByText('Leads assigned: 1').waitFor();
      // it left the queue
      await table.locator(`a[href="${first}"]`).waitFor({ state: 'detached' });
      assert.ok((await table.locator('tbody tr.ant-table-row').count()) <= before);
    },
  },
  {
    name: 'my day: a task due today is listed, and marking it done takes it off',
    async run(ctx) {
      const api = await apiAs(ctx, 'east.rep1');
      const me = (await api('/api/v1/auth/me')).body.user;
      const customer = await someCustomer(api);
      const subject = `Call back e2e ${Date.now()}`;
      const due = new Date(Math.max(Date.now() + 60_000, todayAt(12).getTime()));
      if (due.getDate() !== new Date().getDate()) due.setTime(Date.now() + 60_000); // a few seconds before midnight
      const task = await api('/api/v1/activities', {
        method: 'POST',
        body: JSON.stringify({ kind: 'task', subject, due_at: due.toISOString(), customer_id: customer.id, assignee_id: me.id }),
      });
      assert.equal(task.status, 201, JSON.stringify(task.body));
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.getByTestId('main-nav').getByText('My day', { exact: true }).click();
      await page.waitForURL('**/my-day');
      const today = page.getByTestId('my-day-today');
      const item = today.getByTestId('my-day-item').filter({ hasText: subject });
      await item.waitFor();
      assert.equal(await page.title(), 'My day · CRM');
      await shot(ctx, page, '26-my-day');
      await item.getByRole('button', { name: `Done: ${subject}` }).click();
      await page.getByRole('dialog').getByLabel('Outcome').fill('Reached, sending a quote');
      await page.getByTestId('confirm-done').click();
      await page.getByText('Marked done').waitFor();
      await item.waitFor({ state: 'detached' });
      const after = (await api(`/api/v1/activities/${task.body.id}`)).body;
      assert.equal(after.status, 'done');
      assert.equal(after.outcome, 'Reached, sending a quote');
    },
  },
  {
    name: 'calendar: the week shows an appointment, and an overlapping one shows the conflict first',
    async run(ctx) {
      const api = await apiAs(ctx, 'east.rep1');
      const me = (await api('/api/v1/auth/me')).body.user;
      const customer = await someCustomer(api);
      const subject = `Demo visit e2e ${Date.now()}`;
      const start = todayAt(20);
      const made = await api('/api/v1/activities?force=true', {
        method: 'POST',
        body: JSON.stringify({
          kind: 'appointment',
          subject,
          starts_at: start.toISOString(),
          ends_at: todayAt(21).toISOString(),
          customer_id: customer.id,
          assignee_id: me.id,
        }),
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.getByTestId('main-nav').getByText('Calendar', { exact: true }).click();
      await page.waitForURL('**/calendar');
      const grid = page.getByTestId('week-grid');
      const day = (start.getDay() + 6) % 7;
      await grid.getByTestId(`week-day-${day}`).getByTestId('week-event').filter({ hasText: subject }).waitFor();
      await grid.getByTestId('slot-0-19').scrollIntoViewIfNeeded();
      await shot(ctx, page, '27-calendar-week');

      // click the same hour: the API answers 409, the dialog names the clash and offers to go ahead
      await grid.getByTestId(`slot-${day}-20`).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Subject').fill(`Overlap e2e ${Date.now()}`);
      await dialog.getByLabel('Customer').fill(customer.name.slice(0, 6));
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${customer.name}"]`).click();
      await dialog.getByTestId('appointment-save').click();
      const conflict = dialog.getByTestId('appointment-conflict');
      await conflict.waitFor();
      assert.match(await conflict.innerText(), new RegExp(subject));
      await shot(ctx, page, '28-calendar-conflict');
      await dialog.getByTestId('schedule-anyway').click();
      await page.getByText('Appointment scheduled').waitFor();
      await page.waitForFunction(
        (d) => document.querySelectorAll(`[data-testid="week-day-${d}"] [data-testid="week-event"]`).length >= 2,
        day,
      );
      // month view shows it on its day
      await page.getByTestId('calendar-view').getByText('Month').click();
      await page.waitForURL(/view=month/);
      await page.getByTestId('month-calendar').getByText(subject).first().waitFor();
      await shot(ctx, page, '29-calendar-month');
    },
  },
  {
    name: 'notifications: a lead assigned by the admin rings the bell; marking read clears it',
    async run(ctx) {
      const admin = await apiAs(ctx, 'admin');
      const rep = await apiAs(ctx, 'east.rep2');
      const repId = (await rep('/api/v1/auth/me')).body.user.id;
      // start from nothing unread, so the badge counts only what this test causes
      assert.equal((await rep('/api/v1/notifications/read', { method: 'POST', body: '{}' })).status, 200);
      const made = await admin('/api/v1/leads', { method: 'POST', body: JSON.stringify({ name: `Bell e2e ${Date.now()}` }) });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const moved = await admin(`/api/v1/leads/${made.body.id}/assign`, { method: 'POST', body: JSON.stringify({ owner_id: repId }) });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      // the worker inside `crm serve` turns the lead.assigned event into a notification
      let found = null;
      for (let i = 0; i < 60 && !found; i++) {
        const { body } = await rep('/api/v1/notifications?unread=true&limit=50');
        found = body.items.find((n) => n.entity_id === made.body.id);
        if (!found) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(found, 'no notification for the assigned lead');

      const { page } = await signedIn(ctx, 'east.rep2');
      await page.waitForFunction(() => !!document.querySelector('[data-testid="notification-bell"] .ant-badge-count'));
      const unread = await bellCount(page);
      assert.ok(unread >= 1, `badge shows ${unread}`);
      await page.getByTestId('notification-bell').click();
      const panel = page.getByTestId('notification-panel');
      const item = panel.getByTestId('notification-item').filter({ hasText: 'A lead was assigned to you' }).first();
      await item.waitFor();
      assert.equal(await item.getAttribute('data-unread'), 'true');
      await shot(ctx, page, '30-notifications');
      // opening it goes to the lead and marks it read
      await item.click();
      await page.waitForURL(`**/leads/${made.body.id}`);
      const still = await rep('/api/v1/notifications?unread=true&limit=50');
      assert.ok(!still.body.items.some((n) => n.entity_id === made.body.id));
      // the badge follows (the worker may add other notices meanwhile: compare with the API's count)
      let shown = -1;
      let expected = -2;
      for (let i = 0; i < 30 && shown !== expected; i++) {
        expected = (await rep('/api/v1/notifications/unread-count')).body.unread;
        shown = await bellCount(page);
        if (shown !== expected) await page.waitForTimeout(500);
      }
      assert.equal(shown, expected);
      await page.getByTestId('notification-bell').click();
      const read = panel.getByTestId('notification-item').filter({ hasText: 'A lead was assigned to you' }).first();
      await read.waitFor();
      assert.equal(await read.getAttribute('data-unread'), null);
      await page.keyboard.press('Escape');
      // another one, then "mark all read" clears the badge
      const second = await admin('/api/v1/leads', {
        method: 'POST',
        body: JSON.stringify({ name: `Bell two ${Date.now()}`, owner_id: repId }),
      });
      assert.equal(second.status, 201);
      const again = await admin(`/api/v1/leads/${second.body.id}/assign`, {
        method: 'POST',
        body: JSON.stringify({ owner_id: (await admin('/api/v1/auth/me')).body.user.id }),
      });
      assert.equal(again.status, 200);
      const back = await admin(`/api/v1/leads/${second.body.id}/assign`, { method: 'POST', body: JSON.stringify({ owner_id: repId }) });
      assert.equal(back.status, 200);
      for (let i = 0; i < 60; i++) {
        const { body } = await rep('/api/v1/notifications?unread=true&limit=50');
        if (body.items.length) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      await page.reload();
      await page.waitForFunction(() => !!document.querySelector('[data-testid="notification-bell"] .ant-badge-count'));
      await page.getByTestId('notification-bell').click();
      await page.getByTestId('mark-all-read').click();
      await page.waitForFunction(() => !document.querySelector('[data-testid="notification-bell"] .ant-badge-count'));
      assert.equal(await bellCount(page), 0);
      assert.equal((await rep('/api/v1/notifications?unread=true&limit=50')).body.items.length, 0);
      assert.equal((await rep('/api/v1/notifications/unread-count')).body.unread, 0);
    },
  },
  {
    name: 'login: wrong password, then deep link returns to the target',
    async run(ctx) {
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/customers?status=active');
      await page.waitForURL('**/login');
      await shot(ctx, page, '01-login');
      await page.getByLabel('Email').fill(demo('east.rep1'));
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Wrong email or password.').waitFor();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/customers?status=active');
      // A reload keeps the session: the access token is gone, the refresh cookie brings it back.
      await page.reload();
      await page.getByTestId('customers-table').waitFor();
      assert.match(page.url(), /\/customers\?status=active$/);
      const cookies = await context.cookies();
      const refresh = cookies.find((c) => c.name === 'crm_refresh');
      assert.ok(refresh && refresh.httpOnly && refresh.sameSite === 'Strict' && refresh.path === '/api/v1/auth');
      assert.equal(await page.evaluate(() => document.cookie.includes('crm_refresh')), false);
    },
  },
  {
    name: 'login: throttling says when to retry',
    async run(ctx) {
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      // an address no other test signs in with: the throttle holds it for a quarter of an hour
      await page.getByLabel('Email').fill(`throttled.${Date.now()}@demo.example.com`);
      for (let i = 0; i < 11; i++) {
        await page.getByLabel('Password').fill(`wrong password ${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByTestId('login-error').waitFor();
        if (await page.getByText(/Too many failed attempts/).count()) break;
        await page.waitForTimeout(100);
      }
      await page.getByText(/Too many failed attempts\. Try again in \d+ seconds\./).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Sign in' }).isDisabled());
      await shot(ctx, page, '02-login-throttled');
    },
  },
  {
    name: 'login: a deactivated account is told so',
    async run(ctx) {
      const admin = await apiAs(ctx, 'admin');
      const email = `leaver.${Date.now()}@demo.example.com`;
      const created = await admin('/api/v1/users', {
        method: 'POST',
        body: JSON.stringify({ email, name: 'Leaver' }),
      });
      assert.equal(created.status, 201);
      await acceptInvitation(ctx, email, 'a good long passphrase 7');
      assert.equal((await admin(`/api/v1/users/${created.body.id}/deactivate`, { method: 'POST' })).status, 200);
      const context = await ctx.newContext();
      const page = await context.newPage();
      await login(page, email, 'a good long passphrase 7');
      await page.getByText('This account has been deactivated').waitFor();
    },
  },
  {
    name: 'login: forgot password mails a link that sets a new password once',
    async run(ctx) {
      const email = demo('agent2');
      const after = mailStamp();
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByTestId('forgot-password').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByRole('button', { name: 'Send link' }).click();
      await page.getByTestId('forgot-sent').waitFor();
      const link = await mailedLink(ctx, email, { after });
      assert.equal(link.path.split('/')[1], 'reset-password');
      await page.goto(link.path);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      const form = page.getByTestId('set-password-form');
      await form.getByLabel('Password', { exact: true }).fill('agent two new passphrase 8');
      await form.getByLabel('Repeat the new password').fill('agent two new passphrase 8');
      await form.getByRole('button', { name: 'Set password' }).click();
      await page.getByText('Your password is set. Sign in with it.').waitFor();
      await login(page, email, 'agent two new passphrase 8');
      await page.getByTestId('user-menu').waitFor();
      // The link is spent.
      await page.goto(link.path);
      await page.getByTestId('password-link-gone').waitFor();
      // back to the demo password, so a rerun against the same server works
      const pair = await fetch(`${ctx.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, password: 'agent two new passphrase 8' }),
      }).then((r) => r.json());
      const back = await fetch(`${ctx.base}/api/v1/auth/password`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${pair.access_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ current_password: 'agent two new passphrase 8', new_password: PASSWORD }),
      });
      assert.equal(back.status, 200);
    },
  },
  {
    name: 'east.rep1 sees only own customers',
    async run(ctx) {
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.getByTestId('main-nav').getByText('Customers', { exact: true }).click();
      const owners = new Set(await ownerCells(page));
      assert.deepEqual([...owners], [names.get(demo('east.rep1'))]);
      // no bulk assignment for a rep
      assert.equal(await page.locator('thead .ant-checkbox').count(), 0);
      await page.getByTestId('load-more').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="customers-table"] tbody tr.ant-table-row').length > 50);
      assert.deepEqual([...new Set(await ownerCells(page))], [names.get(demo('east.rep1'))]);
      await shot(ctx, page, '03-customers-rep');
      // search, Chinese included
      await page.getByTestId('customer-search').locator('input').fill('科技');
      await page.getByTestId('customer-search').locator('input').press('Enter');
      await page.waitForURL(/q=/);
      await page.getByTestId('customers-table').locator('tbody tr.ant-table-row').first().waitFor();
      const first = await page.getByTestId('customers-table').locator('tbody tr.ant-table-row td').first().innerText();
      assert.ok(first.length > 0);
    },
  },
  {
    name: "east.manager sees the department's customers and may assign",
    async run(ctx) {
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'east.manager');
      await page.goto('/customers');
      const owners = new Set(await ownerCells(page));
      const east = new Set([demo('east.manager'), demo('east.rep1'), demo('east.rep2')].map((e) => names.get(e)));
      assert.ok(owners.size > 1, `only ${[...owners]}`);
      for (const owner of owners) assert.ok(east.has(owner), `${owner} is not in Sales East`);
      // bulk select -> assign bar
      await page.locator('tr.ant-table-row .ant-checkbox-input').first().check({ force: true });
      await page.getByTestId('bulk-bar').waitFor();
      await shot(ctx, page, '04-customers-manager-bulk');
      const rep2 = names.get(demo('east.rep2'));
      await page.getByLabel('Assign to…').fill(rep2);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title^="${rep2} ("]`).click();
      await page.getByTestId('bulk-bar').getByRole('button', { name: 'Assign' }).click();
      await page.getByText('Customers assigned: 1').waitFor();
      // "mine" filter
      await pickOption(page, 'Owner', 'Mine');
      await page.waitForURL(/owner=me/);
      await page.waitForTimeout(300);
      const mine = new Set(await ownerCells(page).catch(() => []));
      for (const owner of mine) assert.equal(owner, names.get(demo('east.manager')));
    },
  },
  {
    name: 'east.manager filters contacts by a custom field and assigns them in bulk',
    async run(ctx) {
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'east.manager');
      await page.goto('/contacts');
      const table = page.getByTestId('contacts-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      await pickOption(page, 'Custom field', 'WeChat');
      const value = page.getByLabel('Value', { exact: true });
      await value.fill('wx_');
      await value.press('Enter');
      await page.waitForURL(/ck=wechat&cv=wx_|cv=wx_.*ck=wechat/);
      // "wx_" is no whole value: nothing matches an exact custom-field filter
      await page.getByText('No contacts match').waitFor();
      await page.goto('/contacts');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      await table.locator('tr.ant-table-row .ant-checkbox-input').first().check({ force: true });
      await page.getByTestId('bulk-bar').waitFor();
      const rep1 = names.get(demo('east.rep1'));
      await page.getByLabel('Assign to…').fill(rep1);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title^="${rep1} ("]`).click();
      await page.getByTestId('bulk-bar').getByRole('button', { name: 'Assign' }).click();
      await page.getByText('Contacts assigned: 1').waitFor();
      await shot(ctx, page, '13b-contacts-bulk-assign');
    },
  },
  {
    name: 'it@ sees no customer module',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'it');
      const nav = page.getByTestId('main-nav');
      await nav.getByText('Users').waitFor();
      assert.equal(await nav.getByText('Customers').count(), 0);
      assert.equal(await nav.getByText('Contacts').count(), 0);
      await page.goto('/customers');
      await page.getByTestId('no-access').waitFor();
      await page.getByText('No access').waitFor();
      await shot(ctx, page, '05-no-access');
    },
  },
  {
    name: 'create a customer with a custom field, log a note, then a duplicate offers the existing one',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'east.rep1');
      const email = `buyer.${Date.now()}@example.com`;
      await page.goto('/customers/new');
      await page.getByLabel('Name', { exact: true }).fill('星辰测试 Robotics');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Annual revenue').fill('1234567');
      const segment = await firstSegment(page);
      await pickOption(page, 'Segment', segment);
      await shot(ctx, page, '06-customer-form');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
      const url = page.url();
      await page.getByTestId('custom-fields-card').getByText('1234567').waitFor();
      // log a note on the timeline
      await page.getByTestId('log-note').click();
      await page.getByTestId('activity-form').getByLabel('Subject').fill('First call notes');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('timeline').getByText('First call notes').waitFor();
      await shot(ctx, page, '07-customer-360');
      // duplicate
      await page.goto('/customers/new');
      await page.getByLabel('Name', { exact: true }).fill('Another name');
      await page.getByLabel('Email', { exact: true }).fill(email.toUpperCase());
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByText('This customer may already exist').waitFor();
      await shot(ctx, page, '08-duplicate');
      await page.getByTestId('open-existing').click();
      await page.waitForURL(url);
    },
  },
  {
    name: 'a server 422 lands on the right field',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'east.rep1');
      await page.goto('/customers/new');
      await page.getByLabel('Name', { exact: true }).fill('Bad email Co');
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByRole('button', { name: 'Create' }).click();
      const item = page.locator('.ant-form-item-has-error');
      await item.first().waitFor();
      assert.match(await item.first().innerText(), /Email/);
    },
  },
  {
    name: 'two tabs editing one customer: the second save gets the 412 path',
    async run(ctx) {
      const { context, page } = await signedIn(ctx, 'east.rep1');
      const api = await apiAs(ctx, 'east.rep1');
      const { body } = await api('/api/v1/customers?owner=me&limit=1');
      const id = body.items[0].id;
      const second = await context.newPage();
      await page.goto(`/customers/${id}/edit`);
      await second.goto(`/customers/${id}/edit`);
      await page.getByLabel('Industry').fill('Tab one industry');
      await second.getByLabel('Industry').fill('Tab two industry');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(`**/customers/${id}`);
      await second.getByRole('button', { name: 'Save' }).click();
      await second.getByTestId('conflict-message').waitFor();
      await shot(ctx, second, '09-conflict-412');
      await second.getByTestId('conflict-reload').click();
      await second.waitForFunction(
        () => (document.querySelector('#industry') ?? document.querySelector('input[id$="industry"]'))?.value === 'Tab one industry',
      );
    },
  },
  {
    name: "admin creates a custom role and a user; that user's view follows the role",
    async run(ctx) {
      const { page } = await signedIn(ctx, 'admin');
      const stamp = Date.now();
      const roleName = `Contact viewer ${stamp}`;
      await page.goto('/admin/roles');
      await page.getByTestId('new-role').click();
      await page.getByLabel('Name', { exact: true }).fill(roleName);
      await page.locator('[data-perm="contacts:read"]').check();
      // By keyboard: with the taller matrix a click on the option could land while the dropdown
      // was still opening and be lost (None, None -> Own -> Department -> All).
      await page.getByLabel('Contacts Data range').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="All"]').waitFor();
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
      await shot(ctx, page, '10-role-matrix');
      await page.getByTestId('save-role').click();
      await page.getByText(roleName).waitFor();
      await page.goto('/admin/users');
      await page.getByTestId('new-user').click();
      const email = `new.hire.${stamp}@demo.example.com`;
      const form = page.getByTestId('user-form');
      await form.getByLabel('Name').fill('New Hire');
      await form.getByLabel('Email').fill(email);
      await form.getByLabel('Roles').fill(roleName);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${roleName}"]`).click();
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('cell', { name: email }).waitFor();
      await page
        .getByRole('row', { name: new RegExp(email) })
        .getByTestId('user-invited')
        .waitFor();
      await shot(ctx, page, '11-users');

      // The new hire opens the mailed invitation and chooses a password, then signs in with it.
      const other = await ctx.newContext();
      const hire = await other.newPage();
      const link = await mailedLink(ctx, email);
      assert.equal(link.path.split('/')[1], 'invite');
      await hire.goto(link.path);
      await hire.getByText('Welcome, New Hire').waitFor();
      const setForm = hire.getByTestId('set-password-form');
      await setForm.getByLabel('Password', { exact: true }).fill('welcome to the team 2026');
      await setForm.getByLabel('Repeat the new password').fill('welcome to the team 2026');
      await setForm.getByRole('button', { name: 'Set password' }).click();
      await hire.getByText('Your password is set. Sign in with it.').waitFor();
      await login(hire, email, 'welcome to the team 2026');
      const nav = hire.getByTestId('main-nav');
      await nav.getByText('Contacts').waitFor();
      assert.equal(await nav.getByText('Customers').count(), 0);
      await hire.goto('/customers');
      await hire.getByTestId('no-access').waitFor();

      // the admin widens the role: the user's next load shows customers
      const admin = await apiAs(ctx, 'admin');
      const roles = (await admin('/api/v1/roles?limit=200')).body.items;
      const role = roles.find((r) => r.name === roleName);
      const patched = await admin(`/api/v1/roles/${role.id}`, {
        method: 'PATCH',
        headers: { 'If-Match': `W/"${role.version}"` },
        body: JSON.stringify({
          permissions: [...role.permissions, 'customers:read'],
          data_ranges: { contacts: { range: 'all' }, customers: { range: 'all' } },
        }),
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await hire.reload();
      await hire.getByTestId('main-nav').getByText('Customers', { exact: true }).waitFor();
      await hire.goto('/customers');
      await hire.getByTestId('customers-table').locator('tbody tr.ant-table-row').first().waitFor();
    },
  },
  {
    name: 'language: follows the browser, switchable, remembered',
    async run(ctx) {
      const context = await ctx.newContext({ locale: 'zh-CN' });
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByRole('heading', { name: '登录' }).waitFor();
      await page.getByLabel('邮箱').fill(demo('director'));
      await page.getByLabel('密码').fill(PASSWORD);
      await page
        .getByRole('button', { name: '登 录' })
        .or(page.getByRole('button', { name: '登录' }))
        .click();
      await page.getByTestId('main-nav').getByText('客户', { exact: true }).waitFor();
      await page.goto('/customers');
      await page.getByTestId('customers-table').locator('tbody tr.ant-table-row').first().waitFor();
      await shot(ctx, page, '12-customers-zh');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      assert.equal(await page.title(), '客户 · CRM');
      await page.getByTestId('user-menu').click();
      await page.getByText('语言').hover();
      await page.getByText('English').click();
      await page.getByTestId('main-nav').getByText('Customers', { exact: true }).waitFor();
      await page.reload();
      await page.getByTestId('main-nav').getByText('Customers', { exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    },
  },
  {
    name: 'contacts, admin screens and a phone-sized screen render',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'admin');
      await page.goto('/contacts');
      await page.locator('tbody tr.ant-table-row').first().waitFor();
      await shot(ctx, page, '13-contacts');
      await page.locator('tbody tr.ant-table-row a').first().click();
      await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
      await page.getByText('Activity').first().waitFor();
      await shot(ctx, page, '14-contact');
      await page.goto('/admin/audit-log');
      await page.locator('tbody tr.ant-table-row').first().waitFor();
      await page.locator('tbody .ant-table-row-expand-icon:not(.ant-table-row-expand-icon-spaced)').first().click();
      await shot(ctx, page, '15-audit-log');
      await page.goto('/admin/custom-fields');
      await page.getByText('Annual revenue').waitFor();
      await shot(ctx, page, '16-custom-fields');
      await page
        .getByRole('row', { name: /First contact/ })
        .getByRole('button', { name: 'Edit' })
        .click();
      const dialog = page.getByRole('dialog');
      assert.ok(await dialog.getByLabel('Key').isDisabled());
      await dialog.getByLabel('Label').fill('First contact date');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('cell', { name: 'First contact date' }).waitFor();
      await page.goto('/admin/departments');
      await page.getByText('Sales East').waitFor();
      await shot(ctx, page, '17-departments');
      await page.goto('/account/tokens');
      await page.getByTestId('new-token').click();
      await page.getByLabel('Name').fill('nightly export');
      await page.getByLabel('Scopes').fill('customers:read');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="customers:read"]').click();
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Create' }).click();
      const secret = await page.getByTestId('token-secret').innerText();
      assert.match(secret, /^crm_pat_/);
      await shot(ctx, page, '18-token-secret');
      await page.getByRole('button', { name: 'Close', exact: true }).last().click();
      await page.getByText('Everyone').click();
      await page.getByRole('columnheader', { name: 'User' }).waitFor();

      const phone = await ctx.newContext({ viewport: { width: 375, height: 760 }, isMobile: true, hasTouch: true });
      const small = await phone.newPage();
      await login(small, demo('east.rep1'));
      await small.getByTestId('user-menu').waitFor();
      await small.goto('/customers');
      await small.getByTestId('customers-table').locator('tbody tr.ant-table-row').first().waitFor();
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 375px`);
      await shot(ctx, small, '19-customers-375px');
      for (const [path, name] of [
        [null, '20-customer-360-375px'],
        ['/customers/new', '21-customer-form-375px'],
        ['/contacts', '22-contacts-375px'],
      ]) {
        if (path) await small.goto(path);
        else await small.getByTestId('customers-table').locator('tbody tr.ant-table-row a').first().click();
        await small.waitForLoadState('networkidle');
        await small.waitForTimeout(300);
        const sideways = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(sideways <= 1, `${name}: the page scrolls sideways by ${sideways}px at 375px`);
        await shot(ctx, small, name);
      }
    },
  },
  {
    name: 'customer 360: add a contact, reassign the owner, delete and restore',
    async run(ctx) {
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'east.manager');
      const api = await apiAs(ctx, 'east.manager');
      const created = await api('/api/v1/customers', {
        method: 'POST',
        body: JSON.stringify({ name: `360 test ${Date.now()}`, email: `c360.${Date.now()}@example.com` }),
      });
      assert.equal(created.status, 201);
      const id = created.body.id;
      await page.goto(`/customers/${id}`);
      await page.getByRole('button', { name: 'Add contact' }).click();
      await page.waitForURL(/\/contacts\/new\?customer=/);
      const form = page.getByTestId('contact-form');
      await form.getByLabel('Name', { exact: true }).fill('Li Lei 李雷');
      await form.getByLabel('Title').fill('CTO');
      await form.getByLabel('WeChat').fill('lilei-wx');
      await form.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
      await page.getByText('lilei-wx').waitFor();
      await page.goto(`/customers/${id}`);
      await page.getByText('Li Lei 李雷').waitFor();
      // reassign to east.rep2
      const rep2 = names.get(demo('east.rep2'));
      await page.getByLabel('Reassign').fill(rep2);
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${rep2}"]`).click();
      await page.getByRole('button', { name: 'Reassign' }).click();
      await page.getByTestId('owner-name').getByText(rep2).waitFor();
      // soft delete, then restore
      await page.getByTestId('delete-customer').click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click();
      await page.getByText('This customer was deleted').waitFor();
      await page.getByTestId('restore').click();
      await page.getByTestId('owner-name').waitFor();
      const after = await api(`/api/v1/customers/${id}`);
      assert.equal(after.status, 200);
    },
  },
  {
    name: 'password change from the user menu keeps this session and takes the new password',
    async run(ctx) {
      const { page } = await signedIn(ctx, 'agent1');
      await page.getByTestId('user-menu').click();
      await page.getByText('Change password').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Current password').fill('wrong current password');
      await dialog.getByLabel('New password', { exact: true }).fill('agent one new passphrase 9');
      await dialog.getByLabel('Repeat the new password').fill('agent one new passphrase 9');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('The current password is wrong.').waitFor();
      await dialog.getByLabel('Current password').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Password changed').waitFor();
      // the session continues (new cookie), also after a reload
      await page.reload();
      await page.getByTestId('user-menu').waitFor();
      await page.getByTestId('user-menu').click();
      await page.getByText('Sign out').click();
      await page.waitForURL('**/login');
      await login(page, demo('agent1'), 'agent one new passphrase 9');
      await page.getByTestId('user-menu').waitFor();
      // back to the demo password, so a rerun against the same server works
      const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: demo('agent1'), password: 'agent one new passphrase 9' }),
      });
      const { access_token } = await r.json();
      const back = await fetch(`${ctx.base}/api/v1/auth/password`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ current_password: 'agent one new passphrase 9', new_password: PASSWORD }),
      });
      assert.equal(back.status, 200);
    },
  },
  {
    name: 'signed-in devices: sign another device out from the user menu',
    async run(ctx) {
      // another device of the same user, signed in from a script
      const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'e2e-other-device/1' },
        body: JSON.stringify({ email: demo('west.rep1'), password: PASSWORD }),
      });
      assert.equal(r.status, 200);
      const other = await r.json();
      const { page } = await signedIn(ctx, 'west.rep1');
      await page.getByTestId('user-menu').click();
      await page.getByText('Signed-in devices').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('This device').waitFor();
      const row = dialog.locator('tr', { hasText: 'e2e-other-device/1' });
      await row.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('The device has been signed out.').waitFor();
      await row.waitFor({ state: 'detached' });
      // its access token stops at once; this device carries on
      const me = await fetch(`${ctx.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${other.access_token}` } });
      assert.equal(me.status, 401);
      await dialog.getByText('This device').waitFor();
    },
  },
  {
    name: 'admin: deactivate a leaving user handing over their records; create and re-parent a department',
    async run(ctx) {
      const admin = await apiAs(ctx, 'admin');
      const stamp = Date.now();
      const roles = (await admin('/api/v1/roles?limit=200')).body.items;
      const rep = roles.find((r) => r.key === 'sales_rep');
      const leaver = await admin('/api/v1/users', {
        method: 'POST',
        body: JSON.stringify({
          email: `leaving.${stamp}@demo.example.com`,
          name: `Leaving Rep ${stamp}`,
          role_ids: [rep.id],
        }),
      });
      assert.equal(leaver.status, 201);
      const owned = await admin('/api/v1/customers', {
        method: 'POST',
        body: JSON.stringify({ name: `Transfer me ${stamp}`, owner_id: leaver.body.id }),
      });
      assert.equal(owned.status, 201, JSON.stringify(owned.body));
      const lead = await admin('/api/v1/leads', {
        method: 'POST',
        body: JSON.stringify({ name: `Lead of the leaver ${stamp}`, owner_id: leaver.body.id }),
      });
      assert.equal(lead.status, 201, JSON.stringify(lead.body));
      const names = await userNames(ctx);
      const { page } = await signedIn(ctx, 'admin');
      await page.goto('/admin/users');
      await page
        .getByRole('row', { name: new RegExp(`Leaving Rep ${stamp}`) })
        .getByRole('button', { name: 'Deactivate' })
        .click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Their sessions and API tokens end at once').waitFor();
      await dialog.getByLabel('Hand their records to (optional)').fill(names.get(demo('east.rep2')));
      await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${names.get(demo('east.rep2'))}"]`).click();
      // Every kind the admin may assign is checked at first; tickets are left out here.
      for (const kind of ['Customers', 'Leads', 'Deals', 'Tasks and appointments', 'Tickets'])
        assert.equal(await dialog.getByRole('checkbox', { name: kind }).isChecked(), true, kind);
      await dialog.getByRole('checkbox', { name: 'Tickets' }).uncheck();
      await dialog.getByRole('button', { name: 'Deactivate' }).click();
      await page.getByText('Records transferred: 2').waitFor();
      await page.getByRole('row', { name: new RegExp(`Leaving Rep ${stamp}.*Deactivated`) }).waitFor();
      const heir = (await admin('/api/v1/users?limit=200')).body.items.find((u) => u.email === demo('east.rep2')).id;
      assert.equal((await admin(`/api/v1/customers/${owned.body.id}`)).body.owner_id, heir);
      assert.equal((await admin(`/api/v1/leads/${lead.body.id}`)).body.owner_id, heir);
      assert.equal((await admin(`/api/v1/users/${leaver.body.id}`)).body.active, false);

      await page.goto('/admin/departments');
      await page.getByRole('button', { name: 'New department' }).click();
      await page.getByRole('dialog').getByLabel('Name').fill(`Sales North ${stamp}`);
      await page.getByRole('dialog').getByLabel('Parent department').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Sales"]').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
      await page.getByText(`Sales North ${stamp}`).click();
      await page.getByLabel('Parent department').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Top level"]').click();
      await page.getByText('Saved').waitFor();
      const departments = (await admin('/api/v1/departments?limit=200')).body.items;
      assert.equal(departments.find((d) => d.name === `Sales North ${stamp}`).parent_id, null);
    },
  },
  {
    name: 'keyboard only: sign in, search, open a customer',
    async run(ctx) {
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      // the email field takes the focus once the page is ready
      await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'username');
      await page.keyboard.type(demo('east.rep2'));
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByTestId('user-menu').waitFor();
      await page.goto('/customers');
      const search = page.getByTestId('customer-search').locator('input');
      await search.focus();
      await page.keyboard.type('Co');
      await page.keyboard.press('Enter');
      await page.waitForURL(/q=Co/);
      const link = page.getByTestId('customers-table').locator('tbody tr.ant-table-row a').first();
      await link.waitFor();
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 2 }).first().waitFor();
    },
  },
  {
    name: 'logout clears the session and the refresh cookie',
    async run(ctx) {
      const { context, page } = await signedIn(ctx, 'west.rep1');
      await page.getByTestId('user-menu').click();
      await page.getByText('Sign out').click();
      await page.waitForURL('**/login');
      assert.equal((await context.cookies()).filter((c) => c.name === 'crm_refresh').length, 0);
      await page.goto('/customers');
      await page.waitForURL('**/login');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    },
  },
  ...salesTests,
  ...flowTests,
  ...serviceTests,
  ...surveyTests,
  ...kbTests,
  ...serviceFlowTests,
  ...segmentTests,
  ...automationTests,
  ...registrationTests,
  ...campaignTests,
  ...unsubscribeTests,
  ...marketingFlowTests,
  ...customerAnalyticsTests,
  ...reportTests,
  ...analyticsHomeTests,
  ...analyticsLeadsTests,
];

async function firstSegment(page) {
  await page.getByLabel('Segment').click();
  const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').first();
  const title = await option.getAttribute('title');
  await page.keyboard.press('Escape');
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
  return title;
}
