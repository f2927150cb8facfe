// Tests of bindings/cpp/jwtkit.hpp. Built with -std=c++17 -Wall -Wextra -Werror and run
// under valgrind by tests/install.sh (leaks are errors there, so every test that throws
// mid-way also proves the owners released what they held).
//
//   test_wrapper KEYS_DIR      KEYS_DIR = tests/keys
//
// The JWKS source tests run a fed (sans-I/O) source always, and a fetching one against
// tests/support/jwks_server.py when JWTKIT_TEST_JWKS_DIR, JWTKIT_TEST_JWKS_HTTPS,
// JWTKIT_TEST_JWKS_HTTP and JWTKIT_TEST_JWKS_CA describe a running one (tests/install.sh
// starts it); without them that test is reported as skipped.
//
// Prints "N passed, M failed" and exits non-zero when anything failed.
#include "check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace std::chrono_literals;
using jwtkit::Alg;

static_assert(!std::is_copy_constructible_v<jwtkit::Key>, "Key is move-only");
static_assert(!std::is_copy_assignable_v<jwtkit::Key>, "Key is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::Key>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::Key>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::Validation>, "Validation is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::Validation>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::Validation>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::SignOptions>, "SignOptions is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::SignOptions>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::SignOptions>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::JwksOptions>, "JwksOptions is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::JwksOptions>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::JwksOptions>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::JwksSource>, "JwksSource is move-only");
static_assert(!std::is_copy_assignable_v<jwtkit::JwksSource>, "JwksSource is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::JwksSource>, "");
static_assert(std::is_nothrow_move_assignable_v<jwtkit::JwksSource>, "");
static_assert(std::is_base_of_v<std::runtime_error, jwtkit::Error>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::dpop::Policy>, "dpop::Policy is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::dpop::Policy>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::dpop::Proof>, "dpop::Proof is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::dpop::Proof>, "");
static_assert(!std::is_copy_constructible_v<jwtkit::jwe::Policy>, "jwe::Policy is move-only");
static_assert(std::is_nothrow_move_constructible_v<jwtkit::jwe::Policy>, "");

static const std::string secret64(64, 's'); // long enough for HS512

static void round_trip_hs256_with_builders() {
    const auto key = jwtkit::Key::from_secret(secret64);
    const auto opts = jwtkit::SignOptions()
                          .issuer("https://issuer.example")
                          .subject("alice")
                          .audience("api")
                          .expires_in(1h)
                          .key_id("k1")
                          .now(1700000000);
    const std::string token = jwtkit::sign(key, Alg::HS256, R"({"role":"admin"})", opts);
    CHECK(std::count(token.begin(), token.end(), '.') == 2);

    const auto policy = jwtkit::Validation({Alg::HS256})
                            .issuer("https://issuer.example")
                            .audience("api")
                            .subject("alice")
                            .require("exp")
                            .now(1700000000 + 60);
    const jwtkit::Jwt jwt = jwtkit::verify(token, key, policy);
    CHECK(jwt.claims.find(R"("role":"admin")") != std::string::npos);
    CHECK(jwt.claims.find(R"("exp":1700003600)") != std::string::npos);
    CHECK(jwt.header.find(R"("kid":"k1")") != std::string::npos);
    CHECK(jwt.header.find(R"("alg":"HS256")") != std::string::npos);
}

static void lvalue_builders() {
    jwtkit::Validation policy({Alg::HS384, Alg::HS512});
    policy.leeway(30s).now(1000);
    policy.audience("a").audience("b");
    jwtkit::SignOptions opts;
    opts.issued_at(false);
    opts.audience("b").expires_in(10s).now(1000);
    const auto key = jwtkit::Key::from_secret(secret64);
    const auto token = jwtkit::sign(key, Alg::HS512, "{}", opts);
    // expired at 1010, but within the 30 s leeway at 1035
    (void)jwtkit::verify(token, key, policy);
    policy.now(1041);
    expect_error(JWTKIT_ERR_EXPIRED, [&] { (void)jwtkit::verify(token, key, policy); });
}

static void every_algorithm_with_pem_keys() {
    struct Case {
        Alg alg;
        const char *priv, *pub;
    };
    const Case cases[] = {
        {Alg::RS256, "rsa2048.pkcs8.pem", "rsa2048.spki.pem"},
        {Alg::RS384, "rsa2048.pkcs1.pem", "rsa2048.cert.pem"},
        {Alg::RS512, "rsa2048.pkcs8.pem", "rsa2048.pkcs1pub.pem"},
        {Alg::PS256, "rsa2048.pkcs8.pem", "rsa2048.spki.pem"},
        {Alg::PS384, "rsa2048.pkcs8.pem", "rsa2048.spki.pem"},
        {Alg::PS512, "rsa2048.pkcs8.pem", "rsa2048.spki.pem"},
        {Alg::ES256, "ecp256.pkcs8.pem", "ecp256.spki.pem"},
        {Alg::ES384, "ecp384.sec1.pem", "ecp384.spki.pem"},
        {Alg::ES512, "ecp521.pkcs8.pem", "ecp521.spki.pem"},
        {Alg::EdDSA, "ed25519.pkcs8.pem", "ed25519.spki.pem"},
        {Alg::ES256K, "secp256k1.sec1.pem", "secp256k1.spki.pem"},
    };
    for (const Case &c : cases) {
        const auto priv = jwtkit::Key::from_pem(slurp(c.priv));
        const auto pub = jwtkit::Key::from_pem(slurp(c.pub));
        const auto token = jwtkit::sign(priv, c.alg, R"({"n":1})");
        const auto jwt = jwtkit::verify(token, pub, jwtkit::Validation({c.alg}));
        CHECK(jwt.claims == R"({"n":1})");
        CHECK(jwtkit::alg_name(c.alg).size() >= 5);
        CHECK(jwtkit::alg_from_name(jwtkit::alg_name(c.alg)) == c.alg);
        // a public key cannot sign
        expect_error(JWTKIT_ERR_KEY_CANNOT_SIGN, [&] { (void)jwtkit::sign(pub, c.alg, "{}"); });
    }
    // every algorithm the library names (but HMAC, tested elsewhere) has a case above
    for (jwtkit_alg n = 1; jwtkit_alg_name(n) != nullptr; n++) {
        bool found = std::string_view(jwtkit_alg_name(n)).substr(0, 2) == "HS";
        for (const Case &c : cases)
            found = found || static_cast<jwtkit_alg>(c.alg) == n;
        CHECK(found);
    }
    const auto der = jwtkit::Key::from_der(slurp("ed25519.spki.der"));
    const auto token = jwtkit::sign(jwtkit::Key::from_pem(slurp("ed25519.pkcs8.pem")), Alg::EdDSA, "{}");
    (void)jwtkit::verify(token, der, jwtkit::Validation({Alg::EdDSA}));
}

static void errors_carry_status_and_message() {
    const auto key = jwtkit::Key::from_secret(secret64);
    const auto token = jwtkit::sign(key, Alg::HS256, "{}", jwtkit::SignOptions().audience("other"));
    std::string msg = expect_error(JWTKIT_ERR_AUDIENCE_MISMATCH, [&] {
        (void)jwtkit::verify(token, key, jwtkit::Validation({Alg::HS256}).audience("api"));
    });
    CHECK(msg.find("aud") != std::string::npos);

    std::string tampered = token;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    expect_error(JWTKIT_ERR_SIGNATURE_INVALID, [&] {
        (void)jwtkit::verify(tampered, key, jwtkit::Validation({Alg::HS256}).disable(jwtkit::Check::Aud));
    });
    expect_error(JWTKIT_ERR_ALG_NOT_ALLOWED, [&] {
        (void)jwtkit::verify(token, key, jwtkit::Validation({Alg::HS512}));
    });
    expect_error(JWTKIT_ERR_ALG_UNSUPPORTED, [] { (void)jwtkit::alg_from_name("none"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { jwtkit::Validation none_allowed(std::vector<Alg>{}); });
    expect_error(JWTKIT_ERR_KEY_INVALID, [] { (void)jwtkit::Key::from_pem("not a key"); });
    expect_error(JWTKIT_ERR_KEY_TOO_WEAK, [] { (void)jwtkit::Key::from_secret(""); });
    expect_error(JWTKIT_ERR_KEY_TOO_WEAK, [] {
        (void)jwtkit::sign(jwtkit::Key::from_secret("short"), Alg::HS256, "{}");
    });
    (void)jwtkit::sign(jwtkit::Key::from_secret("short", true), Alg::HS256, "{}");
    expect_error(JWTKIT_ERR_JSON, [&] { (void)jwtkit::sign(key, Alg::HS256, R"({"a":1,"a":2})"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] {
        (void)jwtkit::SignOptions().header("alg", "none");
    });
    expect_error(JWTKIT_ERR_TOKEN_MALFORMED, [] { (void)jwtkit::decode_unverified("a.b"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { (void)jwtkit::SignOptions().expires_in(-1s); });

    jwtkit::Error e(JWTKIT_ERR_EXPIRED, "m");
    CHECK(std::string(e.status_name()) == "JWTKIT_ERR_EXPIRED");
}

// The leak tests: handles, C strings and errors are all held when the exception flies.
static void exception_midway_leaks_nothing() {
    bool caught = false;
    try {
        auto key = jwtkit::Key::from_pem(slurp("ecp256.pkcs8.pem"));
        auto opts = jwtkit::SignOptions().issuer("me").random_jti();
        auto policy = jwtkit::Validation({Alg::ES256}).issuer("someone else");
        const std::string token = jwtkit::sign(key, Alg::ES256, R"({"x":[1,2,3]})", opts);
        (void)jwtkit::verify(token, key, policy); // throws JWTKIT_ERR_ISSUER_MISMATCH
        CHECK(false);
    } catch (const jwtkit::Error &e) {
        caught = e.status() == JWTKIT_ERR_ISSUER_MISMATCH;
    }
    CHECK(caught);

    caught = false;
    try {
        auto key = jwtkit::Key::from_secret(secret64);
        auto policy = jwtkit::Validation({Alg::HS256});
        auto decoded = jwtkit::decode_unverified(jwtkit::sign(key, Alg::HS256, R"({"a":"b"})"));
        throw std::runtime_error("user code fails while holding " + decoded.claims);
    } catch (const std::runtime_error &e) {
        caught = std::string(e.what()).find(R"({"a":"b"})") != std::string::npos;
    }
    CHECK(caught);

    // a builder chain that throws half-way through a temporary
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] {
        auto policy = jwtkit::Validation({Alg::HS256}).issuer("a").disable(static_cast<jwtkit::Check>(1u << 30));
        (void)policy;
    });
}

static void moves_transfer_ownership() {
    auto a = jwtkit::Key::from_secret(secret64);
    const jwtkit_key *raw = a.get();
    jwtkit::Key b(std::move(a));
    CHECK(!a && b && b.get() == raw);
    auto c = jwtkit::Key::from_pem(slurp("ed25519.pkcs8.pem"));
    c = std::move(b); // frees the Ed25519 key
    CHECK(c.get() == raw && !b);
    c = std::move(c); // self-move is harmless
    CHECK(c.get() == raw);
    const jwtkit_key *released = c.release();
    CHECK(!c && released == raw);
    jwtkit::Key adopted(released);
    (void)jwtkit::sign(adopted, Alg::HS256, "{}");

    auto v1 = jwtkit::Validation({Alg::HS256});
    auto v2 = jwtkit::Validation({Alg::HS384});
    v1 = std::move(v2);
    CHECK(!v2 && v1);
    auto o1 = jwtkit::SignOptions();
    jwtkit::SignOptions o2(std::move(o1));
    CHECK(!o1 && o2);
    std::vector<jwtkit::Key> keys;
    for (int i = 0; i < 20; i++)
        keys.push_back(jwtkit::Key::from_secret(secret64)); // reallocation moves them
}

static void revocation_callable() {
    const auto key = jwtkit::Key::from_secret(secret64);
    int calls = 0;
    auto revoked = [&calls](std::string_view jti, std::string_view claims) {
        calls++;
        return jti == "bad" || claims.find("\"revoke\"") != std::string_view::npos;
    };
    auto policy = jwtkit::Validation({Alg::HS256}).revocation_check(revoked);
    (void)jwtkit::verify(jwtkit::sign(key, Alg::HS256, R"({"jti":"good"})"), key, policy);
    expect_error(JWTKIT_ERR_REVOKED, [&] {
        (void)jwtkit::verify(jwtkit::sign(key, Alg::HS256, R"({"jti":"bad"})"), key, policy);
    });
    (void)jwtkit::verify(jwtkit::sign(key, Alg::HS256, "{}"), key, policy);
    CHECK(calls == 3);

    auto throws = [](std::string_view, std::string_view) -> bool { throw std::runtime_error("db down"); };
    auto closed = jwtkit::Validation({Alg::HS256}).revocation_check(throws);
    expect_error(JWTKIT_ERR_REVOKED, [&] {
        (void)jwtkit::verify(jwtkit::sign(key, Alg::HS256, "{}"), key, closed);
    });
}

static void jws_and_decode() {
    const auto key = jwtkit::Key::from_secret(secret64);
    const std::string payload("bin\0ary", 7);
    const auto token = jwtkit::sign_jws(key, Alg::HS256, payload, R"({"kid":"x"})");
    const jwtkit::Jws jws = jwtkit::verify_jws(token, key, jwtkit::Validation({Alg::HS256}));
    CHECK(jws.payload == payload);
    CHECK(jws.header.find(R"("kid":"x")") != std::string::npos);

    const auto t2 = jwtkit::sign(key, Alg::HS256, R"({"sub":"bob"})", R"({"typ":"at+jwt"})");
    const auto d = jwtkit::decode_unverified(t2);
    CHECK(d.claims == R"({"sub":"bob"})");
    CHECK(d.header.find("at+jwt") != std::string::npos);
    (void)jwtkit::verify(t2, key, jwtkit::Validation({Alg::HS256}).type("at+jwt"));
    expect_error(JWTKIT_ERR_TYP_MISMATCH, [&] {
        (void)jwtkit::verify(t2, key, jwtkit::Validation({Alg::HS256}).type("JWT"));
    });
}

static void generated_keys_and_export() {
    for (Alg alg : {Alg::HS256, Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA, Alg::ES256K}) {
        const auto generated = jwtkit::Key::generate(alg);
        CHECK(generated.is_private());
        CHECK(generated.kid().empty());
        const std::string thumb = generated.thumbprint();
        CHECK(thumb.size() == 43);
        const auto key = generated.with_kid(thumb);
        CHECK(key.kid() == thumb && generated.kid().empty());
        const auto token = jwtkit::sign(key, alg, "{}");
        CHECK(jwtkit::decode_unverified(token).header.find(thumb) != std::string::npos);
        // the private JWK round-trips, kid included
        const auto again = jwtkit::Key::from_jwk(key.to_private_jwk());
        CHECK(again.kid() == thumb && again.thumbprint() == thumb);
        (void)jwtkit::verify(token, again, jwtkit::Validation({alg}));
        if (alg == Alg::HS256) {
            CHECK(key.kind() == jwtkit::KeyKind::Hmac);
            expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)key.to_public_jwk(); });
            expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)key.to_private_pem(); });
            continue;
        }
        const auto pub = jwtkit::Key::from_jwk(key.to_public_jwk());
        CHECK(!pub.is_private() && pub.kind() == key.kind() && pub.thumbprint() == thumb);
        (void)jwtkit::verify(token, pub, jwtkit::Validation({alg}));
        const auto from_pem = jwtkit::Key::from_pem(key.to_public_pem());
        (void)jwtkit::verify(token, from_pem, jwtkit::Validation({alg}));
        (void)jwtkit::Key::from_pem(key.to_private_pem());
        expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)pub.to_private_jwk(); });
    }
    CHECK(jwtkit::Key::from_pem(slurp("rsa2048.spki.pem")).kind() == jwtkit::KeyKind::Rsa);
    CHECK(jwtkit::Key::from_pem(slurp("ed25519.spki.pem")).kind() == jwtkit::KeyKind::Ed25519);
    CHECK(jwtkit::Key::from_pem(slurp("secp256k1.pkcs8.pem")).kind() == jwtkit::KeyKind::EcSecp256k1);
    CHECK(jwtkit::Key::generate(Alg::ES256K).kind() == jwtkit::KeyKind::EcSecp256k1);
    CHECK(jwtkit::Key::generate(Alg::ES256K).can_verify(Alg::ES256K));
    CHECK(!jwtkit::Key::generate(Alg::ES256K).can_verify(Alg::ES256));
    CHECK(!jwtkit::Key::from_pem(slurp("ecp256.spki.pem")).can_verify(Alg::ES256K));
    CHECK(jwtkit::Key::from_pem(slurp("rsa2048.pkcs8.pem")).thumbprint() ==
          jwtkit::Key::from_pem(slurp("rsa2048.spki.pem")).thumbprint());
    expect_error(JWTKIT_ERR_KEY_UNSUPPORTED, [] { (void)jwtkit::Key::generate(Alg::RS256); });
    // RSA: one 2048-bit key, restricted to PS256.
    const auto rsa = jwtkit::Key::generate_rsa(2048, Alg::PS256);
    CHECK(rsa.kind() == jwtkit::KeyKind::Rsa && rsa.is_private());
    CHECK(rsa.can_verify(Alg::PS256) && !rsa.can_verify(Alg::RS256));
    const auto rsa_pub = jwtkit::Key::from_jwk(rsa.to_public_jwk());
    (void)jwtkit::verify(jwtkit::sign(rsa, Alg::PS256, R"({"sub":"rsa"})"), rsa_pub, jwtkit::Validation({Alg::PS256}));
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { (void)jwtkit::Key::generate_rsa(1024); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { (void)jwtkit::Key::generate_rsa(2048, Alg::ES256); });
}

