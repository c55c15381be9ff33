//! Data files named on the command line in place of those a run record names: `sweep
//! reproduce EXPERIMENT/N --data PATH`, for a folder moved or renamed since the run.
//!
//! A record names each data file the run read by its absolute path (`data_file`, one a line)
//! and its SHA-256 (`data_hash`, one a line, in the same order): the path says where it was,
//! the hash what it was. A file given with `--data` stands in for the recorded file whose hash
//! it has, whatever its name or folder, so that one flag per file is all a user writes, in any
//! order; a file that hashes as no recorded one is refused, naming both hashes, since training
//! on it could only reproduce by chance.
//!
//! The files the experiment was last run from stand in the same way, without a flag: where a
//! resume read the spec from a folder moved since (the store keeps the text with that file's
//! absolute path, `ExperimentInfo::spec_path`), the data files its text names from there
//! (`GivenData::last_run_of`) stand in for recorded ones that are gone, each only where it holds
//! the bytes the run read.

use std::path::{Path, PathBuf};

use anyhow::bail;
use experiment::ExperimentSpec;
use store::{ExperimentInfo, RunRecord};

use super::{data_files, sha256_file};

/// The data files given in place of recorded ones, each with its SHA-256, which is that of a
/// file the run read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GivenData {
    /// Each file given, with its hash, in the order given.
    files: Vec<(String, PathBuf)>,
}

impl GivenData {
    /// Returns the data files the run of `record` read, each with its hash, for what given data
    /// stands in for: `data_file` holds their absolute paths one a line, `data_hash` their
    /// hashes one a line, in the same order. A line that is not an absolute path goes on the
    /// path before it, which held a newline; where the paths still do not match the hashes one
    /// for one (a newline followed by `/` in a path: the record's text cannot tell it from the
    /// next path), all of `data_file` is one entry with every hash. The one reading of the
    /// record's paths: `show --record`, `show --spec` and `reproduce` split them alike.
    pub(crate) fn recorded_files(record: &RunRecord) -> Vec<(String, Vec<&str>)> {
        let hashes: Vec<&str> = record.data_hash.lines().collect();
        if record.data_file.is_empty() {
            return Vec::new();
        }
        let mut files: Vec<String> = Vec::new();
        for line in record.data_file.split('\n') {
            match files.last_mut() {
                Some(last) if !Path::new(line).is_absolute() => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => files.push(line.to_string()),
            }
        }
        if files.len() == hashes.len() {
            files
                .into_iter()
                .zip(hashes)
                .map(|(f, h)| (f, vec![h]))
                .collect()
        } else {
            vec![(record.data_file.clone(), hashes)]
        }
    }

    /// Hashes each of `paths` and keeps it as the recorded data file of `record` whose hash it
    /// has; fails for a file that cannot be read, or that holds none of the data the run read
    /// (naming its hash and each recorded file's).
    pub(crate) fn matched(paths: &[PathBuf], record: &RunRecord) -> anyhow::Result<GivenData> {
        let mut files = Vec::new();
        for path in paths {
            let hash = match sha256_file(path) {
                Ok(hash) => hash,
                Err(e) => bail!("cannot read --data {}: {e}", path.display()),
            };
            if record.data_hash.lines().all(|h| h != hash) {
                bail!(
                    "--data {} has sha256 {hash}, but the run read {}: it is other data, and \
                     reproducing needs the same",
                    path.display(),
                    recorded_files(record)
                );
            }
            files.push((hash, path.clone()));
        }
        Ok(GivenData { files })
    }

    /// Returns the data files the experiment was last run from, `files` (those of
    /// `super::data_files`, in its order, of the stored text parsed at the absolute path it was
    /// last read from), to stand in for recorded ones that are gone: all of them where each
    /// holds the bytes the run read at its place (`data_hash`, one a line), or none (a file
    /// that cannot be read or holds other bytes, another count of files), so that a recorded
    /// file gone says so as without them.
    pub(crate) fn last_run(files: &[PathBuf], record: &RunRecord) -> GivenData {
        let hashes: Vec<&str> = record.data_hash.lines().collect();
        if files.len() != hashes.len() {
            return GivenData::default();
        }
        let mut kept = Vec::new();
        for (path, &hash) in files.iter().zip(&hashes) {
            match sha256_file(path) {
                Ok(now) if now == hash => kept.push((now, path.clone())),
                _ => return GivenData::default(),
            }
        }
        GivenData { files: kept }
    }

