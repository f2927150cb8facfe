/*
 * DPoP (RFC 9449) and the RFC 9068 access-token profile through the C API: the RFC's
 * examples (tests/vectors/rfc/rfc9449_examples.json) at their iat, proofs made by
 * jwtkit_dpop_create_proof, one forged proof per check of RFC 9449 §4.3 with the
 * status of that check, a replay store behind jwtkit_dpop_policy_set_replay_check, the
 * token binding (cnf.jkt) and a bound token as Bearer, libjwt's
 * GHSA-vmf4-mvgm-7vpv splice (a victim's public jwk members with an attacker's "d"),
 * and NULL and bad arguments.
 *
 * Built and run by tests/c_api.rs (from the repository root); prints
 * "N passed, N failed" and exits non-zero on any failure.
 */
#include <jwtkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_keys.h"

static const int64_t NOW = 1700000000;
static const char URI[] = "https://api.example.com/orders";

/* ---- helpers ---- */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p == NULL)
        abort();
    memcpy(p, s, n);
    return p;
}

/* A jwtkit string as a malloc'd copy (NULL stays NULL). */
static char *own(char *s)
{
    char *copy = s ? xstrdup(s) : NULL;
    jwtkit_string_free(s);
    return copy;
}

static const jwtkit_key *generate(jwtkit_alg alg)
{
    const jwtkit_key *k = NULL;
    EXPECT_OK(jwtkit_key_generate(alg, &k, ERR));
    return k;
}

static char *public_jwk(const jwtkit_key *k)
{
    char *s = NULL;
    EXPECT_OK(jwtkit_key_to_public_jwk(k, &s, NULL, ERR));
    return own(s);
}

static char *thumbprint(const jwtkit_key *k)
{
    char *s = NULL;
    EXPECT_OK(jwtkit_key_thumbprint(k, &s, NULL, ERR));
    return own(s);
}

/* The string member `name` of a flat JSON object written by jwtkit (no escapes). */
static char *member(const char *json, const char *name)
{
    char pattern[64], *out;
    const char *at, *end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
    at = strstr(json, pattern);
    if (at == NULL)
        return xstrdup("");
    at += strlen(pattern);
    end = strchr(at, '"');
    out = malloc((size_t)(end - at) + 1);
    if (out == NULL)
        abort();
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return out;
}

/* A proof with the header members `header` (a JSON object, `alg` added by jws_sign) and
 * the claims `claims`, signed by `signer` with `alg`. */
static char *forge(const char *header, const char *claims, const jwtkit_key *signer, jwtkit_alg alg)
{
    char *tok = NULL;
    EXPECT_OK(jwtkit_jws_sign(signer, alg, u8(claims), strlen(claims), u8(header), strlen(header), &tok, NULL, ERR));
    return own(tok);
}

static char *header_for(const char *jwk)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "{\"typ\":\"dpop+jwt\",\"jwk\":%s}", jwk);
    return buf;
}

static const char *claims_with(const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "{\"jti\":\"id-1\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld%s}", URI,
             (long long)NOW, extra);
    return buf;
}

static jwtkit_dpop_policy *policy_at(int64_t now)
{
    static const jwtkit_alg algs[] = {JWTKIT_ALG_ES256, JWTKIT_ALG_ES384, JWTKIT_ALG_EDDSA, JWTKIT_ALG_RS256,
                                      JWTKIT_ALG_PS256};
    jwtkit_dpop_policy *p = NULL;
    EXPECT_OK(jwtkit_dpop_policy_new(algs, sizeof algs / sizeof algs[0], &p, ERR));
    EXPECT_OK(jwtkit_dpop_policy_set_now(p, now, ERR));
    return p;
}

/* jwtkit_dpop_verify_proof; the proof is freed, its status returned (use inside EXPECT). */
static jwtkit_status verify_req(const char *proof, const char *method, const char *uri, const char *at,
                                const char *nonce, const jwtkit_dpop_policy *p)
{
    jwtkit_dpop_proof *out = NULL;
    jwtkit_status st = jwtkit_dpop_verify_proof(u8(proof), strlen(proof), u8(method), strlen(method), u8(uri),
                                                strlen(uri), at ? u8(at) : NULL, at ? strlen(at) : 0,
                                                nonce ? u8(nonce) : NULL, nonce ? strlen(nonce) : 0, p, &out, ERR);
    if ((st == JWTKIT_OK) != (out != NULL))
        report(0, __LINE__, "the proof is written iff the call succeeds");
    jwtkit_dpop_proof_free(out);
    return st;
}

static jwtkit_dpop_policy *P;
#define V(proof, uri) verify_req((proof), "GET", (uri), NULL, NULL, P)

/* ---- the RFC's examples ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        abort();
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The `n`th (0-based) string value of member `name` in the JSON text. */
static char *nth_string(const char *json, const char *name, int n)
{
    char pattern[64], *out;
    const char *at = json, *end;
    snprintf(pattern, sizeof pattern, "\"%s\": \"", name);
    for (;;) {
        at = strstr(at, pattern);
        if (at == NULL)
            return NULL;
        at += strlen(pattern);
        if (n-- == 0)
            break;
    }
    end = strchr(at, '"');
    out = malloc((size_t)(end - at) + 1);
    if (out == NULL)
        abort();
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return out;
}

