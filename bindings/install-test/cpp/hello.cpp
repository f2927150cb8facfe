// hello.cpp: a C++17 program using an installed jwtkit through CMake's
// find_package(jwtkit) and the header-only wrapper <jwtkit.hpp>.
#include <jwtkit.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

int main() {
    if (!jwtkit::abi_matches()) {
        std::fprintf(stderr, "jwtkit.h and the loaded library disagree on the ABI\n");
        return 1;
    }
    try {
        const auto key = jwtkit::Key::from_secret("a secret of at least 32 bytes for HS256!");
        const std::string token = jwtkit::sign(
            key, jwtkit::Alg::HS256, R"({"sub":"alice"})",
            jwtkit::SignOptions().issuer("https://issuer.example").audience("api").expires_in(5min));

        const auto policy = jwtkit::Validation({jwtkit::Alg::HS256})
                                .issuer("https://issuer.example")
                                .audience("api");
        const jwtkit::Jwt jwt = jwtkit::verify(token, key, policy);
        std::printf("%s: %s\nclaims: %s\n", jwtkit::version().data(), token.c_str(), jwt.claims.c_str());

        try {
            (void)jwtkit::verify(token, key, jwtkit::Validation({jwtkit::Alg::HS256}).audience("billing"));
            std::fprintf(stderr, "a wrong audience was accepted\n");
            return 1;
        } catch (const jwtkit::Error &e) {
            if (e.status() != JWTKIT_ERR_AUDIENCE_MISMATCH)
                throw;
            std::printf("refused as expected: %s (%s)\n", e.what(), e.status_name());
        }
    } catch (const jwtkit::Error &e) {
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        return 1;
    }
    return 0;
}
