//! Whether two resolved specs' `method:` and `pruner:` lines (`resolved`) mean the same search,
//! when one of them was written by another version of Sweep.
//!
//! The lines are the settings in the resolved spec's notation (`resolved::notation`, the `Debug`
//! notation the first records were written in), so a change of a settings type shows in them
//! even where the search it runs does not change: a field that became optional
//! (`multivariate: true`, now `Some(true)`, or `None` for "by the number of objectives"), a
//! field added whose old behaviour is one of its values. Comparing the texts would refuse to
//! resume such an experiment, and a file edited to pin the old value would still read as
//! changed. So both lines are read back into their settings, each under its path of field
//! names (`genetic.crossover.alpha`), `Some(x)` as `x`, a setting whose default depends on the
//! spec as what it resolves to, and a field a record lacks as the value that behaved as the
//! versions before it did (`ADDED`); the two then agree setting by setting. A line that does not
//! read back is compared as text.

use std::collections::BTreeMap;

use crate::TpeConfig;

/// Fields added to a settings type since records were first written, each with the value that
/// runs what the versions without it ran: a record without the field ran with that value.
const ADDED: &[(&str, &str)] = &[
    // Came with CMA-ES with margin: before it, integers kept no margin.
    ("with_margin", "false"),
    // Came with learning-rate adaptation, which is off by default.
    ("lr_adapt", "false"),
    // And with the diagonal covariance, which is off by default.
    ("use_separable_cma", "false"),
    // Came with the grid's settings: before them, a grid ran in order.
    ("shuffle", "false"),
];

/// Variants that had no settings and gained a settings type, as `Debug` writes the names on
/// their path: a record's bare `Grid` is a `Grid(GridConfig { .. })` with the `ADDED` fields.
const GAINED_SETTINGS: &[(&str, &str)] = &[("Grid", "Grid/GridConfig")];

/// Returns whether the search lines `then` (a run record's) and `now` (this version's) run the
/// same search for an experiment of `objectives` objectives.
pub(crate) fn same_search(then: &[&str], now: &[&str], objectives: usize) -> bool {
    then.len() == now.len()
        && then
            .iter()
            .zip(now)
            .all(|(a, b)| *a == *b || same_line(a, b, objectives))
}

/// One `key: value` search line read back.
struct Line<'l> {
    key: &'l str,
    settings: BTreeMap<String, String>,
}

/// Compares one `key: value` line of each.
fn same_line(then: &str, now: &str, objectives: usize) -> bool {
    compared(then, now, objectives)
        .is_some_and(|(then, now)| then.key == now.key && then.settings == now.settings)
}

/// Returns the settings that differ between the search lines `then` and `now` (as
/// `same_search` compares them), one line each: "`method` `with_margin`: false then, true
/// now"; a line that does not read back differs whole.
pub(crate) fn differences(then: &[&str], now: &[&str], objectives: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (a, b) in then.iter().zip(now) {
        match compared(a, b, objectives) {
            Some((then, now)) if then.key == now.key => out.extend(changed(&then, &now)),
            _ if a != b => out.push(format!("{a} then, {b} now")),
            _ => {}
        }
    }
    out
}

/// Returns the settings of one line that differ between `then` and `now`, one line each; a
/// type's or variant's name (its path and `#`) reads as its path's.
fn changed(then: &Line<'_>, now: &Line<'_>) -> Vec<String> {
    let names: std::collections::BTreeSet<&str> = then
        .settings
        .keys()
        .chain(now.settings.keys())
        .map(|k| k.trim_end_matches('#'))
        .collect();
    let value = |settings: &BTreeMap<String, String>, name: &str| {
        settings
            .get(name)
            .or_else(|| settings.get(&format!("{name}#")))
            .cloned()
            .unwrap_or_else(|| "unset".to_string())
    };
    names
        .into_iter()
        .filter_map(|name| {
            let (was, is) = (value(&then.settings, name), value(&now.settings, name));
            (was != is).then(|| {
                let setting = if name.is_empty() {
                    String::new()
                } else {
                    format!(" `{name}`")
                };
                format!("`{}`{setting}: {was} then, {is} now", then.key)
            })
        })
        .collect()
}

