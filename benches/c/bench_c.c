/* bench_c: jwtkit through its public C API, beside libjwt, in one run.
 *
 * Every operation works on the same typical access token (the claims of
 * benches/common/mod.rs, byte for byte) and the same keys (tests/keys), created once:
 *
 *   jwtkit verify  jwtkit_verify with issuer and audience set, returning the claims
 *                  string, then jwtkit_string_free
 *   jwtkit sign    jwtkit_sign, then jwtkit_string_free on the token
 *   jwtkit verify+key, sign+key   the same with the key parsed on every call, as libjwt
 *                  does: jwtkit_key_from_pem (jwtkit_key_from_secret for HMAC) of the
 *                  same PEM text, the operation, jwtkit_key_free
 *   libjwt verify  jwt_decode (signature), the algorithm, `exp`, `iat`, `iss` and `aud`
 *                  checked by hand (libjwt 1.x has no validation API), the claims string
 *                  from jwt_get_grants_json, free, jwt_free
 *   libjwt sign    jwt_new, jwt_add_grants_json, jwt_set_alg, jwt_encode_str, free, jwt_free
 *
 * libjwt 1.x takes keys as PEM text on every call (it has no key object), so its figures
 * include parsing the key; that is its API, not a handicap we add. libjwt 1.10 has no
 * PS256 and no EdDSA. Without libjwt (built without -DHAVE_LIBJWT) only jwtkit runs.
 *
 * Timing: the operations of one algorithm are measured in interleaved rounds (round 1
 * of each, round 2 of each, ...) so that noise from other processes spreads evenly;
 * the figure is the median round, in ns of this thread's CPU time per operation.
 *
 * Usage:
 *   bench_c KEYDIR [--seconds S] [--rss N]      benchmarks, then the resident set over
 *                                               (--rss 0: no RSS run)
 *                                               N (default 1000000) HS256 verifications
 *   bench_c KEYDIR --only ALG[,ALG...] [--seconds S]   only these algorithms, no RSS run
 *   bench_c KEYDIR --loop LIB ALG OP N          only N calls of one operation (for
 *                                               valgrind: allocations, instructions)
 * Output lines are tab-separated and start with RESULT, RSS, NOTE or CHECK.
 */
#define _POSIX_C_SOURCE 200809L
#include <jwtkit.h>
#ifdef HAVE_LIBJWT
#include <jwt.h>
#endif
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char CLAIMS[] =
    "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"admin\":true,\"iat\":1516239022,"
    "\"exp\":4102444800,\"iss\":\"https://auth.example.com\",\"aud\":\"api.example.com\"}";
static const char ISSUER[] = "https://auth.example.com";
static const char AUDIENCE[] = "api.example.com";
static const char SECRET[] = "bench-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

#define ROUNDS 7

struct alg_case {
    const char *name;
    jwtkit_alg alg;
    const char *stem; /* key files tests/keys/STEM.pkcs8.pem and STEM.spki.pem; NULL: HMAC */
#ifdef HAVE_LIBJWT
    jwt_alg_t libjwt_alg; /* JWT_ALG_NONE: libjwt 1.x does not implement it */
#endif
    /* filled in by setup */
    const jwtkit_key *private_key, *public_key;
    jwtkit_validation *policy;
    char *token;
    size_t token_len;
    char *private_pem, *public_pem; /* NUL-terminated; for HMAC the secret */
    size_t private_len, public_len;
};

#ifdef HAVE_LIBJWT
#define LIBJWT(x) .libjwt_alg = x,
#else
#define LIBJWT(x)
#endif

