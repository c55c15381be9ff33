//! The command that resumes a sweep that stopped before its end, as `sweep show`'s `resume`
//! line, the dashboard's experiment page and its API's `resume_command` all say it: one text
//! from the facts a store and its run record keep, so that the three never differ.
//!
//! Whether a sweep is to be resumed at all (it stopped early, or was left running by a kill) is
//! the callers' to judge: they read the store's status, which this crate does not name.

/// What the command that resumes a sweep is written from: the facts a store and its run record
/// keep, as they are kept (the caller makes no path absolute here, and reads no file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume<'a> {
    /// The spec file: the absolute path the run record keeps, or, where it keeps none, the one
    /// the run was given.
    pub spec: &'a str,
    /// The store folder, as the command should name it (absolute, so that the command runs from
    /// any folder, where the caller knows it).
    pub store: &'a str,
    /// The agent of a study whose store this is, from its run record; `None` for a sweep of its
    /// own.
    pub agent: Option<ResumeAgent<'a>>,
}

/// The agent of a study a store belongs to: its store resumes only as that agent, with the
/// exchange folder the agents share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeAgent<'a> {
    /// The agent's number, from 0 (the `I` of `--agent I/N`).
    pub agent: u32,
    /// How many agents run the study (the `N`).
    pub agents: u32,
    /// The exchange folder the agents share, as this agent was given it; `None` where its run
    /// record does not keep it (written by a Sweep older than the field).
    pub exchange: Option<&'a str>,
}

/// Stands for the exchange folder in a command whose run record does not keep it: the shell
/// reads it as redirections whose `>` names no file, and refuses the command as it stands
/// rather than run it with a wrong folder.
const UNKNOWN_EXCHANGE: &str = "<EXCHANGE>";

impl Resume<'_> {
    /// Returns `sweep run SPEC --store DIR`, with `--agent I/N --exchange EXCHANGE` for an
    /// agent of a study, each path written as one shell word by `word`
    /// (`crate::shell_quote`, or a caller's quoting that also keeps control characters off a
    /// terminal). Where the agent's record does not keep the exchange folder, the command says
    /// `--exchange <EXCHANGE>` and, after a `#`, what to put there: as it stands the shell
    /// refuses it, rather than take a wrong folder.
    pub fn command(&self, word: impl Fn(&str) -> String) -> String {
        let command = format!("sweep run {} --store {}", word(self.spec), word(self.store));
        let Some(a) = self.agent else {
            return command;
        };
        match a.exchange {
            Some(exchange) => format!(
                "{command} --agent {}/{} --exchange {}",
                a.agent,
                a.agents,
                word(exchange)
            ),
            None => format!(
                "{command} --agent {}/{} --exchange {UNKNOWN_EXCHANGE}  # {UNKNOWN_EXCHANGE}: the \
                 folder the agents share, as this agent was given it (its run record, written by \
                 an older Sweep, does not keep it); the other agents resume the same way, each \
                 with its own store and number",
                a.agent, a.agents
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell_quote;

    /// Returns the command for `spec`, `store` and `agent`, quoted by `shell_quote`.
    fn command(spec: &str, store: &str, agent: Option<ResumeAgent<'_>>) -> String {
        Resume { spec, store, agent }.command(shell_quote)
    }

    #[test]
    fn a_sweep_of_its_own_resumes_with_its_spec_and_store() {
        assert_eq!(
            command("exp/t.yaml", "/abs/st", None),
            "sweep run exp/t.yaml --store /abs/st"
        );
    }

    #[test]
    fn paths_that_need_quotes_are_one_word_each() {
        let agent = ResumeAgent {
            agent: 0,
            agents: 2,
            exchange: Some("/abs/it's ex"),
        };
        assert_eq!(
            command("/abs/my exp/t.yaml", "-st", Some(agent)),
            r"sweep run '/abs/my exp/t.yaml' --store ./-st --agent 0/2 --exchange '/abs/it'\''s ex'"
        );
    }

    #[test]
    fn an_agent_resumes_as_that_agent_with_its_exchange() {
        let agent = ResumeAgent {
            agent: 1,
            agents: 3,
            exchange: Some("/abs/ex"),
        };
        assert_eq!(
            command("/abs/t.yaml", "/abs/st", Some(agent)),
            "sweep run /abs/t.yaml --store /abs/st --agent 1/3 --exchange /abs/ex"
        );
    }

    #[test]
    fn an_agent_whose_record_lacks_the_exchange_says_what_to_put_there() {
        let agent = ResumeAgent {
            agent: 1,
            agents: 3,
            exchange: None,
        };
        assert_eq!(
            command("/abs/t.yaml", "/abs/st", Some(agent)),
            "sweep run /abs/t.yaml --store /abs/st --agent 1/3 --exchange <EXCHANGE>  # \
             <EXCHANGE>: the folder the agents share, as this agent was given it (its run \
             record, written by an older Sweep, does not keep it); the other agents resume the \
             same way, each with its own store and number"
        );
    }

    #[test]
    fn the_words_are_quoted_by_the_callers_quoting() {
        let agent = ResumeAgent {
            agent: 0,
            agents: 2,
            exchange: Some("ex"),
        };
        let resume = Resume {
            spec: "t.yaml",
            store: "st",
            agent: Some(agent),
        };
        assert_eq!(
            resume.command(|w| format!("[{w}]")),
            "sweep run [t.yaml] --store [st] --agent 0/2 --exchange [ex]"
        );
    }
}
