
/*
 * ngx_http_auth_jwtkit_module: JWT authentication for nginx on jwtkit, with the
 * directives of NGINX Plus's auth_jwt (auth_jwt, auth_jwt_key_file,
 * auth_jwt_key_request, auth_jwt_key_cache, auth_jwt_leeway, auth_jwt_type,
 * auth_jwt_require, auth_jwt_claim_set, auth_jwt_header_set, $jwt_claim_*,
 * $jwt_header_*, $jwt_payload) and a few more (auth_jwt_algorithms,
 * auth_jwt_issuer, auth_jwt_audience, auth_jwt_revoked,
 * auth_jwt_key_request_cooldown, auth_jwt_error_description).
 *
 * Every rule about tokens is jwtkit's: this module reads the configuration,
 * builds keys and policies once, when the configuration is loaded, and turns
 * jwtkit's answers into HTTP answers. Keys named by auth_jwt_key_request are
 * fetched by nginx itself, through a subrequest, and fed to a sans-I/O JWKS
 * source: nothing in the request path blocks.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jwtkit.h>


#define NGX_HTTP_AUTH_JWTKIT_SIGNED       0
#define NGX_HTTP_AUTH_JWTKIT_ENCRYPTED    1
#define NGX_HTTP_AUTH_JWTKIT_NESTED       2

/* remotes of one location, one bit each in ctx->refreshed */
#define NGX_HTTP_AUTH_JWTKIT_MAX_REMOTES  32

/* the largest JWK Set jwtkit reads */
#define NGX_HTTP_AUTH_JWTKIT_MAX_FILE     (1024 * 1024)

/* bit n stands for jwtkit_alg n, or for jwtkit_jwe_alg n */
#define ngx_http_auth_jwtkit_bit(n)       ((uint32_t) 1 << (n))

#define NGX_HTTP_AUTH_JWTKIT_HMAC_ALGS                                        \
    (ngx_http_auth_jwtkit_bit(JWTKIT_ALG_HS256)                               \
     | ngx_http_auth_jwtkit_bit(JWTKIT_ALG_HS384)                             \
     | ngx_http_auth_jwtkit_bit(JWTKIT_ALG_HS512))

/*
 * the JWS algorithms of the library, jwtkit_alg 1, 2, ... up to the first
 * without a name (each a bit of a uint32_t)
 */
#define ngx_http_auth_jwtkit_each_alg(alg)                                    \
    for ((alg) = 1; (alg) < 32 && jwtkit_alg_name(alg) != NULL; (alg)++)

/* shared-key management: only the key's holders can encrypt (no PBES2: a password
 * can be guessed offline from one token) */
#define NGX_HTTP_AUTH_JWTKIT_SHARED_JWE_ALGS                                  \
    (ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_DIR)                             \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A128KW)                        \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A192KW)                        \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A256KW)                        \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A128GCMKW)                     \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A192GCMKW)                     \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_A256GCMKW))

#define NGX_HTTP_AUTH_JWTKIT_ECDH_JWE_ALGS                                    \
    (ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_ECDH_ES)                         \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_ECDH_ES_A128KW)                \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_ECDH_ES_A192KW)                \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_ECDH_ES_A256KW))

#define NGX_HTTP_AUTH_JWTKIT_RSA_JWE_ALGS                                     \
    (ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_RSA_OAEP_256)                    \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_RSA_OAEP_384)                  \
     | ngx_http_auth_jwtkit_bit(JWTKIT_JWE_ALG_RSA_OAEP_512))


/*
 * Built with -DNGX_HTTP_AUTH_JWTKIT_TIMING=1 (benches/nginx/bench.py does, in a
 * build of its own), the access handler measures its own time and the time of
 * the jwtkit call of signed tokens with key files, and logs their averages per
 * location every 20000 requests, at "notice": what the module's own code costs
 * beside jwtkit's. Never in a normal build.
 */

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)

