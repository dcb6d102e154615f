// lectern — a student's pages: my learning, lessons, classwork and
// submissions, certificates, account.

import * as api from '../api.js';
import { ACCEPT, fileList, filesOf, uploadAll } from '../files.js';
import { action, announce, errorBox, facts, fmtDate, form, h, link, money, pagedList, progressBar, spinner } from '../ui.js';

async function learnPage({ query }) {
	const out = [h('h1', 'My learning')];
	out.push(h('section', h('h2', 'My courses'), pagedList({
		query,
		load: (q) => api.get('/api/enrollments' + api.qs({ page: q.page })),
		row: (e) => {
			const c = e.course || {};
			const p = h('div', spinner('Loading progress…'));
			api.get(`/api/courses/${e.course_id}/progress`).then((pr) => p.replaceChildren(progressBar(pr)),
			    () => p.replaceChildren());
			return h('article.card', h('h3', link('/courses/' + e.course_id, c.title || `Course ${e.course_id}`)),
			    h('p.meta', `Enrolled ${fmtDate(e.created_at)} · ${e.status}`), p);
		},
		empty: 'You are not enrolled in any course yet. Browse the catalogue to start.',
	})));
	out.push(h('section', h('h2', 'Certificates'), pagedList({
		load: (q) => api.get('/api/certificates' + api.qs({ page: q.page })),
		row: certRow,
		empty: 'No certificates yet.',
	})));
	out.push(h('section', h('h2', 'Payments'), pagedList({
		load: (q) => api.get('/api/payments' + api.qs({ page: q.page })),
		table: ['Date', 'Course', 'Amount', 'Status'],
		row: (p) => h('tr', h('td', fmtDate(p.paid_at || p.created_at)), h('td', link('/courses/' + p.course_id, `Course ${p.course_id}`)),
		    h('td', money(p.amount, p.currency)), h('td', p.status)),
		empty: 'No payments.',
	})));
	return out;
}

