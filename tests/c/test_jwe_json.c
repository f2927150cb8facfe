/* tests/c/test_jwe_json.c: JWE JSON serialization from C (C99): the JOSE Cookbook's
 * JSON examples (RFC 7520 §5.10-5.13, general and flattened) through
 * jwtkit_jwe_decrypt_json, round trips through jwtkit_jwe_encrypt_json with several
 * recipients, aad and unprotected headers, the result accessors, the attacks on the
 * JSON form (a member in two headers, zip unprotected, recipients outside the
 * allow-list, modified aad, too many recipients), NULL handling.
 *
 * Reads tests/vectors/jose-cookbook/jwe/ (run from the repository root, as
 * tests/c_api.rs does), extracting members with jwtkit_member_text. Prints
 * "N passed, N failed" and exits non-zero when anything failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_keys.h"

/* `text` with the first `from` replaced by `to` (owned; NULL when `from` is absent). */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    char *out;
    if (at == NULL)
        return NULL;
    out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The member at path a.b of a JSON text, as jwtkit_member_text gives it (owned). */
static char *member(const char *json, const char *a, const char *b)
{
    const char *path[2] = {a, b};
    char *out = NULL;
    EXPECT_OK(jwtkit_member_text(u8(json), strlen(json), path, b != NULL ? 2 : 1, &out, NULL, ERR));
    return out;
}

static const jwtkit_key *jwk(const char *json)
{
    const jwtkit_key *k = NULL;
    EXPECT_OK(jwtkit_key_from_jwk(u8(json), strlen(json), &k, ERR));
    return k;
}

/* Every alg and enc the library names, compression allowed. */
static jwtkit_jwe_policy *policy_all(void)
{
    jwtkit_jwe_alg algs[64];
    jwtkit_jwe_enc encs[64];
    size_t n_algs = 0, n_encs = 0;
    jwtkit_jwe_policy *p = NULL;
    while (n_algs < 64 && jwtkit_jwe_alg_name((jwtkit_jwe_alg)(n_algs + 1)) != NULL) {
        algs[n_algs] = (jwtkit_jwe_alg)(n_algs + 1);
        n_algs++;
    }
    while (n_encs < 64 && jwtkit_jwe_enc_name((jwtkit_jwe_enc)(n_encs + 1)) != NULL) {
        encs[n_encs] = (jwtkit_jwe_enc)(n_encs + 1);
        n_encs++;
    }
    EXPECT_OK(jwtkit_jwe_policy_new(algs, n_algs, encs, n_encs, &p, ERR));
    EXPECT_OK(jwtkit_jwe_policy_allow_zip(p, true, 0, ERR));
    return p;
}

static jwtkit_status decrypt(const char *token, const jwtkit_key *const *keys, size_t n,
                             const jwtkit_jwe_policy *p, jwtkit_jwe_json_result **out)
{
    return jwtkit_jwe_decrypt_json(u8(token), strlen(token), keys, n, p, out, ERR);
}

/* The result's plaintext equals `want`, and it came from recipient `index` by `alg`. */
static void check_result(const jwtkit_jwe_json_result *r, const char *want, size_t index, jwtkit_jwe_alg alg,
                         const char *kid, int line)
{
    char *text = NULL, *got_kid = NULL;
    size_t len = 0, got_index = 99, kid_len = 0;
    jwtkit_jwe_alg got_alg = 0;
    EXPECT_OK(jwtkit_jwe_json_result_plaintext(r, &text, &len, ERR));
    report(text != NULL && len == strlen(want) && memcmp(text, want, len) == 0, line, "plaintext");
    EXPECT_OK(jwtkit_jwe_json_result_recipient(r, &got_index, &got_alg, NULL, &got_kid, &kid_len, ERR));
    report(got_index == index && got_alg == alg, line, "recipient %zu alg %d", got_index, got_alg);
    report(kid == NULL ? got_kid == NULL : (got_kid != NULL && strcmp(got_kid, kid) == 0), line, "kid %s",
           got_kid != NULL ? got_kid : "(none)");
    jwtkit_string_free(text);
    jwtkit_string_free(got_kid);
}

