//! The flags of the commands that read a store: `sweep ls`, `show`, `trials`, `export`,
//! `predict` and `reproduce`.

use std::path::PathBuf;

use clap::ValueEnum;
use experiment::{ListColumn, SortKey, TrialFilter};
use store::ExperimentStatus;

use super::values::whole;
use super::{Format, StoreArgs};

/// `sweep ls`.
#[derive(Debug, clap::Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// List in this column's order rather than oldest first, as the dashboard's list sorts:
    /// name, status, trials, completed, pruned, failed, running or started (when it was
    /// created); ties list the newer first
    #[arg(long, value_name = "COLUMN", value_parser = list_column)]
    pub(crate) sort: Option<ListColumn>,
    /// List from the other end: the most trials first, names from z (by bytes: lower case
    /// before capitals), finished before
    /// interrupted; without --sort, the newest first, as the dashboard lists
    #[arg(long)]
    pub(crate) desc: bool,
    /// Only the experiments whose name contains this, in any case (the dashboard's search)
    #[arg(long, value_name = "SUBSTR")]
    pub(crate) name: Option<String>,
    /// Only the experiments of this status: finished, or interrupted (stopped, or left
    /// running by a kill; `sweep show` says the command that resumes it)
    #[arg(long, value_name = "STATUS", value_parser = listed_status)]
    pub(crate) status: Option<ExperimentStatus>,
}

/// `sweep show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// Experiment name; or one trial as EXPERIMENT/NUMBER, in full; or several trials, side by
    /// side (experiments are compared on the dashboard)
    #[arg(required = true, value_name = "EXPERIMENT[/TRIAL]")]
    pub(crate) what: Vec<String>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Rows of the experiment's leaderboard [default: 10]
    #[arg(long, value_name = "N", value_parser = whole::<usize>, allow_negative_numbers = true)]
    pub(crate) top: Option<usize>,
    /// Also print the experiment's reproducibility record in full: the resolved spec, each
    /// setting as the YAML writes it, and the diff of the tree
    #[arg(long)]
    pub(crate) record: bool,
    /// Print only the experiment's stored spec, its YAML exactly as stored, to run it again
    /// unchanged (`> FILE`); its relative paths (data) are read from the folder of the file it
    /// is saved in, so save it in the folder the experiment was last run from (said on standard
    /// error)
    #[arg(long)]
    pub(crate) spec: bool,
    /// Output format (json: the experiment's summary and its leaderboard's rows, as one object)
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub(crate) format: ShowFormat,
}

/// Output formats of `sweep show EXPERIMENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// Lines and aligned columns for people
    Table,
    /// One JSON object: the experiment (as `sweep ls --format json` lists it) and its
    /// leaderboard's rows (as `sweep trials --format json` writes them)
    Json,
}

/// Rows of `sweep show`'s leaderboard without `--top`.
pub(crate) const SHOW_TOP: usize = 10;

/// `sweep trials`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrialsArgs {
    /// Experiment name
    pub(crate) experiment: String,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Only the trials that meet these conditions, joined by `and`, as MLflow's run search:
    /// "metric.val_accuracy > 0.95 and param.optimizer in (adam, sgd)" (fields: param.NAME,
    /// metric.NAME, also MLflow's params. and metrics., state, trial, epoch; =, !=, <, <=, >,
    /// >=, in (...), not in (...))
    #[arg(long, value_name = "CONDITIONS", value_parser = trial_filter)]
    pub(crate) filter: Option<TrialFilter>,
    /// List the trials in this order rather than by number: rank, trial, state, epoch,
    /// duration, param.NAME or metric.NAME (its value at the best epoch; MLflow's params. and
    /// metrics. are read alike); trials without a value come last
    #[arg(long, value_name = "KEY", value_parser = sort_key)]
    pub(crate) sort: Option<SortKey>,
    /// With --sort, the largest first
    #[arg(long, requires = "sort")]
    pub(crate) desc: bool,
}

/// `sweep export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Experiment name
    pub(crate) experiment: String,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Output format
    #[arg(long, value_enum)]
    pub(crate) format: ExportFormat,
    /// Write every metric curve in long format (experiment, trial, metric, step, value)
    #[arg(long)]
    pub(crate) series: bool,
    /// Write to this file instead of standard output (`-`: standard output)
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Only the trials that meet these conditions (as `sweep trials --filter`)
    #[arg(long, value_name = "CONDITIONS", value_parser = trial_filter)]
    pub(crate) filter: Option<TrialFilter>,
}

/// Output formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Comma-separated values with a header row
    Csv,
    /// A JSON array of objects
    Json,
}

/// `sweep predict`.
#[derive(Debug, clap::Args)]
pub(crate) struct PredictArgs {
    /// Trial number, or EXPERIMENT/NUMBER
    pub(crate) trial: String,
    /// Experiment the trial belongs to (needed when several have a checkpoint of that number)
    #[arg(long, value_name = "NAME")]
    pub(crate) experiment: Option<String>,
    /// Rows to predict: a CSV file with the model's feature columns (`-`: standard input)
    #[arg(long, value_name = "CSV")]
    pub(crate) input: PathBuf,
    /// Where to write the predictions as CSV (default, or `-`: standard output)
    #[arg(short, long, value_name = "CSV")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// `sweep reproduce`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReproduceArgs {
    /// The trial, as EXPERIMENT/NUMBER (e.g. quickstart/3)
    pub(crate) trial: String,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Read the data the run read from PATH, where it lies now (its folder moved or renamed
    /// since): accepted only if it holds the same bytes (SHA-256); repeat it for each data file
    #[arg(long = "data", value_name = "PATH")]
    pub(crate) data: Vec<PathBuf>,
}

/// Reads `sweep ls --sort`'s column, for clap; its error names every column.
fn list_column(text: &str) -> Result<ListColumn, String> {
    ListColumn::parse(text)
}

/// Reads `sweep ls --status`, for clap: a status an experiment can have to a process that
/// holds its store (`ExperimentInfo::status_when_idle`); `running`, which none has then, is
/// refused, saying why, rather than listing nothing.
fn listed_status(text: &str) -> Result<ExperimentStatus, String> {
    match text {
        "finished" => Ok(ExperimentStatus::Finished),
        "interrupted" => Ok(ExperimentStatus::Interrupted),
        "running" => Err(
            "`sweep ls` lists no experiment as running: a running sweep holds its \
             store, which `sweep ls` then cannot open (exit 75; its dashboard lists it), and one \
             a kill left running is interrupted; the statuses are finished and interrupted"
                .to_string(),
        ),
        _ => Err(format!(
            "unknown status `{text}`; the statuses are finished and interrupted"
        )),
    }
}

/// Reads a trial filter, for clap; its errors say the column.
fn trial_filter(text: &str) -> Result<TrialFilter, String> {
    TrialFilter::parse(text).map_err(|e| e.to_string())
}

/// Reads a `--sort` key for clap.
fn sort_key(text: &str) -> Result<SortKey, String> {
    SortKey::parse(text)
}
