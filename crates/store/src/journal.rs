//! Agent journals: how sweep processes on several machines run one study together, with no
//! server of their own, under whatever starts them (a Slurm array, a Kubernetes indexed job).
//!
//! Each agent appends what happens to its trials (started, each report, finished, not started)
//! to a file of its own, `<exchange>/<experiment>/agent-<i>.jsonl`, on a folder every agent
//! sees (a shared filesystem), and reads the other agents' files from where it left off. One
//! writer per file and append-only lines make that safe without locks: a reader takes only
//! complete lines, and a writer that was killed mid-line cuts the torn tail off when it starts
//! again. Each file opens with the agent's header (the experiment, the agent's number and count,
//! `parallel`, the planned trials, the hashes of the spec text, the data and the trials a warm
//! start gave); an agent refuses a peer whose header differs, since the study's results are
//! fixed by exactly those.
//!
//! Rejected: one shared file with `flock` (locks over NFS are unreliable, and every agent
//! would contend for every epoch); sled on the shared folder (one process's database).

mod errors;
mod header;
mod watcher;

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use experiment::{MetricPoint, Step, Trial, TrialId, WarmStarted};

use crate::records::journal::{decode_line, encode_line, Line};
use crate::{handover, Result, TestResult, TrialTrace};

use errors::{io_error, journal_error, making_error};
use header::{differences, header_problem, same_study};
pub use watcher::Watcher;

/// The most agents one study may have (`--agent I/N`): past any cluster's job array, and a
/// reader of each one's journal is made.
pub const MAX_AGENTS: u32 = 4096;

/// Who an agent is and what study it runs: the first line of its journal. Agents of one study
/// have equal headers but for `agent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentHeader {
    /// The experiment's name.
    pub experiment: String,
    /// This agent's number, from 0.
    pub agent: u32,
    /// How many agents run the study.
    pub agents: u32,
    /// Trials side by side across all agents (the deterministic rule's window).
    pub parallel: u32,
    /// The trials the experiment plans.
    pub planned: u32,
    /// The hash of the experiment file's text.
    pub spec_hash: String,
    /// The hash of the data (empty when unknown).
    pub data_hash: String,
    /// The experiment file's text, so that the study can be followed from its journals alone
    /// (`Watcher`); empty in journals written before it was kept.
    pub spec_text: String,
    /// The SHA-256 of the trials a warm start gave the study (`warm_start_digest`); empty
    /// without one.
    pub warm_hash: String,
}

/// What an agent tells the others about one of its trials, or about itself.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalEvent {
    /// The trial started (again, from scratch, if it had started before), as stored, with its
    /// trace (the attempts cut off before this one).
    Start(Trial, TrialTrace),
    /// The trial reported these metrics at `step`.
    Report {
        /// The trial.
        trial: TrialId,
        /// The step (epoch).
        step: Step,
        /// Every metric of the report, in the order given.
        metrics: Vec<MetricPoint>,
    },
    /// The trial ended, as stored, with its trace.
    Finish(Trial, TrialTrace),
    /// The trial will not start: an earlier trial reached the objective's target.
    Skip(TrialId),
    /// The agent stopped on an error; the others cannot go on without it.
    Abort(String),
    /// The agent measured the study's best trial, one of its own, on the test split: the
    /// others take the result rather than train that trial again.
    Tested(TestResult),
    /// The trials the study's warm start gave (`warm_start:`), published once, by agent 0, for
    /// a follower to show (`sweep serve --exchange`); every agent takes its own, and the
    /// headers' `warm_hash` says they agree.
    Warm(WarmStarted),
}

impl JournalEvent {
    /// Returns the trial the event is about, if it is about one.
    pub fn trial(&self) -> Option<TrialId> {
        match self {
            JournalEvent::Start(t, _) | JournalEvent::Finish(t, _) => Some(t.id),
            JournalEvent::Report { trial, .. } | JournalEvent::Skip(trial) => Some(*trial),
            JournalEvent::Tested(result) => Some(result.trial),
            JournalEvent::Abort(_) | JournalEvent::Warm(_) => None,
        }
    }
}

/// One agent's end of the exchange: its own journal to append to, and the others' to follow.
#[derive(Debug)]
pub struct Exchange {
    me: AgentHeader,
    own_path: PathBuf,
    own: Mutex<File>,
    peers: Mutex<Vec<Tail>>,
    /// Events read while joining, which the first `poll` returns.
    unread: Mutex<Vec<Polled>>,
}

