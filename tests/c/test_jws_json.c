/*
 * JWS JSON serialization (RFC 7515 §7.2) through the C API: the JOSE Cookbook's JSON
 * examples (RFC 7520 §4.5-4.8, RFC 7797) verified and, where deterministic, re-signed
 * byte for byte; sign with several keys, general and flattened; the rules "any" and
 * "all" with the outcome of every signature; the attacks (forged signature beside a
 * valid one, `alg` unprotected, a member in both headers, `none`, an algorithm outside
 * the allow-list, `crit` unprotected, too many signatures); NULLs and bad arguments.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits non-zero
 * on any failure.
 */
#include <jwtkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* As EXPECT, and the error message must contain `part`. */
static int expect_msg(jwtkit_status got, jwtkit_status want, const char *part, int line)
{
    int ok = got == want && ERR_ != NULL && strstr(jwtkit_error_message(ERR_), part) != NULL;
    report(ok, line, "want %s with \"%s\", got %s (%s)", jwtkit_status_str(want), part, jwtkit_status_str(got),
           ERR_ != NULL ? jwtkit_error_message(ERR_) : "no message");
    jwtkit_error_free(ERR_);
    ERR_ = NULL;
    return ok;
}

#define EXPECT_MSG(want, part, call) (ERR_ = NULL, expect_msg((call), (want), (part), __LINE__))

/* Frees a library string and forgets it. */
static void drop(char **s)
{
    jwtkit_string_free(*s);
    *s = NULL;
}

/* Copied from tests/vectors/jose-cookbook (RFC 7520 §4.5-4.8, RFC 7797), compact JSON. */
static const char COOKBOOK_PAYLOAD[] =
    "It\342\200\231s a dangerous business, Frodo, going out your door. You step onto the road, and if you "
    "don't keep your feet, there\342\200\231s no knowing where you might be swept off to.";
static const char HMAC_JWK[] =
    "{\"kty\":\"oct\",\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\",\"use\":\"sig\",\"alg\":\"HS256\",\"k\":\"h"
    "JtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}";
static const char RSA_PUBLIC_JWK[] =
    "{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\",\"n\":\"n4EPtAOCc9AlkeQHPzHSt"
    "gAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVw"
    "GU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1"
    "NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_m"
    "zSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw\",\"e\":\"AQAB\"}";
static const char EC_PUBLIC_JWK[] =
    "{\"kty\":\"EC\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\",\"crv\":\"P-521\",\"x\":\"AHKZLLOs"
    "COzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt\",\"y\":\"Ady"
    "mlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1\"}";
static const char C45_GENERAL[] =
    "{\"signatures\":[{\"protected\":\"eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2L"
    "WVlZjMxNGJjNzAzNyJ9\",\"signature\":\"s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0\"}]}";
static const char C46_FLAT[] =
    "{\"payload\":\"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW"
    "91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5v"
    "IGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4\",\"protected\":\"eyJhbGciOiJIUzI1NiJ9"
    "\",\"header\":{\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\"},\"signature\":\"bWUSVaxorn7bEF1djyt"
    "Bd0kHv70Ly5pvbomzMWSOr20\"}";
static const char C46_GENERAL[] =
    "{\"payload\":\"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW"
    "91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5v"
    "IGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4\",\"signatures\":[{\"protected\":\"eyJhb"
    "GciOiJIUzI1NiJ9\",\"header\":{\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\"},\"signature\":\"bWUS"
    "Vaxorn7bEF1djytBd0kHv70Ly5pvbomzMWSOr20\"}]}";
static const char C47_FLAT[] =
    "{\"payload\":\"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW"
    "91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5v"
    "IGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4\",\"header\":{\"alg\":\"HS256\",\"kid\":\"01"
    "8c0ae5-4d9b-471b-bfd6-eef314bc7037\"},\"signature\":\"xuLifqLGiblpv9zBpuZczWhNj1gARaLV3UxvxhJx"
    "Zuk\"}";
