//! Panics inside a trial's training (dfdx unwraps errors such as a GPU out of memory or a
//! kernel that does not compile): caught, so that the trial fails with the message and where it
//! was raised, and the study goes on. While a trial is being caught, the panic hook keeps that
//! place instead of printing the default report (with `RUST_BACKTRACE`, a whole backtrace)
//! between the progress lines; the trial's failure line says it. Panics anywhere else reach the
//! hook that was there before.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread runs a trial under `catch`.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic caught on this thread was raised.
    static RAISED_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, returning its value, or when it panics the panic's message and where it was raised
/// (`out of memory (at dfdx-0.13.0/src/tensor/cuda/device.rs:120)`).
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", short(l.file()), l.line()));
                RAISED_AT.with(|r| *r.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    let was = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result.map_err(|payload| {
        let text = message(payload.as_ref());
        match RAISED_AT.with(|r| r.borrow_mut().take()) {
            Some(at) => format!("{text} (at {at})"),
            None => text,
        }
    })
}

/// Returns the message a panic carried (a `&str` or a `String`), or an empty string.
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Returns a source path from a dependency's crate folder on (`dfdx-0.13.0/src/...`), rather
/// than from the cargo registry's.
fn short(file: &str) -> &str {
    match file.find("/registry/src/") {
        Some(i) => {
            let rest = &file[i + "/registry/src/".len()..];
            rest.split_once('/')
                .map_or(rest, |(_, crate_path)| crate_path)
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_says_what_and_where_and_others_are_untouched() {
        let caught = catch(|| -> u32 { panic!("out of memory") });
        let said = caught.unwrap_err();
        assert!(
            said.starts_with("out of memory (at crates/runner/src/panics.rs:"),
            "{said}"
        );
        assert_eq!(catch(|| 7), Ok(7));
        // Outside `catch`, a panic is a panic as before (the hook passes it on).
        let outside = std::thread::spawn(|| panic!("a bug")).join();
        assert!(outside.is_err());
        assert_eq!(
            short(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dfdx-0.13.0/src/x.rs"
            ),
            "dfdx-0.13.0/src/x.rs"
        );
        assert_eq!(
            short("crates/runner/src/panics.rs"),
            "crates/runner/src/panics.rs"
        );
    }
}
