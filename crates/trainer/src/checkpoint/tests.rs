//! Unit tests of `checkpoint`: the keeper's best K (or Pareto front) on disk, and sidecars and
//! weights read back or refused.

use super::*;

fn meta(trial: u32, value: f64) -> CheckpointV1 {
    CheckpointV1 {
        format_version: FORMAT_VERSION,
        experiment: "e".into(),
        trial,
        epoch: 1,
        metric: "val_accuracy".into(),
        value,
        model: "mlp".into(),
        params: serde_json::Map::new(),
        task: "classification".into(),
        target: "y".into(),
        feature_names: vec!["a".into()],
        class_names: vec!["x".into(), "y".into()],
        image: None,
        normalize: "none".into(),
        shift: vec![0.0],
        scale: vec![1.0],
        target_scale: None,
        fill: None,
        exact: Vec::new(),
        categories: Vec::new(),
        excluded: Vec::new(),
        pareto: None,
        standing: Some(Standing::BEST),
        weights_sha256: None,
    }
}

fn maximize(name: &str) -> MetricSpec {
    MetricSpec {
        name: name.into(),
        goal: Direction::Maximize,
    }
}

fn minimize(name: &str) -> MetricSpec {
    MetricSpec {
        name: name.into(),
        goal: Direction::Minimize,
    }
}

/// One small tensor, the weights of the keeper's tests.
fn bias() -> [HostTensor; 1] {
    [HostTensor {
        name: "dense0.bias".into(),
        shape: vec![2],
        values: vec![0.5, -1.0],
    }]
}

fn on_disk(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_keeper_keeps_the_best_and_remembers_them_on_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e");
    let tensors = bias();
    let accuracy = [maximize("val_accuracy")];
    let keeper = Keeper::open(path.clone(), 2, &accuracy, &[], None).unwrap();
    for (trial, value) in [(0, 0.5), (1, 0.9), (2, 0.7), (3, 0.6), (4, f64::NAN)] {
        keeper.save(meta(trial, value), &tensors).unwrap();
    }
    assert_eq!(
        on_disk(&path),
        ["1.json", "1.safetensors", "2.json", "2.safetensors"]
    );
    let reopened = Keeper::open(path.clone(), 1, &accuracy, &[], None).unwrap();
    assert_eq!(on_disk(&path), ["1.json", "1.safetensors"]);
    reopened.save(meta(5, 0.95), &tensors).unwrap();
    assert_eq!(on_disk(&path), ["5.json", "5.safetensors"]);
    // The sidecar is the trial's, with the SHA-256 of the weights written beside it.
    let weights = std::fs::read(path.join("5.safetensors")).unwrap();
    assert_eq!(
        read_sidecar(&reopened.sidecar(TrialId(5))).unwrap(),
        CheckpointV1 {
            weights_sha256: Some(experiment::sha256_hex(&weights)),
            ..meta(5, 0.95)
        }
    );
}

/// The keeper writes, learns and deletes the files `experiment::CheckpointFile` names, the
/// names `store` hands over and `cli` looks for.
#[test]
fn the_keeper_writes_and_deletes_the_files_checkpoint_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e");
    let accuracy = [maximize("val_accuracy")];
    let keeper = Keeper::open(path.clone(), 1, &accuracy, &[], None).unwrap();
    keeper.save(meta(7, 0.5), &bias()).unwrap();
    let mut named = CheckpointFile::WRITE_ORDER.map(|f| f.file_name(TrialId(7)));
    named.sort();
    assert_eq!(on_disk(&path), named);
    assert_eq!(
        keeper.sidecar(TrialId(7)),
        CheckpointFile::Sidecar.path(&path, TrialId(7))
    );
    // Reopened, it learns the checkpoint by its sidecar, and a better one pushes it out.
    let reopened = Keeper::open(path.clone(), 1, &accuracy, &[], None).unwrap();
    reopened.save(meta(8, 0.9), &bias()).unwrap();
    let mut named = CheckpointFile::WRITE_ORDER.map(|f| f.file_name(TrialId(8)));
    named.sort();
    assert_eq!(on_disk(&path), named);
}