static const char C48_GENERAL[] =
    "{\"payload\":\"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW"
    "91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5v"
    "IGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4\",\"signatures\":[{\"protected\":\"eyJhb"
    "GciOiJSUzI1NiJ9\",\"header\":{\"kid\":\"bilbo.baggins@hobbiton.example\"},\"signature\":\"MIsjqtVlOp"
    "a71KE-Mss8_Nq2YH4FGhiocsqrgi5NvyG53uoimic1tcMdSg-qptrzZc7CG6Svw2Y13TDIqHzTUrL_lR2ZFcryNFiH"
    "kSw129EghGpwkpxaTn_THJTCglNbADko1MZBCdwzJxwqZc-1RlpO2HibUYyXSwO97BSe0_evZKdjvvKSgsIqjytKSe"
    "AMbhMBdMma622_BG5t4sdbuCHtFjp9iJmkio47AIwqkZV1aIZsv33uPUqBBCXbYoQJwt7mxPftHmNlGoOSMxR_3thm"
    "XTCm4US-xiNOyhbm8afKK64jU6_TPtQHiJeQJxz9G3Tx-083B745_AfYOnlC9w\"},{\"header\":{\"alg\":\"ES512\","
    "\"kid\":\"bilbo.baggins@hobbiton.example\"},\"signature\":\"ARcVLnaJJaUWG8fG-8t5BREVAuTY8n8YHjwDO"
    "1muhcdCoFZFFjfISu0Cdkn9Ybdlmi54ho0x924DUz8sK7ZXkhc7AFM8ObLfTvNCrqcI3Jkl2U5IX3utNhODH6v7xgy"
    "1Qahsn0fyb4zSAkje8bAWz4vIfj5pCMYxxm4fgV3q7ZYhm5eD\"},{\"protected\":\"eyJhbGciOiJIUzI1NiIsImtp"
    "ZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9\",\"signature\":\"s0h6KThzkfBBBkLspW1"
    "h84VsJZFTsPPqMDA7g1Md7p0\"}]}";
static const char R7797_KEY[] =
    "{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtM"
    "N3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}";
static const char R7797_FLAT[] =
    "{\"payload\":\"This is the payload string!\",\"protected\":\"eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2Us"
    "ImNyaXQiOlsiYjY0Il19\",\"signature\":\"ciks0B6Hs-amhOqxI5_iG6mPKnMDlWCb7J2Wu7mtIcg\"}";
static const char R7797_PAYLOAD[] =
    "This is the payload string!";

static const jwtkit_key *key_from_jwk(const char *jwk)
{
    const jwtkit_key *key = NULL;
    EXPECT_OK(jwtkit_key_from_jwk(u8(jwk), strlen(jwk), &key, ERR));
    return key;
}

static jwtkit_validation *policy(void)
{
    jwtkit_alg algs[] = {JWTKIT_ALG_HS256, JWTKIT_ALG_RS256, JWTKIT_ALG_ES512, JWTKIT_ALG_ES256};
    jwtkit_validation *v = NULL;
    EXPECT_OK(jwtkit_validation_new(algs, sizeof algs / sizeof algs[0], &v, ERR));
    return v;
}

/* The outcome of signature `i`: status, alg, key index. */
static void check_signature(const jwtkit_jws_json *r, size_t i, jwtkit_status status, jwtkit_alg alg, int64_t key,
                            int line)
{
    jwtkit_status got_status = -99;
    jwtkit_alg got_alg = -99;
    int64_t got_key = -99;
    char *msg = NULL;
    size_t msg_len = 1;
    EXPECT_AT(JWTKIT_OK, jwtkit_jws_json_signature(r, i, &got_status, &got_alg, &got_key, &msg, &msg_len, ERR), line);
    report(got_status == status, line, "signature %zu: status %s, want %s (%s)", i, jwtkit_status_str(got_status),
           jwtkit_status_str(status), msg ? msg : "");
    report(got_alg == alg && got_key == key, line, "signature %zu: alg %d key %lld", i, got_alg, (long long)got_key);
    report(msg != NULL && (msg_len == 0) == (status == JWTKIT_OK), line, "message iff failed");
    jwtkit_string_free(msg);
}

