-- lectern 014: files on ticket replies and messages (SPEC §6.1: purposes
-- 'ticket' and 'message', whose target is the ticket or the thread).
--
-- An upload for a ticket or a thread can only be signed once the ticket
-- or thread exists, so files go on replies (POST .../replies with
-- attachment_ids), not on the request that opens one.
ALTER TABLE ticket_replies ADD COLUMN attachment_ids bigint[] NOT NULL
	DEFAULT '{}' CHECK (cardinality(attachment_ids) <= 20);
ALTER TABLE messages ADD COLUMN attachment_ids bigint[] NOT NULL
	DEFAULT '{}' CHECK (cardinality(attachment_ids) <= 20);

-- Whether the caller may read upload u through the ticket reply or the
-- message it is attached to (012's lectern_upload_visible covers lessons
-- and submissions): a ticket reply's files go to whoever may read the
-- reply (an internal note's only to the ticket's assignee and admins,
-- never to its requester); a message's to the thread's participants.
CREATE FUNCTION lectern_upload_reply_visible(u bigint) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('admin', 'system') OR EXISTS (SELECT 1
		FROM public.uploads p WHERE p.id = u AND p.status = 'ready'
		AND ((p.purpose = 'ticket' AND EXISTS (SELECT 1
			FROM public.ticket_replies r
			JOIN public.tickets k ON k.id = r.ticket_id
			WHERE r.ticket_id = p.target_id
			AND p.id = ANY (r.attachment_ids)
			AND CASE WHEN r.internal
			    THEN k.assigned_to = lectern_uid()
			    ELSE k.requester_id = lectern_uid()
				OR k.assigned_to = lectern_uid() END))
		    OR (p.purpose = 'message' AND EXISTS (SELECT 1
			FROM public.messages m
			WHERE m.thread_id = p.target_id
			AND p.id = ANY (m.attachment_ids)
			AND lectern_thread_visible(m.thread_id)))))
$$;
REVOKE ALL ON FUNCTION lectern_upload_reply_visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_upload_reply_visible(bigint)
	TO lectern_app;

DROP POLICY uploads_read ON uploads;
CREATE POLICY uploads_read ON uploads FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system')
	    OR (status = 'ready' AND purpose IN ('lesson', 'submission')
		AND lectern_upload_visible(id))
	    OR (status = 'ready' AND purpose IN ('ticket', 'message')
		AND lectern_upload_reply_visible(id)));
