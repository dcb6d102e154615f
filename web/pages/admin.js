// lectern — the administrator's pages: users, payments and manual
// records, leads, admin requests, certificates, audit and error logs.

import * as api from '../api.js';
import { action, announce, facts, fmtDate, form, h, link, money, pagedList } from '../ui.js';

const ADMIN = ['admin'];

const roles = [['', 'Any role'], ['student', 'Student'], ['teacher', 'Teacher'], ['instructor', 'Instructor'], ['admin', 'Admin']];

function sub(title, ...kids) {
	return [h('p.crumbs', link('/admin', '← Admin')), h('h1', title), ...kids];
}

async function adminHome() {
	const s = await api.get('/api/admin/stats').catch(() => null);
	const pages = [['/admin/users', 'Users'], ['/admin/payments', 'Payments and manual records'],
	    ['/admin/leads', 'Leads'], ['/tickets', 'Tickets'], ['/admin/messages', 'Search messages'],
	    ['/admin/requests', 'Admin requests'], ['/admin/certificates', 'Certificates'],
	    ['/admin/audit', 'Audit log'], ['/admin/errors', 'Error log'], ['/teach', 'Courses and teachers']];
	return [h('h1', 'Administration'),
	    s ? facts([['Students', s.users_by_role.student], ['Teachers', s.users_by_role.teacher + s.users_by_role.instructor],
		['Admins', s.users_by_role.admin], ['Active enrollments', s.active_enrollments],
		['Open tickets', s.open_tickets], ['New leads', s.new_leads]]) : null,
	    h('ul.menu', pages.map(([p, t]) => h('li', link(p, t))))];
}

function usersPage({ query }) {
	return sub('Users', pagedList({
		query,
		filters: [{ name: 'q', label: 'Name or email' }, { name: 'role', label: 'Role', options: roles },
		    { name: 'is_active', label: 'State', options: [['', 'Any'], ['true', 'Active'], ['false', 'Deactivated']] }],
		load: (q) => api.get('/api/admin/users' + api.qs(q)),
		table: ['Name', 'Email', 'Role', 'State', 'Joined'],
		row: (u) => h('tr', h('td', link('/admin/users/' + u.id, u.name)), h('td', u.email), h('td', u.role),
		    h('td', u.is_active ? 'active' : 'deactivated'), h('td', fmtDate(u.created_at))),
		empty: 'No user matches.',
	}));
}

async function userPage({ params }) {
	const u = await api.get('/api/admin/users/' + params.id);
	const refresh = () => { location.hash = `#/admin/users/${u.id}?t=${Date.now()}`; };
	return sub(u.name, facts([['Email', u.email], ['Role', u.role], ['State', u.is_active ? 'active' : 'deactivated'],
	    ['Joined', fmtDate(u.created_at)]]),
	    h('div.actions', u.is_active ?
		action('Deactivate', async () => {
			if (!window.confirm(`Deactivate ${u.name}? They are signed out at once.`))
				return;
			await api.patch('/api/admin/users/' + u.id, { is_active: false });
			announce(`${u.name} is deactivated.`, 'good');
			refresh();
		}, 'danger') :
		action('Reactivate', async () => {
			await api.patch('/api/admin/users/' + u.id, { is_active: true });
			announce(`${u.name} is active again.`, 'good');
			refresh();
		}),
		action('Export their data', async () => {
			const data = await api.get(`/api/admin/users/${u.id}/export`);
			const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
			const a = h('a', { href: url, download: `user-${u.id}.json` });
			document.body.append(a);
			a.click();
			a.remove();
		})),
	    h('section', h('h2', 'Role'), form({
		fields: [{ name: 'role', label: 'Role', type: 'select', options: roles.slice(1), value: u.role }],
		submit: 'Change role',
		onsubmit: async (v) => {
			await api.patch('/api/admin/users/' + u.id, v);
			announce('Role changed.', 'good');
			refresh();
		},
	    })),
	    h('section', h('h2', 'Audit trail'), pagedList({
		load: (q) => api.get('/api/admin/audit-logs' + api.qs({ target_type: 'user', target_id: u.id, page: q.page })),
		table: ['When', 'Action', 'By'],
		row: (a) => h('tr', h('td', fmtDate(a.created_at)), h('td', a.action), h('td', a.actor_user_id ?? 'system')),
		empty: 'Nothing recorded.',
	    })),
	    h('section', h('h2', 'Erase'), action('Erase this user\'s personal data', async () => {
		if (!window.confirm(`Erase ${u.name}'s name and email for good?`))
			return;
		await api.del('/api/admin/users/' + u.id);
		location.hash = '#/admin/users';
	    }, 'danger')));
}

