#!/usr/bin/env bash
# Builds jwtkit (release) and installs it the way C libraries are installed
# (cargo-c's layout):
#
#   $LIBDIR/libjwtkit.so.<ABI>            the shared library (its SONAME)
#   $LIBDIR/libjwtkit.so -> libjwtkit.so.<ABI>
#   $LIBDIR/libjwtkit.a                   the static library
#   $INCLUDEDIR/jwtkit.h, jwtkit.hpp      the C header and the C++17 wrapper
#   $LIBDIR/pkgconfig/jwtkit.pc           pkg-config (static link flags in Libs.private)
#   $LIBDIR/cmake/jwtkit/jwtkitConfig.cmake, jwtkitConfigVersion.cmake
#                                         find_package(jwtkit): jwtkit::jwtkit, jwtkit::jwtkit_static
#   $BINDIR/jwtkit                        the command-line tool
#
# Usage:  scripts/install.sh                         into /usr/local
#         PREFIX=/opt/jwtkit scripts/install.sh
#         PREFIX=/usr DESTDIR=/tmp/stage scripts/install.sh     (staged, for packaging)
#
# Variables: PREFIX (/usr/local), DESTDIR (empty), LIBDIR ($PREFIX/lib), INCLUDEDIR
# ($PREFIX/include), BINDIR ($PREFIX/bin), CC (cc), CFLAGS (-O2 -g), CARGO (cargo),
# CARGO_TARGET_DIR (target), NO_BUILD=1 to install what `cargo build --release` built,
# BACKEND (ring, the default, or aws-lc: the cryptography from AWS-LC, see docs/install.md).
# Installed files name $PREFIX, never $DESTDIR; the CMake package and the tool find the
# library relative to themselves, so a staged tree works once moved into place.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
PREFIX=${PREFIX%/}
DESTDIR=${DESTDIR:-}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
BINDIR=${BINDIR:-$PREFIX/bin}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
CARGO=${CARGO:-cargo}
target=${CARGO_TARGET_DIR:-$root/target}/release
case ${BACKEND:-ring} in
    ring) backend_flags=() ;;
    aws-lc) backend_flags=(--no-default-features --features aws-lc) ;;
    *) echo "install.sh: BACKEND must be ring or aws-lc, not '$BACKEND'" >&2; exit 2 ;;
esac