static void key_sets() {
    const auto a = jwtkit::Key::generate(Alg::ES256).with_kid("a");
    const auto b = jwtkit::Key::generate(Alg::EdDSA).with_kid("b");
    const auto signer = jwtkit::KeySet::from_keys({a, b});
    CHECK(signer.size() == 2 && signer.skipped().empty());
    const std::string jwks = signer.to_public_jwks();
    CHECK(jwks.find(R"("kid":"a")") != std::string::npos && jwks.find("\"d\"") == std::string::npos);

    const auto verifier = jwtkit::KeySet::from_jwks(jwks);
    CHECK(verifier.size() == 2);
    CHECK(verifier.at(1).kid() == "b" && !verifier.at(1).is_private());
    const auto policy = jwtkit::Validation({Alg::ES256, Alg::EdDSA});
    (void)jwtkit::verify(jwtkit::sign(a, Alg::ES256, R"({"k":"a"})"), verifier, policy);
    const auto jws = jwtkit::verify_jws(jwtkit::sign_jws(b, Alg::EdDSA, "raw"), verifier, policy);
    CHECK(jws.payload == "raw");
    const auto stranger = jwtkit::Key::generate(Alg::ES256).with_kid("c");
    expect_error(JWTKIT_ERR_KEY_NOT_FOUND, [&] {
        (void)jwtkit::verify(jwtkit::sign(stranger, Alg::ES256, "{}"), verifier, policy);
    });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)verifier.at(2); });

    // unusable keys are skipped and explained, not fatal
    const auto mixed = jwtkit::KeySet::from_jwks(
        R"({"keys":[{"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},)"
        R"({"kty":"XYZ","kid":"odd"}]})");
    CHECK(mixed.size() == 0);
    const auto why = mixed.skipped();
    CHECK(why.size() == 2);
    CHECK(why[0].status == JWTKIT_ERR_KEY_USAGE && why[0].message.find("enc") != std::string::npos);
    CHECK(why[1].status == JWTKIT_ERR_KEY_UNSUPPORTED);
    expect_error(JWTKIT_ERR_KEY_INVALID, [] { (void)jwtkit::KeySet::from_jwks(R"({"nokeys":[]})"); });

    std::vector<jwtkit::Key> many;
    many.push_back(jwtkit::Key::generate(Alg::ES384).with_kid("x"));
    many.push_back(jwtkit::Key::generate(Alg::ES512).with_kid("y"));
    auto moved = jwtkit::KeySet::from_keys(many);
    jwtkit::KeySet other(std::move(moved));
    CHECK(!moved && other.size() == 2);
}

