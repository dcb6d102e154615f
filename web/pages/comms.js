// lectern — conversations: messages with staff, support tickets, and the
// tutor with its replies streamed as they are written.

import * as api from '../api.js';
import { accessToken, ApiError, refresh } from '../api.js';
import { ACCEPT, filesOf, uploadAll } from '../files.js';
import { announce, errorBox, facts, fmtDate, form, h, link, pagedList } from '../ui.js';

const STAFF = ['teacher', 'instructor', 'admin'];
const isStaff = (u) => STAFF.includes(u.role);

function messagesPage({ query, user }) {
	return [h('h1', 'Messages'), pagedList({
		query,
		filters: [{ name: 'archived', label: 'Show', options: [['', 'Current'], ['true', 'Archived']] }],
		load: (q) => api.get('/api/messages' + api.qs(q)),
		row: (t) => h('article.card' + (t.unread_count ? '.unread' : ''),
		    h('h2', link('/messages/' + t.id, t.subject)),
		    h('p.meta', `with ${t.with ? t.with.name : 'the school'} · ${fmtDate(t.last_message_at)}`,
			t.unread_count ? ` · ${t.unread_count} unread` : '', t.important ? ' · important' : '')),
		empty: 'No conversations yet.',
	    }),
	    h('section', h('h2', 'New message'), form({
		fields: [
			isStaff(user) ? { name: 'to_user_id', label: 'To (student\'s user id)', type: 'number', required: true, min: 1 } : null,
			{ name: 'subject', label: 'Subject', required: true },
			{ name: 'body', label: 'Message', type: 'textarea', required: true },
		].filter(Boolean),
		submit: 'Send',
		onsubmit: async (v) => {
			const r = await api.post('/api/messages', v);
			location.hash = '#/messages/' + r.thread.id;
		},
	    }))];
}

// Files go on replies: an upload is signed for a thread or ticket that
// exists (SPEC §6.1).
const filesField = { name: 'files', label: 'Files (optional)', type: 'file', multiple: true, accept: ACCEPT };

async function threadPage({ params }) {
	const t = await api.get('/api/messages/' + params.id);
	return [h('p.crumbs', link('/messages', '← Messages')), h('h1', t.subject),
	    h('ol.thread', (t.messages || []).map((m) => h('li', h('p.meta', `${m.sender ? m.sender.name : ''} · ${fmtDate(m.created_at)}`),
		h('p.body', m.body), filesOf(m.attachment_ids)))),
	    form({
		fields: [{ name: 'body', label: 'Reply', type: 'textarea', required: true }, filesField],
		submit: 'Send reply',
		onsubmit: async (v) => {
			const ids = v.files ? await uploadAll(v.files, 'message', t.id) : undefined;
			await api.post(`/api/messages/${t.id}/replies`, { body: v.body, attachment_ids: ids });
			location.hash = `#/messages/${t.id}?t=${Date.now()}`;
		},
	    }),
	    h('div.actions', h('button', { type: 'button', onclick: async () => {
		await api.patch('/api/messages/' + t.id, { archived: !t.archived });
		location.hash = '#/messages';
	    } }, t.archived ? 'Move back to current' : 'Archive'))];
}

const priorities = [['low', 'Low'], ['normal', 'Normal'], ['high', 'High'], ['urgent', 'Urgent']];
const statuses = [['open', 'Open'], ['pending', 'Pending'], ['resolved', 'Resolved'], ['closed', 'Closed']];

function ticketsPage({ query, user }) {
	const filters = [{ name: 'q', label: 'Search' }, { name: 'status', label: 'Status', options: [['', 'Any'], ...statuses] }];
	if (isStaff(user))
		filters.push({ name: 'priority', label: 'Priority', options: [['', 'Any'], ...priorities] });
	return [h('h1', isStaff(user) ? 'Support tickets' : 'Help'), pagedList({
		query, filters,
		load: (q) => api.get('/api/tickets' + api.qs(q)),
		table: ['Number', 'Subject', 'Status', 'Priority', 'Updated'],
		row: (t) => h('tr', h('td', '#' + t.number), h('td', link('/tickets/' + t.id, t.subject)), h('td', t.status),
		    h('td', t.priority), h('td', fmtDate(t.updated_at))),
		empty: 'No tickets.',
	    }),
	    h('section', h('h2', 'Ask for help'), form({
		fields: [
			{ name: 'subject', label: 'Subject', required: true },
			{ name: 'body', label: 'What happened?', type: 'textarea', required: true },
			{ name: 'priority', label: 'Priority', type: 'select', options: priorities, value: 'normal' },
		],
		submit: 'Open ticket',
		onsubmit: async (v) => {
			const t = await api.post('/api/tickets', v);
			location.hash = '#/tickets/' + t.id;
		},
	    }))];
}

