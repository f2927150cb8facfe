/* revocation.c: logging out before a token expires, with a deny-list (C99 + POSIX threads).
 *
 * A signed token stays valid until its exp: nothing in the token can be taken back.
 * The usual answer is a deny-list of token ids: every token gets a random `jti`, a
 * logout puts that jti on the list, and the API's validation policy asks the list on
 * every request through a revocation callback. jwtkit calls the callback only after
 * every other check passed (signature, issuer, audience, exp, ...), so the list is
 * consulted for genuine, current tokens only; a listed jti fails with
 * JWTKIT_ERR_REVOKED.
 *
 * The callback may be called from several threads at once (one policy serves every
 * request thread), and a logout may add to the list meanwhile: the list is guarded by
 * a mutex. A real deny-list lives where all servers see it (Redis, a database table),
 * and an entry can be dropped once its token's exp has passed.
 *
 * Build:  cc -std=c99 -pthread -I include revocation.c -L target/release -ljwtkit
 * Runs a scripted session (login, request, logout, request again, ...) and exits 0
 * when every step behaves as expected.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"

static const char SECRET[] = "revocation.c demo secret, at least 32 bytes";
static const char ISSUER[] = "https://login.example";
static const char AUDIENCE[] = "https://api.example";

#define S(literal) (const uint8_t *)(literal), strlen(literal)

/* ------------------------------------------------------------------------ */
/* The deny-list                                                            */
/* ------------------------------------------------------------------------ */

#define DENY_MAX 16
#define JTI_MAX 64

struct deny_list {
    pthread_mutex_t lock;
    size_t count;
    char jti[DENY_MAX][JTI_MAX + 1];
    unsigned long lookups; /* how often jwtkit asked */
    int lock_ready;
};

/* Adds a jti (len bytes; no NUL inside) and returns the new number of entries, or 0
 * when the list is full or the jti too long: the logout must then fail loudly, never
 * pretend to have worked. */
static size_t deny_list_add(struct deny_list *list, const char *jti, size_t len)
{
    size_t count = 0;
    if (len > JTI_MAX || memchr(jti, '\0', len) != NULL)
        return 0;
    pthread_mutex_lock(&list->lock);
    if (list->count < DENY_MAX) {
        memcpy(list->jti[list->count], jti, len);
        list->jti[list->count][len] = '\0';
        count = ++list->count;
    }
    pthread_mutex_unlock(&list->lock);
    return count;
}

/* The revocation callback jwtkit calls: non-zero means revoked. `jti` is exactly
 * jti_len bytes (NUL-terminated too, but compare with the length: a jti may hold a NUL
 * and must not match a listed prefix of itself). It is NULL for a token without a
 * jti; the policy below requires one, so that never reaches here. */
static int32_t is_revoked(void *ctx, const char *jti, size_t jti_len, const char *claims_json,
                          size_t claims_len)
{
    struct deny_list *list = ctx;
    size_t i;
    int32_t revoked = 0;
    (void)claims_json; /* the whole claims, if a decision needs more than the jti */
    (void)claims_len;
    if (jti == NULL)
        return 0;
    pthread_mutex_lock(&list->lock);
    list->lookups++;
    for (i = 0; i < list->count && !revoked; i++)
        revoked = strlen(list->jti[i]) == jti_len && memcmp(list->jti[i], jti, jti_len) == 0;
    pthread_mutex_unlock(&list->lock);
    return revoked;
}

/* ------------------------------------------------------------------------ */
/* The service: login issues, requests verify, logout revokes               */
/* ------------------------------------------------------------------------ */

struct service {
    const jwtkit_key *key;
    jwtkit_sign_options *issuing; /* how login issues tokens */
    jwtkit_validation *policy;    /* what requests must carry */
    struct deny_list revoked;
};

static int ok_or_report(jwtkit_status status, jwtkit_error *err, const char *what)
{
    if (status == JWTKIT_OK)
        return 1;
    fprintf(stderr, "%s: %s: %s\n", what, jwtkit_status_str(status), jwtkit_error_message(err));
    jwtkit_error_free(err);
    return 0;
}

