//! The C side of the test suite: compiles every `tests/c/*.c`, `tests/c/*.cpp` and
//! `bindings/c/examples/*.c` against the cdylib cargo built for this very test run,
//! runs each program and checks it passed.
//!
//! - `$CC` (default `cc`) with `-std=c99 -Wall -Wextra -Werror`, `$CXX` (default `c++`)
//!   with `-std=c++17`; both `-Iinclude`.
//! - The cdylib is `target/<profile>/deps/libjwtkit.so`, next to this test's executable.
//!   Its SONAME is `libjwtkit.so.<ABI>`, so a symlink of that name goes into
//!   `$CARGO_TARGET_TMPDIR/c_api-<profile>/lib`, and the programs are rpath'd there.
//! - `JWTKIT_TEST_VALGRIND=1` runs every program under valgrind (leaks are errors);
//!   `JWTKIT_TEST_ASAN=1` builds them with `-fsanitize=address,undefined` instead.
//! - Test programs (tests/c) must print "N passed, 0 failed" and exit 0; examples must
//!   exit 0.
//! - `tests/c/test_jwks_source.c` gets a JWKS test server of its own
//!   (`tests/support/jwks_server.py`, needs python3 and openssl): its directory and URLs
//!   are passed in `JWTKIT_TEST_JWKS_DIR`, `JWTKIT_TEST_JWKS_HTTPS`,
//!   `JWTKIT_TEST_JWKS_HTTP` and `JWTKIT_TEST_JWKS_CA`. Under valgrind a program
//!   `tests/c/NAME.c` also gets `--suppressions=tests/c/NAME.supp` when that file exists.
//!
//! The commands run are printed (see them with `cargo test --test c_api -- --nocapture`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror", "-g"];
const CXX_FLAGS: &[&str] = &["-std=c++17", "-Wall", "-Wextra", "-Werror", "-g"];
const ASAN_FLAGS: &[&str] =
    &["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"];
const VALGRIND: &[&str] = &[
    "valgrind",
    "--error-exitcode=99",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect",
    "--show-leak-kinds=definite,indirect",
];

struct Setup {
    root: PathBuf,
    lib_dir: PathBuf,
    bin_dir: PathBuf,
    cc: String,
    cxx: String,
    valgrind: bool,
    asan: bool,
}

fn flag(name: &str) -> bool {
    matches!(env::var(name).as_deref(), Ok("1") | Ok("true") | Ok("yes"))
}

fn shell_line(cmd: &Command) -> String {
    let mut line = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
            line.push_str(&format!(" '{}'", a.replace('\'', r"'\''")));
        } else {
            line.push(' ');
            line.push_str(&a);
        }
    }
    line
}

fn run(cmd: &mut Command) -> Output {
    println!("+ {}", shell_line(cmd));
    cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", shell_line(cmd)))
}

