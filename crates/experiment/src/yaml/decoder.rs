//! Typed reading of tree nodes, with every mistake recorded rather than returned.
//!
//! Each getter returns `None` after recording a problem, so callers write
//! `d.int(node, "seed")` and move on: one pass over the tree finds every error. A node that is
//! broken is not descended into, so one mistake gives one message, not a cascade.

use std::collections::BTreeMap;

use crate::words::found_number;
use crate::{suggest, ParamValue};

pub(super) use super::quote::shorten;
use super::syntax::{self, Allowed};
use super::tree::{join, value_of, Entry, Kind, Node, Pos, Problem, Scalar};

/// Collects the problems found while decoding.
#[derive(Debug, Default)]
pub(super) struct Decoder {
    pub(super) problems: Vec<Problem>,
    /// Where some fields are written, by dotted path, for the spec to keep
    /// (`ExperimentSpec::metric_locations`).
    pub(super) located: BTreeMap<String, Pos>,
    /// The long lists already given in a message (`first_time`), not repeated in the next.
    listed: std::collections::BTreeSet<&'static str>,
}

/// A mapping being decoded: where it starts, its dotted path and its entries.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'n> {
    pub(super) pos: Pos,
    pub(super) path: &'n str,
    pub(super) entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    /// Returns the value of `key`, if written.
    pub(super) fn get(&self, key: &str) -> Option<&'n Node> {
        value_of(self.entries, key)
    }

    /// Returns the dotted path of `key` in this mapping.
    pub(super) fn path(&self, key: &str) -> String {
        join(self.path, key)
    }
}

impl Decoder {
    /// Returns true the first time it is asked about `list`: a message gives a long list (the
    /// knobs) once, and the ones after it point to it.
    pub(super) fn first_time(&mut self, list: &'static str) -> bool {
        self.listed.insert(list)
    }

