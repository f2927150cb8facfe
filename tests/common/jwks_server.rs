//! The HTTPS/HTTP JWKS test server of `tests/support/jwks_server.py` (see its README),
//! driven from a Rust test: one server per test in a fresh directory under the cargo
//! target's temporary folder, steered through its control files (written atomically),
//! and its request log read back. The server is killed (and waited for) on drop; its
//! stdin is a pipe held open, so it also stops if the test process dies.
//!
//! Include it with `#[path = "common/jwks_server.rs"] mod jwks_server;`.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jwtkit::jwks_source::FetchOptions;
use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/jwks_server.py");
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `jwks_server.py`.
pub struct JwksServer {
    child: Option<Child>,
    /// The server's directory: control files, certificates, `headers.log`.
    pub dir: PathBuf,
    /// `https://127.0.0.1:N`
    pub https: String,
    /// `http://127.0.0.1:M`
    pub http: String,
    /// The test CA that signed the server's certificate.
    pub ca: PathBuf,
    /// An unrelated CA.
    pub other_ca: PathBuf,
}

impl JwksServer {
    /// Starts a server in a fresh directory (named after `name`) and waits for its
    /// `server.json`. Panics, with the server's stderr, if it does not come up.
    pub fn start(name: &str) -> JwksServer {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("jwks-server-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let stderr = File::create(dir.join("server.stderr")).expect("create server.stderr");
        let child = Command::new("python3")
            .arg(SCRIPT)
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("start python3 {SCRIPT}: {e}"));
        let mut server = JwksServer {
            child: Some(child),
            dir,
            https: String::new(),
            http: String::new(),
            ca: PathBuf::new(),
            other_ca: PathBuf::new(),
        };
        let info = server.wait_for_info();
        let field = |name: &str| info[name].as_str().unwrap_or_else(|| panic!("server.json: no `{name}` in {info}"));
        server.https = field("https").to_owned();
        server.http = field("http").to_owned();
        server.ca = PathBuf::from(field("ca"));
        server.other_ca = PathBuf::from(field("other_ca"));
        server
    }

    fn wait_for_info(&mut self) -> Value {
        let path = self.dir.join("server.json");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(bytes) = std::fs::read(&path) {
                return serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("server.json: {e}"));
            }
            let child = self.child.as_mut().expect("server process");
            if let Some(status) = child.try_wait().expect("poll the server process") {
                panic!("jwks_server.py exited ({status}) before it was ready: {}", self.stderr());
            }
            if Instant::now() >= deadline {
                panic!("jwks_server.py did not write server.json within {START_TIMEOUT:?}: {}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server wrote on stderr so far (real server errors only).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.stderr")).unwrap_or_default()
    }

    /// The `/jwks` URL over HTTPS.
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.https)
    }

    /// Fetch options that trust the test CA only (not the system store), with short timeouts.
    pub fn fetch_options(&self) -> FetchOptions {
        let mut options = FetchOptions {
            system_roots: false,
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(2),
            ..FetchOptions::default()
        };
        options.add_ca_file(&self.ca).expect("trust the test CA");
        options
    }

    /// Writes a control file atomically (temporary file, then rename).
    pub fn write(&self, name: &str, content: &[u8]) {
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, content).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
        std::fs::rename(&tmp, self.dir.join(name)).unwrap_or_else(|e| panic!("rename to {name}: {e}"));
    }

    /// The key set `/jwks` serves.
    pub fn set_jwks(&self, body: &[u8]) {
        self.write("jwks.json", body);
    }

    /// How `/jwks` answers (`ok`, `500`, `slow:1.5`, `redirect-loop`, ...).
    pub fn set_mode(&self, mode: &str) {
        self.write("mode", mode.as_bytes());
    }

    /// The `Cache-Control` of the `/jwks` answers (empty: none).
    pub fn set_cache_control(&self, value: &str) {
        self.write("cache-control", value.as_bytes());
    }

    /// Every request logged so far, oldest first: `{"path", "target", "scheme", "method",
    /// "headers", "t"}`.
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.join("headers.log")).unwrap_or_default();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("headers.log line {l:?}: {e}")))
            .collect()
    }

    /// The requests for `path` (e.g. `/jwks`), oldest first.
    pub fn requests_for(&self, path: &str) -> Vec<Value> {
        self.requests().into_iter().filter(|r| r["path"] == path).collect()
    }

    /// How many times `/jwks` was fetched.
    pub fn fetches(&self) -> usize {
        self.requests_for("/jwks").len()
    }

    /// Kills the server and waits for it: its ports stop answering.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop();
        // Kept after a failure, for a look at headers.log and server.stderr.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
