//! Tables of specs and the errors they must give, as `line:column: field: message` lines: one
//! table per part of the format, each case a few lines on top of a valid base.

use super::{check, check_suggestions_parse, render, BASE};
#[test]
fn whole_document_errors() {
    check(
        &[
            ("", "1:1: the spec is empty; expected a mapping with at least `name`, `metric` and `data`"),
            ("# only a comment\n", "1:1: the spec is empty; expected a mapping with at least `name`, `metric` and `data`"),
            ("- a\n- b\n", "1:1: expected the spec to be a mapping with keys such as `name:` and `data:`, found a sequence"),
            ("hello\n", "1:1: expected the spec to be a mapping with keys such as `name:` and `data:`, found string `hello`"),
            ("name: t\n", "1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:1: name: missing required key `name`"),
            ("name: t\nparameters: {lr: [1, 2}\n", "2:23: yaml syntax error: while parsing a flow sequence, expected ',' or ']'"),
            ("name: t\n  seed: 1\n", "2:3: yaml syntax error: `seed` is indented by 2 spaces, which lines up with no key above it: `name` (line 1) by 0 spaces; indent a key as far as the other keys of its mapping"),
            ("name: \"t\n", "1:7: yaml syntax error: while scanning a quoted scalar, found unexpected end of stream"),
            ("name: t\nseed 1\nmethod: grid\n", "2:1: yaml syntax error: `seed 1` has no `:`, so it is no `key: value` (the parser read on into line 3); write `seed: 1`"),
            ("a: 1\n---\nb: 2\n", "2:1: expected a single yaml document, found a second one"),
            // Tabs: named where they are, not where the parser's error shows.
            ("name: t\n\tseed: 1\n", "2:1: a tab in the indentation; YAML indents with spaces only"),
            ("parameters:\n  lr:\n\t  min: 1\n", "3:1: a tab in the indentation; YAML indents with spaces only"),
            ("data:\n  csv: a.csv\n  \ttarget: y\n", "3:3: a tab in the indentation; YAML indents with spaces only"),
            ("name:\tt\n", "1:6: a tab after `:`; YAML separates a key from its value with a space"),
            ("description: \"a:\tb\"\nname: t\n\tseed: 1\n", "3:1: a tab in the indentation; YAML indents with spaces only"),
            ("[a]: 1\n", "1:1: mapping keys must be plain names, found a collection"),
            ("seed: &s 1\nparallel: *s\n", "2:11: parallel: yaml aliases (`*name`) are not supported; write the value out"),
            ("seed: !!int 1\n", "1:13: seed: yaml tags such as `!!int` are not supported"),
            ("%YAML 1.1\n---\nrun_cap: 010\n", "1:1: `%YAML 1.1`: experiment files are read as YAML 1.2 (in which `010` is ten and `yes` is text); delete the line and write the values as YAML 1.2 reads them"),
            ("data:\n  <<: {csv: d.csv, target: y}\n", "2:3: data: yaml merge keys (`<<:`) are not supported; write the keys out"),
            (&"[".repeat(100), "1:65: mappings and sequences nest deeper than 64 levels"),
            // Invisible characters: a NUL would end the text for the parser, the rest lost.
            ("name: t\n\0parameters: {lr: {min: 1, max: 2}}\n", "2:1: an invisible character, U+0000 (NUL, which ends the text for the parser: what follows it would be lost), is in the text; delete it (a copy and paste or an editor left it there)"),
            ("method: random\u{1}\n", "1:15: an invisible character, U+0001 (a control character), is in the text; delete it (a copy and paste or an editor left it there)"),
            // In a comment a format character changes nothing and may be needed; a control
            // character is refused there too.
            (&format!("{BASE}seed: 1 # \u{200f}שלום \u{200b} 'it''s'\n"), "ok"),
            ("seed: 1 # a\u{0}\n", "1:12: an invisible character, U+0000 (NUL, which ends the text for the parser: what follows it would be lost), is in the text; delete it (a copy and paste or an editor left it there)"),
            // Other invisible characters only explain a value or a key refused on their line.
            ("seed: 1 '#' \u{200b}\n", "1:1: name: missing required key `name`\n1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`\n1:7: seed: expected an integer, found string `1 '#' \u{200b}`\n1:13: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there)"),
            ("name: \u{202e}t\n", "1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`\n1:7: name: `\\u{202e}t` holds an invisible character, U+202E (a bidirectional text control), which a terminal would act on or hide where the text is shown; write it with visible characters only (in double quotes, `\\e`, `\\a`, `\\0` and `\\u` escapes write such characters)"),
            (&"seed: 1\u{200b}\n".repeat(7), "1:1: name: missing required key `name`\n1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`\n1:7: seed: expected an integer, found string `1\u{200b}`\n1:8: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there)\n2:1: seed: duplicate key `seed`; it is first written on line 1\n2:8: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there)\n3:1: seed: duplicate key `seed`; it is first written on line 1\n3:8: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there)\n4:1: seed: duplicate key `seed`; it is first written on line 1\n4:8: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there)\n5:1: seed: duplicate key `seed`; it is first written on line 1\n5:8: an invisible character, U+200B (ZERO WIDTH SPACE), is in the text; delete it (a copy and paste or an editor left it there), and 2 more after it\n6:1: seed: duplicate key `seed`; it is first written on line 1\n7:1: seed: duplicate key `seed`; it is first written on line 1"),
            (&format!("{BASE}description: MLP\u{200b} on digits\nseed: 7\u{2060}\n"), "5:7: seed: expected an integer, found string `7\u{2060}`\n5:8: an invisible character, U+2060 (WORD JOINER), is in the text; delete it (a copy and paste or an editor left it there)"),
        ],
        "",
    );
}