#define DIR "tests/vectors/jose-cookbook/jwe/"

static void test_cookbook_single(void)
{
    static const char *const files[] = {
        DIR "5_10.including_additional_authentication_data.json",
        DIR "5_11.protecting_specific_header_fields.json",
        DIR "5_12.protecting_content_only.json",
    };
    static const char *const forms[] = {"json", "json_flat"};
    jwtkit_jwe_policy *p = policy_all();
    size_t f, i;
    for (f = 0; f < 3; f++) {
        char *file = read_file(files[f]);
        char *key_json, *plaintext, *aad;
        const jwtkit_key *key;
        if (file == NULL) {
            report(0, __LINE__, "cannot read %s", files[f]);
            continue;
        }
        key_json = member(file, "input", "key");
        plaintext = member(file, "input", "plaintext");
        aad = member(file, "input", "aad");
        key = jwk(key_json);
        for (i = 0; i < 2; i++) {
            char *token = member(file, "output", forms[i]);
            jwtkit_jwe_json_result *r = NULL;
            if (EXPECT_OK(decrypt(token, &key, 1, p, &r))) {
                char *got_aad = NULL, *header = NULL, *enc = NULL;
                size_t aad_len = 0;
                bool present = false;
                check_result(r, plaintext, 0, JWTKIT_JWE_ALG_A128KW, "81b20965-8332-43d9-a468-82160ad91ac8",
                             __LINE__);
                EXPECT_OK(jwtkit_jwe_json_result_aad(r, &got_aad, &aad_len, &present, ERR));
                CHECK(present == (aad != NULL));
                CHECK(aad == NULL ? aad_len == 0 : (aad_len == strlen(aad) && memcmp(got_aad, aad, aad_len) == 0));
                EXPECT_OK(jwtkit_jwe_json_result_header(r, &header, NULL, ERR));
                enc = member(header, "enc", NULL);
                CHECK(enc != NULL && strcmp(enc, "A128GCM") == 0);
                jwtkit_string_free(enc);
                jwtkit_string_free(header);
                jwtkit_string_free(got_aad);
            }
            jwtkit_jwe_json_result_free(r);
            jwtkit_string_free(token);
        }
        jwtkit_key_free(key);
        jwtkit_string_free(aad);
        jwtkit_string_free(plaintext);
        jwtkit_string_free(key_json);
        free(file);
    }
    jwtkit_jwe_policy_free(p);
}

