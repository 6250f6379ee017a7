/** One hop of a redirect chain. */
export interface RedirectHop {
  readonly url: string;
  readonly status: number;
  readonly location: string;
}

/** What the browser got for a URL, after following redirects when asked to. */
export interface BrowserResponse {
  readonly status: number;
  /** The URL this response came from. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
  /** The absolute redirect target of a 30x response. */
  readonly location?: string;
  /** The redirects followed to get here, in order (empty when none were). */
  readonly chain: readonly RedirectHop[];
}

/** A form found in a page: where it posts and the values it would send as is (hidden inputs etc.). */
export interface ParsedForm {
  readonly action: string;
  readonly method: 'GET' | 'POST';
  readonly fields: Record<string, string>;
}

export interface FollowOptions {
  /** Stops before requesting a URL that matches, e.g. a redirect_uri nobody serves; the last 30x is returned. */
  stopAt?: (url: URL) => boolean;
}

/** A cookie as the jar keeps it. */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
  httpOnly: boolean;
  sameSite?: string;
}

const MAX_REDIRECTS = 20;

/**
 * Cookies by origin (host and port), as RFC 6265 stores them, with two simplifications for loopback tests:
 * cookies are host-only (Domain is ignored) and Secure cookies are kept and sent over http.
 * SameSite is recorded but never withholds a cookie: every 127.0.0.1 port is the same site.
 */
export class CookieJar {
  private readonly byOrigin = new Map<string, StoredCookie[]>();

  /** Stores the cookies a response from `url` set; an expired one deletes its namesake. */
  store(url: string | URL, setCookieHeaders: readonly string[], now = Date.now()): void {
    const target = new URL(url);
    const cookies = this.byOrigin.get(target.host) ?? [];
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, target, now);
      if (!cookie) continue;
      const kept = cookies.filter((c) => c.name !== cookie.name || c.path !== cookie.path);
      if (cookie.expiresAt > now) kept.push(cookie);
      cookies.splice(0, cookies.length, ...kept);
    }
    this.byOrigin.set(target.host, cookies);
  }

  /** The Cookie header a request to `url` carries, or undefined when no cookie applies. */
  header(url: string | URL, now = Date.now()): string | undefined {
    const matching = this.matching(new URL(url), now);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** The value of a cookie that a request to `url` would send. */
  get(url: string | URL, name: string, now = Date.now()): string | undefined {
    return this.matching(new URL(url), now).find((c) => c.name === name)?.value;
  }

  /** The cookies a request to `url` would send, with their attributes. */
  cookies(url: string | URL, now = Date.now()): readonly Readonly<StoredCookie>[] {
    return this.matching(new URL(url), now);
  }

  clear(): void {
    this.byOrigin.clear();
  }

  private matching(url: URL, now: number): StoredCookie[] {
    const live = (this.byOrigin.get(url.host) ?? []).filter((c) => c.expiresAt > now);
    this.byOrigin.set(url.host, live);
    // RFC 6265 §5.4: longer paths first.
    return live.filter((c) => pathMatches(url.pathname, c.path)).sort((a, b) => b.path.length - a.path.length);
  }
}

/**
 * A minimal browser over fetch: it keeps cookies, never follows redirects on its own (so tests see each hop),
 * and follows them across origins when asked to.
 */
export class HttpBrowser {
  readonly cookies = new CookieJar();

  /** One GET, redirects not followed. */
  get(url: string | URL): Promise<BrowserResponse> {
    return this.request('GET', url);
  }

  /** One form POST (application/x-www-form-urlencoded), redirects not followed. */
  post(url: string | URL, form: Record<string, string> | URLSearchParams): Promise<BrowserResponse> {
    return this.request('POST', url, new URLSearchParams(form));
  }

  /** GET, then follow the redirects. */
  async open(url: string | URL, options: FollowOptions = {}): Promise<BrowserResponse> {
    return this.follow(await this.get(url), options);
  }