#[test]
fn syntax_errors_are_placed_at_the_mistake() {
    check(
        &[
            // A key without its `:`: the parser reads on into the next line.
            ("name: t\nseed=1\nmethod: grid\n", "2:1: yaml syntax error: `seed=1` has no `:`, so it is no `key: value` (the parser read on into line 3); write `seed: 1`"),
            ("name t\nseed: 1\n", "1:1: yaml syntax error: `name t` has no `:`, so it is no `key: value` (the parser read on into line 2); write `name: t`"),
            ("train:\n  epochs 3\n  batch_size: 4\n", "2:3: yaml syntax error: `epochs 3` has no `:`, so it is no `key: value` (the parser read on into line 3); write `epochs: 3`"),
            ("name: t\nseed 1\n", "2:1: yaml syntax error: `seed 1` has no `:`, so it is no `key: value` (the parser read on into line 3); write `seed: 1`"),
            // No space after the `:`.
            ("parameters:\n  hidden:{values: [16, 32]}\n", "2:9: yaml syntax error: `hidden:{` has no space after the `:`, so YAML reads the key and what follows as one word; write `hidden: {`"),
            ("name: t\nseed:1\nmethod: grid\n", "2:5: yaml syntax error: `seed:1` has no space after the `:`, so YAML reads the key and what follows as one word; write `seed: 1`"),
            // A bracket never closed: named where it opens.
            ("parameters:\n  hidden: {values: [16, 32]\n  lr: {min: 0.001, max: 0.01}\n", "2:11: yaml syntax error: this `{` is never closed: the mapping it opens runs on to line 3, where the parser stops (invalid indentation in flow construct); close it with `}`"),
            ("parameters:\n  hidden: {values: [16, 32]\n", "2:11: yaml syntax error: this `{` is never closed: the mapping it opens runs on to line 3, where the parser stops (while parsing a flow mapping, did not find expected ',' or '}'); close it with `}`"),
            ("parameters:\n  hidden: {values: [16, 32\n", "2:20: yaml syntax error: this `[` is never closed: the list it opens runs on to line 3, where the parser stops (while parsing a flow sequence, expected ',' or ']'); close it with `]`"),
            // A mapping over lines that is closed is no unclosed bracket; one on its own line keeps
            // the parser's place.
            ("parameters: {lr: {min: 0.1,\n  max: 0.2}}\nname: t\n", "1:1: metric: missing required key `metric`\n1:1: data: missing required key `data`"),
            ("parameters: {lr: [1, 2}\n", "1:23: yaml syntax error: while parsing a flow sequence, expected ',' or ']'"),
            // Regressions of 351588c: a `[` in plain text opens nothing, so a later error is
            // not blamed on it; a line that may continue a plain value is no key without its
            // `:` (the advice `random: search over width` would corrupt the description).
            ("description: MLP on digits (see [1 for the data)\nname: t\nseed: 1\nmethod: grid\ndata:\n  csv: d.csv\n  target: y\nmetric: {name: val_loss}\nparameters:\n  lr: {min: 0.1, max: 0.2\n  hidden: {values: [16]}\n", "10:7: yaml syntax error: this `{` is never closed: the mapping it opens runs on to line 11, where the parser stops (while parsing a flow mapping, did not find expected ',' or '}'); close it with `}`"),
            ("description: MLP on digits (see [1 for the data)\nname: t\nseed 1\nmethod: grid\n", "3:1: yaml syntax error: `seed 1` has no `:`, so it is no `key: value` (the parser read on into line 4); write `seed: 1`"),
            ("description: MLP on digits (see [1 for the data)\nname: t\nseed: 1\nseed: 2\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "4:1: seed: duplicate key `seed`; it is first written on line 3"),
            ("description: MLP on 8x8 digits,\n  random search over width\n  seed: 7\n", "3:7: yaml syntax error: mapping values are not allowed in this context"),
            ("description: MLP on 8x8 digits,\n  random search over width\n  and depth\n  seed: 7\n", "4:7: yaml syntax error: mapping values are not allowed in this context"),
            ("description: MLP on 8x8 digits, see:http\n  seed: 7\n", "2:3: yaml syntax error: `seed` is indented by 2 spaces, which lines up with no key above it: `description` (line 1) by 0 spaces; indent a key as far as the other keys of its mapping"),
            // A key indented to line up with none above it.
            ("parameters:\n  hidden: {values: [16, 32]}\n   lr: {min: 0.001, max: 0.01}\n", "3:4: yaml syntax error: `lr` is indented by 3 spaces, which lines up with no key above it: `hidden` (line 2) by 2 spaces, `parameters` (line 1) by 0 spaces; indent a key as far as the other keys of its mapping"),
            ("parameters:\n    hidden: {values: [16, 32]}\n  lr: {min: 0.001, max: 0.01}\n", "3:3: yaml syntax error: `lr` is indented by 2 spaces, which lines up with no key above it: `hidden` (line 2) by 4 spaces, `parameters` (line 1) by 0 spaces; indent a key as far as the other keys of its mapping"),
            // Characters that look like YAML's own.
            // NBSP indentation parses as a key `\u{a0}\u{a0}lr`, which is named in its message.
            (&format!("{BASE}parameters:\n\u{a0}\u{a0}lr: {{min: 0.001, max: 0.01}}\n"), "5:1: \u{a0}\u{a0}lr: unknown key `\u{a0}\u{a0}lr`, which holds a no-break space, U+00A0, that YAML does not read as a space (indenting with it is no indentation); replace it with a plain space; expected keys: name, description, seed, method, sampler, run_cap, parallel, metric, plateau, constraints, data, model, train, parameters, gate, device, checkpoints, pruner, early_terminate, enqueue, warm_start"),
            ("parameters:\n  lr:\u{a0}{min: 0.001, max: 0.01}\n", "2:6: a no-break space, U+00A0, is in the text, and YAML does not read it as a space (indenting with it is no indentation, and after a `:` it joins the key and its value into one word); replace it with a plain space (a copy from a web page often leaves it there)\n2:23: yaml syntax error: mapping values are not allowed in this context"),
            ("parameters:\n  hidden\u{ff1a} {values: [16]}\n", "2:9: a full-width colon `：` (U+FF1A) follows `hidden`, and YAML reads only the ASCII colon as the end of a key; write `hidden:` and a space\n2:24: yaml syntax error: while parsing a block mapping, did not find expected key"),
            // A right-to-left mark that is text beside an unrelated mistake on the next line:
            // the mark is named, and the mistake is said too.
            ("description: \"shalom \u{200f} text\"\nseed: 7: 8\n", "1:22: an invisible character, U+200F (RIGHT-TO-LEFT MARK), is in the text; delete it (a copy and paste or an editor left it there)\n2:8: yaml syntax error: mapping values are not allowed in this context"),
            // A syntax error elsewhere is not blamed on a no-break space in text.
            ("description: MLP\u{a0}on digits\nname: t\nseed 1\nmethod: grid\n", "3:1: yaml syntax error: `seed 1` has no `:`, so it is no `key: value` (the parser read on into line 4); write `seed: 1`"),
            // In quotes or a comment a no-break space is text, as is a full-width colon in a value.
            (&format!("{BASE}description: \"a\u{a0}b：c\" # d\u{a0}e\n"), "ok"),
            (&format!("{BASE}description: 実験：テスト\n"), "ok"),
        ],
        "",
    );
}

#[test]
fn a_list_written_without_brackets_inside_braces_says_so() {
    let base = format!("{BASE}parameters:\n  optimizer: {{values: [sgd, adam]}}\n");
    check(
        &[
            ("  momentum: {min: 0.1, max: 0.9, when: {optimizer: sgd, adam}}\n", "6:57: parameters.momentum.when.adam: `adam` was read as a key with no value: inside `{..}` a comma ends the value of `optimizer`; write its values as a list, `optimizer: [sgd, adam]`"),
            ("  hidden: {values: 16, 32, 64}\n", "6:24: parameters.hidden.32: `32`, `64` were read as keys with no value: inside `{..}` a comma ends the value of `values`; write its values as a list, `values: [16, 32, 64]`"),
            // A key with nothing after it on its own line is no split list.
            ("  lr: {min: 0.1,\n    max: }\n", "7:5: parameters.lr.max: expected a number, found nothing"),
        ],
        &base,
    );
}

#[test]
fn a_whole_number_with_a_fraction_is_an_integer_everywhere() {
    check(
        &[
            (
                "run_cap: 2.0\nseed: 7.0\nparameters:\n  hidden: {min: 16.0, max: 64.0}\n",
                "ok",
            ),
            (
                "train: {epochs: 1.0, batch_size: 16.0}\nmodel: {hidden: 32.0}\n",
                "ok",
            ),
            (
                "run_cap: 2.5\n",
                "4:10: run_cap: expected an integer, found number `2.5`",
            ),
            (
                "parameters:\n  hidden: {min: 16.5, max: 64.0}\n",
                "5:17: parameters.hidden.min: expected an integer, found number `16.5`",
            ),
            // Past 9e15 a number with a fraction is rounded: refused, not stored as another.
            (
                "seed: 1.0e19\n",
                "4:7: seed: expected an integer, found number `1.0e19`, too large to be read exactly with a fraction or an exponent (a number so written is rounded past 9e15); write the integer in digits, without the fraction",
            ),
            (
                "seed: 9007199254740993.0\n",
                "4:7: seed: expected an integer, found number `9007199254740993.0`, too large to be read exactly with a fraction or an exponent (a number so written is rounded past 9e15); write the integer in digits, without the fraction",
            ),
            (
                "run_cap: -9007199254740993.0\n",
                "4:10: run_cap: expected an integer, found number `-9007199254740993.0`, too large to be read exactly with a fraction or an exponent (a number so written is rounded past 9e15); write the integer in digits, without the fraction",
            ),
            ("seed: 8999999999999999.0\n", "ok"),
            ("seed: 9007199254740993\n", "ok"),
        ],
        BASE,
    );
}

/// Valid files whose text holds characters that look like YAML's own, as the review of
/// 351588c found them refused: a file the parser reads is never refused for its text.
#[test]
fn regression_351588c_look_alike_characters_in_valid_text_are_text() {
    check(
        &[
            // Plain free text, with a no-break space and a full-width colon in it.
            ("description: MLP\u{a0}on 8x8 digits\n", "ok"),
            ("description: MLP\u{a0}on 8x8\u{a0}digits, GPU\u{ff1a} 1, 10\u{a0}%\n", "ok"),
            // French text in a block scalar: a no-break space before `%` and `:`; a line that
            // reads as a key with a full-width colon is text there.
            ("description: |\n  Essai à 10\u{a0}% des données\u{a0}: MLP\n  GPU\u{ff1a} 1\nseed: 7\n", "ok"),
            ("description: >-\n  GPU\u{ff1a} 1\n  \u{a0}indented text\n", "ok"),
            // A double-quoted value continued onto a second line.
            ("description: \"MLP on digits,\n  random\u{a0}search\"\nseed: 7\n", "ok"),
            // A comment after an apostrophe, which opens no quote.
            ("description: the model's width # largeur\u{a0}: 8\u{200b}\n", "ok"),
            ("seed: 7 # it's\u{a0}7\n", "ok"),
            // Invisible characters in free text, read as written.
            ("description: MLP\u{200b} on \u{200f}digits\n", "ok"),
        ],
        BASE,
    );
}

#[test]
fn optuna_directions_are_said_with_the_files_own_metrics() {
    let base = "name: t\ndata: {csv: d.csv, target: y}\n";
    check(
        &[
            // The names written, paired in order with the directions written, on both lines.
            ("metric: [val_loss, train_loss]\ndirections: [minimize, minimize]\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_loss, goal: minimize}, {name: train_loss, goal: minimize}]`\n4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal: delete `directions:` and write `metric: [{name: val_loss, goal: minimize}, {name: train_loss, goal: minimize}]`"),
            ("metric: [val_loss, val_f1]\ndirections: [minimize, MINIMIZE]\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_loss, goal: minimize}, {name: val_f1, goal: minimize}]`\n4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal: delete `directions:` and write `metric: [{name: val_loss, goal: minimize}, {name: val_f1, goal: minimize}]`"),
            // A stray `direction:` beside a list: each goal in its entry, none dropped.
            ("metric: [val_accuracy, param_count]\ndirection: maximize\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_accuracy, goal: maximize}, {name: param_count, goal: minimize}]`\n4:1: direction: `direction` is Optuna's; with several objectives each goal is in its entry of `metric:`: delete `direction:` and write `metric: [{name: val_accuracy, goal: maximize}, {name: param_count, goal: minimize}]`; `direction:` writes one goal, maximize, for 2 objectives, and here `param_count`'s is minimize: keep in each entry the goal you mean"),
            ("metric:\n  - {name: val_f1, goal: maximize}\n  - {name: param_count, goal: minimize}\ndirection: maximize\n", "6:1: direction: `direction` is Optuna's; with several objectives each goal is in its entry of `metric:`: delete `direction:` and write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}]`; `direction:` writes one goal, maximize, for 2 objectives, and here `param_count`'s is minimize: keep in each entry the goal you mean"),
            // One that agrees with every goal shown says nothing more.
            ("metric: [val_loss, param_count]\ndirection: minimize\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_loss, goal: minimize}, {name: param_count, goal: minimize}]`\n4:1: direction: `direction` is Optuna's; with several objectives each goal is in its entry of `metric:`: delete `direction:` and write `metric: [{name: val_loss, goal: minimize}, {name: param_count, goal: minimize}]`"),
            // A goal `metric:` sets already, agreeing or not.
            ("metric: {name: val_f1, goal: minimize}\ndirection: maximize\n", "4:1: direction: `direction` is Optuna's; here the goal is the metric's, and `metric:` says `goal: minimize` where `direction:` says maximize: delete `direction:`, and keep in `metric:` the goal you mean"),
            ("metric: {name: val_f1, goal: maximize}\ndirection: maximize\n", "4:1: direction: `direction` is Optuna's; here the goal is the metric's, and `metric:` sets it already (`goal: maximize`): delete `direction:`"),
            // A metric written as a bare name is the one said, with the goal the file asks
            // for on both lines, not the metric's own.
            ("metric: val_f1\ndirection: minimize\n", "3:9: metric: expected a mapping, found string `val_f1`; the objective is written `{name: val_f1, goal: minimize}`\n4:1: direction: `direction` is Optuna's; here the goal is the metric's: delete `direction:` and write `metric: {name: val_f1, goal: minimize}` (with several objectives, a list of them)"),
        ],
        base,
    );
}

#[test]
fn optuna_directions_beside_one_objective_say_it_as_one_mapping() {
    let base = "name: t\ndata: {csv: d.csv, target: y}\n";
    check(
        &[
            // A list of one is one mapping, with the direction written (not the metric's own).
            ("metric: [val_loss]\ndirection: maximize\n", "3:9: metric: a list of objectives needs at least two, found 1; write one objective as a mapping, `metric: {name: val_loss, goal: maximize}`\n4:1: direction: `direction` is Optuna's; here the goal is the metric's, and one objective is a mapping, not a list: delete `direction:` and write `metric: {name: val_loss, goal: maximize}`"),
            ("metric: [{name: val_loss, goal: minimize}]\ndirection: maximize\n", "3:9: metric: a list of objectives needs at least two, found 1; write one objective as a mapping, `metric: {name: val_loss, goal: minimize}`\n4:1: direction: `direction` is Optuna's; here the goal is the metric's, and one objective is a mapping, not a list: delete `direction:` and write `metric: {name: val_loss, goal: minimize}`; `metric:` says `goal: minimize` where `direction:` says maximize, so keep the goal you mean"),
            ("metric: [{name: val_loss, target: 0.1}]\ndirection: minimize\n", "3:9: metric: a list of objectives needs at least two, found 1; write one objective as a mapping, `metric: {name: val_loss, goal: minimize, target: 0.1}`\n4:1: direction: `direction` is Optuna's; here the goal is the metric's, and one objective is a mapping, not a list: delete `direction:` and write `metric: {name: val_loss, goal: minimize, target: 0.1}`"),
            // `directions:` beside one objective: the file's own name, the first direction.
            ("metric: {name: val_loss}\ndirections: [maximize, minimize]\n", "4:1: directions: `directions` is Optuna's; `directions:` writes 2 directions but `metric:` names one objective, whose goal is in it: delete `directions:` and write `metric: {name: val_loss, goal: maximize}` (with several objectives, a list of at least two, each with its goal)"),
            ("metric: [val_f1]\ndirections: [minimize]\n", "3:9: metric: a list of objectives needs at least two, found 1; write one objective as a mapping, `metric: {name: val_f1, goal: minimize}`\n4:1: directions: `directions` is Optuna's; `directions:` writes one direction and `metric:` names one objective, whose goal is in it: delete `directions:` and write `metric: {name: val_f1, goal: minimize}` (with several objectives, a list of at least two, each with its goal)"),
        ],
        base,
    );
    // Each suggestion, done, parses; those of the other cases above too.
    check_suggestions_parse(
        &[
            "metric: [val_loss]\ndirection: maximize\n",
            "metric: [{name: val_loss, goal: minimize}]\ndirection: maximize\n",
            "metric: [{name: val_loss, target: 0.1}]\ndirection: minimize\n",
            "metric: {name: val_loss}\ndirections: [maximize, minimize]\n",
            "metric: val_f1\ndirections: [maximize, minimize]\n",
            "metric: [val_f1]\ndirections: [minimize]\n",
            "metric: [val_f1]\n",
            "metric: [val_loss, train_loss]\ndirections: [minimize, minimize]\n",
            "metric: [val_accuracy, param_count]\ndirection: maximize\n",
            "metric:\n  - {name: val_f1, goal: maximize}\n  - {name: param_count, goal: minimize}\ndirection: maximize\n",
            "metric: val_f1\ndirection: minimize\n",
            "metric: {name: val_f1}\ndirection: minimize\n",
        ],
        base,
    );
}

#[test]
fn top_level_errors() {
    check(
        &[
            ("nmae: x\n", "4:1: nmae: unknown key `nmae`; did you mean `name`? expected keys: name, description, seed, method, sampler, run_cap, parallel, metric, plateau, constraints, data, model, train, parameters, gate, device, checkpoints, pruner, early_terminate, enqueue, warm_start"),
            ("count: 30\nn_trials: 30\n", "4:1: count: `count` is how W&B's agent (`--count`) or Optuna (`n_trials`) counts trials; here the number of trials is `run_cap: 30`\n5:1: n_trials: `n_trials` is how W&B's agent (`--count`) or Optuna (`n_trials`) counts trials; here the number of trials is `run_cap: 30`"),
            ("count: many\n", "4:1: count: `count` is how W&B's agent (`--count`) or Optuna (`n_trials`) counts trials; here the number of trials is `run_cap:`"),
            // Optuna's n_jobs: the value written where `parallel:` takes it; -1 (every core) is
            // `parallel:` left out, as `parallel: -1` is refused.
            ("n_jobs: 2\nnum_samples: 20\n", "4:1: n_jobs: `n_jobs` is Optuna's count of trials run at once; here that is `parallel: 2`\n5:1: num_samples: `num_samples` is how Ray Tune counts trials; here the number of trials is `run_cap: 20`"),
            ("n_jobs: -1\n", "4:1: n_jobs: `n_jobs` is Optuna's count of trials run at once, -1 for one per core; here leave `parallel:` out, and a run takes one trial per core"),
            ("n_jobs: 0\nnum_samples: -1\n", "4:1: n_jobs: `n_jobs` is Optuna's count of trials run at once; here that is `parallel:`\n5:1: num_samples: `num_samples` is how Ray Tune counts trials; here the number of trials is `run_cap:`"),
            ("direction: maximize\ntimeout: 60\n", "4:1: direction: `direction` is Optuna's; here the goal is the metric's: delete `direction:` and write `metric: {name: val_loss, goal: maximize}` (with several objectives, a list of them)\n5:1: timeout: `timeout` is Optuna's `timeout`; here a time limit is the `--timeout` flag of `sweep run` (`--timeout 1h`), not part of the file"),
            ("program: train.py\ncommand: [python, train.py]\nproject: mnist\n", "4:1: program: `program` is how W&B starts a training script for each trial; Sweep trains the model itself from `data:`, `model:` and `train:`, so remove it\n5:1: command: `command` is how W&B starts a training script for each trial; Sweep trains the model itself from `data:`, `model:` and `train:`, so remove it\n6:1: project: `project` names a W&B account's project; a Sweep experiment is named by `name:` and kept in the store, so remove it"),
            ("entity: my-team\n", "4:1: entity: `entity` names the W&B user or team a run is sent to; a Sweep experiment is kept in the store, on this machine, so remove it"),
            ("seed: 1\nseed: 2\n", "5:1: seed: duplicate key `seed`; it is first written on line 4"),
            ("seed: -1\n", "4:7: seed: must be an integer from 0 to 18446744073709551615, found -1"),
            ("seed: 99999999999999999999999\n", "4:7: seed: must be an integer from 0 to 18446744073709551615, found 99999999999999999999999"),
            ("seed: abc\n", "4:7: seed: expected an integer, found string `abc`"),
            ("seed:\n", "4:1: seed: expected an integer, found nothing"),
            ("method: gird\n", "4:9: method: unknown method `gird`; did you mean `grid`? expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: [grid]\n", "4:9: method: expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3, found a sequence"),
            ("run_cap: 0\n", "4:10: run_cap: must be an integer of at least 1, found 0"),
            ("train: {epochs: 99999999999999999999}\n", "4:17: train.epochs: `epochs` must be an integer from 1 to 100000, found 1e20"),
            ("parameters:\n  depth: {distribution: int_uniform, min: 1, max: 123456789012345678901}\n", "5:51: parameters.depth.max: `123456789012345678901` is too large an integer (at most 9223372036854775807)"),
            ("train: {lr: .nan}\n", "4:13: train.lr: expected a finite number, found number `.nan`"),
            ("train: {lr: null}\n", "4:13: train.lr: expected a value (a number, a name, true or false), found null `null`"),
            ("run_cap: 18446744073709551615\n", "4:10: run_cap: must be an integer from 1 to 4294967295 (the largest this field holds), found 18446744073709551615"),
            ("run_cap: 2.5\n", "4:10: run_cap: expected an integer, found number `2.5`"),
            ("parallel: -3\n", "4:11: parallel: must be an integer from 1 to 1024, found -3"),
            ("parallel: 3000\n", "4:11: parallel: must be an integer from 1 to 1024, found 3000"),
            ("description: {a: 1}\n", "4:14: description: expected text, found a mapping"),
            ("parameters:\n# lr: {values: [0.1]}\nmodel:\ntrain:\n", "ok"),
            ("train: [1]\nmodel: 3\n", "4:8: train: expected a mapping, found a sequence\n5:8: model: expected a mapping, found integer `3`; a model is written `{kind: mlp}` or `{kind: cnn}`, with its knobs beside `kind`"),
        ],
        BASE,
    );
    check(
        &[
            ("name: my exp\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `my exp`"),
            (&format!("name: {}\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n", "a".repeat(65)), &format!("1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `{}` (65 characters)", "a".repeat(65))),
            ("name: ..\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `..`"),
            ("name: -x\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `-x`"),
            ("name: 7.b-c_D\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n", "ok"),
            ("name: t\nmetric: {name: val_acc}\n", "1:1: data: missing required key `data`\n2:16: metric.name: unknown metric `val_acc`; did you mean `val_accuracy`? expected one of train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, val_rmse, val_mae, val_r2, param_count, epoch_seconds"),
            ("name: t\nmetric: {name: neg_log_loss}\n", "1:1: data: missing required key `data`\n2:16: metric.name: `neg_log_loss` is another tool's name for a metric; here it is `val_loss`"),
            ("name: t\nmetric: {name: n_params}\n", "1:1: data: missing required key `data`\n2:16: metric.name: `n_params` is another tool's name for a metric; here it is `param_count`"),
        ],
        "",
    );
}

#[test]
fn metric_and_data_errors() {
    let base = "name: t\n";
    check(
        &[
            ("metric: {goal: maximize}\ndata: {csv: d.csv, target: y}\n", "2:9: metric.name: missing required key `name`"),
            ("metric: {name: val_loss, goal: max}\ndata: {csv: d.csv, target: y}\n", "2:32: metric.goal: unknown goal `max`; did you mean `maximize`? expected one of maximize, minimize"),
            ("metric: val_loss\ndata: {csv: d.csv, target: y}\n", "2:9: metric: expected a mapping, found string `val_loss`; the objective is written `{name: val_loss, goal: minimize}`"),
            ("metric: {name: val_accuracy, target: 97}\ndata: {csv: d.csv, target: y}\n", "2:38: metric.target: val_accuracy is a fraction from 0 to 1 (write 0.97 for 97%), found 97"),
            ("metric: {name: val_accuracy, target: 98.05}\ndata: {csv: d.csv, target: y}\n", "2:38: metric.target: val_accuracy is a fraction from 0 to 1 (write 0.9805 for 98.05%), found 98.05"),
            ("metric: {name: val_roc_auc, target: -0.5}\ndata: {csv: d.csv, target: y}\n", "2:37: metric.target: val_roc_auc is a fraction from 0 to 1, found -0.5"),
            ("metric: {name: val_r2, target: 1.5}\ndata: {csv: d.csv, target: y}\n", "2:32: metric.target: val_r2 is at most 1, found 1.5"),
            ("metric: {name: val_loss, target: -1}\ndata: {csv: d.csv, target: y}\n", "2:34: metric.target: val_loss is never below 0, found -1"),
            ("metric: {name: val_loss, target: low}\ndata: {csv: d.csv, target: y}\n", "2:34: metric.target: expected a number, found string `low`"),
            ("metric: {name: val_loss, target: .nan}\ndata: {csv: d.csv, target: y}\n", "2:34: metric.target: expected a finite number, found number `.nan`"),
            ("metric: {name: val_r2, target: -3}\ndata: {csv: d.csv, target: y}\n", "ok"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv}\n", "3:7: data.target: missing required key `target`"),
            ("metric: {name: val_loss}\ndata:\n  target: y\n", "4:3: data.csv: missing required key `csv`"),
            ("metric: {name: val_loss}\ndata: d.csv\n", "3:7: data: expected a mapping, found string `d.csv`"),
            ("metric: {name: val_loss}\ndata: {csv: '', target: y}\n", "3:13: data.csv: expected text, found an empty string"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {validation: 0}}\n", "3:51: data.split.validation: must be in (0, 1), found 0"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {test: 1.0}}\n", "3:45: data.split.test: must be in [0, 1), found 1"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {validation: 0.5, test: 0.5}}\n", "3:38: data.split: validation + test must be below 1 to leave rows for training, found 0.5 + 0.5"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {stratify: yes}}\n", "3:49: data.split.stratify: expected true or false, found string `yes`"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, normalize: standart}\n", "3:42: data.normalize: unknown normalization `standart`; did you mean `standard`? expected one of none, standard, minmax"),
            ("metric: {name: val_loss}\ndata: {csv: d.csv, target: y, split: {valdation: 0.1}}\n", "3:39: data.split.valdation: unknown key `valdation`; did you mean `validation`? expected keys: validation, test, stratify"),
        ],
        base,
    );
}