async function ticketPage({ params, user }) {
	const t = await api.get('/api/tickets/' + params.id);
	const out = [h('p.crumbs', link('/tickets', '← Tickets')), h('h1', `#${t.number} ${t.subject}`),
	    facts([['Status', t.status], ['Priority', t.priority], ['From', t.requester && t.requester.name], ['Opened', fmtDate(t.created_at)]]),
	    h('p.body', t.body),
	    h('ol.thread', (t.replies || []).map((r) => h('li' + (r.internal ? '.internal' : ''),
		h('p.meta', `${r.author ? r.author.name : ''} · ${fmtDate(r.created_at)}${r.internal ? ' · internal note' : ''}`),
		h('p.body', r.body), filesOf(r.attachment_ids)))),
	    form({
		fields: [{ name: 'body', label: 'Reply', type: 'textarea', required: true },
		    isStaff(user) ? { name: 'internal', label: 'Internal note (not shown to the student)', type: 'checkbox' } : null,
		    filesField].filter(Boolean),
		submit: 'Send reply',
		onsubmit: async (v) => {
			const ids = v.files ? await uploadAll(v.files, 'ticket', t.id) : undefined;
			await api.post(`/api/tickets/${t.id}/replies`, { body: v.body, internal: v.internal, attachment_ids: ids });
			location.hash = `#/tickets/${t.id}?t=${Date.now()}`;
		},
	    })];
	if (isStaff(user))
		out.push(h('section', h('h2', 'Handling'), form({
			fields: [{ name: 'status', label: 'Status', type: 'select', options: statuses, value: t.status },
			    { name: 'priority', label: 'Priority', type: 'select', options: priorities, value: t.priority }],
			onsubmit: async (v) => {
				await api.patch('/api/tickets/' + t.id, v);
				announce('Ticket saved.', 'good');
			},
		})));
	return out;
}

function tutorPage({ query }) {
	return [h('h1', 'Tutor'),
	    h('p', 'The tutor helps you think a problem through with questions rather than giving answers away.'),
	    form({
		fields: [{ name: 'title', label: 'Topic (optional)' }],
		submit: 'Start a conversation',
		onsubmit: async (v) => {
			const body = { ...v };
			if (query.course_id)
				body.course_id = Number(query.course_id);
			if (query.lesson_id)
				body.lesson_id = Number(query.lesson_id);
			const c = await api.post('/api/tutor/conversations', body);
			location.hash = '#/tutor/' + c.id;
		},
	    }),
	    h('section', h('h2', 'Your conversations'), pagedList({
		load: (q) => api.get('/api/tutor/conversations' + api.qs({ page: q.page })),
		row: (c) => h('div', link('/tutor/' + c.id, c.title || `Conversation ${c.id}`), h('span.meta', ' · ' + fmtDate(c.updated_at))),
		empty: 'No conversations yet.',
	    }))];
}

// Read a Server-Sent Events stream, calling on(event, data) per event.
async function readEvents(res, on) {
	const reader = res.body.getReader();
	const dec = new TextDecoder();
	let buf = '';
	for (;;) {
		const { value, done } = await reader.read();
		if (done)
			break;
		buf += dec.decode(value, { stream: true });
		let i;
		while ((i = buf.search(/\r?\n\r?\n/)) >= 0) {
			const block = buf.slice(0, i);
			buf = buf.slice(i).replace(/^\r?\n\r?\n/, '');
			let event = 'message';
			const data = [];
			for (const line of block.split(/\r?\n/)) {
				if (line.startsWith('event:'))
					event = line.slice(6).trim();
				else if (line.startsWith('data:'))
					data.push(line.slice(5).replace(/^ /, ''));
			}
			let parsed = null;
			try {
				parsed = JSON.parse(data.join('\n'));
			} catch { /* not JSON */ }
			on(event, parsed);
		}
	}
}

async function ask(convId, content) {
	const go = () => fetch(`/api/tutor/conversations/${convId}/messages`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream',
		    Authorization: 'Bearer ' + accessToken() },
		body: JSON.stringify({ content }),
		credentials: 'same-origin',
	});
	let res = await go();
	if (res.status === 401 && await refresh())
		res = await go();
	if (!res.ok)
		throw new ApiError(res.status, await res.json().catch(() => null));
	return res;
}

async function conversationPage({ params }) {
	const c = await api.get('/api/tutor/conversations/' + params.id);
	const list = h('ol.thread.chat', { 'aria-live': 'polite' }, (c.messages || []).map(bubble));
	const f = form({
		fields: [{ name: 'content', label: 'Your question', type: 'textarea', required: true, rows: 3 }],
		submit: 'Ask',
		reset: true,
		onsubmit: async (v) => {
			list.append(bubble({ role: 'user', content: v.content }));
			const reply = bubble({ role: 'assistant', content: '' });
			const text = reply.querySelector('.body');
			reply.setAttribute('aria-busy', 'true');
			text.textContent = 'Thinking…';
			list.append(reply);
			try {
				const res = await ask(c.id, v.content);
				let first = true;
				await readEvents(res, (ev, data) => {
					if (ev === 'delta' && data) {
						if (first)
							text.textContent = '';
						first = false;
						text.textContent += data.content;
					} else if (ev === 'error') {
						reply.append(errorBox(new ApiError(502, data)));
					}
				});
			} catch (e) {
				reply.remove();
				throw e;
			} finally {
				reply.removeAttribute('aria-busy');
			}
		},
	});
	return [h('p.crumbs', link('/tutor', '← Tutor')), h('h1', c.title || 'Tutor'), list, f];
}

function bubble(m) {
	return h('li.' + (m.role === 'user' ? 'me' : 'tutor'), h('p.meta', m.role === 'user' ? 'You' : 'Tutor'),
	    h('p.body', m.content), m.incomplete ? h('p.meta', '(the reply stopped short)') : null);
}

export const routes = [
	{ path: '/messages', view: messagesPage, role: 'user' },
	{ path: '/messages/:id', view: threadPage, role: 'user' },
	{ path: '/tickets', view: ticketsPage, role: 'user' },
	{ path: '/tickets/:id', view: ticketPage, role: 'user' },
	{ path: '/tutor', view: tutorPage, role: 'user' },
	{ path: '/tutor/:id', view: conversationPage, role: 'user' },
];
