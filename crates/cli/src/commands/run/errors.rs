//! A study's error as `sweep run` says it: a changed spec with what changed and how to go on,
//! the database's own I/O error with the store it names, and changed data or search with how to
//! remove the experiment.

use std::path::Path;

use anyhow::bail;
use experiment::ExperimentSpec;
use runner::StudySummary;

use crate::args::RunArgs;
use crate::commands::quoted;
use crate::output;

/// Returns the study's summary, or its error as `sweep run` says it: a changed spec with what
/// changed and how to go on, the database's own I/O error with the store it names, and
/// changed data or search with how to remove the experiment.
pub(super) fn explained(
    summary: runner::Result<StudySummary>,
    args: &RunArgs,
    spec: &ExperimentSpec,
    store: &store::Store,
    resolved_now: &str,
) -> anyhow::Result<StudySummary> {
    Ok(match summary {
        Err(runner::Error::SpecChanged {
            name,
            stored,
            current,
        }) => bail!(
            "experiment `{name}` already exists in {} with a different spec{}\n{}\
             give the edited file a new `name:`, use another --store, run the stored spec \
             unchanged {} to add trials ({}), or remove the stored experiment first \
             (`sweep rm {} --store {}`)",
            args.store.store.display(),
            spec_change(store, &name, (&stored, &current), resolved_now),
            run_cap_raised(
                &stored,
                spec,
                &args.file,
                planned(store, &name),
                args.agent.is_some()
            )
            .unwrap_or_default(),
            if args.agent.is_some() {
                "with a higher --run-cap and a new --exchange folder, every agent alike,"
            } else {
                "with --extend N"
            },
            stored_spec_hint(&name, &args.store.store),
            experiment::shell_quote(&name),
            quoted(&args.store.store)
        ),
        // The database's own I/O error (a full disk, a folder made read-only) names no file:
        // the store, and what then, are said here.
        Err(runner::Error::Store(io @ store::Error::Io(_))) => bail!(
            "{io} (the store {}); what is stored so far is kept: once that is mended, {}",
            args.store.store.display(),
            carry_on(args)
        ),
        // A flush that failed names the store and says what is kept.
        Err(runner::Error::Store(flush @ store::Error::Flush { .. })) => {
            bail!("{flush}; once that is mended, {}", carry_on(args))
        }
        Err(
            changed @ (runner::Error::DataChanged { .. } | runner::Error::SearchChanged { .. }),
        ) => bail!(
            "{changed} (`sweep rm {} --store {}`)",
            experiment::shell_quote(&spec.name),
            quoted(&args.store.store)
        ),
        other => other?,
    })
}

/// Returns the advice's pointer to the stored spec of experiment `name` in the store at
/// `store`: the command that writes its YAML exactly as stored (`sweep show NAME --spec`),
/// which says on standard error the folder to save it in for its relative paths to read the
/// same data.
fn stored_spec_hint(name: &str, store: &Path) -> String {
    format!(
        "`sweep show {} --spec --store {} > FILE` writes it, and says which folder to save FILE \
         in",
        output::shell_word(name),
        quoted(store)
    )
}

/// Says how to carry on after a store error stopped a run: the same command again, but
/// without `--extend`, whose trials the stopped run had already planned (an unfinished
/// experiment refuses more).
fn carry_on(args: &RunArgs) -> &'static str {
    if args.extend.is_some() {
        "running the same command again without --extend carries on (the trials it added are \
         planned)"
    } else {
        "running the same command again carries on"
    }
}

/// Returns the trials the stored experiment `name` plans (its file's `run_cap`, raised by
/// `--extend` or `--run-cap`), when the store can say.
fn planned(store: &store::Store, name: &str) -> Option<u32> {
    store.experiment(name).ok().flatten().map(|e| e.run_cap)
}

/// Returns a line for an edit that only raised `run_cap` (the commonest way to ask for more
/// trials), saying how to add them to the stored experiment, whose file must stay as it ran;
/// `planned` is what the experiment plans now (the store's, else the old file's), which
/// `--extend` may have raised past the file or a first `--run-cap` kept below it, and which the
/// trials to add are counted from; `agents` when agents run the study, which `--extend` is refused to. "Only `run_cap`" is
/// judged as the study judges the same meaning (`ExperimentSpec::resolves_as`): the data's
/// path (a file moved, or its data named `../data/d.csv`) is no change, its hash is the
/// study's to compare.
fn run_cap_raised(
    stored: &str,
    spec: &ExperimentSpec,
    file: &Path,
    planned: Option<u32>,
    agents: bool,
) -> Option<String> {
    let mut then = ExperimentSpec::from_yaml_str(stored, file).ok()?;
    let (before, now) = (then.run_cap, spec.run_cap);
    then.run_cap = now;
    if now <= before || !spec.resolves_as(&then.resolved(), &spec.resolved()) {
        return None;
    }
    let planned = planned.unwrap_or(before);
    let changed = format!("only `run_cap` changed, from {before} to {now}");
    let plans = experiment::counted(planned, "trial", "trials");
    Some(match now.checked_sub(planned).filter(|&n| n > 0) {
        Some(more) if agents => format!(
            "{changed}: to add the {more} trial{}, put `run_cap: {before}` back and run every \
             agent with `--run-cap {now}` and a new --exchange folder;\n",
            if more == 1 { "" } else { "s" }
        ),
        None if agents => format!(
            "{changed}, but the study already plans {plans} (its run cap was raised \
             since): put `run_cap: {before}` back, and run every agent with a higher --run-cap \
             and a new --exchange folder to add trials;\n"
        ),
        Some(more) => format!(
            "{changed}: to add the {more} trial{}, put `run_cap: {before}` back and pass \
             `--run-cap {now}` (or `--extend {more}`);\n",
            if more == 1 { "" } else { "s" }
        ),
        None => format!(
            "{changed}, but the experiment already plans {plans} (its run cap was \
             raised since): put `run_cap: {before}` back, and pass `--extend N` to add trials;\n"
        ),
    })
}

