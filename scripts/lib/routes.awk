# lectern — apache/routes to mod_rewrite rules.
#
# awk -v prefix=/lectern-cgi -v ctx=server [-v maxbody=N [-v streammax=N]] \
#     -f routes.awk apache/routes
# ctx=server: rules for a server or virtual host (paths start with /);
# ctx=htaccess: rules for a per-directory .htaccess (no leading /).
#
# A path served by one executable goes to it whatever the method (it
# answers 405 itself).  A path served by several gets one rule per
# method and a last rule that sends any other method to the first
# executable with LECTERN_ALLOW set, so its 405 lists every method.

function regex(path,    n, segs, i, out, name) {
	n = split(path, segs, "/")
	out = ""
	nparams[path] = 0
	for (i = 2; i <= n; i++) {
		if (segs[i] ~ /^\{[a-z_]+\}$/) {
			name = substr(segs[i], 2, length(segs[i]) - 2)
			# An id has at most 16 digits (2^53 - 1): a longer
			# one matches no route and is Apache's JSON 404,
			# before any file-name limit can make it a 403.
			if (name == "id" || name ~ /_id$/)
				out = out "/([0-9]{1,16})"
			else
				out = out "/([A-Za-z0-9_-]{1,64})"
			nparams[path]++
		} else
			out = out "/" segs[i]
	}
	if (ctx == "htaccess")
		out = substr(out, 2)
	return "^" out "$"
}

# A regular expression for path wherever it sits in a URL path (an
# .htaccess may live below the server's root), for RewriteCond.
function sregex(path,    n, segs, i, out, name) {
	n = split(path, segs, "/")
	out = ""
	for (i = 2; i <= n; i++) {
		if (segs[i] ~ /^\{[a-z_]+\}$/) {
			name = substr(segs[i], 2, length(segs[i]) - 2)
			if (name == "id" || name ~ /_id$/)
				out = out "/[0-9]{1,16}"
			else
				out = out "/[A-Za-z0-9_-]{1,64}"
		} else
			out = out "/" segs[i]
	}
	return "^" out "$"
}

function target(path, exe,    i, t) {
	t = prefix "/" exe
	for (i = 1; i <= nparams[path]; i++)
		t = t "/$" i
	return t
}

/^[ \t]*(#|$)/ { next }
{
	method = $1; path = $2; exe = $3
	if ($4 == "stream")
		stream[++nstream] = method SUBSEP path
	if (!(path in seen)) {
		seen[path] = 1
		order[++npaths] = path
		nexe[path] = 0
	}
	k = path SUBSEP nexe[path]
	methods[k] = method
	exes[k] = exe
	if (index(allow[path], "/" method) == 0)
		allow[path] = allow[path] "/" method
	if (!((path, exe) in exeseen)) {
		exeseen[path, exe] = 1
		nexecs[path]++
	}
	nexe[path]++
}
END {
	print "# Generated from apache/routes by scripts/lib/routes.awk."
	if (maxbody != "") {
		# A declared body over the limit is refused before any
		# handler runs (mod_fcgid would otherwise pass it on cut).
		# A streamed file has its own, larger limit.
		for (i = 1; i <= nstream; i++) {
			split(stream[i], ms, SUBSEP)
			sre = sregex(ms[2])
			if (streammax != "") {
				print "RewriteCond %{REQUEST_METHOD}:%{REQUEST_URI} ^" ms[1] ":(.*)" substr(sre, 2)
				print "RewriteCond expr \"%{HTTP:Content-Length} =~ /^[0-9]+$/ && %{HTTP:Content-Length} -gt " streammax "\""
				print "RewriteRule ^ - [R=413,L]"
			}
			skip[i] = sre
		}
		print "RewriteCond expr \"%{HTTP:Content-Length} =~ /^[0-9]+$/ && %{HTTP:Content-Length} -gt " maxbody "\""
		for (i = 1; i <= nstream; i++) {
			split(stream[i], ms, SUBSEP)
			print "RewriteCond %{REQUEST_METHOD}:%{REQUEST_URI} !^" ms[1] ":(.*)" substr(skip[i], 2)
		}
		print "RewriteRule ^ - [R=413,L]"
	}
	if (ctx == "server") {
		print "RewriteRule ^" prefix "/ - [R=404,L]"
		print "RewriteCond %{REQUEST_METHOD} =OPTIONS"
		print "RewriteRule ^/ - [R=204,L]"
	} else {
		print "RewriteCond %{REQUEST_METHOD} =OPTIONS"
		print "RewriteRule ^ - [R=204,L]"
	}
	for (p = 1; p <= npaths; p++) {
		path = order[p]
		re = regex(path)
		print ""
		print "# " path
		if (nexecs[path] == 1) {
			print "RewriteRule " re " " target(path, exes[path SUBSEP 0]) " [PT,L]"
			continue
		}
		for (i = 0; i < nexe[path]; i++) {
			k = path SUBSEP i
			m = methods[k]
			if (m == "GET")
				print "RewriteCond %{REQUEST_METHOD} ^(GET|HEAD)$"
			else
				print "RewriteCond %{REQUEST_METHOD} =" m
			print "RewriteRule " re " " target(path, exes[k]) " [PT,L]"
		}
		print "RewriteRule " re " " target(path, exes[path SUBSEP 0]) \
		    " [PT,L,E=LECTERN_ALLOW:" substr(allow[path], 2) "]"
	}
	# Anything else under /api, and any other method anywhere, is a
	# JSON 404 rather than whatever the file system would say.
	print ""
	if (ctx == "server") {
		print "RewriteRule ^/api(/|$) - [R=404,L]"
		print "RewriteCond %{REQUEST_METHOD} !^(GET|HEAD)$"
		print "RewriteRule ^/ - [R=404,L]"
	} else {
		print "RewriteRule ^api(/|$) - [R=404,L]"
	}
}
