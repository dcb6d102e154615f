# lectern — scripts/lib/common.sh: what scripts/run and scripts/test share.
# shellcheck shell=bash
#
# Sourced, not run.  Bootstraps a Debian machine (packages, the
# unprivileged service user), builds, and starts and stops the local
# PostgreSQL cluster and Apache httpd that serve the CGIs.  When run as
# root, PostgreSQL and Apache's children run as LECTERN_USER (default
# "lectern"), created here if missing.

LECTERN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LECTERN_USER=${LECTERN_USER:-lectern}

# Debian packages the build, the servers and the tests need.
LECTERN_PACKAGES="gcc make autoconf automake libtool pkg-config
 libpq-dev libcjson-dev libssl-dev libcurl4-openssl-dev libargon2-dev
 libcrack2-dev cracklib-runtime libfcgi-dev apache2 libapache2-mod-fcgid
 postgresql postgresql-15-pgtap pgbouncer perl python3 python3-aiosmtpd
 python3-jwt python3-cryptography curl libcairo2-dev libfontconfig-dev
 libfreetype-dev libharfbuzz-dev libqrencode-dev fonts-dejavu-core
 fonts-lohit-deva fonts-wqy-microhei"
# Certificate PDFs: cairo draws them, fontconfig finds a font for every
# character (font fallback), HarfBuzz shapes the names (Devanagari needs
# shaping) and libqrencode makes the QR code.  Fonts: DejaVu (Latin,
# Greek, Cyrillic), Lohit Devanagari and WenQuanYi Micro Hei (CJK),
# about 8 MB together against 130 MB for the Noto sets that cover the
# same scripts.

# What only the tests need: the lint tier's checkers, Node (which runs
# the npm tools of package.json: the OpenAPI validator), PDF text and
# page size (poppler-utils), QR decoding (zbar-tools), a real
# iCalendar parser (python3-icalendar), an S3 signature check that is
# not ours (python3-botocore, t/lib/s3-standin.py), sqlmap, what builds
# and checks the Debian package (dpkg-dev, debhelper, fakeroot,
# lintian), for the production TLS host a throwaway CA and OCSP
# responder (openssl) and the TLS scanner run against it (testssl.sh),
# and the browser the web client's tests drive (chromium, with
# chromium-driver; t/web/).
# shellcheck disable=SC2034 # read by scripts/test
LECTERN_TEST_PACKAGES="shellcheck cppcheck clang-format binutils nodejs
 poppler-utils zbar-tools python3-icalendar python3-botocore sqlmap
 dpkg-dev debhelper fakeroot lintian openssl testssl.sh chromium
 chromium-driver"

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# Install what is missing (as root), or print the exact apt-get line.
ensure_packages() {
	local missing="" p
	for p in $LECTERN_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if ! is_root; then
		die "missing packages; run: sudo apt-get install -y$missing"
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Another run may hold dpkg's lock: wait for it rather than fail.
	apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null ||
	    die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
	    --no-install-recommends $missing >/dev/null ||
	    die "apt-get install failed:$missing"
}

# The npm tools of package.json in node_modules/: npm ci when the
# directory is missing or was made from another package-lock.json.
ensure_node_modules() {
	local top=$LECTERN_TOP stamp=$LECTERN_TOP/node_modules/.lectern-lock
	command -v npm >/dev/null 2>&1 || die "npm is not installed"
	if [ -f "$stamp" ] && cmp -s "$top/package-lock.json" "$stamp"; then
		return 0
	fi
	say "installing the test tools (npm ci)"
	(cd "$top" && npm ci --ignore-scripts --no-audit --no-fund \
	    --loglevel=error >/dev/null) || die "npm ci failed"
	cp "$top/package-lock.json" "$stamp"
}

# The unprivileged user that PostgreSQL and the CGIs run as under root.
ensure_user() {
	is_root || return 0
	id -u "$LECTERN_USER" >/dev/null 2>&1 && return 0
	say "creating system user $LECTERN_USER"
	useradd --system --user-group --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin "$LECTERN_USER" ||
	    die "useradd $LECTERN_USER failed"
}

