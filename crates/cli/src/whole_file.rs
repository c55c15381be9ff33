//! Writing an output file whole: what a command writes to a file it names (`predict -o`,
//! `export --output`, a gate's baseline) is made first, then written aside and renamed, so that
//! a refused input, a full disk or a kill leaves the file as it was or whole, never emptied or
//! cut short.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes what `make` writes to `path` (named in errors as `what`, such as `--output out.csv`),
/// once it is all made: an error in `make` leaves whatever is at `path` as it was. A file (or the
/// file a link names) is written aside and renamed once whole; a device or a pipe is written to
/// as it is, and a folder refused.
pub(crate) fn write_whole<T>(
    path: &Path,
    what: &str,
    make: impl FnOnce(&mut Vec<u8>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let cannot = || format!("cannot write {what}");
    let mut made = Vec::new();
    let done = make(&mut made)?;
    let target = match std::fs::symlink_metadata(path) {
        Err(_) => Some(path.to_path_buf()),
        Ok(m) if m.is_file() => Some(path.to_path_buf()),
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).ok().filter(|t| t.is_file())
        }
        Ok(_) => None,
    };
    let Some(target) = target else {
        let mut file = File::create(path).with_context(cannot)?;
        file.write_all(&made).with_context(cannot)?;
        file.flush().with_context(cannot)?;
        return Ok(done);
    };
    let part = part_file(&target);
    let written = std::fs::write(&part, &made)
        .and_then(|()| std::fs::rename(&part, &target))
        .with_context(cannot);
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written.map(|()| done)
}

/// Returns the file `path`'s contents are written to before they are renamed to it: beside it,
/// so that the rename stays on one file system.
pub(crate) fn part_file(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.part"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_file_as_it_was_and_no_part_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").unwrap();
        let refused = write_whole::<()>(&path, "--output out.csv", |out: &mut Vec<u8>| {
            out.extend_from_slice(b"half");
            anyhow::bail!("the store could not be read")
        });
        assert!(refused.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        write_whole(&path, "--output out.csv", |out: &mut Vec<u8>| {
            out.extend_from_slice(b"new\n");
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["out.csv"], "no part file left");
    }
}
