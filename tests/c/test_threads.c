/* tests/c/test_threads.c: one key, one validation policy and one set of sign options,
 * shared by 4 threads that sign and verify concurrently (C99 + POSIX threads).
 *
 * This is how a server uses jwtkit: the key and the policy are built once at start-up,
 * then every request thread verifies with them at the same time. Each thread runs
 * 2000 iterations; in each it issues a token with the shared sign options (random
 * jti), verifies it, and verifies one of four pre-made bad tokens (expired, tampered,
 * wrong audience, revoked), checking every status. The policy's revocation callback
 * is hit from all threads at once; its deny-list is read under a mutex, and its call
 * count must match exactly. Run under valgrind or ASan by tests/c_api.rs (which links
 * with -pthread).
 *
 * Prints "N passed, N failed"; exits non-zero when anything failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwtkit.h"
#include "check.h"

#define THREADS 4
#define ITERATIONS 2000

static const char SECRET[] = "test_threads.c secret: at least 32 bytes";
static const char ISSUER[] = "https://login.example";
static const char AUDIENCE[] = "api";
static const char REVOKED_JTI[] = "logged-out-session";

/* Shared, read-only once the threads start. */
static const jwtkit_key *g_key;
static jwtkit_validation *g_policy;
static jwtkit_sign_options *g_options;

enum { BAD_EXPIRED, BAD_TAMPERED, BAD_AUDIENCE, BAD_REVOKED, BAD_COUNT };
static char *g_bad[BAD_COUNT];
static size_t g_bad_len[BAD_COUNT];
static const jwtkit_status BAD_STATUS[BAD_COUNT] = {
    JWTKIT_ERR_EXPIRED, JWTKIT_ERR_SIGNATURE_INVALID, JWTKIT_ERR_AUDIENCE_MISMATCH,
    JWTKIT_ERR_REVOKED};

/* The revocation callback's state: called from every thread at once. */
static pthread_mutex_t g_deny_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_deny_calls;
static long g_deny_bad_args;

static int32_t is_revoked(void *ctx, const char *jti, size_t jti_len, const char *claims,
                          size_t claims_len)
{
    int revoked;
    (void)ctx;
    pthread_mutex_lock(&g_deny_lock);
    g_deny_calls++;
    if (jti == NULL || jti[jti_len] != '\0' || claims == NULL || claims[claims_len] != '\0')
        g_deny_bad_args++;
    revoked = jti != NULL && jti_len == strlen(REVOKED_JTI) && memcmp(jti, REVOKED_JTI, jti_len) == 0;
    pthread_mutex_unlock(&g_deny_lock);
    return revoked;
}

struct worker {
    pthread_t thread;
    int id;
    long passed, failed;
    long callbacks; /* verifications expected to reach the callback */
    char first_failure[256];
};

static void note(struct worker *w, int ok, const char *what, int i, jwtkit_status s,
                 const jwtkit_error *err)
{
    if (ok) {
        w->passed++;
        return;
    }
    if (w->failed++ == 0)
        snprintf(w->first_failure, sizeof w->first_failure, "thread %d iteration %d: %s: %s (%s)",
                 w->id, i, what, jwtkit_status_str(s), err != NULL ? jwtkit_error_message(err) : "-");
}

static void *work(void *arg)
{
    struct worker *w = arg;
    int i;
    for (i = 0; i < ITERATIONS; i++) {
        char claims[96], expect_sub[48];
        char *token = NULL, *verified = NULL;
        size_t token_len = 0, verified_len = 0;
        jwtkit_error *err = NULL;
        jwtkit_status s;
        int b = i % BAD_COUNT;

        /* issue */
        snprintf(claims, sizeof claims, "{\"sub\":\"thread-%d\",\"n\":%d}", w->id, i);
        s = jwtkit_sign_with_options(g_key, JWTKIT_ALG_HS256, u8(claims), strlen(claims), g_options,
                                     &token, &token_len, &err);
        note(w, s == JWTKIT_OK && token != NULL && token_len == strlen(token), "sign", i, s, err);
        jwtkit_error_free(err);
        err = NULL;
        if (s != JWTKIT_OK)
            continue;

        /* verify what was just issued: the claims are this thread's, this iteration's */
        s = jwtkit_verify(u8(token), token_len, g_key, g_policy, NULL, NULL, &verified,
                          &verified_len, &err);
        snprintf(expect_sub, sizeof expect_sub, "{\"sub\":\"thread-%d\",\"n\":%d,", w->id, i);
        note(w, s == JWTKIT_OK && verified != NULL &&
                    strncmp(verified, expect_sub, strlen(expect_sub)) == 0 &&
                    strstr(verified, "\"jti\":\"") != NULL,
             "verify own token", i, s, err);
        if (s == JWTKIT_OK)
            w->callbacks++;
        jwtkit_error_free(err);
        err = NULL;
        jwtkit_string_free(verified);
        jwtkit_string_free(token);

        /* and one of the bad ones, with its specific status and nothing written */
        verified = NULL;
        s = jwtkit_verify(u8(g_bad[b]), g_bad_len[b], g_key, g_policy, NULL, NULL, &verified,
                          &verified_len, &err);
        note(w, s == BAD_STATUS[b] && err != NULL && jwtkit_error_status(err) == s && verified == NULL,
             "verify bad token", i, s, err);
        if (b == BAD_REVOKED)
            w->callbacks++;
        jwtkit_error_free(err);
        jwtkit_string_free(verified);
    }
    return NULL;
}

