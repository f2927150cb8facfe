/* tests/c/test_jwks.c: JWK Sets, key export and key generation through the C ABI (C99).
 *
 * Key sets from JWKS documents and from key handles, selection by kid, the
 * listing of skipped keys, rotation, public/private JWK and PEM export, RFC 7638
 * thumbprints and key generation. Every success path frees what it got, so the
 * valgrind / LeakSanitizer runs of tests/c_api.rs report no leaks; every failing
 * call must return its specific status and leave its outputs untouched.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits
 * non-zero when anything failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"
#include "check.h"


/* ---- test data ---------------------------------------------------------- */

/* tests/keys/ecp256.x5c.jwk.json: a P-256 public JWK with its certificate in x5c and
 * both thumbprints (see tests/keys/README.md). */
static const char X5C_JWK[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"vv9Qceh9AAZJegXBTd4APfhG0zhDFbGD22oUs___AbU\",\""
    "y\":\"Stt3Qp5zYqI1hXvkr-ph-yl-LS3WxTkeuHC2MXwb2e4\",\"kid\":\"ecp256-x5c\",\"x5c\":[\"MIIB"
    "gzCCASmgAwIBAgIUXw+sOFdOrIlGezNJlNQz1PNIufgwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLand0a2l0LXRlc3"
    "QwIBcNMjYxMTI2MjMxMDEzWhgPMjEyNjExMDIyMzEwMTNaMBYxFDASBgNVBAMMC2p3dGtpdC10ZXN0MFkwEwYHKoZI"
    "zj0CAQYIKoZIzj0DAQcDQgAEvv9Qceh9AAZJegXBTd4APfhG0zhDFbGD22oUs///AbVK23dCnnNiojWFe+Sv6mH7KX"
    "4tLdbFOR64cLYxfBvZ7qNTMFEwHQYDVR0OBBYEFO1wStuWFcAnstvQ403ndiuWMd4jMB8GA1UdIwQYMBaAFO1wStuW"
    "FcAnstvQ403ndiuWMd4jMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgS8NQHbXGteJP8HHFQo0DGv"
    "IxvXd4r8/+DyEPrUHwZQ0CIQD4sfpiL8hFKzGswbfLp1NjZy3+4fCBVFvTK44/yMhxtQ==\"],\"x5t\":\"1WVbOG"
    "DBVf4Bhdh3JLjOJndh8II\",\"x5t#S256\":\"S33Pdr8GJYqTTXNiIwesmu_P08MRPaKGEIE4-HiMtPc\"}";
/* Another P-256 key carrying the same certificate. */
static const char X5C_OTHER_KEY_JWK[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"uJPv437_706qlKyu0FbkTXQlrbY31FfZRT4kyn6wv28\",\""
    "y\":\"DCWdY0B4c05OfUg7eEXyuGzPtu4pIUBqZqViy_AwJ7c\",\"x5c\":[\"MIIBgzCCASmgAwIBAgIUXw+sOFd"
    "OrIlGezNJlNQz1PNIufgwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLand0a2l0LXRlc3QwIBcNMjYxMTI2MjMxMDEzW"
    "hgPMjEyNjExMDIyMzEwMTNaMBYxFDASBgNVBAMMC2p3dGtpdC10ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgA"
    "Evv9Qceh9AAZJegXBTd4APfhG0zhDFbGD22oUs///AbVK23dCnnNiojWFe+Sv6mH7KX4tLdbFOR64cLYxfBvZ7qNTM"
    "FEwHQYDVR0OBBYEFO1wStuWFcAnstvQ403ndiuWMd4jMB8GA1UdIwQYMBaAFO1wStuWFcAnstvQ403ndiuWMd4jMA8"
    "GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgS8NQHbXGteJP8HHFQo0DGvIxvXd4r8/+DyEPrUHwZQ0CI"
    "QD4sfpiL8hFKzGswbfLp1NjZy3+4fCBVFvTK44/yMhxtQ==\"]}";


/* RFC 7520 §3.3 (JOSE Cookbook): RSA public key, as a JWK Set of one. */
static const char COOKBOOK_RSA_JWKS[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bilbo.baggins@hobbiton.example\",\"use\":\"sig\","
    "\"n\":\"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_"
    "AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-"
    "OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLq"
    "KnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw\",\"e\":\"AQAB\"}]}";

/* RFC 7520 §4.1: RS256 over a text payload of 167 bytes, kid bilbo.baggins@hobbiton.example. */
static const char COOKBOOK_4_1[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9"
    ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0"
    "aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91"
    "IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
    ".MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7P"
    "NDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9e"
    "Ro4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4"
    "uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";

/* Wycheproof json_web_key_test tcId 1/2/4: one HS256 token, three key sets. */
static const char WP_TOKEN[] =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImtpZC1hZXMtc2lnbiJ9.Zm9v.TD37p4c_0jmreSrBSDmE0F3mYSPtkZ3WrSyI5wb_KTg";
static const char WP_MIXED[] = /* tcId 1: an HMAC secret next to an EC key */
    "{\"keys\":[{\"alg\":\"HS256\",\"use\":\"sig\",\"k\":\"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE\","
    "\"kid\":\"kid-aes-sign\",\"kty\":\"oct\"},{\"alg\":\"ES256\",\"use\":\"sig\","
    "\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\",\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\","
    "\"crv\":\"P-256\",\"kid\":\"kid-ec-sign\",\"kty\":\"EC\"}]}";
static const char WP_KEYSET[] = /* tcId 2: two secrets, distinct kids */
    "{\"keys\":[{\"alg\":\"HS256\",\"use\":\"sig\",\"k\":\"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE\","
    "\"kid\":\"kid-aes-sign\",\"kty\":\"oct\"},{\"alg\":\"HS256\",\"use\":\"sig\","
    "\"k\":\"-xbuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE\",\"kid\":\"kid-aes-sign-2\",\"kty\":\"oct\"}]}";
static const char WP_DUPLICATE[] = /* tcId 4: the same kid twice */
    "{\"keys\":[{\"alg\":\"HS256\",\"use\":\"sig\",\"k\":\"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE\","
    "\"kid\":\"kid-aes-sign\",\"kty\":\"oct\"},{\"alg\":\"HS256\",\"use\":\"sig\","
    "\"k\":\"-xxuDNsVZ2iJtos-akfXTSCt4UO2cruLCsbWlBingge\",\"kid\":\"kid-aes-sign\",\"kty\":\"oct\"}]}";

/* RFC 7638 §3.1. */
static const char RFC7638_JWK[] =
    "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR"
    "1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2"
    "QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4"
    "lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\","
    "\"kid\":\"2011-04-29\"}";
static const char RFC7638_THUMBPRINT[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/* A policy allowing every algorithm the library has (jwtkit_alg_name of 1, 2, ... up to NULL). */
static jwtkit_validation *all_algs(void)
{
    jwtkit_alg algs[64];
    size_t n = 0;
    jwtkit_validation *v = NULL;
    while (n < sizeof algs / sizeof algs[0] && jwtkit_alg_name((jwtkit_alg)(n + 1)) != NULL) {
        algs[n] = (jwtkit_alg)(n + 1);
        n++;
    }
    if (jwtkit_validation_new(algs, n, &v, NULL) != JWTKIT_OK) {
        fprintf(stderr, "jwtkit_validation_new failed\n");
        exit(2);
    }
    return v;
}

static const jwtkit_keyset *jwks(const char *doc)
{
    const jwtkit_keyset *set = NULL;
    EXPECT_OK(jwtkit_keyset_from_jwks(u8(doc), strlen(doc), &set, ERR));
    return set;
}

/* jwtkit_jws_verify_with_keyset without outputs. */
static jwtkit_status verify_jws(const char *token, const jwtkit_keyset *set, const jwtkit_validation *v)
{
    return jwtkit_jws_verify_with_keyset(u8(token), strlen(token), set, v, NULL, NULL, NULL, NULL, NULL);
}

/* ---- sections ----------------------------------------------------------- */

static void cookbook(void)
{
    jwtkit_validation *v = all_algs();
    const jwtkit_keyset *set;
    char *header = NULL, *payload = NULL;
    size_t header_len = 0, payload_len = 0;
    const jwtkit_key *key = NULL;
    char *kid = NULL;

    g_section = "cookbook";
    set = jwks(COOKBOOK_RSA_JWKS);
    CHECK(jwtkit_keyset_len(set) == 1);
    CHECK(jwtkit_keyset_skipped_count(set) == 0);
    EXPECT_OK(jwtkit_jws_verify_with_keyset(u8(COOKBOOK_4_1), strlen(COOKBOOK_4_1), set, v, &header,
                                            &header_len, &payload, &payload_len, ERR));
    CHECK(payload_len == 167 && payload != NULL && memcmp(payload, "It\xe2\x80\x99s a dangerous", 18) == 0);
    CHECK(header != NULL && strstr(header, "\"kid\":\"bilbo.baggins@hobbiton.example\"") != NULL);
    jwtkit_string_free(header);
    jwtkit_string_free(payload);

    /* A JWT verifier refuses the text payload as claims, after the signature. */
    EXPECT(JWTKIT_ERR_JSON,
           jwtkit_verify_with_keyset(u8(COOKBOOK_4_1), strlen(COOKBOOK_4_1), set, v, NULL, NULL, NULL,
                                     NULL, ERR));

    /* The set's key carries its kid. */
    EXPECT_OK(jwtkit_keyset_get(set, 0, &key, ERR));
    CHECK(jwtkit_key_get_kind(key) == JWTKIT_KEY_KIND_RSA);
    CHECK(!jwtkit_key_is_private(key));
    EXPECT_OK(jwtkit_key_kid(key, &kid, NULL, ERR));
    CHECK(kid != NULL && strcmp(kid, "bilbo.baggins@hobbiton.example") == 0);
    jwtkit_string_free(kid);
    jwtkit_key_free(key);
    key = NULL;
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_keyset_get(set, 1, &key, ERR));
    CHECK(key == NULL);

    jwtkit_keyset_free(set);
    jwtkit_validation_free(v);
}

static void wycheproof_sets(void)
{
    jwtkit_validation *v = all_algs();
    const jwtkit_keyset *set;
    jwtkit_status why = 0;
    char *msg = NULL;
    size_t msg_len = 0;

    g_section = "wycheproof";
    /* tcId 2: valid. */
    set = jwks(WP_KEYSET);
    CHECK(jwtkit_keyset_len(set) == 2);
    CHECK(verify_jws(WP_TOKEN, set, v) == JWTKIT_OK);
    jwtkit_keyset_free(set);

    /* tcId 1: the secret beside an EC key is skipped; its kid is then unknown. */
    set = jwks(WP_MIXED);
    CHECK(jwtkit_keyset_len(set) == 1);
    CHECK(jwtkit_keyset_skipped_count(set) == 1);
    EXPECT_OK(jwtkit_keyset_skipped(set, 0, &why, &msg, &msg_len, ERR));
    CHECK(why == JWTKIT_ERR_KEY_USAGE);
    CHECK(msg != NULL && strncmp(msg, "keys[0] (kid \"kid-aes-sign\"): ", 30) == 0 && strlen(msg) == msg_len);
    jwtkit_string_free(msg);
    msg = NULL;
    EXPECT(JWTKIT_ERR_KEY_NOT_FOUND,
           jwtkit_jws_verify_with_keyset(u8(WP_TOKEN), strlen(WP_TOKEN), set, v, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_keyset_skipped(set, 1, &why, &msg, &msg_len, ERR));
    CHECK(msg == NULL);
    jwtkit_keyset_free(set);

    /* tcId 4: a kid naming two keys is ambiguous: both are left out. */
    set = jwks(WP_DUPLICATE);
    CHECK(jwtkit_keyset_len(set) == 0);
    CHECK(jwtkit_keyset_skipped_count(set) == 2);
    why = 0;
    EXPECT_OK(jwtkit_keyset_skipped(set, 0, &why, NULL, NULL, ERR));
    CHECK(why == JWTKIT_ERR_KEY_INVALID);
    CHECK(verify_jws(WP_TOKEN, set, v) == JWTKIT_ERR_KEY_NOT_FOUND);
    jwtkit_keyset_free(set);

    jwtkit_validation_free(v);
}

static void thumbprints(void)
{
    const jwtkit_key *key = NULL;
    char *out = NULL;
    size_t len = 0;

    g_section = "thumbprint";
    EXPECT_OK(jwtkit_key_from_jwk(u8(RFC7638_JWK), strlen(RFC7638_JWK), &key, ERR));
    EXPECT_OK(jwtkit_key_thumbprint(key, &out, &len, ERR));
    CHECK(out != NULL && len == 43 && strcmp(out, RFC7638_THUMBPRINT) == 0);
    jwtkit_string_free(out);
    out = NULL;
    EXPECT_OK(jwtkit_key_to_public_jwk(key, &out, &len, ERR));
    CHECK(out != NULL && strstr(out, "\"kid\":\"2011-04-29\"") != NULL && strstr(out, "\"alg\":\"RS256\"") != NULL);
    jwtkit_string_free(out);
    out = NULL;
    /* A public key has no private export; the output stays untouched. */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_to_private_jwk(key, &out, &len, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_to_private_pem(key, &out, &len, ERR));
    CHECK(out == NULL);
    jwtkit_key_free(key);
}

/* Generated keys: sign, export the public half (JWK and PEM) and the private half,
 * read each back, verify. */
static void generation(void)
{
    static const jwtkit_alg gen_algs[] = {JWTKIT_ALG_HS256, JWTKIT_ALG_HS512, JWTKIT_ALG_ES256, JWTKIT_ALG_ES384,
                                          JWTKIT_ALG_ES512, JWTKIT_ALG_EDDSA, JWTKIT_ALG_ES256K};
    static const char claims[] = "{\"sub\":\"c\"}";
    size_t i;

    g_section = "generation";
    for (i = 0; i < sizeof gen_algs / sizeof gen_algs[0]; i++) {
        const jwtkit_alg alg = gen_algs[i];
        const int hmac = alg == JWTKIT_ALG_HS256 || alg == JWTKIT_ALG_HS512;
        const jwtkit_key *generated = NULL, *key = NULL, *back = NULL, *pub = NULL;
        const jwtkit_keyset *set = NULL, *published = NULL;
        jwtkit_validation *v = NULL;
        char *thumb = NULL, *token = NULL, *priv_jwk = NULL, *pub_jwk = NULL, *pem = NULL, *doc = NULL;
        char *kid = NULL, *claims_out = NULL;
        size_t thumb_len = 0, doc_len = 0;

        EXPECT_OK(jwtkit_validation_new(&alg, 1, &v, ERR));
        EXPECT_OK(jwtkit_key_generate(alg, &generated, ERR));
        CHECK(jwtkit_key_is_private(generated));
        EXPECT_OK(jwtkit_key_kid(generated, &kid, NULL, ERR));
        CHECK(kid == NULL);
        EXPECT_OK(jwtkit_key_thumbprint(generated, &thumb, &thumb_len, ERR));
        CHECK(thumb_len == 43);
        EXPECT_OK(jwtkit_key_with_kid(generated, u8(thumb), thumb_len, &key, ERR));
        EXPECT_OK(jwtkit_sign(key, alg, u8(claims), strlen(claims), NULL, 0, &token, NULL, ERR));

        /* private JWK round trip: the copy verifies the original's token */
        EXPECT_OK(jwtkit_key_to_private_jwk(key, &priv_jwk, NULL, ERR));
        CHECK(priv_jwk != NULL && strstr(priv_jwk, thumb) != NULL);
        EXPECT_OK(jwtkit_key_from_jwk(u8(priv_jwk), strlen(priv_jwk), &back, ERR));
        EXPECT_OK(jwtkit_verify(u8(token), strlen(token), back, v, NULL, NULL, &claims_out, NULL, ERR));
        CHECK(claims_out != NULL && strcmp(claims_out, claims) == 0);
        jwtkit_string_free(claims_out);
        claims_out = NULL;

        if (hmac) {
            CHECK(jwtkit_key_get_kind(key) == JWTKIT_KEY_KIND_HMAC);
            EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_to_public_jwk(key, &pub_jwk, NULL, ERR));
            EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_to_private_pem(key, &pem, NULL, ERR));
            CHECK(pub_jwk == NULL && pem == NULL);
            EXPECT_OK(jwtkit_keyset_from_keys(&key, 1, &set, ERR));
            CHECK(jwtkit_verify_with_keyset(u8(token), strlen(token), set, v, NULL, NULL, NULL, NULL, NULL) ==
                  JWTKIT_OK);
        } else {
            /* public JWK and PEM */
            EXPECT_OK(jwtkit_key_to_public_jwk(key, &pub_jwk, NULL, ERR));
            CHECK(pub_jwk != NULL && strstr(pub_jwk, "\"d\"") == NULL);
            if (alg == JWTKIT_ALG_ES256K)
                CHECK(jwtkit_key_get_kind(key) == JWTKIT_KEY_KIND_EC_SECP256K1 && pub_jwk != NULL &&
                      strstr(pub_jwk, "\"crv\":\"secp256k1\"") != NULL);
            EXPECT_OK(jwtkit_key_to_public_pem(key, &pem, NULL, ERR));
            CHECK(pem != NULL && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
            EXPECT_OK(jwtkit_key_from_pem(u8(pem), strlen(pem), &pub, ERR));
            CHECK(!jwtkit_key_is_private(pub));
            EXPECT_OK(jwtkit_verify(u8(token), strlen(token), pub, v, NULL, NULL, NULL, NULL, ERR));
            jwtkit_string_free(pem);
            pem = NULL;
            EXPECT_OK(jwtkit_key_to_private_pem(key, &pem, NULL, ERR));
            CHECK(pem != NULL && strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);

            /* publish a JWKS, read it back as a verifier would */
            EXPECT_OK(jwtkit_keyset_from_keys(&key, 1, &set, ERR));
            EXPECT_OK(jwtkit_keyset_to_public_jwks(set, &doc, &doc_len, ERR));
            CHECK(doc != NULL && strncmp(doc, "{\"keys\":[{", 10) == 0 && strstr(doc, "\"d\"") == NULL);
            EXPECT_OK(jwtkit_keyset_from_jwks(u8(doc), doc_len, &published, ERR));
            EXPECT_OK(jwtkit_verify_with_keyset(u8(token), strlen(token), published, v, NULL, NULL, NULL, NULL, ERR));
        }

        jwtkit_keyset_free(published);
        jwtkit_keyset_free(set);
        jwtkit_string_free(doc);
        jwtkit_string_free(pem);
        jwtkit_string_free(pub_jwk);
        jwtkit_string_free(priv_jwk);
        jwtkit_string_free(token);
        jwtkit_string_free(thumb);
        jwtkit_key_free(pub);
        jwtkit_key_free(back);
        jwtkit_key_free(key);
        jwtkit_key_free(generated);
        jwtkit_validation_free(v);
    }
    {
        const jwtkit_key *rsa = NULL;
        EXPECT(JWTKIT_ERR_KEY_UNSUPPORTED, jwtkit_key_generate(JWTKIT_ALG_RS256, &rsa, ERR));
        EXPECT(JWTKIT_ERR_KEY_UNSUPPORTED, jwtkit_key_generate(JWTKIT_ALG_PS512, &rsa, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_generate(99, &rsa, ERR));
        CHECK(rsa == NULL);
    }
}

/* Old and new key published together; after the old one is retired its tokens fail
 * with JWTKIT_ERR_KEY_NOT_FOUND. */
static void rotation(void)
{
    const jwtkit_alg alg = JWTKIT_ALG_EDDSA;
    const jwtkit_key *a = NULL, *b = NULL, *old_key = NULL, *new_key = NULL;
    const jwtkit_key *both[2];
    const jwtkit_keyset *signing = NULL, *published = NULL, *retired = NULL;
    jwtkit_validation *v = NULL;
    char *old_token = NULL, *new_token = NULL, *doc = NULL, *claims = NULL;
    const char *new_only;
    size_t doc_len = 0;

    g_section = "rotation";
    EXPECT_OK(jwtkit_validation_new(&alg, 1, &v, ERR));
    EXPECT_OK(jwtkit_key_generate(alg, &a, ERR));
    EXPECT_OK(jwtkit_key_generate(alg, &b, ERR));
    EXPECT_OK(jwtkit_key_with_kid(a, u8("2024"), 4, &old_key, ERR));
    EXPECT_OK(jwtkit_key_with_kid(b, u8("2025"), 4, &new_key, ERR));
    EXPECT_OK(jwtkit_sign(old_key, alg, u8("{\"v\":1}"), 7, NULL, 0, &old_token, NULL, ERR));
    EXPECT_OK(jwtkit_sign(new_key, alg, u8("{\"v\":2}"), 7, NULL, 0, &new_token, NULL, ERR));

    both[0] = old_key;
    both[1] = new_key;
    EXPECT_OK(jwtkit_keyset_from_keys(both, 2, &signing, ERR));
    /* The set holds its own references: the caller's handles can go. */
    jwtkit_key_free(old_key);
    jwtkit_key_free(new_key);
    EXPECT_OK(jwtkit_keyset_to_public_jwks(signing, &doc, &doc_len, ERR));
    EXPECT_OK(jwtkit_keyset_from_jwks(u8(doc), doc_len, &published, ERR));
    CHECK(jwtkit_keyset_len(published) == 2);
    EXPECT(JWTKIT_OK,
           jwtkit_verify_with_keyset(u8(old_token), strlen(old_token), published, v, NULL, NULL, &claims, NULL, ERR));
    CHECK(claims != NULL && strcmp(claims, "{\"v\":1}") == 0);
    jwtkit_string_free(claims);
    claims = NULL;
    EXPECT(JWTKIT_OK,
           jwtkit_verify_with_keyset(u8(new_token), strlen(new_token), published, v, NULL, NULL, &claims, NULL, ERR));
    CHECK(claims != NULL && strcmp(claims, "{\"v\":2}") == 0);
    jwtkit_string_free(claims);
    claims = NULL;

    /* Retire the old key: publish only the second one. */
    new_only = strstr(doc, "},{");
    CHECK(new_only != NULL);
    if (new_only != NULL) {
        char retired_doc[1024];
        snprintf(retired_doc, sizeof retired_doc, "{\"keys\":[%s", new_only + 2);
        EXPECT_OK(jwtkit_keyset_from_jwks(u8(retired_doc), strlen(retired_doc), &retired, ERR));
        CHECK(jwtkit_keyset_len(retired) == 1);
        EXPECT(JWTKIT_OK,
               jwtkit_verify_with_keyset(u8(new_token), strlen(new_token), retired, v, NULL, NULL, NULL, NULL, ERR));
        EXPECT(JWTKIT_ERR_KEY_NOT_FOUND,
               jwtkit_verify_with_keyset(u8(old_token), strlen(old_token), retired, v, NULL, NULL, &claims, NULL, ERR));
        CHECK(claims == NULL);
    }

    jwtkit_keyset_free(retired);
    jwtkit_keyset_free(published);
    jwtkit_keyset_free(signing);
    jwtkit_string_free(doc);
    jwtkit_string_free(old_token);
    jwtkit_string_free(new_token);
    jwtkit_key_free(a);
    jwtkit_key_free(b);
    jwtkit_validation_free(v);
}

static void misuse(void)
{
    const jwtkit_keyset *set = NULL;
    const jwtkit_key *key = NULL;
    const jwtkit_key *nulls[1] = {NULL};
    jwtkit_validation *v = all_algs();
    char *out = NULL;

    g_section = "misuse";
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_jwks(NULL, 5, &set, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_keyset_from_jwks(u8("{}"), 2, &set, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_keyset_from_jwks(u8("{\"keys\":{}}"), 11, &set, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_jwks(u8("{\"keys\":[]}"), 11, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_keys(NULL, 1, &set, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_keys(nulls, 1, &set, ERR));
    CHECK(set == NULL);
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_get(NULL, 0, &key, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_generate(JWTKIT_ALG_HS256, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_with_kid(NULL, u8("k"), 1, &key, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_thumbprint(NULL, &out, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_to_public_pem(NULL, &out, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_to_public_jwks(NULL, &out, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_verify_with_keyset(u8("a.b.c"), 5, NULL, v, NULL, NULL, NULL, NULL, ERR));
    CHECK(key == NULL && out == NULL);
    CHECK(jwtkit_keyset_len(NULL) == 0);
    CHECK(jwtkit_keyset_skipped_count(NULL) == 0);
    CHECK(jwtkit_key_get_kind(NULL) == JWTKIT_KEY_KIND_NONE);
    CHECK(!jwtkit_key_is_private(NULL));
    jwtkit_keyset_free(NULL);

    /* An empty set is a set: nothing verifies against it. */
    EXPECT_OK(jwtkit_keyset_from_keys(NULL, 0, &set, ERR));
    CHECK(jwtkit_keyset_len(set) == 0);
    EXPECT(JWTKIT_ERR_KEY_NOT_FOUND,
           jwtkit_jws_verify_with_keyset(u8(WP_TOKEN), strlen(WP_TOKEN), set, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_keyset_free(set);
    jwtkit_validation_free(v);
}

/* A JWK's x5c / x5t / x5t#S256 must agree with its key; the chain is not validated. */
static void certificates(void)
{
    const jwtkit_key *key = NULL;
    const jwtkit_keyset *set = NULL;
    char doc[sizeof X5C_JWK + 64];
    char *at;
    size_t prefix;
    g_section = "x5c";

    EXPECT_OK(jwtkit_key_from_jwk(u8(X5C_JWK), strlen(X5C_JWK), &key, ERR));
    CHECK(key != NULL && !jwtkit_key_is_private(key));
    jwtkit_key_free(key);
    key = NULL;

    /* A thumbprint changed in its first character: no longer the certificate's. */
    memcpy(doc, X5C_JWK, sizeof X5C_JWK);
    at = strstr(doc, "\"x5t#S256\":\"");
    CHECK(at != NULL);
    if (at) {
        at += strlen("\"x5t#S256\":\"");
        *at = *at == 'A' ? 'B' : 'A';
        EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(doc), strlen(doc), &key, ERR));
        CHECK(key == NULL);
    }

    /* The certificate of another key. */
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(X5C_OTHER_KEY_JWK), strlen(X5C_OTHER_KEY_JWK), &key, ERR));
    CHECK(key == NULL);

    /* Garbage in place of the certificate's base64, and an empty x5c. */
    memcpy(doc, X5C_JWK, sizeof X5C_JWK);
    at = strstr(doc, "\"x5c\":[\"");
    CHECK(at != NULL);
    if (at) {
        at += strlen("\"x5c\":[\"");
        *at = '%';
        EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(doc), strlen(doc), &key, ERR));
        prefix = (size_t)(at - doc) - 1; /* up to and with the `[` */
        memcpy(doc + prefix, "]}", 3);
        EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_key_from_jwk(u8(doc), strlen(doc), &key, ERR));
    }

    /* In a JWK Set, such a key is skipped with its reason, never used. */
    snprintf(doc, sizeof doc, "{\"keys\":[%s]}", X5C_OTHER_KEY_JWK);
    EXPECT_OK(jwtkit_keyset_from_jwks(u8(doc), strlen(doc), &set, ERR));
    CHECK(jwtkit_keyset_len(set) == 0 && jwtkit_keyset_skipped_count(set) == 1);
    jwtkit_keyset_free(set);
}

/* RSA generation: one 2048-bit key serves RS*, PS* and RSA-OAEP*; sizes other than
 * 2048/3072/4096 and non-RSA algorithms are refused. */
static void rsa_generation(void)
{
    static const char claims[] = "{\"sub\":\"rsa\"}";
    static const jwtkit_alg sig_algs[] = {JWTKIT_ALG_RS256, JWTKIT_ALG_PS512};
    const jwtkit_jwe_alg oaep = JWTKIT_JWE_ALG_RSA_OAEP_256;
    const jwtkit_jwe_enc gcm = JWTKIT_JWE_ENC_A256GCM;
    const jwtkit_key *key = NULL, *rs256 = NULL, *pub = NULL;
    jwtkit_validation *v = NULL;
    jwtkit_jwe_policy *policy = NULL;
    char *token = NULL, *pem = NULL, *jwe = NULL, *plain = NULL, *jwk = NULL;
    size_t plain_len = 0, i;
    const uint32_t bad_bits[] = {0, 1024, 2047, 2049, 8192};

    g_section = "rsa generation";
    EXPECT_OK(jwtkit_key_generate_rsa(0, 2048, &key, ERR));
    CHECK(jwtkit_key_get_kind(key) == JWTKIT_KEY_KIND_RSA && jwtkit_key_is_private(key));
    EXPECT_OK(jwtkit_key_to_public_pem(key, &pem, NULL, ERR));
    EXPECT_OK(jwtkit_key_from_pem(u8(pem), pem ? strlen(pem) : 0, &pub, ERR));
    EXPECT_OK(jwtkit_validation_new(sig_algs, 2, &v, ERR));
    for (i = 0; i < 2; i++) {
        EXPECT_OK(jwtkit_sign(key, sig_algs[i], u8(claims), strlen(claims), NULL, 0, &token, NULL, ERR));
        EXPECT_OK(jwtkit_verify(u8(token), token ? strlen(token) : 0, pub, v, NULL, NULL, NULL, NULL, ERR));
        jwtkit_string_free(token);
        token = NULL;
    }
    /* JWE to the public half, decrypted by the private key */
    EXPECT_OK(jwtkit_jwe_encrypt(pub, oaep, gcm, u8("secret"), 6, NULL, 0, 0, &jwe, NULL, ERR));
    EXPECT_OK(jwtkit_jwe_policy_new(&oaep, 1, &gcm, 1, &policy, ERR));
    EXPECT_OK(jwtkit_jwe_decrypt(u8(jwe), jwe ? strlen(jwe) : 0, key, policy, NULL, NULL, &plain, &plain_len, ERR));
    CHECK(plain_len == 6 && plain != NULL && memcmp(plain, "secret", 6) == 0);

    /* Refusals come before any prime is searched for; the unrestricted key's JWK has no alg. */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_generate_rsa(JWTKIT_ALG_ES256, 2048, &rs256, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_generate_rsa(99, 2048, &rs256, ERR));
    for (i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++)
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_key_generate_rsa(JWTKIT_ALG_RS256, bad_bits[i], &rs256, ERR));
    CHECK(rs256 == NULL);
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_key_generate_rsa(0, 2048, NULL, ERR));
    EXPECT(JWTKIT_ERR_KEY_UNSUPPORTED, jwtkit_key_generate(JWTKIT_ALG_RS256, &rs256, ERR));
    EXPECT_OK(jwtkit_key_to_private_jwk(key, &jwk, NULL, ERR));
    CHECK(jwk != NULL && strstr(jwk, "\"alg\"") == NULL);

    jwtkit_string_free(jwk);
    jwtkit_string_free(plain);
    jwtkit_string_free(jwe);
    jwtkit_string_free(pem);
    jwtkit_jwe_policy_free(policy);
    jwtkit_validation_free(v);
    jwtkit_key_free(pub);
    jwtkit_key_free(key);
}

int main(void)
{
    cookbook();
    wycheproof_sets();
    thumbprints();
    generation();
    rsa_generation();
    rotation();
    misuse();
    certificates();
    return check_summary();
}