#[test]
fn checkpoints_are_kept_in_the_order_the_leaderboard_ranks_their_trials() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e");
    let tensors = bias();
    let accuracy = [maximize("val_accuracy")];
    let with = |trial: u32, value: f64, violation: f64, completed: bool| {
        let mut m = meta(trial, value);
        m.standing = Some(Standing {
            violation,
            completed,
        });
        m
    };
    let keeper = Keeper::open(path.clone(), 2, &accuracy, &[], None).unwrap();
    // Trial 0 was pruned with a better value than trial 1, which completed: trial 1 is
    // the study's best. Trial 2 breaks a constraint, pruned with the best value of all;
    // trial 3, pruned, meets them: it ranks before trial 2.
    for m in [
        with(0, 0.95, 0.0, false),
        with(1, 0.7, 0.0, true),
        with(2, 0.99, 5.0, false),
        with(3, 0.6, 0.0, false),
    ] {
        keeper.save(m.clone(), &tensors).unwrap();
    }
    assert_eq!(
        on_disk(&path),
        ["0.json", "0.safetensors", "1.json", "1.safetensors"]
    );
    let keeper = Keeper::open(path.clone(), 3, &accuracy, &[], None).unwrap();
    keeper.save(with(2, 0.99, 5.0, false), &tensors).unwrap();
    keeper.save(with(3, 0.6, 0.0, false), &tensors).unwrap();
    assert_eq!(on_disk(&path).len(), 6);
    assert!(
        !keeper.sidecar(TrialId(2)).exists(),
        "it breaks a constraint"
    );
    // A sidecar written before the standing existed reads as a completed trial that meets
    // the constraints.
    let json = serde_json::to_string(&meta(4, 0.5)).unwrap();
    assert!(json.contains("\"standing\":{"), "{json}");
    let start = json.find(",\"standing\"").unwrap();
    let old: CheckpointV1 = serde_json::from_str(&format!("{}}}", &json[..start])).unwrap();
    assert_eq!(Kept::of(&old).standing, Standing::BEST);
}

#[test]
fn a_trial_run_again_leaves_no_checkpoint_of_its_first_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e");
    let tensors = bias();
    let accuracy = [maximize("val_accuracy")];
    // Trial 1's first run was stopped part way after it saved a checkpoint.
    let keeper = Keeper::open(path.clone(), 1, &accuracy, &[], None).unwrap();
    keeper.save(meta(0, 0.8), &tensors).unwrap();
    let mut partial = meta(1, 0.9);
    partial.standing = Some(Standing {
        violation: 0.0,
        completed: false,
    });
    keeper.save(partial.clone(), &tensors).unwrap();
    // Resumed with two kept, it runs again from scratch and now ranks below trial 0: its
    // first run's checkpoint, of other weights, must not stay behind as its own.
    let resumed = Keeper::open(path.clone(), 2, &accuracy, &[], None).unwrap();
    resumed.save(meta(2, 0.85), &tensors).unwrap();
    resumed.save(meta(1, 0.6), &tensors).unwrap();
    assert_eq!(
        on_disk(&path),
        ["0.json", "0.safetensors", "2.json", "2.safetensors"]
    );
}