/// Reads one `key: value` line of each into its key and settings, resolved and with the
/// fields `then` lacks filled in (`ADDED`); `None` when either does not read back.
fn compared<'l>(then: &'l str, now: &'l str, objectives: usize) -> Option<(Line<'l>, Line<'l>)> {
    let (then_key, then_value) = then.split_once(": ")?;
    let (now_key, now_value) = now.split_once(": ")?;
    let (mut then, mut now) = (settings(then_value)?, settings(now_value)?);
    for (bare, named) in GAINED_SETTINGS {
        if then.len() == 1 && then.get("").is_some_and(|v| v == bare) {
            then = BTreeMap::from([("#".to_string(), (*named).to_string())]);
        }
    }
    for map in [&mut then, &mut now] {
        resolve(map, objectives);
    }
    for (field, old) in ADDED {
        if now.contains_key(*field) {
            then.entry((*field).to_string())
                .or_insert_with(|| (*old).to_string());
        }
    }
    Some((
        Line {
            key: then_key,
            settings: then,
        },
        Line {
            key: now_key,
            settings: now,
        },
    ))
}

/// Writes the settings whose default depends on the spec as what they resolve to.
fn resolve(settings: &mut BTreeMap<String, String>, objectives: usize) {
    if let Some(v) = settings.get_mut("multivariate") {
        if v == "None" {
            *v = (objectives <= TpeConfig::JOINT_UP_TO_OBJECTIVES).to_string();
        }
    }
}

/// Returns the settings in `debug` (a value in `Debug` notation), each under its path of field
/// names; the names of the types and variants on a path under the path and `#`. `None` when it
/// does not read.
fn settings(debug: &str) -> Option<BTreeMap<String, String>> {
    let mut reader = Reader {
        text: debug.as_bytes(),
        at: 0,
        out: BTreeMap::new(),
    };
    reader.value("")?;
    reader.blanks();
    (reader.at == reader.text.len()).then_some(reader.out)
}