static void limits() {
    const auto key = jwtkit::Key::from_secret(secret64);
    const auto token = jwtkit::sign(key, Alg::HS256, R"({"pad":")" + std::string(200, 'x') + "\"}");
    auto policy = jwtkit::Validation({Alg::HS256}).limit(jwtkit::Limit::TokenLen, 100);
    expect_error(JWTKIT_ERR_TOKEN_TOO_LARGE, [&] { (void)jwtkit::verify(token, key, policy); });
    policy.limit(jwtkit::Limit::TokenLen, 4096);
    (void)jwtkit::verify(token, key, policy);
}

// ---- JWKS sources

struct JwksKeys {
    jwtkit::Key a, b;          // private keys with kids "key-a", "key-b"
    std::string jwks_a, jwks_ab; // the public sets {A} and {A, B}
    std::string token_a, token_b;
};

static JwksKeys jwks_keys() {
    auto a = jwtkit::Key::from_pem(slurp("ecp256.pkcs8.pem")).with_kid("key-a");
    auto b = jwtkit::Key::generate(Alg::ES256).with_kid("key-b");
    const std::string claims = R"({"sub":"alice"})";
    std::string ta = jwtkit::sign(a, Alg::ES256, claims), tb = jwtkit::sign(b, Alg::ES256, claims);
    std::string ja = R"({"keys":[)" + a.to_public_jwk() + "]}";
    std::string jab = R"({"keys":[)" + a.to_public_jwk() + "," + b.to_public_jwk() + "]}";
    return JwksKeys{std::move(a), std::move(b), std::move(ja), std::move(jab), std::move(ta), std::move(tb)};
}

