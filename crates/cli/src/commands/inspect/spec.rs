//! `sweep show EXPERIMENT --spec`: the experiment's stored spec, its YAML text exactly as
//! stored, so that `sweep show NAME --spec > FILE` gives back the file that `sweep run`'s
//! refusal of an edited spec asks to run unchanged.
//!
//! The text reaches standard output untouched, byte for byte: its SHA-256 is the stored spec's
//! hash, and a file of the same text resumes the experiment wherever it lies (`runner`'s
//! `StudyOptions::resumes`). Its relative paths (the data's, a warm start's, a gate's baseline)
//! are read from the folder of the file it is saved in, so standard error says which folder the
//! experiment was last run from (the stored text's, after a resume from a folder moved since)
//! and which data it read. Rejected: writing where the data was read from
//! into the text as a YAML comment. A comment changes the text and its hash: such a file
//! resumes only where the run record says it means the same (never for an experiment stored
//! without a record), and a resume stores the text as then written, so each round trip would
//! add the comment to the stored spec again.

use std::io::Write;
use std::path::{Path, PathBuf};

use store::{ExperimentInfo, RunRecord, Store, RUN_RECORD};

use super::records::readable_record;
use crate::output;
use crate::Outcome;

/// Writes experiment `info`'s stored spec on standard output, exactly as stored, and says on
/// standard error where it ran from and which data it read (`where_note`), as its run record
/// in `store` keeps them; a record that does not read is said, and the note goes on without it.
pub(super) fn show_spec(store: &Store, info: &ExperimentInfo) -> anyhow::Result<Outcome> {
    let record = readable_record(
        RUN_RECORD,
        &info.name,
        store.run_record(&info.name),
        "the folder it ran from is said as the run was given it",
        false,
    )?;
    let mut out = crate::standard_output::lock();
    out.write_all(info.spec_yaml.as_bytes())?;
    out.flush()?;
    say!("{}", where_note(info, record.ok().flatten().as_ref()));
    Ok(Outcome::Success)
}

