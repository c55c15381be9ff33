//! The YAML layer: text in, a small tree of scalars, sequences and mappings out, each node with
//! the line and column where it starts.
//!
//! This is the only file that names `yaml_rust2`, so swapping the YAML crate touches nothing
//! else. It drives the parser's event stream with an explicit stack instead of the crate's
//! recursive `load`, so that deeply nested input is an error rather than a stack overflow.
//! Plain scalars are typed with the YAML 1.2 core schema (`1e-4` is a float, `yes` is a string);
//! quoted and block scalars are always strings. Anchors, aliases and tags other than `!!str` are
//! refused: a spec has no use for them, and aliases would let a small file expand without bound.

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::syntax;

/// How deep mappings and sequences may nest; a spec needs four levels.
const MAX_DEPTH: usize = 64;

/// A position in the text, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pos {
    pub(super) line: usize,
    pub(super) column: usize,
}

/// A problem found in the text, before it becomes a `SpecError` with its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub(super) pos: Pos,
    pub(super) field: String,
    pub(super) message: String,
}

/// A typed scalar.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A node of the tree and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) pos: Pos,
    pub(super) kind: Kind,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A scalar, with the text it was written as (for messages and exact integer parsing).
    Scalar {
        value: Scalar,
        text: String,
    },
    Seq(Vec<Node>),
    /// Entries in the order written; keys are unique.
    Map(Vec<Entry>),
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) key_pos: Pos,
    pub(super) value: Node,
}

impl Node {
    /// Returns the value of `key` where this node is a mapping that has the key.
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => value_of(entries, key),
            _ => None,
        }
    }
}

/// Returns the value of `key` among the `entries` of a mapping, if written: the one place that
/// looks a key up in a mapping of the tree.
pub(super) fn value_of<'n>(entries: &'n [Entry], key: &str) -> Option<&'n Node> {
    entries.iter().find(|e| e.key == key).map(|e| &e.value)
}

impl Pos {
    /// The first character of the text.
    pub(super) const START: Pos = Pos { line: 1, column: 1 };
}

