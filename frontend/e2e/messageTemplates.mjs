// Browser scenario of the message templates: a marketer writes an e-mail in both languages and
// sees each rendered side by side, HTML escaped, before saving it.
import assert from 'node:assert/strict';
import { join } from 'node:path';

const PASSWORD = 'crm-demo-2026';

export const templateTests = [
  {
    name: 'message templates: a marketer writes a bilingual e-mail, sees both previews and saves it',
    async run(ctx) {
      const context = await ctx.newContext();
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill('marketer@demo.example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('main-nav').getByText('Message templates', { exact: true }).click();
      await page.getByRole('heading', { name: 'Message templates' }).waitFor();
      await page.getByTestId('new-template').click();

      const name = `E2E launch ${Date.now()}`;
      await page.getByTestId('template-name').fill(name);
      await page.getByTestId('template-zh-CN-subject').fill('{{ contact.name }}，诚邀您参加发布会');
      await page.getByTestId('template-zh-CN-html').fill('<p>尊敬的{{ contact.name }}：</p><p>{{ customer.name }}</p>');
      await page.getByRole('tab', { name: 'English' }).click();
      await page.getByTestId('template-en-subject').fill('{{ contact.name }}, join our launch');
      await page.getByTestId('template-en-text').fill('Dear {{ contact.name | default("friend") }}, see you there.');

      // Both languages, side by side, with the sample values.
      await page.getByTestId('preview-subject-zh-CN').getByText('张伟，诚邀您参加发布会').waitFor();
      await page.getByTestId('preview-subject-en').getByText('张伟, join our launch').waitFor();
      await page.getByTestId('preview-text-en').getByText('Dear 张伟, see you there.').waitFor();
      const frame = page.frameLocator('[data-testid="preview-html-zh-CN"]');
      await frame.getByText('尊敬的张伟：').waitFor();
      await frame.getByText('北京科技有限公司').waitFor();
      // The text part made from the HTML, where none is written.
      await page.getByTestId('preview-text-zh-CN').getByText('尊敬的张伟：').waitFor();

      // A mistake shows in the preview before any save.
      await page.getByTestId('template-en-subject').fill('{{ contact.nickname }}, join our launch');
      await page
        .getByTestId('preview-en')
        .getByText(/unknown variable contact\.nickname/)
        .waitFor();
      await page.getByTestId('template-en-subject').fill('{{ contact.name }}, join our launch');
      await page.getByTestId('preview-subject-en').getByText('张伟, join our launch').waitFor();
      await page.screenshot({ path: join(ctx.shots, 'message-template-editor.png'), fullPage: true });

      await page.getByTestId('save-template').click();
      await page.getByRole('heading', { name }).waitFor();
      const id = new URL(page.url()).pathname.split('/').pop();
      const login = await fetch(`${ctx.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'marketer@demo.example.com', password: PASSWORD }),
      });
      const { access_token } = await login.json();
      const r = await fetch(`${ctx.base}/api/v1/message-templates/${id}`, { headers: { Authorization: `Bearer ${access_token}` } });
      assert.equal(r.status, 200);
      const saved = await r.json();
      assert.equal(saved.name, name);
      assert.deepEqual(Object.keys(saved.content).sort(), ['en', 'zh-CN']);
      assert.deepEqual(saved.variables, ['contact.name', 'customer.name']);

      // Listed under Marketing.
      await page.getByTestId('main-nav').getByText('Message templates', { exact: true }).click();
      await page.getByTestId('templates-table').getByRole('link', { name }).waitFor();
    },
  },
];
