//! The resolved spec with the paths of its data files left out, for comparing two meanings.
//!
//! A resolved spec names its data files by their paths, resolved against the spec file's
//! folder (`data.file: "/home/me/exp/data/digits.csv"`), so the same file read from a folder
//! moved or copied since, or written as `../data/digits.csv` or `./data/digits.csv`, resolves
//! to another line. The data's identity is its hash, which the run record keeps beside the
//! resolved spec (`data_hash`) and which the callers compare apart (the runner refuses other
//! data with its own message, `sweep reproduce` checks the bytes before it trains): so where
//! two resolved specs are compared for meaning (`ExperimentSpec::resolves_as`), the paths are
//! not, and the format (CSV, or IDX with a labels file) still is.
//!
//! Rejected: comparing the paths made canonical (it needs the file system, which this crate
//! never touches, and still refuses a folder copied with its data); comparing them only when
//! the hashes differ (the comparison of meaning would need the data's hash, which a caller
//! that only plans the run does not read, and a changed file would be refused as another spec
//! rather than as changed data).

/// What a data file's path reads as in a resolved spec compared without it.
const DATA_FILE: &str = "<a data file, compared by its hash>";

/// Returns the resolved spec `resolved` (in this version's notation: positions left out, see
/// `notation::without_positions`) with the path of each data file, the `data.file` line's
/// value and the labels file of `data.format: Idx { labels: .. }`, written as `DATA_FILE`;
/// every other line as it is.
pub(super) fn without_data_paths(resolved: &str) -> String {
    resolved
        .lines()
        .map(|line| {
            if line.starts_with("data.file: ") {
                format!("data.file: {DATA_FILE}\n")
            } else if line
                .strip_prefix("data.format: Idx { labels: ")
                .is_some_and(|rest| rest.ends_with(" }"))
            {
                format!("data.format: Idx {{ labels: {DATA_FILE} }}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::without_data_paths;
    use crate::ExperimentSpec;

    fn at(text: &str, file: &str) -> ExperimentSpec {
        ExperimentSpec::from_yaml_str(text, Path::new(file)).unwrap()
    }

    #[test]
    fn only_the_data_files_paths_are_left_out() {
        let csv = "name: t\nmetric: {name: val_loss}\ndata: {csv: data/d.csv, target: y}\n";
        let idx = "name: t\nmetric: {name: val_loss}\n\
                   data: {idx: {images: i.idx, labels: l.idx}, image: {height: 28, width: 28}}\n";
        let (a, b) = (
            at(csv, "/exp/s.yaml").resolved(),
            at(&csv.replace("data/", "../data/"), "/exp/archive/s.yaml").resolved(),
        );
        assert_ne!(a, b);
        assert_eq!(without_data_paths(&a), without_data_paths(&b));
        let (i, j) = (
            at(idx, "/exp/s.yaml").resolved(),
            at(idx, "/moved/s.yaml").resolved(),
        );
        assert_ne!(i, j);
        assert_eq!(without_data_paths(&i), without_data_paths(&j));
        // The format stays: CSV is not IDX.
        assert_ne!(without_data_paths(&a), without_data_paths(&i));
        // Every other line is kept, the gate's baseline and a warm start's file included.
        for line in [
            "data.target: \"y\"\n",
            "gate.baseline: \"/exp/base.json\"\n",
            "warm_start: WarmStart { source: Csv(\"/exp/past.csv\"), trials: None }\n",
            "description: \"data.file: x\"\n",
        ] {
            assert_eq!(without_data_paths(line), line);
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
}
