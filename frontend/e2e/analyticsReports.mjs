// Browser scenario of the report builder: an analyst builds a report on deals grouped by owner from
// the Analytics menu, sees the same figures the API computes, saves it, exports it as CSV (the
// downloaded file's rows are checked) and clicks a cell to open the deals behind it.
// (E2E_ONLY='reports:' runs only this one.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';
const ANALYST = 'analyst@demo.example.com';
const DEFINITION = { entity: 'deals', measures: [{ fn: 'count' }], groupings: [{ field: 'owner' }] };

async function api(ctx, path, init = {}) {
  const login = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ANALYST, password: PASSWORD }),
  });
  assert.equal(login.status, 200, 'login');
  const token = (await login.json()).access_token;
  // A server just seeded may answer 503 (Retry-After) while it is busy: ask again.
  for (let i = 0; ; i++) {
    const r = await fetch(`${ctx.base}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    if (r.status === 503 && i < 10) {
      await new Promise((ok) => setTimeout(ok, 2000));
      continue;
    }
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
}

export const reportTests = [
  {
    name: 'reports: an analyst builds a report of deals by owner, saves it, exports it as CSV and drills into a cell',
    async run(ctx) {
      const expected = await api(ctx, '/api/v1/reports/run', { method: 'POST', body: JSON.stringify({ definition: DEFINITION }) });
      assert.equal(expected.status, 200);
      const byOwner = new Map(expected.body.rows.map((r) => [r.groups[0].label ?? '(none)', r.values.count]));
      assert.ok(byOwner.size > 1, 'the demo has deals of several owners');

      const context = await ctx.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(ANALYST);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('main-nav').getByText('Reports', { exact: true }).click();
      await page.getByTestId('new-report').click();
      const name = `Deals by owner ${Date.now()}`;
      await page.getByTestId('report-name').fill(name);
      await page.getByTestId('add-grouping').click();
      await page.getByTestId('grouping-field-0').click();
      await page.keyboard.type('Owner');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Owner"]').click();
      await page.getByTestId('run-report').click();
      const table = page.getByTestId('report-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      const shown = await table
        .locator('tbody tr.ant-table-row')
        .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent.trim())));
      assert.deepEqual(new Map(shown.map(([owner, count]) => [owner, Number(count)])), byOwner);
      await page.getByTestId('report-chart').getByText('Bar').click();
      await page.getByTestId('report-chart-canvas').locator('canvas').waitFor();
      await page.screenshot({ path: join(ctx.shots, 'report-builder.png') });

      await page.getByTestId('save-report').click();
      await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
      const saved = (await api(ctx, '/api/v1/reports')).body.items.find((r) => r.name === name);
      assert.ok(saved, 'saved');
      assert.equal(saved.chart, 'bar');

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
      const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
      const lines = csv.trim().split(/\r?\n/);
      assert.equal(lines[0], 'Owner,Count');
      const exported = new Map(
        lines.slice(1).map((line) => {
          const cut = line.lastIndexOf(',');
          return [line.slice(0, cut).replace(/^"|"$/g, ''), Number(line.slice(cut + 1))];
        }),
      );
      assert.deepEqual(exported, new Map([...byOwner].map(([k, v]) => [k === '(none)' ? '' : k, v])));

      // A cell opens the deals behind it: the list shows as many as the cell counts (a first page
      // of at most 50).
      const [owner, count] = [...byOwner].filter(([k]) => k !== '(none)').sort((a, b) => a[1] - b[1])[0];
      await table.locator('tbody tr.ant-table-row', { hasText: owner }).getByTestId('cell-count').click();
      await page.waitForURL(/\/opportunities\?where=/);
      await page.getByTestId('drill-notice').waitFor();
      await page.locator('tbody tr.ant-table-row').first().waitFor();
      await page.waitForFunction((n) => document.querySelectorAll('tbody tr.ant-table-row').length === n, Math.min(count, 50));
      await page.screenshot({ path: join(ctx.shots, 'report-drill.png') });
      await context.close();
    },
  },
];
