// Customer analysis in the browser: the director opens Analytics > Customers, sees the lifecycle,
// the RFM grid and segments, churn risk and value; drills from an RFM segment into the customer
// list, which shows exactly that segment's customers (the API's count), then from a grid cell.
// (E2E_ONLY='customer analysis' runs only this one.)
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';
const demo = (who) => `${who}@demo.example.com`;

async function token(ctx, who) {
  const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo(who), password: PASSWORD }),
  });
  assert.equal(r.status, 200, `login ${who}`);
  return (await r.json()).access_token;
}

export const customerAnalyticsTests = [
  {
    name: 'customer analysis: the director opens Analytics > Customers and drills from an RFM segment into the customer list',
    async run(ctx) {
      const access = await token(ctx, 'director');
      const api = async (path) => {
        const r = await fetch(`${ctx.base}${path}`, { headers: { Authorization: `Bearer ${access}` } });
        assert.equal(r.status, 200, path);
        return r.json();
      };
      const rfm = await api('/api/v1/analytics/customers/rfm');
      const segment = rfm.segments.filter((s) => s.customers > 0).sort((a, b) => a.customers - b.customers)[0];
      assert.ok(segment, 'the demo has scored customers');
      assert.ok(segment.customers <= 50, 'a segment that fits on one page of the list');

      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(demo('director'));
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('user-menu').waitFor();
      await page.getByRole('menuitem', { name: 'Customer analysis' }).click();
      await page.waitForURL(/\/analytics\/customers/);
      await page.getByTestId('rfm-grid').waitFor();
      await page.getByTestId('lifecycle-chart').waitFor();
      await page.getByTestId('churn-table').waitFor();
      await page.getByTestId('value-card').waitFor();
      await page.screenshot({ path: join(ctx.shots, 'customer-analysis.png'), fullPage: true });

      await page.getByTestId(`segment-${segment.segment}`).click();
      await page.waitForURL((url) => url.pathname === '/customers' && url.searchParams.get('rfm_segment') === segment.segment);
      await page.getByTestId('analysis-filters').waitFor();
      const table = page.getByTestId('customers-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      assert.equal(await table.locator('tbody tr.ant-table-row').count(), segment.customers);
      const listed = await api(`/api/v1/customers?rfm_segment=${segment.segment}&limit=200`);
      assert.equal(listed.items.length, segment.customers);

      // Back, and a cell of the grid: its recency and frequency become the list's filters.
      await page.goBack();
      const cell = rfm.grid.filter((c) => c.customers > 0 && c.customers <= 50)[0];
      await page.getByTestId(`rfm-cell-${cell.recency}-${cell.frequency}`).click();
      await page.waitForURL((url) => url.searchParams.get('rfm_recency') === String(cell.recency));
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      assert.equal(await table.locator('tbody tr.ant-table-row').count(), cell.customers);
      await page.screenshot({ path: join(ctx.shots, 'customer-analysis-drill.png'), fullPage: true });

      // A phone's width: the page still shows its figures.
      const phone = await ctx.newContext({ viewport: { width: 390, height: 844 } });
      const small = await phone.newPage();
      await small.goto('/login');
      await small.getByLabel('Email').fill(demo('director'));
      await small.getByLabel('Password').fill(PASSWORD);
      await small.getByRole('button', { name: 'Sign in' }).click();
      await small.getByTestId('user-menu').waitFor();
      await small.goto('/analytics/customers');
      await small.getByTestId('rfm-grid').waitFor();
      const width = await small.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 400, `no sideways scrolling at 390 px (${width})`);
      await small.screenshot({ path: join(ctx.shots, 'customer-analysis-phone.png'), fullPage: true });
    },
  },
];
