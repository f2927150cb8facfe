#!/usr/bin/env bash
# Builds ngx_http_auth_jwtkit_module.so the way distributions build third-party nginx
# modules: against the nginx sources that Debian's nginx-dev package installs
# (/usr/share/nginx/src, with the configure flags of Debian's nginx in conf_flags),
# --with-compat, `make modules`, for the nginx package of the same version. jwtkit is
# linked in statically (target/release/libjwtkit.a), so the module is one .so that
# needs no libjwtkit.so.
#
#   bash bindings/nginx/build.sh        # prints the path of the module
#
# Environment: NGINX_SRC (default /usr/share/nginx/src; or another nginx source tree,
# a release tarball's or a checkout of nginx's repository), JWTKIT_NGINX_BUILD (default
# target/nginx-module), JWTKIT_SKIP_CARGO=1 (use the libjwtkit.a already built),
# JWTKIT_NGINX_CFLAGS (more compiler flags, e.g. -DNGX_HTTP_AUTH_JWTKIT_TIMING=1 for
# the benchmark's timing build; give such a build its own JWTKIT_NGINX_BUILD),
# JWTKIT_NGINX_CONFIGURE (more configure arguments, split at spaces: for a tree without
# Debian's conf_flags, those of the nginx the module is for, e.g. --with-debug).
# nginx's sources are copied into the build directory, never into the repository.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

src=${NGINX_SRC:-/usr/share/nginx/src}
build=${JWTKIT_NGINX_BUILD:-$root/target/nginx-module}
module=ngx_http_auth_jwtkit_module

# A release tarball (and Debian's nginx-dev) has ./configure; a checkout of nginx's
# repository has only auto/configure, run from the tree's root.
if [ -x "$src/configure" ]; then
    configure=./configure
elif [ -x "$src/auto/configure" ]; then
    configure=auto/configure
else
    echo "build.sh: no nginx sources in $src: apt-get install nginx-dev (or set NGINX_SRC)" >&2
    exit 1
fi

if [ "${JWTKIT_SKIP_CARGO:-0}" != 1 ]; then
    cargo build --release --lib >&2
fi
lib="$root/target/release/libjwtkit.a"
[ -f "$lib" ] || { echo "build.sh: $lib is missing: cargo build --release" >&2; exit 1; }

# Debian's configure flags for its nginx package (NGX_CONF_FLAGS), so that the module's
# binary signature matches the installed nginx; then the flags Debian compiles with.
NGX_CONF_FLAGS=()
if [ -f "$src/conf_flags" ]; then
    # shellcheck disable=SC1091
    . "$src/conf_flags"
fi
# shellcheck disable=SC2206
NGX_CONF_FLAGS+=(${JWTKIT_NGINX_CONFIGURE:-})
cc_opt="-g -O2 -fstack-protector-strong -Wformat -Werror=format-security -fPIC -Wdate-time -D_FORTIFY_SOURCE=2"
cc_opt="$cc_opt${JWTKIT_NGINX_CFLAGS:+ $JWTKIT_NGINX_CFLAGS}"
ld_opt="-Wl,-z,relro -Wl,-z,now -fPIC"

# The copy of nginx's tree is configured again when the module's `config`, the flags
# or the nginx sources change; otherwise `make modules` only recompiles what changed.
stamp=$( { cat bindings/nginx/config; echo "${NGX_CONF_FLAGS[*]}" "$cc_opt" "$ld_opt" "$lib";
           cat "$src/src/core/nginx.h"; } | sha256sum | cut -c1-16)
tree="$build/nginx"
if [ ! -f "$tree/objs/Makefile" ] || [ "$(cat "$build/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$tree"
    mkdir -p "$build"
    cp -a "$src" "$tree"
    (
        cd "$tree"
        JWTKIT_INCLUDE="$root/include" JWTKIT_STATIC_LIB="$lib" \
            "$configure" "${NGX_CONF_FLAGS[@]}" --with-compat \
            --with-cc-opt="$cc_opt" --with-ld-opt="$ld_opt" \
            --add-dynamic-module="$root/bindings/nginx" >"$build/configure.log" 2>&1 \
            || { tail -30 "$build/configure.log" >&2; exit 1; }
    )
    echo "$stamp" >"$build/stamp"
fi

# The static library is not a make dependency of the module: relink when it changed.
if [ -f "$tree/objs/$module.so" ] && [ "$lib" -nt "$tree/objs/$module.so" ]; then
    rm -f "$tree/objs/$module.so"
fi

make -C "$tree" -f objs/Makefile modules >"$build/make.log" 2>&1 \
    || { tail -40 "$build/make.log" >&2; exit 1; }

cp "$tree/objs/$module.so" "$build/$module.so"
echo "$build/$module.so"
