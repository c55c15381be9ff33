//! Finds again the spec's folder a record names where its path was not UTF-8, and so the spec
//! as the run read it.
//!
//! A run record keeps paths as text (`RunRecord::spec_file`, `data_file`), written with
//! `Path::display`, which puts U+FFFD (the replacement character) for each byte run that is not
//! UTF-8: a spec in the folder `d\xfeir` is recorded as `d�ir/t.yaml`, a path that names no
//! file. Only the spec's folder matters to `sweep reproduce`, which resolves the data paths
//! against it and never reads the spec file (the store keeps its text), so only the folder is
//! looked for: each folder where a component holds that character is listed for the entries
//! written the same way, a folder literally named with the character among them. Of the
//! folders found, the one whose data files are the ones the run read (`data_file`) with the
//! bytes it read (`data_hash`) is the run's; the recorded prefix is kept as written (a leading
//! `//` included), as the data paths the record names were written from it.
//!
//! The data the run read is found where the record says it was: the paths the stored text
//! resolves to from that folder, or, where the text names its data otherwise since (the
//! experiment was resumed from a folder moved or copied since, and the store keeps the text
//! as last run, `../data/d.csv`, while the record keeps the first run's paths), the paths the
//! record names. A file given with `--data` (`GivenData`) stands in for the recorded one whose
//! bytes it holds, wherever that one lies now; so does, where a recorded file is gone and no
//! `--data` names it, the file the experiment was last run from (`GivenData::last_run`: a
//! resume from a folder moved since) that holds its bytes; a recorded file that is gone, and
//! that neither stands in for, says so.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use experiment::ExperimentSpec;
use store::RunRecord;

use super::{data_files, reading_from, resolve_at, sha256_file, GivenData};

/// Lists the names of a folder's entries that are folders (or links to folders).
type Lister<'a> = &'a dyn Fn(&Path) -> io::Result<Vec<OsString>>;

