//! `sweep validate`: parses an experiment file and loads its data, running nothing.
//!
//! A `gate:` block's baseline is read as the gate reads it: one that does not read as a
//! baseline (or was recorded for another experiment, or lacks a guarded metric) is an error
//! naming the file, since `sweep gate` would refuse it too. A missing one is a warning on
//! standard error, with the command that records it, and the file is still ok (exit 0):
//! recording the first baseline is the normal next step after writing the block, though
//! `sweep gate` refuses to run until then.

use std::io::Write;
use std::path::Path;

use experiment::{ExperimentSpec, MissingValues, WarmStarted};
use runner::WarmFile;
use trainer::{DataSummary, MlpObjective};

use super::load_spec;
use crate::args::ValidateArgs;
use crate::probe;
use crate::Outcome;

/// Runs `sweep validate`: reads the file, its data and its gate's baseline, and prints what
/// the sweep would do, line by line in the order of the phases below.
pub(crate) fn validate(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.file)?;
    // Checked as `sweep run` checks a new experiment's file.
    spec.refused_as_new()
        .map_err(|e| anyhow::anyhow!("invalid experiment file {}\n{e}", args.file.display()))?;
    let objective = MlpObjective::new(&spec)?;
    let data = objective.data_summary();
    let warm_file = crate::warm_file::read(&spec)?;
    // The gate's baseline is checked before the file is said to be ok.
    let gate_line = gate_line(&spec, &args.file)?;
    let mut out = crate::standard_output::lock();
    writeln!(out, "{}: ok", crate::output::visible_path(&args.file))?;
    writeln!(out, "{}", experiment_line(&spec))?;
    write_method(&mut out, &spec)?;
    write_warm_start(
        &mut out,
        &spec,
        warm_file.as_ref().and_then(WarmFile::trials),
    )?;
    write_notes(&mut out, &spec, &objective)?;
    writeln!(out, "{}", data_line(&data, spec.data.missing))?;
    if let Some(line) = gate_line {
        // The baseline's recorded reason carries git's words and paths: shown, not acted on.
        writeln!(out, "{}", crate::output::visible_lines(&line))?;
    }
    Ok(Outcome::Success)
}

/// Returns the line that says the gate's baseline is there and how it was recorded (with what
/// changed since), or is missing, which it also warns of on standard error; `None` without a
/// `gate:` block. Fails on a baseline the gate would refuse.
fn gate_line(spec: &ExperimentSpec, file: &Path) -> anyhow::Result<Option<String>> {
    match &spec.gate {
        None => Ok(None),
        Some(gate) => {
            let baseline = &gate.baseline.value;
            let (state, changes) = if baseline.exists() {
                let recorded = super::gate::checked_baseline(spec, gate, file)?;
                // As the gate would run it.
                let parallel = super::gate::gate_parallel(None, spec, Some(&recorded));
                let record = probe::run_record(spec, file, parallel)?;
                (
                    format!("present, {}", crate::output::baseline_recorded(&recorded)),
                    super::gate::changes_since(&recorded, spec, &record, parallel),
                )
            } else {
                say!(
                    "warning: gate.baseline at {} names {}, which does not exist: `sweep gate` \
                     refuses to run until it is recorded with `sweep gate {} --update-baseline`",
                    gate.baseline.location,
                    crate::output::visible_path(baseline),
                    super::quoted(file)
                );
                let state = format!(
                    "missing; record it with `sweep gate {} --update-baseline`",
                    super::quoted(file)
                );
                (state, Vec::new())
            };
            let mut line = format!(
                "gate: {}, {}, baseline {} ({state})",
                experiment::counted(
                    u64::try_from(gate.metrics.len()).unwrap_or(u64::MAX),
                    "metric",
                    "metrics"
                ),
                experiment::counted(gate.repeats, "repeat", "repeats"),
                baseline.display()
            );
            for note in changes {
                line = format!("{line}\n{}", note.line);
                for detail in note.detail.iter().flat_map(|d| d.lines()) {
                    line = format!("{line}\n  {detail}");
                }
            }
            Ok(Some(line))
        }
    }
}