/* RFC 7520 §5.13: RSA1_5 (refused by design, never tried), ECDH-ES+A256KW, A256GCMKW. */
static void test_cookbook_multiple(void)
{
    char *file = read_file(DIR "5_13.encrypting_to_multiple_recipients.json");
    char *keys_text, *token, *plaintext, *cut;
    const jwtkit_key *keys[3] = {NULL, NULL, NULL};
    jwtkit_jwe_policy *p = policy_all();
    jwtkit_jwe_json_result *r = NULL;
    jwtkit_jwe_alg gcmkw = 0;
    size_t i;
    if (file == NULL) {
        report(0, __LINE__, "cannot read 5_13");
        jwtkit_jwe_policy_free(p);
        return;
    }
    /* input.key is an array of three flat JWKs: member_text joins them with commas. */
    keys_text = member(file, "input", "key");
    token = member(file, "output", "json");
    plaintext = member(file, "input", "plaintext");
    cut = keys_text;
    for (i = 0; i < 3 && cut != NULL; i++) {
        char *next = strstr(cut, "},{");
        if (next != NULL)
            next[1] = '\0';
        keys[i] = jwk(cut);
        cut = next != NULL ? next + 2 : NULL;
    }
    if (EXPECT_OK(decrypt(token, keys, 3, p, &r))) {
        size_t key_index = 99;
        check_result(r, plaintext, 1, JWTKIT_JWE_ALG_ECDH_ES_A256KW, "peregrin.took@tuckborough.example", __LINE__);
        EXPECT_OK(jwtkit_jwe_json_result_recipient(r, NULL, NULL, &key_index, NULL, NULL, ERR));
        CHECK(key_index == 1);
    }
    jwtkit_jwe_json_result_free(r);
    r = NULL;
    /* The RSA key alone: its kid names only the RSA1_5 recipient, which is skipped. */
    EXPECT(JWTKIT_ERR_KEY_NOT_FOUND, decrypt(token, keys, 1, p, &r));
    /* The oct key: A256GCMKW once the library has it; until then that recipient is skipped. */
    if (jwtkit_jwe_alg_from_name(u8("A256GCMKW"), 9, &gcmkw, NULL) == JWTKIT_OK) {
        if (EXPECT_OK(decrypt(token, &keys[2], 1, p, &r)))
            check_result(r, plaintext, 2, gcmkw, "18ec08e1-bfa9-4d95-b205-2b4dd1d4321d", __LINE__);
        jwtkit_jwe_json_result_free(r);
        r = NULL;
    } else {
        EXPECT(JWTKIT_ERR_KEY_NOT_FOUND, decrypt(token, &keys[2], 1, p, &r));
    }
    CHECK(r == NULL);
    for (i = 0; i < 3; i++)
        jwtkit_key_free(keys[i]);
    jwtkit_string_free(plaintext);
    jwtkit_string_free(token);
    jwtkit_string_free(keys_text);
    jwtkit_jwe_policy_free(p);
    free(file);
}

