/* tests/c/test_jwe.c: JWE from C (C99): every alg x enc round trip through
 * jwtkit_jwe_encrypt / jwtkit_jwe_decrypt, the policy (allow-lists, zip, the PBES2
 * iteration cap), the RFC 7520 PBES2 and AES-GCM key wrap examples, key binding,
 * the one decryption status for every modification, invalid-curve ECDH points,
 * JWE where a JWS is expected and the reverse, a zip bomb, nested JWTs, NULL handling,
 * and outputs written only on success.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits non-zero when
 * anything failed. JWTKIT_TEST_VERBOSE=1 prints every rejection message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_keys.h"

static const jwtkit_key *jwk(const char *json)
{
    const jwtkit_key *k = NULL;
    if (!EXPECT_OK(jwtkit_key_from_jwk(u8(json), strlen(json), &k, ERR)))
        fprintf(stderr, "    jwk: %s\n", json);
    return k;
}

#define N_ALGS 18 /* JWTKIT_JWE_ALG_* */
#define N_ENCS 6  /* JWTKIT_JWE_ENC_* */

static jwtkit_jwe_policy *policy_all(void)
{
    jwtkit_jwe_alg algs[N_ALGS];
    jwtkit_jwe_enc encs[N_ENCS];
    jwtkit_jwe_policy *p = NULL;
    int i;
    for (i = 0; i < N_ALGS; i++)
        algs[i] = i + 1;
    for (i = 0; i < N_ENCS; i++)
        encs[i] = i + 1;
    EXPECT_OK(jwtkit_jwe_policy_new(algs, N_ALGS, encs, N_ENCS, &p, ERR));
    return p;
}

static char *encrypt(const jwtkit_key *k, jwtkit_jwe_alg alg, jwtkit_jwe_enc enc, const char *pt,
                     uint32_t flags)
{
    char *tok = NULL;
    size_t len = 0;
    if (!EXPECT_OK(jwtkit_jwe_encrypt(k, alg, enc, u8(pt), strlen(pt), NULL, 0, flags, &tok, &len,
                                      ERR)))
        fprintf(stderr, "    encrypt %s %s\n", jwtkit_jwe_alg_name(alg), jwtkit_jwe_enc_name(enc));
    CHECK(tok == NULL || strlen(tok) == len);
    return tok;
}

/* Decrypts and returns the status; on success checks the plaintext. */
static jwtkit_status decrypt(const char *tok, const jwtkit_key *k, const jwtkit_jwe_policy *p,
                             const char *want_pt, int line)
{
    char *hdr = NULL, *pt = NULL;
    size_t hl = 0, pl = 0;
    jwtkit_error *err = NULL;
    jwtkit_status st = jwtkit_jwe_decrypt(u8(tok), strlen(tok), k, p, &hdr, &hl, &pt, &pl, &err);
    if (st == JWTKIT_OK) {
        report(want_pt != NULL && pl == strlen(want_pt) && memcmp(pt, want_pt, pl) == 0, line,
               "plaintext differs");
        report(hdr != NULL && hdr[hl] == '\0', line, "header output");
    } else {
        report(hdr == NULL && pt == NULL, line, "output written on failure");
        if (check_verbose() && err != NULL)
            printf("  [%s] %s: %s\n", g_section, jwtkit_status_str(st), jwtkit_error_message(err));
    }
    jwtkit_error_free(err);
    jwtkit_string_free(hdr);
    jwtkit_string_free(pt);
    return st;
}

#define DECRYPTS(tok, k, p, pt) report(decrypt(tok, k, p, pt, __LINE__) == JWTKIT_OK, __LINE__, "no decrypt")
#define REFUSES(want, tok, k, p)                                                                   \
    do {                                                                                           \
        jwtkit_status st_ = decrypt(tok, k, p, NULL, __LINE__);                                    \
        report(st_ == (want), __LINE__, "want %s, got %s", jwtkit_status_str(want),                \
               jwtkit_status_str(st_));                                                            \
    } while (0)

static const char OCT16[] = "{\"kty\":\"oct\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}";
static const char OCT32[] = "{\"kty\":\"oct\",\"k\":\"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg\"}";
static const char OCT24[] = "{\"kty\":\"oct\",\"k\":\"Y7f1pvbS2x0y3YHx3ah-jDvyPBbzUvBK\"}";
static const char OCT48[] = "{\"kty\":\"oct\",\"k\":\"Y7f1pvbS2x0y3YHx3ah-jDvyPBbzUvBKb6pCyK3lFsVtljhvsl8j1g6YnDdeBq0u\"}";
static const char PASSWORD[] = "{\"kty\":\"oct\",\"k\":\"Y29ycmVjdCBob3JzZQ\"}"; /* "correct horse" */
static const char OCT64[] = "{\"kty\":\"oct\",\"k\":\"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4_wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vA\"}";
static const char X25519_PRIVATE[] = "{\"kty\":\"OKP\",\"crv\":\"X25519\","
                                     "\"d\":\"XasIfmJKikt54X-Lg4AO5m87sSkmGLb9HC-LJ_-I4Os\","
                                     "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}";
static const char X25519_PUBLIC[] = "{\"kty\":\"OKP\",\"crv\":\"X25519\","
                                    "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}";

