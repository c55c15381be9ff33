//! `dashboard` never writes to the store: its shipped code calls none of `store::Store`'s
//! writing methods.
//!
//! The design: the `pub fn`s of every `impl Store { .. }` block in `store`'s shipped code are
//! read from its source, and each must be classified here as a reader or a writer (`STORE_API`);
//! a method the table lacks fails tidy, and so does a row for a method that is gone. A hand list
//! is the only sound way: every method takes `&self` (sled writes through shared references),
//! so the signature says nothing, and a doc comment's wording is not a contract. The list cannot
//! rot, though, since store cannot gain a method without tidy asking which it is.
//!
//! The dashboard's shipped code may then name no writer as a method call (`.put_trial(`) or as
//! a path (`Store::open`, `Store::put_trial(&s, ..)`). Opening a store is a writer too (sled
//! recovers, `open` creates): the dashboard is handed its store by `cli`. A method call is read
//! by name, not by type (tidy has no types): a writer's name called on another type in the
//! dashboard is reported too, and is best renamed.

use std::collections::BTreeMap;

use super::line_of;
use super::tokens::{closing, tokens, Kind, Token};
use super::workspace::{workspace, workspace_of, Workspace};

/// What a method of `Store` does to the store.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// It only reads.
    Reads,
    /// It writes, deletes, opens or creates.
    Writes,
}

use Access::{Reads, Writes};

/// Each `pub fn` of `store::Store`, classified.
const STORE_API: &[(&str, Access)] = &[
    ("all_metric_series", Reads),
    ("checkpoint_at", Reads),
    ("checkpoint_folder", Reads),
    ("copy", Reads),
    ("check_existing", Reads),
    ("effort", Reads),
    ("experiment", Reads),
    ("experiments", Reads),
    ("has_checkpoint", Reads),
    ("has_warm_start", Reads),
    ("last_step", Reads),
    ("metric_names", Reads),
    ("metrics_at", Reads),
    ("metric_series", Reads),
    ("path", Reads),
    ("run_record", Reads),
    ("scratch_folder", Reads),
    ("test_result", Reads),
    ("traced_trials", Reads),
    ("trial", Reads),
    ("trial_traced", Reads),
    ("trials", Reads),
    ("warm_file_sha256", Reads),
    ("warm_start", Reads),
    ("announce", Writes),
    ("append_metrics", Writes),
    ("append_report", Writes),
    ("clear_metrics", Writes),
    ("compact", Writes),
    ("create_experiment", Writes),
    ("create_experiment_with", Writes),
    ("discard_checkpoint", Writes),
    ("discard_temporary", Writes),
    ("flush", Writes),
    ("open", Writes),
    ("open_existing", Writes),
    ("put_run_record", Writes),
    ("put_test_result", Writes),
    ("put_trial", Writes),
    ("put_trial_traced", Writes),
    ("put_warm_start", Writes),
    ("put_warm_start_from_file", Writes),
    ("remove_checkpoints", Writes),
    ("remove_experiment", Writes),
    ("remove_if_empty", Writes),
    ("temporary", Writes),
    ("temporary_in", Writes),
    ("temporary_from_copy", Writes),
    ("update_experiment", Writes),
];

/// A `pub fn` of an `impl Store` block.
#[derive(Debug, Clone, PartialEq)]
struct Method {
    /// Where it is declared, as `file:line`.
    at: String,
    /// Whether it takes `self` (so it may be called as `.name(..)`).
    takes_self: bool,
}

/// Returns the `pub fn`s of the `impl Store { .. }` blocks in `store`'s shipped code, by name.
fn store_methods(workspace: &Workspace) -> BTreeMap<String, Method> {
    let mut methods = BTreeMap::new();
    for (rel, package, code) in workspace.shipped() {
        if package != "store" {
            continue;
        }
        let toks = tokens(code);
        let text = |k: usize| toks.get(k).map_or("", |t: &Token| t.text);
        for k in 0..toks.len() {
            if !(text(k) == "impl" && text(k + 1) == "Store" && text(k + 2) == "{") {
                continue;
            }
            let (open, close) = (k + 2, closing(&toks, k + 2));
            let mut depth = 0usize;
            for j in open..close {
                match text(j) {
                    "{" | "(" | "[" => depth += 1,
                    "}" | ")" | "]" => depth -= 1,
                    // `pub` at the block's own depth, not `pub(crate)` or `pub(super)`.
                    "pub" if depth == 1 && text(j + 1) != "(" => {
                        let mut f = j + 1;
                        while matches!(text(f), "const" | "async" | "unsafe" | "extern") {
                            f += 1;
                        }
                        if text(f) != "fn" || toks.get(f + 1).is_none_or(|t| t.kind != Kind::Ident)
                        {
                            continue;
                        }
                        let mut params = f + 2;
                        if text(params) == "<" {
                            while params < close && text(params) != "(" {
                                params += 1;
                            }
                        }
                        let end = closing(&toks, params);
                        let takes_self = toks[params..end].iter().any(|t| t.text == "self");
                        let method = Method {
                            at: format!("{rel}:{}", line_of(code, toks[f + 1].start)),
                            takes_self,
                        };
                        methods.insert(toks[f + 1].text.to_string(), method);
                    }
                    _ => {}
                }
            }
        }
    }
    methods
}

