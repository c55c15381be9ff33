//! Data files named on the command line in place of those a run record names: `sweep
//! reproduce EXPERIMENT/N --data PATH`, for a folder moved or renamed since the run.
//!
//! A record names each data file the run read by its absolute path (`data_file`, one a line)
//! and its SHA-256 (`data_hash`, one a line, in the same order): the path says where it was,
//! the hash what it was. A file given with `--data` stands in for the recorded file whose hash
//! it has, whatever its name or folder, so that one flag per file is all a user writes, in any
//! order; a file that hashes as no recorded one is refused, naming both hashes, since training
//! on it could only reproduce by chance.

use std::path::{Path, PathBuf};

use anyhow::bail;
use store::RunRecord;

use super::sha256_file;

/// The data files given in place of recorded ones, each with its SHA-256, which is that of a
/// file the run read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GivenData {
    /// Each file given, with its hash, in the order given.
    files: Vec<(String, PathBuf)>,
}

impl GivenData {
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

    /// Returns the file given for the recorded data file of SHA-256 `hash`, if one was.
    pub(crate) fn holding(&self, hash: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|(h, _)| h == hash)
            .map(|(_, path)| path.as_path())
    }
}

/// Returns the data files `record` names with their hashes: "/a/d.csv (sha256 ab12...)", joined
/// by ", " (the paths one a line as recorded, paired with the hashes in order).
fn recorded_files(record: &RunRecord) -> String {
    record
        .data_file
        .lines()
        .zip(record.data_hash.lines())
        .map(|(file, hash)| format!("{file} (sha256 {hash})"))
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
}