// A paid payment held for review (SPEC §5): why, and a button that lets
// it through (the student is enrolled then; audited with the note).
function heldNote(p) {
	if (!p.held_reason)
		return null;
	if (p.confirmed_at)
		return h('span.meta', ` · held (${p.held_reason}), let through ${fmtDate(p.confirmed_at)}`);
	return [h('span.meta', ` · held: ${p.held_reason} `), action('Let through', async (b) => {
		const note = window.prompt('Why may this payment through? (kept in the audit log)', '');
		if (note === null)
			return;
		await api.post(`/api/admin/payments/${p.id}/confirm`, note.trim() ? { note: note.trim() } : undefined);
		announce('Payment let through; the student is enrolled.', 'good');
		b.replaceWith(h('span', 'let through'));
	}, null, `Let through payment ${p.id}`)];
}

function paymentsPage({ query }) {
	return sub('Payments',
	    h('section', h('h2', 'Record a payment made outside the site'),
		h('p', 'Enrolls the student; a new student gets an email with a link to set a password.'),
		form({
		fields: [
			{ name: 'course_id', label: 'Course id', type: 'number', required: true, min: 1 },
			{ name: 'user_id', label: 'Existing user id', type: 'number', min: 1, hint: 'Or give the email and name of a new student.' },
			{ name: 'email', label: 'Email', type: 'email' },
			{ name: 'name', label: 'Name' },
			{ name: 'amount', label: 'Amount in paise', type: 'number', min: 0 },
			{ name: 'notes', label: 'Notes', type: 'textarea', rows: 2 },
		],
		submit: 'Record payment',
		reset: true,
		onsubmit: async (v) => {
			const r = await api.post('/api/payments/manual-record', v);
			announce(`Recorded; ${r.user.name} is enrolled${r.user_created ? ' and was emailed a link' : ''}.`, 'good');
		},
	    })),
	    h('section', h('h2', 'All payments'), pagedList({
		query,
		filters: [{ name: 'status', label: 'Status', options: [['', 'Any'], ['created', 'Created'], ['paid', 'Paid'], ['failed', 'Failed']] },
		    { name: 'method', label: 'Method', options: [['', 'Any'], ['razorpay', 'Razorpay'], ['manual', 'Manual']] },
		    { name: 'course_id', label: 'Course id', type: 'number' }, { name: 'user_id', label: 'User id', type: 'number' },
		    { name: 'held', label: 'Held for review', options: [['', 'Any'], ['true', 'Held, not yet let through']] }],
		load: (q) => api.get('/api/admin/payments' + api.qs(q)),
		table: ['When', 'User', 'Course', 'Amount', 'Method', 'Status'],
		row: (p) => h('tr', h('td', fmtDate(p.paid_at || p.created_at)), h('td', link('/admin/users/' + p.user_id, String(p.user_id))),
		    h('td', link('/courses/' + p.course_id, String(p.course_id))), h('td', money(p.amount, p.currency)),
		    h('td', p.method), h('td', p.status, heldNote(p))),
		empty: 'No payments.',
	    })));
}

const leadStatus = [['', 'Any'], ['new', 'New'], ['contacted', 'Contacted'], ['qualified', 'Qualified'], ['converted', 'Converted'], ['lost', 'Lost']];

function leadsPage({ query }) {
	return sub('Leads', pagedList({
		query,
		filters: [{ name: 'q', label: 'Search' }, { name: 'status', label: 'Status', options: leadStatus }],
		load: (q) => api.get('/api/admin/leads' + api.qs(q)),
		table: ['Name', 'Contact', 'Status', 'Last'],
		row: (l) => h('tr', h('td', link('/admin/leads/' + l.id, l.name)), h('td', [l.email, l.phone].filter(Boolean).join(' · ')),
		    h('td', l.status), h('td', fmtDate(l.last_submitted_at || l.created_at))),
		empty: 'No leads.',
	}));
}

async function leadPage({ params }) {
	const l = await api.get('/api/admin/leads/' + params.id);
	return sub('Lead: ' + l.name, facts([['Email', l.email], ['Phone', l.phone], ['Course', l.course_id], ['Source', l.source],
	    ['Status', l.status], ['Message', l.message], ['Enquiries', l.submissions], ['First', fmtDate(l.created_at)]]),
	    form({
		fields: [{ name: 'status', label: 'Status', type: 'select', options: leadStatus.slice(1), value: l.status },
		    { name: 'notes', label: 'Notes', type: 'textarea', rows: 3, value: l.notes }],
		onsubmit: async (v) => {
			await api.patch('/api/admin/leads/' + l.id, v);
			announce('Lead saved.', 'good');
		},
	    }),
	    h('section', h('h2', 'Convert to a student'), form({
		fields: [{ name: 'course_id', label: 'Enroll in course id (optional)', type: 'number', min: 1, value: l.course_id }],
		submit: 'Convert',
		onsubmit: async (v) => {
			const r = await api.post(`/api/admin/leads/${l.id}/convert`, v);
			announce(`${r.user.name} is a student${r.user_created ? ' (emailed a link to set a password)' : ''}.`, 'good');
		},
	    })));
}

