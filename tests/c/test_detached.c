/*
 * Detached content (RFC 7515 Appendix F), unencoded payloads (RFC 7797), padded
 * base64url segments (AWS ALB) and the other PyJWT-compatibility calls through the C API
 * (short `oct` JWKs by flag): sign and verify both ways, the claims of a detached JWT
 * checked in full, every refusal with its status, NULLs and bad flags.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits non-zero
 * on any failure.
 */
#include <jwtkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char SECRET[] = "test_detached.c secret, at least 32 bytes long";
static const char CLAIMS[] = "{\"sub\":\"alice\",\"exp\":4102444800}";

static void test_round_trips(const jwtkit_key *key, const jwtkit_validation *v)
{
    uint32_t flags[] = {0, JWTKIT_JWS_UNENCODED};
    size_t i;
    for (i = 0; i < 2; i++) {
        char *tok = NULL, *hdr = NULL;
        size_t len = 0, hl = 0;
        EXPECT_OK(jwtkit_sign_detached(key, JWTKIT_ALG_HS256, u8(CLAIMS), strlen(CLAIMS), NULL, 0, flags[i], &tok,
                                       &len, ERR));
        if (tok == NULL)
            continue;
        CHECK(strlen(tok) == len && strstr(tok, "..") != NULL);
        EXPECT_OK(jwtkit_verify_detached(u8(tok), len, u8(CLAIMS), strlen(CLAIMS), key, v, &hdr, &hl, ERR));
        CHECK(hdr != NULL && strlen(hdr) == hl);
        CHECK(hdr != NULL && (strstr(hdr, "\"b64\":false") != NULL) == (flags[i] != 0));
        CHECK(hdr != NULL && (strstr(hdr, "\"crit\":[\"b64\"]") != NULL) == (flags[i] != 0));
        jwtkit_string_free(hdr);
        EXPECT(JWTKIT_ERR_SIGNATURE_INVALID,
               jwtkit_verify_detached(u8(tok), len, u8("{\"sub\":\"mallory\",\"exp\":4102444800}"), 34, key, v,
                                      NULL, NULL, ERR));
        EXPECT_OK(jwtkit_jws_verify_detached(u8(tok), len, u8(CLAIMS), strlen(CLAIMS), key, v, NULL, NULL, ERR));
        /* A detached token is not a compact JWS with an empty payload. */
        EXPECT(flags[i] ? JWTKIT_ERR_HEADER_INVALID : JWTKIT_ERR_SIGNATURE_INVALID,
               jwtkit_verify(u8(tok), len, key, v, NULL, NULL, NULL, NULL, ERR));
        jwtkit_string_free(tok);
    }
}

static void test_claims_still_checked(const jwtkit_key *key, const jwtkit_validation *v)
{
    static const char expired[] = "{\"sub\":\"alice\",\"exp\":1}";
    char *tok = NULL;
    EXPECT_OK(jwtkit_sign_detached(key, JWTKIT_ALG_HS256, u8(expired), strlen(expired), NULL, 0,
                                   JWTKIT_JWS_UNENCODED, &tok, NULL, ERR));
    if (tok != NULL) {
        EXPECT_OK(jwtkit_jws_verify_detached(u8(tok), strlen(tok), u8(expired), strlen(expired), key, v, NULL, NULL,
                                             ERR));
        EXPECT(JWTKIT_ERR_EXPIRED,
               jwtkit_verify_detached(u8(tok), strlen(tok), u8(expired), strlen(expired), key, v, NULL, NULL, ERR));
        jwtkit_string_free(tok);
    }
    /* A JWT's payload must be claims even when unencoded. */
    EXPECT(JWTKIT_ERR_JSON, jwtkit_sign_detached(key, JWTKIT_ALG_HS256, u8("raw"), 3, NULL, 0, JWTKIT_JWS_UNENCODED,
                                                  &tok, NULL, ERR));
}