#[test]
fn model_and_train_errors() {
    check(
        &[
            ("model: {kind: transformer}\n", "4:15: model.kind: unknown model kind `transformer`; expected one of mlp, cnn"),
            ("model: {lr: 0.1}\n", "4:9: model.lr: `lr` is a train knob; put it under `train:`, not `model:`"),
            ("model: {hiden: 64}\n", "4:9: model.hiden: unknown key `hiden`; did you mean `hidden`? expected keys: kind, hidden, depth, dropout, activation, layer_norm, channels, conv_layers"),
            ("train: {optimizer: rmsprop}\n", "4:20: train.optimizer: `optimizer` must be one of sgd, adam, adamw, found `rmsprop`"),
            ("train: {epochs: abc}\n", "4:17: train.epochs: expected an integer for `epochs`, found string `abc`"),
            ("train: {epochs: 0}\n", "4:17: train.epochs: `epochs` must be an integer from 1 to 100000, found 0"),
            ("train: {lr: {values: [0.1]}}\n", "4:13: train.lr: expected a single value for `lr`; to search over it, move it to `parameters:`"),
            ("train: {learning_rate: 0.1, dropout_rate: 0.1}\n", "4:9: train.learning_rate: unknown key `learning_rate`: the trainer calls this knob `lr` (learning rate); write `lr:` under `train:`\n4:29: train.dropout_rate: unknown key `dropout_rate`: the trainer calls this knob `dropout` (dropout rate after each hidden layer, in training only); write `dropout:` under `model:`"),
            ("train: {dropout: 0.1}\n", "4:9: train.dropout: `dropout` is a model knob; put it under `model:`, not `train:`"),
            ("train:\n  early_stopping: {metric: val_loss, patience: 0, min_delta: -1}\n", "5:48: train.early_stopping.patience: must be an integer of at least 1, found 0\n5:62: train.early_stopping.min_delta: must not be negative, found -1"),
            ("train:\n  early_stopping: {metric: epoch_seconds, patience: 3}\n", "5:28: train.early_stopping.metric: `epoch_seconds` is wall time, which differs between runs, so the epoch a trial stopped at would too; stop on a metric of the model, such as val_loss"),
            ("train:\n  early_stopping: {metric: param_count, patience: 3}\n", "5:28: train.early_stopping.metric: `param_count` does not change while a model trains, so early stopping on it would end every trial after `patience` epochs; stop on a metric of the fit, such as val_loss"),
            ("train:\n  early_stopping: {metric: val_los, patiance: 3}\n", "5:19: train.early_stopping.patience: missing required key `patience`\n5:28: train.early_stopping.metric: unknown metric `val_los`; did you mean `val_loss`? expected one of train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, val_rmse, val_mae, val_r2, param_count, epoch_seconds\n5:37: train.early_stopping.patiance: unknown key `patiance`; did you mean `patience`? expected keys: metric, patience, min_delta"),
            ("train: {lr: 0.1}\nparameters:\n  lr: {values: [0.1, 0.01]}\n", "6:3: parameters.lr: `lr` is fixed in `train:` on line 4 and also searched here; keep one"),
        ],
        BASE,
    );
}

