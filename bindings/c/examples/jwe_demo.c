/* jwe_demo.c: an encrypted token (JWE) for a recipient's public key, in C.
 *
 * The issuer signs the claims with its HMAC secret and encrypts the signed token to the
 * recipient's public JWK (ECDH-ES+A256KW with A256GCM): a nested JWT, whose claims only
 * the recipient can read. The recipient decrypts with its private JWK and verifies the
 * inner signature and claims in one call, with explicit allow-lists for the JWE `alg`
 * and `enc` and the JWS algorithm. Then one character of the token is changed, and
 * decryption fails with JWTKIT_ERR_JWE_DECRYPTION_FAILED.
 *
 * Build:  cc -std=c99 -I include jwe_demo.c -L target/release -ljwtkit
 * Runs with no arguments; exits 0 when everything behaves as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"

/* The recipient's key pair (P-256). In real life the issuer holds only the public JWK,
 * e.g. from the recipient's JWKS, and the private JWK never leaves the recipient. */
static const char RECIPIENT_PUBLIC[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"recipient-2024\",\"use\":\"enc\","
    "\"x\":\"IwzrOdx5sHlgXYpxhPK6RRZ7zVYVcxeX42PcixEsflc\","
    "\"y\":\"ItcP7C7EsWEPv-ErSgzYO3sQFNY3ntDyQEuPrZx6zw4\"}";
static const char RECIPIENT_PRIVATE[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"recipient-2024\",\"use\":\"enc\","
    "\"x\":\"IwzrOdx5sHlgXYpxhPK6RRZ7zVYVcxeX42PcixEsflc\","
    "\"y\":\"ItcP7C7EsWEPv-ErSgzYO3sQFNY3ntDyQEuPrZx6zw4\","
    "\"d\":\"hTImwVITNEkchCJ4263SiUDvAza_6kwVZ14MwvI5bVk\"}";

/* The issuer's signing secret (at least 32 bytes for HS256), shared with the recipient. */
static const char ISSUER_SECRET[] = "change-me: at least 32 bytes of real randomness!";

static int fail(const char *what, jwtkit_status status, jwtkit_error *err)
{
    fprintf(stderr, "%s failed: %s: %s\n", what, jwtkit_status_str(status),
            err != NULL ? jwtkit_error_message(err) : "(no details)");
    jwtkit_error_free(err);
    return 1;
}

static const jwtkit_key *load_jwk(const char *json)
{
    const jwtkit_key *key = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st = jwtkit_key_from_jwk((const uint8_t *)json, strlen(json), &key, &err);
    if (st != JWTKIT_OK)
        fail("jwtkit_key_from_jwk", st, err);
    return key;
}

int main(void)
{
    const jwtkit_key *recipient_public = load_jwk(RECIPIENT_PUBLIC);
    const jwtkit_key *recipient_private = load_jwk(RECIPIENT_PRIVATE);
    const jwtkit_key *issuer = NULL;
    jwtkit_jwe_policy *policy = NULL;
    jwtkit_validation *validation = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status st;
    char claims[160], *token = NULL, *claims_out = NULL;
    size_t token_len = 0;
    int failed = 1;
    jwtkit_jwe_alg algs[] = {JWTKIT_JWE_ALG_ECDH_ES_A256KW};
    jwtkit_jwe_enc encs[] = {JWTKIT_JWE_ENC_A256GCM};
    jwtkit_alg sig_algs[] = {JWTKIT_ALG_HS256};

    if (recipient_public == NULL || recipient_private == NULL)
        goto out;
    st = jwtkit_key_from_secret((const uint8_t *)ISSUER_SECRET, strlen(ISSUER_SECRET), 0, &issuer, &err);
    if (st != JWTKIT_OK) {
        fail("jwtkit_key_from_secret", st, err);
        goto out;
    }

    /* Issuer: sign, then encrypt to the recipient's public key. */
    snprintf(claims, sizeof claims,
             "{\"sub\":\"alice\",\"ssn\":\"078-05-1120\",\"iss\":\"https://issuer.example\",\"exp\":%lld}",
             (long long)time(NULL) + 3600);
    st = jwtkit_jwe_sign_and_encrypt(issuer, JWTKIT_ALG_HS256, (const uint8_t *)claims, strlen(claims), NULL,
                                     0, recipient_public, JWTKIT_JWE_ALG_ECDH_ES_A256KW,
                                     JWTKIT_JWE_ENC_A256GCM, 0, &token, &token_len, &err);
    if (st != JWTKIT_OK) {
        fail("jwtkit_jwe_sign_and_encrypt", st, err);
        goto out;
    }
    printf("encrypted token (%zu bytes):\n%s\n\n", token_len, token);

    /* Recipient: explicit allow-lists for the JWE and for the inner JWS. */
    st = jwtkit_jwe_policy_new(algs, 1, encs, 1, &policy, &err);
    if (st == JWTKIT_OK)
        st = jwtkit_validation_new(sig_algs, 1, &validation, &err);
    if (st == JWTKIT_OK)
        st = jwtkit_validation_add_issuer(validation, (const uint8_t *)"https://issuer.example", 22, &err);
    if (st != JWTKIT_OK) {
        fail("policy", st, err);
        goto out;
    }
    st = jwtkit_jwe_decrypt_and_verify((const uint8_t *)token, token_len, recipient_private, policy, issuer,
                                       validation, NULL, NULL, &claims_out, NULL, &err);
    if (st != JWTKIT_OK) {
        fail("jwtkit_jwe_decrypt_and_verify", st, err);
        goto out;
    }
    printf("decrypted and verified claims: %s\n", claims_out);

    /* Anyone else (here: the issuer's own secret) cannot read it; a changed token fails. */
    token[token_len - 5] = token[token_len - 5] == 'A' ? 'B' : 'A';
    st = jwtkit_jwe_decrypt_and_verify((const uint8_t *)token, token_len, recipient_private, policy, issuer,
                                       validation, NULL, NULL, NULL, NULL, &err);
    printf("after changing one character: %s (%s)\n", jwtkit_status_str(st),
           err != NULL ? jwtkit_error_message(err) : "");
    jwtkit_error_free(err);
    err = NULL;
    failed = st != JWTKIT_ERR_JWE_DECRYPTION_FAILED;

out:
    jwtkit_string_free(claims_out);
    jwtkit_string_free(token);
    jwtkit_validation_free(validation);
    jwtkit_jwe_policy_free(policy);
    jwtkit_key_free(issuer);
    jwtkit_key_free(recipient_private);
    jwtkit_key_free(recipient_public);
    return failed;
}
