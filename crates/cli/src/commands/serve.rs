//! `sweep serve`, and the dashboard that `sweep run` serves while it works.
//!
//! The store has one owner process (sled locks it), so the process that owns it serves the
//! dashboard: `sweep run` from a background thread with its own clone of the `Store`, and
//! `sweep serve` for a store no sweep is running on. Binding: an explicit `--addr` (or
//! `SWEEP_ADDR`) must be free, or the command fails before doing anything; the default tries
//! 127.0.0.1:8080 to 8099, then any free port. Off loopback a token is required. The line
//! `dashboard: URL` is `sweep serve`'s data, on standard output for a script to read; the rest
//! it says, and all `sweep run` says of its dashboard, goes to standard error.
//!
//! `sweep serve --exchange DIR` serves no store: it follows the studies that agents run
//! through the exchange folder, each from its agents' journals into a temporary store
//! (`runner::follow_study`), for a machine that sees the folder but runs no agent. The lines
//! this module says of them on standard error go through `output::visible` (`tell`): journals
//! hold any agent's text (a stopped agent's reason, what a line that does not read holds), and
//! a study folder may have any name, which reach the terminal with their control characters
//! shown, not run.

mod descriptors;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use dashboard::{Access, Dashboard, Freshness, Notices, ServeOptions, Server};
use experiment::ExperimentSpec;
use runner::{Follow, Stop};
use store::{Store, Watcher};

use crate::clock::SystemClock;
use crate::output::visible;
use crate::progress::FollowObserver;

use super::{open_store, opener, StoreMode};
use crate::args::{dashboard_addr, on_loopback, DashboardArgs, PortTaken, ServeArgs};
use crate::Outcome;

const DEFAULT_PORT: u16 = 8080;
/// How long an agent's journal may stay unchanged before `--exchange` says its study waits.
const DEFAULT_QUIET_AFTER_MS: i64 = 60_000;
const LAST_DEFAULT_PORT: u16 = 8099;

/// Serves a store's dashboard until the process is stopped.
pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    if let Some(exchange) = &args.exchange {
        return serve_exchange(exchange, args, workers);
    }
    // A token or an address refused is said before the store is looked at.
    reach(&args.dashboard)?;
    if args.quiet_after.is_some() {
        bail!(
            "--quiet-after goes with --exchange: it says when a followed study waits for a quiet \
             agent, and a store's dashboard follows none"
        );
    }
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    // Ctrl-C or SIGTERM closes the dashboard and lets the store go, also when the shell started
    // it with SIGINT ignored (in the background of a script): watched before the address is
    // said, so that a signal sent as soon as it is seen is not lost.
    let interrupts = crate::interrupt::watch("the dashboard closes").context(WATCH)?;
    // This process holds the store's lock and only reads it: nothing can change under it.
    let server = start(store.clone(), &args.dashboard, workers, Freshness::Frozen)?;
    store.announce(&opener(Some(&server.url())))?;
    drop(store);
    // Said before the address: a script that stops it once it reads the address (Ctrl-C)
    // gets this line before `stopping: ...`, never after it.
    say!(
        "serving {} read-only; press Ctrl-C to stop",
        crate::output::visible_path(&args.store.store)
    );
    say_address(&server, &args.dashboard)?;
    while !interrupts.stop.requested() && server.is_running() {
        std::thread::sleep(Duration::from_millis(100));
    }
    if !server.is_running() {
        server.wait()?;
        return Ok(Outcome::Success);
    }
    server.stop()?;
    Ok(Outcome::Interrupted(interrupts.exit_code()))
}

/// What a failure to watch for Ctrl-C and SIGTERM says (a thread that could not start, as
/// `ulimit -u` or `ulimit -v` refuse it), so that it is not taken for standard output's.
const WATCH: &str = "cannot watch for Ctrl-C and SIGTERM";

/// Writes the line `dashboard: URL` to standard output, the command's one line of data, for
/// a script to read (`sweep serve --port 0 > address &`); what it says besides goes to
/// standard error, as the lines of `sweep run`, whose dashboard line is said there beside the
/// sweep's progress (its standard output is its summary).
fn say_address(server: &Server, dashboard: &DashboardArgs) -> anyhow::Result<()> {
    let mut out = crate::standard_output::lock();
    writeln!(out, "dashboard: {}", link(server, dashboard))?;
    out.flush()?;
    Ok(())
}