static void test_round_trip(void)
{
    const jwtkit_key *kw = jwk("{\"kty\":\"oct\",\"kid\":\"kw\",\"k\":\"GZy6sIZ6wl9NJOKB-jnmVQ\"}");
    const jwtkit_key *rsa = pem(RSA_PKCS8_PRIVATE), *rsa_pub = pem(RSA_SPKI_PUBLIC);
    const jwtkit_key *ec = pem(P256_PKCS8_PRIVATE), *ec_pub = pem(P256_SPKI_PUBLIC);
    const jwtkit_key *all[3];
    const char *rh = "{\"kid\":\"the-rsa-one\"}";
    jwtkit_jwe_recipient rs[3];
    jwtkit_jwe_policy *p = policy_all();
    char *json = NULL;
    size_t json_len = 0, i;
    const char *aad = "metadata";
    rs[0].key = kw;
    rs[0].alg = JWTKIT_JWE_ALG_A128KW;
    rs[0].header_json = NULL;
    rs[0].header_len = 0;
    rs[1].key = rsa_pub;
    rs[1].alg = JWTKIT_JWE_ALG_RSA_OAEP_256;
    rs[1].header_json = u8(rh);
    rs[1].header_len = strlen(rh);
    rs[2].key = ec_pub;
    rs[2].alg = JWTKIT_JWE_ALG_ECDH_ES_A128KW;
    rs[2].header_json = NULL;
    rs[2].header_len = 0;
    all[0] = kw;
    all[1] = rsa;
    all[2] = ec;
    if (EXPECT_OK(jwtkit_jwe_encrypt_json(rs, 3, JWTKIT_JWE_ENC_A256GCM, u8("hello all"), 9,
                                          u8("{\"typ\":\"x\"}"), 11, u8("{\"cty\":\"text/plain\"}"), 20,
                                          u8(aad), strlen(aad), JWTKIT_JWE_ZIP, &json, &json_len, ERR))) {
        CHECK(json_len == strlen(json));
        for (i = 0; i < 3; i++) {
            jwtkit_jwe_json_result *r = NULL;
            static const jwtkit_jwe_alg algs[3] = {JWTKIT_JWE_ALG_A128KW, JWTKIT_JWE_ALG_RSA_OAEP_256,
                                                   JWTKIT_JWE_ALG_ECDH_ES_A128KW};
            static const char *const kids[3] = {"kw", "the-rsa-one", NULL};
            if (EXPECT_OK(decrypt(json, &all[i], 1, p, &r)))
                check_result(r, "hello all", i, algs[i], kids[i], __LINE__);
            jwtkit_jwe_json_result_free(r);
        }
    }
    jwtkit_string_free(json);
    json = NULL;
    /* One recipient: flattened, unless JWTKIT_JWE_GENERAL. */
    if (EXPECT_OK(jwtkit_jwe_encrypt_json(rs, 1, JWTKIT_JWE_ENC_A128GCM, u8("x"), 1, NULL, 0, NULL, 0, NULL, 0, 0,
                                          &json, NULL, ERR))) {
        CHECK(strstr(json, "\"recipients\"") == NULL && strstr(json, "\"aad\"") == NULL);
        jwtkit_string_free(json);
    }
    json = NULL;
    if (EXPECT_OK(jwtkit_jwe_encrypt_json(rs, 1, JWTKIT_JWE_ENC_A128GCM, u8("x"), 1, NULL, 0, NULL, 0, NULL, 0,
                                          JWTKIT_JWE_GENERAL, &json, NULL, ERR))) {
        CHECK(strstr(json, "\"recipients\"") != NULL);
        jwtkit_string_free(json);
    }
    /* Misuse: no recipient, NULL key, unknown flag, a member in two headers. */
    json = NULL;
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_encrypt_json(rs, 0, 1, u8("x"), 1, NULL, 0, NULL, 0, NULL, 0, 0,
                                                                &json, NULL, ERR));
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, jwtkit_jwe_encrypt_json(rs, 1, 1, u8("x"), 1, NULL, 0, NULL, 0, NULL, 0, 8,
                                                                &json, NULL, ERR));
    EXPECT(JWTKIT_ERR_HEADER_INVALID,
           jwtkit_jwe_encrypt_json(rs, 2, 1, u8("x"), 1, NULL, 0, u8("{\"kid\":\"z\"}"), 11, NULL, 0, 0, &json,
                                   NULL, ERR));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_encrypt_json(rs, 1, 1, u8("x"), 1, NULL, 0, NULL, 0, NULL, 3, 0,
                                                             &json, NULL, ERR));
    rs[0].key = NULL;
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_encrypt_json(rs, 1, 1, u8("x"), 1, NULL, 0, NULL, 0, NULL, 0, 0,
                                                             &json, NULL, ERR));
    CHECK(json == NULL);
    jwtkit_jwe_policy_free(p);
    jwtkit_key_free(kw);
    jwtkit_key_free(rsa);
    jwtkit_key_free(rsa_pub);
    jwtkit_key_free(ec);
    jwtkit_key_free(ec_pub);
}

