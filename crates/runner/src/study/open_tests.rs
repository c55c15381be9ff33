//! Tests of opening a study's experiment: which spec resumes a stored one, and its run record.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::{AgentOptions, Stop, StudySummary};

fn options(agent: Option<AgentOptions>) -> StudyOptions {
    StudyOptions {
        spec_path: "toy.yaml".into(),
        parallel: 1,
        run_cap: None,
        extend: None,
        record: Some(RunRecord {
            spec_file: "/work/toy.yaml".into(),
            ..RunRecord::default()
        }),
        stop: Stop::default(),
        agent,
        warm_file: None,
    }
}

/// The spec the study runs below read: seed 7, one run, its data at `data/d.csv` beside it.
const SEEDED: &str = "name: e\nseed: 7\nrun_cap: 1\nmetric: {name: val_loss}\n\
    data: {csv: data/d.csv, target: y}\nparameters:\n  lr: {min: 0.01, max: 1.0}\n";

/// Returns `text` read as the spec in `file`.
fn spec_at(text: &str, file: &str) -> ExperimentSpec {
    ExperimentSpec::from_yaml_str(text, std::path::Path::new(file)).expect("a spec")
}

/// Returns a clock that starts at 0 and ticks once a reading.
fn tick_clock() -> crate::testing::TickClock {
    crate::testing::TickClock(std::sync::atomic::AtomicI64::new(0))
}

/// Runs `spec`'s study in `store` as `options` say, on `clock`, its trials a quadratic that
/// fails above 2.0, observed by no one.
fn study(
    store: &Store,
    clock: &crate::testing::TickClock,
    spec: &ExperimentSpec,
    options: &StudyOptions,
) -> Result<StudySummary> {
    crate::run_study(
        store,
        spec,
        &crate::testing::quadratic(2.0),
        &crate::SilentObserver,
        clock,
        options,
    )
}

#[test]
fn the_same_text_or_meaning_resumes_wherever_the_file_lies() {
    let at = spec_at;
    let text = "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
                parameters:\n  lr: {min: 0.001, max: 0.1}\n";
    let first = at(text, "/work/exp/e.yaml");
    let stored = ExperimentInfo {
        name: "e".into(),
        description: String::new(),
        spec_yaml: text.into(),
        spec_hash: first.hash(),
        spec_path: "exp/e.yaml".into(),
        objective: "val_loss".into(),
        goal: first.metric.goal,
        seed: first.seed,
        run_cap: 4,
        status: ExperimentStatus::Finished,
        created: experiment::Timestamp(0),
        finished: None,
    };
    let recorded = RunRecord {
        resolved_spec: first.resolved(),
        resolved_spec_hash: first.resolved_hash(),
        ..RunRecord::default()
    };
    let resumes = |spec: &ExperimentSpec| {
        StudyOptions::resumes(spec, &stored, Some(&recorded), Some(&spec.resolved()))
    };
    // A copy elsewhere resolves its data path elsewhere, but is the same file.
    let copy = at(text, "/work/other/renamed.yml");
    assert_ne!(copy.resolved_hash(), first.resolved_hash());
    assert!(resumes(&copy));
    // Another layout at the first path means the same; another seed does not.
    assert!(resumes(&at(
        &format!("# a comment\n{text}"),
        "/work/exp/e.yaml"
    )));
    assert!(!resumes(&at(
        &format!("seed: 9\n{text}"),
        "/work/exp/e.yaml"
    )));
    // Without a record, only the same text resumes.
    let layout = at(&format!("# a comment\n{text}"), "/work/exp/e.yaml");
    assert!(!StudyOptions::resumes(&layout, &stored, None, None));
    assert!(StudyOptions::resumes(&copy, &stored, None, None));
}

