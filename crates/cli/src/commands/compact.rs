//! `sweep compact`: gives back the disk space of removed experiments (`store::Store::compact`:
//! the database copied, checked and swapped in where the copy is smaller, killed at any point
//! without loss).

use std::io::Write as _;

use store::Store;

use super::{opener, opening_failed, require_store};
use crate::args::CompactArgs;
use crate::Outcome;

/// Compacts the store `args` names, saying how much was given back on standard output.
pub(crate) fn compact(args: &CompactArgs) -> anyhow::Result<Outcome> {
    let path = &args.store.store;
    // A compaction stopped part way is finished, however the folder looks meanwhile.
    if store::compaction_pending(path).is_none() {
        require_store(path)?;
    }
    // Said with no dots after the path, which would read as part of it (`compacting ....`);
    // and without a swap, which is known only once the copy is measured (one no smaller is
    // deleted, the store left as it was).
    say!(
        "compacting {}: its database is copied and checked, and swapped in only if the copy is \
         smaller",
        crate::output::visible_path(path)
    );
    // The folder is replaced by its copy: a shell inside it is left in the old, deleted one.
    let inside = std::env::current_dir()
        .ok()
        .zip(std::fs::canonicalize(path).ok())
        .is_some_and(|(here, store)| here.starts_with(store));
    let done = Store::compact(path, &opener(None)).map_err(opening_failed)?;
    let mut out = crate::standard_output::lock();
    let freed = done
        .before
        .checked_sub(done.after)
        .filter(|&freed| freed > 0);
    let given = match freed {
        Some(freed) => format!("{} given back", bytes_text(freed)),
        // sled lays a database out in whole segments: a copy no smaller is not swapped in.
        None => "nothing given back: a fresh copy would be no smaller, so the store is as it was"
            .to_string(),
    };
    writeln!(
        out,
        "compacted {}: its database {} before, {} now ({given})",
        crate::output::visible_path(path),
        bytes_text(done.before),
        bytes_text(done.after),
    )?;
    // Only a copy swapped in (smaller) replaced the folder; one no smaller left it as it was.
    if inside && freed.is_some() {
        say!(
            "note: this shell's folder was in the store's old folder, now deleted: `cd \"$PWD\"` \
             to see the new one"
        );
    }
    Ok(Outcome::Success)
}

/// Returns a size in bytes for a person: `812 B`, `3.4 MB`, `1.2 GB`.
fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::bytes_text;

    #[test]
    fn sizes_read_in_their_unit() {
        assert_eq!(bytes_text(812), "812 B");
        assert_eq!(bytes_text(3_400_000), "3.4 MB");
        assert_eq!(bytes_text(1_249_000_000), "1.2 GB");
    }
}
