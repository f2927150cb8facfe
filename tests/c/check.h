/* tests/c/check.h: the pass/fail harness of the C tests (C99, header-only; C++ too).
 *
 *   CHECK(cond)               one check: cond holds.
 *   report(ok, line, fmt, ...) one check, with a printf-style message if it failed.
 *   EXPECT(want, call)        one check: `call`, which passes ERR as its out_err, returns
 *                             `want`; on success it set no error object, on failure one
 *                             that carries the same status and a message (8+ chars).
 *                             The error is freed. Evaluates to whether `call` returned
 *                             `want` (its outputs are then the caller's to free).
 *   EXPECT_OK(call)           EXPECT(JWTKIT_OK, call).
 *   EXPECT_AT(want, call, line) EXPECT for helpers that take their caller's line.
 *   expect_status(got, want, what, line) the same check for a status already in hand,
 *                             its error in ERR.
 *   ERR, ERR_                 the error slot (jwtkit_error **, and what it points to).
 *   g_section                 a label for the failures that follow ("" for none).
 *   g_claim                   the claim named by the last EXPECT's error ("" if none).
 *   check_summary()           prints "N passed, M failed"; returns the exit status.
 *   u8(s)                     a C string as const uint8_t *.
 *   pem(text)                 a key from PEM text under EXPECT_OK (NULL if it failed).
 *
 * Failures go to stderr as "FAIL [section] line N: ..."; JWTKIT_TEST_VERBOSE=1 prints
 * the message of every expected failure. The counters are single-threaded unless
 * CHECK_THREAD_SAFE is defined before the #include (then report locks a mutex); ERR
 * always is: use it from one thread only.
 */
#ifndef JWTKIT_TESTS_CHECK_H
#define JWTKIT_TESTS_CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"

#ifdef CHECK_THREAD_SAFE
#include <pthread.h>
static pthread_mutex_t g_check_lock = PTHREAD_MUTEX_INITIALIZER;
#define CHECK_LOCK_() pthread_mutex_lock(&g_check_lock)
#define CHECK_UNLOCK_() pthread_mutex_unlock(&g_check_lock)
#else
#define CHECK_LOCK_() ((void)0)
#define CHECK_UNLOCK_() ((void)0)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CHECK_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define CHECK_PRINTF_(f, a)
#endif

static int g_passed, g_failed;
static const char *g_section = "";
static char g_claim[64];
static jwtkit_error *ERR_;
#define ERR (&ERR_)

static inline const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

static inline void report(int ok, int line, const char *fmt, ...) CHECK_PRINTF_(3, 4);
static inline void report(int ok, int line, const char *fmt, ...)
{
    va_list ap;
    CHECK_LOCK_();
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        if (g_section[0] != '\0')
            fprintf(stderr, "FAIL [%s] line %d: ", g_section, line);
        else
            fprintf(stderr, "FAIL line %d: ", line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    CHECK_UNLOCK_();
}

#define CHECK(cond) report(!!(cond), __LINE__, "%s", #cond)

static inline int check_verbose(void)
{
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("JWTKIT_TEST_VERBOSE");
        verbose = v != NULL && strcmp(v, "1") == 0;
    }
    return verbose;
}

/* Reads ERR_ itself: an argument would be evaluated unsequenced with `got`'s call. */
static inline int expect_status(jwtkit_status got, jwtkit_status want, const char *what, int line)
{
    jwtkit_error *err = ERR_;
    const char *msg = err != NULL ? jwtkit_error_message(err) : NULL;
    ERR_ = NULL;
    g_claim[0] = '\0';
    if (err != NULL && jwtkit_error_claim(err) != NULL)
        snprintf(g_claim, sizeof g_claim, "%s", jwtkit_error_claim(err));
    if (got != want)
        report(0, line, "%s\n    want %s, got %s (%s)", what, jwtkit_status_str(want), jwtkit_status_str(got),
               msg != NULL ? msg : "no error object");
    else if (got == JWTKIT_OK && err != NULL)
        report(0, line, "%s\n    succeeded but set *out_err (%s)", what, msg);
    else if (got != JWTKIT_OK && err == NULL)
        report(0, line, "%s\n    returned %s but left *out_err NULL", what, jwtkit_status_str(got));
    else if (got != JWTKIT_OK && jwtkit_error_status(err) != got)
        report(0, line, "%s\n    returned %s but the error object says %s", what, jwtkit_status_str(got),
               jwtkit_status_str(jwtkit_error_status(err)));
    else if (got != JWTKIT_OK && (msg == NULL || strlen(msg) < 8))
        report(0, line, "%s\n    %s with a useless message \"%s\"", what, jwtkit_status_str(got),
               msg != NULL ? msg : "(null)");
    else
        report(1, line, "%s", "");
    if (got != JWTKIT_OK && msg != NULL && check_verbose()) {
        if (g_section[0] != '\0')
            printf("  [%s] %s: %s\n", g_section, jwtkit_status_str(got), msg);
        else
            printf("  %s: %s\n", jwtkit_status_str(got), msg);
    }
    jwtkit_error_free(err);
    return got == want;
}

/* Spelled out three times so that #call is the call as written, not macro-expanded. */
#define EXPECT(want, call) (ERR_ = NULL, expect_status((call), (want), #call, __LINE__))
#define EXPECT_OK(call) (ERR_ = NULL, expect_status((call), JWTKIT_OK, #call, __LINE__))
#define EXPECT_AT(want, call, line) (ERR_ = NULL, expect_status((call), (want), #call, (line)))

/* A key from PEM text, checked (NULL after a reported failure). */
static inline const jwtkit_key *pem(const char *text)
{
    const jwtkit_key *k = NULL;
    EXPECT_OK(jwtkit_key_from_pem(u8(text), strlen(text), &k, ERR));
    return k;
}

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

#endif