static struct alg_case CASES[] = {
    {.name = "HS256", .alg = JWTKIT_ALG_HS256, .stem = NULL, LIBJWT(JWT_ALG_HS256)},
    {.name = "RS256", .alg = JWTKIT_ALG_RS256, .stem = "rsa2048", LIBJWT(JWT_ALG_RS256)},
    {.name = "PS256", .alg = JWTKIT_ALG_PS256, .stem = "rsa2048", LIBJWT(JWT_ALG_NONE)},
    {.name = "ES256", .alg = JWTKIT_ALG_ES256, .stem = "ecp256", LIBJWT(JWT_ALG_ES256)},
    {.name = "ES512", .alg = JWTKIT_ALG_ES512, .stem = "ecp521", LIBJWT(JWT_ALG_ES512)},
    {.name = "EdDSA", .alg = JWTKIT_ALG_EDDSA, .stem = "ed25519", LIBJWT(JWT_ALG_NONE)},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

static void die(const char *what, jwtkit_error *err) {
    fprintf(stderr, "bench_c: %s: %s\n", what, err ? jwtkit_error_message(err) : "failed");
    exit(1);
}

static char *read_file(const char *dir, const char *stem, const char *suffix, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", dir, stem, suffix);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

static void setup(struct alg_case *c, const char *keydir) {
    jwtkit_error *err = NULL;
    if (!c->stem) {
        c->private_len = c->public_len = strlen(SECRET);
        c->private_pem = strdup(SECRET);
        c->public_pem = strdup(SECRET);
        if (jwtkit_key_from_secret((const uint8_t *)SECRET, strlen(SECRET), 0, &c->private_key, &err) ||
            jwtkit_key_from_secret((const uint8_t *)SECRET, strlen(SECRET), 0, &c->public_key, &err))
            die("key", err);
    } else {
        c->private_pem = read_file(keydir, c->stem, ".pkcs8.pem", &c->private_len);
        c->public_pem = read_file(keydir, c->stem, ".spki.pem", &c->public_len);
        if (jwtkit_key_from_pem((const uint8_t *)c->private_pem, c->private_len, &c->private_key, &err) ||
            jwtkit_key_from_pem((const uint8_t *)c->public_pem, c->public_len, &c->public_key, &err))
            die("key", err);
    }
    if (jwtkit_validation_new(&c->alg, 1, &c->policy, &err) ||
        jwtkit_validation_add_issuer(c->policy, (const uint8_t *)ISSUER, strlen(ISSUER), &err) ||
        jwtkit_validation_add_audience(c->policy, (const uint8_t *)AUDIENCE, strlen(AUDIENCE), &err))
        die("policy", err);
    if (jwtkit_sign(c->private_key, c->alg, (const uint8_t *)CLAIMS, strlen(CLAIMS), NULL, 0, &c->token,
                    &c->token_len, &err))
        die("sign", err);
}

/* ---- the measured operations; each returns 0 on success ---- */

static int jwtkit_verify_op(struct alg_case *c) {
    char *claims = NULL;
    size_t claims_len = 0;
    jwtkit_status s = jwtkit_verify((const uint8_t *)c->token, c->token_len, c->public_key, c->policy, NULL, NULL,
                                    &claims, &claims_len, NULL);
    if (s != JWTKIT_OK || claims_len != sizeof CLAIMS - 1)
        return 1;
    jwtkit_string_free(claims);
    return 0;
}

static int jwtkit_sign_op(struct alg_case *c) {
    char *token = NULL;
    if (jwtkit_sign(c->private_key, c->alg, (const uint8_t *)CLAIMS, sizeof CLAIMS - 1, NULL, 0, &token, NULL, NULL))
        return 1;
    jwtkit_string_free(token);
    return 0;
}

/* The key of `pem` (the PEM text, or the HMAC secret), parsed now; NULL on failure. */
static const jwtkit_key *parse_key(const struct alg_case *c, const char *pem, size_t len) {
    const jwtkit_key *key = NULL;
    jwtkit_status s = c->stem ? jwtkit_key_from_pem((const uint8_t *)pem, len, &key, NULL)
                              : jwtkit_key_from_secret((const uint8_t *)pem, len, 0, &key, NULL);
    return s == JWTKIT_OK ? key : NULL;
}

static int jwtkit_verify_key_op(struct alg_case *c) {
    const jwtkit_key *kept = c->public_key;
    c->public_key = parse_key(c, c->public_pem, c->public_len);
    int bad = c->public_key == NULL || jwtkit_verify_op(c);
    jwtkit_key_free(c->public_key);
    c->public_key = kept;
    return bad;
}

static int jwtkit_sign_key_op(struct alg_case *c) {
    const jwtkit_key *kept = c->private_key;
    c->private_key = parse_key(c, c->private_pem, c->private_len);
    int bad = c->private_key == NULL || jwtkit_sign_op(c);
    jwtkit_key_free(c->private_key);
    c->private_key = kept;
    return bad;
}

#ifdef HAVE_LIBJWT
static int libjwt_verify_token(struct alg_case *c, const char *token) {
    jwt_t *jwt = NULL;
    int bad = 1;
    if (jwt_decode(&jwt, token, (const unsigned char *)c->public_pem, (int)c->public_len) != 0)
        return 1;
    /* What jwtkit's policy checks: the algorithm, time, issuer and audience. */
    long now = (long)time(NULL);
    const char *iss = jwt_get_grant(jwt, "iss");
    const char *aud = jwt_get_grant(jwt, "aud");
    long exp = jwt_get_grant_int(jwt, "exp");
    long iat = jwt_get_grant_int(jwt, "iat");
    if (jwt_get_alg(jwt) == c->libjwt_alg && iss && strcmp(iss, ISSUER) == 0 && aud && strcmp(aud, AUDIENCE) == 0 &&
        exp > now && iat <= now) {
        char *claims = jwt_get_grants_json(jwt, NULL);
        bad = claims == NULL;
        free(claims);
    }
    jwt_free(jwt);
    return bad;
}

static int libjwt_verify_op(struct alg_case *c) {
    return libjwt_verify_token(c, c->token);
}

static char *libjwt_sign_token(struct alg_case *c) {
    jwt_t *jwt = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) != 0)
        return NULL;
    if (jwt_add_grants_json(jwt, CLAIMS) == 0 &&
        jwt_set_alg(jwt, c->libjwt_alg, (const unsigned char *)c->private_pem, (int)c->private_len) == 0)
        token = jwt_encode_str(jwt);
    jwt_free(jwt);
    return token;
}

