/* bearer_auth.c: the server side of "Authorization: Bearer <token>" (RFC 6750), in C.
 *
 * The workflow it serves: a login service issues a short-lived access token; every
 * request carries it as "Authorization: Bearer <token>"; the API verifies it with ONE
 * key and ONE validation policy, built at start-up and shared by every request
 * (and every thread: once configured, a jwtkit_validation is read-only).
 *
 * The policy says what this API accepts:
 *   - algorithm HS256 only (never "whatever the token says"),
 *   - issuer exactly "https://login.example", audience "https://api.example",
 *   - typ "at+jwt" (an OAuth access token, RFC 9068; not an ID token),
 *   - exp, iat and sub required; 30 s of leeway for clock skew between servers.
 * Each request prints either the subject or the exact reason for the rejection: the
 * status name and jwtkit's message (send the client only "401 invalid_token"; the
 * details are for your logs).
 *
 *   bearer_auth                          demo: issues tokens, then checks a list of
 *                                        header lines (valid, expired, wrong audience,
 *                                        wrong issuer, malformed, no "Bearer ", ...);
 *                                        exits 0 when each behaves as expected
 *   bearer_auth 'Authorization: Bearer eyJ...'   checks that line; exits 0 if accepted
 *   bearer_auth -                        checks each line of stdin
 *
 * Build:  cc -std=c99 -I include bearer_auth.c -L target/release -ljwtkit
 *
 * One service here both issues and verifies, so one HMAC secret does. When the login
 * service and the API are separate, sign with a private key (ES256, EdDSA) and give
 * the API only the public key: then the API cannot mint tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"

/* 64 bytes: enough for HS512 too (used below to show a refused algorithm). In real
 * life: random bytes from your secret store, never a literal. */
static const char SECRET[] = "bearer_auth.c demo secret - 64 bytes of it, never use it for real";

static const char ISSUER[] = "https://login.example";
static const char AUDIENCE[] = "https://api.example";
static const jwtkit_alg ALLOWED[] = {JWTKIT_ALG_HS256};

/* Everything the API needs to check a request, created once. */
struct server {
    const jwtkit_key *key;
    jwtkit_validation *policy;
};

#define S(literal) (const uint8_t *)(literal), strlen(literal)

/* Reports a failed setup call; frees the error. */
static int ok_or_report(jwtkit_status status, jwtkit_error *err, const char *what)
{
    if (status == JWTKIT_OK)
        return 1;
    fprintf(stderr, "%s: %s: %s\n", what, jwtkit_status_str(status), jwtkit_error_message(err));
    jwtkit_error_free(err);
    return 0;
}

static int server_init(struct server *s)
{
    jwtkit_error *err = NULL;
    s->key = NULL;
    s->policy = NULL;
    return ok_or_report(jwtkit_key_from_secret(S(SECRET), 0, &s->key, &err), err, "key") &&
           ok_or_report(jwtkit_validation_new(ALLOWED, 1, &s->policy, &err), err, "policy") &&
           ok_or_report(jwtkit_validation_add_issuer(s->policy, S(ISSUER), &err), err, "issuer") &&
           ok_or_report(jwtkit_validation_add_audience(s->policy, S(AUDIENCE), &err), err, "audience") &&
           ok_or_report(jwtkit_validation_set_typ(s->policy, S("at+jwt"), &err), err, "typ") &&
           ok_or_report(jwtkit_validation_set_leeway(s->policy, 30, &err), err, "leeway") &&
           ok_or_report(jwtkit_validation_require_claim(s->policy, S("exp"), &err), err, "exp") &&
           ok_or_report(jwtkit_validation_require_claim(s->policy, S("iat"), &err), err, "iat") &&
           ok_or_report(jwtkit_validation_require_claim(s->policy, S("sub"), &err), err, "sub");
}

static void server_free(struct server *s)
{
    jwtkit_validation_free(s->policy);
    jwtkit_key_free(s->key);
}

/* ------------------------------------------------------------------------ */
/* The header line                                                          */
/* ------------------------------------------------------------------------ */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }
static int blank(int c) { return c == ' ' || c == '\t'; }

/* If `s` starts with `prefix` (ASCII, case-insensitive), returns what follows. */
static const char *skip_prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++)
        if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
            return NULL;
    return s;
}