static int service_init(struct service *s)
{
    const jwtkit_alg allowed[] = {JWTKIT_ALG_HS256};
    jwtkit_error *err = NULL;
    memset(s, 0, sizeof *s);
    if (pthread_mutex_init(&s->revoked.lock, NULL) != 0)
        return 0;
    s->revoked.lock_ready = 1;
    return ok_or_report(jwtkit_key_from_secret(S(SECRET), 0, &s->key, &err), err, "key") &&
           /* login: 15-minute tokens, each with a random 128-bit jti */
           ok_or_report(jwtkit_sign_options_new(&s->issuing, &err), err, "sign options") &&
           ok_or_report(jwtkit_sign_options_set_lifetime(s->issuing, 900, &err), err, "lifetime") &&
           ok_or_report(jwtkit_sign_options_set_issuer(s->issuing, S(ISSUER), &err), err, "issuer") &&
           ok_or_report(jwtkit_sign_options_add_audience(s->issuing, S(AUDIENCE), &err), err, "aud") &&
           ok_or_report(jwtkit_sign_options_set_random_jti(s->issuing, true, &err), err, "jti") &&
           /* requests: the usual checks, a jti, and the deny-list */
           ok_or_report(jwtkit_validation_new(allowed, 1, &s->policy, &err), err, "policy") &&
           ok_or_report(jwtkit_validation_add_issuer(s->policy, S(ISSUER), &err), err, "issuer") &&
           ok_or_report(jwtkit_validation_add_audience(s->policy, S(AUDIENCE), &err), err, "aud") &&
           ok_or_report(jwtkit_validation_require_claim(s->policy, S("exp"), &err), err, "exp") &&
           ok_or_report(jwtkit_validation_require_claim(s->policy, S("jti"), &err), err, "jti") &&
           ok_or_report(jwtkit_validation_set_revocation_check(s->policy, is_revoked, &s->revoked, &err),
                        err, "revocation check");
}

static void service_free(struct service *s)
{
    /* the policy first: it borrows the deny-list as its callback context */
    jwtkit_validation_free(s->policy);
    jwtkit_sign_options_free(s->issuing);
    jwtkit_key_free(s->key);
    if (s->revoked.lock_ready)
        pthread_mutex_destroy(&s->revoked.lock);
}

/* Login: a token for `user` (free with jwtkit_string_free), or NULL. */
static char *login(const struct service *s, const char *user)
{
    char claims[128];
    char *token = NULL;
    jwtkit_error *err = NULL;
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\"}", user);
    if (!ok_or_report(jwtkit_sign_with_options(s->key, JWTKIT_ALG_HS256, S(claims), s->issuing,
                                               &token, NULL, &err),
                      err, "login"))
        return NULL;
    return token;
}

/* Verifies a token under the policy; on success *claims receives its claims. */
static jwtkit_status check(const struct service *s, const char *token, char **claims)
{
    jwtkit_error *err = NULL;
    jwtkit_status status =
        jwtkit_verify(S(token), s->key, s->policy, NULL, NULL, claims, NULL, &err);
    if (status != JWTKIT_OK) {
        printf("  -> %s: %s\n", jwtkit_status_str(status), jwtkit_error_message(err));
        jwtkit_error_free(err);
    }
    return status;
}

/* The string value of the top-level member `name` in claims jwtkit verified, without
 * escapes (this service's own jti values are base64url). Anything else is refused
 * rather than guessed: for a deny-list, a jti stored in a different spelling than
 * the one jwtkit hands the callback would never match. Use a JSON library for more. */
static int claim_plain_string(const char *json, const char *name, const char **value, size_t *len)
{
    size_t name_len = strlen(name);
    int depth = 0;
    for (; *json != '\0'; json++) {
        if (*json == '{' || *json == '[') {
            depth++;
        } else if (*json == '}' || *json == ']') {
            depth--;
        } else if (*json == '"') {
            const char *start = ++json;
            while (*json != '"')
                json += *json == '\\' ? 2 : 1;
            const char *after = json + 1, *v, *end;
            while (*after == ' ' || *after == '\t' || *after == '\r' || *after == '\n')
                after++;
            if (depth == 1 && *after == ':' && (size_t)(json - start) == name_len &&
                memcmp(start, name, name_len) == 0) {
                v = after + 1;
                while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
                    v++;
                if (*v != '"')
                    return 0;
                end = strchr(v + 1, '"');
                if (end == NULL || memchr(v + 1, '\\', (size_t)(end - v - 1)) != NULL)
                    return 0;
                *value = v + 1;
                *len = (size_t)(end - v - 1);
                return 1;
            }
        }
    }
    return 0;
}