static int libjwt_sign_op(struct alg_case *c) {
    char *token = libjwt_sign_token(c);
    free(token);
    return token == NULL;
}
#endif

/* ---- timing ---- */

typedef int (*op_fn)(struct alg_case *);

struct op {
    const char *lib, *name;
    op_fn fn;
    long n;                 /* calls per round, from calibration */
    double rounds[ROUNDS];  /* ns per call */
};

/* CPU time of this thread: the time other processes hold the core is left out, so the
 * figures stay meaningful on a shared machine (on a quiet one they equal wall time). */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run(struct op *op, struct alg_case *c, long n) {
    double start = now_ns();
    for (long i = 0; i < n; i++)
        if (op->fn(c)) {
            fprintf(stderr, "bench_c: %s %s %s failed\n", op->lib, c->name, op->name);
            exit(1);
        }
    return (now_ns() - start) / n;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(struct alg_case *c, struct op *ops, int n_ops, double seconds) {
    double per_round = seconds / ROUNDS;
    for (int i = 0; i < n_ops; i++) {
        /* Calibrate: double n until one batch takes a tenth of a round. */
        long n = 1;
        double t;
        while ((t = run(&ops[i], c, n) * n) < per_round * 1e9 / 10 && n < (1L << 30))
            n *= 2;
        ops[i].n = (long)(n * (per_round * 1e9 / t)) + 1;
    }
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < n_ops; i++)
            ops[i].rounds[r] = run(&ops[i], c, ops[i].n);
    for (int i = 0; i < n_ops; i++) {
        qsort(ops[i].rounds, ROUNDS, sizeof(double), cmp_double);
        printf("RESULT\tC\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f\n", ops[i].lib, c->name, ops[i].name,
               ops[i].rounds[ROUNDS / 2], ops[i].rounds[0], ops[i].rounds[ROUNDS - 1]);
        fflush(stdout);
    }
}

/* Resident set in KiB (/proc/self/statm, second field, in pages). */
static long rss_kib(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * 4;
}

static void rss_run(struct op *op, struct alg_case *c, long n) {
    for (long i = 0; i < 10000; i++)
        op->fn(c);
    long before = rss_kib();
    size_t heap_before = mallinfo2().uordblks;
    double start = now_ns();
    for (long i = 0; i < n; i++)
        if (op->fn(c)) {
            fprintf(stderr, "bench_c: %s failed during the RSS run\n", op->lib);
            exit(1);
        }
    double secs = (now_ns() - start) / 1e9;
    long after = rss_kib();
    size_t heap_after = mallinfo2().uordblks;
    /* RSS lib alg op calls rss_before_kib rss_after_kib heap_in_use_before heap_in_use_after seconds */
    printf("RSS\t%s\t%s\t%s\t%ld\t%ld\t%ld\t%zu\t%zu\t%.2f\n", op->lib, c->name, op->name, n, before, after,
           heap_before, heap_after, secs);
    fflush(stdout);
}

static struct alg_case *find_case(const char *name) {
    for (size_t i = 0; i < N_CASES; i++)
        if (strcmp(CASES[i].name, name) == 0)
            return &CASES[i];
    fprintf(stderr, "bench_c: unknown algorithm %s\n", name);
    exit(2);
}

