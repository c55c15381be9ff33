//! `sweep export`: an experiment's trials, or its metric curves in long format, as CSV or JSON,
//! to standard output or a file.

use std::io::{IsTerminal, Write};

use super::{find_experiment, open_to_show};
use crate::args::{ExportArgs, ExportFormat};
use crate::output::{self, SeriesRow};
use crate::Outcome;

pub(crate) fn export(args: &ExportArgs) -> anyhow::Result<Outcome> {
    // An export written over the store's own files would leave it without its experiments.
    let output =
        crate::whole_file::output_file(args.output.as_deref(), &args.store.store, "the export")?;
    // The trials read only each trial's last point of a metric; curves, every point.
    let scope = match args.series {
        true => store::CopyScope::Experiment(&args.experiment),
        false => store::CopyScope::Trials(&args.experiment),
    };
    let (store, running) = open_to_show(&args.store.store, scope)?;
    // Its status as `sweep show` shows it: its running trials are `running` only where a live
    // sweep runs it.
    let info = running.shown(find_experiment(&store, &args.experiment)?);
    let live = output::runs_now(&info);
    let mut trials = store.trials(&info.name)?;
    // The trials' columns are judged by the stored spec, and one that no longer reads is said;
    // curves take nothing from it but the names a filter may use.
    let spec = match args.series {
        false => super::inspect::stored_spec(&info, super::inspect::LEFT_OUT_OF_COLUMNS),
        true => info.spec().ok(),
    };
    // The trials' columns, judged over every trial before a filter keeps some; curves need
    // none of them.
    let effort = (!args.series)
        .then(|| store.effort(&info.name, &info.objective, spec.as_ref(), &trials))
        .transpose()?;
    let judged = effort
        .as_ref()
        .map(|effort| experiment::Judged::of(spec.as_ref(), &trials, effort).shown_live(live));
    // The JSON's ranks are among every trial too, as `sweep trials` ranks them.
    let objectives = info.objectives(spec.as_ref());
    let all = trials.clone();
    if let Some(filter) = &args.filter {
        super::check_filter(filter, spec.as_ref(), &trials)?;
        // Where no sweep runs it, a trial left running is interrupted.
        trials.retain(|t| filter.matches(t, live));
    }
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        if let Some(judged) = &judged {
            match args.format {
                ExportFormat::Csv => {
                    out.write_all(experiment::trials_csv(&trials, judged).as_bytes())?;
                }
                ExportFormat::Json => {
                    output::trials_json(&mut &mut *out, &trials, judged, (&all, &objectives))?;
                }
            }
            return Ok(());
        }
        let mut curves = Vec::with_capacity(trials.len());
        for t in &trials {
            curves.push((t.id, store.all_metric_series(&info.name, t.id)?));
        }
        match args.format {
            ExportFormat::Csv => {
                out.write_all(experiment::curves_csv(&info.name, &curves).as_bytes())?;
            }
            ExportFormat::Json => {
                let mut rows = Vec::new();
                for (id, series) in &curves {
                    for (metric, points) in series {
                        rows.extend(points.iter().map(|(step, value)| SeriesRow {
                            experiment: &info.name,
                            trial: id.0,
                            metric,
                            step: step.0,
                            value: *value,
                        }));
                    }
                }
                output::series_json(&mut &mut *out, &rows)?;
            }
        }
        Ok(())
    };
    match output {
        // Made first, then written whole: a store that cannot be read, a full disk or a kill
        // leaves an earlier export as it was.
        Some(path) => {
            let what = format!("--output {}", path.display());
            crate::whole_file::write_whole(path, &what, |out| write(out))?;
        }
        None => {
            let mut out = crate::standard_output::lock();
            if matches!(args.format, ExportFormat::Csv) && std::io::stdout().is_terminal() {
                // Made first, then shown with what would act on the terminal escaped.
                let mut csv = Vec::new();
                write(&mut csv)?;
                if output::csv_to(&mut out, &String::from_utf8_lossy(&csv), true)? {
                    say!("{}", output::CSV_ESCAPED);
                }
            } else {
                write(&mut out)?;
            }
            out.flush()?;
        }
    }
    Ok(Outcome::Success)
}