/// Says how a file's spec differs from the stored one it may not replace: as their settings
/// with every default filled in (the stored run's record against this file's), so that what
/// changed in meaning shows and layout, quoting or key order do not; as the files' lines where
/// the store holds no record, or where the settings read alike (a difference the settings do
/// not show, such as a changed `description:`).
fn spec_change(
    store: &store::Store,
    name: &str,
    (stored, current): (&str, &str),
    resolved_now: &str,
) -> String {
    let recorded = store.run_record(name).ok().flatten();
    match recorded.map(|r| settings_diff(&r.resolved_spec, resolved_now)) {
        Some(diff) if !diff.is_empty() => {
            format!("; its settings, defaults filled in, stored (-) and in this file (+):\n{diff}")
        }
        _ => format!(":\n{}", output::line_diff(stored, current, str::to_string)),
    }
}

/// Returns the lines of two resolved specs that differ, a run record's (`recorded`) and this
/// file's (`now`), each setting as the YAML writes it (`ExperimentSpec::readable_resolved`, as
/// the gate's notes show them); what an earlier version's record holds beside a file (its
/// position in the spec) is no difference. The stored lines are compared, so that a change is
/// never hidden; a changed pair that reads alike is shown as stored (`output::line_diff`).
fn settings_diff(recorded: &str, now: &str) -> String {
    let recorded = ExperimentSpec::resolved_without_positions(recorded);
    let now = ExperimentSpec::resolved_without_positions(now);
    output::line_diff(&recorded, &now, ExperimentSpec::readable_resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolved specs an earlier version recorded, one after another, each followed by
    /// `----` (the experiment crate's test of them says which specs they are).
    const EARLIER_RECORDS: &str =
        include_str!("../../../../experiment/src/resolved/earlier_records.txt");

    #[test]
    fn issue_an_earlier_records_file_positions_are_no_changed_setting() {
        // An IDX labels file and a warm start's file of results, each with its position.
        let located: Vec<&str> = EARLIER_RECORDS
            .split("----\n")
            .filter(|r| r.contains("Located {"))
            .collect();
        assert_eq!(located.len(), 2);
        for record in located {
            assert!(record.contains("\nrun_cap: "), "{record}");
            // This version's text of the same spec, with another run cap.
            let now = ExperimentSpec::resolved_without_positions(record)
                .lines()
                .map(|l| match l.strip_prefix("run_cap: ") {
                    Some(_) => "run_cap: 99\n".to_string(),
                    None => format!("{l}\n"),
                })
                .collect::<String>();
            let diff = settings_diff(record, &now);
            let changed: Vec<&str> = diff
                .lines()
                .filter(|l| l.starts_with('-') || l.starts_with('+'))
                .collect();
            assert_eq!(changed.len(), 2, "{diff}");
            assert!(
                changed
                    .iter()
                    .all(|l| l[1..].trim_start().starts_with("run_cap: ")),
                "{diff}"
            );
        }
    }

    #[test]
    fn issue_a_changed_setting_is_shown_as_the_yaml_writes_it_not_in_rusts_notation() {
        // An edited file under a stored name: the refusal's diff read `- method:
        // Grid(GridConfig { shuffle: false })`, the stored notation, where the gate's notes read
        // as the YAML does.
        let stored = "name: \"a\"\nmethod: Grid(GridConfig { shuffle: false })\n\
                      model.hidden: searched Categorical { values: [Int(8), Int(16)], probabilities: None }\n";
        let now = "name: \"a\"\nmethod: Grid(GridConfig { shuffle: true })\n\
                   model.hidden: searched Categorical { values: [Int(8), Int(16)], probabilities: None }\n";
        let diff = settings_diff(stored, now);
        assert!(diff.contains("- method: grid (shuffle: false)"), "{diff}");
        assert!(diff.contains("+ method: grid (shuffle: true)"), "{diff}");
        assert!(!diff.contains("Config"), "{diff}");
        assert!(!diff.contains("Categorical"), "{diff}");
    }

    #[test]
    fn issue_a_change_that_reads_alike_shows_beside_one_that_reads_differently() {
        // Both read `k: a 1, b`: it showed only where no other setting changed.
        let stored = "name: \"a\"\nk: a Some(1), b\nmethod: Grid(GridConfig { shuffle: false })\n";
        let now = "name: \"a\"\nk: a 1, b\nmethod: Grid(GridConfig { shuffle: true })\n";
        let diff = settings_diff(stored, now);
        for want in [
            "- k: a Some(1), b",
            "+ k: a 1, b",
            "- method: grid (shuffle: false)",
            "+ method: grid (shuffle: true)",
        ] {
            assert!(diff.lines().any(|l| l == want), "no `{want}` in\n{diff}");
        }
    }

    #[test]
    fn issue_the_advice_to_run_the_stored_spec_unchanged_says_how_to_get_it_back() {
        // Nothing gave the stored YAML back: `sweep show NAME --spec` does.
        assert_eq!(
            stored_spec_hint("tiny", Path::new("my runs")),
            "`sweep show tiny --spec --store 'my runs' > FILE` writes it, and says which folder \
             to save FILE in"
        );
    }

    #[test]
    fn a_raised_run_cap_is_advised_as_agents_take_it() {
        let yaml = |cap: u32| {
            format!(
                "name: t\nrun_cap: {cap}\nparallel: 2\nmetric: {{name: val_loss}}\n\
                 data: {{csv: d.csv, target: y}}\n"
            )
        };
        let file = Path::new("t.yaml");
        let spec = ExperimentSpec::from_yaml_str(&yaml(10), file).unwrap();
        let agents = run_cap_raised(&yaml(8), &spec, file, Some(8), true).unwrap();
        assert_eq!(
            agents,
            "only `run_cap` changed, from 8 to 10: to add the 2 trials, put `run_cap: 8` back and \
             run every agent with `--run-cap 10` and a new --exchange folder;\n"
        );
        assert!(!agents.contains("--extend"), "refused to agents");
        let alone = run_cap_raised(&yaml(8), &spec, file, Some(8), false).unwrap();
        assert!(alone.contains("(or `--extend 2`)"), "{alone}");
    }

    #[test]
    fn issue_a_raised_run_cap_is_counted_from_what_the_experiment_plans() {
        // A `--run-cap 1` run of a file with `run_cap: 6`, the file then edited to 8: the hint
        // counted from the old file's 6 ("to add the 2 trials ... `--extend 2`"), where the
        // experiment plans 1, so that `--extend 2` gave 3 trials, not 8.
        let yaml = |cap: u32| {
            format!(
                "name: t\nrun_cap: {cap}\nmetric: {{name: val_loss}}\n\
                 data: {{csv: d.csv, target: y}}\n"
            )
        };
        let file = Path::new("t.yaml");
        let spec = ExperimentSpec::from_yaml_str(&yaml(8), file).unwrap();
        assert_eq!(
            run_cap_raised(&yaml(6), &spec, file, Some(1), false).as_deref(),
            Some(
                "only `run_cap` changed, from 6 to 8: to add the 7 trials, put `run_cap: 6` \
                 back and pass `--run-cap 8` (or `--extend 7`);\n"
            )
        );
        let agents = run_cap_raised(&yaml(6), &spec, file, Some(1), true).unwrap();
        assert!(agents.contains("to add the 7 trials"), "{agents}");
        // Where the store cannot say, the old file's cap is what it planned.
        let unknown = run_cap_raised(&yaml(6), &spec, file, None, false).unwrap();
        assert!(unknown.contains("(or `--extend 2`)"), "{unknown}");
    }

    #[test]
    fn issue_a_raised_run_cap_in_a_moved_file_is_advised_as_only_run_cap_changed() {
        // The file moved to a folder below, reading its data as `../data/d.csv`, with a raised
        // run_cap: the data's path is no part of the meaning (the study resumes the moved
        // file unchanged), so only `run_cap` changed.
        let yaml = |cap: u32, csv: &str| {
            format!(
                "name: t\nrun_cap: {cap}\nmetric: {{name: val_loss}}\n\
                 data: {{csv: {csv}, target: y}}\n"
            )
        };
        let file = Path::new("exp/archive/t.yaml");
        let moved = ExperimentSpec::from_yaml_str(&yaml(6, "../data/d.csv"), file).unwrap();
        let hint = run_cap_raised(&yaml(4, "data/d.csv"), &moved, file, Some(4), false);
        assert_eq!(
            hint.as_deref(),
            Some(
                "only `run_cap` changed, from 4 to 6: to add the 2 trials, put `run_cap: 4` \
                 back and pass `--run-cap 6` (or `--extend 2`);\n"
            )
        );
        // Another setting changed beside it is no such edit.
        let other = ExperimentSpec::from_yaml_str(
            &yaml(6, "../data/d.csv").replace("val_loss", "val_rmse"),
            file,
        )
        .unwrap();
        assert_eq!(
            run_cap_raised(&yaml(4, "data/d.csv"), &other, file, Some(4), false),
            None
        );
    }
}
