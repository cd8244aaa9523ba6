// Shared by the e2e tests: find the bosun binaries, run `bosun serve --demo`, ask the CLI.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const root = resolve(import.meta.dirname, '../../..');
export const AS_OF = '2026-11-20T09:00:00Z';
export const artifacts = process.env.BOSUN_E2E_ARTIFACTS ?? join(root, 'artifacts', 'e2e');
mkdirSync(artifacts, { recursive: true });

const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
export const bosun = process.env.BOSUN_BIN ?? join(target, 'debug', 'bosun');
export const desktop = process.env.BOSUN_DESKTOP_BIN ?? join(target, 'debug', 'bosun-desktop');

/** A private HOME and XDG dirs, so nothing touches the real user's. */
export function isolatedEnv(extra = {}) {
  const home = mkdtempSync(join(tmpdir(), 'bosun-e2e-home-'));
  return {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    BOSUN_LOG: 'warn',
    ...extra,
  };
}

/** `bosun serve --demo` on a free port; resolves once its first stdout line (the URL) arrives. */
export async function serveDemo({ dataDir, env }) {
  const child = spawn(bosun, ['--data-dir', dataDir, '--as-of', AS_OF, 'serve', '--demo', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no URL from bosun serve after 60 s: ${stderr}`)), 60_000);
    lines.once('line', (l) => {
      clearTimeout(t);
      ok(l.trim());
    });
    child.once('exit', (code) => fail(new Error(`bosun serve exited ${code}: ${stderr}`)));
  });
  const u = new URL(url);
  // The launch token is in the fragment: http://127.0.0.1:PORT/#token=…
  const token = new URLSearchParams(u.hash.slice(1)).get('token');
  const origin = `${u.protocol}//${u.host}`;
  return { child, url, token, origin, stderr: () => stderr };
}

/** POST an endpoint with the bearer token. */
export async function api(origin, token, name, args = null) {
  const res = await fetch(`${origin}/api/call/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: await res.json() };
}

export async function waitReady(origin, token, timeoutMs = 240_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(origin, token, 'app_info');
    if (body.phase?.state === 'ready') return body;
    if (body.phase?.state === 'failed') throw new Error(`start-up failed: ${JSON.stringify(body.phase.error)}`);
    if (Date.now() > until) throw new Error(`not ready after ${timeoutMs} ms: ${JSON.stringify(body.phase)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function cliJson(dataDir, env, ...args) {
  const out = execFileSync(bosun, ['--data-dir', dataDir, '--as-of', AS_OF, '--json', ...args], { env, encoding: 'utf8' });
  return JSON.parse(out);
}

export function stop(child) {
  if (child.exitCode === null) child.kill('SIGINT');
  return new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
}
