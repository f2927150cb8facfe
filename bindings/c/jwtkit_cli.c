/* jwtkit_cli.c: the `jwtkit` command-line tool, built on the C API only.
 * SPDX-License-Identifier: MIT OR Apache-2.0
 *
 *   jwtkit encode  sign claims into a token
 *   jwtkit decode  show a token's header and claims WITHOUT verifying it
 *   jwtkit verify  check a token; exit 0 valid, 1 invalid, 2 usage error
 *   jwtkit dpop    make (proof) or check (verify) a DPoP proof (RFC 9449)
 *   jwtkit keygen, thumbprint, convert, jwks: make, name, convert and publish keys
 *   jwtkit jwe     encrypt or decrypt a compact JWE
 *
 * Every decision about a token is the library's: this file parses options, reads
 * files, builds claims JSON from key=value pairs and pretty-prints JSON.
 * Built and installed by scripts/install.sh; tested by tests/install.sh.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath() is an XSI function */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jwtkit.h"

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static const char *prog = "jwtkit";

static void msg(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* `s` as it may be shown on a terminal: control characters (C0, DEL, and C1 encoded
 * in UTF-8) and bytes that are not UTF-8 become \xNN, so that a file name or argument
 * cannot move the cursor, recolour or retitle the terminal, or hide text. The result
 * lives in one of a few static buffers, enough for every argument of one msg() call;
 * it is truncated with "..." past 4096 input bytes. */
static const char *printable(const char *s)
{
    static char bufs[4][4 * 4096 + 4];
    static unsigned next;
    char *out = bufs[next++ % 4], *o = out;
    const unsigned char *p = (const unsigned char *)s;
    size_t in = 0;

    if (s == NULL)
        return "(null)";
    while (*p && in < 4096) {
        size_t n = 0, k;

        if (*p >= 0xc2 && *p <= 0xdf)
            n = 2;
        else if (*p >= 0xe0 && *p <= 0xef)
            n = 3;
        else if (*p >= 0xf0 && *p <= 0xf4)
            n = 4;
        for (k = 1; k < n; k++)
            if ((p[k] & 0xc0) != 0x80)
                n = 0;
        if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
            n = 0; /* U+0080..U+009F: C1 controls, CSI among them */
        if (n > 0) {
            memcpy(o, p, n);
            o += n;
            p += n;
            in += n;
        } else if (*p >= 0x20 && *p < 0x7f) {
            *o++ = (char)*p++;
            in++;
        } else {
            snprintf(o, 5, "\\x%02x", *p++);
            o += 4;
            in++;
        }
    }
    if (*p)
        memcpy(o, "...", 3), o += 3;
    *o = '\0';
    return out;
}

/* Prints a library failure as "<what>: <message> (<STATUS>)" and frees the error. */
static void report(const char *what, jwtkit_status status, jwtkit_error *err)
{
    msg("%s: %s (%s)", printable(what),
        printable(err ? jwtkit_error_message(err) : jwtkit_status_str(status)),
        jwtkit_status_str(status));
    jwtkit_error_free(err);
}

/* ---- growable byte buffer --------------------------------------------------- */

struct buf {
    char *data;
    size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *bigger;

        while (cap < b->len + n + 1)
            cap *= 2;
        bigger = realloc(b->data, cap);
        if (bigger == NULL) {
            msg("out of memory");
            return -1;
        }
        b->data = bigger;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static int buf_str(struct buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

/* Appends `s` as a JSON string literal. */
static int buf_json_string(struct buf *b, const char *s)
{
    char esc[8];

    if (buf_add(b, "\"", 1))
        return -1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            if (buf_add(b, esc, 2))
                return -1;
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            if (buf_str(b, esc))
                return -1;
        } else if (buf_add(b, s, 1)) {
            return -1;
        }
    }
    return buf_add(b, "\"", 1);
}

/* ---- input ------------------------------------------------------------------ */

static char *read_stream(FILE *f, const char *name, size_t *out_len)
{
    struct buf b = {0};
    char chunk[4096];
    size_t n;

    if (buf_add(&b, "", 0))
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_add(&b, chunk, n)) {
            free(b.data);
            return NULL;
        }
    if (ferror(f)) {
        msg("%s: read error", printable(name));
        free(b.data);
        return NULL;
    }
    *out_len = b.len;
    return b.data;
}

static char *read_file(const char *path, size_t *out_len)
{
    FILE *f;
    char *data;

    if (strcmp(path, "-") == 0)
        return read_stream(stdin, "stdin", out_len);
    f = fopen(path, "rb");
    if (f == NULL) {
        msg("%s: %s", printable(path), strerror(errno));
        return NULL;
    }
    data = read_stream(f, path, out_len);
    fclose(f);
    return data;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The token from the argument, or from stdin when there is none (or it is "-"),
 * without surrounding whitespace. `*to_free` receives what the caller frees. */
static const char *get_token(const char *arg, size_t *out_len, char **to_free)
{
    const char *t = arg;
    size_t len;

    *to_free = NULL;
    if (arg == NULL || strcmp(arg, "-") == 0) {
        if (isatty(fileno(stdin)))
            fprintf(stderr, "%s: reading the token from standard input\n", prog);
        *to_free = read_stream(stdin, "stdin", &len);
        if (*to_free == NULL)
            return NULL;
        t = *to_free;
    } else {
        len = strlen(arg);
    }
    while (len > 0 && is_space(*t)) {
        t++;
        len--;
    }
    while (len > 0 && is_space(t[len - 1]))
        len--;
    if (len == 0) {
        msg("no token given");
        free(*to_free);
        *to_free = NULL;
        return NULL;
    }
    *out_len = len;
    return t;
}

/* ---- numbers, durations, times ---------------------------------------------- */

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* "90", "90s", "15m", "1h", "7d", "2w", "1h30m" -> seconds. */
static int parse_duration(const char *s, uint64_t *out)
{
    uint64_t total = 0;
    const char *p = s;

    if (*p == '\0')
        return -1;
    while (*p) {
        uint64_t n = 0, unit = 1;

        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9') {
            if (n > (UINT64_MAX - 9) / 10)
                return -1;
            n = n * 10 + (uint64_t)(*p++ - '0');
        }
        switch (*p) {
        case 's': unit = 1; p++; break;
        case 'm': unit = 60; p++; break;
        case 'h': unit = 3600; p++; break;
        case 'd': unit = 86400; p++; break;
        case 'w': unit = 604800; p++; break;
        case '\0': break;
        default: return -1;
        }
        if (n > (UINT64_MAX - total) / unit)
            return -1;
        total += n * unit;
    }
    if (total > (uint64_t)INT64_MAX / 2) /* keeps now + total far from overflow */
        return -1;
    *out = total;
    return 0;
}

/* "3d 4h", "59m 10s", "12s": the two largest units of `secs`. */
static void human_span(uint64_t secs, char *out, size_t size)
{
    static const struct { uint64_t n; const char *u; } units[] = {
        {86400 * 365, "y"}, {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"},
    };
    size_t i, used = 0, shown = 0;

    out[0] = '\0';
    for (i = 0; i < sizeof units / sizeof units[0] && shown < 2; i++) {
        uint64_t q = secs / units[i].n;

        if (q == 0 && shown == 0)
            continue;
        if (q > 0)
            used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%" PRIu64 "%s",
                                     shown ? " " : "", q, units[i].u);
        secs -= q * units[i].n;
        shown++;
    }
    if (out[0] == '\0')
        snprintf(out, size, "0s");
}

/* "2023-11-14 22:13:20 UTC, in 59m 10s" for a claim `name` holding `t`. */
static void describe_time(const char *name, double t, int64_t now, char *out, size_t size)
{
    struct tm tm;
    time_t tt;
    char date[64], span[64];
    int64_t secs;

    if (!(t > -1e15 && t < 1e15)) {
        snprintf(out, size, "out of range");
        return;
    }
    secs = (int64_t)floor(t);
    tt = (time_t)secs;
    if (gmtime_r(&tt, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        snprintf(out, size, "out of range");
        return;
    }
    human_span(secs >= now ? (uint64_t)(secs - now) : (uint64_t)(now - secs), span, sizeof span);
    if (strcmp(name, "exp") == 0)
        snprintf(out, size, "%s, %s %s%s", date, secs > now ? "expires in" : "expired",
                 span, secs > now ? "" : " ago");
    else if (strcmp(name, "nbf") == 0 && secs > now)
        snprintf(out, size, "%s, not valid for another %s", date, span);
    else if (secs > now)
        snprintf(out, size, "%s, in %s", date, span);
    else
        snprintf(out, size, "%s, %s ago", date, span);
}

/* ---- JSON pretty-printer ---------------------------------------------------- */
/* Input is JSON the library already parsed strictly; this only re-indents it and
 * annotates numeric time claims (exp, nbf, iat, auth_time) of the top-level object. */

struct pp {
    const char *s;
    size_t len, pos;
    FILE *out;
    int64_t now;
    int annotate;
};

static void pp_ws(struct pp *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos]))
        p->pos++;
}

static void pp_indent(struct pp *p, int depth)
{
    int i;

    fputc('\n', p->out);
    for (i = 0; i < depth; i++)
        fputs("  ", p->out);
}

/* Copies a string literal verbatim; returns its span (quotes included). */
static int pp_string(struct pp *p, size_t *start, size_t *n)
{
    size_t i = p->pos;

    if (i >= p->len || p->s[i] != '"')
        return -1;
    for (i++; i < p->len && p->s[i] != '"'; i++)
        if (p->s[i] == '\\')
            i++;
    if (i >= p->len)
        return -1;
    *start = p->pos;
    *n = i + 1 - p->pos;
    fwrite(p->s + p->pos, 1, *n, p->out);
    p->pos = i + 1;
    return 0;
}

static int time_claim(const char *key, size_t n)
{
    static const char *names[] = {"\"exp\"", "\"nbf\"", "\"iat\"", "\"auth_time\""};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], key, n) == 0)
            return 1;
    return 0;
}

static int pp_value(struct pp *p, int depth, int *is_number, double *number);

static int pp_container(struct pp *p, int depth, char open, char close)
{
    char note[128] = ""; /* the previous member's annotation, printed after its comma */
    int first = 1;

    fputc(open, p->out);
    p->pos++;
    pp_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        fputc(close, p->out);
        p->pos++;
        return 0;
    }
    for (;;) {
        size_t kstart = 0, klen = 0;
        int is_number = 0;
        double number = 0;

        if (!first)
            fputc(',', p->out);
        if (note[0])
            fprintf(p->out, "  // %s", note);
        note[0] = '\0';
        first = 0;
        pp_indent(p, depth + 1);
        pp_ws(p);
        if (open == '{') {
            if (pp_string(p, &kstart, &klen))
                return -1;
            pp_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':')
                return -1;
            p->pos++;
            fputs(": ", p->out);
            pp_ws(p);
        }
        if (pp_value(p, depth + 1, &is_number, &number))
            return -1;
        if (open == '{' && depth == 0 && p->annotate && is_number && time_claim(p->s + kstart, klen)) {
            char name[16];

            snprintf(name, sizeof name, "%.*s", (int)(klen - 2), p->s + kstart + 1);
            describe_time(name, number, p->now, note, sizeof note);
        }
        pp_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos >= p->len || p->s[p->pos] != close)
            return -1;
        p->pos++;
        if (note[0])
            fprintf(p->out, "  // %s", note);
        pp_indent(p, depth);
        fputc(close, p->out);
        return 0;
    }
}

static int pp_value(struct pp *p, int depth, int *is_number, double *number)
{
    size_t start, n;
    char c;

    *is_number = 0;
    if (p->pos >= p->len)
        return -1;
    c = p->s[p->pos];
    if (c == '{')
        return pp_container(p, depth, '{', '}');
    if (c == '[')
        return pp_container(p, depth, '[', ']');
    if (c == '"')
        return pp_string(p, &start, &n);
    start = p->pos;
    while (p->pos < p->len && !is_space(p->s[p->pos]) && p->s[p->pos] != ',' &&
           p->s[p->pos] != '}' && p->s[p->pos] != ']')
        p->pos++;
    if (p->pos == start)
        return -1;
    fwrite(p->s + start, 1, p->pos - start, p->out);
    if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];

        n = p->pos - start;
        if (n < sizeof tmp) {
            memcpy(tmp, p->s + start, n);
            tmp[n] = '\0';
            *number = strtod(tmp, NULL);
            *is_number = 1;
        }
    }
    return 0;
}

