//! The values several commands' flags take, read for clap: counts (`--parallel`, `--run-cap`,
//! `--top`), durations (`--timeout`, `--quiet-after`) and the dashboard's address (`--addr`,
//! `--port`, `SWEEP_ADDR`), with `PortTaken`, an address that cannot be listened on.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Reads a count (`--parallel`, `--run-cap`, `--extend`, `--top`), for clap.
pub(super) fn whole<T: std::str::FromStr + Bounded>(text: &str) -> Result<T, String> {
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
pub(super) fn side_by_side(text: &str) -> Result<u32, String> {
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
pub(super) trait Bounded {
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
pub(super) fn port(text: &str) -> Result<u16, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("expected a port from 0 to 65535 such as 8080, found `{text}`"))
}

/// Reads a duration such as `90s`, `30m` or `1h30m` in milliseconds, for clap.
pub(super) fn duration_ms(text: &str) -> Result<i64, String> {
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
