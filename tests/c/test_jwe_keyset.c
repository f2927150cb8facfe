/* tests/c/test_jwe_keyset.c: compact JWE decryption with a key set made for
 * decryption, from C (C99): which JWKs jwtkit_keyset_from_jwks_for_decryption keeps
 * and why it skips the others, the token's kid choosing the key (with the kid-less
 * fallback), unknown kids, keys that cannot serve the alg never tried, the cap on keys
 * tried, unsigned and nested JWTs, a set of the wrong purpose, jwtkit_key_can_decrypt,
 * NULL handling, and outputs written only on success.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits non-zero when
 * anything failed. JWTKIT_TEST_VERBOSE=1 prints every rejection message.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"

/* 32-byte secrets, each another key */
#define K1 "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"
#define K2 "Y7f1pvbS2x0y3YHx3ah-jDvyPBbzUvBKb6pCyK3lFsU"
#define K3 "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dw"
#define K16 "GawgguFyGrWKav7AX4VKUg"
/* RFC 7748 6.1: Bob's X25519 key */
#define X25519_X "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"
#define X25519_D "XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os"

static const char JWKS[] =
    "{\"keys\":["
    "{\"kty\":\"oct\",\"kid\":\"a\",\"use\":\"enc\",\"k\":\"" K1 "\"},"              /* 0: kept */
    "{\"kty\":\"oct\",\"kid\":\"b\",\"k\":\"" K2 "\"},"                               /* 1: kept */
    "{\"kty\":\"oct\",\"kid\":\"s\",\"use\":\"sig\",\"k\":\"" K3 "\"},"              /* 2: use sig */
    "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"p\",\"use\":\"enc\",\"x\":\"" X25519_X "\"}," /* 3: public */
    "{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"" K3 "\"},"                           /* 4: not JWE */
    "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\",\"d\":\"" X25519_D "\",\"x\":\"" X25519_X "\"}" /* 5: kept */
    "]}";

static const jwtkit_key *jwk(const char *json)
{
    const jwtkit_key *k = NULL;
    EXPECT_OK(jwtkit_key_from_jwk(u8(json), strlen(json), &k, ERR));
    return k;
}

static const jwtkit_keyset *dec_set(const char *jwks)
{
    const jwtkit_keyset *s = NULL;
    EXPECT_OK(jwtkit_keyset_from_jwks_for_decryption(u8(jwks), strlen(jwks), &s, ERR));
    return s;
}

static jwtkit_jwe_policy *policy(uint64_t max_keys_tried)
{
    jwtkit_jwe_alg algs[] = {JWTKIT_JWE_ALG_A128KW, JWTKIT_JWE_ALG_A256KW, JWTKIT_JWE_ALG_ECDH_ES};
    jwtkit_jwe_enc encs[] = {JWTKIT_JWE_ENC_A256GCM};
    jwtkit_jwe_policy *p = NULL;
    EXPECT_OK(jwtkit_jwe_policy_new(algs, 3, encs, 1, &p, ERR));
    EXPECT_OK(jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_KEYS_TRIED, max_keys_tried, ERR));
    return p;
}

/* A token to the secret k (or the JWK key_json), with the header header_json (NULL: none). */
static char *encrypt(const char *key_json, jwtkit_jwe_alg alg, const char *header_json, const char *pt)
{
    const jwtkit_key *k = jwk(key_json);
    char *tok = NULL;
    EXPECT_OK(jwtkit_jwe_encrypt(k, alg, JWTKIT_JWE_ENC_A256GCM, u8(pt), strlen(pt), header_json ? u8(header_json) : NULL,
                                 header_json ? strlen(header_json) : 0, 0, &tok, NULL, ERR));
    jwtkit_key_free(k);
    return tok;
}

static jwtkit_status decrypt(const char *tok, const jwtkit_keyset *s, uint64_t max_keys_tried, const char *want_pt)
{
    jwtkit_jwe_policy *p = policy(max_keys_tried);
    char *pt = NULL;
    size_t len = 0;
    jwtkit_status st = jwtkit_jwe_decrypt_with_keyset(u8(tok), strlen(tok), s, p, NULL, NULL, &pt, &len, NULL);
    if (st == JWTKIT_OK) {
        CHECK(want_pt != NULL && len == strlen(want_pt) && memcmp(pt, want_pt, len) == 0);
    } else {
        CHECK(pt == NULL);
    }
    jwtkit_string_free(pt);
    jwtkit_jwe_policy_free(p);
    return st;
}