#[test]
fn issue_f4_the_alpha_alias_says_sklearns_alpha_is_on_another_scale() {
    check(
        &[
            ("parameters:\n  alpha: {min: 0.001, max: 0.01}\n", "5:3: parameters.alpha: unknown parameter `alpha`: the trainer calls this knob `l2` (weight decay: coupled (L2 in the gradient) for sgd and adam, decoupled for adamw); write `l2:`, at about alpha / batch_size: scikit-learn divides `alpha`'s penalty by the batch's rows and spares biases, where `l2` decays biases too"),
            ("train: {Alpha: 0.0001}\n", "4:9: train.Alpha: unknown key `Alpha`: the trainer calls this knob `l2` (weight decay: coupled (L2 in the gradient) for sgd and adam, decoupled for adamw); write `l2:` under `train:`, at about alpha / batch_size: scikit-learn divides `alpha`'s penalty by the batch's rows and spares biases, where `l2` decays biases too"),
        ],
        BASE,
    );
}

#[test]
fn parameter_errors() {
    let base = format!("{BASE}parameters:\n");
    check(
        &[
            ("  lrr: {min: 0.1, max: 0.2}\n", "5:3: parameters.lrr: unknown parameter `lrr`: the trainer has no such knob; did you mean `lr`? knobs: lr, batch_size, epochs, optimizer, momentum, l2, hidden, depth, dropout, activation, layer_norm, channels, conv_layers, schedule, warmup_epochs, step_epochs, step_factor, clip_norm; a name that is not a knob must be tested by some `when:`"),
            ("  weight_decay: {min: 0.0, max: 0.01}\n", "5:3: parameters.weight_decay: unknown parameter `weight_decay`: the trainer calls this knob `l2` (weight decay: coupled (L2 in the gradient) for sgd and adam, decoupled for adamw); write `l2:`"),
            ("  Learning-Rate: {min: 0.001, max: 0.1}\n", "5:3: parameters.Learning-Rate: unknown parameter `Learning-Rate`: the trainer calls this knob `lr` (learning rate); write `lr:`"),
            ("  LR: {min: 0.001, max: 0.1}\n", "5:3: parameters.LR: unknown parameter `LR`: the trainer calls this knob `lr` (learning rate); write `lr:`"),
            ("  num_layers: {values: [1, 2]}\n  hidden_size: {values: [32]}\n", "5:3: parameters.num_layers: unknown parameter `num_layers`: the trainer calls this knob `depth` (number of hidden layers); write `depth:`\n6:3: parameters.hidden_size: unknown parameter `hidden_size`: the trainer calls this knob `hidden` (width of each hidden layer); write `hidden:`"),
            // Nothing is no value to write in `{value: ..}`.
            ("  hidden:\n", "5:3: parameters.hidden: expected a mapping such as `{values: [..]}` or `{min: .., max: ..}`, found nothing; to search it, give a list, `{values: [..]}`, or a range, `{min: .., max: ..}`, with values in place of the dots; to fix it, write such as `{value: 64}` (its default), or leave it out to keep the default"),
            ("  lr: ~\n", "5:7: parameters.lr: expected a mapping such as `{values: [..]}` or `{min: .., max: ..}`, found null `~`; to search it, give a list, `{values: [..]}`, or a range, `{min: .., max: ..}`, with values in place of the dots; to fix it, write such as `{value: 0.001}` (its default), or leave it out to keep the default"),
            ("  lr: 0.1\n", "5:7: parameters.lr: expected a mapping such as `{values: [..]}` or `{min: .., max: ..}`, found number `0.1`; a fixed value is written `{value: 0.1}`"),
            ("  optimizer:\n    parameters:\n      lr: {min: 0.1, max: 0.2}\n", "6:5: parameters.optimizer.parameters: nested parameters (W&B's dictionary of parameters under `optimizer`) are not read here: write each knob as an entry of the top-level `parameters:`, and give one that applies only with some values of another a `when:` (see \"Conditional parameters\" in experiments/README.md)"),
            ("  group: {parameters: {lr: {min: 0.1, max: 0.2}}}\n", "5:11: parameters.group.parameters: nested parameters (W&B's dictionary of parameters under `group`) are not read here: write each knob as an entry of the top-level `parameters:`, and give one that applies only with some values of another a `when:` (see \"Conditional parameters\" in experiments/README.md)"),
            ("  lr: {min: 0.5, max: 0.1}\n", "5:13: parameters.lr.min: min must be below max, found min 0.5 and max 0.1"),
            ("  lr: {min: 0.1, max: 0.1}\n", "5:13: parameters.lr.min: min must be below max, found min 0.1 and max 0.1; give one value as `{value: ...}`"),
            ("  depth: {min: 3, max: 1}\n", "5:16: parameters.depth.min: min must not exceed max, found min 3 and max 1"),
            ("  depth: {min: 1, max: 2.5}\n", "5:24: parameters.depth.max: expected an integer, found number `2.5`"),
            ("  depth: {min: 1, max: 20}\n", "5:24: parameters.depth.max: `depth` must be an integer from 0 to 16, found 20"),
            ("  hidden: {distribution: uniform, min: 8, max: 64}\n", "5:26: parameters.hidden.distribution: `hidden` is an integer knob and uniform draws real numbers; use int_uniform (integer `min` and `max`), `values`, or a q_ distribution such as q_uniform or q_log_uniform_values with a whole `q`"),
            ("  lr: {distribution: q_uniform, min: 0.001, max: 0.01, q: 1}\n", "5:59: parameters.lr.q: no multiple of q (1) lies between min (0.001) and max (0.01), so every draw would round to a value outside them; give a q no larger than max - min"),
            ("  lr: {distribution: q_log_uniform_values, min: 0.003, max: 0.01, q: 0.005}\n", "ok"),
            ("  lr: {distribution: q_log_uniform_values, min: 0.001, max: 0.01, q: 0.005}\n", "5:49: parameters.lr.min: q_log_uniform_values rounds each draw to a multiple of q (0.005), and 0.001 rounds to 0, which `lr` cannot take (`lr` must be in [1e-12, 10], found 0); move the bound so that the multiple of q nearest it is in range"),
            ("  hidden: {distribution: q_uniform, min: 1, max: 10, q: 4}\n", "5:42: parameters.hidden.min: q_uniform rounds each draw to a multiple of q (4), and 1 rounds to 0, which `hidden` cannot take (`hidden` must be an integer from 1 to 65536, found 0); move the bound so that the multiple of q nearest it is in range"),
            ("  hidden: {distribution: q_log_uniform_values, min: 1, max: 10, q: 4}\n", "5:53: parameters.hidden.min: q_log_uniform_values rounds each draw to a multiple of q (4), and 1 rounds to 0, which `hidden` cannot take (`hidden` must be an integer from 1 to 65536, found 0); move the bound so that the multiple of q nearest it is in range"),
            ("  dropout: {distribution: q_uniform, min: 0.5, max: 0.99, q: 0.2}\n", "5:53: parameters.dropout.max: q_uniform rounds each draw to a multiple of q (0.2), and 0.99 rounds to 1, which `dropout` cannot take (`dropout` must be in [0, 1), found 1); move the bound so that the multiple of q nearest it is in range"),
            ("  hidden: {distribution: q_uniform, min: 2, max: 10, q: 4}\n", "ok"),
            ("  optimiser: {values: [sgd, adam]}\n  momentum: {min: 0.1, max: 0.9, when: {optimiser: [sgd]}}\n", "5:3: parameters.optimiser: `optimiser` is not a knob of the trainer, so it would change nothing in training (a name that is not a knob only labels trials for `when:`); did you mean the knob `optimizer`?"),
            ("  optimiser: {values: [sgd, adam]}\n  momentum: {min: 0.1, max: 0.9, when: {optimizer: [sgd]}}\n", "5:3: parameters.optimiser: `optimiser` is not a knob of the trainer, so it would change nothing in training (a name that is not a knob only labels trials for `when:`); did you mean the knob `optimizer`?\n6:41: parameters.momentum.when.optimizer: `optimizer` is a knob, but not one of `parameters:`; `when:` tests a parameter searched there"),
            ("  dropout: {min: 0.0, max: 5.0e-324}\n", "5:18: parameters.dropout.min: min 0.0 and max 5.0e-324 are too close together to draw between; widen the range, or give one value as `{value: ...}`"),
            ("  lr: {distribution: log_uniform_values, min: 0.01, max: 0.010000000000000002}\n", "5:47: parameters.lr.min: min 0.01 and max 0.010000000000000002 are too close together to draw between on a log scale; widen the range, or give one value as `{value: ...}`"),
            ("  lr: {distribution: q_uniform, min: 0.001, max: 0.1, q: 1.0e-320}\n", "5:58: parameters.lr.q: q (1.0e-320) is finer than a number can tell apart between min and max: give a larger q, or the distribution without `q_`"),
            ("  lr: {distribution: q_uniform, min: 0.001, max: 0.1, q: 1.0e-12}\n", "ok"),
            ("  batch_size: {distribution: q_uniform, min: 16, max: 256, q: 0.5}\n", "5:63: parameters.batch_size.q: `batch_size` is an integer knob, so q must be a whole number, found 0.5"),
            ("  optimizer: {distribution: uniform, min: 0, max: 1}\n", "5:29: parameters.optimizer.distribution: `optimizer` takes one of sgd, adam, adamw, so it cannot use uniform; use `values` or `value`"),
            ("  optimizer: {values: [sgd, rmsprop]}\n", "5:29: parameters.optimizer.values[1]: `optimizer` must be one of sgd, adam, adamw, found `rmsprop`"),
            ("  optimizer: {values: [SGD, Adamw]}\n", "5:24: parameters.optimizer.values[0]: `optimizer` must be one of sgd, adam, adamw, found `SGD`; did you mean `sgd`?\n5:29: parameters.optimizer.values[1]: `optimizer` must be one of sgd, adam, adamw, found `Adamw`; did you mean `adamw`?"),
            ("  hidden: {values: []}\n", "5:20: parameters.hidden.values: expected at least one value, found `[]`"),
            ("  hidden: {values: [32, 64, 32.0]}\n", "5:29: parameters.hidden.values[2]: `32` is listed already as item 0; list each value once (give `probabilities:` to draw some more often)"),
            ("  hidden: {values: 32}\n", "5:20: parameters.hidden.values: expected a sequence such as `[1, 2]`, found integer `32`"),
            ("  hidden: {values: [[32]]}\n", "5:21: parameters.hidden.values[0]: expected a single value, found a sequence"),
            ("  hidden: {values: [32, 64], probabilities: [1.0]}\n", "5:45: parameters.hidden.probabilities: expected 2 probabilities, one per value, found 1"),
            ("  hidden: {values: [32, 64], probabilities: [0.5, 0.6]}\n", "5:45: parameters.hidden.probabilities: probabilities must sum to 1, found 1.1"),
            ("  hidden: {values: [32, 64], probabilities: [-0.5, 1.5]}\n", "5:46: parameters.hidden.probabilities[0]: a probability must not be negative, found -0.5"),
            ("  hidden: {value: 32, probabilities: [1.0]}\n", "5:23: parameters.hidden.probabilities: `probabilities` does not apply to constant; expected keys: distribution, value, when"),
            ("  lr: {min: 0.1, max: 0.2, q: 0.1}\n", "5:28: parameters.lr.q: `q` does not apply to uniform; to round draws to multiples of q, write `distribution: q_uniform`; expected keys: distribution, min, max, when"),
            ("  lr: {distribution: normal, mu: 0.1, sigma: 0, min: 0}\n", "5:46: parameters.lr.sigma: must be positive, found 0\n5:49: parameters.lr.min: `min` does not apply to normal; expected keys: distribution, mu, sigma, when"),
            ("  lr: {min: 0.1, max: 0.2, stepp: 1}\n", "5:28: parameters.lr.stepp: unknown key `stepp`; expected keys: distribution, min, max, when"),
            ("  lr: {vals: [0.1]}\n", "5:8: parameters.lr.vals: unknown key `vals`; did you mean `value`? expected keys: distribution, value, values, probabilities, min, max, q, mu, sigma, a, b, when"),
            ("  lr: {}\n", "5:7: parameters.lr: cannot tell how to draw `lr`: give `values`, `value`, `min` and `max`, or a `distribution`"),
            ("  lr: {value: 0.1, values: [0.1]}\n", "5:7: parameters.lr: give either `value` or `values`, not both"),
            ("  lr: {distribution: log_uniform_value, min: 0.1, max: 1}\n", "5:22: parameters.lr.distribution: unknown distribution `log_uniform_value`; did you mean `log_uniform_values`? expected one of constant, categorical, categorical_w_probabilities, uniform, int_uniform, q_uniform, log_uniform, log_uniform_values, q_log_uniform_values, normal, log_normal, q_log_uniform, inv_log_uniform, inv_log_uniform_values, q_normal, q_log_normal, beta, q_beta"),
            ("  lr: {distribution: q_betta}\n", "5:22: parameters.lr.distribution: unknown distribution `q_betta`; did you mean `q_beta`? expected one of constant, categorical, categorical_w_probabilities, uniform, int_uniform, q_uniform, log_uniform, log_uniform_values, q_log_uniform_values, normal, log_normal, q_log_uniform, inv_log_uniform, inv_log_uniform_values, q_normal, q_log_normal, beta, q_beta"),
            ("  optimizer: {distribution: categorical_w_probabilities, values: [sgd, adam]}\n", "5:14: parameters.optimizer.probabilities: missing required key `probabilities`"),
            ("  dropout: {distribution: beta, a: 0, b: -1}\n", "5:36: parameters.dropout.a: must be positive, found 0\n5:42: parameters.dropout.b: must be positive, found -1"),
            ("  dropout: {distribution: beta, a: 2, q: 0.1}\n", "5:39: parameters.dropout.q: `q` does not apply to beta; to round draws to multiples of q, write `distribution: q_beta`; expected keys: distribution, a, b, when"),
            ("  dropout: {distribution: q_beta, a: 2, q: 0}\n", "5:44: parameters.dropout.q: must be positive, found 0"),
            ("  depth: {distribution: q_normal, mu: 2, q: 0.5}\n", "5:45: parameters.depth.q: `depth` is an integer knob, so q must be a whole number, found 0.5"),
            ("  depth: {distribution: normal, mu: 2}\n", "5:25: parameters.depth.distribution: `depth` is an integer knob and normal draws real numbers; use int_uniform (integer `min` and `max`), `values`, or a q_ distribution such as q_uniform or q_log_uniform_values with a whole `q`"),
            ("  lr: {distribution: q_log_normal, sigma: 0}\n", "5:43: parameters.lr.sigma: must be positive, found 0"),
            ("  lr: {distribution: inv_log_uniform, min: -3, max: 9}\n", "5:44: parameters.lr.min: inv_log_uniform takes bounds on log(1/x), and e^3 is out of range: `lr` must be in [1e-12, 10], found 20.0855"),
            ("  lr: {distribution: inv_log_uniform_values, min: 0, max: 0.1}\n", "5:51: parameters.lr.min: inv_log_uniform_values needs positive bounds, found 0"),
            ("  batch_size: {distribution: q_log_uniform, min: 0.5, max: 9, q: 8}\n", "5:50: parameters.batch_size.min: q_log_uniform takes natural-log bounds, and e^0.5 (about 1.6487, which rounds to 0, a multiple of q) is out of range: `batch_size` must be an integer from 1 to 1048576, found 0; to bound the values themselves, write `distribution: q_log_uniform_values`"),
            ("  l2: {distribution: log_uniform_values, min: 0, max: 0.1}\n", "5:47: parameters.l2.min: log_uniform_values needs positive bounds, found 0"),
            ("  lr: {distribution: log_uniform, min: -10, max: 3}\n", "5:50: parameters.lr.max: log_uniform takes natural-log bounds, and e^3 is out of range: `lr` must be in [1e-12, 10], found 20.0855; to bound the values themselves, write `distribution: log_uniform_values`"),
            ("  lr: {distribution: q_uniform, min: 0.1, max: 1, q: 0}\n", "5:54: parameters.lr.q: must be positive, found 0"),
            ("  lr: {min: .inf, max: 1.0}\n", "5:13: parameters.lr.min: expected a finite number, found number `.inf`"),
            ("  lr: {min: 0, max: 0.1}\n", "5:13: parameters.lr.min: `lr` must be in [1e-12, 10], found 0"),
            ("  lr: {min: 0.1}\n", "5:7: parameters.lr.max: missing required key `max`"),
            ("  dropout: {value: 1.0}\n", "5:20: parameters.dropout.value: `dropout` must be in [0, 1), found 1"),
            ("  hidden: {value: \"32\"}\n", "5:19: parameters.hidden.value: expected an integer for `hidden`, found string `32`"),
            ("  lr: {values: [0.1]}\n  lr: {values: [0.2]}\n", "6:3: parameters.lr: duplicate key `lr`; it is first written on line 5"),
            ("  lr: {values: [0.1], values: [0.2]}\n", "5:23: parameters.lr.values: duplicate key `values`; it is first written at column 8 of this line"),
            ("  hidden: {values: [32, 64, 128], probabilities: [0.333, 0.333, 0.333]}\n", "5:50: parameters.hidden.probabilities: probabilities must sum to 1, found 0.999"),
        ],
        &base,
    );
}