static uint64_t
ngx_http_auth_jwtkit_ns(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif


/* the keys of the auth_jwt_key_file directives of one configuration level */
typedef struct {
    ngx_array_t                        sig_keys;    /* const jwtkit_key * */
    ngx_array_t                        dec_keys;    /* const jwtkit_key * */
    const jwtkit_keyset               *keyset;
    const jwtkit_keyset               *dec_set;     /* for decryption */
    uint32_t                           algs;        /* JWS alg bits */
    uint32_t                           jwe_algs;
    ngx_str_t                          conf_file;   /* the first directive */
    ngx_uint_t                         line;
    unsigned                           built:1;
} ngx_http_auth_jwtkit_keys_t;


typedef struct ngx_http_auth_jwtkit_fetch_s  ngx_http_auth_jwtkit_fetch_t;


/* the keys of one auth_jwt_key_request uri, per worker */
typedef struct {
    ngx_str_t                          uri;
    ngx_msec_t                         cache;       /* 0: the source's own */
    ngx_msec_t                         cooldown;
    const jwtkit_jwks_source          *source;
    ngx_http_auth_jwtkit_fetch_t      *fetch;       /* in flight, or NULL */
    ngx_queue_t                        waiters;     /* ctx->queue */
    unsigned                           loaded:1;    /* a set was ever fed */
} ngx_http_auth_jwtkit_remote_t;


struct ngx_http_auth_jwtkit_fetch_s {
    ngx_http_auth_jwtkit_remote_t     *remote;
    ngx_http_request_t                *subrequest;
    ngx_buf_t                         *body;        /* what it answered */
    unsigned                           too_big:1;
    unsigned                           done:1;
};


typedef struct {
    ngx_array_t                       *values;      /* complex values */
    ngx_uint_t                         error;
} ngx_http_auth_jwtkit_require_t;


/* a variable of auth_jwt_claim_set or auth_jwt_header_set */
typedef struct {
    const char                       **path;
    ngx_uint_t                         n;
    ngx_uint_t                         header;
} ngx_http_auth_jwtkit_member_t;


typedef struct {
    ngx_array_t                        remotes;     /* remote_t * */
} ngx_http_auth_jwtkit_main_conf_t;


typedef struct {
    ngx_http_complex_value_t          *realm;       /* NULL: off */
    ngx_http_complex_value_t          *token;       /* NULL: Bearer */
    ngx_http_auth_jwtkit_keys_t       *keys;
    ngx_array_t                       *key_requests;    /* ngx_str_t */
    ngx_array_t                       *remotes;     /* remote_t * */
    ngx_msec_t                         key_cache;
    ngx_msec_t                         key_cooldown;
    time_t                             leeway;
    ngx_uint_t                         type;
    ngx_str_t                          type_file;
    ngx_uint_t                         type_line;
    ngx_array_t                       *require;     /* require_t */
    ngx_array_t                       *algorithms;  /* jwtkit_alg */
    ngx_array_t                       *issuers;     /* ngx_str_t */
    ngx_array_t                       *audiences;   /* ngx_str_t */
    ngx_http_complex_value_t          *revoked;
    ngx_flag_t                         error_description;

    jwtkit_validation                 *validation;
    jwtkit_jwe_policy                 *jwe_policy;

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    ngx_uint_t                         timed;
    uint64_t                           handler_ns;
    uint64_t                           jwtkit_ns;
#endif
} ngx_http_auth_jwtkit_loc_conf_t;


typedef struct {
    ngx_str_t                          token;
    ngx_str_t                          header;
    ngx_str_t                          claims;
    ngx_str_t                          payload;
    const jwtkit_keyset               *dec_set;     /* nested: $jwt_payload */
    const jwtkit_jwe_policy           *jwe_policy;
    ngx_uint_t                         store;       /* the key store to try */
    uint32_t                           refreshed;   /* remotes waited for */
    jwtkit_status                      status;      /* the failure to tell */
    ngx_str_t                          message;
    ngx_http_auth_jwtkit_fetch_t      *fetch;       /* the one we wait for */
    ngx_event_t                        wake;
    ngx_queue_t                        queue;
    ngx_int_t                          rc;
    unsigned                           done:1;
    unsigned                           waiting:1;
    unsigned                           cleanup:1;
    unsigned                           payload_done:1;
    /* a verified JWS, header and claims not yet read: see decode() */
    unsigned                           undecoded:1;
#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    uint64_t                           jwtkit_ns;
#endif
} ngx_http_auth_jwtkit_ctx_t;


static ngx_int_t ngx_http_auth_jwtkit_handler(ngx_http_request_t *r);
#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
static ngx_int_t ngx_http_auth_jwtkit_timed_handler(ngx_http_request_t *r);
#endif
static ngx_int_t ngx_http_auth_jwtkit_token(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_str_t *token);
static ngx_int_t ngx_http_auth_jwtkit_verify(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx);
static jwtkit_status ngx_http_auth_jwtkit_check_keyset(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    const jwtkit_keyset *set);
static ngx_int_t ngx_http_auth_jwtkit_check_remote(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_http_auth_jwtkit_remote_t *rm, ngx_uint_t index, jwtkit_status *st);
static jwtkit_status ngx_http_auth_jwtkit_decrypt(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    const jwtkit_keyset *set);
static jwtkit_status ngx_http_auth_jwtkit_outcome(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, jwtkit_status st, jwtkit_error *err,
    char *header, size_t header_len, char *claims, size_t claims_len);
static void ngx_http_auth_jwtkit_note(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, jwtkit_status st, jwtkit_error *err);
static ngx_uint_t ngx_http_auth_jwtkit_rank(jwtkit_status st);
static ngx_uint_t ngx_http_auth_jwtkit_key_miss(jwtkit_status st);
static ngx_int_t ngx_http_auth_jwtkit_checks(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx);
static ngx_int_t ngx_http_auth_jwtkit_finish(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_int_t rc);
static ngx_int_t ngx_http_auth_jwtkit_challenge(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_int_t rc);

static ngx_int_t ngx_http_auth_jwtkit_fetch(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, ngx_http_auth_jwtkit_remote_t *rm,
    ngx_uint_t wait);
static ngx_int_t ngx_http_auth_jwtkit_fetch_done(ngx_http_request_t *sr,
    void *data, ngx_int_t rc);
static void ngx_http_auth_jwtkit_fetch_end(ngx_http_auth_jwtkit_fetch_t *fetch,
    ngx_http_request_t *sr, ngx_int_t rc, ngx_log_t *log);
static void ngx_http_auth_jwtkit_fetch_cleanup(void *data);
static ngx_int_t ngx_http_auth_jwtkit_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_auth_jwtkit_keep(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_fetch_t *fetch, ngx_buf_t *b);
static ngx_int_t ngx_http_auth_jwtkit_wait(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, ngx_http_auth_jwtkit_remote_t *rm);
static void ngx_http_auth_jwtkit_wake(ngx_event_t *ev);
static void ngx_http_auth_jwtkit_ctx_cleanup(void *data);

static ngx_int_t ngx_http_auth_jwtkit_take(ngx_http_request_t *r, char *s,
    size_t len, ngx_str_t *dst);
static ngx_http_auth_jwtkit_ctx_t *ngx_http_auth_jwtkit_decode(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_auth_jwtkit_text(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *json, const char *const *path,
    ngx_uint_t n);
static ngx_int_t ngx_http_auth_jwtkit_claim_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_auth_jwtkit_header_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_auth_jwtkit_prefix_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *json, ngx_str_t *name,
    size_t prefix);
static ngx_int_t ngx_http_auth_jwtkit_member_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_auth_jwtkit_payload_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static ngx_int_t ngx_http_auth_jwtkit_load_file(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_str_t *path);
static ngx_int_t ngx_http_auth_jwtkit_load_jwks(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_str_t *path, u_char *data,
    size_t len);
static ngx_int_t ngx_http_auth_jwtkit_take_keys(ngx_array_t *keys,
    const jwtkit_keyset *set);
static void ngx_http_auth_jwtkit_log_skipped(ngx_conf_t *cf, ngx_str_t *path,
    const jwtkit_keyset *set, const jwtkit_keyset *dec);
static ngx_int_t ngx_http_auth_jwtkit_build_keys(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys);
static ngx_int_t ngx_http_auth_jwtkit_build_set(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_array_t *from,
    ngx_uint_t decryption, const jwtkit_keyset **set);
static ngx_int_t ngx_http_auth_jwtkit_build_remotes(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf);
static ngx_int_t ngx_http_auth_jwtkit_build_validation(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf);
static ngx_int_t ngx_http_auth_jwtkit_build_jwe_policy(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf);
static ngx_int_t ngx_http_auth_jwtkit_check_conf(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf);
static uint32_t ngx_http_auth_jwtkit_key_algs(const jwtkit_key *key);
static uint32_t ngx_http_auth_jwtkit_public_algs(void);
static void ngx_http_auth_jwtkit_conf_error(ngx_conf_t *cf, ngx_uint_t level,
    const char *what, ngx_str_t *name, jwtkit_status st, jwtkit_error *err);

static void ngx_http_auth_jwtkit_cleanup_keys(void *data);
static void ngx_http_auth_jwtkit_cleanup_source(void *data);
static void ngx_http_auth_jwtkit_cleanup_validation(void *data);
static void ngx_http_auth_jwtkit_cleanup_jwe_policy(void *data);

static char *ngx_http_auth_jwtkit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_auth_jwtkit_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_auth_jwtkit_key_request(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_auth_jwtkit_type(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_auth_jwtkit_require(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_auth_jwtkit_member_set(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_auth_jwtkit_algorithms(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_auth_jwtkit_strings(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

static ngx_int_t ngx_http_auth_jwtkit_add_variables(ngx_conf_t *cf);
static void *ngx_http_auth_jwtkit_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_auth_jwtkit_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_auth_jwtkit_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_auth_jwtkit_init(ngx_conf_t *cf);


static ngx_command_t  ngx_http_auth_jwtkit_commands[] = {

    { ngx_string("auth_jwt"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LMT_CONF
                        |NGX_CONF_TAKE12,
      ngx_http_auth_jwtkit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LMT_CONF
                        |NGX_CONF_TAKE1,
      ngx_http_auth_jwtkit_key_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key_request"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LMT_CONF
                        |NGX_CONF_TAKE1,
      ngx_http_auth_jwtkit_key_request,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_key_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, key_cache),
      NULL },

    { ngx_string("auth_jwt_key_request_cooldown"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, key_cooldown),
      NULL },

    { ngx_string("auth_jwt_leeway"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, leeway),
      NULL },

    { ngx_string("auth_jwt_type"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LMT_CONF
                        |NGX_CONF_TAKE1,
      ngx_http_auth_jwtkit_type,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_require"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LMT_CONF
                        |NGX_CONF_1MORE,
      ngx_http_auth_jwtkit_require,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_claim_set"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_auth_jwtkit_member_set,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_header_set"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_auth_jwtkit_member_set,
      NGX_HTTP_MAIN_CONF_OFFSET,
      1,
      NULL },

    { ngx_string("auth_jwt_algorithms"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwtkit_algorithms,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("auth_jwt_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwtkit_strings,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, issuers),
      NULL },

    { ngx_string("auth_jwt_audience"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_auth_jwtkit_strings,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, audiences),
      NULL },

    { ngx_string("auth_jwt_revoked"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, revoked),
      NULL },

    { ngx_string("auth_jwt_error_description"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_auth_jwtkit_loc_conf_t, error_description),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_auth_jwtkit_module_ctx = {
    ngx_http_auth_jwtkit_add_variables,    /* preconfiguration */
    ngx_http_auth_jwtkit_init,             /* postconfiguration */

    ngx_http_auth_jwtkit_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_auth_jwtkit_create_loc_conf,  /* create location configuration */
    ngx_http_auth_jwtkit_merge_loc_conf    /* merge location configuration */
};


ngx_module_t  ngx_http_auth_jwtkit_module = {
    NGX_MODULE_V1,
    &ngx_http_auth_jwtkit_module_ctx,      /* module context */
    ngx_http_auth_jwtkit_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_auth_jwtkit_vars[] = {

    { ngx_string("jwt_claim_"), NULL, ngx_http_auth_jwtkit_claim_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("jwt_header_"), NULL, ngx_http_auth_jwtkit_header_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("jwt_payload"), NULL, ngx_http_auth_jwtkit_payload_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_http_auth_jwtkit_if_none_match =
    ngx_string("If-None-Match");


static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


/* request processing */

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)

static ngx_int_t
ngx_http_auth_jwtkit_timed_handler(ngx_http_request_t *r)
{
    uint64_t                          start;
    ngx_int_t                         rc;
    ngx_http_auth_jwtkit_ctx_t       *ctx;
    ngx_http_auth_jwtkit_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_auth_jwtkit_module);

    if (alcf->realm == NULL) {
        return NGX_DECLINED;
    }

    start = ngx_http_auth_jwtkit_ns();

    rc = ngx_http_auth_jwtkit_handler(r);

    alcf->handler_ns += ngx_http_auth_jwtkit_ns() - start;

    ctx = ngx_http_get_module_ctx(r, ngx_http_auth_jwtkit_module);

    if (ctx) {
        alcf->jwtkit_ns += ctx->jwtkit_ns;
        ctx->jwtkit_ns = 0;
    }

    if (++alcf->timed == 20000) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "auth_jwt timing: %ui requests, handler %uL ns, "
                      "jwtkit %uL ns (averages)", alcf->timed,
                      alcf->handler_ns / alcf->timed,
                      alcf->jwtkit_ns / alcf->timed);

        alcf->timed = 0;
        alcf->handler_ns = 0;
        alcf->jwtkit_ns = 0;
    }

    return rc;
}

#endif


static ngx_int_t
ngx_http_auth_jwtkit_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_http_auth_jwtkit_ctx_t       *ctx;
    ngx_http_auth_jwtkit_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_auth_jwtkit_module);

    if (alcf->realm == NULL) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_auth_jwtkit_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_auth_jwtkit_ctx_t));
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_auth_jwtkit_module);

        if (ngx_http_auth_jwtkit_token(r, alcf, &ctx->token) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ctx->token.len == 0) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "auth_jwt: the request has no token");

            return ngx_http_auth_jwtkit_finish(r, alcf, ctx,
                                               NGX_HTTP_UNAUTHORIZED);
        }

    } else if (ctx->done) {
        return ctx->rc;

    } else if (ctx->waiting || (ctx->fetch && !ctx->fetch->done)) {
        return NGX_AGAIN;
    }

    ctx->fetch = NULL;

    rc = ngx_http_auth_jwtkit_verify(r, alcf, ctx);

    if (rc == NGX_AGAIN || rc == NGX_ERROR) {
        return rc;
    }

    if (rc == NGX_OK) {
        rc = ngx_http_auth_jwtkit_checks(r, alcf, ctx);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

    } else if (rc == NGX_HTTP_UNAUTHORIZED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "auth_jwt: token refused (%s): %V",
                      jwtkit_status_str(ctx->status), &ctx->message);
    }

    return ngx_http_auth_jwtkit_finish(r, alcf, ctx, rc);
}


static ngx_int_t
ngx_http_auth_jwtkit_token(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_str_t *token)
{
    u_char           *p, *last;
    ngx_table_elt_t  *h;

    if (alcf->token) {
        return ngx_http_complex_value(r, alcf->token, token);
    }

    ngx_str_null(token);

    h = r->headers_in.authorization;

    if (h == NULL) {
        return NGX_OK;
    }

    p = h->value.data;
    last = p + h->value.len;

    if (h->value.len < sizeof("Bearer ") - 1
        || ngx_strncasecmp(p, (u_char *) "Bearer ", sizeof("Bearer ") - 1)
           != 0)
    {
        return NGX_OK;
    }

    p += sizeof("Bearer ") - 1;

    while (p < last && *p == ' ') {
        p++;
    }

    while (last > p && last[-1] == ' ') {
        last--;
    }

    token->data = p;
    token->len = last - p;

    return NGX_OK;
}


/*
 * Tries the key stores of the location in order: the keys of the key files,
 * then the sources of auth_jwt_key_request. A store that has no key for the
 * token (or whose keys do not verify it) hands over to the next one; any other
 * verdict is final. Returns NGX_OK, NGX_HTTP_UNAUTHORIZED, NGX_AGAIN (a fetch
 * of keys is awaited), NGX_ERROR or NGX_HTTP_INTERNAL_SERVER_ERROR.
 */

static ngx_int_t
ngx_http_auth_jwtkit_verify(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx)
{
    ngx_int_t                        rc;
    ngx_uint_t                       i, nfile, nstores;
    jwtkit_status                    st;
    const jwtkit_keyset             *set;
    ngx_http_auth_jwtkit_remote_t  **remotes;

    if (alcf->validation == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: no keys: configure auth_jwt_key_file or "
                      "auth_jwt_key_request");

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    set = (alcf->keys && jwtkit_keyset_len(alcf->keys->keyset) > 0)
          ? alcf->keys->keyset : NULL;

    if (alcf->type == NGX_HTTP_AUTH_JWTKIT_ENCRYPTED) {
        st = ngx_http_auth_jwtkit_decrypt(r, alcf, ctx, NULL);
        return (st == JWTKIT_OK) ? NGX_OK : NGX_HTTP_UNAUTHORIZED;
    }

    nfile = (set != NULL);
    nstores = nfile + (alcf->remotes ? alcf->remotes->nelts : 0);
    remotes = alcf->remotes ? alcf->remotes->elts : NULL;

    st = JWTKIT_ERR_KEY_NOT_FOUND;

    for (i = ctx->store; i < nstores; i++) {
        ctx->store = i;

        if (i < nfile) {
            st = ngx_http_auth_jwtkit_check_keyset(r, alcf, ctx, set);

        } else {
            rc = ngx_http_auth_jwtkit_check_remote(r, alcf, ctx,
                                                   remotes[i - nfile],
                                                   i - nfile, &st);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        if (st == JWTKIT_OK) {
            return NGX_OK;
        }

        if (!ngx_http_auth_jwtkit_key_miss(st)) {
            break;
        }
    }

    if (ctx->status == JWTKIT_OK) {
        ctx->status = st;
        ngx_str_set(&ctx->message, "no key to verify the token");
    }

    return NGX_HTTP_UNAUTHORIZED;
}


static jwtkit_status
ngx_http_auth_jwtkit_check_keyset(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    const jwtkit_keyset *set)
{
    jwtkit_error   *err;
    jwtkit_status   st;
#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    uint64_t        start;
#endif

    if (alcf->type == NGX_HTTP_AUTH_JWTKIT_NESTED) {
        return ngx_http_auth_jwtkit_decrypt(r, alcf, ctx, set);
    }

    err = NULL;

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    start = ngx_http_auth_jwtkit_ns();
#endif

    st = jwtkit_verify_with_keyset(ctx->token.data, ctx->token.len, set,
                                   alcf->validation, NULL, NULL, NULL, NULL,
                                   &err);

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    ctx->jwtkit_ns += ngx_http_auth_jwtkit_ns() - start;
#endif

    if (st != JWTKIT_OK) {
        ngx_http_auth_jwtkit_note(r, ctx, st, err);
        return st;
    }

    ctx->undecoded = 1;

    return JWTKIT_OK;
}


/*
 * A key store of auth_jwt_key_request: a sans-I/O JWKS source, fed by
 * subrequests. A request waits for a fetch only when the source has no keys
 * yet, or when the token names a kid the keys lack (then it is verified once
 * more with the new keys); an expired set is refreshed in the background
 * while the request goes on with the current one.
 */

static ngx_int_t
ngx_http_auth_jwtkit_check_remote(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_http_auth_jwtkit_remote_t *rm, ngx_uint_t index, jwtkit_status *st)
{
    uint32_t              bit;
    ngx_int_t             rc;
    jwtkit_error         *err;
    jwtkit_status         rst;
    jwtkit_jwks_refresh   wanted;
    const jwtkit_keyset  *set, *newer;

    bit = ngx_http_auth_jwtkit_bit(index);

    if (rm->fetch) {
        if (!rm->loaded && !(ctx->refreshed & bit)) {
            ctx->refreshed |= bit;
            return ngx_http_auth_jwtkit_wait(r, ctx, rm);
        }

    } else {
        wanted = jwtkit_jwks_source_refresh_wanted(rm->source);

        if (wanted != JWTKIT_JWKS_REFRESH_NONE) {

            if (rm->loaded) {
                rc = ngx_http_auth_jwtkit_fetch(r, ctx, rm, 0);
                if (rc == NGX_ERROR) {
                    return NGX_ERROR;
                }

            } else if (!(ctx->refreshed & bit)) {
                ctx->refreshed |= bit;
                return ngx_http_auth_jwtkit_fetch(r, ctx, rm, 1);
            }
        }
    }

    if (alcf->type == NGX_HTTP_AUTH_JWTKIT_NESTED) {
        set = NULL;
        err = NULL;

        rst = jwtkit_jwks_source_keyset(rm->source, &set, &err);

        if (rst != JWTKIT_OK) {
            ngx_http_auth_jwtkit_note(r, ctx, rst, err);
            *st = rst;

        } else {
            *st = ngx_http_auth_jwtkit_decrypt(r, alcf, ctx, set);

            if (*st == JWTKIT_ERR_KEY_NOT_FOUND) {
                newer = NULL;

                if (jwtkit_jwks_source_report_unknown_kid(rm->source, set,
                                                          &newer, NULL)
                    == JWTKIT_OK)
                {
                    jwtkit_keyset_free(newer);
                }
            }

            jwtkit_keyset_free(set);
        }

    } else {
        err = NULL;

        rst = jwtkit_verify_with_source(ctx->token.data, ctx->token.len,
                                        rm->source, alcf->validation,
                                        NULL, NULL, NULL, NULL, &err);

        if (rst == JWTKIT_OK) {
            ctx->undecoded = 1;

        } else {
            ngx_http_auth_jwtkit_note(r, ctx, rst, err);
        }

        *st = rst;
    }

    if (*st == JWTKIT_ERR_KEY_NOT_FOUND && !(ctx->refreshed & bit)) {
        ctx->refreshed |= bit;

        if (rm->fetch) {
            return ngx_http_auth_jwtkit_wait(r, ctx, rm);
        }

        if (jwtkit_jwks_source_refresh_wanted(rm->source)
            == JWTKIT_JWKS_REFRESH_UNKNOWN_KID)
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "auth_jwt: unknown kid, refreshing the keys of "
                          "\"%V\"", &rm->uri);

            return ngx_http_auth_jwtkit_fetch(r, ctx, rm, 1);
        }
    }

    return NGX_OK;
}


/*
 * auth_jwt_type encrypted (set is NULL): a JWE whose plaintext is the claims,
 * decrypted with a shared key. auth_jwt_type nested: a JWE holding a JWS,
 * verified with the keys of set. The library chooses the decryption key from
 * the set of the key files by the token's kid.
 */

static jwtkit_status
ngx_http_auth_jwtkit_decrypt(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    const jwtkit_keyset *set)
{
    char                 *header, *claims;
    size_t                header_len, claims_len;
    jwtkit_error         *err;
    jwtkit_status         st;
    const jwtkit_keyset  *dec;

    dec = alcf->keys->dec_set;

    header = NULL;
    claims = NULL;
    header_len = 0;
    claims_len = 0;
    err = NULL;

    if (set == NULL) {
        st = jwtkit_jwe_decrypt_jwt_with_keyset(ctx->token.data,
                                                ctx->token.len, dec,
                                                alcf->jwe_policy,
                                                alcf->validation,
                                                &header, &header_len,
                                                &claims, &claims_len, &err);

    } else {
        st = jwtkit_jwe_decrypt_and_verify_with_keysets(
                 ctx->token.data, ctx->token.len, dec, alcf->jwe_policy, set,
                 alcf->validation, &header, &header_len, &claims, &claims_len,
                 &err);
    }

    st = ngx_http_auth_jwtkit_outcome(r, ctx, st, err, header, header_len,
                                      claims, claims_len);

    if (st != JWTKIT_OK) {
        return st;
    }

    if (set == NULL) {
        ctx->payload = ctx->claims;
        ctx->payload_done = 1;

    } else {
        ctx->dec_set = dec;
        ctx->jwe_policy = alcf->jwe_policy;
    }

    return JWTKIT_OK;
}


/* takes the outputs of a verification into the request, or notes its failure */

static jwtkit_status
ngx_http_auth_jwtkit_outcome(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, jwtkit_status st, jwtkit_error *err,
    char *header, size_t header_len, char *claims, size_t claims_len)
{
    ngx_int_t  rc;

    if (st != JWTKIT_OK) {
        ngx_http_auth_jwtkit_note(r, ctx, st, err);
        return st;
    }

    rc = ngx_http_auth_jwtkit_take(r, header, header_len, &ctx->header);

    if (ngx_http_auth_jwtkit_take(r, claims, claims_len, &ctx->claims)
        != NGX_OK
        || rc != NGX_OK)
    {
        ctx->status = JWTKIT_ERR_OUT_OF_MEMORY;
        ngx_str_set(&ctx->message, "out of memory");
        return JWTKIT_ERR_OUT_OF_MEMORY;
    }

    return JWTKIT_OK;
}


/*
 * Keeps the failure to tell: one about the token itself (expired, refused
 * algorithm, ...) wins over a key that does not verify it, which wins over
 * no key for it at all; among equals, the last one.
 */

static void
ngx_http_auth_jwtkit_note(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, jwtkit_status st, jwtkit_error *err)
{
    const char  *msg;

    if (ctx->status == JWTKIT_OK
        || ngx_http_auth_jwtkit_rank(st)
           >= ngx_http_auth_jwtkit_rank(ctx->status))
    {
        msg = jwtkit_error_message(err);

        ctx->status = st;
        ctx->message.len = ngx_strlen(msg);
        ctx->message.data = ngx_pnalloc(r->pool, ctx->message.len);

        if (ctx->message.data == NULL) {
            ctx->message.len = 0;

        } else {
            ngx_memcpy(ctx->message.data, msg, ctx->message.len);
        }
    }

    jwtkit_error_free(err);
}


static ngx_uint_t
ngx_http_auth_jwtkit_rank(jwtkit_status st)
{
    if (st == JWTKIT_ERR_KEY_NOT_FOUND || st == JWTKIT_ERR_KEY_SOURCE) {
        return 0;
    }

    return ngx_http_auth_jwtkit_key_miss(st) ? 1 : 2;
}


/*
 * Failures that another key store may not have. Not a JWE that failed to
 * decrypt: every store decrypts a nested token with the same decryption keys,
 * so the next one would fail it again, after as many unwraps.
 */

static ngx_uint_t
ngx_http_auth_jwtkit_key_miss(jwtkit_status st)
{
    switch (st) {

    case JWTKIT_ERR_KEY_NOT_FOUND:
    case JWTKIT_ERR_KEY_SOURCE:
    case JWTKIT_ERR_KEY_ALG_MISMATCH:
    case JWTKIT_ERR_KEY_USAGE:
    case JWTKIT_ERR_SIGNATURE_INVALID:
        return 1;

    default:
        return 0;
    }
}


/* auth_jwt_revoked, then auth_jwt_require, once the token is verified */

static ngx_int_t
ngx_http_auth_jwtkit_checks(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx)
{
    ngx_str_t                        value;
    ngx_uint_t                       i, j;
    ngx_http_complex_value_t        *cv;
    ngx_http_auth_jwtkit_require_t  *req;

    if (alcf->revoked) {
        if (ngx_http_complex_value(r, alcf->revoked, &value) != NGX_OK) {
            return NGX_ERROR;
        }

        if (value.len != 0 && !(value.len == 1 && value.data[0] == '0')) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "auth_jwt: token refused: revoked (\"%V\")",
                          &alcf->revoked->value);

            ctx->status = JWTKIT_ERR_REVOKED;
            ngx_str_set(&ctx->message, "the token is revoked");

            return NGX_HTTP_UNAUTHORIZED;
        }
    }

    if (alcf->require == NULL) {
        return NGX_OK;
    }

    req = alcf->require->elts;

    for (i = 0; i < alcf->require->nelts; i++) {
        cv = req[i].values->elts;

        for (j = 0; j < req[i].values->nelts; j++) {
            if (ngx_http_complex_value(r, &cv[j], &value) != NGX_OK) {
                return NGX_ERROR;
            }

            if (value.len == 0 || (value.len == 1 && value.data[0] == '0')) {
                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "auth_jwt: token refused: auth_jwt_require "
                              "\"%V\" is %s", &cv[j].value,
                              value.len ? "\"0\"" : "empty");

                ctx->status = JWTKIT_ERR_CLAIM_INVALID;
                ngx_str_set(&ctx->message,
                            "the token does not meet a requirement");

                return req[i].error;
            }
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_finish(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_int_t rc)
{
    if (rc == NGX_HTTP_UNAUTHORIZED || rc == NGX_HTTP_FORBIDDEN) {
        if (ngx_http_auth_jwtkit_challenge(r, alcf, ctx, rc) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ctx->done = 1;
    ctx->rc = rc;

    return rc;
}


/*
 * WWW-Authenticate: Bearer realm="...", error="invalid_token" (RFC 6750 §3).
 * No error attribute when the request had no token (§3.1); error_description
 * only with auth_jwt_error_description on.
 */

static ngx_int_t
ngx_http_auth_jwtkit_challenge(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_loc_conf_t *alcf, ngx_http_auth_jwtkit_ctx_t *ctx,
    ngx_int_t rc)
{
    size_t            len;
    u_char           *p, ch;
    ngx_str_t         realm, error;
    ngx_uint_t        i, describe;
    ngx_table_elt_t  *h;
#if (nginx_version >= 1023000)
    ngx_table_elt_t **ph;
#endif

    if (ngx_http_complex_value(r, alcf->realm, &realm) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_str_null(&error);

    if (ctx->token.len != 0) {
        if (rc == NGX_HTTP_FORBIDDEN) {
            ngx_str_set(&error, "insufficient_scope");

        } else {
            ngx_str_set(&error, "invalid_token");
        }
    }

    describe = (alcf->error_description && error.len != 0
                && ctx->message.len != 0);

    len = sizeof("Bearer realm=\"\"") - 1 + 2 * realm.len;

    if (error.len) {
        len += sizeof(", error=\"\"") - 1 + error.len;
    }

    if (describe) {
        len += sizeof(", error_description=\"\"") - 1 + ctx->message.len;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "WWW-Authenticate");
    h->value.data = p;

    p = ngx_cpymem(p, "Bearer realm=\"", sizeof("Bearer realm=\"") - 1);

    for (i = 0; i < realm.len; i++) {
        ch = realm.data[i];

        if (ch == '"' || ch == '\\') {
            *p++ = '\\';

        } else if (ch < 0x20 || ch == 0x7f) {
            ch = ' ';
        }

        *p++ = ch;
    }

    *p++ = '"';

    if (error.len) {
        p = ngx_cpymem(p, ", error=\"", sizeof(", error=\"") - 1);
        p = ngx_cpymem(p, error.data, error.len);
        *p++ = '"';
    }

    if (describe) {
        p = ngx_cpymem(p, ", error_description=\"",
                       sizeof(", error_description=\"") - 1);

        /* RFC 6750 §3: printable ASCII without '"' and '\' */

        for (i = 0; i < ctx->message.len; i++) {
            ch = ctx->message.data[i];

            if (ch == '"') {
                ch = '\'';

            } else if (ch == '\\') {
                ch = '/';

            } else if (ch < 0x20 || ch > 0x7e) {
                ch = '?';
            }

            *p++ = ch;
        }

        *p++ = '"';
    }

    h->value.len = p - h->value.data;

#if (nginx_version >= 1023000)

    /*
     * a challenge set before, in a location that redirected here, stays in
     * the list: "satisfy any" hides the whole list when access is granted
     */

    for (ph = &r->headers_out.www_authenticate; *ph; ph = &(*ph)->next) {
        /* void */
    }

    *ph = h;

#else
    r->headers_out.www_authenticate = h;
#endif

    return NGX_OK;
}


/* fetching keys: subrequests to auth_jwt_key_request uris */

static ngx_int_t
ngx_http_auth_jwtkit_fetch(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, ngx_http_auth_jwtkit_remote_t *rm,
    ngx_uint_t wait)
{
    char                          *inm;
    size_t                         inm_len;
    ngx_uint_t                     flags;
    ngx_table_elt_t               *h;
    ngx_pool_cleanup_t            *cln;
    ngx_http_request_t            *sr;
    ngx_http_post_subrequest_t    *ps;
    ngx_http_auth_jwtkit_fetch_t  *fetch;

    fetch = ngx_pcalloc(r->pool, sizeof(ngx_http_auth_jwtkit_fetch_t));
    if (fetch == NULL) {
        return NGX_ERROR;
    }

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    ps->handler = ngx_http_auth_jwtkit_fetch_done;
    ps->data = fetch;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /*
     * not an in-memory subrequest, whose body may not exceed
     * subrequest_output_buffer_size (4k by default, and the client's request
     * fails beyond): ngx_http_auth_jwtkit_body_filter() keeps the body, up to
     * the 1 MiB jwtkit reads
     */

    flags = wait ? NGX_HTTP_SUBREQUEST_WAITED : NGX_HTTP_SUBREQUEST_BACKGROUND;

    if (ngx_http_subrequest(r, &rm->uri, NULL, &sr, ps, flags) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * the subrequest gets no body and none of the client's headers (its
     * token among them): only If-None-Match, when the source has an ETag
     */

    sr->request_body = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (sr->request_body == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&sr->headers_in, sizeof(ngx_http_headers_in_t));

    sr->headers_in.server = r->headers_in.server;
    sr->headers_in.content_length_n = -1;
    sr->headers_in.keep_alive_n = -1;

    if (ngx_list_init(&sr->headers_in.headers, r->pool, 2,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    fetch->subrequest = sr;
    fetch->remote = rm;
    rm->fetch = fetch;

    cln->handler = ngx_http_auth_jwtkit_fetch_cleanup;
    cln->data = fetch;

    inm = NULL;
    inm_len = 0;

    if (jwtkit_jwks_source_start_refresh(rm->source, &inm, NULL) == JWTKIT_OK
        && inm != NULL)
    {
        inm_len = ngx_strlen(inm);

        h = ngx_list_push(&sr->headers_in.headers);

        if (h != NULL) {
            h->value.data = ngx_pnalloc(r->pool, inm_len);

            if (h->value.data != NULL) {
                ngx_memcpy(h->value.data, inm, inm_len);
                h->value.len = inm_len;
                h->key = ngx_http_auth_jwtkit_if_none_match;
                h->lowcase_key = (u_char *) "if-none-match";
                h->hash = ngx_hash_key(h->lowcase_key, h->key.len);
#if (nginx_version >= 1023000)
                h->next = NULL;
#endif
                sr->headers_in.if_none_match = h;

            } else {
                h->hash = 0;
            }
        }

        jwtkit_string_free(inm);
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "auth_jwt: fetching keys from \"%V\" (%s, etag %uz)",
                   &rm->uri, wait ? "waited" : "background", inm_len);

    if (wait) {
        ctx->fetch = fetch;
        return NGX_AGAIN;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_fetch_done(ngx_http_request_t *sr, void *data,
    ngx_int_t rc)
{
    ngx_http_auth_jwtkit_fetch_t  *fetch = data;

    /* fetch->remote is NULL if the fetch failed to start (no memory) */

    if (fetch->remote && !fetch->done) {
        ngx_http_auth_jwtkit_fetch_end(fetch, sr, rc, sr->connection->log);
    }

    /*
     * a failed fetch is the source's failure, told to it above, not the
     * client's request's: the request goes on, answered without these keys,
     * and nothing of the subrequest (such as an error page) goes to the client
     */

    if (rc == NGX_ERROR && !sr->connection->error) {
        return NGX_OK;
    }

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE
        || rc == NGX_HTTP_CREATED
        || rc == NGX_HTTP_NO_CONTENT)
    {
        return NGX_OK;
    }

    return rc;
}


/*
 * Feeds the answer of a subrequest to the source (sr NULL: the request that
 * fetched ended before its subrequest), then wakes the requests waiting.
 */

static void
ngx_http_auth_jwtkit_fetch_end(ngx_http_auth_jwtkit_fetch_t *fetch,
    ngx_http_request_t *sr, ngx_int_t rc, ngx_log_t *log)
{
    u_char                         *p;
    size_t                          cc_len, etag_len, body_len;
    ngx_buf_t                      *b;
    ngx_uint_t                      status;
    ngx_queue_t                    *q;
    jwtkit_error                   *err;
    jwtkit_status                   st;
    const uint8_t                  *cc, *etag, *body;
    ngx_table_elt_t                *h;
    ngx_http_auth_jwtkit_ctx_t     *w;
    ngx_http_auth_jwtkit_remote_t  *rm;
    static const char               ended[] =
        "the request that fetched the keys ended first";
    static const char               failed[] = "the subrequest failed";
    static const char               big[] =
        "the answer is larger than 1 MiB, the largest JWK Set read";
#if (nginx_version < 1023000)
    ngx_uint_t                      i;
    ngx_table_elt_t               **hh;
#endif

    fetch->done = 1;
    fetch->subrequest = NULL;
    rm = fetch->remote;

    if (rm->fetch == fetch) {
        rm->fetch = NULL;
    }

    status = 0;

    if (sr != NULL) {
        status = sr->headers_out.status;

        if (status == 0 && rc >= 100 && rc < 600) {
            status = rc;
        }
    }

    if (fetch->too_big) {
        (void) jwtkit_jwks_source_fetch_failed(rm->source,
                                               (const uint8_t *) big,
                                               sizeof(big) - 1, NULL);

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "auth_jwt: key request \"%V\" failed: %s",
                      &rm->uri, big);

        goto wake;
    }

    if (sr == NULL || rc == NGX_ERROR || status == 0) {
        (void) jwtkit_jwks_source_fetch_failed(rm->source,
                                               (const uint8_t *)
                                                   (sr ? failed : ended),
                                               sr ? sizeof(failed) - 1
                                                  : sizeof(ended) - 1,
                                               NULL);

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "auth_jwt: key request \"%V\" failed: %s",
                      &rm->uri, sr ? failed : ended);

        goto wake;
    }

    cc = NULL;
    cc_len = 0;

#if (nginx_version >= 1023000)

    for (h = sr->headers_out.cache_control; h; h = h->next) {
        cc_len += h->value.len + 2;
    }

    if (cc_len) {
        p = ngx_pnalloc(sr->pool, cc_len);

        if (p != NULL) {
            cc = p;

            for (h = sr->headers_out.cache_control; h; h = h->next) {
                p = ngx_cpymem(p, h->value.data, h->value.len);
                *p++ = ',';
                *p++ = ' ';
            }

            cc_len -= 2;

        } else {
            cc_len = 0;
        }
    }

#else

    hh = sr->headers_out.cache_control.elts;

    for (i = 0; i < sr->headers_out.cache_control.nelts; i++) {
        cc_len += hh[i]->value.len + 2;
    }

    if (cc_len) {
        p = ngx_pnalloc(sr->pool, cc_len);

        if (p != NULL) {
            cc = p;

            for (i = 0; i < sr->headers_out.cache_control.nelts; i++) {
                p = ngx_cpymem(p, hh[i]->value.data, hh[i]->value.len);
                *p++ = ',';
                *p++ = ' ';
            }

            cc_len -= 2;

        } else {
            cc_len = 0;
        }
    }

#endif

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, log, 0,
                   "auth_jwt: key request \"%V\": status %ui, "
                   "cache-control \"%*s\"",
                   &rm->uri, status, cc_len, cc ? cc : (u_char *) "");

    h = sr->headers_out.etag;
    etag = h ? h->value.data : NULL;
    etag_len = h ? h->value.len : 0;

    body = NULL;
    body_len = 0;

    if (fetch->body) {
        b = fetch->body;
        body = b->pos;
        body_len = b->last - b->pos;
    }

    err = NULL;

    st = jwtkit_jwks_source_feed(rm->source, (uint16_t) status, cc, cc_len,
                                 etag, etag_len, body, body_len, &err);

    if (st == JWTKIT_OK) {
        if (status == NGX_HTTP_OK) {
            rm->loaded = 1;
        }

        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "auth_jwt: keys of \"%V\" %s", &rm->uri,
                      status == NGX_HTTP_OK ? "refreshed" : "not modified");

    } else {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "auth_jwt: key request \"%V\" answered %ui: %s",
                      &rm->uri, status, jwtkit_error_message(err));
    }

    jwtkit_error_free(err);

wake:

    while (!ngx_queue_empty(&rm->waiters)) {
        q = ngx_queue_head(&rm->waiters);
        ngx_queue_remove(q);

        w = ngx_queue_data(q, ngx_http_auth_jwtkit_ctx_t, queue);
        w->waiting = 0;

        ngx_post_event(&w->wake, &ngx_posted_events);
    }
}


static void
ngx_http_auth_jwtkit_fetch_cleanup(void *data)
{
    ngx_http_auth_jwtkit_fetch_t  *fetch = data;

    if (!fetch->done) {
        ngx_http_auth_jwtkit_fetch_end(fetch, NULL, NGX_ERROR,
                                       ngx_cycle->log);
    }
}


/*
 * Keeps the body of a key request's subrequest for the source, instead of
 * passing it on: a subrequest's output would go to the client otherwise. The
 * subrequest is known by its pointer, which an internal redirect keeps (and
 * its module contexts do not).
 */

static ngx_int_t
ngx_http_auth_jwtkit_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_uint_t                          i;
    ngx_chain_t                        *cl;
    ngx_http_auth_jwtkit_fetch_t       *fetch;
    ngx_http_auth_jwtkit_remote_t     **rm;
    ngx_http_auth_jwtkit_main_conf_t   *amcf;

    if (r == r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_auth_jwtkit_module);

    rm = amcf->remotes.elts;
    fetch = NULL;

    for (i = 0; i < amcf->remotes.nelts; i++) {
        if (rm[i]->fetch && rm[i]->fetch->subrequest == r) {
            fetch = rm[i]->fetch;
            break;
        }
    }

    if (fetch == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        if (ngx_http_auth_jwtkit_keep(r, fetch, cl->buf) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_keep(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_fetch_t *fetch, ngx_buf_t *b)
{
    off_t       size;
    size_t      len, want;
    ssize_t     n;
    ngx_buf_t  *body, *grown;

    size = ngx_buf_size(b);

    if (ngx_buf_special(b) || size <= 0) {
        return NGX_OK;
    }

    body = fetch->body;

    if (fetch->too_big
        || size > NGX_HTTP_AUTH_JWTKIT_MAX_FILE
                  - (body ? body->last - body->pos : 0))
    {
        fetch->too_big = 1;
        goto consumed;
    }

    len = (size_t) size;

    if (body == NULL || (size_t) (body->end - body->last) < len) {
        want = body ? (size_t) (body->end - body->start) * 2 : 4096;

        if (r->headers_out.content_length_n > 0
            && r->headers_out.content_length_n <= NGX_HTTP_AUTH_JWTKIT_MAX_FILE
            && (size_t) r->headers_out.content_length_n > want)
        {
            want = (size_t) r->headers_out.content_length_n;
        }

        while (want < (size_t) (body ? body->last - body->pos : 0) + len) {
            want *= 2;
        }

        grown = ngx_create_temp_buf(r->pool, want);
        if (grown == NULL) {
            return NGX_ERROR;
        }

        if (body) {
            grown->last = ngx_cpymem(grown->last, body->pos,
                                     body->last - body->pos);
        }

        fetch->body = grown;
        body = grown;
    }

    if (ngx_buf_in_memory(b)) {
        body->last = ngx_cpymem(body->last, b->pos, len);

    } else {
        n = ngx_read_file(b->file, body->last, len, b->file_pos);

        if (n != (ssize_t) len) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: reading the answer of a key request "
                          "from \"%s\" failed", b->file->name.data);
            return NGX_ERROR;
        }

        body->last += len;
    }

consumed:

    if (ngx_buf_in_memory(b)) {
        b->pos = b->last;
    }

    if (b->in_file) {
        b->file_pos = b->file_last;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_wait(ngx_http_request_t *r,
    ngx_http_auth_jwtkit_ctx_t *ctx, ngx_http_auth_jwtkit_remote_t *rm)
{
    ngx_pool_cleanup_t  *cln;

    if (!ctx->cleanup) {
        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return NGX_ERROR;
        }

        cln->handler = ngx_http_auth_jwtkit_ctx_cleanup;
        cln->data = ctx;

        ctx->cleanup = 1;
        ctx->wake.handler = ngx_http_auth_jwtkit_wake;
        ctx->wake.data = r;
        ctx->wake.log = r->connection->log;
    }

    ngx_queue_insert_tail(&rm->waiters, &ctx->queue);
    ctx->waiting = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "auth_jwt: waiting for the keys of \"%V\"", &rm->uri);

    return NGX_AGAIN;
}


static void
ngx_http_auth_jwtkit_wake(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->write_event_handler(r);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_auth_jwtkit_ctx_cleanup(void *data)
{
    ngx_http_auth_jwtkit_ctx_t  *ctx = data;

    if (ctx->waiting) {
        ngx_queue_remove(&ctx->queue);
        ctx->waiting = 0;
    }

    if (ctx->wake.posted) {
        ngx_delete_posted_event(&ctx->wake);
    }
}


/* variables */

static ngx_int_t
ngx_http_auth_jwtkit_take(ngx_http_request_t *r, char *s, size_t len,
    ngx_str_t *dst)
{
    if (s == NULL) {
        ngx_str_null(dst);
        return NGX_OK;
    }

    dst->data = ngx_pnalloc(r->pool, len ? len : 1);

    if (dst->data == NULL) {
        jwtkit_string_free(s);
        return NGX_ERROR;
    }

    ngx_memcpy(dst->data, s, len);
    dst->len = len;

    jwtkit_string_free(s);

    return NGX_OK;
}


/*
 * The header and claims of the request's token, once it is verified. A JWS
 * is verified without asking jwtkit for them (most requests read none); the
 * first variable that needs them decodes the very bytes just verified.
 */

static ngx_http_auth_jwtkit_ctx_t *
ngx_http_auth_jwtkit_decode(ngx_http_request_t *r)
{
    char                        *header, *claims;
    size_t                       header_len, claims_len;
    jwtkit_status                st;
    ngx_http_auth_jwtkit_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_auth_jwtkit_module);

    if (ctx == NULL || !ctx->undecoded) {
        return ctx;
    }

    ctx->undecoded = 0;

    header = NULL;
    claims = NULL;
    header_len = 0;
    claims_len = 0;

    st = jwtkit_decode_unverified(ctx->token.data, ctx->token.len,
                                  &header, &header_len, &claims, &claims_len,
                                  NULL);

    if (st != JWTKIT_OK
        || ngx_http_auth_jwtkit_take(r->main, header, header_len,
                                     &ctx->header)
           != NGX_OK)
    {
        jwtkit_string_free(claims);
        return ctx;
    }

    (void) ngx_http_auth_jwtkit_take(r->main, claims, claims_len,
                                     &ctx->claims);

    return ctx;
}


static ngx_int_t
ngx_http_auth_jwtkit_text(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *json, const char *const *path,
    ngx_uint_t n)
{
    char           *out;
    size_t          len;
    ngx_str_t       text;
    jwtkit_status   st;

    if (json->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    out = NULL;
    len = 0;

    st = jwtkit_member_text(json->data, json->len, path, n, &out, &len, NULL);

    if (st != JWTKIT_OK || out == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (ngx_http_auth_jwtkit_take(r, out, len, &text) != NGX_OK) {
        return NGX_ERROR;
    }

    v->data = text.data;
    v->len = text.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_claim_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_auth_jwtkit_ctx_t  *ctx;

    ctx = ngx_http_auth_jwtkit_decode(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_auth_jwtkit_prefix_variable(r, v, &ctx->claims,
                                                (ngx_str_t *) data,
                                                sizeof("jwt_claim_") - 1);
}


static ngx_int_t
ngx_http_auth_jwtkit_header_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_auth_jwtkit_ctx_t  *ctx;

    ctx = ngx_http_auth_jwtkit_decode(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_auth_jwtkit_prefix_variable(r, v, &ctx->header,
                                                (ngx_str_t *) data,
                                                sizeof("jwt_header_") - 1);
}


static ngx_int_t
ngx_http_auth_jwtkit_prefix_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *json, ngx_str_t *name,
    size_t prefix)
{
    u_char      *p;
    const char  *path[1];

    if (json->len == 0 || name->len <= prefix) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, name->len - prefix + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_cpystrn(p, name->data + prefix, name->len - prefix + 1);

    path[0] = (const char *) p;

    return ngx_http_auth_jwtkit_text(r, v, json, path, 1);
}


static ngx_int_t
ngx_http_auth_jwtkit_member_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_auth_jwtkit_member_t  *m = (ngx_http_auth_jwtkit_member_t *) data;

    ngx_http_auth_jwtkit_ctx_t  *ctx;

    ctx = ngx_http_auth_jwtkit_decode(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_auth_jwtkit_text(r, v, m->header ? &ctx->header
                                                     : &ctx->claims,
                                     m->path, m->n);
}


/*
 * $jwt_payload: the decrypted payload; for an encrypted token its claims, for
 * a nested one the JWS it holds (decrypted once more, only when asked for).
 */

static ngx_int_t
ngx_http_auth_jwtkit_payload_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    char                        *out;
    size_t                       len;
    jwtkit_status                st;
    ngx_http_auth_jwtkit_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_auth_jwtkit_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (!ctx->payload_done && ctx->dec_set != NULL) {
        ctx->payload_done = 1;

        out = NULL;
        len = 0;

        st = jwtkit_jwe_decrypt_with_keyset(ctx->token.data, ctx->token.len,
                                            ctx->dec_set, ctx->jwe_policy,
                                            NULL, NULL, &out, &len, NULL);

        if (st == JWTKIT_OK
            && ngx_http_auth_jwtkit_take(r->main, out, len, &ctx->payload)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ctx->payload.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ctx->payload.data;
    v->len = ctx->payload.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


/* configuration: keys */

static ngx_int_t
ngx_http_auth_jwtkit_load_file(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_str_t *path)
{
    u_char           *data;
    size_t            size;
    ssize_t           n;
    ngx_int_t         rc;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    ngx_memzero(&file, sizeof(ngx_file_t));

    file.name = *path;
    file.log = cf->log;

    file.fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "auth_jwt_key_file: " ngx_open_file_n
                           " \"%s\" failed", path->data);
        return NGX_ERROR;
    }

    rc = NGX_ERROR;
    data = NULL;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "auth_jwt_key_file: " ngx_fd_info_n
                           " \"%s\" failed", path->data);
        goto done;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_AUTH_JWTKIT_MAX_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "auth_jwt_key_file: \"%s\" is larger than "
                           "1 MiB, the largest JWK Set read", path->data);
        goto done;
    }

    size = (size_t) ngx_file_size(&fi);

    data = ngx_alloc(size + 1, cf->log);
    if (data == NULL) {
        goto done;
    }

    n = ngx_read_file(&file, data, size, 0);

    if (n == NGX_ERROR) {
        goto done;
    }

    if ((size_t) n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "auth_jwt_key_file: \"%s\" was read partially",
                           path->data);
        goto done;
    }

    rc = ngx_http_auth_jwtkit_load_jwks(cf, keys, path, data, size);

done:

    if (data) {
        ngx_explicit_memzero(data, size);
        ngx_free(data);
    }

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", path->data);
    }

    return rc;
}