for dir in "$PREFIX" "$LIBDIR" "$INCLUDEDIR" "$BINDIR"; do
    case $dir in
        /*) ;;
        *) echo "install.sh: '$dir' must be an absolute path" >&2; exit 2 ;;
    esac
done

say() { printf 'install.sh: %s\n' "$*"; }

if [ "${NO_BUILD:-0}" != 1 ]; then
    say "cargo build --release ${backend_flags[*]+${backend_flags[*]}}"
    (cd "$root" && "$CARGO" build --release ${backend_flags[@]+"${backend_flags[@]}"})
fi

header=$root/include/jwtkit.h
abi=$(sed -n 's/^#define JWTKIT_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")
version=$(sed -n 's/^#define JWTKIT_VERSION_STRING "\(.*\)"$/\1/p' "$header")
if [ -z "$abi" ] || [ -z "$version" ]; then
    echo "install.sh: no JWTKIT_ABI_VERSION / JWTKIT_VERSION_STRING in $header" >&2
    exit 1
fi
soname=libjwtkit.so.$abi

for f in libjwtkit.so libjwtkit.a; do
    if [ ! -f "$target/$f" ]; then
        echo "install.sh: $target/$f is missing: run cargo build --release" >&2
        exit 1
    fi
done
if command -v readelf >/dev/null; then
    built_soname=$(readelf -d "$target/libjwtkit.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
    if [ "$built_soname" != "$soname" ]; then
        echo "install.sh: $target/libjwtkit.so has SONAME '$built_soname', the header says $soname" >&2
        exit 1
    fi
fi

# The libraries a program linked with libjwtkit.a needs besides it: what
# `rustc --print native-static-libs` reports for a staticlib on Linux/glibc (the Rust
# standard library's needs; jwtkit's dependencies add none). tests/install.sh links
# a program with exactly these.
static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
cmake_static_libs=$(printf '%s\n' $static_libs | sed 's/^-l//' | paste -sd';' -)

# The command-line tool, linked to the shared library and finding it relative to itself.
rpath=\$ORIGIN/$(realpath -m --relative-to="$BINDIR" "$LIBDIR")
cli_dir=$target/jwtkit-cli
mkdir -p "$cli_dir"
say "building the jwtkit tool"
# shellcheck disable=SC2086 # CFLAGS is a list of flags
"$CC" -std=c99 $CFLAGS -Wall -Wextra -I"$root/include" "$root/bindings/c/jwtkit_cli.c" \
    -L"$target" -ljwtkit -lm -Wl,-rpath,"$rpath" -o "$cli_dir/jwtkit"

d=$DESTDIR
install -d "$d$LIBDIR/pkgconfig" "$d$LIBDIR/cmake/jwtkit" "$d$INCLUDEDIR" "$d$BINDIR"
install -m 0755 "$target/libjwtkit.so" "$d$LIBDIR/$soname"
ln -sfn "$soname" "$d$LIBDIR/libjwtkit.so"
install -m 0644 "$target/libjwtkit.a" "$d$LIBDIR/libjwtkit.a"
install -m 0644 "$header" "$d$INCLUDEDIR/jwtkit.h"
install -m 0644 "$root/bindings/cpp/jwtkit.hpp" "$d$INCLUDEDIR/jwtkit.hpp"
install -m 0755 "$cli_dir/jwtkit" "$d$BINDIR/jwtkit"

# pkg-config. `jwtkit_lib` lets a static link name the archive, since a linker given
# -ljwtkit takes the shared library when both are installed:
#   pkg-config --static --define-variable=jwtkit_lib=-l:libjwtkit.a --libs jwtkit
under_prefix() { case $1 in "$PREFIX"/*) printf '${prefix}%s' "${1#"$PREFIX"}" ;; *) printf '%s' "$1" ;; esac; }
cat > "$d$LIBDIR/pkgconfig/jwtkit.pc" <<EOF
prefix=$PREFIX
libdir=$(under_prefix "$LIBDIR")
includedir=$(under_prefix "$INCLUDEDIR")
jwtkit_lib=-ljwtkit

Name: jwtkit
Description: JSON Web Tokens (JWS) with a C ABI: sign, verify, inspect
Version: $version
Libs: -L\${libdir} \${jwtkit_lib}
Libs.private: $static_libs
Cflags: -I\${includedir}
EOF

# CMake package, relocatable: paths are relative to the config file itself.
rel_libdir=$(realpath -m --relative-to="$LIBDIR/cmake/jwtkit" "$LIBDIR")
rel_incdir=$(realpath -m --relative-to="$LIBDIR/cmake/jwtkit" "$INCLUDEDIR")
cat > "$d$LIBDIR/cmake/jwtkit/jwtkitConfig.cmake" <<EOF
# jwtkit $version, installed by scripts/install.sh.
#   find_package(jwtkit 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE jwtkit::jwtkit)          # libjwtkit.so.$abi
#   target_link_libraries(app PRIVATE jwtkit::jwtkit_static)   # libjwtkit.a
# Both carry the include directory (jwtkit.h, and jwtkit.hpp for C++17).

get_filename_component(_jwtkit_libdir "\${CMAKE_CURRENT_LIST_DIR}/$rel_libdir" ABSOLUTE)
get_filename_component(_jwtkit_incdir "\${CMAKE_CURRENT_LIST_DIR}/$rel_incdir" ABSOLUTE)

foreach(_jwtkit_file "\${_jwtkit_libdir}/$soname" "\${_jwtkit_libdir}/libjwtkit.a" "\${_jwtkit_incdir}/jwtkit.h")
  if(NOT EXISTS "\${_jwtkit_file}")
    set(jwtkit_FOUND FALSE)
    set(jwtkit_NOT_FOUND_MESSAGE "\${_jwtkit_file} is missing: reinstall jwtkit")
    return()
  endif()
endforeach()

if(NOT TARGET jwtkit::jwtkit)
  add_library(jwtkit::jwtkit SHARED IMPORTED)
  set_target_properties(jwtkit::jwtkit PROPERTIES
    IMPORTED_LOCATION "\${_jwtkit_libdir}/$soname"
    IMPORTED_SONAME "$soname"
    INTERFACE_INCLUDE_DIRECTORIES "\${_jwtkit_incdir}")
endif()

if(NOT TARGET jwtkit::jwtkit_static)
  add_library(jwtkit::jwtkit_static STATIC IMPORTED)
  set_target_properties(jwtkit::jwtkit_static PROPERTIES
    IMPORTED_LOCATION "\${_jwtkit_libdir}/libjwtkit.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "\${_jwtkit_incdir}"
    INTERFACE_LINK_LIBRARIES "$cmake_static_libs")
endif()

set(jwtkit_VERSION "$version")
set(jwtkit_ABI_VERSION $abi)
set(jwtkit_INCLUDE_DIRS "\${_jwtkit_incdir}")
set(jwtkit_LIBRARIES jwtkit::jwtkit)
unset(_jwtkit_file)
unset(_jwtkit_libdir)
unset(_jwtkit_incdir)
EOF

pointer_size=$(getconf LONG_BIT 2>/dev/null || echo 64)
cat > "$d$LIBDIR/cmake/jwtkit/jwtkitConfigVersion.cmake" <<EOF
# jwtkit $version. While jwtkit is 0.x each minor release may change the ABI, so a
# request for 0.MINOR[.PATCH] is met by the same 0.MINOR with an equal or newer patch;
# from 1.0 on, by the same major version.
set(PACKAGE_VERSION "$version")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
elseif(NOT PACKAGE_FIND_VERSION_MAJOR EQUAL $(echo "$version" | cut -d. -f1))
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
elseif(PACKAGE_FIND_VERSION_MAJOR EQUAL 0 AND NOT PACKAGE_FIND_VERSION_MINOR EQUAL $(echo "$version" | cut -d. -f2))
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
if(CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P EQUAL $((pointer_size / 8)))
  math(EXPR _jwtkit_bits "\${CMAKE_SIZEOF_VOID_P} * 8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} ($pointer_size-bit, this project is \${_jwtkit_bits}-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF

say "installed jwtkit $version (ABI $abi) into $d$PREFIX"
