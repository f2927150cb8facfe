/* tests/c/test_key_material.c: key material is never an HMAC secret (C99).
 *
 * Every file in tests/keys/refused (keys jwtkit refuses to load: RSA under 2048 or
 * over 8192 bits, RSA-PSS, secp256k1 by explicit parameters, secp224r1, brainpool, Ed448,
 * X448, DSA, DH, in PEM, DER, JWK, JWK Set, OpenSSH and base64 forms) and in tests/keys
 * (keys it loads, secp256k1 for ES256K among them)
 * is offered to jwtkit_key_from_secret, with and without the short-secret opt-in: each
 * must fail with JWTKIT_ERR_KEY_NOT_SECRET and write no key. Otherwise a verifier that
 * allows HS256 beside RS256 could be handed a token MACed with the public key's bytes.
 *
 * Built and run from the repository root by tests/c_api.rs; prints "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwtkit.h"
#include "check.h"

/* Reads a whole file; NULL on failure. The caller frees the result. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)size;
    }
    fclose(f);
    return buf;
}

static void check_file(const char *path)
{
    static const uint32_t flag_sets[] = {0, JWTKIT_KEY_ALLOW_SHORT_SECRET};
    size_t len = 0, i;
    uint8_t *bytes;
    g_section = path;
    bytes = read_file(path, &len);
    if (!bytes) {
        report(0, __LINE__, "cannot read");
        return;
    }
    for (i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
        const jwtkit_key *key = NULL;
        jwtkit_error *err = NULL;
        jwtkit_status st = jwtkit_key_from_secret(bytes, len, flag_sets[i], &key, &err);
        report(st == JWTKIT_ERR_KEY_NOT_SECRET && key == NULL && err != NULL &&
                   jwtkit_error_status(err) == JWTKIT_ERR_KEY_NOT_SECRET,
               __LINE__, "flags %u: got %s (%s), key %s", (unsigned)flag_sets[i], jwtkit_status_str(st),
               err ? jwtkit_error_message(err) : "no error object", key ? "written" : "untouched");
        jwtkit_key_free(key);
        jwtkit_error_free(err);
    }
    free(bytes);
}

/* Checks every regular key file of `dir`; returns how many it checked. */
static int check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    int files = 0;
    g_section = dir;
    if (!d) {
        report(0, __LINE__, "cannot open the directory (run from the repository root)");
        return 0;
    }
    while ((entry = readdir(d)) != NULL) {
        char path[1024];
        const char *name = entry->d_name;
        size_t n = strlen(name);
        if (name[0] == '.' || (n > 3 && strcmp(name + n - 3, ".md") == 0) || strchr(name, '.') == NULL)
            continue; /* ".", "..", the README and the refused/ directory */
        snprintf(path, sizeof path, "%s/%s", dir, name);
        check_file(path);
        files++;
    }
    closedir(d);
    return files;
}

int main(void)
{
    int refused = check_dir("tests/keys/refused");
    int loadable = check_dir("tests/keys");
    g_section = "tests/keys/refused";
    report(refused >= 40, __LINE__, "fewer than 40 refused-key fixtures");
    g_section = "tests/keys";
    report(loadable >= 40, __LINE__, "fewer than 40 key fixtures");
    return check_summary();
}