/* Prints `json` indented by two spaces a level (raw, if it cannot be re-indented). */
static void print_json(FILE *out, const char *json, size_t len, int annotate, int64_t now)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    struct pp p;
    int dummy_number;
    double dummy;
    int ok;

    if (mem == NULL) {
        fwrite(json, 1, len, out);
        fputc('\n', out);
        return;
    }
    p.s = json;
    p.len = len;
    p.pos = 0;
    p.out = mem;
    p.now = now;
    p.annotate = annotate;
    pp_ws(&p);
    ok = pp_value(&p, 0, &dummy_number, &dummy) == 0;
    pp_ws(&p);
    ok = ok && p.pos == p.len;
    fclose(mem);
    if (ok)
        fwrite(text, 1, text_len, out);
    else
        fwrite(json, 1, len, out);
    fputc('\n', out);
    free(text);
}

/* ---- option parsing --------------------------------------------------------- */

struct args {
    int argc, i;
    char **argv;
    const char *value; /* the value of the option just matched */
    int usage_error;
};

/* Matches argv[i] against `long_name` (also "--name=value") or `short_name`; for
 * options with a value, takes it from "=value" or the next argument. */
static int opt(struct args *a, const char *long_name, const char *short_name, int has_value)
{
    const char *arg = a->argv[a->i];
    size_t n = strlen(long_name);

    a->value = NULL;
    if (has_value && strncmp(arg, long_name, n) == 0 && arg[n] == '=') {
        a->value = arg + n + 1;
        return 1;
    }
    if (strcmp(arg, long_name) != 0 && (short_name == NULL || strcmp(arg, short_name) != 0))
        return 0;
    if (has_value) {
        if (a->i + 1 >= a->argc) {
            msg("%s needs a value", long_name);
            a->usage_error = 1;
            return 0;
        }
        a->value = a->argv[++a->i];
    }
    return 1;
}

static int bad_option(const char *cmd, const char *arg)
{
    msg("%s: unknown option '%s' (see '%s %s --help')", cmd, printable(arg), prog, cmd);
    return EXIT_USAGE;
}

/* ---- keys and algorithms ---------------------------------------------------- */

struct key_source {
    const char *key_file;    /* PEM, DER or JWK (auto-detected) */
    const char *secret;      /* HMAC secret, as given */
    const char *secret_file; /* HMAC secret, the file's exact bytes */
    int allow_short_secret;
};

static int key_option(struct args *a, struct key_source *ks)
{
    if (opt(a, "--key", "-k", 1))
        ks->key_file = a->value;
    else if (opt(a, "--secret", "-s", 1))
        ks->secret = a->value;
    else if (opt(a, "--secret-file", NULL, 1))
        ks->secret_file = a->value;
    else if (opt(a, "--allow-short-secret", NULL, 0))
        ks->allow_short_secret = 1;
    else
        return 0;
    return 1;
}

/* Loads the one key the options name. Returns 0, or EXIT_USAGE after a message. */
static int load_key(const struct key_source *ks, const jwtkit_key **key)
{
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *data = NULL;
    const char *what;
    size_t len = 0, i;
    int given = (ks->key_file != NULL) + (ks->secret != NULL) + (ks->secret_file != NULL);

    if (given != 1) {
        msg(given ? "give only one of --key, --secret, --secret-file"
                  : "a key is needed: --key FILE, --secret STRING or --secret-file FILE");
        return EXIT_USAGE;
    }
    if (ks->secret != NULL) {
        what = "--secret";
        st = jwtkit_key_from_secret((const uint8_t *)ks->secret, strlen(ks->secret),
                                    ks->allow_short_secret ? JWTKIT_KEY_ALLOW_SHORT_SECRET : 0,
                                    key, &err);
    } else if (ks->secret_file != NULL) {
        what = ks->secret_file;
        if ((data = read_file(ks->secret_file, &len)) == NULL)
            return EXIT_USAGE;
        st = jwtkit_key_from_secret((const uint8_t *)data, len,
                                    ks->allow_short_secret ? JWTKIT_KEY_ALLOW_SHORT_SECRET : 0,
                                    key, &err);
    } else {
        what = ks->key_file;
        if ((data = read_file(ks->key_file, &len)) == NULL)
            return EXIT_USAGE;
        for (i = 0; i < len && is_space(data[i]); i++)
            ;
        if (i < len && data[i] == '{')
            st = jwtkit_key_from_jwk((const uint8_t *)data, len, key, &err);
        else if (strstr(data, "-----BEGIN") != NULL)
            st = jwtkit_key_from_pem((const uint8_t *)data, len, key, &err);
        else
            st = jwtkit_key_from_der((const uint8_t *)data, len, key, &err);
    }
    if (data != NULL) {
        memset(data, 0, len); /* may be a secret */
        free(data);
    }
    if (st != JWTKIT_OK) {
        report(what, st, err);
        return EXIT_USAGE;
    }
    return 0;
}

/* Loads a JWK Set, for verification or (for_decryption) for JWE decryption; warns
 * about each key it skipped. Returns 0, or EXIT_USAGE. */
static int load_keyset(const char *path, int for_decryption, const jwtkit_keyset **set)
{
    jwtkit_error *err = NULL;
    jwtkit_status st;
    size_t len = 0, i, n;
    char *data = read_file(path, &len);

    if (data == NULL)
        return EXIT_USAGE;
    if (for_decryption)
        st = jwtkit_keyset_from_jwks_for_decryption((const uint8_t *)data, len, set, &err);
    else
        st = jwtkit_keyset_from_jwks((const uint8_t *)data, len, set, &err);
    memset(data, 0, len); /* may hold secrets */
    free(data);
    if (st != JWTKIT_OK) {
        report(path, st, err);
        return EXIT_USAGE;
    }
    n = jwtkit_keyset_skipped_count(*set);
    for (i = 0; i < n; i++) {
        char *why = NULL;
        jwtkit_status reason = JWTKIT_OK;

        if (jwtkit_keyset_skipped(*set, i, &reason, &why, NULL, NULL) == JWTKIT_OK) {
            msg("%s: warning: skipped %s (%s)", printable(path), printable(why), jwtkit_status_str(reason));
            jwtkit_string_free(why);
        }
    }
    if (jwtkit_keyset_len(*set) == 0) {
        msg("%s: no usable key in this JWK Set", printable(path));
        jwtkit_keyset_free(*set);
        *set = NULL;
        return EXIT_USAGE;
    }
    return 0;
}

/* Where `verify --jwks-url` / `--issuer-discovery` get their keys. */
struct remote_keys {
    const char *url;    /* --jwks-url */
    const char *issuer; /* --issuer-discovery */
    const char *ca_files[16];
    int n_ca_files;
    int allow_http;
};

/* Makes the JWKS source the options name and fetches its key set now (so that an
 * unreachable URL is told apart from an invalid token); warns about each key of the
 * set it skipped. Returns 0, or EXIT_USAGE after a message. */
static int load_remote_keys(const struct remote_keys *rk, const jwtkit_jwks_source **src)
{
    const char *what = rk->url != NULL ? rk->url : rk->issuer;
    jwtkit_jwks_options *options = NULL;
    const jwtkit_keyset *set = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    size_t i, n;
    int k;

    st = jwtkit_jwks_options_new(&options, &err);
    if (st == JWTKIT_OK && rk->allow_http)
        st = jwtkit_jwks_options_allow_http(options, true, &err);
    for (k = 0; st == JWTKIT_OK && k < rk->n_ca_files; k++) {
        st = jwtkit_jwks_options_add_ca_file(options, (const uint8_t *)rk->ca_files[k], strlen(rk->ca_files[k]),
                                             &err);
        if (st != JWTKIT_OK)
            what = rk->ca_files[k];
    }
    if (st == JWTKIT_OK && rk->url != NULL)
        st = jwtkit_jwks_source_from_url((const uint8_t *)rk->url, strlen(rk->url), options, src, &err);
    else if (st == JWTKIT_OK)
        st = jwtkit_jwks_source_from_issuer((const uint8_t *)rk->issuer, strlen(rk->issuer), options, src, &err);
    jwtkit_jwks_options_free(options);
    if (st == JWTKIT_OK)
        st = jwtkit_jwks_source_keyset(*src, &set, &err);
    if (st != JWTKIT_OK) {
        report(what, st, err);
        jwtkit_jwks_source_free(*src);
        *src = NULL;
        return EXIT_USAGE;
    }
    n = jwtkit_keyset_skipped_count(set);
    for (i = 0; i < n; i++) {
        char *why = NULL;
        jwtkit_status reason = JWTKIT_OK;

        if (jwtkit_keyset_skipped(set, i, &reason, &why, NULL, NULL) == JWTKIT_OK) {
            msg("%s: warning: skipped %s (%s)", printable(what), printable(why), jwtkit_status_str(reason));
            jwtkit_string_free(why);
        }
    }
    jwtkit_keyset_free(set);
    return 0;
}

static int parse_alg(const char *name, jwtkit_alg *out)
{
    jwtkit_error *err = NULL;
    jwtkit_status st = jwtkit_alg_from_name((const uint8_t *)name, strlen(name), out, &err);

    if (st != JWTKIT_OK) {
        report("--alg", st, err);
        return -1;
    }
    return 0;
}

/* ---- encode ----------------------------------------------------------------- */

static const char ENCODE_HELP[] =
    "usage: jwtkit encode --alg ALG KEY [options] [CLAIMS...]\n"
    "\n"
    "Signs claims into a JWT and prints it.\n"
    "\n"
    "CLAIMS is one JSON object ('{\"sub\":\"alice\",\"admin\":true}'), '-' to read that\n"
    "object from standard input, or any number of pairs: name=value gives a string,\n"
    "name:=JSON any JSON value (n:=42, admin:=true, roles:='[\"a\",\"b\"]'). No claims: {}.\n"
    "\n"
    "KEY (exactly one):\n"
    "  -k, --key FILE          private key: PEM, DER or JWK (detected from the content)\n"
    "  -s, --secret STRING     HMAC secret (visible to other users in the process list)\n"
    "      --secret-file FILE  HMAC secret: the file's exact bytes\n"
    "      --allow-short-secret  accept a secret shorter than the hash (legacy only)\n"
    "\n"
    "options:\n"
    "  -a, --alg ALG           one of the algorithms listed below (required)\n"
    "      --exp DURATION      add exp = now + DURATION: 90, 90s, 15m, 1h, 7d, 2w, 1h30m\n"
    "      --nbf TIME          add nbf: Unix seconds, or +DURATION from now\n"
    "      --iss ISSUER        add iss\n"
    "      --sub SUBJECT       add sub\n"
    "      --aud AUDIENCE      add an audience (repeat for several)\n"
    "      --jti               add a random jti\n"
    "      --no-iat            do not add iat (added by default)\n"
    "      --kid KID           header kid\n"
    "      --typ TYP           header typ (default JWT)\n"
    "      --header JSON       extra header members, a JSON object\n"
    "      --now UNIX          take this as the current time\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 the token was printed, 1 jwtkit refused to sign, 2 usage error.\n";

/* The algorithms the library implements, from the library (jwtkit_alg_name of 1, 2, ...
 * up to NULL), as the last lines of a help text. */
static void print_algorithms(FILE *out)
{
    jwtkit_alg n;
    size_t col = 0;

    fputs("\nalgorithms:", out);
    col = 11;
    for (n = 1; jwtkit_alg_name(n) != NULL; n++) {
        const char *name = jwtkit_alg_name(n);
        if (col + 1 + strlen(name) > 80) {
            fputs("\n           ", out);
            col = 11;
        }
        fprintf(out, " %s", name);
        col += 1 + strlen(name);
    }
    fputc('\n', out);
}

/* Builds the claims JSON from the positional arguments. */
static int build_claims(char **pos, int npos, struct buf *claims, char **to_free)
{
    int i;

    *to_free = NULL;
    if (npos == 1 && strcmp(pos[0], "-") == 0) {
        size_t len;

        if ((*to_free = read_stream(stdin, "stdin", &len)) == NULL)
            return EXIT_USAGE;
        return buf_add(claims, *to_free, len) ? EXIT_USAGE : 0;
    }
    if (npos == 1) {
        const char *s = pos[0];

        while (is_space(*s))
            s++;
        if (*s == '{')
            return buf_str(claims, pos[0]) ? EXIT_USAGE : 0;
    }
    if (buf_str(claims, "{"))
        return EXIT_USAGE;
    for (i = 0; i < npos; i++) {
        char *eq = strchr(pos[i], '=');
        int raw = eq != NULL && eq > pos[i] && eq[-1] == ':';
        char *name_end = raw ? eq - 1 : eq;
        char saved;

        if (eq == NULL || name_end == pos[i]) {
            msg("encode: '%s' is not a claim: use name=value, name:=JSON or one JSON object",
                printable(pos[i]));
            return EXIT_USAGE;
        }
        saved = *name_end;
        *name_end = '\0';
        if ((i > 0 && buf_str(claims, ",")) || buf_json_string(claims, pos[i]) ||
            buf_str(claims, ":") || (raw ? buf_str(claims, eq + 1) : buf_json_string(claims, eq + 1))) {
            *name_end = saved;
            return EXIT_USAGE;
        }
        *name_end = saved;
    }
    return buf_str(claims, "}") ? EXIT_USAGE : 0;
}