# Run a command as the service user (or as ourselves when not root).
as_service() {
	if is_root; then
		runuser -u "$LECTERN_USER" -- "$@"
	else
		"$@"
	fi
}

# Give a directory to the service user.  Root never writes, reads as
# trusted or follows a link inside such a directory afterwards: what root
# writes goes into a root_dir, and what it reads there it checks.
own_dir() {
	[ -L "$1" ] && die "$1 is a symbolic link; refusing to use it"
	mkdir -p "$1"
	is_root && chown "$LECTERN_USER:$LECTERN_USER" "$1"
	return 0
}

# A directory only root (or, not as root, we) may write, even where an
# earlier version gave it to the service user.
root_dir() {
	[ -L "$1" ] && die "$1 is a symbolic link; refusing to use it"
	mkdir -p "$1"
	if is_root; then
		chown root:root "$1"
		chmod go-w "$1"
	fi
	return 0
}

# service_pid FILE NAME: print the process id in FILE (which the service
# user may have written) only when it names a live process called NAME
# that belongs to the service user: never 0, 1 or a stranger's process.
service_pid() {
	local file=$1 name=$2 pid want
	[ -f "$file" ] && [ ! -L "$file" ] || return 1
	pid=$(head -c 32 "$file" | tr -dc '0-9')
	[ -n "$pid" ] && [ "${#pid}" -le 9 ] && [ "$pid" -gt 1 ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
	if is_root; then want=$(id -u "$LECTERN_USER"); else want=$(id -u); fi
	[ "$(stat -c %u "/proc/$pid" 2>/dev/null)" = "$want" ] || return 1
	printf '%s\n' "$pid"
}

# Start a service with logs readable by their owner and group only.
quiet_umask() {
	( umask 027; "$@" )
}

pg_bindir() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[ -d "$d" ] || d=""
	[ -n "$d" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
	printf '%s\n' "$d"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

random_secret() {
	head -c "${1:-32}" /dev/urandom | base64 | tr -d '/+=\n' | head -c "${2:-48}"
}

# build [configure args...]: autoreconf when needed, configure when the
# arguments changed, make.  Serialised on var/build.lock, so two runs in
# one tree never build over each other.
build() {
	cd "$LECTERN_TOP" || die "no $LECTERN_TOP"
	mkdir -p var
	exec 9>"$LECTERN_TOP/var/build.lock"
	flock 9
	build_locked "$@"
	flock -u 9
}

build_locked() {
	local args="$*" stamp="$LECTERN_TOP/var/configure-args"
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ Makefile.am -nt Makefile.in ]; then
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi ||
		    die "autoreconf failed"
	fi
	mkdir -p var
	if [ ! -f Makefile ] || [ ! -f "$stamp" ] ||
	    [ "$(cat "$stamp")" != "$args" ]; then
		# Other flags (a sanitizer build, or back): nothing built
		# with the old ones may be linked with the new.
		[ -f Makefile ] && make -s clean >/dev/null 2>&1
		# shellcheck disable=SC2086
		./configure -q $args || die "configure failed"
		printf '%s' "$args" > "$stamp"
	fi
	make -s -j"$(nproc)" >/dev/null || make -j1 || die "make failed"
}

# Copy the built endpoints to DIR, so a server runs a fixed snapshot
# while the tree may be rebuilt.
snapshot_cgi() {
	local dir=$1 f
	mkdir -p "$dir"
	for f in "$LECTERN_TOP"/cgi-bin/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp -p "$f" "$dir/"
	done
	chmod 755 "$dir"
	# The same endpoints as one FastCGI server (LECTERN_FCGI_BIN).
	cp -p "$LECTERN_TOP/bin/lectern-fcgi" "$(dirname "$dir")/lectern-fcgi"
}

# pg_setup DIR PORT: a cluster in DIR listening on 127.0.0.1:PORT with an
# owner role (migrations) and an application role (the CGIs), each with a
# random password kept in DIR/roles.env.  Reuses DIR when it exists.
pg_setup() {
	local dir=$1 port=$2 bin superpw
	bin=$(pg_bindir)
	# DIR holds roles.env, which root sources: it stays root's.  The
	# server gets data/, run/ (its socket) and log/.
	root_dir "$dir"
	chmod 755 "$dir"
	own_dir "$dir/run"
	own_dir "$dir/log"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		own_dir "$dir/data"
		superpw=$(random_secret 24)
		(umask 077; printf '%s\n' "$superpw" > "$dir/superpw")
		is_root && chown "$LECTERN_USER" "$dir/superpw"
		as_service "$bin/initdb" -D "$dir/data" -U postgres \
		    --auth=scram-sha-256 --pwfile="$dir/superpw" \
		    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
		rm -f "$dir/superpw"
		as_service tee -a "$dir/data/postgresql.conf" >/dev/null <<-EOCONF
		listen_addresses = '127.0.0.1'
		unix_socket_permissions = 0700
		max_connections = 200
		shared_buffers = 128MB
		fsync = ${LECTERN_PG_FSYNC:-on}
		log_min_messages = warning
		log_line_prefix = '%m [%p] %q%u@%d '
		EOCONF
		{
			printf 'export LECTERN_PG_SUPERPW=%q\n' "$superpw"
			printf 'export LECTERN_PG_OWNERPW=%q\n' "$(random_secret 24)"
			printf 'export LECTERN_PG_APPPW=%q\n' "$(random_secret 24)"
		} > "$dir/roles.env"
		chmod 600 "$dir/roles.env"
	fi
	# The server's own files are edited as the server's user.
	as_service sed -i "/^port = /d; /^unix_socket_directories = /d" \
	    "$dir/data/postgresql.conf"
	printf "port = %s\nunix_socket_directories = '%s'\n" "$port" \
	    "$dir/run" | as_service tee -a "$dir/data/postgresql.conf" >/dev/null
	printf '%s\n' "$port" > "$dir/port"
	pg_start "$dir"
	pg_roles "$dir"
}

# pg_start DIR: start the cluster; it logs to DIR/log/postgresql.log.
pg_start() {
	local dir=$1 log=$1/log/postgresql.log
	quiet_umask as_service "$(pg_bindir)/pg_ctl" -D "$dir/data" -l "$log" \
	    -w -t 60 start >/dev/null || {
		as_service tail -n 20 "$log" >&2
		die "PostgreSQL did not start"
	}
}

pg_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_service "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 \
	    stop >/dev/null 2>&1 || true
}