/// How often the exchange folder is looked at for new studies, and their journals read.
const FOLLOW_POLL: Duration = Duration::from_millis(250);

/// Serves the studies that agents run through `exchange`, live, until the process is stopped.
fn serve_exchange(exchange: &Path, args: &ServeArgs, workers: usize) -> anyhow::Result<Outcome> {
    if !exchange.is_dir() {
        bail!(
            "no exchange folder at {}: give the --exchange DIR the agents were started with",
            exchange.display()
        );
    }
    if Watcher::is_study_folder(exchange) {
        let parent = exchange.parent().unwrap_or(exchange);
        bail!(
            "{} holds the agent journals of one study; give the exchange folder the agents were \
             started with, the one above it: sweep serve --exchange {}",
            exchange.display(),
            super::quoted(parent)
        );
    }
    // Ctrl-C stops serving and deletes the temporary store, which the followers' threads
    // would otherwise keep in memory (`/dev/shm`) until another temporary store sweeps it.
    let interrupts = crate::interrupt::watch("the dashboard closes and its temporary store goes")
        .context(WATCH)?;
    let store = super::temporary_store()?;
    let notices = Notices::default();
    // The followers write the store as the dashboard reads it: pages may lag it by a second (more
    // for a large experiment: `Freshness`).
    let following = Freshness::Following {
        notices: notices.clone(),
        max_age: Duration::from_secs(1),
    };
    let server = start(store.clone(), &args.dashboard, workers, following)?;
    let quiet_after = Duration::from_millis(
        u64::try_from(args.quiet_after.unwrap_or(DEFAULT_QUIET_AFTER_MS)).unwrap_or(0),
    );
    say!(
        "following the studies in {} from their agents' journals; press Ctrl-C to stop",
        crate::output::visible_path(exchange)
    );
    say_address(&server, &args.dashboard)?;
    if Watcher::experiments(exchange)?.is_empty() {
        say!("no study there yet: each appears once its first agent starts");
    }
    let exchange = exchange.to_path_buf();
    let kept = store.clone();
    std::thread::Builder::new()
        .name("follow".into())
        .spawn(move || {
            let mut followed = BTreeSet::new();
            loop {
                for name in Watcher::experiments(&exchange).unwrap_or_default() {
                    if followed.insert(name.clone()) {
                        let (store, exchange) = (store.clone(), exchange.clone());
                        let observer = FollowObserver {
                            experiment: name,
                            notices: notices.clone(),
                        };
                        std::thread::spawn(move || {
                            follow(&store, &exchange, &observer, quiet_after);
                        });
                    }
                }
                std::thread::sleep(FOLLOW_POLL);
            }
        })
        .context("cannot start the thread that follows the exchange folder")?;
    while !interrupts.stop.requested() {
        std::thread::sleep(FOLLOW_POLL);
    }
    server.stop()?;
    kept.discard_temporary();
    Ok(Outcome::Interrupted(interrupts.exit_code()))
}

/// How long after journals that do not read (a damaged line, a header not written whole) a
/// study's follower reads them again: they may have been mended meanwhile.
const FOLLOW_RETRY: Duration = Duration::from_secs(10);

