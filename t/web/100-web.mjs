// lectern — the web client in a real browser: Debian's Chromium driven
// headless by playwright-core against the suite's Apache and PostgreSQL
// (SPEC §12; the scenarios of the web client's issue), with axe-core on
// the main pages.  Run by scripts/test with Node's test runner
// (node --test --test-reporter=tap), once per run.  Elements are found
// by role and label, as a screen reader would.  Screenshots of the pages
// go to LECTERN_TEST_SHOTS (default var/browser-shots/) as artefacts.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = (process.env.LECTERN_TEST_URL || '').replace(/\/+$/, '');
// Another origin on loopback, whose pages have no CSP of their own: the
// Razorpay stand-in.
const OTHER = (process.env.LECTERN_TEST_RAZORPAY_URL || '').replace(/\/+$/, '');
const DB = process.env.LECTERN_TEST_DATABASE_URL;
const LOGDIR = process.env.LECTERN_TEST_LOGDIR;
const SHOTS = process.env.LECTERN_TEST_SHOTS ||
    path.join(process.env.LECTERN_SRCDIR || '.', 'var', 'browser-shots');
const CHROMIUM = process.env.LECTERN_TEST_CHROMIUM || '/usr/bin/chromium';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const STEP = 15000;

// One check as a subtest of t, so that each shows in the TAP output.
let current = null;
async function ok(cond, what, diag) {
	await current.test(what, () => assert.ok(cond, diag ? String(diag) : what));
}
const note = (s) => current.diagnostic(s);

// Under scripts/test (LECTERN_TEST_STRICT) nothing skips.
const missing = !BASE || !DB ? 'needs the servers of scripts/test' :
    !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : null;
if (missing && process.env.LECTERN_TEST_STRICT)
	throw new Error(missing);
const skip = missing || false;
if (!skip)
	fs.mkdirSync(SHOTS, { recursive: true });

function sql(q, ...params) {
	const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB];
	params.forEach((p, i) => args.push('-v', `p${i + 1}=${p}`));
	return execFileSync('psql', args, { input: q, encoding: 'utf8' }).trim();
}

// What lectern-mailer delivers to addr: the outbox handed to the
// loopback SMTP sink (scripts/lib/mail-sink.py), as the sink caught it.
const TOP = process.env.LECTERN_TOP || '.';
async function deliveredMail(addr) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-mail-'));
	const port = await new Promise((resolve) => {
		const srv = net.createServer().listen(0, '127.0.0.1', () => {
			const p = srv.address().port;
			srv.close(() => resolve(p));
		});
	});
	const sink = spawn('/usr/bin/python3', [path.join(TOP, 'scripts/lib/mail-sink.py'), dir, String(port)],
	    { stdio: ['ignore', 'pipe', 'inherit'] });
	try {
		await new Promise((resolve, reject) => {
			sink.stdout.once('data', (d) => (/^ready/.test(String(d)) ? resolve() : reject(new Error(String(d)))));
			sink.once('exit', () => reject(new Error('the mail sink exited')));
		});
		const env = { PATH: process.env.PATH, LECTERN_DATABASE_URL: process.env.LECTERN_DATABASE_URL,
		    LECTERN_SMTP_URL: `smtp://127.0.0.1:${port}`, LECTERN_MAIL_FROM: 'noreply@lectern.test' };
		for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS'])
			if (process.env[k])
				env[k] = process.env[k];
		execFileSync(path.join(TOP, 'bin/lectern-mailer'), ['--once'], { env, timeout: 120000, stdio: 'ignore' });
		for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.env')).sort()) {
			const e = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
			if (e.rcpt_tos.includes(addr))
				return fs.readFileSync(path.join(dir, f.replace(/\.env$/, '.eml')), 'utf8');
		}
		return '';
	} finally {
		sink.kill('SIGTERM');
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function api(method, p, body, token) {
	const headers = { Accept: 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (token)
		headers.Authorization = 'Bearer ' + token;
	const r = await fetch(BASE + p, { method, headers,
	    body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	if (!r.ok)
		throw new Error(`${method} ${p}: ${r.status} ${text}`);
	return json;
}

const stamp = Date.now().toString(36);
let seq = 0;
const email = (tag) => `web-${tag}-${stamp}-${++seq}@lectern.test`;
const PASSWORD = 'correct horse battery staple web';

async function account(tag, role = 'student', name) {
	const e = email(tag);
	const r = await api('POST', '/api/auth/register', { name: name || `Web ${tag}`, email: e, password: PASSWORD });
	if (role !== 'student')
		sql("UPDATE users SET role = :'p1' WHERE id = :'p2'", role, r.user.id);
	const s = await api('POST', '/api/auth/login', { email: e, password: PASSWORD });
	return { email: e, id: r.user.id, token: s.access_token, name: r.user.name };
}

let shot = 0;
async function snap(page, name) {
	shot += 1;
	const file = path.join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true }).catch(() => {});
}

// Wait until the page's router has rendered (no busy status in main).
async function settle(page) {
	await page.waitForFunction(() => document.body.dataset.ready === '1' &&
	    !document.querySelector('main [role="status"]'), null, { timeout: STEP });
}

async function go(page, hash) {
	await page.goto(BASE + '/' + hash);
	await settle(page);
}

// axe-core on the page as it is: no serious or critical violation.
async function axe(page, what) {
	await page.evaluate(AXE);
	const res = await page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact,
		    nodes: v.nodes.slice(0, 3).map((x) => x.target.join(' ')) }));
	});
	const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	await ok(bad.length === 0, `axe: no serious or critical violation on ${what}`,
	    JSON.stringify(bad, null, 1));
	for (const v of res.filter((x) => !bad.includes(x)))
		note(`axe ${what}: ${v.impact} ${v.id}`);
}

