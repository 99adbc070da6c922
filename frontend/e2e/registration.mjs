// Event registration in the browser: a recipient registers on the public page at a phone's size,
// in Chinese, and the marketer checks them in at the door. (tests.mjs includes these.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSWORD = 'crm-demo-2026';
const MARKETER = 'marketer@demo.example.com';

async function marketerApi(ctx) {
  const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: MARKETER, password: PASSWORD }),
  });
  assert.equal(r.status, 200, 'marketer login');
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

// The campaigns API is its own module: the event is written straight into the server's database
// (the throwaway embedded PostgreSQL under the data folder run.mjs made), owned by the marketer.
const MAKE_EVENT = `
import asyncio, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlalchemy as sa
from app import local_postgres
from app.domain.shared.ids import new_id
from app.repositories.database import create_engine
from app.repositories.tables import campaigns, campaign_sessions, users
from app.settings import Settings

async def main() -> None:
    url = local_postgres.start(Path(sys.argv[1]), cleanup=None)
    engine = create_engine(url, Settings(env="test"))
    async with engine.begin() as conn:
        owner = (await conn.execute(sa.select(users.c.tenant_id, users.c.id, users.c.department_id)
                 .where(users.c.email == sys.argv[2]))).one()
        cid = new_id()
        await conn.execute(campaigns.insert().values(
            tenant_id=owner.tenant_id, id=cid, name="2027 春季产品发布会 Spring Launch", campaign_type="event",
            status="scheduled", owner_id=owner.id, department_id=owner.department_id,
            description="新品发布、客户案例分享与交流酒会。"))
        start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(days=30)
        for i, (name, place, capacity) in enumerate([("上海场", "上海国际会议中心 3F", 1), ("北京场", "北京国贸大酒店", 200)]):
            await conn.execute(campaign_sessions.insert().values(
                tenant_id=owner.tenant_id, id=new_id(), campaign_id=cid, name=name,
                starts_at=start + timedelta(days=i), ends_at=start + timedelta(days=i, hours=3),
                location=place, capacity=capacity))
    await engine.dispose()
    print(cid)

asyncio.run(main())
`;

function makeEvent(ctx) {
  const dataDir = dirname(ctx.mailDir);
  const out = execFileSync(join(repo, '.venv', 'bin', 'python'), ['-c', MAKE_EVENT, dataDir, MARKETER], {
    cwd: repo,
    env: { ...process.env, PYTHONPATH: repo },
  });
  return String(out).trim().split('\n').pop();
}

export const registrationTests = [
  {
    name: 'event registration: a recipient registers on the public page at a phone viewport, then staff check in',
    async run(ctx) {
      const campaignId = makeEvent(ctx);
      const api = await marketerApi(ctx);
      const settings = await api(`/api/v1/campaigns/${campaignId}/registration`, {
        method: 'PUT',
        body: JSON.stringify({
          open: true,
          capacity: 100,
          confirmation: { 'zh-CN': '期待与您在现场见面！', en: 'See you there!' },
          fields: [
            {
              key: 'role',
              label: { 'zh-CN': '您的职位', en: 'Your role' },
              type: 'select',
              required: true,
              options: ['CTO', '工程师', '其他'],
            },
            { key: 'dinner', label: { 'zh-CN': '参加晚宴', en: 'Join the dinner' }, type: 'checkbox' },
          ],
          consents: [
            {
              key: 'terms',
              channel: 'email',
              text: { 'zh-CN': '我同意主办方处理我的报名信息', en: 'I agree to the terms' },
              required: true,
            },
            { key: 'sms', channel: 'sms', text: { 'zh-CN': '接收活动短信提醒', en: 'Send me SMS reminders' } },
          ],
        }),
      });
      assert.equal(settings.status, 200, JSON.stringify(settings.body));
      assert.equal(settings.body.page_live, true);
      const key = settings.body.public_key;

      // The recipient: a phone, a Chinese browser, no login.
      const phone = await ctx.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
      const page = await phone.newPage();
      await page.goto(`/e/${key}`);
      await page.getByTestId('event-name').waitFor();
      assert.match(await page.getByTestId('event-name').innerText(), /春季产品发布会/);
      // Nothing wider than the phone.
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `the page is ${width}px wide at 375`);
      await page.getByText('剩余 1 个名额').waitFor();
      // The switch shows English, and back.
      await page.getByTestId('language-switch').click();
      await page.getByText('Your role').waitFor();
      await page.getByTestId('language-switch').click();
      await page.getByText('您的职位').waitFor();
      await page.getByText('上海场').click();
      await page.getByTestId('reg-name').fill('王小明');
      const email = `wang.${Date.now()}@example.org`;
      await page.getByTestId('reg-email').fill(email);
      await page.getByTestId('reg-phone').fill('+86 138 0013 8000');
      await page.getByTestId('reg-company').fill('星辰科技有限公司');
      await page.getByTestId('answer-role').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="CTO"]').click();
      await page.getByTestId('answer-dinner').check();
      // The required consent left unchecked: the page says so and sends nothing.
      await page.getByTestId('registration-submit').click();
      await page.getByText('必填').first().waitFor();
      await page.screenshot({ path: join(ctx.shots, 'registration-phone-form.png'), fullPage: true });
      await page.getByTestId('consent-terms').check();
      await page.getByTestId('registration-submit').click();
      await page.getByTestId('registration-registered').waitFor();
      const code = (await page.getByTestId('checkin-code').innerText()).trim();
      assert.match(code, /^[A-HJ-NP-Z2-9]{8}$/);
      await page.getByText('期待与您在现场见面！').waitFor();
      await page.screenshot({ path: join(ctx.shots, 'registration-phone-done.png'), fullPage: true });

      // The one seat of the Shanghai session is taken: the next visitor is offered the waiting list.
      const other = await phone.newPage();
      await other.goto(`/e/${key}`);
      await other.getByText('上海场').click();
      await other.getByTestId('registration-submit').getByText('加入候补名单').waitFor();

      // Staff at the door: the marketer types (or scans) the code.
      const desk = await ctx.newContext();
      const staff = await desk.newPage();
      await staff.goto('/login');
      await staff.getByLabel('Email').fill(MARKETER);
      await staff.getByLabel('Password').fill(PASSWORD);
      await staff.getByRole('button', { name: 'Sign in' }).click();
      await staff.getByTestId('user-menu').waitFor();
      await staff.goto(`/marketing/campaigns/${campaignId}/registration`);
      await staff.getByTestId('campaign-registration-panel').waitFor();
      assert.equal(await staff.getByTestId('registration-public-url').innerText(), settings.body.public_url);
      await staff.getByTestId('checkin-code-input').fill(code.toLowerCase());
      await staff.getByTestId('checkin-code-input').press('Enter');
      await staff.getByTestId('checkin-result').getByText('王小明 checked in').waitFor();
      await staff
        .getByTestId('registration-counts')
        .getByText(/attended 1/)
        .waitFor();
      await staff.screenshot({ path: join(ctx.shots, 'registration-check-in.png'), fullPage: true });
      // Again: harmless, and said so.
      await staff.getByTestId('checkin-code-input').fill(code);
      await staff.getByTestId('checkin-submit').click();
      await staff.getByTestId('checkin-result').getByText('王小明 was already checked in').waitFor();
      const again = await api(`/api/v1/campaigns/${campaignId}/check-in`, { method: 'POST', body: JSON.stringify({ code }) });
      assert.equal(again.status, 200);
      assert.equal(again.body.status, 'attended');
      assert.equal(again.body.already_checked_in, true);
    },
  },
];