#[test]
fn an_agent_keeps_its_own_trials_and_leaves_a_handed_over_checkpoint_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e");
    let tensors = bias();
    let accuracy = [maximize("val_accuracy")];
    // Agent 0 of 2 ran trials 0, 2 and 4 and kept two; trial 3, agent 1's and the study's
    // best, was handed over (written beside them, as `store::handover` copies it).
    let keeper = Keeper::open(path.clone(), 2, &accuracy, &[], Some((0, 2))).unwrap();
    for (trial, value) in [(0, 0.5), (2, 0.7), (4, 0.6)] {
        keeper.save(meta(trial, value), &tensors).unwrap();
    }
    // Agent 1's keeper writes it here: it ranks only its own trials, as the copy would.
    Keeper::open(path.clone(), 2, &accuracy, &[], Some((1, 2)))
        .unwrap()
        .save(meta(3, 0.99), &tensors)
        .unwrap();
    let both = [
        "2.json",
        "2.safetensors",
        "3.json",
        "3.safetensors",
        "4.json",
        "4.safetensors",
    ];
    assert_eq!(on_disk(&path), both);
    // Started again (a raised run cap), it ranks its own two and neither counts nor deletes
    // trial 3's; a better trial of its own pushes out its worst.
    let reopened = Keeper::open(path.clone(), 2, &accuracy, &[], Some((0, 2))).unwrap();
    assert_eq!(on_disk(&path), both);
    reopened.save(meta(6, 0.8), &tensors).unwrap();
    assert_eq!(
        on_disk(&path),
        [
            "2.json",
            "2.safetensors",
            "3.json",
            "3.safetensors",
            "6.json",
            "6.safetensors"
        ]
    );
    // Opened outside agents, the folder's checkpoints are all one store's: the best two stay.
    Keeper::open(path.clone(), 2, &accuracy, &[], None).unwrap();
    assert_eq!(
        on_disk(&path),
        ["3.json", "3.safetensors", "6.json", "6.safetensors"]
    );
}

#[test]
fn with_several_objectives_the_pareto_front_keeps_its_checkpoints_whatever_the_order() {
    let objectives = [maximize("val_accuracy"), minimize("param_count")];
    let constraints = [Constraint {
        metric: "val_loss".into(),
        min: None,
        max: Some(1.0),
    }];
    let tensors = [HostTensor {
        name: "dense0.bias".into(),
        shape: vec![1],
        values: vec![0.5],
    }];
    let dir = tempfile::tempdir().unwrap();
    // Trial 3 is dominated by 0, which 4 dominates; 5 breaks the constraint; 1 is the best
    // by accuracy and on the front; 2 and 4 are on the front only.
    let trials = [
        (0, 0.90, 1000.0, 0.5),
        (1, 0.95, 5000.0, 0.5),
        (2, 0.80, 500.0, 0.5),
        (3, 0.85, 2000.0, 0.5),
        (4, 0.92, 800.0, 0.5),
        (5, 0.50, 10.0, 2.0),
    ];
    let orders: [[usize; 6]; 3] = [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [3, 0, 5, 1, 4, 2]];
    for (run, order) in orders.iter().enumerate() {
        let path = dir.path().join(format!("run{run}"));
        let keeper = Keeper::open(path.clone(), 1, &objectives, &constraints, None).unwrap();
        for &i in order {
            let (trial, accuracy, params, loss) = trials[i];
            let metrics: BTreeMap<String, f64> = [
                ("val_accuracy".to_string(), accuracy),
                ("param_count".to_string(), params),
                ("val_loss".to_string(), loss),
            ]
            .into();
            let mut m = meta(trial, accuracy);
            m.pareto = keeper.pareto_point(&metrics, true);
            assert_eq!(m.pareto.is_some(), trial != 5, "trial {trial}");
            keeper.save(m.clone(), &tensors).unwrap();
        }
        assert_eq!(
            on_disk(&path),
            [
                "1.json",
                "1.safetensors",
                "2.json",
                "2.safetensors",
                "4.json",
                "4.safetensors"
            ],
            "order {order:?}"
        );
        // Reopened, it learns the front from the sidecars: a trial that 4 dominates is not
        // kept, one that extends the front is.
        let reopened = Keeper::open(path.clone(), 1, &objectives, &constraints, None).unwrap();
        let mut dominated = meta(6, 0.91);
        dominated.pareto = Some(vec![-0.91, 900.0]);
        reopened.save(dominated.clone(), &tensors).unwrap();
        let mut smallest = meta(7, 0.60);
        smallest.pareto = Some(vec![-0.60, 100.0]);
        reopened.save(smallest.clone(), &tensors).unwrap();
        assert_eq!(on_disk(&path).len(), 8);
        assert!(reopened.sidecar(TrialId(7)).exists());
    }
    // One objective, or a trial that did not complete: no point on a front.
    let keeper = Keeper::open(dir.path().join("one"), 1, &objectives[..1], &[], None).unwrap();
    let metrics: BTreeMap<String, f64> = [("val_accuracy".to_string(), 0.9)].into();
    assert_eq!(keeper.pareto_point(&metrics, true), None);
    let keeper = Keeper::open(dir.path().join("two"), 1, &objectives, &[], None).unwrap();
    assert_eq!(
        keeper.pareto_point(&metrics, true),
        None,
        "param_count is missing"
    );
    let both: BTreeMap<String, f64> = [
        ("val_accuracy".to_string(), 0.9),
        ("param_count".to_string(), 10.0),
    ]
    .into();
    assert_eq!(keeper.pareto_point(&both, false), None);
    assert_eq!(keeper.pareto_point(&both, true), Some(vec![-0.9, 10.0]));
}