static void test_what_the_set_keeps(void)
{
    const jwtkit_keyset *s = dec_set(JWKS);
    jwtkit_status why = JWTKIT_OK;
    char *msg = NULL;
    size_t len = 0;
    g_section = "set";
    CHECK(jwtkit_keyset_len(s) == 3);
    CHECK(jwtkit_keyset_skipped_count(s) == 3);
    EXPECT_OK(jwtkit_keyset_skipped(s, 0, &why, &msg, &len, ERR));
    CHECK(why == JWTKIT_ERR_KEY_USAGE);
    CHECK(msg != NULL && strncmp(msg, "keys[2] (kid \"s\")", 17) == 0);
    jwtkit_string_free(msg);
    EXPECT_OK(jwtkit_keyset_skipped(s, 1, &why, NULL, NULL, ERR));
    CHECK(why == JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT);
    EXPECT_OK(jwtkit_keyset_skipped(s, 2, &why, NULL, NULL, ERR));
    CHECK(why == JWTKIT_ERR_KEY_UNSUPPORTED);
    jwtkit_keyset_free(s);
}

static void test_kid_choice(void)
{
    const jwtkit_keyset *s = dec_set(JWKS);
    const char *b = "{\"kty\":\"oct\",\"kid\":\"b\",\"k\":\"" K2 "\"}";
    char *tok;
    g_section = "kid";

    /* kid "b" (added from the JWK): with one key tried, only b itself can open it */
    tok = encrypt(b, JWTKIT_JWE_ALG_A256KW, NULL, "to b");
    CHECK(decrypt(tok, s, 1, "to b") == JWTKIT_OK);
    jwtkit_string_free(tok);

    /* a kid no key has, and no key without a kid: not found */
    tok = encrypt(b, JWTKIT_JWE_ALG_A256KW, "{\"kid\":\"nope\"}", "x");
    CHECK(decrypt(tok, s, 16, NULL) == JWTKIT_ERR_KEY_NOT_FOUND);
    jwtkit_string_free(tok);

    /* the kid of a skipped key: not found either */
    tok = encrypt(b, JWTKIT_JWE_ALG_A256KW, "{\"kid\":\"s\"}", "x");
    CHECK(decrypt(tok, s, 16, NULL) == JWTKIT_ERR_KEY_NOT_FOUND);
    jwtkit_string_free(tok);

    /* kid "a" but made with b's key: a is tried and fails, b is not */
    tok = encrypt(b, JWTKIT_JWE_ALG_A256KW, "{\"kid\":\"a\"}", "x");
    CHECK(decrypt(tok, s, 16, NULL) == JWTKIT_ERR_JWE_DECRYPTION_FAILED);
    jwtkit_string_free(tok);

    /* ECDH-ES to the X25519 key: the secrets are not tried */
    tok = encrypt("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" X25519_X "\"}", JWTKIT_JWE_ALG_ECDH_ES, NULL, "ecdh");
    CHECK(decrypt(tok, s, 1, "ecdh") == JWTKIT_OK);
    jwtkit_string_free(tok);
    jwtkit_keyset_free(s);
}

