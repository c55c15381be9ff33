//! The gate's baseline file: a versioned JSON document, read and written here and nowhere else.
//!
//! The file is meant to be committed and reviewed, so it is pretty-printed with one value per
//! repeat and says where it came from. Reading checks `format` and `version` before the rest, so
//! a file of another kind or a newer version gets a message that says so rather than a confusing
//! "missing field"; every other mistake is reported with the file, line and column serde_json
//! found it at, and what was expected there.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use experiment::{
    Aggregate, Baseline, BaselineMetric, Direction, ExperimentSpec, NoCommit, Provenance,
    RecordedRun,
};
use serde::{Deserialize, Serialize};

use crate::clock::{format_iso_utc, parse_iso_utc};

/// The value of the `format` field: what kind of file this is.
const FORMAT: &str = "sweep-gate-baseline";

/// The version of a baseline file that gives no reason for lacking a commit (a file with a
/// commit, or one from before reasons were kept) and does not say how its runs ran (a run's
/// settings make it version 4): byte for byte what every build writing version 1 wrote, so
/// that any Sweep reads it.
const VERSION_1: u32 = 1;

/// The version of a baseline file that says why it has no commit (`provenance.no_commit`):
/// a Sweep that reads only version 1 refuses it by its version, "not one this sweep reads",
/// rather than with "unknown field `no_commit`". The builds between the reason's first keeping
/// and this version wrote it in version 1 files, which still read. A run's settings make it
/// version 4.
const VERSION_2: u32 = 2;

/// The version whose `run.resolved_spec` says each setting in the words of the YAML
/// (`ExperimentSpec::readable_resolved`: `method: grid (shuffle: false)`, `parallel: 2`) and
/// nothing else, written by the builds of a short while only: the gate compares those words
/// with its own run's, as they are (`held_in_words`). The words of a build are not the words of
/// the next, so the files of version 4 keep the notation too, and compare it.
const VERSION_3: u32 = 3;

/// The version whose `run` holds both: `run.resolved_spec` in the run record's notation (what
/// versions 1 and 2 hold, and what the gate compares, so that a change of how settings are
/// written for people changes no comparison), and `run.settings` the same settings in the
/// YAML's words, for review only (read, never compared). A Sweep that reads versions 1 to 3
/// refuses the file by its version, rather than with "unknown field `settings`". Every baseline
/// that says how its runs ran is written as version 4.
const VERSION_4: u32 = 4;

/// The newest version this build reads; versions above it were written by a newer Sweep.
const NEWEST: u32 = VERSION_4;

/// The baseline file as written by versions 1 to 4: version 2 is version 1 with
/// `provenance.no_commit`, version 3 is version 2 with `run.resolved_spec` in the YAML's words,
/// version 4 is version 2 with `run.settings`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFileV1 {
    format: String,
    version: u32,
    experiment: String,
    spec_sha256: String,
    metrics: BTreeMap<String, MetricV1>,
    provenance: ProvenanceV1,
    /// How the runs ran (written since a later release of version 1; absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    run: Option<RunV1>,
}