static void jwks_options_refusals() {
    using std::chrono::milliseconds;
    // temporaries and lvalues chain alike; each refusal throws with its status
    auto o = jwtkit::JwksOptions().cache_times(60s, 0ms, 60s).cooldown(200ms).max_stale(1h).allow_http();
    o.timeouts(1s, 2s).limits(4096, 2).system_cas(false).header("X-Api-Key", "k");
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.cache_times(1s, 2s, 1s); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.cooldown(milliseconds(-1)); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.timeouts(0ms, 1s); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.limits(100, 2); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.header("bad name", "v"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.add_ca("not a certificate"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { o.add_ca_file("/nonexistent/ca.pem"); });
    // no CA trusted (system off, none added): refused when the source is made
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)jwtkit::JwksSource::from_url("https://127.0.0.1:1/", o); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { (void)jwtkit::JwksSource::from_url("http://idp.example/jwks"); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { (void)jwtkit::JwksSource::from_issuer("not a url"); });
    jwtkit::JwksOptions moved(std::move(o));
    CHECK(!o && moved);
}

static void jwks_source_fed() {
    const auto keys = jwks_keys();
    const auto policy = jwtkit::Validation({Alg::ES256});
    const auto src = jwtkit::JwksSource::fed(jwtkit::JwksOptions().cache_times(60s, 0s, 60s).cooldown(200ms));
    using R = jwtkit::RefreshReason;

    CHECK(src.refresh_wanted() == R::Initial);
    expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { (void)src.verify(keys.token_a, policy); });
    expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { (void)src.document(); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { src.refresh(); }); // a fed source never fetches
    CHECK(!src.last_failure());

    const auto started = std::chrono::steady_clock::now();
    CHECK(!src.start_refresh()); // no ETag yet
    CHECK(src.refresh_wanted() == R::None);
    src.feed(200, "max-age=60", "\"v1\"", keys.jwks_a);
    const jwtkit::Jwt jwt = src.verify(keys.token_a, policy);
    CHECK(jwt.claims == R"({"sub":"alice"})" && jwt.header.find(R"("kid":"key-a")") != std::string::npos);
    CHECK(jwtkit::verify(keys.token_a, src, policy).claims == jwt.claims);
    CHECK(src.document() == keys.jwks_a);
    auto status = src.status();
    CHECK(status.key_count == 1 && status.attempts == 1 && !status.failing && status.since_success);
    CHECK(status.fresh_for && *status.fresh_for > 50s && !status.since_failure);
    const jwtkit::KeySet seen = src.keyset();
    CHECK(seen.size() == 1);

    // an unknown kid: refused, and a refresh is wanted once the cooldown is over
    expect_error(JWTKIT_ERR_KEY_NOT_FOUND, [&] { (void)src.verify(keys.token_b, policy); });
    CHECK(!src.report_unknown_kid(seen)); // a fed source has nothing newer by itself
    std::this_thread::sleep_until(started + 250ms);
    CHECK(src.refresh_wanted() == R::UnknownKid);
    const std::optional<std::string> tag = src.start_refresh();
    CHECK(tag && *tag == "\"v1\"");
    src.feed(304, "", "", "");
    status = src.status();
    CHECK(status.not_modified == 1 && status.attempts == 2 && src.refresh_wanted() == R::None);

    // failures: the last good set keeps serving
    (void)src.start_refresh();
    src.fetch_failed("connection refused");
    const auto failure = src.last_failure();
    CHECK(failure && failure->status() == JWTKIT_ERR_KEY_SOURCE);
    CHECK(std::string(failure->what()).find("connection refused") != std::string::npos);
    expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { src.feed(500, "", "", "oops"); });
    expect_error(JWTKIT_ERR_KEY_INVALID, [&] { src.feed(200, "", "", R"({"keys": [)"); });
    expect_error(JWTKIT_ERR_KEY_INVALID, [&] { src.feed(200, "", "", R"({"keys":[]})"); });
    status = src.status();
    CHECK(status.failing && status.failures == 4 && status.key_count == 1 && status.since_failure);
    (void)src.verify(keys.token_a, policy);

    // the rotated set: B verifies, and a holder of the old snapshot is handed the new one
    src.feed(200, "max-age=60", "\"v2\"", keys.jwks_ab);
    (void)src.verify(keys.token_b, policy);
    CHECK(!src.status().failing && src.document() == keys.jwks_ab);
    const std::optional<jwtkit::KeySet> newer = src.report_unknown_kid(seen);
    CHECK(newer && newer->size() == 2 && seen.size() == 1);
    (void)jwtkit::verify(keys.token_b, *newer, policy);

    jwtkit::JwksSource moved = jwtkit::JwksSource::fed();
    const jwtkit_jwks_source *raw = moved.get();
    jwtkit::JwksSource other(std::move(moved));
    CHECK(!moved && other.get() == raw);
}

