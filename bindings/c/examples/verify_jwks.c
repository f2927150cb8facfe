/* verify_jwks.c: verify a JWT with the keys an identity provider publishes (a
 * JWK Set, the document at its `jwks_uri`), picking the key by the token's kid.
 *
 *   verify_jwks jwks.json TOKEN      verify TOKEN with the keys in jwks.json
 *   verify_jwks jwks.json < token    the token read from stdin
 *   verify_jwks                      a self-contained demo: generate a key, publish
 *                                    it as a JWKS, sign a token, verify it
 *
 * Accepts the asymmetric algorithms only (RS*, PS*, ES*, EdDSA): a published key
 * set holds public keys. Keys of the set that jwtkit cannot use are listed on
 * stderr. Prints the header and claims of a valid token and exits 0; otherwise
 * prints the reason and exits 1 (2 for usage and I/O errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"

static const jwtkit_alg ALLOWED[] = {
    JWTKIT_ALG_RS256, JWTKIT_ALG_RS384, JWTKIT_ALG_RS512, JWTKIT_ALG_PS256, JWTKIT_ALG_PS384,
    JWTKIT_ALG_PS512, JWTKIT_ALG_ES256, JWTKIT_ALG_ES384, JWTKIT_ALG_ES512, JWTKIT_ALG_EDDSA,
};

/* Reads a whole stream into a malloc'd, NUL-terminated buffer. */
static char *read_all(FILE *f, size_t *out_len)
{
    size_t len = 0, cap = 4096, n;
    char *buf = malloc(cap), *bigger;

    if (buf == NULL)
        return NULL;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    *out_len = len;
    return buf;
}

static char *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    if (f == NULL) {
        perror(path);
        return NULL;
    }
    buf = read_all(f, out_len);
    if (buf == NULL)
        fprintf(stderr, "%s: read error\n", path);
    fclose(f);
    return buf;
}

/* Drops trailing whitespace (a token pasted or piped with a newline). */
static size_t trim(const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    return len;
}

/* Tells which keys of the set were left out, and why. */
static void list_skipped(const jwtkit_keyset *set)
{
    size_t i, n = jwtkit_keyset_skipped_count(set);
    for (i = 0; i < n; i++) {
        char *why = NULL;
        jwtkit_status status = JWTKIT_OK;
        if (jwtkit_keyset_skipped(set, i, &status, &why, NULL, NULL) == JWTKIT_OK) {
            fprintf(stderr, "skipped %s: %s\n", jwtkit_status_str(status), why);
            jwtkit_string_free(why);
        }
    }
}

/* Verifies `token` with the JWKS document `jwks`; 0 valid, 1 invalid. */
static int verify(const char *jwks, size_t jwks_len, const char *token, size_t token_len)
{
    const jwtkit_keyset *set = NULL;
    jwtkit_validation *validation = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status status;
    char *header = NULL, *claims = NULL;
    int rc = 1;

    status = jwtkit_keyset_from_jwks((const uint8_t *)jwks, jwks_len, &set, &err);
    if (status != JWTKIT_OK)
        goto fail;
    list_skipped(set);
    status = jwtkit_validation_new(ALLOWED, sizeof ALLOWED / sizeof ALLOWED[0], &validation, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_verify_with_keyset((const uint8_t *)token, token_len, set, validation, &header, NULL,
                                       &claims, NULL, &err);
    if (status != JWTKIT_OK)
        goto fail;

    printf("valid token (keys usable in the set: %zu)\nheader: %s\nclaims: %s\n", jwtkit_keyset_len(set),
           header, claims);
    rc = 0;
    goto out;

fail:
    printf("invalid: %s: %s\n", jwtkit_status_str(status),
           err != NULL ? jwtkit_error_message(err) : "(no details)");
out:
    jwtkit_error_free(err);
    jwtkit_string_free(header);
    jwtkit_string_free(claims);
    jwtkit_validation_free(validation);
    jwtkit_keyset_free(set);
    return rc;
}

/* The issuer's side, then the verifier's: generate a key named by its RFC 7638
 * thumbprint, publish its public half as a JWKS, sign a token, verify it. */
static int demo(void)
{
    const jwtkit_key *generated = NULL, *key = NULL;
    const jwtkit_keyset *issuer_keys = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status status;
    char *kid = NULL, *jwks = NULL, *token = NULL;
    size_t kid_len = 0, jwks_len = 0;
    char claims[128];
    int rc = 1;

    status = jwtkit_key_generate(JWTKIT_ALG_ES256, &generated, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_key_thumbprint(generated, &kid, &kid_len, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_key_with_kid(generated, (const uint8_t *)kid, kid_len, &key, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_keyset_from_keys(&key, 1, &issuer_keys, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_keyset_to_public_jwks(issuer_keys, &jwks, &jwks_len, &err);
    if (status != JWTKIT_OK)
        goto fail;
    printf("published JWKS: %s\n", jwks);

    snprintf(claims, sizeof claims, "{\"sub\":\"alice\",\"exp\":%lld}", (long long)time(NULL) + 3600);
    /* The key's kid goes into the token header. */
    status = jwtkit_sign(key, JWTKIT_ALG_ES256, (const uint8_t *)claims, strlen(claims), NULL, 0, &token,
                         NULL, &err);
    if (status != JWTKIT_OK)
        goto fail;
    printf("token: %s\n", token);

    rc = verify(jwks, jwks_len, token, strlen(token));
    goto out;

fail:
    printf("demo failed: %s: %s\n", jwtkit_status_str(status),
           err != NULL ? jwtkit_error_message(err) : "(no details)");
out:
    jwtkit_error_free(err);
    jwtkit_string_free(token);
    jwtkit_string_free(jwks);
    jwtkit_string_free(kid);
    jwtkit_keyset_free(issuer_keys);
    jwtkit_key_free(key);
    jwtkit_key_free(generated);
    return rc;
}

int main(int argc, char **argv)
{
    char *jwks = NULL, *token_buf = NULL;
    const char *token;
    size_t jwks_len = 0, token_len = 0;
    int rc = 2;

    if (argc == 1)
        return demo();
    if (argc > 3 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: %s [jwks.json [token]]\n", argv[0]);
        return 2;
    }
    jwks = read_file(argv[1], &jwks_len);
    if (jwks == NULL)
        goto out;
    if (argc == 3) {
        token = argv[2];
        token_len = strlen(token);
    } else {
        token = token_buf = read_all(stdin, &token_len);
        if (token_buf == NULL) {
            fprintf(stderr, "stdin: read error\n");
            goto out;
        }
    }
    rc = verify(jwks, jwks_len, token, trim(token, token_len));
out:
    free(jwks);
    free(token_buf);
    return rc;
}