/// Follows the study `observer.experiment` in `exchange` into `store`, saying on standard
/// error when it ends or why it cannot be followed, and through `observer` whom it waits for.
/// Journals that do not read are read again every `FOLLOW_RETRY`, meanwhile said on standard
/// error (once) and on the study's page.
fn follow(store: &Store, exchange: &Path, observer: &FollowObserver, quiet_after: Duration) {
    let name = observer.experiment.as_str();
    let mut said = Said::default();
    let (mut watcher, header) = loop {
        let mut watcher = Watcher::new(exchange, name);
        match watcher.read_header() {
            Ok(Some(header)) => {
                let header = header.clone();
                break (watcher, header);
            }
            Ok(None) => std::thread::sleep(FOLLOW_POLL),
            Err(e) => {
                said.once(format!(
                    "{name}: cannot follow its agents: {e}; read again every {}s",
                    FOLLOW_RETRY.as_secs()
                ));
                std::thread::sleep(FOLLOW_RETRY);
            }
        }
    };
    observer.notices.set_agents(name, header.agents);
    if header.spec_text.is_empty() {
        return tell(&format!(
            "{name}: its agents' journals do not hold the experiment file (an older sweep wrote \
             them); serve an agent's store instead"
        ));
    }
    let folder = exchange.join(name);
    let spec = match ExperimentSpec::from_yaml_str(&header.spec_text, &folder) {
        Ok(spec) => spec,
        Err(e) => {
            return tell(&format!(
                "{name}: its agents' experiment file does not read: {e}"
            ))
        }
    };
    let follow = Follow {
        watcher: &mut watcher,
        spec_path: format!("{} (agent journals)", folder.display()),
        poll: FOLLOW_POLL,
        quiet_after,
        retry: FOLLOW_RETRY,
    };
    let stop = Stop::default();
    let following = Following {
        inner: observer,
        said: std::sync::Mutex::new(said),
    };
    match runner::follow_study(store, &spec, follow, (&SystemClock, &following), &stop) {
        Ok(_) => tell(&format!("{name}: every trial has ended")),
        Err(e) => {
            tell(&format!("{name}: stopped following: {e}"));
            observer.notices.set(
                name,
                JOURNALS_KEY,
                format!(
                    "no longer followed: {e}; its agents may go on: restart sweep serve to \
                     follow the study again"
                ),
            );
        }
    }
}

/// Says `line`, a follower's, on standard error, its control characters shown (`visible`).
fn tell(line: &str) {
    say!("{}", visible(line));
}

/// The notice key of a followed study whose journals do not read.
const JOURNALS_KEY: &str = "journals";

/// What a follower said last on standard error, so that a trouble that lasts is said once.
#[derive(Debug, Default)]
struct Said(Option<String>);

impl Said {
    /// Says `line` on standard error unless it was the last line said.
    fn once(&mut self, line: String) {
        if self.0.as_ref() != Some(&line) {
            tell(&line);
            self.0 = Some(line);
        }
    }
}

/// A study's follower's observer: what `FollowObserver` says of quiet agents, and of agents
/// stopped on an error and journals that do not read, on standard error and the study's page.
struct Following<'a> {
    inner: &'a FollowObserver,
    said: std::sync::Mutex<Said>,
}

impl Following<'_> {
    fn name(&self) -> &str {
        &self.inner.experiment
    }
}

impl runner::Observer for Following<'_> {
    fn agent_quiet(&self, quiet: &runner::QuietAgent) {
        self.inner.agent_quiet(quiet);
    }

    fn agent_heard(&self, heard: &runner::QuietAgent) {
        self.inner.agent_heard(heard);
    }

    fn agent_stopped(&self, agent: u32, agents: u32, reason: &str) {
        let line = format!(
            "agent {agent} of {agents} stopped on an error: {reason}; its trials, and the \
             others' after them, wait until it is mended and started again"
        );
        tell(&format!("{}: {line}", self.name()));
        let key = format!("stopped-agent-{agent}");
        self.inner.notices.set(self.name(), &key, line);
    }

    fn agent_restarted(&self, agent: u32, agents: u32) {
        tell(&format!(
            "{}: agent {agent} of {agents} started again",
            self.name()
        ));
        let key = format!("stopped-agent-{agent}");
        self.inner.notices.clear(self.name(), &key);
    }

    fn following_failed(&self, error: &runner::Error, retry: Duration) {
        let line = format!(
            "its agents' journals do not read: {error}; what they said before is shown, and \
             they are read again every {}s",
            retry.as_secs()
        );
        let mut said = self.said.lock().unwrap_or_else(|p| p.into_inner());
        said.once(format!("{}: {line}", self.name()));
        self.inner.notices.set(self.name(), JOURNALS_KEY, line);
    }

    fn following_resumed(&self) {
        let mut said = self.said.lock().unwrap_or_else(|p| p.into_inner());
        said.once(format!("{}: its agents' journals read again", self.name()));
        self.inner.notices.clear(self.name(), JOURNALS_KEY);
    }
}

