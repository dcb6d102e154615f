// lectern — files (SPEC §6.1): uploading through a signed PUT with a
// progress bar, and lists of attached files with their download links.

import * as api from './api.js';
import { h } from './ui.js';

// Types the API accepts, by extension, for browsers that leave File.type
// empty.
const TYPES = {
	pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
	webp: 'image/webp', mp4: 'video/mp4', webm: 'video/webm', mp3: 'audio/mpeg',
	txt: 'text/plain', zip: 'application/zip',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
export const ACCEPT = Object.keys(TYPES).map((e) => '.' + e).join(',');

function typeOf(file) {
	const ext = (/\.([^.]+)$/.exec(file.name) || [])[1];
	return TYPES[(ext || '').toLowerCase()] || file.type || 'application/octet-stream';
}

// A signed URL of the API's own (the local backend's PUT and download)
// is used on this page's origin: LECTERN_PUBLIC_URL may name the site
// as seen from outside a proxy.  Anything else (an S3 store) as given.
export function own(url) {
	const u = new URL(url, location.href);
	return u.pathname.startsWith('/api/uploads/') ? u.pathname + u.search : u.href;
}

function put(url, headers, file, onprogress) {
	return new Promise((resolve, reject) => {
		const x = new XMLHttpRequest();
		x.open('PUT', own(url));
		for (const [k, v] of Object.entries(headers || {}))
			if (!/^content-length$/i.test(k))
				x.setRequestHeader(k, v);
		x.upload.onprogress = (e) => {
			if (e.lengthComputable && onprogress)
				onprogress(e.loaded / e.total);
		};
		x.onload = () => {
			if (x.status >= 200 && x.status < 300)
				return resolve();
			let body = null;
			try {
				body = JSON.parse(x.responseText);
			} catch { /* an S3 store's XML */ }
			reject(new api.ApiError(x.status, body));
		};
		x.onerror = () => reject(new TypeError('the upload failed'));
		x.send(file);
	});
}

/*
 * Upload file for purpose and target (SPEC §6.1): sign, PUT with
 * onprogress(fraction), and on S3 confirm.  Resolves the upload's id.
 */
export async function upload(file, purpose, targetId, onprogress) {
	const s = await api.post('/api/uploads/sign', {
		filename: file.name, content_type: typeOf(file), size: file.size,
		purpose, target_id: targetId,
	});
	await put(s.put.url, s.put.headers, file, onprogress);
	if (!own(s.put.url).startsWith('/'))
		await api.post(`/api/uploads/${s.upload.id}/complete`);
	return s.upload.id;
}

/*
 * Upload every file of a file input in turn, its progress bar showing
 * the bytes sent of them all.  Resolves their ids, in order.
 */
export async function uploadAll(input, purpose, targetId) {
	const files = Array.from(input.files || []);
	const bar = input.progress;
	const total = files.reduce((n, f) => n + f.size, 0) || 1;
	const ids = [];
	let done = 0;
	if (bar) {
		bar.hidden = files.length === 0;
		bar.value = 0;
	}
	for (const f of files) {
		ids.push(await upload(f, purpose, targetId, (p) => {
			if (bar)
				bar.value = (done + p * f.size) / total;
		}));
		done += f.size;
	}
	if (bar)
		bar.value = 1;
	return ids;
}

function size(n) {
	if (n >= 1048576)
		return (n / 1048576).toFixed(1) + ' MB';
	return Math.max(1, Math.round(n / 1024)) + ' KB';
}

// A download link for a file {filename, size, url}.
export function fileLink(f) {
	return h('a', { href: own(f.url), download: f.filename }, f.filename, h('span.meta', ` (${size(f.size)})`));
}

// The list of files with download links (with remove(f) a button each).
export function fileList(files, remove) {
	return h('ul.files', files.map((f) => h('li', fileLink(f), remove ? [' ', remove(f)] : null)));
}

// The files of upload ids (a submission's, a reply's), as fileList shows
// them; those the caller may not see are left out.
export function filesOf(ids) {
	const box = h('div');
	if (!ids || !ids.length)
		return box;
	Promise.all(ids.map((id) => api.get('/api/uploads/' + id).catch(() => null))).then((ups) => {
		const files = ups.filter((u) => u && u.get).map((u) => ({ ...u, url: u.get.url }));
		if (files.length)
			box.replaceChildren(fileList(files));
	});
	return box;
}
