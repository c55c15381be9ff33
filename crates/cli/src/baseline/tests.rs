//! Tests of the baseline file: round trips bit for bit, files of earlier releases, and the
//! messages of files that do not read.

use experiment::Timestamp;

use super::*;

fn baseline() -> Baseline {
    Baseline {
        experiment: "ci-gate".into(),
        spec_hash: "ab".repeat(32),
        metrics: BTreeMap::from([
            (
                "val_accuracy".to_string(),
                BaselineMetric {
                    aggregate: Aggregate::Best,
                    goal: Direction::Maximize,
                    values: vec![0.9583333333333334, 0.1 + 0.2, 1e-300],
                },
            ),
            (
                "val_loss".to_string(),
                BaselineMetric {
                    aggregate: Aggregate::Final,
                    goal: Direction::Minimize,
                    values: vec![0.125],
                },
            ),
        ]),
        provenance: Provenance {
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            no_commit: None,
            dirty: Some(false),
            date: Timestamp(1_795_865_400_000),
            machine: "AMD EPYC 7B13, 2 cores, linux x86_64".into(),
            sweep_version: "0.0.0".into(),
        },
        run: Some(RecordedRun {
            parallel: 2,
            data_hash: "cd".repeat(32),
            resolved_spec: "name: \"ci-gate\"\nseed: 7\n".into(),
        }),
    }
}

#[test]
fn baselines_round_trip_bit_for_bit() {
    let b = baseline();
    let text = to_json(&b).unwrap();
    assert_eq!(parse(&text, Path::new("b.json")).unwrap(), b);
    assert!(
        text.contains("\"date\": \"2026-11-28T11:30:00Z\""),
        "{text}"
    );
    // The resolved spec is a list of lines, one setting each, for review.
    assert!(
        text.contains(
            "\"resolved_spec\": [\n      \"name: \\\"ci-gate\\\"\",\n      \"seed: 7\"\n    ]"
        ),
        "{text}"
    );
    // A file written before `run` was reads as one without it.
    let mut old = b.clone();
    old.run = None;
    let text = to_json(&old).unwrap();
    assert!(!text.contains("\"run\""), "{text}");
    assert_eq!(parse(&text, Path::new("b.json")).unwrap(), old);
    // A baseline recorded without a commit keeps why; one written before it did reads
    // as one that does not say.
    let mut outside = b.clone();
    outside.provenance.commit = None;
    outside.provenance.dirty = None;
    outside.provenance.no_commit = Some(NoCommit::OutsideCheckout);
    let text = to_json(&outside).unwrap();
    assert!(
        text.contains("\"commit\": null,\n    \"no_commit\": \"not inside a git checkout\","),
        "{text}"
    );
    assert_eq!(parse(&text, Path::new("b.json")).unwrap(), outside);
    let before = text.replace("    \"no_commit\": \"not inside a git checkout\",\n", "");
    assert!(!before.contains("no_commit"), "{before}");
    outside.provenance.no_commit = None;
    assert_eq!(parse(&before, Path::new("b.json")).unwrap(), outside);
    // With a commit there is no reason to give, and none is written.
    assert!(!to_json(&b).unwrap().contains("no_commit"));
    // Each reason is written in the words messages say it in, and reads back as itself.
    for reason in [
        NoCommit::OutsideCheckout,
        NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
        NoCommit::GitRefused("detected dubious ownership in repository at '/x'".into()),
        NoCommit::NoCommitYet,
        NoCommit::HeadUnreadable("bad object HEAD".into()),
        NoCommit::Unrecognized("words of another build".into()),
    ] {
        let words = reason.to_string();
        outside.provenance.no_commit = Some(reason);
        let text = to_json(&outside).unwrap();
        let json = serde_json::to_string(&words).unwrap();
        assert!(text.contains(&format!("\"no_commit\": {json},")), "{text}");
        assert_eq!(parse(&text, Path::new("b.json")).unwrap(), outside);
    }
    let mut nan = baseline();
    nan.metrics.get_mut("val_loss").unwrap().values = vec![f64::NAN];
    assert!(to_json(&nan).is_err());
}

#[test]
fn issue_a_baseline_that_says_why_it_has_no_commit_is_version_2_and_one_with_a_commit_1() {
    // A baseline that does not say how its runs ran, with a commit, is written as version 1,
    // so a Sweep that reads only version 1 still reads it.
    let mut b = baseline();
    b.run = None;
    assert!(to_json(&b).unwrap().contains("\"version\": 1,"));
    // A reason makes it version 2, which reads back as written.
    let mut outside = b;
    outside.provenance.commit = None;
    outside.provenance.no_commit = Some(NoCommit::NoCommitYet);
    let text = to_json(&outside).unwrap();
    assert!(text.contains("\"version\": 2,"), "{text}");
    assert_eq!(parse(&text, Path::new("b.json")).unwrap(), outside);
}

