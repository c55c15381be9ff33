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

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use experiment::{MetricPoint, Step, Trial, TrialId, WarmStarted};

use crate::records::journal::{decode_line, encode_line, Line};
use crate::{handover, Error, Result, TestResult};

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
    /// The trial started (again, from scratch, if it had started before), as stored.
    Start(Trial),
    /// The trial reported these metrics at `step`.
    Report {
        /// The trial.
        trial: TrialId,
        /// The step (epoch).
        step: Step,
        /// Every metric of the report, in the order given.
        metrics: Vec<MetricPoint>,
    },
    /// The trial ended, as stored.
    Finish(Trial),
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
            JournalEvent::Start(t) | JournalEvent::Finish(t) => Some(t.id),
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
    /// own (started again with the right settings, it joins).
    pub fn join(dir: &Path, me: AgentHeader) -> Result<(Exchange, Vec<JournalEvent>)> {
        let folder = dir.join(&me.experiment);
        if let Some(problem) = header_problem(&me) {
            return Err(journal_error(
                &journal_path(&folder, me.agent),
                None,
                problem,
            ));
        }
        std::fs::create_dir_all(&folder).map_err(|e| io_error(&folder, &e))?;
        let own_path = journal_path(&folder, me.agent);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&own_path)
            .map_err(|e| io_error(&own_path, &e))?;
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
            *lock(&exchange.unread) = exchange.poll_placed()?;
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

/// Follows every agent's journal of one experiment in an exchange folder without taking part:
/// what `sweep serve --exchange` shows a study from. The first journal found gives the study's
/// header; every journal must then hold the same (but for the agent's number).
#[derive(Debug)]
pub struct Watcher {
    folder: PathBuf,
    header: Option<AgentHeader>,
    tails: Vec<Tail>,
}

impl Watcher {
    /// Returns a watcher of experiment `experiment` in the exchange folder `dir`; it reads
    /// nothing before `poll`.
    pub fn new(dir: &Path, experiment: &str) -> Watcher {
        Watcher {
            folder: dir.join(experiment),
            header: None,
            tails: Vec::new(),
        }
    }