/// How a baseline's runs ran: its resolved spec one setting a line (in the run record's
/// notation but in version 3, which holds the YAML's words), so that the gate says what changed
/// since, and, since version 4, the same settings in the YAML's words, so that a review reads
/// what it was recorded with.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunV1 {
    parallel: u32,
    data_sha256: String,
    /// What the gate compares.
    resolved_spec: Vec<String>,
    /// `resolved_spec` in the YAML's words, as the build that wrote the file wrote them: for
    /// review, never read back (version 4 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settings: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricV1 {
    aggregate: AggregateV1,
    goal: GoalV1,
    values: Vec<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AggregateV1 {
    Best,
    Median,
    Final,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum GoalV1 {
    Minimize,
    Maximize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvenanceV1 {
    commit: Option<String>,
    /// Why there is no `commit`, in the words messages say it in (`NoCommit`'s `Display`, read
    /// back with `NoCommit::from_words`, words it does not know kept as they are): written in
    /// version 2 only (and in version 1 by the builds just before it); absent before, and
    /// beside a commit. Read beside a commit, or empty, it is ignored: the file names no reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    no_commit: Option<String>,
    dirty: Option<bool>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    date: String,
    machine: String,
    sweep_version: String,
}

/// What `--update-baseline` would replace at a path, found before it trains.
#[derive(Debug)]
pub(crate) enum Existing {
    /// No file (or a folder or a device, which `writable` refuses with its own message).
    Nothing,
    /// A baseline that reads: what the new one does to the bar can be said.
    Baseline(Box<Baseline>),
    /// A Sweep baseline that does not read (its text names the format): replacing it is what
    /// `--update-baseline` is for. The message says why it does not read.
    Damaged(String),
    /// A file that is no baseline (the experiment file, a data file, a typo's victim):
    /// replacing it would lose it. The message says what it is not.
    Other(String),
}

/// Reads and checks a baseline file.
pub(crate) fn read(path: &Path) -> anyhow::Result<Baseline> {
    read_unhinted(path).map_err(|e| match e {
        Unread::Foreign(message) => anyhow::anyhow!("{message}; {WRITES_ONE}"),
        Unread::Flawed(message) => anyhow::anyhow!("{message}"),
    })
}

/// Returns what a baseline written at `path` would replace.
pub(crate) fn existing(path: &Path) -> Existing {
    if !path.is_file() {
        return Existing::Nothing;
    }
    match read_unhinted(path) {
        Ok(baseline) => Existing::Baseline(Box::new(baseline)),
        Err(Unread::Foreign(message) | Unread::Flawed(message)) => {
            // Only a file that plainly is one of ours counts as a damaged baseline.
            let ours = std::fs::read(path)
                .map(|bytes| bytes.windows(FORMAT.len()).any(|w| w == FORMAT.as_bytes()))
                .unwrap_or(false);
            if ours {
                Existing::Damaged(message)
            } else {
                Existing::Other(message)
            }
        }
    }
}

/// What a baseline error ends with when the file is no baseline at all.
const WRITES_ONE: &str = "`sweep gate FILE --update-baseline` writes one";

/// Why a file does not read as a baseline.
#[derive(Debug)]
enum Unread {
    /// The file is no baseline at all: unreadable, empty, not JSON, or JSON of another kind.
    Foreign(String),
    /// The file is a baseline, of another version or with a mistake.
    Flawed(String),
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unread::Foreign(message) | Unread::Flawed(message) => f.write_str(message),
        }
    }
}

/// Reads and checks a baseline file, with no hint of how to write one.
fn read_unhinted(path: &Path) -> Result<Baseline, Unread> {
    if path.is_dir() {
        return Err(Unread::Foreign(format!(
            "{} is a folder: name the baseline file in it (JSON, such as {}/NAME.json)",
            path.display(),
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Unread::Foreign(format!("cannot read baseline file {}: {e}", path.display()))
    })?;
    // An editor's byte-order mark is no part of the JSON.
    parse(text.strip_prefix('\u{feff}').unwrap_or(&text), path)
}

/// Checks, before a gate trains, that a baseline can be written at `path`: its folder exists
/// or can be created (it is created, and returned, so that the user hears of it: a path in the
/// file is relative to the file's folder), and `path` is not a folder.
pub(crate) fn writable(path: &Path) -> anyhow::Result<Option<std::path::PathBuf>> {
    if let Some(file) = path.ancestors().skip(1).find(|a| a.exists() && !a.is_dir()) {
        bail!("{} is a file, not a folder", file.display());
    }
    let mut created = None;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            created = Some(dir.to_path_buf());
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    if path.is_dir() {
        bail!("{} is a folder", path.display());
    }
    if path.exists() && !path.is_file() {
        bail!(
            "{} is not a file (a device or a pipe): a baseline is a file to commit",
            path.display()
        );
    }
    // A file that cannot be replaced (read-only, immutable) is found now, not after training.
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot replace {}", path.display()))?;
    }
    // So is a folder where the new file cannot be made: it is written aside there first.
    let aside = crate::whole_file::part_file(path);
    std::fs::write(&aside, b"")
        .and_then(|()| std::fs::remove_file(&aside))
        .with_context(|| {
            format!(
                "cannot write in the folder of {} (the baseline is written beside it, then \
                 renamed)",
                path.display()
            )
        })?;
    Ok(created)
}

/// Writes a baseline file, replacing any file at `path` whole: written aside and renamed, so
/// that a gate stopped part way leaves the old file or the new one, never half of one.
pub(crate) fn write(path: &Path, baseline: &Baseline) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    let what = format!("baseline file {}", path.display());
    crate::whole_file::write_whole(path, &what, |out| {
        out.extend_from_slice(to_json(baseline)?.as_bytes());
        Ok(())
    })
}

