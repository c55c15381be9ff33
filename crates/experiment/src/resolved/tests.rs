//! Tests of the resolved spec: what it holds, what its hash follows, and the records of
//! earlier versions it still reads as.

use std::path::Path;

use crate::ExperimentSpec;

fn parse(text: &str) -> ExperimentSpec {
    ExperimentSpec::from_yaml_str(text, Path::new("exp/s.yaml")).unwrap()
}

#[test]
fn defaults_are_filled_in_and_meaning_not_layout_is_hashed() {
    let a = parse(
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
         train: {lr: 0.01}\nparameters:\n  hidden: {values: [8, 16]}\n",
    );
    let text = a.resolved();
    for want in [
        "name: \"t\"\n",
        "seed: 0\n",
        "method: Random\n",
        "metric: val_loss (minimize)\n",
        "data.file: \"exp/d.csv\"\n",
        "train.lr: Float(0.01)\n",
        "train.batch_size: Int(32)\n",
        "model.hidden: searched Categorical { values: [Int(8), Int(16)], probabilities: None }\n",
        "gate: None\n",
    ] {
        assert!(text.contains(want), "no `{want}` in\n{text}");
    }
    // Comments and key order change the text and its hash, not the resolved spec.
    let b = parse(
        "# same experiment\ndata: {target: y, csv: d.csv}\nmetric: {name: val_loss}\nname: t\n\
         parameters:\n  hidden: {values: [8, 16]}\ntrain: {lr: 0.01}\n",
    );
    assert_ne!(a.hash(), b.hash());
    assert_eq!(a.resolved_hash(), b.resolved_hash());
    // Writing a default out does not change the meaning either; changing a value does.
    let c = parse(
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
         train: {lr: 0.01, batch_size: 32}\nparameters:\n  hidden: {values: [8, 16]}\n",
    );
    assert_eq!(a.resolved(), c.resolved());
    let d = parse(
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
         train: {lr: 0.02}\nparameters:\n  hidden: {values: [8, 16]}\n",
    );
    assert_ne!(a.resolved_hash(), d.resolved_hash());
    // A target is part of the meaning, and shown only when given.
    let e = parse(
        "name: t\nmetric: {name: val_loss, target: 0.05}\ndata: {csv: d.csv, target: y}\n\
         train: {lr: 0.01}\nparameters:\n  hidden: {values: [8, 16]}\n",
    );
    assert!(e
        .resolved()
        .contains("metric: val_loss (minimize), target ≤ 0.05\n"));
    assert_ne!(a.resolved_hash(), e.resolved_hash());
}

#[test]
fn every_data_setting_is_part_of_the_meaning() {
    let with = |data: &str| {
        parse(&format!(
            "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y{data}}}\n"
        ))
        .resolved_hash()
    };
    let plain = with("");
    for data in [
        ", missing: drop",
        ", missing: median",
        ", normalize: minmax",
        ", task: regression",
        ", split: {validation: 0.3}",
        ", split: {stratify: false}",
        ", image: {height: 1, width: 1}",
        ", categorical: [a]",
        ", exclude: [a]",
    ] {
        assert_ne!(
            with(data),
            plain,
            "`{data}` left the resolved spec unchanged"
        );
    }
    assert_ne!(with(", missing: mean"), with(", missing: median"));
    assert_eq!(with(", missing: error"), plain, "the default written out");
}

/// Issue: the resolved spec held the line and column of an IDX labels file and of a warm
/// start's file of results, so a comment written above them changed its hash, and an
/// unchanged experiment was refused as edited.
#[test]
fn issue_a_comment_above_a_file_changes_no_resolved_spec() {
    let idx = "name: t\nmetric: {name: val_loss}\n\
               data: {idx: {images: i.idx, labels: l.idx}, image: {height: 28, width: 28}}\n";
    let warm = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                warm_start: {csv: runs/past.csv}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n";
    for text in [idx, warm] {
        let (a, b) = (parse(text), parse(&format!("# a comment\n{text}")));
        assert_eq!(a.resolved(), b.resolved());
        assert_eq!(a.resolved_hash(), b.resolved_hash());
    }
}