    /// Returns the experiments whose agents meet in the exchange folder `dir`: its folders
    /// holding a journal, by name.
    pub fn experiments(dir: &Path) -> Result<Vec<String>> {
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| journals(&e.path()).is_some_and(|j| !j.is_empty()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Returns what the last `poll` saw of each agent's journal, by agent number.
    pub fn journals(&self) -> Vec<PeerJournal> {
        self.tails.iter().map(Tail::seen).collect()
    }

    /// Returns whether `folder` is one study's folder of an exchange (it holds journals), not
    /// the exchange folder itself.
    pub fn is_study_folder(folder: &Path) -> bool {
        journals(folder).is_some_and(|j| !j.is_empty())
    }

    /// Returns the study's header, once a journal holds one.
    pub fn header(&self) -> Option<&AgentHeader> {
        self.header.as_ref()
    }

    /// Returns the study's header, reading it from the first journal that holds one if need
    /// be; reads no event.
    pub fn read_header(&mut self) -> Result<Option<&AgentHeader>> {
        if self.header.is_none() {
            if let Some(header) = self.first_header()? {
                self.tails = (0..header.agents)
                    .map(|agent| Tail {
                        agent,
                        path: journal_path(&self.folder, agent),
                        offset: 0,
                        lines: 0,
                        stamp: None,
                    })
                    .collect();
                self.header = Some(header);
            }
        }
        Ok(self.header.as_ref())
    }

    /// Returns what every agent's journal gained since the last call (everything at the
    /// first), by agent number; nothing before a journal holds the study's header.
    pub fn poll(&mut self) -> Result<Vec<(u32, JournalEvent)>> {
        Ok(unplaced(self.poll_placed()?))
    }

    /// Returns what `poll` does, each event with its journal and line.
    pub fn poll_placed(&mut self) -> Result<Vec<Polled>> {
        self.read_header()?;
        let mut events = Vec::new();
        if let Some(header) = &self.header {
            for tail in &mut self.tails {
                follow(tail, header, "the first agent found", &mut events)?;
            }
        }
        Ok(events)
    }

    /// Forgets how far each journal was read, so that the next `poll` returns every event
    /// again from the first: after a poll failed (a damaged line, which may be mended since).
    pub fn rewind(&mut self) {
        for tail in &mut self.tails {
            tail.offset = 0;
            tail.lines = 0;
        }
    }

    /// Reads the header of the lowest-numbered journal that has one.
    fn first_header(&self) -> Result<Option<AgentHeader>> {
        for (_, path) in journals(&self.folder).unwrap_or_default() {
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
            let Some(end) = bytes.iter().position(|b| *b == b'\n') else {
                continue;
            };
            match decode(&path, 1, &bytes[..end])? {
                Line::Header(header) => return Ok(Some(header)),
                Line::Event(_) => {
                    return Err(journal_error(
                        &path,
                        Some(1),
                        "the agent's header must be the first line, and only there",
                    ))
                }
            }
        }
        Ok(None)
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

/// Reads the complete lines `tail`'s journal gained, checking its header against `base` (the
/// study's, but for the agent's number); `reader` names who reads, for a refusal.
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
        tail.offset += u64::try_from(line.len()).unwrap_or(u64::MAX) + 1;
        tail.lines += 1;
        let event = read_line(&tail.path, tail.lines, line, &expected, |found| {
            format!(
                "agent {} runs another study than {reader} ({}); every agent must run the \
                 same file, on the same data and warm start, with the same parallel and \
                 --agent count",
                tail.agent,
                differences(found, &expected).join(", ")
            )
        })?;
        events.extend(event.map(|event| Polled {
            agent: tail.agent,
            event,
            path: tail.path.clone(),
            line: tail.lines,
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

/// Returns the first 12 hex digits of a hash, as an agent's refusal names it (and `sweep
/// validate` a warm start's, so that the two can be compared).
pub fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Returns whether `found` and `expected` are headers of one study: equal, but for the experiment
/// file's text, whose copies may differ in comments, layout and quoting, as a single process's
/// file may between runs (`experiment::same_content`).
fn same_study(found: &AgentHeader, expected: &AgentHeader) -> bool {
    let but_text = |h: &AgentHeader| AgentHeader {
        spec_hash: String::new(),
        spec_text: String::new(),
        ..h.clone()
    };
    found == expected
        || (but_text(found) == but_text(expected)
            && !found.spec_text.is_empty()
            && !expected.spec_text.is_empty()
            && experiment::same_content(&found.spec_text, &expected.spec_text))
}

/// Names what differs between the header `found` and the one `expected`, each as "what: there,
/// here".
fn differences(found: &AgentHeader, expected: &AgentHeader) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |what: &str, there: String, here: String| {
        if there != here {
            out.push(format!("{what}: {there} there, {here} here"));
        }
    };
    differ(
        "experiment",
        found.experiment.clone(),
        expected.experiment.clone(),
    );
    differ("agent", found.agent.to_string(), expected.agent.to_string());
    differ(
        "agents",
        found.agents.to_string(),
        expected.agents.to_string(),
    );
    differ(
        "parallel",
        found.parallel.to_string(),
        expected.parallel.to_string(),
    );
    differ(
        "planned trials",
        found.planned.to_string(),
        expected.planned.to_string(),
    );
    let short = |hash: &str| short_hash(hash).to_string();
    differ(
        "spec text sha256",
        short(&found.spec_hash),
        short(&expected.spec_hash),
    );
    differ(
        "data sha256",
        short(&found.data_hash),
        short(&expected.data_hash),
    );
    let warm = |hash: &str| {
        if hash.is_empty() {
            "none".to_string()
        } else {
            short(hash)
        }
    };
    differ(
        "warm start sha256",
        warm(&found.warm_hash),
        warm(&expected.warm_hash),
    );
    // The file's lines that differ, last, where both journals carry the text.
    if found.spec_hash != expected.spec_hash
        && !found.spec_text.is_empty()
        && !expected.spec_text.is_empty()
    {
        let lines = text_differences(&found.spec_text, &expected.spec_text);
        if !lines.is_empty() {
            out.push(format!("the file's lines that differ: {lines}"));
        }
    }
    out
}

/// Names the lines of the experiment file's text `there` that `here` lacks, and the other way
/// round, the first few of each with their line numbers, as `line 17 there: `...`; line 17
/// here: `...``: what an agent's copy of the file changed (a copy that changed only comments
/// or layout is the same study, `same_study`, so comments show here only beside a change).
fn text_differences(there: &str, here: &str) -> String {
    const SHOWN: usize = 3;
    // Lines compared without their ends, so that line endings alone show nothing.
    let only = |text: &str, other: &str, side: &str| -> Vec<String> {
        let others: std::collections::BTreeSet<&str> = other.lines().map(str::trim_end).collect();
        text.lines()
            .map(str::trim_end)
            .enumerate()
            .filter(|(_, line)| !others.contains(line))
            .take(SHOWN)
            .map(|(i, line)| format!("line {} {side}: `{line}`", i + 1))
            .collect()
    };
    let mut said = only(there, here, "there");
    said.extend(only(here, there, "here"));
    said.join("; ")
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

/// Returns what is wrong with a header's counts, if anything: each agent of a study gets a
/// reader of its journal, so a count past any real study's (hand-edited, damaged) would ask for
/// memory no machine has.
fn header_problem(h: &AgentHeader) -> Option<String> {
    if !(1..=MAX_AGENTS).contains(&h.agents) || h.agent >= h.agents {
        return Some(format!(
            "the header says agent {} of {}, where agents count from 1 to {MAX_AGENTS} and are \
             numbered from 0 below their count",
            h.agent, h.agents
        ));
    }
    (h.planned == 0 || h.parallel == 0).then(|| {
        format!(
            "the header plans {} trials, {} side by side, where at least 1 of each belongs",
            h.planned, h.parallel
        )
    })
}

fn append(file: &mut File, path: &Path, line: &Line) -> Result<()> {
    let mut bytes = encode_line(line);
    bytes.push(b'\n');
    file.write_all(&bytes).map_err(|e| io_error(path, &e))
}

fn journal_error(path: &Path, line: Option<u64>, detail: impl Into<String>) -> Error {
    Error::Journal {
        path: path.to_path_buf(),
        line,
        detail: detail.into(),
    }
}

fn io_error(path: &Path, e: &io::Error) -> Error {
    journal_error(path, None, e.to_string())
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use experiment::{ParamValue, Params, Seed, TrialState};

    use super::*;

    fn header(agent: u32) -> AgentHeader {
        AgentHeader {
            experiment: "digits".into(),
            agent,
            agents: 2,
            parallel: 2,
            planned: 8,
            spec_hash: "ab".repeat(32),
            data_hash: "cd".repeat(32),
            spec_text: "name: digits\n".into(),
            warm_hash: String::new(),
        }
    }

    fn trial(id: u32, state: TrialState) -> Trial {
        let mut params = Params::new();
        params.insert("lr".into(), ParamValue::Float(0.1 + f64::EPSILON));
        Trial {
            id: TrialId(id),
            seed: Seed(u64::MAX - 1),
            params,
            state,
            reason: None,
            started: None,
            finished: None,
            result: None,
        }
    }

    fn report(id: u32, step: u32) -> JournalEvent {
        JournalEvent::Report {
            trial: TrialId(id),
            step: Step(step),
            metrics: vec![
                MetricPoint {
                    name: "val_loss".into(),
                    value: f64::NAN,
                },
                MetricPoint {
                    name: "accuracy".into(),
                    value: 1.0 / 3.0,
                },
            ],
        }
    }

    #[test]
    fn agents_read_each_others_events_once_and_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let (a, earlier) = Exchange::join(dir.path(), header(0)).unwrap();
        assert!(earlier.is_empty());
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        assert!(
            a.poll().unwrap().is_empty(),
            "b has written only its header"
        );
        let events = [
            JournalEvent::Start(trial(1, TrialState::Running)),
            report(1, 1),
            JournalEvent::Finish(trial(1, TrialState::Completed)),
            JournalEvent::Skip(TrialId(3)),
            JournalEvent::Tested(TestResult {
                trial: TrialId(1),
                metrics: [
                    ("test_accuracy".to_string(), 0.1 + 0.2),
                    ("test_loss".to_string(), 1e-300),
                ]
                .into(),
            }),
            JournalEvent::Warm(WarmStarted {
                source: "runs/past.csv".into(),
                trials: vec![
                    trial(0, TrialState::Completed),
                    trial(1, TrialState::Pruned),
                ],
                left_out: vec!["line 4: `lr` = 3: must be in [0.001, 1], found 3".into()],
            }),
        ];
        b.publish(&events[0]).unwrap();
        b.publish(&events[1]).unwrap();
        let got = a.poll().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (1, events[0].clone()));
        // NaN is not equal to itself: compare the report's bits.
        let (1, JournalEvent::Report { metrics, .. }) = &got[1] else {
            panic!("a report from agent 1")
        };
        assert!(metrics[0].value.is_nan());
        assert_eq!(metrics[1].value.to_bits(), (1.0f64 / 3.0).to_bits());
        b.publish(&events[2]).unwrap();
        b.publish(&events[3]).unwrap();
        b.publish(&events[4]).unwrap();
        b.publish(&events[5]).unwrap();
        let got = a.poll().unwrap();
        assert_eq!(
            got,
            [
                (1, events[2].clone()),
                (1, events[3].clone()),
                (1, events[4].clone()),
                (1, events[5].clone())
            ]
        );
        assert!(
            b.poll().unwrap().is_empty(),
            "a has written only its header"
        );
    }

    #[test]
    fn a_watcher_follows_every_agent_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = Watcher::new(dir.path(), "digits");
        assert!(watcher.poll().unwrap().is_empty(), "no journal yet");
        assert!(watcher.header().is_none());
        assert!(Watcher::experiments(dir.path()).unwrap().is_empty());
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
        assert_eq!(
            watcher.poll().unwrap(),
            [(1, JournalEvent::Skip(TrialId(3)))]
        );
        assert_eq!(
            watcher.header().map(|h| h.spec_text.as_str()),
            Some("name: digits\n")
        );
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        a.publish(&JournalEvent::Skip(TrialId(2))).unwrap();
        b.publish(&JournalEvent::Skip(TrialId(5))).unwrap();
        assert_eq!(
            watcher.poll().unwrap(),
            [
                (0, JournalEvent::Skip(TrialId(2))),
                (1, JournalEvent::Skip(TrialId(5)))
            ]
        );
        assert!(watcher.poll().unwrap().is_empty());
        assert_eq!(Watcher::experiments(dir.path()).unwrap(), ["digits"]);
        // The watcher wrote nothing: the two journals are the exchange's only files.
        let files = std::fs::read_dir(dir.path().join("digits"))
            .unwrap()
            .count();
        assert_eq!(files, 2);
        // A journal of another study in the folder is refused, naming what differs.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let mut lines = std::fs::read_to_string(dir.path().join("digits/agent-0.jsonl")).unwrap();
        std::fs::write(other.join("agent-0.jsonl"), &lines).unwrap();
        lines = lines.replace("\"planned\":8", "\"planned\":9");
        std::fs::write(
            other.join("agent-1.jsonl"),
            lines.replace("\"agent\":0", "\"agent\":1"),
        )
        .unwrap();
        let mut watcher = Watcher::new(dir.path(), "other");
        let err = watcher.poll().unwrap_err().to_string();
        assert!(
            err.contains("agent 1 runs another study than the first agent found")
                && err.contains("planned trials: 9 there, 8 here"),
            "{err}"
        );
    }

    #[test]
    fn a_journal_stamp_changes_when_its_agent_writes_or_touches_it() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        a.poll().unwrap();
        let seen = a.peer_journals();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].agent, 1);
        assert!(seen[0].path.ends_with("digits/agent-1.jsonl"));
        assert_eq!(seen[0].stamp, None, "agent 1 has not joined");
        // An agent refused before writing its header leaves an empty journal: still not joined.
        let path = dir.path().join("digits").join("agent-1.jsonl");
        std::fs::write(&path, "").unwrap();
        a.poll().unwrap();
        assert_eq!(a.peer_journals()[0].stamp, None);

        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        a.poll().unwrap();
        let joined = a.peer_journals()[0].stamp.expect("agent 1 joined");
        a.poll().unwrap();
        assert_eq!(a.peer_journals()[0].stamp, Some(joined), "nothing changed");

        // A touch with the clock far from the last write's: the length stays, the time moves.
        let file = OpenOptions::new().append(true).open(b.own_path()).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH).unwrap();
        b.touch().unwrap();
        a.poll().unwrap();
        let touched = a.peer_journals()[0].stamp.unwrap();
        assert_eq!(touched.0, joined.0);
        assert_ne!(touched, joined);

        b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
        a.poll().unwrap();
        assert!(a.peer_journals()[0].stamp.unwrap().0 > joined.0);
    }