// The field labelled text (a required field's label ends in " *").
function field(scope, text) {
	const re = new RegExp('^' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '( \\*)?$');
	return scope.getByLabel(re);
}

async function fill(page, label, value) {
	await field(page, label).fill(String(value));
}

async function signInUi(page, who) {
	await go(page, '#/signin');
	await fill(page, 'Email', who.email);
	await fill(page, 'Password', PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForFunction(() => !location.hash.startsWith('#/signin'), null, { timeout: STEP });
	await settle(page);
}

function scenario(name, fn) {
	test(name, { skip, timeout: 240000 }, async (t) => {
		current = t;
		await fn();
	});
}

function accessLog() {
	if (!LOGDIR || !fs.existsSync(LOGDIR))
		return '';
	return fs.readdirSync(LOGDIR).filter((f) => f.startsWith('access_log'))
	    .map((f) => fs.readFileSync(path.join(LOGDIR, f), 'utf8')).join('');
}

let browser;
let teacher;
let admin;
let free;
let paid;

async function newPage(opts = {}) {
	const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...opts });
	ctx.setDefaultTimeout(STEP);
	const page = await ctx.newPage();
	page.on('dialog', (d) => d.accept());
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(String(e)));
	return page;
}

before(async () => {
	if (skip)
		return;
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
		timeout: 30000,
	});
	// Courses made through the API, as a teacher would.
	teacher = await account('teacher', 'teacher', 'Tara Teacher');
	admin = await account('admin', 'admin', 'Ada Admin');
	free = await api('POST', '/api/courses', { title: `Free Web Basics ${stamp}`,
	    description: 'A free course to start with.', price: '0', published: true }, teacher.token);
	for (let i = 1; i <= 2; i++)
		await api('POST', `/api/courses/${free.id}/lessons`, { title: `Basics lesson ${i}`,
		    content: `The text of lesson ${i}.\n\nA second paragraph.`, position: i, is_preview: i === 1 }, teacher.token);
	paid = await api('POST', '/api/courses', { title: `Paid Web Mastery ${stamp}`,
	    description: 'A paid course.', price: '499.00', published: true }, teacher.token);
	await api('POST', `/api/courses/${paid.id}/lessons`, { title: 'Mastery lesson 1',
	    content: 'Paid content.', position: 1 }, teacher.token);
});

