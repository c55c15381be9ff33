//! Reads the paths a file's code names, by tokens (`tokens`), as the checks on names need them:
//! `use` trees expanded (groups, nested groups, `self`, `as` renames, globs), and each path in
//! the code read through the file's `use` bindings, so `use std::{fs, io};`,
//! `use std::fs as f; f::read(..)`, `use std::time::{Instant as T}; T::now()`,
//! `::std::fs::read(..)` and `<Instant>::now()` all name what they stand for. A name in a
//! comment or a string is not a path.
//!
//! It is a reader of names, not a resolver of scopes: a file's `use` bindings hold in all of it
//! (a `use` in one fn renames that name in the others too), a name bound twice stands for both,
//! and a path no `use` binds may also stand for its name under each of the file's globs
//! (`use std::time::*; Instant::now()` may be `std::time::Instant::now`). So a check may see a
//! path where there is none, never miss one that a `use` or a glob of the file brings in.
//! Method calls and fields (`.env()`) and macro calls (`env!(..)`) are not paths.

use std::collections::BTreeMap;
use std::ops::Range;

use super::tokens::{arguments, closing, tokens, Kind, Token};

/// A path the code names: where, as written, and what it may stand for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Named {
    /// Its first byte in the file (for a `use` item: its last name's).
    pub(super) at: usize,
    /// As written (for a `use` item: its whole path, the group's prefix included), without a
    /// leading `::`.
    pub(super) written: String,
    /// What it may stand for: through the file's `use` bindings, or under one of its globs.
    pub(super) meanings: Vec<String>,
}

impl Named {
    /// Returns, for a message, how the path is written when that does not show `what` (the
    /// name a check found in it), after " as ": `std::fs` as `f::read`; otherwise nothing.
    pub(super) fn written_as(&self, what: &str) -> String {
        if mentions(&self.written, what) {
            String::new()
        } else {
            format!(" as `{}`", self.written)
        }
    }
}

/// The keywords after which a path may start (`return ::std::fs::read(..)`, `impl
/// ::std::fmt::Display`); after any other word a `::` goes on with its path.
const KEYWORDS: [&str; 22] = [
    "as", "box", "break", "const", "continue", "dyn", "else", "for", "if", "impl", "in", "let",
    "loop", "match", "move", "mut", "pub", "ref", "return", "static", "where", "while",
];

/// One item of a `use` tree: the whole path it names, and the name it binds (none for a glob or
/// `as _`).
#[derive(Debug)]
struct Import {
    /// The byte where its last name (or `*`) starts.
    at: usize,
    /// The whole path, `a::b::c` or `a::b::*`.
    path: String,
    /// The name it brings into scope.
    binds: Option<String>,
}

/// Returns `prefix::name`, or `name` at a tree's root.
fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}::{name}")
    }
}

/// Collects into `out` each item of the `use` tree `tree` (the tokens after `prefix::`):
/// `a::b`, `a as b`, `{a, b::{self, c}}`, `*`.
fn use_tree(tree: &[Token], prefix: &str, out: &mut Vec<Import>) {
    match tree {
        [] => {}
        [star, ..] if star.text == "*" => out.push(Import {
            at: star.start,
            path: join(prefix, "*"),
            binds: None,
        }),
        [open, ..] if open.text == "{" => {
            let close = closing(tree, 0);
            for item in arguments(&tree[1..close]) {
                use_tree(item, prefix, out);
            }
        }
        [name, rest @ ..] if name.kind == Kind::Ident => {
            // `a::{self}` is `a` itself.
            let path = if name.text == "self" && !prefix.is_empty() {
                prefix.to_string()
            } else {
                join(prefix, name.text)
            };
            let own = path.rsplit("::").next().unwrap_or_default().to_string();
            match rest {
                [sep, more @ ..] if sep.text == "::" => use_tree(more, &path, out),
                [as_, alias, ..] if as_.text == "as" => out.push(Import {
                    at: name.start,
                    path,
                    binds: (alias.text != "_").then(|| alias.text.to_string()),
                }),
                _ => out.push(Import {
                    at: name.start,
                    path,
                    binds: Some(own),
                }),
            }
        }
        _ => {}
    }
}