function requestsPage({ query }) {
	return sub('Admin requests', pagedList({
		query,
		filters: [{ name: 'status', label: 'Status', options: [['', 'Any'], ['pending', 'Pending'], ['approved', 'Approved'], ['rejected', 'Rejected']] }],
		load: (q) => api.get('/api/admin/admin-requests' + api.qs(q)),
		row: (r) => h('article.card', h('h3', r.user ? r.user.name : `Request ${r.id}`),
		    h('p.meta', `${r.status} · ${r.email_verified ? 'email confirmed' : 'email not confirmed'} · ${fmtDate(r.created_at)}`),
		    h('p', r.reason),
		    r.status === 'pending' ? h('div.actions',
			action('Approve', async () => {
				await api.post(`/api/admin/admin-requests/${r.id}/approve`, {});
				announce('Approved.', 'good');
				location.hash = `#/admin/requests?t=${Date.now()}`;
			}),
			action('Reject', async () => {
				await api.post(`/api/admin/admin-requests/${r.id}/reject`, {});
				announce('Rejected.', 'good');
				location.hash = `#/admin/requests?t=${Date.now()}`;
			}, 'danger')) : null),
		empty: 'No requests.',
	}));
}

function certificatesPage() {
	return sub('Certificates', h('p', 'Certificates are issued from a course\'s student list. Revoke one by its code:'),
	    form({
		fields: [{ name: 'code', label: 'Certificate code', required: true }, { name: 'reason', label: 'Reason', required: true }],
		submit: 'Revoke',
		reset: true,
		onsubmit: async (v) => {
			await api.post(`/api/admin/certificates/${encodeURIComponent(v.code)}/revoke`, { reason: v.reason });
			announce('Certificate revoked.', 'good');
		},
	    }));
}

function auditPage({ query }) {
	return sub('Audit log', pagedList({
		query,
		filters: [{ name: 'action', label: 'Action' }, { name: 'actor_user_id', label: 'By user id', type: 'number' },
		    { name: 'target_type', label: 'Target type' }, { name: 'target_id', label: 'Target id' }],
		load: (q) => api.get('/api/admin/audit-logs' + api.qs(q)),
		table: ['When', 'Action', 'By', 'Target', 'Details'],
		row: (a) => h('tr', h('td', fmtDate(a.created_at)), h('td', a.action), h('td', a.actor_user_id ?? 'system'),
		    h('td', a.target_type ? `${a.target_type} ${a.target_id ?? ''}` : ''),
		    h('td', h('code', JSON.stringify(a.details || {})))),
		empty: 'Nothing recorded.',
	}));
}

function errorsPage({ query }) {
	return sub('Error log', pagedList({
		query,
		filters: [{ name: 'status', label: 'Status', type: 'number' }, { name: 'code', label: 'Code' }],
		load: (q) => api.get('/api/admin/error-logs' + api.qs(q)),
		table: ['When', 'Status', 'Code', 'Request', 'Message'],
		row: (e) => h('tr', h('td', fmtDate(e.created_at)), h('td', e.status), h('td', e.code),
		    h('td', `${e.method || ''} ${e.path || ''}`), h('td', e.message || '')),
		empty: 'No errors recorded.',
	}));
}

function messageSearch({ query }) {
	return sub('Search messages', pagedList({
		query,
		filters: [{ name: 'q', label: 'Words' }],
		load: (q) => (q.q ? api.get('/api/admin/messages/search' + api.qs(q)) :
		    Promise.resolve({ items: [], page: 1, total_pages: 0 })),
		row: (m) => h('div', link('/messages/' + m.thread_id, m.subject || `Thread ${m.thread_id}`), ' ',
		    h('span.meta', (m.snippet || '').replace(/<\/?b>/g, ''))),
		empty: 'Type words to search every conversation.',
	}));
}

export const routes = [
	{ path: '/admin', view: adminHome, role: ADMIN },
	{ path: '/admin/users', view: usersPage, role: ADMIN },
	{ path: '/admin/users/:id', view: userPage, role: ADMIN },
	{ path: '/admin/payments', view: paymentsPage, role: ADMIN },
	{ path: '/admin/leads', view: leadsPage, role: ADMIN },
	{ path: '/admin/leads/:id', view: leadPage, role: ADMIN },
	{ path: '/admin/requests', view: requestsPage, role: ADMIN },
	{ path: '/admin/certificates', view: certificatesPage, role: ADMIN },
	{ path: '/admin/audit', view: auditPage, role: ADMIN },
	{ path: '/admin/errors', view: errorsPage, role: ADMIN },
	{ path: '/admin/messages', view: messageSearch, role: ADMIN },
];