static void test_attacks(void)
{
    const jwtkit_key *a = jwk("{\"kty\":\"oct\",\"k\":\"GZy6sIZ6wl9NJOKB-jnmVQ\"}");
    jwtkit_jwe_policy *p = policy_all();
    jwtkit_jwe_policy *only_kw = NULL;
    jwtkit_jwe_alg kw = JWTKIT_JWE_ALG_A128KW, oaep = JWTKIT_JWE_ALG_RSA_OAEP_256;
    jwtkit_jwe_enc gcm = JWTKIT_JWE_ENC_A128GCM;
    jwtkit_jwe_recipient r1 = {NULL, JWTKIT_JWE_ALG_A128KW, NULL, 0};
    jwtkit_jwe_json_result *r = NULL;
    char *json = NULL, *bad;
    size_t len, i;
    r1.key = a;
    EXPECT_OK(jwtkit_jwe_policy_new(&oaep, 1, &gcm, 1, &only_kw, ERR));
    if (!EXPECT_OK(jwtkit_jwe_encrypt_json(&r1, 1, gcm, u8("m"), 1, NULL, 0, u8("{\"x\":1}"), 7, u8("ctx"), 3,
                                           JWTKIT_JWE_GENERAL, &json, &len, ERR)))
        goto done;
    EXPECT_OK(decrypt(json, &a, 1, p, &r));
    jwtkit_jwe_json_result_free(r);
    r = NULL;
    /* A recipient whose alg is not allowed is never tried: ALG_NOT_ALLOWED. */
    EXPECT(JWTKIT_ERR_ALG_NOT_ALLOWED, decrypt(json, &a, 1, only_kw, &r));
    {
        /* aad changed ("ctx" -> "ctY"), a member in two headers (`x` also in the
         * recipient's header), zip unprotected, enc in a recipient's header. */
        static const char *const edits[4][3] = {
            {"\"aad\":\"Y3R4\"", "\"aad\":\"Y3RZ\"", "decryption"},
            {"{\"encrypted_key\"", "{\"header\":{\"x\":2},\"encrypted_key\"", "header"},
            {"\"unprotected\":{\"x\":1}", "\"unprotected\":{\"x\":1,\"zip\":\"DEF\"}", "header"},
            {"{\"encrypted_key\"", "{\"header\":{\"enc\":\"A128GCM\"},\"encrypted_key\"", "header"},
        };
        for (i = 0; i < 4; i++) {
            bad = replaced(json, edits[i][0], edits[i][1]);
            CHECK(bad != NULL);
            if (bad != NULL)
                EXPECT(edits[i][2][0] == 'd' ? JWTKIT_ERR_JWE_DECRYPTION_FAILED : JWTKIT_ERR_HEADER_INVALID,
                       decrypt(bad, &a, 1, p, &r));
            free(bad);
        }
    }
    /* Too many recipients: the limit status, before any cryptography. */
    {
        size_t n = 40, cap = 64 + n * 24;
        char *many = malloc(cap);
        strcpy(many, "{\"recipients\":[");
        for (i = 0; i < n; i++)
            strcat(many, i == 0 ? "{\"encrypted_key\":\"AA\"}" : ",{\"encrypted_key\":\"AA\"}");
        strcat(many, "],\"iv\":\"AA\",\"ciphertext\":\"AA\",\"tag\":\"AA\"}");
        EXPECT(JWTKIT_ERR_JSON_LIMIT, decrypt(many, &a, 1, p, &r));
        EXPECT_OK(jwtkit_jwe_policy_set_limit(p, JWTKIT_LIMIT_RECIPIENTS, 50, ERR));
        EXPECT(JWTKIT_ERR_HEADER_INVALID, decrypt(many, &a, 1, p, &r)); /* no enc anywhere */
        free(many);
    }
    /* Misuse. */
    EXPECT(JWTKIT_ERR_INVALID_ARGUMENT, decrypt(json, &a, 0, p, &r));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, decrypt(json, NULL, 1, p, &r));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, decrypt(json, &a, 1, NULL, &r));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, decrypt(json, &a, 1, p, NULL));
    EXPECT(JWTKIT_ERR_TOKEN_MALFORMED, decrypt("a.b.c.d.e", &a, 1, p, &r));
    EXPECT(JWTKIT_ERR_NULL_ARGUMENT, jwtkit_jwe_json_result_plaintext(NULL, &json, NULL, ERR));
    CHECK(r == NULL);
    jwtkit_jwe_json_result_free(NULL);
done:
    jwtkit_string_free(json);
    jwtkit_jwe_policy_free(only_kw);
    jwtkit_jwe_policy_free(p);
    jwtkit_key_free(a);
    (void)kw;
}

int main(void)
{
    test_cookbook_single();
    test_cookbook_multiple();
    test_round_trip();
    test_attacks();
    return check_summary();
}