# psql as the cluster superuser against database ${2:-postgres}.
pg_super() {
	local dir=$1 db=${2:-postgres}
	shift 2
	# shellcheck disable=SC1091
	( . "$dir/roles.env"; PGPASSWORD=$LECTERN_PG_SUPERPW psql -X -q \
	    -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres \
	    -d "$db" "$@" )
}

# The owner and application roles and the lectern database.
pg_roles() {
	local dir=$1
	# shellcheck disable=SC1091
	. "$dir/roles.env"
	LECTERN_PG_OWNERPW=$LECTERN_PG_OWNERPW LECTERN_PG_APPPW=$LECTERN_PG_APPPW \
	    pg_super "$dir" postgres <<-'EOSQL' ||
	\getenv ownerpw LECTERN_PG_OWNERPW
	\getenv apppw LECTERN_PG_APPPW
	SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lectern_owner') AS mk_owner \gset
	\if :mk_owner
	CREATE ROLE lectern_owner LOGIN;
	\endif
	ALTER ROLE lectern_owner PASSWORD :'ownerpw';
	SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lectern_app') AS mk_app \gset
	\if :mk_app
	CREATE ROLE lectern_app LOGIN;
	\endif
	ALTER ROLE lectern_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
	    PASSWORD :'apppw';
	ALTER ROLE lectern_app SET search_path = pg_catalog, public;
	SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'lectern') AS mk_db \gset
	\if :mk_db
	CREATE DATABASE lectern OWNER lectern_owner;
	\endif
	REVOKE ALL ON DATABASE lectern FROM PUBLIC;
	GRANT CONNECT, TEMPORARY ON DATABASE lectern TO lectern_owner;
	GRANT CONNECT ON DATABASE lectern TO lectern_app;
	EOSQL
	    die "creating roles failed"
}