static void test_refusals(const jwtkit_key *key, const jwtkit_validation *v)
{
    char *tok = NULL;
    /* Unknown flags, b64 in a header that asked for encoding, a foreign crit. */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_jws_sign_detached(key, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 0, 2, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_sign_detached(key, JWTKIT_ALG_HS256, u8("x"), 1,
                                                                 u8("{\"b64\":false}"), 13, 0, &tok, NULL, ERR));
    /* The producer may mark its own extension critical, the verifier refuses it. */
    EXPECT_OK(jwtkit_jws_sign(key, JWTKIT_ALG_HS256, u8("x"), 1, u8("{\"crit\":[\"ext\"],\"ext\":1}"), 24, &tok,
                              NULL, ERR));
    if (tok != NULL) {
        EXPECT(JWTKIT_ERR_CRIT_UNSUPPORTED, jwtkit_jws_verify(u8(tok), strlen(tok), key, v, NULL, NULL, NULL, NULL,
                                                              ERR));
        jwtkit_string_free(tok);
        tok = NULL;
    }
    EXPECT(JWTKIT_ERR_HEADER_INVALID,
           jwtkit_jws_sign(key, JWTKIT_ALG_HS256, u8("x"), 1, u8("{\"crit\":[\"ext\"]}"), 16, &tok, NULL, ERR));
    /* An attached token given to the detached call. */
    EXPECT_OK(jwtkit_sign(key, JWTKIT_ALG_HS256, u8(CLAIMS), strlen(CLAIMS), NULL, 0, &tok, NULL, ERR));
    if (tok != NULL) {
        EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, jwtkit_verify_detached(u8(tok), strlen(tok), u8(CLAIMS), strlen(CLAIMS),
                                                                  key, v, NULL, NULL, ERR));
        jwtkit_string_free(tok);
    }
    /* NULLs. */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign_detached(NULL, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 0, 0, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
           jwtkit_jws_sign_detached(key, JWTKIT_ALG_HS256, u8("x"), 1, NULL, 0, 0, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_verify_detached(NULL, 5, u8("x"), 1, key, v, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_verify_detached(u8("a..b"), 4, NULL, 1, key, v, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_verify_detached(u8("a..b"), 4, u8("x"), 1, NULL, v, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_verify_detached(u8("a..b"), 4, u8("x"), 1, key, NULL, NULL, NULL,
                                                                ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_allow_padded_base64(NULL, true, ERR));
}

/* A token whose signature segment carries its base64 padding (43 characters + '='):
 * refused without the opt-in (the message names it), accepted with it (the signature
 * covers header and payload, which are unchanged); a second '=' is malformed padding,
 * refused either way. */
static void test_padding(const jwtkit_key *key, jwtkit_validation *v)
{
    char *tok = NULL, *padded;
    size_t n;
    EXPECT_OK(jwtkit_sign(key, JWTKIT_ALG_HS256, u8("{\"sub\":\"al\"}"), 12, NULL, 0, &tok, NULL, ERR));
    if (tok == NULL)
        return;
    n = strlen(tok);
    padded = malloc(n + 4);
    if (padded != NULL) {
        /* {"sub":"al"} is 12 bytes: unpadded; make the signature segment padded instead. */
        memcpy(padded, tok, n);
        padded[n] = '=';
        padded[n + 1] = '\0';
        ERR_ = NULL;
        {
            jwtkit_status st = jwtkit_verify(u8(padded), n + 1, key, v, NULL, NULL, NULL, NULL, ERR);
            CHECK(st == JWTKIT_ERR_BASE64);
            CHECK(ERR_ != NULL && strstr(jwtkit_error_message(ERR_), "jwtkit_validation_allow_padded_base64") != NULL);
            jwtkit_error_free(ERR_);
            ERR_ = NULL;
        }
        EXPECT_OK(jwtkit_validation_allow_padded_base64(v, true, ERR));
        EXPECT_OK(jwtkit_verify(u8(padded), n + 1, key, v, NULL, NULL, NULL, NULL, ERR));
        EXPECT_OK(jwtkit_verify(u8(tok), n, key, v, NULL, NULL, NULL, NULL, ERR));
        padded[n + 1] = '=';
        padded[n + 2] = '\0';
        EXPECT(JWTKIT_ERR_BASE64, jwtkit_verify(u8(padded), n + 2, key, v, NULL, NULL, NULL, NULL, ERR));
        EXPECT_OK(jwtkit_validation_allow_padded_base64(v, false, ERR));
        free(padded);
    }
    jwtkit_string_free(tok);
}

/* Unverified decoding: any payload bytes (empty for detached content), the header
 * rules of verification whatever the alg. */
static void test_unverified(const jwtkit_key *key)
{
    char *tok = NULL, *hdr = NULL, *payload = NULL;
    size_t pl = 99;
    /* eyJhbGciOiJYWSIsImtpZCI6MX0 = {"alg":"XY","kid":1} */
    static const char bad_kid[] = "eyJhbGciOiJYWSIsImtpZCI6MX0.eyJhIjoxfQ.c2ln";
    /* eyJhbGciOiJYWSIsImNyaXQiOlsiZXh0Il0sImV4dCI6MX0 = {"alg":"XY","crit":["ext"],"ext":1} */
    static const char bad_crit[] = "eyJhbGciOiJYWSIsImNyaXQiOlsiZXh0Il0sImV4dCI6MX0.eyJhIjoxfQ.c2ln";
    /* eyJhbGciOiJYWSJ9 = {"alg":"XY"}: an unknown alg is still inspectable */
    static const char odd_alg[] = "eyJhbGciOiJYWSJ9.cmF3.c2ln";
    EXPECT_OK(jwtkit_jws_sign_detached(key, JWTKIT_ALG_HS256, u8("raw bytes"), 9, NULL, 0, JWTKIT_JWS_UNENCODED,
                                       &tok, NULL, ERR));
    if (tok != NULL) {
        EXPECT_OK(jwtkit_jws_decode_unverified(u8(tok), strlen(tok), &hdr, NULL, &payload, &pl, ERR));
        CHECK(hdr != NULL && strstr(hdr, "\"b64\":false") != NULL);
        CHECK(payload != NULL && pl == 0);
        jwtkit_string_free(hdr);
        jwtkit_string_free(payload);
        jwtkit_string_free(tok);
    }
    hdr = payload = NULL;
    EXPECT_OK(jwtkit_jws_decode_unverified(u8(odd_alg), strlen(odd_alg), &hdr, NULL, &payload, &pl, ERR));
    CHECK(payload != NULL && pl == 3 && memcmp(payload, "raw", 3) == 0);
    jwtkit_string_free(hdr);
    jwtkit_string_free(payload);
    EXPECT(JWTKIT_ERR_HEADER_INVALID,
           jwtkit_jws_decode_unverified(u8(bad_kid), strlen(bad_kid), NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_HEADER_INVALID, jwtkit_decode_unverified(u8(bad_kid), strlen(bad_kid), NULL, NULL, NULL, NULL,
                                                               ERR));
    EXPECT(JWTKIT_ERR_CRIT_UNSUPPORTED,
           jwtkit_jws_decode_unverified(u8(bad_crit), strlen(bad_crit), NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_decode_unverified(NULL, 3, NULL, NULL, NULL, NULL, ERR));
}

/* A short `oct` JWK is refused when used, unless loaded with JWTKIT_KEY_ALLOW_SHORT_SECRET. */
static void test_short_jwk(void)
{
    static const char jwk[] = "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"; /* "secret" */
    const jwtkit_key *strict = NULL, *legacy = NULL;
    char *tok = NULL;
    EXPECT_OK(jwtkit_key_from_jwk(u8(jwk), strlen(jwk), &strict, ERR));
    EXPECT(JWTKIT_ERR_KEY_TOO_WEAK, jwtkit_sign(strict, JWTKIT_ALG_HS256, u8("{}"), 2, NULL, 0, &tok, NULL, ERR));
    EXPECT_OK(jwtkit_key_from_jwk_with_flags(u8(jwk), strlen(jwk), JWTKIT_KEY_ALLOW_SHORT_SECRET, &legacy, ERR));
    EXPECT_OK(jwtkit_sign(legacy, JWTKIT_ALG_HS256, u8("{}"), 2, NULL, 0, &tok, NULL, ERR));
    jwtkit_string_free(tok);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_from_jwk_with_flags(u8(jwk), strlen(jwk), 8, &legacy, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_from_jwk_with_flags(NULL, 3, 0, &legacy, ERR));
    jwtkit_key_free(strict);
    jwtkit_key_free(legacy);
}

int main(void)
{
    const jwtkit_key *key = NULL;
    jwtkit_validation *v = NULL;
    jwtkit_alg hs256 = JWTKIT_ALG_HS256;

    if (!EXPECT_OK(jwtkit_key_from_secret(u8(SECRET), strlen(SECRET), 0, &key, ERR)) ||
        !EXPECT_OK(jwtkit_validation_new(&hs256, 1, &v, ERR)))
        return 1;
    test_round_trips(key, v);
    test_claims_still_checked(key, v);
    test_refusals(key, v);
    test_padding(key, v);
    test_unverified(key);
    test_short_jwk();
    jwtkit_validation_free(v);
    jwtkit_key_free(key);
    return check_summary();
}
