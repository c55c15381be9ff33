//! The subcommands: each validates its arguments, opens what it needs, and acts.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use experiment::{rank_trials, ExperimentSpec, TrialState};
use runner::{StudyOptions, StudySummary};
use store::Store;
use trainer::MlpObjective;

use crate::args::{Cli, Command, Format, RunArgs, ShowArgs, StoreArgs, TrialsArgs, ValidateArgs};
use crate::clock::SystemClock;
use crate::output;
use crate::progress::ProgressObserver;
use crate::Outcome;

/// Runs the chosen subcommand.
pub(crate) fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate(args) => validate(&args),
        Command::Ls(args) => ls(&args),
        Command::Show(args) => show(&args),
        Command::Trials(args) => trials(&args),
    }
}

/// Reads and validates an experiment file.
fn load_spec(file: &Path) -> anyhow::Result<ExperimentSpec> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read experiment file {}", file.display()))?;
    ExperimentSpec::from_yaml_str(&text, file)
        .map_err(|e| anyhow::anyhow!("invalid experiment file {}\n{e}", file.display()))
}

fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let objective = MlpObjective::new(&spec)?;
    let parallel = match args.parallel.or(spec.parallel) {
        Some(0) => bail!("--parallel must be at least 1"),
        Some(n) => usize::try_from(n)?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.run_cap == Some(0) {
        bail!("--run-cap must be at least 1");
    }
    let store = open_store(&args.store.store, StoreMode::Create)?;
    let observer = ProgressObserver::new(&spec);
    let options = StudyOptions {
        spec_path: args.file.display().to_string(),
        parallel,
        run_cap: args.run_cap,
    };
    let summary = runner::run_study(&store, &spec, &objective, &observer, &SystemClock, &options);
    observer.finish();
    let summary = summary?;
    print_run_summary(&spec, &summary, args)?;
    let ran_any = !summary.trials.is_empty();
    if ran_any && summary.trials.iter().all(|t| t.state == TrialState::Failed) {
        return Ok(Outcome::AllTrialsFailed);
    }
    Ok(Outcome::Success)
}

fn print_run_summary(
    spec: &ExperimentSpec,
    summary: &StudySummary,
    args: &RunArgs,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "\n{}: {} trials ({} completed, {} pruned, {} failed); {} run now",
        spec.name,
        summary.trials.len(),
        summary.count(TrialState::Completed),
        summary.count(TrialState::Pruned),
        summary.count(TrialState::Failed),
        summary.ran,
    )?;
    let ranked = rank_trials(&summary.trials, &spec.metric.name, spec.metric.goal);
    output::leaderboard(&mut out, &ranked, &spec.metric.name, args.top)?;
    match &summary.best {
        Some(best) => writeln!(
            out,
            "\nbest: trial {} with {} = {} (epoch {})",
            best.id,
            spec.metric.name,
            output::metric(best.value(&spec.metric.name)),
            best.result.as_ref().map_or(0, |r| r.best_step.0),
        )?,
        None => writeln!(out, "\nno trial completed")?,
    }
    writeln!(out, "results are in {}", args.store.store.display())?;
    Ok(())
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let objective = MlpObjective::new(&spec)?;
    let data = objective.data_summary();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: ok", args.file.display())?;
    writeln!(
        out,
        "experiment {}: method {:?}, {} trials, {} searched parameters, objective {} ({})",
        spec.name,
        spec.method,
        spec.run_cap,
        spec.space.params().len(),
        spec.metric.name,
        spec.metric.goal
    )?;
    writeln!(
        out,
        "data: {} features, {} classes ({}); {} train / {} validation / {} test rows",
        data.features,
        data.classes,
        data.class_names.join(", "),
        data.train_rows,
        data.validation_rows,
        data.test_rows
    )?;
    Ok(Outcome::Success)
}

fn ls(args: &StoreArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store, StoreMode::Existing)?;
    let mut rows = Vec::new();
    for info in store.experiments()? {
        let trials = store.trials(&info.name)?;
        rows.push((info, trials));
    }
    output::experiments(&mut std::io::stdout().lock(), &rows)?;
    Ok(Outcome::Success)
}

fn show(args: &ShowArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    let trials = store.trials(&info.name)?;
    let mut out = std::io::stdout().lock();
    output::experiment_header(&mut out, &info, &trials)?;
    let ranked = rank_trials(&trials, &info.objective, info.goal);
    output::leaderboard(&mut out, &ranked, &info.objective, args.top)?;
    Ok(Outcome::Success)
}

fn trials(args: &TrialsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    let trials = store.trials(&info.name)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => {
            let all: Vec<_> = trials.iter().collect();
            output::leaderboard(&mut out, &all, &info.objective, usize::MAX)?;
        }
        Format::Csv => output::trials_csv(&mut out, &trials)?,
        Format::Json => output::trials_json(&mut out, &trials)?,
    }
    Ok(Outcome::Success)
}

/// Whether a missing store folder may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreMode {
    Create,
    Existing,
}

fn open_store(path: &Path, mode: StoreMode) -> anyhow::Result<Store> {
    if mode == StoreMode::Existing && !path.exists() {
        bail!(
            "no store at {}; run `sweep run FILE` first, or pass --store DIR",
            path.display()
        );
    }
    Ok(Store::open(path)?)
}

fn find_experiment(store: &Store, name: &str) -> anyhow::Result<store::ExperimentInfo> {
    if let Some(info) = store.experiment(name)? {
        return Ok(info);
    }
    let names: Vec<String> = store.experiments()?.into_iter().map(|e| e.name).collect();
    if names.is_empty() {
        bail!("no experiment named `{name}`: the store is empty");
    }
    bail!(
        "no experiment named `{name}`; the store has: {}",
        names.join(", ")
    )
}
