//! Tests of finding again a recorded folder that was not UTF-8, and of choosing the one the run
//! read its data from.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::*;

/// Returns `dir/bytes` for a name of raw bytes.
fn named(dir: &Path, bytes: &[u8]) -> PathBuf {
    dir.join(OsStr::from_bytes(bytes))
}

/// Returns `path` as a record keeps a folder: written with `Path::display`, ending in `/`.
fn recorded(path: &Path) -> String {
    format!("{}/", path.display())
}

/// Returns the folders `folder` names, listed from disk.
fn folders(folder: &str) -> Vec<PathBuf> {
    recorded_folders(folder, &folders_in).unwrap()
}

/// Returns `path` with the `/` a found folder keeps at its end.
fn slashed(path: &Path) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push("/");
    PathBuf::from(text)
}

#[test]
fn issue_a_recorded_folder_that_was_not_utf8_is_found_again() {
    let dir = tempfile::tempdir().unwrap();
    let real = named(dir.path(), b"d\xfeir").join("data");
    std::fs::create_dir_all(&real).unwrap();
    let text = recorded(&real);
    assert!(text.contains('\u{FFFD}'), "{text}");
    assert_eq!(folders(&text), [slashed(&real)]);
    // A folder that is gone stays as recorded, for reading from it to say so; so does a path
    // below a folder that is gone.
    let nowhere = recorded(&dir.path().join("x\u{FFFD}y"));
    assert_eq!(folders(&nowhere), [PathBuf::from(&nowhere)]);
    let below_gone = recorded(&dir.path().join("gone/x\u{FFFD}y"));
    assert_eq!(folders(&below_gone), [PathBuf::from(&below_gone)]);
    // A file written so is no folder.
    let file_only = dir.path().join("f\u{FFFD}");
    std::fs::write(named(dir.path(), b"f\xfe"), "").unwrap();
    assert_eq!(
        folders(&recorded(&file_only)),
        [PathBuf::from(recorded(&file_only))]
    );
    assert_eq!(folders("rel/"), [Path::new("rel/")]);
    assert_eq!(folders(""), [Path::new("")]);
}

#[test]
fn issue_every_folder_written_alike_is_a_candidate_the_literal_one_included() {
    let dir = tempfile::tempdir().unwrap();
    let (fe, ff) = (named(dir.path(), b"e\xfe"), named(dir.path(), b"e\xff"));
    let literal = dir.path().join("e\u{FFFD}");
    for folder in [&fe, &ff, &literal] {
        std::fs::create_dir_all(folder.join("sub")).unwrap();
    }
    let text = recorded(&literal.join("sub"));
    // In byte order: `e\xef\xbf\xbd` (the character in UTF-8) before `e\xfe` and `e\xff`.
    assert_eq!(
        folders(&text),
        [&literal, &fe, &ff].map(|f| slashed(&f.join("sub")))
    );
}

#[test]
fn issue_a_leading_double_slash_is_kept_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let real = named(dir.path(), b"a\xfe\xffb").join(OsStr::from_bytes(b"c\xe9"));
    std::fs::create_dir_all(&real).unwrap();
    let text = format!("/{}", recorded(&real));
    assert!(text.starts_with("//"), "{text}");
    let found = folders(&text);
    let mut want = OsString::from("/");
    want.push(slashed(&real));
    assert_eq!(found, [PathBuf::from(want)]);
    assert!(found[0].as_os_str().as_bytes().starts_with(b"//"));
}

#[test]
fn issue_a_folder_that_cannot_be_listed_is_said_so_not_gone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(named(dir.path(), b"d\xfeir")).unwrap();
    let text = recorded(&dir.path().join("d\u{FFFD}ir"));
    let denied = |_: &Path| -> io::Result<Vec<OsString>> {
        Err(io::Error::from(io::ErrorKind::PermissionDenied))
    };
    let e = recorded_folders(&text, &denied).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot list {}/ to find d\u{FFFD}ir, which the run record kept with a replacement \
             character: permission denied",
            dir.path().display()
        )
    );
}

/// A spec reading `d.csv` beside it.
const SPEC: &str = "name: e\nseed: 7\ndata: {csv: d.csv, target: y}\n\
                    metric: {name: val_accuracy, goal: maximize}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";

/// Returns the record of a run of `SPEC` at `folder/t.yaml` that read `bytes` as `d.csv`.
fn record_of(folder: &Path, bytes: &str) -> RunRecord {
    RunRecord {
        spec_file: folder.join("t.yaml").display().to_string(),
        data_file: folder.join("d.csv").display().to_string(),
        data_hash: experiment::sha256_hex(bytes.as_bytes()),
        ..RunRecord::default()
    }
}

/// Returns the record of a run of `SPEC` in `dir/exp` that read `x,y\n1,0\n` as `d.csv`, with
/// that folder and `dir/exp-moved`, where it has been moved since.
fn moved_since_the_run(dir: &Path) -> (PathBuf, PathBuf, RunRecord) {
    let (first, moved) = (dir.join("exp"), dir.join("exp-moved"));
    std::fs::create_dir(&first).unwrap();
    std::fs::write(first.join("d.csv"), "x,y\n1,0\n").unwrap();
    let record = record_of(&first, "x,y\n1,0\n");
    std::fs::rename(&first, &moved).unwrap();
    (first, moved, record)
}

/// Returns the spec `text` read as `record`'s, with no `--data` given and no last run's data.
fn with_nothing_given(text: &str, record: &RunRecord) -> anyhow::Result<ExperimentSpec> {
    recorded_spec(text, record, &GivenData::default(), &GivenData::default())
}