static int cmd_encode(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct key_source ks = {0};
    struct buf claims = {0};
    const char *alg_name = NULL, *exp_arg = NULL, *nbf = NULL, *iss = NULL, *sub = NULL;
    const char *kid = NULL, *typ = NULL, *header = NULL, *now_arg = NULL;
    const char *auds[64];
    char **pos = calloc((size_t)argc, sizeof *pos);
    char *claims_input = NULL, *token = NULL;
    int naud = 0, npos = 0, jti = 0, no_iat = 0, rc = EXIT_USAGE, i;
    jwtkit_alg alg = 0;
    const jwtkit_key *key = NULL;
    jwtkit_sign_options *opts = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st = JWTKIT_OK;
    int64_t now = (int64_t)time(NULL);
    uint64_t lifetime = 0;
    size_t token_len = 0;

    if (pos == NULL) {
        msg("out of memory");
        return EXIT_USAGE;
    }
    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(ENCODE_HELP, stdout);
            print_algorithms(stdout);
            rc = EXIT_VALID;
            goto out;
        } else if (opt(&a, "--alg", "-a", 1)) {
            alg_name = a.value;
        } else if (key_option(&a, &ks)) {
            /* recorded */
        } else if (opt(&a, "--exp", NULL, 1)) {
            exp_arg = a.value;
        } else if (opt(&a, "--nbf", NULL, 1)) {
            nbf = a.value;
        } else if (opt(&a, "--iss", NULL, 1)) {
            iss = a.value;
        } else if (opt(&a, "--sub", NULL, 1)) {
            sub = a.value;
        } else if (opt(&a, "--aud", NULL, 1)) {
            if (naud == (int)(sizeof auds / sizeof auds[0])) {
                msg("encode: too many --aud");
                goto out;
            }
            auds[naud++] = a.value;
        } else if (opt(&a, "--jti", NULL, 0)) {
            jti = 1;
        } else if (opt(&a, "--no-iat", NULL, 0)) {
            no_iat = 1;
        } else if (opt(&a, "--kid", NULL, 1)) {
            kid = a.value;
        } else if (opt(&a, "--typ", NULL, 1)) {
            typ = a.value;
        } else if (opt(&a, "--header", NULL, 1)) {
            header = a.value;
        } else if (opt(&a, "--now", NULL, 1)) {
            now_arg = a.value;
        } else if (a.usage_error) {
            goto out;
        } else if (arg[0] == '-' && arg[1] == '-' && arg[2] == '\0') {
            while (++a.i < argc)
                pos[npos++] = argv[a.i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            rc = bad_option("encode", arg);
            goto out;
        } else {
            pos[npos++] = argv[a.i];
        }
        if (a.usage_error)
            goto out;
    }

    if (alg_name == NULL) {
        msg("encode: --alg is required (see '%s encode --help')", prog);
        goto out;
    }
    if (parse_alg(alg_name, &alg))
        goto out;
    if (now_arg != NULL && parse_i64(now_arg, &now)) {
        msg("encode: --now needs Unix seconds, not '%s'", printable(now_arg));
        goto out;
    }
    if (exp_arg != NULL && parse_duration(exp_arg, &lifetime)) {
        msg("encode: --exp needs a duration such as 3600, 15m, 1h, 7d, not '%s'", printable(exp_arg));
        goto out;
    }
    if (build_claims(pos, npos, &claims, &claims_input))
        goto out;
    if (load_key(&ks, &key))
        goto out;

    rc = EXIT_INVALID;
    st = jwtkit_sign_options_new(&opts, &err);
    if (st == JWTKIT_OK)
        st = jwtkit_sign_options_set_now(opts, now, &err);
    if (st == JWTKIT_OK && no_iat)
        st = jwtkit_sign_options_set_issued_at(opts, false, &err);
    if (st == JWTKIT_OK && exp_arg != NULL)
        st = jwtkit_sign_options_set_lifetime(opts, lifetime, &err);
    if (st == JWTKIT_OK && nbf != NULL) {
        int64_t at;
        uint64_t d;

        if (nbf[0] == '+' && parse_duration(nbf + 1, &d) == 0) {
            at = now + (int64_t)d;
        } else if (parse_i64(nbf, &at) != 0) {
            msg("encode: --nbf needs Unix seconds or +DURATION, not '%s'", printable(nbf));
            rc = EXIT_USAGE;
            goto out;
        }
        st = jwtkit_sign_options_set_not_before(opts, at, &err);
    }
    if (st == JWTKIT_OK && iss != NULL)
        st = jwtkit_sign_options_set_issuer(opts, (const uint8_t *)iss, strlen(iss), &err);
    if (st == JWTKIT_OK && sub != NULL)
        st = jwtkit_sign_options_set_subject(opts, (const uint8_t *)sub, strlen(sub), &err);
    for (i = 0; st == JWTKIT_OK && i < naud; i++)
        st = jwtkit_sign_options_add_audience(opts, (const uint8_t *)auds[i], strlen(auds[i]), &err);
    if (st == JWTKIT_OK && jti)
        st = jwtkit_sign_options_set_random_jti(opts, true, &err);
    if (st == JWTKIT_OK && header != NULL)
        st = jwtkit_sign_options_merge_header_json(opts, (const uint8_t *)header, strlen(header), &err);
    if (st == JWTKIT_OK && kid != NULL)
        st = jwtkit_sign_options_set_header(opts, (const uint8_t *)"kid", 3, (const uint8_t *)kid,
                                            strlen(kid), &err);
    if (st == JWTKIT_OK && typ != NULL)
        st = jwtkit_sign_options_set_header(opts, (const uint8_t *)"typ", 3, (const uint8_t *)typ,
                                            strlen(typ), &err);
    if (st != JWTKIT_OK) {
        report("encode", st, err);
        rc = EXIT_USAGE;
        goto out;
    }
    st = jwtkit_sign_with_options(key, alg, (const uint8_t *)claims.data, claims.len, opts, &token,
                                  &token_len, &err);
    if (st != JWTKIT_OK) {
        report("encode", st, err);
        goto out;
    }
    fwrite(token, 1, token_len, stdout);
    fputc('\n', stdout);
    rc = EXIT_VALID;
out:
    jwtkit_string_free(token);
    jwtkit_sign_options_free(opts);
    jwtkit_key_free(key);
    free(claims.data);
    free(claims_input);
    free(pos);
    return rc;
}

/* ---- decode ----------------------------------------------------------------- */

static const char DECODE_HELP[] =
    "usage: jwtkit decode [options] [TOKEN]\n"
    "\n"
    "Shows a token's header and claims WITHOUT verifying anything: never trust what it\n"
    "prints; use 'jwtkit verify' for that. Times (exp, nbf, iat, auth_time) are shown\n"
    "as UTC dates. The token is read from standard input when TOKEN is absent or '-'.\n"
    "\n"
    "options:\n"
    "      --json        print {\"header\":...,\"claims\":...} on one line instead\n"
    "      --now UNIX    take this as the current time for the dates\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0 decoded, 1 not a well-formed JWT, 2 usage error.\n";

static int cmd_decode(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    const char *token_arg = NULL, *now_arg = NULL, *token;
    char *to_free = NULL, *header = NULL, *claims = NULL;
    size_t token_len = 0, header_len = 0, claims_len = 0;
    int json = 0, rc = EXIT_USAGE;
    int64_t now = (int64_t)time(NULL);
    jwtkit_error *err = NULL;
    jwtkit_status st;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(DECODE_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--json", NULL, 0)) {
            json = 1;
        } else if (opt(&a, "--now", NULL, 1)) {
            now_arg = a.value;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("decode", arg);
        } else if (token_arg != NULL) {
            msg("decode: one token at a time");
            return EXIT_USAGE;
        } else {
            token_arg = arg;
        }
    }
    if (now_arg != NULL && parse_i64(now_arg, &now)) {
        msg("decode: --now needs Unix seconds, not '%s'", printable(now_arg));
        return EXIT_USAGE;
    }
    if ((token = get_token(token_arg, &token_len, &to_free)) == NULL)
        return EXIT_USAGE;
    st = jwtkit_decode_unverified((const uint8_t *)token, token_len, &header, &header_len, &claims,
                                  &claims_len, &err);
    if (st != JWTKIT_OK) {
        report("decode", st, err);
        rc = EXIT_INVALID;
        goto out;
    }
    if (json) {
        printf("{\"header\":%s,\"claims\":%s}\n", header, claims);
    } else {
        fputs("Header (NOT verified)\n", stdout);
        print_json(stdout, header, header_len, 0, now);
        fputs("Claims (NOT verified)\n", stdout);
        print_json(stdout, claims, claims_len, 1, now);
    }
    rc = EXIT_VALID;
out:
    jwtkit_string_free(header);
    jwtkit_string_free(claims);
    free(to_free);
    return rc;
}

/* ---- verify ----------------------------------------------------------------- */

static const char VERIFY_HELP[] =
    "usage: jwtkit verify --alg ALG KEY [options] [TOKEN]\n"
    "\n"
    "Verifies a token's signature and claims and prints its claims JSON. The token is\n"
    "read from standard input when TOKEN is absent or '-'.\n"
    "\n"
    "KEY (exactly one):\n"
    "  -k, --key FILE          public (or private) key: PEM, DER or JWK\n"
    "      --jwks FILE         a JWK Set: the key is chosen by the token's kid\n"
    "      --jwks-url URL      a JWK Set fetched from URL (https): the key is chosen by kid\n"
    "      --issuer-discovery ISSUER\n"
    "                          OpenID Connect discovery: the JWK Set of ISSUER's jwks_uri\n"
    "                          (its configuration must name ISSUER exactly; --iss is\n"
    "                          still needed to check the token's iss)\n"
    "  -s, --secret STRING     HMAC secret (visible to other users in the process list)\n"
    "      --secret-file FILE  HMAC secret: the file's exact bytes\n"
    "      --allow-short-secret  accept a secret shorter than the hash (legacy only)\n"
    "\n"
    "with --jwks-url or --issuer-discovery:\n"
    "      --ca-file FILE      also trust the CA certificates in FILE (PEM; repeatable)\n"
    "      --allow-http        allow plain http:// URLs (tests only: keys fetched in clear\n"
    "                          can be replaced on the way)\n"
    "\n"
    "options:\n"
    "  -a, --alg ALG[,ALG...]  the algorithms to accept (required; repeatable)\n"
    "      --iss ISSUER        accept this issuer (repeat for several); iss is required\n"
    "      --aud AUDIENCE      accept this audience (repeat for several); aud is required\n"
    "      --ignore-aud        accept any aud (by default a token with aud needs --aud)\n"
    "      --sub SUBJECT       require this subject\n"
    "      --require CLAIM     require the claim to be present (repeatable)\n"
    "      --typ TYP           require this header typ\n"
    "      --leeway DURATION   clock skew tolerated on exp and nbf (default 0)\n"
    "      --max-age DURATION  refuse tokens issued (iat) longer ago than this\n"
    "      --now UNIX          take this as the current time\n"
    "  -q, --quiet             print nothing on success\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 valid, 1 invalid (the reason goes to standard error), 2 usage error\n"
    "(unknown option, unreadable or unusable key, a JWK Set that cannot be fetched, ...).\n";

struct list {
    const char *items[64];
    int n;
};

