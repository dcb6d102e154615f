// lectern — pages for everyone: catalogue, course, sign-in and sign-up,
// forgotten and reset passwords, certificate check, enquiries.

import * as api from '../api.js';
import { action, announce, errorBox, facts, fmtDate, form, h, link, pagedList, price, progressBar, spinner } from '../ui.js';
import { pay, siteConfig } from './pay.js';

function courseCard(c) {
	return h('article.card',
	    h('h2', link('/courses/' + c.id, c.title)),
	    h('p.meta', price(c), c.instructor ? ` · ${c.instructor.name}` : ''),
	    c.description ? h('p', c.description.length > 200 ? c.description.slice(0, 200) + '…' : c.description) : null);
}

function catalogue({ query }) {
	return [h('h1', 'Courses'),
	    pagedList({
		query,
		filters: [{ name: 'q', label: 'Search courses' }],
		load: (q) => api.get('/api/courses' + api.qs({ q: q.q, page: q.page, per_page: 12 })),
		row: courseCard,
		empty: 'No course matches.',
	    })];
}

async function coursePage({ params, user }) {
	const id = params.id;
	const course = await api.get(`/api/courses/${id}`);
	const out = [h('h1', course.title),
	    h('p.meta', price(course), course.instructor ? ` · taught by ${course.instructor.name}` : '',
		course.published === false ? ' · draft' : ''),
	    course.description ? h('p.lead', course.description) : null];
	let enrolled = false;
	const isAuthor = user && (user.role === 'admin' ||
	    (course.instructor && course.instructor.id === user.id));
	if (user) {
		try {
			const p = await api.get(`/api/courses/${id}/progress`);
			enrolled = true;
			out.push(h('section', h('h2', 'Your progress'), progressBar(p)));
		} catch (e) {
			if (e.status !== 403 && e.status !== 404 && e.status !== 402)
				out.push(errorBox(e));
		}
	}
	if (!enrolled && !isAuthor) {
		const box = h('section.enroll');
		if (!user) {
			box.append(h('p', link('/signin?next=' + encodeURIComponent('/courses/' + id), 'Sign in'),
			    ' or ', link('/signup?next=' + encodeURIComponent('/courses/' + id), 'create an account'), ' to enroll.'));
		} else if (Number(course.price) === 0) {
			box.append(action('Enroll for free', async () => {
				await api.post(`/api/courses/${id}/enroll`);
				announce('You are enrolled.', 'good');
				location.hash = '#/courses/' + id + '?enrolled=1';
			}, 'primary'));
		} else {
			box.append(action(`Buy for ${price(course)}`, async () => {
				await pay(course);
				announce('Payment received: you are enrolled.', 'good');
				location.hash = '#/courses/' + id + '?paid=1';
			}, 'primary'));
		}
		out.push(box);
	}
	if (isAuthor)
		out.push(h('p', link('/teach/courses/' + id, 'Edit this course')));
	const lessons = await api.get(`/api/courses/${id}/lessons`).catch((e) => e);
	const ls = h('section', h('h2', 'Lessons'));
	if (lessons instanceof Error) {
		ls.append(errorBox(lessons));
	} else if (!lessons.items.length) {
		ls.append(h('p.empty', 'No lessons yet.'));
	} else {
		ls.append(h('ol.lessons', lessons.items.map((l) => h('li',
		    (enrolled || isAuthor || l.is_preview) ? link('/lessons/' + l.id, l.title) : h('span', l.title),
		    l.is_preview && !enrolled ? h('span.tag', 'preview') : null))));
	}
	out.push(ls);
	if (enrolled || isAuthor) {
		out.push(h('section', h('h2', 'Classwork'), pagedList({
			load: (q) => api.get(`/api/courses/${id}/classwork` + api.qs({ page: q.page })),
			row: (w) => h('div', link('/classwork/' + w.id, w.title),
			    w.due_at ? h('span.meta', ` · due ${fmtDate(w.due_at)}`) : null),
			empty: 'No classwork yet.',
		})));
		out.push(h('section', h('h2', 'Live sessions'), sessionsList(id, isAuthor)));
		out.push(h('p', link(`/tutor?course_id=${id}`, 'Ask the tutor about this course')));
	}
	return out;
}