// Writes a control file of the test server atomically.
static void server_control(const std::string &dir, const std::string &name, const std::string &content) {
    const std::string tmp = dir + "/." + name + ".cpp.tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out)
            throw std::runtime_error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0)
        throw std::runtime_error("cannot rename " + tmp);
}

static void jwks_source_fetching() {
    const std::string dir = std::getenv("JWTKIT_TEST_JWKS_DIR"), https = std::getenv("JWTKIT_TEST_JWKS_HTTPS");
    const std::string http = std::getenv("JWTKIT_TEST_JWKS_HTTP"), ca = std::getenv("JWTKIT_TEST_JWKS_CA");
    const auto keys = jwks_keys();
    const auto policy = jwtkit::Validation({Alg::ES256});
    server_control(dir, "jwks.json", keys.jwks_a);
    server_control(dir, "cache-control", "max-age=60");
    server_control(dir, "mode", "ok");
    const auto options = [&] {
        return jwtkit::JwksOptions().system_cas(false).add_ca_file(ca).cooldown(30s).timeouts(10s, 20s);
    };

    // over HTTPS with only the test CA
    const auto src = jwtkit::JwksSource::from_url(https + "/jwks", options());
    CHECK(src.status().attempts == 0); // nothing fetched before the first use
    CHECK(src.verify(keys.token_a, policy).claims == R"({"sub":"alice"})");
    CHECK(src.document() == keys.jwks_a && src.keyset().size() == 1 && src.status().attempts == 1);

    // a failing refresh throws; the last good set keeps serving
    server_control(dir, "mode", "500");
    const std::string why = expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { src.refresh(); });
    CHECK(why.find("500") != std::string::npos);
    (void)src.verify(keys.token_a, policy);
    CHECK(src.status().failing && src.last_failure()->status() == JWTKIT_ERR_KEY_SOURCE);
    server_control(dir, "mode", "ok");
    src.refresh();
    CHECK(!src.status().failing);

    // OpenID Connect discovery; an issuer the document does not name is refused
    const auto discovered = jwtkit::JwksSource::from_issuer(https, options());
    (void)discovered.verify(keys.token_a, policy);
    expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { (void)jwtkit::JwksSource::from_issuer(https + "/wrong-issuer", options()); });

    // http:// only when allowed; a CA that did not sign the server's certificate
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { (void)jwtkit::JwksSource::from_url(http + "/jwks", options()); });
    (void)jwtkit::JwksSource::from_url(http + "/jwks", options().allow_http()).verify(keys.token_a, policy);
    const std::string other_ca = dir + "/other-ca.pem";
    const auto wrong = jwtkit::JwksSource::from_url(
        https + "/jwks", jwtkit::JwksOptions().system_cas(false).add_ca_file(other_ca).timeouts(10s, 20s));
    expect_error(JWTKIT_ERR_KEY_SOURCE, [&] { (void)wrong.verify(keys.token_a, policy); });
}

static void detached_payloads() {
    const auto key = jwtkit::Key::from_secret(secret64);
    const auto policy = jwtkit::Validation({Alg::HS256}).now(1700000000);
    const std::string claims = R"({"sub":"alice","exp":1800000000})";
    for (auto how : {jwtkit::Payload::Encoded, jwtkit::Payload::Unencoded}) {
        const auto token = jwtkit::sign_detached(key, Alg::HS256, claims, how);
        CHECK(token.find("..") != std::string::npos);
        const auto jwt = jwtkit::verify_detached(token, claims, key, policy);
        CHECK((jwt.header.find(R"("b64":false)") != std::string::npos) == (how == jwtkit::Payload::Unencoded));
        CHECK(jwt.claims == claims);
        expect_error(JWTKIT_ERR_SIGNATURE_INVALID, [&] { jwtkit::verify_detached(token, R"({"sub":"eve"})", key, policy); });
        const auto expired = jwtkit::sign_detached(key, Alg::HS256, R"({"exp":1})", how);
        expect_error(JWTKIT_ERR_EXPIRED, [&] { jwtkit::verify_detached(expired, R"({"exp":1})", key, policy); });
        const auto raw = jwtkit::sign_jws_detached(key, Alg::HS256, "any bytes", how);
        CHECK(jwtkit::verify_jws_detached(raw, "any bytes", key, policy).find("HS256") != std::string::npos);
    }
    // A padded segment needs the opt-in.
    const auto token = jwtkit::sign(key, Alg::HS256, R"({"sub":"al"})") + "=";
    const auto message = expect_error(JWTKIT_ERR_BASE64, [&] { jwtkit::verify(token, key, policy); });
    CHECK(message.find("allow_padded_base64") != std::string::npos);
    auto lenient = jwtkit::Validation({Alg::HS256}).allow_padded_base64();
    CHECK(jwtkit::verify(token, key, lenient).claims == R"({"sub":"al"})");
}

