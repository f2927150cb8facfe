/* hello_jwt.c: the classic first JWT program, in C.
 *
 *   const token = jwt.sign({ userId: 123 }, secret, { expiresIn: '1h' });
 *   const decoded = jwt.verify(token, secret, { algorithms: ['HS256'] });
 *
 * Signs {"userId": 123} with an HMAC secret and a one-hour expiry, verifies
 * the token (allowing HS256 only), prints userId, then tampers with the
 * signature and shows that verification fails.
 *
 * Build:  cc -std=c99 -I include hello_jwt.c -L target/release -ljwtkit
 * Exits 0 when everything behaves as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"

/* At least 32 random bytes for HS256; load it from your secret store. */
static const char SECRET[] = "change-me: at least 32 bytes of real randomness!";

/* Prints what went wrong and frees the error. */
static void print_error(const char *what, jwtkit_status status, jwtkit_error *err)
{
    fprintf(stderr, "%s failed: %s: %s\n", what, jwtkit_status_str(status),
            err != NULL ? jwtkit_error_message(err) : "(no details)");
    jwtkit_error_free(err);
}

/* C has no JSON parser: find "userId": and read the number after it with
 * strstr/strtol. Good enough for a demo of claims we produced ourselves; use a
 * real JSON library (cJSON, jansson, ...) for anything else. */
static int claim_long(const char *json, const char *name, long *out)
{
    char pattern[64];
    const char *p;
    char *end;

    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    p = strstr(json, pattern);
    if (p == NULL)
        return 0;
    *out = strtol(p + strlen(pattern), &end, 10);
    return end != p + strlen(pattern);
}

int main(void)
{
    const jwtkit_key *key = NULL;
    jwtkit_validation *validation = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status status;
    const jwtkit_alg allowed[] = {JWTKIT_ALG_HS256};
    char claims[128];
    char *token = NULL, *verified = NULL, *tampered = NULL;
    size_t token_len = 0, verified_len = 0;
    long now = (long)time(NULL), user_id = 0;
    int ok = 0;

    printf("%s\n", jwtkit_version());

    /* 1. A key from the secret (copied: SECRET could be wiped right after). */
    status = jwtkit_key_from_secret((const uint8_t *)SECRET, strlen(SECRET), 0, &key, &err);
    if (status != JWTKIT_OK) {
        print_error("jwtkit_key_from_secret", status, err);
        goto out;
    }

    /* 2. Sign. jwtkit encodes the claims exactly as given. */
    snprintf(claims, sizeof claims, "{\"userId\":123,\"iat\":%ld,\"exp\":%ld}", now, now + 3600);
    status = jwtkit_sign(key, JWTKIT_ALG_HS256, (const uint8_t *)claims, strlen(claims), NULL, 0,
                         &token, &token_len, &err);
    if (status != JWTKIT_OK) {
        print_error("jwtkit_sign", status, err);
        goto out;
    }
    printf("token:    %s\n", token);

    /* 3. Verify: signature, algorithm allow-list, exp/nbf. */
    status = jwtkit_validation_new(allowed, 1, &validation, &err);
    if (status != JWTKIT_OK) {
        print_error("jwtkit_validation_new", status, err);
        goto out;
    }
    status = jwtkit_verify((const uint8_t *)token, token_len, key, validation, NULL, NULL,
                           &verified, &verified_len, &err);
    if (status != JWTKIT_OK) {
        print_error("jwtkit_verify", status, err);
        goto out;
    }
    if (!claim_long(verified, "userId", &user_id) || user_id != 123) {
        fprintf(stderr, "unexpected claims: %s\n", verified);
        goto out;
    }
    printf("verified: userId = %ld\n", user_id);

    /* 4. Tamper: change one character in the middle of the signature. */
    tampered = malloc(token_len + 1);
    if (tampered == NULL)
        goto out;
    memcpy(tampered, token, token_len + 1);
    {
        char *sig = strrchr(tampered, '.') + 1;
        char *c = sig + strlen(sig) / 2;
        *c = *c == 'A' ? 'B' : 'A';
    }
    status = jwtkit_verify((const uint8_t *)tampered, token_len, key, validation, NULL, NULL, NULL,
                           NULL, &err);
    if (status == JWTKIT_OK) {
        fprintf(stderr, "a tampered token verified!\n");
        goto out;
    }
    printf("tampered: rejected with %s: %s\n", jwtkit_status_str(status),
           jwtkit_error_message(err));
    jwtkit_error_free(err);
    err = NULL;
    ok = status == JWTKIT_ERR_SIGNATURE_INVALID;

out:
    free(tampered);
    jwtkit_string_free(verified); /* library strings: jwtkit_string_free, never free() */
    jwtkit_string_free(token);
    jwtkit_validation_free(validation);
    jwtkit_key_free(key);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
