//! Running the dashboard on a socket, in a thread of its own.
//!
//! `spawn` starts an actix system on a new thread and returns at once, so the caller (the
//! `sweep run` loop, or `sweep serve`) keeps its own thread. The caller binds the listener, so
//! it decides what happens when a port is taken; OS signals are left to the caller too.

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use actix_web::HttpServer;

use crate::{Dashboard, Error, Result};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Worker threads accepting requests (at least 1); store reads run on actix's blocking pool.
    pub workers: usize,
}

/// A running dashboard.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: JoinHandle<std::io::Result<()>>,
    /// What it serves (the state is shared with the server's workers).
    dashboard: Dashboard,
}

/// How often a live page asks for its update (`web/static/js/dashboard.js`'s `PERIOD_MS`).
pub(crate) const LIVE_PERIOD: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves `dashboard` on `listener` from a new thread, and returns once it listens.
///
/// Fails with `Error::TokenRequired` when the listener is not on a loopback address and the
/// dashboard's access is open.
pub fn spawn(dashboard: Dashboard, listener: TcpListener, options: ServeOptions) -> Result<Server> {
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && dashboard.access().is_open() {
        return Err(Error::TokenRequired { addr });
    }
    listener.set_nonblocking(true)?;
    let served = dashboard.clone();
    let (tx, rx) = mpsc::channel();
    let workers = options.workers.max(1);
    let thread = std::thread::Builder::new()
        .name("dashboard".into())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || dashboard.app())
                    .workers(workers)
                    .backlog(1024)
                    .keep_alive(std::time::Duration::from_secs(30))
                    .client_request_timeout(std::time::Duration::from_secs(30))
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener);
                let server = match server {
                    Ok(server) => server.run(),
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return Err(e);
                    }
                };
                let _ = tx.send(Ok(server.handle()));
                server.await
            })
        })?;
    match rx.recv() {
        Ok(Ok(handle)) => Ok(Server {
            addr,
            handle,
            thread,
            dashboard: served,
        }),
        Ok(Err(message)) => Err(Error::Io(std::io::Error::other(message))),
        Err(_) => Err(Error::Blocking(
            "the dashboard thread stopped while starting".into(),
        )),
    }
}

impl Server {
    /// Returns the address the dashboard listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the dashboard's URL, e.g. `http://127.0.0.1:8080/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Returns whether the server's thread still runs (it ends when stopped, or on an error).
    pub fn is_running(&self) -> bool {
        !self.thread.is_finished()
    }

    /// Blocks until the server stops (it stops only when stopped or killed).
    pub fn wait(self) -> Result<()> {
        match self.thread.join() {
            Ok(result) => Ok(result?),
            Err(_) => Err(Error::Blocking("the dashboard thread panicked".into())),
        }
    }

    /// Stops as `stop` does, once a page that follows a sweep live (one that asked for an
    /// update within the last `LIVE_PERIOD` and a half) has had time for one more update, which
    /// shows the sweep ended: without it, the page would stay as it last was ("running"), its
    /// server gone. No wait when nobody watches.
    pub fn stop_after_watchers(self) -> Result<()> {
        if self.dashboard.polled_within(LIVE_PERIOD * 3 / 2) {
            std::thread::sleep(LIVE_PERIOD + LIVE_PERIOD / 2);
        }
        self.stop()
    }

    /// Stops accepting connections, lets requests in flight finish (for up to a second), and
    /// waits for the thread to end.
    pub fn stop(self) -> Result<()> {
        // The stop command is sent when `stop` is called; the returned future only awaits it.
        drop(self.handle.stop(true));
        self.wait()
    }
}
