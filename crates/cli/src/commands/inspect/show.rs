//! `sweep show EXPERIMENT`: an experiment's page (its summary, the command that resumes it
//! where it stopped early, its record, importance, leaderboard and test result), its JSON, or
//! its stored spec's YAML alone (`--spec`), to run again unchanged.

use std::io::Write;
use std::path::Path;

use anyhow::bail;
use experiment::{rank_trials, ExperimentSpec};
use store::{ExperimentInfo, ExperimentStatus, RunRecord, RUN_RECORD, TEST_RESULT, WARM_START};

use super::records::{readable_record, LEFT_OUT_WITHOUT_RECORD};
use super::{stored_spec, traced_trials, Traced};
use crate::args::{ShowArgs, ShowFormat};
use crate::commands::{find_experiment, open_to_show};
use crate::output;
use crate::Outcome;

/// `sweep show`: an experiment's page, or one trial's, or several trials side by side.
pub(crate) fn show(args: &ShowArgs) -> anyhow::Result<Outcome> {
    let trials = args.what.iter().filter(|w| w.contains('/')).count();
    match (args.what.as_slice(), trials) {
        ([experiment], 0) => show_experiment(args, experiment),
        (what, n) if n == what.len() => super::trial::show_trials(args, what),
        _ => bail!(
            "give one experiment (`sweep show quickstart`), or trials as EXPERIMENT/NUMBER \
             (`sweep show quickstart/3`, or several to compare them: `sweep show quickstart/3 \
             quickstart/7`), found: {}{}",
            args.what.join(" "),
            if trials == 0 {
                "; experiments are compared side by side on the dashboard (`sweep serve`, then \
                 tick them on its list)"
            } else {
                ""
            }
        ),
    }
}

