/*
 * lectern — GET /api/certificates/{code}/pdf: the certificate as a
 * one-page A4 landscape PDF, for anyone with the code (SPEC §6.6).
 *
 * Drawn with cairo.  Each line of text is cut into runs by font:
 * fontconfig sorts the fonts for the wanted family and style, and each
 * character goes to the first that has it (Lohit Devanagari for
 * Devanagari, WenQuanYi Micro Hei for CJK, DejaVu for Latin, Greek and
 * Cyrillic), so a name in any script Debian's fonts cover is drawn
 * rather than boxes.  HarfBuzz shapes each run (conjuncts and vowel
 * signs of Devanagari), and the glyphs go to cairo with their text
 * clusters, so the PDF's text can be extracted and searched.  Pango
 * would do the same but starts threads of its own, which a CGI under
 * RLimitNPROC cannot count on.  Right-to-left names are shaped, but a
 * line mixing directions is not reordered.  The page carries the
 * name, the course, the date of issue, the code, the verify URL under
 * LECTERN_PUBLIC_URL and that URL as a QR code (libqrencode, error
 * correction M).  A revoked certificate has no PDF (404, like an
 * unknown code); its verification says why.
 *
 * This is the only executable that links cairo, HarfBuzz, FreeType,
 * fontconfig and libqrencode.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>
#include <hb-ft.h>
#include <qrencode.h>

#include "certificate.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"

/* A4 landscape in PostScript points. */
#define PAGE_W		841.89
#define PAGE_H		595.28
#define QR_SIZE		120.0	/* points, quiet zone included */
#define QR_QUIET	4	/* modules of white around the code */
#define TEXT_RUNS	64	/* font runs in one line, at most */
#define TEXT_MIN	6.0	/* points: lines shrink to fit, not below */

static enum api_err	certificate_pdf(struct call *);

#ifdef __SANITIZE_ADDRESS__
/*
 * fontconfig leaks a few hundred bytes once per process while parsing
 * its XML configuration in FcInit (not per request); LeakSanitizer is
 * told so that scripts/test --asan reports only leaks of ours.
 */
const char	*__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{

	return "leak:libfontconfig.so\n";
}
#endif

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/certificates/{code}/pdf",
	.who = WHO_ANYONE,
	.run = certificate_pdf,
};

static const char sql_get[] =
    "SELECT ct.student_name, ct.course_title,"
    " to_char(ct.issued_at AT TIME ZONE 'UTC', 'FMDD FMMonth YYYY'),"
    " ct.revoked_at IS NOT NULL"
    " FROM lectern_certificate_by_code($1) ct";

/* The PDF as cairo writes it. */
struct pdfbuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
	int		 enomem;
};

/* cairo's write callback: append to the buffer. */
static cairo_status_t
pdf_write(void *arg, const unsigned char *data, unsigned int n)
{
	struct pdfbuf	*b = arg;
	unsigned char	*p;
	size_t		 cap;

	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->enomem = 1;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return CAIRO_STATUS_SUCCESS;
}

/* One run of a line: bytes [start, end) of the text in one font. */
struct run {
	size_t		 start;
	size_t		 end;
	int		 font;		/* index in the sorted font set */
	hb_buffer_t	*buf;		/* shaped */
	double		 width;		/* points */
};

/* A line of text being set. */
struct textline {
	const char	*text;
	size_t		 len;
	FcFontSet	*set;		/* fonts for the family, best first */
	FT_Face		 faces[TEXT_RUNS];	/* by font index, when used */
	int		 nfaces;
	struct run	 runs[TEXT_RUNS];
	int		 nruns;
};

/* FreeType, once per process: cairo keeps faces past a request. */
static FT_Library	 ft_lib;

/* cairo's destroy callback for a font face made from an FT_Face. */
static void
face_done(void *arg)
{

	FT_Done_Face(arg);
}

static const cairo_user_data_key_t face_key;

/*
 * Decode the UTF-8 character at s (n bytes left) into *cp; returns its
 * length (1 for a byte that starts no character, read as U+FFFD).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, FcChar32 *cp)
{
	int	 len;

	if ((len = FcUtf8ToUcs4(s, cp, (int)n)) <= 0) {
		*cp = 0xfffd;
		return 1;
	}
	return (size_t)len;
}

/* Whether font i of t's set has the character cp. */
static int
has_char(const struct textline *t, int i, FcChar32 cp)
{
	FcCharSet	*cs;

	if (FcPatternGetCharSet(t->set->fonts[i], FC_CHARSET, 0, &cs) !=
	    FcResultMatch)
		return 0;
	return FcCharSetHasChar(cs, cp);
}