impl Problem {
    pub(super) fn new(pos: Pos, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            pos,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Reads `text` into a tree; returns no node for an empty document.
///
/// Problems that leave the tree usable (duplicate keys: the first one wins) come back with the
/// tree; a syntax error ends reading and comes back without one.
pub(super) fn read(text: &str) -> (Option<Node>, Vec<Problem>) {
    // A control character is refused before parsing: YAML does not allow one in its text, and
    // the parser ends the text at a NUL, so the rest of the file would be lost without a word.
    let controls = syntax::control_characters(text);
    if !controls.is_empty() {
        return (None, controls);
    }
    if let Some(problem) = other_yaml_version(text) {
        return (None, vec![problem]);
    }
    let mut builder = Builder::default();
    match builder.run(text) {
        Ok(()) => (builder.root, builder.problems),
        Err(fatal) => {
            let mut problems = builder.problems;
            problems.extend(explained(text, fatal));
            (None, problems)
        }
    }
}

/// Returns the problems to show for the syntax error `fatal`: the characters that look like
/// YAML's own (a no-break space, a full-width colon, an invisible one) on the line where the
/// parser stopped or the line before, which it read on from, then `fatal` itself (such a
/// character may be text that belongs there, and the error another mistake). A character on
/// another line is no cause of this error, and is not named.
fn explained(text: &str, fatal: Problem) -> Vec<Problem> {
    let stopped = fatal.pos.line;
    let near: Vec<Problem> = syntax::look_alikes(text)
        .into_iter()
        .map(|found| found.problem)
        .filter(|p| p.pos.line == stopped || p.pos.line + 1 == stopped)
        .collect();
    let mut problems = syntax::counted(near);
    problems.push(fatal);
    problems
}

/// Returns the problem of a `%YAML` directive for another version than 1.2, the one the file is
/// read as: under `%YAML 1.1` a user means `010` as eight and `yes` as true, and would get ten
/// and a string.
fn other_yaml_version(text: &str) -> Option<Problem> {
    text.split('\n').enumerate().find_map(|(l, line)| {
        let version = line.strip_prefix("%YAML")?.split_whitespace().next()?;
        (version != "1.2").then(|| {
            let pos = Pos {
                line: l + 1,
                column: 1,
            };
            let message = format!(
                "`%YAML {version}`: experiment files are read as YAML 1.2 (in which `010` is ten \
                 and `yes` is text); delete the line and write the values as YAML 1.2 reads them"
            );
            Problem::new(pos, "", message)
        })
    })
}

enum Frame {
    Seq {
        pos: Pos,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        entries: Vec<Entry>,
        key: Option<(String, Pos)>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    problems: Vec<Problem>,
}

impl Builder {
    fn run(&mut self, text: &str) -> Result<(), Problem> {
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = parser
                .next_token()
                .map_err(|e| syntax::syntax_problem(text, pos_of(e.marker()), e.info()))?;
            let pos = pos_of(&mark);
            match event {
                Event::StreamEnd => return Ok(()),
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Problem::new(
                            pos,
                            "",
                            "expected a single yaml document, found a second one",
                        ));
                    }
                }
                Event::Alias(_) => {
                    return Err(Problem::new(
                        pos,
                        &self.path(),
                        "yaml aliases (`*name`) are not supported; write the value out",
                    ))
                }
                Event::Scalar(text, style, _anchor, tag) => self.scalar(text, style, tag, pos)?,
                Event::SequenceStart(_anchor, tag) => {
                    self.open(tag, pos)?;
                    self.stack.push(Frame::Seq {
                        pos,
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(_anchor, tag) => {
                    self.open(tag, pos)?;
                    self.stack.push(Frame::Map {
                        pos,
                        entries: Vec::new(),
                        key: None,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let node = match self.stack.pop() {
                        Some(Frame::Seq { pos, items }) => Node {
                            pos,
                            kind: Kind::Seq(items),
                        },
                        Some(Frame::Map { pos, entries, .. }) => Node {
                            pos,
                            kind: Kind::Map(entries),
                        },
                        None => return Err(Problem::new(pos, "", "unbalanced yaml collections")),
                    };
                    self.push(node)?;
                }
            }
        }
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        tag: Option<Tag>,
        mut pos: Pos,
    ) -> Result<(), Problem> {
        let value = match (&tag, style) {
            (Some(tag), _) if is_core_tag(tag, "str") => Scalar::Str(text.clone()),
            (Some(tag), _) => return Err(self.tag_problem(tag, pos)),
            (None, TScalarStyle::Plain) => plain_scalar(&text),
            (None, _) => Scalar::Str(text.clone()),
        };
        // An empty value (`seed:`) is reported by the parser where the next token starts, often
        // on the next line; its key is a better place to point at.
        if text.is_empty() && style == TScalarStyle::Plain {
            if let Some(Frame::Map {
                key: Some((_, key_pos)),
                ..
            }) = self.stack.last()
            {
                pos = *key_pos;
            }
        }
        self.push(Node {
            pos,
            kind: Kind::Scalar { value, text },
        })
    }

    fn open(&mut self, tag: Option<Tag>, pos: Pos) -> Result<(), Problem> {
        if let Some(tag) = tag {
            return Err(self.tag_problem(&tag, pos));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem::new(
                pos,
                "",
                format!("mappings and sequences nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn tag_problem(&self, tag: &Tag, pos: Pos) -> Problem {
        let shown = match tag.handle.as_str() {
            "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
            handle => format!("{handle}{}", tag.suffix),
        };
        Problem::new(
            pos,
            &self.path(),
            format!("yaml tags such as `{shown}` are not supported"),
        )
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    fn push(&mut self, node: Node) -> Result<(), Problem> {
        let duplicate = match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                return Ok(());
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                return Ok(());
            }
            Some(Frame::Map { pos, entries, key }) => match key.take() {
                None => {
                    let Kind::Scalar { text, .. } = node.kind else {
                        return Err(Problem::new(
                            node.pos,
                            "",
                            "mapping keys must be plain names, found a collection",
                        ));
                    };
                    if text == "<<" {
                        return Err(Problem::new(
                            node.pos,
                            &self.path(),
                            "yaml merge keys (`<<:`) are not supported; write the keys out",
                        ));
                    }
                    // A block mapping's start event points after its first key.
                    if entries.is_empty() && node.pos < *pos {
                        *pos = node.pos;
                    }
                    *key = Some((text, node.pos));
                    return Ok(());
                }
                Some((key, key_pos)) => match entries.iter().find(|e| e.key == key) {
                    Some(first) => (key, key_pos, first.key_pos),
                    None => {
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                        return Ok(());
                    }
                },
            },
        };
        let (key, key_pos, first) = duplicate;
        let field = join(&self.path(), &key);
        // Two on one line (`{lr: .., lr: ..}`) are told apart by their columns.
        let place = if first.line == key_pos.line {
            format!("at column {} of this line", first.column)
        } else {
            format!("on line {}", first.line)
        };
        self.problems.push(Problem::new(
            key_pos,
            &field,
            format!("duplicate key `{key}`; it is first written {place}"),
        ));
        Ok(())
    }

    /// Returns the dotted path of the node being read, e.g. `parameters.hidden.values[2]`.
    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Map {
                    key: Some((key, _)),
                    ..
                } => path = join(&path, key),
                Frame::Map { key: None, .. } => {}
                Frame::Seq { items, .. } => path = format!("{path}[{}]", items.len()),
            }
        }
        path
    }
}

/// Joins a dotted path and a key: `join("data", "csv")` is `data.csv`.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn pos_of(mark: &Marker) -> Pos {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Pos {
        line: mark.line().max(1),
        column: mark.col() + 1,
    }
}

fn is_core_tag(tag: &Tag, suffix: &str) -> bool {
    tag.handle == "tag:yaml.org,2002:" && tag.suffix == suffix
}

/// Types a plain scalar by the YAML 1.2 core schema.
fn plain_scalar(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Scalar::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Scalar::Int(i);
        }
    }
    if let Ok(i) = text.parse::<i64>() {
        return Scalar::Int(i);
    }
    // Rust's float syntax is the core schema's plus `inf` and `nan` spelled out, which have no
    // digit; requiring one keeps those as strings.
    if text.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(x) = text.parse::<f64>() {
            return Scalar::Float(x);
        }
    }
    Scalar::Str(text.to_string())
}

