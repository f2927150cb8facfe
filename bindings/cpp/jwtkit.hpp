// jwtkit.hpp: a header-only C++17 wrapper over the jwtkit C API (jwtkit.h).
// SPDX-License-Identifier: MIT OR Apache-2.0
//
// - Every handle has one move-only owner (Key, KeySet, Validation, SignOptions,
//   JwksOptions, JwksSource) that frees it in its destructor; strings jwtkit allocates
//   are copied into std::string and released at once, also when the copy throws.
// - Inputs are std::string_view (bytes, need no NUL); outputs are std::string.
// - Every failing call throws jwtkit::Error, which carries the jwtkit_status and the
//   library's message. Nothing else throws, apart from std::bad_alloc.
// - Nothing here decides anything about tokens: every check happens in the library.
//
//   #include <jwtkit.hpp>
//   auto key = jwtkit::Key::from_pem(pem);
//   auto policy = jwtkit::Validation({jwtkit::Alg::RS256}).issuer("https://issuer.example");
//   jwtkit::Jwt jwt = jwtkit::verify(token, key, policy);   // jwt.header, jwt.claims
//
//   // keys from an identity provider, cached and refreshed by the library
//   auto idp = jwtkit::JwksSource::from_issuer("https://issuer.example");
//   jwtkit::Jwt jwt2 = idp.verify(token, policy);
//
//   // DPoP (RFC 9449): a proof for the request, then the token bound to its key
//   auto proof = jwtkit::dpop::verify_proof(dpop_header, {"GET", url, token}, dpop_policy);
//   jwtkit::Jwt bound = jwtkit::dpop::verify_token(token, key, policy, &proof);
#ifndef JWTKIT_HPP
#define JWTKIT_HPP

#include <jwtkit.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace jwtkit {

// ---------------------------------------------------------------------------------
// Errors

/// A failed jwtkit call: `status()` is the `JWTKIT_ERR_*` code, `what()` the message.
class Error : public std::runtime_error {
public:
    Error(jwtkit_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}

    /// The `JWTKIT_ERR_*` code.
    jwtkit_status status() const noexcept { return status_; }

    /// The code's static name, e.g. "JWTKIT_ERR_EXPIRED".
    const char *status_name() const noexcept { return jwtkit_status_str(status_); }

private:
    jwtkit_status status_;
};

namespace detail {

struct ErrorFree {
    void operator()(jwtkit_error *e) const noexcept { jwtkit_error_free(e); }
};
struct StringFree {
    void operator()(char *s) const noexcept { jwtkit_string_free(s); }
};
using ErrorPtr = std::unique_ptr<jwtkit_error, ErrorFree>;
using StringPtr = std::unique_ptr<char, StringFree>;

/// Collects the `jwtkit_error **` of one call and throws on failure. The error is
/// owned (and freed) before anything that could throw runs.
class Call {
public:
    Call() = default;
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;
    ~Call() { jwtkit_error_free(err_); }

    jwtkit_error **err() noexcept { return &err_; }

    void check(jwtkit_status status) {
        if (status == JWTKIT_OK)
            return;
        ErrorPtr owned(err_);
        err_ = nullptr;
        const jwtkit_status code = owned ? jwtkit_error_status(owned.get()) : status;
        const char *msg = owned ? jwtkit_error_message(owned.get()) : jwtkit_status_str(status);
        throw Error(code, std::string(msg));
    }

private:
    jwtkit_error *err_ = nullptr;
};

/// `(ptr, len)` of a view, as the C API takes it: (NULL, 0) for an empty view.
inline const uint8_t *bytes(std::string_view v) noexcept {
    return reinterpret_cast<const uint8_t *>(v.data());
}

/// Receives one `char **out, size_t *out_len` pair; frees the C string in all cases.
class Out {
public:
    Out() = default;
    Out(const Out &) = delete;
    Out &operator=(const Out &) = delete;
    ~Out() { jwtkit_string_free(ptr_); }

    char **ptr() noexcept { return &ptr_; }
    size_t *len() noexcept { return &len_; }

    std::string take() {
        StringPtr owned(ptr_);
        ptr_ = nullptr;
        return owned ? std::string(owned.get(), len_) : std::string();
    }

    /// As take(), for secret material: jwtkit's buffer is wiped before it is freed.
    /// (The returned std::string is the caller's to wipe.)
    std::string take_secret() {
        std::string copy;
        try {
            copy = take_unfreed();
        } catch (...) {
            wipe();
            throw;
        }
        wipe();
        return copy;
    }

private:
    std::string take_unfreed() const { return ptr_ ? std::string(ptr_, len_) : std::string(); }
    void wipe() noexcept {
        if (ptr_ != nullptr) {
            volatile char *p = ptr_;
            for (size_t i = 0; i < len_; i++)
                p[i] = 0;
        }
        jwtkit_string_free(std::exchange(ptr_, nullptr));
    }

    char *ptr_ = nullptr;
    size_t len_ = 0;
};

} // namespace detail

// ---------------------------------------------------------------------------------
// Algorithms and versions

/// The JWS algorithms jwtkit implements (`JWTKIT_ALG_*`, numbered by the library; a new
/// one is appended to both).
enum class Alg : jwtkit_alg {
    HS256 = JWTKIT_ALG_HS256,
    HS384 = JWTKIT_ALG_HS384,
    HS512 = JWTKIT_ALG_HS512,
    RS256 = JWTKIT_ALG_RS256,
    RS384 = JWTKIT_ALG_RS384,
    RS512 = JWTKIT_ALG_RS512,
    PS256 = JWTKIT_ALG_PS256,
    PS384 = JWTKIT_ALG_PS384,
    PS512 = JWTKIT_ALG_PS512,
    ES256 = JWTKIT_ALG_ES256,
    ES384 = JWTKIT_ALG_ES384,
    ES512 = JWTKIT_ALG_ES512,
    EdDSA = JWTKIT_ALG_EDDSA,
    ES256K = JWTKIT_ALG_ES256K,
};

/// The registered name ("HS256", …, "EdDSA", "ES256K"). Throws for a value outside the enum.
inline std::string_view alg_name(Alg alg) {
    const char *name = jwtkit_alg_name(static_cast<jwtkit_alg>(alg));
    if (name == nullptr)
        throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "unknown algorithm number");
    return name;
}

/// Looks up a registered, case-sensitive name; `none` is never one.
inline Alg alg_from_name(std::string_view name) {
    detail::Call call;
    jwtkit_alg alg = 0;
    call.check(jwtkit_alg_from_name(detail::bytes(name), name.size(), &alg, call.err()));
    return static_cast<Alg>(alg);
}

/// "jwtkit/MAJOR.MINOR.PATCH" of the library actually loaded.
inline std::string_view version() noexcept { return jwtkit_version(); }
/// MAJOR·1000000 + MINOR·1000 + PATCH of the library actually loaded.
inline uint32_t version_number() noexcept { return jwtkit_version_number(); }
/// The ABI version of the library actually loaded.
inline uint32_t abi_version() noexcept { return jwtkit_abi_version(); }
/// Whether the loaded library has the ABI this header was compiled against.
inline bool abi_matches() noexcept { return jwtkit_abi_version() == JWTKIT_ABI_VERSION; }

// ---------------------------------------------------------------------------------
// Keys

/// What a key is (`JWTKIT_KEY_KIND_*`).
enum class KeyKind : jwtkit_key_kind {
    None = JWTKIT_KEY_KIND_NONE,
    Hmac = JWTKIT_KEY_KIND_HMAC,
    Rsa = JWTKIT_KEY_KIND_RSA,
    EcP256 = JWTKIT_KEY_KIND_EC_P256,
    EcP384 = JWTKIT_KEY_KIND_EC_P384,
    EcP521 = JWTKIT_KEY_KIND_EC_P521,
    Ed25519 = JWTKIT_KEY_KIND_ED25519,
    X25519 = JWTKIT_KEY_KIND_X25519,
    EcSecp256k1 = JWTKIT_KEY_KIND_EC_SECP256K1,
};

/// Owns one immutable `jwtkit_key`. Move-only; a moved-from Key is empty.
/// Thread safety: a Key may be used by any number of threads at once.
class Key {
public:
    /// HMAC secret (any bytes). `allow_short_secret` accepts secrets shorter than the
    /// hash (JWTKIT_KEY_ALLOW_SHORT_SECRET): only for legacy systems.
    static Key from_secret(std::string_view secret, bool allow_short_secret = false) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_from_secret(detail::bytes(secret), secret.size(),
                                          allow_short_secret ? JWTKIT_KEY_ALLOW_SHORT_SECRET : 0,
                                          &k, call.err()));
        return Key(k);
    }

    /// A PEM document (PKCS#8, PKCS#1, SEC1, SPKI or a certificate).
    static Key from_pem(std::string_view pem) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_from_pem(detail::bytes(pem), pem.size(), &k, call.err()));
        return Key(k);
    }

    /// DER bytes in any of the formats of from_pem.
    static Key from_der(std::string_view der) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_from_der(detail::bytes(der), der.size(), &k, call.err()));
        return Key(k);
    }

    /// One JSON Web Key; its `alg`, `use`, `key_ops` are enforced and its `kid` is
    /// put into the header of tokens it signs.
    static Key from_jwk(std::string_view jwk) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_from_jwk(detail::bytes(jwk), jwk.size(), &k, call.err()));
        return Key(k);
    }

    /// A new random key for `alg` (HMAC secret, P-256/P-384/P-521/secp256k1 or Ed25519
    /// pair), restricted to `alg`, without `kid`. RSA keys: `generate_rsa`.
    static Key generate(Alg alg) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_generate(static_cast<jwtkit_alg>(alg), &k, call.err()));
        return Key(k);
    }

    /// A new random RSA key pair of `bits` (2048, 3072 or 4096), restricted to `alg` (an
    /// RS* or PS* algorithm) or, without one, usable for every RSA algorithm including
    /// JWE RSA-OAEP. No `kid`. Slow: up to seconds for 4096 bits.
    static Key generate_rsa(std::uint32_t bits, std::optional<Alg> alg = std::nullopt) {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        const jwtkit_alg a = alg ? static_cast<jwtkit_alg>(*alg) : 0;
        call.check(jwtkit_key_generate_rsa(a, bits, &k, call.err()));
        return Key(k);
    }

    /// A new key with this key's material and restrictions and the `kid` given
    /// (empty: no `kid`). This key is unchanged.
    Key with_kid(std::string_view kid) const {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_key_with_kid(key_, detail::bytes(kid), kid.size(), &k, call.err()));
        return Key(k);
    }

    /// The key's `kid`, empty when it has none.
    std::string kid() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_kid(key_, out.ptr(), out.len(), call.err()));
        return out.take();
    }

    /// What the key is.
    KeyKind kind() const noexcept { return static_cast<KeyKind>(jwtkit_key_get_kind(key_)); }

    /// Whether it can sign (HMAC secrets and private keys).
    bool is_private() const noexcept { return jwtkit_key_is_private(key_); }

    /// Whether it verifies tokens of `alg` (kind and curve, JWK restrictions, secret length).
    bool can_verify(Alg alg) const noexcept { return jwtkit_key_can_verify(key_, static_cast<jwtkit_alg>(alg)); }

    /// The public half as a JWK: what an issuer publishes.
    std::string to_public_jwk() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_to_public_jwk(key_, out.ptr(), out.len(), call.err()));
        return out.take();
    }

    /// The whole key as a JWK, PRIVATE MEMBERS INCLUDED: for storing, never publishing.
    std::string to_private_jwk() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_to_private_jwk(key_, out.ptr(), out.len(), call.err()));
        return out.take_secret();
    }

    /// The public half as PEM `PUBLIC KEY` (SPKI).
    std::string to_public_pem() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_to_public_pem(key_, out.ptr(), out.len(), call.err()));
        return out.take();
    }

    /// The private key as PEM `PRIVATE KEY` (PKCS#8). SECRET.
    std::string to_private_pem() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_to_private_pem(key_, out.ptr(), out.len(), call.err()));
        return out.take_secret();
    }

    /// The RFC 7638 thumbprint (base64url SHA-256, 43 characters); usable as a `kid`.
    std::string thumbprint() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_key_thumbprint(key_, out.ptr(), out.len(), call.err()));
        return out.take();
    }

    /// Adopts a handle from the C API (NULL gives an empty Key).
    explicit Key(const jwtkit_key *adopt) noexcept : key_(adopt) {}
    Key(Key &&other) noexcept : key_(std::exchange(other.key_, nullptr)) {}
    Key &operator=(Key &&other) noexcept {
        if (this != &other)
            jwtkit_key_free(std::exchange(key_, std::exchange(other.key_, nullptr)));
        return *this;
    }
    Key(const Key &) = delete;
    Key &operator=(const Key &) = delete;
    ~Key() { jwtkit_key_free(key_); }

    /// The handle, still owned by this Key.
    const jwtkit_key *get() const noexcept { return key_; }
    /// Gives up ownership: the caller frees the handle with jwtkit_key_free.
    const jwtkit_key *release() noexcept { return std::exchange(key_, nullptr); }
    explicit operator bool() const noexcept { return key_ != nullptr; }

