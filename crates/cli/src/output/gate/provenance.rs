//! Where a baseline was recorded and where this run ran: the commit of the checkout holding
//! the experiment file (or why there is none), the Sweep build and the machine.

use experiment::{Baseline, NoCommit, Provenance};
use serde_json::json;
use store::RunRecord;

use crate::clock::format_iso_utc;
use crate::probe::{same_commit, version_shown, Build};

/// Returns where a gate's run ran, as a baseline's provenance reads: "experiment file at
/// commit d7a3149046d9 (dirty), sweep 0.1.0 built from commit 85ec1f4, on AMD EPYC, 2 cores;
/// ...".
pub(super) fn this_run(r: &RunRecord) -> String {
    let commits = commits_text(
        FileCommit {
            commit: r.git.as_ref().map(|g| g.commit.as_str()),
            dirty: r.git.as_ref().map(|g| g.dirty),
            none_because: r.no_commit.as_ref(),
        },
        &r.sweep_version,
    );
    format!("{commits}, on {}; {}", r.cpu, r.os)
}

/// What a run or a baseline recorded of the commit of the checkout holding the experiment file.
#[derive(Debug, Clone, Copy)]
struct FileCommit<'a> {
    /// The commit, when there was one.
    commit: Option<&'a str>,
    /// Whether tracked files differed from it, when known.
    dirty: Option<bool>,
    /// Why there was none, when known: a baseline or a run record from before the reason was
    /// kept does not say.
    none_because: Option<&'a NoCommit>,
}

/// Returns the two commits behind a run, each named for what it is: that of the checkout
/// holding the experiment file (`checkout`) and that of the Sweep build (`sweep_version`, as
/// recorded), the second as "that commit" where they agree: "experiment file at commit
/// d7a3149046d9 (dirty), sweep 0.1.0 built from commit 85ec1f4". A file with no commit is said
/// to lie outside any git checkout only where git said so (`NoCommit::OutsideCheckout`).
fn commits_text(checkout: FileCommit<'_>, sweep_version: &str) -> String {
    let file = match (checkout.commit, checkout.dirty, checkout.none_because) {
        (Some(c), Some(true), _) => format!(
            "experiment file at commit {} (dirty)",
            experiment::short_hash(c)
        ),
        (Some(c), _, _) => format!("experiment file at commit {}", experiment::short_hash(c)),
        (None, _, Some(NoCommit::OutsideCheckout)) => {
            "experiment file outside any git checkout".to_string()
        }
        (None, _, Some(why)) => format!("experiment file's commit unknown ({why})"),
        (None, _, None) => "experiment file's commit not recorded".to_string(),
    };
    let checkout = checkout.commit;
    let build = Build::parse(sweep_version);
    let sweep = match build.commit {
        None => format!("sweep {}", version_shown(sweep_version)),
        Some(b) if checkout.is_some_and(|c| same_commit(c, b)) => {
            format!("sweep {} built from that commit", build.version)
        }
        Some(b) => format!("sweep {} built from commit {b}", build.version),
    };
    format!("{file}, {sweep}")
}

/// Returns the JSON of where this run ran (`GateHeader::current`): its commit and whether the
/// checkout was dirty, `null` without one, and then `no_commit`, why it has none, as the text
/// report's "this run" line says it (`NoCommit`'s words: "not inside a git checkout", "git
/// could not be run: REASON", ...; absent with a commit, or where the record does not say).
pub(super) fn current_json(r: &RunRecord) -> serde_json::Value {
    let mut current = json!({
        "commit": r.git.as_ref().map(|g| g.commit.clone()),
        "dirty": r.git.as_ref().map(|g| g.dirty),
        "machine": format!("{}; {}", r.cpu, r.os),
        "sweep_version": r.sweep_version,
    });
    if let (None, Some(why), Some(fields)) = (&r.git, &r.no_commit, current.as_object_mut()) {
        fields.insert("no_commit".into(), why.to_string().into());
    }
    current
}