#[test]
fn grid_errors() {
    let base = format!("{BASE}method: grid\nparameters:\n");
    check(
        &[
            ("  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}\n", "6:7: parameters.lr: parameter `lr` is continuous (log_uniform_values); a grid needs `values`, `value`, int_uniform or q_uniform"),
            ("  hidden: {values: [32, 64]}\n  dropout:\n    min: 0.0\n    max: 0.5\n", "8:5: parameters.dropout: parameter `dropout` is continuous (uniform); a grid needs `values`, `value`, int_uniform or q_uniform"),
            ("  hidden: {values: [32, 64]}\n  depth: {min: 1, max: 3}\n", "ok"),
            ("  hidden: {values: [32, 64]}\nsampler: {shuffle: true}\n", "ok"),
            ("  hidden: {values: [32, 64]}\nsampler: {shuffle: 1}\n", "7:20: sampler.shuffle: expected true or false, found integer `1`"),
            ("  hidden: {values: [32, 64]}\nsampler: {scramble: true}\n", "7:11: sampler.scramble: `scramble` is a setting of `sobol`, not of `grid`; expected keys: shuffle"),
        ],
        &base,
    );
}

#[test]
fn errors_come_in_file_order() {
    let text = "\
parameters:
  lrr: {min: 1, max: 2}
name: bad name
metric: {name: nope}
seed: x
";
    let want = "\
1:1: data: missing required key `data`
2:3: parameters.lrr: unknown parameter `lrr`: the trainer has no such knob; did you mean `lr`? knobs: lr, batch_size, epochs, optimizer, momentum, l2, hidden, depth, dropout, activation, layer_norm, channels, conv_layers, schedule, warmup_epochs, step_epochs, step_factor, clip_norm; a name that is not a knob must be tested by some `when:`
3:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `bad name`
4:16: metric.name: unknown metric `nope`; expected one of train_loss, val_loss, val_accuracy, val_f1, val_roc_auc, val_rmse, val_mae, val_r2, param_count, epoch_seconds
5:7: seed: expected an integer, found string `x`";
    assert_eq!(render(text), want);
}

