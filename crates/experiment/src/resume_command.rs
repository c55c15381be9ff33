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
    /// The spec file the experiment was last run from, as its store keeps it
    /// (`Resume::spec_file`).
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

/// Stands for the spec file in a command whose store keeps its path with a replacement
/// character (U+FFFD, for bytes that were not UTF-8): that text names no file, so the shell is
/// given what it refuses as it stands, as for `UNKNOWN_EXCHANGE`. The dashboard's rerun
/// commands write it too.
pub const UNKNOWN_SPEC: &str = "<SPEC>";

/// Returns whether `spec_path` was kept with a replacement character (it was not UTF-8), so
/// that it names no file and a command says `UNKNOWN_SPEC` in its place.
pub fn spec_path_unknown(spec_path: &str) -> bool {
    spec_path.contains(char::REPLACEMENT_CHARACTER)
}

/// Returns the note, after a command's `#`, that says what `UNKNOWN_SPEC` stands for: the file
/// kept as `kept`, the kept path already written as a shell word.
pub fn unknown_spec_note(kept: &str) -> String {
    format!(
        "the spec's path was not UTF-8: {UNKNOWN_SPEC} is the file kept as {kept}, each run of \
         bytes that were not UTF-8 written as U+FFFD; name the file as it lies"
    )
}

impl<'a> Resume<'a> {
    /// Returns the spec file an experiment was last run from, from what its store keeps: the
    /// path its text is stored with (`spec_path`: as the run was given it, or absolute where a
    /// resume read the text from another file than its run record names) and its run record's
    /// `spec_file` (`recorded`: absolute, the first run's). A relative `spec_path` names the
    /// record's file, given absolute there so that the command runs from any folder; an
    /// absolute one is the file last run from; without a record, `spec_path` as it is.
    pub fn spec_file(spec_path: &'a str, recorded: Option<&'a str>) -> &'a str {
        match recorded.filter(|file| !file.is_empty()) {
            Some(file) if !std::path::Path::new(spec_path).is_absolute() => file,
            _ => spec_path,
        }
    }

    /// Returns `sweep run SPEC --store DIR`, with `--agent I/N --exchange EXCHANGE` for an
    /// agent of a study, each path written as one shell word by `word`
    /// (`crate::shell_quote`, or a caller's quoting that also keeps control characters off a
    /// terminal). Where a path cannot be pasted, the command names a stand-in the shell refuses
    /// as it stands, rather than run with a wrong path, and says after a `#` what to put there:
    /// `<SPEC>` for a spec path kept with a replacement character (it was not UTF-8), and
    /// `--exchange <EXCHANGE>` where the agent's record does not keep the exchange folder.
    pub fn command(&self, word: impl Fn(&str) -> String) -> String {
        let mut notes = Vec::new();
        let spec = if spec_path_unknown(self.spec) {
            notes.push(unknown_spec_note(&word(self.spec)));
            UNKNOWN_SPEC.to_string()
        } else {
            word(self.spec)
        };
        let mut command = format!("sweep run {spec} --store {}", word(self.store));
        if let Some(a) = self.agent {
            let exchange = match a.exchange {
                Some(exchange) => word(exchange),
                None => {
                    notes.push(format!(
                        "{UNKNOWN_EXCHANGE}: the folder the agents share, as this agent was given \
                         it (its run record, written by an older Sweep, does not keep it); the \
                         other agents resume the same way, each with its own store and number"
                    ));
                    UNKNOWN_EXCHANGE.to_string()
                }
            };
            command = format!(
                "{command} --agent {}/{} --exchange {exchange}",
                a.agent, a.agents
            );
        }
        match notes.is_empty() {
            true => command,
            false => format!("{command}  # {}", notes.join("; ")),
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

    /// Issue: after a resume from a folder moved since, the command named the run record's
    /// spec file, the first run's, gone with the move.
    #[test]
    fn issue_the_command_names_the_file_last_run_from() {
        // Never resumed from elsewhere: the path as given, which the record keeps absolute.
        assert_eq!(
            Resume::spec_file("exp/t.yaml", Some("/abs/exp/t.yaml")),
            "/abs/exp/t.yaml"
        );
        // Resumed from another file: the absolute path stored with the text.
        assert_eq!(
            Resume::spec_file("/abs/moved/t.yaml", Some("/abs/exp/t.yaml")),
            "/abs/moved/t.yaml"
        );
        // Without a record (or an empty path in it): the path as stored.
        assert_eq!(Resume::spec_file("exp/t.yaml", None), "exp/t.yaml");
        assert_eq!(Resume::spec_file("exp/t.yaml", Some("")), "exp/t.yaml");
    }

    /// Issue: a spec path kept with a replacement character (not UTF-8) was written into the
    /// command, which then failed as naming no file.
    #[test]
    fn issue_a_spec_path_that_was_not_utf8_is_said_after_the_command() {
        assert_eq!(
            command("/abs/d\u{FFFD}ir/t.yaml", "/abs/st", None),
            "sweep run <SPEC> --store /abs/st  # the spec's path was not UTF-8: <SPEC> is the \
             file kept as '/abs/d\u{FFFD}ir/t.yaml', each run of bytes that were not UTF-8 written \
             as U+FFFD; name the file as it lies"
        );
        let agent = ResumeAgent {
            agent: 1,
            agents: 3,
            exchange: None,
        };
        let both = command("/abs/d\u{FFFD}ir/t.yaml", "/abs/st", Some(agent));
        assert!(
            both.starts_with(
                "sweep run <SPEC> --store /abs/st --agent 1/3 --exchange <EXCHANGE>  # the \
                 spec's path was not UTF-8: <SPEC> is the file kept as"
            ),
            "{both}"
        );
        assert!(
            both.contains("name the file as it lies; <EXCHANGE>: the folder"),
            "{both}"
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