/// Returns the text's content without its comments, layout or quoting: every scalar typed (or a
/// string as written), mappings in the order written; `None` when the text does not parse.
/// Two texts with the same content are the same experiment file to read.
pub(super) fn content(text: &str) -> Option<String> {
    let (Some(node), problems) = read(text) else {
        return None;
    };
    if !problems.is_empty() {
        return None;
    }
    let mut out = String::new();
    write_content(&node, &mut out);
    Some(out)
}

fn write_content(node: &Node, out: &mut String) {
    match &node.kind {
        Kind::Scalar { value, .. } => out.push_str(&format!("{value:?}")),
        Kind::Seq(items) => {
            out.push('[');
            for item in items {
                write_content(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Kind::Map(entries) => {
            out.push('{');
            for entry in entries {
                out.push_str(&format!("{:?}:", entry.key));
                write_content(&entry.value, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let cases = [
            ("", Scalar::Null),
            ("~", Scalar::Null),
            ("true", Scalar::Bool(true)),
            ("False", Scalar::Bool(false)),
            ("yes", Scalar::Str("yes".into())),
            ("42", Scalar::Int(42)),
            ("-7", Scalar::Int(-7)),
            ("+7", Scalar::Int(7)),
            ("0x1f", Scalar::Int(31)),
            ("0o17", Scalar::Int(15)),
            ("1e-4", Scalar::Float(1e-4)),
            ("1.0e-4", Scalar::Float(1e-4)),
            (".5", Scalar::Float(0.5)),
            ("3.", Scalar::Float(3.0)),
            ("-.inf", Scalar::Float(f64::NEG_INFINITY)),
            ("inf", Scalar::Str("inf".into())),
            ("nan", Scalar::Str("nan".into())),
            ("1_000", Scalar::Str("1_000".into())),
            (
                "9223372036854775808",
                Scalar::Float(9.223_372_036_854_776e18),
            ),
            ("0x", Scalar::Str("0x".into())),
            // Read as earlier versions read them: a stored spec must mean what it meant (a
            // constraint's bound written so was lost on upgrade when this became text).
            ("0x-1", Scalar::Int(-1)),
            ("0o+7", Scalar::Int(7)),
        ];
        for (text, want) in cases {
            assert_eq!(plain_scalar(text), want, "{text:?}");
        }
    }

    #[test]
    fn nodes_start_where_they_are_written() {
        let (root, problems) = read("a:\n  b: [1, 'x']\nc:\n");
        assert_eq!(problems, []);
        let Some(Node {
            pos,
            kind: Kind::Map(entries),
        }) = root
        else {
            panic!("not a mapping: {root:?}");
        };
        // A block mapping starts at its first key, not at the `:` the parser reports.
        assert_eq!(pos, Pos { line: 1, column: 1 });
        let starts: Vec<(&str, Pos, Pos)> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.key_pos, e.value.pos))
            .collect();
        // An empty value is placed at its key rather than at the next token.
        assert_eq!(
            starts,
            [
                ("a", Pos { line: 1, column: 1 }, Pos { line: 2, column: 3 }),
                ("c", Pos { line: 3, column: 1 }, Pos { line: 3, column: 1 }),
            ]
        );
    }
}
