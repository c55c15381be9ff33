//! The subcommands: each validates its arguments, opens what it needs, and acts. This module
//! holds what they share: reading a spec, opening a store, finding an experiment, filtering its
//! trials.

mod checkpoint_again;
mod compact;
mod export;
mod gate;
mod held;
mod inspect;
mod predict;
mod remove;
mod reproduce;
mod run;
mod run_cap;
mod serve;
mod tested;
mod validate;

use std::path::Path;

use anyhow::{bail, Context};
use experiment::{ExperimentSpec, Trial, TrialFilter};
use store::Store;

use crate::args::{Cli, Command};
use crate::clock::SystemClock;
use crate::Outcome;

pub(crate) use held::open_to_show;

/// Runs the chosen subcommand.
pub(crate) fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Ls(args) => inspect::ls(&args),
        Command::Show(args) => inspect::show(&args),
        Command::Trials(args) => inspect::trials(&args),
        Command::Predict(args) => predict::predict(&args),
        Command::Gate(args) => gate::gate(&args),
        Command::Reproduce(args) => reproduce::reproduce(&args),
        Command::Export(args) => export::export(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Rm(args) => remove::remove(&args),
        Command::Compact(args) => compact::compact(&args),
    }
}

/// Returns what `command` writes to standard output, as an error names it (`cannot write the
/// trials to standard output`), or `None` where it writes nothing there: an export or
/// predictions written to `--output FILE`. `sweep serve`'s is the dashboard's address, for a
/// script to read (`sweep serve --port 0`); what any command says along the way goes to
/// standard error.
pub(crate) fn standard_output(command: &Command) -> Option<&'static str> {
    // `-o -` is standard output, as for most tools.
    let to_it = |output: Option<&Path>| output.is_none_or(|p| p == Path::new("-"));
    match command {
        Command::Run(_) => Some("the sweep's summary"),
        Command::Validate(_) => Some("the file's check"),
        Command::Ls(_) => Some("the experiments"),
        Command::Show(_) => Some("the experiment's summary"),
        Command::Trials(_) => Some("the trials"),
        Command::Predict(args) => to_it(args.output.as_deref()).then_some("the predictions"),
        Command::Gate(args) if args.update_baseline => Some("the summary of the baseline written"),
        Command::Gate(_) => Some("the gate's report"),
        Command::Reproduce(_) => Some("the comparison"),
        Command::Export(args) if args.series => {
            to_it(args.output.as_deref()).then_some("the curves")
        }
        Command::Export(args) => to_it(args.output.as_deref()).then_some("the trials"),
        Command::Serve(_) => Some("the dashboard's address"),
        Command::Rm(_) => Some("what was removed"),
        Command::Compact(_) => Some("what was given back"),
    }
}

/// Reads and validates an experiment file.
pub(crate) fn load_spec(file: &Path) -> anyhow::Result<ExperimentSpec> {
    let text = read_spec_text(file)?;
    ExperimentSpec::from_yaml_str(&text, file)
        .map_err(|e| anyhow::anyhow!("invalid experiment file {}\n{e}", file.display()))
}

/// The largest experiment file read: far above any real one, so that a device or a wrong file
/// (`/dev/zero`, a data set) is refused rather than read into memory.
const MAX_SPEC_BYTES: u64 = 4 << 20;

/// Reads an experiment file's text: at most `MAX_SPEC_BYTES`, in UTF-8 (a byte that is not is
/// located by line and column).
fn read_spec_text(file: &Path) -> anyhow::Result<String> {
    use std::io::Read;
    let cannot = || format!("cannot read experiment file {}", file.display());
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes))
        .with_context(cannot)?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        bail!(
            "{}: more than {} MiB; an experiment file is a short YAML file: is it the right \
             file?",
            file.display(),
            MAX_SPEC_BYTES >> 20
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[start..]).chars().count() + 1;
        let byte = e.as_bytes()[good.len()];
        anyhow::anyhow!(
            "{}:{line}:{column}: byte 0x{byte:02X} is not UTF-8 text; save the file as UTF-8",
            file.display()
        )
    })
}

/// Opens a temporary store (the gate's, the followed studies'): in the folder `TMPDIR` names
/// when it is set (a disk with room), else in memory (`/dev/shm`) where the system has it.
pub(crate) fn temporary_store() -> store::Result<Store> {
    let chosen = std::env::var_os("TMPDIR")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from);
    Store::temporary_in(chosen.as_deref())
}

/// Returns ` --store DIR` for a store other than the default, for a command to suggest.
pub(crate) fn store_flag(path: &Path) -> String {
    if path == Path::new(crate::args::DEFAULT_STORE) {
        String::new()
    } else {
        format!(" --store {}", quoted(path))
    }
}