/// `sweep show EXPERIMENT`: its summary, the command that resumes it where it stopped early,
/// its record, importance, leaderboard and test result; or its stored spec alone (`--spec`).
fn show_experiment(args: &ShowArgs, name: &str) -> anyhow::Result<Outcome> {
    if args.record && args.format == ShowFormat::Json {
        bail!(
            "--record prints the record for people and has no JSON; give one of --record and \
             --format json"
        );
    }
    if let Some(flag) = beside_spec(args) {
        bail!(
            "--spec prints the stored spec's YAML alone, to save and run unchanged; give one of \
             --spec and {flag}"
        );
    }
    let (store, running) = open_to_show(&args.store.store, store::CopyScope::Trials(name))?;
    // Its status as shown: `running` only where a live sweep runs it.
    let info = running.shown(find_experiment(&store, name)?);
    if args.spec {
        return super::spec::show_spec(&store, &info);
    }
    let Traced {
        trials,
        kept,
        cut_epochs,
    } = traced_trials(&store, &info.name)?;
    let record = readable_record(
        RUN_RECORD,
        &info.name,
        store.run_record(&info.name),
        LEFT_OUT_WITHOUT_RECORD,
        args.record,
    )?;
    let warm = readable_record(
        WARM_START,
        &info.name,
        store.warm_start(&info.name),
        "the trials it took from another experiment (its warm start) are not shown below",
        false,
    )?;
    let test = readable_record(
        TEST_RESULT,
        &info.name,
        store.test_result(&info.name),
        "its best trial's result on the test split is not shown below",
        false,
    )?;
    let mut out = crate::standard_output::lock();
    // The stored spec names the sampler and pruner, and holds the constraints and every
    // objective: one stored by an older version that no longer parses loses them here, which
    // is said rather than ranking the trials as if it had none.
    let spec = stored_spec(
        &info,
        "its constraints, its objectives past the first and its sampler's settings are not \
         shown or applied below",
    );
    let spec = as_it_ran(spec, record.as_ref().ok().and_then(Option::as_ref));
    let mut effort = store.effort(&info.name, &info.objective, spec.as_ref(), &trials)?;
    for epochs in cut_epochs {
        effort.add_cut(epochs);
    }
    // Where no sweep runs it, a trial left running was cut off by a kill, and the next run
    // trains it again from scratch, as it does after a stop.
    if !output::runs_now(&info) {
        effort.cut_left_running();
    }
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    let objectives = info.objectives(spec.as_ref());
    // Judged once, for the summary and the leaderboard alike.
    let best = experiment::best_trial(&trials, &objectives, constraints);
    let ranked = rank_trials(&trials, &objectives, constraints);
    let summary = (trials.as_slice(), best, kept.as_slice());
    let top = args.top.unwrap_or(crate::args::SHOW_TOP);
    let store_dir = std::path::absolute(&args.store.store).unwrap_or(args.store.store.clone());
    let recorded = record.as_ref().ok().and_then(Option::as_ref);
    let resume = resume_command(&info, recorded, &store_dir);
    if args.format == ShowFormat::Json {
        // The whole answer; the records' notes went to standard error.
        let judged = experiment::Judged::of(spec.as_ref(), &trials, &effort);
        output::experiment_json(
            &mut out,
            (
                &info,
                spec.as_ref(),
                resume.as_deref(),
                test.as_ref().ok().and_then(Option::as_ref),
            ),
            summary,
            (&ranked, top),
            (&judged, &objectives),
        )?;
        return Ok(Outcome::Success);
    }
    output::experiment_header(&mut out, &info, spec.as_ref(), summary, &effort)?;
    if let Some(command) = resume {
        writeln!(out, "resume      {command}")?;
    }
    if let Ok(Some(warm)) = &warm {
        writeln!(out, "warm start  {}", warm.describe())?;
    }
    match &record {
        Ok(record) => {
            output::run_record(&mut out, (record.as_ref(), args.record), spec.as_ref())?;
            if let Some(record) = record.as_ref().filter(|_| args.record) {
                output::run_record_details(&mut out, record)?;
            }
        }
        Err(_) => output::run_record_unreadable(&mut out)?,
    }
    let importance: Vec<_> = objectives
        .iter()
        .map(|o| {
            let shares = dashboard::param_importance(spec.as_ref(), &trials, o);
            (o.name.clone(), shares)
        })
        .collect();
    output::importance(&mut out, &importance)?;
    output::leaderboard(
        &mut out,
        &ranked,
        &objectives,
        constraints,
        (top, &info, args.store.store.as_path()),
    )?;
    crate::commands::tested::show(
        &mut out,
        &store,
        &info.name,
        test.ok().flatten(),
        best.map(|t| t.id),
    )?;
    Ok(Outcome::Success)
}

/// Returns the flag given beside `--spec` that asks for the page it replaces (`--record`,
/// `--top`, `--format json`), refused rather than ignored; `None` without `--spec`.
fn beside_spec(args: &ShowArgs) -> Option<&'static str> {
    if !args.spec {
        return None;
    }
    match (args.record, args.top, args.format) {
        (true, _, _) => Some("--record"),
        (false, Some(_), _) => Some("--top"),
        (false, None, ShowFormat::Json) => Some("--format json"),
        (false, None, ShowFormat::Table) => None,
    }
}

/// Returns the command that resumes the sweep of `info` where it stopped before its end
/// (`interrupted`, as `output::Running::shown` shows it: stopped, or left running by a kill,
/// not run by a live sweep), else `None`: `sweep run SPEC --store DIR`, the spec file the
/// experiment was last run from by an absolute path where the store or its run `record` keeps
/// one (`experiment::Resume::spec_file`; as the run was given it where there is none) and the
/// store as `store_dir` names it (absolute from `sweep show`), so that it runs from any folder.
/// The store of an agent of a study resumes only as that agent, with the exchange folder the
/// agents share as its record keeps it; where it keeps none (a record older than the field),
/// `--exchange <EXCHANGE>` and, after a `#`, what to put there, so that the shell refuses it
/// as it stands rather than take a wrong folder.
///
/// The text is `experiment::Resume`'s, which the dashboard's page and API write too; here its
/// words are quoted as `output::shell_word` quotes them for the terminal (and so in `sweep show`
/// and `sweep ls`'s JSON too: the command as it is pasted into a shell).
pub(super) fn resume_command(
    info: &ExperimentInfo,
    record: Option<&RunRecord>,
    store_dir: &Path,
) -> Option<String> {
    if info.status != ExperimentStatus::Interrupted {
        return None;
    }
    let spec = experiment::Resume::spec_file(&info.spec_path, record.map(|r| r.spec_file.as_str()));
    let agent = record.and_then(|r| {
        r.agent.map(|a| experiment::ResumeAgent {
            agent: a.agent,
            agents: a.agents,
            exchange: r.exchange.as_deref(),
        })
    });
    let resume = experiment::Resume {
        spec,
        store: &store_dir.display().to_string(),
        agent,
    };
    Some(resume.command(output::shell_word))
}

