// The first run as a new user meets it: `bosun serve` on an empty data dir opens on the welcome
// page; the wizard connects the fake GitHub in its real-world shape (no teams, no code owners,
// nameless users, bots, forks, archived and empty repositories, a token without read:org) with
// the URL and token `bosun demo providers` prints, without editing any file; the first sync runs
// and Today and Delivery then show that organisation. Every step is screenshotted.
//
// Needs a Secret Service for the token (scripts/e2e runs it in a private, unlocked keyring).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { AS_OF, api, artifacts, bosun, cliJson, isolatedEnv, stop, waitReady } from './support.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-wizard-'));
const fakesDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-fakes-'));
const env = isolatedEnv({ BOSUN_EMBEDDINGS: 'off' });
let fakes, server, browser, page, providers;
const timings = {};

async function firstLine(child, what) {
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  return new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${what}: nothing after 120 s: ${stderr}`)), 120_000);
    lines.once('line', (l) => {
      clearTimeout(t);
      ok(l.trim());
    });
    child.once('exit', (code) => fail(new Error(`${what} exited ${code}: ${stderr}`)));
  });
}

before(async () => {
  fakes = spawn(bosun, ['--data-dir', fakesDir, '--as-of', AS_OF, '--json', 'demo', 'providers', '--shape', 'real-world', '--big-repo-pulls', '400'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  providers = JSON.parse(await firstLine(fakes, 'bosun demo providers'));
  server = spawn(bosun, ['--data-dir', dataDir, '--as-of', AS_OF, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await firstLine(server, 'bosun serve');
  const u = new URL(url);
  server.url = url;
  server.origin = `${u.protocol}//${u.host}`;
  server.token = new URLSearchParams(u.hash.slice(1)).get('token');
  await waitReady(server.origin, server.token);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  if (server) await stop(server);
  if (fakes) await stop(fakes);
  if (Object.keys(timings).length) console.log(`first-run timings: ${JSON.stringify(timings)}`);
});

const shot = (name) => page.screenshot({ path: join(artifacts, `wizard-${name}.png`), fullPage: true });

test('an empty data dir opens on the welcome page', async () => {
  const info = (await api(server.origin, server.token, 'app_info')).body;
  assert.equal(info.demo, false);
  assert.equal(info.configured, false);
  await page.getByTestId('welcome').waitFor();
  await page.getByRole('heading', { name: 'Welcome to Bosun' }).waitFor();
  await shot('1-welcome');
});

test('the token is checked live and a missing permission is named in plain words', async () => {
  const welcome = (await api(server.origin, server.token, 'welcome')).body;
  assert.ok(welcome.keychain_ok, `this test needs a Secret Service: ${welcome.keychain_problem}`);
  await page.getByTestId('connect').click();
  await page.getByTestId('github-url').fill(providers.providers.github);
  await page.getByTestId('github-token').fill(providers.token);
  await page.getByTestId('check-token').click();
  const check = page.getByTestId('token-check');
  await check.waitFor();
  const missing = await page.getByTestId('missing-permission').allInnerTexts();
  assert.equal(missing.length, 1, missing.join('\n'));
  assert.match(missing[0], /read:org/);
  assert.match(missing[0], /teams/);
  assert.match(await check.innerText(), /Rate limit: \d+ of \d+/);
  await shot('2-token');
});

test('repositories: active ones chosen, archived, forks and empty ones not', async () => {
  const started = Date.now();
  await page.getByTestId('discover').click();
  await page.getByTestId('repos').waitFor({ timeout: 120_000 });
  timings.discover_ms = Date.now() - started;
  const rows = page.getByTestId('repos').locator('tbody tr');
  const n = await rows.count();
  assert.ok(n >= 8, `${n} repositories`);
  let archived = 0;
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const note = await row.locator('td').nth(3).innerText();
    const checked = await row.locator('input[type=checkbox]').isChecked();
    if (/archived|a fork|empty/.test(note)) {
      assert.equal(checked, false, `row ${i}: ${note}`);
      archived++;
    }
  }
  assert.ok(archived >= 3, `${archived} archived, forked or empty`);
  await shot('3-repos');
});