// Download a PDF the API serves only with the access token.
export async function downloadPdf(path, name) {
	const r = await api.api('GET', path, undefined, { raw: true, accept: 'application/pdf' });
	const blob = await r.blob();
	const url = URL.createObjectURL(blob);
	const a = h('a', { href: url, download: name });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function certRow(c) {
	return h('div', h('strong', c.course_title), ` · issued ${fmtDate(c.issued_at)} · `,
	    c.valid ? 'valid' : 'revoked', ' · ',
	    link('/verify/' + encodeURIComponent(c.code), 'verification page'), ' ',
	    action('Download PDF', () => downloadPdf(`/api/certificates/${encodeURIComponent(c.code)}/pdf`, `certificate-${c.code}.pdf`),
		null, `Download PDF of the certificate for ${c.course_title}`));
}

async function lessonPage({ params, user }) {
	const l = await api.get('/api/lessons/' + params.id);
	const out = [h('p.crumbs', link('/courses/' + l.course_id, '← Back to the course')), h('h1', l.title)];
	if (l.video_url) {
		let safe = null;
		try {
			const u = new URL(l.video_url);
			if (u.protocol === 'https:' || u.protocol === 'http:')
				safe = u.href;
		} catch { /* not a URL: not shown */ }
		if (safe)
			out.push(h('p', h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer' }, 'Watch the video')));
	}
	// Lesson text is plain text: paragraphs, never HTML.
	out.push(h('article.lesson', (l.content || '').split(/\n{2,}/).map((p) => h('p', p))));
	if (l.attachments && l.attachments.length)
		out.push(h('section', h('h2', 'Files'), fileList(l.attachments)));
	const done = h('div', { 'aria-live': 'polite' });
	const lessons = await api.get(`/api/courses/${l.course_id}/lessons`).catch(() => null);
	const nav = h('nav.lesson-nav', { 'aria-label': 'Lessons' });
	if (lessons) {
		const i = lessons.items.findIndex((x) => x.id === l.id);
		if (i > 0)
			nav.append(link('/lessons/' + lessons.items[i - 1].id, '← ' + lessons.items[i - 1].title));
		if (i >= 0 && i + 1 < lessons.items.length)
			nav.append(link('/lessons/' + lessons.items[i + 1].id, lessons.items[i + 1].title + ' →'));
	}
	if (user)
		out.push(h('div.actions', action('Mark as complete', async () => {
			await api.post(`/api/lessons/${l.id}/complete`);
			const p = await api.get(`/api/courses/${l.course_id}/progress`).catch(() => null);
			done.replaceChildren(h('p.ok', 'Lesson completed.'), p ? progressBar(p) : '');
			announce('Lesson completed.', 'good');
		}, 'primary'), link(`/tutor?course_id=${l.course_id}&lesson_id=${l.id}`, 'Ask the tutor')), done);
	out.push(nav);
	return out;
}

async function classworkPage({ params, user }) {
	const w = await api.get('/api/classwork/' + params.id);
	const out = [h('p.crumbs', link('/courses/' + w.course_id, '← Back to the course')), h('h1', w.title),
	    facts([['Due', fmtDate(w.due_at)], ['Points', w.max_points]]),
	    h('article.lesson', (w.instructions || '').split(/\n{2,}/).map((p) => h('p', p)))];
	const staff = ['teacher', 'instructor', 'admin'].includes(user.role);
	if (staff) {
		out.push(h('section', h('h2', 'Submissions'), pagedList({
			load: (q) => api.get(`/api/classwork/${w.id}/submissions` + api.qs({ page: q.page })),
			row: (s) => gradeCard(s, w),
			empty: 'No submissions yet.',
		})));
		return out;
	}
	const mine = await api.get(`/api/classwork/${w.id}/submissions`).catch(() => ({ items: [] }));
	const s = mine.items[0];
	if (s) {
		out.push(h('section.result', h('h2', 'Your submission'),
		    facts([['Submitted', fmtDate(s.updated_at || s.submitted_at)],
			['Grade', s.grade === null || s.grade === undefined ? 'not graded yet' : `${s.grade}${w.max_points ? ' / ' + w.max_points : ''}`],
			['Feedback', s.feedback]]),
		    h('pre.submission', s.content), filesOf(s.attachment_ids)));
	}
	out.push(h('section', h('h2', s ? 'Change your submission' : 'Submit your work'),
	    form({
		fields: [{ name: 'content', label: 'Your answer', type: 'textarea', required: true, rows: 8, value: s ? s.content : '' },
		    { name: 'files', label: 'Files (optional)', type: 'file', multiple: true, accept: ACCEPT,
			hint: s && s.attachment_ids && s.attachment_ids.length ? 'Submitting again replaces the files too.' : null }],
		submit: 'Submit',
		onsubmit: async (v) => {
			const ids = v.files ? await uploadAll(v.files, 'submission', w.id) : [];
			await api.post(`/api/classwork/${w.id}/submissions`, { content: v.content, attachment_ids: ids });
			announce('Submitted.', 'good');
			location.hash = `#/classwork/${w.id}?t=${Date.now()}`;
		},
	    })));
	return out;
}

function gradeCard(s, w) {
	return h('article.card', h('h3', s.student ? s.student.name : `Submission ${s.id}`),
	    h('p.meta', `Submitted ${fmtDate(s.submitted_at)}`),
	    h('pre.submission', s.content), filesOf(s.attachment_ids),
	    form({
		fields: [
			{ name: 'grade', label: `Grade${w.max_points ? ' (out of ' + w.max_points + ')' : ''}`, type: 'number', required: true, min: 0, max: w.max_points, step: 'any', value: s.grade ?? '' },
			{ name: 'feedback', label: 'Feedback', type: 'textarea', rows: 3, value: s.feedback ?? '' },
		],
		submit: 'Save grade',
		onsubmit: async (v) => {
			await api.patch(`/api/submissions/${s.id}`, v);
			announce('Grade saved.', 'good');
		},
	    }));
}

async function accountPage({ user }) {
	const out = [h('h1', 'Your account'), facts([['Email', user.email], ['Role', user.role], ['Since', fmtDate(user.created_at)]])];
	out.push(h('section', h('h2', 'Your name'), form({
		fields: [{ name: 'name', label: 'Name', required: true, value: user.name, autocomplete: 'name' }],
		onsubmit: async (v) => {
			await api.patch('/api/auth/me', v);
			await api.reloadMe();
			announce('Name saved.', 'good');
		},
	})));
	out.push(h('section', h('h2', 'Change password'), form({
		fields: [
			{ name: 'current_password', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' },
			{ name: 'new_password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password', hint: 'At least 12 characters.' },
		],
		submit: 'Change password',
		reset: true,
		onsubmit: async (v) => {
			await api.post('/api/auth/password', v);
			announce('Password changed; your other sessions were signed out.', 'good');
		},
	})));
	out.push(h('section', h('h2', 'Your data'), action('Download everything stored about me', async () => {
		const data = await api.get('/api/auth/me/export');
		const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
		const a = h('a', { href: url, download: 'lectern-export.json' });
		document.body.append(a);
		a.click();
		a.remove();
	})));
	if (user.role !== 'admin')
		out.push(h('section', h('h2', 'Ask to become an administrator'), form({
			fields: [
				{ name: 'reason', label: 'Why', type: 'textarea', required: true, rows: 3 },
				{ name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'tel' },
			],
			submit: 'Send request',
			reset: true,
			onsubmit: async (v) => {
				await api.post('/api/admin-requests', v);
				announce('Request sent: confirm it with the link we emailed you.', 'good');
			},
		})));
	out.push(h('section', h('h2', 'Delete my account'),
	    h('p', 'Your name and email are erased; payments and certificates are kept without them.'),
	    form({
		fields: [{ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' }],
		submit: 'Delete my account',
		onsubmit: async (v) => {
			if (!window.confirm('Delete your account for good?'))
				return;
			await api.del('/api/auth/me', v);
			await api.signOut().catch(() => {});
			location.hash = '#/';
		},
	    })));
	return out;
}

export const routes = [
	{ path: '/learn', view: learnPage, role: 'user' },
	{ path: '/lessons/:id', view: lessonPage },
	{ path: '/classwork/:id', view: classworkPage, role: 'user' },
	{ path: '/account', view: accountPage, role: 'user' },
];
export { errorBox };
