//! `sweep ls`, `sweep show` and `sweep trials`: read-only views of a store.

use experiment::{rank_trials, Trial, TrialOrder};

use super::{find_experiment, open_store, StoreMode};
use crate::args::{Format, ShowArgs, StoreArgs, TrialsArgs};
use crate::output;
use crate::Outcome;

pub(crate) fn ls(args: &StoreArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store, StoreMode::Existing)?;
    let mut rows = Vec::new();
    for info in store.experiments()? {
        let trials = store.trials(&info.name)?;
        rows.push((info, trials));
    }
    output::experiments(&mut std::io::stdout().lock(), &rows)?;
    Ok(Outcome::Success)
}

pub(crate) fn show(args: &ShowArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    let trials = store.trials(&info.name)?;
    let record = store.run_record(&info.name)?;
    let mut out = std::io::stdout().lock();
    // The stored spec names the sampler and pruner; one stored by an older version that no
    // longer parses only loses those two lines.
    let spec = info.spec().ok();
    output::experiment_header(&mut out, &info, spec.as_ref(), &trials)?;
    output::run_record(&mut out, record.as_ref())?;
    if let Some(record) = record.as_ref().filter(|_| args.record) {
        output::run_record_details(&mut out, record)?;
    }
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    let objectives = info.objectives(spec.as_ref());
    let importance: Vec<_> = objectives
        .iter()
        .map(|o| {
            let shares = dashboard::param_importance(spec.as_ref(), &trials, o);
            (o.name.clone(), shares)
        })
        .collect();
    output::importance(&mut out, &importance)?;
    let ranked = rank_trials(&trials, &objectives, constraints);
    output::leaderboard(&mut out, &ranked, &objectives, constraints, args.top)?;
    super::tested::show(&mut out, &store, &info.name)?;
    Ok(Outcome::Success)
}

pub(crate) fn trials(args: &TrialsArgs) -> anyhow::Result<Outcome> {
    let store = open_store(&args.store.store, StoreMode::Existing)?;
    let info = find_experiment(&store, &args.experiment)?;
    let trials = store.trials(&info.name)?;
    let spec = info.spec().ok();
    if let Some(filter) = &args.filter {
        super::check_filter(filter, spec.as_ref(), &trials)?;
    }
    let shown = |t: &Trial| args.filter.as_ref().is_none_or(|f| f.matches(t));
    let order = args.sort.clone().map(|key| TrialOrder {
        key,
        descending: args.desc,
    });
    let order = order.as_ref();
    let objectives = info.objectives(spec.as_ref());
    let constraints = spec.as_ref().map_or(&[][..], |s| s.constraints.as_slice());
    // CSV and JSON list the kept trials only; the table ranks them among all.
    let kept = || output::kept_in_order(&trials, &shown, order, (&objectives, constraints));
    let judged = || output::Judged::of(spec.as_ref(), &trials);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => output::trials_table(
            &mut out,
            &trials,
            (&shown, order),
            (&objectives, spec.as_ref()),
        )?,
        Format::Csv => output::trials_csv(&mut out, &kept(), &judged())?,
        Format::Json => output::trials_json(&mut out, &kept(), &judged())?,
    }
    Ok(Outcome::Success)
}