static void test_fallback_misfits_and_cap(void)
{
    static const char jwks[] = "{\"keys\":["
                               "{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K1 "\"},"
                               "{\"kty\":\"oct\",\"k\":\"" K16 "\"},"
                               "{\"kty\":\"oct\",\"k\":\"" K2 "\"},"
                               "{\"kty\":\"oct\",\"k\":\"" K3 "\"}]}";
    const jwtkit_keyset *s = dec_set(jwks);
    const char *k3 = "{\"kty\":\"oct\",\"k\":\"" K3 "\"}";
    char *tok;
    g_section = "fallback";
    CHECK(jwtkit_keyset_len(s) == 4);

    /* unknown kid: the keys without one, the 16-byte one not tried (A256KW) */
    tok = encrypt(k3, JWTKIT_JWE_ALG_A256KW, "{\"kid\":\"unknown\"}", "k3");
    CHECK(decrypt(tok, s, 2, "k3") == JWTKIT_OK);
    /* the cap: K2 then K3 are two tries */
    CHECK(decrypt(tok, s, 1, NULL) == JWTKIT_ERR_JWE_DECRYPTION_FAILED);
    jwtkit_string_free(tok);

    /* no kid: every key that fits, kid or not: a, K2, K3 */
    tok = encrypt(k3, JWTKIT_JWE_ALG_A256KW, NULL, "k3");
    CHECK(decrypt(tok, s, 3, "k3") == JWTKIT_OK);
    CHECK(decrypt(tok, s, 2, NULL) == JWTKIT_ERR_JWE_DECRYPTION_FAILED);
    jwtkit_string_free(tok);

    /* A128KW: only the 16-byte key fits */
    tok = encrypt("{\"kty\":\"oct\",\"k\":\"" K16 "\"}", JWTKIT_JWE_ALG_A128KW, NULL, "k16");
    CHECK(decrypt(tok, s, 1, "k16") == JWTKIT_OK);
    jwtkit_string_free(tok);
    jwtkit_keyset_free(s);

    /* keys that exist but cannot serve the alg: their misfit */
    s = dec_set("{\"keys\":[{\"kty\":\"oct\",\"k\":\"" K16 "\"}]}");
    tok = encrypt(k3, JWTKIT_JWE_ALG_A256KW, NULL, "x");
    CHECK(decrypt(tok, s, 16, NULL) == JWTKIT_ERR_KEY_ALG_MISMATCH);
    jwtkit_string_free(tok);
    jwtkit_keyset_free(s);
}

