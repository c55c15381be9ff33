//! Command-line arguments. Flags only collect values here; `commands` validates and acts.
//! The commands' flags are kept by group: `run` (running sweeps and serving their dashboard:
//! `run`, `serve`, `validate`, `gate`), `inspect` (reading a store: `ls`, `show`, `trials`,
//! `export`, `predict`, `reproduce`) and `upkeep` (`rm`, `compact`); `values` reads the values
//! several of them take (counts, durations, the dashboard's address). `PortTaken`, the
//! dashboard's address that cannot be listened on, is defined beside the address's reader
//! (`values::dashboard_addr`) so that `main`, which cannot see into `commands`'s modules, can
//! tell a port another process listens on (75) from a wrong address (2).

mod inspect;
mod run;
mod upkeep;
mod values;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub(crate) use inspect::{
    ExportArgs, ExportFormat, LsArgs, PredictArgs, ReproduceArgs, ShowArgs, ShowFormat, TrialsArgs,
    SHOW_TOP,
};
pub(crate) use run::{DashboardArgs, GateArgs, GateFormat, RunArgs, ServeArgs, ValidateArgs};
pub(crate) use upkeep::{CompactArgs, RmArgs};
pub(crate) use values::{dashboard_addr, on_loopback, PortTaken};

/// What every command's exit code means, after `sweep --help`: the policy `main` applies.
/// Each line fits an 80-column terminal (`EXIT_STATUS_WIDTH`), where clap would break it.
const EXIT_STATUS: &str = "\
Exit status:
  0    success
  1    the sweep ran but every trial failed, the gate found a regression,
       a reproduced trial differs, or `sweep rm`'s question was answered no
  2    bad input, usage or another error
  74   the output could not be written: standard output failing (a full
       disk), or --output FILE on a full disk; said on stderr
  75   the store is busy: another sweep process holds it, or another
       process listens on the dashboard's --port (--addr); try again later
  130  Ctrl-C stopped a sweep, a gate or `sweep serve` early (143: SIGTERM)
  141  the output's reader stopped early (`sweep trials NAME | head`);
       nothing is said";

/// What `sweep gate`'s exit code means, after `sweep gate --help`: what a CI job reads.
const GATE_EXIT_STATUS: &str = "\
Exit status:
  0    the gate passed (or --update-baseline wrote the baseline)
  1    a guarded metric regressed
  2    the gate cannot run: bad input (the file, its baseline, a flag) or
       another error
  74, 75, 130 and 141 as for every command (`sweep --help`)";

/// The widest line of the exit statuses: an 80-column terminal less clap's margin.
#[cfg(test)]
const EXIT_STATUS_WIDTH: usize = 78;

/// Sweep: hyperparameter search and experiment tracking in one offline binary
#[derive(Debug, Parser)]
#[command(
    name = "sweep",
    version = crate::probe::sweep_version(),
    about,
    propagate_version = true,
    after_help = EXIT_STATUS
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run (or resume) the sweep described by an experiment file
    Run(RunArgs),
    /// Check an experiment file and its data without running anything; a gate baseline that
    /// does not read is an error, a missing one a warning
    Validate(ValidateArgs),
    /// List the experiments in a store
    Ls(LsArgs),
    /// Show an experiment's summary and leaderboard
    Show(ShowArgs),
    /// List an experiment's trials
    Trials(TrialsArgs),
    /// Predict new rows with a trial's saved checkpoint
    Predict(PredictArgs),
    /// Run an experiment's gate and compare its metrics with the committed baseline
    #[command(after_help = GATE_EXIT_STATUS)]
    Gate(GateArgs),
    /// Re-run one stored trial and check that it gives the same metrics, bit for bit
    Reproduce(ReproduceArgs),
    /// Write an experiment's trials, or its metric curves, as CSV or JSON
    Export(ExportArgs),
    /// Serve the browser dashboard of a store; its `dashboard: URL` line is all it writes to
    /// standard output
    Serve(ServeArgs),
    /// Remove experiments from a store, with their trials, metrics and checkpoints
    Rm(RmArgs),
    /// Give back the disk space of removed experiments (the database keeps its size otherwise)
    Compact(CompactArgs),
}

/// The store's folder when `--store` is not given.
pub(crate) const DEFAULT_STORE: &str = ".sweep";

/// Where the store lives.
#[derive(Debug, clap::Args)]
pub(crate) struct StoreArgs {
    /// Store folder
    #[arg(long, value_name = "DIR", default_value = DEFAULT_STORE)]
    pub(crate) store: PathBuf,
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

#[cfg(test)]
mod tests;
