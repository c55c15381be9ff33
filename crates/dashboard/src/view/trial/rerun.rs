//! The commands a trial's page gives to run it again into a fresh store: from the experiment
//! file as it is now (`rerun_command`), or from the spec stored with the experiment, saved
//! beside it (`stored_rerun_commands`). A spec path kept with a replacement character (it was
//! not UTF-8) names no file: the commands say `<SPEC>` in its place, with a note after a `#`,
//! as `experiment::Resume`'s resume line does.

use experiment::{shell_quote, spec_path_unknown as unknown_spec, ExperimentSpec, UNKNOWN_SPEC};

/// Stands for the stored spec's copy beside a spec file whose path is not known
/// (`experiment::UNKNOWN_SPEC`).
const UNKNOWN_COPY: &str = "<STORED>";

/// Returns the note that says what `UNKNOWN_SPEC` stands for, the file kept as `spec_path`, in
/// `experiment::Resume`'s words.
fn unknown_spec_note(spec_path: &str) -> String {
    experiment::unknown_spec_note(&shell_quote(spec_path))
}

/// Returns the command that runs trials 0 to `id` of the experiment file `spec_path` into a
/// fresh store, which gives trial `id` again; `parallel`, when given, is the trials side by side
/// it needs (`rerun_parallel`), since a model-based sampler's trials depend on them. A path kept
/// with a replacement character (it was not UTF-8) is written `<SPEC>`, with a note after a
/// `#` of what to put there, as the resume line writes it.
pub(crate) fn rerun_command(spec_path: &str, id: u32, parallel: Option<u32>) -> String {
    if unknown_spec(spec_path) {
        let command = run_command(UNKNOWN_SPEC, id, parallel);
        return format!("{command}  # {}", unknown_spec_note(spec_path));
    }
    run_command(&shell_quote(spec_path), id, parallel)
}

/// Returns `sweep run SPEC --store .sweep-reproduce-ID --run-cap ID+1 [--parallel N]`, `spec`
/// written as given (quoted already, or a stand-in).
fn run_command(spec: &str, id: u32, parallel: Option<u32>) -> String {
    let side_by_side = parallel.map_or(String::new(), |n| format!(" --parallel {n}"));
    format!(
        "sweep run {spec} --store {} --run-cap {}{side_by_side}",
        shell_quote(&format!(".sweep-reproduce-{id}")),
        id.saturating_add(1)
    )
}

/// Returns the commands that run the stored spec of experiment `name` in place of the file
/// `spec_path` as it is now, which may have been edited since the run: `sweep show NAME --spec
/// --store STORE > COPY`, with COPY beside the file (`STEM.stored.yaml`, in the folder the
/// experiment was last run from, where its relative data paths are read), then
/// `rerun_command` of COPY, a line each. The dashboard reads no file: these are for the
/// watcher to run. Where `spec_path` was kept with a replacement character (it was not UTF-8),
/// its folder is not known: COPY is written `<STORED>`, a file to make beside `<SPEC>`, with
/// a note after a `#` of what to put there.
pub(crate) fn stored_rerun_commands(
    name: &str,
    store_dir: &str,
    spec_path: &str,
    id: u32,
    parallel: Option<u32>,
) -> String {
    let show = format!(
        "sweep show {} --spec --store {}",
        shell_quote(name),
        shell_quote(store_dir)
    );
    if unknown_spec(spec_path) {
        return format!(
            "{show} > {UNKNOWN_COPY}  # {UNKNOWN_COPY}: a new file beside {UNKNOWN_SPEC}; {}\n{}",
            unknown_spec_note(spec_path),
            run_command(UNKNOWN_COPY, id, parallel)
        );
    }
    let file = std::path::Path::new(spec_path);
    let stem = file
        .file_stem()
        .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    let copy = file.with_file_name(format!("{stem}.stored.yaml"));
    let copy = copy.to_string_lossy();
    format!(
        "{show} > {}\n{}",
        shell_quote(&copy),
        rerun_command(&copy, id, parallel)
    )
}

/// Returns the `--parallel` that the re-run command needs: the trials side by side the run
/// `ran_with` (its record's), unless the file's `parallel:` already says so; without it a fresh
/// `sweep run` would take one per core of the machine it runs on.
pub(crate) fn rerun_parallel(spec: Option<&ExperimentSpec>, ran_with: Option<u32>) -> Option<u32> {
    ran_with.filter(|n| spec.is_none_or(|s| s.parallel != Some(*n)))
}
