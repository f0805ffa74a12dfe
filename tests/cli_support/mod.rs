//! Runs the built `tessera` binary as a user would, in a fresh state directory per test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run printed and its exit status.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output, trimmed.
    pub fn out(&self) -> &str {
        self.stdout.trim()
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A temporary state directory and the binary.
pub struct Cli {
    /// The directory holding the state (`state/`) and files the test writes.
    pub dir: PathBuf,
}

impl Cli {
    /// A new, empty directory for test `name` (no state yet).
    pub fn empty(name: &str) -> Cli {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Cli { dir }
    }

    /// A new directory with an initialised state.
    pub fn new(name: &str) -> Cli {
        let cli = Cli::empty(name);
        cli.ok(&["init"]);
        cli
    }

    /// The state directory.
    pub fn state(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// A path inside the test's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file in the test's directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Runs `tessera --state <dir> ARGS...`.
    pub fn run(&self, args: &[&str]) -> Run {
        let state = self.state();
        let mut full: Vec<&str> = vec!["--state", state.to_str().expect("utf-8 path")];
        full.extend_from_slice(args);
        run_raw(&self.dir, &full, &[])
    }

    /// Runs and expects exit status 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "tessera {args:?} failed: {}{}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs and expects exit status `code` and a one-line error on stderr containing `text`.
    pub fn fails(&self, args: &[&str], code: i32, text: &str) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, code, "tessera {args:?}: {r:?}");
        assert!(
            r.stderr.contains(text),
            "tessera {args:?}: stderr {:?} lacks {text:?}",
            r.stderr
        );
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .collect();
        assert_eq!(errors.len(), 1, "one error line expected: {:?}", r.stderr);
        r
    }
}

/// Runs the binary in `cwd` with `args` and extra environment variables.
pub fn run_raw(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
    cmd.current_dir(cwd).args(args).env_remove("TESSERA_STATE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run tessera");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
