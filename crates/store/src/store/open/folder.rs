//! Whether the path of a store can be a folder at all, checked before an open makes or reads
//! one: a file there, a file above it, or a link above it leading nowhere is said as such,
//! rather than as "no store" (which no command could fix there) or as the system's bare
//! "File exists" (`create_dir_all` under a link leading nowhere).

use std::path::Path;

use crate::Error;

/// Returns the refusal of a store at `path` that cannot be a folder: `path` is a file; a
/// folder above it is a file (`afile` of `afile/sub`, which the system refuses with
/// `ENOTDIR`); or a folder above it is a symbolic link to nothing (`dangle` of `dangle/sub`,
/// where making the folder fails with `EEXIST`: the link is there, its target is not).
/// `None` where it can be one (a folder missing above is made by an open, or said missing by
/// the command that asks for one).
pub(super) fn not_a_folder(path: &Path) -> Option<Error> {
    let refused = |detail: String| {
        Some(Error::Open {
            path: path.to_path_buf(),
            detail,
        })
    };
    if path.exists() && !path.is_dir() {
        return refused("it is a file, not a folder".into());
    }
    if let Some(file) = file_above(path) {
        return refused(format!(
            "{} is a file, not a folder, so no store can be under it",
            file.display()
        ));
    }
    if let Some(link) = link_above_to_nothing(path) {
        let target = match std::fs::read_link(link) {
            Ok(target) => target.display().to_string(),
            Err(e) => format!("a target that cannot be read ({e})"),
        };
        return refused(format!(
            "{} is a link to {target}, which does not exist, so no store can be under it; \
             create the folder it points to, or name another",
            link.display()
        ));
    }
    None
}

/// Returns the nearest folder above `path` that is there but is a file (`afile` of
/// `afile/sub`, which the system refuses with `ENOTDIR`), or `None`.
fn file_above(path: &Path) -> Option<&Path> {
    let refused = std::fs::symlink_metadata(path)
        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotADirectory);
    if !refused {
        return None;
    }
    path.ancestors()
        .skip(1)
        .filter(|above| !above.as_os_str().is_empty())
        .find(|above| above.exists() && !above.is_dir())
}

/// Returns the nearest folder above `path`, itself not there, that is a symbolic link whose
/// target is not there either (`dangle` of `dangle/sub`), or `None`.
fn link_above_to_nothing(path: &Path) -> Option<&Path> {
    let missing =
        std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    if !missing {
        return None;
    }
    path.ancestors()
        .skip(1)
        .filter(|above| !above.as_os_str().is_empty())
        .find(|above| {
            let link = std::fs::symlink_metadata(above).is_ok_and(|m| m.file_type().is_symlink());
            link && std::fs::metadata(above)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        })
}