/// The same issue, for an experiment stored by an earlier version, whose record holds the
/// positions: its spec, with a comment written above its file since, still resolves as
/// the record, and so does one naming another labels file or another warm start's file
/// (where a file lies is no part of the meaning: another labels file is other data, which its
/// hash tells, and a warm start's trials are those the store took when it was created).
#[test]
fn issue_a_record_with_positions_resolves_as_its_spec_with_a_comment_above_a_file() {
    let records: Vec<&str> = EARLIER_RECORDS.split("----\n").collect();
    // The IDX labels file, and the warm start's file of results.
    for i in [1, 3] {
        assert!(
            records[i].contains("location: Location {"),
            "{}",
            records[i]
        );
        let moved = parse(&format!("# a comment\n{}", EVERY_KIND[i]));
        assert!(moved.resolves_as(records[i], &moved.resolved()));
        let other = parse(
            &EVERY_KIND[i]
                .replace("l.idx", "m.idx")
                .replace("past.csv", "other.csv"),
        );
        assert!(
            other.resolves_as(records[i], &other.resolved()),
            "{}",
            records[i]
        );
    }
}

#[test]
fn positions_are_left_out_only_where_a_record_wrote_a_located_value() {
    let without = super::notation::without_positions;
    let located = "Located { value: \"a \\\" b.csv\", location: Location { file: \
                   \"exp/s \\\"x\\\".yaml\", line: 12, column: 3 } }";
    assert_eq!(
        without(&format!(
            "warm_start: WarmStart {{ source: Csv({located}), trials: None }}\n"
        )),
        "warm_start: WarmStart { source: Csv(\"a \\\" b.csv\"), trials: None }\n"
    );
    // Text that only reads alike, as a description may, is kept.
    for text in [
        "description: \"Located { value: \\\"x\\\" }\"\n",
        "Located { value: \"x\", location: Location { file: \"f\", line: , column: 1 } }",
        "Located { value: \"x\"",
        "Located { value: ",
    ] {
        assert_eq!(without(text), text);
    }
}

/// Specs that between them write every kind of value the resolved spec holds: each
/// method with settings, each pruner, each distribution, both data formats, conditions,
/// enqueued trials, warm starts and a gate.
const EVERY_KIND: &[&str] = &[
    "name: every.kind-1\ndescription: \"quotes \\\" and \\\\ and é\\t\"\nseed: 18446744073709551615\n\
     method: grid\nsampler: {shuffle: true}\nrun_cap: 7\nparallel: 3\n\
     metric: {name: val_accuracy, target: 0.975}\nplateau: {patience: 4, min_delta: 0.001}\n\
     constraints: {param_count: {max: 20000}}\n\
     data: {csv: d.csv, target: y, split: {validation: 0.25, test: 0.1, stratify: false}, \
     normalize: minmax, task: classification, missing: median, categorical: [a, b], exclude: [id]}\n\
     model: {kind: mlp}\ntrain: {epochs: 12, early_stopping: {metric: val_loss, patience: 3, min_delta: 1.0e-7}}\n\
     parameters:\n  hidden: {values: [8, 16]}\n  optimizer: {values: [sgd, adam]}\n\
     \x20 momentum: {values: [0.5, 0.9], when: {optimizer: sgd}}\n\
     device: auto\ncheckpoints: {keep: 0}\n\
     gate: {baseline: base.json, repeats: 3, noise_k: 2.5, metrics: {val_accuracy: {aggregate: median, max_regression_abs: 0.01}}}\n",
    "name: t\nmethod: random\nmetric: {name: val_loss}\ndata: {idx: {images: i.idx, labels: l.idx}, image: {height: 28, width: 28}}\n\
     model: {kind: cnn}\npruner: {type: median, n_startup_trials: 2, n_warmup_steps: 1}\n\
     parameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 0.1}\n\
     \x20 dropout: {distribution: q_uniform, min: 0, max: 0.5, q: 0.05}\n\
     \x20 l2: {distribution: inv_log_uniform_values, min: 1.0e-6, max: 0.01}\n\
     \x20 clip_norm: {distribution: normal, mu: 1, sigma: 0.5}\n\
     \x20 depth: {distribution: int_uniform, min: 1, max: 4}\n\
     \x20 momentum: {distribution: beta, a: 2, b: 5}\n\
     \x20 step_factor: {distribution: q_beta, a: 2, b: 5, q: 0.1}\n\
     \x20 activation: {values: [relu, tanh], probabilities: [0.75, 0.25]}\n\
     \x20 layer_norm: {value: true}\n",
    "name: t\nmethod: tpe\nsampler: {n_startup_trials: 5, multivariate: true, gamma: 0.15}\n\
     metric: {name: val_loss}\ndata: {csv: d.csv, target: y, task: regression}\n\
     pruner: {type: percentile, percentile: 25.5}\nwarm_start: {experiment: old, trials: 30}\n\
     enqueue:\n  - {lr: 0.01, optimizer: adam}\n  - {lr: 0.001}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n  optimizer: {values: [sgd, adam]}\n",
    "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
     pruner: {type: threshold, upper: 2.5, n_warmup_steps: 3}\nwarm_start: {csv: runs/past.csv}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: bayes\nsampler: {acquisition: ucb, kappa: 2.5}\nmetric: {name: val_loss}\n\
     data: {csv: d.csv, target: y}\npruner: {type: asha, min_resource: 2}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: bayes\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
     pruner: {type: patience, patience: 3, wrapped: {type: asha}}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: cmaes\nsampler: {popsize: 8, restart_strategy: bipop, independent_sampler: tpe}\n\
     metric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
     early_terminate: {type: hyperband, min_iter: 2}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: cmaes\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
     pruner: {type: threshold, lower: 0, upper: 1}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: nsga2\nsampler: {crossover: sbx, sbx_eta: 10, mutation_prob: 0.1}\n\
     metric: [{name: val_loss}, {name: param_count}]\ndata: {csv: d.csv, target: y}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: nsga2\nsampler: {crossover: blx}\n\
     metric: [{name: val_loss}, {name: param_count}]\ndata: {csv: d.csv, target: y}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: nsga2\nsampler: {crossover: sbx}\n\
     metric: [{name: val_loss}, {name: param_count}]\ndata: {csv: d.csv, target: y}\n\
     parameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: nsga3\nmetric: [{name: val_loss}, {name: param_count}, {name: val_accuracy}]\n\
     data: {csv: d.csv, target: y}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n",
    "name: t\nmethod: sobol\nsampler: {scramble: false}\nmetric: {name: val_loss}\n\
     data: {csv: d.csv, target: y}\nparameters:\n  lr: {distribution: log_uniform, min: -9, max: -2}\n\
     \x20 clip_norm: {distribution: q_log_uniform_values, min: 1, max: 16, q: 1}\n\
     \x20 momentum: {distribution: log_normal, mu: -1, sigma: 0.1}\n\
     \x20 step_factor: {distribution: q_normal, mu: 0.5, sigma: 0.1, q: 0.05}\n\
     \x20 dropout: {distribution: q_log_normal, mu: -2, sigma: 0.1, q: 0.01}\n\
     \x20 warmup_epochs: {distribution: q_log_uniform, min: 0, max: 2, q: 1}\n\
     \x20 l2: {distribution: inv_log_uniform, min: 5, max: 9}\n",
];

