// lectern — building pages: elements, forms with labelled fields and the
// API's error messages, paged lists, busy indicators.

import { ApiError } from './api.js';

// h('tag.class#id', {attrs}, ...children): an element.  Attributes
// starting with "on" are event handlers; strings are text, never HTML.
export function h(spec, attrs, ...kids) {
	const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/.exec(spec);
	const el = document.createElement(m ? m[1] : 'div');
	if (m)
		for (const part of m[2].match(/[.#][\w-]+/g) || []) {
			if (part[0] === '.')
				el.classList.add(part.slice(1));
			else
				el.id = part.slice(1);
		}
	if (attrs && (typeof attrs !== 'object' || attrs instanceof Node ||
	    Array.isArray(attrs))) {
		kids.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on'))
			el.addEventListener(k.slice(2), v);
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, kids);
	return el;
}

function append(el, kids) {
	for (const k of kids) {
		if (k === null || k === undefined || k === false)
			continue;
		if (Array.isArray(k))
			append(el, k);
		else
			el.append(k instanceof Node ? k : String(k));
	}
}

let uid = 0;
export function nextId(prefix = 'f') {
	uid += 1;
	return `${prefix}-${uid}`;
}

// The page's live region: short news read out by screen readers.
export function announce(text, kind = 'info') {
	const el = document.getElementById('status');
	if (!el)
		return;
	el.className = 'status ' + kind;
	el.textContent = text;
	if (text)
		setTimeout(() => { if (el.textContent === text) el.textContent = ''; },
		    8000);
}

// A message for an error: the API's own words and its request id.
export function errorText(err) {
	if (err instanceof ApiError) {
		let s = err.message;
		if (err.code === 'rate_limited')
			s += ' Please wait a moment and try again.';
		if (err.requestId)
			s += ` (request ${err.requestId})`;
		return s;
	}
	if (err && err.name === 'TypeError')
		return 'The server could not be reached. Check your connection and try again.';
	return String((err && err.message) || err);
}

export function errorBox(err) {
	return h('p.error', { role: 'alert' }, errorText(err));
}

export function spinner(label = 'Loading…') {
	return h('p.loading', { role: 'status' }, h('span.spin', { 'aria-hidden': 'true' }), label);
}

/*
 * form({fields, submit, onsubmit}): a form with a label for every field,
 * each field's error under it (aria-describedby), a busy state while
 * onsubmit(values) runs, and the API's message on failure.  A field is
 * {name, label, type, required, value, options, hint, autocomplete, min,
 * max, step, rows, multiple, accept}; label names the form (a landmark)
 * where a page has several.  A file field's value is its input (files.js
 * uploads it, showing progress in input.progress), undefined when empty.
 */
export function form({ fields, submit, onsubmit, className, reset = false, label }) {
	const err = h('div.form-error', { 'aria-live': 'assertive' });
	const inputs = {};
	const rows = fields.map((f) => {
		const id = nextId(f.name);
		const hintId = id + '-hint';
		const errId = id + '-err';
		let input;
		const common = {
			id, name: f.name,
			required: f.required || null,
			autocomplete: f.autocomplete,
			'aria-describedby': (f.hint ? hintId + ' ' : '') + errId,
		};
		if (f.type === 'textarea') {
			input = h('textarea', { ...common, rows: f.rows || 5, maxlength: f.max }, f.value ?? '');
		} else if (f.type === 'select') {
			input = h('select', common, f.options.map(([v, t]) =>
			    h('option', { value: v, selected: String(f.value ?? '') === String(v) }, t)));
		} else if (f.type === 'checkbox') {
			input = h('input', { ...common, type: 'checkbox', checked: !!f.value });
		} else if (f.type === 'file') {
			input = h('input', { ...common, type: 'file', multiple: f.multiple, accept: f.accept });
			input.progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': f.label + ': upload progress' });
		} else {
			input = h('input', {
				...common, type: f.type || 'text', value: f.value ?? '',
				min: f.min, max: f.max, step: f.step,
				minlength: f.minlength, inputmode: f.inputmode,
			});
		}
		inputs[f.name] = input;
		const row = h('div.field' + (f.type === 'checkbox' ? '.check' : ''),
		    f.type === 'checkbox' ? [input, h('label', { for: id }, f.label)] :
		    [h('label', { for: id }, f.label, f.required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null), input],
		    input.progress || null,
		    f.hint ? h('p.hint', { id: hintId }, f.hint) : null,
		    h('p.field-error', { id: errId }));
		return row;
	});
	const button = h('button', { type: 'submit' }, submit || 'Save');
	const el = h('form' + (className ? '.' + className : ''), { novalidate: true, 'aria-label': label }, rows, err,
	    h('div.actions', button));
	el.inputs = inputs;
	el.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		err.textContent = '';
		for (const row of el.querySelectorAll('.field-error'))
			row.textContent = '';
		for (const i of Object.values(inputs))
			i.removeAttribute('aria-invalid');
		const values = {};
		for (const f of fields) {
			const i = inputs[f.name];
			if (f.type === 'checkbox')
				values[f.name] = i.checked;
			else if (f.type === 'file')
				values[f.name] = i.files && i.files.length ? i : undefined;
			else if (f.type === 'number')
				values[f.name] = i.value === '' ? undefined : Number(i.value);
			else
				values[f.name] = i.value.trim() === '' ? undefined : i.value;
			if (f.required && values[f.name] === undefined) {
				showField(f.name, 'is required');
				err.textContent = `${f.label}: is required`;
				i.focus();
				return;
			}
		}
		button.disabled = true;
		el.setAttribute('aria-busy', 'true');
		const old = button.textContent;
		button.textContent = 'Working…';
		try {
			await onsubmit(values, el);
			if (reset)
				el.reset();
		} catch (e) {
			err.append(errorBox(e));
			if (e instanceof ApiError)
				for (const [k, v] of Object.entries(e.fields))
					showField(k, v);
			const bad = el.querySelector('[aria-invalid="true"]');
			(bad || button).focus();
		} finally {
			button.disabled = false;
			button.textContent = old;
			el.removeAttribute('aria-busy');
		}
	});
	function showField(name, msg) {
		const i = inputs[name];
		if (!i)
			return;
		i.setAttribute('aria-invalid', 'true');
		document.getElementById(i.id + '-err').textContent = msg;
	}
	return el;
}