/// Issue: a gate baseline's `run.resolved_spec` was written in the run record's notation
/// (`method: Grid(GridConfig { shuffle: false })`, `parallel: Some(2)`), though the file is
/// for review; version 3 wrote it in the YAML's words instead, which the next build words
/// otherwise. Version 4 keeps the notation in `run.resolved_spec`, compared, and writes the
/// words beside it in `run.settings`, for review; the files of earlier versions read as they
/// are, version 3's words too.
#[test]
fn issue_a_baseline_keeps_the_notation_and_writes_the_yamls_words_beside_it() {
    let committed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../experiments/baselines/ci-gate.json"
    );
    let text = std::fs::read_to_string(committed).unwrap();
    let read = parse(&text, Path::new(committed)).unwrap();
    let written = to_json(&read).unwrap();
    assert!(written.contains("\"version\": 4,"), "{written}");
    let file: serde_json::Value = serde_json::from_str(&written).unwrap();
    let lines = |key: &str| -> Vec<String> {
        file["run"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect()
    };
    // The notation, compared, as the committed file holds it; the words beside it.
    assert!(
        lines("resolved_spec").contains(&"method: Grid(GridConfig { shuffle: false })".into()),
        "{written}"
    );
    let settings = lines("settings");
    assert!(
        settings.contains(&"method: grid (shuffle: false)".into())
            && settings.contains(&"parallel: 2".into()),
        "{written}"
    );
    for notation in ["Config {", "Some(", "Float(", "Int(", "Spec {", "searched "] {
        assert!(
            !settings.iter().any(|l| l.contains(notation)),
            "`{notation}` in {settings:?}"
        );
    }
    // Written again, its comparison data are the committed file's, byte for byte.
    let kept = |t: &str| {
        let t = &t[t.find("\"metrics\"").unwrap()..];
        t[..t.find("\"settings\"").unwrap_or(t.len())]
            .trim_end_matches(|c: char| c == ',' || c.is_whitespace())
            .to_string()
    };
    assert_eq!(
        kept(&written),
        kept(&text)
            .trim_end_matches(|c: char| c == '}' || c.is_whitespace())
            .to_string()
    );
    // Version 4 reads back as written, its words not read.
    assert_eq!(parse(&written, Path::new("b.json")).unwrap(), read);
    let other_words = written.replace("method: grid (shuffle: false)", "method = grid");
    assert_ne!(other_words, written);
    assert_eq!(parse(&other_words, Path::new("b.json")).unwrap(), read);
    // A file of version 1 or 2 reads its notation as stored (the paths an early build kept
    // too: the gate leaves them out); one of version 3 its words.
    let then = "name: \"ci-gate\"\nmethod: Grid(GridConfig { shuffle: false })\n\
                parallel: Some(2)\ndata.file: \"/a/digits.csv\"\ndata.format: Csv\n";
    let words = "name: ci-gate\nmethod: grid (shuffle: false)\nparallel: 2\ndata.format: csv\n";
    let mut b = baseline();
    for (version, held) in [(1, then), (2, then), (3, words)] {
        b.run.as_mut().unwrap().resolved_spec = held.into();
        let old = to_json(&b)
            .unwrap()
            .replace("\"version\": 4,", &format!("\"version\": {version},"));
        let mut file: serde_json::Value = serde_json::from_str(&old).unwrap();
        file["run"].as_object_mut().unwrap().remove("settings");
        let read = parse(&file.to_string(), Path::new("b.json")).unwrap();
        let run = read.run.unwrap();
        assert_eq!(run.resolved_spec, held, "version {version}");
        assert_eq!(held_in_words(&run), version == 3, "version {version}");
    }
}

/// A version 3 file holds the settings in the YAML's words, every other version the notation:
/// a file whose settings say otherwise (edited by hand) is refused, naming the field, so that
/// the gate never compares words with notation.
#[test]
fn settings_in_words_are_read_from_version_3_only() {
    let mut b = baseline();
    let file = |b: &Baseline, version: u32| {
        to_json(b)
            .unwrap()
            .replace("\"version\": 4,", &format!("\"version\": {version},"))
    };
    b.run.as_mut().unwrap().resolved_spec = "method: grid (shuffle: false)\n".into();
    for version in [1, 2, 4] {
        let e = parse(&file(&b, version), Path::new("b.json")).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "b.json: run.resolved_spec: expected the settings in the run record's notation"
            ),
            "version {version}: {e}"
        );
    }
    b.run.as_mut().unwrap().resolved_spec = "method: Random\n".into();
    let e = parse(&file(&b, 3), Path::new("b.json")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("b.json: run.resolved_spec: expected the settings in the YAML's words"),
        "{e}"
    );
}