static int list_add(struct list *l, const char *v, const char *what)
{
    if (l->n == (int)(sizeof l->items / sizeof l->items[0])) {
        msg("too many %s", what);
        return -1;
    }
    l->items[l->n++] = v;
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct key_source ks = {0};
    struct list alg_args = {{0}, 0}, isss = {{0}, 0}, auds = {{0}, 0}, reqs = {{0}, 0};
    const char *token_arg = NULL, *sub = NULL, *typ = NULL, *leeway = NULL, *max_age = NULL;
    const char *now_arg = NULL, *token, *jwks = NULL;
    struct remote_keys rk = {NULL, NULL, {NULL}, 0, 0};
    const jwtkit_jwks_source *src = NULL;
    char *to_free = NULL, *claims = NULL;
    size_t token_len = 0, claims_len = 0;
    int quiet = 0, ignore_aud = 0, rc = EXIT_USAGE, i;
    const jwtkit_keyset *set = NULL;
    jwtkit_alg algs[32];
    size_t nalgs = 0;
    const jwtkit_key *key = NULL;
    jwtkit_validation *v = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    uint64_t leeway_s = 0, max_age_s = 0;
    int64_t now = 0;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(VERIFY_HELP, stdout);
            print_algorithms(stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--alg", "-a", 1)) {
            if (list_add(&alg_args, a.value, "--alg"))
                return EXIT_USAGE;
        } else if (opt(&a, "--jwks", NULL, 1)) {
            jwks = a.value;
        } else if (opt(&a, "--jwks-url", NULL, 1)) {
            rk.url = a.value;
        } else if (opt(&a, "--issuer-discovery", NULL, 1)) {
            rk.issuer = a.value;
        } else if (opt(&a, "--ca-file", NULL, 1)) {
            if (rk.n_ca_files == (int)(sizeof rk.ca_files / sizeof rk.ca_files[0])) {
                msg("too many --ca-file");
                return EXIT_USAGE;
            }
            rk.ca_files[rk.n_ca_files++] = a.value;
        } else if (opt(&a, "--allow-http", NULL, 0)) {
            rk.allow_http = 1;
        } else if (key_option(&a, &ks)) {
            /* recorded */
        } else if (opt(&a, "--iss", NULL, 1)) {
            if (list_add(&isss, a.value, "--iss"))
                return EXIT_USAGE;
        } else if (opt(&a, "--aud", NULL, 1)) {
            if (list_add(&auds, a.value, "--aud"))
                return EXIT_USAGE;
        } else if (opt(&a, "--require", NULL, 1)) {
            if (list_add(&reqs, a.value, "--require"))
                return EXIT_USAGE;
        } else if (opt(&a, "--ignore-aud", NULL, 0)) {
            ignore_aud = 1;
        } else if (opt(&a, "--sub", NULL, 1)) {
            sub = a.value;
        } else if (opt(&a, "--typ", NULL, 1)) {
            typ = a.value;
        } else if (opt(&a, "--leeway", NULL, 1)) {
            leeway = a.value;
        } else if (opt(&a, "--max-age", NULL, 1)) {
            max_age = a.value;
        } else if (opt(&a, "--now", NULL, 1)) {
            now_arg = a.value;
        } else if (opt(&a, "--quiet", "-q", 0)) {
            quiet = 1;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("verify", arg);
        } else if (token_arg != NULL) {
            msg("verify: one token at a time");
            return EXIT_USAGE;
        } else {
            token_arg = arg;
        }
        if (a.usage_error)
            return EXIT_USAGE;
    }

    /* the allow-list: every --alg, each possibly a comma-separated list */
    for (i = 0; i < alg_args.n; i++) {
        const char *p = alg_args.items[i];

        while (*p) {
            char name[32];
            size_t n = strcspn(p, ",");

            if (n == 0 || n >= sizeof name || nalgs == sizeof algs / sizeof algs[0]) {
                msg("verify: bad --alg '%s'", printable(alg_args.items[i]));
                return EXIT_USAGE;
            }
            memcpy(name, p, n);
            name[n] = '\0';
            if (parse_alg(name, &algs[nalgs++]))
                return EXIT_USAGE;
            p += n;
            if (*p == ',')
                p++;
        }
    }
    if (nalgs == 0) {
        msg("verify: --alg is required: name the algorithms you accept (see '%s verify --help')", prog);
        return EXIT_USAGE;
    }
    if (leeway != NULL && parse_duration(leeway, &leeway_s)) {
        msg("verify: --leeway needs a duration such as 30, 30s, 2m, not '%s'", printable(leeway));
        return EXIT_USAGE;
    }
    if (max_age != NULL && parse_duration(max_age, &max_age_s)) {
        msg("verify: --max-age needs a duration such as 3600, 1h, 7d, not '%s'", printable(max_age));
        return EXIT_USAGE;
    }
    if (now_arg != NULL && parse_i64(now_arg, &now)) {
        msg("verify: --now needs Unix seconds, not '%s'", printable(now_arg));
        return EXIT_USAGE;
    }
    if ((rk.n_ca_files > 0 || rk.allow_http) && rk.url == NULL && rk.issuer == NULL) {
        msg("verify: --ca-file and --allow-http go with --jwks-url or --issuer-discovery");
        return EXIT_USAGE;
    }
    if (rk.url != NULL || rk.issuer != NULL) {
        if (jwks != NULL || ks.key_file != NULL || ks.secret != NULL || ks.secret_file != NULL ||
            (rk.url != NULL && rk.issuer != NULL)) {
            msg("verify: give one of --key, --secret, --secret-file, --jwks, --jwks-url, --issuer-discovery");
            return EXIT_USAGE;
        }
    } else if (jwks != NULL) {
        if (ks.key_file != NULL || ks.secret != NULL || ks.secret_file != NULL) {
            msg("verify: give either --jwks or a key, not both");
            return EXIT_USAGE;
        }
        if (load_keyset(jwks, 0, &set))
            return EXIT_USAGE;
    } else if (ks.key_file == NULL && ks.secret == NULL && ks.secret_file == NULL) {
        msg("a key is needed: --key FILE, --secret STRING, --secret-file FILE, --jwks FILE, --jwks-url URL or "
            "--issuer-discovery ISSUER");
        return EXIT_USAGE;
    } else if (load_key(&ks, &key)) {
        return EXIT_USAGE;
    }

    st = jwtkit_validation_new(algs, nalgs, &v, &err);
    if (st == JWTKIT_OK && leeway != NULL)
        st = jwtkit_validation_set_leeway(v, leeway_s, &err);
    if (st == JWTKIT_OK && max_age != NULL)
        st = jwtkit_validation_set_max_age(v, max_age_s, &err);
    if (st == JWTKIT_OK && now_arg != NULL)
        st = jwtkit_validation_set_now(v, now, &err);
    for (i = 0; st == JWTKIT_OK && i < isss.n; i++)
        st = jwtkit_validation_add_issuer(v, (const uint8_t *)isss.items[i], strlen(isss.items[i]), &err);
    for (i = 0; st == JWTKIT_OK && i < auds.n; i++)
        st = jwtkit_validation_add_audience(v, (const uint8_t *)auds.items[i], strlen(auds.items[i]), &err);
    for (i = 0; st == JWTKIT_OK && i < reqs.n; i++)
        st = jwtkit_validation_require_claim(v, (const uint8_t *)reqs.items[i], strlen(reqs.items[i]), &err);
    if (st == JWTKIT_OK && ignore_aud)
        st = jwtkit_validation_disable_checks(v, JWTKIT_CHECK_AUD, &err);
    if (st == JWTKIT_OK && sub != NULL)
        st = jwtkit_validation_set_subject(v, (const uint8_t *)sub, strlen(sub), &err);
    if (st == JWTKIT_OK && typ != NULL)
        st = jwtkit_validation_set_typ(v, (const uint8_t *)typ, strlen(typ), &err);
    if (st != JWTKIT_OK) {
        report("verify", st, err);
        goto out;
    }

    /* the token first (a usage error there needs no fetch), then the remote keys */
    if ((token = get_token(token_arg, &token_len, &to_free)) == NULL)
        goto out;
    if ((rk.url != NULL || rk.issuer != NULL) && load_remote_keys(&rk, &src))
        goto out;
    if (src != NULL)
        st = jwtkit_verify_with_source((const uint8_t *)token, token_len, src, v, NULL, NULL, &claims, &claims_len,
                                       &err);
    else if (set != NULL)
        st = jwtkit_verify_with_keyset((const uint8_t *)token, token_len, set, v, NULL, NULL, &claims,
                                       &claims_len, &err);
    else
        st = jwtkit_verify((const uint8_t *)token, token_len, key, v, NULL, NULL, &claims, &claims_len,
                           &err);
    if (st == JWTKIT_ERR_KEY_SOURCE) { /* the keys went away (stale set), not the token's fault */
        report(rk.url != NULL ? rk.url : rk.issuer, st, err);
        goto out;
    }
    if (st != JWTKIT_OK) {
        report("invalid token", st, err);
        rc = EXIT_INVALID;
        goto out;
    }
    if (!quiet) {
        fwrite(claims, 1, claims_len, stdout);
        fputc('\n', stdout);
    }
    rc = EXIT_VALID;
out:
    jwtkit_string_free(claims);
    jwtkit_validation_free(v);
    jwtkit_keyset_free(set);
    jwtkit_jwks_source_free(src);
    jwtkit_key_free(key);
    free(to_free);
    return rc;
}

/* ---- keygen ----------------------------------------------------------------- */

static const char KEYGEN_HELP[] =
    "usage: jwtkit keygen --alg ALG [options]\n"
    "\n"
    "Generates a new random key for ALG from the system's random source and prints it:\n"
    "an HMAC secret as long as the hash (HS*), an RSA key pair of --bits bits (RS*, PS*;\n"
    "2048, 3072 or 4096, required: 4096 takes seconds), or a key pair for any other\n"
    "algorithm listed below.\n"
    "\n"
    "The private key is printed as a JWK restricted to ALG, whose kid is its RFC 7638\n"
    "thumbprint unless --kid says otherwise; with --pem as PKCS#8 PEM instead (key\n"
    "pairs only; PEM has no kid or alg). It is a SECRET: prefer --out.\n"
    "\n"
    "options:\n"
    "  -a, --alg ALG            the algorithm the key is for (required)\n"
    "      --kid KID            the key's kid (default: its thumbprint)\n"
    "      --bits BITS          RSA key size: 2048, 3072 or 4096 (RS* and PS* only)\n"
    "      --pem                PEM instead of JWK\n"
    "  -o, --out FILE           write the private key to FILE, a new file of mode 0600\n"
    "      --public-out FILE    write the public key (JWK, or PEM with --pem) to FILE\n"
    "      --public-jwks FILE   write the public key as a JWK Set to FILE, for\n"
    "                           'jwtkit verify --jwks FILE'\n"
    "      --force              replace output files that exist (refused without it)\n"
    "  -h, --help               this help\n"
    "\n"
    "\n"
    "Each FILE is written under a random temporary name in its directory, synced, then\n"
    "moved into place: it never holds part of a key, and an existing FILE is kept unless\n"
    "--force is given. A symbolic link at FILE is refused, never followed or replaced.\n"
    "The FILEs must be different files; when one cannot be written, none is left.\n"
    "\n"
    "Exit status: 0 generated, 1 jwtkit refused (an RSA size it does not make, ...), 2\n"
    "usage or file error.\n";

/* Checks an output path before anything is generated, so that a refusal leaves no file
 * behind: a symbolic link is refused always (writing through it would put the key where
 * the link points), an existing file unless `force`. place_output checks again, atomically. */
static int check_output(const char *path, int force)
{
    struct stat st;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        msg("%s: %s", printable(path), strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        msg("%s: is a symbolic link; refusing to write through or replace it", printable(path));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        msg("%s: is a directory", printable(path));
        return -1;
    }
    if (!force) {
        msg("%s: exists; refusing to overwrite it (--force replaces it)", printable(path));
        return -1;
    }
    return 0;
}

/* `path` with "//", "." components and a trailing "/" removed (".." is kept: only the
 * file system knows where it leads). Returns a new string, or NULL without memory. */
static char *lexical_path(const char *path)
{
    char *out = malloc(strlen(path) + 2), *o = out;
    const char *p = path;

    if (out == NULL)
        return NULL;
    if (*p == '/')
        *o++ = '/';
    while (*p) {
        size_t n;

        while (*p == '/')
            p++;
        n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.')) {
            p += n;
            continue;
        }
        if (o > out && o[-1] != '/')
            *o++ = '/';
        memcpy(o, p, n);
        o += n;
        p += n;
    }
    if (o == out)
        *o++ = '.';
    *o = '\0';
    return out;
}

/* A name for the file `path` would create: its directory resolved by realpath() (which
 * follows symbolic links and "..", so "d/k", "./d//k" and "link-to-d/k" agree), then its
 * last component; when the directory cannot be resolved, which also means nothing can
 * be written there, the path itself with "//" and "." components removed. */
static char *output_identity(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    const char *base = slash == NULL ? path : slash + 1;
    char *dir = malloc(dir_len + 1), *real = NULL, *joined, *id;

    if (dir == NULL)
        return NULL;
    memcpy(dir, slash == NULL ? "." : path, dir_len);
    dir[dir_len] = '\0';
    real = realpath(dir, NULL);
    joined = malloc(strlen(real != NULL ? real : dir) + strlen(base) + 2);
    if (joined != NULL) {
        strcpy(joined, real != NULL ? real : dir);
        strcat(joined, "/");
        strcat(joined, base);
    }
    id = joined != NULL ? lexical_path(joined) : NULL;
    free(joined);
    free(real);
    free(dir);
    return id;
}

struct output {
    const char *option; /* the option that named it: "--out", ... */
    const char *path;
    char *tmp;          /* the staged temporary file, until it is placed */
    dev_t dev;          /* the file this run wrote, to recognise it at `path` */
    ino_t ino;
    int placed;
};