static void test_rfc9449_examples(void)
{
    static const jwtkit_alg es256[] = {JWTKIT_ALG_ES256};
    static const struct {
        const char *method, *uri;
        int64_t iat;
        int with_token;
    } cases[] = {
        {"POST", "https://server.example.com/token", 1562262616, 0},
        {"GET", "https://resource.example.org/protectedresource", 1562262618, 1},
    };
    char *json = read_file("tests/vectors/rfc/rfc9449_examples.json");
    char *jkt, *at;
    size_t i;
    CHECK(json != NULL);
    if (json == NULL)
        return;
    jkt = nth_string(json, "jkt", 0);
    at = nth_string(json, "accessToken", 0);
    CHECK(jkt != NULL && at != NULL && strcmp(jkt, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I") == 0);
    for (i = 0; i < 2; i++) {
        char *proof = nth_string(json, "proof", (int)i), *got = NULL;
        const char *token = cases[i].with_token ? at : NULL;
        jwtkit_dpop_policy *p = NULL;
        jwtkit_dpop_proof *out = NULL;
        int64_t iat = 0;
        EXPECT_OK(jwtkit_dpop_policy_new(es256, 1, &p, ERR));
        EXPECT_OK(jwtkit_dpop_policy_set_now(p, cases[i].iat, ERR));
        EXPECT_OK(jwtkit_dpop_verify_proof(u8(proof), strlen(proof), u8(cases[i].method), strlen(cases[i].method),
                                           u8(cases[i].uri), strlen(cases[i].uri), token ? u8(token) : NULL,
                                           token ? strlen(token) : 0, NULL, 0, p, &out, ERR));
        EXPECT_OK(jwtkit_dpop_proof_jkt(out, &got, NULL, ERR));
        CHECK(got != NULL && strcmp(got, jkt) == 0);
        jwtkit_string_free(got);
        EXPECT_OK(jwtkit_dpop_proof_iat(out, &iat, ERR));
        CHECK(iat == cases[i].iat);
        jwtkit_dpop_proof_free(out);
        /* the window's edge, then past it; the real clock */
        EXPECT_OK(jwtkit_dpop_policy_set_now(p, cases[i].iat + 300, ERR));
        EXPECT_OK(verify_req(proof, cases[i].method, cases[i].uri, token, NULL, p));
        EXPECT_OK(jwtkit_dpop_policy_set_now(p, cases[i].iat + 301, ERR));
        EXPECT(JWTKIT_ERR_TOO_OLD, verify_req(proof, cases[i].method, cases[i].uri, token, NULL, p));
        EXPECT_OK(jwtkit_dpop_policy_set_now(p, cases[i].iat - 31, ERR));
        EXPECT(JWTKIT_ERR_ISSUED_IN_FUTURE, verify_req(proof, cases[i].method, cases[i].uri, token, NULL, p));
        EXPECT_OK(jwtkit_dpop_policy_set_now(p, cases[i].iat, ERR));
        EXPECT(JWTKIT_ERR_DPOP_HTM_MISMATCH, verify_req(proof, "PUT", cases[i].uri, token, NULL, p));
        EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH,
               verify_req(proof, cases[i].method, "https://server.example.com/other", token, NULL, p));
        if (token != NULL)
            EXPECT(JWTKIT_ERR_DPOP_ATH_MISMATCH,
                   verify_req(proof, cases[i].method, cases[i].uri, "another token", NULL, p));
        jwtkit_dpop_policy_free(p);
        free(proof);
    }
    free(jkt);
    free(at);
    free(json);
}

/* ---- proofs made by jwtkit ---- */

static void test_create_and_verify(void)
{
    const jwtkit_key *keys[4];
    static const jwtkit_alg algs[4] = {JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA, JWTKIT_ALG_RS256, JWTKIT_ALG_PS256};
    size_t i;
    keys[0] = generate(JWTKIT_ALG_ES256);
    keys[1] = generate(JWTKIT_ALG_EDDSA);
    keys[2] = pem(RSA_PKCS8_PRIVATE);
    keys[3] = keys[2];
    for (i = 0; i < 4; i++) {
        char *proof = NULL, *jkt = NULL, *claims = NULL, *want = thumbprint(keys[i]);
        size_t len = 0;
        const char *uri = "https://api.example.com/orders?page=2#top";
        jwtkit_dpop_proof *out = NULL;
        EXPECT_OK(jwtkit_dpop_create_proof(keys[i], algs[i], u8("POST"), 4, u8(uri), strlen(uri), u8("the-token"), 9,
                                           u8("n-1"), 3, &NOW, &proof, &len, ERR));
        CHECK(proof != NULL && strlen(proof) == len);
        EXPECT_OK(jwtkit_dpop_verify_proof(u8(proof), len, u8("POST"), 4, u8(uri), strlen(uri), u8("the-token"), 9,
                                           u8("n-1"), 3, P, &out, ERR));
        EXPECT_OK(jwtkit_dpop_proof_jkt(out, &jkt, NULL, ERR));
        CHECK(jkt != NULL && want != NULL && strcmp(jkt, want) == 0);
        EXPECT_OK(jwtkit_dpop_proof_claims(out, &claims, NULL, ERR));
        CHECK(claims != NULL && strstr(claims, "\"htu\":\"https://api.example.com/orders\"") != NULL);
        CHECK(claims != NULL && strstr(claims, "\"nonce\":\"n-1\"") != NULL);
        jwtkit_string_free(claims);
        jwtkit_string_free(jkt);
        jwtkit_dpop_proof_free(out);
        /* nonce and access token are checked */
        EXPECT(JWTKIT_ERR_DPOP_NONCE, verify_req(proof, "POST", uri, "the-token", "n-2", P));
        EXPECT(JWTKIT_ERR_DPOP_ATH_MISMATCH, verify_req(proof, "POST", uri, "the-tokeN", "n-1", P));
        jwtkit_string_free(proof);
        free(want);
    }
    /* what cannot make a proof */
    {
        const jwtkit_key *secret = NULL;
        char *proof = NULL;
        EXPECT_OK(jwtkit_key_from_secret(u8("0123456789abcdef0123456789abcdef"), 32, 0, &secret, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_create_proof(secret, JWTKIT_ALG_HS256, u8("GET"), 3, u8(URI),
                                                                      strlen(URI), NULL, 0, NULL, 0, NULL, &proof,
                                                                      NULL, ERR));
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_dpop_create_proof(keys[0], JWTKIT_ALG_ES384, u8("GET"), 3, u8(URI),
                                                                      strlen(URI), NULL, 0, NULL, 0, NULL, &proof,
                                                                      NULL, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_create_proof(keys[0], JWTKIT_ALG_ES256, u8("GET"), 3,
                                                                      u8("/orders"), 7, NULL, 0, NULL, 0, NULL,
                                                                      &proof, NULL, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_create_proof(keys[0], JWTKIT_ALG_ES256, u8("G T"), 3, u8(URI),
                                                                      strlen(URI), NULL, 0, NULL, 0, NULL, &proof,
                                                                      NULL, ERR));
        CHECK(proof == NULL);
        jwtkit_key_free(secret);
    }
    jwtkit_key_free(keys[0]);
    jwtkit_key_free(keys[1]);
    jwtkit_key_free(keys[2]);
}

/* ---- one forged proof per check ---- */

static char *b64url(const char *text)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(text), i, o = 0;
    const unsigned char *s = (const unsigned char *)text;
    char *out = malloc(n * 4 / 3 + 4);
    if (out == NULL)
        abort();
    for (i = 0; i + 2 < n; i += 3) {
        out[o++] = abc[s[i] >> 2];
        out[o++] = abc[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        out[o++] = abc[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        out[o++] = abc[s[i + 2] & 63];
    }
    if (n - i == 1) {
        out[o++] = abc[s[i] >> 2];
        out[o++] = abc[(s[i] & 3) << 4];
    } else if (n - i == 2) {
        out[o++] = abc[s[i] >> 2];
        out[o++] = abc[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        out[o++] = abc[(s[i + 1] & 15) << 2];
    }
    out[o] = '\0';
    return out;
}

static void test_each_check(void)
{
    const jwtkit_key *key = generate(JWTKIT_ALG_ES256), *other = generate(JWTKIT_ALG_ES256);
    const jwtkit_key *ed = generate(JWTKIT_ALG_EDDSA), *rsa = pem(RSA_PKCS8_PRIVATE);
    const jwtkit_key *secret = NULL;
    char *jwk = public_jwk(key), *p, *private_jwk = NULL;
    char hdr[4096];
    jwtkit_dpop_proof *out = NULL;

    p = forge(header_for(jwk), claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT_OK(V(p, URI));
    /* proofs are ASCII compact JWS: a NUL or two proofs in one value are refused */
    {
        char two[8192];
        snprintf(two, sizeof two, "%s,%s", p, p);
        EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, V(two, URI));
        snprintf(two, sizeof two, "%s %s", p, p);
        EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, V(two, URI));
    }
    /* htm */
    EXPECT(JWTKIT_ERR_DPOP_HTM_MISMATCH, verify_req(p, "POST", URI, NULL, NULL, P));
    EXPECT(JWTKIT_ERR_DPOP_HTM_MISMATCH, verify_req(p, "get", URI, NULL, NULL, P));
    /* htu: query, fragment, case, default port, percent-encoding, dot segments */
    EXPECT_OK(V(p, "https://api.example.com/orders?page=2"));
    EXPECT_OK(V(p, "https://api.example.com/orders#top"));
    EXPECT_OK(V(p, "HTTPS://API.EXAMPLE.COM/orders"));
    EXPECT_OK(V(p, "https://api.example.com:443/orders"));
    EXPECT_OK(V(p, "https://api.example.com/%6frders"));
    EXPECT_OK(V(p, "https://api.example.com/x/../orders"));
    EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(p, "https://api.example.com/Orders"));
    EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(p, "https://api.example.com:8443/orders"));
    EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(p, "http://api.example.com/orders"));
    EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(p, "https://api.example.com/orders/"));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, V(p, "/orders"));
    free(p);
    {
        static const char *bad_htu[] = {"https://api.example.com/orders?page=2", "https://api.example.com/orders#x",
                                        "api.example.com/orders"};
        size_t i;
        for (i = 0; i < 3; i++) {
            char c[512];
            snprintf(c, sizeof c, "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld}", bad_htu[i],
                     (long long)NOW);
            p = forge(header_for(jwk), c, key, JWTKIT_ALG_ES256);
            EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(p, URI));
            free(p);
        }
    }
    /* typ */
    snprintf(hdr, sizeof hdr, "{\"typ\":\"JWT\",\"jwk\":%s}", jwk);
    p = forge(hdr, claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_TYP_MISMATCH, V(p, URI));
    free(p);
    snprintf(hdr, sizeof hdr, "{\"jwk\":%s}", jwk);
    p = forge(hdr, claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_TYP_MISMATCH, V(p, URI));
    free(p);
    /* no jwk */
    p = forge("{\"typ\":\"dpop+jwt\"}", claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_HEADER_INVALID, V(p, URI));
    free(p);
    /* HMAC, and none */
    EXPECT_OK(jwtkit_key_from_secret(u8("0123456789abcdef0123456789abcdef"), 32, 0, &secret, ERR));
    p = forge("{\"typ\":\"dpop+jwt\",\"jwk\":{\"kty\":\"oct\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}}",
              claims_with(""), secret, JWTKIT_ALG_HS256);
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, V(p, URI));
    free(p);
    {
        char h[4096], *eh, *ec, tok[8192];
        snprintf(h, sizeof h, "{\"typ\":\"dpop+jwt\",\"alg\":\"none\",\"jwk\":%s}", jwk);
        eh = b64url(h);
        ec = b64url(claims_with(""));
        snprintf(tok, sizeof tok, "%s.%s.", eh, ec);
        EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, V(tok, URI));
        free(eh);
        free(ec);
    }
    /* a private key in the jwk */
    EXPECT_OK(jwtkit_key_to_private_jwk(key, &private_jwk, NULL, ERR));
    p = forge(header_for(private_jwk), claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_DPOP_PRIVATE_JWK, V(p, URI));
    free(p);
    /* a jwk of another type or curve than alg */
    {
        char *rsa_jwk = public_jwk(rsa), *ed_jwk = public_jwk(ed);
        p = forge(header_for(rsa_jwk), claims_with(""), key, JWTKIT_ALG_ES256);
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, V(p, URI));
        free(p);
        p = forge(header_for(jwk), claims_with(""), ed, JWTKIT_ALG_EDDSA);
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, V(p, URI));
        free(p);
        p = forge(header_for(ed_jwk), claims_with(""), rsa, JWTKIT_ALG_RS256);
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, V(p, URI));
        free(p);
        free(rsa_jwk);
        free(ed_jwk);
    }
    /* signed by another key than its jwk */
    p = forge(header_for(jwk), claims_with(""), other, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, V(p, URI));
    free(p);
    /* iat: old, future, the edges */
    {
        static const struct {
            long long iat;
            jwtkit_status want;
        } t[] = {{1700000000 - 300, JWTKIT_OK},
                 {1700000000 - 301, JWTKIT_ERR_TOO_OLD},
                 {1700000000 + 30, JWTKIT_OK},
                 {1700000000 + 31, JWTKIT_ERR_ISSUED_IN_FUTURE},
                 {0, JWTKIT_ERR_TOO_OLD}};
        size_t i;
        for (i = 0; i < sizeof t / sizeof t[0]; i++) {
            char c[512];
            snprintf(c, sizeof c, "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld}", URI, t[i].iat);
            p = forge(header_for(jwk), c, key, JWTKIT_ALG_ES256);
            EXPECT(t[i].want, V(p, URI));
            free(p);
        }
    }
    /* missing claims carry their name */
    {
        char c[512];
        snprintf(c, sizeof c, "{\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld}", URI, (long long)NOW);
        p = forge(header_for(jwk), c, key, JWTKIT_ALG_ES256);
        EXPECT(JWTKIT_ERR_CLAIM_MISSING, V(p, URI));
        CHECK(strcmp(g_claim, "jti") == 0);
        free(p);
        snprintf(c, sizeof c, "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"%s\"}", URI);
        p = forge(header_for(jwk), c, key, JWTKIT_ALG_ES256);
        EXPECT(JWTKIT_ERR_CLAIM_MISSING, V(p, URI));
        CHECK(strcmp(g_claim, "iat") == 0);
        free(p);
    }
    /* ath */
    p = forge(header_for(jwk), claims_with(",\"ath\":\"fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo\""), key,
              JWTKIT_ALG_ES256);
    EXPECT_OK(verify_req(p, "GET", URI, "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU", NULL, P));
    EXPECT(JWTKIT_ERR_DPOP_ATH_MISMATCH, verify_req(p, "GET", URI, "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxu",
                                                    NULL, P));
    free(p);
    p = forge(header_for(jwk), claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_CLAIM_MISSING, verify_req(p, "GET", URI, "a token", NULL, P));
    CHECK(strcmp(g_claim, "ath") == 0);
    /* nonce */
    EXPECT(JWTKIT_ERR_DPOP_NONCE, verify_req(p, "GET", URI, NULL, "n-1", P));
    free(p);
    p = forge(header_for(jwk), claims_with(",\"nonce\":\"n-1\""), key, JWTKIT_ALG_ES256);
    EXPECT_OK(verify_req(p, "GET", URI, NULL, "n-1", P));
    EXPECT(JWTKIT_ERR_DPOP_NONCE, verify_req(p, "GET", URI, NULL, "n-2", P));
    free(p);
    /* size */
    {
        char c[12000];
        int n = snprintf(c, sizeof c, "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld,\"pad\":\"", URI,
                         (long long)NOW);
        memset(c + n, 'x', 9000);
        strcpy(c + n + 9000, "\"}");
        p = forge(header_for(jwk), c, key, JWTKIT_ALG_ES256);
        EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE, V(p, URI));
        EXPECT_OK(jwtkit_dpop_policy_set_max_proof_len(P, 65536, ERR));
        EXPECT_OK(V(p, URI));
        EXPECT_OK(jwtkit_dpop_policy_set_max_proof_len(P, 8192, ERR));
        free(p);
    }
    /* outputs untouched on failure */
    p = forge(header_for(jwk), claims_with(""), other, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, jwtkit_dpop_verify_proof(u8(p), strlen(p), u8("GET"), 3, u8(URI), strlen(URI),
                                                                  NULL, 0, NULL, 0, P, &out, ERR));
    CHECK(out == NULL);
    free(p);

    jwtkit_string_free(private_jwk);
    free(jwk);
    jwtkit_key_free(secret);
    jwtkit_key_free(key);
    jwtkit_key_free(other);
    jwtkit_key_free(ed);
    jwtkit_key_free(rsa);
}