/// Returns the stored `spec` with the settings its run record says it ran with, where the
/// version that stored it read the file otherwise (`ExperimentSpec::as_it_ran`: Hyperband's
/// default `max_resource`, a grid's points), so that the pruner, its rungs and the grid shown
/// are those the experiment runs under; the spec as this version reads it otherwise.
fn as_it_ran(spec: Option<ExperimentSpec>, record: Option<&RunRecord>) -> Option<ExperimentSpec> {
    let spec = spec?;
    let ran = record.and_then(|r| spec.as_it_ran(&r.resolved_spec));
    Some(ran.unwrap_or(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue: an experiment stored by the previous version with Hyperband's default
    /// `max_resource` over a `q_` range of epochs (5, `max` floored) runs under it, but `sweep
    /// show` said the pruner and rungs of this version's default (6).
    #[test]
    fn issue_show_says_the_pruner_and_rungs_a_stored_experiment_runs_under() {
        let text = "name: e\nseed: 7\nrun_cap: 2\nmetric: {name: val_loss}\n\
            data: {csv: data/d.csv, target: y}\n\
            pruner: {type: hyperband, min_resource: 1, reduction_factor: 2}\nparameters:\n  \
            lr: {min: 0.01, max: 1.0}\n  epochs: {distribution: q_uniform, min: 3, max: 5, q: 3}\n";
        let info = super::super::tests::stored("/abs/e.yaml", text);
        let spec = info.spec().ok();
        let earlier = spec.clone().map(|s| ExperimentSpec {
            pruner: experiment::PrunerSpec::Hyperband {
                min_resource: 1,
                max_resource: 5,
                reduction_factor: 2,
                strict: false,
            },
            ..s
        });
        let record = earlier.as_ref().map(|s| RunRecord {
            resolved_spec: s.resolved(),
            ..RunRecord::default()
        });
        let header = |spec: Option<&ExperimentSpec>| {
            let mut out = Vec::new();
            let effort = experiment::Effort::default();
            output::experiment_header(&mut out, &info, spec, (&[], None, &[]), &effort)
                .expect("written to memory");
            String::from_utf8_lossy(&out)
                .lines()
                .filter(|l| l.starts_with("pruner") || l.starts_with("rungs"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let shown = as_it_ran(spec.clone(), record.as_ref());
        assert_eq!(header(shown.as_ref()), header(earlier.as_ref()));
        assert_ne!(header(shown.as_ref()), header(spec.as_ref()));
        // A record of this version's reading shows the file as it reads.
        let now = spec.as_ref().map(|s| RunRecord {
            resolved_spec: s.resolved(),
            ..RunRecord::default()
        });
        assert_eq!(as_it_ran(spec.clone(), now.as_ref()), spec);
    }

    #[test]
    fn issue_an_interrupted_experiment_says_the_command_that_resumes_it() {
        let store = Path::new("/abs/st");
        let stopped = ExperimentInfo {
            status: ExperimentStatus::Interrupted,
            ..super::super::tests::stored("exp/t.yaml", "name: t\n")
        };
        assert_eq!(
            resume_command(&stopped, None, store).as_deref(),
            Some("sweep run exp/t.yaml --store /abs/st")
        );
        // Left running by a kill: no sweep runs it now, so it is interrupted too; one a live
        // sweep runs, read through its dashboard, is resumed by nobody.
        let left = ExperimentInfo {
            status: ExperimentStatus::Running,
            ..stopped.clone()
        };
        let killed = output::Running::default().shown(left.clone());
        assert!(resume_command(&killed, None, store).is_some());
        let live = output::Running::experiment(left.name.clone()).shown(left);
        assert_eq!(resume_command(&live, None, store), None);
        let done = ExperimentInfo {
            status: ExperimentStatus::Finished,
            ..stopped.clone()
        };
        assert_eq!(resume_command(&done, None, store), None);
        // A store named with a control character is shown, in ANSI-C quoting, not run.
        assert_eq!(
            resume_command(&stopped, None, Path::new("/abs/st\u{1b}[31m")).as_deref(),
            Some("sweep run exp/t.yaml --store $'/abs/st\\e[31m'")
        );
        // The record's absolute spec file, quoted; an agent's store resumes as that agent.
        let record = RunRecord {
            spec_file: "/abs/my exp/t.yaml".into(),
            agent: Some(store::AgentOf {
                agent: 1,
                agents: 3,
            }),
            exchange: Some("/abs/ex".into()),
            ..RunRecord::default()
        };
        assert_eq!(
            resume_command(&stopped, Some(&record), Path::new("/abs/my st")).as_deref(),
            Some("sweep run '/abs/my exp/t.yaml' --store '/abs/my st' --agent 1/3 --exchange /abs/ex")
        );
        // A record without the exchange: the shell refuses the command as it stands.
        let older = RunRecord {
            exchange: None,
            ..record
        };
        let command = resume_command(&stopped, Some(&older), store).unwrap_or_default();
        assert!(
            command.starts_with(
                "sweep run '/abs/my exp/t.yaml' --store /abs/st --agent 1/3 --exchange \
                 <EXCHANGE>  # <EXCHANGE>: the folder the agents share"
            ),
            "{command}"
        );
    }

    /// Issue: after a resume from a folder moved since, the command named the run record's
    /// spec file, the first run's, gone with the move; and a path kept with a replacement
    /// character (not UTF-8) was written as if it named a file.
    #[test]
    fn issue_the_resume_line_names_the_file_the_experiment_was_last_run_from() {
        let record = RunRecord {
            spec_file: "/abs/exp/t.yaml".into(),
            ..RunRecord::default()
        };
        let moved = ExperimentInfo {
            status: ExperimentStatus::Interrupted,
            ..super::super::tests::stored("/abs/moved/t.yaml", "name: t\n")
        };
        let store = Path::new("/abs/st");
        assert_eq!(
            resume_command(&moved, Some(&record), store).as_deref(),
            Some("sweep run /abs/moved/t.yaml --store /abs/st")
        );
        let lossy = ExperimentInfo {
            spec_path: "/abs/d\u{FFFD}ir/t.yaml".into(),
            ..moved
        };
        let command = resume_command(&lossy, Some(&record), store).unwrap_or_default();
        assert!(
            command.starts_with(
                "sweep run <SPEC> --store /abs/st  # the spec's path was not UTF-8: <SPEC> is \
                 the file kept as "
            ),
            "{command}"
        );
    }

    #[test]
    fn spec_is_refused_beside_the_flags_of_the_page_it_replaces() {
        let args = |extra: &[&str]| {
            use clap::Parser as _;
            let mut argv = vec!["sweep", "show", "t", "--spec"];
            argv.extend_from_slice(extra);
            match crate::args::Cli::try_parse_from(argv).map(|c| c.command) {
                Ok(crate::args::Command::Show(show)) => show,
                other => panic!("not `sweep show`: {other:?}"),
            }
        };
        assert_eq!(beside_spec(&args(&[])), None);
        assert_eq!(beside_spec(&args(&["--record"])), Some("--record"));
        assert_eq!(beside_spec(&args(&["--top", "3"])), Some("--top"));
        let json = args(&["--format", "json"]);
        assert_eq!(beside_spec(&json), Some("--format json"));
    }
}
