//! Reading a store that another sweep process holds, through that process's dashboard: `sweep
//! ls`, `sweep show EXPERIMENT`, `sweep trials` and `sweep export` on a store that `sweep serve`
//! serves.
//!
//! sled opens a database in one process only, so a command that finds the store locked reads
//! where the holder announced its dashboard (`opener`'s `, dashboard at URL`), only on loopback
//! (a dashboard on every address, `0.0.0.0` or `[::]`, is read on loopback at its port), the
//! stored bytes of what it reads (`/api/store-copy`, `store::Store::copy`), and opens them as
//! a temporary store (`Store::temporary_from_copy`). The command then runs its own code on that
//! store, unchanged, so that its standard output is a direct read's byte for byte; one line on
//! standard error says where it read. The answer must come from the process that announced
//! itself (its id, `X-Sweep-Pid`), and a dashboard that needs a token gets `SWEEP_TOKEN`'s, as
//! `sweep serve` reads it. A running sweep's dashboard answers too, to a reader that says it
//! shows the sweep's experiment running (`X-Sweep-Shows-Running`), and names that experiment
//! (`X-Sweep-Running`): `sweep ls` and `sweep show` then show it as the dashboard does
//! (`output::Running`), not as one a killed sweep left running. Anything else (no dashboard
//! announced, an older holder's words, an address off loopback, no answer, an older sweep's
//! dashboard, which serves no copy while it runs) keeps the refusal (`StoreBusy`, exit 75), with
//! how to pass a token where that is what it lacked, and a line naming the holder where its copy
//! does not read (another version's layout). A holder that accepts and does not answer (one
//! suspended) is given up on after a few seconds (`READ_WAIT`).
//!
//! Rejected: the dashboard's JSON API (a second rendering of the records, which the output
//! would then follow); a read-only open of the database (sled has none).

use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use store::{CopyScope, Store};

use super::{open_store, StoreBusy, StoreMode, DASHBOARD_AT};
use crate::output::Running;

/// How long the holder's dashboard may take to accept the connection, and then to send each
/// part of its answer, its first byte included: a few seconds, so that a holder that is
/// suspended (Ctrl-Z on `sweep serve`: the kernel still accepts the connection) or hung is met
/// with the refusal at once, as it was before read-through. The holder builds the copy before
/// it answers; a copy without curves is built in well under a second.
const CONNECT_WAIT: Duration = Duration::from_secs(2);
const READ_WAIT: Duration = Duration::from_secs(5);

/// The header by which the dashboard names its process (`dashboard`'s `api::copy`).
const PID_HEADER: &str = "X-Sweep-Pid";
/// The request header by which the command says it shows the experiment `RUNNING_HEADER`
/// names as running (`dashboard`'s `api::copy`).
const SHOWS_RUNNING_HEADER: &str = "X-Sweep-Shows-Running";
/// The header by which a running sweep's dashboard names its experiment, percent-encoded.
const RUNNING_HEADER: &str = "X-Sweep-Running";

/// Opens the store at `path` to read what `scope` takes, as `open_store` opens an existing one;
/// where another sweep process holds it and serves a copy on loopback, reads that copy
/// instead, saying so on standard error, with the experiment a live sweep runs in it, which
/// the holder's dashboard named; none where this process holds the store itself. Any other
/// failure is `open_store`'s.
pub(crate) fn open_to_show(path: &Path, scope: CopyScope<'_>) -> anyhow::Result<(Store, Running)> {
    let refused = match open_store(path, StoreMode::Existing) {
        Ok(store) => return Ok((store, Running::default())),
        Err(e) => e,
    };
    // Any other failure is the open's.
    let busy = refused.downcast::<StoreBusy>()?;
    let holder = match &busy.error {
        store::Error::Locked {
            opener: Some(opener),
            ..
        } => Holder::of(opener),
        _ => None,
    };
    let Some(holder) = holder else {
        return Err(busy.into());
    };
    let (store, running) = match read(&holder, scope) {
        Ok(read) => read,
        Err(Unread::NeedsToken) => {
            let advice = format!(
                "\nits dashboard needs the token it was started with to be read through: set \
                 SWEEP_TOKEN to it{}",
                busy.advice
            );
            return Err(StoreBusy { advice, ..busy }.into());
        }
        Err(Unread::Not(why)) => {
            tracing::debug!(why = %why, url = %holder.url, "not read through the dashboard");
            return Err(busy.into());
        }
        Err(Unread::Copy(why)) => {
            let advice = unreadable_copy(&holder, &why, &busy.advice);
            return Err(StoreBusy { advice, ..busy }.into());
        }
        Err(Unread::Store(e)) => return Err(e.into()),
    };
    say!(
        "note: store {} is held by another sweep process (pid {}): read through its dashboard \
         at {}",
        crate::output::visible_path(path),
        holder.pid,
        holder.url
    );
    Ok((store, running))
}

