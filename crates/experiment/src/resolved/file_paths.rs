//! The resolved spec with the paths of the files it names left out, for comparing two meanings.
//!
//! A resolved spec names its files by their paths, resolved against the spec file's folder
//! (`data.file: "/home/me/exp/data/digits.csv"`), so the same file read from a folder moved or
//! copied since, or written as `../data/digits.csv` or `./data/digits.csv`, resolves to another
//! line. Where a file lies is no part of what an experiment means, so where two resolved specs
//! are compared for meaning (`ExperimentSpec::resolves_as`), these paths are not:
//!
//! - the data files (`data.file`, and the labels file of `data.format: Idx { labels: .. }`):
//!   the data's identity is its hash, which the run record keeps beside the resolved spec
//!   (`data_hash`) and which the callers compare apart (the runner refuses other data with its
//!   own message, `sweep reproduce` checks the bytes before it trains);
//! - a warm start's file of results (`warm_start: WarmStart { source: Csv(..) .. }`): what an
//!   experiment learned from is the trials the file gave when it was created, which the store
//!   keeps (`WarmStarted`, compared by their digest, as agents' headers compare them);
//! - a gate's baseline (`gate.baseline`): it changes what no trial trains or draws, and the
//!   gate reads it afresh on every run (a gate never resumes).
//!
//! The rest of each such line stays: the format (CSV, or IDX with a labels file), a warm
//! start's `trials` and whether its trials come from a file or from an experiment (whose name
//! is part of the meaning), and the gate's other settings.
//!
//! Rejected: comparing the paths made canonical (it needs the file system, which this crate
//! never touches, and still refuses a folder copied with its data); comparing them only when
//! the hashes differ (the comparison of meaning would need the data's hash, which a caller
//! that only plans the run does not read, and a changed file would be refused as another spec
//! rather than as changed data).

use super::notation::quoted_len;
use crate::ExperimentSpec;

/// What a file's path reads as in a resolved spec compared without it.
const A_FILE: &str = "<a file, compared by what it holds>";

/// The lines of a resolved spec that name a data file, each as the text before its path and
/// the text after it: the `data.file` line, and the labels file of `data.format: Idx { labels:
/// .. }` (in an earlier version's notation too, its value written with its position).
const DATA_PATH_LINES: [(&str, &str); 2] =
    [("data.file: ", ""), ("data.format: Idx { labels: ", " }")];

/// The lines of a resolved spec that name another file, each as the text before its quoted
/// path: a warm start's file of results and a gate's baseline.
const OTHER_PATH_HEADS: [&str; 2] = ["warm_start: WarmStart { source: Csv(", "gate.baseline: "];

impl ExperimentSpec {
    /// Returns, for a line of a resolved spec that names a data file (`DATA_PATH_LINES`), the
    /// text before its path and the text after it; `None` for any other line. The one list of
    /// them, for comparing meanings without the files' paths (`without_file_paths`) and for a
    /// gate's comparison with its baseline (`crate::gate_compared`), which both compare the
    /// data by its hash instead.
    pub(crate) fn data_path_line(line: &str) -> Option<(&'static str, &'static str)> {
        DATA_PATH_LINES
            .into_iter()
            .find(|(head, tail)| line.starts_with(head) && line.ends_with(tail))
    }
}

/// Returns the resolved spec `resolved` (in this version's notation: positions left out, see
/// `notation::without_positions`) with the path of each file it names written as `A_FILE`:
/// the data files (`ExperimentSpec::data_path_line`: the `data.file` line's value and the
/// labels file of `data.format: Idx { labels: .. }`), a warm start's file of results and a
/// gate's baseline (`OTHER_PATH_HEADS`); every other line, and the rest of those lines, as it
/// is.
pub(super) fn without_file_paths(resolved: &str) -> String {
    resolved
        .lines()
        .map(|line| match ExperimentSpec::data_path_line(line) {
            Some((head, tail)) => format!("{head}{A_FILE}{tail}\n"),
            None => match other_path(line) {
                Some((head, tail)) => format!("{head}{A_FILE}{tail}\n"),
                None => format!("{line}\n"),
            },
        })
        .collect()
}

