// Sales analysis in the browser: a manager opens Analytics > Sales, drills from the funnel chart
// and from a count in the performance table into the deals behind them, and the deals list holds
// exactly as many deals as the figure said (and as the API says within the manager's range).
// (E2E_ONLY='sales analysis' runs only this one.)
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

/** Every row of the deals list, "load more" pressed until the list ends. */
async function allDealRows(page) {
  const table = page.getByTestId('opportunities-table');
  await page.getByTestId('drill-filter').waitFor();
  await table.locator('tbody tr.ant-table-row').first().waitFor(); // every figure drilled here counts some
  for (;;) {
    const more = page.getByTestId('load-more');
    if (!(await more.isVisible())) break;
    const before = await table.locator('tbody tr.ant-table-row').count();
    await more.click();
    await page.waitForFunction(
      ([n]) => document.querySelectorAll('[data-testid="opportunities-table"] tbody tr.ant-table-row').length > n,
      [before],
    );
  }
  return table.locator('tbody tr.ant-table-row').count();
}

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

export const salesAnalysisTests = [
  {
    name: 'sales analysis: a manager drills from the funnel chart and the performance table into the deals, the counts match',
    async run(ctx) {
      // The last 60 days: a cohort small enough to list in a few pages.
      const to = new Date();
      const from = new Date(to.getTime() - 60 * 86400 * 1000);
      const window = `from=${isoDay(from)}&to=${isoDay(to)}`;
      const api = await apiAs(ctx, 'east.manager');
      const funnel = await api(`/api/v1/analytics/sales/funnel?${window}`);
      assert.equal(funnel.status, 200, JSON.stringify(funnel.body));
      const first = funnel.body.stages[0];
      assert.ok(first.reached.count > 0, 'the demo data has deals created in the last 60 days');

      const { page } = await signedIn(ctx, 'east.manager');
      await page.getByTestId('main-nav').getByText('Sales', { exact: true }).click();
      await page.waitForURL('**/analytics/sales');
      await page.getByTestId('performance-table').waitFor();
      assert.equal(await page.title(), 'Sales · CRM');
      await page.goto(`/analytics/sales?${window}`);
      const shown = page.getByTestId(`reached-${first.name}`);
      await shown.waitFor();
      assert.equal(Number(await shown.innerText()), first.reached.count, 'the page shows the API figure');
      await page.waitForTimeout(500); // the chart's first frame
      await page.screenshot({ path: join(ctx.shots, 'sales-analysis.png'), fullPage: true });

      // The funnel's top segment (its first stage; the series starts 8 px down) opens the deals that reached it.
      const chart = page.getByTestId('funnel-chart');
      const box = await chart.boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + 18);
      await page.waitForURL('**/opportunities?**');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('reached_stage'), first.stage_id);
      assert.equal(await allDealRows(page), first.reached.count, 'the list holds the deals of the funnel figure');

      // A won count in the performance table (by owner) opens that owner's won deals.
      await page.goto(`/analytics/sales?${window}`);
      const perf = await api(`/api/v1/analytics/sales/performance?${window}&by=owner`);
      const row = perf.body.rows.find((r) => r.won.count > 0);
      assert.ok(row, 'someone in the department won a deal in the last 60 days');
      await page.getByTestId(`won-${row.key}`).click();
      await page.waitForURL('**/opportunities?**');
      assert.equal(new URL(page.url()).searchParams.get('status'), 'won');
      assert.equal(await allDealRows(page), row.won.count, 'the list holds the won deals the table counted');

      // At a phone's width the page still lays out its cards one under the other.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`/analytics/sales?${window}`);
      await page.getByTestId('performance-table').waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 400, `no sideways scrolling of the page at 390 px (${width})`);
      await page.screenshot({ path: join(ctx.shots, 'sales-analysis-mobile.png'), fullPage: true });
    },
  },
];