test('teams and people: no teams on GitHub, so one team of everyone active, bots left out', async () => {
  await page.getByTestId('to-people').click();
  const team = page.getByTestId('team');
  await team.first().waitFor();
  assert.equal(await team.count(), 1);
  assert.match(await team.first().innerText(), /suggested/);
  assert.doesNotMatch(await team.first().innerText(), /\[bot\]/);
  assert.ok((await page.getByTestId('me').inputValue()).startsWith('github:'));
  // Three direct reports, chosen by hand.
  const boxes = page.getByTestId('reports').locator('input[type=checkbox]');
  for (let i = 0; i < 3; i++) await boxes.nth(i).check();
  await shot('4-people');
});

test('other tools are optional and checked live: PagerDuty', async () => {
  await page.getByTestId('to-tools').click();
  const pd = page.getByTestId('tool-pagerduty');
  await pd.locator('input[type=checkbox]').first().check();
  await pd.getByLabel('API URL (empty for the public one)').fill(providers.providers.pagerduty);
  await pd.getByLabel('Token').fill('wrong-token');
  await pd.getByRole('button', { name: 'Check' }).click();
  await pd.locator('.badge', { hasText: 'refused' }).waitFor();
  assert.ok(await page.getByTestId('to-review').isDisabled(), 'a refused tool blocks the next step');
  await pd.getByLabel('Token').fill(providers.token);
  await pd.getByRole('button', { name: 'Check' }).click();
  await pd.locator('.badge', { hasText: 'valid' }).waitFor();
  await shot('5-tools');
});

test('review, save and the first sync, with progress', async () => {
  await page.getByTestId('to-review').click();
  const review = await page.getByTestId('review').innerText();
  assert.match(review, /3 direct reports/);
  await shot('6-review');
  const started = Date.now();
  await page.getByTestId('finish').click();
  await page.getByTestId('sync-summary').waitFor();
  await page.waitForTimeout(1500);
  await shot('7-sync');
  await page.getByRole('heading', { name: /First sync (done|finished)/ }).waitFor({ timeout: 600_000 });
  timings.first_sync_ms = Date.now() - started;
  assert.match(await page.getByTestId('sync-summary').innerText(), /synced/);
  await shot('8-synced');
  // Nothing was written by hand: the organisation is in org.toml, the token in the keychain.
  const welcome = (await api(server.origin, server.token, 'welcome')).body;
  assert.ok(existsSync(welcome.org_file), welcome.org_file);
  assert.match(readFileSync(welcome.org_file, 'utf8'), /\[\[teams\]\]/);
  assert.ok(!existsSync(welcome.config_file), 'config.toml stays untouched (not created)');
  const sources = (await api(server.origin, server.token, 'settings')).body.sources;
  assert.equal(sources.length, 2);
  assert.ok(sources.every((s) => s.token === 'keychain'), JSON.stringify(sources));
});

test('Today and Delivery show the organisation: reviews by people nobody configured, bots disclosed', async () => {
  await page.getByTestId('open-today').click();
  await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor({ timeout: 60_000 });
  await page.locator('.state[role=status]').first().waitFor({ state: 'detached', timeout: 60_000 }).catch(() => {});
  await shot('9-today');
  const dora = cliJson(dataDir, env, 'metrics', 'dora');
  const lead = dora.lead_time_seconds ?? dora.dora?.lead_time_seconds;
  assert.ok(lead && lead.n > 0, JSON.stringify(dora).slice(0, 400));
  assert.ok(lead.bots > 0, `bot changes counted and disclosed: ${JSON.stringify(lead)}`);
  const prs = cliJson(dataDir, env, 'metrics', 'prs');
  assert.ok(prs.merged > 20, `merged ${prs.merged}`);
  assert.ok(prs.merged_without_review * 4 < prs.merged, `${prs.merged_without_review} of ${prs.merged} without review`);
  await page.goto(`${server.origin}/#/delivery`);
  await page.getByRole('heading', { level: 1, name: 'Delivery' }).waitFor();
  await page.locator('.state[role=status]').first().waitFor({ state: 'detached', timeout: 60_000 }).catch(() => {});
  assert.match(await page.locator('main').innerText(), /bot/i);
  await shot('10-delivery');
  await page.goto(`${server.origin}/#/settings`);
  await page.getByTestId('org-editor').getByTestId('org-team').first().waitFor();
  await page.getByTestId('org-editor').scrollIntoViewIfNeeded();
  await page.getByTestId('org-editor').screenshot({ path: join(artifacts, 'wizard-11-settings-org.png') });
});
