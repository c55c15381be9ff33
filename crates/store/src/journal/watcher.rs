//! `Watcher`: following every agent's journal of one experiment without taking part, as
//! `sweep serve --exchange` shows a study.

use std::path::{Path, PathBuf};

use super::{
    decode, follow, io_error, journal_error, journal_path, journals, unplaced, AgentHeader,
    JournalEvent, Line, PeerJournal, Polled, Tail,
};
use crate::{Error, Result};

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

    /// Returns what `poll_placed` does, reading on past a journal that does not read (a
    /// damaged line, another study's header): each journal's events up to the line that does
    /// not read, which the next call reads again, and the error of each such journal, by
    /// agent number; so that a follower shows what the agents said before a damaged line.
    pub fn poll_readable(&mut self) -> (Vec<Polled>, Vec<Error>) {
        if let Err(error) = self.read_header() {
            return (Vec::new(), vec![error]);
        }
        let mut events = Vec::new();
        let mut errors = Vec::new();
        if let Some(header) = &self.header {
            for tail in &mut self.tails {
                if let Err(error) = follow(tail, header, "the first agent found", &mut events) {
                    errors.push(error);
                }
            }
        }
        (events, errors)
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