static void test_round_trips(void)
{
    static const struct {
        jwtkit_jwe_alg alg;
        const char *private_pem, *public_pem, *private_jwk, *public_jwk;
    } rows[] = {
        {JWTKIT_JWE_ALG_A128KW, NULL, NULL, OCT16, OCT16},
        {JWTKIT_JWE_ALG_A256KW, NULL, NULL, OCT32, OCT32},
        {JWTKIT_JWE_ALG_ECDH_ES, P256_PKCS8_PRIVATE, P256_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES, P384_SEC1_PRIVATE, P384_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES, P521_PKCS8_PRIVATE, P521_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES, NULL, NULL, X25519_PRIVATE, X25519_PUBLIC},
        {JWTKIT_JWE_ALG_ECDH_ES_A128KW, P256_SEC1_PRIVATE, P256_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES_A256KW, P521_SEC1_PRIVATE, P521_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES_A256KW, NULL, NULL, X25519_PRIVATE, X25519_PUBLIC},
        {JWTKIT_JWE_ALG_RSA_OAEP_256, RSA_PKCS1_PRIVATE, RSA_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_RSA_OAEP, RSA_PKCS8_PRIVATE, RSA_CERT, NULL, NULL},
        {JWTKIT_JWE_ALG_A192KW, NULL, NULL, OCT24, OCT24},
        {JWTKIT_JWE_ALG_ECDH_ES_A192KW, P384_SEC1_PRIVATE, P384_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_ECDH_ES_A192KW, NULL, NULL, X25519_PRIVATE, X25519_PUBLIC},
        {JWTKIT_JWE_ALG_A128GCMKW, NULL, NULL, OCT16, OCT16},
        {JWTKIT_JWE_ALG_A192GCMKW, NULL, NULL, OCT24, OCT24},
        {JWTKIT_JWE_ALG_A256GCMKW, NULL, NULL, OCT32, OCT32},
        {JWTKIT_JWE_ALG_RSA_OAEP_384, RSA_PKCS8_PRIVATE, RSA_SPKI_PUBLIC, NULL, NULL},
        {JWTKIT_JWE_ALG_RSA_OAEP_512, RSA_PKCS1_PRIVATE, RSA_CERT, NULL, NULL},
        {JWTKIT_JWE_ALG_PBES2_HS256_A128KW, NULL, NULL, PASSWORD, PASSWORD},
        {JWTKIT_JWE_ALG_PBES2_HS384_A192KW, NULL, NULL, PASSWORD, PASSWORD},
        {JWTKIT_JWE_ALG_PBES2_HS512_A256KW, NULL, NULL, PASSWORD, PASSWORD},
    };
    /* by JWTKIT_JWE_ENC_*: the CEK's length */
    static const char *const dir_keys[] = {NULL, OCT16, OCT32, OCT32, OCT64, OCT24, OCT48};
    jwtkit_jwe_policy *p = policy_all();
    size_t i;
    jwtkit_jwe_enc enc;
    g_section = "round trips";
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const jwtkit_key *priv = rows[i].private_pem ? pem(rows[i].private_pem) : jwk(rows[i].private_jwk);
        const jwtkit_key *pub = rows[i].public_pem ? pem(rows[i].public_pem) : jwk(rows[i].public_jwk);
        for (enc = JWTKIT_JWE_ENC_A128GCM; enc <= JWTKIT_JWE_ENC_A192CBC_HS384; enc++) {
            char *tok = encrypt(pub, rows[i].alg, enc, "Live long and prosper.", 0);
            if (tok != NULL)
                DECRYPTS(tok, priv, p, "Live long and prosper.");
            jwtkit_string_free(tok);
        }
        jwtkit_key_free(priv);
        jwtkit_key_free(pub);
    }
    for (enc = JWTKIT_JWE_ENC_A128GCM; enc <= JWTKIT_JWE_ENC_A192CBC_HS384; enc++) {
        const jwtkit_key *k = jwk(dir_keys[enc]);
        char *tok = encrypt(k, JWTKIT_JWE_ALG_DIR, enc, "dir", 0);
        if (tok != NULL) {
            CHECK(strstr(tok, "..") != NULL); /* empty encrypted key */
            DECRYPTS(tok, k, p, "dir");
        }
        jwtkit_string_free(tok);
        jwtkit_key_free(k);
    }
    jwtkit_jwe_policy_free(p);
}

/* RFC 7520 §5.3 (JOSE Cookbook jwe/5_3): PBES2-HS512+A256KW, p2c 8192, A128CBC-HS256;
 * the password, as an oct key's bytes. */
static const char COOKBOOK_5_3_PASSWORD[] = "entrap_o\xe2\x80\x93peter_long\xe2\x80\x93" "credit_tun";
static const char COOKBOOK_5_3_PLAINTEXT[] =
    "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"77c7e2b8-6e13-45cf-8672-617b5b45243a\",\"use\":\"e"
    "nc\",\"alg\":\"A128GCM\",\"k\":\"XctOhJAkA-pD9Lh7ZgW_2A\"},{\"kty\":\"oct\",\"kid\":\"81"
    "b20965-8332-43d9-a468-82160ad91ac8\",\"use\":\"enc\",\"alg\":\"A128KW\",\"k\":\"GZy6sIZ6"
    "wl9NJOKB-jnmVQ\"},{\"kty\":\"oct\",\"kid\":\"18ec08e1-bfa9-4d95-b205-2b4dd1d4321d\",\"us"
    "e\":\"enc\",\"alg\":\"A256GCMKW\",\"k\":\"qC57l_uxcm7Nm3K-ct4GFjx8tM1U8CZ0NLBvdQstiS8\"}"
    "]}";