/*
 * Whether cp belongs with the character before it: a space, a mark
 * (Devanagari vowel signs, viramas) or a zero-width joiner.
 */
static int
joins(FcChar32 cp)
{
	hb_unicode_general_category_t	 gc;

	if (cp == ' ' || cp == 0x200c || cp == 0x200d)
		return 1;
	gc = hb_unicode_general_category(hb_unicode_funcs_get_default(), cp);
	return gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
	    gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
	    gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

/*
 * Cut t's text into runs by font: each character takes the first font
 * of the set that has it (the first font when none does), except that
 * spaces, marks and joiners stay in the current run's font when it has
 * them.  Returns 0, or -1 when there are too many runs.
 */
static int
cut_runs(struct textline *t)
{
	const unsigned char	*s = (const unsigned char *)t->text;
	FcChar32		 cp;
	size_t			 i, n;
	int			 f, cur = -1;

	for (i = 0; i < t->len; i += n) {
		n = utf8_next(s + i, t->len - i, &cp);
		if (cur >= 0 && joins(cp) && has_char(t, cur, cp))
			continue;
		for (f = 0; f < t->set->nfont && !has_char(t, f, cp); f++)
			continue;
		if (f == t->set->nfont)
			f = cur >= 0 ? cur : 0;
		if (f == cur)
			continue;
		if (t->nruns > 0)
			t->runs[t->nruns - 1].end = i;
		if (t->nruns == TEXT_RUNS)
			return -1;
		t->runs[t->nruns].start = i;
		t->runs[t->nruns].font = f;
		t->nruns++;
		cur = f;
	}
	if (t->nruns > 0)
		t->runs[t->nruns - 1].end = t->len;
	return 0;
}

/* The FreeType face of font i of t's set, opened on first use. */
static FT_Face
face_of(struct textline *t, int i)
{
	FcChar8	*file;
	int	 index = 0;

	if (i < TEXT_RUNS && t->faces[i] != NULL)
		return t->faces[i];
	if (i >= TEXT_RUNS || FcPatternGetString(t->set->fonts[i], FC_FILE,
	    0, &file) != FcResultMatch)
		return NULL;
	(void)FcPatternGetInteger(t->set->fonts[i], FC_INDEX, 0, &index);
	if (FT_New_Face(ft_lib, (const char *)file, index, &t->faces[i]) !=
	    0) {
		t->faces[i] = NULL;
		return NULL;
	}
	return t->faces[i];
}

/*
 * Shape every run of t at size points.  Returns the width of the line
 * in points, or -1 when a font could not be loaded.
 */
static double
shape(struct textline *t, double size)
{
	hb_glyph_position_t	*pos;
	hb_font_t		*font;
	struct run		*r;
	FT_Face			 face;
	unsigned int		 n, g;
	double			 w = 0;
	int			 i;

	for (i = 0; i < t->nruns; i++) {
		r = &t->runs[i];
		if ((face = face_of(t, r->font)) == NULL ||
		    FT_Set_Char_Size(face, 0, (FT_F26Dot6)(size * 64), 72,
		    72) != 0)
			return -1;
		if (r->buf == NULL)
			r->buf = hb_buffer_create();
		hb_buffer_clear_contents(r->buf);
		hb_buffer_add_utf8(r->buf, t->text, (int)t->len,
		    (unsigned int)r->start, (int)(r->end - r->start));
		hb_buffer_guess_segment_properties(r->buf);
		font = hb_ft_font_create_referenced(face);
		hb_shape(font, r->buf, NULL, 0);
		hb_font_destroy(font);
		pos = hb_buffer_get_glyph_positions(r->buf, &n);
		r->width = 0;
		for (g = 0; g < n; g++)
			r->width += pos[g].x_advance / 64.0;
		w += r->width;
	}
	return w;
}

/*
 * The byte length of the cluster that starts at byte c of run r: up to
 * the next cluster start of the run, or the run's end.
 */
static int
cluster_bytes(const struct run *r, const hb_glyph_info_t *info,
    unsigned int n, unsigned int c)
{
	unsigned int	 g, next = (unsigned int)r->end;

	for (g = 0; g < n; g++)
		if (info[g].cluster > c && info[g].cluster < next)
			next = info[g].cluster;
	return (int)(next - c);
}

/*
 * Draw the shaped run r of t with its left end at x on baseline y, its
 * glyphs tied to their text so the PDF's text can be extracted.
 * Returns the advance, or -1 when out of memory.
 */
static double
draw_run(cairo_t *cr, struct textline *t, struct run *r, double x,
    double y, double size)
{
	hb_glyph_info_t		*info;
	hb_glyph_position_t	*pos;
	cairo_glyph_t		*glyphs;
	cairo_text_cluster_t	*clusters;
	cairo_font_face_t	*cf;
	FT_Face			 face = t->faces[r->font];
	unsigned int		 n, g, k;
	int			 nc = 0, backward;
	double			 pen = x;

	info = hb_buffer_get_glyph_infos(r->buf, &n);
	pos = hb_buffer_get_glyph_positions(r->buf, &n);
	backward = HB_DIRECTION_IS_BACKWARD(hb_buffer_get_direction(r->buf));
	glyphs = cairo_glyph_allocate((int)n);
	clusters = cairo_text_cluster_allocate((int)n);
	if (glyphs == NULL || clusters == NULL) {
		cairo_glyph_free(glyphs);
		cairo_text_cluster_free(clusters);
		return -1;
	}
	for (g = 0; g < n; g++) {
		glyphs[g].index = info[g].codepoint;
		glyphs[g].x = pen + pos[g].x_offset / 64.0;
		glyphs[g].y = y - pos[g].y_offset / 64.0;
		pen += pos[g].x_advance / 64.0;
	}
	for (g = 0; g < n; g = k) {
		for (k = g; k < n && info[k].cluster == info[g].cluster; k++)
			continue;
		clusters[nc].num_glyphs = (int)(k - g);
		clusters[nc].num_bytes = cluster_bytes(r, info, n,
		    info[g].cluster);
		nc++;
	}
	/* cairo keeps a reference of its own, dropped when it is done. */
	cf = cairo_ft_font_face_create_for_ft_face(face, 0);
	if (FT_Reference_Face(face) == 0 &&
	    cairo_font_face_set_user_data(cf, &face_key, face,
	    face_done) != CAIRO_STATUS_SUCCESS)
		FT_Done_Face(face);
	cairo_set_font_face(cr, cf);
	cairo_set_font_size(cr, size);
	cairo_show_text_glyphs(cr, t->text + r->start,
	    (int)(r->end - r->start), glyphs, (int)n, clusters, nc,
	    backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : 0);
	cairo_font_face_destroy(cf);
	cairo_glyph_free(glyphs);
	cairo_text_cluster_free(clusters);
	return pen - x;
}

/* Free what t holds. */
static void
textline_free(struct textline *t)
{
	int	 i;

	for (i = 0; i < t->nruns; i++)
		if (t->runs[i].buf != NULL)
			hb_buffer_destroy(t->runs[i].buf);
	for (i = 0; i < TEXT_RUNS; i++)
		if (t->faces[i] != NULL)
			FT_Done_Face(t->faces[i]);
	if (t->set != NULL)
		FcFontSetDestroy(t->set);
}

/*
 * Draw text centred on the page with its baseline at y, in family
 * ("DejaVu Sans:bold") at size points, shrunk to fit width.  Returns 0,
 * or -1 when it could not be set.
 */
static int
centred(cairo_t *cr, const char *text, const char *family, double size,
    double y, double width)
{
	struct textline	 t;
	FcPattern	*pat;
	FcResult	 res;
	double		 w, x;
	int		 i, rc = -1;

	memset(&t, 0, sizeof(t));
	t.text = text;
	t.len = strlen(text);
	if ((pat = FcNameParse((const FcChar8 *)family)) == NULL)
		return -1;
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	t.set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
	FcPatternDestroy(pat);
	if (t.set == NULL || t.set->nfont == 0 || cut_runs(&t) != 0 ||
	    (w = shape(&t, size)) < 0)
		goto out;
	if (w > width) {
		size = size * width / w;
		if (size < TEXT_MIN)
			size = TEXT_MIN;
		if ((w = shape(&t, size)) < 0)
			goto out;
	}
	x = (PAGE_W - w) / 2;
	for (i = 0; i < t.nruns; i++) {
		if ((w = draw_run(cr, &t, &t.runs[i], x, y, size)) < 0)
			goto out;
		x += w;
	}
	rc = 0;
out:
	textline_free(&t);
	return rc;
}

/* Draw url as a QR code of QR_SIZE points with its top left at x, y. */
static int
qr(cairo_t *cr, const char *url, double x, double y)
{
	QRcode	*q;
	double	 m;
	int	 i, j;

	if ((q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL)
		return -1;
	m = QR_SIZE / (q->width + 2 * QR_QUIET);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, QR_SIZE, QR_SIZE);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (i = 0; i < q->width; i++)
		for (j = 0; j < q->width; j++)
			if (q->data[i * q->width + j] & 1)
				cairo_rectangle(cr, x + (j + QR_QUIET) * m,
				    y + (i + QR_QUIET) * m, m, m);
	cairo_fill(cr);
	QRcode_free(q);
	return 0;
}

/*
 * Draw the certificate into b.  Returns 0, or -1 when cairo or the QR
 * code failed.
 */
static int
draw(struct pdfbuf *b, const char *name, const char *course,
    const char *date, const char *shown, const char *url)
{
	cairo_surface_t	*s;
	cairo_t		*cr;
	char		 line[1200];
	int		 rc = 0;

	if (ft_lib == NULL && (FcInit() != FcTrue ||
	    FT_Init_FreeType(&ft_lib) != 0)) {
		ft_lib = NULL;
		return -1;
	}
	s = cairo_pdf_surface_create_for_stream(pdf_write, b, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
	    "Certificate of completion");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
	    "lectern");
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0.16, 0.24, 0.42);
	cairo_set_line_width(cr, 6);
	cairo_rectangle(cr, 24, 24, PAGE_W - 48, PAGE_H - 48);
	cairo_stroke(cr);
	cairo_set_line_width(cr, 1.5);
	cairo_rectangle(cr, 36, 36, PAGE_W - 72, PAGE_H - 72);
	cairo_stroke(cr);

	cairo_set_source_rgb(cr, 0.16, 0.24, 0.42);
	if (centred(cr, "Certificate of Completion", "DejaVu Serif:bold", 36,
	    110, PAGE_W - 120) != 0)
		rc = -1;
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	if (centred(cr, "This certifies that", "DejaVu Sans", 16, 168,
	    PAGE_W - 120) != 0)
		rc = -1;
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (centred(cr, name, "DejaVu Sans:bold", 34, 225,
	    PAGE_W - 140) != 0)
		rc = -1;
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	if (centred(cr, "has completed the course", "DejaVu Sans", 16, 272,
	    PAGE_W - 120) != 0)
		rc = -1;
	cairo_set_source_rgb(cr, 0, 0, 0);
	if (centred(cr, course, "DejaVu Serif:bold", 24, 316,
	    PAGE_W - 140) != 0)
		rc = -1;
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	snprintf(line, sizeof(line), "Issued %s", date);
	if (centred(cr, line, "DejaVu Sans", 13, 368, PAGE_W - 120) != 0)
		rc = -1;
	snprintf(line, sizeof(line), "Certificate code %s", shown);
	if (centred(cr, line, "DejaVu Sans Mono", 13, 392,
	    PAGE_W - 120) != 0)
		rc = -1;
	snprintf(line, sizeof(line), "Verify at %s", url);
	if (centred(cr, line, "DejaVu Sans", 10, 416, PAGE_W - 300) != 0)
		rc = -1;
	if (qr(cr, url, (PAGE_W - QR_SIZE) / 2, 432) != 0)
		rc = -1;

	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_surface_destroy(s);
	return b->enomem ? -1 : rc;
}