/// Returns the line that says what the experiment searches: its method, trials, searched
/// parameters and objectives, and when it ends early.
fn experiment_line(spec: &ExperimentSpec) -> String {
    let in_part = spec
        .enqueue
        .iter()
        .filter(|p| !spec.space.is_whole(p))
        .count();
    let enqueued = match (spec.enqueue.len(), in_part) {
        (0, _) => String::new(),
        (1, 0) => " (the first enqueued)".to_string(),
        (1, _) => " (the first enqueued in part)".to_string(),
        (n, 0) => format!(" (the first {n} enqueued)"),
        (n, k) if k == n => format!(" (the first {n} enqueued in part)"),
        (n, k) => format!(" (the first {n} enqueued, {k} of them in part)"),
    };
    let plateau = spec.plateau.map_or_else(String::new, |p| {
        let by = p.margin();
        let what = match spec.is_multi_objective() {
            true => "join the front",
            false => "improve the best",
        };
        let does = if p.patience == 1 {
            "does not"
        } else {
            "do not"
        };
        format!(
            "; the sweep ends once {} in a row {does} {what}{by}",
            experiment::counted(p.patience, "trial", "trials")
        )
    });
    let objectives = if spec.is_multi_objective() {
        format!(
            "objectives {}: a Pareto front{plateau}",
            spec.objectives_label()
        )
    } else {
        format!(
            "objective {} ({}{}{plateau})",
            spec.metric.name,
            spec.metric.goal,
            spec.target.map_or_else(String::new, |t| format!(
                "; the sweep ends once a trial reaches {} {t}",
                spec.metric.goal.reach_sign()
            )),
        )
    };
    let params = u64::try_from(spec.space.searched_count()).unwrap_or(u64::MAX);
    format!(
        "experiment {}: method {}, {}{enqueued}, {}, {objectives}",
        spec.name,
        spec.method.name(),
        experiment::counted(spec.planned_trials(spec.run_cap), "trial", "trials"),
        experiment::counted(params, "searched parameter", "searched parameters"),
    )
}

/// Writes the sampler's and the pruner's settings (with the pruner's rungs), where set.
fn write_method(out: &mut impl Write, spec: &ExperimentSpec) -> std::io::Result<()> {
    if let Some(settings) = spec.method.sampler_yaml() {
        writeln!(out, "sampler: {settings}")?;
    }
    if spec.pruner.is_active() {
        writeln!(out, "pruner: {}", spec.pruner.yaml())?;
        if let Some(rungs) = spec.rungs_text() {
            writeln!(out, "rungs: {rungs}")?;
        }
    }
    Ok(())
}

/// Writes where a warm start's trials come from, where the file asks for one.
fn write_warm_start(
    out: &mut impl Write,
    spec: &ExperimentSpec,
    warm_file: Option<&WarmStarted>,
) -> std::io::Result<()> {
    if let Some(w) = &spec.warm_start {
        let which = w
            .trials
            .map_or_else(String::new, |n| format!(" numbered below {n}"));
        match warm_file {
            // Agents compare the digest: each machine's copy of the file can be checked.
            Some(taken) => writeln!(
                out,
                "warm start: {}; taken when the experiment is created (its trials' sha256 {}, \
                 which agents compare)",
                taken.describe(),
                experiment::short_hash(&store::warm_start_digest(taken))
            )?,
            None => writeln!(
                out,
                "warm start: the finished trials{which} of `{}` in the store, taken when the \
                 experiment is created",
                w.source.name()
            )?,
        }
    }
    Ok(())
}

/// Writes the notes on the file: what its own checks say, a model every trial would fail to
/// build, and results that depend on the machine's cores.
fn write_notes(
    out: &mut impl Write,
    spec: &ExperimentSpec,
    objective: &MlpObjective,
) -> std::io::Result<()> {
    // Notes quote the file's own text (values, names): its control characters shown, not run.
    for why in spec.notes(spec.run_cap) {
        writeln!(out, "note: {}", crate::output::visible(&why))?;
    }
    if let Some(why) = spec.batch_past_rows_note(objective.data_summary().train_rows) {
        writeln!(out, "note: {}", crate::output::visible(&why))?;
    }
    if let Some(why) = runner::corner_start_note(spec) {
        writeln!(out, "note: {}", crate::output::visible(&why))?;
    }
    for why in objective.data_summary().lossy_columns {
        writeln!(out, "note: data: {}", crate::output::visible(&why))?;
    }
    if let Some(problem) = objective.fixed_model_problem(&spec.space) {
        writeln!(out, "note: every trial will fail at its start: {problem}")?;
    }
    if let Some(note) = objective.drawn_model_problem(&spec.space) {
        writeln!(out, "note: {note}")?;
    }
    let planned = spec.planned_trials(spec.run_cap);
    if spec.parallel.is_none() && runner::results_depend_on_parallel(spec, planned) {
        writeln!(
            out,
            "note: `parallel:` is not set, so a run takes one trial per core ({} here), and \
             what `{}` finds depends on it; set `parallel:` for another machine to reproduce it",
            probe::cores(),
            spec.method.name()
        )?;
    }
    Ok(())
}

