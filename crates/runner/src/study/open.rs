//! Opening a study's experiment: created, or the stored one checked against the file (its
//! spec's meaning, its data, its search settings, its warm start's file) and resumed, with its run cap and warm start
//! settled.

mod warm;

use std::path::Path;

use experiment::{ExperimentSpec, Stopped, WarmStarted};
use store::{ExperimentInfo, ExperimentStatus, RunRecord, Store};

use self::warm::{same_warm_start, stored_warm_start, warm_file_sha256, warm_start};
use super::told::sampler_plan;
use super::StudyOptions;
use crate::{Clock, Error, Result};

impl StudyOptions {
    /// Returns whether a study of `spec` goes on with the `stored` experiment (whose run record
    /// is `recorded`) rather than refusing it as another spec (`Error::SpecChanged`): the same
    /// text, wherever the file now lies, or the same meaning (`same_meaning`). `resolved_now`
    /// is the spec resolved as its run record holds it (`StudyOptions::record`; `None`: `spec`'s
    /// own resolved form). The one rule for the study and for a caller that must know first
    /// (`sweep run`, before it raises the plan to the file's `run_cap`); the data and the
    /// search settings are checked apart, after it: where the data files lie is no part of
    /// the meaning (the same data read from a folder moved since, or named `../data/d.csv`
    /// rather than `data/d.csv`, is the same experiment), and data that hashes otherwise
    /// is refused as changed data (`same_data`), wherever it lies, not as another spec.
    pub fn resumes(
        spec: &ExperimentSpec,
        stored: &ExperimentInfo,
        recorded: Option<&RunRecord>,
        resolved_now: Option<&str>,
    ) -> bool {
        stored.spec_hash == spec.hash() || same_meaning(recorded, spec, resolved_now)
    }
}

/// Whether `spec`, whose text differs from the stored experiment's, means the same: its resolved
/// spec (every setting, defaults filled in) hashes as the one in the experiment's run record, so
/// only comments, layout or the order of keys changed; or it differs only in how the sampler
/// and pruner settings are written, for the same search, or in the paths of its data files
/// (`ExperimentSpec::resolves_as`: the file now names the value a setting had when the stored
/// run was written by an older version; the file and its data were moved, or its data path
/// is written otherwise; the data's hash is `same_data`'s to compare). The current resolved spec is `resolved_now` when given, since records resolve
/// paths against the spec file's absolute path (the spec itself holds them as given on the
/// command line). Without a stored record, it cannot tell: no.
fn same_meaning(
    recorded: Option<&RunRecord>,
    spec: &ExperimentSpec,
    resolved_now: Option<&str>,
) -> bool {
    let Some(stored) = recorded else {
        return false;
    };
    let resolved = resolved_now.map_or_else(|| spec.resolved(), str::to_string);
    let hash = experiment::sha256_hex(resolved.as_bytes());
    stored.resolved_spec_hash == hash || spec.resolves_as(&stored.resolved_spec, &resolved)
}