/// How far another agent's journal has been read.
#[derive(Debug)]
struct Tail {
    agent: u32,
    path: PathBuf,
    /// Bytes read so far: always the end of a complete line.
    offset: u64,
    /// Lines read so far.
    lines: u64,
    /// Its length and modification time at the last poll; `None` while it did not exist.
    stamp: Option<Stamp>,
}

/// A journal's length and modification time: it changes when its agent writes or `touch`es it.
/// Compared only with earlier stamps of the same file, so the machines' clocks need not agree.
pub type Stamp = (u64, Option<SystemTime>);

/// What an agent last saw of another agent's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerJournal {
    /// The other agent's number.
    pub agent: u32,
    /// Its journal.
    pub path: PathBuf,
    /// The journal's stamp at the last `poll`; `None` while the agent has not joined (no
    /// journal, or an empty one).
    pub stamp: Option<Stamp>,
}

/// An event read from another agent's journal, with where: so that a line no agent could have
/// written is refused at its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Polled {
    /// The agent whose journal it is.
    pub agent: u32,
    /// The event.
    pub event: JournalEvent,
    /// The journal.
    pub path: PathBuf,
    /// Its line in the journal, from 1 (the header's).
    pub line: u64,
}

impl Exchange {
    /// Joins the study in `dir` as `me`: creates its journal, or opens the one an earlier run
    /// of the same agent left (cutting a torn last line off) and returns the events it holds.
    ///
    /// An earlier journal written with another header is refused, with what differs; so is a
    /// new agent whose header differs from another agent's already there, before it writes its
    /// own, leaving no journal (started again with the right settings, it joins). An exchange
    /// folder this user may not write is said to be.
    pub fn join(dir: &Path, me: AgentHeader) -> Result<(Exchange, Vec<JournalEvent>)> {
        let folder = dir.join(&me.experiment);
        if let Some(problem) = header_problem(&me) {
            return Err(journal_error(
                &journal_path(&folder, me.agent),
                None,
                problem,
            ));
        }
        std::fs::create_dir_all(&folder).map_err(|e| making_error(dir, &folder, &e))?;
        let own_path = journal_path(&folder, me.agent);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&own_path)
            .map_err(|e| making_error(&folder, &own_path, &e))?;
        // Held while this agent runs: a second process given the same `--agent` (a job
        // started twice, or requeued while the first still runs) would run the same trials
        // and write the same journal. (A filesystem without locks lets it through.)
        if let Err(std::fs::TryLockError::WouldBlock) = file.try_lock() {
            return Err(journal_error(
                &own_path,
                None,
                format!(
                    "agent {} of this study is running already: another process holds its \
                     journal; two processes with the same --agent would run the same trials, so \
                     stop one, or give this one the --agent number it was meant to have",
                    me.agent
                ),
            ));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error(&own_path, &e))?;
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        if whole < bytes.len() {
            file.set_len(u64::try_from(whole).unwrap_or(u64::MAX))
                .map_err(|e| io_error(&own_path, &e))?;
        }
        let mut events = Vec::new();
        for (index, line) in lines(&bytes[..whole]).enumerate() {
            let number = u64::try_from(index).unwrap_or(u64::MAX) + 1;
            let event = read_line(&own_path, number, line, &me, |found| {
                format!(
                    "an earlier run of agent {} wrote this journal with other settings ({}); run \
                     it with the same ones, or give every agent a new --exchange folder",
                    me.agent,
                    differences(found, &me).join(", ")
                )
            })?;
            events.extend(event);
        }
        let peers = (0..me.agents)
            .filter(|a| *a != me.agent)
            .map(|agent| Tail {
                agent,
                path: journal_path(&folder, agent),
                offset: 0,
                lines: 0,
                stamp: None,
            })
            .collect();
        let exchange = Exchange {
            me,
            own_path,
            own: Mutex::new(file),
            peers: Mutex::new(peers),
            unread: Mutex::new(Vec::new()),
        };
        if whole == 0 {
            // Refused before it wrote anything, it leaves no journal (an empty one would be
            // an agent that joined, or was refused, to whoever lists the folder).
            *lock(&exchange.unread) = exchange.poll_placed().inspect_err(|_| {
                // (Its lock held; failing, the empty file is what readers take as not joined.)
                let _ = std::fs::remove_file(&exchange.own_path);
            })?;
            let header = Line::Header(exchange.me.clone());
            append(&mut lock(&exchange.own), &exchange.own_path, &header)?;
        }
        Ok((exchange, events))
    }

    /// Returns this agent's number.
    pub fn agent(&self) -> u32 {
        self.me.agent
    }

    /// Returns the path of this agent's journal.
    pub fn own_path(&self) -> &Path {
        &self.own_path
    }

    /// Appends `event` to this agent's journal, as one line written at once.
    pub fn publish(&self, event: &JournalEvent) -> Result<()> {
        let mut file = lock(&self.own);
        append(&mut file, &self.own_path, &Line::Event(event.clone()))
    }

    /// Copies trial `trial`'s checkpoint from `from` (this agent's `checkpoint_dir` of the
    /// experiment) into the study's folder, for the other agents and followers to adopt when
    /// they store its test-split result. Returns false when `from` holds none.
    pub fn share_checkpoint(&self, from: &Path, trial: TrialId) -> Result<bool> {
        handover::share(self.study_folder(), from, trial)
    }

    /// Copies the checkpoint of trial `trial` that another agent shared into `to` (this
    /// agent's `checkpoint_dir` of the experiment), unless `to` has it. Returns whether it did.
    pub fn adopt_checkpoint(&self, to: &Path, trial: TrialId) -> Result<bool> {
        handover::adopt(self.study_folder(), to, trial)
    }

    /// Returns the file that holds trial `trial`'s checkpoint once shared (its sidecar, written
    /// last), which `adopt_checkpoint` looks for.
    pub fn shared_checkpoint(&self, trial: TrialId) -> PathBuf {
        handover::shared_sidecar(self.study_folder(), trial)
    }

    /// Returns the study's folder in the exchange, which holds the journals.
    fn study_folder(&self) -> &Path {
        self.own_path.parent().unwrap_or(Path::new("."))
    }

    /// Tells the others this agent is alive without writing a line: sets its journal's
    /// modification time to now, which changes its `Stamp`.
    pub fn touch(&self) -> Result<()> {
        lock(&self.own)
            .set_modified(SystemTime::now())
            .map_err(|e| io_error(&self.own_path, &e))
    }

    /// Returns what the last `poll` saw of each other agent's journal, by agent number.
    pub fn peer_journals(&self) -> Vec<PeerJournal> {
        lock(&self.peers).iter().map(Tail::seen).collect()
    }

    /// Returns the events the other agents appended since the last call (all of them at the
    /// first), by agent number, each agent's in the order written. A journal not there yet is
    /// an agent that has not started.
    pub fn poll(&self) -> Result<Vec<(u32, JournalEvent)>> {
        Ok(unplaced(self.poll_placed()?))
    }

    /// Returns what `poll` does, each event with its journal and line.
    pub fn poll_placed(&self) -> Result<Vec<Polled>> {
        let mut peers = lock(&self.peers);
        let mut events = std::mem::take(&mut *lock(&self.unread));
        for tail in peers.iter_mut() {
            self.follow(tail, &mut events)?;
        }
        Ok(events)
    }

    /// Reads the complete lines `tail`'s journal gained.
    fn follow(&self, tail: &mut Tail, events: &mut Vec<Polled>) -> Result<()> {
        follow(
            tail,
            &self.me,
            &format!("this agent {}", self.me.agent),
            events,
        )
    }
}

