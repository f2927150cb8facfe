"""Build step of the jwtkit Python package: `pip install ./bindings/python` runs
`cargo build --release` at the repository root and bundles the shared library
(libjwtkit.so / .dylib / jwtkit.dll) inside the package. The package itself is pure
Python (ctypes); the wheel is tagged for the platform because it carries the library.

Environment:
  JWTKIT_BUNDLE_LIBRARY  bundle this prebuilt library instead of running cargo
  JWTKIT_REPO_ROOT       the repository root (default: two folders up from here)
  CARGO                  the cargo executable (default: `cargo`)
  JWTKIT_BACKEND         the cryptography: `aws-lc` or `ring`. Unset, the package is built
                         on AWS-LC (RSA signing ~1.9x, ES512 ~5x faster than ring: no
                         PyJWT call is then faster than jwtkit's), and on ring, with a
                         message saying so, when AWS-LC does not build here (it needs a C
                         compiler). Set, that backend or a failed install. The C library's
                         own default (`cargo build`) stays ring. See docs/performance.md.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent


def library_name() -> str:
    if sys.platform == "darwin":
        return "libjwtkit.dylib"
    if sys.platform == "win32":
        return "jwtkit.dll"
    return "libjwtkit.so"


def built_library() -> Path:
    prebuilt = os.environ.get("JWTKIT_BUNDLE_LIBRARY")
    if prebuilt:
        path = Path(prebuilt)
        if not path.is_file():
            raise SystemExit(f"jwtkit: JWTKIT_BUNDLE_LIBRARY={prebuilt!r} does not exist")
        return path
    root = Path(os.environ.get("JWTKIT_REPO_ROOT", HERE.parent.parent)).resolve()
    if not (root / "Cargo.toml").is_file():
        raise SystemExit(
            f"jwtkit: no Cargo.toml in {root}: build from a jwtkit checkout "
            "(pip install ./bindings/python), or set JWTKIT_REPO_ROOT or JWTKIT_BUNDLE_LIBRARY"
        )
    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which(cargo) is None:
        raise SystemExit("jwtkit: building the library needs a Rust toolchain (cargo not found)")
    backend = os.environ.get("JWTKIT_BACKEND")
    if backend not in (None, "ring", "aws-lc"):
        raise SystemExit(f"jwtkit: JWTKIT_BACKEND must be ring or aws-lc, not {backend!r}")
    if backend is None:
        try:
            return cargo_build(cargo, root, "aws-lc")
        except subprocess.CalledProcessError:
            print(
                "jwtkit: NOTE: the AWS-LC backend did not build on this machine (it needs a C compiler); "
                "building with ring instead. Everything works the same; RSA signing is ~1.9x and ES512 ~5x "
                "slower (docs/performance.md). Set JWTKIT_BACKEND=ring to skip the attempt.",
                file=sys.stderr,
                flush=True,
            )
            return cargo_build(cargo, root, "ring")
    return cargo_build(cargo, root, backend)


def cargo_build(cargo: str, root: Path, backend: str) -> Path:
    """Builds the library with `backend` and returns its path. The AWS-LC build has a
    target folder of its own (`target/aws-lc`, as the repository's tests use), so it
    never overwrites the ring library in `target/release`."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
    if not target.is_absolute():
        target = root / target
    features = []
    if backend == "aws-lc":
        target = target / "aws-lc"
        features = ["--no-default-features", "--features", "aws-lc,fetch", "--target-dir", str(target)]
    print(f"jwtkit: cargo build --release ({backend} backend) in {root}", flush=True)
    subprocess.run([cargo, "build", "--release", "--lib", *features], cwd=root, check=True)
    path = target / "release" / library_name()
    if not path.is_file():
        raise SystemExit(f"jwtkit: cargo finished but {path} does not exist")
    print(f"jwtkit: built with the {backend} backend", flush=True)
    return path


class BuildWithLibrary(build_py):
    """build_py that also builds (or takes) libjwtkit and copies it into the package."""

    def run(self) -> None:
        super().run()
        library = built_library()
        destination = Path(self.build_lib) / "jwtkit" / library_name()
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library, destination)
        os.chmod(destination, 0o755)
        print(f"jwtkit: bundled {library} as {destination}", flush=True)


class PlatformWheel(bdist_wheel):
    """The wheel carries a native library, so it is platform-specific, but it does not
    use the Python C API: any Python 3 on that platform can load it."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):  # type: ignore[no-untyped-def]
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
