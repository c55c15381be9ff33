//! Command-line arguments. Flags only collect values here; `commands` validates and acts.
//! `PortTaken`, the dashboard's address that cannot be listened on, is defined beside the
//! address's reader (`dashboard_addr`) so that `main`, which cannot see into `commands`'s
//! modules, can tell a port another process listens on (75) from a wrong address (2).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use experiment::{SortKey, TrialFilter};

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

/// `sweep ls`.
#[derive(Debug, clap::Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// `sweep run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Experiment file (YAML)
    pub(crate) file: PathBuf,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Total trials the experiment plans: below the file's run_cap, the first N trials of the
    /// file's sweep (the file run again later finishes it); above, the file's plan lengthened
    /// to N (for a stored experiment, a plan is raised, never lowered)
    #[arg(long, value_name = "N", value_parser = whole::<u32>, allow_negative_numbers = true, conflicts_with = "extend")]
    pub(crate) run_cap: Option<u32>,
    /// Trials side by side, overriding the file's parallel (default: the file's; without it,
    /// as the experiment started where its results depend on it, else the number of cores)
    #[arg(long, value_name = "N", value_parser = side_by_side, allow_negative_numbers = true)]
    pub(crate) parallel: Option<u32>,
    /// Add N trials to a finished experiment, warm-starting the sampler from its history
    /// (agents raise --run-cap instead, which a restarted agent does not add again)
    #[arg(long, value_name = "N", value_parser = whole::<u32>, allow_negative_numbers = true)]
    pub(crate) extend: Option<u32>,
    /// Start no new trial after this long (e.g. 90s, 30m, 2h, 1h30m), and let the running ones
    /// finish; running the same command again carries on
    #[arg(long, value_name = "DURATION", value_parser = duration_ms, allow_hyphen_values = true)]
    pub(crate) timeout: Option<i64>,
    /// Rows of the leaderboard printed at the end
    #[arg(long, value_name = "N", value_parser = whole::<usize>, default_value_t = 10, allow_negative_numbers = true)]
    pub(crate) top: usize,
    /// Run as agent I of N (from 0) of one study, e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT:
    /// trials I, I+N, ... here, the others learned through --exchange
    #[arg(
        long,
        value_name = "I/N",
        requires = "exchange",
        allow_hyphen_values = true
    )]
    pub(crate) agent: Option<String>,
    /// Folder every agent sees (a shared filesystem), where they exchange their trials
    #[arg(long, value_name = "DIR", requires = "agent")]
    pub(crate) exchange: Option<PathBuf>,
    /// With --agent: say so when the study waits for an agent whose journal has not changed for
    /// this long (not joined yet, or lost with its machine)
    #[arg(long, value_name = "DURATION", value_parser = duration_ms, default_value = "60s", requires = "agent", allow_hyphen_values = true)]
    pub(crate) quiet_after: i64,
    #[command(flatten)]
    pub(crate) dashboard: DashboardArgs,
    /// Run without serving the dashboard
    #[arg(long, conflicts_with_all = ["addr", "port", "serve_after"])]
    pub(crate) no_serve: bool,
    /// Keep serving the dashboard after the sweep ends or is stopped, until Ctrl-C
    #[arg(long)]
    pub(crate) serve_after: bool,
}

/// Where and for whom the dashboard is served.
#[derive(Debug, clap::Args)]
pub(crate) struct DashboardArgs {
    /// Dashboard address: IP:PORT, localhost:PORT or a port [default: 127.0.0.1:8080, or the
    /// next free port up to 8099; env SWEEP_ADDR]
    #[arg(long, value_name = "IP:PORT", value_parser = dashboard_addr)]
    pub(crate) addr: Option<SocketAddr>,
    /// Dashboard port on 127.0.0.1 (short for --addr 127.0.0.1:PORT)
    #[arg(long, value_name = "PORT", value_parser = port, conflicts_with = "addr")]
    pub(crate) port: Option<u16>,
    /// Access token every request must carry; required off loopback [env: SWEEP_TOKEN]
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// `sweep serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Follow, live, the studies that agents run through this exchange folder (`sweep run
    /// --agent I/N --exchange DIR`), from their journals, instead of serving a store
    #[arg(long, value_name = "DIR", conflicts_with = "store")]
    pub(crate) exchange: Option<PathBuf>,
    /// With --exchange: say so when a study waits for an agent whose journal has not changed
    /// for this long [default: 60s]
    #[arg(long, value_name = "DURATION", value_parser = duration_ms, allow_hyphen_values = true)]
    pub(crate) quiet_after: Option<i64>,
    #[command(flatten)]
    pub(crate) dashboard: DashboardArgs,
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

/// `sweep gate`.
#[derive(Debug, clap::Args)]
pub(crate) struct GateArgs {
    /// Experiment file (YAML) with a `gate:` block
    pub(crate) file: PathBuf,
    /// Output format of the verdicts
    #[arg(long, value_enum, default_value_t = GateFormat::Table)]
    pub(crate) format: GateFormat,
    /// Run the experiment and write its values as the new baseline instead of comparing
    #[arg(long)]
    pub(crate) update_baseline: bool,
    /// Keep the gate's runs in this store (default: a temporary store, gone at exit)
    #[arg(long, value_name = "DIR")]
    pub(crate) store: Option<PathBuf>,
    /// Trials side by side, overriding the file's parallel (default: the file's, else as the
    /// baseline ran, else the number of cores)
    #[arg(long, value_name = "N", value_parser = side_by_side, allow_negative_numbers = true)]
    pub(crate) parallel: Option<u32>,
}

/// Output formats of the gate's verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GateFormat {
    /// Aligned columns for people
    Table,
    /// A Markdown table, for a pull request comment
    Markdown,
    /// A JSON object
    Json,
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

/// `sweep rm`.
#[derive(Debug, clap::Args)]
pub(crate) struct RmArgs {
    /// Names of the experiments to remove
    #[arg(required = true, value_name = "EXPERIMENT")]
    pub(crate) experiments: Vec<String>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Remove without asking (otherwise the answer is read from standard input)
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

/// `sweep compact`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompactArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
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

/// Reads a trial filter, for clap; its errors say the column.
fn trial_filter(text: &str) -> Result<TrialFilter, String> {
    TrialFilter::parse(text).map_err(|e| e.to_string())
}

/// Reads a `--sort` key for clap.
fn sort_key(text: &str) -> Result<SortKey, String> {
    SortKey::parse(text)
}

/// Reads a count (`--parallel`, `--run-cap`, `--extend`, `--top`), for clap.
fn whole<T: std::str::FromStr + Bounded>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if text.starts_with('-') {
            format!("expected a whole number such as 4, found `{text}`, which is negative")
        } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            format!("`{text}` is more than the most it takes, {}", T::MOST)
        } else {
            format!("expected a whole number such as 4, found `{text}`")
        }
    })
}