#[test]
fn a_name_is_of_ascii_letters_and_one_outside_ascii_is_named() {
    let rest = "metric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n";
    for (name, want) in [
        ("expérience-ü", "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `expérience-ü`; `é` is not ASCII"),
        ("über", "1:7: name: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `über`; `ü` is not ASCII"),
        ("exp-2.b_c", "ok"),
    ] {
        assert_eq!(render(&format!("name: {name}\n{rest}")), want, "{name}");
    }
}

#[test]
fn condition_errors() {
    let base = format!("{BASE}parameters:\n  regularization: {{values: [none, dropout, l2]}}\n");
    check(
        &[
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: [dropout]}}\n", "ok"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: dropout}}\n", "ok"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularisation: [dropout]}}\n", "6:40: parameters.dropout.when.regularisation: unknown parameter `regularisation` in `when:`; did you mean `regularization`? searched parameters: regularization"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: [dropuot]}}\n", "6:57: parameters.dropout.when.regularization[0]: `dropuot` is not one of the values of `regularization`: none, dropout, l2"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: l1}}\n", "6:56: parameters.dropout.when.regularization: `l1` is not one of the values of `regularization`: none, dropout, l2"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: [l2, 3]}}\n", "6:61: parameters.dropout.when.regularization[1]: `3` is not one of the values of `regularization`: none, dropout, l2"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: []}}\n", "6:56: parameters.dropout.when.regularization: expected at least one value, found `[]`"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: {a: 1}}}\n", "6:56: parameters.dropout.when.regularization: expected a sequence such as `[1, 2]`, found a mapping"),
            ("  dropout: {min: 0.1, max: 0.5, when: {regularization: [dropout]}}\n  l2: {values: [0.1], when: {regularization: [l2], dropout: [0.1]}}\n", "7:52: parameters.l2.when.dropout: `dropout` is not categorical (uniform); `when:` can only test a parameter with `values: [..]`"),
        ],
        &base,
    );
    let base = format!("{BASE}parameters:\n");
    check(
        &[
            ("  dropout: {min: 0.1, max: 0.5, when: {}}\n", "5:39: parameters.dropout.when: expected at least one `parameter: [values]`, found `{}`"),
            ("  dropout: {min: 0.1, max: 0.5, when: [optimizer]}\n", "5:39: parameters.dropout.when: expected a mapping, found a sequence"),
            ("  lr: {min: 0.1, max: 0.5}\n  dropout: {min: 0.1, max: 0.5, when: {lr: [0.1]}}\n", "6:40: parameters.dropout.when.lr: `lr` is not categorical (uniform); `when:` can only test a parameter with `values: [..]`"),
            ("  dropout: {min: 0.1, max: 0.5, when: {dropout: [0.1]}}\n", "5:40: parameters.dropout.when.dropout: `dropout` cannot depend on itself"),
            ("  dropout: {min: 0.1, max: 0.5, when: {nope: [a]}}\n", "5:40: parameters.dropout.when.nope: unknown parameter `nope` in `when:`; no other parameter is searched"),
            ("  optimizer: {values: [sgd, adam], when: {activation: [relu]}}\n  activation: {values: [relu, tanh], when: {optimizer: [sgd]}}\n", "5:43: parameters.optimizer.when: conditions form a cycle: optimizer -> activation -> optimizer; a parameter cannot depend on itself"),
            ("  hidden: {values: [32.0, 64]}\n  depth: {values: [1, 2], when: {hidden: [32]}}\n", "ok"),
            ("  depth: {values: [1, 2]}\n  hidden: {values: [16], when: {depth: [\"1\"]}}\n", "6:41: parameters.hidden.when.depth[0]: \"1\" is quoted, so it is text, and `depth` takes 1 itself (one of 1, 2): write it without quotes"),
            // Conditions that can never all hold: `activation` exists only with `sgd`, and
            // `dropout` needs it and `adam` at once.
            ("  optimizer: {values: [sgd, adam]}\n  activation: {values: [relu, tanh], when: {optimizer: [sgd]}}\n  dropout: {min: 0.1, max: 0.5, when: {activation: [relu], optimizer: [adam]}}\n", "7:3: parameters.dropout.when: `dropout` exists in no trial: for it, `optimizer` must be one of [adam] (its own `when:`) and one of [sgd] (`activation`'s `when:`), which share no value"),
            ("  optimizer: {values: [sgd, adam]}\n  activation: {values: [relu, tanh], when: {optimizer: [sgd, adam]}}\n  dropout: {min: 0.1, max: 0.5, when: {activation: [relu], optimizer: [adam]}}\n", "ok"),
            ("  optimizer: {values: [sgd, adam]}\n  momentum: {values: [0.0, 0.9], when: {optimizer: [sgd]}}\n", "ok"),
        ],
        &base,
    );
    check(
        &[
            ("train: {lr: 0.1}\nparameters:\n  dropout: {min: 0.1, max: 0.5, when: {lr: [0.1]}}\n", "6:40: parameters.dropout.when.lr: `lr` is fixed in `train:` on line 4; `when:` can only test searched parameters"),
            ("parameters:\n  regularization: {values: [none, l2]}\n", "5:3: parameters.regularization: unknown parameter `regularization`: the trainer has no such knob; knobs: lr, batch_size, epochs, optimizer, momentum, l2, hidden, depth, dropout, activation, layer_norm, channels, conv_layers, schedule, warmup_epochs, step_epochs, step_factor, clip_norm; a name that is not a knob must be tested by some `when:`"),
            ("parameters:\n  variant: {min: 1, max: 2}\n  l2: {values: [0.1], when: {variant: [1]}}\n", "5:13: parameters.variant.min: `variant` is not a knob, so it can only be a categorical of names that `when:` tests; give `values: [..]`\n5:21: parameters.variant.max: `variant` is not a knob, so it can only be a categorical of names that `when:` tests; give `values: [..]`"),
            ("parameters:\n  variant: {values: [a, 2]}\n  l2: {values: [0.1], when: {variant: [a]}}\n", "5:25: parameters.variant.values[1]: expected a name for `variant`, found integer `2`"),
            ("parameters:\n  variant: {values: [a], foo: 1}\n  l2: {values: [0.1], when: {variant: [a]}}\n", "5:26: parameters.variant.foo: unknown key `foo`; expected keys: distribution, values, probabilities, when"),
            ("parameters:\n  variant: {values: [a, b], probabilities: [0.5, 0.5]}\n  l2: {values: [0.1], when: {variant: [a]}}\n", "ok"),
            ("parameters:\n  variant: {values: [a, b, a]}\n  l2: {values: [0.1], when: {variant: [a]}}\n", "5:28: parameters.variant.values[2]: `a` is listed already as item 0; list each value once (give `probabilities:` to draw some more often)"),
            ("parameters:\n  width: {values: [narrow, wide]}\n  hidden: {values: [16], when: {width: [narrow]}}\n", "ok"),
        ],
        BASE,
    );
}
#[test]
fn sampler_errors() {
    check(
        &[
            ("method: tpe\nsampler: {n_startup_trials: 5, n_ei_candidates: 48, multivariate: false}\n", "ok"),
            ("method: tpe\nsampler:\n", "ok"),
            ("method: sobol\nsampler: {scramble: false}\n", "ok"),
            ("method: bayes\nsampler: {n_startup_trials: 0, n_candidates: 256, n_local_search: 0, constant_liar: false}\n", "ok"),
            ("method: random\nsampler: {n_startup_trials: 5}\n", "5:10: sampler: method `random` has no settings; `sampler:` applies to grid, sobol, tpe, bayes, cmaes, nsga2 and nsga3"),
            ("sampler: {n_startup_trials: 5}\n", "4:10: sampler: method `random` has no settings; `sampler:` applies to grid, sobol, tpe, bayes, cmaes, nsga2 and nsga3"),
            ("method: tpe\nsampler: {n_startup: 5}\n", "5:11: sampler.n_startup: unknown key `n_startup`; did you mean `n_startup_trials`? expected keys: n_startup_trials, n_ei_candidates, multivariate, constant_liar, gamma, prior_weight, magic_clip"),
            ("method: tpe\nsampler: {gamma: 0, prior_weight: -1, n_ei_candidates: 0, multivariate: yes}\n", "5:18: sampler.gamma: must be in (0, 1], found 0\n5:35: sampler.prior_weight: must be positive, found -1\n5:56: sampler.n_ei_candidates: must be an integer from 1 to 1000000, found 0\n5:73: sampler.multivariate: expected true or false, found string `yes`"),
            // Counts that size what a suggestion holds in memory have a ceiling.
            ("method: bayes\nsampler: {n_candidates: 1000000000, n_local_search: 100001}\n", "5:25: sampler.n_candidates: must be an integer from 1 to 1000000, found 1000000000\n5:53: sampler.n_local_search: must be an integer from 0 to 100000, found 100001"),
            ("method: cmaes\nsampler: {popsize: 4294967295}\n", "5:20: sampler.popsize: must be an integer from 2 to 100000, found 4294967295"),
            ("method: bayes\nsampler: {n_ei_candidates: 5}\n", "5:11: sampler.n_ei_candidates: `n_ei_candidates` is a setting of `tpe`, not of `bayes`; expected keys: n_startup_trials, n_candidates, n_local_search, constant_liar, acquisition, kappa, greedy_tail"),
            ("method: bayes\nsampler: {acquisition: ucb, kappa: 2.5}\n", "ok"),
            ("method: bayes\nsampler: {acquisition: log_ei}\n", "ok"),
            ("method: bayes\nsampler: {acquisition: ei}\n", "5:24: sampler.acquisition: unknown acquisition `ei`; expected improvement is `log_ei` here (its logarithm, which does not vanish far from the best, as Optuna's GPSampler computes it); expected one of log_ei, ucb"),
            ("method: bayes\nsampler: {acquisition: LCB}\n", "5:24: sampler.acquisition: unknown acquisition `LCB`; a lower confidence bound is `ucb` here, whichever way the metric goes; expected one of log_ei, ucb"),
            ("method: bayes\nsampler: {acquisition: pi}\n", "5:24: sampler.acquisition: unknown acquisition `pi`; expected one of log_ei, ucb"),
            // Other tools' names for a sampler's settings.
            ("method: bayes\nsampler: {n_initial_points: 5, acq_func: EI}\n", "5:11: sampler.n_initial_points: `n_initial_points` is scikit-optimize's name for `n_startup_trials`; expected keys: n_startup_trials, n_candidates, n_local_search, constant_liar, acquisition, kappa, greedy_tail\n5:32: sampler.acq_func: `acq_func` is scikit-optimize's name for `acquisition`; expected keys: n_startup_trials, n_candidates, n_local_search, constant_liar, acquisition, kappa, greedy_tail"),
            ("method: tpe\nsampler: {seed: 3}\n", "5:11: sampler.seed: `seed` is set by the experiment's `seed:` (at the top of the file), which seeds every sampler; expected keys: n_startup_trials, n_ei_candidates, multivariate, constant_liar, gamma, prior_weight, magic_clip"),
            ("method: sobol\nsampler: {n_initial_points: 5}\n", "5:11: sampler.n_initial_points: unknown key `n_initial_points`; expected keys: scramble"),
            ("method: hyperopt\n", "4:9: method: unknown method `hyperopt`; that sampler is `tpe` here; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: bayes\nsampler: {acquisition: ucb, kappa: 0}\n", "5:36: sampler.kappa: must be positive, found 0"),
            ("method: bayes\nsampler: {kappa: 2}\n", "5:18: sampler.kappa: applies only with `acquisition: ucb`"),
            ("method: bayes\nsampler: {acquisition: log_ei, kappa: 2}\n", "5:39: sampler.kappa: applies only with `acquisition: ucb`"),
            ("method: bayes\nsampler: {greedy_tail: 1.5}\n", "5:24: sampler.greedy_tail: must be in [0, 1], found 1.5"),
            ("method: bayes\nsampler: {greedy_tail: -0.1}\n", "5:24: sampler.greedy_tail: must be in [0, 1], found -0.1"),
            ("method: bayes\nsampler: {acquisition: ucb, greedy_tail: 0.5}\n", "5:42: sampler.greedy_tail: applies only with `acquisition: log_ei`"),
            ("method: bayes\nsampler: {greedy_tail: lots, kappa: 2}\n", "5:24: sampler.greedy_tail: expected a number, found string `lots`\n5:37: sampler.kappa: applies only with `acquisition: ucb`"),
            ("method: sobol\nsampler: {scramble: 1}\n", "5:21: sampler.scramble: expected true or false, found integer `1`"),
            ("method: sobol\nsampler: [1]\n", "5:10: sampler: expected a mapping, found a sequence"),
            ("method: NSGAIISampler\n", "4:9: method: unknown method `NSGAIISampler`; that sampler is `nsga2` here; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: GP\n", "4:9: method: unknown method `GP`; that sampler is `bayes` here; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: QMC\n", "4:9: method: unknown method `QMC`; that sampler is `sobol` here; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: xyzzy\nsampler: {scramble: 1}\n", "4:9: method: unknown method `xyzzy`; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: cmaes\nsampler: {popsize: 12, sigma0: 0.3, n_startup_trials: 2}\n", "ok"),
            ("method: cmaes\nsampler: {popsize: 1, sigma0: 0}\n", "5:20: sampler.popsize: must be an integer from 2 to 100000, found 1\n5:31: sampler.sigma0: must be positive, found 0"),
            ("method: cmaes\nsampler: {sigma: 0.2}\n", "5:11: sampler.sigma: unknown key `sigma`; did you mean `sigma0`? expected keys: n_startup_trials, popsize, sigma0, independent_sampler, restart_strategy, with_margin, lr_adapt, use_separable_cma"),
            ("method: cmaes\nsampler: {restart_strategy: bipp}\n", "5:29: sampler.restart_strategy: unknown restart strategy `bipp`; did you mean `bipop`? expected one of ipop, bipop, none"),
            ("method: cmaes\nsampler: {independent_sampler: gp}\n", "5:32: sampler.independent_sampler: unknown independent sampler `gp`; expected one of tpe, random"),
            ("method: nsga2\nsampler: {population_size: 1, mutation_prob: 1.5, crossover_prob: -0.1}\n", "5:28: sampler.population_size: must be an integer from 2 to 100000, found 1\n5:46: sampler.mutation_prob: must be in [0, 1], found 1.5\n5:67: sampler.crossover_prob: must be in [0, 1], found -0.1"),
            ("method: nsga2\nsampler: {sbx_eta: 10}\n", "5:20: sampler.sbx_eta: applies only with `crossover: sbx`"),
            ("method: nsga2\nsampler: {crossover: blend, sbx_eta: 0}\n", "5:22: sampler.crossover: unknown crossover `blend`; expected one of uniform, sbx, blx"),
            ("method: nsga2\nsampler: {crossover: blx, sbx_eta: 0}\n", "5:36: sampler.sbx_eta: applies only with `crossover: sbx`"),
            ("method: nsga2\nsampler: {crossover: sbx, blx_alpha: 0.3}\n", "5:38: sampler.blx_alpha: applies only with `crossover: blx`"),
            ("method: nsga2\nsampler: {crossover: blx, blx_alpha: -0.5}\n", "5:38: sampler.blx_alpha: must be at least 0, found -0.5"),
            ("method: nsga2\nsampler: {crossover: sbx, sbx_eta: 0}\n", "5:36: sampler.sbx_eta: must be positive, found 0"),
            ("method: NSGAIIISampler\n", "4:9: method: unknown method `NSGAIIISampler`; that sampler is `nsga3` here; expected one of grid, random, sobol, tpe, bayes, cmaes, nsga2, nsga3"),
            ("method: nsga3\nsampler: {dividing_parameter: 0, population_size: 1}\n", "5:31: sampler.dividing_parameter: must be an integer of at least 1, found 0\n5:51: sampler.population_size: must be an integer from 2 to 100000, found 1"),
            ("method: nsga2\nsampler: {dividing_parameter: 4}\n", "5:11: sampler.dividing_parameter: `dividing_parameter` is a setting of `nsga3`, not of `nsga2`; expected keys: population_size, mutation_prob, crossover_prob, crossover, sbx_eta, blx_alpha, swapping_prob"),
            ("method: nsga2\nsampler: {popsize: 20}\n", "5:11: sampler.popsize: `popsize` is a setting of `cmaes`, not of `nsga2`; expected keys: population_size, mutation_prob, crossover_prob, crossover, sbx_eta, blx_alpha, swapping_prob"),
            ("method: nsga2\nsampler: {n_startup_trials: 5}\n", "5:11: sampler.n_startup_trials: `n_startup_trials` is a setting of `tpe`, `bayes` and `cmaes`, not of `nsga2`; expected keys: population_size, mutation_prob, crossover_prob, crossover, sbx_eta, blx_alpha, swapping_prob"),
            ("method: tpe\nsampler: {crossover: blx}\n", "5:11: sampler.crossover: `crossover` is a setting of `nsga2` and `nsga3`, not of `tpe`; expected keys: n_startup_trials, n_ei_candidates, multivariate, constant_liar, gamma, prior_weight, magic_clip"),
        ],
        BASE,
    );
}