static op_fn find_op(const char *lib, const char *op) {
    int verify = strcmp(op, "verify") == 0;
    if (strcmp(lib, "jwtkit") == 0 && strcmp(op, "verify+key") == 0)
        return jwtkit_verify_key_op;
    if (strcmp(lib, "jwtkit") == 0 && strcmp(op, "sign+key") == 0)
        return jwtkit_sign_key_op;
    if (strcmp(lib, "jwtkit") == 0)
        return verify ? jwtkit_verify_op : jwtkit_sign_op;
#ifdef HAVE_LIBJWT
    if (strcmp(lib, "libjwt") == 0)
        return verify ? libjwt_verify_op : libjwt_sign_op;
#endif
    fprintf(stderr, "bench_c: unknown library %s\n", lib);
    exit(2);
}

/* Whether `name` is one of the comma-separated names of `list`. */
static int listed(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0))
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_c KEYDIR [--seconds S] [--rss N] | KEYDIR --loop LIB ALG OP N\n");
        return 2;
    }
    const char *keydir = argv[1];
    double seconds = 1.0;
    long rss_n = 1000000;
    const char *only = NULL; /* comma-separated algorithm names; NULL: all */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (strcmp(argv[i], "--rss") == 0 && i + 1 < argc) {
            rss_n = atol(argv[++i]);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--loop") == 0 && i + 4 < argc) {
            struct alg_case *c = find_case(argv[i + 2]);
            setup(c, keydir);
            struct op op = {argv[i + 1], argv[i + 3], find_op(argv[i + 1], argv[i + 3]), 0, {0}};
            long n = atol(argv[i + 4]);
            for (long k = 0; k < n; k++)
                if (op.fn(c))
                    return 1;
            return 0;
        } else {
            fprintf(stderr, "bench_c: unknown argument %s\n", argv[i]);
            return 2;
        }
    }

    printf("NOTE\t%s (ABI %u)\n", jwtkit_version(), jwtkit_abi_version());
#ifdef HAVE_LIBJWT
    printf("NOTE\tlibjwt 1.x (jwt_decode/jwt_encode_str API)\n");
#else
    printf("NOTE\tlibjwt not measured: built without it (install libjwt-dev, then rerun benches/run.sh)\n");
#endif
    for (size_t i = 0; i < N_CASES; i++) {
        struct alg_case *c = &CASES[i];
        if (only && !listed(only, c->name))
            continue;
        setup(c, keydir);
        struct op ops[6];
        int n_ops = 0;
        ops[n_ops++] = (struct op){"jwtkit", "verify", jwtkit_verify_op, 0, {0}};
        ops[n_ops++] = (struct op){"jwtkit", "sign", jwtkit_sign_op, 0, {0}};
        ops[n_ops++] = (struct op){"jwtkit", "verify+key", jwtkit_verify_key_op, 0, {0}};
        ops[n_ops++] = (struct op){"jwtkit", "sign+key", jwtkit_sign_key_op, 0, {0}};
#ifdef HAVE_LIBJWT
        if (c->libjwt_alg != JWT_ALG_NONE) {
            /* Both libraries accept each other's tokens, or the comparison means nothing. */
            char *theirs = libjwt_sign_token(c);
            char *claims = NULL;
            int ok_theirs = theirs && jwtkit_verify((const uint8_t *)theirs, strlen(theirs), c->public_key,
                                                    c->policy, NULL, NULL, &claims, NULL, NULL) == JWTKIT_OK;
            int ok_ours = libjwt_verify_token(c, c->token) == 0;
            printf("CHECK\t%s\tjwtkit verifies libjwt's token: %s; libjwt verifies jwtkit's: %s\n", c->name,
                   ok_theirs ? "yes" : "NO", ok_ours ? "yes" : "NO");
            jwtkit_string_free(claims);
            free(theirs);
            if (ok_theirs && ok_ours) {
                ops[n_ops++] = (struct op){"libjwt", "verify", libjwt_verify_op, 0, {0}};
                ops[n_ops++] = (struct op){"libjwt", "sign", libjwt_sign_op, 0, {0}};
            }
        } else {
            printf("NOTE\tlibjwt 1.x has no %s\n", c->name);
        }
#endif
        measure(c, ops, n_ops, seconds);
    }

    if (only || rss_n <= 0)
        return 0;
    struct alg_case *hs = find_case("HS256");
    struct op jv = {"jwtkit", "verify", jwtkit_verify_op, 0, {0}};
    rss_run(&jv, hs, rss_n);
#ifdef HAVE_LIBJWT
    struct op lv = {"libjwt", "verify", libjwt_verify_op, 0, {0}};
    rss_run(&lv, hs, rss_n / 10);
#endif
    return 0;
}
