// interop: signs and verifies with the library directly, so tests/install.sh can check
// that tokens from the `jwtkit` tool verify in the library and the other way round.
//
//   interop sign   ALG KEYFILE CLAIMS_JSON    prints a token
//   interop verify ALG KEYFILE TOKEN          prints the claims; exit 0 valid, 1 invalid
//
// KEYFILE: a PEM key, or any other file whose bytes are an HMAC secret.
#include <jwtkit.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

static jwtkit::Key load(const char *path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw jwtkit::Error(JWTKIT_ERR_INVALID_ARGUMENT, std::string("cannot read ") + path);
    std::ostringstream s;
    s << in.rdbuf();
    const std::string bytes = s.str();
    if (bytes.find("-----BEGIN") != std::string::npos)
        return jwtkit::Key::from_pem(bytes);
    return jwtkit::Key::from_secret(bytes);
}

int main(int argc, char **argv) {
    if (argc != 5 || (std::strcmp(argv[1], "sign") != 0 && std::strcmp(argv[1], "verify") != 0)) {
        std::fprintf(stderr, "usage: interop sign|verify ALG KEYFILE CLAIMS_JSON|TOKEN\n");
        return 2;
    }
    try {
        const jwtkit::Alg alg = jwtkit::alg_from_name(argv[2]);
        const jwtkit::Key key = load(argv[3]);
        if (std::strcmp(argv[1], "sign") == 0) {
            std::printf("%s\n", jwtkit::sign(key, alg, argv[4]).c_str());
        } else {
            const jwtkit::Jwt jwt = jwtkit::verify(argv[4], key, jwtkit::Validation({alg}));
            std::printf("%s\n", jwt.claims.c_str());
        }
        return 0;
    } catch (const jwtkit::Error &e) {
        std::fprintf(stderr, "interop: %s (%s)\n", e.what(), e.status_name());
        return 1;
    }
}
