//! Tidy: the architecture rules of ARCHITECTURE.md and STYLE.md, enforced by `cargo test`.
//!
//! Dependency rules come from `cargo metadata`; source rules from reading the files. The rules on
//! shipped code read each crate as a build does: from its targets' root files (`cargo metadata`)
//! along its `mod` declarations, leaving out what is compiled only for tests (an item under
//! `#[cfg(test)]`, an inline `mod tests { .. }`, the file of a `#[cfg(test)] mod x;` and its
//! children). A file's name says nothing: a `tests.rs` declared without `#[cfg(test)]` ships.
//! The reader is a small tokenizer (strings, chars, lifetimes and comments are not code), not a
//! Rust parser; a `#[cfg(test)]` item whose end it cannot tell is reported rather than guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use tests::repo_root;

/// Returns `cargo metadata` for the workspace's own packages.
fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Returns each workspace crate's normal (non-dev) dependencies by name.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let meta = metadata();
    let mut deps = BTreeMap::new();
    for package in meta["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let names = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        deps.insert(name, names);
    }
    deps
}

#[test]
fn crate_dependencies_follow_the_architecture() {
    let deps = dependencies();
    // (dependency, the only crates allowed to name it)
    let owners: &[(&str, &[&str])] = &[
        ("sled", &["store"]),
        ("dfdx", &["trainer"]),
        ("actix-web", &["dashboard"]),
        ("askama", &["dashboard"]),
        ("plotters", &["dashboard"]),
        ("clap", &["cli"]),
        ("tracing-subscriber", &["cli"]),
        ("indicatif", &["cli"]),
        ("anyhow", &["cli", "tests"]),
        ("trainer", &["cli", "tests"]),
    ];
    let mut problems = Vec::new();
    for (dep, allowed) in owners {
        for (krate, names) in &deps {
            if names.contains(*dep) && !allowed.contains(&krate.as_str()) {
                problems.push(format!(
                    "`{krate}` depends on `{dep}`; only {allowed:?} may"
                ));
            }
        }
    }
    // The DAG of our own crates.
    let internal: &[(&str, &[&str])] = &[
        ("experiment", &[]),
        ("search", &["experiment"]),
        ("store", &["experiment"]),
        ("trainer", &["experiment"]),
        ("runner", &["experiment", "search", "store"]),
        ("dashboard", &["experiment", "store"]),
    ];
    let ours: BTreeSet<&str> = deps.keys().map(String::as_str).collect();
    for (krate, allowed) in internal {
        let names = deps.get(*krate).cloned().unwrap_or_default();
        for name in names.iter().filter(|n| ours.contains(n.as_str())) {
            if !allowed.contains(&name.as_str()) {
                problems.push(format!(
                    "`{krate}` depends on `{name}`; allowed: {allowed:?}"
                ));
            }
        }
    }
    // The pure crates own no randomness or IO machinery of their own.
    for dep in ["rand", "rand_chacha", "tokio", "csv", "tracing-subscriber"] {
        if deps["experiment"].contains(dep) {
            problems.push(format!("`experiment` depends on `{dep}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Collects the `.rs` files under `dir` (leaving out `target` folders) into `out`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Returns `path` relative to the repository root, for messages.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Returns the 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// What a token of Rust source is, as far as tidy needs to know.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A word: an identifier or a keyword.
    Ident,
    /// A string, raw string, byte string, char or number.
    Literal,
    /// A lifetime or label (`'a`).
    Lifetime,
    /// Punctuation: one character, or `::`, `->`, `=>`.
    Punct,
}

/// One token: its kind, its text and where it starts and ends in the file (bytes).
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    /// What it is.
    kind: Kind,
    /// Its text, as written.
    text: &'a str,
    /// Its first byte in the file.
    start: usize,
    /// The byte after it.
    end: usize,
}

/// Returns the byte after the block comment that starts at `at` (nested comments included).
fn block_comment_end(b: &[u8], at: usize) -> usize {
    let (mut depth, mut i) = (0usize, at);
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Returns the byte after the raw string (`r"..."`, `r#"..."#`, `br".."`) that starts at `at`,
/// if one does.
fn raw_string_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + usize::from(b[at] == b'b');
    if b.get(i) != Some(&b'r') {
        return None;
    }
    i += 1;
    let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
    i += hashes;
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    let found = b[i + 1..]
        .windows(closing.len())
        .position(|w| w == closing.as_slice());
    Some(found.map_or(b.len(), |p| i + 1 + p + closing.len()))
}

/// Returns the byte after the string whose contents start at `at` (after its opening quote).
fn string_end(b: &[u8], mut at: usize) -> usize {
    while at < b.len() {
        match b[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    b.len()
}

/// Returns whether byte `c` may continue an identifier (non-ASCII bytes taken as letters).
fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Splits `text` into tokens, leaving out whitespace and comments (doc comments too). A string,
/// raw string, byte string or char is one token, so a brace or a `#[cfg(test)]` inside one (or
/// inside a comment) is not code.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if b[i..].starts_with(b"//") {
            i = text[i..].find('\n').map_or(b.len(), |n| i + n);
            continue;
        } else if b[i..].starts_with(b"/*") {
            i = block_comment_end(b, i);
            continue;
        } else if let Some(end) = raw_string_end(b, i) {
            i = end;
            Kind::Literal
        } else if c == b'"' || b[i..].starts_with(b"b\"") {
            i = string_end(b, i + 1 + usize::from(c == b'b'));
            Kind::Literal
        } else if c == b'\'' || b[i..].starts_with(b"b'") {
            let quote = i + usize::from(c == b'b');
            if b.get(quote + 1) == Some(&b'\\') {
                // An escaped char: its end is the next quote after the escaped character.
                i = b[quote + 3..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| quote + 3 + p + 1);
                Kind::Literal
            } else {
                let width = text[quote + 1..].chars().next().map_or(1, char::len_utf8);
                if b.get(quote + 1 + width) == Some(&b'\'') {
                    i = quote + 2 + width;
                    Kind::Literal
                } else {
                    i = quote + 1;
                    while i < b.len() && word_byte(b[i]) {
                        i += 1;
                    }
                    Kind::Lifetime
                }
            }
        } else if c.is_ascii_digit() {
            while i < b.len()
                && (word_byte(b[i])
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            Kind::Literal
        } else if word_byte(c) {
            // A raw identifier (`r#match`) is one word.
            if b[i..].starts_with(b"r#") {
                i += 2;
            }
            while i < b.len() && word_byte(b[i]) {
                i += 1;
            }
            Kind::Ident
        } else {
            let two = ["::", "->", "=>"]
                .iter()
                .any(|p| b[i..].starts_with(p.as_bytes()));
            i += if two { 2 } else { 1 };
            Kind::Punct
        };
        out.push(Token {
            kind,
            text: &text[start..i],
            start,
            end: i,
        });
    }
    out
}

/// Returns the index of the token that closes the delimiter opened at `open` (the last token
/// when it is never closed).
fn closing(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.text {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len() - 1
}

/// Splits `toks` at its commas outside parentheses.
fn arguments<'t, 'a>(toks: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let (mut depth, mut from, mut out) = (0usize, 0, Vec::new());
    for (k, t) in toks.iter().enumerate() {
        match t.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                out.push(&toks[from..k]);
                from = k + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[from..]);
    out
}

/// Returns whether a `cfg` predicate holds only in test builds: `test`, or `all(..)` with a
/// predicate that does (`any(test, ..)` and `not(test)` may hold in a build that ships).
fn requires_test(predicate: &[Token]) -> bool {
    match predicate {
        [t] => t.text == "test",
        [all, open, args @ .., close]
            if all.text == "all" && open.text == "(" && close.text == ")" =>
        {
            arguments(args).into_iter().any(requires_test)
        }
        _ => false,
    }
}

/// Returns whether the attribute whose tokens (between its brackets) are `body` is a `cfg` that
/// holds only in test builds.
fn is_cfg_test(body: &[Token]) -> bool {
    match body {
        [cfg, open, predicate @ .., close] => {
            cfg.text == "cfg" && open.text == "(" && close.text == ")" && requires_test(predicate)
        }
        _ => false,
    }
}

/// Returns the file a `#[path = ".."]` attribute (its tokens between the brackets) names.
fn path_attribute(body: &[Token]) -> Option<String> {
    match body {
        [path, eq, file] if path.text == "path" && eq.text == "=" && file.text.starts_with('"') => {
            Some(file.text.trim_matches('"').to_string())
        }
        _ => None,
    }
}

/// Returns the index of the first token after the visibility (`pub`, `pub(crate)`, ..) at `at`.
fn past_visibility(toks: &[Token], at: usize) -> usize {
    if toks.get(at).is_some_and(|t| t.text == "pub") {
        if toks.get(at + 1).is_some_and(|t| t.text == "(") {
            return closing(toks, at + 1) + 1;
        }
        return at + 1;
    }
    at
}

/// How an item ends, by its first word.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// `fn`, `impl`, `mod`, `struct`, ..: at its body's closing brace, or at `;` (`mod x;`).
    Braced,
    /// `use`, `const`, `static`, `type`, `let`, `extern crate`: at its `;`.
    Statement,
    /// A struct field or enum variant: at its `,`, its `;` or at the brace around it.
    Listed,
}

/// Returns the index of the last token of the item that starts at `at` (past its attributes), or
/// why tidy cannot tell.
fn item_end(toks: &[Token], at: usize) -> Result<usize, String> {
    let mut j = past_visibility(toks, at);
    let fn_next = |k: usize| {
        toks.get(k + 1)
            .is_some_and(|t| matches!(t.text, "fn" | "unsafe" | "async" | "extern"))
    };
    while toks.get(j).is_some_and(|t| {
        matches!(t.text, "unsafe" | "async" | "extern" | "default" | "auto")
            || (t.text == "const" && fn_next(j))
            || (t.kind == Kind::Literal && j > at)
    }) {
        j += 1;
    }
    let first = toks.get(j).map_or("", |t| t.text);
    let next = toks.get(j + 1).map_or("", |t| t.text);
    let shape = match first {
        "fn" | "impl" | "mod" | "trait" | "struct" | "enum" | "union" | "macro_rules" => {
            Shape::Braced
        }
        "use" | "const" | "static" | "type" | "let" | "crate" => Shape::Statement,
        _ if toks[j.min(toks.len() - 1)].kind == Kind::Ident
            && matches!(next, ":" | "," | "}" | "=") =>
        {
            Shape::Listed
        }
        _ => {
            return Err(format!(
                "tidy cannot tell where this `#[cfg(test)]` item (`{first} {next} ..`) ends; \
                 teach tidy.rs its form"
            ))
        }
    };
    let (mut depth, mut angle) = (0usize, 0usize);
    for (k, t) in toks.iter().enumerate().skip(j) {
        match t.text {
            "{" | "(" | "[" => depth += 1,
            "<" => angle += 1,
            ">" => angle = angle.saturating_sub(1),
            "}" | ")" | "]" if depth == 0 => {
                // The delimiter around the item closes: a field or variant ends before it.
                return match shape {
                    Shape::Listed if k > j => Ok(k - 1),
                    _ => Err(format!(
                        "the `#[cfg(test)]` item `{first}` is cut off by the `{}` that closes around it",
                        t.text
                    )),
                };
            }
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 && t.text == "}" && shape == Shape::Braced {
                    return Ok(k);
                }
            }
            ";" if depth == 0 => return Ok(k),
            "," if depth == 0 && angle == 0 && shape == Shape::Listed => return Ok(k),
            _ => {}
        }
    }
    Err(format!(
        "the `#[cfg(test)]` item `{first}` runs to the end of the file"
    ))
}

/// A `mod x;` declaration: its file is a module of the crate.
#[derive(Debug, Clone, PartialEq)]
struct ModuleDecl {
    /// The inline modules it sits in, outermost first, then its own name.
    path: Vec<String>,
    /// The file its `#[path = ".."]` attribute names, if it has one.
    file: Option<String>,
    /// Whether it is compiled only for tests (it, or an item around it, is under `#[cfg(test)]`).
    test: bool,
}

/// What tidy reads of one Rust file.
#[derive(Debug, Default)]
struct Reading {
    /// The file's text with every item compiled only for tests blanked out (newlines kept, so
    /// lines keep their numbers).
    shipped: String,
    /// The out-of-line modules it declares.
    modules: Vec<ModuleDecl>,
    /// The `#[cfg(test)]` items whose end tidy cannot tell (left in `shipped`), by line.
    unread: Vec<String>,
}

/// Reads `text`, a Rust file: the code it ships and the modules it declares.
fn read_source(text: &str) -> Reading {
    let toks = tokens(text);
    let mut test_spans: Vec<(usize, usize)> = Vec::new();
    let mut reading = Reading::default();
    // The delimiters open at each point: the token that opened it and the inline module it is.
    let mut open: Vec<(usize, Option<String>)> = Vec::new();
    // The attributes before the next item: where the first starts, whether one is a test cfg,
    // the file a `#[path]` names.
    let mut attributes: Option<(usize, bool, Option<String>)> = None;
    // The item being read: its first token and its `#[path]`, for a `mod` past its visibility.
    let mut item: (usize, Option<String>) = (0, None);
    let inside =
        |spans: &[(usize, usize)], at: usize| spans.iter().any(|&(s, e)| s <= at && at < e);
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if t.text == "#" {
            let inner = toks.get(i + 1).is_some_and(|t| t.text == "!");
            let bracket = i + 1 + usize::from(inner);
            if toks.get(bracket).is_some_and(|t| t.text == "[") {
                let close = closing(&toks, bracket);
                let body = &toks[bracket + 1..close.max(bracket + 1)];
                if inner && is_cfg_test(body) {
                    // `#![cfg(test)]`: the whole file, or the whole block it sits in.
                    test_spans.push(match open.last() {
                        None => (0, text.len()),
                        Some(&(from, _)) => (toks[from].start, toks[closing(&toks, from)].end),
                    });
                } else if !inner {
                    let a = attributes.get_or_insert((t.start, false, None));
                    a.1 |= is_cfg_test(body);
                    if let Some(file) = path_attribute(body) {
                        a.2 = Some(file);
                    }
                }
                i = close + 1;
                continue;
            }
        }
        if let Some((start, test, file)) = attributes.take() {
            item = (i, file);
            if test {
                match item_end(&toks, i) {
                    Ok(end) => test_spans.push((start, toks[end].end)),
                    Err(why) => reading
                        .unread
                        .push(format!("line {}: {why}", line_of(text, t.start))),
                }
            }
        }
        if t.text == "mod" {
            if let Some(name) = toks.get(i + 1).filter(|n| n.kind == Kind::Ident) {
                let name = name.text.trim_start_matches("r#").to_string();
                let own_attributes = past_visibility(&toks, item.0) == i;
                match toks.get(i + 2).map(|t| t.text) {
                    Some(";") => {
                        let mut path: Vec<String> =
                            open.iter().filter_map(|(_, m)| m.clone()).collect();
                        path.push(name);
                        reading.modules.push(ModuleDecl {
                            path,
                            file: item.1.clone().filter(|_| own_attributes),
                            test: inside(&test_spans, t.start),
                        });
                    }
                    Some("{") => {
                        open.push((i + 2, Some(name)));
                        i += 3;
                        continue;
                    }
                    _ => {}
                }
            }
        }
        match t.text {
            "{" | "(" | "[" => open.push((i, None)),
            "}" | ")" | "]" => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    reading.shipped = text
        .char_indices()
        .map(|(at, c)| {
            if c != '\n' && inside(&test_spans, at) {
                ' '
            } else {
                c
            }
        })
        .collect();
    reading
}

/// Returns `path` with its `.` and `..` components resolved, without asking the filesystem.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Returns the files `decl`, declared in `file`, may live in, in the order rustc tries them.
/// `owns_folder`: `file` is a crate root, a `mod.rs` or named by `#[path]`, so its modules sit
/// beside it rather than in a folder named after it.
fn module_files(file: &Path, owns_folder: bool, decl: &ModuleDecl) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut base = if owns_folder {
        dir.to_path_buf()
    } else {
        dir.join(file.file_stem().unwrap_or_default())
    };
    let (name, inline) = decl.path.split_last().expect("a module has a name");
    match &decl.file {
        Some(named) if inline.is_empty() => vec![normalized(&dir.join(named))],
        Some(named) => {
            base.extend(inline);
            vec![normalized(&base.join(named))]
        }
        None => {
            base.extend(inline);
            vec![
                normalized(&base.join(format!("{name}.rs"))),
                normalized(&base.join(name).join("mod.rs")),
            ]
        }
    }
}

/// How a build reaches a file: from which package's target, and whether it ships.
#[derive(Debug, Clone, PartialEq)]
struct Reach {
    /// The package whose target's module tree holds the file.
    package: String,
    /// Whether a build that is not a test compiles it: reached by declarations none of which is
    /// under `#[cfg(test)]`.
    shipped: bool,
}

/// Walks the module trees from `roots` (package, root file) through the files in `readings`:
/// how each file is reached, and the declarations whose file is not among `readings`.
fn walk_modules(
    roots: &[(String, PathBuf)],
    readings: &BTreeMap<PathBuf, Reading>,
) -> (BTreeMap<PathBuf, Reach>, Vec<String>) {
    let mut reached: BTreeMap<PathBuf, Reach> = BTreeMap::new();
    let mut missing = Vec::new();
    // (file, owns its folder, reach)
    let mut queue: Vec<(PathBuf, bool, Reach)> = roots
        .iter()
        .map(|(package, file)| {
            let reach = Reach {
                package: package.clone(),
                shipped: true,
            };
            (normalized(file), true, reach)
        })
        .collect();
    while let Some((file, owns_folder, reach)) = queue.pop() {
        match reached.get(&file) {
            Some(seen) if seen.shipped || !reach.shipped => continue,
            _ => {}
        }
        reached.insert(file.clone(), reach.clone());
        let Some(reading) = readings.get(&file) else {
            continue;
        };
        for decl in &reading.modules {
            let candidates = module_files(&file, owns_folder, decl);
            let Some(found) = candidates.iter().find(|c| readings.contains_key(*c)) else {
                missing.push(format!(
                    "{}: declares `mod {}` but none of {candidates:?} is a file",
                    file.display(),
                    decl.path.join("::")
                ));
                continue;
            };
            let owns = decl.file.is_some() || found.ends_with("mod.rs");
            let child = Reach {
                package: reach.package.clone(),
                shipped: reach.shipped && !decl.test,
            };
            queue.push((found.clone(), owns, child));
        }
    }
    (reached, missing)
}

/// The workspace's crates as tidy reads them.
struct Workspace {
    /// The repository root, which messages name files relative to.
    root: PathBuf,
    /// Every `.rs` file under `crates/`, read.
    readings: BTreeMap<PathBuf, Reading>,
    /// The files a target of a crate compiles, and how.
    reached: BTreeMap<PathBuf, Reach>,
    /// What tidy could not read: unknown `#[cfg(test)]` forms, missing module files, files
    /// under a `src/` no target compiles.
    unread: Vec<String>,
}

/// Reads every crate under `crates/` from its targets' roots (libraries and binaries: the code
/// that ships; benches, tests and build scripts are not walked).
fn workspace() -> Workspace {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    let readings: BTreeMap<PathBuf, Reading> = files
        .iter()
        .map(|f| {
            (
                normalized(f),
                read_source(&std::fs::read_to_string(f).unwrap()),
            )
        })
        .collect();
    let mut roots = Vec::new();
    for package in metadata()["packages"].as_array().unwrap() {
        for target in package["targets"].as_array().unwrap() {
            let kinds = target["kind"].as_array().unwrap();
            let ships = kinds
                .iter()
                .any(|k| matches!(k.as_str(), Some("lib" | "rlib" | "proc-macro" | "bin")));
            let file = normalized(Path::new(target["src_path"].as_str().unwrap()));
            if ships && file.starts_with(root.join("crates")) {
                roots.push((package["name"].as_str().unwrap().to_string(), file));
            }
        }
    }
    let (reached, mut unread) = walk_modules(&roots, &readings);
    for (file, reading) in &readings {
        let rel = relative(&root, file);
        unread.extend(reading.unread.iter().map(|u| format!("{rel}: {u}")));
        let in_src = Path::new(&rel)
            .components()
            .nth(2)
            .is_some_and(|c| c.as_os_str() == "src");
        if in_src && !reached.contains_key(file) {
            unread.push(format!(
                "{rel}: no target reaches it through `mod` declarations (an orphan file, or a \
                 declaration tidy cannot follow)"
            ));
        }
    }
    Workspace {
        root,
        readings,
        reached,
        unread,
    }
}

impl Workspace {
    /// Returns each shipped file (relative path), its package and its shipped code.
    fn shipped(&self) -> impl Iterator<Item = (String, &str, &str)> {
        self.reached
            .iter()
            .filter(|(_, reach)| reach.shipped)
            .filter_map(|(file, reach)| {
                let reading = self.readings.get(file)?;
                Some((
                    relative(&self.root, file),
                    reach.package.as_str(),
                    reading.shipped.as_str(),
                ))
            })
    }
}

#[test]
fn tidy_reads_every_crate_file() {
    let workspace = workspace();
    assert!(
        workspace.unread.is_empty(),
        "{}",
        workspace.unread.join("\n")
    );
    // The walk reached the crates' code at all.
    assert!(workspace
        .shipped()
        .any(|(rel, _, _)| rel == "crates/search/src/lib.rs"));
}

#[test]
fn source_files_follow_the_house_rules() {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files.sort();
    let should_panic = ["#[should", "_panic]"].concat();
    let ignore = ["#[ig", "nore]"].concat();
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let rel = relative(&root, file);
        if !text.starts_with("//!") {
            problems.push(format!("{rel}: does not start with a `//!` module doc"));
        }
        if text.contains(&should_panic) || text.contains(&ignore) {
            problems.push(format!("{rel}: uses should_panic or ignore"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the pure crates' shipped code may not name: IO, the environment, the clock, global
/// random state.
const IMPURE: [&str; 5] = [
    "std::fs",
    "std::env",
    "SystemTime",
    "Instant::now",
    "thread_rng",
];

/// Returns each use of an `IMPURE` name in the pure crates' (`experiment`, `search`) shipped
/// code, as `file:line: what`.
fn impure_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if !matches!(package, "experiment" | "search") {
            continue;
        }
        for banned in IMPURE {
            for (at, _) in code.match_indices(banned) {
                problems.push(format!(
                    "{rel}:{}: shipped code of the pure crate `{package}` uses `{banned}`",
                    line_of(code, at)
                ));
            }
        }
    }
    problems
}

#[test]
fn pure_crates_read_no_io_clock_or_global_rng() {
    let problems = impure_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns where `code` names `std::env` (the environment, argv, the temp folder), if it does:
/// as a path (`std::env::var`, `use std::env;`) or as an item of a grouped `use std::{..}`.
fn std_env_at(code: &str) -> Option<usize> {
    if let Some(at) = code.find("std::env") {
        return Some(at);
    }
    let mut from = 0;
    while let Some(at) = code[from..].find("std::{").map(|i| from + i) {
        let group = &code[at + "std::{".len()..];
        // The group's items at its own depth, split at its commas.
        let (mut depth, mut item, mut items) = (0usize, String::new(), Vec::new());
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        items.push(item);
        let env = |item: &str| {
            let item = item.trim();
            item == "env" || item.starts_with("env::") || item.starts_with("env as ")
        };
        if items.iter().any(|i| env(i)) {
            return Some(at);
        }
        from = at + "std::{".len();
    }
    None
}

#[test]
fn only_cli_reads_the_environment() {
    // The check itself, on the forms it must catch and those it must let be.
    for (code, named) in [
        ("let dir = std::env::temp_dir();", true),
        ("use std::env;\nenv::var(\"X\")", true),
        ("use std::{env, fs};", true),
        (
            "use std::{\n    fs::{self, File},\n    env::var_os,\n};",
            true,
        ),
        ("use std::{env as environment};", true),
        ("use std::{fs, io::{self, Read}};", false),
        ("const V: &str = env!(\"CARGO_PKG_VERSION\");", false),
        ("let environment = spec.env();", false),
    ] {
        assert_eq!(std_env_at(code).is_some(), named, "{code}");
    }
    let problems = env_uses(&workspace());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Returns each shipped file of a crate other than `cli` that names `std::env`, as
/// `file:line: what`. Benchmarks and tests are not walked: they may (a child process's marker,
/// the test binary's path).
fn env_uses(workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, package, code) in workspace.shipped() {
        if package == "cli" {
            continue;
        }
        if let Some(at) = std_env_at(code) {
            problems.push(format!(
                "{rel}:{}: uses `std::env` (only `cli` reads the environment; take the value \
                 from the caller)",
                line_of(code, at)
            ));
        }
    }
    problems
}

/// Checks that `read_source` keeps every `kept` of `text` in the shipped code and blanks every
/// `gone`, and returns what it read.
fn check_shipped(text: &str) -> Reading {
    let reading = read_source(text);
    assert_eq!(
        reading.shipped.matches("kept").count(),
        text.matches("kept").count(),
        "shipped code lost a `kept`:\n{text}\n---\n{}",
        reading.shipped
    );
    assert!(
        !reading.shipped.contains("gone"),
        "shipped code keeps a `gone`:\n{text}\n---\n{}",
        reading.shipped
    );
    assert_eq!(reading.shipped.lines().count(), text.lines().count());
    reading
}

#[test]
fn tidy_skips_exactly_the_test_items() {
    // Test modules declared before shipped code (the top of `search` and `experiment`'s
    // lib.rs, and `runner`'s, whose `Error` follows them).
    check_shipped(
        "mod draw;\n#[cfg(test)]\nmod multi_objective;\n#[cfg(test)]\nmod testing;\n\
         mod worker;\n\nuse std::fs; // kept\npub enum KeptError { A }\n\
         pub fn kept_sampler_of() {}\n",
    );
    // An inline test module whose braces hide in strings, chars, raw strings and comments.
    check_shipped(
        "#[cfg(test)]\nmod tests {\n    fn gone() { let s = \"}\\\"}\"; let c = '}'; \
         let q = '\\''; let b = b'{'; let r = r#\"}\"#; } // }\n    /* } /* } */ } */\n    \
         fn gone_too<'a>(x: &'a str) -> &'a str { x }\n}\nfn kept() {}\n",
    );
    // Test helpers among shipped items, with their attributes and docs.
    check_shipped(
        "#[cfg(test)]\npub(crate) fn gone(x: [u8; 2]) -> u8 { x[0] }\nfn kept() {}\n\
         #[cfg(test)]\npub(crate) use gone_mod::{a, b};\nuse kept_mod::c;\n\
         #[cfg(test)]\nconst GONE: S = S { a: 1 };\nconst KEPT: u8 = 1;\n\
         #[derive(Debug)]\n#[cfg(test)]\n/// Docs.\nstruct Gone { a: u8 }\nstruct Kept;\n\
         #[cfg(test)]\nimpl<A, B> Gone for [A; 2] where A: Into<B>, B: Copy { fn gone() {} }\n\
         impl Kept {}\n",
    );
    // Inside an impl and a struct.
    check_shipped(
        "impl Kept {\n    #[cfg(test)]\n    pub(crate) fn gone(&self) -> &Path { &self.p }\n    \
         fn kept(&self) {}\n}\nstruct Kept {\n    #[cfg(test)]\n    gone: BTreeMap<u8, u8>,\n    \
         kept: u8,\n    #[cfg(test)]\n    gone_last: u8\n}\nfn kept_after() {}\n",
    );
    // Only a cfg that needs `test` marks test code; the words in a comment or string are not one.
    check_shipped(
        "#[cfg(all(test, feature = \"cuda\"))]\nmod gone_cuda { fn gone() {} }\n\
         #[cfg(not(test))]\nfn kept_a() {}\n#[cfg(any(test, feature = \"x\"))]\nfn kept_b() {}\n\
         // #[cfg(test)]\nfn kept_c() {}\nconst KEPT: &str = \"#[cfg(test)]\";\nfn kept_d() {}\n",
    );
    // A whole file under `#![cfg(test)]`.
    check_shipped("//! Docs.\n#![cfg(test)]\nfn gone() {}\n");
    // A `#[cfg(test)]` item tidy cannot delimit is reported and left in the shipped code.
    let reading = check_shipped("fn kept() {\n    #[cfg(test)]\n    kept_call!();\n}\n");
    assert_eq!(reading.unread.len(), 1, "{:?}", reading.unread);
    assert!(
        reading.unread[0].starts_with("line 3:"),
        "{:?}",
        reading.unread
    );
}

#[test]
fn tidy_reads_module_declarations() {
    let reading = read_source(
        "mod kept;\n#[cfg(test)]\nmod gone;\n#[cfg(test)]\npub(crate) mod t {\n    mod inner;\n}\n\
         mod outer {\n    #[path = \"x.rs\"]\n    pub mod p;\n    fn f() {}\n}\nmod last;\n",
    );
    let decl = |path: &[&str], file: Option<&str>, test: bool| ModuleDecl {
        path: path.iter().map(|p| p.to_string()).collect(),
        file: file.map(str::to_string),
        test,
    };
    assert_eq!(
        reading.modules,
        [
            decl(&["kept"], None, false),
            decl(&["gone"], None, true),
            decl(&["t", "inner"], None, true),
            decl(&["outer", "p"], Some("x.rs"), false),
            decl(&["last"], None, false),
        ]
    );
}

/// Reads `files` (path, text) as the crate `package`, rooted at the first.
fn workspace_of(package: &str, files: &[(&str, &str)]) -> Workspace {
    let readings: BTreeMap<PathBuf, Reading> = files
        .iter()
        .map(|(f, text)| (PathBuf::from(f), read_source(text)))
        .collect();
    let roots = [(package.to_string(), PathBuf::from(files[0].0))];
    let (reached, unread) = walk_modules(&roots, &readings);
    Workspace {
        root: PathBuf::new(),
        readings,
        reached,
        unread,
    }
}

#[test]
fn tidy_follows_declarations_not_file_names() {
    let workspace = workspace_of(
        "c",
        &[
            (
                "c/src/lib.rs",
                "mod a;\nmod tests;\n#[cfg(test)]\nmod testing;\n#[cfg(test)]\n\
                 #[path = \"../benches/common.rs\"]\nmod common;\n",
            ),
            ("c/src/a.rs", "mod b;\n#[cfg(test)]\nmod tests;\n"),
            ("c/src/a/b.rs", ""),
            ("c/src/a/tests.rs", ""),
            // Named like a test module, but declared without `#[cfg(test)]`: it ships.
            ("c/src/tests.rs", ""),
            ("c/src/testing/mod.rs", "mod deep;\n"),
            ("c/src/testing/deep.rs", ""),
            ("c/benches/common.rs", ""),
            ("c/src/orphan.rs", ""),
        ],
    );
    assert!(workspace.unread.is_empty(), "{:?}", workspace.unread);
    let shipped: BTreeMap<&str, bool> = workspace
        .reached
        .iter()
        .map(|(f, r)| (f.to_str().unwrap(), r.shipped))
        .collect();
    assert_eq!(
        shipped,
        BTreeMap::from([
            ("c/src/lib.rs", true),
            ("c/src/a.rs", true),
            ("c/src/a/b.rs", true),
            ("c/src/a/tests.rs", false),
            ("c/src/tests.rs", true),
            ("c/src/testing/mod.rs", false),
            ("c/src/testing/deep.rs", false),
            ("c/benches/common.rs", false),
        ])
    );
    // A declaration without its file is reported.
    let workspace = workspace_of("c", &[("c/src/a.rs", "mod nowhere;")]);
    assert_eq!(workspace.unread.len(), 1, "{:?}", workspace.unread);
}

#[test]
fn tidy_checks_the_shipped_code_past_test_modules() {
    // The holes tidy had: shipped code after a `#[cfg(test)] mod testing;` declaration, and a
    // shipped file named like a test module. Test files may do as they like.
    let files = [
        (
            "p/src/lib.rs",
            "//! Docs.\n#[cfg(test)]\nmod testing;\nmod tests;\n\
             pub fn sampler_of() { let _ = std::fs::read(\"x\"); }\n",
        ),
        (
            "p/src/tests.rs",
            "//! Docs.\nuse std::{env, time::SystemTime};\n",
        ),
        (
            "p/src/testing.rs",
            "//! Docs.\nfn f() { std::fs::read(std::env::var(\"X\")); }\n",
        ),
    ];
    assert_eq!(
        impure_uses(&workspace_of("search", &files)),
        [
            "p/src/lib.rs:5: shipped code of the pure crate `search` uses `std::fs`",
            "p/src/tests.rs:2: shipped code of the pure crate `search` uses `SystemTime`",
        ]
    );
    assert_eq!(impure_uses(&workspace_of("store", &files)), [""; 0]);
    let env = env_uses(&workspace_of("runner", &files));
    assert_eq!(env.len(), 1, "{env:?}");
    assert!(
        env[0].starts_with("p/src/tests.rs:2: uses `std::env`"),
        "{env:?}"
    );
    assert_eq!(env_uses(&workspace_of("cli", &files)), [""; 0]);
}
