// Browser mode's launch token. `bosun serve` prints http://127.0.0.1:PORT/#token=…: the fragment
// never reaches a server, and the page keeps the token in sessionStorage (this tab only) and sends
// it as `Authorization: Bearer …` — never a cookie, which every port of 127.0.0.1 would receive.
// Imported first by main.ts, so the token leaves the address bar before the hash router reads it.

const KEY = 'bosun.token';

const launch = /^#token=([0-9a-f]+)$/.exec(location.hash);
if (launch) {
  sessionStorage.setItem(KEY, launch[1]);
  history.replaceState(null, '', `${location.pathname}${location.search}#/today`);
}

/** `{authorization: 'Bearer …'}` when this tab was opened from the launch URL, else nothing. */
export function authHeader(): Record<string, string> {
  const token = sessionStorage.getItem(KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}