/// Returns the writers among `methods` by `api`, and the problems of the table: a method it
/// does not classify, a row for a method that is gone.
fn writers(
    methods: &BTreeMap<String, Method>,
    api: &[(&str, Access)],
) -> (BTreeMap<String, Method>, Vec<String>) {
    let table: BTreeMap<&str, Access> = api.iter().copied().collect();
    let mut problems = Vec::new();
    let mut out = BTreeMap::new();
    for (name, method) in methods {
        match table.get(name.as_str()) {
            Some(Writes) => {
                out.insert(name.clone(), method.clone());
            }
            Some(Reads) => {}
            None => problems.push(format!(
                "{}: `Store::{name}` is not classified as a reader or a writer in tidy's \
                 STORE_API (tests/e2e/tidy/read_only.rs); add its row",
                method.at
            )),
        }
    }
    for name in table.keys().filter(|n| !methods.contains_key(**n)) {
        problems.push(format!(
            "tidy's STORE_API classifies `Store::{name}`, which store no longer has; remove its row"
        ));
    }
    (out, problems)
}

/// Returns each call of a writer (`writers`) in `dashboard`'s shipped code, as `file:line:
/// what`.
fn dashboard_writes(workspace: &Workspace, writers: &BTreeMap<String, Method>) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if package != "dashboard" {
            continue;
        }
        let toks = tokens(code);
        for (k, t) in toks.iter().enumerate().skip(1) {
            let Some(method) = writers.get(t.text).filter(|_| t.kind == Kind::Ident) else {
                continue;
            };
            let before = toks[k - 1].text;
            let called = toks
                .get(k + 1)
                .is_some_and(|n| matches!(n.text, "(" | "::"));
            let as_method = before == "." && called && method.takes_self;
            let as_path = before == "::" && k >= 2 && toks[k - 2].text == "Store";
            if as_method || as_path {
                problems.push(format!(
                    "{rel}:{}: dashboard calls `Store::{}` ({}), which writes; the dashboard \
                     never writes to the store",
                    line_of(code, t.start),
                    t.text,
                    method.at
                ));
            }
        }
    }
    problems
}

#[test]
fn dashboard_never_writes_to_the_store() {
    let workspace = workspace();
    let (writers, mut problems) = writers(&store_methods(&workspace), STORE_API);
    problems.extend(dashboard_writes(&workspace, &writers));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_classifies_every_store_method_and_catches_dashboard_writes() {
    let store = workspace_of(
        "store",
        &[(
            "s/src/lib.rs",
            "pub struct Store;\nimpl Store {\n    pub fn trials(&self) -> u8 { 0 }\n    \
             pub fn put_trial(&self, t: u8) {}\n    pub fn open(path: &Path) -> Store { Store }\n    \
             pub(crate) fn private(&self) {}\n    fn helper() { pub fn inner() {} }\n    \
             pub fn shiny_new<T>(&self, t: T) {}\n    #[cfg(test)]\n    pub fn test_only(&self) {}\n}\n\
             impl Debug for Store { pub fn fmt(&self) {} }\n",
        )],
    );
    let methods = store_methods(&store);
    assert_eq!(
        methods.keys().collect::<Vec<_>>(),
        ["open", "put_trial", "shiny_new", "trials"]
    );
    let api = [
        ("trials", Reads),
        ("put_trial", Writes),
        ("open", Writes),
        ("gone", Reads),
    ];
    let (writers, problems) = writers(&methods, &api);
    assert_eq!(writers.keys().collect::<Vec<_>>(), ["open", "put_trial"]);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("s/src/lib.rs:8: `Store::shiny_new` is not classified"));
    assert!(problems[1].contains("`Store::gone`, which store no longer has"));
    let dashboard = workspace_of(
        "dashboard",
        &[(
            "d/src/lib.rs",
            "//! Not `store.put_trial(..)` in a comment.\n\
             fn a(store: &Store) { store.trials(); store.put_trial(1); }\n\
             fn b() { let s = Store::open(p); Store::put_trial(&s, 1); }\n\
             fn c(file: &File) { file.open(); let put_trial = 1; }\n\
             #[cfg(test)]\nmod tests { fn t(s: &Store) { s.put_trial(2); } }\n",
        )],
    );
    let lines: Vec<String> = dashboard_writes(&dashboard, &writers)
        .iter()
        .map(|p| p.split(" (").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "d/src/lib.rs:2: dashboard calls `Store::put_trial`",
            "d/src/lib.rs:3: dashboard calls `Store::open`",
            "d/src/lib.rs:3: dashboard calls `Store::put_trial`",
        ]
    );
}