#[test]
fn warm_start_errors() {
    check(
        &[
            ("method: tpe\nwarm_start: {experiment: old}\n", "ok"),
            ("method: bayes\nwarm_start: {experiment: old, trials: 30}\n", "ok"),
            ("warm_start: {experiment: old}\n", "4:13: warm_start: `random` does not learn from earlier trials; warm-start a `tpe` or `bayes` search"),
            ("method: tpe\nwarm_start: {experiment: t}\n", "5:26: warm_start.experiment: `t` is this experiment; `sweep run FILE --extend N` adds trials to it"),
            ("method: tpe\nwarm_start: {trials: 0}\n", "5:13: warm_start: missing `experiment` (another experiment of the store) or `csv` (a file of results)\n5:22: warm_start.trials: must be an integer of at least 1, found 0"),
            ("method: tpe\nwarm_start: {csv: past.csv, trials: 20}\n", "ok"),
            ("method: tpe\nwarm_start: {experiment: old, csv: past.csv}\n", "5:36: warm_start.csv: give either `experiment` (another experiment of the store) or `csv` (a file of results), not both"),
            ("method: tpe\nwarm_start: {csv: ''}\n", "5:19: warm_start.csv: expected text, found an empty string"),
            ("method: tpe\ngate: {baseline: b.json, metrics: {val_loss: {max_regression_abs: 1}}}\nwarm_start: {csv: past.csv}\n", "ok"),
            ("method: tpe\nwarm_start: {experiment: a b, from: x}\n", "5:26: warm_start.experiment: must be 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit, found `a b`\n5:31: warm_start.from: unknown key `from`; expected keys: experiment, csv, trials"),
            ("method: tpe\nwarm_start: old\n", "5:13: warm_start: expected a mapping: `{csv: old}` for a file of results, or `{experiment: old}` for another experiment of the store"),
            ("method: tpe\nwarm_start: past.csv\n", "5:13: warm_start: expected a mapping: `{csv: past.csv}` for a file of results"),
            ("method: tpe\nwarm_start: runs/past\n", "5:13: warm_start: expected a mapping: `{csv: runs/past}` for a file of results"),
            ("method: tpe\nwarm_start: 3\n", "5:13: warm_start: expected a mapping, found integer `3`"),
            ("method: tpe\ngate: {baseline: b.json, metrics: {val_loss: {max_regression_abs: 1}}}\nwarm_start: {experiment: old}\n", "6:13: warm_start: `sweep gate` runs the experiment in stores of its own, which hold no other experiment to learn from; a gated file cannot warm-start from one (a `csv:` of results can)"),
        ],
        BASE,
    );
    let several = "name: t\nmethod: tpe\nmetric: [{name: val_loss}, {name: param_count}]\n\
                   data: {csv: d.csv, target: y}\nwarm_start: {experiment: old}\n";
    check(
        &[(
            "",
            "5:13: warm_start: a warm start takes trials of one objective; this file has several",
        )],
        several,
    );
}