/// The names a file's `use` declarations (and `extern crate .. as ..`) bring in.
#[derive(Debug, Default)]
struct Scope {
    /// Each bound name and the paths it was bound to, as written (`::a` when that names the
    /// crate `a`, not a binding).
    bound: BTreeMap<String, Vec<String>>,
    /// The prefixes of the globs (`a::b` for `use a::b::*`).
    globs: Vec<String>,
}

impl Scope {
    /// Returns what `path` may stand for. A `path` written with a leading `::` names a crate,
    /// not a binding; `depth` bounds a chain of renames.
    fn meanings(&self, path: &str, depth: usize) -> Vec<String> {
        let (absolute, path) = match path.strip_prefix("::") {
            Some(path) => (true, path),
            None => (false, path),
        };
        let (first, rest) = path.split_once("::").unwrap_or((path, ""));
        let bound = self.bound.get(first).filter(|_| !absolute && depth < 8);
        let Some(targets) = bound else {
            let mut out = vec![path.to_string()];
            if !absolute && !matches!(first, "crate" | "self" | "super" | "Self") {
                out.extend(self.globs.iter().map(|g| join(g, path)));
            }
            return out;
        };
        let mut out = Vec::new();
        for target in targets {
            for meaning in self.meanings(target, depth + 1) {
                let whole = if rest.is_empty() {
                    meaning
                } else {
                    join(&meaning, rest)
                };
                if !out.contains(&whole) {
                    out.push(whole);
                }
            }
        }
        out
    }
}

/// Returns the index of the token after the path that starts at `at` (an identifier), reading
/// `a::b::c` up to a turbofish, a group or a glob, and its segments. A keyword is a path of its
/// own: `return ::a` is not `return::a`.
fn path_at<'a>(toks: &[Token<'a>], at: usize) -> (usize, Vec<&'a str>) {
    let mut segments = vec![toks[at].text];
    let mut k = at + 1;
    while !KEYWORDS.contains(&toks[at].text)
        && toks.get(k).is_some_and(|t| t.text == "::")
        && toks.get(k + 1).is_some_and(|t| t.kind == Kind::Ident)
    {
        segments.push(toks[k + 1].text);
        k += 2;
    }
    (k, segments)
}

/// Returns the `;` that ends the `use` declaration at `at`, past its groups' braces (the last
/// token when there is none).
fn use_end(toks: &[Token], at: usize) -> usize {
    let mut k = at + 1;
    while k < toks.len() && toks[k].text != ";" {
        k = if toks[k].text == "{" {
            closing(toks, k) + 1
        } else {
            k + 1
        };
    }
    k.min(toks.len() - 1)
}

/// Reads the `use` declarations (and `extern crate .. as ..`) of `toks`: their items, the names
/// they bind, and the token ranges they take.
fn imports_of(toks: &[Token]) -> (Vec<Import>, Scope, Vec<Range<usize>>) {
    let text = |k: usize| toks.get(k).map_or("", |t| t.text);
    let (mut imports, mut scope, mut declarations) = (Vec::new(), Scope::default(), Vec::new());
    for (k, t) in toks.iter().enumerate() {
        if t.text == "use" && text(k + 1) != "<" {
            let end = use_end(toks, k);
            let absolute = text(k + 1) == "::";
            let before = imports.len();
            use_tree(&toks[k + 1 + usize::from(absolute)..end], "", &mut imports);
            for import in imports[before..].iter_mut().filter(|_| absolute) {
                import.path.insert_str(0, "::");
            }
            declarations.push(k..end + 1);
        } else if t.text == "extern" && text(k + 1) == "crate" && text(k + 3) == "as" {
            let crate_path = format!("::{}", text(k + 2));
            let bound = scope.bound.entry(text(k + 4).to_string()).or_default();
            bound.push(crate_path);
        }
    }
    let mut globs = Vec::new();
    for import in &imports {
        match (&import.binds, import.path.strip_suffix("::*")) {
            (_, Some(glob)) => globs.push(glob.to_string()),
            (Some(name), None) => {
                // `use a::b as a` names the crate `a`, not itself.
                let own = import.path.split("::").next() == Some(name.as_str());
                let target = format!("{}{}", if own { "::" } else { "" }, import.path);
                scope.bound.entry(name.clone()).or_default().push(target);
            }
            (None, None) => {}
        }
    }
    scope.globs = globs.iter().flat_map(|g| scope.meanings(g, 0)).collect();
    (imports, scope, declarations)
}

