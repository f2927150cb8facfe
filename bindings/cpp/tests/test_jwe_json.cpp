// Tests of the JWE JSON serialization block of bindings/cpp/jwtkit.hpp (jwtkit::jwe).
// Built with -std=c++17 -Wall -Wextra -Werror and run under valgrind by tests/install.sh.
//
//   test_jwe_json KEYS_DIR      KEYS_DIR = tests/keys
//
// Prints "N passed, M failed" and exits non-zero when anything failed.
#include "check.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

static_assert(!std::is_copy_constructible_v<jwtkit::jwe::Policy>, "jwe::Policy is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::jwe::Policy>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::jwe::Policy>, "");

static jwtkit::jwe::Policy policy_all() {
    std::vector<jwtkit::jwe::Alg> algs;
    std::vector<jwtkit::jwe::Enc> encs;
    for (jwtkit_jwe_alg a = 1; jwtkit_jwe_alg_name(a) != nullptr; a++)
        algs.push_back(static_cast<jwtkit::jwe::Alg>(a));
    for (jwtkit_jwe_enc e = 1; jwtkit_jwe_enc_name(e) != nullptr; e++)
        encs.push_back(static_cast<jwtkit::jwe::Enc>(e));
    return jwtkit::jwe::Policy(algs, encs);
}

static void several_recipients_with_aad() {
    using namespace jwtkit;
    const Key kw = Key::from_jwk(R"({"kty":"oct","kid":"kw","k":"GZy6sIZ6wl9NJOKB-jnmVQ"})");
    const Key rsa = Key::from_pem(slurp("rsa2048.pkcs8.pem")), rsa_pub = Key::from_pem(slurp("rsa2048.spki.pem"));
    const Key ec = Key::from_pem(slurp("ecp384.pkcs8.pem")), ec_pub = Key::from_pem(slurp("ecp384.spki.pem"));
    jwe::JsonOptions options;
    options.aad = "bound, not secret";
    options.unprotected = R"({"cty":"text/plain"})";
    options.compress = true;
    const std::string json = jwe::encrypt_json(
        {{kw, jwe::Alg::A128KW},
         {rsa_pub, jwe::alg_from_name("RSA-OAEP-256"), std::string_view(R"({"kid":"r"})")},
         {ec_pub, jwe::Alg::EcdhEsA256KW}},
        jwe::enc_from_name("A128CBC-HS256"), std::string("hello\0world", 11), options);
    CHECK(json.find("\"recipients\"") != std::string::npos);
    jwe::Policy policy = policy_all();
    policy.allow_zip(true);
    const Key *keys[3] = {&kw, &rsa, &ec};
    const char *kids[3] = {"kw", "r", nullptr};
    for (size_t i = 0; i < 3; i++) {
        const jwe::DecryptedJson d = jwe::decrypt_json(json, *keys[i], policy);
        CHECK(d.plaintext == std::string("hello\0world", 11));
        CHECK(d.recipient == i && d.key_index == 0);
        CHECK(d.aad && *d.aad == "bound, not secret");
        CHECK(kids[i] == nullptr ? !d.kid : (d.kid && *d.kid == kids[i]));
        CHECK(d.header.find("\"cty\":\"text/plain\"") != std::string::npos);
        CHECK(d.protected_header.find("\"zip\":\"DEF\"") != std::string::npos);
    }
    // All keys at once: the first recipient a key opens.
    const jwe::DecryptedJson d = jwe::decrypt_json(json, {&ec, &rsa}, policy);
    CHECK(d.recipient == 1 && d.key_index == 1 && d.alg == jwe::Alg::RsaOaep256);
}

static void flattened_and_refusals() {
    using namespace jwtkit;
    const Key kw = Key::from_jwk(R"({"kty":"oct","k":"GZy6sIZ6wl9NJOKB-jnmVQ"})");
    jwe::JsonOptions empty_aad;
    empty_aad.aad = "";
    const std::string flat = jwe::encrypt_json({{kw, jwe::Alg::A128KW}}, jwe::Enc::A128GCM, "x", empty_aad);
    CHECK(flat.find("\"recipients\"") == std::string::npos && flat.find("\"aad\":\"\"") != std::string::npos);
    const jwe::Policy all = policy_all();
    const jwe::DecryptedJson d = jwe::decrypt_json(flat, kw, all);
    CHECK(d.plaintext == "x" && d.aad && d.aad->empty() && !d.kid);
    CHECK(d.protected_header.find("\"alg\":\"A128KW\"") != std::string::npos);
    // Only RSA-OAEP-256 allowed: the A128KW recipient is never tried.
    const jwe::Policy only_rsa({jwe::Alg::RsaOaep256}, {jwe::Enc::A128GCM});
    expect_error(JWTKIT_ERR_ALG_NOT_ALLOWED, [&] { jwe::decrypt_json(flat, kw, only_rsa); });
    // The aad changed: the one decryption failure.
    std::string changed = flat;
    changed.replace(changed.find("\"aad\":\"\""), 8, "\"aad\":\"QQ\"");
    expect_error(JWTKIT_ERR_JWE_DECRYPTION_FAILED, [&] { jwe::decrypt_json(changed, kw, all); });
    // A member in two headers.
    expect_error(JWTKIT_ERR_HEADER_INVALID, [&] {
        jwe::JsonOptions twice;
        twice.protected_header = R"({"typ":"a"})";
        twice.unprotected = R"({"typ":"b"})";
        jwe::encrypt_json({{kw, jwe::Alg::A128KW}}, jwe::Enc::A128GCM, "x", twice);
    });
    expect_error(JWTKIT_ERR_JWE_ALG_INSECURE, [] { jwe::alg_from_name("RSA1_5"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { jwe::decrypt_json(flat, std::vector<const Key *>{}, all); });
    jwe::Policy one(std::vector<jwe::Alg>{jwe::Alg::A128KW}, {jwe::Enc::A128GCM});
    one.limit(JWTKIT_LIMIT_RECIPIENTS, 1);
    const std::string two = jwe::encrypt_json({{kw, jwe::Alg::A128KW}, {kw, jwe::Alg::A128KW}},
                                              jwe::Enc::A128GCM, "y");
    expect_error(JWTKIT_ERR_JSON_LIMIT, [&] { jwe::decrypt_json(two, kw, one); });
    jwe::Policy moved = std::move(one);
    CHECK(one.get() == nullptr && moved.get() != nullptr);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s KEYS_DIR\n", argv[0]);
        return 2;
    }
    keys_dir = argv[1];
    run("several_recipients_with_aad", several_recipients_with_aad);
    run("flattened_and_refusals", flattened_and_refusals);
    return check_summary();
}
