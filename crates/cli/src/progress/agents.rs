//! What a sweep run by agents says of the others: whom the study waits for and what to do
//! about it, on standard error and the dashboard's notices, for an agent's own sweep
//! (`ProgressObserver`) and for a follower of the agents' journals (`FollowObserver`).

use dashboard::Notices;
use runner::{Observer, QuietAgent};

use super::bar::format_duration;

/// The key of an agent's notice on the dashboard.
pub(super) fn agent_key(quiet: &QuietAgent) -> String {
    format!("agent-{}", quiet.agent)
}

/// Says which agent the study waits for, and what to do about it.
pub(crate) fn quiet_line(quiet: &QuietAgent) -> String {
    let (i, n) = (quiet.agent, quiet.agents);
    let quiet_for = format_duration(quiet.quiet_for);
    let journal = quiet.journal.display();
    let task = if quiet.measuring {
        format!("which measures trial {} on the test split", quiet.trial)
    } else {
        format!("which runs trial {}", quiet.trial)
    };
    if quiet.joined {
        format!(
            "waiting for agent {i} of {n}, {task}: its journal {journal} has not changed for \
             {quiet_for}; if it stopped, start it again with its command (--agent {i}/{n})"
        )
    } else {
        format!(
            "waiting for agent {i} of {n}, {task}: it has not joined (nothing in {journal} after \
             {quiet_for}); start it with --agent {i}/{n} and this file, --exchange and parallel"
        )
    }
}

/// Says that an agent reported quiet is heard from again.
pub(crate) fn heard_line(heard: &QuietAgent) -> String {
    let (i, n) = (heard.agent, heard.agents);
    let quiet_for = format_duration(heard.quiet_for);
    if heard.joined {
        format!("agent {i} of {n} is heard from again, after {quiet_for} quiet")
    } else {
        format!("agent {i} of {n} joined, after {quiet_for}")
    }
}

/// What a follower of agents' journals (`sweep serve --exchange`) says of the study it follows:
/// whom it waits for, on the study's dashboard page and standard error.
pub(crate) struct FollowObserver {
    /// The experiment followed, which its notices are shown under.
    pub(crate) experiment: String,
    /// Where the study's dashboard page shows whom the study waits for.
    pub(crate) notices: Notices,
}

impl Observer for FollowObserver {
    fn agent_quiet(&self, quiet: &QuietAgent) {
        let said = quiet_line(quiet);
        say!(
            "{}: {}",
            crate::output::visible(&self.experiment),
            crate::output::visible(&said)
        );
        self.notices.set(&self.experiment, &agent_key(quiet), said);
    }

    fn agent_heard(&self, heard: &QuietAgent) {
        say!(
            "{}: {}",
            crate::output::visible(&self.experiment),
            crate::output::visible(&heard_line(heard))
        );
        self.notices.clear(&self.experiment, &agent_key(heard));
    }
}