after(async () => {
	if (browser)
		await browser.close();
});

// The site and its headers.
scenario('the page is served beside the API, with its own headers', async () => {
	const r = await fetch(BASE + '/');
	const csp = r.headers.get('content-security-policy') || '';
	await ok(r.status === 200 && /text\/html/.test(r.headers.get('content-type')), 'GET / serves the page');
	await ok(/default-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp),
	    'the page has its own CSP, without inline script', csp);
	await ok(r.headers.get('cache-control') === 'no-cache', 'the page itself is revalidated');
	const a = await fetch(BASE + '/v/1/app.js');
	await ok(a.status === 200 && /immutable/.test(a.headers.get('cache-control') || '') &&
	    /javascript/.test(a.headers.get('content-type')), 'versioned assets are cached for long');
	const j = await fetch(BASE + '/api/courses');
	await ok(j.headers.get('content-security-policy') === "default-src 'none'; frame-ancestors 'none'" &&
	    j.headers.get('cross-origin-opener-policy') === 'same-origin', 'the API keeps its own headers');
	const x = await fetch(BASE + '/web/index.html');
	await ok(x.status === 404 && /json/.test(x.headers.get('content-type')), 'nothing else is served');
	const rp = await fetch(BASE + '/reset-password');
	await ok(rp.status === 200 && /text\/html/.test(rp.headers.get('content-type')), '/reset-password is the page');
});