/// A baseline file of version 2 as this build writes one without a commit, written out
/// literally, with `WORDS` where its reason goes.
const STORED_V2: &str = r#"{
  "format": "sweep-gate-baseline",
  "version": 2,
  "experiment": "ci-gate",
  "spec_sha256": "abababababababababababababababababababababababababababababababab",
  "metrics": {
    "val_loss": {
      "aggregate": "final",
      "goal": "minimize",
      "values": [
        0.125
      ]
    }
  },
  "provenance": {
    "commit": null,
    "no_commit": "WORDS",
    "dirty": null,
    "date": "2026-11-28T11:30:00Z",
    "machine": "AMD EPYC 7B13, 2 cores, linux x86_64",
    "sweep_version": "0.0.0"
  }
}
"#;

#[test]
fn issue_each_reasons_words_in_a_file_on_disk_read_back_and_are_written_again_alike() {
    // The words are the file's format: each wording, as a file holds it, reads as its reason
    // and is written back byte for byte; rewording a reason breaks this test, not old files.
    for (words, reason) in [
        ("not inside a git checkout", NoCommit::OutsideCheckout),
        (
            "git could not be run: No such file or directory (os error 2)",
            NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
        ),
        (
            "git refused the folder: detected dubious ownership in repository at '/x'",
            NoCommit::GitRefused("detected dubious ownership in repository at '/x'".into()),
        ),
        ("the checkout has no commit yet", NoCommit::NoCommitYet),
        (
            "git could not read HEAD: error: failed to look up reference",
            NoCommit::HeadUnreadable("error: failed to look up reference".into()),
        ),
    ] {
        let text = STORED_V2.replace("WORDS", words);
        let read = parse(&text, Path::new("b.json")).unwrap_or_else(|e| panic!("{words}: {e}"));
        assert_eq!(read.provenance.no_commit, Some(reason), "{words}");
        assert_eq!(to_json(&read).unwrap(), text);
    }
}

#[test]
fn issue_a_reason_in_the_words_of_the_last_build_reads_as_the_reason_it_says() {
    // As the build before typed reasons wrote them: free words, read back as the reason
    // they say; a `HEAD` git could not read was said as a refusal then. Those builds wrote
    // the reason into a file of version 1, which is read, not refused.
    let mut b = baseline();
    b.provenance.commit = None;
    b.provenance.dirty = None;
    b.run = None;
    let text = to_json(&b).unwrap();
    assert!(text.contains("\"version\": 1,"), "{text}");
    let text = text.replace(
        "\"commit\": null,",
        "\"commit\": null,\n    \"no_commit\": \"WORDS\",",
    );
    for (words, reason) in [
        ("not inside a git checkout", NoCommit::OutsideCheckout),
        (
            "git could not be run: No such file or directory (os error 2)",
            NoCommit::GitNotRun("No such file or directory (os error 2)".into()),
        ),
        (
            "git refused the folder: detected dubious ownership",
            NoCommit::GitRefused("detected dubious ownership".into()),
        ),
        ("the checkout has no commit yet", NoCommit::NoCommitYet),
        (
            "git refused the folder: cannot read HEAD: bad object HEAD",
            NoCommit::HeadUnreadable("bad object HEAD".into()),
        ),
        // Words no build of this one's knows are kept as they are, not refused.
        (
            "the moon was full",
            NoCommit::Unrecognized("the moon was full".into()),
        ),
    ] {
        let read = parse(&text.replace("WORDS", words), Path::new("b.json"))
            .unwrap_or_else(|e| panic!("{words}: {e}"));
        assert_eq!(read.provenance.no_commit, Some(reason), "{words}");
    }
}

