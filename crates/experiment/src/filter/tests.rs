//! Tests of trial filters: what each condition matches, and the error, with its column, of
//! each filter that is refused.

use std::collections::BTreeMap;

use super::*;
use crate::{Params, Seed, Step, TrialId, TrialResult, TrialState};

fn trial(id: u32, state: TrialState, lr: f64, optimizer: &str, acc: Option<f64>) -> Trial {
    let params: Params = BTreeMap::from([
        ("lr".to_string(), ParamValue::Float(lr)),
        ("hidden".to_string(), ParamValue::Int(64)),
        ("optimizer".to_string(), ParamValue::Str(optimizer.into())),
        ("layer_norm".to_string(), ParamValue::Bool(false)),
    ]);
    Trial {
        id: TrialId(id),
        seed: Seed(0),
        params,
        state,
        reason: None,
        started: None,
        finished: None,
        result: acc.map(|a| TrialResult {
            best_step: Step(4),
            metrics: BTreeMap::from([("val_accuracy".to_string(), a)]),
        }),
    }
}

/// The trials of a sweep that runs now that meet `filter`.
fn ids(filter: &str, trials: &[Trial]) -> Vec<u32> {
    ids_when(filter, trials, true)
}

fn ids_when(filter: &str, trials: &[Trial], live: bool) -> Vec<u32> {
    let f = TrialFilter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    trials
        .iter()
        .filter(|t| f.matches(t, live))
        .map(|t| t.id.0)
        .collect()
}