  /** Follows 30x redirects from `response` across origins (a 303, 301 or 302 turns into a GET, as browsers do). */
  async follow(response: BrowserResponse, options: FollowOptions = {}): Promise<BrowserResponse> {
    const chain: RedirectHop[] = [...response.chain];
    let current = response;
    while (current.location !== undefined) {
      const next = new URL(current.location);
      if (options.stopAt?.(next)) break;
      if (chain.length >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${response.url}`);
      chain.push({ url: current.url, status: current.status, location: current.location });
      current = await this.request('GET', next);
    }
    return { ...current, chain };
  }

  /** Posts the first form of `page` with its own fields plus `values` (which win). */
  submitForm(page: BrowserResponse, values: Record<string, string> = {}): Promise<BrowserResponse> {
    const form = parseForm(page.body, page.url);
    if (!form) throw new Error(`no form in the page at ${page.url} (status ${page.status})`);
    const fields = { ...form.fields, ...values };
    if (form.method === 'POST') return this.post(form.action, fields);
    const url = new URL(form.action);
    for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
    return this.get(url);
  }

  /** Signs in on the test IdP's login page (login is the account's email or sub); redirects not followed. */
  submitLoginForm(page: BrowserResponse, login: string, password?: string): Promise<BrowserResponse> {
    if (!/<input[^>]*name="login"/.test(page.body)) {
      throw new Error(`not a login page: ${page.url} (status ${page.status})`);
    }
    return this.submitForm(page, password === undefined ? { login } : { login, password });
  }

  private async request(method: 'GET' | 'POST', url: string | URL, body?: URLSearchParams): Promise<BrowserResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8' };
    const cookie = this.cookies.header(target);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(target, { method, headers, body, redirect: 'manual' });
    this.cookies.store(target, response.headers.getSetCookie());
    const location = response.headers.get('location');
    const isRedirect = response.status >= 300 && response.status < 400 && location !== null;
    return {
      status: response.status,
      url: target.href,
      headers: response.headers,
      body: await response.text(),
      location: isRedirect ? new URL(location, target).href : undefined,
      chain: [],
    };
  }
}

/** The first form of an HTML page, with its action resolved against the page URL; undefined when none. */
export function parseForm(html: string, pageUrl: string): ParsedForm | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const [, attributes, inner] = match;
  const action = attribute(attributes, 'action') ?? pageUrl;
  const method = attribute(attributes, 'method')?.toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: Record<string, string> = {};
  for (const [input] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    const type = attribute(input, 'type')?.toLowerCase();
    if (name === undefined || type === 'submit' || type === 'checkbox' || type === 'radio') continue;
    fields[name] = attribute(input, 'value') ?? '';
  }
  return { action: new URL(action, pageUrl).href, method, fields };
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3]);
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? whole;
  });
}

function parseSetCookie(header: string, url: URL, now: number): StoredCookie | undefined {
  const [pair, ...attributes] = header.split(';');
  const separator = pair.indexOf('=');
  if (separator <= 0) return undefined;
  const cookie: StoredCookie = {
    name: pair.slice(0, separator).trim(),
    value: pair.slice(separator + 1).trim(),
    path: defaultPath(url),
    expiresAt: Infinity,
    httpOnly: false,
  };
  let maxAgeSeen = false;
  for (const raw of attributes) {
    const [key, ...rest] = raw.split('=');
    const value = rest.join('=').trim();
    switch (key.trim().toLowerCase()) {
      case 'path':
        if (value.startsWith('/')) cookie.path = value;
        break;
      case 'max-age': {
        // RFC 6265 §5.3: Max-Age wins over Expires; zero or less expires the cookie at once.
        const seconds = Number(value);
        if (Number.isInteger(seconds)) {
          cookie.expiresAt = seconds <= 0 ? -Infinity : now + seconds * 1000;
          maxAgeSeen = true;
        }
        break;
      }
      case 'expires': {
        const time = Date.parse(value);
        if (!maxAgeSeen && !Number.isNaN(time)) cookie.expiresAt = time;
        break;
      }
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite':
        cookie.sameSite = value.toLowerCase();
        break;
    }
  }
  return cookie;
}

/** RFC 6265 §5.1.4: the request path up to, not including, its last slash. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
