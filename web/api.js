// lectern — the API client: the access token in memory only, the refresh
// token in an HttpOnly cookie the page never sees (SPEC §12).

let access = null;
let expiresAt = 0;
let user = null;
let refreshing = null;
let timer = null;
const listeners = new Set();

// The marker the server wants beside an allowed Origin before it reads
// or sets the refresh cookie.
const COOKIE_MODE = { 'X-Requested-With': 'lectern' };

// An API error: the envelope's code, message, fields and request id.
export class ApiError extends Error {
	constructor(status, body) {
		const e = (body && body.error) || {};
		super(e.message || `the server answered ${status}`);
		this.status = status;
		this.code = e.code || 'http_' + status;
		this.fields = e.fields || {};
		this.requestId = e.request_id || '';
	}
}

// Call fn(user) whenever the signed-in user changes (null: signed out).
export function onSession(fn) {
	listeners.add(fn);
}

export function currentUser() {
	return user;
}

function setSession(body) {
	access = body.access_token;
	expiresAt = Date.now() + (body.expires_in || 900) * 1000;
	user = body.user || user;
	clearTimeout(timer);
	// Refresh a minute before the access token lapses.
	timer = setTimeout(() => { refresh().catch(() => {}); },
	    Math.max(5000, expiresAt - Date.now() - 60000));
	for (const fn of listeners) fn(user);
}

function clearSession(reason) {
	const had = user !== null;
	access = null;
	expiresAt = 0;
	user = null;
	clearTimeout(timer);
	if (had || reason)
		for (const fn of listeners) fn(null, reason);
}

async function parse(r) {
	if (r.status === 204)
		return null;
	const type = r.headers.get('Content-Type') || '';
	if (!type.includes('json'))
		return r;
	try {
		return await r.json();
	} catch {
		return null;
	}
}

// One refresh at a time across the site's tabs: two tabs spending the
// same cookie at once would look like a stolen token and end the session.
function exclusive(fn) {
	if (navigator.locks)
		return navigator.locks.request('lectern-refresh', fn);
	return fn();
}

// Spend the refresh cookie for a new access token.  Returns whether a
// session is open afterwards.  Concurrent callers share one request.
export function refresh() {
	if (refreshing)
		return refreshing;
	refreshing = (async () => {
		try {
			const r = await exclusive(() => fetch('/api/auth/refresh', {
				method: 'POST',
				headers: { ...COOKIE_MODE, Accept: 'application/json' },
				credentials: 'same-origin',
			}));
			const body = await parse(r);
			if (!r.ok) {
				clearSession(user ? 'expired' : null);
				return false;
			}
			setSession(body);
			return true;
		} catch {
			return false;
		} finally {
			refreshing = null;
		}
	})();
	return refreshing;
}

async function send(method, path, body, opts) {
	const headers = { Accept: opts.accept || 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (access && opts.auth !== false)
		headers.Authorization = 'Bearer ' + access;
	if (opts.cookie)
		Object.assign(headers, COOKIE_MODE);
	return fetch(path, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
		credentials: 'same-origin',
		signal: opts.signal,
	});
}

// Call the API: returns the parsed JSON (null for 204, the Response
// itself for a body that is not JSON when opts.raw), or throws ApiError.
export async function api(method, path, body, opts = {}) {
	if (access && Date.now() > expiresAt - 30000)
		await refresh();
	let r = await send(method, path, body, opts);
	if (r.status === 401 && access && opts.auth !== false) {
		if (await refresh())
			r = await send(method, path, body, opts);
	}
	if (opts.raw && r.ok)
		return r;
	const out = await parse(r);
	if (!r.ok) {
		const err = new ApiError(r.status, out);
		if (access && (r.status === 401 ||
		    err.code === 'account_disabled'))
			clearSession(err.code === 'account_disabled' ?
			    'disabled' : 'expired');
		throw err;
	}
	return out;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const del = (path, body, opts) => api('DELETE', path, body, opts);

// Sign in through one of the endpoints that answer SignedIn.
export async function signIn(path, body) {
	const out = await api('POST', path, body, { cookie: true, auth: false });
	setSession(out);
	return out.user;
}

export async function signOut() {
	try {
		if (access)
			await api('POST', '/api/auth/logout', undefined,
			    { cookie: true });
	} finally {
		clearSession('signed-out');
	}
}

// Reload the user (after a name change).
export async function reloadMe() {
	user = await get('/api/auth/me');
	for (const fn of listeners) fn(user);
	return user;
}

// A query string from an object, empty values left out.
export function qs(params) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== undefined && v !== null && v !== '')
			p.set(k, String(v));
	const s = p.toString();
	return s ? '?' + s : '';
}

export function accessToken() {
	return access;
}