// ---- JWS JSON serialization (jwtkit::jws_json) ----------------------------------
// Several signers, general and flattened, the rules, every signature's outcome, the
// refusals with their status; an exception mid-way leaks nothing (valgrind).
static void jws_json_signatures() {
    namespace jj = jwtkit::jws_json;
    const auto hmac = jwtkit::Key::from_secret(secret64);
    const auto ec = jwtkit::Key::generate(Alg::ES256);
    const auto ed = jwtkit::Key::generate(Alg::EdDSA);
    const auto policy = jwtkit::Validation({Alg::HS256, Alg::ES256, Alg::EdDSA}).now(1700000000);
    const std::vector<jj::Signer> signers = {
        {hmac, Alg::HS256, "", R"({"kid":"h"})"},
        {ec, Alg::ES256, R"({"kid":"e"})", ""},
    };
    const std::string token = jj::sign("pay me", signers);
    CHECK(token.find(R"("signatures":[)") != std::string::npos);
    auto v = jj::verify(token, {hmac, ec}, policy, jj::Rule::All);
    CHECK(v.payload == "pay me" && v.signatures.size() == 2 && v.all_verified());
    // "h" was unprotected and the key has no kid: a verified signature does not report it.
    CHECK(v.signatures[0].alg == Alg::HS256 && !v.signatures[0].kid && v.signatures[0].key_index == std::optional<size_t>(0));
    CHECK(v.signatures[1].kid == std::optional<std::string>("e"));
    CHECK(v.signatures[1].key_index == std::optional<size_t>(1) && v.signatures[1].header.find("ES256") != std::string::npos);
    // One key under "any": the other signature is reported, not dropped; "all" refuses.
    v = jj::verify(token, {ec}, policy, jj::Rule::Any);
    CHECK(!v.all_verified() && !v.signatures[0].verified() && v.signatures[1].verified());
    CHECK(v.signatures[0].status == JWTKIT_ERR_KEY_ALG_MISMATCH && !v.signatures[0].message.empty());
    expect_error(JWTKIT_ERR_KEY_ALG_MISMATCH, [&] { jj::verify(token, {ec}, policy, jj::Rule::All); });
    expect_error(JWTKIT_ERR_SIGNATURE_INVALID, [&] { jj::verify(token, {hmac, ec, ed}, policy, jj::Rule::All); });
    // Flattened, detached and unencoded.
    const std::string flat = jj::sign("$.02", {{ed, Alg::EdDSA, "", ""}}, {false, true, jwtkit::Payload::Unencoded});
    CHECK(flat.find("payload") == std::string::npos && flat.find("signatures") == std::string::npos);
    CHECK(jj::verify(flat, {ed}, policy, jj::Rule::All, std::string_view("$.02")).payload == "$.02");
    expect_error(JWTKIT_ERR_SIGNATURE_INVALID, [&] { jj::verify(flat, {ed}, policy, jj::Rule::All, std::string_view("$.03")); });
    expect_error(JWTKIT_ERR_TOKEN_MALFORMED, [&] { jj::verify(flat, {ed}, policy); });
    // The header rules, on both sides.
    const auto msg = expect_error(JWTKIT_ERR_HEADER_INVALID, [&] {
        jj::sign("x", {{hmac, Alg::HS256, R"({"kid":"a"})", R"({"kid":"a"})"}});
    });
    CHECK(msg.find("member `kid` is in both") != std::string::npos);
    expect_error(JWTKIT_ERR_HEADER_INVALID, [&] { jj::sign("x", {{hmac, Alg::HS256, "", R"({"alg":"HS256"})"}}); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { jj::sign("x", {}); });
    // A JWT: its claims are checked.
    const std::string jwt = jj::sign(R"({"sub":"a","exp":1})", {{hmac, Alg::HS256, "", ""}});
    expect_error(JWTKIT_ERR_EXPIRED, [&] { jj::verify_jwt(jwt, {hmac}, policy); });
    const std::string fresh = jj::sign(R"({"sub":"a","exp":1800000000})", {{hmac, Alg::HS256, "", ""}});
    CHECK(jj::verify_jwt(fresh, {hmac}, policy).payload == R"({"sub":"a","exp":1800000000})");
}

// DPoP (RFC 9449): proofs made and checked, each kind of refusal with its status, a
// replay store (and one that throws), tokens bound to the proof's key, RFC 9068.
static void dpop_proofs_and_binding() {
    const std::string uri = "https://api.example/orders";
    auto client = jwtkit::Key::generate(Alg::ES256);
    auto thief = jwtkit::Key::generate(Alg::EdDSA);
    auto issuer = jwtkit::Key::generate(Alg::ES256);
    const int64_t now = 1700000000;

    std::vector<std::string> seen;
    auto store = [&seen](std::string_view jkt, std::string_view jti, int64_t expires_at) {
        CHECK(jkt.size() == 43 && expires_at == 1700000000 + 301);
        std::string entry = std::string(jkt) + "|" + std::string(jti);
        if (std::find(seen.begin(), seen.end(), entry) != seen.end())
            return true;
        seen.push_back(entry);
        return false;
    };
    auto policy = jwtkit::dpop::Policy({Alg::ES256, Alg::EdDSA}).now(now).replay_check(store);

    // a token request: learn the key's thumbprint; the proof cannot be used twice
    const auto first = jwtkit::dpop::create_proof(client, Alg::ES256, {"POST", uri + "?x=1"}, now);
    const auto learned = jwtkit::dpop::verify_proof(first, {"POST", uri}, policy);
    CHECK(learned.jkt() == client.thumbprint() && learned.iat() == now && learned.jti().size() == 22);
    CHECK(learned.claims().find("\"htu\":\"https://api.example/orders\"") != std::string::npos);
    expect_error(JWTKIT_ERR_DPOP_REPLAYED, [&] { jwtkit::dpop::verify_proof(first, {"POST", uri}, policy); });
    CHECK(seen.size() == 1);

    // a bound token, presented with its proof, with another key's, and as Bearer
    const auto token = jwtkit::sign(issuer, Alg::ES256, R"({"sub":"alice","cnf":{"jkt":")" + learned.jkt() + "\"}}");
    auto tokens = jwtkit::Validation({Alg::ES256});
    const auto proof = jwtkit::dpop::verify_proof(
        jwtkit::dpop::create_proof(client, Alg::ES256, {"GET", uri, token, "n-1"}, now), {"GET", uri, token, "n-1"},
        policy);
    CHECK(jwtkit::dpop::verify_token(token, issuer, tokens, &proof).claims.find("alice") != std::string::npos);
    jwtkit::dpop::check_binding(token, R"({"cnf":{"jkt":")" + proof.jkt() + "\"}}", &proof);
    const auto stolen = jwtkit::dpop::verify_proof(
        jwtkit::dpop::create_proof(thief, Alg::EdDSA, {"GET", uri, token}, now), {"GET", uri, token}, policy);
    expect_error(JWTKIT_ERR_DPOP_BINDING_MISMATCH, [&] { jwtkit::dpop::verify_token(token, issuer, tokens, &stolen); });
    expect_error(JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
                 [&] { jwtkit::dpop::verify_token(token, issuer, tokens, nullptr); });

    // the refresh token of a bound session, at the token endpoint (no ath)
    const std::string refresh_claims = R"({"sub":"alice","cnf":{"jkt":")" + learned.jkt() + "\"}}";
    jwtkit::dpop::check_refresh_binding(refresh_claims, &learned);
    expect_error(JWTKIT_ERR_DPOP_BINDING_MISMATCH, [&] { jwtkit::dpop::check_refresh_binding(refresh_claims, &stolen); });
    expect_error(JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER,
                 [&] { jwtkit::dpop::check_refresh_binding(refresh_claims, nullptr); });

    // the checks of a proof
    const auto p = jwtkit::dpop::create_proof(client, Alg::ES256, {"GET", uri, token}, now);
    expect_error(JWTKIT_ERR_DPOP_HTM_MISMATCH, [&] { jwtkit::dpop::verify_proof(p, {"PUT", uri, token}, policy); });
    expect_error(JWTKIT_ERR_DPOP_HTU_MISMATCH,
                 [&] { jwtkit::dpop::verify_proof(p, {"GET", uri + "/1", token}, policy); });
    expect_error(JWTKIT_ERR_DPOP_ATH_MISMATCH, [&] { jwtkit::dpop::verify_proof(p, {"GET", uri, "x"}, policy); });
    expect_error(JWTKIT_ERR_DPOP_NONCE, [&] { jwtkit::dpop::verify_proof(p, {"GET", uri, token, "n-2"}, policy); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { jwtkit::dpop::verify_proof(p, {"GET", "/orders"}, policy); });
    auto later = jwtkit::dpop::Policy({Alg::ES256}).now(now + 301);
    expect_error(JWTKIT_ERR_TOO_OLD, [&] { jwtkit::dpop::verify_proof(p, {"GET", uri, token}, later); });
    later.iat_window(600s, 0s);
    CHECK(jwtkit::dpop::verify_proof(p, {"GET", uri, token}, later).jkt() == proof.jkt());
    auto tiny = jwtkit::dpop::Policy({Alg::ES256}).now(now).max_proof_len(64);
    expect_error(JWTKIT_ERR_TOKEN_TOO_LARGE, [&] { jwtkit::dpop::verify_proof(p, {"GET", uri, token}, tiny); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [] { jwtkit::dpop::Policy({Alg::HS256}); });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT,
                 [&] { jwtkit::dpop::create_proof(jwtkit::Key::generate(Alg::HS256), Alg::HS256, {"GET", uri}); });

    // a replay store that throws refuses the proof
    auto broken = [](std::string_view, std::string_view, int64_t) -> bool { throw std::runtime_error("down"); };
    auto failing = jwtkit::dpop::Policy({Alg::ES256}).now(now).replay_check(broken);
    expect_error(JWTKIT_ERR_DPOP_REPLAY_CHECK, [&] { jwtkit::dpop::verify_proof(p, {"GET", uri, token}, failing); });

    // moves keep one owner
    auto moved = std::move(policy);
    CHECK(moved.get() != nullptr && policy.get() == nullptr);

    // RFC 9068
    auto profile = jwtkit::Validation({Alg::ES256}).access_token_profile("https://login.example", "api");
    const std::string all = R"({"iss":"https://login.example","exp":4102444800,"aud":"api","sub":"a",)"
                            R"("client_id":"c","iat":1700000000,"jti":"j"})";
    CHECK(jwtkit::verify(jwtkit::sign(issuer, Alg::ES256, all, R"({"typ":"at+jwt"})"), issuer, profile).claims == all);
    expect_error(JWTKIT_ERR_TYP_MISMATCH, [&] { jwtkit::verify(jwtkit::sign(issuer, Alg::ES256, all), issuer, profile); });
    expect_error(JWTKIT_ERR_CLAIM_MISSING, [&] {
        jwtkit::verify(jwtkit::sign(issuer, Alg::ES256, R"({"iss":"https://login.example","aud":"api"})",
                                    R"({"typ":"at+jwt"})"),
                       issuer, profile);
    });
}