#[test]
fn an_agents_run_record_keeps_the_exchange_it_was_given() {
    let agent = AgentOptions {
        agent: 1,
        agents: 3,
        exchange: PathBuf::from("../shared exchange"),
        poll: Duration::from_millis(10),
        quiet_after: Duration::from_secs(60),
    };
    let record = run_record(&options(Some(agent)), 6).expect("a record");
    assert_eq!(record.exchange.as_deref(), Some("../shared exchange"));
    assert_eq!(
        record.agent,
        Some(store::AgentOf {
            agent: 1,
            agents: 3
        })
    );
    assert_eq!(record.spec_file, "/work/toy.yaml");
    // One process has no exchange to keep.
    let alone = run_record(&options(None), 6).expect("a record");
    assert_eq!((alone.agent, alone.exchange), (None, None));
    assert_eq!(
        run_record(
            &StudyOptions {
                record: None,
                ..options(None)
            },
            6
        ),
        None
    );
}

/// Issue: the same data named by another spelling of its path (a spec moved to a folder
/// below, reading `../data/d.csv`) was refused as another spec. It resumes where the data
/// hashes as its record says, and other data there is refused as changed data, not as
/// another spec.
#[test]
fn issue_the_same_data_at_another_path_resumes_and_other_data_is_changed_data() {
    let text = SEEDED;
    let at = spec_at;
    let with_data = |spec: &ExperimentSpec, data_hash: &str| StudyOptions {
        record: Some(RunRecord {
            resolved_spec: spec.resolved(),
            resolved_spec_hash: spec.resolved_hash(),
            data_file: spec.data.csv.value.display().to_string(),
            data_hash: data_hash.into(),
            ..RunRecord::default()
        }),
        ..options(None)
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let go = |spec: &ExperimentSpec, options: &StudyOptions| {
        study(&store, &clock, spec, options).map(|summary| summary.trials.len())
    };
    let first = at(text, "/work/exp/e.yaml");
    assert_eq!(go(&first, &with_data(&first, "aaaa")).unwrap(), 1);
    let moved = at(
        &format!("# moved\n{}", text.replace("csv: data/", "csv: ../data/")),
        "/work/exp/archive/e.yaml",
    );
    assert_ne!(moved.resolved(), first.resolved());
    let more = |options: StudyOptions| StudyOptions {
        extend: Some(1),
        ..options
    };
    let err = go(&moved, &more(with_data(&moved, "bbbb"))).unwrap_err();
    assert!(matches!(err, Error::DataChanged { .. }), "{err}");
    assert_eq!(go(&moved, &more(with_data(&moved, "aaaa"))).unwrap(), 2);
    // The record stays the first run's: where the data was read then.
    let record = store.run_record("e").unwrap().expect("a run record");
    assert_eq!(record.resolved_spec, first.resolved());
    assert_eq!(record.data_file, "/work/exp/data/d.csv");
}

/// Issue: data read now from another folder than the run read it (a copy of the experiment's
/// folder with other data) was said as "{file} had sha256 ...", the path read now given as the
/// one the run read. The message names the path the run read with its hash, then the path
/// read now with its own; data changed in place keeps the shorter message.
#[test]
fn issue_changed_data_at_another_path_names_the_path_the_run_read() {
    let at = |file: &str| spec_at(SEEDED, file);
    let with_data = |data_file: &str, data_hash: &str| StudyOptions {
        record: Some(RunRecord {
            resolved_spec: at("/work/exp/e.yaml").resolved(),
            resolved_spec_hash: at("/work/exp/e.yaml").resolved_hash(),
            data_file: data_file.into(),
            data_hash: data_hash.into(),
            ..RunRecord::default()
        }),
        extend: Some(1),
        ..options(None)
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let refusal = |spec: &ExperimentSpec, options: &StudyOptions| {
        study(&store, &clock, spec, options).map_or_else(|e| e.to_string(), |_| String::new())
    };
    let first = at("/work/exp/e.yaml");
    let created = StudyOptions {
        extend: None,
        ..with_data("/work/exp/data/d.csv", &"a".repeat(64))
    };
    assert_eq!(refusal(&first, &created), "");
    let copied = at("/work/copy/e.yaml");
    let elsewhere = refusal(
        &copied,
        &with_data("/work/copy/data/d.csv", &"b".repeat(64)),
    );
    assert!(
        elsewhere.starts_with(
            "the data of experiment `e` changed since it started: the run read \
             /work/exp/data/d.csv (sha256 aaaaaaaaaaaa); /work/copy/data/d.csv now has sha256 \
             bbbbbbbbbbbb; its trials so far"
        ),
        "{elsewhere}"
    );
    let in_place = refusal(&first, &with_data("/work/exp/data/d.csv", &"b".repeat(64)));
    assert!(
        in_place.starts_with(
            "the data of experiment `e` changed since it started: /work/exp/data/d.csv had \
             sha256 aaaaaaaaaaaa, now bbbbbbbbbbbb; its trials so far"
        ),
        "{in_place}"
    );
}

/// Issue: a resume from a folder moved since stored the text it read (naming `../data/d.csv`)
/// with the first run's path, against which the stored spec named data that does not exist
/// (the dashboard's and `sweep show`'s reading of it). The text is stored with the path of the
/// file it was read from: absolute where that is not the run record's file, as given where it is.
#[test]
fn issue_a_resume_from_a_moved_folder_stores_the_path_its_text_was_read_from() {
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("exp");
    std::fs::create_dir_all(exp.join("data")).unwrap();
    std::fs::create_dir_all(exp.join("archive")).unwrap();
    std::fs::write(exp.join("data/d.csv"), "x,y\n1,2\n").unwrap();
    let text = SEEDED;
    let moved_text = text.replace("csv: data/", "csv: ../data/");
    let (first_file, moved_file) = (exp.join("e.yaml"), exp.join("archive/e.yaml"));
    let first = ExperimentSpec::from_yaml_str(text, &first_file).unwrap();
    let moved = ExperimentSpec::from_yaml_str(&moved_text, &moved_file).unwrap();
    // As the CLI gives them: the path as given, and the record's absolute one.
    let run_of = |spec: &ExperimentSpec, given: &str, file: &std::path::Path| StudyOptions {
        spec_path: given.into(),
        record: Some(RunRecord {
            resolved_spec: spec.resolved(),
            resolved_spec_hash: spec.resolved_hash(),
            spec_file: file.display().to_string(),
            data_file: spec.data.csv.value.display().to_string(),
            data_hash: "aaaa".into(),
            ..RunRecord::default()
        }),
        ..options(None)
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let go = |spec: &ExperimentSpec, options: StudyOptions| {
        study(
            &store,
            &clock,
            spec,
            &StudyOptions {
                extend: Some(1),
                ..options
            },
        )
        .map(|summary| summary.trials.len())
    };
    let created = StudyOptions {
        extend: None,
        ..run_of(&first, "exp/e.yaml", &first_file)
    };
    study(&store, &clock, &first, &created).unwrap();
    assert_eq!(
        go(&moved, run_of(&moved, "exp/archive/e.yaml", &moved_file)).unwrap(),
        2
    );
    let stored = store.experiment("e").unwrap().expect("the experiment");
    assert_eq!(stored.spec_yaml, moved_text);
    assert_eq!(stored.spec_path, moved_file.display().to_string());
    let data = stored.spec().expect("the stored spec reads").data.csv.value;
    assert_eq!(data, moved.data.csv.value);
    assert!(data.is_file(), "{}", data.display());
    // Run again from the record's file: the text and the path as given, as when created.
    assert_eq!(
        go(&first, run_of(&first, "exp/e.yaml", &first_file)).unwrap(),
        3
    );
    let stored = store.experiment("e").unwrap().expect("the experiment");
    assert_eq!(
        (stored.spec_yaml.as_str(), stored.spec_path.as_str()),
        (text, "exp/e.yaml")
    );
    // The same file named through another folder (`cd scratch; sweep run ../exp/e.yaml`, its
    // record's path `.../scratch/../exp/e.yaml`): the record's file, so the path stored stays
    // the first run's, not one through `scratch`, which may be gone when it is read.
    let through = dir.path().join("scratch/../exp/e.yaml");
    assert_eq!(
        go(&first, run_of(&first, "../exp/e.yaml", &through)).unwrap(),
        4
    );
    let stored = store.experiment("e").unwrap().expect("the experiment");
    assert_eq!(stored.spec_path, "exp/e.yaml");
}

/// Issue: a resume with another number side by side (`sweep run --parallel 2` after a first run
/// with 1) wrote 2 into the run record, so the dashboard's rerun of a trial the first run drew
/// (`sweep run FILE --store .sweep-reproduce-N --run-cap N+1 --parallel P`, from the record) drew
/// it otherwise. The record keeps the first run's number, the one its trials were drawn with: a
/// resume with another changes nothing of it, nor does a refused run (here as changed data).
#[test]
fn issue_the_run_record_keeps_the_trials_side_by_side_of_the_first_run() {
    let spec = spec_at(SEEDED, "/work/exp/e.yaml");
    let run = |parallel: u32, data_hash: &str, data_file: &str| StudyOptions {
        record: Some(RunRecord {
            resolved_spec: spec.resolved(),
            resolved_spec_hash: spec.resolved_hash(),
            data_file: data_file.into(),
            data_hash: data_hash.into(),
            parallel: Some(parallel),
            ..RunRecord::default()
        }),
        extend: Some(1),
        ..options(None)
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let first = StudyOptions {
        extend: None,
        ..run(1, "aaaa", "/work/exp/data/d.csv")
    };
    study(&store, &clock, &spec, &first).unwrap();
    let record = || store.run_record("e").unwrap().expect("a run record");
    let at_first = record();
    assert_eq!(at_first.parallel, Some(1));
    let err = study(&store, &clock, &spec, &run(3, "bbbb", "/d.csv")).unwrap_err();
    assert!(matches!(err, Error::DataChanged { .. }), "{err}");
    assert_eq!(record(), at_first, "a refused run");
    study(&store, &clock, &spec, &run(2, "aaaa", "/elsewhere/d.csv")).unwrap();
    // The extension tells the sampler a longer plan, which the record keeps; nothing else of it
    // changes.
    let resumed = record();
    assert_eq!(resumed.parallel, Some(1), "the first run's");
    assert_eq!(
        RunRecord {
            planned: at_first.planned,
            ..resumed
        },
        at_first
    );
}

/// A `bayes` spec of `run_cap` trials, 2 of them startup trials, with the default greedy tail
/// (0.4): trial 3 is greedy under a plan of 4, trial 5 under a plan of 6.
fn bayes(run_cap: u32) -> ExperimentSpec {
    let mut spec = crate::testing::spec(run_cap, "bayes");
    spec.method = experiment::Method::Bayes(experiment::BayesConfig {
        n_startup_trials: 2,
        acquisition: experiment::Acquisition::LogEi { greedy_tail: 0.4 },
        ..experiment::BayesConfig::default()
    });
    spec
}

/// `spec`'s experiment as stored with a plan of `run_cap` trials.
fn stored_with(spec: &ExperimentSpec, run_cap: u32) -> ExperimentInfo {
    ExperimentInfo {
        name: spec.name.clone(),
        description: String::new(),
        spec_yaml: spec.source.clone(),
        spec_hash: spec.hash(),
        spec_path: "toy.yaml".into(),
        objective: spec.metric.name.clone(),
        goal: spec.metric.goal,
        seed: spec.seed,
        run_cap,
        status: ExperimentStatus::Interrupted,
        created: experiment::Timestamp(0),
        finished: None,
    }
}

/// Trials numbered `0..n`, as drawn by an earlier run.
fn drawn(n: u32) -> Vec<experiment::Trial> {
    (0..n)
        .map(|k| experiment::Trial {
            id: experiment::TrialId(k),
            seed: experiment::Seed(1),
            params: experiment::Params::new(),
            state: experiment::TrialState::Queued,
            reason: None,
            started: None,
            finished: None,
            result: None,
        })
        .collect()
}

/// Issue: an experiment whose last run's sampler was told a plan of 4 resumed under a plan of 6,
/// so `bayes`'s greedy tail fell on other trials than that run's plan would have chosen, and
/// nothing said so. The resume notes it where a trial yet to draw depends on it, and a record
/// that kept the plan the last run was told gives no note when it is the same.
///
/// Issue: a record without the plan (written by a version before it was kept) was read as told
/// the run cap stored, but the versions from cea51a8 on told the file's plan without keeping it,
/// so a resume of their store after `--run-cap 4` of this file gave a false note. A record
/// without the plan says nothing of it, and neither does the resume.
#[test]
fn issue_a_resume_told_another_plan_than_its_last_run_says_which_trials_may_differ() {
    let spec = bayes(6);
    let stored = stored_with(&spec, 4);
    let old = RunRecord {
        planned: Some(4),
        ..RunRecord::default()
    };
    let note = |recorded: &RunRecord, trials: &[experiment::Trial], asked| {
        StudyOptions::plan_note(&spec, (&stored, Some(recorded)), trials, asked)
    };
    // Resumed at its stored cap: trial 3, greedy under a plan of 4, is not under 6.
    assert_eq!(
        note(&old, &drawn(2), (None, None)).as_deref(),
        Some(
            "`toy` was run before with a plan of 4 trials and goes on with a plan of 6: trial 3 \
             may differ from what that plan would have drawn (bayes' greedy tail counts from the \
             plan)"
        )
    );
    // Raised to the file's cap, the trials after it learn from it.
    let raised = note(&old, &drawn(2), (Some(6), None));
    assert!(
        raised
            .as_deref()
            .is_some_and(|n| n.contains(": trials 3 to 5 may differ")),
        "{raised:?}"
    );
    // Its first 4 trials drawn, then raised (or extended) to 6: trials 4 and 5 were no part of
    // the earlier plan, so none of them can differ from what it would have drawn.
    assert_eq!(note(&old, &drawn(4), (Some(6), None)), None);
    assert_eq!(note(&old, &drawn(4), (None, Some(2))), None);
    // A record that kept the plan its last run was told: the same plan, no note.
    let kept = RunRecord {
        planned: Some(6),
        ..RunRecord::default()
    };
    assert_eq!(note(&kept, &drawn(2), (Some(6), None)), None);
    // A record without the plan, or none at all: the plan told then is not known, no note.
    assert_eq!(note(&RunRecord::default(), &drawn(2), (None, None)), None);
    assert_eq!(
        note(&RunRecord::default(), &drawn(2), (Some(6), None)),
        None
    );
    assert_eq!(
        StudyOptions::plan_note(&spec, (&stored, None), &drawn(2), (None, None)),
        None
    );
    // Every trial whose rule differs drawn already: none left to differ.
    assert_eq!(note(&old, &drawn(4), (None, None)), None);
    // A sampler that reads no plan draws the same trials under any.
    let random = crate::testing::spec(6, "random");
    let stored_random = stored_with(&random, 4);
    assert_eq!(
        StudyOptions::plan_note(
            &random,
            (&stored_random, Some(&old)),
            &drawn(2),
            (None, None)
        ),
        None
    );
}

/// The run record keeps the plan the sampler was told: at creation, and again on a resume that
/// tells it another (a record an older version wrote, without one, or an extension).
#[test]
fn the_run_record_keeps_the_plan_the_sampler_was_told_in_the_last_run() {
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let spec = crate::testing::spec(6, "random");
    // A record of the spec as resolved, which a resume checks its search settings against.
    let options = |run_cap, extend| StudyOptions {
        run_cap,
        extend,
        record: Some(RunRecord {
            resolved_spec: spec.resolved(),
            resolved_spec_hash: spec.resolved_hash(),
            ..RunRecord::default()
        }),
        ..options(None)
    };
    let capped = options(Some(2), None);
    study(&store, &clock, &spec, &capped).unwrap();
    let planned = |store: &Store| store.run_record("toy").unwrap().and_then(|r| r.planned);
    // `--run-cap 2` below the file's 6: the sampler is told the file's plan.
    assert_eq!(planned(&store), Some(6));
    // As an older version wrote it: no plan kept. A resume keeps the one it tells.
    let old = RunRecord {
        planned: None,
        ..store.run_record("toy").unwrap().unwrap()
    };
    store.put_run_record("toy", &old).unwrap();
    study(&store, &clock, &spec, &options(None, None)).unwrap();
    assert_eq!(planned(&store), Some(6));
    // An extension past the file's plan tells the sampler the longer one.
    let extended = options(None, Some(5));
    study(&store, &clock, &spec, &extended).unwrap();
    assert_eq!(planned(&store), Some(7));
}

/// A Hyperband pruner left to its default `max_resource` over a `q_uniform` `epochs` from 3 to
/// 5 with q 3: 5 by the earlier rule (`max` floored: one bracket, its first rung at 3), 6 by
/// this version's (the last multiple its draws reach: brackets from 3 and from 6). Trial 1
/// (lr 0.9) is worse than trial 0 (0.3) at step 3.
const HYPERBAND_OVER_Q_EPOCHS: &str = "name: e\nseed: 7\nrun_cap: 2\n\
    metric: {name: val_loss}\ndata: {csv: data/d.csv, target: y}\n\
    pruner: {type: hyperband, min_resource: 3, reduction_factor: 2}\nenqueue: [{lr: 0.3}, {lr: 0.9}]\nparameters:\n  \
    lr: {min: 0.01, max: 1.0}\n  epochs: {distribution: q_uniform, min: 3, max: 5, q: 3}\n";

#[test]
fn issue_an_experiment_stored_with_the_floored_hyperband_default_resumes_and_keeps_it() {
    let spec = spec_at(HYPERBAND_OVER_Q_EPOCHS, "/work/e.yaml");
    assert_eq!(spec.most_epochs(), 6);
    // The experiment as an earlier version stored it: its record's pruner, `max_resource: 5`.
    let earlier = ExperimentSpec {
        pruner: experiment::PrunerSpec::Hyperband {
            min_resource: 3,
            max_resource: 5,
            reduction_factor: 2,
            strict: false,
        },
        ..spec.clone()
    };
    let record = |s: &ExperimentSpec| RunRecord {
        resolved_spec: s.resolved(),
        resolved_spec_hash: experiment::sha256_hex(s.resolved().as_bytes()),
        spec_file: "/work/e.yaml".into(),
        ..RunRecord::default()
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let first = StudyOptions {
        run_cap: Some(1),
        record: Some(record(&earlier)),
        ..options(None)
    };
    study(&store, &clock, &earlier, &first).unwrap();
    // Resumed from the same file by this version, which resolves it to `max_resource: 6`: the
    // same search, run on under the record's 5, in one bracket, where trial 1 is judged at
    // step 3 (under 6 it would be alone in bracket 1, whose first rung no trial reaches).
    let resumed = StudyOptions {
        run_cap: Some(2),
        record: Some(record(&spec)),
        ..options(None)
    };
    let summary = study(&store, &clock, &spec, &resumed).unwrap();
    let trial = &summary.trials[1];
    assert_eq!(trial.state, experiment::TrialState::Pruned, "{trial:?}");
    // The record stays the one it ran with.
    let kept = store.run_record("e").unwrap().unwrap();
    assert_eq!(kept.resolved_spec, earlier.resolved());
    // A new experiment of the same file runs under 6: trial 1 is alone in its bracket.
    let fresh = Store::temporary().unwrap();
    let new = StudyOptions {
        run_cap: Some(2),
        record: Some(record(&spec)),
        ..options(None)
    };
    let summary = study(&fresh, &tick_clock(), &spec, &new).unwrap();
    assert_eq!(summary.trials[1].state, experiment::TrialState::Completed);
}

/// A grid over a `q_uniform` from 0 to 10 with q 4, whose end 10 lies halfway between 8 and 12:
/// versions before this one listed 12 too (4 points), this one 0, 4 and 8.
const GRID_OVER_A_HALFWAY_END: &str = "name: e\nseed: 7\nmethod: grid\n\
    metric: {name: val_loss}\ndata: {csv: data/d.csv, target: y}\nparameters:\n  \
    lr: {values: [0.3]}\n  clip_norm: {distribution: q_uniform, min: 0, max: 10, q: 4}\n";

#[test]
fn issue_a_grid_stored_with_the_point_past_a_halfway_end_resumes_with_its_trials() {
    let spec = spec_at(GRID_OVER_A_HALFWAY_END, "/work/e.yaml");
    assert_eq!(spec.run_cap, 3);
    // The grid as an earlier version ran it: 12 too, and a run cap of 4.
    let points = [0, 4, 8, 12].map(experiment::ParamValue::Int).to_vec();
    let mut params = spec.space.params().to_vec();
    for p in &mut params {
        if p.name == "clip_norm" {
            p.distribution = experiment::Distribution::Categorical {
                values: points.clone(),
                probabilities: None,
            };
        }
    }
    let earlier = ExperimentSpec {
        space: experiment::SearchSpace::new(params),
        run_cap: 4,
        ..spec.clone()
    };
    let norms = |summary: &StudySummary| -> Vec<String> {
        summary
            .trials
            .iter()
            .map(|t| format!("{} {:?}", t.params["clip_norm"], t.state))
            .collect()
    };
    // Run for 2 of its 4 points (`--run-cap 2`), then resumed from the same file by this
    // version asking for the 4 (`--run-cap 4`): its record's run cap of 4 says an earlier
    // version listed the grid, so it goes on with that grid: 8 and 12, the points the earlier
    // version would have run.
    let record = |s: &ExperimentSpec| StudyOptions {
        record: Some(RunRecord {
            resolved_spec: s.resolved(),
            resolved_spec_hash: experiment::sha256_hex(s.resolved().as_bytes()),
            spec_file: "/work/e.yaml".into(),
            ..RunRecord::default()
        }),
        ..options(None)
    };
    let store = Store::temporary().unwrap();
    let clock = tick_clock();
    let first = StudyOptions {
        run_cap: Some(2),
        ..record(&earlier)
    };
    study(&store, &clock, &earlier, &first).unwrap();
    let go_on = StudyOptions {
        run_cap: Some(4),
        ..record(&spec)
    };
    let summary = study(&store, &clock, &spec, &go_on).unwrap();
    assert_eq!(
        norms(&summary),
        ["0 Completed", "4 Completed", "8 Completed", "12 Completed"]
    );
    assert_eq!(summary.planned, 4);
    // Finished with all 4 points: it resumes, and keeps its trial of 12, running nothing more.
    let store = Store::temporary().unwrap();
    study(&store, &clock, &earlier, &record(&earlier)).unwrap();
    let summary = study(&store, &clock, &spec, &record(&spec)).unwrap();
    assert_eq!(
        norms(&summary),
        ["0 Completed", "4 Completed", "8 Completed", "12 Completed"]
    );
}

/// A shuffled grid over two axes, one a `q_uniform` from 0 to 10 with q 4, whose end 10 lies
/// halfway between 8 and 12: versions before this one listed 12 too (8 points), this one 6.
const SHUFFLED_GRID_OVER_A_HALFWAY_END: &str = "name: e\nseed: 7\n\
    method: grid\nsampler: {shuffle: true}\n\
    metric: {name: val_loss}\ndata: {csv: data/d.csv, target: y}\nparameters:\n  \
    lr: {values: [0.1, 0.3]}\n  clip_norm: {distribution: q_uniform, min: 0, max: 10, q: 4}\n";

#[test]
fn issue_a_two_axis_grid_stored_by_the_earlier_rule_resumes_with_its_remaining_points() {
    let spec = spec_at(SHUFFLED_GRID_OVER_A_HALFWAY_END, "/work/e.yaml");
    assert_eq!(spec.run_cap, 6);
    // The grid as an earlier version ran it: 12 too, 8 points in the same shuffled order.
    let mut params = spec.space.params().to_vec();
    for p in &mut params {
        if p.name == "clip_norm" {
            p.distribution = experiment::Distribution::Categorical {
                values: [0, 4, 8, 12].map(experiment::ParamValue::Int).to_vec(),
                probabilities: None,
            };
        }
    }
    let earlier = ExperimentSpec {
        space: experiment::SearchSpace::new(params),
        run_cap: 8,
        ..spec.clone()
    };
    let points = |summary: &StudySummary| -> Vec<String> {
        let mut points: Vec<String> = summary
            .trials
            .iter()
            .map(|t| format!("{} {}", t.params["lr"], t.params["clip_norm"]))
            .collect();
        points.sort();
        points
    };
    let record = |s: &ExperimentSpec| RunRecord {
        resolved_spec: s.resolved(),
        resolved_spec_hash: experiment::sha256_hex(s.resolved().as_bytes()),
        spec_file: "/work/e.yaml".into(),
        ..RunRecord::default()
    };
    // Its record as the earlier version wrote it: the file resolved, its grid's 8 points the
    // run cap.
    let written = record(&ExperimentSpec {
        run_cap: 8,
        ..spec.clone()
    });
    // The earlier version's whole grid, in a store of its own.
    let clock = tick_clock();
    let whole = Store::temporary().unwrap();
    let all = StudyOptions {
        record: Some(written.clone()),
        ..options(None)
    };
    let old_grid = points(&study(&whole, &clock, &earlier, &all).unwrap());
    assert_eq!(old_grid.len(), 8);
    // Run for 3 of its points by the earlier version (`--run-cap 3`), then resumed by this
    // version from the same file, edited in a comment (its text differs; its record is this
    // version's reading of it): every point of the earlier grid, each once.
    let store = Store::temporary().unwrap();
    let part = StudyOptions {
        run_cap: Some(3),
        record: Some(written),
        ..options(None)
    };
    study(&store, &clock, &earlier, &part).unwrap();
    let edited = spec_at(
        &format!("# edited\n{SHUFFLED_GRID_OVER_A_HALFWAY_END}"),
        "/work/e.yaml",
    );
    let stored = store.run_record("e").unwrap().unwrap();
    assert!(
        edited.resolves_as(&stored.resolved_spec, &edited.resolved()),
        "the earlier grid's record resumes"
    );
    // `sweep run` asks for the file's run cap as the version that stored it read the file: 8.
    let ran = edited.as_it_ran(&stored.resolved_spec);
    assert_eq!(ran.as_ref().map(|s| s.run_cap), Some(8));
    // Which resumes, checked as `sweep run` checks it: the spec as it ran, the file's reading.
    let resumes = ran.is_some_and(|ran| ran.resolves_as(&stored.resolved_spec, &edited.resolved()));
    assert!(resumes, "the spec as it ran resumes");
    let resumed = StudyOptions {
        run_cap: Some(8),
        record: Some(record(&edited)),
        ..options(None)
    };
    let summary = study(&store, &clock, &edited, &resumed).unwrap();
    assert_eq!(points(&summary), old_grid);
    assert_eq!(summary.planned, 8);
    // A new experiment of the same file runs this version's 6 points.
    let fresh = Store::temporary().unwrap();
    let new = StudyOptions {
        record: Some(record(&spec)),
        ..options(None)
    };
    assert_eq!(
        points(&study(&fresh, &clock, &spec, &new).unwrap()).len(),
        6
    );
}
