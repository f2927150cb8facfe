/* hello.c: a C program built against an installed jwtkit, the way its users build.
 *
 *   cc -std=c99 -o hello hello.c $(pkg-config --cflags --libs jwtkit)
 *   cc -std=c99 -o hello_static hello.c $(pkg-config --cflags jwtkit) \
 *       $(pkg-config --static --define-variable=jwtkit_lib=-l:libjwtkit.a --libs jwtkit)
 *
 * Signs a token with an HMAC secret, verifies it, checks that a wrong audience is
 * refused, and exits 0 when all of that behaved.
 */
#include <jwtkit.h>
#include <stdio.h>
#include <string.h>

#define IN(s) (const uint8_t *)(s), strlen(s)

int main(void)
{
    static const char secret[] = "a secret of at least 32 bytes for HS256!";
    const jwtkit_alg allowed[] = {JWTKIT_ALG_HS256};
    const jwtkit_key *key = NULL;
    jwtkit_sign_options *opts = NULL;
    jwtkit_validation *good = NULL, *wrong_aud = NULL;
    jwtkit_error *err = NULL;
    char *token = NULL, *claims = NULL;
    jwtkit_status st;
    int rc = 1;

    if (jwtkit_abi_version() != JWTKIT_ABI_VERSION) {
        fprintf(stderr, "header ABI %d, library ABI %u\n", JWTKIT_ABI_VERSION,
                (unsigned)jwtkit_abi_version());
        return 1;
    }
    if ((st = jwtkit_key_from_secret(IN(secret), 0, &key, &err)) ||
        (st = jwtkit_sign_options_new(&opts, &err)) ||
        (st = jwtkit_sign_options_set_issuer(opts, IN("https://issuer.example"), &err)) ||
        (st = jwtkit_sign_options_add_audience(opts, IN("api"), &err)) ||
        (st = jwtkit_sign_options_set_lifetime(opts, 300, &err)) ||
        (st = jwtkit_sign_with_options(key, JWTKIT_ALG_HS256, IN("{\"sub\":\"alice\"}"), opts,
                                       &token, NULL, &err)) ||
        (st = jwtkit_validation_new(allowed, 1, &good, &err)) ||
        (st = jwtkit_validation_add_issuer(good, IN("https://issuer.example"), &err)) ||
        (st = jwtkit_validation_add_audience(good, IN("api"), &err)) ||
        (st = jwtkit_verify(IN(token), key, good, NULL, NULL, &claims, NULL, &err)) ||
        (st = jwtkit_validation_new(allowed, 1, &wrong_aud, &err)) ||
        (st = jwtkit_validation_add_audience(wrong_aud, IN("billing"), &err))) {
        fprintf(stderr, "%s: %s\n", jwtkit_status_str(st), jwtkit_error_message(err));
        goto out;
    }
    st = jwtkit_verify(IN(token), key, wrong_aud, NULL, NULL, NULL, NULL, NULL);
    if (st != JWTKIT_ERR_AUDIENCE_MISMATCH) {
        fprintf(stderr, "wrong audience gave %s\n", jwtkit_status_str(st));
        goto out;
    }
    printf("%s: %s\nclaims: %s\n", jwtkit_version(), token, claims);
    rc = 0;
out:
    jwtkit_string_free(claims);
    jwtkit_string_free(token);
    jwtkit_validation_free(wrong_aud);
    jwtkit_validation_free(good);
    jwtkit_sign_options_free(opts);
    jwtkit_key_free(key);
    jwtkit_error_free(err);
    return rc;
}