// 1. A new visitor signs up, browses, enrolls, reads, completes.
scenario('a visitor signs up, enrolls in a free course, reads it and sees progress', async () => {
	const page = await newPage();
	await go(page, '');
	await snap(page, 'catalogue');
	await axe(page, 'the catalogue');
	await page.getByLabel('Search courses').fill('Free Web Basics ' + stamp);
	await page.getByRole('button', { name: 'Search' }).click();
	await page.getByRole('link', { name: free.title }).click();
	await settle(page);
	await ok(await page.getByRole('heading', { level: 1, name: free.title }).isVisible(),
	    'search finds the course and opens it');
	await snap(page, 'course-anonymous');
	await axe(page, 'a course page');
	await page.getByRole('link', { name: 'create an account' }).click();
	await settle(page);
	await snap(page, 'signup');
	await axe(page, 'the sign-up page');
	await fill(page, 'Your name', 'Vera Visitor');
	await fill(page, 'Email', email('visitor'));
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('button', { name: 'Enroll for free' }).click();
	await page.getByRole('heading', { name: 'Your progress' }).waitFor();
	await settle(page);
	await ok(await page.getByText('0 of 2 lessons done').isVisible(), 'enrolled in the free course, progress 0 of 2');
	await snap(page, 'course-enrolled');
	for (let i = 1; i <= 2; i++) {
		await page.getByRole('link', { name: `Basics lesson ${i}`, exact: true }).click();
		await settle(page);
		await ok(await page.getByText(`The text of lesson ${i}.`).isVisible(), `lesson ${i} reads`);
		if (i === 1) {
			await snap(page, 'lesson');
			await axe(page, 'a lesson');
		}
		await page.getByRole('button', { name: 'Mark as complete' }).click();
		await page.getByText('Lesson completed.', { exact: true }).first().waitFor();
		await page.getByRole('link', { name: '← Back to the course' }).click();
		await settle(page);
	}
	await page.getByRole('link', { name: 'My learning' }).click();
	await settle(page);
	await page.getByText('2 of 2 lessons done (100%)').waitFor();
	await ok(true, 'my learning shows the course complete');
	await snap(page, 'my-learning');
	await axe(page, 'my learning');

	// The refresh cookie.
	const cookies = await page.context().cookies(BASE + '/api/auth/refresh');
	const c = cookies.find((x) => x.name === 'lectern_refresh');
	await ok(c && c.httpOnly && c.sameSite === 'Strict' && c.path === '/api/auth',
	    'the refresh cookie is HttpOnly, SameSite=Strict, scoped to /api/auth', JSON.stringify(c));
	await ok(!/lectern_refresh/.test(await page.evaluate(() => document.cookie)), 'the page cannot read it');
	await page.reload();
	await settle(page);
	await ok(await page.getByText('Vera Visitor (student)').isVisible(), 'a reload keeps the session (silent refresh)');

	// Another origin's page cannot spend it.  127.0.0.1 on another port
	// is the same site, so SameSite may let the cookie go; then the
	// Origin check refuses it (403); if the browser holds it back, the
	// request has no token (400).  Either way it is not a refresh.
	// (The access log names the endpoint the route leads to.)
	const tries = () => (accessLog().match(/"POST \/api\/auth\/refresh HTTP\/1\.1" \d+ /g) || []);
	const before = tries().length;
	const other = await page.context().newPage();
	await other.goto(OTHER + '/checkout.js');
	const sent = await other.evaluate(async (url) => {
		try {
			const r = await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' });
			return r.type;
		} catch (e) {
			return String(e);
		}
	}, BASE + '/api/auth/refresh');
	let got = [];
	for (let i = 0; i < 30 && got.length === 0; i++) {
		await new Promise((r) => setTimeout(r, 100));
		got = tries().slice(before);
	}
	note(`cross-origin POST: ${sent}; logged ${got.join(', ')}`);
	await ok(got.length === 1 && /" (403|400) $/.test(got[0]),
	    'a cross-origin POST to /api/auth/refresh with the cookie is refused', got.join(', '));
	await other.close();
	const forged = await page.context().request.post(BASE + '/api/auth/refresh',
	    { headers: { 'X-Requested-With': 'lectern', Origin: 'https://evil.example' } });
	await ok(forged.status() === 403, 'so is one with the header and a foreign Origin', String(forged.status()));
	await page.reload();
	await settle(page);
	await ok(await page.getByText('Vera Visitor (student)').isVisible(), '...and the session survives them');

	// Signing out clears both.
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.waitForFunction(() => location.hash.startsWith('#/signin'));
	const left = (await page.context().cookies(BASE + '/api/auth/refresh')).find((x) => x.name === 'lectern_refresh');
	await ok(!left || !left.value, 'signing out clears the cookie', JSON.stringify(left));
	await page.reload();
	await settle(page);
	await ok(await page.getByRole('link', { name: 'Sign in' }).isVisible(), '...and the session');
	await snap(page, 'signin');
	await axe(page, 'the sign-in page');
	await ok(page.errors.length === 0, 'no script errors', page.errors.join('\n'));
	await page.context().close();
});

