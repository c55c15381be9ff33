//! Runs `git`, for the reproducibility record (`probe`) and for the build's name (`build.rs`,
//! which includes this file by path, since a build script cannot use the crate it builds).

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir` and returns its standard output as it is; `None` when git cannot
/// start, fails, or writes what is not UTF-8. It takes no optional lock, so that asking never
/// holds up (or rewrites the index under) a `git` the user runs at the same time.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}