static int check(jwtkit_status s, jwtkit_error *err, const char *what)
{
    if (s == JWTKIT_OK)
        return 1;
    fprintf(stderr, "setup: %s: %s: %s\n", what, jwtkit_status_str(s), jwtkit_error_message(err));
    jwtkit_error_free(err);
    return 0;
}

/* Signs one of the bad tokens into g_bad[which]. */
static int make_bad(int which, const char *claims, int64_t now, const char *audience)
{
    jwtkit_sign_options *o = NULL;
    jwtkit_error *err = NULL;
    int ok = check(jwtkit_sign_options_new(&o, &err), err, "sign_options_new") &&
             check(jwtkit_sign_options_set_now(o, now, &err), err, "set_now") &&
             check(jwtkit_sign_options_set_lifetime(o, 300, &err), err, "set_lifetime") &&
             check(jwtkit_sign_options_set_issuer(o, u8(ISSUER), strlen(ISSUER), &err), err, "issuer") &&
             check(jwtkit_sign_options_add_audience(o, u8(audience), strlen(audience), &err), err, "aud") &&
             check(jwtkit_sign_with_options(g_key, JWTKIT_ALG_HS256, u8(claims), strlen(claims), o,
                                            &g_bad[which], &g_bad_len[which], &err),
                   err, "sign bad token");
    jwtkit_sign_options_free(o);
    return ok;
}

int main(void)
{
    const jwtkit_alg algs[] = {JWTKIT_ALG_HS256};
    struct worker workers[THREADS];
    jwtkit_error *err = NULL;
    int64_t now = (int64_t)time(NULL);
    long callbacks = 0;
    int i, started = 0, ok;

    /* start-up: everything shared is built once, before any thread runs */
    ok = check(jwtkit_key_from_secret(u8(SECRET), strlen(SECRET), 0, &g_key, &err), err, "key") &&
         check(jwtkit_validation_new(algs, 1, &g_policy, &err), err, "validation_new") &&
         check(jwtkit_validation_add_issuer(g_policy, u8(ISSUER), strlen(ISSUER), &err), err, "issuer") &&
         check(jwtkit_validation_add_audience(g_policy, u8(AUDIENCE), strlen(AUDIENCE), &err), err, "aud") &&
         check(jwtkit_validation_set_leeway(g_policy, 5, &err), err, "leeway") &&
         check(jwtkit_validation_set_typ(g_policy, u8("JWT"), 3, &err), err, "typ") &&
         check(jwtkit_validation_require_claim(g_policy, u8("jti"), 3, &err), err, "require jti") &&
         check(jwtkit_validation_set_revocation_check(g_policy, is_revoked, NULL, &err), err, "revocation") &&
         check(jwtkit_sign_options_new(&g_options, &err), err, "sign_options_new") &&
         check(jwtkit_sign_options_set_lifetime(g_options, 300, &err), err, "lifetime") &&
         check(jwtkit_sign_options_set_issuer(g_options, u8(ISSUER), strlen(ISSUER), &err), err, "issuer") &&
         check(jwtkit_sign_options_add_audience(g_options, u8(AUDIENCE), strlen(AUDIENCE), &err), err, "aud") &&
         check(jwtkit_sign_options_set_random_jti(g_options, true, &err), err, "random jti") &&
         make_bad(BAD_EXPIRED, "{\"jti\":\"e\"}", now - 3600, AUDIENCE) &&
         make_bad(BAD_TAMPERED, "{\"jti\":\"t\"}", now, AUDIENCE) &&
         make_bad(BAD_AUDIENCE, "{\"jti\":\"a\"}", now, "web") &&
         make_bad(BAD_REVOKED, "{\"jti\":\"logged-out-session\"}", now, AUDIENCE);
    if (ok) {
        /* flip one character in the middle of the signature */
        char *c = strrchr(g_bad[BAD_TAMPERED], '.') + 10;
        *c = *c == 'A' ? 'B' : 'A';
    }

    for (i = 0; ok && i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].id = i;
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            report(0, __LINE__, "pthread_create failed");
            break;
        }
        started++;
    }
    /* the workers count for themselves, unlocked, and are added up here */
    for (i = 0; i < started; i++) {
        if (pthread_join(workers[i].thread, NULL) != 0)
            report(0, __LINE__, "pthread_join failed");
        g_passed += (int)workers[i].passed;
        g_failed += (int)workers[i].failed;
        callbacks += workers[i].callbacks;
        if (workers[i].failed)
            fprintf(stderr, "FAIL %ld times, first: %s\n", workers[i].failed, workers[i].first_failure);
    }
    if (ok && started == THREADS) {
        /* every verification that passed the other checks reached the callback, once */
        report(g_deny_calls == callbacks && g_deny_bad_args == 0 &&
                   callbacks == (long)THREADS * (ITERATIONS + ITERATIONS / BAD_COUNT),
               __LINE__, "revocation callback: %ld calls (%ld with bad arguments), expected %ld", g_deny_calls,
               g_deny_bad_args, callbacks);
    } else
        report(0, __LINE__, "setup failed, or not every thread started");

    for (i = 0; i < BAD_COUNT; i++)
        jwtkit_string_free(g_bad[i]);
    jwtkit_sign_options_free(g_options);
    jwtkit_validation_free(g_policy);
    jwtkit_key_free(g_key);
    printf("%d threads x %d iterations\n", THREADS, ITERATIONS);
    return check_summary();
}