# URLs of the local cluster in DIR for the owner, the app and the superuser.
pg_url() {
	local dir=$1 who=$2 port
	port=$(cat "$dir/port")
	# shellcheck disable=SC1091
	. "$dir/roles.env"
	case $who in
	owner) printf 'postgresql://lectern_owner:%s@127.0.0.1:%s/lectern\n' \
	    "$LECTERN_PG_OWNERPW" "$port" ;;
	app) printf 'postgresql://lectern_app:%s@127.0.0.1:%s/lectern\n' \
	    "$LECTERN_PG_APPPW" "$port" ;;
	super) printf 'postgresql://postgres:%s@127.0.0.1:%s/lectern\n' \
	    "$LECTERN_PG_SUPERPW" "$port" ;;
	esac
}

# pgbouncer_setup DIR PGDIR PORT: a PgBouncer in transaction mode on
# 127.0.0.1:PORT in front of the cluster in PGDIR, for the application
# role.  Nothing of a session survives a transaction there, which is
# exactly what the CGIs assume.
pgbouncer_setup() {
	local dir=$1 pgdir=$2 port=$3
	# Root writes the configuration here: the directory stays root's,
	# and PgBouncer writes its pid and log under run/.
	root_dir "$dir"
	chmod 755 "$dir"
	own_dir "$dir/run"
	# shellcheck disable=SC1091
	. "$pgdir/roles.env"
	(
		umask 077
		printf '"lectern_app" "%s"\n' "$LECTERN_PG_APPPW" > "$dir/userlist.txt"
		cat > "$dir/pgbouncer.ini" <<-EOINI
		[databases]
		lectern = host=127.0.0.1 port=$(cat "$pgdir/port") dbname=lectern
		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir =
		; md5, not SCRAM, from clients: a CGI opens a connection per
		; request, and SCRAM's 4096 PBKDF2 rounds on both ends cost
		; more than the request.  The listener is loopback only, and
		; PgBouncer still speaks SCRAM to PostgreSQL.
		auth_type = md5
		auth_file = $dir/userlist.txt
		pool_mode = transaction
		max_client_conn = 1000
		default_pool_size = ${LECTERN_PGBOUNCER_POOL:-20}
		server_lifetime = 3600
		server_connect_timeout = 3
		server_login_retry = 1
		query_wait_timeout = 10
		ignore_startup_parameters = extra_float_digits
		logfile = $dir/run/pgbouncer.log
		pidfile = $dir/run/pgbouncer.pid
		log_connections = 0
		log_disconnections = 0
		EOINI
	)
	is_root && chown "$LECTERN_USER:$LECTERN_USER" "$dir/userlist.txt" "$dir/pgbouncer.ini"
	printf '%s\n' "$port" > "$dir/port"
	quiet_umask as_service /usr/sbin/pgbouncer -d -q "$dir/pgbouncer.ini" ||
	    die "PgBouncer did not start"
	local _
	for _ in $(seq 1 50); do
		service_pid "$dir/run/pgbouncer.pid" pgbouncer >/dev/null &&
		    return 0
		sleep 0.1
	done
	die "PgBouncer did not start"
}

# service_stop FILE NAME SIGNAL: stop the service process FILE names
# (service_pid) with SIGNAL, then SIGKILL after 5 s.  Signalled as the
# service user: the kernel itself keeps it to that user's processes.
service_stop() {
	local pid _
	pid=$(service_pid "$1" "$2") || return 0
	as_service kill "-$3" "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	as_service kill -KILL "$pid" 2>/dev/null || true
}