export function sessionsList(courseId, staff) {
	return pagedList({
		load: (q) => api.get(`/api/courses/${courseId}/sessions` + api.qs({ page: q.page })),
		row: (s) => h('div.session', h('strong', s.title), ' ',
		    h('span.meta', `${fmtDate(s.starts_at)}, ${s.duration_minutes} min · ${s.status}`),
		    s.status !== 'cancelled' ? action('Join', async () => {
			const j = await api.post(`/api/sessions/${s.id}/join`);
			window.open(j.meeting_url, '_blank', 'noopener');
		    }, null, `Join ${s.title}`) : null,
		    staff ? link(`/teach/sessions/${s.id}?course_id=${courseId}`, ' Attendance') : null),
		empty: 'No live sessions scheduled.',
	});
}

function nextPath(query) {
	const n = query.next || '/learn';
	return n.startsWith('/') ? n : '/learn';
}

function signinPage({ query }) {
	return [h('h1', 'Sign in'),
	    form({
		fields: [
			{ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'username' },
			{ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
		],
		submit: 'Sign in',
		onsubmit: async (v) => {
			await api.signIn('/api/auth/login', v);
			location.hash = '#' + nextPath(query);
		},
	    }),
	    h('p', link('/forgot', 'Forgotten your password?'), ' · ', link('/signup', 'Create an account')),
	    googleButton(query), firebaseForm(query)];
}

/*
 * Sign in with a Firebase Auth account (email and password), when the
 * site has Firebase's web API key: Identity Toolkit's REST API gives an
 * ID token, which /api/auth/firebase exchanges for our session.  No
 * Firebase script is loaded.
 */
function firebaseForm(query) {
	const box = h('div');
	siteConfig().then((cfg) => {
		if (!cfg.firebase_api_key)
			return;
		const base = (cfg.firebase_auth_url || 'https://identitytoolkit.googleapis.com').replace(/\/+$/, '');
		box.append(h('section', h('h2', 'School account (Firebase)'), form({
			fields: [
				{ name: 'email', label: 'Firebase email', type: 'email', required: true, autocomplete: 'username' },
				{ name: 'password', label: 'Firebase password', type: 'password', required: true, autocomplete: 'current-password' },
			],
			label: 'Sign in with Firebase',
			submit: 'Continue with Firebase',
			onsubmit: async (v) => {
				const r = await fetch(`${base}/v1/accounts:signInWithPassword?key=${encodeURIComponent(cfg.firebase_api_key)}`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify({ email: v.email, password: v.password, returnSecureToken: true }),
					credentials: 'omit',
				});
				const out = await r.json().catch(() => ({}));
				if (!r.ok || !out.idToken) {
					const why = ((out.error || {}).message || '').split(' ')[0];
					throw new Error(/^(INVALID_PASSWORD|EMAIL_NOT_FOUND|INVALID_LOGIN_CREDENTIALS)$/.test(why) ?
					    'Firebase did not accept that email and password.' :
					    `Firebase sign-in failed${why ? ' (' + why + ')' : ''}.`);
				}
				await api.signIn('/api/auth/firebase', { id_token: out.idToken });
				location.hash = '#' + nextPath(query);
			},
		})));
	}, () => { /* no settings: password sign-in only */ });
	return box;
}

/*
 * Sign in with Google (Google Identity Services), when the site has a
 * client id: the button appears only once Google's script has loaded.
 */
function googleButton(query) {
	const box = h('div.google');
	(async () => {
		const cfg = await siteConfig();
		if (!cfg.google_client_id)
			return;
		await new Promise((resolve, reject) => {
			const s = h('script', { src: 'https://accounts.google.com/gsi/client' });
			s.onload = resolve;
			s.onerror = reject;
			document.head.append(s);
		});
		const err = h('div', { 'aria-live': 'assertive' });
		window.google.accounts.id.initialize({
			client_id: cfg.google_client_id,
			callback: async (r) => {
				try {
					await api.signIn('/api/auth/google', { id_token: r.credential });
					location.hash = '#' + nextPath(query);
				} catch (e) {
					err.replaceChildren(errorBox(e));
				}
			},
		});
		const slot = h('div');
		box.append(h('p', 'Or:'), slot, err);
		window.google.accounts.id.renderButton(slot, { type: 'standard', text: 'signin_with' });
	})().catch(() => { /* Google unreachable: password sign-in only */ });
	return box;
}

