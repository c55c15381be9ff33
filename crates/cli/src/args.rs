//! Command-line arguments. Flags only collect values here; `commands` validates and acts.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Sweep: hyperparameter search and experiment tracking in one offline binary
#[derive(Debug, Parser)]
#[command(name = "sweep", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run (or resume) the sweep described by an experiment file
    Run(RunArgs),
    /// Check an experiment file and its data without running anything
    Validate(ValidateArgs),
    /// List the experiments in a store
    Ls(StoreArgs),
    /// Show an experiment's summary and leaderboard
    Show(ShowArgs),
    /// List an experiment's trials
    Trials(TrialsArgs),
}

/// Where the store lives.
#[derive(Debug, clap::Args)]
pub(crate) struct StoreArgs {
    /// Store folder
    #[arg(long, value_name = "DIR", default_value = ".sweep")]
    pub(crate) store: PathBuf,
}

/// `sweep run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Experiment file (YAML)
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Number of trials, overriding the file's run_cap
    #[arg(long, value_name = "N")]
    pub(crate) run_cap: Option<u32>,
    /// Trials side by side, overriding the file's parallel (default: number of cores)
    #[arg(long, value_name = "N")]
    pub(crate) parallel: Option<u32>,
    /// Add N trials to an existing experiment, warm-starting the sampler from its history
    #[arg(long, value_name = "N")]
    pub(crate) extend: Option<u32>,
    /// Rows of the leaderboard printed at the end
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,
}

/// `sweep validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Experiment file (YAML)
    pub(crate) file: PathBuf,
}

/// `sweep show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// Experiment name
    pub(crate) experiment: String,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Rows of the leaderboard
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,
}

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
}

/// Output formats of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for people
    Table,
    /// Comma-separated values with a header row
    Csv,
    /// A JSON array of objects
    Json,
}
