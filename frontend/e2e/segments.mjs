// Browser scenario of the segment builder: a marketer builds a segment from the Marketing menu,
// the live count follows the condition and equals what the API counts, and the segment is saved.
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';
const MARKETER = 'marketer@demo.example.com';

let token = null;

async function api(ctx, path, init = {}) {
  if (!token) {
    const login = await fetch(`${ctx.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: MARKETER, password: PASSWORD }),
    });
    assert.equal(login.status, 200, 'login');
    token = (await login.json()).access_token;
  }
  const r = await fetch(`${ctx.base}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const shownCount = async (page) => Number((await page.getByTestId('segment-count').innerText()).replace(/[^0-9]/g, ''));

export const segmentTests = [
  {
    name: 'segments: a marketer builds a segment and sees its live count',
    async run(ctx) {
      const level = { field: 'customer.level', op: 'eq', value: 'A' };
      // A server just seeded may answer 503 (Retry-After) while it is busy: ask again.
      const preview = async (conditions) => {
        for (let i = 0; ; i++) {
          const r = await api(ctx, '/api/v1/segments/preview', {
            method: 'POST',
            body: JSON.stringify({ audience: 'contacts', conditions }),
          });
          if (r.status !== 503 || i >= 10) return r;
          await new Promise((ok) => setTimeout(ok, 2000));
        }
      };
      const all = (await preview({ op: 'and', conditions: [] })).body.count;
      const levelA = (await preview({ op: 'and', conditions: [level] })).body.count;
      assert.ok(levelA > 0 && levelA < all, `level A contacts ${levelA} of ${all}`);

      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(MARKETER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('main-nav').getByText('Segments', { exact: true }).click();
      await page.getByTestId('new-segment').click();
      const name = `Level A contacts ${Date.now()}`;
      await page.getByTestId('segment-name').fill(name);
      // No condition yet: every contact in range.
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="segment-count"]')?.textContent?.replace(/\D/g, '') === String(n),
        all,
      );

      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.getByLabel('Field').click();
      await page.keyboard.type('Customer level');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="Customer level"]').click();
      await page.locator('[data-testid^="value-n"]').fill('A');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="segment-count"]')?.textContent?.replace(/\D/g, '') === String(n),
        levelA,
      );
      assert.equal(await shownCount(page), levelA);
      await page.getByTestId('segment-sample').locator('tbody tr.ant-table-row').first().waitFor();
      await page.screenshot({ path: join(ctx.shots, 'segment-builder.png') });

      await page.getByTestId('save-segment').click();
      await page.getByTestId('segments-table').getByText(name).waitFor();
      const saved = (await api(ctx, '/api/v1/segments')).body.items.find((s) => s.name === name);
      assert.deepEqual(saved.conditions, { op: 'and', conditions: [level] });
      assert.equal((await api(ctx, `/api/v1/segments/${saved.id}`, { method: 'DELETE' })).status, 204);
      await context.close();
    },
  },
];