/// Returns the note `show_spec` writes on standard error: that the text is experiment `info`'s
/// stored spec, which file it was last run from, the file its text was read from
/// (`experiment::Resume::spec_file`: the absolute path its run `record` keeps where that is
/// the file, else the path stored with the text) and which data it read (the record's files
/// where the text was read from the record's file, else the stored spec's as resolved against
/// that path, as a resume from a folder moved since read them); where the spec names its data
/// by a relative path, that a saved copy reads it from its own folder, so which folder keeps it
/// the same.
fn where_note(info: &ExperimentInfo, record: Option<&RunRecord>) -> String {
    let name = output::visible(&info.name);
    let hash = experiment::short_hash(&info.spec_hash);
    let ran_from =
        experiment::Resume::spec_file(&info.spec_path, record.map(|r| r.spec_file.as_str()));
    let given = if Path::new(ran_from).is_absolute() {
        ""
    } else {
        " (as the run was given it, from the folder it was run in)"
    };
    let read_recorded = record.filter(|r| !r.data_file.is_empty() && r.spec_file == ran_from);
    let data: Vec<String> = match read_recorded {
        Some(r) => crate::probe::GivenData::recorded_files(r)
            .into_iter()
            .map(|(file, _)| file)
            .collect(),
        None => (info.spec().ok().iter())
            .flat_map(crate::probe::data_files)
            .map(|f| f.display().to_string())
            .collect(),
    };
    let data = data
        .iter()
        .map(|f| output::visible(f).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    let head = format!(
        "note: this is `{name}`'s spec as stored (sha256 {hash}); it ran from {}{given}",
        output::visible(ran_from)
    );
    match relative_data(info) {
        Some(false) => format!(
            "{head}; it names its data by absolute path, read wherever the file is saved: {data}"
        ),
        // A relative path, or a spec this version does not read: which it names is not known.
        _ => {
            let folder = Path::new(ran_from)
                .parent()
                .map_or(PathBuf::new(), Path::to_path_buf);
            let folder = match folder.as_os_str().is_empty() {
                true => ".".to_string(),
                false => output::visible_path(&folder),
            };
            let read = if data.is_empty() {
                String::new()
            } else {
                format!(" ({data})")
            };
            format!(
                "{head}; a relative path in it (its data's) is read from the folder of the file \
                 it is saved in: save it in {folder} for a run to read the data it ran on{read}"
            )
        }
    }
}

/// Returns whether experiment `info`'s stored spec names any of its data files by a relative
/// path, as its text writes it (parsed as if from a file with no folder, so that no path is
/// joined to one); `None` where the stored spec does not read with this version.
fn relative_data(info: &ExperimentInfo) -> Option<bool> {
    let spec = experiment::ExperimentSpec::from_yaml_str(&info.spec_yaml, Path::new("spec.yaml"));
    let files = crate::probe::data_files(&spec.ok()?);
    Some(files.iter().any(|f| f.is_relative()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An experiment stored from `spec.yaml` run as `given`, naming its data `data`.
    fn info(given: &str, data: &str) -> ExperimentInfo {
        let yaml =
            format!("name: t\nmetric: {{name: val_loss}}\ndata: {{csv: {data}, target: y}}\n");
        super::super::tests::stored(given, &yaml)
    }

    #[test]
    fn the_note_says_which_folder_keeps_a_relative_data_path_the_same() {
        let record = RunRecord {
            spec_file: "/work/exp/t.yaml".into(),
            data_file: "/work/exp/data/d.csv".into(),
            ..RunRecord::default()
        };
        let relative = info("exp/t.yaml", "data/d.csv");
        let note = where_note(&relative, Some(&record));
        assert!(
            note.starts_with("note: this is `t`'s spec as stored (sha256 "),
            "{note}"
        );
        assert!(
            note.ends_with(
                "; it ran from /work/exp/t.yaml; a relative path in it (its data's) is read from \
                 the folder of the file it is saved in: save it in /work/exp for a run to read \
                 the data it ran on (/work/exp/data/d.csv)"
            ),
            "{note}"
        );
        // Without a record: the path the run was given, and the data resolved against it.
        let note = where_note(&relative, None);
        assert!(
            note.contains(
                "it ran from exp/t.yaml (as the run was given it, from the folder it was run \
                 in); a relative path"
            ),
            "{note}"
        );
        assert!(
            note.ends_with("save it in exp for a run to read the data it ran on (exp/data/d.csv)"),
            "{note}"
        );
        // An absolute data path reads the same data wherever the file is saved.
        let absolute = info("exp/t.yaml", "/data/d.csv");
        let record = RunRecord {
            data_file: "/data/d.csv".into(),
            ..record
        };
        let note = where_note(&absolute, Some(&record));
        assert!(
            note.ends_with(
                "; it names its data by absolute path, read wherever the file is saved: \
                 /data/d.csv"
            ),
            "{note}"
        );
    }

    /// Issue: after a resume from another folder (the text now naming `../data/d.csv`), the
    /// note said to save the text in the folder of the run record's file, the first run's,
    /// from which the text names no data.
    #[test]
    fn issue_the_note_names_the_folder_the_stored_text_was_last_run_from() {
        let record = RunRecord {
            spec_file: "/work/exp/t.yaml".into(),
            data_file: "/work/exp/data/d.csv".into(),
            ..RunRecord::default()
        };
        let resumed = info("/work/exp/archive/t.yaml", "../data/d.csv");
        let note = where_note(&resumed, Some(&record));
        assert!(
            note.ends_with(
                "; it ran from /work/exp/archive/t.yaml; a relative path in it (its data's) is \
                 read from the folder of the file it is saved in: save it in /work/exp/archive \
                 for a run to read the data it ran on (/work/exp/archive/../data/d.csv)"
            ),
            "{note}"
        );
    }

    /// Issue: `sweep show EXP --spec` split a recorded data path holding a newline into two
    /// (`(/tmp/nl/da, ta/p.csv)`); it is one path, its newline shown escaped.
    #[test]
    fn issue_a_recorded_data_path_holding_a_newline_is_one_path() {
        let record = RunRecord {
            spec_file: "/work/exp/t.yaml".into(),
            data_file: "/work/exp/da\nta/p.csv".into(),
            ..RunRecord::default()
        };
        let note = where_note(&info("exp/t.yaml", "\"da\\nta/p.csv\""), Some(&record));
        assert!(
            note.ends_with("the data it ran on (/work/exp/da\\u{a}ta/p.csv)"),
            "{note}"
        );
    }
}
