/*
 * The library's own time for what the nginx module asks of it per request: verify one
 * token with jwtkit_verify_with_keyset against the key set of a JWK Set file, under a
 * policy like the module's (the algorithms the keys serve, "aud" not checked), without
 * asking for the header and claims (the module decodes them only when a variable reads
 * them). Prints nanoseconds per verification: the median of several batches.
 *
 *   verify_loop JWKS_FILE TOKEN_FILE ITERATIONS ALG...
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */

#include <jwtkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCHES 9

static char *
slurp(const char *path, size_t *len)
{
    FILE  *f;
    char  *buf;
    long   n;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        perror(path);
        exit(1);
    }
    rewind(f);
    buf = malloc((size_t) n + 1);
    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        n--;
    }
    buf[n] = '\0';
    *len = (size_t) n;
    return buf;
}

static double
now_ns(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    int                   i, b, n_algs;
    long                  iterations;
    char                 *jwks, *token;
    size_t                jwks_len, token_len;
    double                t0, per[BATCHES];
    jwtkit_alg            algs[16];
    jwtkit_error         *err = NULL;
    jwtkit_status         st;
    jwtkit_validation    *policy = NULL;
    const jwtkit_keyset  *set = NULL;

    if (argc < 5) {
        fprintf(stderr, "usage: %s JWKS_FILE TOKEN_FILE ITERATIONS ALG...\n", argv[0]);
        return 2;
    }

    jwks = slurp(argv[1], &jwks_len);
    token = slurp(argv[2], &token_len);
    iterations = atol(argv[3]);

    n_algs = 0;
    for (i = 4; i < argc && n_algs < 16; i++) {
        if (jwtkit_alg_from_name((const uint8_t *) argv[i], strlen(argv[i]), &algs[n_algs++], &err)
            != JWTKIT_OK)
        {
            goto failed;
        }
    }

    if (jwtkit_keyset_from_jwks((const uint8_t *) jwks, jwks_len, &set, &err) != JWTKIT_OK
        || jwtkit_validation_new(algs, (size_t) n_algs, &policy, &err) != JWTKIT_OK
        || jwtkit_validation_disable_checks(policy, JWTKIT_CHECK_AUD, &err) != JWTKIT_OK)
    {
        goto failed;
    }

    for (b = -1; b < BATCHES; b++) {            /* batch -1 warms up */
        t0 = now_ns();
        for (i = 0; i < iterations; i++) {
            st = jwtkit_verify_with_keyset((const uint8_t *) token, token_len, set, policy,
                                           NULL, NULL, NULL, NULL, &err);
            if (st != JWTKIT_OK) {
                goto failed;
            }
        }
        if (b >= 0) {
            per[b] = (now_ns() - t0) / (double) iterations;
        }
    }

    qsort(per, BATCHES, sizeof(double), cmp);
    printf("%.1f\n", per[BATCHES / 2]);

    jwtkit_validation_free(policy);
    jwtkit_keyset_free(set);
    free(jwks);
    free(token);
    return 0;

failed:

    fprintf(stderr, "verify_loop: %s: %s\n", jwtkit_status_str(jwtkit_error_status(err)),
            jwtkit_error_message(err));
    jwtkit_error_free(err);
    return 1;
}