    /// Records a problem.
    pub(super) fn error(&mut self, pos: Pos, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(pos, field, message));
    }

    /// Returns how many problems are recorded so far.
    pub(super) fn error_count(&self) -> usize {
        self.problems.len()
    }

    /// Reads a mapping whose keys must all be in `expected`.
    pub(super) fn fields<'n>(
        &mut self,
        node: &'n Node,
        path: &'n str,
        expected: &[&str],
    ) -> Option<Fields<'n>> {
        self.fields_refusing(node, path, expected, &[])
    }

    /// As `fields`, where the keys of `refused` are known but have no place here: each is
    /// reported as "`key` " and its reason, rather than as an unknown key.
    pub(super) fn fields_refusing<'n>(
        &mut self,
        node: &'n Node,
        path: &'n str,
        expected: &[&str],
        refused: &[(&str, &str)],
    ) -> Option<Fields<'n>> {
        let fields = self.mapping(node, path)?;
        for entry in fields.entries {
            if !expected.contains(&entry.key.as_str()) {
                self.not_expected(entry, path, expected, refused);
            }
        }
        Some(fields)
    }

    /// Records that `entry` is not one of the `expected` keys of the mapping at `path`: as
    /// "`key` " and its reason when `refused` names it, else as an unknown key.
    pub(super) fn not_expected(
        &mut self,
        entry: &Entry,
        path: &str,
        expected: &[&str],
        refused: &[(&str, &str)],
    ) {
        match refused.iter().find(|(key, _)| *key == entry.key) {
            Some((key, why)) => {
                self.error(entry.key_pos, &join(path, key), format!("`{key}` {why}"));
            }
            None => self.unknown_key(entry, path, expected),
        }
    }

    /// Reads a mapping with any keys.
    pub(super) fn mapping<'n>(&mut self, node: &'n Node, path: &'n str) -> Option<Fields<'n>> {
        match &node.kind {
            Kind::Map(entries) => Some(Fields {
                pos: node.pos,
                path,
                entries,
            }),
            _ => {
                let hint = written_as(path, node).map_or_else(String::new, |h| format!("; {h}"));
                self.error(
                    node.pos,
                    path,
                    format!("expected a mapping, found {}{hint}", describe(node)),
                );
                None
            }
        }
    }

    /// Records that `entry` is not one of the `expected` keys of the mapping at `path`.
    pub(super) fn unknown_key(&mut self, entry: &Entry, path: &str, expected: &[&str]) {
        self.misplaced_key(entry, path, expected, None);
    }

    /// Reports `entry` as a key not among `expected` at `path`; `elsewhere` says where it
    /// belongs when it is a key of another block (e.g. "a setting of `cmaes`, not of `tpe`").
    pub(super) fn misplaced_key(
        &mut self,
        entry: &Entry,
        path: &str,
        expected: &[&str],
        elsewhere: Option<&str>,
    ) {
        let hint = did_you_mean(&entry.key, expected.iter().copied());
        let what = match elsewhere {
            Some(place) => format!("`{}` is {place}", shorten(&entry.key)),
            None => format!("unknown key `{}`", shorten(&entry.key)),
        };
        // A key with an invisible character in it (a no-break space indenting it) shows as a
        // key the format knows: the character is named.
        let what = match syntax::key_look_alike(&entry.key) {
            Some(why) => format!("{what}, {why}"),
            None => what,
        };
        self.error(
            entry.key_pos,
            &join(path, &entry.key),
            format!("{what}{hint}expected keys: {}", expected.join(", ")),
        );
    }

    /// Returns the value of a required key, or records that it is missing.
    pub(super) fn required<'n>(&mut self, fields: &Fields<'n>, key: &str) -> Option<&'n Node> {
        let node = fields.get(key);
        if node.is_none() {
            self.error(
                fields.pos,
                &fields.path(key),
                format!("missing required key `{key}`"),
            );
        }
        node
    }

    /// Reads the optional `true` or `false` at `key`, or returns `default` when it is absent.
    pub(super) fn flag(&mut self, fields: &Fields<'_>, key: &str, default: bool) -> Option<bool> {
        match fields.get(key) {
            None => Some(default),
            Some(n) => self.boolean(n, &fields.path(key)),
        }
    }

    /// Reads an integer; a whole number written with a fraction (`16.0`, as pandas writes
    /// integers) is that integer where it is exact (as `ParamValue::as_i64` reads it), as it is
    /// for a knob's value in `train:` or `values:`.
    pub(super) fn int(&mut self, node: &Node, path: &str) -> Option<i64> {
        if let Some(text) = overlong_integer(node) {
            self.error(
                node.pos,
                path,
                format!("`{text}` is too large an integer (at most {})", i64::MAX),
            );
            return None;
        }
        match scalar(node) {
            Some(Scalar::Int(i)) => Some(*i),
            // Exact only as far as `ParamValue::as_i64` reads one: past that a number written
            // with a fraction or an exponent is rounded (`9007199254740993.0` reads as
            // ...992), so it is refused rather than stored as another number.
            Some(Scalar::Float(x)) if x.fract() == 0.0 => {
                let exact = ParamValue::Float(*x).as_i64();
                if exact.is_none() {
                    self.error(
                        node.pos,
                        path,
                        format!(
                            "expected an integer, found {}, too large to be read exactly with a \
                             fraction or an exponent (a number so written is rounded past \
                             9e15); write the integer in digits, without the fraction",
                            describe(node)
                        ),
                    );
                }
                exact
            }
            _ => self.expected("an integer", node, path),
        }
    }

    /// Reads an integer from `min` to `max`; one outside, however many digits it has, is
    /// refused with the range and the integer as written.
    pub(super) fn count_in(
        &mut self,
        node: &Node,
        path: &str,
        (min, max): (u32, u32),
    ) -> Option<u32> {
        let out_of_range = |d: &mut Decoder, written: &str, below: bool| {
            // The type's own limit is no limit the user set: said as "at least" to a value
            // below the range, and as the largest the field holds to one above it.
            let range = match max {
                u32::MAX if below => {
                    format!("must be an integer of at least {min}, found {written}")
                }
                u32::MAX => format!(
                    "must be an integer from {min} to {max} (the largest this field holds), \
                     found {written}"
                ),
                _ => format!("must be an integer from {min} to {max}, found {written}"),
            };
            d.error(node.pos, path, range);
            None
        };
        if let Some(text) = overlong_integer(node) {
            return out_of_range(self, text, text.starts_with('-'));
        }
        let i = self.int(node, path)?;
        match u32::try_from(i) {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => out_of_range(self, &i.to_string(), i < i64::from(min)),
        }
    }

    /// Reads a finite number; integers are accepted.
    pub(super) fn number(&mut self, node: &Node, path: &str) -> Option<f64> {
        let x = match scalar(node) {
            Some(Scalar::Int(i)) => *i as f64,
            Some(Scalar::Float(x)) => *x,
            _ => return self.expected("a number", node, path),
        };
        if !x.is_finite() {
            return self.not_finite(node, path);
        }
        Some(x)
    }

    /// Reads a finite number that is not negative.
    pub(super) fn non_negative(&mut self, node: &Node, path: &str) -> Option<f64> {
        let x = self.number(node, path)?;
        if x < 0.0 {
            self.error(
                node.pos,
                path,
                format!("must not be negative, found {}", found_number(x, &[0.0])),
            );
            return None;
        }
        Some(x)
    }

    /// Reads `true` or `false`.
    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match scalar(node) {
            Some(Scalar::Bool(b)) => Some(*b),
            _ => self.expected("true or false", node, path),
        }
    }

    /// Reads text that names something (a column, a file, the experiment); a number is taken
    /// as written (`target: 0` names column `0`). Text that holds a control character or a
    /// bidirectional control is refused (`syntax::Allowed::Visible`).
    pub(super) fn text(&mut self, node: &Node, path: &str) -> Option<String> {
        self.text_allowing(node, path, Allowed::Visible)
    }

    /// Reads free text, as `text` reads a name, but which may keep tabs, line breaks and
    /// bidirectional controls (`syntax::Allowed::Layout`): a description.
    pub(super) fn free_text(&mut self, node: &Node, path: &str) -> Option<String> {
        self.text_allowing(node, path, Allowed::Layout)
    }

    /// Reads a file's path as `text` reads a name, but which may hold any character a file's
    /// name may (`syntax::Allowed::Path`): a data file, a warm start's file, a gate's baseline.
    pub(super) fn path_text(&mut self, node: &Node, path: &str) -> Option<String> {
        self.text_allowing(node, path, Allowed::Path)
    }

    /// Reads text, number or string as written, refusing characters `allowed` leaves out.
    fn text_allowing(&mut self, node: &Node, path: &str, allowed: Allowed) -> Option<String> {
        match &node.kind {
            Kind::Scalar {
                value: Scalar::Str(_) | Scalar::Int(_) | Scalar::Float(_),
                text,
            } => self
                .shown_characters(node.pos, path, text, allowed)
                .then(|| text.clone()),
            _ => self.expected("text", node, path),
        }
    }

    /// Returns whether `text`, read at `pos`, holds only characters `allowed` lets through;
    /// records the problem that names the first other one when not.
    pub(super) fn shown_characters(
        &mut self,
        pos: Pos,
        path: &str,
        text: &str,
        allowed: Allowed,
    ) -> bool {
        match syntax::refused_character(text, allowed) {
            Some(ch) => {
                self.error(pos, path, syntax::refused_character_message(text, ch));
                false
            }
            None => true,
        }
    }

    /// Reads one of a fixed set of names; `what` names the set in messages (`method`).
    pub(super) fn choice<'c>(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
        choices: &[&'c str],
    ) -> Option<&'c str> {
        let list = choices.join(", ");
        let Some(Scalar::Str(s)) = scalar(node) else {
            return self.expected(&format!("one of {list}"), node, path);
        };
        if !self.shown_characters(node.pos, path, s, Allowed::Visible) {
            return None;
        }
        if let Some(found) = choices.iter().find(|c| **c == s.as_str()) {
            return Some(found);
        }
        let hint = did_you_mean(s, choices.iter().copied());
        self.error(
            node.pos,
            path,
            format!(
                "unknown {what} `{}`{hint}expected one of {list}",
                shorten(s)
            ),
        );
        None
    }

    /// Reads one scalar value of a knob; a name that holds a control character or a
    /// bidirectional control is refused (`syntax::Allowed::Visible`).
    pub(super) fn value(&mut self, node: &Node, path: &str) -> Option<ParamValue> {
        match scalar(node) {
            Some(Scalar::Int(i)) => Some(ParamValue::Int(*i)),
            Some(Scalar::Float(x)) if x.is_finite() => Some(ParamValue::Float(*x)),
            Some(Scalar::Str(s)) => self
                .shown_characters(node.pos, path, s, Allowed::Visible)
                .then(|| ParamValue::Str(s.clone())),
            Some(Scalar::Bool(b)) => Some(ParamValue::Bool(*b)),
            Some(Scalar::Float(_)) => self.not_finite(node, path),
            Some(Scalar::Null) => {
                self.expected("a value (a number, a name, true or false)", node, path)
            }
            None => self.expected("a single value", node, path),
        }
    }

    /// Reads a sequence.
    pub(super) fn seq<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.kind {
            Kind::Seq(items) => Some(items),
            _ => self.expected("a sequence such as `[1, 2]`", node, path),
        }
    }

    /// Records that `node` holds no finite number, and where it is a number written past the
    /// largest float (`1e400`), that it is.
    fn not_finite<T>(&mut self, node: &Node, path: &str) -> Option<T> {
        let past = match &node.kind {
            Kind::Scalar {
                value: Scalar::Float(x),
                text,
            } => super::quote::rounding(text, *x),
            _ => None,
        };
        match past {
            Some(past) => self.expected(&format!("a finite number ({past})"), node, path),
            None => self.expected("a finite number", node, path),
        }
    }

    fn expected<T>(&mut self, what: &str, node: &Node, path: &str) -> Option<T> {
        self.error(
            node.pos,
            path,
            format!("expected {what}, found {}", describe(node)),
        );
        None
    }
}