/// Returns each path that `code` names: each item of its `use` trees, and each path in the rest
/// of its code (not a method, field or macro name), with what it may stand for.
pub(super) fn named_paths(code: &str) -> Vec<Named> {
    let toks = tokens(code);
    let text = |k: usize| toks.get(k).map_or("", |t| t.text);
    let ident = |k: usize| toks.get(k).is_some_and(|t| t.kind == Kind::Ident);
    let (imports, scope, declarations) = imports_of(&toks);
    let mut out: Vec<Named> = imports
        .iter()
        .map(|import| Named {
            at: import.at,
            written: import.path.trim_start_matches("::").to_string(),
            meanings: scope.meanings(&import.path, 0),
        })
        .collect();
    // Whether the token at `k` may end a path that a `::` goes on with (`Vec::<T>::new`); a
    // keyword may not (`return ::std::fs::read(..)`).
    let goes_on = |k: usize| {
        toks[k].text == ">" || (toks[k].kind == Kind::Ident && !KEYWORDS.contains(&toks[k].text))
    };
    let (mut k, mut declarations) = (0, declarations.into_iter().peekable());
    while k < toks.len() {
        if let Some(range) = declarations.next_if(|r| r.start == k) {
            k = range.end;
            continue;
        }
        let before = k.checked_sub(1).map(|p| toks[p]);
        let absolute = text(k) == "::" && ident(k + 1) && !k.checked_sub(1).is_some_and(goes_on);
        let first = k + usize::from(absolute);
        if !ident(first) || (!absolute && before.is_some_and(|p| matches!(p.text, "::" | "."))) {
            k += 1;
            continue;
        }
        let (mut end, mut segments) = path_at(&toks, first);
        // `<P>::name` names `P::name`; a `<` after a name or a value is `Vec<P>` or `a < P`.
        let qualified = before.is_some_and(|p| p.text == "<")
            && k.checked_sub(2).map(|p| toks[p]).is_none_or(|p| {
                (p.kind == Kind::Punct && !matches!(p.text, "::" | ">" | ")" | "]"))
                    || KEYWORDS.contains(&p.text)
            });
        if qualified && text(end) == ">" && text(end + 1) == "::" && ident(end + 2) {
            let (after, more) = path_at(&toks, end + 2);
            segments.extend(more);
            end = after;
        }
        let macro_call = text(end) == "!" && matches!(text(end + 1), "(" | "[" | "{");
        if !macro_call {
            let written = segments.join("::");
            let marked = format!("{}{written}", if absolute { "::" } else { "" });
            out.push(Named {
                at: toks[k].start,
                meanings: scope.meanings(&marked, 0),
                written,
            });
        }
        k = end;
    }
    out.sort_by_key(|n| n.at);
    out
}

/// Returns whether `path` is `prefix` or lies under it, by whole names (`std::fs::read` under
/// `std::fs`, `std::fsx` not).
pub(super) fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// Returns whether the names of `names` (`Instant::now`) follow each other in `path`, anywhere.
pub(super) fn mentions(path: &str, names: &str) -> bool {
    let path: Vec<&str> = path.split("::").collect();
    let names: Vec<&str> = names.split("::").collect();
    path.windows(names.len()).any(|w| w == names.as_slice())
}

#[test]
fn tidy_reads_paths_not_their_look_alikes() {
    // Each path of more than one name, with what it may stand for.
    let paths = |code: &str| -> Vec<String> {
        named_paths(code)
            .into_iter()
            .filter(|n| n.written.contains("::"))
            .map(|n| format!("{} = {}", n.written, n.meanings.join(" | ")))
            .collect()
    };
    // A path ends at a turbofish (`c::d::<u8>::e` names `c::d`); `use<'a>` (precise capture) is
    // no `use` declaration; a `<` after a value is a comparison and one after `::` a turbofish,
    // not a qualified path (no `c::new`).
    assert_eq!(
        paths(
            "use a::{b as c};\nfn f() -> impl Sized + use<'a> { c::d::<u8>::e(); \
             x < c::y; Vec::<c>::new() }"
        ),
        ["a::b = a::b", "c::d = a::b::d", "c::y = a::b::y",]
    );
}