private:
    const jwtkit_key *key_;
};

/// Why a key set left a key out.
struct SkippedKey {
    jwtkit_status status;
    std::string message; // names the key's position and kid
};

/// Owns one immutable `jwtkit_keyset`: keys chosen by the token's `kid` when verifying.
/// Move-only. Thread safety: may be used by any number of threads at once; to rotate,
/// build a new set.
class KeySet {
public:
    /// A JWK Set document, `{"keys":[...]}`. Keys it cannot use are skipped (see
    /// skipped()), not fatal; the set may be empty.
    static KeySet from_jwks(std::string_view jwks) {
        detail::Call call;
        const jwtkit_keyset *set = nullptr;
        call.check(jwtkit_keyset_from_jwks(detail::bytes(jwks), jwks.size(), &set, call.err()));
        return KeySet(set);
    }

    /// A JWK Set document read for JWE decryption (jwtkit::jwe::decrypt with a set): the
    /// keys that can decrypt are kept, the others skipped (see skipped()). Such a set is
    /// refused for verification, and a set made by from_jwks for decryption.
    static KeySet from_jwks_for_decryption(std::string_view jwks) {
        detail::Call call;
        const jwtkit_keyset *set = nullptr;
        call.check(jwtkit_keyset_from_jwks_for_decryption(detail::bytes(jwks), jwks.size(), &set, call.err()));
        return KeySet(set);
    }

    /// A set of these keys (each borrowed; the set takes its own reference).
    static KeySet from_keys(std::initializer_list<std::reference_wrapper<const Key>> keys) {
        std::vector<const jwtkit_key *> raw;
        raw.reserve(keys.size());
        for (const Key &k : keys)
            raw.push_back(k.get());
        return from_raw(raw);
    }
    static KeySet from_keys(const std::vector<Key> &keys) {
        std::vector<const jwtkit_key *> raw;
        raw.reserve(keys.size());
        for (const Key &k : keys)
            raw.push_back(k.get());
        return from_raw(raw);
    }

    explicit KeySet(const jwtkit_keyset *adopt) noexcept : set_(adopt) {}
    KeySet(KeySet &&other) noexcept : set_(std::exchange(other.set_, nullptr)) {}
    KeySet &operator=(KeySet &&other) noexcept {
        if (this != &other)
            jwtkit_keyset_free(std::exchange(set_, std::exchange(other.set_, nullptr)));
        return *this;
    }
    KeySet(const KeySet &) = delete;
    KeySet &operator=(const KeySet &) = delete;
    ~KeySet() { jwtkit_keyset_free(set_); }

    /// The number of usable keys.
    size_t size() const noexcept { return jwtkit_keyset_len(set_); }

    /// The usable key at `index` (a new reference; the set keeps its own).
    Key at(size_t index) const {
        detail::Call call;
        const jwtkit_key *k = nullptr;
        call.check(jwtkit_keyset_get(set_, index, &k, call.err()));
        return Key(k);
    }

    /// The keys left out, and why.
    std::vector<SkippedKey> skipped() const {
        std::vector<SkippedKey> out;
        const size_t n = jwtkit_keyset_skipped_count(set_);
        out.reserve(n);
        for (size_t i = 0; i < n; i++) {
            detail::Call call;
            detail::Out message;
            jwtkit_status status = JWTKIT_OK;
            call.check(jwtkit_keyset_skipped(set_, i, &status, message.ptr(), message.len(), call.err()));
            out.push_back(SkippedKey{status, message.take()});
        }
        return out;
    }

    /// The public JWK Set of the usable keys: what an issuer publishes.
    std::string to_public_jwks() const {
        detail::Call call;
        detail::Out out;
        call.check(jwtkit_keyset_to_public_jwks(set_, out.ptr(), out.len(), call.err()));
        return out.take();
    }

    const jwtkit_keyset *get() const noexcept { return set_; }
    const jwtkit_keyset *release() noexcept { return std::exchange(set_, nullptr); }
    explicit operator bool() const noexcept { return set_ != nullptr; }

private:
    static KeySet from_raw(const std::vector<const jwtkit_key *> &raw) {
        detail::Call call;
        const jwtkit_keyset *set = nullptr;
        call.check(jwtkit_keyset_from_keys(raw.data(), raw.size(), &set, call.err()));
        return KeySet(set);
    }

    const jwtkit_keyset *set_;
};

// ---------------------------------------------------------------------------------
// Builders. Every setter exists for lvalues (returns Builder&) and for temporaries
// (returns Builder&&), so both of these work:
//     jwtkit::Validation v({jwtkit::Alg::ES256});  v.issuer("a").audience("b");
//     auto v = jwtkit::Validation({jwtkit::Alg::ES256}).issuer("a").audience("b");

#define JWTKIT_HPP_RVALUE_SETTER(Type, name, Param)                                      \
    Type &&name(Param value) && { return std::move(this->name(value)); }

/// Options for issuing tokens: registered claims and header members. Owns one
/// `jwtkit_sign_options`. Defaults: `iat` = now, nothing else. Move-only.
/// Thread safety: configure from one thread; then any number may sign with it.
class SignOptions {
public:
    SignOptions() {
        detail::Call call;
        call.check(jwtkit_sign_options_new(&opts_, call.err()));
    }
    explicit SignOptions(jwtkit_sign_options *adopt) noexcept : opts_(adopt) {}
    SignOptions(SignOptions &&other) noexcept : opts_(std::exchange(other.opts_, nullptr)) {}
    SignOptions &operator=(SignOptions &&other) noexcept {
        if (this != &other)
            jwtkit_sign_options_free(std::exchange(opts_, std::exchange(other.opts_, nullptr)));
        return *this;
    }
    SignOptions(const SignOptions &) = delete;
    SignOptions &operator=(const SignOptions &) = delete;
    ~SignOptions() { jwtkit_sign_options_free(opts_); }

    /// Adds `exp` = now + `lifetime` (whole seconds; must not be negative).
    SignOptions &expires_in(std::chrono::seconds lifetime) & {
        if (lifetime.count() < 0)
            throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "sign options: lifetime must not be negative");
        detail::Call call;
        call.check(jwtkit_sign_options_set_lifetime(opts_, static_cast<uint64_t>(lifetime.count()), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, expires_in, std::chrono::seconds)

    /// Adds `nbf` = `unix_seconds`.
    SignOptions &not_before(int64_t unix_seconds) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_not_before(opts_, unix_seconds, call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, not_before, int64_t)

    /// Whether to add `iat` = now (default true).
    SignOptions &issued_at(bool enabled) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_issued_at(opts_, enabled, call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, issued_at, bool)

    /// Fixes "now" for `iat` and `exp` (tests, reproducible output).
    SignOptions &now(int64_t unix_seconds) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_now(opts_, unix_seconds, call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, now, int64_t)

    /// Adds `iss`.
    SignOptions &issuer(std::string_view iss) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_issuer(opts_, detail::bytes(iss), iss.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, issuer, std::string_view)

    /// Adds `sub`.
    SignOptions &subject(std::string_view sub) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_subject(opts_, detail::bytes(sub), sub.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, subject, std::string_view)

    /// Adds an audience; one gives `"aud":"x"`, several give an array.
    SignOptions &audience(std::string_view aud) & {
        detail::Call call;
        call.check(jwtkit_sign_options_add_audience(opts_, detail::bytes(aud), aud.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, audience, std::string_view)

    /// Whether to add a random 128-bit `jti`.
    SignOptions &random_jti(bool enabled = true) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_random_jti(opts_, enabled, call.err()));
        return *this;
    }
    SignOptions &&random_jti(bool enabled = true) && { return std::move(this->random_jti(enabled)); }

    /// Sets the header member `name` ("kid", "typ", "cty", …; never "alg") to a string.
    SignOptions &header(std::string_view name, std::string_view value) & {
        detail::Call call;
        call.check(jwtkit_sign_options_set_header(opts_, detail::bytes(name), name.size(),
                                                  detail::bytes(value), value.size(), call.err()));
        return *this;
    }
    SignOptions &&header(std::string_view name, std::string_view value) && {
        return std::move(this->header(name, value));
    }

    /// Sets the header's `kid`.
    SignOptions &key_id(std::string_view kid) & { return header("kid", kid); }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, key_id, std::string_view)

