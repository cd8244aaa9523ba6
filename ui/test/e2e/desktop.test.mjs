// Desktop e2e: the real `bosun-desktop --demo` under Xvfb, driven through tauri-driver and
// WebKitWebDriver with plain WebDriver calls. Launch, wait for the dashboard, visit two pages,
// take a screenshot. Run it under `xvfb-run` (scripts/e2e does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AS_OF, artifacts, desktop, isolatedEnv } from './support.mjs';

const port = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const base = `http://127.0.0.1:${port}`;
const env = isolatedEnv({ BOSUN_EMBEDDINGS: 'off' });
const dataDir = mkdtempSync(join(tmpdir(), 'bosun-desktop-e2e-'));
let driver, session, trayHost;

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
  // A system tray on the bare X server (trayer, an XEmbed tray), so the tray icon can be clicked.
  trayHost = spawn('trayer', ['--edge', 'top', '--align', 'right', '--widthtype', 'pixel', '--width', '120', '--height', '28', '--transparent', 'false', '--tint', '0x333333'], { env, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
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
  trayHost?.kill();
  // Closing the window keeps Bosun in the tray: make sure no app outlives the test.
  try {
    execFileSync('pkill', ['-f', '--', dataDir]);
  } catch {}
});

function appRunning() {
  try {
    execFileSync('pgrep', ['-f', '--', `bosun-desktop.*${dataDir}`]);
    return true;
  } catch {
    return false;
  }
}

test('bosun-desktop --demo opens the dashboard; two pages; a screenshot', async () => {
  const started = Date.now();
  const cards = await find('[data-testid=today-cards]', 240_000);
  const firstPaint = Date.now() - started;
  assert.match(await text(cards), /Open pull requests/);
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

/** Open the tray menu (left click on the icon at the top-right corner, trayer's only icon) and
 * choose an item with the keyboard: `downs` Down presses, then optional Right (a submenu), Return. */
function trayMenu(downs, submenu = false) {
  const x = (...args) => execFileSync('xdotool', args, { env });
  const [w] = String(execFileSync('xdotool', ['getdisplaygeometry'], { env })).trim().split(/\s+/).map(Number);
  x('mousemove', String(w - 17), '14', 'click', '1');
  x('sleep', '0.8');
  for (let i = 0; i < downs; i++) x('key', 'Down');
  if (submenu) {
    // Right opens the submenu with its first item selected.
    x('key', 'Right');
    x('sleep', '0.4');
  }
  x('key', 'Return');
}

async function waitText(css, re, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const t = await text(await find(css)).catch(() => '');
    if (re.test(t)) return t;
    if (Date.now() > until) throw new Error(`${css}: ${JSON.stringify(t)} never matched ${re}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('the tray menu: today\'s brief opens Today, pause alerts shows in the window, quit ends the app', async () => {
  await find('[data-testid=today-cards], [data-testid=sprint-name]', 240_000);
  // Open Bosun, Today's brief, Sync now, Pause alerts (separators are skipped), Quit.
  trayMenu(2);
  await find('[data-testid=today-cards]', 20_000);
  const url = await wd('GET', `/session/${session}/url`);
  assert.match(url, /#\/today$/);
  trayMenu(4, true);
  await waitText('nav.side', /Alerts paused until \d\d:\d\d/);
  const png = await wd('GET', `/session/${session}/screenshot`);
  writeFileSync(join(artifacts, 'desktop-today-paused.png'), Buffer.from(png, 'base64'));
  // Single instance: a second launch hands over to the first (shows its window) and exits.
  if (process.env.DBUS_SESSION_BUS_ADDRESS) {
    const second = spawn(desktop, ['--as-of', AS_OF, '--data-dir', dataDir], { env, stdio: 'ignore' });
    const code = await new Promise((ok) => {
      const t = setTimeout(() => ok('still running after 20 s'), 20_000);
      second.once('exit', (c) => {
        clearTimeout(t);
        ok(c);
      });
    });
    if (code !== 0) second.kill();
    assert.equal(code, 0, 'the second instance exits');
    assert.ok(appRunning(), 'the first instance stays');
  }
  // Quit (the fifth item) ends the app, WebKit processes and fake providers included.
  assert.ok(appRunning());
  trayMenu(5);
  const until = Date.now() + 15_000;
  while (appRunning() && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  assert.ok(!appRunning(), 'Quit in the tray menu ends bosun-desktop');
  session = null;
});

test('with no display it says so and falls back to browser mode, printing the URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-desktop-nodisplay-'));
  const child = spawn(desktop, ['--demo', '--as-of', AS_OF, '--data-dir', dir], {
    env: { ...env, DISPLAY: '', WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = await new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no URL after 30 s: ${stderr}`)), 30_000);
      child.stdout.once('data', (d) => {
        clearTimeout(t);
        ok(String(d).split('\n')[0].trim());
      });
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
    assert.match(stderr, /no display/);
    const u = new URL(url);
    const res = await fetch(`${u.origin}/api/call/app_info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${new URLSearchParams(u.hash.slice(1)).get('token')}`, 'content-type': 'application/json' },
      body: 'null',
    });
    assert.equal(res.status, 200);
    const info = await res.json();
    assert.equal(info.door, 'browser');
    assert.equal(info.demo, true);
  } finally {
    child.kill('SIGINT');
  }
});
