// Hash routes (#/today, #/delivery?team=harbor): the same in the desktop app and a browser.

export const pages = [
  { id: 'today', title: 'Today', key: '1' },
  { id: 'prs', title: 'PRs', key: '2' },
  { id: 'sprint', title: 'Sprint', key: '3' },
  { id: 'delivery', title: 'Delivery', key: '4' },
  { id: 'goals', title: 'Goals', key: 'g' },
  { id: 'planning', title: 'Planning', key: 'p' },
  { id: 'risks', title: 'Risks', key: 'r' },
  { id: 'team', title: 'Team', key: '5' },
  { id: 'incidents', title: 'Incidents', key: '0' },
  { id: 'ask', title: 'Ask', key: '6' },
  { id: 'signals', title: 'Signals & actions', key: '7' },
  { id: 'settings', title: 'Settings', key: '8' },
  { id: 'audit', title: 'Audit log', key: '9' },
] as const;

export type PageId = (typeof pages)[number]['id'];

function parse(): { page: PageId; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const page = (pages.find((p) => p.id === path)?.id ?? 'today') as PageId;
  return { page, params: new URLSearchParams(query ?? '') };
}

class Route {
  current = $state(parse());
  constructor() {
    window.addEventListener('hashchange', () => (this.current = parse()));
  }
  go(page: PageId, params: Record<string, string | undefined> = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    const s = q.toString();
    location.hash = `#/${page}${s ? `?${s}` : ''}`;
  }
}

export const route = new Route();

/** Bumped after every sync: pages reload their data. */
class Refresh {
  tick = $state(0);
  bump() {
    this.tick++;
  }
}
export const refresh = new Refresh();