/// Returns the spec of `text` (the stored spec text) parsed at the path `record` names, in the
/// folder the run read its data from (the recorded folder where it holds no replacement
/// character, or else the one folder written so whose data files are the ones the run read,
/// with the same bytes), reading its data from where it lies (`data_read`: `given` in place of
/// the recorded files whose bytes it holds, and `last_run` in place of those of them that are
/// gone). Fails as reading the data fails (changed, gone,
/// resolving elsewhere) where one folder is found or none, naming each folder where several
/// are found and none, or more than one, holds the data the run read; fails where a folder on
/// the way cannot be listed.
pub(crate) fn recorded_spec(
    text: &str,
    record: &RunRecord,
    given: &GivenData,
    last_run: &GivenData,
) -> anyhow::Result<ExperimentSpec> {
    let recorded = record.spec_file.as_str();
    // The folder keeps its last `/`, so that `/t.yaml` and `//t.yaml` keep their prefix.
    let (folder, name) = match recorded.rfind('/') {
        Some(at) => recorded.split_at(at + 1),
        None => ("", recorded),
    };
    let folders = recorded_folders(folder, &folders_in)?;
    let mut read: Vec<(PathBuf, ExperimentSpec, Vec<PathBuf>)> = Vec::new();
    let mut not_read: Vec<(PathBuf, anyhow::Error)> = Vec::new();
    for folder in folders {
        let spec = resolve_at(text, &folder.join(name))?;
        match data_read(&data_files(&spec), record, given, last_run) {
            // Folders whose data paths do not depend on them (absolute, or all given) read
            // the same files: they are one.
            Ok(files) if read.iter().any(|(_, _, f)| *f == files) => {}
            Ok(files) => read.push((folder, reading_from(spec, &files), files)),
            Err(e) => not_read.push((folder, e)),
        }
    }
    match (read.len(), not_read.len()) {
        (1, _) => Ok(read.remove(0).1),
        (0, 1) => Err(not_read.remove(0).1),
        (0, n) => {
            let why: Vec<String> = not_read
                .iter()
                .map(|(f, e)| format!("{:?}: {e}", f.as_os_str()))
                .collect();
            bail!(
                "the run record names {recorded}, a path that was not UTF-8 and that it kept with \
                 a replacement character; none of the {n} folders written so holds the data the \
                 run read ({})",
                why.join("; ")
            )
        }
        (n, _) => bail!(
            "the run record names {recorded}, a path that was not UTF-8 and that it kept with a \
             replacement character; {n} folders written so hold the data the run read ({}), and \
             nothing tells which the run read",
            read.iter()
                .map(|(f, _, _)| format!("{:?}", f.as_os_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Returns the data files to read for a run of `record` whose spec resolves its data to
/// `files`: for each file the run read, the one of `given` that holds its bytes, or else the
/// file where the record says it was, which must hold them. That is `files` where they are the
/// ones the record names, or else the paths the record names (one a line, one per file, kept
/// whole: without a replacement character), as after a resume from a folder moved since; a
/// file there that is gone (not found) is read where the experiment was last run from
/// (`last_run`) where a file there holds its bytes. Fails saying which file is not the run's,
/// and says a file is gone only where it is, with how to name where it lies now.
fn data_read(
    files: &[PathBuf],
    record: &RunRecord,
    given: &GivenData,
    last_run: &GivenData,
) -> anyhow::Result<Vec<PathBuf>> {
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let recorded: Vec<String> = GivenData::recorded_files(record)
        .into_iter()
        .map(|(file, _)| file)
        .collect();
    let at: Option<Vec<PathBuf>> = if shown.join("\n") == record.data_file {
        Some(files.to_vec())
    } else if recorded.len() == files.len()
        && !record.data_file.contains(char::REPLACEMENT_CHARACTER)
    {
        Some(recorded.iter().map(PathBuf::from).collect())
    } else {
        None
    };
    let hashes: Vec<&str> = record.data_hash.lines().collect();
    let mut read = Vec::new();
    for (i, resolved) in files.iter().enumerate() {
        // A record without a hash for it (none was ever written so) has nothing to check.
        let Some(&hash) = hashes.get(i) else {
            read.push(resolved.clone());
            continue;
        };
        if let Some(file) = given.holding(hash) {
            read.push(file.to_path_buf());
            continue;
        }
        let Some(file) = at.as_ref().and_then(|at| at.get(i)) else {
            bail!(
                "the spec's data now resolves to {}, but the run read {}",
                shown.join(", "),
                recorded
                    .iter()
                    .map(|f| crate::output::visible(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let now = match sha256_file(file) {
            Ok(now) => now,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(file) = last_run.holding(hash) {
                    read.push(file.to_path_buf());
                    continue;
                }
                bail!(
                "the data file {} that the run read is gone: {e}; if it lies elsewhere now (its \
                 folder moved or renamed), name it with --data PATH (it must have sha256 {hash})",
                file.display()
                )
            }
            Err(e) => bail!(
                "cannot read the data file {} that the run read: {e}",
                file.display()
            ),
        };
        if now != hash {
            bail!(
                "the data changed since the run: {} now has sha256 {now}, but the run read \
                 {hash}; reproducing needs the same data (a copy that holds it can be named \
                 with --data PATH)",
                file.display()
            );
        }
        read.push(file.clone());
    }
    Ok(read)
}

/// Returns the folders that `folder`, a folder's path as a record keeps it (`Path::display`),
/// may name, in byte order: `folder` itself where it holds no replacement character; otherwise
/// each path found by taking, for each component that holds one, the entries of the folder
/// above (listed by `list`) that are written so, the rest kept as written. Where none is found
/// (or a folder above is not there), `folder` as written, so that reading from it says what is
/// gone; fails where a folder above cannot be listed.
fn recorded_folders(folder: &str, list: Lister<'_>) -> anyhow::Result<Vec<PathBuf>> {
    if !folder.contains(char::REPLACEMENT_CHARACTER) {
        return Ok(vec![PathBuf::from(folder)]);
    }
    let mut found = vec![OsString::new()];
    for part in folder.split_inclusive('/') {
        let (name, slash) = match part.strip_suffix('/') {
            Some(name) => (name, "/"),
            None => (part, ""),
        };
        if !name.contains(char::REPLACEMENT_CHARACTER) {
            found.iter_mut().for_each(|f| f.push(part));
            continue;
        }
        let mut next = Vec::new();
        for above in &found {
            let listed = if above.is_empty() {
                Path::new(".")
            } else {
                Path::new(above)
            };
            let names = match list(listed) {
                Ok(names) => names,
                Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    return Err(anyhow!(
                        "cannot list {} to find {name}, which the run record kept with a \
                         replacement character: {e}",
                        listed.display()
                    ))
                }
            };
            for entry in names.iter().filter(|n| n.to_string_lossy() == name) {
                let mut path = above.clone();
                path.push(entry);
                path.push(slash);
                next.push(path);
            }
        }
        if next.is_empty() {
            return Ok(vec![PathBuf::from(folder)]);
        }
        found = next;
    }
    found.sort();
    Ok(found.into_iter().map(PathBuf::from).collect())
}

/// Returns the names of the entries of `folder` that are folders or links to them.
fn folders_in(folder: &Path) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.path().is_dir() {
            names.push(entry.file_name());
        }
    }
    Ok(names)
}

#[cfg(all(test, unix))]
#[path = "recorded_path_tests.rs"]
mod tests;