/* Refuses two outputs naming one file: the second write would replace the first (with
 * --force the private key would silently become the public one) or be refused after the
 * first was placed. Two names are the same file when their identities match (see
 * output_identity) or, for files that exist, their device and inode do (hard links, bind
 * mounts, a case-insensitive file system). Returns 0, or -1 after a message. */
static int check_distinct_outputs(const struct output *outs, size_t n)
{
    char *ids[8] = {0};
    size_t i, j;
    int rc = 0;

    if (n > sizeof ids / sizeof ids[0])
        return -1;
    for (i = 0; i < n && rc == 0; i++)
        if ((ids[i] = output_identity(outs[i].path)) == NULL) {
            msg("out of memory");
            rc = -1;
        }
    for (i = 0; i < n && rc == 0; i++)
        for (j = i + 1; j < n && rc == 0; j++) {
            struct stat a, b;

            if (strcmp(ids[i], ids[j]) == 0 ||
                (stat(outs[i].path, &a) == 0 && stat(outs[j].path, &b) == 0 &&
                 a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
                msg("keygen: %s %s and %s %s are the same file; give each output its own",
                    outs[i].option, printable(outs[i].path), outs[j].option, printable(outs[j].path));
                rc = -1;
            }
        }
    for (i = 0; i < n; i++)
        free(ids[i]);
    return rc;
}

/* `n` (at most 32) random characters of [a-z0-9] from /dev/urandom. */
static int random_name(char *out, size_t n)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[32];
    size_t got = 0, i;
    int fd;

    if (n > sizeof bytes)
        return -1;
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (got < n) {
        ssize_t r = read(fd, bytes + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    close(fd);
    for (i = 0; i < n; i++)
        out[i] = chars[bytes[i] % (sizeof chars - 1)];
    return 0;
}

/* Writes `data` and a newline to a new temporary file in the directory of `o->path`,
 * created with `mode`; place_output then puts it in place. All outputs are staged before
 * any is placed, so that a file that cannot be written (no such directory, no
 * permission, a full disk) fails the command before anything exists under an output's
 * name, and --force has replaced nothing yet.
 *
 * The temporary file's name has 16 random characters and it is opened with
 * O_CREAT|O_EXCL|O_NOFOLLOW: nobody can have created it in advance (with looser
 * permissions, or as a symlink to elsewhere), so the key is never written into a file
 * another user can read or chose. It is fsync'ed before it is placed, so a reader never
 * sees a half-written key. */
static int stage_output(struct output *o, const char *data, size_t len, mode_t mode, int force)
{
    const char *path = o->path, *slash = strrchr(path, '/');
    size_t dir_len = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    const char *dir = slash == NULL ? "." : path;
    static const char prefix[] = "/.jwtkit-tmp-";
    char *tmp = malloc(dir_len + sizeof prefix + 16 + 4);
    int fd = -1, tries;
    size_t done = 0;
    struct stat st;

    if (tmp == NULL) {
        msg("%s: out of memory", printable(path));
        return -1;
    }
    if (check_output(path, force) != 0)
        goto fail_free;
    memcpy(tmp, dir, dir_len);
    memcpy(tmp + dir_len, prefix, sizeof prefix - 1);
    for (tries = 0; tries < 100 && fd < 0; tries++) {
        char *name = tmp + dir_len + sizeof prefix - 1;

        if (random_name(name, 16) != 0) {
            msg("%s: cannot read /dev/urandom for a temporary name", printable(path));
            goto fail_free;
        }
        memcpy(name + 16, ".tmp", 5);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) {
            msg("%s: cannot create a file in its directory: %s", printable(path), strerror(errno));
            goto fail_free;
        }
    }
    if (fd < 0) {
        msg("%s: no free temporary name after %d tries", printable(path), tries);
        goto fail_free;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            msg("%s: %s", printable(tmp), strerror(errno));
            goto fail_unlink;
        }
        done += (size_t)n;
    }
    if (write(fd, "\n", 1) != 1 || fsync(fd) != 0 || fstat(fd, &st) != 0) {
        msg("%s: %s", printable(tmp), strerror(errno));
        goto fail_unlink;
    }
    o->dev = st.st_dev;
    o->ino = st.st_ino;
    if (close(fd) != 0) {
        fd = -1;
        msg("%s: %s", printable(tmp), strerror(errno));
        goto fail_unlink;
    }
    o->tmp = tmp;
    return 0;
fail_unlink:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
fail_free:
    free(tmp);
    return -1;
}

/* Puts the staged file in place: with link(), which fails if `path` exists (no
 * overwrite, no race), or with --force by rename(), which replaces the old file (or a
 * symlink just made there) without following it. */