// 2. A student made by a manual record sets a password from the mail.
scenario('a student made by a manual record follows the mailed link', async () => {
	const e = email('manual');
	await api('POST', '/api/payments/manual-record', { course_id: paid.id, email: e, name: 'Manu Manual' }, admin.token);
	// The mail as lectern-mailer delivers it over SMTP.
	const body = await deliveredMail(e);
	await ok(/^Subject: .*account/mi.test(body), 'lectern-mailer delivers the welcome mail', body || '(none)');
	const m = /https?:\/\/\S+?(\/reset-password#token=([A-Za-z0-9_-]+))/.exec(body);
	await ok(m, 'the welcome mail links to /reset-password with the token in the fragment', body);
	const token = m[2];
	const page = await newPage();
	await page.goto(BASE + m[1]);
	await settle(page);
	await ok(!page.url().includes(token), 'the token leaves the address bar at once', page.url());
	await snap(page, 'reset-password');
	await axe(page, 'the reset page');
	await page.getByLabel('New password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Set password' }).click();
	await page.waitForFunction(() => location.hash.startsWith('#/signin'));
	await settle(page);
	await fill(page, 'Email', e);
	await fill(page, 'Password', PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForFunction(() => location.hash.startsWith('#/learn'));
	await settle(page);
	await page.getByRole('link', { name: paid.title }).click();
	await settle(page);
	await page.getByRole('link', { name: 'Mastery lesson 1' }).click();
	await settle(page);
	await ok(await page.getByText('Paid content.').isVisible(), 'signed in, the student reads the paid course');
	const log = accessLog();
	await ok(log.length > 0 && !log.includes(token), 'the token never appears in the access log');
	await page.context().close();
});

// 2b. A school's Firebase account signs in from the page (Identity
// Toolkit's REST API, the stand-in's, then /api/auth/firebase).
scenario('a Firebase account signs in from the sign-in page', async () => {
	const e = email('firebase');
	const page = await newPage();
	await go(page, '#/signin');
	const fb = page.getByRole('form', { name: 'Sign in with Firebase' });
	await fb.waitFor();
	await field(fb, 'Firebase email').fill(e);
	await field(fb, 'Firebase password').fill('not the password');
	await fb.getByRole('button', { name: 'Continue with Firebase' }).click();
	await fb.getByText('Firebase did not accept that email and password.').waitFor();
	await ok(true, 'a wrong Firebase password is refused with a clear message');
	await axe(page, 'the sign-in page with Firebase');
	await field(fb, 'Firebase password').fill(process.env.LECTERN_TEST_FIREBASE_PASSWORD || '');
	await fb.getByRole('button', { name: 'Continue with Firebase' }).click();
	await page.waitForFunction(() => !location.hash.startsWith('#/signin'), null, { timeout: STEP });
	await settle(page);
	await ok(await page.getByText('(student)').isVisible(), 'the Firebase account is signed in');
	await ok(sql("SELECT count(*) FROM users u JOIN user_identities i ON i.user_id = u.id"
	    + " WHERE u.email = :'p1' AND i.provider = 'firebase'", e) === '1',
	    '...as a new account linked to its Firebase identity');
	await snap(page, 'firebase-signed-in');
	await page.context().close();
});

// 3. Teacher authors, student submits, teacher grades, student sees.
scenario('a teacher authors a course, a student submits, the teacher grades', async () => {
	const tpage = await newPage();
	// The teacher signs in with the keyboard alone.
	await go(tpage, '#/signin');
	for (let i = 0; i < 30; i++) {
		await tpage.keyboard.press('Tab');
		if (await tpage.evaluate(() => document.activeElement && document.activeElement.name === 'email'))
			break;
	}
	await tpage.keyboard.type(teacher.email);
	await tpage.keyboard.press('Tab');
	await tpage.keyboard.type(PASSWORD);
	await tpage.keyboard.press('Enter');
	await tpage.waitForFunction(() => !location.hash.startsWith('#/signin'));
	await settle(tpage);
	await ok(await tpage.getByText('Tara Teacher (teacher)').isVisible(), 'the teacher signs in with the keyboard alone');
	await tpage.getByRole('link', { name: 'Teaching' }).click();
	await settle(tpage);
	await snap(tpage, 'teaching');
	await axe(tpage, 'the teaching page');
	const title = `Authored ${stamp}`;
	await fill(tpage, 'Title', title);
	await fill(tpage, 'Price', '0');
	await tpage.getByLabel('Published (visible in the catalogue)').check();
	await tpage.getByRole('button', { name: 'Create course' }).click();
	await tpage.getByRole('heading', { level: 1, name: 'Edit: ' + title }).waitFor();
	await settle(tpage);
	const courseId = Number(/teach\/courses\/(\d+)/.exec(tpage.url())[1]);
	const lessonForm = tpage.getByRole('form', { name: 'Add a lesson' });
	await field(lessonForm, 'Title').fill('Authored lesson');
	await lessonForm.getByLabel('Text').fill('Read this, then do the classwork.');
	await lessonForm.getByRole('button', { name: 'Add lesson' }).click();
	await tpage.getByRole('link', { name: 'Authored lesson' }).waitFor();
	await settle(tpage);
	// A PDF attached to the lesson, uploaded with its progress shown.
	await tpage.getByRole('link', { name: 'Authored lesson' }).click();
	await settle(tpage);
	const slides = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(300000), Buffer.from('\n%%EOF\n')]);
	const attach = tpage.getByRole('form', { name: 'Attach files' });
	await field(attach, 'Attach files').setInputFiles({ name: 'Week 1 slides.pdf', mimeType: 'application/pdf', buffer: slides });
	await attach.getByRole('button', { name: 'Upload' }).click();
	await tpage.getByRole('button', { name: 'Remove Week 1 slides.pdf' }).waitFor();
	await settle(tpage);
	await ok(await tpage.getByLabel('Attach files: upload progress').count() === 1,
	    'the upload form has a progress bar');
	await ok(sql("SELECT count(*) FROM uploads u JOIN lessons l ON u.id = ANY (l.attachments)"
	    + " WHERE l.title = 'Authored lesson' AND u.status = 'ready' AND u.sha256 = :'p1'",
	    crypto.createHash('sha256').update(slides).digest('hex')) === '1',
	    'the teacher attaches a PDF to the lesson, stored byte for byte');
	await snap(tpage, 'lesson-files');
	await axe(tpage, 'the lesson editor');
	await tpage.getByRole('link', { name: '← The course' }).click();
	await settle(tpage);
	const cwForm = tpage.getByRole('form', { name: 'Add classwork' });
	await field(cwForm, 'Title').fill('Essay one');
	await cwForm.getByLabel('Instructions').fill('Write three sentences.');
	await cwForm.getByLabel('Points (optional)').fill('10');
	await cwForm.getByRole('button', { name: 'Add classwork' }).click();
	await tpage.getByRole('link', { name: 'Essay one' }).waitFor();
	await settle(tpage);
	await snap(tpage, 'course-edit');
	await axe(tpage, 'the course editor');
	await ok(true, 'the teacher made a course with a lesson and classwork');

	const student = await account('submitter', 'student', 'Sam Student');
	const spage = await newPage();
	await signInUi(spage, student);
	await go(spage, `#/courses/${courseId}`);
	await spage.getByRole('button', { name: 'Enroll for free' }).click();
	await spage.getByRole('link', { name: 'Authored lesson' }).click();
	await settle(spage);
	const [got] = await Promise.all([spage.waitForEvent('download'),
	    spage.getByRole('link', { name: /^Week 1 slides\.pdf/ }).click()]);
	await ok(fs.readFileSync(await got.path()).equals(slides), 'the student downloads the lesson\'s PDF, byte for byte');
	await spage.getByRole('link', { name: '← Back to the course' }).click();
	await settle(spage);
	await spage.getByRole('link', { name: 'Essay one' }).click();
	await settle(spage);
	await spage.getByLabel('Your answer').fill('One. Two. Three.');
	await field(spage, 'Files (optional)').setInputFiles({ name: 'essay.txt', mimeType: 'text/plain', buffer: Buffer.from('One. Two. Three.\n') });
	await spage.getByRole('button', { name: 'Submit' }).click();
	await spage.getByText('not graded yet').waitFor();
	await spage.getByRole('link', { name: /^essay\.txt/ }).waitFor();
	await ok(true, 'the student submits, with a file');
	await snap(spage, 'classwork-student');
	await axe(spage, 'a classwork page');

	await tpage.getByRole('link', { name: 'Essay one' }).click();
	await settle(tpage);
	await tpage.getByText('One. Two. Three.').waitFor();
	await tpage.getByRole('link', { name: /^essay\.txt/ }).waitFor();
	await ok(true, 'the teacher sees the submission\'s file');
	await tpage.getByLabel('Grade (out of 10)').fill('9');
	await tpage.getByLabel('Feedback').fill('Well argued.');
	await tpage.getByRole('button', { name: 'Save grade' }).click();
	await tpage.getByText('Grade saved.').waitFor();
	await ok(true, 'the teacher grades it');
	await snap(tpage, 'grading');
	await axe(tpage, 'the grading page');

	await spage.reload();
	await settle(spage);
	await ok(await spage.getByText('9 / 10').isVisible() && await spage.getByText('Well argued.').isVisible(),
	    'the student sees the grade and the feedback');
	await snap(spage, 'graded');

	// The teacher issues a certificate; the student downloads its PDF.
	await go(tpage, `#/teach/courses/${courseId}`);
	await tpage.getByRole('button', { name: 'Issue a certificate to Sam Student' }).click();
	await tpage.getByText(/^Certificate \S+ issued\.$/).waitFor();
	await go(spage, '#/learn');
	await snap(spage, 'certificates');
	const [dl] = await Promise.all([spage.waitForEvent('download'),
	    spage.getByRole('button', { name: `Download PDF of the certificate for ${title}` }).click()]);
	const pdf = fs.readFileSync(await dl.path());
	await ok(pdf.subarray(0, 5).toString() === '%PDF-', 'the student downloads the certificate\'s PDF');
	await tpage.context().close();
	await spage.context().close();
});