pgbouncer_stop() {
	service_stop "$1/run/pgbouncer.pid" pgbouncer INT
}

# The application role's URL through the PgBouncer in DIR.
pgbouncer_url() {
	local dir=$1 pgdir=$2
	# shellcheck disable=SC1091
	. "$pgdir/roles.env"
	printf 'postgresql://lectern_app:%s@127.0.0.1:%s/lectern\n' \
	    "$LECTERN_PG_APPPW" "$(cat "$dir/port")"
}

# apache_setup DIR PORT [EXTRA]: write DIR/httpd.conf for the built CGIs.
# EXTRA=test adds the test-only virtual hosts (see apache/test.conf.in).
apache_setup() {
	LECTERN_APACHE_DIR=$1 LECTERN_APACHE_PORT=$2 LECTERN_APACHE_MODE=${3:-dev} \
	    "$LECTERN_TOP/scripts/lib/apache-conf" || die "apache config failed"
}

# fcgi_start DIR: in FastCGI mode (apache-conf wrote DIR/fcgi-command),
# start the endpoints' server, bin/lectern-fcgi, as the service user,
# its log in DIR/log/fcgi_log, and wait until it listens.
fcgi_start() {
	local dir=$1 _
	local -a fcgi_cmd
	[ -f "$dir/fcgi-command" ] || return 0
	fcgi_stop "$dir"
	mapfile -t fcgi_cmd < "$dir/fcgi-command"
	rm -f "$dir/run/fcgi.pid"
	# Not world-readable; nothing of this shell's output is held open
	# (a caller may read it through a pipe until it closes).
	( umask 027; : >> "$dir/log/fcgi_log" )
	as_service "${fcgi_cmd[@]}" >> "$dir/log/fcgi_log" 2>&1 < /dev/null &
	for _ in $(seq 1 100); do
		service_pid "$dir/run/fcgi.pid" lectern-fcgi >/dev/null &&
		    return 0
		sleep 0.05
	done
	tail -n 20 "$dir/log/fcgi_log" >&2 2>/dev/null
	die "lectern-fcgi did not start"
}

fcgi_stop() {
	service_stop "$1/run/fcgi.pid" lectern-fcgi TERM
}

# apache_start DIR [URL]: start the Apache of DIR/httpd.conf (and, in
# FastCGI mode, the endpoints' server) and wait until URL (default:
# DIR/url's /live) answers.
apache_start() {
	local dir=$1 url=${2:-}
	local out
	fcgi_start "$dir"
	out=$(/usr/sbin/apache2 -f "$dir/httpd.conf" -t 2>&1) ||
	    { printf '%s\n' "$out" >&2; die "apache config test failed"; }
	quiet_umask /usr/sbin/apache2 -f "$dir/httpd.conf" -k start ||
	    die "apache did not start"
	[ -n "$url" ] || url="$(cat "$dir/url")/live"
	wait_http "$url" || {
		tail -n 20 "$dir/log/error_log" >&2 2>/dev/null
		die "apache does not answer"
	}
}