/* Finds the token in an "Authorization: Bearer <token>" line (RFC 6750 §2.1): the
 * field name and the scheme are case-insensitive, blanks around them and a trailing
 * CR LF are ignored. On success points *token into `line` and returns NULL; otherwise
 * returns why there is no token. The token itself is jwtkit's to judge. */
static const char *bearer_token(const char *line, const char **token, size_t *len)
{
    const char *p = skip_prefix_ci(line, "authorization:");
    const char *end;
    if (p == NULL)
        return "not an Authorization header";
    while (blank((unsigned char)*p))
        p++;
    p = skip_prefix_ci(p, "bearer");
    if (p == NULL || (*p != '\0' && !blank((unsigned char)*p) && *p != '\r' && *p != '\n'))
        return "the Authorization header does not use the Bearer scheme";
    while (blank((unsigned char)*p))
        p++;
    end = p + strlen(p);
    while (end > p && (blank((unsigned char)end[-1]) || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    if (end == p)
        return "no token after \"Bearer\"";
    *token = p;
    *len = (size_t)(end - p);
    if (memchr(p, ' ', *len) != NULL || memchr(p, '\t', *len) != NULL)
        return "more than one word after \"Bearer\"";
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Reading the subject from the verified claims                             */
/* ------------------------------------------------------------------------ */

/* Four hex digits at p. */
static unsigned long hex4(const char *p)
{
    char digits[5];
    memcpy(digits, p, 4);
    digits[4] = '\0';
    return strtoul(digits, NULL, 16);
}

/* Decodes the JSON string whose opening quote is just before `p` into out[size], as
 * UTF-8 (escapes, \uXXXX and surrogate pairs included). Returns the position after the
 * closing quote, or NULL if the string does not fit or holds a NUL. */
static const char *json_string(const char *p, char *out, size_t size)
{
    static const unsigned char utf8_lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    size_t n = 0;
    while (*p != '"') {
        unsigned long c = (unsigned char)*p++;
        if (c == '\\') {
            switch (*p++) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                c = hex4(p);
                p += 4;
                if (c >= 0xD800 && c < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                    c = 0x10000 + ((c - 0xD800) << 10) + (hex4(p + 2) - 0xDC00);
                    p += 6;
                }
                break;
            default: c = (unsigned char)p[-1]; /* \" \\ \/ */
            }
            if (c == 0)
                return NULL;
            if (c >= 0x80) { /* an escaped code point: encode it as UTF-8 */
                size_t k, len = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
                if (n + len >= size)
                    return NULL;
                for (k = len - 1; k > 0; k--, c >>= 6)
                    out[n + k] = (char)(0x80 | (c & 0x3F));
                out[n] = (char)(utf8_lead[len] | c);
                n += len;
                continue;
            }
        }
        if (n + 1 >= size)
            return NULL;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return p + 1;
}

/* Copies the string value of the top-level member `name` of `json` into out[size].
 * `json` must be claims jwtkit verified: one well-formed object whose member names
 * are unique, and whose registered claims have the right types. C has no JSON parser:
 * this walks just enough of it; for anything more, use cJSON, jansson, yyjson, ... */
static int claim_string(const char *json, const char *name, char *out, size_t size)
{
    int depth = 0;
    char key[64];
    while (*json != '\0') {
        char c = *json++;
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '"') {
            const char *after = json_string(json, key, sizeof key);
            int is_key;
            if (after == NULL) { /* a long string: skip it */
                while (*json != '"')
                    json += *json == '\\' ? 2 : 1;
                after = json + 1;
                key[0] = '\0';
            }
            json = after;
            while (blank((unsigned char)*json) || *json == '\n' || *json == '\r')
                json++;
            is_key = *json == ':';
            if (depth == 1 && is_key && strcmp(key, name) == 0) {
                json++;
                while (blank((unsigned char)*json) || *json == '\n' || *json == '\r')
                    json++;
                return *json == '"' && json_string(json + 1, out, size) != NULL;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* One request                                                              */
/* ------------------------------------------------------------------------ */

/* The outcome of checking one Authorization line: JWTKIT_OK, a jwtkit status, or
 * NO_TOKEN when the line carries no Bearer token at all. */
#define NO_TOKEN (-1)

static jwtkit_status authenticate(const struct server *s, const char *line, char *subject,
                                  size_t subject_size)
{
    const char *token = NULL, *why;
    size_t token_len = 0;
    char *claims = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status status;

    why = bearer_token(line, &token, &token_len);
    if (why != NULL) {
        printf("  -> 401: %s\n", why);
        return NO_TOKEN;
    }
    status = jwtkit_verify((const uint8_t *)token, token_len, s->key, s->policy, NULL, NULL,
                           &claims, NULL, &err);
    if (status != JWTKIT_OK) {
        printf("  -> 401: %s: %s\n", jwtkit_status_str(status), jwtkit_error_message(err));
        jwtkit_error_free(err);
        return status;
    }
    if (!claim_string(claims, "sub", subject, subject_size)) {
        /* sub is required and a string (jwtkit checked): it is too long, or holds a NUL */
        printf("  -> 401: the subject is too long or holds a NUL\n");
        jwtkit_string_free(claims);
        return NO_TOKEN;
    }
    printf("  -> 200: subject \"%s\"\n", subject);
    jwtkit_string_free(claims);
    return JWTKIT_OK;
}

/* ------------------------------------------------------------------------ */
/* The demo: a login service issues tokens, then requests come in            */
/* ------------------------------------------------------------------------ */

/* What the login service does: a token for `sub`, issued at `iat`, valid for
 * `lifetime` seconds. Returns a jwtkit string (free with jwtkit_string_free). */
static char *issue(const struct server *s, jwtkit_alg alg, const char *issuer, const char *audience,
                   const char *typ, const char *sub, time_t iat, unsigned lifetime)
{
    jwtkit_sign_options *o = NULL;
    jwtkit_error *err = NULL;
    char *token = NULL;
    const char *scope = "{\"scope\":\"orders:read\"}";
    if (ok_or_report(jwtkit_sign_options_new(&o, &err), err, "sign options") &&
        ok_or_report(jwtkit_sign_options_set_now(o, (int64_t)iat, &err), err, "now") &&
        ok_or_report(jwtkit_sign_options_set_lifetime(o, lifetime, &err), err, "lifetime") &&
        ok_or_report(jwtkit_sign_options_set_issuer(o, S(issuer), &err), err, "issuer") &&
        ok_or_report(jwtkit_sign_options_add_audience(o, S(audience), &err), err, "audience") &&
        ok_or_report(jwtkit_sign_options_set_subject(o, S(sub), &err), err, "subject") &&
        ok_or_report(jwtkit_sign_options_set_random_jti(o, true, &err), err, "jti") &&
        ok_or_report(jwtkit_sign_options_set_header(o, S("typ"), S(typ), &err), err, "typ"))
        ok_or_report(jwtkit_sign_with_options(s->key, alg, S(scope), o, &token, NULL, &err), err,
                     "sign");
    jwtkit_sign_options_free(o);
    return token;
}

/* "Authorization: Bearer <token>" in a malloc'd buffer (free with free()). */
static char *bearer_line(const char *prefix, const char *token)
{
    size_t n = strlen(prefix) + (token ? strlen(token) : 0) + 3;
    char *line = malloc(n);
    if (line != NULL)
        snprintf(line, n, "%s%s\r\n", prefix, token ? token : "");
    return line;
}

struct request {
    const char *what;
    char *line;
    jwtkit_status want;
    const char *want_subject;
};

static int demo(const struct server *s)
{
    time_t now = time(NULL);
    char *alice = issue(s, JWTKIT_ALG_HS256, ISSUER, AUDIENCE, "at+jwt", "alice", now, 900);
    char *bob = issue(s, JWTKIT_ALG_HS256, ISSUER, AUDIENCE, "at+jwt", "bob", now, 900);
    char *old = issue(s, JWTKIT_ALG_HS256, ISSUER, AUDIENCE, "at+jwt", "alice", now - 7200, 900);
    char *billing = issue(s, JWTKIT_ALG_HS256, ISSUER, "https://billing.example", "at+jwt", "alice", now, 900);
    char *evil = issue(s, JWTKIT_ALG_HS256, "https://login.example.evil", AUDIENCE, "at+jwt", "alice", now, 900);
    char *id_token = issue(s, JWTKIT_ALG_HS256, ISSUER, AUDIENCE, "JWT", "alice", now, 900);
    char *hs512 = issue(s, JWTKIT_ALG_HS512, ISSUER, AUDIENCE, "at+jwt", "alice", now, 900);
    char *forged = NULL;
    struct request req[13];
    size_t i, n = 0, failures = 0;

    if (!alice || !bob || !old || !billing || !evil || !id_token || !hs512) {
        failures++;
        goto out;
    }
    /* bob's header and payload with alice's signature: a claims swap */
    forged = bearer_line("Authorization: Bearer ", bob);
    if (forged != NULL) {
        char *sig = strrchr(forged, '.');
        const char *alice_sig = strrchr(alice, '.');
        if (strlen(sig) - 2 == strlen(alice_sig)) /* the line ends in \r\n */
            memcpy(sig, alice_sig, strlen(alice_sig));
    }

#define REQ(w, l, st, sub) (req[n].what = (w), req[n].line = (l), req[n].want = (st), req[n].want_subject = (sub), n++)
    REQ("valid access token", bearer_line("Authorization: Bearer ", alice), JWTKIT_OK, "alice");
    REQ("another user's token", bearer_line("Authorization: Bearer ", bob), JWTKIT_OK, "bob");
    REQ("field name and scheme in other cases", bearer_line("authorization:   bEaReR  ", alice), JWTKIT_OK, "alice");
    REQ("expired: issued 2 h ago for 15 min", bearer_line("Authorization: Bearer ", old), JWTKIT_ERR_EXPIRED, NULL);
    REQ("issued for another audience", bearer_line("Authorization: Bearer ", billing), JWTKIT_ERR_AUDIENCE_MISMATCH, NULL);
    REQ("issued by a look-alike issuer", bearer_line("Authorization: Bearer ", evil), JWTKIT_ERR_ISSUER_MISMATCH, NULL);
    REQ("an ID token (typ JWT), not an access token", bearer_line("Authorization: Bearer ", id_token), JWTKIT_ERR_TYP_MISMATCH, NULL);
    REQ("signed with HS512, which this API does not allow", bearer_line("Authorization: Bearer ", hs512), JWTKIT_ERR_ALG_NOT_ALLOWED, NULL);
    REQ("bob's claims under alice's signature", forged, JWTKIT_ERR_SIGNATURE_INVALID, NULL);
    REQ("malformed token", bearer_line("Authorization: Bearer ", "not-a.jwt"), JWTKIT_ERR_TOKEN_MALFORMED, NULL);
    REQ("missing \"Bearer \": Basic credentials", bearer_line("Authorization: Basic YWxpY2U6c2VjcmV0", NULL), NO_TOKEN, NULL);
    REQ("\"Bearer\" without a token", bearer_line("Authorization: Bearer", NULL), NO_TOKEN, NULL);
    REQ("not an Authorization header", bearer_line("Cookie: session=alice", NULL), NO_TOKEN, NULL);
#undef REQ
    forged = NULL; /* owned by req[] now */

    for (i = 0; i < n; i++) {
        char subject[256] = "";
        jwtkit_status got;
        if (req[i].line == NULL) {
            failures++;
            continue;
        }
        printf("%s\n", req[i].what);
        got = authenticate(s, req[i].line, subject, sizeof subject);
        if (got != req[i].want || (req[i].want_subject && strcmp(subject, req[i].want_subject) != 0)) {
            printf("  UNEXPECTED: wanted %s\n", req[i].want == NO_TOKEN ? "no token" : jwtkit_status_str(req[i].want));
            failures++;
        }
    }
    for (i = 0; i < n; i++)
        free(req[i].line);
    printf("%zu requests, %zu behaved unexpectedly\n", n, failures);
out:
    free(forged);
    jwtkit_string_free(alice);
    jwtkit_string_free(bob);
    jwtkit_string_free(old);
    jwtkit_string_free(billing);
    jwtkit_string_free(evil);
    jwtkit_string_free(id_token);
    jwtkit_string_free(hs512);
    return failures == 0;
}

int main(int argc, char **argv)
{
    struct server s;
    int ok = 1;

    if (!server_init(&s)) {
        server_free(&s);
        return 2;
    }
    if (argc < 2) {
        ok = demo(&s);
    } else if (strcmp(argv[1], "-") == 0) {
        char line[16384];
        while (fgets(line, sizeof line, stdin) != NULL) {
            char subject[256];
            ok &= authenticate(&s, line, subject, sizeof subject) == JWTKIT_OK;
        }
    } else {
        int i;
        for (i = 1; i < argc; i++) {
            char subject[256];
            ok &= authenticate(&s, argv[i], subject, sizeof subject) == JWTKIT_OK;
        }
    }
    server_free(&s);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