/* Logout: only a token that is valid right now may log itself out; its jti goes on
 * the deny-list. Returns JWTKIT_OK, or why the logout was refused. */
static jwtkit_status logout(struct service *s, const char *token)
{
    char *claims = NULL;
    const char *jti;
    size_t jti_len, entries = 0;
    jwtkit_status status = check(s, token, &claims);
    if (status != JWTKIT_OK)
        return status;
    if (claim_plain_string(claims, "jti", &jti, &jti_len))
        entries = deny_list_add(&s->revoked, jti, jti_len);
    if (entries == 0) {
        printf("  -> logout failed: cannot deny-list this token\n");
        status = JWTKIT_ERR_INVALID_ARGUMENT;
    } else {
        printf("  -> jti %.*s is on the deny-list (%zu entries)\n", (int)jti_len, jti, entries);
    }
    jwtkit_string_free(claims);
    return status;
}

/* A request: 200 with the claims, or the reason. */
static jwtkit_status request(const struct service *s, const char *token)
{
    char *claims = NULL;
    jwtkit_status status = check(s, token, &claims);
    if (status == JWTKIT_OK)
        printf("  -> 200 %s\n", claims);
    jwtkit_string_free(claims);
    return status;
}

int main(void)
{
    struct service s;
    char *alice = NULL, *bob = NULL, *alice2 = NULL, *no_jti = NULL;
    int failures = 0;

    if (!service_init(&s)) {
        service_free(&s);
        return 2;
    }
    alice = login(&s, "alice");
    bob = login(&s, "bob");
    {
        /* a token from an older issuer that did not set jti */
        jwtkit_error *err = NULL;
        const char *claims = "{\"sub\":\"carol\",\"iss\":\"https://login.example\","
                             "\"aud\":\"https://api.example\",\"exp\":4102444800}";
        ok_or_report(jwtkit_sign(s.key, JWTKIT_ALG_HS256, S(claims), NULL, 0, &no_jti, NULL, &err),
                     err, "sign");
    }
    if (alice == NULL || bob == NULL || no_jti == NULL) {
        failures++;
        goto out;
    }

#define STEP(what, call, want)                                                                  \
    do {                                                                                        \
        jwtkit_status got_;                                                                     \
        printf("%s\n", what);                                                                   \
        got_ = (call);                                                                          \
        if (got_ != (want)) {                                                                   \
            printf("  UNEXPECTED: wanted %s\n", jwtkit_status_str(want));                      \
            failures++;                                                                         \
        }                                                                                       \
    } while (0)

    STEP("alice calls the API", request(&s, alice), JWTKIT_OK);
    STEP("bob calls the API", request(&s, bob), JWTKIT_OK);
    STEP("alice logs out", logout(&s, alice), JWTKIT_OK);
    STEP("alice's old token calls the API", request(&s, alice), JWTKIT_ERR_REVOKED);
    STEP("alice's old token tries to log out again", logout(&s, alice), JWTKIT_ERR_REVOKED);
    STEP("bob is still logged in", request(&s, bob), JWTKIT_OK);
    alice2 = login(&s, "alice");
    STEP("alice logs in again: a new token, a new jti", alice2 ? request(&s, alice2) : -1, JWTKIT_OK);
    STEP("a token without jti cannot be revoked, so it is refused", request(&s, no_jti),
         JWTKIT_ERR_CLAIM_MISSING);
#undef STEP
    /* every verification is over: no other thread touches the list now */
    printf("deny-list: %zu entries, consulted %lu times\n", s.revoked.count, s.revoked.lookups);
    /* consulted by the 7 verifications that passed every other check; not by the last */
    if (s.revoked.lookups != 7) {
        printf("UNEXPECTED: the deny-list should have been consulted 7 times\n");
        failures++;
    }

out:
    jwtkit_string_free(alice);
    jwtkit_string_free(alice2);
    jwtkit_string_free(bob);
    jwtkit_string_free(no_jti);
    service_free(&s);
    printf("%s\n", failures == 0 ? "every step behaved as expected" : "SOME STEPS FAILED");
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
