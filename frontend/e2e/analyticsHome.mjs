// Home as a role's dashboard: a sales manager opens Home, follows a stage of the pipeline chart
// into the deals list filtered to it, and finds as many deals there as the chart counted; then
// arranges a dashboard of their own and shares it. (E2E_ONLY='analytics home' runs only these.)
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';
const demo = (who) => `${who}@demo.example.com`;

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

async function token(ctx, who) {
  const r = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo(who), password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).access_token;
}

export const analyticsHomeTests = [
  {
    name: 'analytics home: a manager drills from the pipeline chart into the deals of a stage, and the count matches',
    async run(ctx) {
      const { context, page } = await signedIn(ctx, 'east.manager');
      const bearer = { Authorization: `Bearer ${await token(ctx, 'east.manager')}` };
      const home = await (await fetch(`${ctx.base}/api/v1/dashboards/home`, { headers: bearer })).json();
      const keys = home.widgets.map((w) => w.key);
      assert.ok(keys.includes('pipeline_by_stage') && keys.includes('per_rep'), keys.join());
      const pipelines = home.widgets.find((w) => w.key === 'pipeline_by_stage').data.pipelines;
      // the open stage with the fewest deals (the list shows 50 a page: a few pages at most)
      const stage = pipelines
        .flatMap((p) => p.stages)
        .filter((s) => s.count > 0)
        .sort((a, b) => a.count - b.count)[0];
      assert.ok(stage, 'the demo department has an open stage with deals');

      await page.goto('/');
      await page.getByTestId('widget-pipeline_by_stage').waitFor();
      await page.getByTestId('pipeline-chart').first().waitFor();
      await page.screenshot({ path: join(ctx.shots, 'home-manager.png'), fullPage: true });
      await page.getByTestId(`stage-${stage.name}`).first().click();
      await page.waitForURL(/\/opportunities\?/);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('stage'), stage.id);
      await page.locator('.ant-table-row').first().waitFor();
      for (let shown = 0; ;) {
        await page.waitForFunction((n) => document.querySelectorAll('.ant-table-row').length > n, shown);
        shown = await page.locator('.ant-table-row').count();
        const more = page.getByTestId('load-more');
        if (shown >= stage.count || !(await more.isVisible())) break;
        await more.click();
      }
      assert.equal(await page.locator('.ant-table-row').count(), stage.count);

      // At a phone's width Home stays usable: the cards stack, nothing overflows sideways.
      const phone = await signedIn(ctx, 'east.rep1', { viewport: { width: 390, height: 844 } });
      await phone.page.goto('/');
      await phone.page.getByTestId('widget-pipeline_by_stage').waitFor();
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
      await phone.page.screenshot({ path: join(ctx.shots, 'home-rep-phone.png'), fullPage: true });
      await phone.context.close();

      // A dashboard of one's own: create, add a widget, move it up, share it with the reps.
      await page.goto('/analytics/dashboards');
      await page.getByTestId('dashboard-name').fill(`团队看板 ${Date.now()}`);
      await page.getByTestId('dashboard-create').click();
      await page.getByTestId('dashboard-editor').waitFor();
      await page.getByTestId('dashboard-add').click();
      await page.getByTestId('widget-leads_to_work').waitFor();
      await page.waitForLoadState('networkidle');
      await page.getByRole('button', { name: 'Move up' }).last().click();
      await page.waitForLoadState('networkidle');
      await page.getByTestId('dashboard-share').click();
      await page.getByTitle('Sales rep').click();
      await page.keyboard.press('Escape');
      await page.waitForLoadState('networkidle');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="dashboard-grid"] .ant-card').length === 4);
      const id = page.url().split('/').pop().split('?')[0];
      const saved = await (await fetch(`${ctx.base}/api/v1/dashboards/${id}`, { headers: bearer })).json();
      assert.deepEqual(saved.shared_roles, ['sales_rep']);
      assert.equal(saved.layout[2].widget, 'leads_to_work');
      await page.screenshot({ path: join(ctx.shots, 'dashboard-editor.png'), fullPage: true });
      await context.close();
    },
  },
];