#[test]
fn params_survive_json() {
    let params: Params = [
        ("lr".to_string(), ParamValue::Float(1.0)),
        ("hidden".to_string(), ParamValue::Int(64)),
        ("optimizer".to_string(), ParamValue::Str("adam".into())),
        ("layer_norm".to_string(), ParamValue::Bool(true)),
    ]
    .into_iter()
    .collect();
    let json: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(k, v)| (k.clone(), to_json(v)))
        .collect();
    let text = serde_json::to_string(&json).unwrap();
    let back: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let back: Params = back
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), from_json(v)?)))
        .collect();
    assert_eq!(back, params);
}

#[test]
fn fill_values_round_trip_and_per_feature_lengths_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    let mut filled = meta(0, 0.5);
    filled.fill = Some(vec![2.5]);
    fs::write(&path, serde_json::to_vec(&filled).unwrap()).unwrap();
    assert_eq!(read_sidecar(&path).unwrap(), filled);
    // Written before `fill` existed, or without filling: no field, read as `None`.
    let text = serde_json::to_string(&meta(0, 0.5)).unwrap();
    assert!(!text.contains("fill"), "{text}");
    fs::write(&path, &text).unwrap();
    assert_eq!(read_sidecar(&path).unwrap().fill, None);
    for (field, bad) in [("fill", "[1.0, 2.0]"), ("shift", "[]")] {
        let mut json: serde_json::Value = serde_json::to_value(&filled).unwrap();
        json[field] = serde_json::from_str(bad).unwrap();
        fs::write(&path, json.to_string()).unwrap();
        let err = read_sidecar(&path).unwrap_err().to_string();
        assert!(err.contains(&format!("`{field}` has")), "{err}");
    }
}

#[test]
fn a_damaged_sidecar_is_refused_before_a_network_is_built_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    let good = meta(0, 0.5);
    for (field, bad, said) in [
        (
            "image",
            "[100000, 100000, 1]",
            "`image` is 100000x100000x1, which is not the 1 features",
        ),
        (
            "image",
            "[4294967296, 4294967296, 4294967296]",
            "which is not the 1 features",
        ),
        (
            "scale",
            "[0.0]",
            "`scale` holds 0, where a finite non-zero number belongs",
        ),
        (
            "shift",
            "[1e39]",
            "`shift` holds inf, where a finite number belongs",
        ),
        ("fill", "[1e39]", "`fill` holds inf"),
        ("target_scale", "[0.0, 0.0]", "`target_scale` is [0, 0]"),
        // A task its other fields contradict (predict indexed no class name).
        (
            "task",
            "\"regression\"",
            "a regression model without `target_scale`",
        ),
        (
            "class_names",
            "[\"x\"]",
            "a classification model with 1 class in `class_names`",
        ),
        ("task", "\"ranking\"", "`task` is `ranking`"),
        (
            "model",
            "\"transformer\"",
            "`model` is `transformer`, where `mlp` or `cnn`",
        ),
        ("model", "\"cnn\"", "`model` is `cnn`, which needs `image`"),
    ] {
        let mut json: serde_json::Value = serde_json::to_value(&good).unwrap();
        json[field] = serde_json::from_str(bad).unwrap();
        fs::write(&path, json.to_string()).unwrap();
        let err = read_sidecar(&path).unwrap_err().to_string();
        assert!(err.contains(said), "{field}: {err}");
    }
}

