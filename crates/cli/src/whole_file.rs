//! Writing an output file whole: what a command writes to a file it names (`predict -o`,
//! `export --output`, a gate's baseline) is made first, then written aside and renamed, so that
//! a refused input, a full disk or a kill leaves the file as it was or whole, never emptied or
//! cut short. Nor is it written inside the store the command opened (`refuse_inside_store`):
//! `-o .sweep/db` would replace the store's database with an export.

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

/// Returns the file `--output` names (`output`; `-` is standard output, as for most tools, and
/// gives `None`), refused when it lies inside the store folder `store`
/// (`refuse_inside_store`: writing `written`, such as `the export`, there would lose what the
/// store holds).
pub(crate) fn output_file<'a>(
    output: Option<&'a Path>,
    store: &Path,
    written: &str,
) -> anyhow::Result<Option<&'a Path>> {
    let output = output.filter(|p| *p != Path::new("-"));
    if let Some(path) = output {
        refuse_inside_store(
            path,
            &format!("--output {}", path.display()),
            store,
            written,
        )?;
    }
    Ok(output)
}

/// Refuses `path` (named in errors as `what`, such as `--output out.csv`) when it lies inside the
/// store folder `store`, its database or its checkpoints, or is that folder: writing `written`
/// (`the export`) there would replace what the store holds. The path's folder is resolved, and
/// every link on the way to the file followed, so that a link into the store is refused too. A
/// store that is not there has nothing to lose.
pub(crate) fn refuse_inside_store(
    path: &Path,
    what: &str,
    store: &Path,
    written: &str,
) -> anyhow::Result<()> {
    let Ok(folder) = std::fs::canonicalize(store) else {
        return Ok(());
    };
    let inside = resolved(path)
        .into_iter()
        .chain(std::fs::canonicalize(path))
        .any(|p| p.starts_with(&folder));
    if inside {
        anyhow::bail!(
            "{what}: that file is inside the store {}, which holds the experiments and their \
             checkpoints; write {written} elsewhere",
            store.display()
        );
    }
    Ok(())
}

/// Returns the file `path`'s contents are written to before they are renamed to it: beside it,
/// so that the rename stays on one file system.
pub(crate) fn part_file(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.part"))
}

/// Returns where a write to `path` lands: its links followed (a link to a file not there yet
/// included), then its folder canonicalized and its file name kept. `None` when its folder is
/// not there (a write fails then) or a link goes round in circles.
fn resolved(path: &Path) -> Option<PathBuf> {
    /// Links followed before giving up, as the kernel's `ELOOP` limit.
    const MAX_LINKS: usize = 40;
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            let name = path.file_name()?;
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            return Some(std::fs::canonicalize(folder).ok()?.join(name));
        }
        let target = std::fs::read_link(&path).ok()?;
        path = match path.parent() {
            Some(folder) => folder.join(target),
            None => target,
        };
    }
    None
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

    #[test]
    fn a_path_inside_the_store_is_refused_however_it_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir_all(store.join("checkpoints/h4")).unwrap();
        std::fs::write(store.join("db"), "database").unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        let link = |name: &str, to: &Path| {
            let at = dir.path().join(name);
            std::os::unix::fs::symlink(to, &at).unwrap();
            at
        };
        let refused = [
            store.join("db"),
            store.join("conf"),
            store.join("checkpoints/h4/0.json"),
            store.clone(),
            dir.path().join("elsewhere/../store/db"),
            link("to_db", &store.join("db")),
            link("to_new", &store.join("new.csv")),
            link("to_store", &store).join("db"),
            link("to_link", &dir.path().join("to_db")),
        ];
        for path in &refused {
            let said = refuse_inside_store(path, "--output x", &store, "the export")
                .expect_err(&path.display().to_string());
            assert_eq!(
                said.to_string(),
                format!(
                    "--output x: that file is inside the store {}, which holds the experiments \
                     and their checkpoints; write the export elsewhere",
                    store.display()
                )
            );
        }
        let allowed = [
            dir.path().join("out.csv"),
            dir.path().join("store.csv"),
            dir.path().join("elsewhere/db"),
            link("to_elsewhere", &dir.path().join("elsewhere/x.csv")),
        ];
        for path in &allowed {
            refuse_inside_store(path, "--output x", &store, "the export")
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        // A store that is not there has nothing to lose.
        let gone = dir.path().join("gone");
        refuse_inside_store(&gone.join("db"), "--output x", &gone, "the export").unwrap();
    }
}
