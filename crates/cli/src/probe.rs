//! Looks at the machine and the working tree: git state, OS, CPU, and file hashes; and names
//! this build of Sweep.
//!
//! This is the IO behind the reproducibility record and a baseline's provenance. Every probe is
//! best-effort: without git, outside a repository, or without `/proc`, the answer is "unknown"
//! and the run goes on (saying why git gave none, where it is not the folder's lying outside a
//! checkout, and keeping why in the record, `RunRecord::no_commit`); only hashing the dataset,
//! which a record cannot do without, can fail.
//!
//! The build's name is the binary's version (the cli crate's) and the commit `build.rs` found when the binary
//! was built (`0.1.0 (85ec1f4)`); records and baselines keep it as `sweep_version`, and those
//! written before Sweep had a version say `0.0.0`.

mod given_data;
mod recorded_path;
mod resolved;

use std::path::{Path, PathBuf};

use anyhow::Context;
use experiment::{DataFormat, DeviceChoice, ExperimentSpec, NoCommit};
use store::{GitState, RunRecord};

pub(crate) use self::given_data::{read_elsewhere, GivenData};
pub(crate) use self::recorded_path::recorded_spec;
pub(crate) use self::resolved::Resolved;
use crate::git::{self, GitFailure};

/// The longest diff kept in a record, in bytes; a longer one is cut and says so.
const MAX_DIFF_BYTES: usize = 1 << 20;

/// The version every Sweep build recorded before the binary had one (0.1.0 was the first).
const UNVERSIONED: &str = "0.0.0";

/// The machine and build a run happens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    /// `linux (Debian GNU/Linux 12) x86_64`: the OS family, its pretty name when known, the
    /// architecture.
    pub(crate) os: String,
    /// `AMD EPYC 7B13, 2 cores`: the CPU model when known and the cores available.
    pub(crate) cpu: String,
}

/// A Sweep build as a record names it (`sweep_version`): `0.1.0 (85ec1f4)`, or `0.1.0` when the
/// build knew no commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Build<'a> {
    /// The binary's version (the cli crate's): `0.1.0`.
    pub(crate) version: &'a str,
    /// The short hash of the commit it was built from, when known.
    pub(crate) commit: Option<&'a str>,
}

