//! Recorded paths that are hard to keep as text, end to end: `sweep reproduce` reads the files
//! the run read through a spec folder that is not UTF-8 (the one holding the data the run read,
//! of the folders written alike; its recorded prefix, a leading `//`, as written) or a data path
//! holding a newline, minds no spec file written alike, says a data file is gone only where it
//! is, and shows the control characters a recorded path holds.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use tests::{repo_root, Output, TestEnv};

/// Runs `sweep run FILE --no-serve` in `env` for a spec file whose path need not be text.
fn run_file(env: &TestEnv, file: &Path) -> Output {
    env.command(&["run"])
        .arg(file)
        .arg("--no-serve")
        .output()
        .expect("sweep starts")
        .into()
}

/// Returns the one-trial penguins spec `name` reading `csv`, as YAML writes it.
fn spec_reading(name: &str, csv: &str) -> String {
    tests::penguins_spec(name, "  lr: {values: [0.01]}\n").replace("DATA/penguins.csv", csv)
}

#[test]
fn issue_a_trial_whose_spec_folder_is_not_utf8_reproduces() {
    let env = TestEnv::new();
    // `d\xfeir/t.yaml` reads `data/penguins.csv` beside it: the record keeps both paths with a
    // replacement character, and reproduce said the data was gone.
    let dir = env.path().join(OsStr::from_bytes(b"d\xfeir"));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        repo_root().join("experiments/data/penguins.csv"),
        dir.join("data/penguins.csv"),
    )
    .unwrap();
    let file = dir.join("t.yaml");
    std::fs::write(&file, spec_reading("nonutfdir", "data/penguins.csv")).unwrap();
    let run = run_file(&env, &file);
    assert_eq!(run.code, 0, "{run:?}");
    let again = env.sweep(&["reproduce", "nonutfdir/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
    // The data file, changed, is named as changed: it is the real file that is read.
    let mut text = std::fs::read_to_string(dir.join("data/penguins.csv")).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_owned();
    text.push_str(&first_row);
    text.push('\n');
    std::fs::write(dir.join("data/penguins.csv"), text).unwrap();
    let changed = env.sweep(&["reproduce", "nonutfdir/0"]);
    assert_eq!(changed.code, 2, "{changed:?}");
    assert!(
        changed.stderr.contains("the data changed since the run"),
        "{}",
        changed.stderr
    );
}

#[test]
fn issue_a_data_path_holding_a_newline_reproduces() {
    let env = TestEnv::new();
    let dir = env.path().join("new\nline");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        repo_root().join("experiments/data/penguins.csv"),
        dir.join("penguins.csv"),
    )
    .unwrap();
    let spec = env.write_spec(
        "nl.yaml",
        &spec_reading("newline", "\"new\\nline/penguins.csv\""),
    );
    let run = run_file(&env, &spec);
    assert_eq!(run.code, 0, "{run:?}");
    let again = env.sweep(&["reproduce", "newline/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
}

#[test]
fn issue_a_data_file_that_cannot_be_read_is_not_said_gone() {
    let env = TestEnv::new();
    let data = env.path().join("penguins.csv");
    std::fs::copy(repo_root().join("experiments/data/penguins.csv"), &data).unwrap();
    let spec = env.write_spec("unread.yaml", &spec_reading("unread", "penguins.csv"));
    let run = run_file(&env, &spec);
    assert_eq!(run.code, 0, "{run:?}");
    // A folder where the file was: there, but not to be read (as a file without permission,
    // which the tests, run as root, cannot make).
    std::fs::remove_file(&data).unwrap();
    std::fs::create_dir(&data).unwrap();
    let unread = env.sweep(&["reproduce", "unread/0"]);
    assert_eq!(unread.code, 2, "{unread:?}");
    assert!(
        unread.stderr.contains(&format!(
            "cannot read the data file {} that the run read: Is a directory",
            data.display()
        )) && !unread.stderr.contains("gone"),
        "{}",
        unread.stderr
    );
    std::fs::remove_dir(&data).unwrap();
    let gone = env.sweep(&["reproduce", "unread/0"]);
    assert_eq!(gone.code, 2, "{gone:?}");
    assert!(
        gone.stderr.contains(&format!(
            "the data file {} that the run read is gone: No such file or directory",
            data.display()
        )),
        "{}",
        gone.stderr
    );
}

#[test]
fn reproduce_shows_the_control_characters_of_what_the_record_holds() {
    let env = TestEnv::new();
    // The file's name is the record's `spec_file`, which reproduce names: an escape in it
    // would turn the terminal red if printed as it is.
    let spec = env.write_spec(
        "red\u{1b}[31m.yaml",
        &tests::penguins_spec("red", "  lr: {values: [0.01]}\n"),
    );
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    let again = env.sweep(&["reproduce", "red/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("red\\u{1b}[31m.yaml") && !again.stdout.contains('\u{1b}'),
        "{}",
        again.stdout
    );
}

#[test]
fn an_error_shows_the_control_characters_of_a_recorded_path() {
    let env = TestEnv::new();
    // The run reads a data file whose name holds an escape; once it is gone, reproduce's error
    // names it, and would turn the terminal red if printed as it is.
    let data = env.path().join("pen\u{1b}[31mguins.csv");
    std::fs::copy(repo_root().join("experiments/data/penguins.csv"), &data).unwrap();
    let spec = env.write_spec(
        "gone.yaml",
        &tests::penguins_spec("gone", "  lr: {values: [0.01]}\n")
            .replace("DATA/penguins.csv", "\"pen\\e[31mguins.csv\""),
    );
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::remove_file(&data).unwrap();
    let again = env.sweep(&["reproduce", "gone/0"]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(
        again.stderr.contains("pen\\u{1b}[31mguins.csv") && !again.stderr.contains('\u{1b}'),
        "{}",
        again.stderr
    );
}

/// Copies the penguins into `dir/penguins.csv`, cut to its first `rows` rows where given.
fn penguins_in(dir: &Path, rows: Option<usize>) {
    std::fs::create_dir_all(dir).unwrap();
    let text = std::fs::read_to_string(repo_root().join("experiments/data/penguins.csv")).unwrap();
    let kept: String = match rows {
        Some(rows) => text.split_inclusive('\n').take(rows + 1).collect(),
        None => text,
    };
    std::fs::write(dir.join("penguins.csv"), kept).unwrap();
}

#[test]
fn issue_spec_files_written_alike_do_not_stop_a_reproduction() {
    let env = TestEnv::new();
    // `t\xe9.yaml` and `t\xe8.yaml` are both recorded `t�.yaml`; reproduce never reads the spec
    // file, only resolves the data from its folder, and refused to choose between the two.
    penguins_in(env.path(), None);
    for (bytes, name) in [(&b"t\xe9.yaml"[..], "twoalike"), (b"t\xe8.yaml", "other")] {
        std::fs::write(
            env.path().join(OsStr::from_bytes(bytes)),
            spec_reading(name, "penguins.csv"),
        )
        .unwrap();
    }
    let run = run_file(&env, &env.path().join(OsStr::from_bytes(b"t\xe9.yaml")));
    assert_eq!(run.code, 0, "{run:?}");
    let again = env.sweep(&["reproduce", "twoalike/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
}

#[test]
fn issue_of_folders_written_alike_the_one_holding_the_data_the_run_read_is_read() {
    let env = TestEnv::new();
    let real = env.path().join(OsStr::from_bytes(b"d\xfeir"));
    penguins_in(&real, None);
    let file = real.join("t.yaml");
    std::fs::write(&file, spec_reading("alike", "penguins.csv")).unwrap();
    let run = run_file(&env, &file);
    assert_eq!(run.code, 0, "{run:?}");
    // A folder literally named `d�ir` (UTF-8), with a spec and other data, then another folder
    // written so: neither was read, so neither is a change of the data, nor a reason to refuse.
    let literal = env.path().join("d\u{FFFD}ir");
    penguins_in(&literal, Some(100));
    std::fs::write(
        literal.join("t.yaml"),
        spec_reading("alike", "penguins.csv"),
    )
    .unwrap();
    let again = env.sweep(&["reproduce", "alike/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
    penguins_in(&env.path().join(OsStr::from_bytes(b"d\xffir")), Some(200));
    let again = env.sweep(&["reproduce", "alike/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
    // The run's data changed: no folder holds what it read, and each is named with why.
    penguins_in(&real, Some(300));
    let changed = env.sweep(&["reproduce", "alike/0"]);
    assert_eq!(changed.code, 2, "{changed:?}");
    assert!(
        changed
            .stderr
            .contains("none of the 3 folders written so holds the data the run read")
            && changed
                .stderr
                .matches("the data changed since the run")
                .count()
                == 3
            && !changed.stderr.contains("rename"),
        "{}",
        changed.stderr
    );
}

#[test]
fn issue_a_spec_path_with_a_leading_double_slash_reproduces() {
    let env = TestEnv::new();
    // POSIX keeps a leading `//`, and the record with it: the folder found again kept it not.
    let real = env
        .path()
        .join(OsStr::from_bytes(b"a\xfe\xffb"))
        .join(OsStr::from_bytes(b"c\xe9"));
    penguins_in(&real, None);
    std::fs::write(real.join("t.yaml"), spec_reading("slashes", "penguins.csv")).unwrap();
    let mut file = std::ffi::OsString::from("/");
    file.push(real.join("t.yaml"));
    let run = run_file(&env, Path::new(&file));
    assert_eq!(run.code, 0, "{run:?}");
    let again = env.sweep(&["reproduce", "slashes/0"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("identical: "), "{}", again.stdout);
}
