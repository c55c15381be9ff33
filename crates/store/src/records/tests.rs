//! Unit tests of the on-disk records: round trips of every kind, stable bytes, and the
//! versions each kind reads.

use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

fn trial(state: TrialState) -> Trial {
    Trial {
        id: TrialId(7),
        seed: Seed(u64::MAX),
        params: Params::from([
            ("depth".to_owned(), ParamValue::Int(i64::MIN)),
            ("lr".to_owned(), ParamValue::Float(1.5e-5)),
            ("nan".to_owned(), ParamValue::Float(f64::NAN)),
            ("optimizer".to_owned(), ParamValue::Str("adam \"w\"".into())),
            ("shuffle".to_owned(), ParamValue::Bool(true)),
        ]),
        state,
        reason: Some("diverged at epoch 7".into()),
        started: Some(Timestamp(-1)),
        finished: None,
        result: Some(TrialResult {
            best_step: Step(3),
            metrics: BTreeMap::from([
                ("val_loss".to_owned(), f64::NAN),
                ("up".to_owned(), f64::INFINITY),
                ("down".to_owned(), f64::NEG_INFINITY),
                ("zero".to_owned(), -0.0),
            ]),
        }),
    }
}

/// Compares through `Debug`, which prints floats exactly and NaN as `NaN`, so NaN == NaN.
fn assert_same<T: fmt::Debug>(a: &T, b: &T) {
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn trials_round_trip_in_every_state() {
    for state in [
        TrialState::Queued,
        TrialState::Running,
        TrialState::Completed,
        TrialState::Pruned,
        TrialState::Failed,
    ] {
        let t = trial(state);
        assert_same(&decode_trial(&encode_trial(&t)).unwrap(), &t);
    }
    let bare = Trial {
        params: Params::new(),
        reason: None,
        started: None,
        result: None,
        ..trial(TrialState::Queued)
    };
    assert_eq!(decode_trial(&encode_trial(&bare)).unwrap(), bare);
}

#[test]
fn experiments_round_trip() {
    for (status, goal, finished) in [
        (ExperimentStatus::Running, Direction::Minimize, None),
        (
            ExperimentStatus::Finished,
            Direction::Maximize,
            Some(Timestamp(9)),
        ),
        (ExperimentStatus::Interrupted, Direction::Minimize, None),
    ] {
        let e = ExperimentInfo {
            name: "digits".into(),
            description: "a \u{e9}t\u{e9} test".into(),
            spec_yaml: "name: digits\n".into(),
            spec_hash: "ab".repeat(32),
            spec_path: "experiments/digits.yaml".into(),
            objective: "val_accuracy".into(),
            goal,
            seed: Seed(42),
            run_cap: 20,
            status,
            created: Timestamp(1_700_000_000_000),
            finished,
        };
        assert_eq!(decode_experiment(&encode_experiment(&e)).unwrap(), e);
    }
}

/// A trial record as the first version of the store wrote it (commit 93ea4e0, before traces),
/// byte for byte: stores written then may still hold such records, so version 1 must keep
/// reading, with no trace. Never edit it: it is a record on a user's disk, not today's encoding
/// (which `trial_format_is_stable` pins with its own copy).
const FIRST_VERSION_TRIAL: &str = concat!(
    r#"{"v":1,"id":7,"seed":18446744073709551615,"params":{"depth":{"int":-9223372036854775808},"#,
    r#""lr":{"float":0.000015},"nan":{"float":"nan"},"optimizer":{"str":"adam \"w\""},"#,
    r#""shuffle":{"bool":true}},"state":"pruned","reason":"diverged at epoch 7","#,
    r#""started":-1,"finished":null,"result":{"best_step":3,"metrics":{"down":"-inf","#,
    r#""up":"inf","val_loss":"nan","zero":-0.0}}}"#
);

#[test]
fn trial_format_is_stable() {
    let json = String::from_utf8(encode_trial(&trial(TrialState::Pruned))).unwrap();
    let today = concat!(
        r#"{"v":1,"id":7,"seed":18446744073709551615,"params":{"depth":{"int":-9223372036854775808},"#,
        r#""lr":{"float":0.000015},"nan":{"float":"nan"},"optimizer":{"str":"adam \"w\""},"#,
        r#""shuffle":{"bool":true}},"state":"pruned","reason":"diverged at epoch 7","#,
        r#""started":-1,"finished":null,"result":{"best_step":3,"metrics":{"down":"-inf","#,
        r#""up":"inf","val_loss":"nan","zero":-0.0}}}"#
    );
    assert_eq!(json, today);
}

#[test]
fn a_trial_record_of_the_first_release_reads_back_with_no_trace() {
    let (back, trace) = decode_traced_trial(FIRST_VERSION_TRIAL.as_bytes()).unwrap();
    assert_same(&back, &trial(TrialState::Pruned));
    assert!(trace.is_empty(), "{trace:?}");
}

#[test]
fn a_trace_is_version_2_and_a_trial_without_one_stays_version_1() {
    let t = trial(TrialState::Running);
    let v1 = String::from_utf8(encode_traced_trial(&t, &TrialTrace::default())).unwrap();
    assert!(v1.starts_with(r#"{"v":1,"#) && v1.ends_with("}}}"), "{v1}");
    let trace = TrialTrace {
        heard: Some(Heard {
            at: Timestamp(1_500),
            step: Step(4),
        }),
        cut: vec![CutAttempt {
            started: Timestamp(-1),
            ended: Timestamp(900),
            epochs: 2,
            by: CutBy::Stop,
        }],
    };
    let v2 = String::from_utf8(encode_traced_trial(&t, &trace)).unwrap();
    assert_eq!(
        v2,
        v1.replace(r#"{"v":1,"#, r#"{"v":2,"#).replace(
            "}}}",
            concat!(
                r#"}},"heard":{"at":1500,"step":4},"#,
                r#""cut":[{"started":-1,"ended":900,"epochs":2,"by":"stop"}]}"#
            )
        )
    );
    let (back, back_trace) = decode_traced_trial(v2.as_bytes()).unwrap();
    assert_same(&back, &t);
    assert_eq!(back_trace, trace);
    // A version 1 record reads with an empty trace; the trial alone reads from either.
    let (_, none) = decode_traced_trial(v1.as_bytes()).unwrap();
    assert!(none.is_empty());
    assert_same(&decode_trial(v2.as_bytes()).unwrap(), &t);
    let killed = v2.replace(r#""by":"stop""#, r#""by":"kill""#);
    let (_, killed) = decode_traced_trial(killed.as_bytes()).unwrap();
    assert_eq!(killed.cut[0].by, CutBy::Kill);
    let unheard = v2.replace(r#""by":"stop""#, r#""by":"kill_unheard""#);
    let (_, unheard) = decode_traced_trial(unheard.as_bytes()).unwrap();
    assert_eq!(unheard.cut[0].by, CutBy::KillUnheard);
    // A record's `v` must match its fields: no trace in version 1, one in version 2.
    let v1_with_trace = v2.replace(r#"{"v":2,"#, r#"{"v":1,"#);
    assert_eq!(
        decode_trial(v1_with_trace.as_bytes())
            .unwrap_err()
            .to_string(),
        "corrupt trial record in store: trial 7's record is version 1 but holds `heard`, \
         which only version 2 holds"
    );
    let v2_without = v1.replace(r#"{"v":1,"#, r#"{"v":2,"#);
    assert!(decode_trial(v2_without.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("is version 2 but holds neither `heard` nor `cut`"));
}

#[test]
fn floats_round_trip_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..20_000 {
        let x = f64::from_bits(rng.gen::<u64>());
        let json = serde_json::to_vec(&FloatV1(x)).unwrap();
        let back: FloatV1 = serde_json::from_slice(&json).unwrap();
        if x.is_nan() {
            assert!(back.0.is_nan());
        } else {
            assert_eq!(back.0.to_bits(), x.to_bits(), "{x:e}");
        }
    }
}

#[test]
fn bad_bytes_are_errors_not_panics() {
    let good = encode_trial(&trial(TrialState::Completed));
    for cut in 0..good.len() {
        assert!(decode_trial(&good[..cut]).is_err());
    }
    let check = |bytes: &str, expected: &str| {
        let err = decode_trial(bytes.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), expected);
    };
    check(
        r#"{"v":3}"#,
        "trial record has version 3, but this sweep reads versions 1 and 2: a newer sweep \
         wrote it; read it with that sweep or a later one",
    );
    check(
        "\u{0}\u{1}",
        "corrupt trial record in store: expected value at line 1 column 1",
    );
    check(
        r#"{"id":1}"#,
        "corrupt trial record in store: missing field `v` at line 1 column 8",
    );
    let extra = String::from_utf8(good.clone())
        .unwrap()
        .replace(r#""v":1,"#, r#""v":1,"x":0,"#);
    assert!(decode_trial(extra.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("unknown field `x`"));
    let int_float = String::from_utf8(good).unwrap().replace("0.000015", "1");
    assert!(decode_trial(int_float.as_bytes()).is_err());
    assert!(decode_experiment(br#"{"v":1,"name":"x"}"#).is_err());
}
