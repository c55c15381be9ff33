//! The reproducibility record as `sweep show` prints it: a few summary lines, and on request the
//! resolved spec and the diff of the working tree.

use std::io::{self, Write};

use store::RunRecord;

/// Writes the record's summary lines, aligned with `experiment_header`'s.
pub(crate) fn run_record(out: &mut impl Write, record: Option<&RunRecord>) -> io::Result<()> {
    let Some(r) = record else {
        writeln!(out, "record      none (run by a Sweep from before records)")?;
        return writeln!(out);
    };
    writeln!(
        out,
        "record      sweep {}, {} on {}",
        r.sweep_version, r.engine, r.device
    )?;
    let git = match &r.git {
        Some(g) if g.dirty => format!(
            "git {} with uncommitted changes ({} diff lines; `--record` prints them)",
            g.commit,
            g.diff.lines().count()
        ),
        Some(g) => format!("git {} (clean)", g.commit),
        None => "git: not run inside a git repository".to_string(),
    };
    writeln!(out, "            {git}")?;
    writeln!(out, "            spec {}", r.spec_file)?;
    writeln!(
        out,
        "            resolved spec sha256 {}",
        short(&r.resolved_spec_hash)
    )?;
    for (file, hash) in r.data_file.lines().zip(r.data_hash.lines()) {
        writeln!(out, "            data {file} (sha256 {})", short(hash))?;
    }
    writeln!(out, "            machine {}; {}", r.cpu, r.os)?;
    writeln!(out)
}

/// Writes the resolved spec and, when the tree was dirty, the diff.
pub(crate) fn run_record_details(out: &mut impl Write, record: &RunRecord) -> io::Result<()> {
    writeln!(out, "resolved spec (sha256 {}):", record.resolved_spec_hash)?;
    for line in record.resolved_spec.lines() {
        writeln!(out, "  {line}")?;
    }
    if let Some(g) = record.git.as_ref().filter(|g| !g.diff.is_empty()) {
        writeln!(out, "\ndiff of tracked files against {}:", g.commit)?;
        write!(out, "{}", g.diff)?;
        if !g.diff.ends_with('\n') {
            writeln!(out)?;
        }
    }
    writeln!(out)
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}