/// The resolved specs of `EVERY_KIND` as the versions that wrote them with `Debug` did,
/// one after another, each followed by `----`.
const EARLIER_RECORDS: &str = include_str!("earlier_records.txt");

/// Run records hold the resolved specs of `EARLIER_RECORDS`, and an experiment resumes
/// only while its spec still resolves as the text its record holds (`resolves_as`), so
/// the text may not change: this version writes it byte for byte, but for the positions
/// of an IDX labels file and a warm start's file of results, which it leaves out
/// (`without_positions`), and reads each record back as its spec's.
#[test]
fn every_kind_of_value_resolves_as_the_records_of_earlier_versions_hold_it() {
    let specs: Vec<ExperimentSpec> = EVERY_KIND.iter().map(|text| parse(text)).collect();
    let got: Vec<String> = specs.iter().map(ExperimentSpec::resolved).collect();
    let records: Vec<&str> = EARLIER_RECORDS.split("----\n").collect();
    assert_eq!(records.len(), specs.len());
    for ((spec, now), then) in specs.iter().zip(&got).zip(&records) {
        assert!(
            spec.resolves_as(then, now),
            "{now}\ndoes not resolve as\n{then}"
        );
    }
    // The two positions the records hold, and only those, are left out.
    assert_eq!(EARLIER_RECORDS.matches("location: Location {").count(), 2);
    let got = got.join("----\n");
    let want = super::notation::without_positions(EARLIER_RECORDS);
    assert!(!want.contains("Located"));
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .find(|(g, w)| g != w)
            .map_or_else(String::new, |(g, w)| {
                format!("first difference:\n  got  {g}\n  want {w}\n")
            });
        panic!("{first}--- got:\n{got}");
    }
}