    /// Sets the header's `typ` (default "JWT").
    SignOptions &type(std::string_view typ) & { return header("typ", typ); }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, type, std::string_view)

    /// Merges a JSON object of extra header members (any JSON values; no `alg`).
    SignOptions &header_json(std::string_view json) & {
        detail::Call call;
        call.check(jwtkit_sign_options_merge_header_json(opts_, detail::bytes(json), json.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(SignOptions, header_json, std::string_view)

    const jwtkit_sign_options *get() const noexcept { return opts_; }
    jwtkit_sign_options *get() noexcept { return opts_; }
    jwtkit_sign_options *release() noexcept { return std::exchange(opts_, nullptr); }
    explicit operator bool() const noexcept { return opts_ != nullptr; }

private:
    jwtkit_sign_options *opts_ = nullptr;
};

/// Checks that can be switched off with Validation::disable (`JWTKIT_CHECK_*`).
enum class Check : uint32_t {
    Exp = JWTKIT_CHECK_EXP,
    Nbf = JWTKIT_CHECK_NBF,
    Iat = JWTKIT_CHECK_IAT,
    Aud = JWTKIT_CHECK_AUD,
    Iss = JWTKIT_CHECK_ISS,
    Sub = JWTKIT_CHECK_SUB,
};

/// Resource limits of a Validation (`JWTKIT_LIMIT_*`).
enum class Limit : jwtkit_limit {
    TokenLen = JWTKIT_LIMIT_TOKEN_LEN,
    HeaderLen = JWTKIT_LIMIT_HEADER_LEN,
    JsonDepth = JWTKIT_LIMIT_JSON_DEPTH,
    KeysTried = JWTKIT_LIMIT_KEYS_TRIED,
};

/// A verification policy: the algorithm allow-list (never empty, never `none`),
/// leeway, clock and claim checks. Owns one `jwtkit_validation`. Move-only.
/// Thread safety: configure first; then any number of threads may verify with it.
class Validation {
public:
    /// Accepts exactly the algorithms in `algs` (at least one).
    Validation(std::initializer_list<Alg> algs) : Validation(algs.begin(), algs.size()) {}
    explicit Validation(const std::vector<Alg> &algs) : Validation(algs.data(), algs.size()) {}
    explicit Validation(jwtkit_validation *adopt) noexcept : v_(adopt) {}

    Validation(Validation &&other) noexcept : v_(std::exchange(other.v_, nullptr)) {}
    Validation &operator=(Validation &&other) noexcept {
        if (this != &other)
            jwtkit_validation_free(std::exchange(v_, std::exchange(other.v_, nullptr)));
        return *this;
    }
    Validation(const Validation &) = delete;
    Validation &operator=(const Validation &) = delete;
    ~Validation() { jwtkit_validation_free(v_); }

    /// Clock skew tolerated on `exp` and `nbf` (default 0; not negative).
    Validation &leeway(std::chrono::seconds skew) & {
        if (skew.count() < 0)
            throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "validation: leeway must not be negative");
        detail::Call call;
        call.check(jwtkit_validation_set_leeway(v_, static_cast<uint64_t>(skew.count()), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, leeway, std::chrono::seconds)

    /// Fixes "now" instead of the system clock (tests, deliberate replays).
    Validation &now(int64_t unix_seconds) & {
        detail::Call call;
        call.check(jwtkit_validation_set_now(v_, unix_seconds, call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, now, int64_t)

    /// Accepts this `iss` (exact comparison); call again to accept several.
    Validation &issuer(std::string_view iss) & {
        detail::Call call;
        call.check(jwtkit_validation_add_issuer(v_, detail::bytes(iss), iss.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, issuer, std::string_view)

    /// Accepts tokens whose `aud` contains this audience; call again for several.
    Validation &audience(std::string_view aud) & {
        detail::Call call;
        call.check(jwtkit_validation_add_audience(v_, detail::bytes(aud), aud.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, audience, std::string_view)

    /// Requires `aud` to be one string equal to the single configured audience.
    Validation &strict_audience(bool strict = true) & {
        detail::Call call;
        call.check(jwtkit_validation_set_strict_audience(v_, strict, call.err()));
        return *this;
    }
    Validation &&strict_audience(bool strict = true) && { return std::move(this->strict_audience(strict)); }

    /// Accepts base64-padded segments, as AWS Application Load Balancer writes them.
    Validation &allow_padded_base64(bool allow = true) & {
        detail::Call call;
        call.check(jwtkit_validation_allow_padded_base64(v_, allow, call.err()));
        return *this;
    }
    Validation &&allow_padded_base64(bool allow = true) && { return std::move(this->allow_padded_base64(allow)); }

    /// Requires `sub` to equal `sub`.
    Validation &subject(std::string_view sub) & {
        detail::Call call;
        call.check(jwtkit_validation_set_subject(v_, detail::bytes(sub), sub.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, subject, std::string_view)

    /// Requires the claim `name` (e.g. "exp", "jti") to be present.
    Validation &require(std::string_view name) & {
        detail::Call call;
        call.check(jwtkit_validation_require_claim(v_, detail::bytes(name), name.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, require, std::string_view)

    /// Requires the header's `typ` (case-insensitive, `application/` ignored).
    Validation &type(std::string_view typ) & {
        detail::Call call;
        call.check(jwtkit_validation_set_typ(v_, detail::bytes(typ), typ.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, type, std::string_view)

    /// The JWT profile for OAuth 2.0 access tokens (RFC 9068): `typ` at+jwt, `iss` equal
    /// to `issuer`, `aud` containing `audience`, and `iss`, `exp`, `aud`, `sub`,
    /// `client_id`, `iat` and `jti` required.
    Validation &access_token_profile(std::string_view issuer, std::string_view audience) & {
        detail::Call call;
        call.check(jwtkit_validation_set_access_token_profile(v_, detail::bytes(issuer), issuer.size(),
                                                              detail::bytes(audience), audience.size(), call.err()));
        return *this;
    }
    Validation &&access_token_profile(std::string_view issuer, std::string_view audience) && {
        return std::move(this->access_token_profile(issuer, audience));
    }

    /// Refuses tokens whose `iat` is older than `age` (requires `iat`).
    Validation &max_age(std::chrono::seconds age) & {
        if (age.count() < 0)
            throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "validation: max age must not be negative");
        detail::Call call;
        call.check(jwtkit_validation_set_max_age(v_, static_cast<uint64_t>(age.count()), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, max_age, std::chrono::seconds)

    /// Switches off one check (the signature and the allow-list are always checked).
    Validation &disable(Check check) & {
        detail::Call call;
        call.check(jwtkit_validation_disable_checks(v_, static_cast<uint32_t>(check), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(Validation, disable, Check)

    /// Sets one resource limit (the defaults suit real tokens; change with a reason).
    Validation &limit(Limit which, uint64_t value) & {
        detail::Call call;
        call.check(jwtkit_validation_set_limit(v_, static_cast<jwtkit_limit>(which), value, call.err()));
        return *this;
    }
    Validation &&limit(Limit which, uint64_t value) && { return std::move(this->limit(which, value)); }

    /// Registers a revocation check exactly as the C API takes it: `check` returns
    /// non-zero for a revoked token; `ctx` is borrowed and must outlive the policy.
    Validation &revocation_check(jwtkit_revocation_fn check, void *ctx) & {
        detail::Call call;
        call.check(jwtkit_validation_set_revocation_check(v_, check, ctx, call.err()));
        return *this;
    }
    Validation &&revocation_check(jwtkit_revocation_fn check, void *ctx) && {
        return std::move(this->revocation_check(check, ctx));
    }

    /// Registers `is_revoked`, a callable `bool(std::string_view jti, std::string_view
    /// claims_json)` (`jti` is empty when the token has none). It is borrowed: it must
    /// outlive the policy, and may be called from several threads at once. If it
    /// throws, the token counts as revoked (the exception cannot cross the C library).
    template <class F>
    Validation &revocation_check(F &is_revoked) & {
        static_assert(!std::is_function_v<F>, "pass a callable object, not a function");
        return revocation_check(&trampoline<F>, static_cast<void *>(std::addressof(is_revoked)));
    }
    template <class F>
    Validation &&revocation_check(F &is_revoked) && {
        return std::move(this->revocation_check(is_revoked));
    }

    const jwtkit_validation *get() const noexcept { return v_; }
    jwtkit_validation *get() noexcept { return v_; }
    jwtkit_validation *release() noexcept { return std::exchange(v_, nullptr); }
    explicit operator bool() const noexcept { return v_ != nullptr; }

private:
    Validation(const Alg *algs, size_t n) {
        static_assert(sizeof(Alg) == sizeof(jwtkit_alg), "Alg must have jwtkit_alg's layout");
        std::vector<jwtkit_alg> raw;
        raw.reserve(n);
        for (size_t i = 0; i < n; i++)
            raw.push_back(static_cast<jwtkit_alg>(algs[i]));
        detail::Call call;
        call.check(jwtkit_validation_new(raw.data(), raw.size(), &v_, call.err()));
    }

    template <class F>
    static int32_t trampoline(void *ctx, const char *jti, size_t jti_len, const char *claims,
                              size_t claims_len) noexcept {
        try {
            F &f = *static_cast<F *>(ctx);
            const std::string_view j = jti ? std::string_view(jti, jti_len) : std::string_view();
            return f(j, std::string_view(claims, claims_len)) ? 1 : 0;
        } catch (...) {
            return 1;
        }
    }

    jwtkit_validation *v_ = nullptr;
};

/// How a JwksSource caches and fetches (`jwtkit_jwks_options`). Defaults: cache time
/// 5 min without `max-age`, `max-age` honoured between 1 min and 1 day, cooldown 30 s,
/// the last good set served up to 6 h past its expiry; https only, the system's CAs,
/// connect timeout 5 s, total 10 s, body at most 1 MiB, at most 3 redirects. A source
/// copies its options when it is made. Owns one `jwtkit_jwks_options`. Move-only.
class JwksOptions {
public:
    JwksOptions() {
        detail::Call call;
        call.check(jwtkit_jwks_options_new(&opts_, call.err()));
    }
    explicit JwksOptions(jwtkit_jwks_options *adopt) noexcept : opts_(adopt) {}
    JwksOptions(JwksOptions &&other) noexcept : opts_(std::exchange(other.opts_, nullptr)) {}
    JwksOptions &operator=(JwksOptions &&other) noexcept {
        if (this != &other)
            jwtkit_jwks_options_free(std::exchange(opts_, std::exchange(other.opts_, nullptr)));
        return *this;
    }
    JwksOptions(const JwksOptions &) = delete;
    JwksOptions &operator=(const JwksOptions &) = delete;
    ~JwksOptions() { jwtkit_jwks_options_free(opts_); }

    /// The lifetime of an answer without `max-age`, and the bounds `max-age` (and
    /// `no-store`, read as 0) is clamped to (`min` <= `max`).
    JwksOptions &cache_times(std::chrono::milliseconds default_ttl, std::chrono::milliseconds min,
                             std::chrono::milliseconds max) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_set_cache_times(opts_, ms(default_ttl, "cache time"), ms(min, "cache time"),
                                                       ms(max, "cache time"), call.err()));
        return *this;
    }
    JwksOptions &&cache_times(std::chrono::milliseconds default_ttl, std::chrono::milliseconds min,
                              std::chrono::milliseconds max) && {
        return std::move(this->cache_times(default_ttl, min, max));
    }

    /// The least time between two refreshes asked for by unknown `kid`s or retried
    /// after a failure.
    JwksOptions &cooldown(std::chrono::milliseconds time) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_set_cooldown(opts_, ms(time, "cooldown"), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(JwksOptions, cooldown, std::chrono::milliseconds)

    /// How long past its expiry the last good set keeps serving while refreshes fail.
    JwksOptions &max_stale(std::chrono::milliseconds time) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_set_max_stale(opts_, ms(time, "max stale"), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(JwksOptions, max_stale, std::chrono::milliseconds)

    /// Allows plain `http://` URLs (tests and loopback only: a key set fetched in clear
    /// can be replaced on the way). A redirect from https to http is refused either way.
    JwksOptions &allow_http(bool allow = true) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_allow_http(opts_, allow, call.err()));
        return *this;
    }
    JwksOptions &&allow_http(bool allow = true) && { return std::move(this->allow_http(allow)); }

    /// The connect timeout and the total time of one fetch, redirects included (each at
    /// least 1 ms).
    JwksOptions &timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds total) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_set_timeouts(opts_, ms(connect, "timeout"), ms(total, "timeout"), call.err()));
        return *this;
    }
    JwksOptions &&timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds total) && {
        return std::move(this->timeouts(connect, total));
    }

    /// The largest body read (1 KiB to 1 MiB) and the most redirects followed (0 to 10).
    JwksOptions &limits(size_t max_body, uint32_t max_redirects) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_set_limits(opts_, max_body, max_redirects, call.err()));
        return *this;
    }
    JwksOptions &&limits(size_t max_body, uint32_t max_redirects) && {
        return std::move(this->limits(max_body, max_redirects));
    }

    /// Also trusts these CA certificates (PEM, one or more; or one DER certificate).
    JwksOptions &add_ca(std::string_view certificates) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_add_ca(opts_, detail::bytes(certificates), certificates.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(JwksOptions, add_ca, std::string_view)

    /// Also trusts the CA certificates of the file at `path` (read now).
    JwksOptions &add_ca_file(std::string_view path) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_add_ca_file(opts_, detail::bytes(path), path.size(), call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(JwksOptions, add_ca_file, std::string_view)

    /// Whether the system's CA store is trusted (the default); off, only the added CAs are.
    JwksOptions &system_cas(bool use) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_use_system_cas(opts_, use, call.err()));
        return *this;
    }
    JWTKIT_HPP_RVALUE_SETTER(JwksOptions, system_cas, bool)

    /// Adds a request header (at most 32), e.g. an API key a gateway wants.
    JwksOptions &header(std::string_view name, std::string_view value) & {
        detail::Call call;
        call.check(jwtkit_jwks_options_add_header(opts_, detail::bytes(name), name.size(), detail::bytes(value),
                                                  value.size(), call.err()));
        return *this;
    }
    JwksOptions &&header(std::string_view name, std::string_view value) && {
        return std::move(this->header(name, value));
    }

    const jwtkit_jwks_options *get() const noexcept { return opts_; }
    jwtkit_jwks_options *get() noexcept { return opts_; }
    jwtkit_jwks_options *release() noexcept { return std::exchange(opts_, nullptr); }
    explicit operator bool() const noexcept { return opts_ != nullptr; }

private:
    static uint64_t ms(std::chrono::milliseconds d, const char *what) {
        if (d.count() < 0)
            throw Error(JWTKIT_ERR_INVALID_ARGUMENT, std::string("JWKS options: a negative ") + what);
        return static_cast<uint64_t>(d.count());
    }

    jwtkit_jwks_options *opts_ = nullptr;
};

#undef JWTKIT_HPP_RVALUE_SETTER

// ---------------------------------------------------------------------------------
// Signing and verification

/// The header and claims JSON of a token, byte for byte as in the token.
struct Jwt {
    std::string header;
    std::string claims;
};

/// The header JSON and payload bytes of a JWS.
struct Jws {
    std::string header;
    std::string payload;
};

/// Signs `claims_json` (one JSON object, kept byte for byte) with `alg`. `header_json`
/// optionally adds header members such as `kid` (a JSON object; empty = none).
inline std::string sign(const Key &key, Alg alg, std::string_view claims_json,
                        std::string_view header_json = {}) {
    detail::Call call;
    detail::Out token;
    call.check(jwtkit_sign(key.get(), static_cast<jwtkit_alg>(alg), detail::bytes(claims_json),
                           claims_json.size(), detail::bytes(header_json), header_json.size(),
                           token.ptr(), token.len(), call.err()));
    return token.take();
}

/// Signs `claims_json` plus the registered claims and header members of `options`.
inline std::string sign(const Key &key, Alg alg, std::string_view claims_json,
                        const SignOptions &options) {
    detail::Call call;
    detail::Out token;
    call.check(jwtkit_sign_with_options(key.get(), static_cast<jwtkit_alg>(alg),
                                        detail::bytes(claims_json), claims_json.size(),
                                        options.get(), token.ptr(), token.len(), call.err()));
    return token.take();
}

/// Signs any payload bytes as a compact JWS (no `typ` default, no JSON requirement).
inline std::string sign_jws(const Key &key, Alg alg, std::string_view payload,
                            std::string_view header_json = {}) {
    detail::Call call;
    detail::Out token;
    call.check(jwtkit_jws_sign(key.get(), static_cast<jwtkit_alg>(alg), detail::bytes(payload),
                               payload.size(), detail::bytes(header_json), header_json.size(),
                               token.ptr(), token.len(), call.err()));
    return token.take();
}

/// Verifies a JWT with `key` under `policy`; throws jwtkit::Error when it is not valid.
inline Jwt verify(std::string_view token, const Key &key, const Validation &policy) {
    detail::Call call;
    detail::Out header, claims;
    call.check(jwtkit_verify(detail::bytes(token), token.size(), key.get(), policy.get(),
                             header.ptr(), header.len(), claims.ptr(), claims.len(), call.err()));
    Jwt v;
    v.header = header.take();
    v.claims = claims.take();
    return v;
}

/// Verifies any compact JWS; the payload may be any bytes and no claim is checked.
inline Jws verify_jws(std::string_view token, const Key &key, const Validation &policy) {
    detail::Call call;
    detail::Out header, payload;
    call.check(jwtkit_jws_verify(detail::bytes(token), token.size(), key.get(), policy.get(),
                                 header.ptr(), header.len(), payload.ptr(), payload.len(),
                                 call.err()));
    Jws v;
    v.header = header.take();
    v.payload = payload.take();
    return v;
}

/// Verifies a JWT with the key of `keys` its `kid` names (or, without `kid`, the keys
/// that fit its algorithm); throws jwtkit::Error when it is not valid.
inline Jwt verify(std::string_view token, const KeySet &keys, const Validation &policy) {
    detail::Call call;
    detail::Out header, claims;
    call.check(jwtkit_verify_with_keyset(detail::bytes(token), token.size(), keys.get(), policy.get(),
                                         header.ptr(), header.len(), claims.ptr(), claims.len(),
                                         call.err()));
    Jwt v;
    v.header = header.take();
    v.claims = claims.take();
    return v;
}

/// Verifies any compact JWS with a key of `keys`; no claim is checked.
inline Jws verify_jws(std::string_view token, const KeySet &keys, const Validation &policy) {
    detail::Call call;
    detail::Out header, payload;
    call.check(jwtkit_jws_verify_with_keyset(detail::bytes(token), token.size(), keys.get(),
                                             policy.get(), header.ptr(), header.len(),
                                             payload.ptr(), payload.len(), call.err()));
    Jws v;
    v.header = header.take();
    v.payload = payload.take();
    return v;
}

/// How a detached payload is signed: base64url (RFC 7515 Appendix F), or as its own
/// bytes (`b64: false`, RFC 7797).
enum class Payload { Encoded, Unencoded };

/// Signs any payload bytes with the payload detached: returns `header..signature`.
inline std::string sign_jws_detached(const Key &key, Alg alg, std::string_view payload,
                                     Payload how = Payload::Encoded, std::string_view header_json = {}) {
    detail::Call call;
    detail::Out token;
    uint32_t flags = how == Payload::Unencoded ? JWTKIT_JWS_UNENCODED : 0;
    call.check(jwtkit_jws_sign_detached(key.get(), static_cast<jwtkit_alg>(alg), detail::bytes(payload),
                                        payload.size(), detail::bytes(header_json), header_json.size(), flags,
                                        token.ptr(), token.len(), call.err()));
    return token.take();
}

/// Signs a JWT whose claims travel apart: returns `header..signature`.
inline std::string sign_detached(const Key &key, Alg alg, std::string_view claims_json,
                                 Payload how = Payload::Encoded, std::string_view header_json = {}) {
    detail::Call call;
    detail::Out token;
    uint32_t flags = how == Payload::Unencoded ? JWTKIT_JWS_UNENCODED : 0;
    call.check(jwtkit_sign_detached(key.get(), static_cast<jwtkit_alg>(alg), detail::bytes(claims_json),
                                    claims_json.size(), detail::bytes(header_json), header_json.size(), flags,
                                    token.ptr(), token.len(), call.err()));
    return token.take();
}

/// Verifies a JWS whose payload travels apart (`header..signature` and the payload);
/// returns the header JSON. No claim is checked.
inline std::string verify_jws_detached(std::string_view token, std::string_view payload, const Key &key,
                                       const Validation &policy) {
    detail::Call call;
    detail::Out header;
    call.check(jwtkit_jws_verify_detached(detail::bytes(token), token.size(), detail::bytes(payload), payload.size(),
                                          key.get(), policy.get(), header.ptr(), header.len(), call.err()));
    return header.take();
}

/// Verifies a JWT whose claims travel apart, claims checked in full (`b64: false`
/// included); returns the header and the claims.
inline Jwt verify_detached(std::string_view token, std::string_view claims_json, const Key &key,
                           const Validation &policy) {
    detail::Call call;
    detail::Out header;
    call.check(jwtkit_verify_detached(detail::bytes(token), token.size(), detail::bytes(claims_json),
                                      claims_json.size(), key.get(), policy.get(), header.ptr(), header.len(),
                                      call.err()));
    Jwt v;
    v.header = header.take();
    v.claims = std::string(claims_json);
    return v;
}

/// Decodes header and claims WITHOUT verifying anything. For inspection only.
inline Jwt decode_unverified(std::string_view token) {
    detail::Call call;
    detail::Out header, claims;
    call.check(jwtkit_decode_unverified(detail::bytes(token), token.size(), header.ptr(),
                                        header.len(), claims.ptr(), claims.len(), call.err()));
    Jwt v;
    v.header = header.take();
    v.claims = claims.take();
    return v;
}

// ---------------------------------------------------------------------------------
// JWKS sources

/// Why a source wants a refresh (`JWTKIT_JWKS_REFRESH_*`).
enum class RefreshReason : int32_t {
    None = JWTKIT_JWKS_REFRESH_NONE,             // not now, or a refresh is in flight
    Initial = JWTKIT_JWKS_REFRESH_INITIAL,       // no key set yet
    Expired = JWTKIT_JWKS_REFRESH_EXPIRED,       // the set's lifetime is over
    UnknownKid = JWTKIT_JWKS_REFRESH_UNKNOWN_KID, // a token named a kid the set lacks
    Retry = JWTKIT_JWKS_REFRESH_RETRY,           // the last refresh failed, its cooldown is over
};

/// A source's state (`jwtkit_jwks_status`); an empty optional is "never" or "no set".
struct JwksStatus {
    size_t key_count = 0;                                    // usable keys in the current set
    std::optional<std::chrono::milliseconds> since_success;  // since the last 200 or 304
    std::optional<std::chrono::milliseconds> fresh_for;      // until the set expires (0 once it has)
    std::optional<std::chrono::milliseconds> since_failure;  // since the last failed refresh
    bool failing = false;                                    // the last refresh failed
    uint64_t attempts = 0, failures = 0, not_modified = 0;  // refreshes, failed ones, 304s
};

/// The keys of one JWKS URL, cached and shared by every thread (`jwtkit_jwks_source`).
/// A fetching source (from_url, from_issuer) fetches when a refresh is due, inside the
/// call that needs it; a fed source (fed) never does I/O: the host asks
/// refresh_wanted(), calls start_refresh(), fetches, and hands the answer to feed() or
/// the failure to fetch_failed(). A token whose `kid` the set lacks asks for one
/// refresh, at most one per cooldown. Move-only; any number of threads may use one
/// source at once (share it by reference or in a std::shared_ptr).
class JwksSource {
public:
    /// A source that fetches the JWK Set at `url` (https, unless http is allowed).
    /// Nothing is fetched before the first use.
    static JwksSource from_url(std::string_view url, const JwksOptions &options) {
        return from_url(url, options.get());
    }
    static JwksSource from_url(std::string_view url) { return from_url(url, nullptr); }

    /// OpenID Connect discovery: fetches `issuer`'s configuration now, checks that it
    /// names `issuer` exactly, and makes a fetching source for its `jwks_uri`.
    static JwksSource from_issuer(std::string_view issuer, const JwksOptions &options) {
        return from_issuer(issuer, options.get());
    }
    static JwksSource from_issuer(std::string_view issuer) { return from_issuer(issuer, nullptr); }

    /// A source fed by the host (sans-I/O); the fetching rules of `options` do not apply.
    static JwksSource fed(const JwksOptions &options) { return fed(options.get()); }
    static JwksSource fed() { return fed(nullptr); }

    explicit JwksSource(const jwtkit_jwks_source *adopt) noexcept : src_(adopt) {}
    JwksSource(JwksSource &&other) noexcept : src_(std::exchange(other.src_, nullptr)) {}
    JwksSource &operator=(JwksSource &&other) noexcept {
        if (this != &other)
            jwtkit_jwks_source_free(std::exchange(src_, std::exchange(other.src_, nullptr)));
        return *this;
    }
    JwksSource(const JwksSource &) = delete;
    JwksSource &operator=(const JwksSource &) = delete;
    ~JwksSource() { jwtkit_jwks_source_free(src_); }

    /// Verifies a JWT with the source's keys, as verify(token, KeySet, policy) does; a
    /// fetching source refreshes first when due. Throws jwtkit::Error when it is not
    /// valid, and with JWTKIT_ERR_KEY_SOURCE when there is no key set to verify with.
    Jwt verify(std::string_view token, const Validation &policy) const {
        detail::Call call;
        detail::Out header, claims;
        call.check(jwtkit_verify_with_source(detail::bytes(token), token.size(), src_, policy.get(), header.ptr(),
                                             header.len(), claims.ptr(), claims.len(), call.err()));
        Jwt v;
        v.header = header.take();
        v.claims = claims.take();
        return v;
    }

    /// The current key set (a fetching source refreshes first when due): a snapshot,
    /// unaffected by later refreshes.
    KeySet keyset() const {
        detail::Call call;
        const jwtkit_keyset *set = nullptr;
        call.check(jwtkit_jwks_source_keyset(src_, &set, call.err()));
        return KeySet(set);
    }

    /// Reports that a token named a `kid` missing from `seen` (a keyset() snapshot). A
    /// fetching source refreshes unless in cooldown; returns the newer set, if any.
    std::optional<KeySet> report_unknown_kid(const KeySet &seen) const {
        detail::Call call;
        const jwtkit_keyset *newer = nullptr;
        call.check(jwtkit_jwks_source_report_unknown_kid(src_, seen.get(), &newer, call.err()));
        if (newer == nullptr)
            return std::nullopt;
        return std::optional<KeySet>(std::in_place, newer);
    }

    /// A fetching source fetches now, whatever the cache times and cooldown say; throws
    /// the fetch's failure (the last good set keeps serving). A fed source throws
    /// JWTKIT_ERR_INVALID_ARGUMENT.
    void refresh() const {
        detail::Call call;
        call.check(jwtkit_jwks_source_refresh(src_, call.err()));
    }

    /// Sans-I/O: whether the host should fetch now, and why.
    RefreshReason refresh_wanted() const noexcept {
        return static_cast<RefreshReason>(jwtkit_jwks_source_refresh_wanted(src_));
    }

    /// Sans-I/O: the host starts a fetch; returns the `If-None-Match` value to send, if any.
    std::optional<std::string> start_refresh() const {
        detail::Call call;
        detail::Out tag;
        call.check(jwtkit_jwks_source_start_refresh(src_, tag.ptr(), call.err()));
        if (*tag.ptr() == nullptr)
            return std::nullopt;
        *tag.len() = std::char_traits<char>::length(*tag.ptr());
        return tag.take();
    }

    /// Sans-I/O: the answer the host got (an empty `cache_control` or `etag` is an
    /// absent header). A 200 with a usable JWK Set replaces the set, a 304 renews it;
    /// anything else throws its failure (JWTKIT_ERR_KEY_SOURCE, JWTKIT_ERR_KEY_INVALID)
    /// and the last good set keeps serving.
    void feed(uint16_t http_status, std::string_view cache_control, std::string_view etag,
              std::string_view body) const {
        detail::Call call;
        call.check(jwtkit_jwks_source_feed(src_, http_status, header_bytes(cache_control), cache_control.size(),
                                           header_bytes(etag), etag.size(), detail::bytes(body), body.size(),
                                           call.err()));
    }

    /// Sans-I/O: the host's fetch got no answer; `reason` says why (for last_failure()).
    void fetch_failed(std::string_view reason = {}) const {
        detail::Call call;
        call.check(jwtkit_jwks_source_fetch_failed(src_, detail::bytes(reason), reason.size(), call.err()));
    }

    /// The source's state.
    JwksStatus status() const {
        detail::Call call;
        jwtkit_jwks_status raw{};
        call.check(jwtkit_jwks_source_status(src_, &raw, call.err()));
        const auto time = [](int64_t v) -> std::optional<std::chrono::milliseconds> {
            if (v < 0)
                return std::nullopt;
            return std::chrono::milliseconds(v);
        };
        JwksStatus s;
        s.key_count = raw.key_count;
        s.since_success = time(raw.ms_since_success);
        s.fresh_for = time(raw.ms_fresh_for);
        s.since_failure = time(raw.ms_since_failure);
        s.failing = raw.failing;
        s.attempts = raw.attempts;
        s.failures = raw.failures;
        s.not_modified = raw.not_modified;
        return s;
    }

    /// The last failed refresh (kept after later successes), or none.
    std::optional<Error> last_failure() const {
        jwtkit_error *raw = nullptr;
        const jwtkit_status status = jwtkit_jwks_source_last_failure(src_, &raw);
        detail::ErrorPtr owned(raw);
        if (status == JWTKIT_OK)
            return std::nullopt;
        return Error(status, owned ? jwtkit_error_message(owned.get()) : jwtkit_status_str(status));
    }

    /// The JWK Set document the current keys were read from, as fetched or fed.
    std::string document() const {
        detail::Call call;
        detail::Out doc;
        call.check(jwtkit_jwks_source_document(src_, doc.ptr(), doc.len(), call.err()));
        return doc.take();
    }

    const jwtkit_jwks_source *get() const noexcept { return src_; }
    const jwtkit_jwks_source *release() noexcept { return std::exchange(src_, nullptr); }
    explicit operator bool() const noexcept { return src_ != nullptr; }

private:
    static JwksSource from_url(std::string_view url, const jwtkit_jwks_options *options) {
        detail::Call call;
        const jwtkit_jwks_source *src = nullptr;
        call.check(jwtkit_jwks_source_from_url(detail::bytes(url), url.size(), options, &src, call.err()));
        return JwksSource(src);
    }
    static JwksSource from_issuer(std::string_view issuer, const jwtkit_jwks_options *options) {
        detail::Call call;
        const jwtkit_jwks_source *src = nullptr;
        call.check(jwtkit_jwks_source_from_issuer(detail::bytes(issuer), issuer.size(), options, &src, call.err()));
        return JwksSource(src);
    }
    static JwksSource fed(const jwtkit_jwks_options *options) {
        detail::Call call;
        const jwtkit_jwks_source *src = nullptr;
        call.check(jwtkit_jwks_source_new(options, &src, call.err()));
        return JwksSource(src);
    }
    /// (NULL, 0) for an empty header: absent.
    static const uint8_t *header_bytes(std::string_view v) noexcept {
        return v.empty() ? nullptr : detail::bytes(v);
    }

    const jwtkit_jwks_source *src_;
};

/// Verifies a JWT with the keys of `source`; see JwksSource::verify.
inline Jwt verify(std::string_view token, const JwksSource &source, const Validation &policy) {
    return source.verify(token, policy);
}

// ---------------------------------------------------------------------------------
// DPoP (RFC 9449): proofs of possession, and tokens bound to their key

namespace dpop {

/// The HTTP request a proof is made for or checked against: `method`, the absolute
/// `uri` (its query and fragment are left out), the access token it presents and the
/// nonce the server expects (or puts in a proof), when there are.
struct Request {
    std::string_view method;
    std::string_view uri;
    std::optional<std::string_view> access_token = std::nullopt;
    std::optional<std::string_view> nonce = std::nullopt;
};

/// A proof that passed every check (`jwtkit_dpop_proof`): what a token bound to its key
/// carries as `cnf.jkt`, its `jti`, `iat` and claims. Move-only; immutable.
class Proof {
public:
    explicit Proof(jwtkit_dpop_proof *adopt) : p_(adopt) {
        detail::Call call;
        detail::Out jkt, jti, claims;
        call.check(jwtkit_dpop_proof_jkt(p_, jkt.ptr(), jkt.len(), call.err()));
        call.check(jwtkit_dpop_proof_jti(p_, jti.ptr(), jti.len(), call.err()));
        call.check(jwtkit_dpop_proof_claims(p_, claims.ptr(), claims.len(), call.err()));
        call.check(jwtkit_dpop_proof_iat(p_, &iat_, call.err()));
        jkt_ = jkt.take();
        jti_ = jti.take();
        claims_ = claims.take();
    }
    Proof(Proof &&other) noexcept
        : p_(std::exchange(other.p_, nullptr)), jkt_(std::move(other.jkt_)), jti_(std::move(other.jti_)),
          claims_(std::move(other.claims_)), iat_(other.iat_) {}
    Proof &operator=(Proof &&other) noexcept {
        if (this != &other) {
            jwtkit_dpop_proof_free(std::exchange(p_, std::exchange(other.p_, nullptr)));
            jkt_ = std::move(other.jkt_);
            jti_ = std::move(other.jti_);
            claims_ = std::move(other.claims_);
            iat_ = other.iat_;
        }
        return *this;
    }
    Proof(const Proof &) = delete;
    Proof &operator=(const Proof &) = delete;
    ~Proof() { jwtkit_dpop_proof_free(p_); }

    /// The RFC 7638 thumbprint of the proof's key (43 characters).
    const std::string &jkt() const noexcept { return jkt_; }
    const std::string &jti() const noexcept { return jti_; }
    /// `iat`, whole Unix seconds.
    int64_t iat() const noexcept { return iat_; }
    /// The exact claims JSON.
    const std::string &claims() const noexcept { return claims_; }
    const jwtkit_dpop_proof *get() const noexcept { return p_; }

private:
    jwtkit_dpop_proof *p_ = nullptr;
    std::string jkt_, jti_, claims_;
    int64_t iat_ = 0;
};

/// What a DPoP verifier accepts (`jwtkit_dpop_policy`): the asymmetric algorithms a
/// proof may use (never HMAC), the `iat` window, the clock, the size limit and a replay
/// check. Move-only; configure first, then any number of threads may verify with it.
class Policy {
public:
    Policy(std::initializer_list<Alg> algs) : Policy(algs.begin(), algs.size()) {}
    explicit Policy(const std::vector<Alg> &algs) : Policy(algs.data(), algs.size()) {}
    Policy(Policy &&other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    Policy &operator=(Policy &&other) noexcept {
        if (this != &other)
            jwtkit_dpop_policy_free(std::exchange(p_, std::exchange(other.p_, nullptr)));
        return *this;
    }
    Policy(const Policy &) = delete;
    Policy &operator=(const Policy &) = delete;
    ~Policy() { jwtkit_dpop_policy_free(p_); }

    /// Accepts a proof from `future_leeway` before its `iat` until `max_age` after it
    /// (defaults 300 s and 30 s).
    Policy &iat_window(std::chrono::seconds max_age, std::chrono::seconds future_leeway) & {
        if (max_age.count() < 0 || future_leeway.count() < 0)
            throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "dpop policy: the iat window must not be negative");
        detail::Call call;
        call.check(jwtkit_dpop_policy_set_iat_window(p_, static_cast<uint64_t>(max_age.count()),
                                                     static_cast<uint64_t>(future_leeway.count()), call.err()));
        return *this;
    }
    Policy &&iat_window(std::chrono::seconds max_age, std::chrono::seconds future_leeway) && {
        return std::move(this->iat_window(max_age, future_leeway));
    }

    /// Fixes "now" instead of the system clock (tests).
    Policy &now(int64_t unix_seconds) & {
        detail::Call call;
        call.check(jwtkit_dpop_policy_set_now(p_, unix_seconds, call.err()));
        return *this;
    }
    Policy &&now(int64_t unix_seconds) && { return std::move(this->now(unix_seconds)); }

    /// The longest proof accepted, in bytes (default 8192).
    Policy &max_proof_len(size_t bytes) & {
        detail::Call call;
        call.check(jwtkit_dpop_policy_set_max_proof_len(p_, bytes, call.err()));
        return *this;
    }
    Policy &&max_proof_len(size_t bytes) && { return std::move(this->max_proof_len(bytes)); }

    /// Registers `seen`, a callable `bool(std::string_view jkt, std::string_view jti,
    /// int64_t expires_at)` that returns true when `jti` was already seen for the key
    /// `jkt`, and otherwise records it until `expires_at` (checks and records in one
    /// step). Borrowed: it must outlive the policy; it may be called from several
    /// threads at once. If it throws, the proof is refused (JWTKIT_ERR_DPOP_REPLAY_CHECK).
    template <class F>
    Policy &replay_check(F &seen) & {
        static_assert(!std::is_function_v<F>, "pass a callable object, not a function");
        detail::Call call;
        call.check(jwtkit_dpop_policy_set_replay_check(p_, &trampoline<F>, static_cast<void *>(std::addressof(seen)),
                                                       call.err()));
        return *this;
    }
    template <class F>
    Policy &&replay_check(F &seen) && {
        return std::move(this->replay_check(seen));
    }

    const jwtkit_dpop_policy *get() const noexcept { return p_; }

private:
    Policy(const Alg *algs, size_t n) {
        std::vector<jwtkit_alg> raw;
        raw.reserve(n);
        for (size_t i = 0; i < n; i++)
            raw.push_back(static_cast<jwtkit_alg>(algs[i]));
        detail::Call call;
        call.check(jwtkit_dpop_policy_new(raw.data(), raw.size(), &p_, call.err()));
    }

    template <class F>
    static int32_t trampoline(void *ctx, const char *jkt, size_t jkt_len, const char *jti, size_t jti_len,
                              int64_t expires_at) noexcept {
        try {
            F &f = *static_cast<F *>(ctx);
            return f(std::string_view(jkt, jkt_len), std::string_view(jti, jti_len), expires_at)
                       ? JWTKIT_DPOP_JTI_SEEN
                       : JWTKIT_DPOP_JTI_FIRST;
        } catch (...) {
            return JWTKIT_DPOP_JTI_UNAVAILABLE;
        }
    }

    jwtkit_dpop_policy *p_ = nullptr;
};

namespace detail {
inline const uint8_t *opt_bytes(const std::optional<std::string_view> &v) noexcept {
    return v ? jwtkit::detail::bytes(*v) : nullptr;
}
inline size_t opt_len(const std::optional<std::string_view> &v) noexcept { return v ? v->size() : 0; }
} // namespace detail

/// Verifies one DPoP proof (the `DPoP` header's value) for `request`: every check of
/// RFC 9449 §4.3, in the library. Throws jwtkit::Error: its status names the check
/// (JWTKIT_ERR_DPOP_NONCE: answer use_dpop_nonce; JWTKIT_ERR_DPOP_REPLAY_CHECK: the
/// store failed; JWTKIT_ERR_INVALID_ARGUMENT: the request's own method or URI; any
/// other: invalid_dpop_proof).
inline Proof verify_proof(std::string_view proof, const Request &request, const Policy &policy) {
    jwtkit::detail::Call call;
    jwtkit_dpop_proof *out = nullptr;
    call.check(jwtkit_dpop_verify_proof(
        jwtkit::detail::bytes(proof), proof.size(), jwtkit::detail::bytes(request.method), request.method.size(),
        jwtkit::detail::bytes(request.uri), request.uri.size(), detail::opt_bytes(request.access_token),
        detail::opt_len(request.access_token), detail::opt_bytes(request.nonce), detail::opt_len(request.nonce),
        policy.get(), &out, call.err()));
    return Proof(out);
}

/// Creates a proof for `request` signed by the private `key` with `alg` (fresh `jti`,
/// `iat` now unless given, the public key in the `jwk` header).
inline std::string create_proof(const Key &key, Alg alg, const Request &request,
                                std::optional<int64_t> iat = std::nullopt) {
    jwtkit::detail::Call call;
    jwtkit::detail::Out proof;
    call.check(jwtkit_dpop_create_proof(
        key.get(), static_cast<jwtkit_alg>(alg), jwtkit::detail::bytes(request.method), request.method.size(),
        jwtkit::detail::bytes(request.uri), request.uri.size(), detail::opt_bytes(request.access_token),
        detail::opt_len(request.access_token), detail::opt_bytes(request.nonce), detail::opt_len(request.nonce),
        iat ? &*iat : nullptr, proof.ptr(), proof.len(), call.err()));
    return proof.take();
}

/// Verifies an access token (as jwtkit::verify) and its binding: `proof` is the
/// request's verified proof (`Authorization: DPoP`; `cnf.jkt` must be its key's
/// thumbprint), or nullptr for `Authorization: Bearer` (a token with `cnf.jkt` is
/// refused with JWTKIT_ERR_DPOP_BOUND_TOKEN_AS_BEARER).
inline Jwt verify_token(std::string_view token, const Key &key, const Validation &policy, const Proof *proof) {
    jwtkit::detail::Call call;
    jwtkit::detail::Out header, claims;
    call.check(jwtkit_dpop_verify_token(jwtkit::detail::bytes(token), token.size(), key.get(), policy.get(),
                                        proof ? proof->get() : nullptr, header.ptr(), header.len(), claims.ptr(),
                                        claims.len(), call.err()));
    Jwt v;
    v.header = header.take();
    v.claims = claims.take();
    return v;
}

/// The binding rule alone, for a token whose `claims_json` were verified another way
/// (a key set, a JWKS source): `proof` as in verify_token.
inline void check_binding(std::string_view token, std::string_view claims_json, const Proof *proof) {
    jwtkit::detail::Call call;
    call.check(jwtkit_dpop_check_binding(jwtkit::detail::bytes(token), token.size(),
                                         jwtkit::detail::bytes(claims_json), claims_json.size(),
                                         proof ? proof->get() : nullptr, call.err()));
}

/// The binding rule for a refresh token at the token endpoint (RFC 9449 §5, no `ath`):
/// a refresh token whose verified `claims_json` have `cnf.jkt` needs a `proof` by that
/// key; nullptr: no proof came with the request.
inline void check_refresh_binding(std::string_view claims_json, const Proof *proof) {
    jwtkit::detail::Call call;
    call.check(jwtkit_dpop_check_refresh_binding(jwtkit::detail::bytes(claims_json), claims_json.size(),
                                                 proof ? proof->get() : nullptr, call.err()));
}

} // namespace dpop

// ---------------------------------------------------------------------------------
// JWE: jwtkit_jwe_* (compact) and jwtkit_jwe_*_json (JSON serialization, RFC 7516 §7.2:
// several recipients, aad, unprotected headers)

namespace jwe {

/// Key management algorithms (`JWTKIT_JWE_ALG_*`, numbered by the library; a new one is
/// appended to both).
enum class Alg : jwtkit_jwe_alg {
    Dir = JWTKIT_JWE_ALG_DIR,
    A128KW = JWTKIT_JWE_ALG_A128KW,
    A256KW = JWTKIT_JWE_ALG_A256KW,
    EcdhEs = JWTKIT_JWE_ALG_ECDH_ES,
    EcdhEsA128KW = JWTKIT_JWE_ALG_ECDH_ES_A128KW,
    EcdhEsA256KW = JWTKIT_JWE_ALG_ECDH_ES_A256KW,
    RsaOaep256 = JWTKIT_JWE_ALG_RSA_OAEP_256,
    RsaOaep = JWTKIT_JWE_ALG_RSA_OAEP,
    A192KW = JWTKIT_JWE_ALG_A192KW,
    EcdhEsA192KW = JWTKIT_JWE_ALG_ECDH_ES_A192KW,
    A128GCMKW = JWTKIT_JWE_ALG_A128GCMKW,
    A192GCMKW = JWTKIT_JWE_ALG_A192GCMKW,
    A256GCMKW = JWTKIT_JWE_ALG_A256GCMKW,
    RsaOaep384 = JWTKIT_JWE_ALG_RSA_OAEP_384,
    RsaOaep512 = JWTKIT_JWE_ALG_RSA_OAEP_512,
    Pbes2Hs256A128KW = JWTKIT_JWE_ALG_PBES2_HS256_A128KW,
    Pbes2Hs384A192KW = JWTKIT_JWE_ALG_PBES2_HS384_A192KW,
    Pbes2Hs512A256KW = JWTKIT_JWE_ALG_PBES2_HS512_A256KW,
};

/// Content encryption algorithms (`JWTKIT_JWE_ENC_*`).
enum class Enc : jwtkit_jwe_enc {
    A128GCM = JWTKIT_JWE_ENC_A128GCM,
    A256GCM = JWTKIT_JWE_ENC_A256GCM,
    A128CBC_HS256 = JWTKIT_JWE_ENC_A128CBC_HS256,
    A256CBC_HS512 = JWTKIT_JWE_ENC_A256CBC_HS512,
    A192GCM = JWTKIT_JWE_ENC_A192GCM,
    A192CBC_HS384 = JWTKIT_JWE_ENC_A192CBC_HS384,
};

/// The number of a JWE `alg` name ("A128KW", "ECDH-ES+A256KW", …); throws for a name
/// jwtkit refuses (JWTKIT_ERR_JWE_ALG_INSECURE for RSA1_5, JWTKIT_ERR_ALG_UNSUPPORTED).
inline Alg alg_from_name(std::string_view name) {
    detail::Call call;
    jwtkit_jwe_alg alg = 0;
    call.check(jwtkit_jwe_alg_from_name(detail::bytes(name), name.size(), &alg, call.err()));
    return static_cast<Alg>(alg);
}

/// The number of a JWE `enc` name ("A128GCM", …); throws for one jwtkit lacks.
inline Enc enc_from_name(std::string_view name) {
    detail::Call call;
    jwtkit_jwe_enc enc = 0;
    call.check(jwtkit_jwe_enc_from_name(detail::bytes(name), name.size(), &enc, call.err()));
    return static_cast<Enc>(enc);
}

/// The registered names ("PBES2-HS512+A256KW", "A192GCM"). Throw for a value outside the enums.
inline std::string name(Alg alg) {
    const char *n = jwtkit_jwe_alg_name(static_cast<jwtkit_jwe_alg>(alg));
    if (n == nullptr)
        throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "not a JWTKIT_JWE_ALG_* value");
    return n;
}
inline std::string name(Enc enc) {
    const char *n = jwtkit_jwe_enc_name(static_cast<jwtkit_jwe_enc>(enc));
    if (n == nullptr)
        throw Error(JWTKIT_ERR_INVALID_ARGUMENT, "not a JWTKIT_JWE_ENC_* value");
    return n;
}

/// Owns a `jwtkit_jwe_policy`: what decrypt accepts (allow-lists for `alg` and `enc`,
/// compression, the PBES2 iteration cap). Move-only. Thread safety: configure, then share
/// read-only.
class Policy {
public:
    Policy(std::initializer_list<Alg> algs, std::initializer_list<Enc> encs)
        : Policy(algs.begin(), algs.size(), encs.begin(), encs.size()) {}
    Policy(const std::vector<Alg> &algs, const std::vector<Enc> &encs)
        : Policy(algs.data(), algs.size(), encs.data(), encs.size()) {}
    Policy(Policy &&other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
    Policy &operator=(Policy &&other) noexcept {
        if (this != &other)
            jwtkit_jwe_policy_free(std::exchange(p_, std::exchange(other.p_, nullptr)));
        return *this;
    }
    Policy(const Policy &) = delete;
    Policy &operator=(const Policy &) = delete;
    ~Policy() { jwtkit_jwe_policy_free(p_); }

    /// Accepts compressed tokens, inflated to at most `max_inflated_len` bytes (0: 256 KiB).
    Policy &allow_zip(bool allow, size_t max_inflated_len = 0) & {
        detail::Call call;
        call.check(jwtkit_jwe_policy_allow_zip(p_, allow, max_inflated_len, call.err()));
        return *this;
    }
    Policy &&allow_zip(bool allow, size_t max_inflated_len = 0) && {
        return std::move(this->allow_zip(allow, max_inflated_len));
    }

    /// Caps a PBES2 token's `p2c` (default 10000, at least 1000): more is
    /// JWTKIT_ERR_JWE_P2C_LIMIT, refused before any key derivation.
    Policy &max_p2c(uint32_t max) & {
        detail::Call call;
        call.check(jwtkit_jwe_policy_set_max_p2c(p_, max, call.err()));
        return *this;
    }
    Policy &&max_p2c(uint32_t max) && { return std::move(this->max_p2c(max)); }

    /// One `JWTKIT_LIMIT_*` (`JWTKIT_LIMIT_RECIPIENTS`, `JWTKIT_LIMIT_KEYS_TRIED`, …).
    Policy &limit(jwtkit_limit which, uint64_t value) & {
        detail::Call call;
        call.check(jwtkit_jwe_policy_set_limit(p_, which, value, call.err()));
        return *this;
    }

    /// The handle, still owned by this Policy.
    const jwtkit_jwe_policy *get() const noexcept { return p_; }

private:
    Policy(const Alg *algs, size_t n_algs, const Enc *encs, size_t n_encs) {
        static_assert(sizeof(Alg) == sizeof(jwtkit_jwe_alg) && sizeof(Enc) == sizeof(jwtkit_jwe_enc), "");
        detail::Call call;
        call.check(jwtkit_jwe_policy_new(reinterpret_cast<const jwtkit_jwe_alg *>(algs), n_algs,
                                         reinterpret_cast<const jwtkit_jwe_enc *>(encs), n_encs, &p_,
                                         call.err()));
    }

    jwtkit_jwe_policy *p_ = nullptr;
};

/// Encrypts `plaintext` to `key` as a compact JWE. `header_json`: extra protected header
/// members as a JSON object (empty: none), e.g. `{"kid":"k1","p2c":1000}`.
inline std::string encrypt(const Key &key, Alg alg, Enc enc, std::string_view plaintext,
                           std::string_view header_json = {}, bool compress = false) {
    detail::Call call;
    detail::Out out;
    call.check(jwtkit_jwe_encrypt(key.get(), static_cast<jwtkit_jwe_alg>(alg), static_cast<jwtkit_jwe_enc>(enc),
                                  detail::bytes(plaintext), plaintext.size(),
                                  header_json.empty() ? nullptr : detail::bytes(header_json), header_json.size(),
                                  compress ? JWTKIT_JWE_ZIP : 0, out.ptr(), out.len(),
                                  call.err()));
    return out.take();
}

/// What decrypt returns: the protected header JSON, exactly as sent, and the plaintext
/// (the library's copy is wiped; this one is the caller's).
struct Decrypted {
    std::string header;
    std::string plaintext;
};

/// Decrypts a compact JWE with the key of `keys` (made by KeySet::from_jwks_for_decryption)
/// that the token's `kid` chooses: the keys with that `kid`, else the keys without one;
/// keys that cannot serve its `alg` are not tried.
inline Decrypted decrypt(std::string_view token, const KeySet &keys, const Policy &policy) {
    detail::Call call;
    detail::Out header, plaintext;
    call.check(jwtkit_jwe_decrypt_with_keyset(detail::bytes(token), token.size(), keys.get(), policy.get(),
                                              header.ptr(), header.len(), plaintext.ptr(), plaintext.len(),
                                              call.err()));
    Decrypted d;
    d.header = header.take();
    d.plaintext = plaintext.take_secret();
    return d;
}

/// Decrypts a compact JWE with `key` under `policy`.
inline Decrypted decrypt(std::string_view token, const Key &key, const Policy &policy) {
    detail::Call call;
    detail::Out header, plaintext;
    call.check(jwtkit_jwe_decrypt(detail::bytes(token), token.size(), key.get(), policy.get(), header.ptr(),
                                  header.len(), plaintext.ptr(), plaintext.len(), call.err()));
    Decrypted d;
    d.header = header.take();
    d.plaintext = plaintext.take_secret();
    return d;
}

/// One recipient of encrypt_json: its key (borrowed for the call), `alg`, and optional
/// members of its own unprotected header (a JSON object).
struct Recipient {
    const Key &key;
    Alg alg;
    std::optional<std::string_view> header = std::nullopt;
};

/// The optional parts of encrypt_json: extra protected members, the shared unprotected
/// header (JSON objects), additional authenticated data, compression, the general
/// syntax for a single recipient.
struct JsonOptions {
    std::optional<std::string_view> protected_header = std::nullopt;
    std::optional<std::string_view> unprotected = std::nullopt;
    std::optional<std::string_view> aad = std::nullopt;
    bool compress = false;
    bool general = false;
};

/// Encrypts `plaintext` once with `enc` for every recipient; returns the JSON text
/// (flattened for one recipient unless `options.general`).
inline std::string encrypt_json(const std::vector<Recipient> &recipients, Enc enc,
                                std::string_view plaintext, const JsonOptions &options = {}) {
    static const uint8_t empty = 0;
    const auto ptr = [](const std::optional<std::string_view> &v) -> const uint8_t * {
        return !v ? nullptr : v->empty() ? &empty : detail::bytes(*v);
    };
    std::vector<jwtkit_jwe_recipient> raw;
    raw.reserve(recipients.size());
    for (const Recipient &r : recipients)
        raw.push_back({r.key.get(), static_cast<jwtkit_jwe_alg>(r.alg), r.header ? detail::bytes(*r.header) : nullptr, r.header ? r.header->size() : 0});
    const uint32_t flags = (options.compress ? JWTKIT_JWE_ZIP : 0u) | (options.general ? JWTKIT_JWE_GENERAL : 0u);
    detail::Call call;
    detail::Out out;
    const auto len = [](const std::optional<std::string_view> &v) { return v ? v->size() : 0; };
    call.check(jwtkit_jwe_encrypt_json(
        raw.data(), raw.size(), static_cast<jwtkit_jwe_enc>(enc), detail::bytes(plaintext), plaintext.size(),
        options.protected_header ? detail::bytes(*options.protected_header) : nullptr, len(options.protected_header),
        options.unprotected ? detail::bytes(*options.unprotected) : nullptr, len(options.unprotected),
        ptr(options.aad), len(options.aad), flags, out.ptr(), out.len(), call.err()));
    return out.take();
}

/// A decrypted JWE in JSON serialization: the plaintext, the protected header (exact;
/// empty when none), the recipient's whole JOSE header, the `aad`, and which recipient
/// and which of the given keys opened it.
struct DecryptedJson {
    std::string plaintext;
    std::string protected_header;
    std::string header;
    std::optional<std::string> aad;
    size_t recipient = 0;
    Alg alg = Alg::Dir;
    std::optional<std::string> kid;
    size_t key_index = 0;
};

/// Decrypts with the first of `keys` that opens a recipient `policy` allows.
inline DecryptedJson decrypt_json(std::string_view token, const std::vector<const Key *> &keys, const Policy &policy) {
    std::vector<const jwtkit_key *> raw;
    raw.reserve(keys.size());
    for (const Key *k : keys)
        raw.push_back(k != nullptr ? k->get() : nullptr);
    detail::Call call;
    jwtkit_jwe_json_result *r = nullptr;
    call.check(jwtkit_jwe_decrypt_json(detail::bytes(token), token.size(), raw.data(), raw.size(), policy.get(), &r,
                                       call.err()));
    const std::unique_ptr<jwtkit_jwe_json_result, void (*)(jwtkit_jwe_json_result *)> owned(
        r, jwtkit_jwe_json_result_free);
    detail::Out plaintext, protected_header, header, aad, kid;
    bool has_aad = false;
    DecryptedJson d;
    jwtkit_jwe_alg alg = 0;
    call.check(jwtkit_jwe_json_result_plaintext(r, plaintext.ptr(), plaintext.len(), call.err()));
    call.check(jwtkit_jwe_json_result_protected_header(r, protected_header.ptr(), protected_header.len(), call.err()));
    call.check(jwtkit_jwe_json_result_header(r, header.ptr(), header.len(), call.err()));
    call.check(jwtkit_jwe_json_result_aad(r, aad.ptr(), aad.len(), &has_aad, call.err()));
    call.check(jwtkit_jwe_json_result_recipient(r, &d.recipient, &alg, &d.key_index, kid.ptr(), kid.len(),
                                                call.err()));
    d.alg = static_cast<Alg>(alg);
    d.plaintext = plaintext.take_secret();
    d.protected_header = protected_header.take();
    d.header = header.take();
    std::string aad_text = aad.take();
    if (has_aad)
        d.aad = std::move(aad_text);
    if (*kid.ptr() != nullptr)
        d.kid = kid.take();
    return d;
}

/// As decrypt_json with one key.
inline DecryptedJson decrypt_json(std::string_view token, const Key &key, const Policy &policy) {
    return decrypt_json(token, std::vector<const Key *>{&key}, policy);
}

} // namespace jwe

// ---- end of the JWE block ----

// =================================================================================
// JWS JSON serialization (RFC 7515 §7.2): jws_json::sign, jws_json::verify
// (jwtkit_jws_json_*). General and flattened, several signers, the rule "any" or
// "all", every signature's outcome.

namespace jws_json {

/// Which signatures must verify (`JWTKIT_JWS_JSON_RULE_*`). Any: at least one, the
/// others reported failed in Verified::signatures (never dropped). All: every
/// signature, and every key given verified at least one.
enum class Rule : jwtkit_jws_json_rule { Any = JWTKIT_JWS_JSON_RULE_ANY, All = JWTKIT_JWS_JSON_RULE_ALL };

/// One signer: its key (borrowed for the call), algorithm, extra protected header
/// members and unprotected header (JSON objects, or empty). Never `alg`, `crit` or
/// `b64` unprotected, nor a member in both.
struct Signer {
    std::reference_wrapper<const Key> key;
    Alg alg;
    std::string protected_json;
    std::string unprotected_json;
};

/// How sign() writes the token: the general form even for one signer; without the
/// `payload` member; the payload as its own bytes (RFC 7797).
struct Form {
    bool general = false;
    bool detached = false;
    Payload payload = Payload::Encoded;
};

/// The outcome of one signature.
struct Signature {
    size_t index = 0;
    /// JWTKIT_OK when it verified, else the status it failed with.
    jwtkit_status status = JWTKIT_OK;
    /// Its protected header's algorithm, when the header could be read.
    std::optional<Alg> alg;
    /// Its `kid`: if verified, the verifying key's own or the protected header's (never
    /// an unprotected one, which anyone can change); otherwise the one it names.
    std::optional<std::string> kid;
    /// The position in the caller's keys of the key that verified it.
    std::optional<size_t> key_index;
    /// The protected header JSON, exactly as sent.
    std::string header;
    /// Why it failed (empty when it verified).
    std::string message;

    bool verified() const noexcept { return status == JWTKIT_OK; }
};

/// A token that passed its rule: the payload and every signature, in token order.
struct Verified {
    std::string payload;
    std::vector<Signature> signatures;

    bool all_verified() const noexcept {
        for (const Signature &s : signatures)
            if (!s.verified())
                return false;
        return true;
    }
};

/// Signs `payload` once per signer: flattened for one signer (unless form.general),
/// general for several.
inline std::string sign(std::string_view payload, const std::vector<Signer> &signers, Form form = {}) {
    struct Free {
        void operator()(jwtkit_jws_json_signers *s) const noexcept { jwtkit_jws_json_signers_free(s); }
    };
    std::unique_ptr<jwtkit_jws_json_signers, Free> list;
    {
        detail::Call call;
        jwtkit_jws_json_signers *raw = nullptr;
        call.check(jwtkit_jws_json_signers_new(&raw, call.err()));
        list.reset(raw);
    }
    for (const Signer &s : signers) {
        detail::Call call;
        // An empty string is "no members": (NULL, 0).
        auto json = [](const std::string &j) { return j.empty() ? nullptr : detail::bytes(j); };
        call.check(jwtkit_jws_json_signers_add(list.get(), s.key.get().get(), static_cast<jwtkit_alg>(s.alg),
                                               json(s.protected_json), s.protected_json.size(),
                                               json(s.unprotected_json), s.unprotected_json.size(), call.err()));
    }
    uint32_t flags = (form.general ? JWTKIT_JWS_JSON_GENERAL : 0) | (form.detached ? JWTKIT_JWS_JSON_DETACHED : 0) |
                     (form.payload == Payload::Unencoded ? JWTKIT_JWS_UNENCODED : 0);
    detail::Call call;
    detail::Out token;
    call.check(jwtkit_jws_json_sign(list.get(), detail::bytes(payload), payload.size(), flags, token.ptr(),
                                    token.len(), call.err()));
    return token.take();
}

namespace detail {

/// The body of verify() and verify_jwt(): the C call, then every accessor read into a
/// Verified while the handle is owned.
template <typename Fn>
inline Verified verify_with(Fn fn, std::string_view token, const std::vector<std::reference_wrapper<const Key>> &keys,
                            const Validation &policy, Rule rule, std::optional<std::string_view> detached) {
    struct Free {
        void operator()(jwtkit_jws_json *v) const noexcept { jwtkit_jws_json_free(v); }
    };
    std::vector<const jwtkit_key *> raw;
    raw.reserve(keys.size());
    for (const Key &k : keys)
        raw.push_back(k.get());
    static const uint8_t empty = 0;
    const uint8_t *content = nullptr;
    if (detached)
        content = detached->empty() ? &empty : jwtkit::detail::bytes(*detached);
    std::unique_ptr<jwtkit_jws_json, Free> handle;
    {
        jwtkit::detail::Call call;
        jwtkit_jws_json *out = nullptr;
        call.check(fn(jwtkit::detail::bytes(token), token.size(), content, detached ? detached->size() : 0,
                      raw.data(), raw.size(), policy.get(), static_cast<jwtkit_jws_json_rule>(rule), &out,
                      call.err()));
        handle.reset(out);
    }
    Verified v;
    {
        jwtkit::detail::Call call;
        jwtkit::detail::Out payload;
        call.check(jwtkit_jws_json_payload(handle.get(), payload.ptr(), payload.len(), call.err()));
        v.payload = payload.take();
    }
    const size_t n = jwtkit_jws_json_count(handle.get());
    for (size_t i = 0; i < n; i++) {
        Signature s;
        s.index = i;
        jwtkit_alg alg = 0;
        int64_t key = -1;
        jwtkit::detail::Call call;
        jwtkit::detail::Out message, kid, header;
        call.check(jwtkit_jws_json_signature(handle.get(), i, &s.status, &alg, &key, message.ptr(), message.len(),
                                             call.err()));
        call.check(jwtkit_jws_json_signature_kid(handle.get(), i, kid.ptr(), kid.len(), call.err()));
        call.check(jwtkit_jws_json_signature_header(handle.get(), i, header.ptr(), header.len(), call.err()));
        if (alg > 0)
            s.alg = static_cast<Alg>(alg);
        if (key >= 0)
            s.key_index = static_cast<size_t>(key);
        if (*kid.ptr() != nullptr)
            s.kid = kid.take();
        s.message = message.take();
        s.header = header.take();
        v.signatures.push_back(std::move(s));
    }
    return v;
}

} // namespace detail

/// Verifies a JWS JSON serialization with `keys` (borrowed) under `rule`;
/// `detached_payload` is the content of a token without a `payload` member. The
/// signatures only, no claims.
inline Verified verify(std::string_view token, const std::vector<std::reference_wrapper<const Key>> &keys,
                       const Validation &policy, Rule rule = Rule::Any,
                       std::optional<std::string_view> detached_payload = std::nullopt) {
    return detail::verify_with(jwtkit_jws_json_verify, token, keys, policy, rule, detached_payload);
}

/// As verify(), for a JWT: then the payload is checked as claims by `policy`.
inline Verified verify_jwt(std::string_view token, const std::vector<std::reference_wrapper<const Key>> &keys,
                           const Validation &policy, Rule rule = Rule::Any,
                           std::optional<std::string_view> detached_claims = std::nullopt) {
    return detail::verify_with(jwtkit_jws_json_verify_jwt, token, keys, policy, rule, detached_claims);
}

} // namespace jws_json

// =================================================================================
// (end of the JWS JSON serialization block)

} // namespace jwtkit

#endif // JWTKIT_HPP