    /// Returns the data files the experiment was last run from, to stand in for recorded ones
    /// that are gone (`GivenData::last_run`): those its stored text names from the file a
    /// resume last read it from (`spec_path`, absolute where that is another file than the record
    /// names: a folder moved or copied since); none where the text was last read from the
    /// recorded file, or no longer parses.
    pub(crate) fn last_run_of(info: &ExperimentInfo, record: &RunRecord) -> GivenData {
        let last = experiment::Resume::spec_file(&info.spec_path, Some(&record.spec_file));
        if last == record.spec_file {
            return GivenData::default();
        }
        match info.spec() {
            Ok(spec) => GivenData::last_run(&data_files(&spec), record),
            Err(_) => GivenData::default(),
        }
    }

    /// Returns the file given for the recorded data file of SHA-256 `hash`, if one was.
    pub(crate) fn holding(&self, hash: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|(h, _)| h == hash)
            .map(|(_, path)| path.as_path())
    }
}

/// Returns a line for each data file `spec` reads elsewhere than `record` says the run read it
/// (named with `--data`, or where the experiment was last run from): "reading the data file
/// the run read at OLD from NEW (the same sha256)"; none where each is read where recorded.
pub(crate) fn read_elsewhere(record: &RunRecord, spec: &ExperimentSpec) -> Vec<String> {
    data_files(spec)
        .iter()
        .zip(GivenData::recorded_files(record))
        .map(|(now, (then, _))| (now.display().to_string(), then))
        .filter(|(now, then)| now != then)
        .map(|(now, then)| {
            format!(
                "reading the data file the run read at {} from {} (the same sha256)",
                crate::output::visible(&then),
                crate::output::visible(&now)
            )
        })
        .collect()
}

