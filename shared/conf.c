/*
 * lectern — config: settings from the environment, read once.
 *
 * An invalid production configuration is not fatal here: the process
 * still answers, and /health and /ready report "config": "invalid" so an
 * operator sees the fault instead of a crash loop.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"

static struct config	 cfg;
static int		 loaded;

long long
config_number(const char *s, long long def, long long max)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return def;
	return v;
}

static const char *
env_nonempty(const char *name)
{
	const char	*v;

	v = getenv(name);
	return (v == NULL || *v == '\0') ? NULL : v;
}

const struct config *
config_get(void)
{
	const char	*env;

	if (loaded)
		return &cfg;
	memset(&cfg, 0, sizeof(cfg));
	env = env_nonempty("LECTERN_ENV");
	cfg.env = env != NULL ? env : "development";
	cfg.production = strcmp(cfg.env, "production") == 0;
	cfg.database_url = env_nonempty("LECTERN_DATABASE_URL");
	if (cfg.database_url == NULL)
		cfg.database_url = env_nonempty("DATABASE_URL");
	cfg.database_read_url = env_nonempty("LECTERN_DATABASE_READ_URL");
	env = env_nonempty("LECTERN_DB_PREPARE");
	cfg.db_prepare = env != NULL && (strcmp(env, "on") == 0 ||
	    strcmp(env, "1") == 0 || strcmp(env, "yes") == 0);
	cfg.jwt_secret = env_nonempty("LECTERN_JWT_SECRET");
	cfg.jwt_secret_len = cfg.jwt_secret ? strlen(cfg.jwt_secret) : 0;
	cfg.max_body = (size_t)config_number(getenv("LECTERN_MAX_BODY"),
	    CONFIG_MAX_BODY_DEFAULT, 64LL * 1024 * 1024);
	cfg.upload_max = config_number(getenv("LECTERN_UPLOAD_MAX"),
	    CONFIG_UPLOAD_MAX_DEFAULT, 1LL << 40);
	cfg.issuer = env_nonempty("LECTERN_JWT_ISSUER");
	if (cfg.issuer == NULL)
		cfg.issuer = "lectern";
	cfg.access_ttl = config_number(getenv("LECTERN_ACCESS_TTL"), 900,
	    86400);
	cfg.refresh_ttl = config_number(getenv("LECTERN_REFRESH_TTL"),
	    14 * 86400, 366 * 86400);
	cfg.refresh_idle = config_number(getenv("LECTERN_REFRESH_IDLE"), 86400,
	    366 * 86400);
	cfg.password_min = (size_t)config_number(
	    getenv("LECTERN_PASSWORD_MIN"), 12, 128);
	if (cfg.password_min < 8)
		cfg.password_min = 8;
	cfg.signup_roles = env_nonempty("LECTERN_SIGNUP_ROLES");
	if (cfg.signup_roles == NULL)
		cfg.signup_roles = "student";
	cfg.public_url = env_nonempty("LECTERN_PUBLIC_URL");
	if (cfg.public_url == NULL)
		cfg.public_url = "http://127.0.0.1:8080";
	cfg.staff_email = env_nonempty("LECTERN_STAFF_EMAIL");
	cfg.razorpay_api_base = env_nonempty("LECTERN_RAZORPAY_API_BASE");
	if (cfg.razorpay_api_base == NULL)
		cfg.razorpay_api_base = "https://api.razorpay.com/v1";
	cfg.razorpay_key_id = env_nonempty("LECTERN_RAZORPAY_KEY_ID");
	cfg.razorpay_key_secret = env_nonempty("LECTERN_RAZORPAY_KEY_SECRET");
	cfg.razorpay_webhook_secret =
	    env_nonempty("LECTERN_RAZORPAY_WEBHOOK_SECRET");
	cfg.google_client_id = env_nonempty("LECTERN_GOOGLE_CLIENT_ID");
	cfg.google_jwks_url = env_nonempty("LECTERN_GOOGLE_JWKS_URL");
	if (cfg.google_jwks_url == NULL)
		cfg.google_jwks_url = CONFIG_GOOGLE_JWKS_URL;
	cfg.firebase_project_id = env_nonempty("LECTERN_FIREBASE_PROJECT_ID");
	cfg.firebase_jwks_url = env_nonempty("LECTERN_FIREBASE_JWKS_URL");
	if (cfg.firebase_jwks_url == NULL)
		cfg.firebase_jwks_url = CONFIG_FIREBASE_JWKS_URL;
	cfg.jwks_cache_dir = env_nonempty("LECTERN_JWKS_CACHE_DIR");
	if (cfg.jwks_cache_dir == NULL)
		cfg.jwks_cache_dir = CONFIG_JWKS_CACHE_DIR;
	cfg.valid = 1;
	if (cfg.production && cfg.jwt_secret_len < CONFIG_JWT_SECRET_MIN) {
		cfg.valid = 0;
		cfg.invalid_reason = cfg.jwt_secret == NULL ?
		    "LECTERN_JWT_SECRET is not set" :
		    "LECTERN_JWT_SECRET is shorter than 32 bytes";
		log_event(LOG_LVL_ERROR, NULL, "config_invalid",
		    "reason", cfg.invalid_reason, NULL);
	}
	loaded = 1;
	return &cfg;
}

void
config_reset(void)
{

	loaded = 0;
}
