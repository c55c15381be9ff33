//! Reads one Rust file: its shipped code (each item compiled only for tests blanked out) and the
//! out-of-line modules it declares.

use super::line_of;
use super::tokens::{arguments, closing, tokens, Kind, Token};

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

/// Returns the index of the token after the path `name`, `a::b::name` that starts at `at`
/// when a `!` and an opening delimiter follow it: a macro call.
fn macro_call(toks: &[Token], at: usize) -> Option<usize> {
    let mut k = at;
    while toks.get(k).is_some_and(|t| t.kind == Kind::Ident) {
        match toks.get(k + 1).map(|t| t.text) {
            Some("::") => k += 2,
            Some("!") => {
                let open = toks.get(k + 2)?;
                return matches!(open.text, "{" | "(" | "[").then_some(k + 2);
            }
            _ => return None,
        }
    }
    None
}

/// Returns the index of the last token of the macro call whose delimiter opens at `open`, an
/// item (`item_position`: in a file or an inline `mod`, not in a body), or why tidy cannot tell.
/// `name! { .. }` ends at its brace; `name!(..);` and `name![..];` at their `;`. In a body, a
/// macro call may be a statement or the start of an expression (`m!(..).f()`), whose end the
/// tokens alone do not tell: it is reported.
fn macro_item_end(toks: &[Token], open: usize, item_position: bool) -> Result<usize, String> {
    let close = closing(toks, open);
    let name = toks[..open.saturating_sub(1)]
        .iter()
        .rev()
        .take_while(|t| t.kind == Kind::Ident || t.text == "::")
        .map(|t| t.text)
        .collect::<Vec<_>>();
    let name: String = name.into_iter().rev().collect();
    if !item_position {
        return Err(format!(
            "tidy cannot tell where this `#[cfg(test)]` macro call (`{name}!`) in a body ends; \
             put it in a `#[cfg(test)]` block or fn"
        ));
    }
    if toks[open].text == "{" {
        return Ok(close);
    }
    match toks.get(close + 1) {
        Some(t) if t.text == ";" => Ok(close + 1),
        _ => Err(format!(
            "the `#[cfg(test)]` macro item `{name}!` does not end with `;` after its `{}`",
            toks[open].text
        )),
    }
}

/// Returns the index of the last token of the item that starts at `at` (past its attributes), or
/// why tidy cannot tell. `item_position`: the item is in a file or an inline `mod` (not in the
/// body of a fn, impl or trait), where a macro call is an item.
fn item_end(toks: &[Token], at: usize, item_position: bool) -> Result<usize, String> {
    if let Some(open) = macro_call(toks, at) {
        return macro_item_end(toks, open, item_position);
    }
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
                 teach tidy/source.rs its form"
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
pub(super) struct ModuleDecl {
    /// The inline modules it sits in, outermost first, then its own name.
    pub(super) path: Vec<String>,
    /// The file its `#[path = ".."]` attribute names, if it has one.
    pub(super) file: Option<String>,
    /// Whether it is compiled only for tests (it, or an item around it, is under `#[cfg(test)]`).
    pub(super) test: bool,
}

/// What tidy reads of one Rust file.
#[derive(Debug, Default)]
pub(super) struct Reading {
    /// The file's text with every item compiled only for tests blanked out (newlines kept, so
    /// lines keep their numbers).
    pub(super) shipped: String,
    /// The out-of-line modules it declares.
    pub(super) modules: Vec<ModuleDecl>,
    /// The `#[cfg(test)]` items whose end tidy cannot tell (left in `shipped`), by line.
    pub(super) unread: Vec<String>,
}

/// Reads `text`, a Rust file: the code it ships and the modules it declares.
pub(super) fn read_source(text: &str) -> Reading {
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
                // In a file or an inline `mod` (a block of its own), not in a body.
                let item_position = open.last().is_none_or(|(_, m)| m.is_some());
                match item_end(&toks, i, item_position) {
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
fn tidy_skips_test_macro_items() {
    // A braced macro item (`thread_local!`, as a test hook of the store's), at the top of a file
    // and in an inline module, and a macro item ended by `;`.
    let reading = check_shipped(
        "#[cfg(test)]\nthread_local! {\n    static GONE: Cell<u8> = const { Cell::new(0) };\n}\n\
         fn kept() {}\nmod kept_m {\n    #[cfg(test)]\n    std::thread_local! { static GONE: u8 = 0; }\n    \
         fn kept() { call(); }\n}\n#[cfg(test)]\ngone_items!(a, { b });\nconst KEPT: u8 = 1;\n",
    );
    assert!(reading.unread.is_empty(), "{:?}", reading.unread);
    // In a body, a macro call may begin an expression: reported, in either form.
    let reading = check_shipped(
        "fn kept() {\n    #[cfg(test)]\n    kept_block! { x }\n    #[cfg(test)]\n    \
         kept_call![1];\n}\n",
    );
    assert_eq!(reading.unread.len(), 2, "{:?}", reading.unread);
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