// 4. Paying through Checkout (the stand-in) enrolls.
scenario('a student pays through Checkout and is enrolled', async () => {
	const buyer = await account('buyer', 'student', 'Bea Buyer');
	const page = await newPage();
	await signInUi(page, buyer);
	await go(page, `#/courses/${paid.id}`);
	await snap(page, 'course-paid');
	await page.getByRole('button', { name: 'Buy for INR 499.00' }).click();
	await page.getByRole('heading', { name: 'Your progress' }).waitFor();
	await ok(true, 'Checkout answered, the payment verified, the course shows as enrolled');
	const opened = await page.evaluate(() => window.__checkoutOpened);
	await ok(opened && opened.amount === 49900 && opened.currency === 'INR' && /^order_/.test(opened.order_id),
	    'Checkout was opened with the order', JSON.stringify(opened));
	await ok(sql("SELECT count(*) FROM enrollments WHERE user_id = :'p1' AND course_id = :'p2' AND status = 'active'",
	    buyer.id, paid.id) === '1', 'the enrollment is active');
	await ok(sql("SELECT string_agg(status::text, ',') FROM payments WHERE user_id = :'p1' AND course_id = :'p2'",
	    buyer.id, paid.id) === 'paid', 'the payment is paid');
	await snap(page, 'paid');
	await page.context().close();
});

