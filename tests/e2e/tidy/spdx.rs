//! Reads SPDX license expressions, as a package's `license` field writes them, and says whether a
//! list of allowed licenses satisfies one. A small parser: `OR`, `AND`, `WITH` (tightest first:
//! `WITH`, then `AND`, then `OR`) and parentheses, with the deprecated `/` read as `OR`.

/// A license expression: one license, or a choice or combination of them.
#[derive(Debug, PartialEq)]
pub(super) enum License {
    /// One license with its exception, if any, as written: `MIT`, `Apache-2.0 WITH LLVM-exception`.
    One(String),
    /// `a AND b`: every part must be allowed.
    All(Vec<License>),
    /// `a OR b` (or the deprecated `a/b`): one part must be allowed.
    Any(Vec<License>),
}

/// Reads an SPDX license expression: `OR`, `AND`, `WITH` (tightest) and parentheses, with the
/// deprecated `/` read as `OR`.
pub(super) fn parse_license(expression: &str) -> Result<License, String> {
    let spaced = expression
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let license = any_of(&words, &mut at)?;
    match words.get(at) {
        None => Ok(license),
        Some(word) => Err(format!("unexpected `{word}`")),
    }
}

/// Reads `a OR b OR ..` from `words[*at..]`.
fn any_of(words: &[&str], at: &mut usize) -> Result<License, String> {
    let mut parts = vec![all_of(words, at)?];
    while words.get(*at) == Some(&"OR") {
        *at += 1;
        parts.push(all_of(words, at)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        License::Any(parts)
    })
}

/// Reads `a AND b AND ..` from `words[*at..]`.
fn all_of(words: &[&str], at: &mut usize) -> Result<License, String> {
    let mut parts = vec![one(words, at)?];
    while words.get(*at) == Some(&"AND") {
        *at += 1;
        parts.push(one(words, at)?);
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        License::All(parts)
    })
}

/// Reads one license (with its `WITH` exception) or a parenthesized expression.
fn one(words: &[&str], at: &mut usize) -> Result<License, String> {
    let operator = |w: &str| matches!(w, "AND" | "OR" | "WITH" | "(" | ")");
    match words.get(*at).copied() {
        Some("(") => {
            *at += 1;
            let inner = any_of(words, at)?;
            if words.get(*at) != Some(&")") {
                return Err("a `(` is not closed".into());
            }
            *at += 1;
            Ok(inner)
        }
        Some(id) if !operator(id) => {
            *at += 1;
            if words.get(*at) != Some(&"WITH") {
                return Ok(License::One(id.to_string()));
            }
            match words.get(*at + 1).copied() {
                Some(exception) if !operator(exception) => {
                    *at += 2;
                    Ok(License::One(format!("{id} WITH {exception}")))
                }
                _ => Err(format!("`{id} WITH` names no exception")),
            }
        }
        Some(word) => Err(format!("`{word}` where a license was expected")),
        None => Err("a license is missing at the end".into()),
    }
}

impl License {
    /// Returns whether the licenses in `allow` satisfy this expression. A license with an
    /// exception is satisfied only by that same pair in `allow`.
    pub(super) fn is_satisfied_by(&self, allow: &[&str]) -> bool {
        match self {
            License::One(id) => allow.contains(&id.as_str()),
            License::All(parts) => parts.iter().all(|p| p.is_satisfied_by(allow)),
            License::Any(parts) => parts.iter().any(|p| p.is_satisfied_by(allow)),
        }
    }
}

#[test]
fn license_expressions_read_as_spdx() {
    assert_eq!(
        parse_license("Apache-2.0 WITH LLVM-exception OR MIT/Zlib"),
        Ok(License::Any(vec![
            License::One("Apache-2.0 WITH LLVM-exception".into()),
            License::One("MIT".into()),
            License::One("Zlib".into()),
        ]))
    );
    let allow = ["MIT", "Apache-2.0 WITH LLVM-exception"];
    // (expression, whether `allow` satisfies it; None: it does not read)
    for (expression, satisfied) in [
        ("MIT", Some(true)),
        ("Apache-2.0", Some(false)),
        ("MIT OR Apache-2.0", Some(true)),
        ("Apache-2.0/MIT", Some(true)),
        ("Apache-2.0 / MIT", Some(true)),
        ("(MIT OR Apache-2.0) AND Unicode-3.0", Some(false)),
        ("(Apache-2.0 OR MIT) AND (Zlib OR MIT)", Some(true)),
        // AND binds tighter than OR.
        ("MIT OR Zlib AND BSD-3-Clause", Some(true)),
        ("Zlib AND BSD-3-Clause OR MIT", Some(true)),
        ("Zlib OR MIT AND BSD-3-Clause", Some(false)),
        // An exception is allowed only with its license.
        ("Apache-2.0 WITH LLVM-exception", Some(true)),
        ("Zlib WITH LLVM-exception", Some(false)),
        ("MIT WITH LLVM-exception", Some(false)),
        ("", None),
        ("MIT OR", None),
        ("(MIT OR Zlib", None),
        ("MIT)", None),
        ("MIT Zlib", None),
        ("WITH LLVM-exception", None),
        ("MIT WITH", None),
        ("MIT AND OR Zlib", None),
    ] {
        let got = parse_license(expression).map(|l| l.is_satisfied_by(&allow));
        assert_eq!(got.clone().ok(), satisfied, "{expression:?}: {got:?}");
    }
}