function signupPage({ query }) {
	return [h('h1', 'Create an account'),
	    form({
		fields: [
			{ name: 'name', label: 'Your name', required: true, autocomplete: 'name' },
			{ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email' },
			{ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password',
			    hint: 'At least 12 characters; a phrase of a few words works well.' },
		],
		submit: 'Create account',
		onsubmit: async (v) => {
			await api.signIn('/api/auth/register', v);
			announce('Welcome to lectern.', 'good');
			location.hash = '#' + (query.next || '/');
		},
	    }),
	    h('p', 'Already have an account? ', link('/signin', 'Sign in'))];
}

function forgotPage() {
	const done = h('div', { 'aria-live': 'polite' });
	return [h('h1', 'Forgotten password'),
	    h('p', 'Give the email address of your account: we will send a link to choose a new password.'),
	    form({
		fields: [{ name: 'email', label: 'Email', type: 'email', required: true, autocomplete: 'email' }],
		submit: 'Send the link',
		onsubmit: async (v) => {
			await api.post('/api/auth/password/forgot', v, { auth: false });
			done.replaceChildren(h('p.ok', 'If an account has this address, a link is on its way. It works once, within an hour.'));
		},
	    }), done];
}

// Take a token from the fragment (#token=...) once, and drop it from the
// address bar and history.
function takeToken() {
	const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
	if (m) {
		sessionStorage.setItem('lectern-token', m[1]);
		history.replaceState(null, '', location.pathname);
	}
	return sessionStorage.getItem('lectern-token');
}

function resetPage() {
	const token = takeToken();
	if (!token)
		return [h('h1', 'Choose a password'), h('p.error', { role: 'alert' },
		    'This page needs the link from your email. ', link('/forgot', 'Ask for a new link'))];
	return [h('h1', 'Choose a password'),
	    form({
		fields: [
			{ name: 'new_password', label: 'New password', type: 'password', required: true,
			    autocomplete: 'new-password', hint: 'At least 12 characters; a phrase of a few words works well.' },
		],
		submit: 'Set password',
		onsubmit: async (v) => {
			await api.post('/api/auth/password/reset', { token, new_password: v.new_password }, { auth: false });
			sessionStorage.removeItem('lectern-token');
			announce('Your password is set: sign in with it.', 'good');
			history.replaceState(null, '', '/#/signin');
			window.dispatchEvent(new HashChangeEvent('hashchange'));
		},
	    })];
}

async function adminRequestVerify() {
	const token = takeToken();
	if (!token)
		return [h('h1', 'Confirm your request'), h('p.error', { role: 'alert' }, 'This page needs the link from your email.')];
	try {
		await api.post('/api/admin-requests/verify', { token }, { auth: false });
		sessionStorage.removeItem('lectern-token');
		return [h('h1', 'Request confirmed'), h('p', 'Your email address is confirmed; an administrator will decide on your request.')];
	} catch (e) {
		sessionStorage.removeItem('lectern-token');
		return [h('h1', 'Confirm your request'), errorBox(e)];
	}
}

async function verifyPage({ params }) {
	const out = [h('h1', 'Verify a certificate'),
	    form({
		fields: [{ name: 'code', label: 'Certificate code', required: true, value: params.code || '' }],
		submit: 'Verify',
		onsubmit: async (v) => { location.hash = '#/verify/' + encodeURIComponent(v.code); },
	    })];
	if (params.code) {
		try {
			const c = await api.get('/api/certificates/' + encodeURIComponent(params.code), { auth: false });
			out.push(h('section.result', h('h2', c.valid ? 'Valid certificate' : 'Not valid'),
			    facts([['Student', c.student_name], ['Course', c.course_title],
				['Issued', fmtDate(c.issued_at)], ['Revoked', fmtDate(c.revoked_at)]])));
		} catch (e) {
			out.push(errorBox(e));
		}
	}
	return out;
}

function contactPage() {
	const done = h('div', { 'aria-live': 'polite' });
	return [h('h1', 'Contact us'),
	    form({
		fields: [
			{ name: 'name', label: 'Your name', required: true, autocomplete: 'name' },
			{ name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
			{ name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'tel' },
			{ name: 'message', label: 'Message', type: 'textarea' },
			{ name: 'consent', label: 'You may contact me about this enquiry', type: 'checkbox' },
		],
		submit: 'Send',
		onsubmit: async (v) => {
			if (!v.consent)
				throw new Error('Please tick the consent box so we may answer you.');
			await api.post('/api/leads', { ...v, source: 'website' }, { auth: false });
			done.replaceChildren(h('p.ok', 'Thank you: we will be in touch.'));
		},
	    }), done];
}

export const routes = [
	{ path: '/', view: catalogue },
	{ path: '/courses/:id', view: coursePage },
	{ path: '/signin', view: signinPage },
	{ path: '/signup', view: signupPage },
	{ path: '/forgot', view: forgotPage },
	{ path: '/reset', view: resetPage },
	{ path: '/admin-request/verify', view: adminRequestVerify },
	{ path: '/verify', view: verifyPage },
	{ path: '/verify/:code', view: verifyPage },
	{ path: '/contact', view: contactPage },
];
export { spinner };
