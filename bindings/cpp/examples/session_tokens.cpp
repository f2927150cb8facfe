// session_tokens.cpp: issue and check short-lived session tokens with <jwtkit.hpp>.
//
//   With CMake:       cmake -S bindings/cpp/examples -B build -DCMAKE_PREFIX_PATH=$PREFIX
//                     cmake --build build && build/session_tokens
//   With pkg-config:  c++ -std=c++17 -o session_tokens session_tokens.cpp $(pkg-config --cflags --libs jwtkit)
//
// Shows the two builders (SignOptions, Validation), a revocation list consulted by the
// library, and how each failure arrives as a jwtkit::Error with its status.
#include <jwtkit.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <string_view>

using namespace std::chrono_literals;

namespace {

// A revocation list: the library calls it, with the token's jti, after every other
// check has passed.
struct RevokedIds {
    std::set<std::string, std::less<>> ids;
    bool operator()(std::string_view jti, std::string_view /*claims_json*/) const {
        return ids.find(jti) != ids.end();
    }
};

bool expect(jwtkit_status wanted, const char *what, const std::function<void()> &attempt) {
    try {
        attempt();
    } catch (const jwtkit::Error &e) {
        std::printf("%-28s refused: %s (%s)\n", what, e.what(), e.status_name());
        return e.status() == wanted;
    }
    std::printf("%-28s accepted, but should not be\n", what);
    return false;
}

} // namespace

int main() {
    const int64_t now = 1767225600; // 2026-01-01T00:00:00Z, fixed so the output is stable
    const auto key = jwtkit::Key::from_secret("session secret: 32 bytes or more, from a vault");

    auto issue = [&](std::string_view user, std::string_view jti) {
        return jwtkit::sign(key, jwtkit::Alg::HS256, "{\"jti\":\"" + std::string(jti) + "\"}",
                            jwtkit::SignOptions()
                                .issuer("https://login.example")
                                .subject(user)
                                .audience("web")
                                .expires_in(15min)
                                .now(now));
    };

    RevokedIds revoked;
    auto policy = jwtkit::Validation({jwtkit::Alg::HS256})
                      .issuer("https://login.example")
                      .audience("web")
                      .require("exp")
                      .leeway(30s)
                      .revocation_check(revoked);

    try {
        const std::string alice = issue("alice", "s-1");
        const std::string bob = issue("bob", "s-2");
        revoked.ids.insert("s-2"); // bob logged out

        policy.now(now + 60);
        const jwtkit::Jwt ok = jwtkit::verify(alice, key, policy);
        std::printf("%-28s valid: %s\n", "alice, after a minute", ok.claims.c_str());

        bool good = expect(JWTKIT_ERR_REVOKED, "bob, logged out", [&] { (void)jwtkit::verify(bob, key, policy); });
        policy.now(now + 15 * 60 + 31);
        good &= expect(JWTKIT_ERR_EXPIRED, "alice, after 15m31s", [&] { (void)jwtkit::verify(alice, key, policy); });
        const auto other = jwtkit::Key::from_secret("another service's secret, also 32+ bytes");
        good &= expect(JWTKIT_ERR_SIGNATURE_INVALID, "alice, other service's key",
                       [&] { (void)jwtkit::verify(alice, other, policy); });
        return good ? 0 : 1;
    } catch (const jwtkit::Error &e) {
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        return 1;
    }
}