/// Returns `events` without their places.
fn unplaced(events: Vec<Polled>) -> Vec<(u32, JournalEvent)> {
    events.into_iter().map(|p| (p.agent, p.event)).collect()
}

/// Returns the journals in an experiment's exchange folder, by agent number; `None` when the
/// folder cannot be read.
fn journals(folder: &Path) -> Option<Vec<(u32, PathBuf)>> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let agent = name
                .strip_prefix("agent-")?
                .strip_suffix(".jsonl")?
                .parse()
                .ok()?;
            Some((agent, e.path()))
        })
        .collect();
    found.sort();
    Some(found)
}

/// Reads the complete lines `tail`'s journal gained into `events`, checking its header against
/// `base` (the study's, but for the agent's number); `reader` names who reads, for a refusal. A
/// line that does not read ends the reading with its error: `events` holds those before it,
/// and `tail` stays before it, to read it again.
fn follow(
    tail: &mut Tail,
    base: &AgentHeader,
    reader: &str,
    events: &mut Vec<Polled>,
) -> Result<()> {
    let mut file = match File::open(&tail.path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound && tail.offset == 0 => return Ok(()),
        Err(e) => return Err(io_error(&tail.path, &e)),
    };
    let metadata = file.metadata().map_err(|e| io_error(&tail.path, &e))?;
    let len = metadata.len();
    // Empty, the journal is an agent that has not joined yet (or was refused).
    tail.stamp = (len > 0).then(|| (len, metadata.modified().ok()));
    if len < tail.offset {
        return Err(journal_error(
            &tail.path,
            None,
            format!(
                "the journal shrank from {} to {len} bytes while it was being read; was the \
                 exchange folder removed or rewritten?",
                tail.offset
            ),
        ));
    }
    file.seek(SeekFrom::Start(tail.offset))
        .map_err(|e| io_error(&tail.path, &e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| io_error(&tail.path, &e))?;
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let expected = AgentHeader {
        agent: tail.agent,
        ..base.clone()
    };
    for line in lines(&bytes[..whole]) {
        let number = tail.lines + 1;
        let event = read_line(&tail.path, number, line, &expected, |found| {
            format!(
                "agent {} runs another study than {reader} ({}); every agent must run the \
                 same file, on the same data and warm start, with the same parallel and \
                 --agent count",
                tail.agent,
                differences(found, &expected).join(", ")
            )
        })?;
        tail.offset += u64::try_from(line.len()).unwrap_or(u64::MAX) + 1;
        tail.lines = number;
        events.extend(event.map(|event| Polled {
            agent: tail.agent,
            event,
            path: tail.path.clone(),
            line: number,
        }));
    }
    Ok(())
}

impl Tail {
    /// Returns what the last read saw of this journal.
    fn seen(&self) -> PeerJournal {
        PeerJournal {
            agent: self.agent,
            path: self.path.clone(),
            stamp: self.stamp,
        }
    }
}

/// Returns the journal of agent `agent` in an experiment's exchange folder.
fn journal_path(folder: &Path, agent: u32) -> PathBuf {
    folder.join(format!("agent-{agent}.jsonl"))
}

/// Returns the lines of `bytes` (complete lines only) without their newlines.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\n").unwrap_or(line))
}

