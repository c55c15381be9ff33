//! Malformed experiment files: each must give a located error and exit code 2, never a panic.
//!
//! Each fixture in `tests/e2e/bad_specs/` starts with `# expect: TEXT` and `# at: LINE:COLUMN`.

use tests::{repo_root, TestEnv};

#[test]
fn every_malformed_spec_gets_a_located_error_and_exit_code_2() {
    let dir = repo_root().join("tests").join("e2e").join("bad_specs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 12,
        "only {} fixtures in {}",
        files.len(),
        dir.display()
    );
    let env = TestEnv::new();
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let header = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .unwrap_or_else(|| panic!("{} lacks `# {key}:`", file.display()))
                .trim()
                .to_string()
        };
        let (expect, at) = (header("expect"), header("at"));
        let out = env.sweep(&["validate", file.to_str().unwrap()]);
        let location = format!("{}:{at}", file.display());
        let ok = out.code == 2
            && out.stderr.contains(&expect)
            && out.stderr.contains(&location)
            && !out.stderr.contains("panicked")
            && !says_a_cause_twice(&out.stderr);
        if !ok {
            failures.push(format!(
                "{}: exit {} (want 2), want `{expect}` at {location}\n{}",
                file.display(),
                out.code,
                out.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Returns whether a line of `stderr` gives the same cause twice in a row (`...: No such file
/// or directory (os error 2): No such file or directory (os error 2)`), as an error whose message
/// holds its source does when the chain of causes is printed too.
fn says_a_cause_twice(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        let parts: Vec<&str> = line.split(": ").collect();
        parts.windows(2).any(|w| w[0] == w[1] && w[0].len() >= 10)
    })
}

/// Files in `tests/e2e/bad_specs/valid/` look malformed to a heuristic but are valid YAML
/// specs: each must validate (exit code 0). A text check explains a parse failure and never
/// refuses a file the parser reads.
#[test]
fn every_valid_lookalike_spec_validates() {
    let dir = repo_root()
        .join("tests")
        .join("e2e")
        .join("bad_specs")
        .join("valid");
    let env = TestEnv::new();
    let mut failures = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        if file.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        seen += 1;
        let out = env.sweep(&["validate", file.to_str().unwrap()]);
        if out.code != 0 {
            failures.push(format!(
                "{}: exit {} (want 0)\n{}",
                file.display(),
                out.code,
                out.stderr
            ));
        }
    }
    assert!(seen > 0, "no fixtures in {}", dir.display());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A categorical value written with quoted escapes (an OSC 52 sequence, which sets a
/// terminal's clipboard where the trials' CSV is shown) is refused at its place, and neither
/// that refusal nor one quoting an unknown key with an escape in it writes the raw character
/// to the terminal.
#[test]
fn control_characters_written_as_escapes_never_reach_the_terminal() {
    let env = TestEnv::new();
    let spec = env.write_spec(
        "escapes.yaml",
        &tests::penguins_spec(
            "escapes",
            "  sel: {values: [a, \"\\e]52;c;cHduZWQ=\\a\"]}\n  \
             dropout: {min: 0.0, max: 0.3, when: {sel: [a]}}\n  \
             \"x\\e[2J\": {values: [1]}\n",
        ),
    );
    let out = env.sweep(&["validate", spec.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let at = format!("{}:10:21: parameters.sel.values[1]", spec.display());
    assert!(out.stderr.contains(&at), "{}", out.stderr);
    assert!(
        out.stderr.contains("U+001B (ESCAPE)") && out.stderr.contains("`x\\u{1b}[2J`"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(['\u{1b}', '\u{7}']),
        "{}",
        out.stderr.escape_debug()
    );
}