    #[test]
    fn a_torn_line_is_not_read_and_is_cut_when_its_agent_starts_again() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        b.publish(&JournalEvent::Skip(TrialId(5))).unwrap();
        let path = b.own_path().to_path_buf();
        drop(b);
        // Agent 1 was killed in the middle of a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"v":1,"skip":{"tri"#).unwrap();
        assert_eq!(
            a.poll().unwrap(),
            [(1, JournalEvent::Skip(TrialId(5)))],
            "the torn line waits"
        );
        let (b, earlier) = Exchange::join(dir.path(), header(1)).unwrap();
        assert_eq!(earlier, [JournalEvent::Skip(TrialId(5))]);
        b.publish(&JournalEvent::Skip(TrialId(7))).unwrap();
        assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(7)))]);
    }

    #[test]
    fn a_second_process_with_the_same_agent_number_is_refused_while_the_first_runs() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = Exchange::join(dir.path(), header(1)).unwrap();
        let message = Exchange::join(dir.path(), header(1))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("agent-1.jsonl: agent 1 of this study is running already"),
            "{message}"
        );
        // Ended (a requeued job whose first run died), it is let in again.
        drop(first);
        assert!(Exchange::join(dir.path(), header(1)).is_ok());
    }

    #[test]
    fn an_agent_of_another_study_is_refused_with_what_differs() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let other = AgentHeader {
            parallel: 4,
            ..header(1)
        };
        let message = Exchange::join(dir.path(), other).unwrap_err().to_string();
        assert!(
            message.contains("agent-0.jsonl:1: agent 0 runs another study than this agent 1"),
            "{message}"
        );
        assert!(message.contains("parallel: 2 there, 4 here"), "{message}");
        // Refused, it wrote nothing: started again with the right settings, it joins.
        let (b, earlier) = Exchange::join(dir.path(), header(1)).unwrap();
        assert!(earlier.is_empty());
        b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
        assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(3)))]);
        // Agents that joined at once with other settings (neither saw the other's header)
        // refuse each other when they read it.
        let race = tempfile::tempdir().unwrap();
        let (c, _) = Exchange::join(race.path(), header(0)).unwrap();
        let racing = Line::Header(AgentHeader {
            parallel: 4,
            ..header(1)
        });
        let path = race.path().join("digits").join("agent-1.jsonl");
        std::fs::write(&path, [encode_line(&racing), b"\n".to_vec()].concat()).unwrap();
        let message = c.poll().unwrap_err().to_string();
        assert!(
            message.contains("agent-1.jsonl:1: agent 1 runs another study than this agent 0"),
            "{message}"
        );
        assert!(message.contains("parallel: 4 there, 2 here"), "{message}");
        // The same agent started again with other settings (once the first has ended).
        drop(a);
        let again = AgentHeader {
            planned: 9,
            ..header(0)
        };
        let message = Exchange::join(dir.path(), again).unwrap_err().to_string();
        assert!(
            message.contains("planned trials: 8 there, 9 here"),
            "{message}"
        );
        // Another copy of the same file, but for a comment and its layout, is the same study.
        let copy = AgentHeader {
            spec_hash: "12".repeat(32),
            spec_text: "# my copy\nname:   'digits'\nrun_cap: 8\n".into(),
            ..header(1)
        };
        let same = race.path().join("same");
        let text = AgentHeader {
            spec_text: "name: digits\nrun_cap: 8\n".into(),
            ..header(0)
        };
        let (first, _) = Exchange::join(&same, text.clone()).unwrap();
        let (joined, _) = Exchange::join(&same, copy).unwrap();
        joined.publish(&JournalEvent::Skip(TrialId(1))).unwrap();
        assert_eq!(first.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(1)))]);
        // Another copy of the file: the lines that differ are named.
        let edited = AgentHeader {
            spec_hash: "ef".repeat(32),
            spec_text: "name: digits\nrun_cap: 9\n# mine\n".into(),
            ..header(1)
        };
        let (_, _) = Exchange::join(race.path().join("text").as_path(), text).unwrap();
        let message = Exchange::join(race.path().join("text").as_path(), edited)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(
                "spec text sha256: abababababab there, efefefefefef here, the file's lines that \
                 differ: line 2 there: `run_cap: 8`; line 2 here: `run_cap: 9`; line 3 here: \
                 `# mine`"
            ),
            "{message}"
        );
    }

    #[test]
    fn agents_warm_started_from_other_trials_refuse_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let warm = |hash: &str, agent| AgentHeader {
            warm_hash: hash.into(),
            ..header(agent)
        };
        let (a, _) = Exchange::join(dir.path(), warm(&"ef".repeat(32), 0)).unwrap();
        let message = Exchange::join(dir.path(), warm(&"01".repeat(32), 1))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("warm start sha256: efefefefefef there, 010101010101 here")
                && message.contains("on the same data and warm start"),
            "{message}"
        );
        let message = Exchange::join(dir.path(), header(1))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("warm start sha256: efefefefefef there, none here"),
            "{message}"
        );
        let (b, _) = Exchange::join(dir.path(), warm(&"ef".repeat(32), 1)).unwrap();
        b.publish(&JournalEvent::Skip(TrialId(3))).unwrap();
        assert_eq!(a.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(3)))]);
        // Without a warm start the header is written as before agents could have one, so
        // that an agent of an earlier version reads it.
        let line = String::from_utf8(encode_line(&Line::Header(header(0)))).unwrap();
        assert!(!line.contains("warm"), "{line}");
        assert!(String::from_utf8(encode_line(&Line::Header(warm("ef", 0))))
            .unwrap()
            .contains(r#""warm_hash":"ef""#));
    }

    #[test]
    fn issue_aud_3_a_line_that_is_not_a_journal_line_names_its_file_line_and_column_only() {
        for (line, said) in [
            (
                r#"{"v":1,"start":42}"#,
                "invalid type: integer `42`, expected struct TrialRecordV1 at column 18",
            ),
            (
                r#"{"v":1,"skip":{"trial":3} "x"}"#,
                "not JSON: expected `,` or `}` at column 27",
            ),
            ("", "blank line, where each line is one JSON object"),
            (
                r#"{"v":1,"skip":{"tri"#,
                "the line ends at column 19 before its JSON object does",
            ),
            (
                r#"{"v":1,"restart":{}}"#,
                "unknown event: not an agent's header, start, report, finish, skip, abort, warm \
                 or tested",
            ),
            (
                r#"{"v":2,"skip":{"trial":3}}"#,
                "journal line version 2, which this sweep does not read (a newer sweep wrote it)",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
            let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
            let path = b.own_path().to_path_buf();
            drop(b);
            let mut file = OpenOptions::new().append(true).open(&path).unwrap();
            file.write_all(format!("{line}\n").as_bytes()).unwrap();
            let message = a.poll().unwrap_err().to_string();
            assert_eq!(
                message,
                format!("agent journal {}:2: {said}", path.display()),
                "{line}"
            );
        }
    }

    #[test]
    fn an_unknown_value_inside_a_known_event_is_not_called_an_unknown_event() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        b.publish(&JournalEvent::Start(trial(1, TrialState::Running)))
            .unwrap();
        let path = b.own_path().to_path_buf();
        drop(b);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"running\""), "{text}");
        std::fs::write(&path, text.replace("\"running\"", "\"runing\"")).unwrap();
        let message = a.poll().unwrap_err().to_string();
        assert!(
            message.contains("unknown variant `runing`") && !message.contains("unknown event"),
            "{message}"
        );
    }

    #[test]
    fn an_event_about_a_trial_past_the_plan_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let (b, _) = Exchange::join(dir.path(), header(1)).unwrap();
        // A hand-edited line: the study plans 8 trials.
        b.publish(&JournalEvent::Start(trial(99, TrialState::Running)))
            .unwrap();
        let message = a.poll().unwrap_err().to_string();
        assert!(
            message.contains("agent-1.jsonl:2: trial 99 is past the 8 trials the study plans"),
            "{message}"
        );
    }

    #[test]
    fn a_header_with_an_agent_count_past_any_study_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = Exchange::join(dir.path(), header(0)).unwrap();
        let path = a.own_path().to_path_buf();
        drop(a);
        // Four billion agents: a reader each would take hundreds of gigabytes.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replacen("\"agents\":2", "\"agents\":4000000000", 1),
        )
        .unwrap();
        let mut watcher = Watcher::new(dir.path(), "digits");
        let message = watcher.read_header().unwrap_err().to_string();
        assert!(
            message.contains(
                "agent-0.jsonl:1: the header says agent 0 of 4000000000, where agents count from \
                 1 to 4096"
            ),
            "{message}"
        );
        // Joining through it is refused the same way, and a count in range is not.
        let mut too_many = header(0);
        too_many.agents = MAX_AGENTS + 1;
        let other = tempfile::tempdir().unwrap();
        assert!(Exchange::join(other.path(), too_many).is_err());
        let mut most = header(0);
        most.agents = MAX_AGENTS;
        let (joined, _) = Exchange::join(other.path(), most).unwrap();
        drop(joined);
        let mut watcher = Watcher::new(other.path(), "digits");
        assert_eq!(
            watcher.read_header().unwrap().map(|h| h.agents),
            Some(MAX_AGENTS)
        );
    }
}