/// Reads `--parallel`: a count up to `MAX_PARALLEL`.
fn side_by_side(text: &str) -> Result<u32, String> {
    // Any whole number too large is said against the limit of trials side by side, not the
    // type's (which would read as the limit).
    let digits = text.strip_prefix('+').unwrap_or(text);
    let huge = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.parse::<u32>().is_err();
    let n = if huge { u32::MAX } else { whole::<u32>(text)? };
    if n > experiment::MAX_PARALLEL {
        return Err(format!(
            "`{text}` is more than the most trials side by side, {} (each is a thread of this \
             process; more run as agents on other machines: README, \"Several machines\")",
            experiment::MAX_PARALLEL
        ));
    }
    Ok(n)
}

/// The largest value of a count's type, for its error.
trait Bounded {
    const MOST: u64;
}

impl Bounded for u32 {
    const MOST: u64 = u32::MAX as u64;
}

impl Bounded for usize {
    const MOST: u64 = usize::MAX as u64;
}

/// Reads a dashboard address (`--addr`, `SWEEP_ADDR`): `IP:PORT`, or `localhost:PORT` or a
/// bare port, both on 127.0.0.1.
pub(crate) fn dashboard_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text
        .strip_prefix("localhost:")
        .or_else(|| text.strip_prefix(':'))
        .unwrap_or(text);
    if bare.bytes().all(|b| b.is_ascii_digit()) && !bare.is_empty() {
        return port(bare).map(on_loopback);
    }
    Err(format!(
        "expected IP:PORT such as 127.0.0.1:8080 (0.0.0.0:8080 to serve other machines, with a \
         token), localhost:PORT, or a port such as 8080, found `{text}`"
    ))
}

/// Returns the address of `port` on 127.0.0.1, where the dashboard serves by default.
pub(crate) fn on_loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// The address asked for (`--addr`, `--port` or `SWEEP_ADDR`) cannot be listened on: taken by
/// another process (`is_busy`), or not this machine's. Raised by `commands::serve` when it binds.
#[derive(Debug)]
pub(crate) struct PortTaken {
    /// The address asked for.
    pub(crate) addr: SocketAddr,
    /// Why it cannot be listened on.
    pub(crate) error: std::io::Error,
    /// What else the command that met it can do, said after picking another port: a clause
    /// that starts with `, ` (`sweep run`'s `--no-serve`), or empty.
    pub(crate) advice: &'static str,
}

impl PortTaken {
    /// Returns whether another process listens on the address (`AddrInUse`), so that the
    /// command may work once it is gone: "try again later", not bad input.
    pub(crate) fn is_busy(&self) -> bool {
        self.error.kind() == std::io::ErrorKind::AddrInUse
    }
}

impl std::fmt::Display for PortTaken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot serve the dashboard on {}: {}; pick another --port (or --addr){}",
            self.addr, self.error, self.advice
        )
    }
}

// Its message holds the error's text, so it has no source of its own to repeat.
impl std::error::Error for PortTaken {}

/// Reads a port number (`--port`), for clap.
fn port(text: &str) -> Result<u16, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("expected a port from 0 to 65535 such as 8080, found `{text}`"))
}

/// Reads a duration such as `90s`, `30m` or `1h30m` in milliseconds, for clap.
fn duration_ms(text: &str) -> Result<i64, String> {
    experiment::parse_duration(text).ok_or_else(|| {
        let t = text.trim();
        let mut digits = t.chars().filter(char::is_ascii_digit).peekable();
        let zero = digits.peek().is_some() && digits.all(|c| c == '0');
        // A positive number too small to count in whole milliseconds (`0.0001s`).
        let tiny = t
            .trim_end_matches(['d', 'h', 'm', 's'])
            .parse::<f64>()
            .is_ok_and(|v| v > 0.0 && v < 1.0);
        if t.starts_with('-') || zero {
            format!("a duration must be more than zero, found `{text}`")
        } else if t.ends_with("ms") {
            format!(
                "`{text}`: durations are written in d, h, m and s (a bare number is seconds), \
                 not milliseconds; e.g. 0.5s"
            )
        } else if tiny {
            format!("`{text}` is shorter than a millisecond, which durations count in")
        } else if t.chars().filter(char::is_ascii_digit).count() > 12 {
            format!("`{text}` is longer than any run could last; give a duration such as 2h")
        } else {
            format!(
                "expected a duration such as 90s, 30m, 2h or 1h30m (a bare number is seconds), \
                 found `{text}`"
            )
        }
    })
}

#[cfg(test)]
mod tests;