#[test]
fn a_scalar_in_place_of_a_block_says_how_the_block_is_written() {
    check(
        &[
            ("method: tpe\npruner: asha\n", "5:9: pruner: expected a mapping, found string `asha`; a rule is written `{type: asha}`, with its settings beside `type`"),
            // Another tool's class name: the type it is here, as `type: MedianPruner` is told.
            ("method: tpe\npruner: MedianPruner\n", "5:9: pruner: expected a mapping, found string `MedianPruner`; a rule is written `{type: median}` (`MedianPruner` is Optuna's name for `median`), with its settings beside `type`"),
            ("method: tpe\npruner: ASHAScheduler\n", "5:9: pruner: expected a mapping, found string `ASHAScheduler`; a rule is written `{type: asha}` (`ASHAScheduler` is Ray Tune's name for `asha`), with its settings beside `type`"),
            ("sampler: tpe\n", "4:10: sampler: expected a mapping, found string `tpe`; the sampler is chosen with `method: tpe`; `sampler:` holds its settings, such as `{n_startup_trials: 10}`"),
            ("model: cnn\n", "4:8: model: expected a mapping, found string `cnn`; a model is written `{kind: cnn}`, with its knobs beside `kind`"),
            ("model: MLP\n", "4:8: model: expected a mapping, found string `MLP`; a model is written `{kind: mlp}`, with its knobs beside `kind`"),
            ("train: {early_stopping: 5}\n", "4:25: train.early_stopping: expected a mapping, found integer `5`; it is written such as `{metric: val_loss, patience: 5}`"),
            ("parameters:\n  hidden: [32, 64]\n", "5:11: parameters.hidden: expected a mapping such as `{values: [..]}` or `{min: .., max: ..}`, found a sequence; a list to choose from is written `{values: [..]}`"),
        ],
        BASE,
    );
}

#[test]
fn optunas_words_for_a_parameter_say_how_they_are_written_here() {
    check(
        &[(
            "parameters:\n  lr: {low: 1.0e-4, high: 0.1, log: true}\n  hidden: {choices: [32, 64]}\n",
            "5:8: parameters.lr.low: `low` is Optuna's word; here the lower bound is `min:`\n\
             5:21: parameters.lr.high: `high` is Optuna's word; here the upper bound is `max:`\n\
             5:32: parameters.lr.log: `log` is Optuna's word; here a log scale is `distribution: log_uniform_values`, with `min` and `max` the values\n\
             6:12: parameters.hidden.choices: `choices` is Optuna's word; here a list to choose from is `values: [..]`",
        ), (
            // `suggest_int(..., log=True)`: the log scale that draws integers.
            "parameters:\n  hidden: {min: 16, max: 128, log: true}\n",
            "5:31: parameters.hidden.log: `log` is Optuna's word; for an integer knob a log scale is `distribution: q_log_uniform_values` with `q: 1`, and `min` and `max` the values",
        )],
        BASE,
    );
}

#[test]
fn other_tools_words_for_the_data_say_what_they_are_here() {
    check(
        &[(
            "",
            "3:7: data.target: missing required key `target`\n\
             3:20: data.label: `label` is not a key here: the column to predict is `target:`",
        )],
        "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, label: y}\n",
    );
}

#[test]
fn a_file_mostly_wrong_gets_its_first_problems_and_the_knobs_once() {
    let params: String = (0..40)
        .map(|i| format!("  foo{i}: {{values: [1, 2]}}\n"))
        .collect();
    let text = format!("{BASE}parameters:\n{params}");
    let errors = render(&text);
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 25, "{errors}");
    assert!(lines[0].contains("knobs: lr, batch_size"), "{}", lines[0]);
    assert!(
        lines[1].contains("no such knob; the knobs are listed above;"),
        "{}",
        lines[1]
    );
    assert!(
        lines[24].ends_with("(and 15 more problems after this one)"),
        "{}",
        lines[24]
    );
}

/// The goal a file asks for with Optuna's `direction:` or `directions:` is the one its
/// `metric:` line suggests too, so the two lines of one file never say different goals.
#[test]
fn a_bare_metric_is_said_with_the_goal_the_file_asks_for() {
    let base = "name: t\ndata: {csv: d.csv, target: y}\n";
    check(
        &[
            ("metric: val_loss\ndirection: maximize\n", "3:9: metric: expected a mapping, found string `val_loss`; the objective is written `{name: val_loss, goal: maximize}`\n4:1: direction: `direction` is Optuna's; here the goal is the metric's: delete `direction:` and write `metric: {name: val_loss, goal: maximize}` (with several objectives, a list of them)"),
            ("metric: val_f1\ndirections: [minimize]\n", "3:9: metric: expected a mapping, found string `val_f1`; the objective is written `{name: val_f1, goal: minimize}`\n4:1: directions: `directions` is Optuna's; `directions:` writes one direction and `metric:` names one objective, whose goal is in it: delete `directions:` and write `metric: {name: val_f1, goal: minimize}` (with several objectives, a list of at least two, each with its goal)"),
            // Written without brackets, `directions:` still writes one direction.
            ("metric: val_f1\ndirections: minimize\n", "3:9: metric: expected a mapping, found string `val_f1`; the objective is written `{name: val_f1, goal: minimize}`\n4:1: directions: `directions` is Optuna's; `directions:` writes one direction and `metric:` names one objective, whose goal is in it: delete `directions:` and write `metric: {name: val_f1, goal: minimize}` (with several objectives, a list of at least two, each with its goal)"),
            ("metric: val_f1\ndirections: [minimize, maximize]\n", "3:9: metric: expected a mapping, found string `val_f1`; the objective is written `{name: val_f1, goal: minimize}`\n4:1: directions: `directions` is Optuna's; `directions:` writes 2 directions but `metric:` names one objective, whose goal is in it: delete `directions:` and write `metric: {name: val_f1, goal: minimize}` (with several objectives, a list of at least two, each with its goal)"),
            // Without Optuna's words, the metric's own goal; an unknown one, either.
            ("metric: val_f1\n", "3:9: metric: expected a mapping, found string `val_f1`; the objective is written `{name: val_f1, goal: maximize}`"),
            ("metric: loss\n", "3:9: metric: expected a mapping, found string `loss`; the objective is written `{name: loss, goal: maximize` or `minimize}`"),
        ],
        base,
    );
}

/// `directions:` beside a list of another length names both lengths and what is left over,
/// rather than pairing the two in order as far as they go without a word.
#[test]
fn optuna_directions_of_another_length_than_the_objectives_say_both_lengths() {
    let base = "name: t\ndata: {csv: d.csv, target: y}\n";
    check(
        &[
            ("metric: [val_f1, param_count]\ndirections: [minimize]\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_f1, goal: minimize}, {name: param_count, goal: minimize}]`\n4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal; `directions:` writes one direction but `metric:` names 2 objectives, paired in order: delete `directions:` and write `metric: [{name: val_f1, goal: minimize}, {name: param_count, goal: minimize}]`; no direction is written for `param_count`, shown with the goal its entry sets, else its metric's own: keep in each entry the goal you mean"),
            ("metric: [val_f1, param_count]\ndirections: [maximize, minimize, minimize]\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}]`\n4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal; `directions:` writes 3 directions but `metric:` names 2 objectives, paired in order: delete `directions:` and write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}]`; the last direction, minimize, names no objective: add one to `metric:` for it, with its goal, or leave it out"),
            ("metric:\n  - {name: val_f1}\n  - {name: param_count}\ndirections: [maximize, minimize, minimize, maximize]\n", "6:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal; `directions:` writes 4 directions but `metric:` names 2 objectives, paired in order: delete `directions:` and write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}]`; the last 2 directions, minimize, maximize, name no objective: add one to `metric:` for each, with its goal, or leave them out"),
            // Optuna's two directions beside three objectives, which set their goals or not.
            ("metric: [{name: val_f1}, {name: param_count}, {name: val_loss, goal: maximize}]\ndirections: [minimize, maximize]\n", "4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal; `directions:` writes 2 directions but `metric:` names 3 objectives, paired in order: delete `directions:` and write `metric: [{name: val_f1, goal: minimize}, {name: param_count, goal: maximize}, {name: val_loss, goal: maximize}]`; no direction is written for `val_loss`, shown with the goal its entry sets, else its metric's own: keep in each entry the goal you mean"),
            ("metric: [val_f1, param_count, val_loss, train_loss]\ndirections: [maximize, minimize]\n", "3:9: metric: expected a list of objectives, each a mapping with its goal, found a list of names; write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}, {name: val_loss, goal: minimize}, {name: train_loss, goal: minimize}]`\n4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal; `directions:` writes 2 directions but `metric:` names 4 objectives, paired in order: delete `directions:` and write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}, {name: val_loss, goal: minimize}, {name: train_loss, goal: minimize}]`; no direction is written for `val_loss`, `train_loss`, shown with the goal its entry sets, else its metric's own: keep in each entry the goal you mean"),
            // As many as the objectives: no word on lengths.
            ("metric: [{name: val_f1}, {name: param_count}]\ndirections: [maximize, minimize]\n", "4:1: directions: `directions` is Optuna's; here several objectives are a list in `metric:`, each with its goal: delete `directions:` and write `metric: [{name: val_f1, goal: maximize}, {name: param_count, goal: minimize}]`"),
        ],
        base,
    );
    check_suggestions_parse(
        &[
            "metric: [val_f1, param_count]\ndirections: [minimize]\n",
            "metric: [val_f1, param_count]\ndirections: [maximize, minimize, minimize]\n",
            "metric: [{name: val_f1}, {name: param_count}, {name: val_loss, goal: maximize}]\ndirections: [minimize, maximize]\n",
            "metric: val_loss\ndirection: maximize\n",
            "metric: val_f1\ndirections: minimize\n",
            "metric: [val_f1, param_count]\ndirection: minimize\n",
        ],
        base,
    );
}