/* libjwt's GHSA-vmf4-mvgm-7vpv: an embedded jwk was confirmed by the thumbprint of its
 * public members as written, but the key was built from "d" when present. A jwk with the
 * victim's public members and the attacker's "d" had the victim's thumbprint and
 * verified the attacker's signature. jwtkit refuses it, and a key whose halves differ. */
static void test_thumbprint_binding_bypass(void)
{
    static const jwtkit_alg algs[] = {JWTKIT_ALG_ES256, JWTKIT_ALG_EDDSA};
    size_t i;
    for (i = 0; i < 2; i++) {
        const jwtkit_key *victim = generate(algs[i]), *attacker = generate(algs[i]), *k = NULL;
        char *victim_jwk = public_jwk(victim), *attacker_private = NULL, *d, spliced[2048], *p;
        EXPECT_OK(jwtkit_key_to_private_jwk(attacker, &attacker_private, NULL, ERR));
        d = member(attacker_private, "d");
        snprintf(spliced, sizeof spliced, "%.*s,\"d\":\"%s\"}", (int)(strlen(victim_jwk) - 1), victim_jwk, d);
        p = forge(header_for(spliced), claims_with(""), attacker, algs[i]);
        EXPECT(JWTKIT_ERR_DPOP_PRIVATE_JWK, V(p, URI));
        EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(spliced), strlen(spliced), &k, ERR));
        CHECK(k == NULL);
        free(p);
        free(d);
        jwtkit_string_free(attacker_private);
        free(victim_jwk);
        jwtkit_key_free(victim);
        jwtkit_key_free(attacker);
    }
}