/// Starts the dashboard of `store` in a background thread, as `args` asks.
pub(crate) fn start(
    store: Store,
    args: &DashboardArgs,
    workers: usize,
    freshness: Freshness,
) -> anyhow::Result<Server> {
    let (access, addr) = reach(args)?;
    let listener = bind(addr)?;
    // Counted with the listener open; fewer workers where not all fit (`descriptors`).
    let workers = descriptors::workers_that_fit(workers)?;
    let frozen = freshness == Freshness::Frozen;
    // The commands the pages show name the store's folder absolute, so that they run from any
    // folder (the dashboard reads no current directory; `sweep run` and `sweep serve` do).
    let dir = store.path().map(std::path::absolute).transpose()?;
    let mut dashboard = Dashboard::new(store, access, freshness, std::sync::Arc::new(SystemClock));
    if let Some(dir) = dir {
        dashboard = dashboard.with_store_dir(&dir);
    }
    if frozen {
        dashboard.warm()?;
    }
    Ok(dashboard::spawn(
        dashboard,
        listener,
        ServeOptions { workers },
    )?)
}

/// Returns who may see the dashboard and the address it is asked to listen on, as `args` (or
/// `SWEEP_TOKEN` and `SWEEP_ADDR`) say; refuses an address off loopback without a token.
fn reach(args: &DashboardArgs) -> anyhow::Result<(Access, Option<std::net::SocketAddr>)> {
    let token = args
        .token
        .clone()
        .or_else(|| std::env::var("SWEEP_TOKEN").ok().filter(|t| !t.is_empty()));
    let access = match token {
        Some(token) => Access::token(&token).context("bad --token (or SWEEP_TOKEN)")?,
        None => Access::open(),
    };
    let addr = match args.addr.or(args.port.map(on_loopback)) {
        Some(addr) => Some(addr),
        None => match std::env::var("SWEEP_ADDR") {
            Ok(text) if !text.is_empty() => {
                Some(dashboard_addr(&text).map_err(|e| anyhow!("SWEEP_ADDR: {e}"))?)
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                bail!("SWEEP_ADDR is not UTF-8 text; give an address such as 127.0.0.1:8080")
            }
            _ => None,
        },
    };
    if let Some(addr) = addr {
        if !addr.ip().is_loopback() && access.is_open() {
            bail!(
                "serving on {addr} needs a token, since anyone who can reach it could read the \
                 store: pass --token TOKEN or set SWEEP_TOKEN"
            );
        }
    }
    Ok((access, addr))
}

/// Returns the URL to open, with the token when there is one.
pub(crate) fn link(server: &Server, args: &DashboardArgs) -> String {
    let token = args
        .token
        .clone()
        .or_else(|| std::env::var("SWEEP_TOKEN").ok().filter(|t| !t.is_empty()));
    match token {
        Some(token) => format!("{}?token={token}", server.url()),
        None => server.url(),
    }
}

/// Returns `error` with the advice that fits `sweep run` when it is a `PortTaken` or a
/// `descriptors::TooFewDescriptors`: the sweep can also run without a dashboard. Each keeps its
/// type, so that a busy port still exits as a busy one (`main`); too few descriptors exit 2,
/// as a refusal does.
pub(crate) fn for_run(error: anyhow::Error) -> anyhow::Error {
    const NO_SERVE: &str = ", or pass --no-serve to run the sweep without it";
    let error = match error.downcast::<descriptors::TooFewDescriptors>() {
        Ok(few) => {
            return descriptors::TooFewDescriptors {
                advice: NO_SERVE,
                ..few
            }
            .into()
        }
        Err(error) => error,
    };
    match error.downcast::<PortTaken>() {
        Ok(taken) => PortTaken {
            advice: NO_SERVE,
            ..taken
        }
        .into(),
        Err(error) => error,
    }
}

/// Binds `addr`, or by default the first free port of 127.0.0.1:8080..=8099, then any port.
fn bind(addr: Option<SocketAddr>) -> anyhow::Result<TcpListener> {
    if let Some(addr) = addr {
        return TcpListener::bind(addr).map_err(|error| {
            PortTaken {
                addr,
                error,
                advice: "",
            }
            .into()
        });
    }
    for port in DEFAULT_PORT..=LAST_DEFAULT_PORT {
        if let Ok(listener) = TcpListener::bind(on_loopback(port)) {
            return Ok(listener);
        }
    }
    TcpListener::bind(on_loopback(0)).context("cannot bind any loopback port for the dashboard")
}