static const char COOKBOOK_5_3[] =
    "eyJhbGciOiJQQkVTMi1IUzUxMitBMjU2S1ciLCJwMnMiOiI4UTFTemluYXNSM3hjaFl6NlpaY0hBIiwicDJjIjo4"
    "MTkyLCJjdHkiOiJqd2stc2V0K2pzb24iLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.d3qNhUWfqheyPp4H8sjOWsDY"
    "ajoej4c5Je6rlUtFPWdgtURtmeDV1g.VBiCzVHNoLiR3F4V82uoTQ.23i-Tb1AV4n0WKVSSgcQrdg6GRqsUKxjru"
    "HXYsTHAJLZ2nsnGIX86vMXqIi6IRsfywCRFzLxEcZBRnTvG3nhzPk0GDD7FMyXhUHpDjEYCNA_XOmzg8yZR9oyjo"
    "6lTF6si4q9FZ2EhzgFQCLO_6h5EVg3vR75_hkBsnuoqoM3dwejXBtIodN84PeqMb6asmas_dpSsz7H10fC5ni9xI"
    "z424givB1YLldF6exVmL93R3fOoOJbmk2GBQZL_SEGllv2cQsBgeprARsaQ7Bq99tT80coH8ItBjgV08AtzXFFsx"
    "9qKvC982KLKdPQMTlVJKkqtV4Ru5LEVpBZXBnZrtViSOgyg6AiuwaS-rCrcD_ePOGSuxvgtrokAKYPqmXUeRdjFJ"
    "wafkYEkiuDCV9vWGAi1DH2xTafhJwcmywIyzi4BqRpmdn_N-zl5tuJYyuvKhjKv6ihbsV_k1hJGPGAxJ6wUpmwC4"
    "PTQ2izEm0TuSE8oMKdTw8V3kobXZ77ulMwDs4p.0HlwodAhOCILG5SQ2LQ9dg";
/* RFC 7520 §5.7 (jwe/5_7): A256GCMKW (header iv and tag), A128CBC-HS256. */
static const char COOKBOOK_5_7_KEY[] =
    "{\"kty\":\"oct\",\"kid\":\"18ec08e1-bfa9-4d95-b205-2b4dd1d4321d\",\"use\":\"enc\",\"alg"
    "\":\"A256GCMKW\",\"k\":\"qC57l_uxcm7Nm3K-ct4GFjx8tM1U8CZ0NLBvdQstiS8\"}";
static const char COOKBOOK_5_7_PLAINTEXT[] =
    "You can trust us to stick with you through thick and thin\xe2\x80\x93to the bitter end. "
    "And you can trust us to keep any secret of yours\xe2\x80\x93" "closer than you keep it y"
    "ourself. But you cannot trust us to let you face trouble alone, and go off without a wor"
    "d. We are your friends, Frodo.";
static const char COOKBOOK_5_7[] =
    "eyJhbGciOiJBMjU2R0NNS1ciLCJraWQiOiIxOGVjMDhlMS1iZmE5LTRkOTUtYjIwNS0yYjRkZDFkNDMyMWQiLCJ0"
    "YWciOiJrZlBkdVZRM1QzSDZ2bmV3dC0ta3N3IiwiaXYiOiJLa1lUMEdYXzJqSGxmcU5fIiwiZW5jIjoiQTEyOENC"
    "Qy1IUzI1NiJ9.lJf3HbOApxMEBkCMOoTnnABxs_CvTWUmZQ2ElLvYNok.gz6NjyEFNm_vm8Gj6FwoFQ.Jf5p9-Zh"
    "JlJy_IQ_byKFmI0Ro7w7G1QiaZpI8OaiVgD8EqoDZHyFKFBupS8iaEeVIgMqWmsuJKuoVgzR3YfzoMd3GxEm3VxN"
    "hzWyWtZKX0gxKdy6HgLvqoGNbZCzLjqcpDiF8q2_62EVAbr2uSc2oaxFmFuIQHLcqAHxy51449xkjZ7ewzZaGV3e"
    "Fqhpco8o4DijXaG5_7kp3h2cajRfDgymuxUbWgLqaeNQaJtvJmSMFuEOSAzw9Hdeb6yhdTynCRmu-kqtO5Dec4lT"
    "2OMZKpnxc_F1_4yDJFcqb5CiDSmA-psB2k0JtjxAj4UPI61oONK7zzFIu4gBfjJCndsZfdvG7h8wGjV98QhrKEnR"
    "7xKZ3KCr0_qR1B-gxpNk3xWU.DKW7jrb4WaRSNfbXVPlT5g";

/* The cookbook's PBES2 and AES-GCM key wrap tokens decrypt; jwtkit's own, with the same
 * keys, round-trip; the PBES2 iteration cap is the caller's. */