static void test_jwts(void)
{
    static const char claims[] = "{\"sub\":\"alice\",\"exp\":4102444800}";
    const char *a = "{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" K1 "\"}";
    const jwtkit_keyset *s = dec_set(JWKS), *verify = NULL;
    const jwtkit_key *sign = NULL, *enc = jwk(a);
    jwtkit_jwe_policy *p = policy(16);
    jwtkit_validation *v = NULL;
    jwtkit_alg hs = JWTKIT_ALG_HS256;
    char *tok, *header = NULL, *out = NULL;
    size_t out_len = 0;
    g_section = "jwt";

    EXPECT_OK(jwtkit_validation_new(&hs, 1, &v, ERR));
    tok = encrypt(a, JWTKIT_JWE_ALG_A256KW, NULL, claims);
    EXPECT_OK(jwtkit_jwe_decrypt_jwt_with_keyset(u8(tok), strlen(tok), s, p, v, &header, NULL, &out, &out_len, ERR));
    CHECK(out != NULL && out_len == strlen(claims) && strcmp(out, claims) == 0);
    CHECK(header != NULL && strstr(header, "\"kid\":\"a\"") != NULL);
    jwtkit_string_free(header);
    jwtkit_string_free(out);
    jwtkit_string_free(tok);

    /* nested: decrypted with the set, verified with a set for verification */
    EXPECT_OK(jwtkit_key_from_jwk(u8("{\"kty\":\"oct\",\"kid\":\"sig\",\"k\":\"" K3 "\"}"),
                                  strlen("{\"kty\":\"oct\",\"kid\":\"sig\",\"k\":\"" K3 "\"}"), &sign, ERR));
    EXPECT_OK(jwtkit_keyset_from_keys(&sign, 1, &verify, ERR));
    tok = NULL;
    EXPECT_OK(jwtkit_jwe_sign_and_encrypt(sign, hs, u8(claims), strlen(claims), NULL, 0, enc, JWTKIT_JWE_ALG_A256KW,
                                          JWTKIT_JWE_ENC_A256GCM, 0, &tok, NULL, ERR));
    out = NULL;
    EXPECT_OK(jwtkit_jwe_decrypt_and_verify_with_keysets(u8(tok), strlen(tok), s, p, verify, v, NULL, NULL, &out, NULL,
                                                         ERR));
    CHECK(out != NULL && strcmp(out, claims) == 0);
    jwtkit_string_free(out);

    /* the same with the one verification key */
    out = NULL;
    EXPECT_OK(jwtkit_jwe_decrypt_with_keyset_and_verify(u8(tok), strlen(tok), s, p, sign, v, NULL, NULL, &out, NULL,
                                                        ERR));
    CHECK(out != NULL && strcmp(out, claims) == 0);
    jwtkit_string_free(out);
    out = NULL;
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_with_keyset_and_verify(u8(tok), strlen(tok), s, p, NULL, v,
                                                                               NULL, NULL, &out, NULL, ERR));

    /* each set in the other's place: refused, nothing written */
    out = NULL;
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_decrypt_and_verify_with_keysets(
                                            u8(tok), strlen(tok), verify, p, s, v, NULL, NULL, &out, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_jwe_decrypt_and_verify_with_keysets(u8(tok), strlen(tok), s, p, s, v, NULL, NULL, &out, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_jwe_decrypt_with_keyset(u8(tok), strlen(tok), verify, p, NULL, NULL, &out, NULL, ERR));
    CHECK(out == NULL);

    /* NULL handles and arguments: a status, never a crash */
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_with_keyset(u8(tok), strlen(tok), NULL, p, NULL, NULL, NULL,
                                                                    NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_with_keyset(NULL, 5, s, p, NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_with_keyset(u8(tok), strlen(tok), s, NULL, NULL, NULL, NULL,
                                                                    NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_jwt_with_keyset(u8(tok), strlen(tok), s, p, NULL, NULL, NULL,
                                                                        NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_and_verify_with_keysets(u8(tok), strlen(tok), s, p, NULL, v,
                                                                                NULL, NULL, NULL, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_jwks_for_decryption(NULL, 3, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_jwks_for_decryption(u8(JWKS), strlen(JWKS), NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_keyset_from_keys_for_decryption(NULL, 1, &verify, ERR));
    EXPECT(JWTKIT_ERR_KEY_INVALID, jwtkit_keyset_from_jwks_for_decryption(u8("[]"), 2, &verify, ERR));

    jwtkit_string_free(tok);
    jwtkit_keyset_free(verify);
    jwtkit_key_free(sign);
    jwtkit_validation_free(v);
    jwtkit_jwe_policy_free(p);
    jwtkit_keyset_free(s);

    /* a set for decryption from key handles */
    {
        const jwtkit_key *keys[2];
        keys[0] = enc;
        keys[1] = jwk("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" X25519_X "\"}");
        s = NULL;
        EXPECT_OK(jwtkit_keyset_from_keys_for_decryption(keys, 2, &s, ERR));
        CHECK(jwtkit_keyset_len(s) == 1 && jwtkit_keyset_skipped_count(s) == 1);
        jwtkit_keyset_free(s);
        jwtkit_key_free(keys[1]);
    }
    jwtkit_key_free(enc);
}

static void test_key_can_decrypt(void)
{
    const jwtkit_key *k16 = jwk("{\"kty\":\"oct\",\"k\":\"" K16 "\"}");
    const jwtkit_key *pub = jwk("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" X25519_X "\"}");
    const jwtkit_key *priv = jwk("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"d\":\"" X25519_D "\",\"x\":\"" X25519_X "\"}");
    g_section = "can_decrypt";
    CHECK(jwtkit_key_can_decrypt(k16, JWTKIT_JWE_ALG_A128KW));
    CHECK(jwtkit_key_can_decrypt(k16, JWTKIT_JWE_ALG_DIR));
    CHECK(!jwtkit_key_can_decrypt(k16, JWTKIT_JWE_ALG_A256KW));
    CHECK(!jwtkit_key_can_decrypt(k16, JWTKIT_JWE_ALG_PBES2_HS256_A128KW)); /* not named */
    CHECK(jwtkit_key_can_decrypt(priv, JWTKIT_JWE_ALG_ECDH_ES_A256KW));
    CHECK(!jwtkit_key_can_decrypt(pub, JWTKIT_JWE_ALG_ECDH_ES));
    CHECK(!jwtkit_key_can_decrypt(NULL, JWTKIT_JWE_ALG_A128KW));
    CHECK(!jwtkit_key_can_decrypt(k16, 9999));
    jwtkit_key_free(k16);
    jwtkit_key_free(pub);
    jwtkit_key_free(priv);
}

int main(void)
{
    test_what_the_set_keeps();
    test_kid_choice();
    test_fallback_misfits_and_cap();
    test_jwts();
    test_key_can_decrypt();
    return check_summary();
}
