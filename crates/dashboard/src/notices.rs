//! `Notices`: what the process running a sweep wants the sweep's live pages to say beside the
//! store's numbers, such as which agent the study waits for. The store cannot hold these (they
//! are about now, not results), so the sweep sets them on a handle the dashboard shares.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Messages by key, set and cleared by the sweep; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Notices(Arc<Mutex<BTreeMap<String, String>>>);

impl Notices {
    /// Shows `text` under `key`, replacing what that key showed.
    pub fn set(&self, key: &str, text: String) {
        self.lock().insert(key.to_string(), text);
    }

    /// Stops showing what `key` showed.
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    /// Stops showing anything.
    pub fn clear_all(&self) {
        self.lock().clear();
    }

    /// Returns every message, by key.
    pub(crate) fn all(&self) -> Vec<String> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Two handles are equal when they share their messages.
impl PartialEq for Notices {
    fn eq(&self, other: &Notices) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Notices {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_shared_by_clones_and_cleared_by_key() {
        let notices = Notices::default();
        let shared = notices.clone();
        shared.set("agent-1", "waiting for agent 1".into());
        shared.set("agent-0", "waiting for agent 0".into());
        shared.set("agent-1", "waiting for agent 1 again".into());
        assert_eq!(
            notices.all(),
            ["waiting for agent 0", "waiting for agent 1 again"]
        );
        notices.clear("agent-0");
        assert_eq!(shared.all(), ["waiting for agent 1 again"]);
        assert_eq!(notices, shared);
        assert_ne!(notices, Notices::default());
    }
}