static void test_pbes2_and_gcm_key_wrap(void)
{
    const jwtkit_key *password = NULL, *gcmkw = jwk(COOKBOOK_5_7_KEY);
    jwtkit_jwe_alg pbes2 = JWTKIT_JWE_ALG_PBES2_HS512_A256KW, a256gcmkw = JWTKIT_JWE_ALG_A256GCMKW;
    jwtkit_jwe_enc cbc = JWTKIT_JWE_ENC_A128CBC_HS256;
    jwtkit_jwe_policy *p = NULL, *q = NULL;
    char *tok = NULL;
    size_t len = 0;
    static const char extra[] = "{\"cty\":\"jwk-set+json\",\"p2c\":1000}";

    g_section = "pbes2";
    EXPECT_OK(jwtkit_key_from_secret(u8(COOKBOOK_5_3_PASSWORD), strlen(COOKBOOK_5_3_PASSWORD), 0, &password,
                                     ERR));
    EXPECT_OK(jwtkit_jwe_policy_new(&pbes2, 1, &cbc, 1, &p, ERR));
    DECRYPTS(COOKBOOK_5_3, password, p, COOKBOOK_5_3_PLAINTEXT);
    /* p2c 8192 is over a cap of 5000: refused before any derivation */
    EXPECT_OK(jwtkit_jwe_policy_set_max_p2c(p, 5000, ERR));
    REFUSES(JWTKIT_ERR_JWE_P2C_LIMIT, COOKBOOK_5_3, password, p);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_set_max_p2c(p, 999, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_policy_set_max_p2c(NULL, 10000, ERR));
    EXPECT_OK(jwtkit_jwe_policy_set_max_p2c(p, 8192, ERR));
    DECRYPTS(COOKBOOK_5_3, password, p, COOKBOOK_5_3_PLAINTEXT);
    /* jwtkit's own, with a p2c from the header */
    EXPECT_OK(jwtkit_jwe_encrypt(password, pbes2, cbc, u8(COOKBOOK_5_3_PLAINTEXT), strlen(COOKBOOK_5_3_PLAINTEXT),
                                 u8(extra), strlen(extra), 0, &tok, &len, ERR));
    if (tok != NULL)
        DECRYPTS(tok, password, p, COOKBOOK_5_3_PLAINTEXT);
    jwtkit_string_free(tok);
    tok = NULL;
    /* a p2c under 1000 is not sent */
    EXPECT(JWTKIT_ERR_HEADER_INVALID, jwtkit_jwe_encrypt(password, pbes2, cbc, u8("x"), 1, u8("{\"p2c\":999}"),
                                                         11, 0, &tok, &len, ERR));
    CHECK(tok == NULL);
    /* the salt input is jwtkit's */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_encrypt(password, pbes2, cbc, u8("x"), 1,
                                                           u8("{\"p2s\":\"AAAAAAAAAAA\"}"), 21, 0, &tok, &len, ERR));
    /* a PBES2 token is refused by a policy that does not name PBES2 */
    EXPECT_OK(jwtkit_jwe_policy_new(&a256gcmkw, 1, &cbc, 1, &q, ERR));
    REFUSES(JWTKIT_ERR_ALG_NOT_ALLOWED, COOKBOOK_5_3, password, q);

    g_section = "aes-gcm key wrap";
    DECRYPTS(COOKBOOK_5_7, gcmkw, q, COOKBOOK_5_7_PLAINTEXT);
    REFUSES(JWTKIT_ERR_ALG_NOT_ALLOWED, COOKBOOK_5_7, gcmkw, p);
    EXPECT_OK(jwtkit_jwe_encrypt(gcmkw, a256gcmkw, cbc, u8(COOKBOOK_5_7_PLAINTEXT), strlen(COOKBOOK_5_7_PLAINTEXT),
                                 NULL, 0, 0, &tok, &len, ERR));
    if (tok != NULL) {
        DECRYPTS(tok, gcmkw, q, COOKBOOK_5_7_PLAINTEXT);
        /* the key's JWK names A256GCMKW: it is no PBES2 password */
        REFUSES(JWTKIT_ERR_KEY_USAGE, COOKBOOK_5_3, gcmkw, p);
    }
    jwtkit_string_free(tok);
    jwtkit_jwe_policy_free(p);
    jwtkit_jwe_policy_free(q);
    jwtkit_key_free(password);
    jwtkit_key_free(gcmkw);
}

/* Flips one bit of the base64url character at `pos`, keeping it base64url. */
static void flip(char *tok, size_t pos)
{
    tok[pos] = tok[pos] == 'A' ? 'B' : 'A';
}

