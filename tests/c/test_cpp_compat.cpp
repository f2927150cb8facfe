// tests/c/test_cpp_compat.cpp: jwtkit.h from C++17 (-Wall -Wextra -Werror).
// The header must carry its own extern "C" guard (no wrapping here), survive
// being included twice, and its handles must fit RAII. Built by tests/c_api.rs.
#include "jwtkit.h"
#include "jwtkit.h" // the include guard

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "check.h" // the C tests' harness, which must build as C++ too

namespace {

struct KeyFree {
    void operator()(const jwtkit_key *k) const noexcept { jwtkit_key_free(k); }
};
struct ValidationFree {
    void operator()(jwtkit_validation *v) const noexcept { jwtkit_validation_free(v); }
};
struct StringFree {
    void operator()(char *s) const noexcept { jwtkit_string_free(s); }
};
struct ErrorFree {
    void operator()(jwtkit_error *e) const noexcept { jwtkit_error_free(e); }
};
using Key = std::unique_ptr<const jwtkit_key, KeyFree>;
using Validation = std::unique_ptr<jwtkit_validation, ValidationFree>;
using String = std::unique_ptr<char, StringFree>;
using Error = std::unique_ptr<jwtkit_error, ErrorFree>;

const uint8_t *bytes(std::string_view s) { return reinterpret_cast<const uint8_t *>(s.data()); }

} // namespace

int main()
{
    // constexpr use of the header's macros and constants
    static_assert(JWTKIT_OK == 0, "JWTKIT_OK");
    static_assert(JWTKIT_VERSION_NUMBER ==
                      JWTKIT_VERSION_MAJOR * 1000000 + JWTKIT_VERSION_MINOR * 1000 +
                          JWTKIT_VERSION_PATCH,
                  "version number");
    CHECK(jwtkit_version_number() == JWTKIT_VERSION_NUMBER);
    CHECK(jwtkit_abi_version() == JWTKIT_ABI_VERSION);

    constexpr std::string_view secret = "a C++ secret of at least thirty-two bytes";
    constexpr std::string_view claims = R"({"sub":"c++","n":17})";

    jwtkit_error *raw_err = nullptr;
    const jwtkit_key *raw_key = nullptr;
    jwtkit_status st = jwtkit_key_from_secret(bytes(secret), secret.size(), 0, &raw_key, &raw_err);
    Key key(raw_key);
    Error err(raw_err);
    CHECK(st == JWTKIT_OK && key && !err);

    const jwtkit_alg algs[] = {JWTKIT_ALG_HS256};
    jwtkit_validation *raw_v = nullptr;
    st = jwtkit_validation_new(algs, 1, &raw_v, nullptr);
    Validation validation(raw_v);
    CHECK(st == JWTKIT_OK && validation);

    char *raw_token = nullptr;
    size_t token_len = 0;
    st = jwtkit_sign(key.get(), JWTKIT_ALG_HS256, bytes(claims), claims.size(), nullptr, 0,
                     &raw_token, &token_len, nullptr);
    String token(raw_token);
    CHECK(st == JWTKIT_OK && token && std::strlen(token.get()) == token_len);
    if (!token)
        return check_summary();

    char *raw_claims = nullptr;
    size_t claims_len = 0;
    st = jwtkit_verify(bytes(token.get()), token_len, key.get(), validation.get(), nullptr,
                       nullptr, &raw_claims, &claims_len, nullptr);
    String verified(raw_claims);
    CHECK(st == JWTKIT_OK && verified && std::string_view(verified.get(), claims_len) == claims);

    // a failure, with details
    std::string tampered(token.get(), token_len);
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'x' ? 'y' : 'x';
    raw_err = nullptr;
    st = jwtkit_verify(bytes(tampered), tampered.size(), key.get(), validation.get(), nullptr,
                       nullptr, nullptr, nullptr, &raw_err);
    err.reset(raw_err);
    CHECK(st != JWTKIT_OK && err && jwtkit_error_status(err.get()) == st);
    CHECK(err && std::strlen(jwtkit_error_message(err.get())) > 0);
    CHECK(std::string(jwtkit_status_str(st)).rfind("JWTKIT_ERR_", 0) == 0);

    return check_summary();
}