#[test]
fn categories_round_trip_and_must_name_the_last_features() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    let mut encoded = meta(0, 0.5);
    encoded.feature_names = vec!["a".into(), "colour=blue".into(), "colour=red".into()];
    encoded.shift = vec![0.0; 3];
    encoded.scale = vec![1.0; 3];
    encoded.categories = vec![Categories {
        column: "colour".into(),
        values: vec!["blue".into(), "red".into()],
    }];
    encoded.excluded = vec!["id".into()];
    fs::write(&path, serde_json::to_vec(&encoded).unwrap()).unwrap();
    let read = read_sidecar(&path).unwrap();
    assert_eq!(read, encoded);
    assert_eq!(read.numeric_features(), 1);
    // Without categories (and in sidecars written before them), neither field is written.
    let text = serde_json::to_string(&meta(0, 0.5)).unwrap();
    assert!(
        !text.contains("categories") && !text.contains("excluded"),
        "{text}"
    );
    for values in [vec!["red", "blue"], vec!["blue", "red", "green"]] {
        let mut json: serde_json::Value = serde_json::to_value(&encoded).unwrap();
        json["categories"][0]["values"] = serde_json::json!(values);
        fs::write(&path, json.to_string()).unwrap();
        let err = read_sidecar(&path).unwrap_err().to_string();
        assert!(
            err.contains("are not the last of the 3 `feature_names`"),
            "{err}"
        );
    }
}

#[test]
fn weights_missing_beside_their_sidecar_point_to_reproduce() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    fs::write(&path, serde_json::to_vec(&meta(0, 0.5)).unwrap()).unwrap();
    let err = load(&path).map(|_| ()).unwrap_err().to_string();
    assert!(
        err.contains("0.safetensors")
            && err.contains("the weights file beside the checkpoint's sidecar is missing")
            && err.contains("`sweep reproduce`"),
        "{err}"
    );
}

#[test]
fn a_sidecar_of_another_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    fs::write(&path, r#"{"format_version": 3}"#).unwrap();
    let err = read_sidecar(&path).unwrap_err();
    assert!(err.to_string().contains("format version Some(3)"), "{err}");
}

#[test]
fn issue_exact_columns_round_trip_and_a_sidecar_without_them_reads_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0.json");
    // Written before double precision, or with every column exact enough in single: no field,
    // read as no exact column, so that the features are scaled by `shift` and `scale` alone.
    let text = serde_json::to_string(&meta(0, 0.5)).unwrap();
    assert!(!text.contains("exact"), "{text}");
    fs::write(&path, &text).unwrap();
    let old = read_sidecar(&path).unwrap();
    assert!(old.exact.is_empty());
    let mut m = crate::data::Matrix {
        rows: 1,
        cols: 1,
        data: vec![3.0],
    };
    let cells = crate::prep::Cells {
        data: &[1.7e9],
        cols: 1,
    };
    old.normalization().apply_exact(&mut m, cells);
    assert_eq!(m.data, [3.0]);

    let mut stamped = meta(0, 0.5);
    stamped.exact = vec![Some(Exact {
        shift: 1_700_000_000.5,
        scale: 288.7,
        fill: Some(1_700_000_000.25),
    })];
    fs::write(&path, serde_json::to_vec(&stamped).unwrap()).unwrap();
    let read = read_sidecar(&path).unwrap();
    assert_eq!(read, stamped);
    read.normalization().apply_exact(&mut m, cells);
    let want = ((1.7e9 - 1_700_000_000.5) / 288.7) as f32;
    assert_eq!(m.data, [want]);
    for (bad, said) in [
        ("[null, null]", "`exact` has 2 entries for 1 features"),
        (
            r#"[{"shift": 1.0, "scale": 0.0}]"#,
            "`exact` of feature 0 is shift 1, scale 0",
        ),
    ] {
        let mut json: serde_json::Value = serde_json::to_value(&stamped).unwrap();
        json["exact"] = serde_json::from_str(bad).unwrap();
        fs::write(&path, json.to_string()).unwrap();
        let err = read_sidecar(&path).unwrap_err().to_string();
        assert!(err.contains(said), "{err}");
    }
}