// 5. An admin deactivates a signed-in user and reads the audit log.
scenario('an admin deactivates a user, who is signed out, and reads the audit log', async () => {
	const victim = await account('victim', 'student', 'Vic Victim');
	const vpage = await newPage();
	await signInUi(vpage, victim);
	await go(vpage, '#/learn');
	const apage = await newPage();
	await signInUi(apage, admin);
	await apage.getByRole('link', { name: 'Admin', exact: true }).click();
	await settle(apage);
	await snap(apage, 'admin');
	await axe(apage, 'the admin page');
	await apage.getByRole('link', { name: 'Users' }).click();
	await settle(apage);
	await apage.getByLabel('Name or email').fill(victim.email);
	await apage.getByRole('button', { name: 'Search' }).click();
	await apage.getByRole('link', { name: 'Vic Victim' }).click();
	await settle(apage);
	await snap(apage, 'admin-user');
	await axe(apage, 'a user page');
	await apage.getByRole('button', { name: 'Deactivate' }).click();
	await apage.getByRole('button', { name: 'Reactivate' }).waitFor();
	await ok(true, 'the admin finds the user and deactivates them');
	// The victim's next call signs them out.
	await vpage.getByRole('link', { name: 'Messages' }).click();
	await vpage.waitForFunction(() => location.hash.startsWith('#/signin'));
	await settle(vpage);
	// Deactivation revokes the sessions too: the page hears 401, and
	// cannot tell it from an expired session.
	const said = await vpage.getByRole('status').innerText();
	await ok(/session has ended|deactivated/.test(said),
	    'the open page is signed out on its next call, and says so', said);
	await snap(vpage, 'deactivated');
	await fill(vpage, 'Email', victim.email);
	await fill(vpage, 'Password', PASSWORD);
	await vpage.getByRole('button', { name: 'Sign in' }).click();
	const why = await vpage.getByRole('alert').innerText();
	await ok(/disabled|deactivated/i.test(why), 'signing in again shows the API\'s reason', why);
	await go(apage, '#/admin/audit');
	await apage.getByLabel('Target id').fill(String(victim.id));
	await apage.getByRole('button', { name: 'Search' }).click();
	await apage.getByRole('cell', { name: 'user.update' }).first().waitFor();
	await ok(true, 'the audit log shows the change');
	await snap(apage, 'audit');
	await axe(apage, 'the audit log');
	// A captured payment held for review: the admin lets it through.
	const held = await account('held', 'student', 'Hal Held');
	const pid = sql("INSERT INTO payments (user_id, course_id, method, status, amount, currency,"
	    + " provider_payment_id, paid_at, held_reason) VALUES (:'p1', :'p2', 'razorpay', 'paid', 100, 'INR',"
	    + " :'p3', now(), 'underpriced') RETURNING id", held.id, paid.id, `pay_held${stamp}`);
	await go(apage, '#/admin/payments?held=true');
	await axe(apage, 'held payments, with their buttons');
	await apage.getByRole('button', { name: `Let through payment ${pid}` }).click();
	await apage.getByText('Payment let through; the student is enrolled.').waitFor();
	await ok(sql("SELECT count(*) FROM enrollments WHERE user_id = :'p1' AND course_id = :'p2'"
	    + " AND status = 'active'", held.id, paid.id) === '1' &&
	    sql("SELECT confirmed_by_user_id FROM payments WHERE id = :'p1'", pid) === String(admin.id),
	    'the admin lets a held payment through, and the student is enrolled');
	await snap(apage, 'held-payment');
	for (const [hash, what] of [['#/admin/payments', 'payments'], ['#/admin/leads', 'leads'],
	    ['#/admin/requests', 'admin requests'], ['#/admin/certificates', 'certificates'],
	    ['#/admin/errors', 'the error log'], ['#/tickets', 'tickets'], ['#/messages', 'messages'],
	    ['#/tutor', 'the tutor'], ['#/account', 'the account page'], ['#/verify', 'certificate check'],
	    ['#/contact', 'the enquiry form']]) {
		await go(apage, hash);
		await ok(await apage.getByRole('alert').count() === 0, `${what} loads`,
		    await apage.getByRole('main').innerText());
		await snap(apage, hash.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, ''));
		await axe(apage, what);
	}
	await vpage.context().close();
	await apage.context().close();
});

// The tutor streams its reply; a phone-width page.
scenario('the tutor streams its reply, at a phone\'s width', async () => {
	const s = await account('phone', 'student', 'Pia Phone');
	const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await signInUi(page, s);
	await go(page, '#/tutor');
	await page.getByRole('button', { name: 'Start a conversation' }).click();
	await page.getByLabel('Your question').waitFor();
	await settle(page);
	await page.getByLabel('Your question').fill('How do I start?');
	await page.getByRole('button', { name: 'Ask' }).click();
	const reply = page.getByRole('listitem').filter({ hasText: 'Tutor' }).last();
	await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 30000 });
	const text = await reply.innerText();
	await ok(text.replace('Tutor', '').trim().length > 0 && !text.includes('Thinking…'),
	    'the tutor\'s reply arrives, streamed', text);
	await snap(page, 'tutor-phone');
	await axe(page, 'a tutor conversation');
	await go(page, '');
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	await ok(wide <= 390, 'the catalogue fits a phone\'s width', String(wide));
	await snap(page, 'catalogue-phone');
	await page.context().close();
});

test('screenshots', { skip }, (t) => {
	t.diagnostic(`screenshots in ${SHOTS}`);
});