// Every JWE alg with a key of its kind, every enc; the PBES2 iteration cap and the
// allow-lists.
static void jwe_every_algorithm_and_the_pbes2_cap() {
    using jwtkit::jwe::Alg;
    using jwtkit::jwe::Enc;
    const auto oct = [](size_t n) { return jwtkit::Key::from_secret(std::string(n, 'k'), true); };
    const jwtkit::Key password = jwtkit::Key::from_secret("correct horse battery staple");
    const jwtkit::Key rsa = jwtkit::Key::from_pem(slurp("rsa2048.pkcs8.pem"));
    const jwtkit::Key p384 = jwtkit::Key::from_pem(slurp("ecp384.pkcs8.pem"));
    const std::vector<Enc> encs = {Enc::A128GCM, Enc::A256GCM, Enc::A128CBC_HS256,
                                   Enc::A256CBC_HS512, Enc::A192GCM, Enc::A192CBC_HS384};
    const jwtkit::Key k16 = oct(16), k24 = oct(24), k32 = oct(32);
    const std::vector<std::pair<Alg, const jwtkit::Key *>> cases = {
        {Alg::A128KW, &k16}, {Alg::A192KW, &k24}, {Alg::A256KW, &k32},
        {Alg::A128GCMKW, &k16}, {Alg::A192GCMKW, &k24}, {Alg::A256GCMKW, &k32},
        {Alg::EcdhEs, &p384}, {Alg::EcdhEsA128KW, &p384}, {Alg::EcdhEsA192KW, &p384},
        {Alg::EcdhEsA256KW, &p384}, {Alg::RsaOaep256, &rsa}, {Alg::RsaOaep384, &rsa},
        {Alg::RsaOaep512, &rsa}, {Alg::RsaOaep, &rsa}, {Alg::Pbes2Hs256A128KW, &password},
        {Alg::Pbes2Hs384A192KW, &password}, {Alg::Pbes2Hs512A256KW, &password},
    };
    for (const auto &[alg, key] : cases) {
        for (const Enc enc : encs) {
            const jwtkit::jwe::Policy policy({alg}, {enc});
            // PBES2 at the RFC's minimum count: this runs under valgrind.
            const std::string token =
                jwtkit::jwe::encrypt(*key, alg, enc, "to the bitter end", key == &password ? R"({"p2c":1000})" : "");
            const jwtkit::jwe::Decrypted d = jwtkit::jwe::decrypt(token, *key, policy);
            CHECK(d.plaintext == "to the bitter end");
            CHECK(d.header.find(jwtkit::jwe::name(alg)) != std::string::npos);
            CHECK(d.header.find(jwtkit::jwe::name(enc)) != std::string::npos);
        }
    }
    CHECK(jwtkit::jwe::name(Alg::Pbes2Hs512A256KW) == "PBES2-HS512+A256KW");
    CHECK(jwtkit::jwe::name(Enc::A192CBC_HS384) == "A192CBC-HS384");
    // p2c 8192 (the default) is over a cap of 5000; PBES2 is refused unless named.
    const std::string token = jwtkit::jwe::encrypt(password, Alg::Pbes2Hs256A128KW, Enc::A128GCM, "x");
    expect_error(JWTKIT_ERR_JWE_P2C_LIMIT, [&] {
        jwtkit::jwe::decrypt(token, password, jwtkit::jwe::Policy({Alg::Pbes2Hs256A128KW}, {Enc::A128GCM}).max_p2c(5000));
    });
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT,
                 [&] { jwtkit::jwe::Policy({Alg::Pbes2Hs256A128KW}, {Enc::A128GCM}).max_p2c(999); });
    expect_error(JWTKIT_ERR_ALG_NOT_ALLOWED, [&] {
        jwtkit::jwe::decrypt(token, password, jwtkit::jwe::Policy({Alg::A128KW, Alg::Dir}, {Enc::A128GCM}));
    });
    const std::string small = jwtkit::jwe::encrypt(password, Alg::Pbes2Hs256A128KW, Enc::A128GCM, "y", R"({"p2c":1000})");
    CHECK(jwtkit::jwe::decrypt(small, password, jwtkit::jwe::Policy({Alg::Pbes2Hs256A128KW}, {Enc::A128GCM}).max_p2c(1000))
              .plaintext == "y");
}