static int place_output(struct output *o, int force)
{
    const char *path = o->path;
    char *tmp = o->tmp, *dir_end = strrchr(tmp, '/');
    int rc = -1;

    if (force) {
        if (rename(tmp, path) != 0) {
            msg("%s: %s", printable(path), strerror(errno));
            goto out;
        }
        o->placed = 1;
    } else if (link(tmp, path) != 0) {
        int link_errno = errno;
        struct stat st;

        if (link_errno != EPERM && link_errno != ENOTSUP) {
            if (link_errno == EEXIST)
                msg("%s: exists; refusing to overwrite it (--force replaces it)", printable(path));
            else
                msg("%s: %s", printable(path), strerror(link_errno));
            goto out;
        }
        /* A file system without hard links: rename() if the name is still free. Only a
         * file created in the moment between the two calls could be replaced, and a
         * symlink there would be replaced, not followed. */
        if (lstat(path, &st) == 0 || errno != ENOENT) {
            msg("%s: exists or cannot be checked; refusing to overwrite it", printable(path));
            goto out;
        }
        if (rename(tmp, path) != 0) {
            msg("%s: %s", printable(path), strerror(errno));
            goto out;
        }
        o->placed = 1;
    } else {
        o->placed = 1;
        unlink(tmp); /* the temporary second name of the new file */
    }
    rc = 0;
    /* Best effort: make the new directory entry durable too. */
    *dir_end = '\0';
    {
        int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    o->tmp = NULL;
    return rc;
out:
    unlink(tmp);
    free(tmp);
    o->tmp = NULL;
    return rc;
}

/* Whether `path` still names the file this run placed there. */
static int output_is_ours(const struct output *o)
{
    struct stat st;

    return o->placed && lstat(o->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == o->dev &&
           st.st_ino == o->ino;
}

/* After a failure: removes the staged temporary file, and the placed file if `path`
 * still names the one this run wrote (never a file someone else put there since), so
 * that a failed keygen leaves no key behind, in particular no private key whose public
 * half was never written. */
static void discard_output(struct output *o)
{
    if (o->tmp != NULL) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    if (output_is_ours(o) && unlink(o->path) == 0)
        msg("keygen: removed %s, written before the failure", printable(o->path));
    o->placed = 0;
}

static void wipe_free(char *s, size_t len)
{
    if (s != NULL) {
        volatile char *p = s;
        size_t i;

        for (i = 0; i < len; i++)
            p[i] = 0;
        jwtkit_string_free(s);
    }
}

static int cmd_keygen(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    const char *alg_name = NULL, *kid = NULL, *out = NULL, *public_out = NULL, *public_jwks = NULL;
    const char *bits_arg = NULL;
    int pem = 0, force = 0, rc = EXIT_USAGE, rsa;
    int64_t bits = 0;
    jwtkit_alg alg = 0;
    const jwtkit_key *generated = NULL, *key = NULL;
    const jwtkit_keyset *set = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *thumb = NULL, *priv = NULL, *pub = NULL, *jwks = NULL;
    size_t priv_len = 0, pub_len = 0, jwks_len = 0;
    /* every file output; data and mode are filled in once the key exists */
    struct output outs[3];
    const char *data[3];
    size_t lens[3], nouts = 0, i;
    mode_t modes[3];

    memset(outs, 0, sizeof outs);
    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(KEYGEN_HELP, stdout);
            print_algorithms(stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--alg", "-a", 1)) {
            alg_name = a.value;
        } else if (opt(&a, "--kid", NULL, 1)) {
            kid = a.value;
        } else if (opt(&a, "--pem", NULL, 0)) {
            pem = 1;
        } else if (opt(&a, "--bits", NULL, 1)) {
            bits_arg = a.value;
        } else if (opt(&a, "--out", "-o", 1)) {
            out = a.value;
        } else if (opt(&a, "--public-out", NULL, 1)) {
            public_out = a.value;
        } else if (opt(&a, "--public-jwks", NULL, 1)) {
            public_jwks = a.value;
        } else if (opt(&a, "--force", NULL, 0)) {
            force = 1;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else {
            return arg[0] == '-' ? bad_option("keygen", arg)
                                 : (msg("keygen: unexpected argument '%s'", printable(arg)), EXIT_USAGE);
        }
    }
    if (alg_name == NULL) {
        msg("keygen: --alg is required (see '%s keygen --help')", prog);
        return EXIT_USAGE;
    }
    if (parse_alg(alg_name, &alg))
        return EXIT_USAGE;
    rsa = jwtkit_alg_name(alg)[0] == 'R' || jwtkit_alg_name(alg)[0] == 'P';
    if (rsa && bits_arg == NULL) {
        msg("keygen: %s needs --bits: 2048, 3072 or 4096", jwtkit_alg_name(alg));
        return EXIT_USAGE;
    }
    if (!rsa && bits_arg != NULL) {
        msg("keygen: --bits is for RSA keys (RS*, PS*), not %s", jwtkit_alg_name(alg));
        return EXIT_USAGE;
    }
    if (bits_arg != NULL && (parse_i64(bits_arg, &bits) || bits < 0 || bits > UINT32_MAX)) {
        msg("keygen: --bits needs a number of bits, not '%s'", printable(bits_arg));
        return EXIT_USAGE;
    }
    if (out != NULL)
        outs[nouts].option = "--out", outs[nouts++].path = out;
    if (public_out != NULL)
        outs[nouts].option = "--public-out", outs[nouts++].path = public_out;
    if (public_jwks != NULL)
        outs[nouts].option = "--public-jwks", outs[nouts++].path = public_jwks;
    if (check_distinct_outputs(outs, nouts) != 0)
        return EXIT_USAGE;
    for (i = 0; i < nouts; i++)
        if (check_output(outs[i].path, force) != 0)
            return EXIT_USAGE;

    rc = EXIT_INVALID;
    st = rsa ? jwtkit_key_generate_rsa(alg, (uint32_t)bits, &generated, &err)
             : jwtkit_key_generate(alg, &generated, &err);
    if (st == JWTKIT_OK && kid == NULL)
        st = jwtkit_key_thumbprint(generated, &thumb, NULL, &err);
    if (st == JWTKIT_OK)
        st = jwtkit_key_with_kid(generated, (const uint8_t *)(kid ? kid : thumb),
                                 strlen(kid ? kid : thumb), &key, &err);
    if (st == JWTKIT_OK)
        st = pem ? jwtkit_key_to_private_pem(key, &priv, &priv_len, &err)
                 : jwtkit_key_to_private_jwk(key, &priv, &priv_len, &err);
    if (st == JWTKIT_OK && public_out != NULL)
        st = pem ? jwtkit_key_to_public_pem(key, &pub, &pub_len, &err)
                 : jwtkit_key_to_public_jwk(key, &pub, &pub_len, &err);
    if (st == JWTKIT_OK && public_jwks != NULL) {
        st = jwtkit_keyset_from_keys(&key, 1, &set, &err);
        if (st == JWTKIT_OK)
            st = jwtkit_keyset_to_public_jwks(set, &jwks, &jwks_len, &err);
    }
    if (st != JWTKIT_OK) {
        report("keygen", st, err);
        goto out;
    }
    rc = EXIT_USAGE;
    /* PEM output ends with a newline already; stage_output adds one */
    if (pem && priv_len > 0 && priv[priv_len - 1] == '\n')
        priv_len--;
    if (pem && pub != NULL && pub_len > 0 && pub[pub_len - 1] == '\n')
        pub_len--;
    for (i = 0; i < nouts; i++) {
        const char *path = outs[i].path;

        data[i] = path == out ? priv : path == public_out ? pub : jwks;
        lens[i] = path == out ? priv_len : path == public_out ? pub_len : jwks_len;
        modes[i] = path == out ? 0600 : 0644;
    }
    /* Everything is written before anything is placed, and a failure at any step
     * removes what this run placed: the outputs exist all together or not at all. */
    for (i = 0; i < nouts; i++)
        if (stage_output(&outs[i], data[i], lens[i], modes[i], force) != 0)
            goto out;
    for (i = 0; i < nouts; i++)
        if (place_output(&outs[i], force) != 0)
            goto out;
    /* Each output must still be the file written for it: names that the checks above
     * could not tell apart (a case-insensitive file system) would have replaced one. */
    for (i = 0; i < nouts; i++)
        if (!output_is_ours(&outs[i])) {
            msg("%s: replaced by another output or process while keygen ran", printable(outs[i].path));
            goto out;
        }
    if (out == NULL &&
        (fwrite(priv, 1, priv_len, stdout) != priv_len || fputc('\n', stdout) == EOF ||
         fflush(stdout) != 0))
        goto out; /* main() reports the write error */
    rc = EXIT_VALID;
out:
    if (rc != EXIT_VALID)
        for (i = 0; i < nouts; i++)
            discard_output(&outs[i]);
    wipe_free(priv, priv_len);
    jwtkit_string_free(pub);
    jwtkit_string_free(jwks);
    jwtkit_string_free(thumb);
    jwtkit_keyset_free(set);
    jwtkit_key_free(key);
    jwtkit_key_free(generated);
    return rc;
}

/* ---- thumbprint ------------------------------------------------------------- */

static const char THUMBPRINT_HELP[] =
    "usage: jwtkit thumbprint [KEY | --jwks FILE]\n"
    "\n"
    "Prints the RFC 7638 JWK thumbprint of a key (base64url SHA-256, 43 characters),\n"
    "the usual kid. A private key gives the thumbprint of its public half. With --jwks,\n"
    "one line per usable key of the set: the thumbprint, then the kid if it has one.\n"
    "\n"
    "KEY (exactly one):\n"
    "  FILE, -k, --key FILE    PEM, DER or JWK (none or '-': standard input)\n"
    "  -s, --secret STRING     HMAC secret\n"
    "      --secret-file FILE  HMAC secret: the file's exact bytes\n"
    "      --jwks FILE         every key of a JWK Set\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 printed, 2 usage error or unusable key.\n";

static int print_thumbprint(const jwtkit_key *key, int with_kid)
{
    jwtkit_error *err = NULL;
    char *thumb = NULL, *kid = NULL;
    jwtkit_status st = jwtkit_key_thumbprint(key, &thumb, NULL, &err);

    if (st == JWTKIT_OK && with_kid)
        st = jwtkit_key_kid(key, &kid, NULL, &err);
    if (st != JWTKIT_OK) {
        report("thumbprint", st, err);
        jwtkit_string_free(thumb);
        return EXIT_USAGE;
    }
    printf("%s%s%s\n", thumb, kid ? " " : "", kid ? kid : "");
    jwtkit_string_free(kid);
    jwtkit_string_free(thumb);
    return 0;
}

static int cmd_thumbprint(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct key_source ks = {0};
    const char *jwks = NULL;
    const jwtkit_key *key = NULL;
    const jwtkit_keyset *set = NULL;
    size_t i;
    int rc = EXIT_USAGE;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(THUMBPRINT_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--jwks", NULL, 1)) {
            jwks = a.value;
        } else if (key_option(&a, &ks)) {
            /* recorded */
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("thumbprint", arg);
        } else if (ks.key_file != NULL) {
            msg("thumbprint: one key at a time");
            return EXIT_USAGE;
        } else {
            ks.key_file = arg;
        }
    }
    if (jwks != NULL) {
        if (ks.key_file != NULL || ks.secret != NULL || ks.secret_file != NULL) {
            msg("thumbprint: give either --jwks or a key, not both");
            return EXIT_USAGE;
        }
        if (load_keyset(jwks, 0, &set))
            return EXIT_USAGE;
        for (i = 0; i < jwtkit_keyset_len(set); i++) {
            jwtkit_error *err = NULL;
            jwtkit_status st = jwtkit_keyset_get(set, i, &key, &err);

            if (st != JWTKIT_OK) {
                report("thumbprint", st, err);
                goto out;
            }
            if (print_thumbprint(key, 1))
                goto out;
            jwtkit_key_free(key);
            key = NULL;
        }
        rc = EXIT_VALID;
        goto out;
    }
    if (ks.key_file == NULL && ks.secret == NULL && ks.secret_file == NULL)
        ks.key_file = "-"; /* the key from standard input */
    if (load_key(&ks, &key))
        return EXIT_USAGE;
    if (print_thumbprint(key, 0) == 0)
        rc = EXIT_VALID;
out:
    jwtkit_key_free(key);
    jwtkit_keyset_free(set);
    return rc;
}

/* ---- dpop ------------------------------------------------------------------- */

static const char DPOP_HELP[] =
    "usage: jwtkit dpop proof --key FILE --alg ALG --method METHOD --uri URI [options]\n"
    "       jwtkit dpop verify --alg ALG[,ALG...] --method METHOD --uri URI [options] [PROOF]\n"
    "\n"
    "DPoP proofs of possession (RFC 9449).\n"
    "\n"
    "'dpop proof' signs a proof for one HTTP request with a private key (RSA, EC or\n"
    "Ed25519: PEM, DER or JWK) and prints it, for the request's DPoP header. It carries\n"
    "a fresh random jti, iat now, and the key's public half in its jwk header.\n"
    "  -k, --key FILE          the client's private key\n"
    "  -a, --alg ALG           its algorithm (ES256, EdDSA, RS256, PS256, ...; never HMAC)\n"
    "      --method METHOD     the request's method (htm), e.g. GET\n"
    "      --uri URI           the request's absolute URI (htu: its query and fragment are\n"
    "                          left out)\n"
    "      --access-token TOKEN  the access token the request presents (ath)\n"
    "      --nonce NONCE       the nonce the server asked for (DPoP-Nonce)\n"
    "      --iat UNIX          issue the proof at this time instead of now\n"
    "\n"
    "'dpop verify' checks a proof (read from standard input when PROOF is absent or\n"
    "'-') for a request, every check of RFC 9449 section 4.3, and prints\n"
    "{\"jkt\":THUMBPRINT,\"iat\":IAT,\"claims\":CLAIMS}: jkt is what a token bound to the\n"
    "proof's key carries as cnf.jkt.\n"
    "  -a, --alg ALG[,ALG...]  the asymmetric algorithms to accept (required; repeatable)\n"
    "      --method METHOD     the request's method\n"
    "      --uri URI           the request's absolute URI (compared after normalisation)\n"
    "      --access-token TOKEN  the access token the request presents: ath must match\n"
    "      --nonce NONCE       the nonce the server expects\n"
    "      --max-age DURATION  oldest accepted iat (default 300s)\n"
    "      --leeway DURATION   how far iat may be ahead of the clock (default 30s)\n"
    "      --max-proof-len N   longest proof accepted, in bytes (default 8192)\n"
    "      --now UNIX          take this as the current time\n"
    "  -q, --quiet             print nothing on success\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 the proof was printed, or is valid; 1 jwtkit refused to sign, or the\n"
    "proof is invalid (the reason and its status name go to standard error: a server\n"
    "answers invalid_dpop_proof, or use_dpop_nonce for JWTKIT_ERR_DPOP_NONCE); 2 usage\n"
    "error (unknown option, unreadable or unusable key, a URI that is not absolute, ...).\n";

/* The comma-separated names of each --alg into `algs`. Returns 0, or -1 after a message. */
static int parse_alg_list(const struct list *args, jwtkit_alg *algs, size_t max, size_t *n, const char *cmd)
{
    int i;

    for (i = 0; i < args->n; i++) {
        const char *p = args->items[i];

        while (*p) {
            char name[32];
            size_t len = strcspn(p, ",");

            if (len == 0 || len >= sizeof name || *n == max) {
                msg("%s: bad --alg '%s'", cmd, printable(args->items[i]));
                return -1;
            }
            memcpy(name, p, len);
            name[len] = '\0';
            if (parse_alg(name, &algs[(*n)++]))
                return -1;
            p += len;
            if (*p == ',')
                p++;
        }
    }
    return 0;
}

static int dpop_proof(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct key_source ks = {0};
    const char *alg_name = NULL, *method = NULL, *uri = NULL, *token = NULL, *nonce = NULL, *iat_arg = NULL;
    const jwtkit_key *key = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    jwtkit_alg alg;
    char *proof = NULL;
    size_t proof_len = 0;
    int64_t iat = 0;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(DPOP_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--alg", "-a", 1)) {
            alg_name = a.value;
        } else if (opt(&a, "--key", "-k", 1)) {
            ks.key_file = a.value;
        } else if (opt(&a, "--method", NULL, 1)) {
            method = a.value;
        } else if (opt(&a, "--uri", NULL, 1)) {
            uri = a.value;
        } else if (opt(&a, "--access-token", NULL, 1)) {
            token = a.value;
        } else if (opt(&a, "--nonce", NULL, 1)) {
            nonce = a.value;
        } else if (opt(&a, "--iat", NULL, 1)) {
            iat_arg = a.value;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else {
            return arg[0] == '-' ? bad_option("dpop proof", arg) : (msg("dpop proof: unexpected '%s'", printable(arg)),
                                                                  EXIT_USAGE);
        }
        if (a.usage_error)
            return EXIT_USAGE;
    }
    if (alg_name == NULL || method == NULL || uri == NULL || ks.key_file == NULL) {
        msg("dpop proof: --key, --alg, --method and --uri are required (see '%s dpop --help')", prog);
        return EXIT_USAGE;
    }
    if (iat_arg != NULL && parse_i64(iat_arg, &iat)) {
        msg("dpop proof: --iat needs Unix seconds, not '%s'", printable(iat_arg));
        return EXIT_USAGE;
    }
    if (parse_alg(alg_name, &alg) || load_key(&ks, &key))
        return EXIT_USAGE;
    st = jwtkit_dpop_create_proof(key, alg, (const uint8_t *)method, strlen(method), (const uint8_t *)uri,
                                  strlen(uri), (const uint8_t *)token, token ? strlen(token) : 0,
                                  (const uint8_t *)nonce, nonce ? strlen(nonce) : 0, iat_arg ? &iat : NULL, &proof,
                                  &proof_len, &err);
    jwtkit_key_free(key);
    if (st != JWTKIT_OK) {
        report("dpop proof", st, err);
        return st == JWTKIT_ERR_INVALID_ARGUMENT || st == JWTKIT_ERR_NULL_ARGUMENT ? EXIT_USAGE : EXIT_INVALID;
    }
    fwrite(proof, 1, proof_len, stdout);
    fputc('\n', stdout);
    jwtkit_string_free(proof);
    return EXIT_VALID;
}

static int dpop_verify(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct list alg_args = {{0}, 0};
    const char *method = NULL, *uri = NULL, *token = NULL, *nonce = NULL, *proof_arg = NULL, *proof;
    const char *max_age = NULL, *leeway = NULL, *now_arg = NULL, *max_len_arg = NULL;
    jwtkit_alg algs[32];
    size_t nalgs = 0, proof_len = 0, jkt_len = 0, claims_len = 0;
    uint64_t max_age_s = 300, leeway_s = 30, max_len = 0;
    int64_t now = 0, iat = 0;
    jwtkit_dpop_policy *policy = NULL;
    jwtkit_dpop_proof *verified = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *to_free = NULL, *jkt = NULL, *claims = NULL;
    int quiet = 0, rc = EXIT_USAGE;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(DPOP_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--alg", "-a", 1)) {
            if (list_add(&alg_args, a.value, "--alg"))
                return EXIT_USAGE;
        } else if (opt(&a, "--method", NULL, 1)) {
            method = a.value;
        } else if (opt(&a, "--uri", NULL, 1)) {
            uri = a.value;
        } else if (opt(&a, "--access-token", NULL, 1)) {
            token = a.value;
        } else if (opt(&a, "--nonce", NULL, 1)) {
            nonce = a.value;
        } else if (opt(&a, "--max-age", NULL, 1)) {
            max_age = a.value;
        } else if (opt(&a, "--leeway", NULL, 1)) {
            leeway = a.value;
        } else if (opt(&a, "--max-proof-len", NULL, 1)) {
            max_len_arg = a.value;
        } else if (opt(&a, "--now", NULL, 1)) {
            now_arg = a.value;
        } else if (opt(&a, "--quiet", "-q", 0)) {
            quiet = 1;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("dpop verify", arg);
        } else if (proof_arg != NULL) {
            msg("dpop verify: one proof at a time");
            return EXIT_USAGE;
        } else {
            proof_arg = arg;
        }
        if (a.usage_error)
            return EXIT_USAGE;
    }
    if (parse_alg_list(&alg_args, algs, sizeof algs / sizeof algs[0], &nalgs, "dpop verify"))
        return EXIT_USAGE;
    if (nalgs == 0 || method == NULL || uri == NULL) {
        msg("dpop verify: --alg, --method and --uri are required (see '%s dpop --help')", prog);
        return EXIT_USAGE;
    }
    if ((max_age != NULL && parse_duration(max_age, &max_age_s)) || (leeway != NULL && parse_duration(leeway, &leeway_s))) {
        msg("dpop verify: --max-age and --leeway need a duration such as 300, 5m, 30s");
        return EXIT_USAGE;
    }
    if (now_arg != NULL && parse_i64(now_arg, &now)) {
        msg("dpop verify: --now needs Unix seconds, not '%s'", printable(now_arg));
        return EXIT_USAGE;
    }
    if (max_len_arg != NULL && parse_duration(max_len_arg, &max_len)) {
        msg("dpop verify: --max-proof-len needs a number of bytes, not '%s'", printable(max_len_arg));
        return EXIT_USAGE;
    }
    st = jwtkit_dpop_policy_new(algs, nalgs, &policy, &err);
    if (st == JWTKIT_OK)
        st = jwtkit_dpop_policy_set_iat_window(policy, max_age_s, leeway_s, &err);
    if (st == JWTKIT_OK && now_arg != NULL)
        st = jwtkit_dpop_policy_set_now(policy, now, &err);
    if (st == JWTKIT_OK && max_len_arg != NULL)
        st = jwtkit_dpop_policy_set_max_proof_len(policy, (size_t)max_len, &err);
    if (st != JWTKIT_OK) {
        report("dpop verify", st, err);
        goto out;
    }
    if ((proof = get_token(proof_arg, &proof_len, &to_free)) == NULL)
        goto out;
    st = jwtkit_dpop_verify_proof((const uint8_t *)proof, proof_len, (const uint8_t *)method, strlen(method),
                                  (const uint8_t *)uri, strlen(uri), (const uint8_t *)token, token ? strlen(token) : 0,
                                  (const uint8_t *)nonce, nonce ? strlen(nonce) : 0, policy, &verified, &err);
    if (st == JWTKIT_ERR_INVALID_ARGUMENT || st == JWTKIT_ERR_NULL_ARGUMENT) { /* our --method or --uri */
        report("dpop verify", st, err);
        goto out;
    }
    if (st != JWTKIT_OK) {
        report("invalid DPoP proof", st, err);
        rc = EXIT_INVALID;
        goto out;
    }
    if (jwtkit_dpop_proof_jkt(verified, &jkt, &jkt_len, &err) != JWTKIT_OK ||
        jwtkit_dpop_proof_iat(verified, &iat, &err) != JWTKIT_OK ||
        jwtkit_dpop_proof_claims(verified, &claims, &claims_len, &err) != JWTKIT_OK) {
        report("dpop verify", jwtkit_error_status(err), err);
        goto out;
    }
    if (!quiet) {
        printf("{\"jkt\":\"%s\",\"iat\":%" PRId64 ",\"claims\":", jkt, iat);
        fwrite(claims, 1, claims_len, stdout);
        fputs("}\n", stdout);
    }
    rc = EXIT_VALID;
out:
    jwtkit_string_free(jkt);
    jwtkit_string_free(claims);
    jwtkit_dpop_proof_free(verified);
    jwtkit_dpop_policy_free(policy);
    free(to_free);
    return rc;
}

