/* tests/c/test_claims.c: the claims validation policy and the sign options, from C (C99).
 *
 * A table of (header, claims, policy, expected status) rows, verified with the clock
 * fixed at NOW by jwtkit_validation_set_now; then the revocation callback with an
 * in-memory deny-list, and the sign options. Every failure must carry its SPECIFIC
 * status, both as the return value and in the jwtkit_error; every success frees what
 * it got, so the valgrind / LeakSanitizer runs of tests/c_api.rs report no leaks.
 *
 * Built and run by tests/c_api.rs; prints "N passed, N failed" and exits non-zero
 * when anything failed. JWTKIT_TEST_VERBOSE=1 prints every rejection message.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"
#include "check.h"

/* 2023-11-14T22:13:20Z. The literals in the table are NOW + or - a few seconds. */
#define NOW INT64_C(1700000000)

static const char SECRET[] = "test_claims.c secret: at least 32 bytes";

/* A string literal as a (ptr, len) argument pair. */
#define STR(s) u8(s), strlen(s)

/* ------------------------------------------------------------------------ */
/* Policies the rows use. Each starts from an HS256 policy fixed at NOW.   */
/* ------------------------------------------------------------------------ */

static void s_none(jwtkit_validation *v) { (void)v; }
static void s_leeway30(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_leeway(v, 30, ERR));
}
static void s_max_age300(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_max_age(v, 300, ERR));
}
static void s_now_max(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_now(v, INT64_MAX, ERR));
}
static void s_aud_api(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_add_audience(v, u8("api"), 3, ERR));
}
static void s_aud_api_web(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_add_audience(v, u8("api"), 3, ERR));
    EXPECT_OK(jwtkit_validation_add_audience(v, u8("web"), 3, ERR));
}
static void s_aud_strict(jwtkit_validation *v)
{
    s_aud_api(v);
    EXPECT_OK(jwtkit_validation_set_strict_audience(v, true, ERR));
}
static void s_aud_off(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_disable_checks(v, JWTKIT_CHECK_AUD, ERR));
}
static const char ISSUER[] = "https://issuer.example";
static void s_iss(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8(ISSUER), strlen(ISSUER), ERR));
}
static void s_iss_two(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8("https://a.example"), 17, ERR));
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8("https://b.example"), 17, ERR));
}
static void s_iss_off(jwtkit_validation *v)
{
    s_iss(v);
    EXPECT_OK(jwtkit_validation_disable_checks(v, JWTKIT_CHECK_ISS, ERR));
}
static void s_sub(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_subject(v, u8("user-42"), 7, ERR));
}
static void s_require_jti_scope(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_require_claim(v, u8("jti"), 3, ERR));
    EXPECT_OK(jwtkit_validation_require_claim(v, u8("scope"), 5, ERR));
}
static void s_typ_jwt(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_typ(v, u8("JWT"), 3, ERR));
}
static void s_typ_at(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_set_typ(v, u8("at+jwt"), 6, ERR));
}
static void s_off_exp(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_disable_checks(v, JWTKIT_CHECK_EXP, ERR));
}
static void s_off_nbf_iat(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_disable_checks(v, JWTKIT_CHECK_NBF | JWTKIT_CHECK_IAT, ERR));
}
static void s_off_all(jwtkit_validation *v)
{
    EXPECT_OK(jwtkit_validation_disable_checks(v, 63, ERR));
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */
/* ------------------------------------------------------------------------ */

struct row {
    const char *name;
    const char *header; /* NULL: jwtkit_sign (typ "JWT"); else jwtkit_jws_sign with it */
    const char *claims;
    void (*setup)(jwtkit_validation *);
    jwtkit_status want;
};

#define OK JWTKIT_OK
static const struct row ROWS[] = {
    /* exp: rejected when now >= exp + leeway */
    {"exp == now", NULL, "{\"exp\":1700000000}", s_none, JWTKIT_ERR_EXPIRED},
    {"exp == now + 1", NULL, "{\"exp\":1700000001}", s_none, OK},
    {"exp == now - leeway", NULL, "{\"exp\":1699999970}", s_leeway30, JWTKIT_ERR_EXPIRED},
    {"exp == now - leeway + 1", NULL, "{\"exp\":1699999971}", s_leeway30, OK},
    /* nbf: rejected when now < nbf - leeway */
    {"nbf == now", NULL, "{\"nbf\":1700000000}", s_none, OK},
    {"nbf == now + 1", NULL, "{\"nbf\":1700000001}", s_none, JWTKIT_ERR_NOT_YET_VALID},
    {"nbf == now + leeway", NULL, "{\"nbf\":1700000030}", s_leeway30, OK},
    {"nbf == now + leeway + 1", NULL, "{\"nbf\":1700000031}", s_leeway30, JWTKIT_ERR_NOT_YET_VALID},
    /* iat in the future beyond the leeway; maximum age */
    {"iat == now + 1", NULL, "{\"iat\":1700000001}", s_none, JWTKIT_ERR_ISSUED_IN_FUTURE},
    {"iat == now + leeway", NULL, "{\"iat\":1700000030}", s_leeway30, OK},
    {"iat == now + leeway + 1", NULL, "{\"iat\":1700000031}", s_leeway30, JWTKIT_ERR_ISSUED_IN_FUTURE},
    {"iat == now - max age", NULL, "{\"iat\":1699999700}", s_max_age300, OK},
    {"iat == now - max age - 1", NULL, "{\"iat\":1699999699}", s_max_age300, JWTKIT_ERR_TOO_OLD},
    {"max age, no iat", NULL, "{}", s_max_age300, JWTKIT_ERR_CLAIM_MISSING},
    /* fractional NumericDates */
    {"exp == now + 0.5", NULL, "{\"exp\":1700000000.5}", s_none, OK},
    {"exp == now - 0.5", NULL, "{\"exp\":1699999999.5}", s_none, JWTKIT_ERR_EXPIRED},
    {"nbf == now + 0.5", NULL, "{\"nbf\":1700000000.5}", s_none, JWTKIT_ERR_NOT_YET_VALID},
    {"iat == now + 0.5", NULL, "{\"iat\":1700000000.5}", s_none, JWTKIT_ERR_ISSUED_IN_FUTURE},
    /* beyond 64 bits: no wrapping */
    {"exp == 2^63", NULL, "{\"exp\":9223372036854775808}", s_none, OK},
    {"exp == 2^64+1", NULL, "{\"exp\":18446744073709551617}", s_none, OK},
    {"exp == 1e300", NULL, "{\"exp\":1e300}", s_none, OK},
    {"exp == -(2^64+1)", NULL, "{\"exp\":-18446744073709551617}", s_none, JWTKIT_ERR_EXPIRED},
    {"nbf == 2^63", NULL, "{\"nbf\":9223372036854775808}", s_none, JWTKIT_ERR_NOT_YET_VALID},
    {"nbf == 2^64+1", NULL, "{\"nbf\":18446744073709551617}", s_none, JWTKIT_ERR_NOT_YET_VALID},
    {"iat == 2^64+1", NULL, "{\"iat\":18446744073709551617}", s_none, JWTKIT_ERR_ISSUED_IN_FUTURE},
    {"now INT64_MAX, exp 1e300", NULL, "{\"exp\":1e300}", s_now_max, OK},
    {"now INT64_MAX, exp 0", NULL, "{\"exp\":0}", s_now_max, JWTKIT_ERR_EXPIRED},
    /* 1e400 is not a double: the JSON layer refuses it (see tests/claims.rs) */
    {"exp == 1e400", "{\"typ\":\"JWT\"}", "{\"exp\":1e400}", s_none, JWTKIT_ERR_JSON},
    /* wrong types: an error, never "absent" */
    {"exp string", NULL, "{\"exp\":\"1700000001\"}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"exp bool", NULL, "{\"exp\":true}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"exp null", NULL, "{\"exp\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"exp array", NULL, "{\"exp\":[1700000001]}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"exp object", NULL, "{\"exp\":{}}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"nbf string", NULL, "{\"nbf\":\"0\"}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"nbf bool", NULL, "{\"nbf\":false}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"nbf null", NULL, "{\"nbf\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"nbf array", NULL, "{\"nbf\":[]}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"nbf object", NULL, "{\"nbf\":{\"a\":1}}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iat string", NULL, "{\"iat\":\"now\"}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iat bool", NULL, "{\"iat\":true}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iat null", NULL, "{\"iat\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iat array", NULL, "{\"iat\":[0]}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iat object", NULL, "{\"iat\":{}}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iss number", NULL, "{\"iss\":1}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"iss array", NULL, "{\"iss\":[\"https://issuer.example\"]}", s_iss, JWTKIT_ERR_CLAIM_INVALID},
    {"iss null", NULL, "{\"iss\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"sub number", NULL, "{\"sub\":42}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"sub array", NULL, "{\"sub\":[]}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"sub null", NULL, "{\"sub\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"jti number", NULL, "{\"jti\":7}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"jti array", NULL, "{\"jti\":[\"a\"]}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"jti null", NULL, "{\"jti\":null}", s_none, JWTKIT_ERR_CLAIM_INVALID},
    {"aud number", NULL, "{\"aud\":1}", s_aud_api, JWTKIT_ERR_CLAIM_INVALID},
    {"aud object", NULL, "{\"aud\":{\"api\":true}}", s_aud_api, JWTKIT_ERR_CLAIM_INVALID},
    {"aud array with a number", NULL, "{\"aud\":[\"api\",1]}", s_aud_api, JWTKIT_ERR_CLAIM_INVALID},
    {"types checked with all checks off", NULL, "{\"exp\":\"x\"}", s_off_all, JWTKIT_ERR_CLAIM_INVALID},
    /* audience: string vs array vs missing vs none configured (PyJWT) */
    {"aud string", NULL, "{\"aud\":\"api\"}", s_aud_api, OK},
    {"aud array", NULL, "{\"aud\":[\"web\",\"api\"]}", s_aud_api, OK},
    {"aud other", NULL, "{\"aud\":\"web\"}", s_aud_api, JWTKIT_ERR_AUDIENCE_MISMATCH},
    {"aud array without it", NULL, "{\"aud\":[\"web\"]}", s_aud_api, JWTKIT_ERR_AUDIENCE_MISMATCH},
    {"aud missing", NULL, "{}", s_aud_api, JWTKIT_ERR_CLAIM_MISSING},
    {"aud case", NULL, "{\"aud\":\"API\"}", s_aud_api, JWTKIT_ERR_AUDIENCE_MISMATCH},
    {"two expected, second", NULL, "{\"aud\":\"web\"}", s_aud_api_web, OK},
    {"none expected, aud present", NULL, "{\"aud\":\"api\"}", s_none, JWTKIT_ERR_AUDIENCE_MISMATCH},
    {"none expected, aud check off", NULL, "{\"aud\":\"api\"}", s_aud_off, OK},
    {"none expected, none present", NULL, "{}", s_none, OK},
    {"strict, string", NULL, "{\"aud\":\"api\"}", s_aud_strict, OK},
    {"strict, array", NULL, "{\"aud\":[\"api\"]}", s_aud_strict, JWTKIT_ERR_CLAIM_INVALID},
    /* issuer: exact match only */
    {"iss exact", NULL, "{\"iss\":\"https://issuer.example\"}", s_iss, OK},
    {"iss longer", NULL, "{\"iss\":\"https://issuer.example.evil.com\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss prefix", NULL, "{\"iss\":\"https://issuer.exampl\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss substring", NULL, "{\"iss\":\"issuer.example\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss suffix added", NULL, "{\"iss\":\"https://issuer.example/\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss prefix added", NULL, "{\"iss\":\"evil.https://issuer.example\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss case", NULL, "{\"iss\":\"https://ISSUER.example\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss with NUL", NULL, "{\"iss\":\"https://issuer.example\\u0000\"}", s_iss, JWTKIT_ERR_ISSUER_MISMATCH},
    {"iss missing", NULL, "{}", s_iss, JWTKIT_ERR_CLAIM_MISSING},
    {"iss check off", NULL, "{\"iss\":\"https://evil.example\"}", s_iss_off, OK},
    {"two issuers, first", NULL, "{\"iss\":\"https://a.example\"}", s_iss_two, OK},
    {"two issuers, second", NULL, "{\"iss\":\"https://b.example\"}", s_iss_two, OK},
    {"two issuers, other", NULL, "{\"iss\":\"https://c.example\"}", s_iss_two, JWTKIT_ERR_ISSUER_MISMATCH},
    /* subject, required claims */
    {"sub equal", NULL, "{\"sub\":\"user-42\"}", s_sub, OK},
    {"sub different", NULL, "{\"sub\":\"user-420\"}", s_sub, JWTKIT_ERR_SUBJECT_MISMATCH},
    {"sub missing", NULL, "{}", s_sub, JWTKIT_ERR_CLAIM_MISSING},
    {"required present", NULL, "{\"jti\":\"a\",\"scope\":\"read\"}", s_require_jti_scope, OK},
    {"required missing", NULL, "{\"jti\":\"a\"}", s_require_jti_scope, JWTKIT_ERR_CLAIM_MISSING},
    /* typ: case-insensitive, optional application/ prefix */
    {"typ JWT / JWT", "{\"typ\":\"JWT\"}", "{}", s_typ_jwt, OK},
    {"typ JWT / jwt", "{\"typ\":\"jwt\"}", "{}", s_typ_jwt, OK},
    {"typ JWT / application/JWT", "{\"typ\":\"application/JWT\"}", "{}", s_typ_jwt, OK},
    {"typ JWT / at+jwt", "{\"typ\":\"at+jwt\"}", "{}", s_typ_jwt, JWTKIT_ERR_TYP_MISMATCH},
    {"typ JWT / JWS", "{\"typ\":\"JWS\"}", "{}", s_typ_jwt, JWTKIT_ERR_TYP_MISMATCH},
    {"typ JWT / missing", "{}", "{}", s_typ_jwt, JWTKIT_ERR_TYP_MISMATCH},
    {"typ at+jwt / at+jwt", "{\"typ\":\"at+jwt\"}", "{}", s_typ_at, OK},
    {"typ at+jwt / application/at+jwt", "{\"typ\":\"application/at+jwt\"}", "{}", s_typ_at, OK},
    {"typ at+jwt / JWT", "{\"typ\":\"JWT\"}", "{}", s_typ_at, JWTKIT_ERR_TYP_MISMATCH},
    {"typ at+jwt / missing", "{}", "{}", s_typ_at, JWTKIT_ERR_TYP_MISMATCH},
    /* disable_checks */
    {"exp off, expired", NULL, "{\"exp\":1}", s_off_exp, OK},
    {"exp off, not yet valid", NULL, "{\"nbf\":1700000001}", s_off_exp, JWTKIT_ERR_NOT_YET_VALID},
    {"nbf|iat off", NULL, "{\"nbf\":1700000001,\"iat\":1700000001}", s_off_nbf_iat, OK},
    {"nbf|iat off, expired", NULL, "{\"exp\":1}", s_off_nbf_iat, JWTKIT_ERR_EXPIRED},
};

static const jwtkit_key *g_key;

/* Signs `claims`: header NULL uses jwtkit_sign, otherwise jwtkit_jws_sign with it. */
static char *mint(const char *header, const char *claims, size_t *len)
{
    char *token = NULL;
    jwtkit_status s;
    ERR_ = NULL;
    if (header == NULL)
        s = jwtkit_sign(g_key, JWTKIT_ALG_HS256, u8(claims), strlen(claims), NULL, 0, &token, len, ERR);
    else
        s = jwtkit_jws_sign(g_key, JWTKIT_ALG_HS256, u8(claims), strlen(claims), u8(header),
                            strlen(header), &token, len, ERR);
    expect_status(s, JWTKIT_OK, header == NULL ? "jwtkit_sign" : "jwtkit_jws_sign", __LINE__);
    return token;
}

static jwtkit_validation *new_policy(void)
{
    const jwtkit_alg algs[] = {JWTKIT_ALG_HS256};
    jwtkit_validation *v = NULL;
    EXPECT_OK(jwtkit_validation_new(algs, 1, &v, ERR));
    EXPECT_OK(jwtkit_validation_set_now(v, NOW, ERR));
    return v;
}

static void run_table(void)
{
    size_t i;
    for (i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const struct row *r = &ROWS[i];
        jwtkit_validation *v = new_policy();
        char *token, *header = NULL, *claims = NULL;
        size_t token_len = 0, header_len = 0, claims_len = 0;
        g_section = r->name;
        r->setup(v);
        token = mint(r->header, r->claims, &token_len);
        if (token != NULL &&
            EXPECT(r->want,
                   jwtkit_verify(u8(token), token_len, g_key, v, &header, &header_len, &claims,
                                 &claims_len, ERR))) {
            if (r->want == JWTKIT_OK) {
                /* the verified claims are the exact bytes signed, NUL-terminated */
                CHECK(claims != NULL && claims_len == strlen(r->claims) &&
                      memcmp(claims, r->claims, claims_len) == 0 && claims[claims_len] == '\0');
                CHECK(header != NULL && header_len > 0 && header[header_len] == '\0');
            } else {
                CHECK(header == NULL && claims == NULL); /* nothing written on failure */
            }
        }
        jwtkit_string_free(header);
        jwtkit_string_free(claims);
        jwtkit_string_free(token);
        jwtkit_validation_free(v);
    }
    g_section = "";
}

/* The claim a failure is about comes as data (jwtkit_error_claim), so that bindings
 * never parse messages: the registered claim of the wrong type, or the required claim
 * as configured; NULL for every other failure. */
static void check_claim(const char *claims, const char *required, jwtkit_status want,
                        const char *want_claim)
{
    jwtkit_validation *v = new_policy();
    jwtkit_error *err = NULL;
    size_t len = 0;
    char *token = mint(NULL, claims, &len);
    const char *claim;
    g_section = claims;
    if (required != NULL)
        EXPECT_OK(jwtkit_validation_require_claim(v, STR(required), ERR));
    err = NULL;
    CHECK(jwtkit_verify(u8(token), len, g_key, v, NULL, NULL, NULL, NULL, &err) == want);
    claim = jwtkit_error_claim(err);
    if (want_claim == NULL)
        CHECK(claim == NULL);
    else
        CHECK(claim != NULL && strcmp(claim, want_claim) == 0);
    jwtkit_error_free(err);
    jwtkit_string_free(token);
    jwtkit_validation_free(v);
    g_section = "";
}

static void test_error_claim(void)
{
    check_claim("{\"exp\":\"soon\"}", NULL, JWTKIT_ERR_CLAIM_INVALID, "exp");
    check_claim("{\"iat\":null}", NULL, JWTKIT_ERR_CLAIM_INVALID, "iat");
    check_claim("{\"aud\":[\"a\",1]}", NULL, JWTKIT_ERR_CLAIM_INVALID, "aud");
    check_claim("{\"jti\":7}", NULL, JWTKIT_ERR_CLAIM_INVALID, "jti");
    check_claim("{}", "tenant", JWTKIT_ERR_CLAIM_MISSING, "tenant");
    check_claim("{\"exp\":1}", NULL, JWTKIT_ERR_EXPIRED, NULL);
    CHECK(jwtkit_error_claim(NULL) == NULL);
}

/* ------------------------------------------------------------------------ */
/* Revocation: an in-memory deny-list behind the callback                   */
/* ------------------------------------------------------------------------ */

struct deny_list {
    const char *revoked[4];
    int calls;
    int null_jti_calls;
    int bad_args;
};

static int32_t is_revoked(void *ctx, const char *jti, size_t jti_len, const char *claims,
                          size_t claims_len)
{
    struct deny_list *list = ctx;
    size_t i;
    list->calls++;
    if (claims == NULL || claims[claims_len] != '\0' || claims[0] != '{')
        list->bad_args++;
    if (jti == NULL) {
        if (jti_len != 0)
            list->bad_args++;
        list->null_jti_calls++;
        return 0;
    }
    if (jti[jti_len] != '\0')
        list->bad_args++;
    for (i = 0; i < sizeof list->revoked / sizeof list->revoked[0]; i++)
        if (list->revoked[i] != NULL && strlen(list->revoked[i]) == jti_len &&
            memcmp(list->revoked[i], jti, jti_len) == 0)
            return 1;
    return 0;
}

static jwtkit_status verify_claims(const char *claims, const jwtkit_validation *v)
{
    size_t len = 0;
    char *token = mint(NULL, claims, &len);
    jwtkit_status s = jwtkit_verify(u8(token), len, g_key, v, NULL, NULL, NULL, NULL, NULL);
    jwtkit_string_free(token);
    return s;
}

static void test_revocation(void)
{
    struct deny_list list = {{"revoked-1", "revoked-2", NULL, NULL}, 0, 0, 0};
    jwtkit_validation *v = new_policy();
    int before;

    g_section = "revocation";
    s_iss(v);
    EXPECT_OK(jwtkit_validation_set_revocation_check(v, is_revoked, &list, ERR));

    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"fine\"}", v) == JWTKIT_OK);
    CHECK(list.calls == 1);
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-2\"}", v) ==
          JWTKIT_ERR_REVOKED);
    CHECK(list.calls == 2);
    /* "revoked-1" with a NUL after it is a different jti: the length is given */
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-1\\u0000x\"}", v) ==
          JWTKIT_OK);
    /* no jti: the callback gets NULL */
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\"}", v) == JWTKIT_OK);
    CHECK(list.null_jti_calls == 1);

    /* runs only after every other check passed */
    before = list.calls;
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-1\",\"exp\":1}", v) ==
          JWTKIT_ERR_EXPIRED);
    CHECK(verify_claims("{\"iss\":\"https://evil.example\",\"jti\":\"revoked-1\"}", v) ==
          JWTKIT_ERR_ISSUER_MISMATCH);
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-1\",\"nbf\":1800000000}",
                        v) == JWTKIT_ERR_NOT_YET_VALID);
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":1}", v) ==
          JWTKIT_ERR_CLAIM_INVALID);
    CHECK(list.calls == before);

    /* the rejection says why */
    {
        size_t len = 0;
        char *token = mint(NULL, "{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-1\"}", &len);
        if (EXPECT(JWTKIT_ERR_REVOKED, jwtkit_verify(u8(token), len, g_key, v, NULL, NULL, NULL, NULL, ERR)))
            CHECK(strcmp(jwtkit_status_str(JWTKIT_ERR_REVOKED), "JWTKIT_ERR_REVOKED") == 0);
        jwtkit_string_free(token);
    }

    /* NULL removes the callback */
    EXPECT_OK(jwtkit_validation_set_revocation_check(v, NULL, NULL, ERR));
    before = list.calls;
    CHECK(verify_claims("{\"iss\":\"https://issuer.example\",\"jti\":\"revoked-1\"}", v) == JWTKIT_OK);
    CHECK(list.calls == before);
    CHECK(list.bad_args == 0);
    jwtkit_validation_free(v);
    g_section = "";
}

/* ------------------------------------------------------------------------ */
/* Sign options                                                             */
/* ------------------------------------------------------------------------ */

/* Signs `claims` with `o`, decodes it back; returns the status and, on success, the
 * exact header and claims (caller frees with jwtkit_string_free). */
static jwtkit_status sign_and_decode(const char *claims, const jwtkit_sign_options *o,
                                     char **header, char **out_claims, size_t *claims_len)
{
    jwtkit_error *err = NULL;
    char *token = NULL;
    size_t len = 0;
    jwtkit_status s = jwtkit_sign_with_options(g_key, JWTKIT_ALG_HS256, u8(claims), strlen(claims),
                                               o, &token, &len, &err);
    if (s != JWTKIT_OK) {
        jwtkit_error_free(err);
        CHECK(token == NULL);
        return s;
    }
    EXPECT_OK(jwtkit_decode_unverified(u8(token), len, header, NULL, out_claims, claims_len, ERR));
    jwtkit_string_free(token);
    return s;
}

static jwtkit_sign_options *new_options(void)
{
    jwtkit_sign_options *o = NULL;
    EXPECT_OK(jwtkit_sign_options_new(&o, ERR));
    EXPECT_OK(jwtkit_sign_options_set_now(o, NOW, ERR));
    return o;
}

static int is_b64url(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* The 22 characters of "jti":"..." in `claims`, copied into out[23]. */
static int find_jti(const char *claims, char out[23])
{
    const char *p = strstr(claims, "\"jti\":\"");
    const char *end;
    if (p == NULL)
        return 0;
    p += 7;
    end = strchr(p, '"');
    if (end == NULL || end - p != 22)
        return 0;
    memcpy(out, p, 22);
    out[22] = '\0';
    return is_b64url(out, 22);
}

static void test_sign_options(void)
{
    jwtkit_sign_options *o = new_options();
    char *h = NULL, *c = NULL;
    size_t c_len = 0;
    char jti1[23], jti2[23];

    g_section = "sign options: defaults";
    if (sign_and_decode("{}", o, &h, &c, &c_len) == JWTKIT_OK) {
        CHECK(strcmp(c, "{\"iat\":1700000000}") == 0);
        CHECK(strcmp(h, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}") == 0);
    } else
        CHECK(!"sign with default options");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;

    g_section = "sign options: every claim";
    EXPECT_OK(jwtkit_sign_options_set_lifetime(o, 900, ERR));
    EXPECT_OK(jwtkit_sign_options_set_not_before(o, NOW - 5, ERR));
    EXPECT_OK(jwtkit_sign_options_set_issuer(o, u8(ISSUER), strlen(ISSUER), ERR));
    EXPECT_OK(jwtkit_sign_options_set_subject(o, u8("user-42"), 7, ERR));
    EXPECT_OK(jwtkit_sign_options_add_audience(o, u8("api"), 3, ERR));
    if (sign_and_decode("{\"scope\":\"read\"}", o, &h, &c, &c_len) == JWTKIT_OK)
        CHECK(strcmp(c, "{\"scope\":\"read\",\"iat\":1700000000,\"exp\":1700000900,\"nbf\":1699999995,"
                        "\"iss\":\"https://issuer.example\",\"sub\":\"user-42\",\"aud\":\"api\"}") == 0);
    else
        CHECK(!"sign with every claim");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;

    g_section = "sign options: several audiences";
    EXPECT_OK(jwtkit_sign_options_add_audience(o, u8("web"), 3, ERR));
    if (sign_and_decode("{}", o, &h, &c, &c_len) == JWTKIT_OK)
        CHECK(strstr(c, ",\"aud\":[\"api\",\"web\"]}") != NULL);
    else
        CHECK(!"sign with two audiences");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;

    g_section = "sign options: conflicts";
    CHECK(sign_and_decode("{\"iat\":1}", o, &h, &c, &c_len) == JWTKIT_ERR_INVALID_ARGUMENT);
    CHECK(sign_and_decode("{\"exp\":1}", o, &h, &c, &c_len) == JWTKIT_ERR_INVALID_ARGUMENT);
    CHECK(sign_and_decode("{\"iss\":\"x\"}", o, &h, &c, &c_len) == JWTKIT_ERR_INVALID_ARGUMENT);
    CHECK(sign_and_decode("{\"aud\":\"x\"}", o, &h, &c, &c_len) == JWTKIT_ERR_INVALID_ARGUMENT);
    CHECK(sign_and_decode("{\"iat\":1}", NULL, &h, &c, &c_len) == JWTKIT_ERR_INVALID_ARGUMENT);
    CHECK(h == NULL && c == NULL);
    jwtkit_sign_options_free(o);

    g_section = "sign options: random jti";
    o = new_options();
    EXPECT_OK(jwtkit_sign_options_set_random_jti(o, true, ERR));
    if (sign_and_decode("{}", o, &h, &c, &c_len) == JWTKIT_OK)
        CHECK(find_jti(c, jti1));
    else
        CHECK(!"sign with a random jti");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;
    if (sign_and_decode("{}", o, &h, &c, &c_len) == JWTKIT_OK)
        CHECK(find_jti(c, jti2) && strcmp(jti1, jti2) != 0);
    else
        CHECK(!"sign with a random jti");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;

    g_section = "sign options: header";
    EXPECT_OK(jwtkit_sign_options_set_header(o, u8("kid"), 3, u8("key-1"), 5, ERR));
    EXPECT_OK(jwtkit_sign_options_set_header(o, u8("typ"), 3, u8("at+jwt"), 6, ERR));
    EXPECT_OK(jwtkit_sign_options_set_header(o, u8("cty"), 3, u8("JWT"), 3, ERR));
    EXPECT_OK(jwtkit_sign_options_merge_header_json(o, STR("{\"x5t\":\"abc\",\"ext\":[1,2]}"), ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_sign_options_set_header(o, u8("alg"), 3, u8("none"), 4, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_sign_options_merge_header_json(o, STR("{\"alg\":\"HS256\"}"), ERR));
    EXPECT(JWTKIT_ERR_JSON, jwtkit_sign_options_merge_header_json(o, STR("{\"a\":1,\"a\":1}"), ERR));
    if (sign_and_decode("{}", o, &h, &c, &c_len) == JWTKIT_OK)
        /* member order is the library's business; each member must be there */
        CHECK(strstr(h, "\"kid\":\"key-1\"") && strstr(h, "\"typ\":\"at+jwt\"") &&
              strstr(h, "\"cty\":\"JWT\"") && strstr(h, "\"x5t\":\"abc\"") &&
              strstr(h, "\"ext\":[1,2]") && strstr(h, "\"alg\":\"HS256\""));
    else
        CHECK(!"sign with header members");
    jwtkit_string_free(h);
    jwtkit_string_free(c);
    h = c = NULL;
    jwtkit_sign_options_free(o);

    g_section = "sign options: caller's bytes kept";
    o = new_options();
    {
        /* big integers, a NUL escape, raw and escaped emoji, odd spacing */
        static const char in[] =
            "{ \"big\": 123456789012345678901234567890, \"s\": \"a\\u0000b \xF0\x9F\x98\x80 "
            "\\ud83d\\ude00\" }";
        static const char want[] =
            "{ \"big\": 123456789012345678901234567890, \"s\": \"a\\u0000b \xF0\x9F\x98\x80 "
            "\\ud83d\\ude00\" ,\"iat\":1700000000}";
        if (sign_and_decode(in, o, &h, &c, &c_len) == JWTKIT_OK)
            CHECK(c_len == strlen(want) && memcmp(c, want, c_len) == 0);
        else
            CHECK(!"sign the caller's bytes");
        jwtkit_string_free(h);
        jwtkit_string_free(c);
        h = c = NULL;
    }
    jwtkit_sign_options_free(o);

    g_section = "sign options: misuse";
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_set_issuer(NULL, u8("x"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_sign_options_new(NULL, ERR));
    jwtkit_sign_options_free(NULL);
    g_section = "";
}

static void test_misuse(void)
{
    jwtkit_validation *v = new_policy();
    g_section = "misuse";
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_now(NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_issuer(NULL, u8("x"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_add_issuer(v, NULL, 4, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_add_issuer(v, u8("\xff"), 1, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_disable_checks(v, 64, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_set_revocation_check(NULL, is_revoked, NULL, ERR));
    jwtkit_validation_free(v);
    jwtkit_validation_free(NULL);
    g_section = "";
}

/* jwtkit_member_text: claims by path, as hosts show them. */
static void member_is(const char *claims, const char *const *path, size_t n, const char *want, int line)
{
    jwtkit_error *err = NULL;
    char *text = (char *)"unset";
    size_t len = 0;
    jwtkit_status st = jwtkit_member_text(u8(claims), strlen(claims), path, n, &text, &len, &err);
    report(st == JWTKIT_OK, line, "jwtkit_member_text status %d", (int)st);
    if (st != JWTKIT_OK) {
        jwtkit_error_free(err);
        return;
    }
    if (want == NULL) {
        report(text == NULL, line, "member absent: NULL");
    } else {
        report(text != NULL && strcmp(text, want) == 0 && len == strlen(want), line, "member text \"%s\" == \"%s\"",
               text ? text : "(null)", want);
    }
    jwtkit_string_free(text);
}

static void test_member_text(void)
{
    static const char CLAIMS[] = "{\"sub\":\"alice\",\"n\":7,\"roles\":[\"a\",\"b\"],"
                                 "\"realm\":{\"roles\":[\"admin\"],\"o\":{\"k\":true}},\"z\":null}";
    const char *sub[] = {"sub"}, *n[] = {"n"}, *roles[] = {"roles"}, *nested[] = {"realm", "roles"},
               *object[] = {"realm", "o"}, *missing[] = {"realm", "nope"}, *through[] = {"sub", "x"}, *z[] = {"z"};
    g_section = "member_text";
    member_is(CLAIMS, sub, 1, "alice", __LINE__);
    member_is(CLAIMS, n, 1, "7", __LINE__);
    member_is(CLAIMS, roles, 1, "a,b", __LINE__);
    member_is(CLAIMS, nested, 2, "admin", __LINE__);
    member_is(CLAIMS, object, 2, "{\"k\":true}", __LINE__);
    member_is(CLAIMS, z, 1, "", __LINE__);
    member_is(CLAIMS, missing, 2, NULL, __LINE__);
    member_is(CLAIMS, through, 2, NULL, __LINE__);

    char *text = NULL;
    const char *null_name[] = {NULL}, *bad_utf8[] = {"\xff"};
    EXPECT(JWTKIT_ERR_JSON, jwtkit_member_text(u8("[1]"), 3, sub, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_JSON, jwtkit_member_text(u8("{\"a\":1,\"a\":2}"), 13, sub, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_member_text(NULL, 3, sub, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_member_text(u8(CLAIMS), strlen(CLAIMS), NULL, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_member_text(u8(CLAIMS), strlen(CLAIMS), null_name, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_member_text(u8(CLAIMS), strlen(CLAIMS), bad_utf8, 1, &text, NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_member_text(u8(CLAIMS), strlen(CLAIMS), sub, 1, NULL, NULL, ERR));
    CHECK(text == NULL);
    g_section = "";
}

/* jwtkit_validation_check_claims: claim checks on claims that were not verified. */
static void test_check_claims(void)
{
    jwtkit_validation *v = NULL;
    jwtkit_alg hs = JWTKIT_ALG_HS256;
    static const char good[] = "{\"iss\":\"https://issuer.example\",\"exp\":4102444800}";
    static const char expired[] = "{\"iss\":\"https://issuer.example\",\"exp\":1}";
    static const char other_iss[] = "{\"iss\":\"https://evil.example\"}";
    g_section = "check_claims";
    if (!EXPECT_OK(jwtkit_validation_new(&hs, 1, &v, ERR)))
        return;
    EXPECT_OK(jwtkit_validation_add_issuer(v, u8(ISSUER), strlen(ISSUER), ERR));
    EXPECT_OK(jwtkit_validation_check_claims(v, u8(good), strlen(good), NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_EXPIRED, jwtkit_validation_check_claims(v, u8(expired), strlen(expired), NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_ISSUER_MISMATCH,
           jwtkit_validation_check_claims(v, u8(other_iss), strlen(other_iss), NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_JSON, jwtkit_validation_check_claims(v, u8("[]"), 2, NULL, 0, ERR));
    EXPECT_OK(jwtkit_validation_set_typ(v, u8("at+jwt"), 6, ERR));
    EXPECT(JWTKIT_ERR_TYP_MISMATCH, jwtkit_validation_check_claims(v, u8(good), strlen(good), u8("JWT"), 3, ERR));
    EXPECT_OK(jwtkit_validation_check_claims(v, u8(good), strlen(good), u8("at+jwt"), 6, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_validation_check_claims(v, u8(good), strlen(good), u8("\xff"), 1, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_check_claims(NULL, u8(good), strlen(good), NULL, 0, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_validation_check_claims(v, NULL, 3, NULL, 0, ERR));
    jwtkit_validation_free(v);
    g_section = "";
}

int main(void)
{
    if (!EXPECT_OK(jwtkit_key_from_secret(u8(SECRET), strlen(SECRET), 0, &g_key, ERR)))
        return 1;
    run_table();
    test_error_claim();
    test_revocation();
    test_sign_options();
    test_misuse();
    test_member_text();
    test_check_claims();
    jwtkit_key_free(g_key);

    return check_summary();
}