static void jwe_with_a_key_set() {
    using jwtkit::jwe::Alg;
    using jwtkit::jwe::Enc;
    const std::string a = R"({"kty":"oct","kid":"a","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"})";
    const std::string b = R"({"kty":"oct","kid":"b","k":"ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA"})";
    const jwtkit::KeySet set = jwtkit::KeySet::from_jwks_for_decryption(
        "{\"keys\":[" + a + "," + b + R"(,{"kty":"oct","kid":"s","use":"sig","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]})");
    CHECK(set.size() == 2 && set.skipped().size() == 1 && set.skipped()[0].status == JWTKIT_ERR_KEY_USAGE);
    const jwtkit::jwe::Policy policy({Alg::A256KW}, {Enc::A256GCM});
    const std::string token = jwtkit::jwe::encrypt(jwtkit::Key::from_jwk(b), Alg::A256KW, Enc::A256GCM, "to b");
    CHECK(jwtkit::jwe::decrypt(token, set, policy).plaintext == "to b");
    const std::string unknown =
        jwtkit::jwe::encrypt(jwtkit::Key::from_jwk(b), Alg::A256KW, Enc::A256GCM, "x", R"({"kid":"nope"})");
    expect_error(JWTKIT_ERR_KEY_NOT_FOUND, [&] { jwtkit::jwe::decrypt(unknown, set, policy); });
    const jwtkit::KeySet for_verifying = jwtkit::KeySet::from_jwks("{\"keys\":[" + a + "]}");
    expect_error(JWTKIT_ERR_INVALID_ARGUMENT, [&] { jwtkit::jwe::decrypt(token, for_verifying, policy); });
}

static void versions() {
    CHECK(jwtkit::abi_matches());
    CHECK(jwtkit::version_number() == JWTKIT_VERSION_NUMBER);
    CHECK(jwtkit::version() == std::string("jwtkit/") + JWTKIT_VERSION_STRING);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s KEYS_DIR\n", argv[0]);
        return 2;
    }
    keys_dir = argv[1];
    run("round_trip_hs256_with_builders", round_trip_hs256_with_builders);
    run("lvalue_builders", lvalue_builders);
    run("every_algorithm_with_pem_keys", every_algorithm_with_pem_keys);
    run("errors_carry_status_and_message", errors_carry_status_and_message);
    run("exception_midway_leaks_nothing", exception_midway_leaks_nothing);
    run("moves_transfer_ownership", moves_transfer_ownership);
    run("revocation_callable", revocation_callable);
    run("jws_and_decode", jws_and_decode);
    run("generated_keys_and_export", generated_keys_and_export);
    run("key_sets", key_sets);
    run("limits", limits);
    run("jwks_options_refusals", jwks_options_refusals);
    run("jwks_source_fed", jwks_source_fed);
    if (std::getenv("JWTKIT_TEST_JWKS_DIR") && std::getenv("JWTKIT_TEST_JWKS_HTTPS") &&
        std::getenv("JWTKIT_TEST_JWKS_HTTP") && std::getenv("JWTKIT_TEST_JWKS_CA"))
        run("jwks_source_fetching", jwks_source_fetching);
    else
        std::printf("skip jwks_source_fetching: JWTKIT_TEST_JWKS_* do not describe a test server\n");
    run("detached_payloads", detached_payloads);
    run("dpop_proofs_and_binding", dpop_proofs_and_binding);
    run("jws_json_signatures", jws_json_signatures);
    run("jwe_every_algorithm_and_the_pbes2_cap", jwe_every_algorithm_and_the_pbes2_cap);
    run("jwe_with_a_key_set", jwe_with_a_key_set);
    run("versions", versions);
    return check_summary();
}