/*
 * The keys of one JWK Set: jwtkit_keyset_from_jwks keeps those that verify
 * signatures, jwtkit_keyset_from_jwks_for_decryption those that decrypt.
 */

static ngx_int_t
ngx_http_auth_jwtkit_load_jwks(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_str_t *path, u_char *data,
    size_t len)
{
    ngx_uint_t            nsig, ndec;
    jwtkit_error         *err;
    jwtkit_status         st;
    const jwtkit_keyset  *set, *dec;

    set = NULL;
    dec = NULL;
    err = NULL;

    st = jwtkit_keyset_from_jwks(data, len, &set, &err);

    if (st == JWTKIT_OK) {
        st = jwtkit_keyset_from_jwks_for_decryption(data, len, &dec, &err);
    }

    if (st != JWTKIT_OK) {
        jwtkit_keyset_free(set);
        ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG,
                                        "auth_jwt_key_file", path, st, err);
        return NGX_ERROR;
    }

    nsig = jwtkit_keyset_len(set);
    ndec = jwtkit_keyset_len(dec);

    if (ngx_http_auth_jwtkit_take_keys(&keys->sig_keys, set) != NGX_OK
        || ngx_http_auth_jwtkit_take_keys(&keys->dec_keys, dec) != NGX_OK)
    {
        jwtkit_keyset_free(set);
        jwtkit_keyset_free(dec);
        return NGX_ERROR;
    }

    ngx_http_auth_jwtkit_log_skipped(cf, path, set, dec);

    jwtkit_keyset_free(set);
    jwtkit_keyset_free(dec);

    if (nsig == 0 && ndec == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "auth_jwt_key_file \"%V\": no usable key", path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a new reference to each key of a set, into keys (const jwtkit_key *) */

static ngx_int_t
ngx_http_auth_jwtkit_take_keys(ngx_array_t *keys, const jwtkit_keyset *set)
{
    ngx_uint_t         i, n;
    const jwtkit_key  *key, **slot;

    n = jwtkit_keyset_len(set);

    for (i = 0; i < n; i++) {
        key = NULL;

        if (jwtkit_keyset_get(set, i, &key, NULL) != JWTKIT_OK) {
            continue;
        }

        slot = ngx_array_push(keys);
        if (slot == NULL) {
            jwtkit_key_free(key);
            return NGX_ERROR;
        }

        *slot = key;
    }

    return NGX_OK;
}


/*
 * Why each key of a file is left out of one set or the other: keys for
 * signatures are expected beside keys for decryption, and the reverse (a key
 * that does not parse is left out of both, and warned about once).
 */

static void
ngx_http_auth_jwtkit_log_skipped(ngx_conf_t *cf, ngx_str_t *path,
    const jwtkit_keyset *set, const jwtkit_keyset *dec)
{
    char           *msg;
    size_t          msg_len;
    ngx_uint_t      i, n;
    jwtkit_status   skipped;

    n = jwtkit_keyset_skipped_count(set);

    for (i = 0; i < n; i++) {
        msg = NULL;
        msg_len = 0;

        if (jwtkit_keyset_skipped(set, i, &skipped, &msg, &msg_len, NULL)
            != JWTKIT_OK)
        {
            continue;
        }

        ngx_conf_log_error(skipped == JWTKIT_ERR_KEY_USAGE ? NGX_LOG_INFO
                                                           : NGX_LOG_WARN,
                           cf, 0, "auth_jwt_key_file \"%V\": not for "
                           "signatures: %s", path, msg);

        jwtkit_string_free(msg);
    }

    n = jwtkit_keyset_skipped_count(dec);

    for (i = 0; i < n; i++) {
        msg = NULL;
        msg_len = 0;

        if (jwtkit_keyset_skipped(dec, i, &skipped, &msg, &msg_len, NULL)
            != JWTKIT_OK)
        {
            continue;
        }

        ngx_conf_log_error(NGX_LOG_INFO, cf, 0, "auth_jwt_key_file \"%V\": "
                           "not for decryption: %s", path, msg);

        jwtkit_string_free(msg);
    }
}


/*
 * The keys of all files of a level, as two key sets: one that verifies
 * signatures, one that decrypts.
 */

static ngx_int_t
ngx_http_auth_jwtkit_build_keys(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys)
{
    ngx_uint_t         i, n;
    jwtkit_jwe_alg     alg;
    const jwtkit_key  *key;

    keys->built = 1;

    if (ngx_http_auth_jwtkit_build_set(cf, keys, &keys->sig_keys, 0,
                                       &keys->keyset)
        != NGX_OK
        || ngx_http_auth_jwtkit_build_set(cf, keys, &keys->dec_keys, 1,
                                          &keys->dec_set)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    keys->algs = 0;
    n = jwtkit_keyset_len(keys->keyset);

    for (i = 0; i < n; i++) {
        key = NULL;

        if (jwtkit_keyset_get(keys->keyset, i, &key, NULL) == JWTKIT_OK) {
            keys->algs |= ngx_http_auth_jwtkit_key_algs(key);
            jwtkit_key_free(key);
        }
    }

    /* the JWE algorithms of the decryption keys, as the library says */

    keys->jwe_algs = 0;
    n = jwtkit_keyset_len(keys->dec_set);

    for (i = 0; i < n; i++) {
        key = NULL;

        if (jwtkit_keyset_get(keys->dec_set, i, &key, NULL) != JWTKIT_OK) {
            continue;
        }

        for (alg = 1; alg < 32 && jwtkit_jwe_alg_name(alg) != NULL; alg++) {
            if (jwtkit_key_can_decrypt(key, alg)) {
                keys->jwe_algs |= ngx_http_auth_jwtkit_bit(alg);
            }
        }

        jwtkit_key_free(key);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_build_set(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_keys_t *keys, ngx_array_t *from,
    ngx_uint_t decryption, const jwtkit_keyset **set)
{
    char           *msg;
    size_t          msg_len;
    ngx_uint_t      i, n;
    jwtkit_error   *err;
    jwtkit_status   st, skipped;

    err = NULL;

    if (decryption) {
        st = jwtkit_keyset_from_keys_for_decryption(from->elts, from->nelts,
                                                    set, &err);
    } else {
        st = jwtkit_keyset_from_keys(from->elts, from->nelts, set, &err);
    }

    if (st != JWTKIT_OK) {
        ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG,
                                        "auth_jwt_key_file",
                                        &keys->conf_file, st, err);
        return NGX_ERROR;
    }

    n = jwtkit_keyset_skipped_count(*set);

    for (i = 0; i < n; i++) {
        msg = NULL;
        msg_len = 0;

        if (jwtkit_keyset_skipped(*set, i, &skipped, &msg, &msg_len, NULL)
            == JWTKIT_OK)
        {
            ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                          "auth_jwt_key_file: the keys of the files "
                          "together: one is left out%s: %s (%s:%ui)",
                          decryption ? " of decryption" : "", msg,
                          keys->conf_file.data, keys->line);

            jwtkit_string_free(msg);
        }
    }

    return NGX_OK;
}


/*
 * the algorithms `key` verifies, as the library says (kind and curve, JWK
 * alg, use and key_ops)
 */
static uint32_t
ngx_http_auth_jwtkit_key_algs(const jwtkit_key *key)
{
    uint32_t    algs;
    jwtkit_alg  alg;

    algs = 0;

    ngx_http_auth_jwtkit_each_alg(alg) {
        if (jwtkit_key_can_verify(key, alg)) {
            algs |= ngx_http_auth_jwtkit_bit(alg);
        }
    }

    return algs;
}


/*
 * what the keys of a key request (a JWK Set from a URL) may verify: every
 * algorithm of the library but the HMAC ones
 */
static uint32_t
ngx_http_auth_jwtkit_public_algs(void)
{
    uint32_t    algs;
    jwtkit_alg  alg;

    algs = 0;

    ngx_http_auth_jwtkit_each_alg(alg) {
        algs |= ngx_http_auth_jwtkit_bit(alg);
    }

    return algs & ~NGX_HTTP_AUTH_JWTKIT_HMAC_ALGS;
}


/*
 * One JWKS source per auth_jwt_key_request uri (and cache times) per worker:
 * sources are made here, in the master, and each worker has its own copy.
 */

static ngx_int_t
ngx_http_auth_jwtkit_build_remotes(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf)
{
    ngx_str_t                          *uri;
    ngx_uint_t                          i, j;
    jwtkit_error                       *err;
    jwtkit_status                       st;
    ngx_pool_cleanup_t                 *cln;
    jwtkit_jwks_options                *opts;
    ngx_http_auth_jwtkit_remote_t      *rm, **all, **slot;
    ngx_http_auth_jwtkit_main_conf_t   *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_auth_jwtkit_module);

    conf->remotes = ngx_array_create(cf->pool, conf->key_requests->nelts,
                                     sizeof(ngx_http_auth_jwtkit_remote_t *));
    if (conf->remotes == NULL) {
        return NGX_ERROR;
    }

    uri = conf->key_requests->elts;

    for (i = 0; i < conf->key_requests->nelts; i++) {

        all = amcf->remotes.elts;
        rm = NULL;

        for (j = 0; j < amcf->remotes.nelts; j++) {
            if (all[j]->uri.len == uri[i].len
                && ngx_strncmp(all[j]->uri.data, uri[i].data, uri[i].len) == 0
                && all[j]->cache == conf->key_cache
                && all[j]->cooldown == conf->key_cooldown)
            {
                rm = all[j];
                break;
            }
        }

        if (rm == NULL) {
            rm = ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwtkit_remote_t));
            if (rm == NULL) {
                return NGX_ERROR;
            }

            rm->uri = uri[i];
            rm->cache = conf->key_cache;
            rm->cooldown = conf->key_cooldown;
            ngx_queue_init(&rm->waiters);

            cln = ngx_pool_cleanup_add(cf->pool, 0);
            if (cln == NULL) {
                return NGX_ERROR;
            }

            opts = NULL;
            err = NULL;

            st = jwtkit_jwks_options_new(&opts, &err);

            if (st == JWTKIT_OK && rm->cache) {
                st = jwtkit_jwks_options_set_cache_times(opts, rm->cache,
                                                         rm->cache, rm->cache,
                                                         &err);
            }

            if (st == JWTKIT_OK) {
                st = jwtkit_jwks_options_set_cooldown(opts, rm->cooldown,
                                                      &err);
            }

            if (st == JWTKIT_OK) {
                st = jwtkit_jwks_source_new(opts, &rm->source, &err);
            }

            jwtkit_jwks_options_free(opts);

            if (st != JWTKIT_OK) {
                ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG,
                                                "auth_jwt_key_request",
                                                &rm->uri, st, err);
                return NGX_ERROR;
            }

            cln->handler = ngx_http_auth_jwtkit_cleanup_source;
            cln->data = rm;

            slot = ngx_array_push(&amcf->remotes);
            if (slot == NULL) {
                return NGX_ERROR;
            }

            *slot = rm;
        }

        slot = ngx_array_push(conf->remotes);
        if (slot == NULL) {
            return NGX_ERROR;
        }

        *slot = rm;
    }

    return NGX_OK;
}


