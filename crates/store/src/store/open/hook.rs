//! What tests do between the steps of this thread's opens (`on_open`): a thread-local hook,
//! compiled only for tests.

use std::cell::RefCell;
use std::path::Path;

use super::OpenStep;

/// What a test does at an `OpenStep` of an open of the store at a path.
type OpenHook = Box<dyn FnMut(OpenStep, &Path)>;

thread_local! {
    /// What a test does at each `OpenStep` of this thread's opens (`on_open`).
    static ON_OPEN: RefCell<Option<OpenHook>> = const { RefCell::new(None) };
}

/// Makes `hook` run at each `OpenStep` of this thread's opens, with the store's path,
/// until the thread ends or another hook replaces it.
pub(crate) fn on_open(hook: impl FnMut(OpenStep, &Path) + 'static) {
    ON_OPEN.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

/// Runs this thread's `on_open` hook, if any, at `at`.
pub(super) fn step(at: OpenStep, path: &Path) {
    let hook = ON_OPEN.with(|h| h.borrow_mut().take());
    if let Some(mut hook) = hook {
        hook(at, path);
        // Put back unless the hook set another.
        ON_OPEN.with(|h| {
            h.borrow_mut().get_or_insert(hook);
        });
    }
}