/// Returns the line that says what the data holds: features, target and rows of each split.
fn data_line(data: &DataSummary, missing: MissingValues) -> String {
    let target = match data.task {
        experiment::Task::Classification => format!(
            "classification, {}",
            classes_text(data.classes, &data.class_names)
        ),
        experiment::Task::Regression => "regression".to_string(),
    };
    let missing = match super::missing_note(data, missing) {
        Some(note) => format!(" ({note})"),
        None => String::new(),
    };
    let encoded = if data.categorical.is_empty() {
        String::new()
    } else {
        let columns: Vec<String> = data
            .categorical
            .iter()
            .map(|(column, categories)| categories_text(column, categories))
            .collect();
        format!(" (with the categories of {})", columns.join(", "))
    };
    let separated = match data.separator {
        Some('\t') => "; separated by tabs".to_string(),
        Some(c) => format!("; separated by `{c}`"),
        None => String::new(),
    };
    // Class labels and categories are the data file's own text.
    let (encoded, target) = (
        crate::output::visible(&encoded),
        crate::output::visible(&target),
    );
    format!(
        "data: {}{encoded}, {target}; {} train / {} validation / {} test \
         rows{missing}{separated}",
        experiment::counted(
            u64::try_from(data.features).unwrap_or(u64::MAX),
            "feature",
            "features"
        ),
        data.train_rows,
        data.validation_rows,
        data.test_rows
    )
}

/// The most categories of a column `sweep validate` names; past them it names the first ones.
const CATEGORIES_NAMED: usize = 8;

/// The most class names `sweep validate` names; past them it names the first ones.
const CLASSES_NAMED: usize = 20;

/// Says the `classes` by their `names` in class order: `10 classes (0, 1, ...)`; with two,
/// which one F1 and ROC AUC score as the positive class, the second in that order (numbers as
/// numbers, text by its bytes, so `Positive` before `negative`): `2 classes (benign, malignant;
/// F1 and ROC AUC score malignant)`.
fn classes_text(classes: usize, names: &[String]) -> String {
    let listed = names_text(names, CLASSES_NAMED);
    match names {
        [_, positive] => format!(
            "{classes} classes ({listed}; F1 and ROC AUC score {})",
            names_text(std::slice::from_ref(positive), 1)
        ),
        _ => format!("{classes} classes ({listed})"),
    }
}

/// Says a categorical column's categories: `island: 3 (Biscoe, Dream, Torgersen)`, or with many
/// the first of them, `city: 240 (Aachen, Berlin, ..., Essen, ...)`.
fn categories_text(column: &str, categories: &[String]) -> String {
    format!(
        "{column}: {} ({})",
        categories.len(),
        names_text(categories, CATEGORIES_NAMED)
    )
}

/// Lists the first `most` of `names` comma-separated, then `...` for the rest; a name that
/// would read as something else (holding a comma, a quote or a line break, or empty, or with
/// spaces at an end) is quoted, with its line breaks written `\n`.
fn names_text(names: &[String], most: usize) -> String {
    let mut list: Vec<String> = names
        .iter()
        .take(most)
        .map(|name| {
            let plain =
                !name.is_empty() && name.trim() == name && !name.contains([',', '"', '\n', '\r']);
            if plain {
                name.clone()
            } else {
                format!("{name:?}")
            }
        })
        .collect();
    if names.len() > most {
        list.push("...".to_string());
    }
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_with_many_categories_names_the_first() {
        let few: Vec<String> = ["female", "male"].map(String::from).to_vec();
        assert_eq!(categories_text("sex", &few), "sex: 2 (female, male)");
        let many: Vec<String> = (0..12).map(|i| format!("c{i:02}")).collect();
        assert_eq!(
            categories_text("city", &many),
            "city: 12 (c00, c01, c02, c03, c04, c05, c06, c07, ...)"
        );
        // A name holding a comma or a line break is quoted, so that the list reads one way.
        let odd: Vec<String> = ["New\nYork", "Zürich, CH", " padded", "São Paulo"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            categories_text("city", &odd),
            "city: 4 (\"New\\nYork\", \"Zürich, CH\", \" padded\", São Paulo)"
        );
        let classes: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        assert!(names_text(&classes, CLASSES_NAMED).ends_with("18, 19, ..."));
    }

    #[test]
    fn issue_f5_two_classes_name_the_one_f1_and_roc_auc_score() {
        // With labels `Positive` and `negative`, F1 scored `negative` (byte order puts
        // capitals first) and nothing said so.
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            classes_text(2, &names(&["Positive", "negative"])),
            "2 classes (Positive, negative; F1 and ROC AUC score negative)"
        );
        assert_eq!(
            classes_text(2, &names(&["benign", "malignant, spread"])),
            "2 classes (benign, \"malignant, spread\"; F1 and ROC AUC score \"malignant, spread\")"
        );
        // With more, F1 is the mean over the classes and there is no ROC AUC.
        assert_eq!(
            classes_text(3, &names(&["Adelie", "Chinstrap", "Gentoo"])),
            "3 classes (Adelie, Chinstrap, Gentoo)"
        );
    }
}
