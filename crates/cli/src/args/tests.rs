//! Tests of the command-line arguments: the help's exit statuses, the dashboard's address,
//! durations.

use super::values::duration_ms;
use super::*;

/// Returns what `sweep ARGS --help` prints.
fn help(args: &[&str]) -> String {
    let argv = std::iter::once("sweep")
        .chain(args.iter().copied())
        .chain(["--help"]);
    // A fixed width: the help must not depend on the terminal (`COLUMNS`) running tests.
    let e = <Cli as clap::CommandFactory>::command()
        .term_width(200)
        .try_get_matches_from(argv)
        .expect_err("--help ends parsing");
    assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
    e.render().to_string()
}

#[test]
fn issue_help_says_what_each_exit_code_means() {
    let top = help(&[]);
    for line in [
        "Exit status:",
        "  0    success",
        "  2    bad input, usage or another error",
        "  74   the output could not be written: standard output failing (a full",
        "  75   the store is busy: another sweep process holds it, or another\n       \
         process listens on the dashboard's --port (--addr); try again later",
        "  130  Ctrl-C stopped",
        "  141  the output's reader stopped early",
    ] {
        assert!(top.contains(line), "no {line:?} in\n{top}");
    }
    let gate = help(&["gate"]);
    for line in [
        "Exit status:",
        "  0    the gate passed",
        "  1    a guarded metric regressed",
        "  2    the gate cannot run",
    ] {
        assert!(gate.contains(line), "no {line:?} in\n{gate}");
    }
    // Each line fits an 80-column terminal, which clap would otherwise break mid-sentence.
    for line in EXIT_STATUS.lines().chain(GATE_EXIT_STATUS.lines()) {
        assert!(
            line.chars().count() <= EXIT_STATUS_WIDTH,
            "too wide: {line:?}"
        );
    }
}

#[test]
fn a_dashboard_address_may_be_a_port_on_loopback() {
    let loopback = on_loopback;
    assert_eq!(dashboard_addr("127.0.0.1:8090"), Ok(loopback(8090)));
    assert_eq!(dashboard_addr("8090"), Ok(loopback(8090)));
    assert_eq!(dashboard_addr(":8090"), Ok(loopback(8090)));
    assert_eq!(dashboard_addr("localhost:8090"), Ok(loopback(8090)));
    assert_eq!(
        dashboard_addr("0.0.0.0:80").map(|a| a.ip().is_unspecified()),
        Ok(true)
    );
    assert_eq!(
        dashboard_addr("[::1]:8090").map(|a| a.ip().is_loopback()),
        Ok(true)
    );
    for bad in ["", "localhost", "host:8090", "127.0.0.1", "8090x"] {
        let err = dashboard_addr(bad).unwrap_err();
        assert!(err.contains("expected IP:PORT"), "{bad}: {err}");
    }
    let err = dashboard_addr("99999").unwrap_err();
    assert!(err.contains("a port from 0 to 65535"), "{err}");
}

#[test]
fn a_duration_that_cannot_be_is_said_for_what_it_is() {
    assert_eq!(duration_ms("90s"), Ok(90_000));
    for zero in ["0", "0s", "0h00m", "-5s", "-1"] {
        let err = duration_ms(zero).unwrap_err();
        assert!(
            err.starts_with("a duration must be more than zero"),
            "{zero}: {err}"
        );
    }
    let err = duration_ms("0.0001s").unwrap_err();
    assert!(err.contains("shorter than a millisecond"), "{err}");
    let err = duration_ms("99999999999999h").unwrap_err();
    assert!(err.contains("longer than any run could last"), "{err}");
    for millis in ["500ms", "0.5ms"] {
        let err = duration_ms(millis).unwrap_err();
        assert!(
            err.contains("not milliseconds; e.g. 0.5s"),
            "{millis}: {err}"
        );
    }
    let err = duration_ms("5 minutes").unwrap_err();
    assert!(err.starts_with("expected a duration such as 90s"), "{err}");
}