static void check_payload(const jwtkit_jws_json *r, const char *want, int line)
{
    char *p = NULL;
    size_t len = 0;
    EXPECT_AT(JWTKIT_OK, jwtkit_jws_json_payload(r, &p, &len, ERR), line);
    report(p != NULL && len == strlen(want) && memcmp(p, want, len) == 0, line, "payload");
    jwtkit_string_free(p);
}

static void test_cookbook(const jwtkit_validation *v)
{
    const jwtkit_key *hmac = key_from_jwk(HMAC_JWK), *rsa = key_from_jwk(RSA_PUBLIC_JWK),
                     *ec = key_from_jwk(EC_PUBLIC_JWK), *r7797 = key_from_jwk(R7797_KEY);
    const jwtkit_key *all[3];
    jwtkit_jws_json *r = NULL;
    jwtkit_jws_json_signers *signers = NULL;
    char *tok = NULL, *kid = NULL;
    size_t len = 0, kid_len = 0;
    all[0] = rsa;
    all[1] = ec;
    all[2] = hmac;

    /* 4.5: detached content. */
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(C45_GENERAL), strlen(C45_GENERAL), u8(COOKBOOK_PAYLOAD),
                                         strlen(COOKBOOK_PAYLOAD), &hmac, 1, v, JWTKIT_JWS_JSON_RULE_ALL, &r, ERR))) {
        check_payload(r, COOKBOOK_PAYLOAD, __LINE__);
        check_signature(r, 0, JWTKIT_OK, JWTKIT_ALG_HS256, 0, __LINE__);
    }
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, jwtkit_jws_json_verify(u8(C45_GENERAL), strlen(C45_GENERAL), NULL, 0, &hmac, 1,
                                                              v, JWTKIT_JWS_JSON_RULE_ANY, &r, ERR));
    CHECK(r == NULL);
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, hmac, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, ERR));
    if (EXPECT_OK(jwtkit_jws_json_sign(signers, u8(COOKBOOK_PAYLOAD), strlen(COOKBOOK_PAYLOAD),
                                       JWTKIT_JWS_JSON_GENERAL | JWTKIT_JWS_JSON_DETACHED, &tok, &len, ERR)))
        CHECK(len == strlen(C45_GENERAL) && strcmp(tok, C45_GENERAL) == 0);
    drop(&tok);
    jwtkit_jws_json_signers_free(signers);

    /* 4.6: kid unprotected; both forms, and re-signed byte for byte. */
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(C46_FLAT), strlen(C46_FLAT), NULL, 0, &hmac, 1, v,
                                         JWTKIT_JWS_JSON_RULE_ALL, &r, ERR))) {
        CHECK(jwtkit_jws_json_count(r) == 1);
        check_payload(r, COOKBOOK_PAYLOAD, __LINE__);
        EXPECT_OK(jwtkit_jws_json_signature_kid(r, 0, &kid, &kid_len, ERR));
        CHECK(kid != NULL && strcmp(kid, "018c0ae5-4d9b-471b-bfd6-eef314bc7037") == 0 && kid_len == 36);
        jwtkit_string_free(kid);
        EXPECT_OK(jwtkit_jws_json_signature_header(r, 0, &kid, NULL, ERR));
        CHECK(kid != NULL && strcmp(kid, "{\"alg\":\"HS256\"}") == 0);
        jwtkit_string_free(kid);
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_signature(r, 1, NULL, NULL, NULL, NULL, NULL, ERR));
    }
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT_OK(jwtkit_jws_json_verify(u8(C46_GENERAL), strlen(C46_GENERAL), NULL, 0, &hmac, 1, v,
                                     JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, hmac, JWTKIT_ALG_HS256, NULL, 0,
                                          u8("{\"kid\":\"018c0ae5-4d9b-471b-bfd6-eef314bc7037\"}"), 46, ERR));
    if (EXPECT_OK(jwtkit_jws_json_sign(signers, u8(COOKBOOK_PAYLOAD), strlen(COOKBOOK_PAYLOAD), 0, &tok, &len, ERR)))
        CHECK(strcmp(tok, C46_FLAT) == 0);
    drop(&tok);
    if (EXPECT_OK(jwtkit_jws_json_sign(signers, u8(COOKBOOK_PAYLOAD), strlen(COOKBOOK_PAYLOAD),
                                       JWTKIT_JWS_JSON_GENERAL, &tok, &len, ERR)))
        CHECK(strcmp(tok, C46_GENERAL) == 0);
    drop(&tok);
    jwtkit_jws_json_signers_free(signers);

    /* 4.7: alg in the unprotected header: refused, naming the member. */
    EXPECT_MSG(JWTKIT_ERR_HEADER_INVALID, "`alg` is in the unprotected header",
               jwtkit_jws_json_verify(u8(C47_FLAT), strlen(C47_FLAT), NULL, 0, &hmac, 1, v, JWTKIT_JWS_JSON_RULE_ANY,
                                      &r, ERR));
    CHECK(r == NULL);

    /* 4.8: three signatures; the ES512 one has alg unprotected. */
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(C48_GENERAL), strlen(C48_GENERAL), NULL, 0, all, 3, v,
                                         JWTKIT_JWS_JSON_RULE_ANY, &r, ERR))) {
        CHECK(jwtkit_jws_json_count(r) == 3);
        check_payload(r, COOKBOOK_PAYLOAD, __LINE__);
        check_signature(r, 0, JWTKIT_OK, JWTKIT_ALG_RS256, 0, __LINE__);
        check_signature(r, 1, JWTKIT_ERR_HEADER_INVALID, 0, -1, __LINE__);
        check_signature(r, 2, JWTKIT_OK, JWTKIT_ALG_HS256, 2, __LINE__);
        EXPECT_OK(jwtkit_jws_json_signature_kid(r, 1, &kid, &kid_len, ERR));
        CHECK(kid == NULL && kid_len == 0);
    }
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT_MSG(JWTKIT_ERR_HEADER_INVALID, "signatures[1]: ",
               jwtkit_jws_json_verify(u8(C48_GENERAL), strlen(C48_GENERAL), NULL, 0, all, 3, v,
                                      JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));

    /* RFC 7797: b64 false, payload attached as its own text; re-signed byte for byte. */
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(R7797_FLAT), strlen(R7797_FLAT), NULL, 0, &r7797, 1, v,
                                         JWTKIT_JWS_JSON_RULE_ALL, &r, ERR)))
        check_payload(r, R7797_PAYLOAD, __LINE__);
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, r7797, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, ERR));
    if (EXPECT_OK(jwtkit_jws_json_sign(signers, u8(R7797_PAYLOAD), strlen(R7797_PAYLOAD), JWTKIT_JWS_UNENCODED, &tok,
                                       &len, ERR)))
        CHECK(strcmp(tok, R7797_FLAT) == 0);
    drop(&tok);
    jwtkit_jws_json_signers_free(signers);

    jwtkit_key_free(hmac);
    jwtkit_key_free(rsa);
    jwtkit_key_free(ec);
    jwtkit_key_free(r7797);
}