fn text(out: &Output) -> String {
    format!(
        "--- stdout ---\n{}--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The SONAME recorded in a shared library, from `readelf -d`.
fn soname(lib: &Path) -> Option<String> {
    let out = run(Command::new("readelf").arg("-d").arg(lib));
    assert!(out.status.success(), "readelf -d failed\n{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("(SONAME)"))?;
    let start = line.find('[')? + 1;
    let end = line.rfind(']')?;
    Some(line[start..end].to_string())
}

/// Replaces `link` by a symlink to `target` (atomically, so concurrent runs don't trip).
fn symlink(target: &Path, link: &Path) {
    let tmp = link.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).expect("symlink");
    fs::rename(&tmp, link).expect("rename symlink");
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let exe = env::current_exe().expect("current_exe");
        let deps = exe.parent().expect("deps dir");
        let cdylib = deps.join(format!("{}jwtkit{}", env::consts::DLL_PREFIX, env::consts::DLL_SUFFIX));
        assert!(
            cdylib.exists(),
            "{} is missing: run the C tests through `cargo test` (the cdylib is built with them)",
            cdylib.display()
        );
        // target/<profile>/deps: one directory per profile, since target/tmp is shared.
        let profile = deps
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unknown".into());
        let (valgrind, asan) = (flag("JWTKIT_TEST_VALGRIND"), flag("JWTKIT_TEST_ASAN"));
        assert!(!(valgrind && asan), "JWTKIT_TEST_VALGRIND and JWTKIT_TEST_ASAN cannot be combined: pick one");
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("c_api-{profile}"));
        let lib_dir = work.join("lib");
        let bin_dir = work.join(if asan { "bin-asan" } else { "bin" });
        fs::create_dir_all(&lib_dir).unwrap();
        fs::create_dir_all(&bin_dir).unwrap();

        let abi = {
            #[allow(unused_unsafe)]
            unsafe {
                jwtkit::ffi::jwtkit_abi_version()
            }
        };
        let lib_name = cdylib.file_name().unwrap().to_owned();
        symlink(&cdylib, &lib_dir.join(&lib_name));
        if cfg!(target_os = "linux") {
            let so = soname(&cdylib).expect("the cdylib has no SONAME (build.rs sets one)");
            assert_eq!(so, format!("libjwtkit.so.{abi}"), "SONAME does not match jwtkit_abi_version()");
            symlink(&cdylib, &lib_dir.join(so));
        }
        let tool = |var: &str, default: &str| env::var(var).unwrap_or_else(|_| default.into());
        println!(
            "cdylib: {}\nlib dir: {}\nmode: {}",
            cdylib.display(),
            lib_dir.display(),
            if valgrind {
                "valgrind"
            } else if asan {
                "asan"
            } else {
                "plain"
            }
        );
        Setup { root, lib_dir, bin_dir, cc: tool("CC", "cc"), cxx: tool("CXX", "c++"), valgrind, asan }
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// tests/c: must print "N passed, 0 failed".
    Test,
    /// bindings/c/examples: must exit 0.
    Example,
}

fn sources(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = setup().root.join(dir);
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// Compiles `src` into the bin dir as `<dir>-<stem><tag>`; returns the executable. The
/// compiler writes a temporary file that is then renamed, so a binary another test is
/// running is never overwritten in place ("Text file busy").
fn compile(src: &Path, tag: &str) -> Result<PathBuf, String> {
    let s = setup();
    let cpp = src.extension().is_some_and(|x| x == "cpp");
    let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
    let parent = src.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
    let exe = s.bin_dir.join(format!("{parent}-{stem}{tag}"));
    let tmp = s.bin_dir.join(format!(".{parent}-{stem}{tag}.{}.tmp", std::process::id()));
    // $CC / $CXX may carry arguments ("ccache gcc", "gcc -m64")
    let mut words = if cpp { &s.cxx } else { &s.cc }.split_whitespace();
    let mut cmd = Command::new(words.next().expect("$CC/$CXX is empty"));
    cmd.args(words)
        .current_dir(&s.root)
        .args(if cpp { CXX_FLAGS } else { C_FLAGS })
        .args(if s.asan { ASAN_FLAGS } else { &[] })
        .arg("-Iinclude")
        .arg(src.strip_prefix(&s.root).unwrap_or(src))
        .arg("-o")
        .arg(&tmp)
        .arg(format!("-L{}", s.lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", s.lib_dir.display()))
        .arg("-ljwtkit")
        .arg("-pthread");
    let out = run(&mut cmd);
    if out.status.success() {
        fs::rename(&tmp, &exe).map_err(|e| format!("rename {}: {e}", tmp.display()))?;
        Ok(exe)
    } else {
        let _ = fs::remove_file(&tmp);
        Err(format!("compile failed: {}\n{}", shell_line(&cmd), text(&out)))
    }
}

/// Runs `exe` (under valgrind when asked) and returns its output.
fn execute(exe: &Path, args: &[&str], stdin: Option<&Path>) -> (String, Output) {
    execute_with_env(exe, args, stdin, &[], None)
}

/// As `execute`, with more environment variables for the program and, under valgrind,
/// a suppressions file.
fn execute_with_env(
    exe: &Path,
    args: &[&str],
    stdin: Option<&Path>,
    envs: &[(&str, String)],
    suppressions: Option<&Path>,
) -> (String, Output) {
    let s = setup();
    let mut cmd = if s.valgrind {
        let mut c = Command::new(VALGRIND[0]);
        c.args(&VALGRIND[1..]);
        if let Some(file) = suppressions {
            c.arg(format!("--suppressions={}", file.display()));
        }
        c.arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(args).current_dir(&s.root).env("RUST_BACKTRACE", "1");
    cmd.envs(envs.iter().map(|(k, v)| (*k, v.as_str())));
    if s.asan {
        cmd.env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0").env("UBSAN_OPTIONS", "print_stacktrace=1");
    }
    match stdin {
        Some(p) => cmd.stdin(Stdio::from(fs::File::open(p).unwrap())),
        None => cmd.stdin(Stdio::null()),
    };
    let line = shell_line(&cmd);
    let out = run(&mut cmd);
    (line, out)
}

/// The programs that fetch from a JWKS test server of their own.
const JWKS_SERVER_PROGRAMS: &[&str] = &["test_jwks_source"];

/// A running `tests/support/jwks_server.py` (see tests/support/README.md) in a fresh
/// directory. Its stdin is a pipe held open (the server stops if this process dies);
/// it is killed, and its directory removed, on drop.
struct JwksServer {
    child: Child,
    dir: PathBuf,
    https: String,
    http: String,
    ca: String,
}

impl JwksServer {
    fn start(name: &str) -> Result<JwksServer, String> {
        let s = setup();
        let dir = s.bin_dir.with_file_name(format!("jwks-server-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let stderr = fs::File::create(dir.join("server.stderr")).map_err(|e| format!("server.stderr: {e}"))?;
        let mut cmd = Command::new("python3");
        cmd.arg(s.root.join("tests/support/jwks_server.py")).arg(&dir);
        println!("+ {} &", shell_line(&cmd));
        let child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start the JWKS test server (python3): {e}"))?;
        let mut server = JwksServer { child, dir, https: String::new(), http: String::new(), ca: String::new() };
        let info = server.wait_for_info()?;
        let field =
            |name: &str| json_string(&info, name).ok_or_else(|| format!("server.json has no string `{name}`: {info}"));
        (server.https, server.http, server.ca) = (field("https")?, field("http")?, field("ca")?);
        Ok(server)
    }

    /// Waits for `server.json` (written atomically once both ports listen).
    fn wait_for_info(&mut self) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(info) = fs::read_to_string(self.dir.join("server.json")) {
                return Ok(info);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("the JWKS test server exited ({status}):\n{}", self.stderr()));
            }
            if Instant::now() > deadline {
                return Err(format!("the JWKS test server did not start in 20 s:\n{}", self.stderr()));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        fs::read_to_string(self.dir.join("server.stderr")).unwrap_or_default()
    }

    /// The variables the test program reads.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("JWTKIT_TEST_JWKS_DIR", self.dir.to_string_lossy().into_owned()),
            ("JWTKIT_TEST_JWKS_HTTPS", self.https.clone()),
            ("JWTKIT_TEST_JWKS_HTTP", self.http.clone()),
            ("JWTKIT_TEST_JWKS_CA", self.ca.clone()),
        ]
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The string member `name` of the flat JSON object `server.json` (as Python's
/// json.dumps writes it; the values used here hold no escapes).
fn json_string(json: &str, name: &str) -> Option<String> {
    let key = format!("\"{name}\":");
    let rest = json[json.find(&key)? + key.len()..].trim_start().strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    (!value.contains('\\')).then(|| value.to_string())
}

/// Compiles and runs one program; Err describes what went wrong.
fn check_program(src: &Path, kind: Kind) -> Result<(), String> {
    let exe = compile(src, "")?;
    let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
    let server = if JWKS_SERVER_PROGRAMS.contains(&stem.as_str()) { Some(JwksServer::start(&stem)?) } else { None };
    let envs = server.as_ref().map(JwksServer::env).unwrap_or_default();
    for (name, value) in &envs {
        println!("  {name}={value}");
    }
    // Valgrind false positives in a dependency, for one program: tests/c/NAME.supp.
    let suppressions = src.with_extension("supp");
    let suppressions = suppressions.exists().then_some(suppressions.as_path());
    let (line, out) = execute_with_env(&exe, &[], None, &envs, suppressions);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let server_log = server.as_ref().map(|s| format!("--- JWKS server stderr ---\n{}", s.stderr()));
        return Err(format!("{line}: {}\n{}{}", out.status, text(&out), server_log.unwrap_or_default()));
    }
    if kind == Kind::Test {
        let summary = stdout.lines().rev().find(|l| l.contains(" passed, "));
        let ok = summary.is_some_and(|l| {
            l.ends_with(" passed, 0 failed")
                && l.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
        });
        if !ok {
            return Err(format!("{line}: no \"N passed, 0 failed\" line\n{}", text(&out)));
        }
        println!("{}: {}", src.display(), summary.unwrap());
    }
    Ok(())
}

/// Builds and runs every program, in parallel; reports all failures at once.
fn check_all(programs: Vec<(PathBuf, Kind)>) {
    assert!(!programs.is_empty(), "no C programs found");
    let failures: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> =
            programs.iter().map(|(src, kind)| scope.spawn(move || check_program(src, *kind))).collect();
        handles
            .into_iter()
            .zip(&programs)
            .filter_map(|(h, (src, _))| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("==== {}\n{e}", src.display())),
                Err(_) => Some(format!("==== {}: harness panicked", src.display())),
            })
            .collect()
    });
    assert!(failures.is_empty(), "{} program(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn c_tests() {
    let mut programs: Vec<_> = sources("tests/c", "c").into_iter().map(|p| (p, Kind::Test)).collect();
    programs.extend(sources("tests/c", "cpp").into_iter().map(|p| (p, Kind::Test)));
    check_all(programs);
}

#[test]
fn c_examples() {
    check_all(sources("bindings/c/examples", "c").into_iter().map(|p| (p, Kind::Example)).collect());
}

/// The C string literal(s) assigned to `name` in a C source, unescaped (\n only).
fn c_string(source: &str, name: &str) -> String {
    let start = source.find(&format!("{name}[] =")).unwrap_or_else(|| panic!("{name} not found"));
    let body = &source[start..];
    let body = &body[..body.find(';').unwrap()];
    let mut s = String::new();
    for piece in body.split('"').skip(1).step_by(2) {
        s.push_str(&piece.replace("\\n", "\n"));
    }
    s
}

/// verify_rs256 with its arguments: a key file and a token, on argv and on stdin.
#[test]
fn c_example_verify_rs256_arguments() {
    let s = setup();
    let src = s.root.join("bindings/c/examples/verify_rs256.c");
    let exe = compile(&src, "-args").unwrap_or_else(|e| panic!("{e}"));
    let code = fs::read_to_string(&src).unwrap();
    let (pem, token) = (c_string(&code, "DEMO_PUBLIC_KEY"), c_string(&code, "DEMO_TOKEN"));
    let dir = s.bin_dir.join("verify_rs256-data");
    fs::create_dir_all(&dir).unwrap();
    let (key_file, token_file) = (dir.join("public.pem"), dir.join("token.txt"));
    fs::write(&key_file, &pem).unwrap();
    fs::write(&token_file, format!("{token}\n")).unwrap();
    let key = key_file.to_str().unwrap();

    let (line, out) = execute(&exe, &[key, &token], None);
    assert!(out.status.success(), "{line}\n{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"sub\":\"alice\""), "{}", text(&out));

    let (line, out) = execute(&exe, &[key], Some(&token_file));
    assert!(out.status.success(), "{line}\n{}", text(&out));

    // one character changed in the middle of the signature
    let mut bad = token.clone().into_bytes();
    let i = token.rfind('.').unwrap() + 20;
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    let (line, out) = execute(&exe, &[key, &bad], None);
    assert_eq!(out.status.code(), Some(1), "{line}\n{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("JWTKIT_ERR_SIGNATURE_INVALID"), "{}", text(&out));

    let (line, out) = execute(&exe, &[dir.join("missing.pem").to_str().unwrap(), &token], None);
    assert_eq!(out.status.code(), Some(2), "{line}\n{}", text(&out));
}

/// Every status code the header defines is named in test_bad_input.c's table, so
/// jwtkit_status_str is checked for all of them.
#[test]
fn status_table_covers_header() {
    let root = &setup().root;
    let header = fs::read_to_string(root.join("include/jwtkit.h")).unwrap();
    let test = fs::read_to_string(root.join("tests/c/test_bad_input.c")).unwrap();
    let codes: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n == "JWTKIT_OK" || n.starts_with("JWTKIT_ERR_"))
        .collect();
    assert!(codes.len() > 20, "too few status codes found in the header: {codes:?}");
    let missing: Vec<_> = codes.iter().filter(|c| !test.contains(&format!("{{{c}, \"{c}\"}}"))).collect();
    assert!(missing.is_empty(), "status codes missing from tests/c/test_bad_input.c: {missing:?}");
}