/// Agents' copies of a file are one study where a single process would resume from either:
/// comments and layout aside, the paths of the files it names aside (`texts_mean_the_same`).
#[test]
fn texts_mean_the_same_but_for_comments_layout_and_where_their_files_lie() {
    let text = "name: t\nmethod: tpe\nmetric: {name: val_loss}\ndata: {csv: ./d.csv, target: y}\n\
                warm_start: {csv: ./past.csv}\nparameters:\n  lr: {min: 0.0001, max: 0.1}\n";
    let same = ExperimentSpec::texts_mean_the_same;
    assert!(same(text, &format!("# a copy\n{text}")));
    assert!(same(text, &text.replace("./", "../moved/")));
    assert!(!same(text, &text.replace("name: t", "name: u")));
    assert!(!same(text, &text.replace("0.1}", "0.2}")));
    // A text this version cannot read is the same only as the same tree.
    let unread = "name: t\nno_such_key: 1\n";
    assert!(same(unread, &format!("# a copy\n{unread}")));
    assert!(!same(unread, text));
}

/// A Hyperband pruner left to its default `max_resource` over `epochs: q_uniform 3..8 q 3`,
/// whose draws past 7.5 train 9 epochs.
const HYPERBAND_OVER_Q_EPOCHS: &str = "name: t\nmetric: {name: val_loss}\n\
    data: {csv: d.csv, target: y}\npruner: {type: hyperband}\nparameters:\n  \
    epochs: {distribution: q_uniform, min: 3, max: 8, q: 3}\n";

/// The pruner line of `HYPERBAND_OVER_Q_EPOCHS`'s record as versions before this one wrote it:
/// `max_resource` defaulted to `max` floored (8).
const FLOORED_PRUNER: &str =
    "pruner: Hyperband { min_resource: 1, max_resource: 8, reduction_factor: 3, strict: false }";

/// Returns `spec`'s resolved text with its pruner line as `FLOORED_PRUNER`: the record an
/// earlier version wrote of the same file.
fn floored_record(spec: &ExperimentSpec) -> String {
    spec.resolved()
        .lines()
        .map(|l| {
            if l.starts_with("pruner: ") {
                FLOORED_PRUNER
            } else {
                l
            }
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn issue_hyperband_defaults_to_the_most_epochs_a_q_range_trains_and_older_records_resume() {
    let spec = parse(HYPERBAND_OVER_Q_EPOCHS);
    // A new experiment: the largest value the range gives, 9.
    assert_eq!(spec.most_epochs(), 9);
    let now = spec.resolved();
    assert!(now.contains(
        "pruner: Hyperband { min_resource: 1, max_resource: 9, reduction_factor: 3, strict: false }\n"
    ));
    assert_eq!(spec.as_it_ran(&now), None);
    // An experiment stored by an earlier version, whose default was 8: the same search, run on
    // under the pruner it ran with, whose resolved spec is its record's, line for line.
    let then = floored_record(&spec);
    assert_ne!(then, now);
    assert_eq!(spec.search_changes(&then), None);
    assert!(spec.resolves_as(&then, &now));
    let ran = spec.as_it_ran(&then).expect("the earlier default");
    assert_eq!(ran.resolved(), then);
    assert_eq!(
        ran.pruner,
        crate::PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource: 8,
            reduction_factor: 3,
            strict: false
        }
    );
    // The same file with a comment resumes it too.
    let commented = parse(&format!("# a comment\n{HYPERBAND_OVER_Q_EPOCHS}"));
    assert!(commented.resolves_as(&then, &commented.resolved()));
    // A file that writes `max_resource: 9` asks for another search than the record's 8.
    let written = parse(
        &HYPERBAND_OVER_Q_EPOCHS.replace("{type: hyperband}", "{type: hyperband, max_resource: 9}"),
    );
    assert_eq!(written.as_it_ran(&then), None);
    assert!(written.search_changes(&then).is_some());
    assert!(!written.resolves_as(&then, &written.resolved()));
    // One that writes 8 is the record's search as written.
    let eight = parse(
        &HYPERBAND_OVER_Q_EPOCHS.replace("{type: hyperband}", "{type: hyperband, max_resource: 8}"),
    );
    assert_eq!(eight.resolved(), then);
    // Where the rule changes nothing (a `max` that is a multiple of q), nothing differs.
    let whole = parse(&HYPERBAND_OVER_Q_EPOCHS.replace("max: 8", "max: 9"));
    assert_eq!(
        whole.as_it_ran(&floored_record(&whole).replace("max_resource: 8", "max_resource: 9")),
        None
    );
}
