//! `sweep serve`, and the dashboard that `sweep run` serves while it works.
//!
//! The store has one owner process (sled locks it), so the process that owns it serves the
//! dashboard: `sweep run` from a background thread with its own clone of the `Store`, and
//! `sweep serve` for a store no sweep is running on. Binding: an explicit `--addr` (or
//! `SWEEP_ADDR`) must be free, or the command fails before doing anything; the default tries
//! 127.0.0.1:8080 to 8099, then any free port. Off loopback a token is required.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

use anyhow::{bail, Context};
use dashboard::{Access, Dashboard, Freshness, ServeOptions, Server};
use store::Store;

use super::{open_store, opener, StoreMode};
use crate::args::{DashboardArgs, ServeArgs};
use crate::Outcome;

const DEFAULT_PORT: u16 = 8080;
const LAST_DEFAULT_PORT: u16 = 8099;

/// Serves a store's dashboard until the process is stopped.
pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    // This process holds the store's lock and only reads it: nothing can change under it.
    let server = start(store.clone(), &args.dashboard, workers, Freshness::Frozen)?;
    store.announce(&opener(Some(&server.url())))?;
    drop(store);
    let mut out = std::io::stdout().lock();
    writeln!(out, "dashboard: {}", link(&server, &args.dashboard))?;
    writeln!(
        out,
        "serving {} read-only; press Ctrl-C to stop",
        args.store.store.display()
    )?;
    out.flush()?;
    drop(out);
    server.wait()?;
    Ok(Outcome::Success)
}

/// Starts the dashboard of `store` in a background thread, as `args` asks.
pub(crate) fn start(
    store: Store,
    args: &DashboardArgs,
    workers: usize,
    freshness: Freshness,
) -> anyhow::Result<Server> {
    let token = args
        .token
        .clone()
        .or_else(|| std::env::var("SWEEP_TOKEN").ok().filter(|t| !t.is_empty()));
    let access = match token {
        Some(token) => Access::token(&token).context("bad --token (or SWEEP_TOKEN)")?,
        None => Access::open(),
    };
    let addr = match args.addr {
        Some(addr) => Some(addr),
        None => match std::env::var("SWEEP_ADDR") {
            Ok(text) if !text.is_empty() => Some(
                text.parse::<SocketAddr>()
                    .with_context(|| format!("SWEEP_ADDR={text:?} is not an IP:PORT address"))?,
            ),
            _ => None,
        },
    };
    if let Some(addr) = addr {
        if !addr.ip().is_loopback() && access.is_open() {
            bail!(
                "serving on {addr} needs a token, since anyone who can reach it could read the store: \
                 pass --token TOKEN or set SWEEP_TOKEN"
            );
        }
    }
    let listener = bind(addr)?;
    let frozen = freshness == Freshness::Frozen;
    let dashboard = Dashboard::new(store, access, freshness);
    if frozen {
        dashboard.warm()?;
    }
    Ok(dashboard::spawn(
        dashboard,
        listener,
        ServeOptions { workers },
    )?)
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

/// Binds `addr`, or by default the first free port of 127.0.0.1:8080..=8099, then any port.
fn bind(addr: Option<SocketAddr>) -> anyhow::Result<TcpListener> {
    if let Some(addr) = addr {
        return TcpListener::bind(addr).with_context(|| {
            format!("cannot serve the dashboard on {addr}; pick another --addr, or pass --no-serve to `sweep run`")
        });
    }
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    for port in DEFAULT_PORT..=LAST_DEFAULT_PORT {
        if let Ok(listener) = TcpListener::bind(SocketAddr::new(loopback, port)) {
            return Ok(listener);
        }
    }
    TcpListener::bind(SocketAddr::new(loopback, 0))
        .context("cannot bind any loopback port for the dashboard")
}
