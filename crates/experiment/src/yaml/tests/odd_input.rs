//! What the reader says about odd input: control characters and bidirectional controls that
//! quoted escapes write into names and values, invisible characters in a name, numbers past
//! what a 64-bit float holds, and text too long to quote whole.

use super::{check, parse_ok, render, BASE};

/// A message's tail, shared by every refusal of a control character.
const VISIBLE_ONLY: &str = "which a terminal would act on or hide where the text is shown; \
                            write it with visible characters only (in double quotes, `\\e`, \
                            `\\a`, `\\0` and `\\u` escapes write such characters)";

#[test]
fn control_characters_written_as_escapes_are_refused_in_names_and_values() {
    let refused = |at: &str, shown: &str, code: &str| {
        format!("{at}: `{shown}` holds an invisible character, {code}, {VISIBLE_ONLY}")
    };
    check(
        &[
            // An OSC 52 sequence, which sets a terminal's clipboard where a CSV is shown.
            (
                "parameters:\n  optimizer: {values: [sgd, \"\\e]52;c;eA==\\a\"]}\n",
                &refused(
                    "5:29: parameters.optimizer.values[1]",
                    "\\u{1b}]52;c;eA==\\u{7}",
                    "U+001B (ESCAPE)",
                ),
            ),
            (
                "parameters:\n  optimizer: {value: \"a\\0b\"}\n",
                &refused("5:22: parameters.optimizer.value", "a\\u{0}b", "U+0000 (NUL)"),
            ),
            (
                "parameters:\n  optimizer: {values: [\"\\a\"]}\n",
                &refused("5:24: parameters.optimizer.values[0]", "\\u{7}", "U+0007 (BELL)"),
            ),
            // A line break in a value reads as spaces in a table: refused too (a tab is let
            // through: files stored before this rule hold some; tables show it escaped).
            (
                "parameters:\n  optimizer: {value: \"a\\nb\"}\n",
                &refused("5:22: parameters.optimizer.value", "a\\u{a}b", "U+000A (LINE FEED)"),
            ),
            // A C1 control and the bidirectional overrides and isolates.
            (
                "parameters:\n  optimizer: {values: [\"\\x9b\", \"\\u202Eadam\", \"\\u2066sgd\"]}\n",
                &[
                    refused(
                        "5:24: parameters.optimizer.values[0]",
                        "\\u{9b}",
                        "U+009B (a control character)",
                    ),
                    refused(
                        "5:32: parameters.optimizer.values[1]",
                        "\\u{202e}adam",
                        "U+202E (a bidirectional text control)",
                    ),
                    refused(
                        "5:46: parameters.optimizer.values[2]",
                        "\\u{2066}sgd",
                        "U+2066 (a bidirectional text control)",
                    ),
                ]
                .join("\n"),
            ),
            // A parameter's name, a metric's and the experiment's.
            (
                "parameters:\n  \"a\\eb\": {values: [x]}\n",
                &refused("5:3: parameters.a\u{1b}b", "a\\u{1b}b", "U+001B (ESCAPE)"),
            ),
            (
                "train: {early_stopping: {metric: \"val\\eloss\", patience: 2}}\n",
                &refused("4:34: train.early_stopping.metric", "val\\u{1b}loss", "U+001B (ESCAPE)"),
            ),
        ],
        BASE,
    );
    check(
        &[
            (
                "name: \"t\\e[2J\"\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n",
                &refused("1:7: name", "t\\u{1b}[2J", "U+001B (ESCAPE)"),
            ),
            (
                "name: t\nmetric: {name: \"val_\\u202Eloss\"}\ndata: {csv: d.csv, target: y}\n",
                &refused(
                    "2:16: metric.name",
                    "val_\\u{202e}loss",
                    "U+202E (a bidirectional text control)",
                ),
            ),
        ],
        "",
    );
}

#[test]
fn a_description_keeps_its_line_breaks_and_tabs_but_no_other_control_character() {
    let spec = parse_ok(&format!("{BASE}description: \"two\\nlines\\tand a tab\"\n"));
    assert_eq!(spec.description, "two\nlines\tand a tab");
    // NEXT LINE is a line break too: a file that held one read before, and still reads.
    let spec = parse_ok(&format!("{BASE}description: \"two\\Nlines\"\n"));
    assert_eq!(spec.description, "two\u{85}lines");
    // A tab in a value reads as before (stored experiments hold some); tables escape it.
    let spec = parse_ok(&format!(
        "{BASE}parameters:\n  tag: {{values: [\"a\\tb\", c]}}\n  \
         lr: {{values: [0.01], when: {{tag: [\"a\\tb\"]}}}}\n"
    ));
    assert!(spec.space.param("tag").is_some());
    assert_eq!(
        render(&format!("{BASE}description: \"bell\\a\"\n")),
        format!(
            "4:14: description: `bell\\u{{7}}` holds an invisible character, U+0007 (BELL), \
             {VISIBLE_ONLY}"
        )
    );
}