/// Returns the file's text for a baseline.
fn to_json(baseline: &Baseline) -> anyhow::Result<String> {
    for (name, m) in &baseline.metrics {
        if m.values.iter().any(|x| !x.is_finite()) {
            bail!("cannot record a baseline: metric `{name}` has a value that is not finite");
        }
    }
    let file = BaselineFileV1::from(baseline);
    Ok(serde_json::to_string_pretty(&file)? + "\n")
}

/// Parses a baseline file's text; `path` names it in errors.
fn parse(text: &str, path: &Path) -> Result<Baseline, Unread> {
    let shown = path.display();
    let expected =
        "expected a sweep gate baseline (JSON with `\"format\": \"sweep-gate-baseline\"`, \
                    `\"version\": 1` to `4`)";
    if text.trim().is_empty() {
        return Err(Unread::Foreign(format!(
            "{shown}: the file is empty; {expected}"
        )));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Unread::Foreign(format!(
            "{shown}:{}:{}: {}; {expected}",
            e.line(),
            e.column().max(1),
            bare(&e)
        ))
    })?;
    let format = value.get("format").and_then(|f| f.as_str());
    match (format, value.get("version").and_then(|v| v.as_u64())) {
        (Some(FORMAT), Some(v)) if (1..=u64::from(NEWEST)).contains(&v) => {}
        (Some(FORMAT), Some(v)) if v > u64::from(NEWEST) => {
            return Err(Unread::Flawed(format!(
                "{shown}: baseline version {v} is not one this sweep reads (it reads versions 1 \
                 to {NEWEST}): a newer sweep wrote it; record the baseline again with this \
                 sweep (`--update-baseline`) or run the newer one"
            )))
        }
        (Some(FORMAT), Some(v)) => {
            return Err(Unread::Flawed(format!(
                "{shown}: baseline version {v} is not one this sweep reads (it reads versions 1 \
                 to {NEWEST})"
            )))
        }
        _ => {
            return Err(Unread::Foreign(format!(
                "{shown}: not a baseline file; {expected}"
            )))
        }
    }
    let file: BaselineFileV1 = serde_json::from_str(text).map_err(|e| {
        Unread::Flawed(format!("{shown}:{}:{}: {}", e.line(), e.column(), bare(&e)))
    })?;
    Baseline::try_from(file).map_err(|e| Unread::Flawed(format!("{shown}: {e}")))
}

