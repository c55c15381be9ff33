//! Finds again the file a record names where its path was not UTF-8.
//!
//! A run record keeps paths as text (`RunRecord::spec_file`, `data_file`), written with
//! `Path::display`, which puts U+FFFD (the replacement character) for each byte run that is not
//! UTF-8: a spec in the folder `d\xfeir` is recorded as `d�ir/t.yaml`, a path that names no
//! file. The one the run read is found again by listing each folder where a component holds
//! that character, for the one entry whose name is written the same way. A path that is there
//! as recorded, or holds no such character, is taken as it is.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use anyhow::bail;

/// Returns the path that `recorded`, a path as a record keeps it (`Path::display`), names:
/// `recorded` itself where something is there or it holds no replacement character; otherwise
/// the path found by taking, for each component that holds one, the one entry of the folder
/// above whose name is written so. Where no entry is (or the folder cannot be listed), the rest
/// stays as recorded, so that reading it says it is gone; fails where several are, naming them.
pub(crate) fn recorded_path(recorded: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(recorded);
    if !recorded.contains(char::REPLACEMENT_CHARACTER) || path.symlink_metadata().is_ok() {
        return Ok(path.to_path_buf());
    }
    let mut found = PathBuf::new();
    let mut components = path.components();
    for component in components.by_ref() {
        let name = component.as_os_str();
        let lossy = matches!(component, Component::Normal(_))
            && name.to_string_lossy().contains(char::REPLACEMENT_CHARACTER);
        if !lossy {
            found.push(name);
            continue;
        }
        let folder = if found.as_os_str().is_empty() {
            Path::new(".")
        } else {
            found.as_path()
        };
        let candidates = written_as(folder, name.to_string_lossy().as_ref());
        match candidates.as_slice() {
            [one] => found.push(one),
            [] => {
                found.push(name);
                break;
            }
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|n| format!("{:?}", Path::new(n)))
                    .collect();
                bail!(
                    "the run record names {recorded}, a path that was not UTF-8 and that it kept \
                     with a replacement character; {} entries of {} are written so ({}): rename \
                     all but the one the run read",
                    several.len(),
                    folder.display(),
                    names.join(", ")
                );
            }
        }
    }
    found.extend(components);
    Ok(found)
}

/// Returns the names of the entries of `folder` that `Path::display` writes as `name`, in
/// byte order; none where the folder cannot be listed.
fn written_as(folder: &Path, name: &str) -> Vec<OsString> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut names: Vec<OsString> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|entry| entry.to_string_lossy() == name)
        .collect();
    names.sort();
    names
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    /// Returns `dir/bytes` for a name of raw bytes.
    fn named(dir: &Path, bytes: &[u8]) -> PathBuf {
        dir.join(std::ffi::OsStr::from_bytes(bytes))
    }

    #[test]
    fn issue_a_recorded_path_that_was_not_utf8_is_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let real = named(dir.path(), b"d\xfeir").join("data").join("pen.csv");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "x\n").unwrap();
        let recorded = real.display().to_string();
        assert!(recorded.contains('\u{FFFD}'), "{recorded}");
        assert_eq!(recorded_path(&recorded).unwrap(), real);
        // A file that is gone stays as recorded past the folder found, for reading it to say so.
        let gone = real.with_file_name("gone.csv").display().to_string();
        assert_eq!(
            recorded_path(&gone).unwrap(),
            real.with_file_name("gone.csv")
        );
        let nowhere = dir.path().join("x\u{FFFD}y/z.csv");
        let nowhere = nowhere.to_str().unwrap();
        assert_eq!(recorded_path(nowhere).unwrap(), Path::new(nowhere));
        // A path of UTF-8 text, replacement character included, is what it says.
        let plain = dir.path().join("a\u{FFFD}b");
        std::fs::write(&plain, "").unwrap();
        assert_eq!(recorded_path(plain.to_str().unwrap()).unwrap(), plain);
        assert_eq!(
            recorded_path("rel/t.yaml").unwrap(),
            Path::new("rel/t.yaml")
        );
    }

    #[test]
    fn issue_two_folders_written_alike_are_named_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [&b"e\xfe"[..], b"e\xff"] {
            std::fs::create_dir(named(dir.path(), bytes)).unwrap();
        }
        let recorded = dir.path().join("e\u{FFFD}/t.yaml");
        let e = recorded_path(recorded.to_str().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "the run record names {}, a path that was not UTF-8 and that it kept with a \
                 replacement character; 2 entries of {} are written so (\"e\\xFE\", \
                 \"e\\xFF\"): rename all but the one the run read",
                recorded.display(),
                dir.path().display()
            )
        );
    }
}
