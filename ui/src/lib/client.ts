// The one client module: Tauri IPC inside the desktop app, HTTP in a browser (`bosun serve`).
// Every page calls `call(name, args)`; names, arguments and results are typed by the
// generated `Endpoints` map (api.gen.ts), and failures are always `{code, message}`.

import type { ApiError, Endpoints, EventEnvelope } from './api.gen';
import { authHeader } from './launch';

export type Name = keyof Endpoints;
export type Args<K extends Name> = Endpoints[K]['args'];
export type Result<K extends Name> = Endpoints[K]['result'];

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

export const inDesktop = typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;

function asApiError(e: unknown): ApiError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as ApiError;
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export class CallError extends Error {
  code: ApiError['code'];
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
  }
}

export async function call<K extends Name>(name: K, args?: Args<K>): Promise<Result<K>> {
  try {
    if (inDesktop) {
      const { invoke } = await import('@tauri-apps/api/core');
      return (await invoke('api', { name, args: args ?? null })) as Result<K>;
    }
    const res = await fetch(`/api/call/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader() },
      credentials: 'omit',
      body: JSON.stringify(args ?? null),
    });
    const body = await res.json().catch(() => ({ code: 'internal', message: `HTTP ${res.status}` }));
    if (!res.ok) throw asApiError(body);
    return body as Result<K>;
  } catch (e) {
    throw new CallError(asApiError(e));
  }
}

type Listener = (e: EventEnvelope) => void;
const listeners = new Set<Listener>();
let started = false;

/** Every app event (sync and indexing progress, phase changes, signals), pushed. */
export function onEvent(f: Listener): () => void {
  listeners.add(f);
  if (!started) {
    started = true;
    void (inDesktop ? listenDesktop() : pollHttp());
  }
  return () => listeners.delete(f);
}

function dispatch(e: EventEnvelope) {
  for (const l of listeners) l(e);
}

async function listenDesktop() {
  const { listen } = await import('@tauri-apps/api/event');
  await listen<EventEnvelope>('bosun:event', (e) => dispatch(e.payload));
}

async function pollHttp() {
  let after = 0;
  for (;;) {
    try {
      const res = await fetch(`/api/events?after=${after}`, {
        headers: authHeader(),
        credentials: 'omit',
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const events = (await res.json()) as EventEnvelope[];
      for (const e of events) {
        after = Math.max(after, e.seq);
        dispatch(e);
      }
    } catch {
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** The desktop tray asks for a page ("Today's brief"). */
export async function onNavigate(f: (page: string) => void): Promise<void> {
  if (!inDesktop) return;
  const { listen } = await import('@tauri-apps/api/event');
  await listen<string>('bosun:navigate', (e) => f(e.payload));
}
