-- lectern — t/lib/seed-data.sql: a school's worth of rows for the backup
-- and upgrade tests (t/http/875-backup.t, t/http/876-upgrade.t).  Uses
-- only tables and columns that exist from migration 004 on, so it also
-- fills a database left at an earlier release's schema.  Run as a role
-- that bypasses row-level security.
BEGIN;
INSERT INTO users (email, name, password_hash, role)
SELECT format('seed-%s@example.com', g), format('Seed Person %s', g),
    '$argon2id$v=19$m=65536,t=3,p=1$c2VlZHNlZWRzZWVk$c2VlZA',
    CASE WHEN g % 10 = 0 THEN 'teacher' ELSE 'student' END
FROM generate_series(1, 120) g;
INSERT INTO courses (instructor_id, title, description, price_minor,
    published)
SELECT u.id, format('Seed course %s', u.id), 'Made by the seed.',
    (u.id % 5) * 10000, u.id % 3 <> 0
FROM users u WHERE u.role = 'teacher';
INSERT INTO lessons (course_id, title, content, position)
SELECT c.id, format('Lesson %s', g), repeat('Words. ', g), g
FROM courses c, generate_series(1, 4) g;
INSERT INTO enrollments (user_id, course_id, source)
SELECT u.id, c.id, 'free'
FROM users u JOIN courses c ON (u.id + c.id) % 4 = 0
WHERE u.role = 'student';
INSERT INTO payment_orders (user_id, course_id, amount, currency,
    provider_order_id, status)
SELECT e.user_id, e.course_id, 10000, 'INR', format('order_seed_%s', e.id),
    'failed'
FROM enrollments e WHERE e.id % 3 = 0;
INSERT INTO payments (user_id, course_id, order_id, method, status, amount,
    currency, provider_order_id, provider_payment_id)
SELECT o.user_id, o.course_id, o.id, 'razorpay', 'failed', o.amount,
    o.currency, o.provider_order_id, format('pay_seed_%s', o.id)
FROM payment_orders o;
INSERT INTO audit_logs (actor_user_id, action, target_type, target_id,
    details)
SELECT u.id, 'seed.made', 'user', u.id::text,
    jsonb_build_object('n', u.id, 'name', u.name)
FROM users u;
COMMIT;
