//! `sweep gate`: runs an experiment's gate and compares the guarded metrics with the baseline.
//!
//! Repeat `r` of a gate runs the experiment's configurations again with the experiment seed
//! `repeat_seed(seed, r)`, from which its trial seeds (weights, batch order, dropout) and, for
//! samplers that draw, its configurations derive. The data split stays the one of the file's own
//! seed: a different validation set per repeat would swamp the seed noise the gate measures with
//! the difficulty of the set (on the digits it made the spread of `val_loss` eight times larger).
//! Repeat 0 is the file as written and keeps the experiment's name; repeat `r > 0` is stored as
//! `NAME.rR`. Each repeat contributes one value per guarded metric: the aggregate of its best
//! trial's curve.
//!
//! The runs go to a temporary store unless `--store` names one, so a gate never adds to the
//! user's store by accident; a store that already holds one of the repeats is refused, because a
//! gate that resumed stored trials would not test the code being gated.
//!
//! This module runs the command; `runs` runs the repeats and reports on them, `baselines` reads
//! the baseline before training and makes a new one, and `changes` says what changed since the
//! baseline was recorded.

mod baselines;
mod changes;
mod runs;

use anyhow::{bail, Context};
use experiment::{repeat_seed, Baseline, ExperimentSpec};
use trainer::MlpObjective;

use super::{load_spec, open_store, quoted, StoreMode};
use crate::args::GateArgs;
use crate::{interrupt, probe, Outcome};
use baselines::{recorded_baseline, replaced_baseline};
use runs::Runs;

pub(crate) use baselines::checked_baseline;
pub(crate) use changes::changes_since;

/// Runs `sweep gate`: the experiment's repeats against its baseline, or, with
/// `--update-baseline`, to record a new one.
pub(crate) fn gate(args: &GateArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    let Some(gate) = spec.gate.clone() else {
        bail!(
            "{} has no `gate:` block; add one naming the metrics to guard and the baseline file \
             (see experiments/README.md)",
            args.file.display()
        );
    };
    let shown = gate.baseline.value.display().to_string();
    let recorded = recorded_baseline(args, &spec, &gate, &shown)?;
    let replaced = replaced_baseline(args, &gate, &shown)?;
    if args.parallel == Some(0) {
        bail!("--parallel must be at least 1");
    }
    let parallel = gate_parallel(
        args.parallel,
        &spec,
        recorded.as_ref().or(replaced.as_ref()),
    );
    let store = match &args.store {
        Some(dir) => open_store(dir, StoreMode::Create)?,
        None => super::temporary_store().context("cannot create the gate's temporary store")?,
    };
    // One objective for every repeat: the data is split by the file's seed once. A store the
    // user keeps (`--store`) keeps each repeat's best checkpoints too, as a sweep's does.
    let mut objective = MlpObjective::new(&spec)?;
    let record = probe::run_record(&spec, &args.file, parallel)?;
    let interrupts = interrupt::watch(
        "the running trials stop after their current epoch (one at its last epoch finishes), and \
         the gate ends without a verdict or a baseline",
    )?;
    let repeats: Vec<ExperimentSpec> = (0..gate.repeats).map(|r| repeat(&spec, r)).collect();
    refuse_held_repeats(args, &store, &repeats)?;
    let runs = Runs {
        args,
        spec: &spec,
        gate: &gate,
        shown: &shown,
        store: &store,
        record: &record,
        parallel,
        interrupts: &interrupts,
        warm_file: crate::warm_file::read(&spec)?,
        repeats,
    };
    let Some(measured) = runs.run(&mut objective)? else {
        return Ok(Outcome::Interrupted(interrupts.exit_code()));
    };
    // The last moment a stop is heard: past it the baseline is written (whole, `whole_file`) or
    // the verdict given.
    if interrupts.stop.requested() {
        say!("gate stopped after its runs: no verdict, and no baseline written");
        return Ok(Outcome::Interrupted(interrupts.exit_code()));
    }
    match recorded {
        None => runs.write_baseline(&measured.current, replaced),
        Some(recorded) => runs.report(&recorded, measured),
    }
}

/// Refuses a `--store` that already holds one of the `repeats`: a gate runs from scratch.
fn refuse_held_repeats(
    args: &GateArgs,
    store: &store::Store,
    repeats: &[ExperimentSpec],
) -> anyhow::Result<()> {
    let mut held: Vec<&str> = Vec::new();
    for spec_r in repeats {
        if store.experiment(&spec_r.name)?.is_some() {
            held.push(&spec_r.name);
        }
    }
    if let (Some(first), Some(dir)) = (held.first(), &args.store) {
        let names: Vec<String> = held.iter().map(|n| experiment::shell_quote(n)).collect();
        bail!(
            "the store already holds experiment `{first}`; a gate runs from scratch, so give it \
             a new --store, or none for a temporary one (the runs of a gate kept there, one \
             stopped part way too, go with `sweep rm {} --store {}`)",
            names.join(" "),
            quoted(dir)
        );
    }
    Ok(())
}

/// Returns the trials a gate runs side by side: `flag`'s (`--parallel`), else the file's, else
/// as `baseline` ran, else one per core. A sampler that learns draws other configurations side
/// by side, so the machine's cores alone would make the values depend on the machine.
pub(crate) fn gate_parallel(
    flag: Option<u32>,
    spec: &ExperimentSpec,
    baseline: Option<&Baseline>,
) -> usize {
    let recorded = baseline.and_then(|b| b.run.as_ref()).map(|r| r.parallel);
    flag.or(spec.parallel)
        .or(recorded)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or_else(probe::cores)
}

/// Returns the spec the study loop runs for repeat `r`: its own seed (for the trial seeds and
/// the sampler), and for `r > 0` its own name.
fn repeat(spec: &ExperimentSpec, r: u32) -> ExperimentSpec {
    let mut spec_r = spec.clone();
    spec_r.seed = repeat_seed(spec.seed, r);
    if r > 0 {
        spec_r.name = format!("{}.r{r}", spec.name);
    }
    spec_r
}