/// Returns the JSON of a baseline's file and where it was recorded, as both JSON reports give it:
/// its commit, `null` without one, and then `no_commit`, why it has none, as `current_json` says
/// it of this run (absent with a commit, or where the baseline does not say).
pub(super) fn baseline_json(file: &str, p: &Provenance) -> serde_json::Value {
    let mut baseline = json!({
        "file": file,
        "commit": p.commit,
        "dirty": p.dirty,
        "date": format_iso_utc(p.date),
        "machine": p.machine,
        "sweep_version": p.sweep_version,
    });
    if let (None, Some(why), Some(fields)) = (&p.commit, &p.no_commit, baseline.as_object_mut()) {
        fields.insert("no_commit".into(), why.to_string().into());
    }
    baseline
}

/// Returns the line that says where a baseline came from: "baseline recorded ...".
pub(super) fn provenance(b: &Baseline) -> String {
    format!("baseline {}", recorded(b))
}

/// Returns when, where and by what a baseline was recorded: "recorded 2026-11-28 15:47:16 UTC,
/// experiment file at commit d7a3149046d9, sweep 0.1.0 built from that commit, on AMD EPYC, 2
/// cores; ...".
pub(crate) fn recorded(b: &Baseline) -> String {
    let p = &b.provenance;
    format!(
        "recorded {} UTC, {}, on {}",
        p.date.utc(),
        commits_text(
            FileCommit {
                commit: p.commit.as_deref(),
                dirty: p.dirty,
                none_because: p.no_commit.as_ref(),
            },
            &p.sweep_version
        ),
        p.machine
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_names_its_experiment_files_commit_and_its_builds_apart_or_once_when_they_agree() {
        let full = "d7a3149046d9aa55e7c1b0f9d7a3149046d9aa55";
        for (checkout, dirty, sweep, want) in [
            (
                Some(full),
                Some(true),
                "0.1.0 (85ec1f4)",
                "experiment file at commit d7a3149046d9 (dirty), sweep 0.1.0 built from commit \
                 85ec1f4",
            ),
            (
                Some(full),
                Some(false),
                "0.1.0 (d7a3149)",
                "experiment file at commit d7a3149046d9, sweep 0.1.0 built from that commit",
            ),
            (
                Some(full),
                Some(true),
                "0.1.0 (d7a3149046d9aa55e)",
                "experiment file at commit d7a3149046d9 (dirty), sweep 0.1.0 built from that \
                 commit",
            ),
            (
                Some(full),
                None,
                "0.1.0",
                "experiment file at commit d7a3149046d9, sweep 0.1.0",
            ),
            (
                None,
                None,
                "0.1.0 (85ec1f4)",
                "experiment file's commit not recorded, sweep 0.1.0 built from commit 85ec1f4",
            ),
            (
                None,
                None,
                "0.0.0",
                "experiment file's commit not recorded, sweep 0.0.0 (unversioned, before 0.1.0)",
            ),
        ] {
            let checkout = FileCommit {
                commit: checkout,
                dirty,
                none_because: None,
            };
            assert_eq!(commits_text(checkout, sweep), want, "{sweep}");
        }
    }

    #[test]
    fn issue_a_run_without_a_commit_says_why_and_outside_git_only_where_git_said_so() {
        let why = |none_because: &NoCommit| {
            let checkout = FileCommit {
                commit: None,
                dirty: None,
                none_because: Some(none_because),
            };
            commits_text(checkout, "0.1.0 (85ec1f4)")
        };
        assert_eq!(
            why(&NoCommit::OutsideCheckout),
            "experiment file outside any git checkout, sweep 0.1.0 built from commit 85ec1f4"
        );
        assert_eq!(
            why(&NoCommit::GitNotRun(
                "No such file or directory (os error 2)".into()
            )),
            "experiment file's commit unknown (git could not be run: No such file or directory \
             (os error 2)), sweep 0.1.0 built from commit 85ec1f4"
        );
        assert_eq!(
            why(&NoCommit::GitRefused(
                "detected dubious ownership in repository at '/srv/x'".into()
            )),
            "experiment file's commit unknown (git refused the folder: detected dubious \
             ownership in repository at '/srv/x'), sweep 0.1.0 built from commit 85ec1f4"
        );
        assert_eq!(
            why(&NoCommit::HeadUnreadable("bad object HEAD".into())),
            "experiment file's commit unknown (git could not read HEAD: bad object HEAD), sweep \
             0.1.0 built from commit 85ec1f4"
        );
        // The gate's "this run" line reads the record's reason.
        let record = RunRecord {
            no_commit: Some(NoCommit::GitRefused("detected dubious ownership".into())),
            sweep_version: "0.1.0".into(),
            cpu: "x, 2 cores".into(),
            os: "linux".into(),
            ..RunRecord::default()
        };
        assert_eq!(
            this_run(&record),
            "experiment file's commit unknown (git refused the folder: detected dubious \
             ownership), sweep 0.1.0, on x, 2 cores; linux"
        );
    }

    #[test]
    fn issue_the_json_report_says_why_this_run_has_no_commit() {
        let record = |git, no_commit| RunRecord {
            git,
            no_commit,
            sweep_version: "0.1.0".into(),
            cpu: "x, 2 cores".into(),
            os: "linux".into(),
            ..RunRecord::default()
        };
        let outside = current_json(&record(None, Some(NoCommit::OutsideCheckout)));
        assert_eq!(
            outside,
            json!({
                "commit": null,
                "dirty": null,
                "no_commit": "not inside a git checkout",
                "machine": "x, 2 cores; linux",
                "sweep_version": "0.1.0",
            })
        );
        let refused = current_json(&record(None, Some(NoCommit::GitRefused("dubious".into()))));
        assert_eq!(refused["no_commit"], "git refused the folder: dubious");
        // With a commit, or a record that does not say, there is no reason to give.
        let git = store::GitState {
            commit: "d7a3149046d9".into(),
            dirty: false,
            diff: String::new(),
        };
        let committed = current_json(&record(Some(git), None));
        assert_eq!(committed["commit"], "d7a3149046d9");
        assert!(committed.get("no_commit").is_none(), "{committed}");
        assert!(current_json(&record(None, None)).get("no_commit").is_none());
    }

    #[test]
    fn issue_a_baseline_without_a_commit_says_why_as_this_run_does() {
        let baseline = |no_commit: Option<NoCommit>| Baseline {
            experiment: "e".into(),
            spec_hash: "h".into(),
            metrics: Default::default(),
            provenance: Provenance {
                commit: None,
                no_commit,
                dirty: None,
                date: experiment::Timestamp(1_795_865_400_000),
                machine: "x, 2 cores; linux".into(),
                sweep_version: "0.1.0".into(),
            },
            run: None,
        };
        let at = "recorded 2026-11-28 11:30:00 UTC, ";
        let outside = baseline(Some(NoCommit::OutsideCheckout));
        assert_eq!(
            recorded(&outside),
            format!(
                "{at}experiment file outside any git checkout, sweep 0.1.0, on x, 2 cores; linux"
            )
        );
        let yet = baseline(Some(NoCommit::NoCommitYet));
        assert_eq!(
            recorded(&yet),
            format!(
                "{at}experiment file's commit unknown (the checkout has no commit yet), sweep \
                 0.1.0, on x, 2 cores; linux"
            )
        );
        // A baseline recorded before the reason was kept claims none.
        let before = baseline(None);
        assert_eq!(
            recorded(&before),
            format!("{at}experiment file's commit not recorded, sweep 0.1.0, on x, 2 cores; linux")
        );
        // The JSON reports give it as they give this run's.
        let refused = baseline(Some(NoCommit::GitRefused("dubious".into())));
        let json = baseline_json("b.json", &refused.provenance);
        assert_eq!(json["commit"], serde_json::Value::Null);
        assert_eq!(json["no_commit"], "git refused the folder: dubious");
        assert!(baseline_json("b.json", &before.provenance)
            .get("no_commit")
            .is_none());
        let mut committed = baseline(None).provenance;
        committed.commit = Some("d7a3149046d9".into());
        assert!(baseline_json("b.json", &committed)
            .get("no_commit")
            .is_none());
    }
}
