-- lectern 007: identities from Google and Firebase sign-in (SPEC §7).
--
-- An identity is the pair (provider, subject): the provider's stable id
-- of the person (the ID token's "sub"), never their email, which can
-- change or be reused.  The email is kept as it was when the identity
-- was linked, for support and audits.  Provider tokens are never stored.
CREATE TABLE user_identities (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider	text NOT NULL CHECK (provider IN ('google', 'firebase')),
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
	email		text CHECK (length(email) BETWEEN 3 AND 254),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Sign-in links and touches identities; erasing an account removes them.
GRANT SELECT, INSERT, UPDATE, DELETE ON user_identities TO lectern_app;
