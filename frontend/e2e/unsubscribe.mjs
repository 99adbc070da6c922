// The public unsubscribe page (/unsubscribe/:token) in a real browser: a phone-sized window, the
// language of the browser, no login. The happy path answers the two public calls with page.route
// (campaign sends and their signed links come with the sends module; the API side of the same
// flow is tests/api/test_marketing_tracking.py); a forged link goes to the real server.
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

async function shot(ctx, page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(ctx.shots, `${name}.png`) });
}

/** The public unsubscribe API of one link, answered in the browser; returns the bodies posted. */
async function fakeLink(page, token, view) {
  const posted = [];
  let unsubscribed = view.unsubscribed;
  await page.route(`**/api/v1/public/unsubscribe/${token}`, async (route) => {
    const request = route.request();
    assert.equal(request.headers()['authorization'], undefined, 'a public call carries no credentials');
    if (request.method() === 'POST') {
      posted.push(request.postData());
      unsubscribed = true;
    }
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ...view, unsubscribed }) });
  });
  return posted;
}

export const unsubscribeTests = [
  {
    name: 'unsubscribe: a recipient on a phone sees the masked address and unsubscribes with one tap',
    async run(ctx) {
      const context = await ctx.newContext(PHONE);
      const page = await context.newPage();
      const posted = await fakeLink(page, 'e2e.link.ok', {
        channel: 'email',
        masked_address: 'w***@example.cn',
        campaign_name: 'Spring expo 2027',
        unsubscribed: false,
      });
      await page.goto('/unsubscribe/e2e.link.ok');
      await page.getByTestId('unsubscribe-address').waitFor();
      assert.equal(await page.getByTestId('unsubscribe-address').textContent(), 'w***@example.cn');
      await page.getByText('Spring expo 2027', { exact: false }).waitFor();
      // Nothing runs off a phone's screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      await shot(ctx, page, 'unsubscribe-phone');
      await page.getByTestId('unsubscribe-confirm').tap();
      await page.getByText('You are unsubscribed').waitFor();
      assert.deepEqual(posted, ['{}']);
      await page.reload();
      await page.getByText('You are already unsubscribed').waitFor();
    },
  },
  {
    name: 'unsubscribe: the page follows a Chinese browser, and a forged link is refused by the server',
    async run(ctx) {
      const context = await ctx.newContext({ ...PHONE, locale: 'zh-CN' });
      const page = await context.newPage();
      await fakeLink(page, 'e2e.link.zh', {
        channel: 'sms',
        masked_address: '138****8000',
        campaign_name: '春季展会',
        unsubscribed: false,
      });
      await page.goto('/unsubscribe/e2e.link.zh');
      await page.getByRole('heading', { name: '退订' }).waitFor();
      // antd spaces a two-character Chinese label (退 订).
      assert.equal((await page.getByTestId('unsubscribe-confirm').textContent()).replace(/\s/g, ''), '退订');
      await page.getByText('138****8000').waitFor();
      await shot(ctx, page, 'unsubscribe-zh');
      // No fake: the real API checks the signature and answers 404.
      await page.goto('/unsubscribe/dev.Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbi1mb3JnZWQ.AAAAAAAAAAAAAAAAAAAAAA');
      await page.getByTestId('unsubscribe-missing').waitFor();
      await page.getByText('此退订链接无效。').waitFor();
    },
  },
];
