// Desktop and browser benchmarks (bench/desktop.sh runs this):
//   first-paint  — bosun-desktop on an already-synced data dir, launched through tauri-driver
//                  under Xvfb: the app process's start → the first frame with the Today cards
//                  (the UI's `bosun:today-painted` mark), and the driver's view (session
//                  request → the cards in the DOM);
//   idle-pss     — bosun-desktop idle on that data dir: PSS summed over the app and its WebKit
//                  processes, from /proc/<pid>/smaps_rollup;
//   render       — `bosun serve` on a data dir, Chromium: click Delivery (the heaviest page) →
//                  its numbers on screen, and the `delivery` call alone.
// Usage: node test/bench.mjs first-paint|idle-pss|render DATA_DIR
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AS_OF, api, bosun, desktop, isolatedEnv, stop } from './e2e/support.mjs';

const [what, dataDir] = process.argv.slice(2);
const env = isolatedEnv({ BOSUN_EMBEDDINGS: 'off' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function children(pid) {
  const out = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(p), ...children(Number(p)));
    } catch {}
  }
  return out;
}

function pssKiB(pid) {
  try {
    const m = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

if (what === 'first-paint') {
  const port = 4455; // (not 4445: tauri-driver's default --native-port for WebKitWebDriver)
  const driver = spawn('tauri-driver', ['--port', String(port)], { env, stdio: 'ignore' });
  await sleep(1500);
  const wd = async (method, path, body) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const j = await r.json();
    if (!r.ok) throw new Error(JSON.stringify(j));
    return j.value;
  };
  const t0 = performance.now();
  const s = await wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: desktop, args: ['--data-dir', dataDir, '--as-of', AS_OF] } } } });
  const tSession = performance.now();
  for (;;) {
    try {
      await wd('POST', `/session/${s.sessionId}/element`, { using: 'css selector', value: '[data-testid=today-cards]' });
      break;
    } catch {
      await sleep(20);
    }
  }
  const t1 = performance.now();
  // Precisely: the app process's start (/proc, 10 ms ticks) → the Today cards' first frame (a
  // performance mark the UI sets), both as ages measured at the same moment — no driver polling.
  const pid = Number(execFileSync('pgrep', ['-n', '-f', `bosun-desktop.*${dataDir}`]).toString().trim());
  let paintAgeMs = null;
  for (let i = 0; i < 50 && paintAgeMs == null; i++) {
    paintAgeMs = await wd('POST', `/session/${s.sessionId}/execute/sync`, {
      script: "const m = performance.getEntriesByName('bosun:today-painted')[0]; return m ? performance.now() - m.startTime : null;",
      args: [],
    });
    if (paintAgeMs == null) await sleep(100);
  }
  const uptimeMs = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
  const ticks = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
  const processAgeMs = uptimeMs - ticks * 10;
  const mark = paintAgeMs == null ? null : processAgeMs - paintAgeMs;
  console.log(JSON.stringify({
    launch_to_dashboard_painted_ms: mark == null ? null : Math.round(mark),
    driver_session_to_element_found_ms: Math.round(t1 - t0),
    session_ms: Math.round(tSession - t0),
  }));
  await wd('DELETE', `/session/${s.sessionId}`).catch(() => {});
  driver.kill();
} else if (what === 'idle-pss') {
  const app = spawn(desktop, ['--data-dir', dataDir, '--as-of', AS_OF], { env, stdio: 'ignore' });
  await sleep(Number(process.env.IDLE_WAIT_MS ?? 30000));
  const pids = [app.pid, ...children(app.pid)];
  const per = pids.map((p) => ({ pid: p, comm: comm(p), pss_mib: +(pssKiB(p) / 1024).toFixed(1) }));
  const total = per.reduce((a, b) => a + b.pss_mib, 0);
  console.log(JSON.stringify({ total_pss_mib: +total.toFixed(1), processes: per }));
  app.kill('SIGTERM');
} else if (what === 'render') {
  const child = spawn(bosun, ['--data-dir', dataDir, '--as-of', AS_OF, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((ok) => child.stdout.once('data', (d) => ok(String(d).split('\n')[0].trim())));
  const u = new URL(url);
  const origin = `${u.protocol}//${u.host}`;
  const token = new URLSearchParams(u.hash.slice(1)).get('token');
  for (;;) {
    const { body } = await api(origin, token, 'app_info');
    if (body.phase.state === 'ready') break;
    await sleep(200);
  }
  const calls = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await api(origin, token, 'delivery', { team: null, days: 90 });
    calls.push(Math.round(performance.now() - t));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(url);
  await page.getByTestId('today-cards').waitFor({ timeout: 120000 });
  const renders = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${origin}/#/today`);
    await page.getByTestId('today-cards').waitFor({ timeout: 120000 });
    const t = performance.now();
    await page.locator('a[href="#/delivery"]').click();
    await page.getByTestId('dora-per-week').waitFor({ timeout: 120000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    renders.push(Math.round(performance.now() - t));
  }
  const rows = await page.locator('tbody tr').count();
  console.log(JSON.stringify({ delivery_call_ms: calls, delivery_click_to_painted_ms: renders, table_rows: rows }));
  await browser.close();
  await stop(child);
} else {
  console.error('usage: node test/bench.mjs first-paint|idle-pss|render DATA_DIR');
  process.exit(2);
}