// A button that runs fn with a busy state and reports failures; name
// is its accessible name where the label alone is ambiguous ("Delete").
export function action(label, fn, cls, name) {
	const b = h('button' + (cls ? '.' + cls : ''), { type: 'button', 'aria-label': name }, label);
	b.addEventListener('click', async () => {
		b.disabled = true;
		b.setAttribute('aria-busy', 'true');
		try {
			await fn(b);
		} catch (e) {
			announce(errorText(e), 'bad');
		} finally {
			b.disabled = false;
			b.removeAttribute('aria-busy');
		}
	});
	return b;
}

export function fmtDate(s) {
	if (!s)
		return '';
	const d = new Date(s);
	return isNaN(d) ? s : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function money(amount, currency) {
	return `${currency || 'INR'} ${(amount / 100).toFixed(2)}`;
}

export function price(c) {
	return Number(c.price) === 0 ? 'Free' : `${c.currency || 'INR'} ${c.price}`;
}

// A link in the page's own router.
export function link(path, ...kids) {
	return h('a', { href: '#' + path }, ...kids);
}

/*
 * A paged list that keeps its state in the page's hash query: load(query)
 * returns the list envelope, row(item) an element.  filters are form
 * fields (name, label, type, options); the search form and the paging
 * links change the hash, so Back works.
 */
export function pagedList({ load, row, filters = [], query = {}, empty = 'Nothing here yet.', table }) {
	const box = h('div.paged');
	const page = Number(query.page || 1);
	if (filters.length) {
		const f = h('form.filters', { role: 'search' });
		for (const fl of filters) {
			const id = nextId(fl.name);
			const input = fl.options ?
			    h('select', { id, name: fl.name }, fl.options.map(([v, t]) =>
				h('option', { value: v, selected: (query[fl.name] || '') === v }, t))) :
			    h('input', { id, name: fl.name, type: fl.type || 'search', value: query[fl.name] || '' });
			f.append(h('div.field', h('label', { for: id }, fl.label), input));
		}
		f.append(h('div.actions', h('button', { type: 'submit' }, 'Search')));
		f.addEventListener('submit', (ev) => {
			ev.preventDefault();
			const q = {};
			for (const el of f.elements)
				if (el.name && el.value)
					q[el.name] = el.value;
			setQuery(q);
		});
		box.append(f);
	}
	const out = h('div', { 'aria-live': 'polite' }, spinner());
	box.append(out);
	(async () => {
		try {
			const data = await load({ ...query, page });
			out.textContent = '';
			if (!data.items.length) {
				out.append(h('p.empty', empty));
				return;
			}
			if (table) {
				out.append(h('div.table-wrap', h('table',
				    h('thead', h('tr', table.map((c) => h('th', { scope: 'col' }, c)))),
				    h('tbody', data.items.map(row)))));
			} else {
				out.append(h('ul.cards', data.items.map((i) => h('li', row(i)))));
			}
			if (data.total_pages > 1 || data.has_prev || data.has_next) {
				const nav = h('nav.pager', { 'aria-label': 'Pages' });
				if (data.has_prev)
					nav.append(h('a', { href: hashWith({ ...query, page: page - 1 }), rel: 'prev' }, '← Previous'));
				nav.append(h('span', `Page ${data.page} of ${data.total_pages} (${data.total} in all)`));
				if (data.has_next)
					nav.append(h('a', { href: hashWith({ ...query, page: page + 1 }), rel: 'next' }, 'Next →'));
				out.append(nav);
			}
		} catch (e) {
			out.textContent = '';
			out.append(errorBox(e));
		}
	})();
	return box;
}

export function hashWith(q) {
	const path = location.hash.slice(1).split('?')[0] || '/';
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(q))
		if (v !== '' && v !== undefined && v !== null)
			p.set(k, v);
	const s = p.toString();
	return '#' + path + (s ? '?' + s : '');
}

export function setQuery(q) {
	location.hash = hashWith(q);
}

// A definition list of label/value pairs.
export function facts(pairs) {
	return h('dl.facts', pairs.filter((p) => p[1] !== undefined && p[1] !== null && p[1] !== '')
	    .map(([k, v]) => [h('dt', k), h('dd', v)]));
}

// A progress bar with its text.
export function progressBar(p) {
	return h('div.progress', h('progress', { max: 100, value: p.percent, 'aria-label': 'Course progress' }),
	    h('span', `${p.completed} of ${p.total} lessons done (${p.percent}%)`));
}
