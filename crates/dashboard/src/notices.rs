//! `Notices`: what the process running a sweep wants the sweep's live pages to say beside the
//! store's numbers, such as which agent the study waits for, and, following studies from their
//! journals (`sweep serve --exchange`), how many agents run each, so that a trial's page says
//! which agent holds its checkpoint. The store cannot hold these (they are about now, or about
//! other machines, not results), so the sweep sets them on a handle the dashboard shares.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Messages by experiment and key, set and cleared by whoever runs or follows the sweep, and the
/// agents of each followed study; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    said: Arc<Mutex<BTreeMap<(String, String), String>>>,
    agents: Arc<Mutex<BTreeMap<String, u32>>>,
}

impl Notices {
    /// Shows `text` on experiment `experiment`'s page under `key`, replacing what that key
    /// showed there.
    pub fn set(&self, experiment: &str, key: &str, text: String) {
        self.lock()
            .insert((experiment.to_string(), key.to_string()), text);
    }

    /// Stops showing what `key` showed on experiment `experiment`'s page.
    pub fn clear(&self, experiment: &str, key: &str) {
        self.lock()
            .remove(&(experiment.to_string(), key.to_string()));
    }

    /// Stops showing anything.
    pub fn clear_all(&self) {
        self.lock().clear();
    }

    /// Says that `agents` agents run the followed study `experiment`: each keeps its own
    /// trials' checkpoints, none of which is beside the follower's store.
    pub fn set_agents(&self, experiment: &str, agents: u32) {
        lock(&self.agents).insert(experiment.to_string(), agents);
    }

    /// Returns how many agents run the followed study `experiment`, once its follower said.
    pub(crate) fn agents_of(&self, experiment: &str) -> Option<u32> {
        lock(&self.agents).get(experiment).copied()
    }

    /// Returns every message for experiment `experiment`, by key.
    pub(crate) fn of(&self, experiment: &str) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|((e, _), _)| e == experiment)
            .map(|(_, text)| text.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), String>> {
        lock(&self.said)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a map that is still valid.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Two handles are equal when they share their messages.
impl PartialEq for Notices {
    fn eq(&self, other: &Notices) -> bool {
        Arc::ptr_eq(&self.said, &other.said)
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
        shared.set("a", "agent-1", "waiting for agent 1".into());
        shared.set("a", "agent-0", "waiting for agent 0".into());
        shared.set("b", "agent-0", "b waits for agent 0".into());
        shared.set("a", "agent-1", "waiting for agent 1 again".into());
        assert_eq!(
            notices.of("a"),
            ["waiting for agent 0", "waiting for agent 1 again"]
        );
        notices.clear("a", "agent-0");
        assert_eq!(shared.of("a"), ["waiting for agent 1 again"]);
        assert_eq!(shared.of("b"), ["b waits for agent 0"]);
        notices.clear_all();
        assert!(shared.of("a").is_empty() && shared.of("b").is_empty());
        assert_eq!(notices, shared);
        assert_ne!(notices, Notices::default());
        assert_eq!(shared.agents_of("a"), None);
        notices.set_agents("a", 3);
        assert_eq!(
            (shared.agents_of("a"), shared.agents_of("b")),
            (Some(3), None)
        );
    }
}