/// Reads line `number` of the journal at `path`: `None` for the header, which must be the first
/// line and equal `expected` (else the error `refused` words), the event otherwise.
fn read_line(
    path: &Path,
    number: u64,
    bytes: &[u8],
    expected: &AgentHeader,
    refused: impl FnOnce(&AgentHeader) -> String,
) -> Result<Option<JournalEvent>> {
    match (number, decode(path, number, bytes)?) {
        (1, Line::Header(found)) if same_study(&found, expected) => Ok(None),
        (1, Line::Header(found)) => Err(journal_error(path, Some(1), refused(&found))),
        (1, Line::Event(_)) | (_, Line::Header(_)) => Err(journal_error(
            path,
            Some(number),
            "the agent's header must be the first line, and only there",
        )),
        (_, Line::Event(event)) => match event.trial().filter(|t| t.0 >= expected.planned) {
            // (A hand-edited line: no agent numbers a trial past the plan.)
            Some(trial) => Err(journal_error(
                path,
                Some(number),
                format!(
                    "trial {trial} is past the {} the study plans",
                    experiment::counted(expected.planned, "trial", "trials")
                ),
            )),
            None => Ok(Some(event)),
        },
    }
}

fn decode(path: &Path, line: u64, bytes: &[u8]) -> Result<Line> {
    let decoded = decode_line(bytes).map_err(|e| journal_error(path, Some(line), e))?;
    if let Some(problem) = match &decoded {
        Line::Header(h) => header_problem(h),
        Line::Event(_) => None,
    } {
        return Err(journal_error(path, Some(line), problem));
    }
    Ok(decoded)
}

fn append(file: &mut File, path: &Path, line: &Line) -> Result<()> {
    let mut bytes = encode_line(line);
    bytes.push(b'\n');
    file.write_all(&bytes).map_err(|e| io_error(path, &e))
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests;