/// Returns the refusal's advice where the holder's dashboard answered a copy this version
/// cannot read (`why`): a line that says so, naming the holder, before the usual `advice`.
fn unreadable_copy(holder: &Holder, why: &store::Error, advice: &str) -> String {
    format!(
        "\nits dashboard at {} (pid {}) serves a copy this version cannot read (another sweep \
         version?): {why}{advice}",
        holder.url, holder.pid
    )
}

/// Reads `holder`'s copy of what `scope` takes into a temporary store, with the experiment a
/// live sweep of it runs.
fn read(holder: &Holder, scope: CopyScope<'_>) -> Result<(Store, Running), Unread> {
    let (bytes, running) = fetch(holder, scope)?;
    match Store::temporary_from_copy(scratch().as_deref(), &bytes) {
        Ok(store) => Ok((store, running)),
        Err(e @ store::Error::Corrupt { .. }) => Err(Unread::Copy(e)),
        Err(e) => Err(Unread::Store(e)),
    }
}

/// The process that holds a store, as its announcement says.
#[derive(Debug, PartialEq, Eq)]
struct Holder {
    /// Its process id.
    pid: u32,
    /// Its dashboard's URL, on loopback: `http://127.0.0.1:PORT/`. A dashboard that listens on
    /// every address (`0.0.0.0`, `[::]`) is read on loopback at its port, where it answers too.
    url: String,
}

impl Holder {
    /// Reads `opener`'s text (`commands::opener`: `` `COMMAND` (pid N, since T UTC), dashboard at
    /// URL ``) from its end, where the command line's words cannot reach; `None` without a
    /// dashboard, with one off loopback, or for words of another shape.
    fn of(opener: &str) -> Option<Holder> {
        let (said, url) = opener.rsplit_once(DASHBOARD_AT)?;
        let addr: SocketAddr = url
            .strip_prefix("http://")?
            .strip_suffix('/')?
            .parse()
            .ok()?;
        let addr = match addr.ip() {
            ip if ip.is_loopback() => addr,
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
            }
            std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), addr.port())
            }
            _ => return None,
        };
        let (_, pid) = said.strip_suffix(" UTC)")?.rsplit_once(" (pid ")?;
        let (pid, _since) = pid.split_once(", since ")?;
        Some(Holder {
            pid: pid.parse().ok()?,
            url: format!("http://{addr}/"),
        })
    }
}

/// Why a copy was not read.
#[derive(Debug)]
enum Unread {
    /// The dashboard needs a token, and `SWEEP_TOKEN` gives none, or another.
    NeedsToken,
    /// The answer is not a copy this version reads (garbage, or another version's layout).
    Copy(store::Error),
    /// The temporary store for the copy could not be made (`TMPDIR`), said as it is.
    Store(store::Error),
    /// Anything else, in words for the log.
    Not(String),
}

