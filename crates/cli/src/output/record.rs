//! The reproducibility record as `sweep show` prints it: a few summary lines, and on request the
//! resolved spec, each setting as the YAML writes it (`ExperimentSpec::readable_resolved`, as the
//! gate's and `sweep run`'s diffs show it), and the diff of the working tree.

use std::io::{self, Write};

use experiment::{ExperimentSpec, NoCommit};
use store::RunRecord;

use super::visible;
use crate::probe::GivenData;

/// Writes the line standing for a run record that does not read (a newer Sweep wrote it, or it
/// is damaged), in place of `run_record`'s: what it is, standard error having said why (`sweep
/// show`'s note).
pub(crate) fn run_record_unreadable(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "record      not shown: it does not read (why is on standard error)"
    )?;
    writeln!(out)
}

/// Writes the record's summary lines, aligned with `experiment_header`'s; `spec` is the stored
/// spec as this version reads it, whose sampler and pruner settings the header showed;
/// `details` says whether the record's details follow (`run_record_details`).
pub(crate) fn run_record(
    out: &mut impl Write,
    (record, details): (Option<&RunRecord>, bool),
    spec: Option<&ExperimentSpec>,
) -> io::Result<()> {
    let Some(r) = record else {
        writeln!(out, "record      none (run by a Sweep from before records)")?;
        return writeln!(out);
    };
    writeln!(
        out,
        "record      sweep {}, {} on {}",
        visible(&crate::probe::version_shown(&r.sweep_version)),
        visible(&r.engine),
        visible(&r.device)
    )?;
    let git = match &r.git {
        Some(g) if g.dirty => format!(
            "git {} with uncommitted changes ({} diff lines; {})",
            g.commit,
            g.diff.lines().count(),
            if details {
                "below"
            } else {
                "`--record` prints them"
            }
        ),
        Some(g) => format!("git {} (clean)", g.commit),
        None => no_commit_line(r.no_commit.as_ref()),
    };
    writeln!(out, "            {}", visible(&git))?;
    writeln!(out, "            spec {}", visible(&r.spec_file))?;
    writeln!(
        out,
        "            resolved spec sha256 {}",
        experiment::short_hash(&r.resolved_spec_hash)
    )?;
    for (file, hashes) in GivenData::recorded_files(r) {
        let hashes: Vec<&str> = hashes.into_iter().map(experiment::short_hash).collect();
        writeln!(
            out,
            "            data {} (sha256 {})",
            visible(&file),
            visible(&hashes.join(", "))
        )?;
    }
    let parallel = match r.parallel {
        Some(p) => format!("; {}", super::trials_at_once(p)),
        None => String::new(),
    };
    writeln!(
        out,
        "            machine {}; {}{parallel}",
        visible(&r.cpu),
        visible(&r.os)
    )?;
    if let Some(agent) = r.agent {
        writeln!(
            out,
            "            the store of {agent}: the others' trials keep their checkpoints in \
             their own agents' stores"
        )?;
    }
    if let Some(exchange) = &r.exchange {
        writeln!(
            out,
            "            exchange {} (the folder the agents shared, as this one was given it)",
            visible(exchange)
        )?;
    }
    if let Some(differing) = spec.and_then(|spec| spec.search_changes(&r.resolved_spec)) {
        writeln!(
            out,
            "            ran with other sampler or pruner settings than this version reads in \
             its file (a default changed since); `--record` prints what it ran with:"
        )?;
        for difference in differing {
            writeln!(out, "              {}", visible(&difference))?;
        }
    }
    writeln!(out)
}

/// Writes the resolved spec, each setting as the YAML writes it (`method: grid (shuffle:
/// false)`, `parallel: 2`, not the stored notation's `Grid(GridConfig { shuffle: false })` and
/// `Some(2)`; a line the reader cannot read is written as stored), under the hash of its stored
/// text, and, when the tree was dirty, the diff.
pub(crate) fn run_record_details(out: &mut impl Write, record: &RunRecord) -> io::Result<()> {
    writeln!(
        out,
        "resolved spec (sha256 {} of its stored text), each setting as the YAML writes it:",
        record.resolved_spec_hash
    )?;
    let readable = ExperimentSpec::readable_resolved(&record.resolved_spec);
    for line in readable.lines() {
        writeln!(out, "  {}", visible(line))?;
    }
    if let Some(g) = record.git.as_ref().filter(|g| !g.diff.is_empty()) {
        writeln!(
            out,
            "\ndiff of tracked files against {}:",
            visible(&g.commit)
        )?;
        for line in g.diff.lines() {
            writeln!(out, "{}", visible(line))?;
        }
    }
    writeln!(out)
}