/// Returns a path as a command suggested to the user names it: shell-quoted, so that the
/// command can be pasted whatever the path holds (a space, a quote), and in ANSI-C quoting
/// where it holds a control character (`output::shell_word`), which the line then shows
/// rather than runs.
pub(crate) fn quoted(path: &Path) -> String {
    crate::output::shell_word(&path.display().to_string())
}

/// Fails, saying how to make one, when there is no store at `path`.
pub(crate) fn require_store(path: &Path) -> anyhow::Result<()> {
    // A store aside for its compaction, a file or a folder of other things are said as opening
    // it would say them, also before a command that reads files beside the database (a
    // checkpoint, say) blames what it looked for there.
    Store::check_existing(path)?;
    if !path.exists() {
        bail!(
            "no store at {}; run `sweep run FILE` first, or pass --store DIR",
            path.display()
        );
    }
    Ok(())
}

/// Says what `data.missing` did to the data, such as "2 rows with a missing label left out, 5
/// missing cells filled with the training split's median"; `None` when it did nothing.
pub(crate) fn missing_note(
    data: &trainer::DataSummary,
    rule: experiment::MissingValues,
) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| {
        experiment::counted(u64::try_from(n).unwrap_or(u64::MAX), one, many)
    };
    let mut parts = Vec::new();
    if data.dropped_rows > 0 {
        parts.push(if rule.fills() {
            plural(
                data.dropped_rows,
                "row with a missing label left out",
                "rows with a missing label left out",
            )
        } else {
            plural(
                data.dropped_rows,
                "row with a missing value left out",
                "rows with missing values left out",
            )
        });
    }
    if data.filled_cells > 0 {
        let cells = plural(data.filled_cells, "missing cell", "missing cells");
        parts.push(format!(
            "{cells} filled with the training split's {}",
            rule.as_str()
        ));
    }
    if data.missing_categories > 0 {
        parts.push(format!(
            "{} set no indicator",
            plural(
                data.missing_categories,
                "missing categorical cell",
                "missing categorical cells"
            )
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What comes before the dashboard's URL in an `opener` text.
const DASHBOARD_AT: &str = ", dashboard at ";

/// Whether a missing store folder may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreMode {
    Create,
    Existing,
}

pub(crate) fn open_store(path: &Path, mode: StoreMode) -> anyhow::Result<Store> {
    refuse_dangling_link(path)?;
    let opened = match mode {
        StoreMode::Existing => {
            require_store(path)?;
            Store::open_existing(path)
        }
        StoreMode::Create => Store::open(path),
    };
    let store = opened.map_err(opening_failed)?;
    // Who holds the store is said for a second process that finds it locked: a command that
    // only reads it goes on without saying so where the folder cannot be written (a full disk,
    // a read-only medium), since it writes nothing else.
    match (store.announce(&opener(None)), mode) {
        (Err(e), StoreMode::Create) => return Err(e.into()),
        (Err(e), StoreMode::Existing) => tracing::debug!(error = %e, "not announced"),
        (Ok(()), _) => {}
    }
    Ok(store)
}

/// Fails where `path` is a symbolic link that leads to nothing (a folder not made yet, or
/// removed), naming where it points: opening would make the store's folder where the link is,
/// and the system says only "File exists".
fn refuse_dangling_link(path: &Path) -> anyhow::Result<()> {
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let target = match std::fs::read_link(path) {
        Ok(target) => target.display().to_string(),
        Err(e) => format!("a target that cannot be read ({e})"),
    };
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "cannot open store {}: it is a link to {target}, which does not exist; create the \
             folder it points to, or pass --store another folder",
            path.display()
        ),
        Err(e) => bail!(
            "cannot open store {}: it is a link to {target}, which cannot be followed: {e}",
            path.display()
        ),
    }
}

/// A store that another sweep process holds, with what to do about it: `main` exits with
/// "try again later" for it (`busy` in `main.rs`), not as for bad input. Its message is the store's
/// error followed by the advice, so it has no source of its own to repeat.
#[derive(Debug)]
pub(crate) struct StoreBusy {
    /// The store's error: `store::Error::Locked`.
    error: store::Error,
    /// What to do about it, which follows the error's text: a line of its own, or a clause.
    advice: String,
}

impl std::fmt::Display for StoreBusy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.error, self.advice)
    }
}

impl std::error::Error for StoreBusy {}

