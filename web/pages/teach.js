// lectern — teachers' pages: their courses, course and lesson editing,
// classwork, roster, live sessions and attendance, certificates.

import * as api from '../api.js';
import { ACCEPT, fileList, uploadAll } from '../files.js';
import { action, announce, errorBox, fmtDate, form, h, link, pagedList, price } from '../ui.js';
import { sessionsList } from './public.js';

const STAFF = ['teacher', 'instructor', 'admin'];

const courseFields = (c = {}) => [
	{ name: 'title', label: 'Title', required: true, value: c.title },
	{ name: 'description', label: 'Description', type: 'textarea', rows: 4, value: c.description },
	{ name: 'price', label: 'Price', required: true, value: c.price ?? '0.00', inputmode: 'decimal', hint: 'In rupees, e.g. 499.00; 0 for a free course.' },
	{ name: 'published', label: 'Published (visible in the catalogue)', type: 'checkbox', value: c.published },
];

function teachPage({ query, user }) {
	return [h('h1', 'Teaching'),
	    h('section', h('h2', 'Your courses'), pagedList({
		query,
		load: (q) => api.get('/api/courses' + api.qs({ mine: 'true', page: q.page })),
		row: (c) => h('article.card', h('h3', link('/teach/courses/' + c.id, c.title)),
		    h('p.meta', price(c), c.published ? ' · published' : ' · draft')),
		empty: 'You have no courses yet.',
	    })),
	    h('section', h('h2', 'New course'), form({
		fields: courseFields(),
		submit: 'Create course',
		onsubmit: async (v) => {
			const c = await api.post('/api/courses', v);
			announce('Course created.', 'good');
			location.hash = '#/teach/courses/' + c.id;
		},
	    })),
	    user.role === 'admin' ? h('section', h('h2', 'New teacher account'), form({
		fields: [
			{ name: 'name', label: 'Name', required: true },
			{ name: 'email', label: 'Email', type: 'email', required: true },
			{ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password' },
		],
		submit: 'Create teacher',
		reset: true,
		onsubmit: async (v) => {
			await api.post('/api/auth/admin/create-teacher', v);
			announce('Teacher account created.', 'good');
		},
	    })) : null];
}

async function courseEdit({ params, query }) {
	const id = params.id;
	const c = await api.get('/api/courses/' + id);
	const lessons = await api.get(`/api/courses/${id}/lessons`);
	const out = [h('p.crumbs', link('/teach', '← Teaching'), ' · ', link('/courses/' + id, 'View as a student')),
	    h('h1', 'Edit: ' + c.title)];
	out.push(h('section', h('h2', 'Details'), form({
		fields: courseFields(c),
		onsubmit: async (v) => {
			await api.patch('/api/courses/' + id, v);
			announce('Course saved.', 'good');
		},
	})));
	out.push(h('section', h('h2', 'Lessons'),
	    lessons.items.length ? h('ol.lessons', lessons.items.map((l) => h('li',
		link(`/teach/lessons/${l.id}`, l.title), l.is_preview ? h('span.tag', 'preview') : null))) :
		h('p.empty', 'No lessons yet.'),
	    h('h3', 'Add a lesson'), form({
		fields: lessonFields({ position: lessons.items.length + 1 }),
		label: 'Add a lesson',
		submit: 'Add lesson',
		onsubmit: async (v) => {
			await api.post(`/api/courses/${id}/lessons`, v);
			announce('Lesson added.', 'good');
			location.hash = `#/teach/courses/${id}?t=${Date.now()}`;
		},
	    })));
	out.push(h('section', h('h2', 'Classwork'), pagedList({
		load: (q) => api.get(`/api/courses/${id}/classwork` + api.qs({ page: q.page })),
		row: (w) => h('div', link('/classwork/' + w.id, w.title), w.due_at ? ` · due ${fmtDate(w.due_at)}` : '',
		    ' ', action('Delete', async () => {
			if (!window.confirm(`Delete "${w.title}" and its submissions?`))
				return;
			await api.del('/api/classwork/' + w.id);
			location.hash = `#/teach/courses/${id}?t=${Date.now()}`;
		    }, null, `Delete ${w.title}`)),
		empty: 'No classwork yet.',
	    }), h('h3', 'Add classwork'), form({
		fields: [
			{ name: 'title', label: 'Title', required: true },
			{ name: 'instructions', label: 'Instructions', type: 'textarea', required: true },
			{ name: 'due_at', label: 'Due (optional)', type: 'datetime-local' },
			{ name: 'max_points', label: 'Points (optional)', type: 'number', min: 1 },
		],
		label: 'Add classwork',
		submit: 'Add classwork',
		onsubmit: async (v) => {
			if (v.due_at)
				v.due_at = new Date(v.due_at).toISOString().replace(/\.\d+Z$/, 'Z');
			await api.post(`/api/courses/${id}/classwork`, v);
			announce('Classwork added.', 'good');
			location.hash = `#/teach/courses/${id}?t=${Date.now()}`;
		},
	    })));
	out.push(h('section', h('h2', 'Students'), pagedList({
		query,
		load: (q) => api.get(`/api/courses/${id}/enrollments` + api.qs({ page: q.page })),
		table: ['Name', 'Email', 'Since', 'How', 'Certificate'],
		row: (e) => h('tr', h('td', e.user.name), h('td', e.user.email), h('td', fmtDate(e.created_at)),
		    h('td', `${e.source}${e.status !== 'active' ? ' (' + e.status + ')' : ''}`),
		    h('td', action('Issue', async () => {
			const cert = await api.post(`/api/courses/${id}/certificates`, { user_id: e.user.id });
			announce(`Certificate ${cert.code} issued.`, 'good');
		    }, null, `Issue a certificate to ${e.user.name}`))),
		empty: 'No students yet.',
	    })));
	out.push(h('section', h('h2', 'Live sessions'), sessionsList(id, true),
	    h('h3', 'Schedule a session'), form({
		fields: [
			{ name: 'title', label: 'Title', required: true },
			{ name: 'starts_at', label: 'Starts', type: 'datetime-local', required: true },
			{ name: 'duration_minutes', label: 'Minutes', type: 'number', required: true, min: 1, value: 60 },
			{ name: 'meeting_url', label: 'Meeting link', type: 'url', required: true },
			{ name: 'description', label: 'Description', type: 'textarea', rows: 2 },
		],
		submit: 'Schedule',
		onsubmit: async (v) => {
			v.starts_at = new Date(v.starts_at).toISOString().replace(/\.\d+Z$/, 'Z');
			await api.post(`/api/courses/${id}/sessions`, v);
			announce('Session scheduled.', 'good');
			location.hash = `#/teach/courses/${id}?t=${Date.now()}`;
		},
	    })));
	return out;
}

const lessonFields = (l = {}) => [
	{ name: 'title', label: 'Title', required: true, value: l.title },
	{ name: 'content', label: 'Text', type: 'textarea', rows: 8, value: l.content, hint: 'Plain text; a blank line starts a new paragraph.' },
	{ name: 'video_url', label: 'Video link (optional)', type: 'url', value: l.video_url },
	{ name: 'position', label: 'Position', type: 'number', min: 1, value: l.position },
	{ name: 'is_preview', label: 'Free preview (readable before enrolling)', type: 'checkbox', value: l.is_preview },
];

async function lessonEdit({ params }) {
	const l = await api.get('/api/lessons/' + params.id);
	return [h('p.crumbs', link('/teach/courses/' + l.course_id, '← The course')), h('h1', 'Edit lesson: ' + l.title),
	    form({
		fields: lessonFields(l),
		onsubmit: async (v) => {
			await api.patch('/api/lessons/' + l.id, v);
			announce('Lesson saved.', 'good');
		},
	    }),
	    lessonFiles(l),
	    h('section', h('h2', 'Delete'), action('Delete this lesson', async () => {
		if (!window.confirm('Delete this lesson?'))
			return;
		await api.del('/api/lessons/' + l.id);
		location.hash = '#/teach/courses/' + l.course_id;
	    }))];
}

// A lesson's files: each with a Remove button, and a form to attach more.
function lessonFiles(l) {
	const files = l.attachments || [];
	const ids = files.map((f) => f.id);
	const again = () => { location.hash = `#/teach/lessons/${l.id}?t=${Date.now()}`; };
	return h('section', h('h2', 'Files'),
	    files.length ? fileList(files, (f) => action('Remove', async () => {
		await api.patch('/api/lessons/' + l.id, { attachments: ids.filter((i) => i !== f.id) });
		announce('File removed.', 'good');
		again();
	    }, null, `Remove ${f.filename}`)) : h('p.empty', 'No files yet.'),
	    form({
		fields: [{ name: 'files', label: 'Attach files', type: 'file', multiple: true, required: true, accept: ACCEPT,
		    hint: 'PDF, images, audio, video, Office files, ZIP or plain text.' }],
		label: 'Attach files',
		submit: 'Upload',
		onsubmit: async (v) => {
			const added = await uploadAll(v.files, 'lesson', l.id);
			await api.patch('/api/lessons/' + l.id, { attachments: [...ids, ...added] });
			announce(added.length === 1 ? 'File attached.' : 'Files attached.', 'good');
			again();
		},
	    }));
}

async function attendancePage({ params, query }) {
	const list = await api.get(`/api/sessions/${params.id}/attendance` + api.qs({ per_page: 100 }));
	const boxes = list.items.map((a) => {
		const id = 'att-' + a.user_id;
		return h('div.field.check', h('input', { type: 'checkbox', id, value: a.user_id, checked: a.present }),
		    h('label', { for: id }, a.name));
	});
	return [h('p.crumbs', link('/teach/courses/' + query.course_id, '← The course')), h('h1', 'Attendance'),
	    list.items.length ? h('fieldset', h('legend', 'Present'), boxes) : h('p.empty', 'No students.'),
	    action('Save attendance', async () => {
		const present = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => Number(i.value));
		await api.put(`/api/sessions/${params.id}/attendance`, { present });
		announce('Attendance saved.', 'good');
	    }, 'primary')];
}

export const routes = [
	{ path: '/teach', view: teachPage, role: STAFF },
	{ path: '/teach/courses/:id', view: courseEdit, role: STAFF },
	{ path: '/teach/lessons/:id', view: lessonEdit, role: STAFF },
	{ path: '/teach/sessions/:id', view: attendancePage, role: STAFF },
];
export { errorBox };