impl<'a> Build<'a> {
    /// Reads a recorded version; anything not of the form `VERSION (COMMIT)` is a version
    /// alone, as `0.0.0` from before builds named their commit.
    pub(crate) fn parse(text: &'a str) -> Build<'a> {
        let text = text.trim();
        match text.strip_suffix(')').and_then(|t| t.split_once(" (")) {
            Some((version, commit)) if !commit.is_empty() && !version.is_empty() => Build {
                version,
                commit: Some(commit),
            },
            _ => Build {
                version: text,
                commit: None,
            },
        }
    }
}

/// Builds the reproducibility record of a run of `spec`, read from `spec_file`, with `parallel`
/// trials side by side.
///
/// The resolved spec is that of the spec's text parsed again at the file's absolute path:
/// exactly what `sweep reproduce` rebuilds, so the two hashes agree whenever the meaning did not
/// change. Fails when a data file cannot be read.
///
/// The record keeps the spec's and the data files' paths as text (`Path::display`): a path that
/// is not UTF-8 is kept with a replacement character (`recorded_spec` finds the spec's folder
/// again on disk, by the data it holds), and the data files, one a line, are told apart by the
/// spec (`data_files`), never by splitting that text, so that a path holding a newline is one
/// file.
pub(crate) fn run_record(
    spec: &ExperimentSpec,
    spec_file: &Path,
    parallel: usize,
) -> anyhow::Result<RunRecord> {
    record_of(&Resolved::at(spec, spec_file)?, parallel)
}

/// Builds the reproducibility record of a run of the spec `resolved` (`Resolved::at`), with
/// `parallel` trials side by side, as `run_record` does.
pub(crate) fn record_of(resolved: &Resolved, parallel: usize) -> anyhow::Result<RunRecord> {
    let Resolved {
        file: spec_file,
        spec: resolved,
        text,
    } = resolved;
    let files = data_files(resolved);
    let hashes = files
        .iter()
        .map(|f| sha256_file(f).with_context(|| format!("cannot read {}", f.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let machine = machine();
    let dir = spec_file.parent().unwrap_or(Path::new("/"));
    let (git, no_commit) = recorded_git(git_state(dir));
    Ok(RunRecord {
        resolved_spec: text.clone(),
        resolved_spec_hash: resolved.resolved_hash(),
        spec_file: spec_file.display().to_string(),
        data_file: lines(files.iter().map(|f| f.display().to_string())),
        data_hash: lines(hashes),
        git,
        no_commit,
        sweep_version: sweep_version().to_string(),
        engine: trainer::ENGINE.to_string(),
        device: device_name(resolved.device),
        os: machine.os,
        cpu: machine.cpu,
        parallel: u32::try_from(parallel).ok(),
        // The runner says which agent, if any, the agents' exchange and the plan the sampler
        // is told when it puts the record.
        agent: None,
        exchange: None,
        planned: None,
    })
}

/// Parses spec text as if read from `spec_file` (absolute), so that its relative paths resolve
/// against that file's folder.
pub(crate) fn resolve_at(text: &str, spec_file: &Path) -> anyhow::Result<ExperimentSpec> {
    ExperimentSpec::from_yaml_str(text, spec_file)
        .map_err(|e| anyhow::anyhow!("invalid experiment file {}\n{e}", spec_file.display()))
}

/// Returns the device a spec trains on, as recorded: `cpu`, `cuda`, or `auto (...)` with the
/// devices this build has.
pub(crate) fn device_name(choice: DeviceChoice) -> String {
    match choice {
        DeviceChoice::Cpu => "cpu".to_string(),
        DeviceChoice::Cuda => "cuda".to_string(),
        DeviceChoice::Auto => format!("auto ({} build)", trainer::DEVICE),
    }
}

/// Returns the files a spec's data is read from: one per line of a record's `data_file`.
pub(crate) fn data_files(spec: &ExperimentSpec) -> Vec<PathBuf> {
    let mut files = vec![spec.data.csv.value.clone()];
    match &spec.data.format {
        DataFormat::Csv => {}
        DataFormat::Idx { labels } => files.push(labels.value.clone()),
    }
    files
}

/// Returns `spec` reading its data from `files`, the files of `data_files` in its order, each
/// where it lies now (a file `sweep reproduce --data` named, the run's data at another path);
/// a file past the end of `files` stays as the spec resolves it.
pub(crate) fn reading_from(mut spec: ExperimentSpec, files: &[PathBuf]) -> ExperimentSpec {
    if let Some(csv) = files.first() {
        spec.data.csv.value = csv.clone();
    }
    if let (DataFormat::Idx { labels }, Some(file)) = (&mut spec.data.format, files.get(1)) {
        labels.value = file.clone();
    }
    spec
}

/// Joins values into a record field that holds one per line.
fn lines(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join("\n")
}

/// Returns the version of this Sweep binary, as `sweep --version` says it and a record keeps it:
/// the binary's version (the cli crate's) and the commit it was built from (`0.1.0 (85ec1f4)`), or the
/// version alone where the build knew no commit (`0.1.0`: built outside a git checkout), as
/// `build.rs` named it.
pub(crate) fn sweep_version() -> &'static str {
    env!("SWEEP_BUILD_NAME")
}

/// Returns a recorded Sweep version as a report shows it after "sweep ": as recorded, but for
/// `0.0.0`, which every build recorded before Sweep named its versions, and which says so.
pub(crate) fn version_shown(recorded: &str) -> String {
    if Build::parse(recorded).version == UNVERSIONED {
        format!("{} (unversioned, before 0.1.0)", recorded.trim())
    } else {
        recorded.to_string()
    }
}

/// Returns what tells the Sweep build that wrote a record (`then`) from this one (`now`): another
/// version, another commit, or a commit known on one side only; `None` when they are the same
/// build or nothing tells them apart (the same version, neither commit known).
pub(crate) fn build_difference(then: &str, now: &str) -> Option<String> {
    let (a, b) = (Build::parse(then), Build::parse(now));
    if a.version != b.version {
        return Some(format!(
            "the run used sweep {}; this one is sweep {}",
            version_shown(then),
            version_shown(now)
        ));
    }
    let version = a.version;
    match (a.commit, b.commit) {
        (Some(x), Some(y)) if same_commit(x, y) => None,
        (Some(x), Some(y)) => Some(format!(
            "the run used sweep {version} built from commit {x}; this one is built from commit {y}"
        )),
        (Some(x), None) => Some(format!(
            "the run used sweep {version} built from commit {x}; this one was built outside a git \
             checkout, so its commit is unknown"
        )),
        (None, Some(y)) => Some(format!(
            "the run used sweep {version} built outside a git checkout, so its commit is unknown; \
             this one is built from commit {y}"
        )),
        (None, None) => None,
    }
}

/// Returns whether two names of commits name the same one: equal, or abbreviations of one hash
/// (the longer where the repository grew, or a full hash beside a short one).
pub(crate) fn same_commit(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a))
}

/// Describes the machine.
pub(crate) fn machine() -> Machine {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| os_release_name(&text));
    let os = match pretty {
        Some(name) => format!(
            "{} ({name}) {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        None => format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    };
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| "unknown CPU".to_string());
    Machine {
        os,
        cpu: format!(
            "{model}, {}",
            experiment::counted(u64::try_from(cores()).unwrap_or(u64::MAX), "core", "cores")
        ),
    }
}

/// Returns the cores this process may use (1 when the system does not say): a sweep's trials
/// side by side when neither the file nor `--parallel` says.
pub(crate) fn cores() -> usize {
    let most = usize::try_from(experiment::MAX_PARALLEL).unwrap_or(usize::MAX);
    std::thread::available_parallelism().map_or(1, |n| n.get().min(most))
}

/// Returns the state of the git working tree that holds `dir`, or why git gave none: `dir` is
/// not in a checkout, git cannot be run, git refused the folder, the checkout has no commit yet
/// or git cannot read its `HEAD`.
pub(crate) fn git_state(dir: &Path) -> Result<GitState, GitFailure> {
    let commit = git::head(dir)?;
    let status = git::run(dir, &["status", "--porcelain", "--untracked-files=no"])?;
    let mut diff = git::git(dir, &["diff", "HEAD"]).unwrap_or_default();
    if diff.len() > MAX_DIFF_BYTES {
        let mut cut = MAX_DIFF_BYTES;
        while !diff.is_char_boundary(cut) {
            cut -= 1;
        }
        diff.truncate(cut);
        diff.push_str("\n[diff cut at 1 MiB]\n");
    }
    Ok(GitState {
        commit,
        dirty: !status.trim().is_empty(),
        diff,
    })
}

/// Returns what a record keeps of `found`, the git state of the spec's folder: the state, or
/// why there is none; and says on standard error why it keeps no commit where the folder lies
/// in no checkout for another reason than that (git not to be run, refusing the folder, ...).
fn recorded_git(found: Result<GitState, GitFailure>) -> (Option<GitState>, Option<NoCommit>) {
    let (git, no_commit) = match found {
        Ok(state) => (Some(state), None),
        Err(failure) => (None, Some(NoCommit::from(failure))),
    };
    if let Some(why) = no_commit_warning(no_commit.as_ref()) {
        say!("{}", crate::output::visible(&why));
    }
    (git, no_commit)
}

impl From<GitFailure> for NoCommit {
    /// Returns why a record names no commit, as records, baselines and messages keep it, from
    /// why git gave none: one variant for one.
    fn from(failure: GitFailure) -> NoCommit {
        match failure {
            GitFailure::NotACheckout => NoCommit::OutsideCheckout,
            GitFailure::CannotRun(why) => NoCommit::GitNotRun(why),
            GitFailure::Refused(message) => NoCommit::GitRefused(message),
            GitFailure::NoCommitYet => NoCommit::NoCommitYet,
            GitFailure::HeadUnreadable(message) => NoCommit::HeadUnreadable(message),
        }
    }
}

/// Returns the warning for a record that names no commit because of `why`; `None` when there
/// is none, or the folder simply lies outside every checkout.
fn no_commit_warning(why: Option<&NoCommit>) -> Option<String> {
    match why? {
        NoCommit::OutsideCheckout => None,
        why => Some(format!(
            "warning: the run record names no git commit: {why}"
        )),
    }
}

/// Returns the hex SHA-256 of a file's bytes; fails with the system's reason, for the caller
/// to say which file it is and what a failure means there.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    Ok(experiment::sha256_hex(&std::fs::read(path)?))
}