#[test]
fn issue_the_folder_holding_the_data_the_run_read_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let folders = [b"e\xfe", b"e\xff"].map(|b| named(dir.path(), b));
    for (folder, text) in folders.iter().zip(["x,y\n1,0\n", "x,y\n2,1\n"]) {
        std::fs::create_dir(folder).unwrap();
        std::fs::write(folder.join("d.csv"), text).unwrap();
    }
    let record = record_of(&folders[1], "x,y\n2,1\n");
    let spec = with_nothing_given(SPEC, &record).unwrap();
    assert_eq!(spec.data.csv.value, folders[1].join("d.csv"));
    // Neither holds it: each is named with what it holds instead.
    let e = with_nothing_given(SPEC, &record_of(&folders[1], "x,y\n3,1\n")).unwrap_err();
    let e = e.to_string();
    assert!(
        e.contains("none of the 2 folders written so holds the data the run read (\"")
            && e.matches("the data changed since the run").count() == 2
            && !e.contains("rename"),
        "{e}"
    );
    // Both hold it: nothing tells which the run read.
    std::fs::write(folders[0].join("d.csv"), "x,y\n2,1\n").unwrap();
    let e = with_nothing_given(SPEC, &record).unwrap_err().to_string();
    assert!(
        e.contains("2 folders written so hold the data the run read (")
            && e.contains("e\\xFE/\"")
            && e.contains("e\\xFF/\"")
            && !e.contains("rename"),
        "{e}"
    );
}

#[test]
fn issue_one_folder_found_fails_as_its_data_does() {
    let dir = tempfile::tempdir().unwrap();
    let folder = named(dir.path(), b"e\xfe");
    std::fs::create_dir(&folder).unwrap();
    let e = with_nothing_given(SPEC, &record_of(&folder, "x,y\n1,0\n")).unwrap_err();
    assert!(
        e.to_string().starts_with("the data file ")
            && e.to_string().contains("that the run read is gone: "),
        "{e}"
    );
}

/// Issue: a folder moved since the run left `sweep reproduce` no way to the data: it is found
/// where `--data` names it, by its bytes, and a file gone says how to name it.
#[test]
fn issue_data_moved_since_the_run_is_read_where_data_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let (first, moved, record) = moved_since_the_run(dir.path());
    let e = with_nothing_given(SPEC, &record).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "the data file {} that the run read is gone: ",
            first.join("d.csv").display()
        )) && e.ends_with(&format!(
            "if it lies elsewhere now (its folder moved or renamed), name it with --data PATH \
             (it must have sha256 {})",
            record.data_hash
        )),
        "{e}"
    );
    let given = GivenData::matched(&[moved.join("d.csv")], &record).unwrap();
    let spec = recorded_spec(SPEC, &record, &given, &GivenData::default()).unwrap();
    assert_eq!(spec.data.csv.value, moved.join("d.csv"));
}

/// Issue: an experiment resumed from a folder moved since stores its text as last run
/// (`../d.csv`, from a folder below), which no longer resolves from the recorded spec's
/// folder to the file the run read: the file is read where the record says it was.
#[test]
fn issue_a_stored_text_that_names_its_data_otherwise_reads_it_where_the_record_says() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("exp");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("d.csv"), "x,y\n1,0\n").unwrap();
    let record = record_of(&folder, "x,y\n1,0\n");
    let moved_text = SPEC.replace("csv: d.csv", "csv: ../d.csv");
    let spec = with_nothing_given(&moved_text, &record).unwrap();
    assert_eq!(spec.data.csv.value, folder.join("d.csv"));
    // Changed data there is still refused.
    std::fs::write(folder.join("d.csv"), "x,y\n2,0\n").unwrap();
    let e = with_nothing_given(&moved_text, &record).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the data changed since the run: "),
        "{e}"
    );
}

/// Issue: after a resume from a folder moved since, a recorded data file gone was "gone" with
/// `--data` the only way on, though the store knows where the experiment was last run from:
/// the file there stands in for it where it holds the bytes the run read, and other bytes
/// leave the file gone, said as before.
#[test]
fn issue_a_recorded_file_gone_is_read_where_the_experiment_was_last_run_from() {
    let dir = tempfile::tempdir().unwrap();
    let (first, moved, record) = moved_since_the_run(dir.path());
    let last_run = GivenData::last_run(&[moved.join("d.csv")], &record);
    let spec = recorded_spec(SPEC, &record, &GivenData::default(), &last_run).unwrap();
    assert_eq!(spec.data.csv.value, moved.join("d.csv"));
    // Other bytes there: the recorded file is gone, said as without the last run's.
    std::fs::write(moved.join("d.csv"), "x,y\n2,0\n").unwrap();
    let last_run = GivenData::last_run(&[moved.join("d.csv")], &record);
    assert_eq!(last_run, GivenData::default());
    let e = recorded_spec(SPEC, &record, &GivenData::default(), &last_run)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "the data file {} that the run read is gone: ",
            first.join("d.csv").display()
        )) && e.contains("name it with --data PATH"),
        "{e}"
    );
}

/// Issue: `sweep reproduce` split a recorded data path holding a newline (a record of a build
/// that took one) into two files, so the one the run read was never found where the record
/// says it was: the record's paths are read as `GivenData::recorded_files` reads them.
#[test]
fn issue_a_recorded_data_path_holding_a_newline_is_read_where_the_record_says() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("da\nta");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("d.csv"), "x,y\n1,0\n").unwrap();
    let record = record_of(&folder, "x,y\n1,0\n");
    let moved_text = SPEC.replace("csv: d.csv", "csv: ../d.csv");
    let spec = with_nothing_given(&moved_text, &record).unwrap();
    assert_eq!(spec.data.csv.value, folder.join("d.csv"));
}
