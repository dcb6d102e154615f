/*
 * lectern — log: one JSON line per event on standard error.
 *
 * Under Apache, standard error is the error log.  Every line carries the
 * time, the level, an event name and the request id when there is one.
 * Values are escaped so that no control character can forge a line, and
 * values whose key names a secret are written as "[redacted]": the
 * caller cannot log a password by passing it under its own name.
 */
#ifndef LECTERN_LOG_H
#define LECTERN_LOG_H

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERROR,
	LOG_LVL__MAX
};

/*
 * Write one event.  After the event name come key/value string pairs,
 * closed by a NULL key.  A NULL value is written as JSON null.  rid may
 * be NULL.
 */
void	log_event(enum log_level lvl, const char *rid, const char *event, ...)
	    __attribute__((sentinel));

/*
 * Whether a field called key must never be logged in clear: names that
 * contain password, secret, token, signature, authorization, cookie or
 * key.  Used by log_event and by anything that echoes input into logs.
 */
int	log_key_is_secret(const char *key);

/* printf-style warnings, with (log_warn) or without (log_warnx) errno. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Append s to buf as the inside of a JSON string (no quotes), escaping
 * quotes, backslashes and every control character.  Returns 0, or -1 when
 * the result would not fit in size bytes (buf is then truncated but
 * always NUL-terminated).
 */
int	log_escape(char *buf, size_t size, const char *s);

#endif /* LECTERN_LOG_H */