/// Returns `PRETTY_NAME` from the text of `/etc/os-release`.
fn os_release_name(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// Returns the first `model name` of the text of `/proc/cpuinfo`.
fn cpu_model(text: &str) -> Option<String> {
    text.lines()
        .filter(|l| l.starts_with("model name") || l.starts_with("Model"))
        .find_map(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_os_release_and_cpuinfo() {
        let os_release =
            "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            os_release_name(os_release).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(os_release_name("ID=x\n"), None);
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\
                       processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(
            cpu_model("Model\t\t: Raspberry Pi 4\n").as_deref(),
            Some("Raspberry Pi 4")
        );
        assert_eq!(cpu_model(""), None);
    }

    #[test]
    fn a_recorded_build_is_read_as_its_version_and_commit() {
        // This binary: the binary's version, then its commit when the build knew one
        // (`build_name::name`).
        let this = Build::parse(sweep_version());
        assert_eq!(this.version, env!("CARGO_PKG_VERSION"));
        assert_ne!(this.version, UNVERSIONED);
        for (text, version, commit) in [
            ("0.1.0 (85ec1f4)", "0.1.0", Some("85ec1f4")),
            ("0.1.0", "0.1.0", None),
            ("0.0.0", "0.0.0", None),
            (" 0.1.0 (85ec1f4)\n", "0.1.0", Some("85ec1f4")),
            ("0.1.0 ()", "0.1.0 ()", None),
            ("", "", None),
        ] {
            assert_eq!(Build::parse(text), Build { version, commit }, "{text:?}");
        }
    }

    #[test]
    fn a_recorded_build_is_compared_with_this_one_by_version_then_commit() {
        for (then, now, note) in [
            ("0.1.0 (85ec1f4)", "0.1.0 (85ec1f4)", None),
            // Abbreviations of one hash, the longer where the repository grew.
            ("0.1.0 (85ec1f4)", "0.1.0 (85ec1f4a9)", None),
            ("0.1.0", "0.1.0", None),
            (
                "0.0.0",
                "0.1.0 (85ec1f4)",
                Some(
                    "the run used sweep 0.0.0 (unversioned, before 0.1.0); this one is sweep \
                     0.1.0 (85ec1f4)",
                ),
            ),
            (
                "0.2.0 (1234abc)",
                "0.1.0",
                Some("the run used sweep 0.2.0 (1234abc); this one is sweep 0.1.0"),
            ),
            (
                "0.1.0 (1234abc)",
                "0.1.0 (85ec1f4)",
                Some(
                    "the run used sweep 0.1.0 built from commit 1234abc; this one is built from \
                     commit 85ec1f4",
                ),
            ),
            (
                "0.1.0 (1234abc)",
                "0.1.0",
                Some(
                    "the run used sweep 0.1.0 built from commit 1234abc; this one was built \
                     outside a git checkout, so its commit is unknown",
                ),
            ),
            (
                "0.1.0",
                "0.1.0 (85ec1f4)",
                Some(
                    "the run used sweep 0.1.0 built outside a git checkout, so its commit is \
                     unknown; this one is built from commit 85ec1f4",
                ),
            ),
        ] {
            assert_eq!(
                build_difference(then, now).as_deref(),
                note,
                "{then} then, {now} now"
            );
        }
        assert_eq!(version_shown("0.0.0"), "0.0.0 (unversioned, before 0.1.0)");
        assert_eq!(version_shown("0.1.0 (85ec1f4)"), "0.1.0 (85ec1f4)");
    }

    #[test]
    fn issue_a_record_without_a_commit_keeps_why_git_gave_none() {
        let why = "No such file or directory (os error 2)";
        for (failure, kept) in [
            (GitFailure::NotACheckout, NoCommit::OutsideCheckout),
            (
                GitFailure::CannotRun(why.into()),
                NoCommit::GitNotRun(why.into()),
            ),
            (
                GitFailure::Refused("detected dubious ownership".into()),
                NoCommit::GitRefused("detected dubious ownership".into()),
            ),
            (GitFailure::NoCommitYet, NoCommit::NoCommitYet),
            (
                GitFailure::HeadUnreadable("bad object HEAD".into()),
                NoCommit::HeadUnreadable("bad object HEAD".into()),
            ),
        ] {
            assert_eq!(recorded_git(Err(failure)), (None, Some(kept)));
        }
        let clean = GitState {
            commit: "c".repeat(40),
            dirty: false,
            diff: String::new(),
        };
        assert_eq!(recorded_git(Ok(clean.clone())), (Some(clean), None));
    }

    #[test]
    fn issue_a_record_without_a_commit_says_why_unless_outside_every_checkout() {
        assert_eq!(no_commit_warning(None), None);
        assert_eq!(no_commit_warning(Some(&NoCommit::OutsideCheckout)), None);
        let refused = NoCommit::GitRefused("detected dubious ownership in repository".into());
        assert_eq!(
            no_commit_warning(Some(&refused)).as_deref(),
            Some(
                "warning: the run record names no git commit: git refused the folder: detected \
                 dubious ownership in repository"
            )
        );
        let missing = NoCommit::GitNotRun("No such file or directory (os error 2)".into());
        assert_eq!(
            no_commit_warning(Some(&missing)).as_deref(),
            Some(
                "warning: the run record names no git commit: git could not be run: No such \
                 file or directory (os error 2)"
            )
        );
        let unreadable = NoCommit::HeadUnreadable("bad object HEAD".into());
        assert_eq!(
            no_commit_warning(Some(&unreadable)).as_deref(),
            Some("warning: the run record names no git commit: git could not read HEAD: bad object HEAD")
        );
    }
}
