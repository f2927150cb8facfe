/* tests/c/test_bad_input.c: the C ABI under careless and hostile input (C99).
 *
 * Every failing call must return the SPECIFIC status, hand back (through the
 * optional jwtkit_error **) an error object with the same status and a useful
 * message, and leave its outputs untouched. Every success path frees what it
 * got, so valgrind / LeakSanitizer runs (tests/c_api.rs) report no leaks.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits
 * non-zero when anything failed. JWTKIT_TEST_VERBOSE=1 prints each message.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"
#include "check.h"
#include "test_keys.h"

/* ------------------------------------------------------------------------ */
/* Helpers: memory, base64url, token surgery                                */
/* ------------------------------------------------------------------------ */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fputs("out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char B64STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Unpadded base64url of data; malloc'd. */
static char *b64url(const void *data, size_t len)
{
    const uint8_t *in = data;
    char *out = xmalloc(len / 3 * 4 + 5), *o = out;
    size_t i;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = B64URL[v >> 18 & 63];
        *o++ = B64URL[v >> 12 & 63];
        *o++ = B64URL[v >> 6 & 63];
        *o++ = B64URL[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        *o++ = B64URL[v >> 18 & 63];
        *o++ = B64URL[v >> 12 & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *o++ = B64URL[v >> 18 & 63];
        *o++ = B64URL[v >> 12 & 63];
        *o++ = B64URL[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

/* Decodes base64 in `alphabet`, skipping newlines and '=' (lenient: test
 * helper only). Returns malloc'd bytes. */
static uint8_t *b64_decode(const char *s, size_t len, const char *alphabet, size_t *out_len)
{
    uint8_t *out = xmalloc(len / 4 * 3 + 3);
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0, i;
    for (i = 0; i < len; i++) {
        const char *p;
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '=')
            continue;
        p = strchr(alphabet, s[i]);
        if (p == NULL || s[i] == '\0') {
            free(out);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)(p - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    *out_len = n;
    return out;
}

/* The DER inside a PEM block (first block only); malloc'd. */
static uint8_t *pem_to_der(const char *pem, size_t *out_len)
{
    const char *begin = strstr(pem, "-----\n"), *end;
    if (begin == NULL)
        return NULL;
    begin += 6;
    end = strstr(begin, "-----END");
    if (end == NULL)
        return NULL;
    return b64_decode(begin, (size_t)(end - begin), B64STD, out_len);
}

/* "b64url(header).b64url(payload).sig" from raw parts; malloc'd. */
static char *craft_n(const char *header, size_t hlen, const char *payload, size_t plen,
                     const char *sig)
{
    char *h = b64url(header, hlen), *p = b64url(payload, plen);
    size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
    char *tok = xmalloc(n);
    snprintf(tok, n, "%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    return tok;
}

static char *craft(const char *header, const char *payload, const char *sig)
{
    return craft_n(header, strlen(header), payload, strlen(payload), sig);
}

/* The decoded signature of a compact token; malloc'd. */
static uint8_t *token_sig(const char *token, size_t *n)
{
    const char *dot = strrchr(token, '.');
    return b64_decode(dot + 1, strlen(dot + 1), B64URL, n);
}

/* `token` with its signature replaced by `sig`; malloc'd. */
static char *with_sig(const char *token, const uint8_t *sig, size_t n)
{
    size_t keep = (size_t)(strrchr(token, '.') - token) + 1;
    char *s = b64url(sig, n);
    char *out = xmalloc(keep + strlen(s) + 1);
    memcpy(out, token, keep);
    strcpy(out + keep, s);
    free(s);
    return out;
}

/* The first `n` dot-separated segments of `token` (n = 1..3); malloc'd. */
static char *segments(const char *token, int n)
{
    const char *p = token;
    while (n-- > 0 && (p = strchr(p, '.')) != NULL)
        p++;
    if (p == NULL)
        return xstrndup(token, strlen(token));
    return xstrndup(token, (size_t)(p - token - 1));
}

/* ------------------------------------------------------------------------ */
/* Helpers: keys, validations, signing, verifying                           */
/* ------------------------------------------------------------------------ */

static const char SECRET64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static const jwtkit_key *pem_key(const char *pem)
{
    const jwtkit_key *k = NULL;
    if (!EXPECT_OK(jwtkit_key_from_pem(u8(pem), strlen(pem), &k, ERR)))
        return NULL;
    return k;
}

static const jwtkit_key *der_key(const char *pem)
{
    const jwtkit_key *k = NULL;
    size_t n = 0;
    uint8_t *der = pem_to_der(pem, &n);
    if (der == NULL) {
        report(0, __LINE__, "bad PEM in test_keys.h");
        return NULL;
    }
    if (!EXPECT_OK(jwtkit_key_from_der(der, n, &k, ERR)))
        k = NULL;
    free(der);
    return k;
}

static const jwtkit_key *secret_key(const char *secret, uint32_t flags)
{
    const jwtkit_key *k = NULL;
    if (!EXPECT_OK(jwtkit_key_from_secret(u8(secret), strlen(secret), flags, &k, ERR)))
        return NULL;
    return k;
}

/* A validation allowing the n algorithms that follow. */
static jwtkit_validation *allow(size_t n, ...)
{
    jwtkit_alg algs[16];
    jwtkit_validation *v = NULL;
    va_list ap;
    size_t i;
    va_start(ap, n);
    for (i = 0; i < n && i < 16; i++)
        algs[i] = (jwtkit_alg)va_arg(ap, int);
    va_end(ap);
    if (!EXPECT_OK(jwtkit_validation_new(algs, n, &v, ERR)))
        return NULL;
    return v;
}

/* A JWT over `claims`; malloc'd copy (NULL on failure, which is counted). */
static char *sign_jwt(const jwtkit_key *k, jwtkit_alg alg, const char *claims)
{
    char *tok = NULL, *copy;
    size_t len = 0;
    if (!EXPECT_OK(jwtkit_sign(k, alg, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR)))
        return NULL;
    CHECK(len == strlen(tok));
    copy = xstrndup(tok, len);
    jwtkit_string_free(tok);
    return copy;
}

/* A JWS over arbitrary payload bytes (header {"alg":…,"typ":"JWT"}); malloc'd copy. */
static char *sign_jws(const jwtkit_key *k, jwtkit_alg alg, const char *payload, size_t plen)
{
    static const char hdr[] = "{\"typ\":\"JWT\"}";
    char *tok = NULL, *copy;
    size_t len = 0;
    if (!EXPECT_OK(jwtkit_jws_sign(k, alg, u8(payload), plen, u8(hdr), strlen(hdr), &tok, &len,
                                   ERR)))
        return NULL;
    copy = xstrndup(tok, len);
    jwtkit_string_free(tok);
    return copy;
}

/* jwtkit_verify without outputs, reporting into ERR (use inside EXPECT). */
static jwtkit_status verify(const char *tok, const jwtkit_key *k, const jwtkit_validation *v)
{
    return jwtkit_verify(u8(tok), strlen(tok), k, v, NULL, NULL, NULL, NULL, ERR);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void test_versions_and_names(void)
{
    static const struct {
        jwtkit_status code;
        const char *name;
    } codes[] = {
        {JWTKIT_OK, "JWTKIT_OK"},
        {JWTKIT_ERR_NULL_ARGUMENT, "JWTKIT_ERR_NULL_ARGUMENT"},
        {JWTKIT_ERR_INVALID_ARGUMENT, "JWTKIT_ERR_INVALID_ARGUMENT"},
        {JWTKIT_ERR_PANIC, "JWTKIT_ERR_PANIC"},
        {JWTKIT_ERR_OUT_OF_MEMORY, "JWTKIT_ERR_OUT_OF_MEMORY"},
        {JWTKIT_ERR_KEY_INVALID, "JWTKIT_ERR_KEY_INVALID"},
        {JWTKIT_ERR_KEY_UNSUPPORTED, "JWTKIT_ERR_KEY_UNSUPPORTED"},
        {JWTKIT_ERR_KEY_TOO_WEAK, "JWTKIT_ERR_KEY_TOO_WEAK"},
        {JWTKIT_ERR_KEY_ALG_MISMATCH, "JWTKIT_ERR_KEY_ALG_MISMATCH"},
        {JWTKIT_ERR_KEY_CANNOT_SIGN, "JWTKIT_ERR_KEY_CANNOT_SIGN"},
        {JWTKIT_ERR_KEY_USAGE, "JWTKIT_ERR_KEY_USAGE"},
        {JWTKIT_ERR_KEY_NOT_FOUND, "JWTKIT_ERR_KEY_NOT_FOUND"},
        {JWTKIT_ERR_KEY_NOT_SECRET, "JWTKIT_ERR_KEY_NOT_SECRET"},
        {JWTKIT_ERR_KEY_SOURCE, "JWTKIT_ERR_KEY_SOURCE"},
        {JWTKIT_ERR_TOKEN_MALFORMED, "JWTKIT_ERR_TOKEN_MALFORMED"},
        {JWTKIT_ERR_TOKEN_TOO_LARGE, "JWTKIT_ERR_TOKEN_TOO_LARGE"},
        {JWTKIT_ERR_BASE64, "JWTKIT_ERR_BASE64"},
        {JWTKIT_ERR_JSON, "JWTKIT_ERR_JSON"},
        {JWTKIT_ERR_JSON_LIMIT, "JWTKIT_ERR_JSON_LIMIT"},
        {JWTKIT_ERR_HEADER_INVALID, "JWTKIT_ERR_HEADER_INVALID"},
        {JWTKIT_ERR_CRIT_UNSUPPORTED, "JWTKIT_ERR_CRIT_UNSUPPORTED"},
        {JWTKIT_ERR_ALG_UNSUPPORTED, "JWTKIT_ERR_ALG_UNSUPPORTED"},
        {JWTKIT_ERR_ALG_NOT_ALLOWED, "JWTKIT_ERR_ALG_NOT_ALLOWED"},
        {JWTKIT_ERR_SIGNATURE_INVALID, "JWTKIT_ERR_SIGNATURE_INVALID"},
        {JWTKIT_ERR_CLAIM_INVALID, "JWTKIT_ERR_CLAIM_INVALID"},
        {JWTKIT_ERR_EXPIRED, "JWTKIT_ERR_EXPIRED"},
        {JWTKIT_ERR_NOT_YET_VALID, "JWTKIT_ERR_NOT_YET_VALID"},
        {JWTKIT_ERR_ISSUED_IN_FUTURE, "JWTKIT_ERR_ISSUED_IN_FUTURE"},
        {JWTKIT_ERR_TOO_OLD, "JWTKIT_ERR_TOO_OLD"},
        {JWTKIT_ERR_CLAIM_MISSING, "JWTKIT_ERR_CLAIM_MISSING"},
        {JWTKIT_ERR_ISSUER_MISMATCH, "JWTKIT_ERR_ISSUER_MISMATCH"},
        {JWTKIT_ERR_AUDIENCE_MISMATCH, "JWTKIT_ERR_AUDIENCE_MISMATCH"},
        {JWTKIT_ERR_SUBJECT_MISMATCH, "JWTKIT_ERR_SUBJECT_MISMATCH"},
        {JWTKIT_ERR_TYP_MISMATCH, "JWTKIT_ERR_TYP_MISMATCH"},
        {JWTKIT_ERR_REVOKED, "JWTKIT_ERR_REVOKED"},
        {JWTKIT_ERR_JWE_DECRYPTION_FAILED, "JWTKIT_ERR_JWE_DECRYPTION_FAILED"},
        {JWTKIT_ERR_JWE_ENC_UNSUPPORTED, "JWTKIT_ERR_JWE_ENC_UNSUPPORTED"},
        {JWTKIT_ERR_JWE_ENC_NOT_ALLOWED, "JWTKIT_ERR_JWE_ENC_NOT_ALLOWED"},
        {JWTKIT_ERR_JWE_ALG_INSECURE, "JWTKIT_ERR_JWE_ALG_INSECURE"},
        {JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED, "JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED"},
        {JWTKIT_ERR_JWE_ZIP_LIMIT, "JWTKIT_ERR_JWE_ZIP_LIMIT"},
        {JWTKIT_ERR_JWE_EPK_INVALID, "JWTKIT_ERR_JWE_EPK_INVALID"},
        {JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT, "JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT"},
        {JWTKIT_ERR_JWE_P2C_LIMIT, "JWTKIT_ERR_JWE_P2C_LIMIT"},
        {JWTKIT_ERR_DPOP_PRIVATE_JWK, "JWTKIT_ERR_DPOP_PRIVATE_JWK"},
        {JWTKIT_ERR_DPOP_HTM_MISMATCH, "JWTKIT_ERR_DPOP_HTM_MISMATCH"},
        {JWTKIT_ERR_DPOP_HTU_MISMATCH, "JWTKIT_ERR_DPOP_HTU_MISMATCH"},
        {JWTKIT_ERR_DPOP_ATH_MISMATCH, "JWTKIT_ERR_DPOP_ATH_MISMATCH"},
        {JWTKIT_ERR_DPOP_NONCE, "JWTKIT_ERR_DPOP_NONCE"},
        {JWTKIT_ERR_DPOP_REPLAYED, "JWTKIT_ERR_DPOP_REPLAYED"},
        {JWTKIT_ERR_DPOP_REPLAY_CHECK, "JWTKIT_ERR_DPOP_REPLAY_CHECK"},
        {JWTKIT_ERR_DPOP_BINDING_MISMATCH, "JWTKIT_ERR_DPOP_BINDING_MISMATCH"},
        {JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER, "JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER"},
    };
    /* every code in the header is in the table above (tests/c_api.rs checks);
     * the gaps between the families have no name */
    static const jwtkit_status unknown[] = {-1, 5, 99, 109, 199, 207, 299, 303, 399, 411,
                                            499, 510, 599, 609, 699, 1000, INT32_MAX, INT32_MIN};
    static const char *const alg_names[] = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                            "RS512", "PS256", "PS384", "PS512", "ES256",
                                            "ES384", "ES512", "EdDSA", "ES256K"};
    /* the published numbers: a new algorithm is appended, so none of these ever changes */
    const size_t n_algs = sizeof alg_names / sizeof alg_names[0];
    size_t i;
    char expect_version[64];
    const char *v;
    jwtkit_alg a;

    g_section = "versions";
    CHECK(JWTKIT_VERSION_NUMBER == jwtkit_version_number());
    CHECK(JWTKIT_ABI_VERSION == jwtkit_abi_version());
    CHECK(JWTKIT_VERSION_NUMBER ==
          JWTKIT_VERSION_MAJOR * 1000000 + JWTKIT_VERSION_MINOR * 1000 + JWTKIT_VERSION_PATCH);
    snprintf(expect_version, sizeof expect_version, "jwtkit/%s", JWTKIT_VERSION_STRING);
    v = jwtkit_version();
    CHECK(v != NULL && strcmp(v, expect_version) == 0);

    g_section = "status names";
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = jwtkit_status_str(codes[i].code);
        report(s != NULL && strcmp(s, codes[i].name) == 0, __LINE__,
               "jwtkit_status_str(%d) = \"%s\", want \"%s\"", (int)codes[i].code,
               s ? s : "(null)", codes[i].name);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = jwtkit_status_str(unknown[i]);
        report(s != NULL && strcmp(s, "JWTKIT_ERR_UNKNOWN") == 0, __LINE__,
               "jwtkit_status_str(%ld) = \"%s\", want JWTKIT_ERR_UNKNOWN", (long)unknown[i],
               s ? s : "(null)");
    }

    g_section = "algorithm names";
    CHECK(JWTKIT_ALG_EDDSA == 13 && JWTKIT_ALG_ES256K == 14);
    for (i = 0; i < n_algs; i++) {
        const char *n = jwtkit_alg_name((jwtkit_alg)(i + 1));
        report(n != NULL && strcmp(n, alg_names[i]) == 0, __LINE__, "jwtkit_alg_name(%d) = %s",
               (int)i + 1, n ? n : "(null)");
        a = 0;
        EXPECT_OK(jwtkit_alg_from_name(u8(alg_names[i]), strlen(alg_names[i]), &a, ERR));
        CHECK(a == (jwtkit_alg)(i + 1));
    }
    CHECK(jwtkit_alg_name(0) == NULL);
    CHECK(jwtkit_alg_name((jwtkit_alg)n_algs + 1) == NULL);
    CHECK(jwtkit_alg_name(-1) == NULL);
    a = 0;
    EXPECT_OK(jwtkit_alg_from_name(u8("Ed25519"), 7, &a, ERR));
    CHECK(a == JWTKIT_ALG_EDDSA);
    a = 77;
    EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, jwtkit_alg_from_name(u8("none"), 4, &a, ERR));
    CHECK(a == 77); /* untouched on failure */
    EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, jwtkit_alg_from_name(u8("hs256"), 5, &a, ERR));
    EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, jwtkit_alg_from_name(u8("HS256\0"), 6, &a, ERR));
    EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, jwtkit_alg_from_name(NULL, 0, &a, ERR));
}

static void test_null_arguments(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0), *k = NULL;
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS256), *v2 = NULL;
    const jwtkit_alg hs256 = JWTKIT_ALG_HS256;
    static const char claims[] = "{\"sub\":\"x\"}";
    char *tok = NULL, *h = NULL, *c = NULL, *good;
    size_t len = 0, hl = 0, cl = 0;
    jwtkit_alg a = 0;
    const char *msg;

    g_section = "NULL arguments";
    if (hs == NULL || v == NULL)
        goto out;
    good = sign_jwt(hs, JWTKIT_ALG_HS256, claims);
    if (good == NULL)
        goto out;

    /* keys: (NULL, n>0) input and NULL output */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_secret(NULL, 32, 0, &k, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_secret(u8(SECRET64), 64, 0, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_pem(NULL, 10, &k, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_key_from_pem(u8(RSA_SPKI_PUBLIC), strlen(RSA_SPKI_PUBLIC), NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_der(NULL, 10, &k, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_der(u8("\x30\x00"), 2, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_jwk(NULL, 10, &k, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_jwk(u8("{}"), 2, NULL, ERR));
    CHECK(k == NULL);
    /* (NULL, 0) is the empty input, which is not a key */
    EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_key_from_secret(NULL, 0, 0, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_TOO_WEAK,
           jwtkit_key_from_secret(NULL, 0, JWTKIT_KEY_ALLOW_SHORT_SECRET, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_pem(NULL, 0, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_der(NULL, 0, &k, ERR));
    CHECK(k == NULL);

    /* validations */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_new(NULL, 1, &v2, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_new(&hs256, 1, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_new(NULL, 0, &v2, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_new(&hs256, 0, &v2, ERR));
    CHECK(v2 == NULL);
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_leeway(NULL, 10, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_now(NULL, 10, ERR));

    /* sign */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign(NULL, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, NULL, 5, NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 5, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, NULL, &len, ERR));
    CHECK(tok == NULL);
    /* the length outputs are optional */
    if (EXPECT_OK(jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &tok,
                              NULL, ERR))) {
        CHECK(tok != NULL && strcmp(tok, good) == 0); /* HMAC is deterministic */
        jwtkit_string_free(tok);
        tok = NULL;
    }
    /* (NULL, 0) claims is the empty document, which is not a JSON object */
    EXPECT(JWTKIT_ERR_JSON, jwtkit_sign(hs, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign(NULL, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign(hs, JWTKIT_ALG_HS256, NULL, 1, NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign(hs, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 3, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign(hs, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 0, NULL, &len, ERR));
    CHECK(tok == NULL && len == 0);
    /* (NULL, 0) payload is a valid, empty JWS payload */
    if (EXPECT_OK(jwtkit_jws_sign(hs, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, &tok, &len, ERR))) {
        CHECK(tok != NULL && len == strlen(tok));
        jwtkit_string_free(tok);
        tok = NULL;
        len = 0;
    }

    /* verify */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_verify(NULL, 10, hs, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_verify(u8(good), strlen(good), NULL, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_verify(u8(good), strlen(good), hs, NULL, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED,
           jwtkit_verify(NULL, 0, hs, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_verify(NULL, 10, hs, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_verify(u8(good), strlen(good), NULL, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_verify(u8(good), strlen(good), hs, NULL, NULL, NULL, NULL, NULL, ERR));
    /* every output of verify is optional, lengths included */
    if (EXPECT_OK(jwtkit_verify(u8(good), strlen(good), hs, v, &h, NULL, &c, NULL, ERR))) {
        CHECK(h != NULL && c != NULL && strcmp(c, claims) == 0);
        jwtkit_string_free(h);
        jwtkit_string_free(c);
        h = c = NULL;
    }
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_decode_unverified(NULL, 10, &h, &hl, &c, &cl, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED,
           jwtkit_decode_unverified(NULL, 0, &h, &hl, &c, &cl, ERR));
    CHECK(h == NULL && c == NULL && hl == 0 && cl == 0);

    /* names */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_alg_from_name(NULL, 5, &a, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_alg_from_name(u8("HS256"), 5, NULL, ERR));
    CHECK(a == 0);

    /* errors and frees */
    CHECK(jwtkit_error_status(NULL) == JWTKIT_ERR_NULL_ARGUMENT);
    msg = jwtkit_error_message(NULL);
    CHECK(msg != NULL && msg[0] != '\0');
    jwtkit_error_free(NULL);
    jwtkit_string_free(NULL);
    jwtkit_key_free(NULL);
    jwtkit_validation_free(NULL);

    /* out_err is optional: the status alone must come back, nothing allocated */
    CHECK(jwtkit_key_from_secret(NULL, 32, 0, &k, NULL) == JWTKIT_ERR_NULL_ARGUMENT);
    CHECK(jwtkit_verify(u8("a.b"), 3, hs, v, NULL, NULL, NULL, NULL, NULL) ==
          JWTKIT_ERR_TOKEN_MALFORMED);
    CHECK(jwtkit_sign(hs, JWTKIT_ALG_RS256, u8(claims), strlen(claims), NULL, 0, &tok, &len,
                      NULL) == JWTKIT_ERR_KEY_ALG_MISMATCH);
    CHECK(tok == NULL);
    CHECK(jwtkit_verify(u8(good), strlen(good), hs, v, NULL, NULL, NULL, NULL, NULL) == JWTKIT_OK);

    free(good);
out:
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

/* The builders: a NULL handle, or (NULL, n > 0) text, in every setter. */
static void test_null_arguments_builders(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS256);
    jwtkit_sign_options *o = NULL;
    const uint8_t *none = NULL;
    char *tok = NULL;
    size_t len = 0;

    g_section = "NULL arguments (builders)";
    if (hs == NULL || v == NULL || !EXPECT_OK(jwtkit_sign_options_new(&o, ERR)))
        goto out;
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_new(NULL, ERR));

    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_issued_at(NULL, true, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_lifetime(NULL, 60, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_not_before(NULL, 60, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_now(NULL, 60, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_issuer(NULL, u8("i"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_issuer(o, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_subject(NULL, u8("s"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_subject(o, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_add_audience(NULL, u8("a"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_add_audience(o, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_random_jti(NULL, true, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign_options_set_header(NULL, u8("kid"), 3, u8("k"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_header(o, none, 3, u8("k"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_header(o, u8("kid"), 3, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_merge_header_json(NULL, u8("{}"), 2, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_merge_header_json(o, none, 2, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign_with_options(NULL, JWTKIT_ALG_HS256, u8("{}"), 2, o, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign_with_options(hs, JWTKIT_ALG_HS256, none, 2, o, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_sign_with_options(hs, JWTKIT_ALG_HS256, u8("{}"), 2, o, NULL, &len, ERR));
    CHECK(tok == NULL);
    /* NULL options are the defaults */
    if (EXPECT_OK(jwtkit_sign_with_options(hs, JWTKIT_ALG_HS256, u8("{}"), 2, NULL, &tok, &len,
                                           ERR))) {
        EXPECT_OK(verify(tok, hs, v));
        jwtkit_string_free(tok);
    }

    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_issuer(NULL, u8("i"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_issuer(v, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_audience(NULL, u8("a"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_audience(v, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_strict_audience(NULL, true, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_subject(NULL, u8("s"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_subject(v, none, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_require_claim(NULL, u8("jti"), 3, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_require_claim(v, none, 3, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_typ(NULL, u8("JWT"), 3, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_typ(v, none, 3, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_max_age(NULL, 60, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_validation_disable_checks(NULL, JWTKIT_CHECK_EXP, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_validation_set_revocation_check(NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_validation_set_limit(NULL, JWTKIT_LIMIT_TOKEN_LEN, 1000, ERR));
    jwtkit_sign_options_free(NULL);
out:
    jwtkit_sign_options_free(o);
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

static void test_bad_arguments(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0), *k = NULL;
    jwtkit_validation *v = NULL;
    const jwtkit_alg bad[] = {JWTKIT_ALG_HS256, 0}, bad2[] = {99};
    static const char claims[] = "{\"sub\":\"x\"}";
    char *tok = NULL;
    size_t len = 0;

    g_section = "invalid arguments";
    if (hs == NULL)
        return;
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_new(bad, 2, &v, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_new(bad2, 1, &v, ERR));
    CHECK(v == NULL);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_from_secret(u8(SECRET64), 64, 0x80, &k, ERR));
    CHECK(k == NULL);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_sign(hs, 0, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_ES256K + 1, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_sign(hs, -3, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    /* extra header members may not contradict the algorithm argument */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), u8("{\"alg\":\"none\"}"),
                       14, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), u8("{\"alg\":\"HS512\"}"),
                       15, &tok, &len, ERR));
    CHECK(tok == NULL);
    jwtkit_key_free(hs);
}

/* Tokens that are not three segments of strict base64url. */
static void test_malformed_tokens(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS256);
    char *good, *t;
    size_t n;

    g_section = "malformed tokens";
    if (hs == NULL || v == NULL)
        goto out;
    good = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"sub\":\"x\"}");
    if (good == NULL)
        goto out;
    EXPECT_OK(verify(good, hs, v));

    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify("", hs, v));
    t = segments(good, 1); /* 1 segment */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    free(t);
    t = segments(good, 2); /* 2 segments */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    free(t);
    n = strlen(good);
    t = xmalloc(n + 16); /* 4 segments */
    snprintf(t, n + 16, "%s.e30", good);
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    snprintf(t, n + 16, "%s.e30.e30", good); /* 5 segments */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    snprintf(t, n + 16, "%s.", good); /* 4 segments, the last empty */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify("...", hs, v));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify("....", hs, v));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED,
           jwtkit_decode_unverified(u8("a.b"), 3, NULL, NULL, NULL, NULL, ERR));

    /* invalid UTF-8 (and other non-ASCII) in the token itself */
    strcpy(t, good);
    t[5] = (char)0xff;
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    strcpy(t, good);
    t[n - 3] = (char)0xc3; /* a lone UTF-8 lead byte inside the signature */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    strcpy(t, good);
    memcpy(t + 10, "\xc3\xa9", 2); /* valid UTF-8, still not a token byte */
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, verify(t, hs, v));
    /* the length decides, not a NUL: an exact-size buffer without one verifies
     * (valgrind/ASan would catch a read past it), and bytes after it are ignored */
    {
        char *exact = xmalloc(n);
        memcpy(exact, good, n);
        EXPECT_OK(jwtkit_verify(u8(exact), n, hs, v, NULL, NULL, NULL, NULL, ERR));
        free(exact);
        snprintf(t, n + 16, "%s.e30", good);
        EXPECT_OK(jwtkit_verify(u8(t), n, hs, v, NULL, NULL, NULL, NULL, ERR));
    }

    /* base64url that is not strict */
    strcpy(t, good);
    t[3] = '+';
    EXPECT(JWTKIT_ERR_BASE64, verify(t, hs, v));
    strcpy(t, good);
    t[3] = '/';
    EXPECT(JWTKIT_ERR_BASE64, verify(t, hs, v));
    {
        char *padded = craft("{\"alg\":\"HS256\"}", "{}", "AAAA"); /* header "eyJ...In0" */
        char *dot = strchr(padded, '.');
        size_t pl = strlen(padded);
        char *p2 = xmalloc(pl + 3);
        memcpy(p2, padded, (size_t)(dot - padded));
        strcpy(p2 + (dot - padded), "==");
        strcpy(p2 + (dot - padded) + 2, dot);
        EXPECT(JWTKIT_ERR_BASE64, verify(p2, hs, v)); /* padding */
        free(p2);
        free(padded);
    }
    free(t);
    free(good);
out:
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

/* Headers that are invalid or that try to choose the algorithm. */
static void test_bad_headers(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(2, JWTKIT_ALG_HS256, JWTKIT_ALG_RS256);
    static const char *const none_algs[] = {"none", "None", "NONE", "nOnE", "hs256", "HS256 ",
                                            "", "HS1024"};
    static const struct {
        const char *header;
        jwtkit_status want;
    } cases[] = {
        {"{\"typ\":\"JWT\"}", JWTKIT_ERR_ALG_UNSUPPORTED},             /* missing alg */
        {"{\"alg\":5}", JWTKIT_ERR_HEADER_INVALID},                   /* non-string alg */
        {"{\"alg\":null}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":[\"HS256\"]}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":{\"name\":\"HS256\"}}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":true}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":\"HS256\",\"alg\":\"HS256\"}", JWTKIT_ERR_JSON},     /* duplicate member */
        {"{\"alg\":\"RS256\",\"alg\":\"HS256\"}", JWTKIT_ERR_JSON},
        {"{\"alg\":\"HS256\",\"x\":\"\xff\"}", JWTKIT_ERR_JSON},         /* invalid UTF-8 */
        {"{\"alg\":\"HS256\",\"x\":\"\xc3\x28\"}", JWTKIT_ERR_JSON},
        {"{\"alg\":\"HS256\",\"x\":\"\xed\xa0\x80\"}", JWTKIT_ERR_JSON}, /* UTF-8 surrogate */
        {"\xef\xbb\xbf{\"alg\":\"HS256\"}", JWTKIT_ERR_JSON},           /* BOM */
        {"{\"alg\":\"HS256\"} x", JWTKIT_ERR_JSON},                     /* trailing bytes */
        {"[\"HS256\"]", JWTKIT_ERR_JSON},                               /* not an object */
        {"{\"alg\":\"HS256\",\"n\":NaN}", JWTKIT_ERR_JSON},
        {"{\"alg\":\"HS256\",\"crit\":[\"foo\"],\"foo\":1}", JWTKIT_ERR_CRIT_UNSUPPORTED},
        {"{\"alg\":\"HS256\",\"crit\":\"foo\"}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":\"HS256\",\"crit\":[]}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":\"HS256\",\"b64\":false}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":\"HS256\",\"kid\":7}", JWTKIT_ERR_HEADER_INVALID},
        {"{\"alg\":\"HS256\",\"typ\":7}", JWTKIT_ERR_HEADER_INVALID},
    };
    char hdr[64], *t;
    size_t i;

    g_section = "bad headers";
    if (hs == NULL || v == NULL)
        goto out;
    for (i = 0; i < sizeof none_algs / sizeof none_algs[0]; i++) {
        snprintf(hdr, sizeof hdr, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", none_algs[i]);
        t = craft(hdr, "{\"sub\":\"admin\"}", "");
        if (!EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, verify(t, hs, v)))
            fprintf(stderr, "    header: %s\n", hdr);
        EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED,
               jwtkit_jws_verify(u8(t), strlen(t), hs, v, NULL, NULL, NULL, NULL, ERR));
        free(t);
        t = craft(hdr, "{\"sub\":\"admin\"}", "c2lnbmF0dXJl");
        EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, verify(t, hs, v));
        free(t);
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t = craft(cases[i].header, "{\"sub\":\"admin\"}", "c2lnbmF0dXJl");
        if (!EXPECT(cases[i].want, verify(t, hs, v)))
            fprintf(stderr, "    header: %s\n", cases[i].header);
        free(t);
    }
    /* a header over 8 KiB, and one nested too deeply */
    {
        size_t n = 9000, d = 100, j;
        char *big = xmalloc(n + 64), *deep = xmalloc(2 * d + 64), *p;
        p = big + sprintf(big, "{\"alg\":\"HS256\",\"x\":\"");
        memset(p, 'a', n);
        strcpy(p + n, "\"}");
        t = craft(big, "{}", "c2ln");
        EXPECT(JWTKIT_ERR_JSON_LIMIT, verify(t, hs, v));
        free(t);
        p = deep + sprintf(deep, "{\"alg\":\"HS256\",\"x\":");
        for (j = 0; j < d; j++)
            *p++ = '[';
        for (j = 0; j < d; j++)
            *p++ = ']';
        strcpy(p, "}");
        t = craft(deep, "{}", "c2ln");
        EXPECT(JWTKIT_ERR_JSON_LIMIT, verify(t, hs, v));
        free(t);
        free(big);
        free(deep);
    }
out:
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

/* DER encoding of an INTEGER holding the unsigned big-endian v[0..n). */
static size_t der_int(uint8_t *out, const uint8_t *v, size_t n)
{
    size_t i = 0;
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    out[i++] = 0x02;
    out[i++] = (uint8_t)(n + (v[0] & 0x80 ? 1 : 0));
    if (v[0] & 0x80)
        out[i++] = 0;
    memcpy(out + i, v, n);
    return i + n;
}

static void test_bad_signatures(void)
{
    const jwtkit_key *ec = pem_key(P256_PKCS8_PRIVATE), *ec_pub = pem_key(P256_SPKI_PUBLIC);
    const jwtkit_key *other = pem_key(P256_OTHER_SPKI_PUBLIC);
    const jwtkit_key *hs = secret_key(SECRET64, 0), *rsa = pem_key(RSA_PKCS8_PRIVATE);
    jwtkit_validation *v = allow(3, JWTKIT_ALG_ES256, JWTKIT_ALG_HS256, JWTKIT_ALG_RS256);
    char *es = NULL, *h = NULL, *r = NULL, *t;
    uint8_t *sig = NULL, der[80], zeros[64];
    size_t n = 0, dn;

    g_section = "bad signatures";
    if (!ec || !ec_pub || !other || !hs || !rsa || !v)
        goto out;
    es = sign_jwt(ec, JWTKIT_ALG_ES256, "{\"sub\":\"x\"}");
    h = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"sub\":\"x\"}");
    r = sign_jwt(rsa, JWTKIT_ALG_RS256, "{\"sub\":\"x\"}");
    if (!es || !h || !r)
        goto out;
    EXPECT_OK(verify(es, ec_pub, v));
    EXPECT_OK(verify(es, ec, v));
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(es, other, v)); /* someone else's key */

    sig = token_sig(es, &n);
    CHECK(sig != NULL && n == 64); /* JWS ECDSA is r || s, 32 bytes each for P-256 */
    if (sig == NULL || n != 64)
        goto out;

    /* the same (r, s) as an ASN.1 DER SEQUENCE, as OpenSSL would emit it */
    dn = der_int(der + 2, sig, 32);
    dn += der_int(der + 2 + dn, sig + 32, 32);
    der[0] = 0x30;
    der[1] = (uint8_t)dn;
    t = with_sig(es, der, dn + 2);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);

    memset(zeros, 0, sizeof zeros); /* r = s = 0 */
    t = with_sig(es, zeros, 64);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);
    t = with_sig(es, sig, 63); /* truncated */
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);
    t = with_sig(es, sig, 32);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);
    t = with_sig(es, sig, 0); /* empty */
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);
    sig[10] ^= 1; /* one bit */
    t = with_sig(es, sig, 64);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, ec_pub, v));
    free(t);
    free(sig);

    sig = token_sig(h, &n);
    CHECK(sig != NULL && n == 32);
    if (sig != NULL) {
        t = with_sig(h, sig, n - 1);
        EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, hs, v));
        free(t);
        t = with_sig(h, sig, 0);
        EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, hs, v));
        free(t);
        free(sig);
    }
    sig = token_sig(r, &n);
    CHECK(sig != NULL && n == 256);
    if (sig != NULL) {
        t = with_sig(r, sig, n - 1);
        EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, rsa, v));
        free(t);
        t = with_sig(r, sig, 0);
        EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, rsa, v));
        free(t);
    }

    /* a changed payload under the original signature */
    t = craft("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"admin\"}", strrchr(h, '.') + 1);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, verify(t, hs, v));
    free(t);
out:
    free(sig);
    free(es);
    free(h);
    free(r);
    jwtkit_validation_free(v);
    jwtkit_key_free(ec);
    jwtkit_key_free(ec_pub);
    jwtkit_key_free(other);
    jwtkit_key_free(hs);
    jwtkit_key_free(rsa);
}

/* The classic algorithm-confusion attack: an attacker who knows a public key
 * signs HS256 with the key's PEM text as the HMAC secret. jwtkit refuses the PEM
 * text as a secret (so it cannot make the forgery itself); the HS256 token below is
 * MACed with another secret, which changes nothing for the verifier: an HMAC token
 * never reaches a public key's signature check. */
static void confusion(const char *public_pem)
{
    const jwtkit_key *pub = pem_key(public_pem), *forged_key = NULL;
    jwtkit_validation *v = allow(6, JWTKIT_ALG_RS256, JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA,
                                 JWTKIT_ALG_HS256, JWTKIT_ALG_PS256, JWTKIT_ALG_ES384);
    jwtkit_validation *strict = allow(3, JWTKIT_ALG_RS256, JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA);
    char *forged = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;

    if (!pub || !v || !strict)
        goto out;
    EXPECT(JWTKIT_ERR_KEY_NOT_SECRET, jwtkit_key_from_secret(u8(public_pem), strlen(public_pem),
                                                            JWTKIT_KEY_ALLOW_SHORT_SECRET, &forged_key, ERR));
    CHECK(forged_key == NULL);
    forged_key = secret_key(SECRET64, 0);
    if (forged_key == NULL)
        goto out;
    forged = sign_jwt(forged_key, JWTKIT_ALG_HS256, "{\"sub\":\"admin\"}");
    if (forged == NULL)
        goto out;
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(forged, pub, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_jws_verify(u8(forged), strlen(forged), pub, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, verify(forged, pub, strict));
    /* the message must not echo the key material */
    st = jwtkit_verify(u8(forged), strlen(forged), pub, v, NULL, NULL, NULL, NULL, &err);
    CHECK(st == JWTKIT_ERR_KEY_ALG_MISMATCH && err != NULL &&
          strstr(jwtkit_error_message(err), "BEGIN") == NULL &&
          strstr(jwtkit_error_message(err), "MII") == NULL &&
          strstr(jwtkit_error_message(err), "MCow") == NULL);
    jwtkit_error_free(err);
out:
    free(forged);
    jwtkit_key_free(forged_key);
    jwtkit_key_free(pub);
    jwtkit_validation_free(v);
    jwtkit_validation_free(strict);
}

static void test_key_alg_mismatch(void)
{
    const jwtkit_key *p256 = pem_key(P256_SEC1_PRIVATE), *p384 = pem_key(P384_SEC1_PRIVATE);
    const jwtkit_key *p384_pub = pem_key(P384_SPKI_PUBLIC), *p256_pub = pem_key(P256_SPKI_PUBLIC);
    const jwtkit_key *rsa = pem_key(RSA_PKCS8_PRIVATE), *ed = pem_key(ED25519_PKCS8_PRIVATE);
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    const jwtkit_key *k1 = pem_key(SECP256K1_PKCS8_PRIVATE), *k1_pub = pem_key(SECP256K1_SPKI_PUBLIC);
    jwtkit_validation *v =
        allow(8, JWTKIT_ALG_ES256, JWTKIT_ALG_ES384, JWTKIT_ALG_ES512, JWTKIT_ALG_RS256,
              JWTKIT_ALG_PS256, JWTKIT_ALG_EDDSA, JWTKIT_ALG_HS256, JWTKIT_ALG_ES256K);
    static const char claims[] = "{\"sub\":\"x\"}";
    char *es256 = NULL, *es384 = NULL, *rs = NULL, *ps = NULL, *eddsa = NULL, *es256k = NULL, *tok = NULL;
    size_t len = 0;

    g_section = "key/algorithm mismatch";
    confusion(RSA_SPKI_PUBLIC);
    confusion(P256_SPKI_PUBLIC);
    confusion(ED25519_SPKI_PUBLIC);
    confusion(SECP256K1_SPKI_PUBLIC);
    confusion(RSA_CERT);
    g_section = "key/algorithm mismatch";
    if (!p256 || !p384 || !p384_pub || !p256_pub || !rsa || !ed || !hs || !k1 || !k1_pub || !v)
        goto out;
    es256 = sign_jwt(p256, JWTKIT_ALG_ES256, claims);
    es384 = sign_jwt(p384, JWTKIT_ALG_ES384, claims);
    rs = sign_jwt(rsa, JWTKIT_ALG_RS256, claims);
    ps = sign_jwt(rsa, JWTKIT_ALG_PS256, claims);
    eddsa = sign_jwt(ed, JWTKIT_ALG_EDDSA, claims);
    es256k = sign_jwt(k1, JWTKIT_ALG_ES256K, claims);
    if (!es256 || !es384 || !rs || !ps || !eddsa || !es256k)
        goto out;
    /* secp256k1 and P-256: the same sizes, never the same key */
    CHECK(jwtkit_key_can_verify(k1_pub, JWTKIT_ALG_ES256K) && jwtkit_key_can_verify(k1, JWTKIT_ALG_ES256K));
    CHECK(!jwtkit_key_can_verify(k1_pub, JWTKIT_ALG_ES256) && !jwtkit_key_can_verify(p256_pub, JWTKIT_ALG_ES256K));
    CHECK(!jwtkit_key_can_verify(hs, JWTKIT_ALG_ES256K) && jwtkit_key_can_verify(hs, JWTKIT_ALG_HS512));
    CHECK(!jwtkit_key_can_verify(NULL, JWTKIT_ALG_ES256K) && !jwtkit_key_can_verify(k1_pub, 0) &&
          !jwtkit_key_can_verify(k1_pub, JWTKIT_ALG_ES256K + 1));
    EXPECT_OK(verify(es256k, k1_pub, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256k, p256_pub, v)); /* ES256K, P-256 key */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256k, p256, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, k1_pub, v)); /* ES256, secp256k1 key */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, k1, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256k, hs, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256k, ed, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(k1, JWTKIT_ALG_ES256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(p256, JWTKIT_ALG_ES256K, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN,
           jwtkit_sign(k1_pub, JWTKIT_ALG_ES256K, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, p384_pub, v)); /* ES256, P-384 key */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, p384, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es384, p256_pub, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, rsa, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(es256, hs, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(rs, p256_pub, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(rs, ed, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(ps, hs, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(eddsa, rsa, v));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, verify(eddsa, p256_pub, v));
    /* and when signing */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(p384, JWTKIT_ALG_ES256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(p256, JWTKIT_ALG_ES512, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(hs, JWTKIT_ALG_RS256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(rsa, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(ed, JWTKIT_ALG_ES256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
           jwtkit_sign(rsa, JWTKIT_ALG_EDDSA, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    CHECK(tok == NULL);
out:
    free(es256);
    free(es384);
    free(rs);
    free(ps);
    free(eddsa);
    free(es256k);
    jwtkit_validation_free(v);
    jwtkit_key_free(k1);
    jwtkit_key_free(k1_pub);
    jwtkit_key_free(p256);
    jwtkit_key_free(p384);
    jwtkit_key_free(p384_pub);
    jwtkit_key_free(p256_pub);
    jwtkit_key_free(rsa);
    jwtkit_key_free(ed);
    jwtkit_key_free(hs);
}

/* Size and nesting limits; invalid UTF-8 and duplicates in the claims. */
static void test_limits_and_claims_json(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS256);
    const size_t big = 10u * 1024 * 1024, limit = 128u * 1024, deep = 100000, fits = 40000;
    char *t, *claims, *p, *tok = NULL;
    size_t i, len = 0, out_len = 0;
    char *out = NULL;

    g_section = "limits";
    if (hs == NULL || v == NULL)
        goto out;

    /* a 10 MB token */
    t = xmalloc(big + 1);
    memset(t, 'A', big);
    memcpy(t, "eyJhbGciOiJIUzI1NiJ9.", 21);
    t[big - 44] = '.';
    t[big] = '\0';
    EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE, verify(t, hs, v));
    EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE,
           jwtkit_jws_verify(u8(t), big, hs, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE,
           jwtkit_decode_unverified(u8(t), big, NULL, NULL, NULL, NULL, ERR));
    /* the limit is "longer than 128 KiB": one byte over fails, exactly at it does not */
    EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE,
           jwtkit_verify(u8(t), limit + 1, hs, v, NULL, NULL, NULL, NULL, ERR));
    t[limit - 44] = '.';
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID,
           jwtkit_verify(u8(t), limit, hs, v, NULL, NULL, NULL, NULL, ERR));
    free(t);

    /* 100 000 nested arrays: refused when signing ... */
    claims = xmalloc(2 * deep + 16);
    p = claims + sprintf(claims, "{\"a\":");
    for (i = 0; i < deep; i++)
        *p++ = '[';
    for (i = 0; i < deep; i++)
        *p++ = ']';
    strcpy(p, "}");
    EXPECT(JWTKIT_ERR_JSON_LIMIT,
           jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &tok, &len, ERR));
    CHECK(tok == NULL);
    /* ... and when verifying a validly signed token that carries them. At this
     * depth the token is over the 128 KiB limit, which is checked first. */
    {
        jwtkit_status st = jwtkit_jws_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims),
                                           NULL, 0, &tok, &len, ERR);
        if (st == JWTKIT_ERR_TOKEN_TOO_LARGE) {
            /* refusing to produce a token it would refuse to verify is fine too */
            expect_status(st, JWTKIT_ERR_TOKEN_TOO_LARGE, "jwtkit_jws_sign(200 KB)", __LINE__);
        } else if (expect_status(st, JWTKIT_OK, "jwtkit_jws_sign(200 KB)", __LINE__)) {
            jwtkit_validation *roomy = allow(1, JWTKIT_ALG_HS256);
            CHECK(len > limit);
            EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE,
                   jwtkit_verify(u8(tok), len, hs, v, NULL, NULL, NULL, NULL, ERR));
            /* with room for it, the depth limit stops it (without recursing 100 000 deep) */
            if (roomy != NULL &&
                EXPECT_OK(jwtkit_validation_set_limit(roomy, JWTKIT_LIMIT_TOKEN_LEN, 1u << 20,
                                                      ERR)))
                EXPECT(JWTKIT_ERR_JSON_LIMIT,
                       jwtkit_verify(u8(tok), len, hs, roomy, NULL, NULL, NULL, NULL, ERR));
            jwtkit_validation_free(roomy);
            jwtkit_string_free(tok);
            tok = NULL;
        }
    }
    /* the deepest nesting that still fits in the size limit */
    p = claims + sprintf(claims, "{\"a\":");
    for (i = 0; i < fits; i++)
        *p++ = '[';
    for (i = 0; i < fits; i++)
        *p++ = ']';
    strcpy(p, "}");
    t = sign_jws(hs, JWTKIT_ALG_HS256, claims, strlen(claims));
    if (t != NULL) {
        CHECK(strlen(t) <= limit);
        EXPECT(JWTKIT_ERR_JSON_LIMIT, verify(t, hs, v));
        EXPECT(JWTKIT_ERR_JSON_LIMIT,
               jwtkit_decode_unverified(u8(t), strlen(t), NULL, NULL, &out, &out_len, ERR));
        CHECK(out == NULL);
        /* jws_verify checks the signature only: the payload is opaque bytes */
        if (EXPECT_OK(jwtkit_jws_verify(u8(t), strlen(t), hs, v, NULL, NULL, &out, &out_len,
                                        ERR))) {
            CHECK(out_len == strlen(claims) && memcmp(out, claims, out_len) == 0);
            jwtkit_string_free(out);
            out = NULL;
        }
        free(t);
    }
    free(claims);

    /* the limits themselves */
    {
        jwtkit_validation *tight = allow(1, JWTKIT_ALG_HS256);
        if (tight != NULL) {
            EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
                   jwtkit_validation_set_limit(NULL, JWTKIT_LIMIT_JSON_DEPTH, 3, ERR));
            EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_set_limit(tight, 0, 3, ERR));
            EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_set_limit(tight, 99, 3, ERR));
            EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
                   jwtkit_validation_set_limit(tight, JWTKIT_LIMIT_JSON_DEPTH, 121, ERR));
            if (EXPECT_OK(jwtkit_validation_set_limit(tight, JWTKIT_LIMIT_JSON_DEPTH, 3, ERR))) {
                t = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"a\":[[1]]}"); /* depth 3 */
                if (t != NULL)
                    EXPECT_OK(verify(t, hs, tight));
                free(t);
                t = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"a\":[[[1]]]}"); /* depth 4 */
                if (t != NULL)
                    EXPECT(JWTKIT_ERR_JSON_LIMIT, verify(t, hs, tight));
                free(t);
            }
            if (EXPECT_OK(jwtkit_validation_set_limit(tight, JWTKIT_LIMIT_TOKEN_LEN, 100, ERR))) {
                t = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"sub\":\"a rather long subject name\"}");
                if (t != NULL)
                    EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE, verify(t, hs, tight));
                free(t);
            }
            jwtkit_validation_free(tight);
        }
    }

    g_section = "claims JSON";
    {
        static const struct {
            const char *claims;
            jwtkit_status want;
        } cases[] = {
            {"{\"sub\":\"a\",\"sub\":\"b\"}", JWTKIT_ERR_JSON},
            {"{\"a\":{\"x\":1,\"x\":1}}", JWTKIT_ERR_JSON},
            {"{\"sub\":\"\xff\"}", JWTKIT_ERR_JSON},
            {"{\"sub\":\"\xc0\xaf\"}", JWTKIT_ERR_JSON},     /* overlong */
            {"{\"sub\":\"\xf4\x90\x80\x80\"}", JWTKIT_ERR_JSON}, /* > U+10FFFF */
            {"{\"sub\":\"x\"", JWTKIT_ERR_JSON},
            {"{\"sub\":\"x\"}{}", JWTKIT_ERR_JSON},
            {"\xef\xbb\xbf{}", JWTKIT_ERR_JSON},
            {"{\"n\":Infinity}", JWTKIT_ERR_JSON},
            {"{\"exp\":\"1700000000\"}", JWTKIT_ERR_CLAIM_INVALID},
            {"{\"exp\":null}", JWTKIT_ERR_CLAIM_INVALID},
            {"{\"exp\":true}", JWTKIT_ERR_CLAIM_INVALID},
            {"{\"exp\":[4102444800]}", JWTKIT_ERR_CLAIM_INVALID},
            {"{\"nbf\":\"0\"}", JWTKIT_ERR_CLAIM_INVALID},
            {"{\"nbf\":{}}", JWTKIT_ERR_CLAIM_INVALID},
        };
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            t = sign_jws(hs, JWTKIT_ALG_HS256, cases[i].claims, strlen(cases[i].claims));
            if (t == NULL)
                continue;
            if (!EXPECT(cases[i].want, verify(t, hs, v)))
                fprintf(stderr, "    claims: %s\n", cases[i].claims);
            free(t);
            if (cases[i].want == JWTKIT_ERR_JSON) {
                /* jwtkit_sign refuses to produce such a token in the first place */
                if (!EXPECT(JWTKIT_ERR_JSON,
                            jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(cases[i].claims),
                                        strlen(cases[i].claims), NULL, 0, &tok, &len, ERR)))
                    fprintf(stderr, "    claims: %s\n", cases[i].claims);
                if (!EXPECT(JWTKIT_ERR_JSON,
                            jwtkit_sign(hs, JWTKIT_ALG_HS256, u8("{}"), 2, u8(cases[i].claims),
                                        strlen(cases[i].claims), &tok, &len, ERR)))
                    fprintf(stderr, "    header members: %s\n", cases[i].claims);
                CHECK(tok == NULL);
            }
        }
    }
out:
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

static char *timed_jwt(const jwtkit_key *k, const char *name, long long value)
{
    char claims[96];
    snprintf(claims, sizeof claims, "{\"sub\":\"x\",\"%s\":%lld}", name, value);
    return sign_jwt(k, JWTKIT_ALG_HS256, claims);
}

static void test_time_claims(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS256), *fixed = allow(1, JWTKIT_ALG_HS256);
    const long long now = (long long)time(NULL), t0 = 1700000000;
    char *t;

    g_section = "time claims";
    if (!hs || !v || !fixed)
        goto out;
    /* the real clock */
    t = timed_jwt(hs, "exp", now - 3600);
    EXPECT(JWTKIT_ERR_EXPIRED, verify(t, hs, v));
    free(t);
    t = timed_jwt(hs, "exp", now + 3600);
    EXPECT_OK(verify(t, hs, v));
    free(t);
    t = timed_jwt(hs, "nbf", now + 3600);
    EXPECT(JWTKIT_ERR_NOT_YET_VALID, verify(t, hs, v));
    free(t);
    t = timed_jwt(hs, "nbf", now - 3600);
    EXPECT_OK(verify(t, hs, v));
    free(t);

    /* a fixed clock and no leeway: valid while now < exp and now >= nbf */
    if (!EXPECT_OK(jwtkit_validation_set_now(fixed, t0, ERR)) ||
        !EXPECT_OK(jwtkit_validation_set_leeway(fixed, 0, ERR)))
        goto out;
    t = timed_jwt(hs, "exp", t0);
    EXPECT(JWTKIT_ERR_EXPIRED, verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "exp", t0 + 1);
    EXPECT_OK(verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "nbf", t0 + 1);
    EXPECT(JWTKIT_ERR_NOT_YET_VALID, verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "nbf", t0);
    EXPECT_OK(verify(t, hs, fixed));
    free(t);
    /* with 60 s of leeway */
    if (!EXPECT_OK(jwtkit_validation_set_leeway(fixed, 60, ERR)))
        goto out;
    t = timed_jwt(hs, "exp", t0 - 59);
    EXPECT_OK(verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "exp", t0 - 60);
    EXPECT(JWTKIT_ERR_EXPIRED, verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "nbf", t0 + 60);
    EXPECT_OK(verify(t, hs, fixed));
    free(t);
    t = timed_jwt(hs, "nbf", t0 + 61);
    EXPECT(JWTKIT_ERR_NOT_YET_VALID, verify(t, hs, fixed));
    free(t);
    /* fractional and huge values are numbers, not type errors */
    t = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"exp\":1699999939.5}");
    EXPECT(JWTKIT_ERR_EXPIRED, verify(t, hs, fixed));
    free(t);
    t = sign_jwt(hs, JWTKIT_ALG_HS256, "{\"exp\":1e10}");
    EXPECT_OK(verify(t, hs, fixed));
    free(t);
out:
    jwtkit_validation_free(v);
    jwtkit_validation_free(fixed);
    jwtkit_key_free(hs);
}

static void test_policy_and_key_strength(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0), *k = NULL;
    const jwtkit_key *rsa_pub = pem_key(RSA_SPKI_PUBLIC), *ec_pub = pem_key(P256_SPKI_PUBLIC);
    const jwtkit_key *ed_pub = pem_key(ED25519_SPKI_PUBLIC), *cert = pem_key(RSA_CERT);
    jwtkit_validation *v256 = allow(1, JWTKIT_ALG_HS256), *rs = allow(1, JWTKIT_ALG_RS256);
    static const char claims[] = "{\"sub\":\"x\"}";
    char *t = NULL, *tok = (char *)claims;
    size_t len = 12345;
    jwtkit_status st;

    g_section = "allow-list";
    if (!hs || !rsa_pub || !ec_pub || !ed_pub || !cert || !v256 || !rs)
        goto out;
    t = sign_jwt(hs, JWTKIT_ALG_HS384, claims);
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, verify(t, hs, v256));
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, verify(t, hs, rs));
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED,
           jwtkit_jws_verify(u8(t), strlen(t), hs, v256, NULL, NULL, NULL, NULL, ERR));
    free(t);
    t = NULL;

    g_section = "public keys cannot sign";
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN, jwtkit_sign(rsa_pub, JWTKIT_ALG_RS256, u8(claims),
                                                   strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN, jwtkit_sign(rsa_pub, JWTKIT_ALG_PS512, u8(claims),
                                                   strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN, jwtkit_sign(ec_pub, JWTKIT_ALG_ES256, u8(claims),
                                                   strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN, jwtkit_sign(ed_pub, JWTKIT_ALG_EDDSA, u8(claims),
                                                   strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN, jwtkit_sign(cert, JWTKIT_ALG_RS256, u8(claims),
                                                   strlen(claims), NULL, 0, &tok, &len, ERR));
    EXPECT(JWTKIT_ERR_KEY_CANNOT_SIGN,
           jwtkit_jws_sign(ec_pub, JWTKIT_ALG_ES256, u8("x"), 1, NULL, 0, &tok, &len, ERR));
    /* outputs are written only on success */
    CHECK(tok == (char *)claims && len == 12345);

    g_section = "weak keys";
    /* A weak key may be refused when it is loaded or when it is first used;
     * either way the status is KEY_TOO_WEAK. */
    st = jwtkit_key_from_secret(u8("secret"), 6, 0, &k, ERR);
    if (st == JWTKIT_OK) {
        EXPECT_OK(st);
        EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_sign(k, JWTKIT_ALG_HS256, u8(claims),
                                                    strlen(claims), NULL, 0, &tok, &len, ERR));
        jwtkit_key_free(k);
    } else {
        expect_status(st, JWTKIT_ERR_KEY_TOO_WEAK, "jwtkit_key_from_secret(\"secret\")", __LINE__);
        CHECK(k == NULL);
    }
    k = NULL;
    /* ... unless the caller opts in to legacy short secrets */
    k = secret_key("secret", JWTKIT_KEY_ALLOW_SHORT_SECRET);
    if (k != NULL) {
        t = sign_jwt(k, JWTKIT_ALG_HS256, claims);
        if (t != NULL)
            EXPECT_OK(verify(t, k, v256));
        free(t);
        t = NULL;
        jwtkit_key_free(k);
        k = NULL;
    }
    /* a 32-byte secret is enough for HS256 but not for HS512 */
    k = secret_key("0123456789abcdef0123456789abcdef", 0);
    if (k != NULL) {
        t = sign_jwt(k, JWTKIT_ALG_HS256, claims);
        free(t);
        t = NULL;
        EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_sign(k, JWTKIT_ALG_HS512, u8(claims),
                                                    strlen(claims), NULL, 0, &tok, &len, ERR));
        jwtkit_key_free(k);
        k = NULL;
    }
    /* RSA under 2048 bits */
    st = jwtkit_key_from_pem(u8(RSA1024_PKCS8_PRIVATE), strlen(RSA1024_PKCS8_PRIVATE), &k, ERR);
    if (st == JWTKIT_OK) {
        EXPECT_OK(st);
        EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_sign(k, JWTKIT_ALG_RS256, u8(claims),
                                                    strlen(claims), NULL, 0, &tok, &len, ERR));
        jwtkit_key_free(k);
    } else {
        expect_status(st, JWTKIT_ERR_KEY_TOO_WEAK, "jwtkit_key_from_pem(RSA1024)", __LINE__);
    }
    k = NULL;
    CHECK(tok == (char *)claims && len == 12345);

    g_section = "bad key material";
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_pem(u8("hello"), 5, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID,
           jwtkit_key_from_pem(u8(RSA_SPKI_PUBLIC), strlen(RSA_SPKI_PUBLIC) / 2, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_der(u8("\x30\x03\x02\x01\x00"), 5, &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_der(u8(RSA_SPKI_PUBLIC), 40, &k, ERR));
    /* a private key whose embedded public key is another key's */
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_pem(u8(P256_MISMATCHED_PKCS8_PRIVATE),
                                                       strlen(P256_MISMATCHED_PKCS8_PRIVATE), &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_pem(u8(P256_MISMATCHED_SEC1_PRIVATE),
                                                       strlen(P256_MISMATCHED_SEC1_PRIVATE), &k, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID,
           jwtkit_key_from_pem(u8(ED25519_MISMATCHED_PKCS8V2_PRIVATE),
                               strlen(ED25519_MISMATCHED_PKCS8V2_PRIVATE), &k, ERR));
    CHECK(k == NULL);
out:
    free(t);
    jwtkit_validation_free(v256);
    jwtkit_validation_free(rs);
    jwtkit_key_free(hs);
    jwtkit_key_free(rsa_pub);
    jwtkit_key_free(ec_pub);
    jwtkit_key_free(ed_pub);
    jwtkit_key_free(cert);
}

/* Signs with `priv`, verifies with `pub`, and checks every output. */
static void round_trip(const char *what, const jwtkit_key *priv, const jwtkit_key *pub,
                       jwtkit_alg alg)
{
    static const char claims[] = "{\"sub\": \"1234567890\", \"name\": \"J\\u00f6rg\", \"n\": [1, 2.5]}";
    jwtkit_validation *v = NULL;
    char *tok = NULL, *h = NULL, *c = NULL, *p = NULL;
    size_t tl = 0, hl = 0, cl = 0, pl = 0;
    char want_alg[32];

    if (priv == NULL || pub == NULL)
        return;
    snprintf(want_alg, sizeof want_alg, "\"alg\":\"%s\"", jwtkit_alg_name(alg));
    if (!EXPECT_OK(jwtkit_validation_new(&alg, 1, &v, ERR)))
        return;
    if (EXPECT_OK(jwtkit_sign(priv, alg, u8(claims), strlen(claims), NULL, 0, &tok, &tl, ERR))) {
        CHECK(tok[tl] == '\0' && strlen(tok) == tl);
        if (EXPECT_OK(jwtkit_verify(u8(tok), tl, pub, v, &h, &hl, &c, &cl, ERR))) {
            /* claims come back byte for byte; the header names the algorithm and typ */
            report(cl == strlen(claims) && strcmp(c, claims) == 0, __LINE__,
                   "%s %s: claims came back as %s", what, jwtkit_alg_name(alg), c);
            CHECK(hl == strlen(h) && strstr(h, want_alg) != NULL &&
                  strstr(h, "\"typ\":\"JWT\"") != NULL);
            jwtkit_string_free(h);
            jwtkit_string_free(c);
            h = c = NULL;
        } else {
            fprintf(stderr, "    %s %s\n", what, jwtkit_alg_name(alg));
        }
        if (EXPECT_OK(jwtkit_jws_verify(u8(tok), tl, pub, v, NULL, NULL, &p, &pl, ERR))) {
            CHECK(pl == strlen(claims) && memcmp(p, claims, pl) == 0);
            jwtkit_string_free(p);
        }
        if (EXPECT_OK(jwtkit_decode_unverified(u8(tok), tl, &h, &hl, &c, &cl, ERR))) {
            CHECK(strstr(h, want_alg) != NULL && strcmp(c, claims) == 0);
            jwtkit_string_free(h);
            jwtkit_string_free(c);
        }
        jwtkit_string_free(tok);
    } else {
        fprintf(stderr, "    %s %s\n", what, jwtkit_alg_name(alg));
    }
    jwtkit_validation_free(v);
}

static void test_round_trips(void)
{
    /* every private-key format x every public-key format, in PEM and in DER */
    static const struct {
        jwtkit_alg algs[3];
        const char *priv[3];
        const char *pub[3];
    } families[] = {
        {{JWTKIT_ALG_RS256, JWTKIT_ALG_RS384, JWTKIT_ALG_RS512},
         {RSA_PKCS8_PRIVATE, RSA_PKCS1_PRIVATE, NULL},
         {RSA_SPKI_PUBLIC, RSA_PKCS1_PUBLIC, RSA_CERT}},
        {{JWTKIT_ALG_PS256, JWTKIT_ALG_PS384, JWTKIT_ALG_PS512},
         {RSA_PKCS8_PRIVATE, RSA_PKCS1_PRIVATE, NULL},
         {RSA_SPKI_PUBLIC, RSA_PKCS1_PUBLIC, RSA_CERT}},
        {{JWTKIT_ALG_ES256, 0, 0},
         {P256_SEC1_PRIVATE, P256_PKCS8_PRIVATE, P256_SEC1_NOPUB_PRIVATE},
         {P256_SPKI_PUBLIC, P256_CERT, NULL}},
        {{JWTKIT_ALG_ES384, 0, 0}, {P384_SEC1_PRIVATE, P384_PKCS8_PRIVATE, NULL}, {P384_SPKI_PUBLIC, NULL, NULL}},
        {{JWTKIT_ALG_ES512, 0, 0}, {P521_SEC1_PRIVATE, P521_PKCS8_PRIVATE, NULL}, {P521_SPKI_PUBLIC, NULL, NULL}},
        {{JWTKIT_ALG_EDDSA, 0, 0}, {ED25519_PKCS8_PRIVATE, NULL, NULL}, {ED25519_SPKI_PUBLIC, ED25519_CERT, NULL}},
        {{JWTKIT_ALG_ES256K, 0, 0},
         {SECP256K1_SEC1_PRIVATE, SECP256K1_PKCS8_PRIVATE, NULL},
         {SECP256K1_SPKI_PUBLIC, NULL, NULL}},
    };
    size_t f, a, i, j;
    int seen[64] = {0};

    g_section = "round trips (HMAC)";
    {
        const jwtkit_key *hs = secret_key(SECRET64, 0);
        for (a = JWTKIT_ALG_HS256; a <= JWTKIT_ALG_HS512; a++) {
            round_trip("secret", hs, hs, (jwtkit_alg)a);
            seen[a] = 1;
        }
        jwtkit_key_free(hs);
    }
    for (f = 0; f < sizeof families / sizeof families[0]; f++) {
        for (i = 0; i < 3 && families[f].priv[i]; i++) {
            const jwtkit_key *priv_pem, *priv_der;
            g_section = "round trips (load private keys)";
            priv_pem = pem_key(families[f].priv[i]);
            priv_der = der_key(families[f].priv[i]);
            for (j = 0; j < 3 && families[f].pub[j]; j++) {
                const jwtkit_key *pub_pem, *pub_der;
                g_section = "round trips (load public keys)";
                pub_pem = pem_key(families[f].pub[j]);
                pub_der = der_key(families[f].pub[j]);
                g_section = "round trips";
                for (a = 0; a < 3 && families[f].algs[a]; a++) {
                    round_trip("PEM", priv_pem, pub_pem, families[f].algs[a]);
                    round_trip("DER", priv_der, pub_der, families[f].algs[a]);
                    seen[families[f].algs[a]] = 1;
                }
                jwtkit_key_free(pub_pem);
                jwtkit_key_free(pub_der);
            }
            /* a private key verifies its own signatures too */
            for (a = 0; a < 3 && families[f].algs[a]; a++)
                round_trip("private", priv_pem, priv_der, families[f].algs[a]);
            jwtkit_key_free(priv_pem);
            jwtkit_key_free(priv_der);
        }
    }
    /* every algorithm the library has (jwtkit_alg_name up to NULL) */
    for (a = 1; jwtkit_alg_name((jwtkit_alg)a) != NULL; a++)
        report(a < sizeof seen / sizeof seen[0] && seen[a], __LINE__, "no round trip for algorithm %d (%s)", (int)a,
               jwtkit_alg_name((jwtkit_alg)a));
}

/* JSON Web Keys: alg/use/key_ops are enforced, bad material is refused. */
static const jwtkit_key *jwk_key(const char *jwk)
{
    const jwtkit_key *k = NULL;
    if (!EXPECT_OK(jwtkit_key_from_jwk(u8(jwk), strlen(jwk), &k, ERR))) {
        fprintf(stderr, "    jwk: %s\n", jwk);
        return NULL;
    }
    return k;
}

static void test_jwk(void)
{
    static const char claims[] = "{\"sub\":\"x\"}";
    char *k = b64url(SECRET64, 64), *t = NULL, *h = NULL, *tok = NULL, *coord;
    char jwk[512];
    uint8_t ones[32];
    const jwtkit_key *key = NULL, *bad = NULL;
    jwtkit_validation *v = allow(2, JWTKIT_ALG_HS256, JWTKIT_ALG_HS512);
    size_t len = 0;
    size_t i;
    static const char *const invalid[] = {
        "{\"kty\":\"oct\"}",
        "{\"kty\":\"oct\",\"k\":5}",
        "{\"kty\":\"oct\",\"k\":\"a+b/\"}",
        "not json",
        "[]",
        "{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\"}",
    };

    g_section = "JWK";
    if (v == NULL)
        goto out;

    snprintf(jwk, sizeof jwk, "{\"kty\":\"oct\",\"k\":\"%s\",\"kid\":\"key-1\"}", k);
    if ((key = jwk_key(jwk)) != NULL) {
        t = sign_jwt(key, JWTKIT_ALG_HS256, claims);
        if (t != NULL &&
            EXPECT_OK(jwtkit_verify(u8(t), strlen(t), key, v, &h, NULL, NULL, NULL, ERR))) {
            CHECK(strstr(h, "\"kid\":\"key-1\"") != NULL); /* the JWK's kid is in the header */
            jwtkit_string_free(h);
        }
        free(t);
        jwtkit_key_free(key);
    }

    /* "alg" pins the key to one algorithm */
    snprintf(jwk, sizeof jwk, "{\"kty\":\"oct\",\"k\":\"%s\",\"alg\":\"HS512\"}", k);
    if ((key = jwk_key(jwk)) != NULL) {
        EXPECT(JWTKIT_ERR_KEY_USAGE, jwtkit_sign(key, JWTKIT_ALG_HS256, u8(claims),
                                                 strlen(claims), NULL, 0, &tok, &len, ERR));
        t = sign_jwt(key, JWTKIT_ALG_HS512, claims);
        if (t != NULL)
            EXPECT_OK(verify(t, key, v));
        free(t);
        jwtkit_key_free(key);
    }
    /* "use": "enc" forbids signatures altogether */
    snprintf(jwk, sizeof jwk, "{\"kty\":\"oct\",\"k\":\"%s\",\"use\":\"enc\"}", k);
    if ((key = jwk_key(jwk)) != NULL) {
        const jwtkit_key *plain = secret_key(SECRET64, 0);
        EXPECT(JWTKIT_ERR_KEY_USAGE, jwtkit_sign(key, JWTKIT_ALG_HS256, u8(claims),
                                                 strlen(claims), NULL, 0, &tok, &len, ERR));
        t = plain ? sign_jwt(plain, JWTKIT_ALG_HS256, claims) : NULL;
        if (t != NULL)
            EXPECT(JWTKIT_ERR_KEY_USAGE, verify(t, key, v));
        free(t);
        jwtkit_key_free(plain);
        jwtkit_key_free(key);
    }
    /* "key_ops": ["verify"] can verify but not sign */
    snprintf(jwk, sizeof jwk, "{\"kty\":\"oct\",\"k\":\"%s\",\"key_ops\":[\"verify\"]}", k);
    if ((key = jwk_key(jwk)) != NULL) {
        const jwtkit_key *plain = secret_key(SECRET64, 0);
        EXPECT(JWTKIT_ERR_KEY_USAGE, jwtkit_sign(key, JWTKIT_ALG_HS256, u8(claims),
                                                 strlen(claims), NULL, 0, &tok, &len, ERR));
        t = plain ? sign_jwt(plain, JWTKIT_ALG_HS256, claims) : NULL;
        if (t != NULL)
            EXPECT_OK(verify(t, key, v));
        free(t);
        jwtkit_key_free(plain);
        jwtkit_key_free(key);
    }
    CHECK(tok == NULL);

    /* bad key material */
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        if (!EXPECT(JWTKIT_ERR_KEY_INVALID,
                    jwtkit_key_from_jwk(u8(invalid[i]), strlen(invalid[i]), &bad, ERR)))
            fprintf(stderr, "    jwk: %s\n", invalid[i]);
    {
        static const char empty[] = "{\"kty\":\"oct\",\"k\":\"\"}";
        /* X25519 is a JWE key kind; a 3-byte `x` is no X25519 key */
        static const char x25519[] = "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AAAA\"}";
        /* secp256k1 (ES256K) coordinates are 32 bytes */
        static const char k1[] = "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AAAA\",\"y\":\"AAAA\"}";
        /* Ed448 is not supported, and the message says so by name */
        static const char ed448[] = "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AAAA\"}";
        EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_key_from_jwk(u8(empty), strlen(empty), &bad, ERR));
        EXPECT(JWTKIT_ERR_KEY_INVALID,
               jwtkit_key_from_jwk(u8(x25519), strlen(x25519), &bad, ERR));
        EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(k1), strlen(k1), &bad, ERR));
        jwtkit_error *e448 = NULL;
        CHECK(jwtkit_key_from_jwk(u8(ed448), strlen(ed448), &bad, &e448) == JWTKIT_ERR_KEY_UNSUPPORTED);
        CHECK(e448 != NULL && strstr(jwtkit_error_message(e448), "Ed448") != NULL &&
              strstr(jwtkit_error_message(e448), "not supported") != NULL);
        jwtkit_error_free(e448);
    }
    /* an EC point that is not on the curve (the invalid-curve attack) */
    memset(ones, 1, sizeof ones);
    coord = b64url(ones, sizeof ones);
    snprintf(jwk, sizeof jwk, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", coord,
             coord);
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(jwk), strlen(jwk), &bad, ERR));
    snprintf(jwk, sizeof jwk, "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"%s\",\"y\":\"%s\"}", coord,
             coord);
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(jwk), strlen(jwk), &bad, ERR));
    free(coord);
    CHECK(bad == NULL);
out:
    free(k);
    jwtkit_validation_free(v);
}

/* JWS payloads are bytes: NULs survive, and the output is NUL-terminated too. */
static void test_binary_payload(void)
{
    const jwtkit_key *hs = secret_key(SECRET64, 0);
    jwtkit_validation *v = allow(1, JWTKIT_ALG_HS512);
    static const char payload[] = "a\0b\xff\x00";
    char *tok = NULL, *p = NULL, *h = NULL;
    size_t tl = 0, pl = 0, hl = 0;

    g_section = "binary JWS payload";
    if (!hs || !v)
        goto out;
    if (!EXPECT_OK(jwtkit_jws_sign(hs, JWTKIT_ALG_HS512, u8(payload), 5, NULL, 0, &tok, &tl, ERR)))
        goto out;
    if (EXPECT_OK(jwtkit_jws_verify(u8(tok), tl, hs, v, &h, &hl, &p, &pl, ERR))) {
        CHECK(pl == 5 && memcmp(p, payload, 5) == 0 && p[5] == '\0');
        CHECK(strstr(h, "\"typ\"") == NULL); /* jws_sign adds no typ */
        jwtkit_string_free(h);
        jwtkit_string_free(p);
    }
    /* ... but it is no JWT */
    EXPECT(JWTKIT_ERR_JSON, jwtkit_verify(u8(tok), tl, hs, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);
out:
    jwtkit_validation_free(v);
    jwtkit_key_free(hs);
}

int main(void)
{
    printf("jwtkit %s (ABI %u)\n", jwtkit_version(), (unsigned)jwtkit_abi_version());

    test_versions_and_names();
    test_null_arguments();
    test_null_arguments_builders();
    test_bad_arguments();
    test_malformed_tokens();
    test_bad_headers();
    test_bad_signatures();
    test_key_alg_mismatch();
    test_limits_and_claims_json();
    test_time_claims();
    test_policy_and_key_strength();
    test_round_trips();
    test_jwk();
    test_binary_payload();

    return check_summary();
}
