// Numbers as a manager reads them: durations in d/h/m, rates with both counts, dates short.

export function duration(secs: number | null | undefined): string {
  if (secs === null || secs === undefined || Number.isNaN(secs)) return '–';
  const neg = secs < 0 ? '-' : '';
  const s = Math.round(Math.abs(secs));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${neg}${d}d ${h}h`;
  if (h > 0) return `${neg}${h}h ${String(m).padStart(2, '0')}m`;
  return `${neg}${m}m`;
}

export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined) return '–';
  return `${(v * 100).toFixed(digits)}%`;
}

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return '–';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.slice(0, 10);
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function ago(iso: string | null | undefined, now: string): string {
  if (!iso) return '–';
  const secs = (Date.parse(now) - Date.parse(iso)) / 1000;
  if (secs < 60) return 'just now';
  return `${duration(secs)} ago`;
}

export function svgUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function level(l: string | null | undefined): string {
  return l ?? 'n/a';
}

/** "1 review", "3 reviews": the count with the right word. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
