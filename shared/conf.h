/*
 * lectern — config (conf.h, named apart from autoconf's config.h): settings
 * from the environment, read once.
 *
 * Apache hands every LECTERN_* variable to the CGIs (SetEnv/PassEnv from
 * one env file).  Nothing secret is compiled in.  The structure is a
 * read-only cache: it holds no request data and may outlive a request.
 */
#ifndef LECTERN_CONF_H
#define LECTERN_CONF_H

#include <stddef.h>

#define CONFIG_MAX_BODY_DEFAULT	65536
#define CONFIG_UPLOAD_MAX_DEFAULT (50LL * 1024 * 1024)
#define CONFIG_JWT_SECRET_MIN	32
#define CONFIG_GOOGLE_JWKS_URL	"https://www.googleapis.com/oauth2/v3/certs"
#define CONFIG_FIREBASE_JWKS_URL					\
	"https://www.googleapis.com/service_accounts/v1/jwk/"		\
	"securetoken@system.gserviceaccount.com"
#define CONFIG_JWKS_CACHE_DIR	"/var/cache/lectern/jwks"

struct config {
	int		 production;	/* LECTERN_ENV=production */
	const char	*env;		/* LECTERN_ENV, "development" by default */
	const char	*database_url;	/* LECTERN_DATABASE_URL or DATABASE_URL */
	const char	*database_read_url; /* LECTERN_DATABASE_READ_URL or NULL */
	int		 db_prepare;	/* LECTERN_DB_PREPARE=on: FastCGI
					   processes name their statements */
	const char	*jwt_secret;	/* LECTERN_JWT_SECRET, may be NULL */
	size_t		 jwt_secret_len;
	size_t		 max_body;	/* LECTERN_MAX_BODY */
	long long	 upload_max;	/* LECTERN_UPLOAD_MAX, 50 MiB: a file */
	const char	*issuer;	/* LECTERN_JWT_ISSUER, "lectern" */
	long long	 access_ttl;	/* LECTERN_ACCESS_TTL, 900 s */
	long long	 refresh_ttl;	/* LECTERN_REFRESH_TTL, 14 days */
	long long	 refresh_idle;	/* LECTERN_REFRESH_IDLE, 24 h */
	size_t		 password_min;	/* LECTERN_PASSWORD_MIN, 12, never < 8 */
	const char	*signup_roles;	/* LECTERN_SIGNUP_ROLES, "student" */
	const char	*public_url;	/* LECTERN_PUBLIC_URL, for mail links */
	const char	*staff_email;	/* LECTERN_STAFF_EMAIL, may be NULL */
	const char	*razorpay_api_base; /* LECTERN_RAZORPAY_API_BASE */
	const char	*razorpay_key_id;	/* LECTERN_RAZORPAY_KEY_ID */
	const char	*razorpay_key_secret;	/* LECTERN_RAZORPAY_KEY_SECRET */
	const char	*razorpay_webhook_secret; /* ..._WEBHOOK_SECRET */
	const char	*google_client_id;	/* ..._GOOGLE_CLIENT_ID: a,b */
	const char	*google_jwks_url;	/* ..._GOOGLE_JWKS_URL */
	const char	*firebase_project_id;	/* ..._FIREBASE_PROJECT_ID */
	const char	*firebase_jwks_url;	/* ..._FIREBASE_JWKS_URL */
	const char	*jwks_cache_dir;	/* LECTERN_JWKS_CACHE_DIR */
	int		 valid;		/* 0: /health and /ready answer 503 */
	const char	*invalid_reason; /* why not valid; never a secret */
};

/*
 * The configuration, read from the environment on the first call and
 * cached for the life of the process.  Never NULL.
 */
const struct config	*config_get(void);

/*
 * Forget the cached configuration so that the next config_get() reads
 * the environment again.  For tests.
 */
void			 config_reset(void);

/*
 * Parse a positive size or count from s; returns def when s is NULL,
 * empty or not a number between 1 and max.
 */
long long		 config_number(const char *s, long long def,
			    long long max);

#endif /* LECTERN_CONF_H */