apache_stop() {
	local dir=$1 pid _
	fcgi_stop "$dir"
	# The pid file is in DIR, root's: still, only an apache2 is signalled.
	[ -f "$dir/httpd.pid" ] && [ ! -L "$dir/httpd.pid" ] || return 0
	pid=$(head -c 32 "$dir/httpd.pid" | tr -dc '0-9')
	[ -n "$pid" ] && [ "${#pid}" -le 9 ] && [ "$pid" -gt 1 ] || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = apache2 ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# Wait up to 15 s for a URL to answer at all.
wait_http() {
	local _
	for _ in $(seq 1 150); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

# cors_conf FILE: the CORS directives for LECTERN_CORS_ORIGINS, exact
# origins only.  An origin is scheme://host[:port]; anything else in the
# list is refused here rather than half-matched later.  The lines are
# valid in the server config, a virtual host and an .htaccess alike.
cors_conf() {
	{
		echo "# Generated from LECTERN_CORS_ORIGINS by scripts/lib/common.sh."
		echo "Header always merge Vary Origin"
		for o in $(printf '%s' "${LECTERN_CORS_ORIGINS:-}" | tr ',' ' '); do
			if ! printf '%s' "$o" |
			    grep -Eq '^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$'; then
				say "ignoring CORS origin that is not scheme://host[:port]: $o"
				continue
			fi
			printf 'SetEnvIfExpr "req('"'"'Origin'"'"') == '"'"'%s'"'"'" LECTERN_CORS_ORIGIN=%s\n' "$o" "$o"
		done
		cat <<-'EOCORS'
		Header always set Access-Control-Allow-Origin "%{LECTERN_CORS_ORIGIN}e" env=LECTERN_CORS_ORIGIN
		Header always set Access-Control-Allow-Methods "GET, POST, PUT, PATCH, DELETE, OPTIONS" env=LECTERN_CORS_ORIGIN
		Header always set Access-Control-Allow-Headers "Authorization, Content-Type, If-None-Match" env=LECTERN_CORS_ORIGIN
		Header always set Access-Control-Expose-Headers "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, Location, ETag, Link" env=LECTERN_CORS_ORIGIN
		Header always set Access-Control-Max-Age "600" env=LECTERN_CORS_ORIGIN
		EOCORS
	} > "$1"
}

# web_config FILE: the web client's public settings (its config.json)
# from LECTERN_RAZORPAY_CHECKOUT_URL, LECTERN_GOOGLE_CLIENT_ID (the
# first), LECTERN_FIREBASE_WEB_API_KEY and LECTERN_FIREBASE_AUTH_URL;
# sets checkout_origin and firebase_origin (Identity Toolkit's, or
# 'self' without a key) for the page's CSP.  Public values only.
web_config() {
	local checkout google_id firebase_key firebase_url
	checkout=${LECTERN_RAZORPAY_CHECKOUT_URL:-https://checkout.razorpay.com/v1/checkout.js}
	printf '%s' "$checkout" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._/-]*$' ||
	    die "LECTERN_RAZORPAY_CHECKOUT_URL is not an http(s) URL: $checkout"
	# shellcheck disable=SC2034 # read by the caller
	checkout_origin=$(printf '%s' "$checkout" | sed -E 's|^(https?://[^/]+)/.*$|\1|')
	google_id=$(printf '%s' "${LECTERN_GOOGLE_CLIENT_ID:-}" | cut -d, -f1)
	case $google_id in *[!A-Za-z0-9._-]*)
		die "LECTERN_GOOGLE_CLIENT_ID has characters a client id never has" ;;
	esac
	firebase_key=${LECTERN_FIREBASE_WEB_API_KEY:-}
	case $firebase_key in *[!A-Za-z0-9_-]*)
		die "LECTERN_FIREBASE_WEB_API_KEY has characters a key never has" ;;
	esac
	firebase_url=${LECTERN_FIREBASE_AUTH_URL:-https://identitytoolkit.googleapis.com}
	printf '%s' "$firebase_url" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._/-]*)?$' ||
	    die "LECTERN_FIREBASE_AUTH_URL is not an http(s) URL: $firebase_url"
	firebase_url=${firebase_url%/}
	# shellcheck disable=SC2034 # read by the caller
	firebase_origin="'self'"
	if [ -n "$firebase_key" ]; then
		# shellcheck disable=SC2034 # read by the caller
		firebase_origin=$(printf '%s' "$firebase_url" | sed -E 's|^(https?://[^/]+).*$|\1|')
	fi
	printf '{"razorpay_checkout": "%s", "google_client_id": "%s", "firebase_api_key": "%s", "firebase_auth_url": "%s"}\n' \
	    "$checkout" "$google_id" "$firebase_key" "$firebase_url" > "$1"
	chmod 644 "$1"
}