/* ---- replay ---- */

struct store {
    char entries[16][128];
    int64_t expires[16];
    int n, calls, answer_override;
    size_t last_jkt_len;
};

static int32_t replay_check(void *ctx, const char *jkt, size_t jkt_len, const char *jti, size_t jti_len,
                            int64_t expires_at)
{
    struct store *s = ctx;
    char entry[128];
    int i;
    s->calls++;
    s->last_jkt_len = jkt_len;
    if (s->answer_override)
        return s->answer_override;
    if (jkt[jkt_len] != '\0' || jti[jti_len] != '\0' || jkt_len + jti_len + 2 > sizeof entry)
        return JWTKIT_DPOP_JTI_UNAVAILABLE;
    snprintf(entry, sizeof entry, "%s|%s", jkt, jti);
    for (i = 0; i < s->n; i++)
        if (strcmp(s->entries[i], entry) == 0)
            return JWTKIT_DPOP_JTI_SEEN;
    if (s->n == 16)
        return JWTKIT_DPOP_JTI_UNAVAILABLE;
    strcpy(s->entries[s->n], entry);
    s->expires[s->n++] = expires_at;
    return JWTKIT_DPOP_JTI_FIRST;
}

static void test_replay(void)
{
    struct store s;
    const jwtkit_key *key = generate(JWTKIT_ALG_ES256), *other = generate(JWTKIT_ALG_ES256);
    char *jwk = public_jwk(key), *other_jwk = public_jwk(other), *p, *q, *forged;
    memset(&s, 0, sizeof s);
    EXPECT_OK(jwtkit_dpop_policy_set_replay_check(P, replay_check, &s, ERR));
    p = forge(header_for(jwk), claims_with(""), key, JWTKIT_ALG_ES256);
    EXPECT_OK(V(p, URI));
    CHECK(s.n == 1 && s.expires[0] == NOW + 301 && s.last_jkt_len == 43);
    EXPECT(JWTKIT_ERR_DPOP_REPLAYED, V(p, URI));
    /* the same jti from another key */
    q = forge(header_for(other_jwk), claims_with(""), other, JWTKIT_ALG_ES256);
    EXPECT_OK(V(q, URI));
    /* forged or failing proofs never reach the store */
    s.calls = 0;
    forged = forge(header_for(jwk), claims_with(""), other, JWTKIT_ALG_ES256);
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, V(forged, URI));
    EXPECT(JWTKIT_ERR_DPOP_HTU_MISMATCH, V(q, "https://api.example.com/elsewhere"));
    CHECK(s.calls == 0);
    /* a store that fails: -1 or any other value */
    free(p);
    p = forge(header_for(jwk), claims_with(",\"x\":1"), key, JWTKIT_ALG_ES256);
    s.answer_override = JWTKIT_DPOP_JTI_UNAVAILABLE;
    EXPECT(JWTKIT_ERR_DPOP_REPLAY_CHECK, V(p, URI));
    s.answer_override = 7;
    EXPECT(JWTKIT_ERR_DPOP_REPLAY_CHECK, V(p, URI));
    s.answer_override = 0;
    EXPECT_OK(jwtkit_dpop_policy_set_replay_check(P, NULL, NULL, ERR));
    EXPECT_OK(V(p, URI));
    EXPECT_OK(V(p, URI));
    free(p);
    free(q);
    free(forged);
    free(jwk);
    free(other_jwk);
    jwtkit_key_free(key);
    jwtkit_key_free(other);
}