static int cmd_dpop(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(DPOP_HELP, sub ? stdout : stderr);
        return sub ? EXIT_VALID : EXIT_USAGE;
    }
    if (strcmp(sub, "proof") == 0)
        return dpop_proof(argc - 1, argv + 1);
    if (strcmp(sub, "verify") == 0)
        return dpop_verify(argc - 1, argv + 1);
    msg("dpop: unknown subcommand '%s' (proof or verify; see '%s dpop --help')", printable(sub), prog);
    return EXIT_USAGE;
}

/* ---- convert ---------------------------------------------------------------- */

static const char CONVERT_HELP[] =
    "usage: jwtkit convert [--to jwk|pem] [options] [KEY]\n"
    "\n"
    "Reads one key and prints it as a JWK (the default) or as PEM. Only the public half\n"
    "is printed (JWK, or PEM 'PUBLIC KEY') unless --private is given: then the private\n"
    "key is printed whole (a JWK with its private members, or PKCS#8 PEM), a SECRET.\n"
    "A public key with --private, or an HMAC secret without it (a secret has no public\n"
    "half), is refused. A JWK keeps its kid, alg, use and key_ops; PEM has none of them.\n"
    "\n"
    "KEY (exactly one):\n"
    "  FILE, -k, --key FILE    PEM, DER or JWK (none or '-': standard input)\n"
    "  -s, --secret STRING     HMAC secret\n"
    "      --secret-file FILE  HMAC secret: the file's exact bytes\n"
    "      --allow-short-secret  accept a secret shorter than the hash (legacy only)\n"
    "\n"
    "options:\n"
    "      --to FORMAT         jwk (default) or pem\n"
    "      --private           print the private key (default: the public half only)\n"
    "      --kid KID           give the JWK this kid\n"
    "      --thumbprint-kid    give the JWK its RFC 7638 thumbprint as kid\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 printed, 1 jwtkit refused the export (--private on a public key,\n"
    "PEM of an HMAC secret, ...), 2 usage error or unusable key.\n";

/* A new key: `key` with `kid`, or with its thumbprint as kid when `kid` is NULL.
 * Returns 0, or EXIT_INVALID after a message. */
static int key_with_kid(const jwtkit_key *key, const char *kid, const jwtkit_key **out)
{
    jwtkit_error *err = NULL;
    char *thumb = NULL;
    jwtkit_status st = JWTKIT_OK;

    if (kid == NULL && (st = jwtkit_key_thumbprint(key, &thumb, NULL, &err)) == JWTKIT_OK)
        kid = thumb;
    if (st == JWTKIT_OK)
        st = jwtkit_key_with_kid(key, (const uint8_t *)kid, strlen(kid), out, &err);
    jwtkit_string_free(thumb);
    if (st != JWTKIT_OK) {
        report("kid", st, err);
        return EXIT_INVALID;
    }
    return 0;
}

static int cmd_convert(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct key_source ks = {0};
    const char *to = "jwk", *kid = NULL;
    int private_ = 0, thumbprint_kid = 0, pem, rc = EXIT_USAGE;
    const jwtkit_key *loaded = NULL, *named = NULL, *key;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *text = NULL;
    size_t len = 0;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(CONVERT_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--to", NULL, 1)) {
            to = a.value;
        } else if (opt(&a, "--private", NULL, 0)) {
            private_ = 1;
        } else if (opt(&a, "--kid", NULL, 1)) {
            kid = a.value;
        } else if (opt(&a, "--thumbprint-kid", NULL, 0)) {
            thumbprint_kid = 1;
        } else if (key_option(&a, &ks)) {
            /* recorded */
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("convert", arg);
        } else if (ks.key_file != NULL) {
            msg("convert: one key at a time");
            return EXIT_USAGE;
        } else {
            ks.key_file = arg;
        }
    }
    if (strcmp(to, "jwk") != 0 && strcmp(to, "pem") != 0) {
        msg("convert: --to is jwk or pem, not '%s'", printable(to));
        return EXIT_USAGE;
    }
    pem = strcmp(to, "pem") == 0;
    if (kid != NULL && thumbprint_kid) {
        msg("convert: give --kid or --thumbprint-kid, not both");
        return EXIT_USAGE;
    }
    if (pem && (kid != NULL || thumbprint_kid)) {
        msg("convert: PEM has no kid: --kid and --thumbprint-kid go with --to jwk");
        return EXIT_USAGE;
    }
    if (ks.key_file == NULL && ks.secret == NULL && ks.secret_file == NULL)
        ks.key_file = "-";
    if (load_key(&ks, &loaded))
        return EXIT_USAGE;
    rc = EXIT_INVALID;
    key = loaded;
    if (kid != NULL || thumbprint_kid) {
        if (key_with_kid(loaded, kid, &named))
            goto out;
        key = named;
    }
    if (private_)
        st = pem ? jwtkit_key_to_private_pem(key, &text, &len, &err)
                 : jwtkit_key_to_private_jwk(key, &text, &len, &err);
    else
        st = pem ? jwtkit_key_to_public_pem(key, &text, &len, &err)
                 : jwtkit_key_to_public_jwk(key, &text, &len, &err);
    if (st != JWTKIT_OK) {
        report("convert", st, err);
        goto out;
    }
    if (pem && len > 0 && text[len - 1] == '\n')
        len--; /* one newline is added below, as for a JWK */
    if (fwrite(text, 1, len, stdout) != len || fputc('\n', stdout) == EOF)
        goto out; /* main() reports the write error */
    rc = EXIT_VALID;
out:
    wipe_free(text, len);
    jwtkit_key_free(named);
    jwtkit_key_free(loaded);
    return rc;
}

/* ---- jwks ------------------------------------------------------------------- */

static const char JWKS_HELP[] =
    "usage: jwtkit jwks [--thumbprint-kid] KEY...\n"
    "\n"
    "Prints a JWK Set of the public halves of the KEY files (PEM, DER or JWK, one key\n"
    "each; '-': standard input): what an issuer publishes at its jwks_uri. Private\n"
    "members are never printed. HMAC secrets have no public form and are refused.\n"
    "Each key keeps its kid, alg, use and key_ops.\n"
    "\n"
    "options:\n"
    "      --thumbprint-kid    give each key without a kid its RFC 7638 thumbprint as kid\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 printed, 1 jwtkit refused a key for the set, 2 usage error or\n"
    "unusable key file.\n";

static int cmd_jwks(int argc, char **argv)
{
    struct args a = {argc, 1, argv, NULL, 0};
    struct list files = {{0}, 0};
    const jwtkit_key *keys[64] = {0};
    const jwtkit_keyset *set = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *doc = NULL, *kid = NULL;
    size_t len = 0, i, n = 0;
    int thumbprint_kid = 0, rc = EXIT_USAGE;

    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            fputs(JWKS_HELP, stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--thumbprint-kid", NULL, 0)) {
            thumbprint_kid = 1;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option("jwks", arg);
        } else if (list_add(&files, arg, "key files")) {
            return EXIT_USAGE;
        }
    }
    if (files.n == 0) {
        msg("jwks: give at least one key file (see '%s jwks --help')", prog);
        return EXIT_USAGE;
    }
    for (n = 0; n < (size_t)files.n; n++) {
        struct key_source ks = {0};

        ks.key_file = files.items[n];
        if (load_key(&ks, &keys[n]))
            goto out;
        if (!thumbprint_kid)
            continue;
        if ((st = jwtkit_key_kid(keys[n], &kid, NULL, &err)) != JWTKIT_OK) {
            report(files.items[n], st, err);
            rc = EXIT_INVALID;
            goto out;
        }
        if (kid == NULL) {
            const jwtkit_key *named = NULL;

            if (key_with_kid(keys[n], NULL, &named)) {
                rc = EXIT_INVALID;
                goto out;
            }
            jwtkit_key_free(keys[n]);
            keys[n] = named;
        }
        jwtkit_string_free(kid);
        kid = NULL;
    }
    rc = EXIT_INVALID;
    st = jwtkit_keyset_from_keys(keys, n, &set, &err);
    /* a key the set skips is an error here: the set would silently lack it */
    if (st == JWTKIT_OK && jwtkit_keyset_skipped_count(set) > 0) {
        char *why = NULL;
        jwtkit_status reason = JWTKIT_OK;

        if (jwtkit_keyset_skipped(set, 0, &reason, &why, NULL, NULL) == JWTKIT_OK) {
            msg("jwks: refused %s (%s)", printable(why), jwtkit_status_str(reason));
            jwtkit_string_free(why);
        }
        goto out;
    }
    if (st == JWTKIT_OK)
        st = jwtkit_keyset_to_public_jwks(set, &doc, &len, &err);
    if (st != JWTKIT_OK) {
        report("jwks", st, err);
        goto out;
    }
    if (fwrite(doc, 1, len, stdout) != len || fputc('\n', stdout) == EOF)
        goto out;
    rc = EXIT_VALID;
out:
    jwtkit_string_free(doc);
    jwtkit_keyset_free(set);
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) /* unused entries are NULL */
        jwtkit_key_free(keys[i]);
    return rc;
}

/* ---- jwe -------------------------------------------------------------------- */