#[test]
fn an_invisible_or_other_space_in_a_name_is_named() {
    let name = |written: &str| render(&format!("name: \"{written}\"\n{}", &BASE[8..]));
    let refused = "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting \
                   with a letter or digit, found";
    assert_eq!(
        name("ab\\u200Bc"),
        format!(
            "{refused} `ab\u{200b}c`; it holds U+200B (ZERO WIDTH SPACE), an invisible character"
        )
    );
    assert_eq!(
        name("ab\\u00A0c"),
        format!(
            "{refused} `ab\u{a0}c`; it holds U+00A0 (NO-BREAK SPACE), a space that is not an \
             ASCII one"
        )
    );
    assert_eq!(
        name("ab\\u3000c"),
        format!("{refused} `ab\u{3000}c`; it holds U+3000, a space that is not an ASCII one")
    );
    assert_eq!(
        name("\\u0430b"),
        format!("{refused} `\u{430}b`; `\u{430}` is not ASCII")
    );
}

#[test]
fn a_number_is_echoed_as_written_with_what_a_64_bit_float_made_of_it() {
    check(
        &[
            (
                "parameters:\n  hidden: {values: [99999999999999999999]}\n",
                "5:21: parameters.hidden.values[0]: `hidden` must be an integer from 1 to 65536, \
                 found 99999999999999999999",
            ),
            (
                "parameters:\n  lr: {value: 1e-400}\n",
                "5:15: parameters.lr.value: `lr` must be in [1e-12, 10], found 1e-400 (1e-400 \
                 rounds to 0 as a 64-bit float)",
            ),
            (
                "parameters:\n  lr: {value: 1e400}\n",
                "5:15: parameters.lr.value: expected a finite number (1e400 is past the largest \
                 64-bit float (about 1.8e308)), found number `1e400`",
            ),
            // The same number written otherwise is said as the rule says it.
            (
                "parameters:\n  dropout: {value: 1.0}\n",
                "5:20: parameters.dropout.value: `dropout` must be in [0, 1), found 1",
            ),
        ],
        BASE,
    );
}

#[test]
fn a_grid_of_one_point_is_said_in_the_singular() {
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nrun_cap: 4\nparameters:\n  hidden: {{values: [8]}}\n"
    ));
    assert_eq!(
        spec.method.coverage_note(4, &spec.space).as_deref(),
        Some("the grid has 1 point, so the study runs 1 trial, not 4")
    );
    let spec = parse_ok(&format!(
        "{BASE}method: grid\nrun_cap: 1\nparameters:\n  hidden: {{values: [8, 16]}}\n"
    ));
    assert_eq!(
        spec.method.coverage_note(1, &spec.space).as_deref(),
        Some(
            "the grid has 2 points and the study 1 trial: it runs the grid's first 1 point in \
             order (the parameters that conditions test change slowest, then the last parameter \
             by name fastest) and never tries the others; raise `run_cap` for the whole grid, \
             set `sampler: {shuffle: true}` to run 1 point spread over it, or use `sobol` to \
             spread 1 trial over the whole space"
        )
    );
}

#[test]
fn a_value_too_long_to_quote_whole_is_cut_with_its_length() {
    let long = "x".repeat(1 << 20);
    let cut = format!(
        "{}…{} (1048576 characters)",
        "x".repeat(120),
        "x".repeat(60)
    );
    // Given to a knob that takes a few names, and listed twice.
    let knob = render(&format!(
        "{BASE}parameters:\n  optimizer: {{values: [{long}]}}\n"
    ));
    assert!(knob.len() < 1000, "{} bytes", knob.len());
    assert!(knob.ends_with(&format!("found `{cut}`")), "{knob}");
    let twice = render(&format!(
        "{BASE}parameters:\n  sel: {{values: [{long}, {long}]}}\n  dropout: {{min: 0.0, max: 0.3, when: {{sel: [b]}}}}\n"
    ));
    assert!(twice.len() < 1000, "{} bytes", twice.len());
    assert!(
        twice.contains(&format!("`{cut}` is listed already")),
        "{twice}"
    );
    let unknown = render(&format!(
        "{BASE}parameters:\n  sel: {{values: [a, {long}]}}\n  dropout: {{min: 0.0, max: 0.3, when: {{sel: [b]}}}}\n"
    ));
    assert!(unknown.len() < 1000, "{} bytes", unknown.len());
    assert!(
        unknown.contains(&format!("of `sel`: a, {cut}")),
        "{unknown}"
    );
}
