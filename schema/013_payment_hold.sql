-- lectern 013: payments held for an admin's confirmation.
--
-- A payment the gateway captured for an order that is no longer the
-- student's current one (replaced when the price changed), or for less
-- than the course costs now, is recorded as paid (the money moved) but
-- enrolls nobody until an admin confirms it.  held_reason says why it
-- was held; confirmed_at and confirmed_by_user_id say who let it
-- through.  A payment that was never held cannot be "confirmed".
ALTER TABLE payments
	ADD COLUMN held_reason text
		CHECK (held_reason IN ('replaced', 'underpriced')),
	ADD COLUMN confirmed_at timestamptz,
	ADD COLUMN confirmed_by_user_id bigint REFERENCES users (id),
	ADD CONSTRAINT payments_confirm_held
		CHECK (confirmed_at IS NULL OR held_reason IS NOT NULL),
	ADD CONSTRAINT payments_confirm_who
		CHECK ((confirmed_at IS NULL) = (confirmed_by_user_id IS NULL));

-- GET /api/admin/payments?held=true: what waits for a decision.
CREATE INDEX payments_held_idx ON payments (created_at, id)
	WHERE held_reason IS NOT NULL AND confirmed_at IS NULL;