/// Returns whether `text` is an integer as written: digits, after a sign.
pub(super) fn is_integer_text(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Returns, as written, an integer too long for an i64, which reads as a float.
fn overlong_integer(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar {
            value: Scalar::Float(_),
            text,
        } if is_integer_text(text) => Some(text),
        _ => None,
    }
}

/// Returns the scalar a node holds.
pub(super) fn scalar(node: &Node) -> Option<&Scalar> {
    match &node.kind {
        Kind::Scalar { value, .. } => Some(value),
        _ => None,
    }
}

/// How the block at `path` is written, for a scalar given in place of its mapping: what a user
/// of W&B's or Optuna's words most likely meant (`pruner: asha`, `model: cnn`; `metric:
/// val_loss` is said by `objectives::objectives`, with the goal the file asks for).
fn written_as(path: &str, node: &Node) -> Option<String> {
    let Kind::Scalar { text, .. } = &node.kind else {
        return None;
    };
    let text = shorten(text);
    match path {
        "pruner" => Some(match super::pruner::other_type(&text) {
            Some((ours, whose)) => format!(
                "a rule is written `{{type: {ours}}}` (`{text}` is {whose} name for `{ours}`), \
                 with its settings beside `type`"
            ),
            None => {
                format!("a rule is written `{{type: {text}}}`, with its settings beside `type`")
            }
        }),
        "sampler" => Some(format!(
            "the sampler is chosen with `method: {text}`; `sampler:` holds its settings, such as \
             `{{n_startup_trials: 10}}`"
        )),
        "model" => Some(match text.to_ascii_lowercase().as_str() {
            kind @ ("mlp" | "cnn") => {
                format!("a model is written `{{kind: {kind}}}`, with its knobs beside `kind`")
            }
            _ => "a model is written `{kind: mlp}` or `{kind: cnn}`, with its knobs beside `kind`"
                .to_string(),
        }),
        "train.early_stopping" => {
            Some("it is written such as `{metric: val_loss, patience: 5}`".to_string())
        }
        _ => None,
    }
}

/// Describes a node for messages: "string `abc`", "a mapping", "nothing".
pub(super) fn describe(node: &Node) -> String {
    match &node.kind {
        Kind::Scalar {
            value: Scalar::Null,
            text,
        } if text.is_empty() => "nothing".to_string(),
        Kind::Scalar { value, text } => {
            let kind = match value {
                Scalar::Null => "null",
                Scalar::Bool(_) => "boolean",
                Scalar::Int(_) => "integer",
                Scalar::Float(_) => "number",
                Scalar::Str(_) => "string",
            };
            format!("{kind} `{}`", shorten(text))
        }
        Kind::Seq(_) => "a sequence".to_string(),
        Kind::Map(_) => "a mapping".to_string(),
    }
}

/// Returns "; did you mean `x`? " for the candidate closest to `word`, or "; " when none is
/// close, to sit between what is wrong and the list of what is expected.
pub(super) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> String {
    match suggest(word, candidates) {
        Some(c) => format!("; did you mean `{c}`? "),
        None => "; ".to_string(),
    }
}