/// Returns the line of a record without a commit, saying why there is none as the record does
/// (`why`); records written before they kept a reason do not, and the line says what it may
/// have been.
fn no_commit_line(why: Option<&NoCommit>) -> String {
    match why {
        Some(NoCommit::OutsideCheckout) => {
            "git: no commit (the spec's folder was outside any git checkout)".to_string()
        }
        Some(why) => format!("git: no commit recorded ({why})"),
        None => "git: no commit recorded (the spec's folder was in no git checkout, or git could \
                 not be run there or refused it; this record, from an earlier version, keeps no \
                 reason)"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_that_does_not_read_is_not_called_absent() {
        let mut out = Vec::new();
        run_record_unreadable(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("record      not shown: it does not read"),
            "{out}"
        );
        assert!(!out.contains("before records"), "{out}");
    }

    #[test]
    fn issue_record_writes_the_resolved_spec_in_the_yamls_words_not_rusts_notation() {
        // `sweep show NAME --record` printed `method: Random`, `parallel: Some(2)` and
        // `SplitSpec { validation: 0.2, .. }`, where the gate's and run's diffs read as the YAML.
        let record = RunRecord {
            resolved_spec: "method: Grid(GridConfig { shuffle: false })\nparallel: Some(2)\n\
                            train.optimizer: Str(\"adam\")\n\
                            model.hidden: searched Categorical { values: [Int(8), Int(16)], \
                            probabilities: None }\nodd: Unknown { x: 1 }\n"
                .into(),
            resolved_spec_hash: "ab12".into(),
            ..RunRecord::default()
        };
        let mut out = Vec::new();
        run_record_details(&mut out, &record).unwrap();
        let out = String::from_utf8(out).unwrap();
        for want in [
            "resolved spec (sha256 ab12 of its stored text), each setting as the YAML writes it:",
            "  method: grid (shuffle: false)",
            "  parallel: 2",
            "  train.optimizer: adam",
            "  model.hidden: one of [8, 16]",
            // A line the reader does not know stays as stored.
            "  odd: Unknown { x: 1 }",
        ] {
            assert!(out.lines().any(|l| l == want), "no `{want}` in\n{out}");
        }
        for notation in ["Grid(", "Some(", "Str(", "Categorical"] {
            assert!(!out.contains(notation), "`{notation}` in\n{out}");
        }
    }

    #[test]
    fn a_dirty_tree_is_said_to_be_below_when_the_details_follow() {
        let record = RunRecord {
            git: Some(store::GitState {
                commit: "abc".into(),
                dirty: true,
                diff: "-a\n+b\n".into(),
            }),
            ..RunRecord::default()
        };
        let shown = |details: bool| {
            let mut out = Vec::new();
            run_record(&mut out, (Some(&record), details), None).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(shown(false).contains("(2 diff lines; `--record` prints them)"));
        assert!(shown(true).contains("(2 diff lines; below)"));
    }

    #[test]
    fn an_agents_record_names_the_exchange_it_was_given() {
        let record = RunRecord {
            agent: Some(store::AgentOf {
                agent: 1,
                agents: 2,
            }),
            exchange: Some("../ex".into()),
            ..RunRecord::default()
        };
        let mut out = Vec::new();
        run_record(&mut out, (Some(&record), false), None).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(
                "\n            exchange ../ex (the folder the agents shared, as this one was \
                 given it)\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn issue_a_record_without_a_commit_says_why_as_git_did() {
        let shown = |no_commit: Option<NoCommit>| {
            let record = RunRecord {
                no_commit,
                ..RunRecord::default()
            };
            let mut out = Vec::new();
            run_record(&mut out, (Some(&record), false), None).unwrap();
            let out = String::from_utf8(out).unwrap();
            out.lines().nth(1).unwrap_or_default().trim().to_string()
        };
        assert_eq!(
            shown(Some(NoCommit::OutsideCheckout)),
            "git: no commit (the spec's folder was outside any git checkout)"
        );
        assert_eq!(
            shown(Some(NoCommit::GitNotRun(
                "No such file or directory (os error 2)".into()
            ))),
            "git: no commit recorded (git could not be run: No such file or directory (os error \
             2))"
        );
        let refused = shown(Some(NoCommit::GitRefused(
            "detected dubious ownership in repository at '/srv/x'".into(),
        )));
        assert_eq!(
            refused,
            "git: no commit recorded (git refused the folder: detected dubious ownership in \
             repository at '/srv/x')"
        );
        assert!(!refused.contains("outside"), "{refused}");
        assert_eq!(
            shown(Some(NoCommit::HeadUnreadable("bad object HEAD".into()))),
            "git: no commit recorded (git could not read HEAD: bad object HEAD)"
        );
        // An earlier version's record keeps no reason, and the line does not guess one.
        assert!(
            shown(None).contains("this record, from an earlier version, keeps no reason"),
            "{}",
            shown(None)
        );
    }

    #[test]
    fn a_run_under_other_sampler_defaults_is_pointed_out() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: t\nmetric: [{name: val_loss}, {name: param_count}]\n\
             data: {csv: d.csv, target: y}\nmethod: nsga2\n",
            std::path::Path::new("t.yaml"),
        )
        .unwrap();
        let record = |resolved_spec: String| RunRecord {
            resolved_spec,
            ..RunRecord::default()
        };
        let shown = |resolved: String| {
            let mut out = Vec::new();
            run_record(&mut out, (Some(&record(resolved)), false), Some(&spec)).unwrap();
            String::from_utf8(out).unwrap()
        };
        let now = spec.resolved();
        assert!(!shown(now.clone()).contains("ran with other"));
        // Run when uniform crossover was nsga2's default.
        let before = now.replace("crossover: Blx { alpha: 0.5 }", "crossover: Uniform");
        assert_ne!(before, now);
        let before = shown(before);
        assert!(
            before.contains(
                "ran with other sampler or pruner settings than this version reads in its file"
            ) && before.contains("\n              `method` `crossover`: Uniform then, Blx now\n"),
            "{before}"
        );
    }

    #[test]
    fn issue_a_data_path_holding_a_newline_is_one_file() {
        // `sweep show --record` split such a path at its newline, the second half shown with
        // the next file's hash.
        let record = RunRecord {
            data_file: "/d/new\nline.csv\n/d/l.csv".into(),
            data_hash: "aa\nbb".into(),
            ..RunRecord::default()
        };
        let mut out = Vec::new();
        run_record(&mut out, (Some(&record), false), None).unwrap();
        let out = String::from_utf8(out).unwrap();
        let data: Vec<&str> = out.lines().filter(|l| l.contains(" data ")).collect();
        assert_eq!(
            data,
            [
                "            data /d/new\\u{a}line.csv (sha256 aa)",
                "            data /d/l.csv (sha256 bb)"
            ],
            "{out}"
        );
    }
}