/// Returns serde_json's message without its own " at line L column C" suffix.
fn bare(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

impl From<&Baseline> for BaselineFileV1 {
    fn from(b: &Baseline) -> Self {
        BaselineFileV1 {
            format: FORMAT.to_string(),
            // How the runs ran (with the settings in the YAML's words beside the notation)
            // makes the file version 4; else a reason to keep makes it version 2; without
            // either it stays version 1.
            version: if b.run.is_some() {
                VERSION_4
            } else if b.provenance.no_commit.is_some() {
                VERSION_2
            } else {
                VERSION_1
            },
            experiment: b.experiment.clone(),
            spec_sha256: b.spec_hash.clone(),
            metrics: b
                .metrics
                .iter()
                .map(|(name, m)| {
                    let metric = MetricV1 {
                        aggregate: match m.aggregate {
                            Aggregate::Best => AggregateV1::Best,
                            Aggregate::Median => AggregateV1::Median,
                            Aggregate::Final => AggregateV1::Final,
                        },
                        goal: match m.goal {
                            Direction::Minimize => GoalV1::Minimize,
                            Direction::Maximize => GoalV1::Maximize,
                        },
                        values: m.values.clone(),
                    };
                    (name.clone(), metric)
                })
                .collect(),
            provenance: ProvenanceV1 {
                commit: b.provenance.commit.clone(),
                no_commit: b.provenance.no_commit.as_ref().map(NoCommit::to_string),
                dirty: b.provenance.dirty,
                date: format_iso_utc(b.provenance.date),
                machine: b.provenance.machine.clone(),
                sweep_version: b.provenance.sweep_version.clone(),
            },
            run: b.run.as_ref().map(|r| RunV1 {
                parallel: r.parallel,
                data_sha256: r.data_hash.clone(),
                resolved_spec: r.resolved_spec.lines().map(str::to_string).collect(),
                settings: Some(
                    ExperimentSpec::readable_resolved(&r.resolved_spec)
                        .lines()
                        .map(str::to_string)
                        .collect(),
                ),
            }),
        }
    }
}

impl TryFrom<BaselineFileV1> for Baseline {
    type Error = String;

    fn try_from(f: BaselineFileV1) -> Result<Self, String> {
        let date = parse_iso_utc(&f.provenance.date).ok_or_else(|| {
            format!(
                "provenance.date: expected a UTC time such as `2025-01-31T12:00:00Z`, found `{}`",
                f.provenance.date
            )
        })?;
        // A reason beside a commit (a commit typed in by hand over a baseline recorded
        // without one) is no reason: the commit wins. So is an empty reason.
        let no_commit = match (&f.provenance.commit, f.provenance.no_commit) {
            (_, Some(words)) if words.is_empty() => None,
            (Some(commit), Some(words)) => {
                tracing::debug!(
                    commit = %commit,
                    no_commit = %words,
                    "provenance.no_commit ignored beside provenance.commit"
                );
                None
            }
            (Some(_), None) => None,
            (None, words) => words.as_deref().map(NoCommit::from_words),
        };
        let mut metrics = BTreeMap::new();
        for (name, m) in f.metrics {
            if m.values.is_empty() {
                return Err(format!(
                    "metrics.{name}.values: expected at least one value"
                ));
            }
            let metric = BaselineMetric {
                aggregate: match m.aggregate {
                    AggregateV1::Best => Aggregate::Best,
                    AggregateV1::Median => Aggregate::Median,
                    AggregateV1::Final => Aggregate::Final,
                },
                goal: match m.goal {
                    GoalV1::Minimize => Direction::Minimize,
                    GoalV1::Maximize => Direction::Maximize,
                },
                values: m.values,
            };
            metrics.insert(name, metric);
        }
        let run = f.run.map(|r| RecordedRun {
            parallel: r.parallel,
            data_hash: r.data_sha256,
            resolved_spec: r.resolved_spec.iter().map(|l| format!("{l}\n")).collect(),
        });
        // What the settings are held in follows from the version, and `held_in_words` says it
        // from them alone: a file whose settings say otherwise (edited by hand) is refused.
        match &run {
            Some(run) if f.version == VERSION_3 && !held_in_words(run) => {
                return Err(
                    "run.resolved_spec: expected the settings in the YAML's words, as \
                            version 3 holds them, with the method among them (such as \
                            `method: grid (shuffle: false)`)"
                        .to_string(),
                )
            }
            Some(run) if f.version != VERSION_3 && held_in_words(run) => {
                return Err(format!(
                    "run.resolved_spec: expected the settings in the run record's notation, as \
                     version {} holds them (such as `method: Grid(GridConfig {{ shuffle: false \
                     }})`), found the method in the YAML's words, which only version 3 holds",
                    f.version
                ))
            }
            _ => {}
        }
        Ok(Baseline {
            experiment: f.experiment,
            spec_hash: f.spec_sha256,
            metrics,
            provenance: Provenance {
                commit: f.provenance.commit,
                no_commit,
                dirty: f.provenance.dirty,
                date,
                machine: f.provenance.machine,
                sweep_version: f.provenance.sweep_version,
            },
            // The lines as stored: the notation (with the paths of the earliest files, which
            // the gate leaves out), or a version 3 file's words. A version 4 file's `settings`
            // are for review: the gate compares the notation.
            run,
        })
    }
}

/// Returns whether the settings `run` holds are in the YAML's words (read from a file of
/// version 3), rather than in the run record's notation (every other version): the notation
/// writes the method as a name with a capital (`method: Grid(GridConfig { shuffle: false })`,
/// `method: Random`), the YAML's words never do (`method: grid (shuffle: false)`). Settings
/// with no method line are the notation's (reading refuses a version 3 file without one, and a
/// file of another version whose method is in words, so this agrees with the file's version).
pub(crate) fn held_in_words(run: &RecordedRun) -> bool {
    run.resolved_spec
        .lines()
        .find_map(|l| l.strip_prefix("method: "))
        .is_some_and(|method| method.starts_with(|c: char| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests;
