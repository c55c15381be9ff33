//! `Hearing`: when each agent's journal last changed, by this machine's clock, and what was
//! said of one the study waits for while it stays quiet. Shared by an agent (about the others)
//! and a follower (about all of them); only messages depend on it, never a result.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use experiment::TrialId;
use store::{PeerJournal, Stamp};

use crate::{Observer, QuietAgent};

/// What is known of the journals of the agents a study waits for.
pub(crate) struct Hearing {
    agents: u32,
    quiet_after: Duration,
    heard: BTreeMap<u32, Heard>,
}

/// What is known of one agent's journal.
struct Heard {
    journal: PathBuf,
    stamp: Option<Stamp>,
    /// When the stamp last changed, or the hearing began.
    since: Instant,
    /// What was last reported, while the agent stays quiet.
    told: Option<QuietAgent>,
}

impl Hearing {
    /// Starts hearing `journals` (the machines' clocks need not agree: a journal's stamp is
    /// only compared with its own earlier ones) of a study run by `agents`, an agent the study
    /// waits for being quiet once its journal stands still for `quiet_after`.
    pub(crate) fn new(
        journals: Vec<PeerJournal>,
        agents: u32,
        quiet_after: Duration,
        now: Instant,
    ) -> Hearing {
        let heard = journals
            .into_iter()
            .map(|journal| {
                let heard = Heard {
                    journal: journal.path,
                    stamp: journal.stamp,
                    since: now,
                    told: None,
                };
                (journal.agent, heard)
            })
            .collect();
        Hearing {
            agents,
            quiet_after,
            heard,
        }
    }

    /// Notes the journals' stamps now, and tells `observer` of each agent reported quiet that
    /// is heard again.
    pub(crate) fn note(
        &mut self,
        journals: Vec<PeerJournal>,
        now: Instant,
        observer: &dyn Observer,
    ) {
        for journal in journals {
            let Some(heard) = self.heard.get_mut(&journal.agent) else {
                continue;
            };
            if heard.stamp != journal.stamp {
                if let Some(told) = heard.told.take() {
                    observer.agent_heard(&QuietAgent {
                        quiet_for: now.duration_since(heard.since),
                        ..told
                    });
                }
                heard.stamp = journal.stamp;
                heard.since = now;
            }
        }
    }

    /// Returns whether agent `agent`'s journal has stood still for `quiet_after` at `now` (never
    /// for an agent not heard, this one).
    pub(crate) fn is_quiet(&self, agent: u32, now: Instant) -> bool {
        self.heard
            .get(&agent)
            .is_some_and(|h| now.duration_since(h.since) >= self.quiet_after)
    }

    /// Tells `observer` when agent `agent`, which the study waits for to run (or, `measuring`,
    /// to measure on the test split) trial `trial`, has been quiet for `quiet_after`, and again
    /// each time its quiet time doubles. An agent not heard (this one) is never reported.
    pub(crate) fn check(
        &mut self,
        (trial, measuring): (TrialId, bool),
        agent: u32,
        now: Instant,
        observer: &dyn Observer,
    ) {
        let Some(heard) = self.heard.get_mut(&agent) else {
            return;
        };
        let quiet_for = now.duration_since(heard.since);
        let due = heard
            .told
            .as_ref()
            .map_or(self.quiet_after, |t| 2 * t.quiet_for);
        if quiet_for >= due {
            let quiet = QuietAgent {
                agent,
                agents: self.agents,
                trial,
                measuring,
                journal: heard.journal.clone(),
                joined: heard.stamp.is_some(),
                quiet_for,
            };
            observer.agent_quiet(&quiet);
            heard.told = Some(quiet);
        }
    }
}
