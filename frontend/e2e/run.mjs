// Browser tests: Debian's chromium driven by playwright-core against the real API (a `crm serve`
// process on a throwaway embedded PostgreSQL with the demo seed). Screenshots of the main screens
// go to e2e-artifacts/<run>/ (printed at the end).
//
//   node e2e/run.mjs                 start a server, run everything, stop the server
//   E2E_BASE_URL=http://127.0.0.1:8123 node e2e/run.mjs    against a server you started
//   E2E_ONLY=logout node e2e/run.mjs                       the tests whose name contains "logout" (a|b: either)
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { tests as mainTests } from './tests.mjs';
import { templateTests } from './messageTemplates.mjs';
import { salesAnalysisTests } from './analyticsSales.mjs';

const tests = [...mainTests, ...templateTests, ...salesAnalysisTests];

const here = dirname(fileURLToPath(import.meta.url));
const frontend = resolve(here, '..');
const repo = resolve(frontend, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`== ${CHROMIUM} is missing: installing Debian's chromium (and a CJK font for the screenshots)`);
  const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei`, {
    stdio: 'inherit',
  });
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitReady(base, child, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server did not become ready within ${seconds}s`);
}

async function startServer() {
  const crm = join(repo, '.venv', 'bin', 'crm');
  if (!existsSync(crm)) throw new Error(`${crm} is missing: run \`make .venv/.dev-deps\` first`);
  if (!existsSync(join(frontend, 'dist', 'index.html'))) throw new Error('frontend/dist is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const port = await freePort();
  const log = [];
  const env = { ...process.env };
  delete env.CRM_DATABASE_URL; // always a throwaway embedded PostgreSQL
  delete env.CRM_MIGRATION_DATABASE_URL;
  const child = spawn(crm, ['serve', '--migrate', '--seed-demo'], {
    cwd: repo,
    env: {
      ...env,
      CRM_DATA_DIR: dataDir,
      CRM_PORT: String(port),
      CRM_HOST: '127.0.0.1',
      CRM_WEB_DIR: join(frontend, 'dist'),
      CRM_DB_PREWARM: '0',
      CRM_LOG_LEVEL: 'warning',
      // The periodic jobs once, at start: on the demo data the rotting-deal job would otherwise
      // notify another 500 deals every minute, burying a test's own notification in the bell.
      CRM_WORKER_JOBS_SECONDS: '3600',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, child, 240);
  } catch (error) {
    console.error(log.join(''));
    child.kill('SIGINT');
    throw error;
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, stop, log, dataDir };
}

async function main() {
  ensureChromium();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const shots = join(frontend, 'e2e-artifacts', stamp);
  mkdirSync(shots, { recursive: true });
  let server = null;
  let base = process.env.E2E_BASE_URL;
  if (!base) {
    console.log('== starting crm serve on a throwaway embedded PostgreSQL (demo seed)');
    server = await startServer();
    base = server.base;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const only = process.env.E2E_ONLY;
  // several names: separated by |
  const selected = tests.filter((t) => !only || only.split('|').some((part) => t.name.includes(part)));
  let failed = 0;
  try {
    for (const test of selected) {
      const started = Date.now();
      const contexts = [];
      const pageErrors = [];
      const ctx = {
        base,
        shots,
        // Where the server's development mailer writes each message (no CRM_SMTP_URL): the
        // invitation and reset links are read from there, as a person reads their mail.
        mailDir: server ? join(server.dataDir, 'mail') : (process.env.E2E_MAIL_DIR ?? join(repo, '.crm', 'mail')),
        async newContext(options = {}) {
          const context = await browser.newContext({ baseURL: base, locale: 'en-US', viewport: { width: 1280, height: 860 }, ...options });
          context.setDefaultTimeout(15000);
          // Uncaught exceptions and Content-Security-Policy refusals fail the test.
          context.on('page', (page) => {
            page.on('pageerror', (error) => pageErrors.push(String(error)));
            page.on('console', (msg) => {
              if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) pageErrors.push(msg.text());
            });
          });
          contexts.push(context);
          return context;
        },
      };
      try {
        await test.run(ctx);
        if (pageErrors.length) throw new Error(`errors in the page:\n${pageErrors.join('\n')}`);
        console.log(`ok   ${test.name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      } catch (error) {
        failed++;
        console.log(
          `FAIL ${test.name}\n     ${String(error?.stack ?? error)
            .split('\n')
            .slice(0, 6)
            .join('\n     ')}`,
        );
        for (const [i, context] of contexts.entries())
          for (const [j, page] of context.pages().entries())
            await page
              .screenshot({ path: join(shots, `FAILED-${test.name.replace(/\W+/g, '_')}-${i}-${j}.png`), fullPage: true })
              .catch(() => {});
      } finally {
        for (const context of contexts) await context.close().catch(() => {});
      }
    }
  } finally {
    await browser.close();
    if (server) await server.stop();
  }
  console.log(`\n${selected.length - failed} passed, ${failed} failed`);
  console.log(`screenshots: ${shots}`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