static enum api_err
certificate_pdf(struct call *c)
{
	struct db_res	*res = NULL;
	struct pdfbuf	 b;
	const char	*params[1], *v;
	char		 code[CERT_CODE_LEN + 1], shown[CERT_SHOWN_LEN + 1];
	char		 url[1024], disp[80];
	enum api_err	 er;

	memset(&b, 0, sizeof(b));
	if (!cert_code_parse(c->key, code))
		return API_NOT_FOUND;
	params[0] = code;
	if ((er = db_exec(c->db, sql_get, 1, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || db_get(res, 0, 0) == NULL) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((v = db_get(res, 0, 3)) != NULL && v[0] == 't') {
		er = http_fail(c->r, API_NOT_FOUND,
		    "this certificate has been revoked");
		goto out;
	}
	cert_code_show(code, shown);
	cert_verify_url(code, url, sizeof(url));
	if (draw(&b, db_get(res, 0, 0), db_get(res, 0, 1), db_get(res, 0, 2),
	    shown, url) != 0) {
		log_warnx("certificate_pdf: drawing failed");
		er = b.enomem ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	snprintf(disp, sizeof(disp),
	    "inline; filename=\"certificate-%s.pdf\"", shown);
	if ((er = http_header(c->r, "Content-Disposition", disp)) != API_OK)
		goto out;
	er = http_send_text(c->r, 200, "application/pdf", b.p, b.len);
out:
	free(b.p);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)