/// Returns the error for a store that did not open, with what to do about a lock held by
/// another process (a `StoreBusy`); any other error of the store as it is.
pub(crate) fn opening_failed(e: store::Error) -> anyhow::Error {
    let advice = match &e {
        store::Error::Locked {
            opener: Some(opener),
            ..
        } => {
            // `opener` ends with the holder's dashboard URL when it serves one.
            let meanwhile = match opener.rsplit_once(DASHBOARD_AT) {
                Some((_, url)) => format!(
                    "\nmeanwhile its dashboard shows the store, as pages and as JSON (`curl \
                     {url}api/experiments`; README, \"The dashboard\")"
                ),
                None => String::new(),
            };
            format!("{meanwhile}\nstop it or wait for it to end, or use another --store")
        }
        store::Error::Locked { opener: None, .. } => "; a running `sweep run` serves this \
            store's dashboard itself (open the URL it printed), and a second sweep must wait \
            for it or use another --store"
            .to_string(),
        _ => return anyhow::Error::from(e),
    };
    anyhow::Error::from(StoreBusy { error: e, advice })
}

/// Returns how this process describes itself to another that finds its store locked: the
/// command line (a token's value hidden), the process id, since when, and its dashboard's URL.
pub(crate) fn opener(dashboard: Option<&str>) -> String {
    let mut words = vec!["sweep".to_string()];
    let mut hide_next = false;
    // `args_os`: an argument that is not UTF-8 (a path) is shown with a replacement character
    // (`args` panics on one).
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        if hide_next {
            words.push("***".to_string());
            hide_next = false;
        } else if arg == "--token" {
            hide_next = true;
            words.push(arg);
        } else if arg.starts_with("--token=") {
            words.push("--token=***".to_string());
        } else {
            words.push(arg);
        }
    }
    let since = runner::Clock::now(&SystemClock).utc();
    let mut text = format!(
        "`{}` (pid {}, since {since} UTC)",
        words.join(" "),
        std::process::id()
    );
    if let Some(url) = dashboard {
        text.push_str(&format!("{DASHBOARD_AT}{url}"));
    }
    text
}

pub(crate) fn find_experiment(store: &Store, name: &str) -> anyhow::Result<store::ExperimentInfo> {
    if let Some(info) = store.experiment(name)? {
        return Ok(info);
    }
    let names: Vec<String> = store.experiments()?.into_iter().map(|e| e.name).collect();
    if names.is_empty() {
        bail!("no experiment named `{name}`: the store is empty");
    }
    // A store of hundreds of experiments is not listed whole in one line: a close name first,
    // then the names up to `LISTED`, with `sweep ls` for the rest.
    const LISTED: usize = 20;
    let close = experiment::suggest(name, names.iter().map(String::as_str))
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    let listed = if names.len() > LISTED {
        format!(
            "{}, ... ({} in all: `sweep ls` of this store lists them)",
            names[..LISTED].join(", "),
            names.len()
        )
    } else {
        names.join(", ")
    };
    bail!("no experiment named `{name}`; {close}the store has: {listed}")
}

/// Parses `EXPERIMENT/NUMBER`.
pub(crate) fn parse_trial(text: &str) -> anyhow::Result<(&str, u32)> {
    let parsed = text
        .rsplit_once('/')
        .and_then(|(name, n)| Some((name, n.parse::<u32>().ok()?)))
        .filter(|(name, _)| !name.is_empty());
    parsed.with_context(|| {
        format!("expected a trial as EXPERIMENT/NUMBER, such as quickstart/3, found `{text}`")
    })
}

/// Checks that every parameter and metric `filter` names exists in the experiment
/// (`TrialFilter::check_names`).
pub(crate) fn check_filter(
    filter: &TrialFilter,
    spec: Option<&ExperimentSpec>,
    trials: &[Trial],
) -> anyhow::Result<()> {
    filter
        .check_names(trials, spec.map(|s| &s.space))
        .map_err(|e| anyhow::anyhow!("--filter: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn issue_a_store_that_is_a_link_to_nothing_names_where_it_points() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("sl");
        std::os::unix::fs::symlink("real/st", &link).unwrap();
        for mode in [StoreMode::Create, StoreMode::Existing] {
            let e = open_store(&link, mode).expect_err("a link to nothing opens no store");
            assert_eq!(
                format!("{e:#}"),
                format!(
                    "cannot open store {}: it is a link to real/st, which does not exist; \
                     create the folder it points to, or pass --store another folder",
                    link.display()
                )
            );
        }
        // Once the folder it points to is there, the link opens as the folder would.
        std::fs::create_dir_all(dir.path().join("real/st")).unwrap();
        assert!(open_store(&link, StoreMode::Create).is_ok());
        assert!(dir.path().join("real/st/db").is_file());
    }
}