/*
 * The policy of a location: the algorithms of auth_jwt_algorithms, or else
 * those its keys can serve (every public-key algorithm for keys fetched by
 * auth_jwt_key_request); auth_jwt_leeway; auth_jwt_issuer; auth_jwt_audience
 * (without it, tokens are not refused for their "aud", as NGINX Plus does).
 */

static ngx_int_t
ngx_http_auth_jwtkit_build_validation(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf)
{
    uint32_t             mask;
    ngx_str_t           *s;
    ngx_uint_t           i, n;
    jwtkit_alg           alg, algs[32];
    jwtkit_error        *err;
    jwtkit_status        st;
    ngx_pool_cleanup_t  *cln;

    n = 0;

    if (conf->algorithms) {
        ngx_memcpy(algs, conf->algorithms->elts,
                   conf->algorithms->nelts * sizeof(jwtkit_alg));
        n = conf->algorithms->nelts;

    } else {
        mask = (conf->keys ? conf->keys->algs : 0)
               | (conf->remotes ? ngx_http_auth_jwtkit_public_algs() : 0);

        ngx_http_auth_jwtkit_each_alg(alg) {
            if (mask & ngx_http_auth_jwtkit_bit(alg)) {
                algs[n++] = alg;
            }
        }
    }

    if (n == 0) {
        /* no key verifies signatures: the policy only checks claims */
        algs[n++] = JWTKIT_ALG_HS256;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    err = NULL;

    st = jwtkit_validation_new(algs, n, &conf->validation, &err);
    if (st != JWTKIT_OK) {
        goto failed;
    }

    cln->handler = ngx_http_auth_jwtkit_cleanup_validation;
    cln->data = conf->validation;

    st = jwtkit_validation_set_leeway(conf->validation,
                                      (uint64_t) conf->leeway, &err);
    if (st != JWTKIT_OK) {
        goto failed;
    }

    if (conf->issuers) {
        s = conf->issuers->elts;

        for (i = 0; i < conf->issuers->nelts; i++) {
            st = jwtkit_validation_add_issuer(conf->validation, s[i].data,
                                              s[i].len, &err);
            if (st != JWTKIT_OK) {
                goto failed;
            }
        }
    }

    if (conf->audiences) {
        s = conf->audiences->elts;

        for (i = 0; i < conf->audiences->nelts; i++) {
            st = jwtkit_validation_add_audience(conf->validation, s[i].data,
                                                s[i].len, &err);
            if (st != JWTKIT_OK) {
                goto failed;
            }
        }

    } else {
        st = jwtkit_validation_disable_checks(conf->validation,
                                              JWTKIT_CHECK_AUD, &err);
        if (st != JWTKIT_OK) {
            goto failed;
        }
    }

    return NGX_OK;

failed:

    ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG, "auth_jwt", NULL, st,
                                    err);
    return NGX_ERROR;
}