static const char JWE_HELP[] =
    "usage: jwtkit jwe encrypt --alg ALG --enc ENC KEY [options] [FILE]\n"
    "       jwtkit jwe decrypt --alg ALG[,ALG...] --enc ENC[,ENC...] KEY [options] [TOKEN]\n"
    "       jwtkit jwe decrypt --alg ALG[,ALG...] --enc ENC[,ENC...] --jwks FILE [options] [TOKEN]\n"
    "\n"
    "encrypt: encrypts the bytes of FILE (none or '-': standard input) to KEY and prints\n"
    "the compact JWE. decrypt: decrypts TOKEN (none or '-': standard input) with KEY and\n"
    "prints the plaintext exactly, with nothing added; --alg and --enc are the\n"
    "allow-lists, and a token whose alg or enc is not in them is refused.\n"
    "\n"
    "ALG and ENC are listed below, from the library. RSA1_5 is refused. RSA-OAEP\n"
    "(SHA-1) and PBES2-* (KEY is a password) are used only when named.\n"
    "\n"
    "KEY (exactly one): the recipient's public (encrypt) or private (decrypt) key, or the\n"
    "shared secret for dir, A*KW, A*GCMKW and PBES2-*:\n"
    "  -k, --key FILE          PEM, DER or JWK (an oct JWK for the shared-secret algs)\n"
    "  -s, --secret STRING     shared secret (visible to other users in the process list)\n"
    "      --secret-file FILE  shared secret: the file's exact bytes\n"
    "      --jwks FILE         (decrypt) a JWK Set: its private and secret keys for\n"
    "                          decryption (use enc or none; others are skipped, with a\n"
    "                          warning); the token's kid chooses the key, keys without\n"
    "                          a kid serve a kid no key has, and keys that cannot serve\n"
    "                          the token's alg are not tried\n"
    "\n"
    "encrypt options:\n"
    "      --header JSON       extra protected header members, a JSON object (kid, typ,\n"
    "                          cty, ...); a JWK's kid is added unless given here\n"
    "      --zip               compress (zip DEF) before encrypting\n"
    "decrypt options:\n"
    "      --allow-zip         accept compressed tokens (refused by default)\n"
    "      --header-out FILE   also write the protected header JSON to FILE\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 done, 1 refused (the token does not decrypt, is not allowed, or the\n"
    "key does not fit; the reason goes to standard error), 2 usage error.\n";

/* Parses each comma-separated name of each item of `args` with `from_name` into `out`
 * (at most `max`). Returns 0, or -1 after a message. */
static int parse_jwe_names(const struct list *args, const char *option, int32_t *out, size_t max, size_t *n,
                           jwtkit_status (*from_name)(const uint8_t *, size_t, int32_t *, jwtkit_error **))
{
    int i;

    *n = 0;
    for (i = 0; i < args->n; i++) {
        const char *p = args->items[i];

        while (*p) {
            jwtkit_error *err = NULL;
            jwtkit_status st;
            size_t len = strcspn(p, ",");

            if (len == 0 || *n == max) {
                msg("jwe: bad %s '%s'", option, printable(args->items[i]));
                return -1;
            }
            if ((st = from_name((const uint8_t *)p, len, &out[*n], &err)) != JWTKIT_OK) {
                report(option, st, err);
                return -1;
            }
            (*n)++;
            p += len;
            if (*p == ',')
                p++;
        }
    }
    if (*n == 0) {
        msg("jwe: %s is required (see '%s jwe --help')", option, prog);
        return -1;
    }
    return 0;
}

/* Writes `len` bytes to a new file `path` (refusing one that exists). Returns 0, or -1
 * after a message. */
static int write_new_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    FILE *f;

    if (fd < 0) {
        msg("%s: %s", printable(path), strerror(errno));
        return -1;
    }
    if ((f = fdopen(fd, "wb")) == NULL) {
        msg("%s: %s", printable(path), strerror(errno));
        close(fd);
        return -1;
    }
    if (fwrite(data, 1, len, f) != len || fputc('\n', f) == EOF) {
        msg("%s: write error", printable(path));
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        msg("%s: %s", printable(path), strerror(errno));
        return -1;
    }
    return 0;
}

/* JWE_HELP, then the algorithm names the library implements (its enumerations are
 * the one list). */
static void jwe_help(FILE *to)
{
    int32_t n;

    fputs(JWE_HELP, to);
    fputs("\nALG:", to);
    for (n = 1; jwtkit_jwe_alg_name(n) != NULL; n++)
        fprintf(to, " %s", jwtkit_jwe_alg_name(n));
    fputs("\nENC:", to);
    for (n = 1; jwtkit_jwe_enc_name(n) != NULL; n++)
        fprintf(to, " %s", jwtkit_jwe_enc_name(n));
    fputc('\n', to);
}

static int cmd_jwe(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : NULL;
    struct args a = {argc, 2, argv, NULL, 0};
    struct key_source ks = {0};
    struct list alg_args = {{0}, 0}, enc_args = {{0}, 0};
    const char *input = NULL, *header = NULL, *header_out = NULL, *jwks = NULL, *token;
    int encrypt, zip = 0, allow_zip = 0, rc = EXIT_USAGE;
    jwtkit_jwe_alg algs[16];
    jwtkit_jwe_enc encs[16];
    size_t nalgs = 0, nencs = 0, len = 0, out_len = 0, hdr_len = 0;
    const jwtkit_key *key = NULL;
    const jwtkit_keyset *set = NULL;
    jwtkit_jwe_policy *policy = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char *data = NULL, *out = NULL, *hdr = NULL;

    if (mode == NULL || strcmp(mode, "--help") == 0 || strcmp(mode, "-h") == 0) {
        jwe_help(mode ? stdout : stderr);
        return mode ? EXIT_VALID : EXIT_USAGE;
    }
    if (strcmp(mode, "encrypt") != 0 && strcmp(mode, "decrypt") != 0) {
        msg("jwe: 'encrypt' or 'decrypt', not '%s' (see '%s jwe --help')", printable(mode), prog);
        return EXIT_USAGE;
    }
    encrypt = strcmp(mode, "encrypt") == 0;
    for (; a.i < argc; a.i++) {
        const char *arg = argv[a.i];

        if (opt(&a, "--help", "-h", 0)) {
            jwe_help(stdout);
            return EXIT_VALID;
        } else if (opt(&a, "--alg", "-a", 1)) {
            if (list_add(&alg_args, a.value, "--alg"))
                return EXIT_USAGE;
        } else if (opt(&a, "--enc", "-e", 1)) {
            if (list_add(&enc_args, a.value, "--enc"))
                return EXIT_USAGE;
        } else if (key_option(&a, &ks)) {
            /* recorded */
        } else if (encrypt && opt(&a, "--header", NULL, 1)) {
            header = a.value;
        } else if (encrypt && opt(&a, "--zip", NULL, 0)) {
            zip = 1;
        } else if (!encrypt && opt(&a, "--allow-zip", NULL, 0)) {
            allow_zip = 1;
        } else if (!encrypt && opt(&a, "--header-out", NULL, 1)) {
            header_out = a.value;
        } else if (!encrypt && opt(&a, "--jwks", NULL, 1)) {
            jwks = a.value;
        } else if (a.usage_error) {
            return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return bad_option(encrypt ? "jwe encrypt" : "jwe decrypt", arg);
        } else if (input != NULL) {
            msg("jwe: one %s at a time", encrypt ? "input" : "token");
            return EXIT_USAGE;
        } else {
            input = arg;
        }
    }
    if (parse_jwe_names(&alg_args, "--alg", algs, 16, &nalgs, jwtkit_jwe_alg_from_name) ||
        parse_jwe_names(&enc_args, "--enc", encs, 16, &nencs, jwtkit_jwe_enc_from_name))
        return EXIT_USAGE;
    if (encrypt && (nalgs != 1 || nencs != 1)) {
        msg("jwe encrypt: give one --alg and one --enc");
        return EXIT_USAGE;
    }
    if (header_out != NULL && check_output(header_out, 0) != 0)
        return EXIT_USAGE;
    if (jwks != NULL) {
        if (ks.key_file != NULL || ks.secret != NULL || ks.secret_file != NULL) {
            msg("jwe decrypt: give either --jwks or a key, not both");
            return EXIT_USAGE;
        }
        if (load_keyset(jwks, 1, &set))
            return EXIT_USAGE;
    } else if (load_key(&ks, &key)) {
        return EXIT_USAGE;
    }

    if (encrypt) {
        if ((data = read_file(input ? input : "-", &len)) == NULL)
            goto out;
        rc = EXIT_INVALID;
        st = jwtkit_jwe_encrypt(key, algs[0], encs[0], (const uint8_t *)data, len, (const uint8_t *)header,
                                header ? strlen(header) : 0, zip ? JWTKIT_JWE_ZIP : 0, &out, &out_len, &err);
        if (st != JWTKIT_OK) {
            report("jwe encrypt", st, err);
            goto out;
        }
        if (fwrite(out, 1, out_len, stdout) != out_len || fputc('\n', stdout) == EOF)
            goto out;
        rc = EXIT_VALID;
        goto out;
    }
    if ((token = get_token(input, &len, &data)) == NULL)
        goto out;
    st = jwtkit_jwe_policy_new(algs, nalgs, encs, nencs, &policy, &err);
    if (st == JWTKIT_OK && allow_zip)
        st = jwtkit_jwe_policy_allow_zip(policy, true, 0, &err);
    if (st != JWTKIT_OK) {
        report("jwe decrypt", st, err);
        goto out;
    }
    rc = EXIT_INVALID;
    if (set != NULL)
        st = jwtkit_jwe_decrypt_with_keyset((const uint8_t *)token, len, set, policy, &hdr, &hdr_len, &out, &out_len,
                                            &err);
    else
        st = jwtkit_jwe_decrypt((const uint8_t *)token, len, key, policy, &hdr, &hdr_len, &out, &out_len, &err);
    if (st != JWTKIT_OK) {
        report("invalid token", st, err);
        goto out;
    }
    rc = EXIT_USAGE;
    if (header_out != NULL && write_new_file(header_out, hdr, hdr_len) != 0)
        goto out;
    if (fwrite(out, 1, out_len, stdout) != out_len)
        goto out;
    rc = EXIT_VALID;
out:
    if (data != NULL)
        memset(data, 0, len); /* the plaintext (or the token) may be secret */
    free(data);
    jwtkit_string_free(out);
    jwtkit_string_free(hdr);
    jwtkit_jwe_policy_free(policy);
    jwtkit_key_free(key);
    jwtkit_keyset_free(set);
    return rc;
}

/* ---- main ------------------------------------------------------------------- */

static const char MAIN_HELP[] =
    "usage: jwtkit COMMAND [options]\n"
    "\n"
    "JSON Web Tokens from the command line, with the jwtkit library.\n"
    "\n"
    "commands:\n"
    "  encode   sign claims into a token\n"
    "  decode   show a token's header and claims, without verifying it\n"
    "  verify   verify a token; exit 0 valid, 1 invalid, 2 usage error\n"
    "  keygen   generate a key (HMAC, RSA, EC or Ed25519) as JWK or PEM\n"
    "  thumbprint  print a key's RFC 7638 thumbprint\n"
    "  convert  print a key as JWK or PEM (public half unless --private)\n"
    "  jwks     build a public JWK Set from key files\n"
    "  jwe      encrypt ('jwe encrypt') or decrypt ('jwe decrypt') a compact JWE\n"
    "  dpop     make ('dpop proof') or check ('dpop verify') a DPoP proof (RFC 9449)\n"
    "\n"
    "'jwtkit COMMAND --help' describes each. 'jwtkit --version' prints the version.\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc;

    if (cmd == NULL) {
        fputs(MAIN_HELP, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(MAIN_HELP, stdout);
        return EXIT_VALID;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("%s (header %s, ABI %u)\n", jwtkit_version(), JWTKIT_VERSION_STRING,
               (unsigned)jwtkit_abi_version());
        return EXIT_VALID;
    }
    if (jwtkit_abi_version() != JWTKIT_ABI_VERSION) {
        msg("libjwtkit has ABI %u, this program was built for ABI %u", (unsigned)jwtkit_abi_version(),
            (unsigned)JWTKIT_ABI_VERSION);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "encode") == 0)
        rc = cmd_encode(argc - 1, argv + 1);
    else if (strcmp(cmd, "decode") == 0)
        rc = cmd_decode(argc - 1, argv + 1);
    else if (strcmp(cmd, "verify") == 0)
        rc = cmd_verify(argc - 1, argv + 1);
    else if (strcmp(cmd, "keygen") == 0)
        rc = cmd_keygen(argc - 1, argv + 1);
    else if (strcmp(cmd, "thumbprint") == 0)
        rc = cmd_thumbprint(argc - 1, argv + 1);
    else if (strcmp(cmd, "dpop") == 0)
        rc = cmd_dpop(argc - 1, argv + 1);
    else if (strcmp(cmd, "convert") == 0)
        rc = cmd_convert(argc - 1, argv + 1);
    else if (strcmp(cmd, "jwks") == 0)
        rc = cmd_jwks(argc - 1, argv + 1);
    else if (strcmp(cmd, "jwe") == 0)
        rc = cmd_jwe(argc - 1, argv + 1);
    else {
        msg("unknown command '%s' (see '%s --help')", printable(cmd), prog);
        return EXIT_USAGE;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("write error on standard output");
        return EXIT_USAGE;
    }
    return rc;
}