/* Signs with keys a, b (HS256, ES256) in general form; returns the token. */
static char *sign_two(const jwtkit_key *a, const jwtkit_key *b)
{
    jwtkit_jws_json_signers *signers = NULL;
    char *tok = NULL;
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, a, JWTKIT_ALG_HS256, NULL, 0, u8("{\"kid\":\"a\"}"), 11, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, b, JWTKIT_ALG_ES256, u8("{\"kid\":\"b\"}"), 11, NULL, 0, ERR));
    EXPECT_OK(jwtkit_jws_json_sign(signers, u8("hello"), 5, 0, &tok, NULL, ERR));
    jwtkit_jws_json_signers_free(signers);
    return tok;
}

/* Replaces the first occurrence of `from` in `s` (same length) with `to`. */
static void patch(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    if (at != NULL)
        memcpy(at, to, strlen(to));
    CHECK(at != NULL && strlen(from) == strlen(to));
}

static void test_rules_and_attacks(const jwtkit_validation *v)
{
    const jwtkit_key *a = NULL, *b = NULL, *keys[2];
    jwtkit_jws_json *r = NULL;
    jwtkit_jws_json_signers *signers = NULL;
    jwtkit_validation *hs_only = NULL;
    jwtkit_alg hs256 = JWTKIT_ALG_HS256;
    char *tok = NULL, *forged = NULL, *sig;
    static const char secret[] = "test_jws_json.c secret, 32 bytes or more";

    EXPECT_OK(jwtkit_key_from_secret(u8(secret), strlen(secret), 0, &a, ERR));
    EXPECT_OK(jwtkit_key_generate(JWTKIT_ALG_ES256, &b, ERR));
    keys[0] = a;
    keys[1] = b;
    tok = sign_two(a, b);
    if (tok == NULL)
        goto done;
    CHECK(strstr(tok, "\"signatures\":[") != NULL);
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, keys, 2, v, JWTKIT_JWS_JSON_RULE_ALL, &r,
                                         ERR))) {
        check_signature(r, 0, JWTKIT_OK, JWTKIT_ALG_HS256, 0, __LINE__);
        check_signature(r, 1, JWTKIT_OK, JWTKIT_ALG_ES256, 1, __LINE__);
    }
    jwtkit_jws_json_free(r);
    r = NULL;

    /* A forged HMAC signature beside the valid ES256 one: "any" passes and reports it,
       "all" fails. */
    forged = malloc(strlen(tok) + 1);
    strcpy(forged, tok);
    sig = strstr(forged, "\"signature\":\"") + 13;
    sig[0] = sig[0] == 'A' ? 'B' : 'A';
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(forged), strlen(forged), NULL, 0, keys, 2, v, JWTKIT_JWS_JSON_RULE_ANY,
                                         &r, ERR))) {
        check_signature(r, 0, JWTKIT_ERR_SIGNATURE_INVALID, JWTKIT_ALG_HS256, -1, __LINE__);
        check_signature(r, 1, JWTKIT_OK, JWTKIT_ALG_ES256, 1, __LINE__);
    }
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT_MSG(JWTKIT_ERR_SIGNATURE_INVALID, "signatures[0]",
               jwtkit_jws_json_verify(u8(forged), strlen(forged), NULL, 0, keys, 2, v, JWTKIT_JWS_JSON_RULE_ALL, &r,
                                      ERR));
    /* Only the ES256 key under "all": the HMAC signature has no key that fits. */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, &b, 1, v,
                                                            JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    /* An allow-list of HS256 alone: "any" passes with the ES256 signature reported. */
    EXPECT_OK(jwtkit_validation_new(&hs256, 1, &hs_only, ERR));
    if (EXPECT_OK(jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, keys, 2, hs_only, JWTKIT_JWS_JSON_RULE_ANY,
                                         &r, ERR)))
        check_signature(r, 1, JWTKIT_ERR_ALG_NOT_ALLOWED, JWTKIT_ALG_ES256, -1, __LINE__);
    jwtkit_jws_json_free(r);
    r = NULL;
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, keys, 2, hs_only,
                                                              JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    /* The wrong key type: the HMAC key for the ES256 signature alone. */
    EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, &a, 1, v,
                                                               JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));

    /* A payload changed under both signatures. */
    strcpy(forged, tok);
    patch(forged, "\"payload\":\"aGVsbG8\"", "\"payload\":\"aGVsbG9\"");
    EXPECT(JWTKIT_ERR_BASE64, jwtkit_jws_json_verify(u8(forged), strlen(forged), NULL, 0, keys, 2, v,
                                                     JWTKIT_JWS_JSON_RULE_ANY, &r, ERR));
    patch(forged, "\"payload\":\"aGVsbG9\"", "\"payload\":\"aGVsbGE\"");
    EXPECT(JWTKIT_ERR_SIGNATURE_INVALID, jwtkit_jws_json_verify(u8(forged), strlen(forged), NULL, 0, keys, 2, v,
                                                                JWTKIT_JWS_JSON_RULE_ANY, &r, ERR));
    CHECK(r == NULL);

    /* The signer refuses alg, crit and b64 unprotected, and a member in both headers. */
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, a, JWTKIT_ALG_HS256, u8("{\"kid\":\"a\"}"), 11,
                                          u8("{\"kid\":\"a\"}"), 11, ERR));
    EXPECT_MSG(JWTKIT_ERR_HEADER_INVALID, "member `kid` is in both",
               jwtkit_jws_json_sign(signers, u8("x"), 1, 0, &tok, NULL, ERR));
    jwtkit_jws_json_signers_free(signers);
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, a, JWTKIT_ALG_HS256, NULL, 0, u8("{\"crit\":[\"exp\"]}"), 16, ERR));
    EXPECT_MSG(JWTKIT_ERR_HEADER_INVALID, "`crit` is in the unprotected header",
               jwtkit_jws_json_sign(signers, u8("x"), 1, 0, &tok, NULL, ERR));
    /* Bad arguments. */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_sign(signers, u8("x"), 1, 64, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_json_sign(signers, u8("x"), 1, 0, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_json_sign(NULL, u8("x"), 1, 0, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_signers_add(signers, a, 0, NULL, 0, NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_json_signers_add(signers, NULL, JWTKIT_ALG_HS256, NULL, 0, NULL, 0,
                                                                 ERR));
    jwtkit_jws_json_signers_free(signers);
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_sign(signers, u8("x"), 1, 0, &tok, NULL, ERR));
    jwtkit_jws_json_signers_free(signers);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_verify(u8("{}"), 2, NULL, 0, keys, 2, v, 0, &r, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jws_json_verify(u8("{}"), 2, NULL, 0, keys, 0, v, 1, &r, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_json_verify(u8("{}"), 2, NULL, 0, NULL, 2, v, 1, &r, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jws_json_verify(u8("{}"), 2, NULL, 0, keys, 2, v, 1, NULL, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, jwtkit_jws_json_verify(u8("{}"), 2, NULL, 0, keys, 2, v, 1, &r, ERR));
    EXPECT(JWTKIT_ERR_JSON, jwtkit_jws_json_verify(u8("{\"a\":1,\"a\":1}"), 13, NULL, 0, keys, 2, v, 1, &r, ERR));
    CHECK(jwtkit_jws_json_count(NULL) == 0);
    jwtkit_jws_json_free(NULL);
    jwtkit_jws_json_signers_free(NULL);
    /* A compact verifier points to the JSON one. */
    EXPECT_MSG(JWTKIT_ERR_TOKEN_MALFORMED, "jwtkit_jws_json_verify",
               jwtkit_jws_verify(u8("{\"payload\":\"\"}"), 14, a, v, NULL, NULL, NULL, NULL, ERR));

done:
    free(forged);
    drop(&tok);
    jwtkit_validation_free(hs_only);
    jwtkit_key_free(a);
    jwtkit_key_free(b);
}

/* Too many signatures: refused with JWTKIT_ERR_JSON_LIMIT before any is checked. */
static void test_limits(jwtkit_validation *v, const jwtkit_key *key)
{
    jwtkit_jws_json_signers *signers = NULL;
    jwtkit_jws_json *r = NULL;
    char *tok = NULL;
    int i;
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    for (i = 0; i < 3; i++)
        EXPECT_OK(jwtkit_jws_json_signers_add(signers, key, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, ERR));
    EXPECT_OK(jwtkit_jws_json_sign(signers, u8("p"), 1, 0, &tok, NULL, ERR));
    jwtkit_jws_json_signers_free(signers);
    EXPECT_OK(jwtkit_validation_set_limit(v, JWTKIT_LIMIT_SIGNATURES, 2, ERR));
    EXPECT(JWTKIT_ERR_JSON_LIMIT, jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, &key, 1, v,
                                                         JWTKIT_JWS_JSON_RULE_ANY, &r, ERR));
    EXPECT_OK(jwtkit_validation_set_limit(v, JWTKIT_LIMIT_SIGNATURES, 3, ERR));
    EXPECT_OK(jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, &key, 1, v, JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    jwtkit_jws_json_free(r);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_set_limit(v, JWTKIT_LIMIT_SIGNATURES, 0, ERR));
    drop(&tok);
}

/* A JWT in JSON form: the claims are checked once a signature verified. */
static void test_jwt(const jwtkit_validation *v, const jwtkit_key *key)
{
    static const char expired[] = "{\"sub\":\"alice\",\"exp\":1}";
    static const char fresh[] = "{\"sub\":\"alice\",\"exp\":4102444800}";
    jwtkit_jws_json_signers *signers = NULL;
    jwtkit_jws_json *r = NULL;
    char *tok = NULL;
    EXPECT_OK(jwtkit_jws_json_signers_new(&signers, ERR));
    EXPECT_OK(jwtkit_jws_json_signers_add(signers, key, JWTKIT_ALG_HS256, NULL, 0, NULL, 0, ERR));
    EXPECT_OK(jwtkit_jws_json_sign(signers, u8(expired), strlen(expired), 0, &tok, NULL, ERR));
    EXPECT(JWTKIT_ERR_EXPIRED, jwtkit_jws_json_verify_jwt(u8(tok), strlen(tok), NULL, 0, &key, 1, v,
                                                          JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    EXPECT_OK(jwtkit_jws_json_verify(u8(tok), strlen(tok), NULL, 0, &key, 1, v, JWTKIT_JWS_JSON_RULE_ALL, &r, ERR));
    jwtkit_jws_json_free(r);
    r = NULL;
    drop(&tok);
    EXPECT_OK(jwtkit_jws_json_sign(signers, u8(fresh), strlen(fresh), JWTKIT_JWS_JSON_DETACHED, &tok, NULL, ERR));
    if (EXPECT_OK(jwtkit_jws_json_verify_jwt(u8(tok), strlen(tok), u8(fresh), strlen(fresh), &key, 1, v,
                                             JWTKIT_JWS_JSON_RULE_ALL, &r, ERR)))
        check_payload(r, fresh, __LINE__);
    jwtkit_jws_json_free(r);
    drop(&tok);
    jwtkit_jws_json_signers_free(signers);
}

int main(void)
{
    jwtkit_validation *v = policy();
    const jwtkit_key *key = NULL;
    static const char secret[] = "test_jws_json.c limits secret, 32 bytes+";
    if (v == NULL || !EXPECT_OK(jwtkit_key_from_secret(u8(secret), strlen(secret), 0, &key, ERR)))
        return 1;
    test_cookbook(v);
    test_rules_and_attacks(v);
    test_jwt(v, key);
    test_limits(v, key);
    jwtkit_key_free(key);
    jwtkit_validation_free(v);
    return check_summary();
}
