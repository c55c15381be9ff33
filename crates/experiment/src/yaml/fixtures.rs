//! The malformed specs of `tests/e2e/bad_specs`, whose first two lines say which error each
//! must give (`# expect: TEXT`) and where (`# at: LINE:COLUMN`). Reading them is IO, which
//! only tests may do in this crate.

use std::path::{Path, PathBuf};

use super::parse_spec;
use crate::Error;

/// Fixtures whose error only the trainer can find, and the field whose location it reports;
/// they must parse.
const TRAINER_CHECKED: &[(&str, &str)] = &[
    ("missing_data_file.yaml", "data.csv"),
    ("missing_target_column.yaml", "data.target"),
];

#[test]
fn every_bad_spec_fixture_gives_its_expected_error_at_its_place() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/bad_specs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 16, "only {} fixtures", files.len());
    let mut failures = Vec::new();
    for file in &files {
        if let Err(why) = check_fixture(file) {
            failures.push(format!("{}: {why}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_fixture(file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut lines = text.lines();
    let expect = lines.next().and_then(|l| l.strip_prefix("# expect: "));
    let at = lines.next().and_then(|l| l.strip_prefix("# at: "));
    let (Some(expect), Some(at)) = (expect, at) else {
        return Err("the first two lines must be `# expect: ..` and `# at: ..`".into());
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let trainer_field = TRAINER_CHECKED
        .iter()
        .find(|(fixture, _)| *fixture == name)
        .map(|(_, field)| *field);
    match (parse_spec(&text, file), trainer_field) {
        (Ok(spec), Some(field)) => {
            let location = if field == "data.csv" {
                &spec.data.csv.location
            } else {
                &spec.data.target.location
            };
            let got = format!("{}:{}", location.line, location.column);
            if got == at {
                Ok(())
            } else {
                Err(format!("`{field}` is at {got}, the fixture says {at}"))
            }
        }
        (Err(Error::Spec(errors)), None) => match errors.0.as_slice() {
            [one] => {
                let got = format!("{}:{}", one.location.line, one.location.column);
                if got == at && one.to_string().contains(expect) {
                    Ok(())
                } else {
                    Err(format!("want `{expect}` at {at}, got: {one}"))
                }
            }
            many => Err(format!("want one error, got {}: {errors}", many.len())),
        },
        (Ok(_), None) => Err(format!("parsed, but should fail with `{expect}`")),
        (Err(e), Some(_)) => Err(format!("the trainer checks this one; it must parse: {e}")),
    }
}
