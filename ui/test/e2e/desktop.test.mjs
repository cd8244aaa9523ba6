// Desktop e2e: the real `bosun-desktop --demo` under Xvfb, driven through tauri-driver and
// WebKitWebDriver with plain WebDriver calls. Launch, wait for the dashboard, visit two pages,
// take a screenshot. Run it under `xvfb-run` (scripts/e2e does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AS_OF, artifacts, desktop, isolatedEnv } from './support.mjs';

const port = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const base = `http://127.0.0.1:${port}`;
const env = isolatedEnv({ BOSUN_EMBEDDINGS: 'off' });
const dataDir = mkdtempSync(join(tmpdir(), 'bosun-desktop-e2e-'));
let driver, session;

async function wd(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

async function find(css, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const el = await wd('POST', `/session/${session}/element`, { using: 'css selector', value: css });
      return Object.values(el)[0];
    } catch (e) {
      if (Date.now() > until) throw new Error(`${css} not found after ${timeoutMs} ms: ${e.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function text(el) {
  return wd('GET', `/session/${session}/element/${el}/text`);
}

before(async () => {
  driver = spawn(process.env.TAURI_DRIVER ?? 'tauri-driver', ['--port', String(port)], { env, stdio: 'inherit' });
  for (let i = 0; i < 60; i++) {
    try {
      await fetch(`${base}/status`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const s = await wd('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        'tauri:options': { application: desktop, args: ['--demo', '--as-of', AS_OF, '--data-dir', dataDir] },
      },
    },
  });
  session = s.sessionId;
});

after(async () => {
  if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
  driver?.kill();
});

test('bosun-desktop --demo opens the dashboard; two pages; a screenshot', async () => {
  const started = Date.now();
  const cards = await find('[data-testid=today-cards]', 240_000);
  const firstPaint = Date.now() - started;
  assert.match(await text(cards), /PRs waiting for people/);
  const badge = await find('[data-testid=demo-badge]');
  assert.match(await text(badge), /Tidewater Labs/);
  await wd('POST', `/session/${session}/element/${await find('a[href="#/delivery"]')}/click`, {});
  const dora = await find('[data-testid=dora-per-week]', 60_000);
  assert.match(await text(dora), /\/week$/);
  await wd('POST', `/session/${session}/element/${await find('a[href="#/sprint"]')}/click`, {});
  const sprint = await find('[data-testid=sprint-name]', 60_000);
  assert.match(await text(sprint), /Sprint \d+/);
  const png = await wd('GET', `/session/${session}/screenshot`);
  writeFileSync(join(artifacts, 'desktop-sprint.png'), Buffer.from(png, 'base64'));
  // The window's title and the command surface: only `api` is reachable from the webview.
  const title = await wd('GET', `/session/${session}/title`);
  assert.equal(title, 'Bosun');
  console.log(`desktop: dashboard after ${firstPaint} ms (demo sync included)`);
});