static void test_attacks(void)
{
    const jwtkit_key *k = jwk(OCT16), *p256 = pem(P256_PKCS8_PRIVATE), *hs = NULL;
    jwtkit_jwe_policy *p = policy_all(), *narrow = NULL;
    jwtkit_validation *v = NULL;
    jwtkit_jwe_alg kw = JWTKIT_JWE_ALG_A128KW;
    jwtkit_jwe_enc gcm = JWTKIT_JWE_ENC_A128GCM;
    jwtkit_alg hs256 = JWTKIT_ALG_HS256;
    char *tok, *copy, *jws = NULL, *dots[4];
    size_t n, i, seg;
    static const char claims[] = "{\"sub\":\"a\"}";

    g_section = "modifications";
    tok = encrypt(k, JWTKIT_JWE_ALG_A128KW, JWTKIT_JWE_ENC_A128CBC_HS256, "attack at dawn", 0);
    n = strlen(tok);
    dots[0] = strchr(tok, '.');
    for (i = 1; i < 4; i++)
        dots[i] = strchr(dots[i - 1] + 1, '.');
    /* one changed character in the encrypted key, IV, ciphertext and tag: one status */
    for (seg = 1; seg < 5; seg++) {
        copy = malloc(n + 1);
        memcpy(copy, tok, n + 1);
        flip(copy, (size_t)(dots[seg - 1] - tok) + 3);
        REFUSES(JWTKIT_ERR_JWE_DECRYPTION_FAILED, copy, k, p);
        free(copy);
    }
    /* truncated tag */
    copy = malloc(n + 1);
    memcpy(copy, tok, n + 1);
    copy[n - 2] = '\0'; /* 20 of 22 characters: a canonical 15-byte tag */
    REFUSES(JWTKIT_ERR_JWE_DECRYPTION_FAILED, copy, k, p);
    free(copy);
    /* wrong key */
    {
        const jwtkit_key *other = jwk("{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAA\"}");
        REFUSES(JWTKIT_ERR_JWE_DECRYPTION_FAILED, tok, other, p);
        jwtkit_key_free(other);
    }

    g_section = "allow-lists";
    EXPECT_OK(jwtkit_jwe_policy_new(&kw, 1, (jwtkit_jwe_enc[]){JWTKIT_JWE_ENC_A256GCM}, 1, &narrow, ERR));
    REFUSES(JWTKIT_ERR_JWE_ENC_NOT_ALLOWED, tok, k, narrow);
    jwtkit_jwe_policy_free(narrow);
    narrow = NULL;
    EXPECT_OK(jwtkit_jwe_policy_new((jwtkit_jwe_alg[]){JWTKIT_JWE_ALG_DIR}, 1, &gcm, 1, &narrow, ERR));
    REFUSES(JWTKIT_ERR_ALG_NOT_ALLOWED, tok, k, narrow);
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_new(NULL, 0, &gcm, 1, &narrow, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_new(&kw, 1, NULL, 0, &narrow, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_jwe_policy_new((jwtkit_jwe_alg[]){N_ALGS + 1}, 1, &gcm, 1, &narrow, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
           jwtkit_jwe_policy_new(&kw, 1, (jwtkit_jwe_enc[]){N_ENCS + 1}, 1, &narrow, ERR));
    jwtkit_string_free(tok);

    g_section = "names";
    {
        jwtkit_jwe_alg a = 0;
        jwtkit_jwe_enc e = 0;
        EXPECT_OK(jwtkit_jwe_alg_from_name(u8("ECDH-ES+A256KW"), 14, &a, ERR));
        CHECK(a == JWTKIT_JWE_ALG_ECDH_ES_A256KW);
        EXPECT(JWTKIT_ERR_JWE_ALG_INSECURE, jwtkit_jwe_alg_from_name(u8("RSA1_5"), 6, &a, ERR));
        EXPECT_OK(jwtkit_jwe_alg_from_name(u8("PBES2-HS256+A128KW"), 18, &a, ERR));
        CHECK(a == JWTKIT_JWE_ALG_PBES2_HS256_A128KW);
        EXPECT(JWTKIT_ERR_ALG_UNSUPPORTED, jwtkit_jwe_alg_from_name(u8("PBES2-HS256+A256KW"), 18, &a, ERR));
        EXPECT_OK(jwtkit_jwe_enc_from_name(u8("A256CBC-HS512"), 13, &e, ERR));
        CHECK(e == JWTKIT_JWE_ENC_A256CBC_HS512);
        EXPECT_OK(jwtkit_jwe_enc_from_name(u8("A192GCM"), 7, &e, ERR));
        CHECK(e == JWTKIT_JWE_ENC_A192GCM);
        EXPECT(JWTKIT_ERR_JWE_ENC_UNSUPPORTED, jwtkit_jwe_enc_from_name(u8("A512GCM"), 7, &e, ERR));
        CHECK(jwtkit_jwe_alg_name(N_ALGS + 1) == NULL);
        CHECK(strcmp(jwtkit_jwe_alg_name(N_ALGS), "PBES2-HS512+A256KW") == 0);
        CHECK(strcmp(jwtkit_jwe_enc_name(N_ENCS), "A192CBC-HS384") == 0);
        CHECK(strcmp(jwtkit_jwe_alg_name(JWTKIT_JWE_ALG_RSA_OAEP_256), "RSA-OAEP-256") == 0);
        CHECK(jwtkit_jwe_enc_name(0) == NULL);
    }

    g_section = "jwe vs jws";
    hs = jwk(OCT32);
    EXPECT_OK(jwtkit_sign(hs, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &jws, NULL, ERR));
    REFUSES(JWTKIT_ERR_TOKEN_MALFORMED, jws, hs, p);
    tok = encrypt(hs, JWTKIT_JWE_ALG_DIR, JWTKIT_JWE_ENC_A256GCM, claims, 0);
    EXPECT_OK(jwtkit_validation_new(&hs256, 1, &v, ERR));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED,
           jwtkit_verify(u8(tok), strlen(tok), hs, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);

    g_section = "invalid curve";
    {
        /* An ECDH-ES token whose epk is (0, 0): not on P-256. */
        static const char hdr[] = "{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"epk\":{\"kty\":\"EC\","
                                  "\"crv\":\"P-256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
                                  "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}";
        char forged[1024];
        /* base64url-encode the header by hand */
        {
            static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            size_t len = strlen(hdr), o = 0, j;
            for (j = 0; j + 2 < len; j += 3) {
                uint32_t w = (uint32_t)(uint8_t)hdr[j] << 16 | (uint32_t)(uint8_t)hdr[j + 1] << 8 |
                             (uint8_t)hdr[j + 2];
                forged[o++] = b64[w >> 18 & 63];
                forged[o++] = b64[w >> 12 & 63];
                forged[o++] = b64[w >> 6 & 63];
                forged[o++] = b64[w & 63];
            }
            if (len - j == 1) {
                uint32_t w = (uint32_t)(uint8_t)hdr[j] << 16;
                forged[o++] = b64[w >> 18 & 63];
                forged[o++] = b64[w >> 12 & 63];
            } else if (len - j == 2) {
                uint32_t w = (uint32_t)(uint8_t)hdr[j] << 16 | (uint32_t)(uint8_t)hdr[j + 1] << 8;
                forged[o++] = b64[w >> 18 & 63];
                forged[o++] = b64[w >> 12 & 63];
                forged[o++] = b64[w >> 6 & 63];
            }
            forged[o] = '\0';
            strcat(forged, "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
        }
        REFUSES(JWTKIT_ERR_JWE_EPK_INVALID, forged, p256, p);
    }

    g_section = "zip bomb";
    {
        size_t big = 8u << 20;
        char *zeros = malloc(big + 1), *bomb = NULL;
        memset(zeros, 'A', big);
        zeros[big] = '\0';
        EXPECT_OK(jwtkit_jwe_encrypt(k, JWTKIT_JWE_ALG_A128KW, JWTKIT_JWE_ENC_A128GCM, u8(zeros), big,
                                     NULL, 0, JWTKIT_JWE_ZIP, &bomb, NULL, ERR));
        free(zeros);
        if (bomb != NULL) {
            CHECK(strlen(bomb) < 64 * 1024);
            REFUSES(JWTKIT_ERR_JWE_ZIP_NOT_ALLOWED, bomb, k, p);
            EXPECT_OK(jwtkit_jwe_policy_allow_zip(p, true, 0, ERR));
            REFUSES(JWTKIT_ERR_JWE_ZIP_LIMIT, bomb, k, p);
            EXPECT_OK(jwtkit_jwe_policy_allow_zip(p, false, 0, ERR));
        }
        jwtkit_string_free(bomb);
    }

    g_section = "keys";
    {
        char *out = NULL;
        const jwtkit_key *p256_pub = pem(P256_SPKI_PUBLIC);
        const jwtkit_key *sig = jwk("{\"kty\":\"oct\",\"use\":\"sig\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}");
        const jwtkit_key *x = jwk(X25519_PRIVATE);
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_jwe_encrypt(p256, JWTKIT_JWE_ALG_RSA_OAEP_256, gcm,
                                                               u8("x"), 1, NULL, 0, 0, &out, NULL, ERR));
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH,
               jwtkit_jwe_encrypt(k, JWTKIT_JWE_ALG_A256KW, gcm, u8("x"), 1, NULL, 0, 0, &out, NULL, ERR));
        EXPECT(JWTKIT_ERR_KEY_USAGE,
               jwtkit_jwe_encrypt(sig, kw, gcm, u8("x"), 1, NULL, 0, 0, &out, NULL, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT,
               jwtkit_jwe_encrypt(k, kw, gcm, u8("x"), 1, NULL, 0, 2, &out, NULL, ERR));
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
               jwtkit_jwe_encrypt(NULL, kw, gcm, u8("x"), 1, NULL, 0, 0, &out, NULL, ERR));
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT,
               jwtkit_jwe_encrypt(k, kw, gcm, NULL, 1, NULL, 0, 0, &out, NULL, ERR));
        CHECK(out == NULL);
        tok = encrypt(p256_pub, JWTKIT_JWE_ALG_ECDH_ES, gcm, "x", 0);
        REFUSES(JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT, tok, p256_pub, p);
        jwtkit_string_free(tok);
        /* an X25519 key is no Ed25519 key */
        EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_sign(x, JWTKIT_ALG_EDDSA, u8(claims), strlen(claims),
                                                        NULL, 0, &out, NULL, ERR));
        CHECK(jwtkit_key_get_kind(x) == JWTKIT_KEY_KIND_X25519);
        /* secp256k1 signs (ES256K) but is no JWE curve: refused for ECDH-ES both ways, by name */
        {
            const jwtkit_key *k1 = pem(SECP256K1_PKCS8_PRIVATE), *k1_pub = pem(SECP256K1_SPKI_PUBLIC);
            jwtkit_error *e = NULL;
            CHECK(jwtkit_key_get_kind(k1) == JWTKIT_KEY_KIND_EC_SECP256K1);
            CHECK(jwtkit_jwe_encrypt(k1_pub, JWTKIT_JWE_ALG_ECDH_ES, gcm, u8("x"), 1, NULL, 0, 0, &out, NULL,
                                     &e) == JWTKIT_ERR_KEY_ALG_MISMATCH);
            CHECK(e != NULL && strstr(jwtkit_error_message(e), "secp256k1 is not a JWE curve") != NULL);
            jwtkit_error_free(e);
            EXPECT(JWTKIT_ERR_KEY_ALG_MISMATCH, jwtkit_jwe_encrypt(k1, JWTKIT_JWE_ALG_ECDH_ES_A128KW, gcm, u8("x"),
                                                                   1, NULL, 0, 0, &out, NULL, ERR));
            CHECK(out == NULL);
            tok = encrypt(p256_pub, JWTKIT_JWE_ALG_ECDH_ES, gcm, "x", 0);
            REFUSES(JWTKIT_ERR_KEY_ALG_MISMATCH, tok, k1, p);
            jwtkit_string_free(tok);
            jwtkit_key_free(k1);
            jwtkit_key_free(k1_pub);
        }
        jwtkit_key_free(p256_pub);
        jwtkit_key_free(sig);
        jwtkit_key_free(x);
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt(NULL, 3, k, p, NULL, NULL, NULL, NULL, ERR));
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt(u8("a"), 1, k, NULL, NULL, NULL, NULL, NULL, ERR));
    }

    jwtkit_string_free(jws);
    jwtkit_validation_free(v);
    jwtkit_jwe_policy_free(narrow);
    jwtkit_jwe_policy_free(p);
    jwtkit_key_free(hs);
    jwtkit_key_free(p256);
    jwtkit_key_free(k);
}