#[test]
fn conditions_select_by_metric_parameter_state_number_and_epoch() {
    let trials = [
        trial(0, TrialState::Completed, 0.01, "adam", Some(0.97)),
        trial(1, TrialState::Completed, 0.001, "sgd", Some(0.91)),
        trial(2, TrialState::Pruned, 0.003, "adam", Some(0.5)),
        trial(3, TrialState::Failed, 0.1, "adam", None),
        trial(4, TrialState::Running, 0.02, "adamw", None),
    ];
    assert_eq!(ids("", &trials), [0, 1, 2, 3, 4]);
    assert_eq!(ids("metric.val_accuracy > 0.9", &trials), [0, 1]);
    assert_eq!(ids("metrics.val_accuracy<=0.91", &trials), [1, 2]);
    assert_eq!(
        ids(
            "param.optimizer = adam AND metric.val_accuracy >= 0.5",
            &trials
        ),
        [0, 2]
    );
    assert_eq!(ids("params.optimizer != 'adam'", &trials), [1, 4]);
    assert_eq!(ids("param.lr < 5e-3", &trials), [1, 2]);
    assert_eq!(ids("param.hidden == 64 and trial >= 3", &trials), [3, 4]);
    assert_eq!(ids("param.layer_norm = false", &trials), [0, 1, 2, 3, 4]);
    assert_eq!(ids("state = \"pruned\"", &trials), [2]);
    assert_eq!(ids("state = running", &trials), [4]);
    assert_eq!(ids("state = interrupted", &trials), Vec::<u32>::new());
    assert_eq!(ids("state <> completed", &trials), [2, 3, 4]);
    // Where no sweep runs the experiment, a trial left running is interrupted, as shown.
    assert_eq!(ids_when("state = interrupted", &trials, false), [4]);
    assert_eq!(
        ids_when("state = running", &trials, false),
        Vec::<u32>::new()
    );
    assert_eq!(
        ids_when("state != running", &trials, false),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(ids("epoch = 4", &trials), [0, 1, 2]);
    // A missing field, or a value of another kind, never matches.
    assert_eq!(ids("param.depth = 1", &trials), Vec::<u32>::new());
    assert_eq!(ids("param.optimizer > 3", &trials), Vec::<u32>::new());
    assert_eq!(ids("metric.val_loss < 1", &trials), Vec::<u32>::new());
    // Lists: equal to one, or to none (a trial without the field is neither).
    assert_eq!(ids("param.optimizer in (sgd, 'adamw')", &trials), [1, 4]);
    assert_eq!(ids("param.optimizer IN (adam)", &trials), [0, 2, 3]);
    assert_eq!(ids("param.optimizer not in (adam,sgd)", &trials), [4]);
    assert_eq!(ids("state NOT IN (completed, failed)", &trials), [2, 4]);
    assert_eq!(ids("trial in (1, 3, 9) and param.lr > 0.01", &trials), [3]);
    assert_eq!(ids("epoch in (4)", &trials), [0, 1, 2]);
    assert_eq!(
        ids("metric.val_loss not in (1, 2)", &trials),
        Vec::<u32>::new()
    );
}

#[test]
fn errors_say_the_column_and_what_was_expected() {
    for (filter, column, message) in [
        ("val_accuracy > 0.9", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `val_accuracy`; did you mean `metric.val_accuracy`?"),
        ("lr > 0.01", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `lr`; a parameter is written `param.lr`"),
        ("epoch_seconds > 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `epoch_seconds`; did you mean `metric.epoch_seconds`?"),
        ("accuracy > 0.9", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `accuracy`; did you mean `metric.val_accuracy`?"),
        ("config.lr > 0.1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `config.lr`; did you mean `param.lr`?"),
        ("summary.val_loss < 0.1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `summary.val_loss`; did you mean `metric.val_loss`?"),
        ("stat = pruned", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `stat`; did you mean `state`?"),
        ("metric.val_accuracy => 0.9", 21, "`=>` is written `>=`"),
        ("metric.val_accuracy ~ 0.9", 21, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found `~`"),
        ("metric.val_accuracy", 20, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found the end of the filter"),
        ("metric.val_accuracy > ", 23, "expected a value (a number, true, false or a string), found the end of the filter"),
        ("metric.x > 1 or trial = 2", 14, "expected `and` between conditions, found `or` (conditions are joined by `and` alone; `param.NAME in (a, b)` matches either value)"),
        ("trial > 1 )", 11, "expected `and` between conditions, found `)`"),
        ("(trial > 1)", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `(`; conditions are joined by `and` alone, without brackets (a list of values takes `in (...)`)"),
        ("$lr > 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `$`"),
        ("trial > 1 and and trial < 3", 15, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `and`; a condition goes on each side of `and`"),
        ("param.optimizer = 'adam", 19, "a string opened with ' is not closed"),
        ("metric.val_loss < low", 19, "`metric.val_loss` is a number, so it compares with a number, not `low`"),
        ("state = 3", 9, "`state` is a state name, so it compares with a state such as `completed` or `pruned`, not 3"),
        ("trial in (1, 2, x)", 17, "`trial` is a number, so it compares with a number, not `x`"),
        ("state > completed", 1, "`state` compares with `=`, `!=`, `in` or `not in` only"),
        ("state = prunned", 9, "no trial is in state `prunned`; did you mean `pruned`? states: queued, running, interrupted, completed, pruned, failed"),
        ("param.flag < true", 1, "`param.flag` compares with `=`, `!=`, `in` or `not in` only"),
        ("param.optimizer in adam", 20, "expected a list of values in brackets, as `in (adam, sgd)`, found `adam`"),
        ("param.optimizer in (adam sgd)", 26, "expected `,` or `)` in the list of values, found `sgd`"),
        ("param.optimizer in (adam,", 26, "expected a value (a number, true, false or a string), found the end of the filter"),
        ("param.optimizer in ()", 21, "expected a value (a number, true, false or a string), found `)`"),
        ("param.optimizer not (adam)", 17, "expected a comparison (=, !=, <, <=, >, >=, in (...) or not in (...)), found `not`"),
        ("metric.val_loss in (0.1, low)", 26, "`metric.val_loss` is a number, so it compares with a number, not `low`"),
        ("state in (pruned, prunned)", 19, "no trial is in state `prunned`; did you mean `pruned`? states: queued, running, interrupted, completed, pruned, failed"),
        ("param. = 1", 1, "expected a field (param.NAME, metric.NAME, state, trial or epoch), found `param.`"),
    ] {
        let e = TrialFilter::parse(filter).expect_err(filter);
        assert_eq!((e.column, e.message.as_str()), (column, message), "{filter}");
    }
}

#[test]
fn names_the_experiment_lacks_are_refused_with_a_suggestion() {
    let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
    let check = |filter: &str| {
        TrialFilter::parse(filter)
            .unwrap_or_else(|e| panic!("{e}"))
            .check_names(&trials, None)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        check("param.lr < 1 and metric.val_accuracy > 0 and state = failed"),
        Ok(())
    );
    assert_eq!(
        check("trial > 1 and param.lrr < 0.01"),
        Err(
            "column 15: the experiment has no parameter `lrr`; did you mean `lr`? its \
             parameters: hidden, layer_norm, lr, optimizer"
                .to_string()
        )
    );
    assert_eq!(
        check("metric.val_acc > 0.5"),
        Err(
            "column 1: the experiment has no metric `val_acc`; did you mean \
             `val_accuracy`? its metrics: val_accuracy"
                .to_string()
        )
    );
    // Before any result, every known metric may be named.
    let waiting = [trial(0, TrialState::Running, 0.01, "adam", None)];
    let filter = TrialFilter::parse("metric.val_loss < 1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(filter.check_names(&waiting, None), Ok(()));
}

#[test]
fn a_value_a_listed_parameter_never_takes_is_refused() {
    let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
    let listed = |values: Vec<ParamValue>| crate::Distribution::Categorical {
        values,
        probabilities: None,
    };
    let space = SearchSpace::new(vec![
        crate::Param::new(
            "optimizer",
            listed(vec![
                ParamValue::Str("adam".into()),
                ParamValue::Str("sgd".into()),
            ]),
        ),
        crate::Param::new(
            "hidden",
            listed(vec![ParamValue::Int(32), ParamValue::Int(64)]),
        ),
    ]);
    let check = |filter: &str| {
        TrialFilter::parse(filter)
            .unwrap_or_else(|e| panic!("{e}"))
            .check_names(&trials, Some(&space))
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        check("param.optimizer = adam and param.hidden != 64 and param.hidden < 50"),
        Ok(())
    );
    assert_eq!(
        check("trial > 0 and param.optimizer = adamm"),
        Err(
            "column 33: `optimizer` takes one of its `values:` adam, sgd, never `adamm`; did \
             you mean `adam`?"
                .to_string()
        )
    );
    assert_eq!(
        check("param.optimizer not in (sgd, adam) and param.hidden in (32, 64)"),
        Ok(())
    );
    assert_eq!(
        check("param.optimizer in (sgd, adamm)"),
        Err(
            "column 26: `optimizer` takes one of its `values:` adam, sgd, never `adamm`; did \
             you mean `adam`?"
                .to_string()
        )
    );
    assert_eq!(
        check("param.hidden = 100"),
        Err("column 16: `hidden` takes one of its `values:` 32, 64, never 100".to_string())
    );
    // A number in quotes is the number, as a searched value written as a string compares
    // with a number.
    assert_eq!(
        check("param.hidden = \"64\" and param.hidden in ('32')"),
        Ok(())
    );
    let quoted = TrialFilter::parse("param.hidden = \"64\"").unwrap();
    let unquoted = TrialFilter::parse("param.hidden = 64").unwrap();
    for t in &trials {
        assert_eq!(quoted.matches(t, true), unquoted.matches(t, true), "{t:?}");
    }
    let mut digits = trials[0].clone();
    digits
        .params
        .insert("size".into(), ParamValue::Str("16".into()));
    assert!(TrialFilter::parse("param.size = 16")
        .unwrap()
        .matches(&digits, false));
    assert!(TrialFilter::parse("param.size < 20")
        .unwrap()
        .matches(&digits, false));
}

#[test]
fn a_comparison_that_could_only_be_false_is_refused() {
    let trials = [trial(0, TrialState::Completed, 0.01, "adam", Some(0.9))];
    let space = SearchSpace::new(vec![
        crate::Param::new(
            "optimizer",
            crate::Distribution::Categorical {
                values: vec![
                    ParamValue::Str("adam".into()),
                    ParamValue::Str("sgd".into()),
                ],
                probabilities: None,
            },
        ),
        crate::Param::new(
            "lr",
            crate::Distribution::Uniform {
                min: 1e-4,
                max: 1e-1,
            },
        ),
    ]);
    let check = |filter: &str| {
        TrialFilter::parse(filter)
            .map_err(|e| e.to_string())?
            .check_names(&trials, Some(&space))
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        check("param.lr > 0.01 and param.lr in (0.01, \"0.02\")"),
        Ok(())
    );
    assert_eq!(
        check("param.lr > abc"),
        Err("column 12: `lr` is a number, so it compares with a number, not `abc`".into())
    );
    assert_eq!(
        check("param.lr in (0.003, abc)"),
        Err("column 21: `lr` is a number, so it compares with a number, not `abc`".into())
    );
    assert_eq!(
        check("param.optimizer > adam"),
        Err(
            "column 19: `optimizer` takes text values, which have no order: compare it \
             with `=`, `!=` or `in (...)`"
                .into()
        )
    );
    let listed = SearchSpace::new(vec![crate::Param::new(
        "hidden",
        crate::Distribution::Categorical {
            values: vec![ParamValue::Int(16), ParamValue::Int(32)],
            probabilities: None,
        },
    )]);
    let said = TrialFilter::parse("param.hidden > abc")
        .unwrap()
        .check_names(&trials, Some(&listed))
        .map_err(|e| e.to_string());
    assert_eq!(
        said,
        Err("column 16: `hidden` is a number, so it compares with a number, not `abc`".into())
    );
    assert_eq!(
        check("trial = 1.5"),
        Err(
            "column 9: `trial` is a whole number, so it compares with a whole number, not 1.5"
                .into()
        )
    );
}

#[test]
fn issue_a_bare_word_matches_the_listed_text_it_spells() {
    let listed: Vec<ParamValue> = ["1", "true", "null", "false"]
        .iter()
        .map(|v| ParamValue::Str((*v).into()))
        .collect();
    let space = SearchSpace::new(vec![crate::Param::new(
        "tag",
        crate::Distribution::Categorical {
            values: listed.clone(),
            probabilities: None,
        },
    )]);
    let trials: Vec<Trial> = listed
        .iter()
        .enumerate()
        .map(|(id, v)| {
            let mut t = trial(
                u32::try_from(id).unwrap(),
                TrialState::Completed,
                0.1,
                "adam",
                None,
            );
            t.params.insert("tag".into(), v.clone());
            t
        })
        .collect();
    let kept = |filter: &str| {
        let parsed = TrialFilter::parse(filter).unwrap_or_else(|e| panic!("{e}"));
        parsed
            .check_names(&trials, Some(&space))
            .map_err(|e| e.to_string())?;
        Ok::<Vec<u32>, String>(
            trials
                .iter()
                .filter(|t| parsed.matches(t, false))
                .map(|t| t.id.0)
                .collect(),
        )
    };
    assert_eq!(kept("param.tag = true"), Ok(vec![1]));
    assert_eq!(kept("param.tag = 'true'"), Ok(vec![1]));
    assert_eq!(kept("param.tag = null"), Ok(vec![2]));
    assert_eq!(kept("param.tag = 1"), Ok(vec![0]));
    assert_eq!(kept("param.tag in (true, false)"), Ok(vec![1, 3]));
    assert_eq!(kept("param.tag != false"), Ok(vec![0, 1, 2]));
    // A real yes/no is not its text's match the other way round, nor is another word.
    assert_eq!(kept("param.layer_norm = false"), Ok(vec![0, 1, 2, 3]));
    assert!(kept("param.tag = yes").is_err());
}
