// Analytics > Leads & activities in the browser: a marketer opens the page, clicks the tallest
// source bar and lands on the leads list filtered to that source and window; the director sees
// the activities and reasons parts too, at a phone's width. (E2E_ONLY='lead analytics' runs these.)
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
  return async (path) => {
    const res = await fetch(`${ctx.base}${path}`, { headers: { Authorization: `Bearer ${access_token}` } });
    return { status: res.status, body: await res.json() };
  };
}

async function shot(ctx, page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(ctx.shots, `${name}.png`) });
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

/** The centre of the tallest bar drawn in `color` in an SVG chart. */
async function tallestBar(page, testId, color) {
  const box = await page.getByTestId(testId).evaluate((el, wanted) => {
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',')})`;
    const fills = new Set([wanted.toLowerCase(), rgb(wanted).replace(/\s/g, '')]);
    let best = null;
    for (const path of el.querySelectorAll('svg path')) {
      const fill = (path.getAttribute('fill') ?? '').toLowerCase().replace(/\s/g, '');
      if (!fills.has(fill)) continue;
      const r = path.getBoundingClientRect();
      if (!best || r.height > best.height) best = { x: r.x + r.width / 2, y: r.y + r.height / 2, height: r.height };
    }
    return best;
  }, color);
  assert.ok(box && box.height > 4, 'a leads bar is drawn');
  return box;
}

export const analyticsLeadsTests = [
  {
    name: 'lead analytics: a marketer clicks the biggest source bar and lands on the leads list filtered to it',
    async run(ctx) {
      const marketer = await apiAs(ctx, 'marketer');
      const analysis = await marketer('/api/v1/analytics/leads?by=source');
      assert.equal(analysis.status, 200);
      const top = analysis.body.rows[0];
      assert.ok(top && top.leads > 0, 'the demo has leads this year');
      const { context, page } = await signedIn(ctx, 'marketer');
      await page.getByRole('menuitem', { name: 'Leads & activities' }).click();
      await page.waitForURL(/\/analytics\/leads/);
      await page.getByTestId('leads-conversion-chart').locator('svg').waitFor();
      await page.waitForTimeout(800); // the bars grow in
      await shot(ctx, page, 'analytics-leads');
      const bar = await tallestBar(page, 'leads-conversion-chart', '#1677ff');
      await page.mouse.click(bar.x, bar.y);
      await page.waitForURL(/\/leads\?/);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('source'), top.key);
      assert.equal(url.searchParams.get('created_from'), top.drill.query.created_from);
      // The list shows that source's leads of the window: as many as the bar (one page at most).
      const rows = page.getByTestId('leads-table').locator('tbody tr.ant-table-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), Math.min(top.leads, 50));
      // Every lead listed is of that source (the list's own filter, not the page's guess).
      const listed = await marketer(`/api/v1/leads?${new URLSearchParams(top.drill.query)}&limit=200`);
      assert.ok(listed.body.items.every((l) => l.source === top.key));
      assert.equal(listed.body.items.length, Math.min(top.leads, 200));
      await context.close();
    },
  },
  {
    name: 'lead analytics: the director sees activities, the heat map and the reasons at a phone width',
    async run(ctx) {
      const { context, page } = await signedIn(ctx, 'director', { viewport: { width: 390, height: 844 } });
      await page.goto('/analytics/leads');
      await page.getByTestId('activities-heat-map').waitFor();
      await page.getByTestId('lost-reasons-chart').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no sideways scrolling at 390 px (${overflow})`);
      await shot(ctx, page, 'analytics-leads-mobile');
      await context.close();
    },
  },
];