/// Asks `holder`'s dashboard for the copy `scope` takes, with the experiment a live sweep of it
/// runs; only an answer of that process is one.
fn fetch(holder: &Holder, scope: CopyScope<'_>) -> Result<(Vec<u8>, Running), Unread> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_WAIT)
        .timeout_read(READ_WAIT)
        .redirects(0)
        .build();
    let mut request = agent
        .get(&format!("{}api/store-copy", holder.url))
        .set(SHOWS_RUNNING_HEADER, "1");
    match scope {
        CopyScope::Experiments => {}
        CopyScope::Experiment(name) => request = request.query("experiment", name),
        CopyScope::Trials(name) => {
            request = request.query("experiment", name).query("points", "last");
        }
    }
    if let Some(token) = std::env::var("SWEEP_TOKEN").ok().filter(|t| !t.is_empty()) {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let answer = match request.call() {
        Ok(answer) => answer,
        Err(ureq::Error::Status(401, _)) => return Err(Unread::NeedsToken),
        Err(e) => return Err(Unread::Not(e.to_string())),
    };
    let pid = answer
        .header(PID_HEADER)
        .and_then(|p| p.parse::<u32>().ok());
    if pid != Some(holder.pid) {
        return Err(Unread::Not(format!(
            "answered by process {pid:?}, not {}",
            holder.pid
        )));
    }
    let running = match answer.header(RUNNING_HEADER) {
        None => Running::default(),
        Some(name) => match percent_decoded(name) {
            Some(name) => Running::experiment(name),
            None => return Err(Unread::Not(format!("a running experiment named {name:?}"))),
        },
    };
    let mut bytes = Vec::new();
    answer
        .into_reader()
        .read_to_end(&mut bytes)
        .map_err(|e| Unread::Not(e.to_string()))?;
    Ok((bytes, running))
}

/// Returns `text` with each `%XX` read as the byte it stands for, as the dashboard writes an
/// experiment's name (`url_part`); `None` where that is not UTF-8 or a `%` has no two hex
/// digits after it.
fn percent_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Where the temporary store goes: `TMPDIR`'s folder, as `temporary_store` chooses.
fn scratch() -> Option<std::path::PathBuf> {
    std::env::var_os("TMPDIR")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_read_from_the_end_of_its_announcement() {
        let served = "`sweep serve --store st` (pid 4242, since 2026-12-07 21:00:00 UTC), \
                      dashboard at http://127.0.0.1:8080/";
        assert_eq!(
            Holder::of(served),
            Some(Holder {
                pid: 4242,
                url: "http://127.0.0.1:8080/".into()
            })
        );
        let v6 = served.replace("127.0.0.1:8080", "[::1]:9");
        assert_eq!(Holder::of(&v6).map(|h| h.pid), Some(4242));
        // The command line's own words cannot pose as the holder's.
        let tricky = "`sweep run x.yaml --name ', dashboard at http://127.0.0.1:1/' --store \
                      a (pid 1, since t UTC)` (pid 77, since 2026 UTC), dashboard at \
                      http://127.0.0.1:2/";
        assert_eq!(
            Holder::of(tricky),
            Some(Holder {
                pid: 77,
                url: "http://127.0.0.1:2/".into()
            })
        );
    }

    #[test]
    fn issue_f6_a_dashboard_on_every_address_is_read_on_loopback_at_its_port() {
        let at = |addr: &str| {
            let opener =
                format!("`sweep serve` (pid 9, since 2026 UTC), dashboard at http://{addr}/");
            Holder::of(&opener).map(|h| (h.pid, h.url))
        };
        assert_eq!(
            at("0.0.0.0:8444"),
            Some((9, "http://127.0.0.1:8444/".into()))
        );
        assert_eq!(at("[::]:8444"), Some((9, "http://[::1]:8444/".into())));
        assert_eq!(at("[::1]:7"), Some((9, "http://[::1]:7/".into())));
        assert_eq!(at("10.0.0.2:8444"), None);
    }

    /// Returns a holder at a listener of this process that answers each connection with
    /// `answer` (after reading the request), or never where `answer` is `None`.
    fn holder_answering(answer: Option<Vec<u8>>) -> Holder {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for mut conn in listener.incoming().flatten() {
                let mut request = [0; 4096];
                let _ = conn.read(&mut request);
                if let Some(answer) = &answer {
                    let _ = conn.write_all(answer);
                }
                // Kept open, unanswered where `answer` is `None`.
                held.push(conn);
            }
        });
        Holder {
            pid: std::process::id(),
            url,
        }
    }

    #[test]
    fn issue_f5_a_holder_that_accepts_and_never_answers_is_given_up_on_soon() {
        let holder = holder_answering(None);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(matches!(
                fetch(&holder, CopyScope::Experiments),
                Err(Unread::Not(_))
            ));
        });
        // A bound far above the wait (5 s), far below the old one (60 s).
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)), Ok(true));
    }

    #[test]
    fn issue_f4_a_copy_that_does_not_read_is_the_busy_refusal_naming_the_holder() {
        let body = b"<html>hello</html>";
        let answer = format!(
            "HTTP/1.1 200 OK\r\nX-Sweep-Pid: {}\r\nContent-Length: {}\r\n\r\n",
            std::process::id(),
            body.len()
        );
        let holder = holder_answering(Some([answer.as_bytes(), body].concat()));
        let why = match read(&holder, CopyScope::Experiments) {
            Err(Unread::Copy(why)) => why,
            other => panic!("{:?}", other.map(|_| ())),
        };
        let advice = unreadable_copy(&holder, &why, "\nstop it or wait");
        assert_eq!(
            advice,
            format!(
                "\nits dashboard at {} (pid {}) serves a copy this version cannot read (another \
                 sweep version?): {why}\nstop it or wait",
                holder.url, holder.pid
            )
        );
    }

    #[test]
    fn a_running_experiment_s_name_is_read_as_the_dashboard_encodes_it() {
        assert_eq!(
            percent_decoded("demo%20run%C3%A9").as_deref(),
            Some("demo runé")
        );
        assert_eq!(
            percent_decoded("plain-name_1.0~").as_deref(),
            Some("plain-name_1.0~")
        );
        for odd in ["%", "%2", "%zz", "%FF"] {
            assert_eq!(percent_decoded(odd), None, "{odd}");
        }
    }

    #[test]
    fn a_holder_without_a_loopback_dashboard_is_none() {
        for opener in [
            // `--no-serve`, a command that only reads, or an older holder's words.
            "`sweep run x.yaml --no-serve` (pid 5, since 2026 UTC)",
            "`sweep ls` (pid 5, since 2026 UTC)",
            // A dashboard off loopback, or an address of another shape.
            "`sweep serve` (pid 5, since 2026 UTC), dashboard at http://10.0.0.2:8080/",
            "`sweep serve` (pid 5, since 2026 UTC), dashboard at http://localhost:8080/",
            "`sweep serve` (pid 5, since 2026 UTC), dashboard at https://127.0.0.1:8080/",
            "`sweep serve` (pid 5, since 2026 UTC), dashboard at http://127.0.0.1:8080/x",
            // The words of a command line without the holder's own after them.
            "`sweep run --no-serve ', dashboard at http://127.0.0.1:1/'` (pid 5, since 2026 UTC)",
            "no pid here, dashboard at http://127.0.0.1:8080/",
        ] {
            assert_eq!(Holder::of(opener), None, "{opener}");
        }
    }
}
