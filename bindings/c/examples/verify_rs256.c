/* verify_rs256.c: verify an RS256 token with an RSA public key in PEM.
 *
 *   verify_rs256                       the embedded demo key and token
 *   verify_rs256 public.pem TOKEN      your key (SPKI "PUBLIC KEY", PKCS#1
 *                                      "RSA PUBLIC KEY" or a "CERTIFICATE")
 *   verify_rs256 public.pem < token    the token read from stdin
 *
 * Prints the header and claims of a valid token and exits 0; otherwise prints
 * the reason and exits 1 (2 for usage and I/O errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"

/* The public half of a demo key pair; the private half was thrown away after
 * signing DEMO_TOKEN ({"sub":"alice","iss":"https://issuer.example",
 * "exp":4102444800}, i.e. valid until 2100). */
static const char DEMO_PUBLIC_KEY[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsyt5h5MLT+pzGEWyZSSg\n"
    "RrKl243sexqPbhVvZ5NcjyhTL69TwJqbcBAaoXISZ265saf9LxEaocSTBLOvPdYn\n"
    "Zv4yzOqBH3HSPJCXLqzCAfPyFYzPmnDRgRGy3OC6S0HraELIjFjKRY40qzDRVIti\n"
    "Sb94Axqw7nGOiRImnOQO3blmyAkqqQc6PIJ2n6+iYimOHpWWXGkyx5id+J5wUDI6\n"
    "7DP2zW54tGTKley8eqkkdPtztgEamKWy5XTXdDFE6g4Q2q2FsARuLQI1aWVvBQKe\n"
    "xLyBYb2UbyqrCusXJSKY9rTxPcg8FJNqT+/hpWd0I12+dibx71uFp87a92ykYSZe\n"
    "WwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static const char DEMO_TOKEN[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vaXNzdWVyLmV4YW1wbGUiLCJleHAiOjQxMDI0NDQ4MDB9"
    ".nebQKQWsIq7yqdmxJXngA5YZKFH6RVGcUCyqNFsxKrBIXV1DJRSl0uSEYRZusS_fNB3lljDIan77V_5Un5JhDzqp"
    "YRWgmy7HCBt1gInLJBfN80qGrF3DuCFK0W6Wcy5xzH6fUQtGo3WmHhhaVOpFo-jn0kkmn1uGZLafdNYD6AoscyZRVQ"
    "VROkEUBsVK3BLcbLs_wgG7qbas-R_jKMwXbnYZ_segsJwuDONkrFRx-Mn2iAItpSGuaMAyanp0wavA8eRnAHQP9lGX"
    "7-HJ3OSH1xeMCOqY3EJe0yKVDYfIl1kg1PiwnqhYBEZqaFyWqbXeLENUQtDJPH-RSFJuQLrwLg";

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

int main(int argc, char **argv)
{
    const char *pem = DEMO_PUBLIC_KEY, *token = DEMO_TOKEN;
    char *pem_buf = NULL, *token_buf = NULL;
    size_t pem_len = strlen(DEMO_PUBLIC_KEY), token_len = strlen(DEMO_TOKEN);
    const jwtkit_alg rs256 = JWTKIT_ALG_RS256;
    const jwtkit_key *key = NULL;
    jwtkit_validation *validation = NULL;
    jwtkit_error *err = NULL;
    jwtkit_status status;
    char *header = NULL, *claims = NULL;
    size_t header_len = 0, claims_len = 0;
    int rc = 2;

    if (argc > 3 || (argc > 1 && strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: %s [public-key.pem [token]]\n", argv[0]);
        return 2;
    }
    if (argc >= 2) {
        pem = pem_buf = read_file(argv[1], &pem_len);
        if (pem_buf == NULL)
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
    }
    token_len = trim(token, token_len);

    rc = 1;
    status = jwtkit_key_from_pem((const uint8_t *)pem, pem_len, &key, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_validation_new(&rs256, 1, &validation, &err);
    if (status != JWTKIT_OK)
        goto fail;
    status = jwtkit_verify((const uint8_t *)token, token_len, key, validation, &header,
                           &header_len, &claims, &claims_len, &err);
    if (status != JWTKIT_OK)
        goto fail;

    printf("valid RS256 token\nheader: %s\nclaims: %s\n", header, claims);
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
    jwtkit_key_free(key);
    free(pem_buf);
    free(token_buf);
    return rc;
}