/// Returns the data files `record` names with their hashes: "/a/d.csv (sha256 ab12...)", joined
/// by ", " (`GivenData::recorded_files`; a path's newline shown escaped, `\u{a}`).
fn recorded_files(record: &RunRecord) -> String {
    GivenData::recorded_files(record)
        .into_iter()
        .map(|(file, hashes)| {
            format!(
                "{} (sha256 {})",
                crate::output::visible(&file),
                hashes.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_file_stands_in_for_the_recorded_one_of_its_hash_and_other_data_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (images, labels, other) = (
            dir.path().join("i.idx"),
            dir.path().join("l.idx"),
            dir.path().join("o.idx"),
        );
        for (file, bytes) in [(&images, "images"), (&labels, "labels"), (&other, "other")] {
            std::fs::write(file, bytes).unwrap();
        }
        let hash = |bytes: &str| experiment::sha256_hex(bytes.as_bytes());
        let record = RunRecord {
            data_file: "/gone/i.idx\n/gone/l.idx".into(),
            data_hash: format!("{}\n{}", hash("images"), hash("labels")),
            ..RunRecord::default()
        };
        // In any order, each by its hash.
        let given = GivenData::matched(&[labels.clone(), images.clone()], &record).unwrap();
        assert_eq!(given.holding(&hash("images")), Some(images.as_path()));
        assert_eq!(given.holding(&hash("labels")), Some(labels.as_path()));
        assert_eq!(given.holding(&hash("other")), None);
        assert_eq!(
            GivenData::matched(&[], &record).unwrap(),
            GivenData::default()
        );
        let e = GivenData::matched(&[images, other.clone()], &record)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "--data {} has sha256 {}, but the run read /gone/i.idx (sha256 {}), /gone/l.idx \
                 (sha256 {}): it is other data, and reproducing needs the same",
                other.display(),
                hash("other"),
                hash("images"),
                hash("labels")
            )
        );
        let missing = dir.path().join("missing.csv");
        let e = GivenData::matched(std::slice::from_ref(&missing), &record)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("cannot read --data {}: ", missing.display())),
            "{e}"
        );
    }

    #[test]
    fn the_last_runs_files_stand_in_only_where_each_holds_the_bytes_the_run_read_there() {
        let dir = tempfile::tempdir().unwrap();
        let (images, labels) = (dir.path().join("i.idx"), dir.path().join("l.idx"));
        std::fs::write(&images, "images").unwrap();
        std::fs::write(&labels, "labels").unwrap();
        let hash = |bytes: &str| experiment::sha256_hex(bytes.as_bytes());
        let record = RunRecord {
            data_file: "/gone/i.idx\n/gone/l.idx".into(),
            data_hash: format!("{}\n{}", hash("images"), hash("labels")),
            ..RunRecord::default()
        };
        let both = GivenData::last_run(&[images.clone(), labels.clone()], &record);
        assert_eq!(both.holding(&hash("images")), Some(images.as_path()));
        assert_eq!(both.holding(&hash("labels")), Some(labels.as_path()));
        // In another order, one missing, one gone, or one of other bytes: none.
        let missing = dir.path().join("missing.idx");
        for files in [
            vec![labels.clone(), images.clone()],
            vec![images.clone()],
            vec![images.clone(), missing],
        ] {
            assert_eq!(
                GivenData::last_run(&files, &record),
                GivenData::default(),
                "{files:?}"
            );
        }
        std::fs::write(&labels, "other").unwrap();
        assert_eq!(
            GivenData::last_run(&[images, labels], &record),
            GivenData::default()
        );
    }

    #[test]
    fn the_header_names_each_data_file_read_elsewhere_than_recorded() {
        let text = "name: e\nseed: 7\ndata: {csv: d.csv, target: y}\n\
                    metric: {name: val_accuracy, goal: maximize}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let spec = ExperimentSpec::from_yaml_str(text, std::path::Path::new("/now/e.yaml"))
            .expect("a valid spec");
        let record = |data_file: &str| RunRecord {
            data_file: data_file.to_string(),
            ..RunRecord::default()
        };
        assert_eq!(
            read_elsewhere(&record("/now/d.csv"), &spec),
            Vec::<String>::new()
        );
        assert_eq!(
            read_elsewhere(&record("/then/d.csv"), &spec),
            ["reading the data file the run read at /then/d.csv from /now/d.csv (the same sha256)"]
        );
    }

    /// Issue: a data path holding a newline was split at it by `show --spec`, `reproduce`'s
    /// header and its checks (only `show --record` read it whole); each reads the record's paths
    /// through `GivenData::recorded_files`.
    #[test]
    fn issue_a_recorded_data_path_holding_a_newline_is_one_file() {
        let record = RunRecord {
            data_file: "/d/da\nta/p.csv\n/d/l.csv".into(),
            data_hash: "aa\nbb".into(),
            ..RunRecord::default()
        };
        assert_eq!(
            GivenData::recorded_files(&record),
            [
                ("/d/da\nta/p.csv".to_string(), vec!["aa"]),
                ("/d/l.csv".to_string(), vec!["bb"])
            ]
        );
        assert_eq!(
            recorded_files(&record),
            "/d/da\\u{a}ta/p.csv (sha256 aa), /d/l.csv (sha256 bb)"
        );
        // A newline followed by `/` cannot be told from the next path: all of it, once.
        let record = RunRecord {
            data_file: "/d/a\n/b.csv".into(),
            data_hash: "aa".into(),
            ..RunRecord::default()
        };
        assert_eq!(
            GivenData::recorded_files(&record),
            [("/d/a\n/b.csv".to_string(), vec!["aa"])]
        );
        assert!(GivenData::recorded_files(&RunRecord::default()).is_empty());
        // Read elsewhere now (a spec names no newline since; a record of an earlier build
        // may): the path the run read, whole.
        let text = "name: e\nseed: 7\ndata: {csv: p.csv, target: y}\n\
                    metric: {name: val_accuracy, goal: maximize}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let spec = ExperimentSpec::from_yaml_str(text, Path::new("/d/e.yaml")).unwrap();
        let record = RunRecord {
            data_file: "/d/da\nta/p.csv".into(),
            data_hash: "aa".into(),
            ..RunRecord::default()
        };
        assert_eq!(
            read_elsewhere(&record, &spec),
            ["reading the data file the run read at /d/da\\u{a}ta/p.csv from /d/p.csv (the same \
              sha256)"]
        );
    }
}