static ngx_int_t
ngx_http_auth_jwtkit_build_jwe_policy(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf)
{
    uint32_t             mask;
    ngx_uint_t           i, n;
    jwtkit_error        *err;
    jwtkit_status        st;
    ngx_uint_t           n_encs;
    jwtkit_jwe_alg       algs[32];
    jwtkit_jwe_enc       encs[32];
    ngx_pool_cleanup_t  *cln;

    mask = conf->keys->jwe_algs;

    if (conf->type == NGX_HTTP_AUTH_JWTKIT_ENCRYPTED) {
        mask &= NGX_HTTP_AUTH_JWTKIT_SHARED_JWE_ALGS;
    }

    n = 0;

    /* the library's algorithms, 1, 2, ... up to the first without a name */
    for (i = 1; i < 32 && jwtkit_jwe_alg_name((jwtkit_jwe_alg) i) != NULL; i++) {
        if (mask & ngx_http_auth_jwtkit_bit(i)) {
            algs[n++] = (jwtkit_jwe_alg) i;
        }
    }

    /* every content encryption the library offers: all authenticated */
    n_encs = 0;

    while (n_encs < 32
           && jwtkit_jwe_enc_name((jwtkit_jwe_enc) (n_encs + 1)) != NULL)
    {
        encs[n_encs] = (jwtkit_jwe_enc) (n_encs + 1);
        n_encs++;
    }

    if (n == 0) {
        /* reported by ngx_http_auth_jwtkit_check_conf() */
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    err = NULL;

    st = jwtkit_jwe_policy_new(algs, n, encs, n_encs,
                               &conf->jwe_policy, &err);

    if (st != JWTKIT_OK) {
        ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG, "auth_jwt_type",
                                        NULL, st, err);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_auth_jwtkit_cleanup_jwe_policy;
    cln->data = conf->jwe_policy;

    return NGX_OK;
}


/* what a location with auth_jwt on needs to work with its keys */

static ngx_int_t
ngx_http_auth_jwtkit_check_conf(ngx_conf_t *cf,
    ngx_http_auth_jwtkit_loc_conf_t *conf)
{
    ngx_str_t    *file;
    ngx_uint_t    line, sig;
    const char   *what;

    if (conf->keys == NULL) {
        return NGX_OK;
    }

    if (conf->type_file.len) {
        file = &conf->type_file;
        line = conf->type_line;

    } else {
        file = &conf->keys->conf_file;
        line = conf->keys->line;
    }

    sig = jwtkit_keyset_len(conf->keys->keyset) > 0 || conf->remotes != NULL;
    what = NULL;

    switch (conf->type) {

    case NGX_HTTP_AUTH_JWTKIT_ENCRYPTED:
        if (conf->jwe_policy == NULL) {
            what = "\"auth_jwt_type encrypted\" needs a decryption key in "
                   "auth_jwt_key_file: an \"oct\" JWK for dir, AES key wrap "
                   "or AES-GCM key wrap (only shared keys decrypt unsigned "
                   "tokens)";
        }

        break;

    case NGX_HTTP_AUTH_JWTKIT_NESTED:
        if (conf->jwe_policy == NULL) {
            what = "\"auth_jwt_type nested\" needs a decryption key in "
                   "auth_jwt_key_file (a JWK with \"use\": \"enc\", or a "
                   "private or shared key fit for decryption)";

        } else if (!sig) {
            what = "\"auth_jwt_type nested\" needs a key to verify the "
                   "signature of the inner token";
        }

        break;

    default:
        if (!sig) {
            what = "no key of auth_jwt_key_file verifies signatures";
        }

        break;
    }

    if (what) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "%s in %V:%ui",
                      what, file, line);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_auth_jwtkit_conf_error(ngx_conf_t *cf, ngx_uint_t level,
    const char *what, ngx_str_t *name, jwtkit_status st, jwtkit_error *err)
{
    const char  *msg;

    msg = err ? jwtkit_error_message(err) : jwtkit_status_str(st);

    if (name) {
        ngx_conf_log_error(level, cf, 0, "%s \"%V\": %s", what, name, msg);

    } else {
        ngx_conf_log_error(level, cf, 0, "%s: %s", what, msg);
    }

    jwtkit_error_free(err);
}


static void
ngx_http_auth_jwtkit_cleanup_keys(void *data)
{
    ngx_http_auth_jwtkit_keys_t  *keys = data;

    ngx_uint_t          i;
    const jwtkit_key  **key;

    key = keys->sig_keys.elts;

    for (i = 0; i < keys->sig_keys.nelts; i++) {
        jwtkit_key_free(key[i]);
    }

    key = keys->dec_keys.elts;

    for (i = 0; i < keys->dec_keys.nelts; i++) {
        jwtkit_key_free(key[i]);
    }

    jwtkit_keyset_free(keys->keyset);
    jwtkit_keyset_free(keys->dec_set);

    keys->sig_keys.nelts = 0;
    keys->dec_keys.nelts = 0;
    keys->keyset = NULL;
    keys->dec_set = NULL;
}


static void
ngx_http_auth_jwtkit_cleanup_source(void *data)
{
    ngx_http_auth_jwtkit_remote_t  *rm = data;

    jwtkit_jwks_source_free(rm->source);
    rm->source = NULL;
}


static void
ngx_http_auth_jwtkit_cleanup_validation(void *data)
{
    jwtkit_validation_free(data);
}


static void
ngx_http_auth_jwtkit_cleanup_jwe_policy(void *data)
{
    jwtkit_jwe_policy_free(data);
}


/* directives */

static char *
ngx_http_auth_jwtkit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t                         *value, token;
    ngx_http_compile_complex_value_t   ccv;

    if (alcf->realm != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts != 2) {
            return "takes no parameters with \"off\"";
        }

        alcf->realm = NULL;
        alcf->token = NULL;

        return NGX_CONF_OK;
    }

    alcf->realm = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (alcf->realm == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = alcf->realm;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    alcf->token = NULL;

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value[2].data, "token=", sizeof("token=") - 1) != 0
        || value[2].len == sizeof("token=") - 1)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    token.data = value[2].data + sizeof("token=") - 1;
    token.len = value[2].len - (sizeof("token=") - 1);

    alcf->token = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (alcf->token == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &token;
    ccv.complex_value = alcf->token;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_auth_jwtkit_key_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t                    *value, path;
    ngx_pool_cleanup_t           *cln;
    ngx_http_auth_jwtkit_keys_t  *keys;

    value = cf->args->elts;

    if (ngx_http_script_variables_count(&value[1]) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "variables in \"%V\" are not supported: key "
                           "files are read when the configuration is loaded",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    keys = alcf->keys;

    if (keys == NGX_CONF_UNSET_PTR) {
        keys = ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwtkit_keys_t));
        if (keys == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_array_init(&keys->sig_keys, cf->pool, 4,
                           sizeof(const jwtkit_key *))
            != NGX_OK
            || ngx_array_init(&keys->dec_keys, cf->pool, 2,
                              sizeof(const jwtkit_key *))
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        cln = ngx_pool_cleanup_add(cf->pool, 0);
        if (cln == NULL) {
            return NGX_CONF_ERROR;
        }

        cln->handler = ngx_http_auth_jwtkit_cleanup_keys;
        cln->data = keys;

        keys->conf_file = cf->conf_file->file.name;
        keys->line = cf->conf_file->line;

        alcf->keys = keys;
    }

    if (ngx_http_auth_jwtkit_load_file(cf, keys, &path) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_auth_jwtkit_key_request(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t  *value, *uri;

    value = cf->args->elts;

    if (ngx_http_script_variables_count(&value[1]) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "variables in \"%V\" are not supported: each "
                           "uri has its own cache of keys", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (value[1].len == 0 || value[1].data[0] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is not a uri of this server (such as "
                           "/_jwks, a location that proxies to the key set)",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    if (alcf->key_requests == NGX_CONF_UNSET_PTR) {
        alcf->key_requests = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));
        if (alcf->key_requests == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    if (alcf->key_requests->nelts >= NGX_HTTP_AUTH_JWTKIT_MAX_REMOTES) {
        return "is repeated too often";
    }

    uri = ngx_array_push(alcf->key_requests);
    if (uri == NULL) {
        return NGX_CONF_ERROR;
    }

    *uri = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_auth_jwtkit_type(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t  *value;

    if (alcf->type != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "signed") == 0) {
        alcf->type = NGX_HTTP_AUTH_JWTKIT_SIGNED;

    } else if (ngx_strcmp(value[1].data, "encrypted") == 0) {
        alcf->type = NGX_HTTP_AUTH_JWTKIT_ENCRYPTED;

    } else if (ngx_strcmp(value[1].data, "nested") == 0) {
        alcf->type = NGX_HTTP_AUTH_JWTKIT_NESTED;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": it must be \"signed\", "
                           "\"encrypted\" or \"nested\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    alcf->type_file = cf->conf_file->file.name;
    alcf->type_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_auth_jwtkit_require(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t                         *value;
    ngx_uint_t                         i, n;
    ngx_http_complex_value_t          *cv;
    ngx_http_auth_jwtkit_require_t    *req;
    ngx_http_compile_complex_value_t   ccv;

    value = cf->args->elts;
    n = cf->args->nelts;

    if (alcf->require == NGX_CONF_UNSET_PTR) {
        alcf->require = ngx_array_create(cf->pool, 1,
                                    sizeof(ngx_http_auth_jwtkit_require_t));
        if (alcf->require == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    req = ngx_array_push(alcf->require);
    if (req == NULL) {
        return NGX_CONF_ERROR;
    }

    req->error = NGX_HTTP_UNAUTHORIZED;

    if (ngx_strncmp(value[n - 1].data, "error=", sizeof("error=") - 1) == 0) {

        if (ngx_strcmp(value[n - 1].data, "error=401") == 0) {
            req->error = NGX_HTTP_UNAUTHORIZED;

        } else if (ngx_strcmp(value[n - 1].data, "error=403") == 0) {
            req->error = NGX_HTTP_FORBIDDEN;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": it must be "
                               "\"error=401\" or \"error=403\"",
                               &value[n - 1]);
            return NGX_CONF_ERROR;
        }

        n--;

        if (n < 2) {
            return "needs a value to check";
        }
    }

    req->values = ngx_array_create(cf->pool, n - 1,
                                   sizeof(ngx_http_complex_value_t));
    if (req->values == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < n; i++) {
        cv = ngx_array_push(req->values);
        if (cv == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

        ccv.cf = cf;
        ccv.value = &value[i];
        ccv.complex_value = cv;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* auth_jwt_claim_set and auth_jwt_header_set $variable name ... */

static char *
ngx_http_auth_jwtkit_member_set(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    u_char                         *p;
    ngx_str_t                      *value, name;
    ngx_uint_t                      i;
    ngx_http_variable_t            *var;
    ngx_http_auth_jwtkit_member_t  *m;

    value = cf->args->elts;

    if (value[1].len < 2 || value[1].data[0] != '$') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid variable name \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts - 2 > 16) {
        return "names a path deeper than 16";
    }

    name.data = value[1].data + 1;
    name.len = value[1].len - 1;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_CONF_ERROR;
    }

    m = ngx_palloc(cf->pool, sizeof(ngx_http_auth_jwtkit_member_t));
    if (m == NULL) {
        return NGX_CONF_ERROR;
    }

    m->header = cmd->offset;
    m->n = cf->args->nelts - 2;

    m->path = ngx_palloc(cf->pool, m->n * sizeof(const char *));
    if (m->path == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < m->n; i++) {
        p = ngx_pnalloc(cf->pool, value[i + 2].len + 1);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        (void) ngx_cpystrn(p, value[i + 2].data, value[i + 2].len + 1);

        m->path[i] = (const char *) p;
    }

    var->get_handler = ngx_http_auth_jwtkit_member_variable;
    var->data = (uintptr_t) m;

    return NGX_CONF_OK;
}


static char *
ngx_http_auth_jwtkit_algorithms(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_auth_jwtkit_loc_conf_t *alcf = conf;

    ngx_str_t      *value;
    ngx_uint_t      i;
    jwtkit_alg     *alg;
    jwtkit_error   *err;
    jwtkit_status   st;

    if (alcf->algorithms != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    alcf->algorithms = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                        sizeof(jwtkit_alg));
    if (alcf->algorithms == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        alg = ngx_array_push(alcf->algorithms);
        if (alg == NULL) {
            return NGX_CONF_ERROR;
        }

        err = NULL;

        st = jwtkit_alg_from_name(value[i].data, value[i].len, alg, &err);

        if (st != JWTKIT_OK) {
            ngx_http_auth_jwtkit_conf_error(cf, NGX_LOG_EMERG,
                                            "auth_jwt_algorithms", &value[i],
                                            st, err);
            return NGX_CONF_ERROR;
        }

        if (alcf->algorithms->nelts > 16) {
            return "names too many algorithms";
        }
    }

    return NGX_CONF_OK;
}


/* auth_jwt_issuer and auth_jwt_audience: values add up on one level */

static char *
ngx_http_auth_jwtkit_strings(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_str_t     *value, *s;
    ngx_uint_t     i;
    ngx_array_t  **a;

    a = (ngx_array_t **) (p + cmd->offset);

    if (*a == NGX_CONF_UNSET_PTR) {
        *a = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
        if (*a == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        s = ngx_array_push(*a);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        *s = value[i];
    }

    return NGX_CONF_OK;
}


/* module */

static ngx_int_t
ngx_http_auth_jwtkit_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_auth_jwtkit_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_http_auth_jwtkit_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_auth_jwtkit_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwtkit_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&amcf->remotes, cf->pool, 2,
                       sizeof(ngx_http_auth_jwtkit_remote_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return amcf;
}


static void *
ngx_http_auth_jwtkit_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_auth_jwtkit_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwtkit_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->token = NULL;
     *     conf->remotes = NULL;
     *     conf->type_file = { 0, NULL };
     *     conf->type_line = 0;
     *     conf->validation = NULL;
     *     conf->jwe_policy = NULL;
     */

    conf->realm = NGX_CONF_UNSET_PTR;
    conf->keys = NGX_CONF_UNSET_PTR;
    conf->key_requests = NGX_CONF_UNSET_PTR;
    conf->key_cache = NGX_CONF_UNSET_MSEC;
    conf->key_cooldown = NGX_CONF_UNSET_MSEC;
    conf->leeway = NGX_CONF_UNSET;
    conf->type = NGX_CONF_UNSET_UINT;
    conf->require = NGX_CONF_UNSET_PTR;
    conf->algorithms = NGX_CONF_UNSET_PTR;
    conf->issuers = NGX_CONF_UNSET_PTR;
    conf->audiences = NGX_CONF_UNSET_PTR;
    conf->revoked = NGX_CONF_UNSET_PTR;
    conf->error_description = NGX_CONF_UNSET;

    return conf;
}


/*
 * Each directive is inherited from the level above unless set on this one
 * (repeatable ones as a whole: one auth_jwt_key_file here replaces all of
 * those above). Keys, sources, policies are built here, once; a level that
 * changes none of their inputs shares those of the level above.
 */

static char *
ngx_http_auth_jwtkit_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_auth_jwtkit_loc_conf_t  *prev = parent;
    ngx_http_auth_jwtkit_loc_conf_t  *conf = child;

    if (conf->realm == NGX_CONF_UNSET_PTR) {
        conf->realm = (prev->realm == NGX_CONF_UNSET_PTR) ? NULL
                                                          : prev->realm;
        conf->token = prev->token;
    }

    ngx_conf_merge_ptr_value(conf->keys, prev->keys, NULL);
    ngx_conf_merge_ptr_value(conf->key_requests, prev->key_requests, NULL);
    ngx_conf_merge_msec_value(conf->key_cache, prev->key_cache, 0);
    ngx_conf_merge_msec_value(conf->key_cooldown, prev->key_cooldown, 30000);
    ngx_conf_merge_sec_value(conf->leeway, prev->leeway, 0);

    if (conf->type == NGX_CONF_UNSET_UINT) {
        conf->type = (prev->type == NGX_CONF_UNSET_UINT)
                     ? NGX_HTTP_AUTH_JWTKIT_SIGNED : prev->type;
        conf->type_file = prev->type_file;
        conf->type_line = prev->type_line;
    }

    ngx_conf_merge_ptr_value(conf->require, prev->require, NULL);
    ngx_conf_merge_ptr_value(conf->algorithms, prev->algorithms, NULL);
    ngx_conf_merge_ptr_value(conf->issuers, prev->issuers, NULL);
    ngx_conf_merge_ptr_value(conf->audiences, prev->audiences, NULL);
    ngx_conf_merge_ptr_value(conf->revoked, prev->revoked, NULL);
    ngx_conf_merge_value(conf->error_description, prev->error_description, 0);

    if (conf->keys && !conf->keys->built) {
        if (ngx_http_auth_jwtkit_build_keys(cf, conf->keys) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->key_requests) {
        if (prev->remotes
            && conf->key_requests == prev->key_requests
            && conf->key_cache == prev->key_cache
            && conf->key_cooldown == prev->key_cooldown)
        {
            conf->remotes = prev->remotes;

        } else if (ngx_http_auth_jwtkit_build_remotes(cf, conf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->keys == NULL && conf->remotes == NULL) {
        return NGX_CONF_OK;
    }

    if (prev->validation
        && conf->keys == prev->keys
        && conf->remotes == prev->remotes
        && conf->algorithms == prev->algorithms
        && conf->leeway == prev->leeway
        && conf->issuers == prev->issuers
        && conf->audiences == prev->audiences)
    {
        conf->validation = prev->validation;

    } else if (ngx_http_auth_jwtkit_build_validation(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (conf->type != NGX_HTTP_AUTH_JWTKIT_SIGNED && conf->keys) {
        if (prev->jwe_policy
            && conf->keys == prev->keys
            && conf->type == prev->type)
        {
            conf->jwe_policy = prev->jwe_policy;

        } else if (ngx_http_auth_jwtkit_build_jwe_policy(cf, conf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->realm != NULL) {
        if (conf->type != NGX_HTTP_AUTH_JWTKIT_SIGNED && conf->keys == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"auth_jwt_type %s\" needs a decryption key in "
                          "auth_jwt_key_file in %V:%ui",
                          conf->type == NGX_HTTP_AUTH_JWTKIT_NESTED
                          ? "nested" : "encrypted",
                          &conf->type_file, conf->type_line);
            return NGX_CONF_ERROR;
        }

        if (ngx_http_auth_jwtkit_check_conf(cf, conf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_auth_jwtkit_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

#if (NGX_HTTP_AUTH_JWTKIT_TIMING)
    *h = ngx_http_auth_jwtkit_timed_handler;
#else
    *h = ngx_http_auth_jwtkit_handler;
#endif

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_auth_jwtkit_body_filter;

    return NGX_OK;
}