/// Refuses to go on with an experiment whose data file hashes otherwise than in its run record:
/// the trials it holds trained on other data, and mixing the two would break "same file, same
/// results". Without both records (stores from before records, or the runner's own tests)
/// there is nothing to compare.
fn same_data(
    recorded: Option<&RunRecord>,
    spec: &ExperimentSpec,
    options: &StudyOptions,
) -> Result<()> {
    let (Some(then), Some(now)) = (recorded, options.record.as_ref()) else {
        return Ok(());
    };
    if then.data_hash == now.data_hash {
        return Ok(());
    }
    let short = |hash: &str| {
        hash.lines()
            .map(experiment::short_hash)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let files = |file: &str| file.lines().collect::<Vec<_>>().join(", ");
    Err(Error::DataChanged {
        name: spec.name.clone(),
        read: files(&then.data_file),
        file: files(&now.data_file),
        then: short(&then.data_hash),
        now: short(&now.data_hash),
    })
}

/// Refuses to go on with an experiment whose sampler or pruner settings, as this version reads
/// its spec, are not those its run record says it ran with (a default changed since, with the
/// file unchanged): its trials so far were chosen and pruned by the old settings. Without a
/// stored record there is nothing to compare.
fn same_search(recorded: Option<&RunRecord>, spec: &ExperimentSpec) -> Result<()> {
    let Some(then) = recorded else {
        return Ok(());
    };
    let Some(differing) = spec.search_changes(&then.resolved_spec) else {
        return Ok(());
    };
    Err(Error::SearchChanged {
        name: spec.name.clone(),
        differing: indented(&differing),
        then: indented(&ExperimentSpec::search_lines(&then.resolved_spec)),
        now: indented(&ExperimentSpec::search_lines(&spec.resolved())),
    })
}

/// Returns `lines` indented by two spaces, one per line.
fn indented(lines: &[impl AsRef<str>]) -> String {
    lines
        .iter()
        .map(|l| format!("  {}", l.as_ref()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The trials an experiment took from another experiment or a file (`warm_start:`), and the
/// note a resume gives where it goes on from them without comparing its file (`same_warm_start`).
pub(super) type Warm = (Option<WarmStarted>, Option<String>);

/// Creates the experiment record, or checks that the stored one has the same spec, and settles
/// how many trials it holds; `before_write` is given that number and may refuse the run before
/// anything is written (it is given the warm start too). Returns the record, whether it
/// existed, and the trials it took from another experiment (`warm_start:`): taken now for a new
/// one, read back for a stored one, with the note of a resume that did not compare its file.
/// `spec` is the experiment as it runs, `file` the file as this version reads it: they differ
/// where an earlier version that stored it resolved the file otherwise
/// (`ExperimentSpec::as_it_ran`), and whether a stored experiment resumes is the file's to say.
pub(super) fn open_experiment(
    store: &Store,
    (spec, file): (&ExperimentSpec, &ExperimentSpec),
    options: &StudyOptions,
    clock: &dyn Clock,
    before_write: impl FnOnce(u32, Option<&WarmStarted>) -> Result<()>,
) -> Result<(ExperimentInfo, bool, Warm)> {
    match store.experiment(&spec.name)? {
        Some(stored) => resume_experiment(store, (spec, file), options, stored, before_write),
        None => create_experiment(store, spec, options, clock, before_write),
    }
}

/// `open_experiment` for the experiment `stored`: refuses another spec, other data, another
/// search or a warm start's file that gives other trials now, settles the trials it plans now,
/// and marks it running.
fn resume_experiment(
    store: &Store,
    (spec, file): (&ExperimentSpec, &ExperimentSpec),
    options: &StudyOptions,
    stored: ExperimentInfo,
    before_write: impl FnOnce(u32, Option<&WarmStarted>) -> Result<()>,
) -> Result<(ExperimentInfo, bool, Warm)> {
    let hash = spec.hash();
    let recorded = store.run_record(&spec.name)?;
    // The record of this run (`resolved_now`) is the file's reading, as `file` is.
    let resolved_now = options.record.as_ref().map(|r| r.resolved_spec.as_str());
    if !StudyOptions::resumes(file, &stored, recorded.as_ref(), resolved_now) {
        return Err(Error::SpecChanged {
            name: spec.name.clone(),
            stored: stored.spec_yaml,
            current: spec.source.clone(),
        });
    }
    same_data(recorded.as_ref(), spec, options)?;
    same_search(recorded.as_ref(), spec)?;
    let (stored_cap, run_cap) = (
        stored.run_cap,
        resumed_run_cap(store, spec, options, stored.run_cap)?,
    );
    let warm = stored_warm_start(store, spec)?;
    let kept_file = match &warm {
        Some(_) => store.warm_file_sha256(&spec.name)?,
        None => None,
    };
    let warm_note = same_warm_start(
        spec,
        (warm.as_ref(), kept_file.as_deref()),
        options.warm_file.as_ref(),
    )?;
    // A file changed only in comments or layout is stored as now written, so the
    // dashboard shows the file the user has; with the path of the file it was read from, as
    // the text's relative paths (its data's) are read against it.
    let info = ExperimentInfo {
        status: ExperimentStatus::Running,
        run_cap,
        finished: None,
        spec_yaml: spec.source.clone(),
        spec_hash: hash,
        spec_path: spec_path_now(recorded.as_ref(), options, &stored.spec_path),
        ..stored
    };
    before_write(run_cap, warm.as_ref())?;
    store.update_experiment(&info)?;
    match recorded {
        // An experiment without a run record that holds no trial was cut short as it was
        // created (by a version that wrote its record apart): nothing trained on any data
        // yet, so this run's record is its own, and later runs are checked against it.
        None if store.trials(&spec.name)?.is_empty() => {
            if let Some(record) = run_record(options, sampler_plan(spec, run_cap)) {
                store.put_run_record(&spec.name, &record)?;
            }
        }
        None => {}
        Some(then) => last_run(store, &spec.name, then, sampler_plan(spec, run_cap))?,
    }
    // A raised plan is on disk before the study says so (`Observer::study_started`): a second
    // Ctrl-C, which ends the process at once, may come any moment after that line, and a raise
    // said but lost would be said again by the next run.
    if run_cap != stored_cap {
        store.flush()?;
    }
    Ok((info, true, (warm, warm_note)))
}

/// Keeps in the run record `then` of a resumed experiment the plan its sampler is told this
/// run (`planned`, `RunRecord::planned`), where it differs from the last run's, so that the
/// next resume tells the user where its sampler is told another plan
/// (`StudyOptions::plan_note`). The rest of the record stays the first run's: what later runs
/// are checked against, and the trials side by side (`RunRecord::parallel`) the first run's
/// trials were drawn with, which a rerun of a trial from a fresh store needs and a file without
/// `parallel:` resumes with; a resume with another number leaves it (`sweep run` notes it).
fn last_run(store: &Store, name: &str, then: RunRecord, planned: u32) -> Result<()> {
    let planned = Some(planned);
    if planned == then.planned {
        return Ok(());
    }
    store.put_run_record(name, &RunRecord { planned, ..then })?;
    Ok(())
}

/// Returns the path a resumed experiment's text is stored with (`spec_path`, the file it was
/// read from, against which `ExperimentInfo::spec` reads its relative paths). Where this run
/// read the file its run record (`recorded`, the first run's) names, however the path was
/// spelled (`../exp/e.yaml` from another folder: paths compared as `lexical` writes them), a
/// relative path stays: the one stored (`stored`, the first run's as given, as a new experiment
/// keeps it), else the one this run was given. Else (a folder moved or copied since, another
/// name) the absolute path this run's record gives the file it read, `lexical`, so that the
/// stored text reads its data from where this run read it, from whatever folder the store is
/// read. A relative `spec_path` thus always names the file its record names
/// (`experiment::Resume::spec_file`). Without both records (stores from before records, the
/// runner's own tests), the path given.
fn spec_path_now(recorded: Option<&RunRecord>, options: &StudyOptions, stored: &str) -> String {
    match (recorded, options.record.as_ref()) {
        (Some(then), Some(now))
            if !now.spec_file.is_empty() && lexical(&now.spec_file) != lexical(&then.spec_file) =>
        {
            lexical(&now.spec_file)
        }
        _ if Path::new(stored).is_relative() && !stored.is_empty() => stored.to_string(),
        _ => options.spec_path.clone(),
    }
}

/// Returns `path` with its `.` parts left out and each `..` taking the part before it off, as
/// text: the same file named `/a/scratch/../exp/e.yaml` and `/a/exp/e.yaml` compare equal (a
/// record keeps an absolute path as `std::path::absolute` gives it, `..` and all). Read without
/// the file system, as the study reads no file (a `..` after a symlinked folder leaves that
/// folder's name here, where the kernel would leave its target's).
fn lexical(path: &str) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for part in Path::new(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
        .iter()
        .collect::<std::path::PathBuf>()
        .display()
        .to_string()
}

/// Returns the trials a stored experiment that planned `stored_cap` plans now: raised by
/// `--run-cap` or `--extend` (never lowered), up to the points of a grid; refused for a sweep
/// its target or plateau ended, an extension past the largest trial number, or a grid with no
/// point left to add.
fn resumed_run_cap(
    store: &Store,
    spec: &ExperimentSpec,
    options: &StudyOptions,
    stored_cap: u32,
) -> Result<u32> {
    let raised = options.run_cap.filter(|cap| *cap > stored_cap);
    let how = match (options.extend, raised) {
        (Some(_), _) => Some("`--extend`".to_string()),
        (None, Some(cap)) => Some(format!("`--run-cap {cap}`")),
        (None, None) => None,
    };
    if let Some(how) = how {
        if let Some(stopped) = spec.stopped_by(&store.trials(&spec.name)?) {
            let why = match stopped {
                Stopped::Target(t) => format!("when trial {t} reached its target"),
                Stopped::Plateau(t) => {
                    format!("on a plateau at trial {t}, its best no longer improving")
                }
            };
            return Err(Error::ExtendEnded {
                name: spec.name.clone(),
                why,
                how,
            });
        }
    }
    let Some(run_cap) = asked_plan(spec, (options.run_cap, options.extend), stored_cap) else {
        return Err(Error::ExtendTooFar {
            name: spec.name.clone(),
            base: options.run_cap.unwrap_or(stored_cap).max(stored_cap),
            extend: options.extend.unwrap_or(0),
        });
    };
    if options.extend.is_some() && run_cap == stored_cap {
        return Err(Error::GridExhausted {
            name: spec.name.clone(),
            points: run_cap,
        });
    }
    Ok(run_cap)
}

/// Returns the trials a stored experiment that planned `stored_cap` plans when asked for
/// `run_cap` (`--run-cap`, never lowering it) and `extend` more (`--extend`), up to the points
/// of a grid; `None` past the largest trial number. The one rule for the study
/// (`resumed_run_cap`, which refuses what it must first) and for the note on the plan the
/// sampler is told (`StudyOptions::plan_note`).
pub(super) fn asked_plan(
    spec: &ExperimentSpec,
    (run_cap, extend): (Option<u32>, Option<u32>),
    stored_cap: u32,
) -> Option<u32> {
    let base = run_cap.unwrap_or(stored_cap).max(stored_cap);
    Some(spec.planned_trials(base.checked_add(extend.unwrap_or(0))?))
}

/// `open_experiment` for an experiment the store lacks: takes its warm start, and creates it
/// with its run record.
fn create_experiment(
    store: &Store,
    spec: &ExperimentSpec,
    options: &StudyOptions,
    clock: &dyn Clock,
    before_write: impl FnOnce(u32, Option<&WarmStarted>) -> Result<()>,
) -> Result<(ExperimentInfo, bool, Warm)> {
    if options.extend.is_some() {
        return Err(Error::NothingToExtend(spec.name.clone()));
    }
    let warm = spec
        .warm_start
        .as_ref()
        .map(|w| warm_start(store, spec, w, options))
        .transpose()?;
    let info = ExperimentInfo {
        name: spec.name.clone(),
        description: spec.description.clone(),
        spec_yaml: spec.source.clone(),
        spec_hash: spec.hash(),
        spec_path: options.spec_path.clone(),
        objective: spec.metric.name.clone(),
        goal: spec.metric.goal,
        seed: spec.seed,
        run_cap: spec.planned_trials(options.run_cap.unwrap_or(spec.run_cap)),
        status: ExperimentStatus::Running,
        created: clock.now(),
        finished: None,
    };
    before_write(info.run_cap, warm.as_ref())?;
    // In one transaction: a crash between them would leave an experiment that resumes without
    // its warm start or its run record (with nothing to check its data against).
    let record = run_record(options, sampler_plan(spec, info.run_cap));
    store.create_experiment_with(
        &info,
        store::Creation {
            warm_start: warm.as_ref(),
            run_record: record.as_ref(),
        },
    )?;
    // The digest of a file's bytes beside the trials it gave, so that a resume knows the same
    // file without reading it again.
    if let (Some(warm), Some(sha256)) = (&warm, warm_file_sha256(spec, options)) {
        store.put_warm_start_from_file(&spec.name, warm, sha256)?;
    }
    Ok((info, false, (warm, None)))
}

/// Returns the run record to store with a new experiment: the caller's, saying which agent
/// made the store (the others' trials keep their checkpoints in their own stores), the
/// exchange folder the agents share, as this one was given it (what resuming it needs; the CLI
/// hands it absolute, so that the command resumes from any folder), and the plan its sampler
/// is told, `planned` (`sampler_plan`).
fn run_record(options: &StudyOptions, planned: u32) -> Option<RunRecord> {
    options.record.as_ref().map(|record| RunRecord {
        planned: Some(planned),
        agent: options.agent.as_ref().map(|a| store::AgentOf {
            agent: a.agent,
            agents: a.agents,
        }),
        exchange: options
            .agent
            .as_ref()
            .map(|a| a.exchange.display().to_string()),
        ..record.clone()
    })
}

#[cfg(test)]
#[path = "open_tests.rs"]
mod tests;
