//! The flags of the commands that run sweeps or serve their dashboard: `sweep run`, `serve`,
//! `validate` and `gate`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::ValueEnum;

use super::values::{dashboard_addr, duration_ms, port, side_by_side, whole};
use super::StoreArgs;

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