/* ---- binding ---- */

static jwtkit_dpop_proof *proof_for(const jwtkit_key *client, const char *token)
{
    char *text = NULL;
    jwtkit_dpop_proof *out = NULL;
    EXPECT_OK(jwtkit_dpop_create_proof(client, JWTKIT_ALG_ES256, u8("GET"), 3, u8(URI), strlen(URI), u8(token),
                                       strlen(token), NULL, 0, &NOW, &text, NULL, ERR));
    EXPECT_OK(jwtkit_dpop_verify_proof(u8(text), strlen(text), u8("GET"), 3, u8(URI), strlen(URI), u8(token),
                                       strlen(token), NULL, 0, P, &out, ERR));
    jwtkit_string_free(text);
    return out;
}

static void test_binding(void)
{
    static const jwtkit_alg es256[] = {JWTKIT_ALG_ES256};
    const jwtkit_key *issuer = generate(JWTKIT_ALG_ES256), *client = generate(JWTKIT_ALG_ES256);
    const jwtkit_key *thief = generate(JWTKIT_ALG_ES256);
    char *jkt = thumbprint(client), claims[256], *token = NULL, *unbound = NULL, *out_claims = NULL;
    jwtkit_validation *v = NULL;
    jwtkit_dpop_proof *proof, *stolen, *for_unbound;
    snprintf(claims, sizeof claims, "{\"sub\":\"alice\",\"cnf\":{\"jkt\":\"%s\"}}", jkt);
    EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8(claims), strlen(claims), NULL, 0, &token, NULL, ERR));
    EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8("{\"sub\":\"bob\"}"), 13, NULL, 0, &unbound, NULL, ERR));
    EXPECT_OK(jwtkit_validation_new(es256, 1, &v, ERR));
    proof = proof_for(client, token);
    stolen = proof_for(thief, token);
    for_unbound = proof_for(client, unbound);

    EXPECT_OK(jwtkit_dpop_verify_token(u8(token), strlen(token), issuer, v, proof, NULL, NULL, &out_claims, NULL, ERR));
    CHECK(out_claims != NULL && strcmp(out_claims, claims) == 0);
    jwtkit_string_free(out_claims);
    out_claims = NULL;
    EXPECT(JWTKIT_ERR_DPOP_BINDING_MISMATCH,
           jwtkit_dpop_verify_token(u8(token), strlen(token), issuer, v, stolen, NULL, NULL, &out_claims, NULL, ERR));
    CHECK(out_claims == NULL);
    EXPECT(JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
           jwtkit_dpop_verify_token(u8(token), strlen(token), issuer, v, NULL, NULL, NULL, NULL, NULL, ERR));
    EXPECT_OK(jwtkit_dpop_verify_token(u8(unbound), strlen(unbound), issuer, v, NULL, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_DPOP_BINDING_MISMATCH,
           jwtkit_dpop_verify_token(u8(unbound), strlen(unbound), issuer, v, for_unbound, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_DPOP_ATH_MISMATCH,
           jwtkit_dpop_verify_token(u8(token), strlen(token), issuer, v, for_unbound, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID,
           jwtkit_dpop_verify_token(u8(token), strlen(token), client, v, proof, NULL, NULL, NULL, NULL, ERR));
    /* the rule alone, on claims verified elsewhere */
    EXPECT_OK(jwtkit_dpop_check_binding(u8(token), strlen(token), u8(claims), strlen(claims), proof, ERR));
    EXPECT(JWTKIT_ERR_DPOP_BINDING_MISMATCH,
           jwtkit_dpop_check_binding(u8(token), strlen(token), u8(claims), strlen(claims), stolen, ERR));
    EXPECT(JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
           jwtkit_dpop_check_binding(u8(token), strlen(token), u8(claims), strlen(claims), NULL, ERR));
    EXPECT(JWTKIT_ERR_CLAIM_INVALID,
           jwtkit_dpop_check_binding(u8(token), strlen(token), u8("{\"cnf\":\"x\"}"), 11, NULL, ERR));
    CHECK(strcmp(g_claim, "cnf") == 0);

    /* a refresh token at the token endpoint: bound to the proof's key, no ath */
    {
        char *text = NULL;
        jwtkit_dpop_proof *at_token_endpoint = NULL, *other_key = NULL;
        EXPECT_OK(jwtkit_dpop_create_proof(client, JWTKIT_ALG_ES256, u8("POST"), 4, u8(URI), strlen(URI), NULL, 0, NULL,
                                           0, &NOW, &text, NULL, ERR));
        EXPECT_OK(jwtkit_dpop_verify_proof(u8(text), strlen(text), u8("POST"), 4, u8(URI), strlen(URI), NULL, 0, NULL,
                                           0, P, &at_token_endpoint, ERR));
        jwtkit_string_free(text);
        text = NULL;
        EXPECT_OK(jwtkit_dpop_create_proof(thief, JWTKIT_ALG_ES256, u8("POST"), 4, u8(URI), strlen(URI), NULL, 0, NULL,
                                           0, &NOW, &text, NULL, ERR));
        EXPECT_OK(jwtkit_dpop_verify_proof(u8(text), strlen(text), u8("POST"), 4, u8(URI), strlen(URI), NULL, 0, NULL,
                                           0, P, &other_key, ERR));
        jwtkit_string_free(text);
        EXPECT_OK(jwtkit_dpop_check_refresh_binding(u8(claims), strlen(claims), at_token_endpoint, ERR));
        EXPECT(JWTKIT_ERR_DPOP_BINDING_MISMATCH,
               jwtkit_dpop_check_refresh_binding(u8(claims), strlen(claims), other_key, ERR));
        EXPECT(JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
               jwtkit_dpop_check_refresh_binding(u8(claims), strlen(claims), NULL, ERR));
        EXPECT_OK(jwtkit_dpop_check_refresh_binding(u8("{\"sub\":\"bob\"}"), 13, NULL, ERR));
        EXPECT_OK(jwtkit_dpop_check_refresh_binding(u8("{\"sub\":\"bob\"}"), 13, other_key, ERR));
        /* an access token's binding needs a proof verified for it */
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
               jwtkit_dpop_check_binding(u8(token), strlen(token), u8(claims), strlen(claims), at_token_endpoint, ERR));
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_check_refresh_binding(NULL, 3, NULL, ERR));
        jwtkit_dpop_proof_free(at_token_endpoint);
        jwtkit_dpop_proof_free(other_key);
    }

    jwtkit_dpop_proof_free(proof);
    jwtkit_dpop_proof_free(stolen);
    jwtkit_dpop_proof_free(for_unbound);
    jwtkit_validation_free(v);
    jwtkit_string_free(token);
    jwtkit_string_free(unbound);
    free(jkt);
    jwtkit_key_free(issuer);
    jwtkit_key_free(client);
    jwtkit_key_free(thief);
}

