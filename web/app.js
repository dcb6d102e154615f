// lectern — the web client's shell: header, router, session start.

import { currentUser, onSession, refresh, signOut } from './api.js';
import { announce, errorBox, h, link, spinner } from './ui.js';
import { routes as publicRoutes } from './pages/public.js';
import { routes as learnRoutes } from './pages/learn.js';
import { routes as teachRoutes } from './pages/teach.js';
import { routes as adminRoutes } from './pages/admin.js';
import { routes as commsRoutes } from './pages/comms.js';

const routes = [...publicRoutes, ...learnRoutes, ...teachRoutes,
    ...adminRoutes, ...commsRoutes];

// Turn '/courses/:id' into a matcher.
const table = routes.map((r) => {
	const names = [];
	const re = new RegExp('^' + r.path.replace(/:(\w+)/g, (_, n) => {
		names.push(n);
		return '([^/]+)';
	}) + '$');
	return { ...r, re, names };
});

function nav(user) {
	const items = [link('/', 'Courses')];
	if (user) {
		items.push(link('/learn', 'My learning'), link('/messages', 'Messages'),
		    link('/tickets', 'Help'), link('/tutor', 'Tutor'));
		if (['teacher', 'instructor', 'admin'].includes(user.role))
			items.push(link('/teach', 'Teaching'));
		if (user.role === 'admin')
			items.push(link('/admin', 'Admin'));
		items.push(link('/account', 'Account'));
	}
	const right = user ?
	    [h('span.who', `${user.name} (${user.role})`),
		h('button.link', { type: 'button', onclick: async () => {
			await signOut().catch(() => {});
			location.hash = '#/signin';
		} }, 'Sign out')] :
	    [link('/signin', 'Sign in'), link('/signup', 'Sign up')];
	return h('nav.top', { 'aria-label': 'Main' },
	    h('ul', items.map((i) => h('li', i))), h('div.right', right));
}

function renderHeader() {
	const el = document.getElementById('nav');
	el.replaceChildren(nav(currentUser()));
}

// Which page the URL asks for: the mailed links have real paths, the
// rest of the site lives in the fragment.
function current() {
	const p = location.pathname;
	if (p === '/reset-password' || p === '/reset')
		return { path: '/reset', query: {} };
	if (p === '/admin-request/verify')
		return { path: '/admin-request/verify', query: {} };
	const [path, q] = location.hash.slice(1).split('?');
	return { path: path || '/', query: Object.fromEntries(new URLSearchParams(q || '')) };
}

let seq = 0;
async function render() {
	const { path, query } = current();
	const main = document.getElementById('main');
	const my = ++seq;
	for (const r of table) {
		const m = r.re.exec(path);
		if (!m)
			continue;
		const params = {};
		r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
		const user = currentUser();
		if (r.role && !user) {
			location.hash = '#/signin?next=' + encodeURIComponent(path);
			return;
		}
		if (r.role && r.role !== 'user' && !r.role.includes(user.role)) {
			main.replaceChildren(h('h1', 'Not for your account'),
			    h('p', 'This page is for other roles.'));
			return;
		}
		main.replaceChildren(spinner());
		try {
			const view = await r.view({ params, query, user });
			if (my !== seq)
				return;
			main.replaceChildren(...[].concat(view));
		} catch (e) {
			if (my !== seq)
				return;
			main.replaceChildren(h('h1', 'Something went wrong'), errorBox(e));
		}
		const h1 = main.querySelector('h1');
		document.title = (h1 ? h1.textContent + ' — ' : '') + 'lectern';
		if (h1) {
			h1.setAttribute('tabindex', '-1');
			h1.focus({ preventScroll: true });
		}
		return;
	}
	main.replaceChildren(h('h1', 'Page not found'), h('p', link('/', 'Back to the courses')));
}

onSession((user, reason) => {
	renderHeader();
	if (!user && reason && reason !== 'signed-out') {
		announce(reason === 'disabled' ?
		    'This account has been deactivated; you have been signed out.' :
		    'Your session has ended; please sign in again.', 'bad');
		location.hash = '#/signin';
		render();
	}
});

window.addEventListener('hashchange', () => {
	if (location.pathname !== '/' && location.hash) {
		// Leave the mailed link's path for the site's own pages.
		history.replaceState(null, '', '/' + location.hash);
	}
	render();
});

// The skip link moves focus without touching the router's fragment.
document.querySelector('.skip').addEventListener('click', (ev) => {
	ev.preventDefault();
	document.getElementById('main').focus();
});

(async () => {
	renderHeader();
	document.getElementById('main').replaceChildren(spinner('Starting…'));
	await refresh();
	renderHeader();
	document.body.dataset.ready = '1';
	render();
})();