static void test_nested(void)
{
    const jwtkit_key *signer = pem(P256_PKCS8_PRIVATE), *verifier = pem(P256_SPKI_PUBLIC);
    const jwtkit_key *recipient = pem(RSA_PKCS8_PRIVATE), *recipient_pub = pem(RSA_SPKI_PUBLIC);
    jwtkit_jwe_alg oaep = JWTKIT_JWE_ALG_RSA_OAEP_256;
    jwtkit_jwe_enc gcm = JWTKIT_JWE_ENC_A256GCM;
    jwtkit_alg es256 = JWTKIT_ALG_ES256;
    jwtkit_jwe_policy *p = NULL;
    jwtkit_validation *v = NULL;
    char *tok = NULL, *hdr = NULL, *claims_out = NULL;
    static const char claims[] = "{\"sub\":\"alice\",\"iss\":\"https://issuer.example\",\"exp\":4102444800}";

    g_section = "nested";
    EXPECT_OK(jwtkit_jwe_policy_new(&oaep, 1, &gcm, 1, &p, ERR));
    EXPECT_OK(jwtkit_validation_new(&es256, 1, &v, ERR));
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8("https://issuer.example"), 22, ERR));
    EXPECT_OK(jwtkit_jwe_sign_and_encrypt(signer, es256, u8(claims), strlen(claims), NULL, 0,
                                          recipient_pub, oaep, gcm, 0, &tok, NULL, ERR));
    if (tok != NULL) {
        size_t cl = 0;
        EXPECT_OK(jwtkit_jwe_decrypt_and_verify(u8(tok), strlen(tok), recipient, p, verifier, v, &hdr,
                                                NULL, &claims_out, &cl, ERR));
        CHECK(claims_out != NULL && cl == strlen(claims) && memcmp(claims_out, claims, cl) == 0);
        CHECK(hdr != NULL && strstr(hdr, "ES256") != NULL);
        EXPECT_OK(jwtkit_validation_set_now(v, INT64_C(4102444801), ERR));
        EXPECT(JWTKIT_ERR_EXPIRED, jwtkit_jwe_decrypt_and_verify(u8(tok), strlen(tok), recipient, p,
                                                                 verifier, v, NULL, NULL, NULL, NULL, ERR));
        EXPECT(JWTKIT_ERR_JWE_KEY_CANNOT_DECRYPT,
               jwtkit_jwe_decrypt_and_verify(u8(tok), strlen(tok), recipient_pub, p, verifier, v, NULL,
                                             NULL, NULL, NULL, ERR));
    }
    /* the inner key chosen from a key set by `kid` */
    if (tok != NULL) {
        const jwtkit_key *with_kid = NULL, *members[1];
        const jwtkit_keyset *set = NULL;
        char *tok2 = NULL;
        EXPECT_OK(jwtkit_validation_set_now(v, INT64_C(1700000000), ERR));
        EXPECT_OK(jwtkit_key_with_kid(signer, u8("signer-1"), 8, &with_kid, ERR));
        {
            const jwtkit_key *vk = NULL;
            EXPECT_OK(jwtkit_key_with_kid(verifier, u8("signer-1"), 8, &vk, ERR));
            members[0] = vk;
            EXPECT_OK(jwtkit_keyset_from_keys(members, 1, &set, ERR));
            jwtkit_key_free(vk);
        }
        EXPECT_OK(jwtkit_jwe_sign_and_encrypt(with_kid, es256, u8(claims), strlen(claims), NULL, 0,
                                              recipient_pub, oaep, gcm, 0, &tok2, NULL, ERR));
        if (tok2 != NULL)
            EXPECT_OK(jwtkit_jwe_decrypt_and_verify_with_keyset(u8(tok2), strlen(tok2), recipient, p, set, v,
                                                                NULL, NULL, NULL, NULL, ERR));
        /* the first token has no kid: any key of the set that fits is tried */
        EXPECT_OK(jwtkit_jwe_decrypt_and_verify_with_keyset(u8(tok), strlen(tok), recipient, p, set, v, NULL,
                                                            NULL, NULL, NULL, ERR));
        jwtkit_string_free(tok2);
        jwtkit_keyset_free(set);
        jwtkit_key_free(with_kid);
    }
    /* limits: a token longer than the policy allows */
    if (tok != NULL) {
        EXPECT_OK(jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_TOKEN_LEN, 100, ERR));
        EXPECT(JWTKIT_ERR_TOKEN_TOO_LARGE, jwtkit_jwe_decrypt(u8(tok), strlen(tok), recipient, p, NULL, NULL,
                                                              NULL, NULL, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_KEYS_TRIED, 0, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_RECIPIENTS, 0, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_set_limit(p, 99, 1, ERR));
        EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_TOKEN_LEN, 3, ERR));
        EXPECT_OK(jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_TOKEN_LEN, 131072, ERR));
    }
    jwtkit_string_free(tok);
    jwtkit_string_free(hdr);
    jwtkit_string_free(claims_out);
    /* a plain JWE (no cty) is not a nested JWT */
    tok = encrypt(recipient_pub, oaep, gcm, claims, 0);
    EXPECT(JWTKIT_ERR_HEADER_INVALID, jwtkit_jwe_decrypt_and_verify(u8(tok), strlen(tok), recipient, p,
                                                                    verifier, v, NULL, NULL, NULL, NULL, ERR));
    jwtkit_string_free(tok);
    jwtkit_validation_free(v);
    jwtkit_jwe_policy_free(p);
    jwtkit_key_free(signer);
    jwtkit_key_free(verifier);
    jwtkit_key_free(recipient);
    jwtkit_key_free(recipient_pub);
}