#[test]
fn only_a_baseline_is_replaced() {
    let dir = std::env::temp_dir().join(format!("sweep-existing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("b.json");
    let kinds: Vec<String> = [
        to_json(&baseline()).unwrap(),
        "{\"format\": \"sweep-gate-baseline\", \"version\": 1, oops".to_string(),
        "name: quickstart\nseed: 7\n".to_string(),
        "digit,pixel0\n3,0\n".to_string(),
    ]
    .into_iter()
    .map(|text| {
        std::fs::write(&path, text).unwrap();
        match existing(&path) {
            Existing::Nothing => "nothing".to_string(),
            Existing::Baseline(_) => "baseline".to_string(),
            Existing::Damaged(why) => format!("damaged: {why}"),
            Existing::Other(why) => format!("other: {why}"),
        }
    })
    .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(existing(&path), Existing::Nothing));
    assert_eq!(kinds[0], "baseline");
    assert!(kinds[1].starts_with("damaged: "), "{}", kinds[1]);
    for other in &kinds[2..] {
        assert!(
            other.starts_with("other: ") && other.contains("expected a sweep gate baseline"),
            "{other}"
        );
        // The hint to write one there is left to the caller, which refuses to.
        assert!(!other.contains("--update-baseline"), "{other}");
    }
}

#[test]
fn a_byte_order_mark_is_no_part_of_the_json() {
    let path = std::env::temp_dir().join(format!("sweep-bom-{}.json", std::process::id()));
    std::fs::write(&path, format!("\u{feff}{}", to_json(&baseline()).unwrap())).unwrap();
    let read_back = read(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(read_back.unwrap(), baseline());
}

#[test]
fn issue_a_commit_beside_a_reason_wins_and_an_empty_reason_is_none() {
    // A commit typed in by hand over a baseline recorded without one: the commit is kept, the
    // reason dropped (it was refused).
    let good = to_json(&baseline()).unwrap();
    let both = good.replace(
        "\"dirty\": false,",
        "\"no_commit\": \"not inside a git checkout\", \"dirty\": false,",
    );
    assert_ne!(both, good);
    assert_eq!(parse(&both, Path::new("b.json")).unwrap(), baseline());
    // An empty reason is no reason, with a commit or without one.
    let empty = good.replace(
        "\"dirty\": false,",
        "\"no_commit\": \"\", \"dirty\": false,",
    );
    assert_eq!(parse(&empty, Path::new("b.json")).unwrap(), baseline());
    let mut without = baseline();
    without.provenance.commit = None;
    let text = to_json(&without).unwrap().replace(
        "\"commit\": null,",
        "\"commit\": null,\n    \"no_commit\": \"\",",
    );
    assert!(text.contains("\"no_commit\": \"\""), "{text}");
    assert_eq!(parse(&text, Path::new("b.json")).unwrap(), without);
}

#[test]
fn bad_files_say_where_and_what_was_expected() {
    let good = to_json(&baseline()).unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "",
            "b.json: the file is empty; expected a sweep gate baseline",
        ),
        (
            "{\"format\": ",
            "b.json:1:11: EOF while parsing a value; expected a sweep gate baseline",
        ),
        (
            "[1, 2]",
            "b.json: not a baseline file; expected a sweep gate baseline",
        ),
        (
            "{\"a\": 1}",
            "b.json: not a baseline file; expected a sweep gate baseline",
        ),
        (
            "{\"format\": \"sweep-gate-baseline\", \"version\": 7}",
            "b.json: baseline version 7 is not one this sweep reads (it reads versions 1 to 4): \
             a newer sweep wrote it; record the baseline again with this sweep \
             (`--update-baseline`) or run the newer one",
        ),
        (
            "{\"format\": \"sweep-gate-baseline\", \"version\": 0}",
            "b.json: baseline version 0 is not one this sweep reads (it reads versions 1 to 4)",
        ),
        (
            "{\"format\": \"sweep-gate-baseline\", \"version\": 1}",
            "b.json:1:47: missing field `experiment`",
        ),
    ];
    for (text, want) in cases {
        let err = parse(text, Path::new("b.json")).unwrap_err().to_string();
        assert!(err.starts_with(want), "want {want}\n got {err}");
    }
    let wrong_type = good.replacen("0.125", "\"x\"", 1);
    let err = parse(&wrong_type, Path::new("b.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("b.json:") && err.contains("invalid type: string \"x\", expected f64"),
        "{err}"
    );
    let empty = good
        .replacen("0.125", "", 1)
        .replace("[\n        \n      ]", "[]");
    let err = parse(&empty, Path::new("b.json")).unwrap_err().to_string();
    assert_eq!(
        err,
        "b.json: metrics.val_loss.values: expected at least one value"
    );
    let date = good.replace("2026-11-28T11:30:00Z", "yesterday");
    let err = parse(&date, Path::new("b.json")).unwrap_err().to_string();
    assert!(
        err.contains("provenance.date: expected a UTC time"),
        "{err}"
    );
}
