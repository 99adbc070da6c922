// The marketing story end to end in the browser: a marketer builds a segment and freezes it into
// an event campaign, sends the event invitation to its members, a recipient follows the mailed
// link and registers on the public page at a phone's size, staff check them
// in, the rep converts the lead and wins the deal, and the campaign's "Results and ROI" tab shows
// the won amount and the ROI. (E2E_ONLY='marketing flow' runs only this one.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
    // A server just seeded may answer 503 (Retry-After) while it is busy: ask again.
    for (let i = 0; ; i++) {
      const res = await fetch(`${ctx.base}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
      });
      if (res.status === 503 && i < 10) {
        await new Promise((ok) => setTimeout(ok, 2000));
        continue;
      }
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    }
  };
}

async function signedIn(ctx, who, options = {}) {
  const context = await ctx.newContext(options);
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(demo(who));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
  return { context, page };
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

/** The text of the mail the worker wrote to `email` (development delivery: .eml files). */
function mailTo(ctx, email) {
  const files = existsSync(ctx.mailDir) ? readdirSync(ctx.mailDir).filter((f) => f.endsWith('.eml')) : [];
  for (const file of files.sort().reverse()) {
    const raw = readFileSync(join(ctx.mailDir, file), 'utf8');
    if (raw.toLowerCase().includes(email.toLowerCase())) return mailText(raw);
  }
  return null;
}

async function until(what, probe) {
  for (let i = 0; i < 120; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export const marketingFlowTests = [
  {
    name: 'marketing flow: segment frozen into an event, invitation sent, the recipient registers on a phone, is checked in, converted and won; the campaign shows its ROI',
    async run(ctx) {
      const marketer = await apiAs(ctx, 'marketer');
      const rep = await apiAs(ctx, 'east.rep1');
      const repId = (await rep('/api/v1/auth/me')).body.user.id;
      const stamp = Date.now();
      const company = `流程科技 ${stamp}`;

      // The event: a cost of 20 000 CNY, registration open with a company-size question and an
      // e-mail consent box.
      const created = await marketer('/api/v1/campaigns', {
        method: 'POST',
        body: JSON.stringify({
          name: `E2E 新品品鉴会 ${stamp}`,
          campaign_type: 'event',
          channel: 'offline',
          status: 'scheduled',
          currency: 'CNY',
          budget: '30000',
          actual_cost: '20000',
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const campaign = created.body;
      const settings = await marketer(`/api/v1/campaigns/${campaign.id}/registration`, {
        method: 'PUT',
        body: JSON.stringify({
          open: true,
          confirmation: { 'zh-CN': '报名成功，期待与您见面！', en: 'You are registered. See you there!' },
          fields: [
            {
              key: 'company_size',
              label: { 'zh-CN': '公司规模', en: 'Company size' },
              type: 'select',
              required: true,
              options: ['1-49', '50-199', '200+'],
            },
          ],
          consents: [
            { key: 'news', channel: 'email', text: { 'zh-CN': '接收活动与产品资讯邮件', en: 'E-mail me event and product news' } },
          ],
        }),
      });
      assert.equal(settings.status, 200, JSON.stringify(settings.body));
      const key = settings.body.public_key;

      // Two leads of one company, the rep's (the marketer imports leads for the sales team).
      const people = [];
      for (const [name, local] of [
        ['陈思远', 'chen'],
        ['林晓', 'lin'],
      ]) {
        const lead = await marketer('/api/v1/leads', {
          method: 'POST',
          body: JSON.stringify({ name, company, email: `${local}.${stamp}@example.org`, source: 'event', owner_id: repId }),
        });
        assert.equal(lead.status, 201, JSON.stringify(lead.body));
        people.push(lead.body);
      }

      // 1. The marketer builds the segment in the builder: leads of that company.
      const { page } = await signedIn(ctx, 'marketer');
      await page.getByTestId('main-nav').getByText('Segments', { exact: true }).click();
      await page.getByTestId('new-segment').click();
      const segmentName = `品鉴会邀请 ${stamp}`;
      await page.getByTestId('segment-name').fill(segmentName);
      await page.getByTestId('segment-audience').getByText('Leads', { exact: true }).click();
      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.getByLabel('Field').click();
      await page.keyboard.type('Company');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Company"]').click();
      await page.locator('[data-testid^="value-n"]').fill(company);
      await page.waitForFunction(() => document.querySelector('[data-testid="segment-count"]')?.textContent?.replace(/\D/g, '') === '2');
      await page.screenshot({ path: join(ctx.shots, 'flow-01-segment.png') });
      await page.getByTestId('save-segment').click();
      await page.getByTestId('segments-table').getByText(segmentName).waitFor();
      const segment = (await marketer('/api/v1/segments')).body.items.find((s) => s.name === segmentName);
      assert.ok(segment, 'the segment is saved');

      // ... and freezes it into the event's members (the API: the builder has no freeze button).
      const frozen = await marketer(`/api/v1/segments/${segment.id}/freeze`, {
        method: 'POST',
        body: JSON.stringify({ campaign_id: campaign.id }),
      });
      assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
      assert.equal(frozen.body.added, 2);
      // The members are on the campaign's page, targeted.
      await page.goto(`/campaigns/${campaign.id}`);
      await page.getByRole('tab', { name: 'Members', exact: true }).click();
      await page.getByTestId('members-panel').getByText('陈思远').waitFor();
      await page.getByTestId('members-panel').getByText('林晓').waitFor();

      // 2. The invitation: the demo's event-invitation template to the members, who agreed to
      // e-mail (recorded by the marketer: the trade-show opt-in list).
      for (const person of people) {
        const consent = await marketer(`/api/v1/leads/${person.id}/consents/email`, {
          method: 'PUT',
          body: JSON.stringify({ status: 'granted', source: 'import', proof: `E2E opt-in list ${stamp}` }),
        });
        assert.equal(consent.status, 200, JSON.stringify(consent.body));
      }
      await page.getByRole('tab', { name: 'Sends', exact: true }).click();
      await page.getByRole('button', { name: 'New send' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Message template').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'Event invitation' }).click();
      await page.screenshot({ path: join(ctx.shots, 'flow-02-send.png') });
      await dialog.getByRole('button', { name: 'Schedule send' }).click();
      const send = await until('the send to complete', async () => {
        const found = (await marketer(`/api/v1/campaigns/${campaign.id}/sends`)).body.items[0];
        return found && found.status === 'completed' ? found : null;
      });
      assert.equal(send.sent, 2, JSON.stringify(send));
      const mail = await until('the invitation mail', () => mailTo(ctx, people[0].email));
      const link = mail.match(/https?:\/\/\S+?(\/e\/[A-Za-z0-9_-]+)/);
      assert.ok(link, `a registration link in the invitation:\n${mail}`);
      assert.equal(link[1], `/e/${key}`);
      await page.getByText('Completed').first().waitFor();

      // 3. The recipient follows the link on a phone, in Chinese, and registers with their e-mail.
      const phone = await ctx.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
      const pub = await phone.newPage();
      await pub.goto(link[1]);
      await pub.getByTestId('event-name').waitFor();
      const width = await pub.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `the page is ${width}px wide at 375`);
      await pub.getByTestId('reg-name').fill('陈思远');
      await pub.getByTestId('reg-email').fill(people[0].email);
      await pub.getByTestId('reg-company').fill(company);
      await pub.getByTestId('answer-company_size').click();
      await pub.locator('.ant-select-dropdown:visible .ant-select-item-option[title="50-199"]').click();
      await pub.getByTestId('consent-news').check();
      await pub.getByTestId('registration-submit').click();
      await pub.getByTestId('registration-registered').waitFor();
      const code = (await pub.getByTestId('checkin-code').innerText()).trim();
      assert.match(code, /^[A-HJ-NP-Z2-9]{8}$/);
      await pub.getByText('报名成功，期待与您见面！').waitFor();
      await pub.screenshot({ path: join(ctx.shots, 'flow-03-registered-phone.png'), fullPage: true });
      // The lead already was a member (invited): the registration moved that member, no new lead.
      const members = (await marketer(`/api/v1/campaigns/${campaign.id}/members?limit=50`)).body.items;
      assert.equal(members.length, 2);
      const member = members.find((m) => m.lead_id === people[0].id);
      assert.equal(member.status, 'registered');

      // 4. Staff check them in on the campaign's Registration tab.
      await page.goto(`/campaigns/${campaign.id}`);
      await page.getByRole('tab', { name: 'Registration', exact: true }).click();
      await page.getByTestId('checkin-code-input').fill(code.toLowerCase());
      await page.getByTestId('checkin-code-input').press('Enter');
      await page.getByTestId('checkin-result').getByText('陈思远 checked in').waitFor();
      await page.screenshot({ path: join(ctx.shots, 'flow-04-checked-in.png'), fullPage: true });

      // 5. The rep converts the lead with a deal and wins it (the deal carries the lead's touches).
      const lead = (await rep(`/api/v1/leads/${people[0].id}`)).body;
      if (lead.campaign_id === null) {
        // The lead came in before the campaign: the marketer records the event as its first touch.
        const patched = await marketer(`/api/v1/leads/${lead.id}`, {
          method: 'PATCH',
          body: JSON.stringify({ campaign_id: campaign.id }),
        });
        assert.equal(patched.status, 200, JSON.stringify(patched.body));
      }
      const converted = await rep(`/api/v1/leads/${lead.id}/convert`, {
        method: 'POST',
        body: JSON.stringify({ customer: { name: company }, opportunity: { name: `${company} 年度订阅`, amount: '88000' } }),
      });
      assert.equal(converted.status, 200, JSON.stringify(converted.body));
      const deal = converted.body.opportunity;
      assert.equal(deal.campaign_id, campaign.id);
      assert.equal(deal.currency, 'CNY');
      const pipeline = (await rep('/api/v1/pipelines')).body.items.find((p) => p.id === deal.pipeline_id);
      const won = pipeline.stages.find((s) => s.kind === 'won');
      const moved = await rep(`/api/v1/opportunities/${deal.id}/stage`, {
        method: 'POST',
        body: JSON.stringify({ stage_id: won.id, expected_close_date: today() }),
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      const after = (await marketer(`/api/v1/campaigns/${campaign.id}/members?limit=50`)).body.items;
      assert.equal(after.find((m) => m.lead_id === lead.id).status, 'converted');

      // 6. The campaign's Results and ROI: 88 000 won on a cost of 20 000, ROI 340%.
      const stats = (await marketer(`/api/v1/campaigns/${campaign.id}/stats`)).body;
      assert.equal(stats.won_deals.first_touch, 1);
      assert.equal(stats.roi.first_touch, 3.4);
      await page.goto(`/campaigns/${campaign.id}`);
      await page.getByRole('tab', { name: 'Results and ROI', exact: true }).click();
      await page.getByTestId('campaign-stats').waitFor();
      await page.waitForFunction(() => /88,000/.test(document.querySelector('[data-testid="kpi-won"]')?.textContent ?? ''));
      assert.match(await page.getByTestId('kpi-roi').innerText(), /340%/);
      await page.screenshot({ path: join(ctx.shots, 'flow-05-results-roi.png'), fullPage: true });
      assert.equal((await marketer(`/api/v1/segments/${segment.id}`, { method: 'DELETE' })).status, 204);
    },
  },
];