/* jwtkit_jwe_decrypt_jwt: encrypted, unsigned JWTs. */
static void test_encrypted_jwt(void)
{
    const jwtkit_key *k = jwk(OCT32), *rsa = pem(RSA_PKCS8_PRIVATE), *rsa_pub = pem(RSA_SPKI_PUBLIC);
    jwtkit_jwe_policy *p = policy_all();
    jwtkit_alg hs256 = JWTKIT_ALG_HS256;
    jwtkit_validation *v = NULL;
    char *tok, *hdr = NULL, *claims_out = NULL;
    size_t cl = 0;

    g_section = "encrypted-jwt";
    EXPECT_OK(jwtkit_validation_new(&hs256, 1, &v, ERR));
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8("https://issuer.example"), 22, ERR));
    tok = encrypt(k, JWTKIT_JWE_ALG_A256KW, JWTKIT_JWE_ENC_A256GCM,
                  "{\"iss\":\"https://issuer.example\",\"sub\":\"alice\",\"exp\":4102444800}", 0);
    if (tok != NULL) {
        EXPECT_OK(jwtkit_jwe_decrypt_jwt(u8(tok), strlen(tok), k, p, v, &hdr, NULL, &claims_out, &cl, ERR));
        CHECK(claims_out != NULL && strstr(claims_out, "\"alice\"") != NULL && strlen(claims_out) == cl);
        CHECK(hdr != NULL && strstr(hdr, "A256KW") != NULL);
        jwtkit_string_free(hdr);
        jwtkit_string_free(claims_out);
        EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_decrypt_jwt(u8(tok), strlen(tok), k, p, NULL, NULL, NULL,
                                                                NULL, NULL, ERR));
        jwtkit_string_free(tok);
    }
    tok = encrypt(k, JWTKIT_JWE_ALG_DIR, JWTKIT_JWE_ENC_A256GCM, "{\"iss\":\"https://issuer.example\",\"exp\":1}", 0);
    if (tok != NULL) {
        hdr = claims_out = NULL;
        EXPECT(JWTKIT_ERR_EXPIRED, jwtkit_jwe_decrypt_jwt(u8(tok), strlen(tok), k, p, v, &hdr, NULL, &claims_out,
                                                          NULL, ERR));
        CHECK(hdr == NULL && claims_out == NULL);
        jwtkit_string_free(tok);
    }
    tok = encrypt(rsa_pub, JWTKIT_JWE_ALG_RSA_OAEP_256, JWTKIT_JWE_ENC_A256GCM,
                  "{\"iss\":\"https://issuer.example\",\"exp\":4102444800}", 0);
    if (tok != NULL) {
        EXPECT(JWTKIT_ERR_JWE_ALG_INSECURE, jwtkit_jwe_decrypt_jwt(u8(tok), strlen(tok), rsa, p, v, NULL, NULL,
                                                                   NULL, NULL, ERR));
        jwtkit_string_free(tok);
    }
    jwtkit_validation_free(v);
    jwtkit_jwe_policy_free(p);
    jwtkit_key_free(k);
    jwtkit_key_free(rsa);
    jwtkit_key_free(rsa_pub);
}

int main(void)
{
    test_round_trips();
    test_pbes2_and_gcm_key_wrap();
    test_attacks();
    test_nested();
    test_encrypted_jwt();
    return check_summary();
}