/// Returns, for a line that names a file after one of `OTHER_PATH_HEADS`, the text before its
/// quoted path and the text after it; `None` for any other line (a warm start from an
/// experiment, `gate: None`).
fn other_path(line: &str) -> Option<(&str, &str)> {
    OTHER_PATH_HEADS.into_iter().find_map(|head| {
        let path = line.strip_prefix(head)?;
        let tail = &path[quoted_len(path)?..];
        Some((head, tail))
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{without_file_paths, A_FILE};
    use crate::ExperimentSpec;

    fn at(text: &str, file: &str) -> ExperimentSpec {
        ExperimentSpec::from_yaml_str(text, Path::new(file)).unwrap()
    }

    /// The lines that name a data file are one list: what a comparison of meanings leaves
    /// out is what a gate leaves out of its comparison with its baseline, the IDX labels file
    /// included (in an earlier record's notation too).
    #[test]
    fn a_gate_leaves_out_the_data_paths_a_comparison_of_meanings_leaves_out() {
        let idx = "name: t\nmetric: {name: val_loss}\n\
                   data: {idx: {images: i.idx, labels: l.idx}, image: {height: 28, width: 28}}\n";
        let resolved = at(idx, "/exp/s.yaml").resolved();
        let labels = resolved
            .lines()
            .find(|l| l.starts_with("data.format: "))
            .expect("a data.format line");
        assert_eq!(labels, "data.format: Idx { labels: \"/exp/l.idx\" }");
        let older = "data.format: Idx { labels: Located { value: \"/exp/l.idx\", location: \
                     Location { file: \"/exp/s.yaml\", line: 3, column: 37 } } }";
        for line in resolved.lines().chain([older, "data.format: Csv"]) {
            let left_out = without_file_paths(line) != format!("{line}\n");
            let gate_leaves_out = crate::gate_compared(line).is_empty();
            let data = line.starts_with("data.file: ") || line.starts_with("data.format: Idx");
            assert_eq!(left_out, data, "{line}");
            // The gate leaves out more (its baseline and a warm start whole, the description):
            // only where the line is data's do the two have to agree.
            if line.starts_with("data.") {
                assert_eq!(gate_leaves_out, left_out, "{line}");
            }
        }
    }

    #[test]
    fn only_the_paths_of_the_files_named_are_left_out() {
        let csv = "name: t\nmetric: {name: val_loss}\ndata: {csv: data/d.csv, target: y}\n";
        let idx = "name: t\nmetric: {name: val_loss}\n\
                   data: {idx: {images: i.idx, labels: l.idx}, image: {height: 28, width: 28}}\n";
        let (a, b) = (
            at(csv, "/exp/s.yaml").resolved(),
            at(&csv.replace("data/", "../data/"), "/exp/archive/s.yaml").resolved(),
        );
        assert_ne!(a, b);
        assert_eq!(without_file_paths(&a), without_file_paths(&b));
        let (i, j) = (
            at(idx, "/exp/s.yaml").resolved(),
            at(idx, "/moved/s.yaml").resolved(),
        );
        assert_ne!(i, j);
        assert_eq!(without_file_paths(&i), without_file_paths(&j));
        // The format stays: CSV is not IDX.
        assert_ne!(without_file_paths(&a), without_file_paths(&i));
        // A warm start's file and a gate's baseline lose their paths, and keep the rest.
        for (line, without) in [
            (
                "gate.baseline: \"/exp/base.json\"\n",
                format!("gate.baseline: {A_FILE}\n"),
            ),
            (
                "warm_start: WarmStart { source: Csv(\"/exp/a \\\" ), trials.csv\"), trials: \
                 Some(30) }\n",
                format!("warm_start: WarmStart {{ source: Csv({A_FILE}), trials: Some(30) }}\n"),
            ),
        ] {
            assert_eq!(without_file_paths(line), without, "{line}");
        }
        // Every other line is kept: a warm start from an experiment names no file.
        for line in [
            "data.target: \"y\"\n",
            "gate: None\n",
            "gate.repeats: 3\n",
            "warm_start: WarmStart { source: Experiment(\"old\"), trials: None }\n",
            "description: \"data.file: x\"\n",
        ] {
            assert_eq!(without_file_paths(line), line);
        }
    }

    /// Issue: the same data named by another spelling of its path, or read from a folder
    /// copied with it, resolved as another experiment, and a stored one was refused.
    #[test]
    fn issue_the_same_data_at_another_path_resolves_as_its_record() {
        let text = "name: q\nseed: 7\nmetric: {name: val_loss}\n\
                    data: {csv: data/digits.csv, target: digit}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let then = at(text, "/tmp/exp/q.yaml").resolved();
        let resolves = |spec: &ExperimentSpec| spec.resolves_as(&then, &spec.resolved());
        for (how, spec) in [
            (
                "moved, its path relative to the data",
                at(
                    &text.replace("csv: data/", "csv: ../data/"),
                    "/tmp/exp/archive/q.yaml",
                ),
            ),
            (
                "written with ./",
                at(
                    &text.replace("csv: data/", "csv: ./data/"),
                    "/tmp/exp/q.yaml",
                ),
            ),
            (
                "copied with a comment added",
                at(&format!("# a copy\n{text}"), "/tmp/other/q.yaml"),
            ),
        ] {
            assert_ne!(spec.resolved(), then, "{how}");
            assert!(resolves(&spec), "{how}");
        }
        // Any other setting is still another experiment, wherever the data lies.
        let other = at(
            &text.replace("seed: 7", "seed: 8"),
            "/tmp/exp/archive/q.yaml",
        );
        assert!(!resolves(&other));
    }
    /// Issue: an experiment with a warm start from a file of results, or with a gate, run
    /// again from a folder moved since (or with the file named by another relative path)
    /// resolved as another experiment, and the stored one was refused.
    #[test]
    fn issue_a_warm_starts_file_and_a_gates_baseline_elsewhere_resolve_as_the_record() {
        let text = "name: q\nseed: 7\nmethod: tpe\nmetric: {name: val_loss}\n\
                    data: {csv: data/digits.csv, target: digit}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n\
                    warm_start: {csv: runs/past.csv, trials: 4}\n\
                    gate:\n  baseline: base/gate.json\n  repeats: 2\n  max_regression_abs: 0.1\n\
                    \x20 metrics: {val_loss: {aggregate: best}}\n";
        let then = at(text, "/tmp/exp/q.yaml").resolved();
        let resolves = |spec: &ExperimentSpec| spec.resolves_as(&then, &spec.resolved());
        for (how, spec) in [
            ("the folder moved", at(text, "/tmp/moved/q.yaml")),
            (
                "the files named from another folder",
                at(
                    &text
                        .replace("csv: runs/", "csv: ../runs/")
                        .replace("baseline: base/", "baseline: ../base/"),
                    "/tmp/exp/archive/q.yaml",
                ),
            ),
        ] {
            assert_ne!(spec.resolved(), then, "{how}");
            assert!(resolves(&spec), "{how}");
        }
        // The warm start's other settings, and the gate's, are still the meaning's.
        for (how, edited) in [
            ("fewer trials taken", text.replace("trials: 4", "trials: 3")),
            ("more repeats", text.replace("repeats: 2", "repeats: 3")),
        ] {
            assert!(!resolves(&at(&edited, "/tmp/moved/q.yaml")), "{how}");
        }
    }
}