/* ---- RFC 9068 ---- */

static void test_access_token_profile(void)
{
    static const jwtkit_alg es256[] = {JWTKIT_ALG_ES256};
    static const char *names[] = {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"};
    const jwtkit_key *issuer = generate(JWTKIT_ALG_ES256);
    jwtkit_validation *v = NULL;
    char *tok = NULL;
    size_t i;
    const char *all = "{\"iss\":\"https://login.example\",\"exp\":4102444800,\"aud\":\"https://api.example\","
                      "\"sub\":\"alice\",\"client_id\":\"app\",\"iat\":1700000000,\"jti\":\"t-1\"}";
    EXPECT_OK(jwtkit_validation_new(es256, 1, &v, ERR));
    EXPECT_OK(jwtkit_validation_set_access_token_profile(v, u8("https://login.example"), 21, u8("https://api.example"),
                                                         19, ERR));
    EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8(all), strlen(all), u8("{\"typ\":\"at+jwt\"}"), 16, &tok, NULL,
                          ERR));
    EXPECT_OK(jwtkit_verify(u8(tok), strlen(tok), issuer, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);
    EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8(all), strlen(all), u8("{\"typ\":\"application/at+jwt\"}"), 28,
                          &tok, NULL, ERR));
    EXPECT_OK(jwtkit_verify(u8(tok), strlen(tok), issuer, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);
    EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8(all), strlen(all), NULL, 0, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_TYP_MISMATCH, jwtkit_verify(u8(tok), strlen(tok), issuer, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);
    for (i = 0; i < 7; i++) {
        /* the claims without names[i] */
        char claims[512], pattern[32];
        const char *at, *end;
        snprintf(pattern, sizeof pattern, "\"%s\":", names[i]);
        at = strstr(all, pattern);
        end = strchr(at, ',');
        if (end == NULL) { /* the last member: drop the comma before it */
            snprintf(claims, sizeof claims, "%.*s}", (int)(at - all - 1), all);
        } else {
            snprintf(claims, sizeof claims, "%.*s%s", (int)(at - all), all, end + 1);
        }
        EXPECT_OK(jwtkit_sign(issuer, JWTKIT_ALG_ES256, u8(claims), strlen(claims), u8("{\"typ\":\"at+jwt\"}"), 16,
                              &tok, NULL, ERR));
        EXPECT(JWTKIT_ERR_CLAIM_MISSING, jwtkit_verify(u8(tok), strlen(tok), issuer, v, NULL, NULL, NULL, NULL, ERR));
        report(strcmp(g_claim, names[i]) == 0, __LINE__, "missing %s named %s", names[i], g_claim);
        jwtkit_string_free(tok);
    }
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_access_token_profile(NULL, u8("a"), 1, u8("b"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_access_token_profile(v, NULL, 1, u8("b"), 1, ERR));
    jwtkit_validation_free(v);
    jwtkit_key_free(issuer);
}

/* ---- misuse ---- */

static void test_bad_arguments(void)
{
    static const jwtkit_alg hs[] = {JWTKIT_ALG_HS256}, es[] = {JWTKIT_ALG_ES256};
    jwtkit_dpop_policy *p = NULL;
    jwtkit_dpop_proof *out = NULL;
    char *s = NULL;
    int64_t iat = 0;
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_policy_new(hs, 1, &p, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_policy_new(es, 0, &p, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_policy_new(NULL, 0, &p, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_policy_new(NULL, 1, &p, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_policy_new(es, 1, NULL, ERR));
    CHECK(p == NULL);
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_policy_set_now(NULL, 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_policy_set_iat_window(NULL, 1, 1, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_policy_set_iat_window(P, UINT64_MAX, 1, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_dpop_policy_set_max_proof_len(P, 8, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_policy_set_replay_check(NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_dpop_verify_proof(NULL, 5, u8("GET"), 3, u8(URI), strlen(URI), NULL, 0, NULL, 0, P, &out, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_dpop_verify_proof(u8("a.b.c"), 5, u8("GET"), 3, u8(URI), strlen(URI), NULL, 0, NULL, 0, NULL, &out,
                                    ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_dpop_verify_proof(u8("a.b.c"), 5, u8("GET"), 3, u8(URI), strlen(URI), NULL, 0, NULL, 0, P, NULL,
                                    ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_dpop_verify_proof(u8("a.b.c"), 5, u8("GET"), 3, u8(URI), strlen(URI), NULL, 3, NULL, 0, P, &out,
                                    ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_dpop_verify_proof(u8("a.b.c"), 5, u8("GET"), 3, u8("\xff"), 1, NULL, 0, NULL, 0, P, &out, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED,
           jwtkit_dpop_verify_proof(NULL, 0, u8("GET"), 3, u8(URI), strlen(URI), NULL, 0, NULL, 0, P, &out, ERR));
    CHECK(out == NULL);
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_proof_jkt(NULL, &s, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_proof_jti(NULL, &s, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_proof_claims(NULL, &s, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_proof_iat(NULL, &iat, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_verify_token(NULL, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_check_binding(u8("t"), 1, NULL, 2, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_dpop_create_proof(NULL, JWTKIT_ALG_ES256, u8("GET"), 3, u8(URI),
                                                              strlen(URI), NULL, 0, NULL, 0, NULL, &s, NULL, ERR));
    CHECK(s == NULL);
    /* no details wanted */
    CHECK(jwtkit_dpop_policy_new(hs, 1, &p, NULL) == JWTKIT_ERR_INVALID_ARGUMENT);
    jwtkit_dpop_policy_free(NULL);
    jwtkit_dpop_proof_free(NULL);
}

int main(void)
{
    P = policy_at(NOW);
    test_rfc9449_examples();
    test_create_and_verify();
    test_each_check();
    test_thumbprint_binding_bypass();
    test_replay();
    test_binding();
    test_access_token_profile();
    test_bad_arguments();
    jwtkit_dpop_policy_free(P);
    return check_summary();
}