/// Reads `Debug` notation: atoms, `Name(values)`, `Name { field: value, .. }`, quoted strings
/// and `[lists]` (kept whole).
struct Reader<'t> {
    text: &'t [u8],
    at: usize,
    out: BTreeMap<String, String>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn blanks(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.blanks();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// Moves past the quoted string that starts here (escapes included).
    fn quoted(&mut self) -> Option<()> {
        self.at += 1;
        while self.peek()? != b'"' {
            self.at += if self.peek()? == b'\\' { 2 } else { 1 };
        }
        self.at += 1;
        Some(())
    }

    /// Returns the text from here to the end of what starts here (a quoted string or a list),
    /// or up to the next delimiter.
    fn atom(&mut self) -> Option<String> {
        let start = self.at;
        match self.peek()? {
            b'"' => self.quoted()?,
            b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.quoted()?;
                            continue;
                        }
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        _ => {}
                    }
                    self.at += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|b| !b"(){}[], :".contains(&b) && b != b'"')
                {
                    self.at += 1;
                }
            }
        }
        let atom = std::str::from_utf8(self.text.get(start..self.at)?).ok()?;
        (!atom.is_empty()).then(|| atom.to_string())
    }

    /// Reads one value into `out` under `path`.
    fn value(&mut self, path: &str) -> Option<()> {
        self.blanks();
        let atom = self.atom()?;
        self.blanks();
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                if atom != "Some" {
                    self.name(path, &atom);
                }
                let at = |k: usize| {
                    if path.is_empty() {
                        k.to_string()
                    } else {
                        format!("{path}.{k}")
                    }
                };
                let mut count = 0;
                loop {
                    self.value(&at(count))?;
                    count += 1;
                    if self.eat(b',').is_none() {
                        break;
                    }
                }
                self.eat(b')')?;
                if count == 1 {
                    // One value in parentheses (`Some(x)`, `Tpe(TpeConfig { .. })`) stands at
                    // the path itself.
                    self.lift(&at(0), path);
                }
                Some(())
            }
            Some(b'{') => {
                self.at += 1;
                self.name(path, &atom);
                loop {
                    self.blanks();
                    if self.peek() == Some(b'}') {
                        break;
                    }
                    let field = self.atom()?;
                    self.eat(b':')?;
                    let sub = if path.is_empty() {
                        field
                    } else {
                        format!("{path}.{field}")
                    };
                    self.value(&sub)?;
                    if self.eat(b',').is_none() {
                        break;
                    }
                }
                self.eat(b'}')
            }
            _ => {
                self.out.insert(path.to_string(), atom);
                Some(())
            }
        }
    }

    /// Moves the settings under `from` to `to`.
    fn lift(&mut self, from: &str, to: &str) {
        let under: Vec<String> = self
            .out
            .keys()
            .filter(|k| {
                k.strip_prefix(from)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '#']))
            })
            .cloned()
            .collect();
        for key in under {
            let Some(value) = self.out.remove(&key) else {
                continue;
            };
            let rest = &key[from.len()..];
            let moved = if to.is_empty() {
                rest.strip_prefix('.').unwrap_or(rest).to_string()
            } else {
                format!("{to}{rest}")
            };
            if moved.ends_with('#') {
                self.name(moved.trim_end_matches('#'), &value);
            } else {
                self.out.insert(moved, value);
            }
        }
    }

    /// Notes that the value at `path` is of the type or variant `name`.
    fn name(&mut self, path: &str, name: &str) {
        let key = format!("{path}#");
        match self.out.get_mut(&key) {
            Some(names) => *names = format!("{names}/{name}"),
            None => {
                self.out.insert(key, name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_TPE: &str = "method: Tpe(TpeConfig { n_startup_trials: 5, n_ei_candidates: 32, \
        multivariate: true, constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true })";
    const NEW_TPE: &str = "method: Tpe(TpeConfig { n_startup_trials: 5, n_ei_candidates: 32, \
        multivariate: None, constant_liar: true, gamma: 0.1, prior_weight: 1.0, magic_clip: true })";

    #[test]
    fn a_setting_that_became_optional_reads_as_what_it_resolves_to() {
        assert!(same_search(
            &[OLD_TPE, "pruner: None"],
            &[NEW_TPE, "pruner: None"],
            1
        ));
        let pinned = NEW_TPE.replace("None", "Some(true)");
        assert!(same_search(&[OLD_TPE], &[pinned.as_str()], 1));
        // With four objectives `None` models one parameter at a time: not what ran.
        assert!(!same_search(&[OLD_TPE], &[NEW_TPE], 4));
        let other = NEW_TPE.replace("gamma: 0.1", "gamma: 0.2");
        assert!(!same_search(&[OLD_TPE], &[other.as_str()], 1));
        assert!(!same_search(&[OLD_TPE, "pruner: None"], &[NEW_TPE], 1));
    }

    #[test]
    fn a_field_a_record_lacks_ran_as_its_old_behaviour() {
        let old = "method: CmaEs(CmaEsConfig { n_startup_trials: 0, popsize: None, sigma0: 0.25, \
                   independent_sampler: Tpe, restart: Ipop })";
        let new = old.replace(
            "Ipop })",
            "Ipop, with_margin: true, lr_adapt: false, use_separable_cma: false })",
        );
        let pinned = new.replace("with_margin: true", "with_margin: false");
        assert!(!same_search(&[old], &[new.as_str()], 1));
        assert!(same_search(&[old], &[pinned.as_str()], 1));
        assert_eq!(
            differences(&[old, "pruner: None"], &[new.as_str(), "pruner: None"], 1),
            ["`method` `with_margin`: false then, true now"]
        );
        // A record of a version between the fields lacks only the later ones.
        let between = old.replace("Ipop })", "Ipop, with_margin: true })");
        assert!(same_search(&[between.as_str()], &[new.as_str()], 1));
        let adapting = new.replace("lr_adapt: false", "lr_adapt: true");
        assert!(!same_search(&[between.as_str()], &[adapting.as_str()], 1));
        // A variant that gained settings: a record's bare `Grid` ran the grid in order.
        let grid = |shuffle: bool| format!("method: Grid(GridConfig {{ shuffle: {shuffle} }})");
        assert!(same_search(&["method: Grid"], &[grid(false).as_str()], 1));
        assert_eq!(
            differences(&["method: Grid"], &[grid(true).as_str()], 1),
            ["`method` `shuffle`: false then, true now"]
        );
        assert!(!same_search(
            &["method: Random"],
            &[grid(false).as_str()],
            1
        ));
        // A field nobody knows the old value of is a change.
        let unknown = old.replace("Ipop })", "Ipop, separable: false })");
        assert!(!same_search(&[old], &[unknown.as_str()], 1));
    }

    #[test]
    fn any_text_is_read_without_a_panic() {
        // Records come from a store a user can corrupt: every prefix and every byte-dropped
        // variant of real lines reads or is refused, and only the whole line compares equal.
        let whole = "method: Nsga3(Nsga3Config { genetic: Nsga2Config { population_size: 50, \
                     crossover: Blx { alpha: 0.5 }, names: [\"a\", \"b]\"] }, label: \"x\\\"y\" })";
        for end in 0..whole.len() {
            let Some(cut) = whole.get(..end) else {
                continue;
            };
            let dropped: String = whole
                .char_indices()
                .filter(|(i, _)| *i != end)
                .map(|(_, c)| c)
                .collect();
            for text in [cut, dropped.as_str()] {
                let _ = same_search(&[text], &[whole], 1);
                let _ = differences(&[text], &[whole], 1);
                let _ = settings(text.get("method: ".len()..).unwrap_or(""));
            }
            assert!(!same_search(&[cut], &[whole], 1));
        }
        assert!(settings(&whole["method: ".len()..]).is_some());
        assert!(same_search(&[whole], &[whole], 1));
    }

    #[test]
    fn nested_settings_and_variants_are_compared_whole() {
        let nsga = |crossover: &str| {
            format!(
                "method: Nsga3(Nsga3Config {{ genetic: Nsga2Config {{ population_size: 50, \
                 mutation_prob: None, crossover_prob: 0.9, crossover: {crossover}, \
                 swapping_prob: 0.5 }}, dividing_parameter: 4 }})"
            )
        };
        let blx = nsga("Blx { alpha: 0.5 }");
        let sbx = nsga("Sbx { eta: Some(20.0) }");
        let sbx_default = nsga("Sbx { eta: None }");
        assert!(same_search(&[blx.as_str()], &[blx.as_str()], 2));
        assert!(!same_search(&[blx.as_str()], &[sbx.as_str()], 2));
        assert!(!same_search(&[sbx.as_str()], &[sbx_default.as_str()], 2));
        assert!(!same_search(
            &[blx.as_str()],
            &[nsga("Uniform").as_str()],
            2
        ));
        let read = settings(&blx["method: ".len()..]).unwrap_or_default();
        assert_eq!(
            read.get("genetic.crossover.alpha").map(String::as_str),
            Some("0.5")
        );
        assert_eq!(
            read.get("genetic.crossover#").map(String::as_str),
            Some("Blx")
        );
        assert_eq!(read.get("#").map(String::as_str), Some("Nsga3/Nsga3Config"));
        // Text that does not read is compared as text.
        assert!(!same_search(&["method: Tpe(("], &["method: Tpe("], 1));
        assert!(same_search(&["method: Tpe(("], &["method: Tpe(("], 1));
        assert!(!same_search(
            &["pruner: Some(Asha { min_resource: 1, reduction_factor: 3 })"],
            &["pruner: Some(Asha { min_resource: 2, reduction_factor: 3 })"],
            1
        ));
    }
}
