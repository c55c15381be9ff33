//! Agents' headers compared: whether two are of one study (`same_study`), what differs
//! between them for a refusal, and what is wrong with a header's counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use experiment::ExperimentSpec;

use super::{AgentHeader, MAX_AGENTS};

/// Returns whether `found` and `expected` are headers of one study: equal, but for the experiment
/// file's text, whose copies may differ as a single process's file may between runs it
/// resumes (`experiment::ExperimentSpec::texts_mean_the_same`): in comments, layout and
/// quoting, and in the paths of the files it names (its data, a warm start's file of results,
/// a gate's baseline), since where those lie is no part of the study; what they hold is, and
/// the headers carry it (`data_hash`, `warm_hash`), compared here as the rest.
pub(super) fn same_study(found: &AgentHeader, expected: &AgentHeader) -> bool {
    let but_text = |h: &AgentHeader| AgentHeader {
        spec_hash: String::new(),
        spec_text: String::new(),
        ..h.clone()
    };
    found == expected
        || (but_text(found) == but_text(expected)
            && !found.spec_text.is_empty()
            && !expected.spec_text.is_empty()
            && experiment::ExperimentSpec::texts_mean_the_same(
                &found.spec_text,
                &expected.spec_text,
            ))
}

/// Names what differs between the header `found` and the one `expected`, each as "what: there,
/// here".
pub(super) fn differences(found: &AgentHeader, expected: &AgentHeader) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |what: &str, there: String, here: String| {
        if there != here {
            out.push(format!("{what}: {there} there, {here} here"));
        }
    };
    differ(
        "experiment",
        found.experiment.clone(),
        expected.experiment.clone(),
    );
    differ("agent", found.agent.to_string(), expected.agent.to_string());
    differ(
        "agents",
        found.agents.to_string(),
        expected.agents.to_string(),
    );
    differ(
        "parallel",
        found.parallel.to_string(),
        expected.parallel.to_string(),
    );
    differ(
        "planned trials",
        found.planned.to_string(),
        expected.planned.to_string(),
    );
    let short = |hash: &str| experiment::short_hash(hash).to_string();
    // Copies whose texts mean the same (comments, layout, where its files lie) differ in
    // nothing to say; copies that differ, in the settings they mean otherwise.
    let (there, here) = (found.spec_text.as_str(), expected.spec_text.as_str());
    let carried = !there.is_empty() && !here.is_empty();
    let same = found.spec_hash == expected.spec_hash
        || (carried && ExperimentSpec::texts_mean_the_same(there, here));
    if !same {
        differ(
            "spec text sha256",
            short(&found.spec_hash),
            short(&expected.spec_hash),
        );
    }
    let text_said = (carried && !same).then(|| match setting_differences(there, here) {
        Some(settings) => format!("the file's settings that differ: {settings}"),
        None => format!(
            "the file's lines that differ: {}",
            text_differences(there, here)
        ),
    });
    differ(
        "data sha256",
        short(&found.data_hash),
        short(&expected.data_hash),
    );
    let warm = |hash: &str| {
        if hash.is_empty() {
            "none".to_string()
        } else {
            short(hash)
        }
    };
    differ(
        "warm start sha256",
        warm(&found.warm_hash),
        warm(&expected.warm_hash),
    );
    // What the file's copies mean differently, last, where both journals carry the text.
    if let Some(settings) = text_said {
        out.push(settings);
    }
    out
}

/// Names the settings of the experiment file's text `there` that `here` sets otherwise, each as
/// the YAML writes it, with its defaults filled in (`ExperimentSpec::readable_resolved`, as a
/// single process refusing an edited file shows them): `train.epochs: 3 there, 2 here`; a
/// setting only one side has, `absent` on the other. What means the same (the paths of the
/// files it names, a sampler's settings that search alike: `ExperimentSpec::resolves_as`) is
/// left out. `None` where a text does not parse, or no setting differs (a line the reader
/// does not know), for the raw lines to be shown instead (`text_differences`).
fn setting_differences(there: &str, here: &str) -> Option<String> {
    let file = Path::new("spec.yaml");
    let then = ExperimentSpec::from_yaml_str(there, file).ok()?;
    let now = ExperimentSpec::from_yaml_str(here, file).ok()?;
    let (then, resolved) = (then.resolved(), now.resolved());
    let settings = |text: &str| -> BTreeMap<String, String> {
        let mut keyed = BTreeMap::new();
        for line in text.lines() {
            let key = line.split_once(": ").map_or(line, |(key, _)| key);
            keyed.insert(key.to_string(), line.to_string());
        }
        keyed
    };
    let (before, after) = (settings(&then), settings(&resolved));
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    // Each side's line in the YAML's words, its key left off.
    let value = |line: Option<&String>| match line {
        Some(line) => {
            let readable = ExperimentSpec::readable_resolved(line);
            match readable.split_once(": ") {
                Some((_, value)) => value.to_string(),
                None => readable,
            }
        }
        None => "absent".to_string(),
    };
    let said: Vec<String> = keys
        .into_iter()
        .filter_map(|key| {
            let (a, b) = (before.get(key), after.get(key));
            let alike = match (a, b) {
                (Some(a), Some(b)) => a == b || now.resolves_as(a, b),
                _ => false,
            };
            (!alike).then(|| format!("{key}: {} there, {} here", value(a), value(b)))
        })
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// Names the lines of the experiment file's text `there` that `here` lacks, and the other way
/// round, the first few of each with their line numbers, as `line 17 there: `...`; line 17
/// here: `...``: what an agent's copy of the file changed, where a copy does not parse
/// (`setting_differences`).
fn text_differences(there: &str, here: &str) -> String {
    const SHOWN: usize = 3;
    // Lines compared without their ends, so that line endings alone show nothing.
    let only = |text: &str, other: &str, side: &str| -> Vec<String> {
        let others: BTreeSet<&str> = other.lines().map(str::trim_end).collect();
        text.lines()
            .map(str::trim_end)
            .enumerate()
            .filter(|(_, line)| !others.contains(line))
            .take(SHOWN)
            .map(|(i, line)| format!("line {} {side}: `{line}`", i + 1))
            .collect()
    };
    let mut said = only(there, here, "there");
    said.extend(only(here, there, "here"));
    said.join("; ")
}

/// Returns what is wrong with a header's counts, if anything: each agent of a study gets a
/// reader of its journal, so a count past any real study's (hand-edited, damaged) would ask for
/// memory no machine has.
pub(super) fn header_problem(h: &AgentHeader) -> Option<String> {
    if !(1..=MAX_AGENTS).contains(&h.agents) || h.agent >= h.agents {
        return Some(format!(
            "the header says agent {} of {}, where agents count from 1 to {MAX_AGENTS} and are \
             numbered from 0 below their count",
            h.agent, h.agents
        ));
    }
    (h.planned == 0 || h.parallel == 0).then(|| {
        format!(
            "the header plans {} trials, {} side by side, where at least 1 of each belongs",
            h.planned, h.parallel
        )
    })
}

#[cfg(test)]
mod tests {
    use experiment::TrialId;

    use crate::{AgentHeader, Exchange, JournalEvent};

    /// Returns agent `agent`'s header of a study of two run from the file `text`, warm-started.
    fn at(text: &str, agent: u32) -> AgentHeader {
        AgentHeader {
            experiment: "digits".into(),
            agent,
            agents: 2,
            parallel: 2,
            planned: 8,
            spec_hash: experiment::sha256_hex(text.as_bytes()),
            data_hash: "cd".repeat(32),
            spec_text: text.to_string(),
            warm_hash: "ef".repeat(32),
        }
    }

    /// Issue: agents started from copies of the file that name their data (or a warm start's
    /// file, or a gate's baseline) by other paths, a folder moved since, were refused as another
    /// study, where a single process resumes from such a copy: where a file lies is no part of
    /// the study, what it holds is (the headers' hashes).
    #[test]
    fn issue_agents_whose_files_lie_elsewhere_run_one_study_and_other_bytes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let spec = "name: digits\nseed: 3\nmethod: tpe\nmetric: {name: val_loss}\n\
                    data: {csv: ./data/x.csv, target: y}\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n\
                    warm_start: {csv: ./runs/past.csv}\n\
                    gate: {baseline: ./base.json, max_regression_abs: 0.1, \
                    metrics: {val_loss: {aggregate: best}}}\n";
        let moved = spec.replace("./", "../");
        let (first, _) = Exchange::join(dir.path(), at(spec, 0)).unwrap();
        let (joined, _) = Exchange::join(dir.path(), at(&moved, 1)).unwrap();
        joined.publish(&JournalEvent::Skip(TrialId(1))).unwrap();
        assert_eq!(first.poll().unwrap(), [(1, JournalEvent::Skip(TrialId(1)))]);
        // Started again from the moved folder, agent 0 reads its own journal as its study's.
        drop(first);
        assert!(Exchange::join(dir.path(), at(&moved, 0)).is_ok());
        // Other data, or a warm start that gave other trials, is still another study, wherever
        // it lies; and a real change of the file names its lines.
        let apart = tempfile::tempdir().unwrap();
        let (_kept, _) = Exchange::join(apart.path(), at(spec, 0)).unwrap();
        let other_data = AgentHeader {
            data_hash: "01".repeat(32),
            ..at(&moved, 1)
        };
        let other_warm = AgentHeader {
            warm_hash: "23".repeat(32),
            ..at(&moved, 1)
        };
        let seeded = moved.replace("seed: 3", "seed: 4");
        for (refused, says) in [
            (
                other_data,
                "data sha256: cdcdcdcdcdcd there, 010101010101 here",
            ),
            (
                other_warm,
                "warm start sha256: efefefefefef there, 232323232323 here",
            ),
            (
                at(&seeded, 1),
                "the file's settings that differ: seed: 3 there, 4 here",
            ),
        ] {
            let message = Exchange::join(apart.path(), refused)
                .unwrap_err()
                .to_string();
            assert!(message.contains(says), "{says}: {message}");
        }
    }

    /// Issue: a refused agent's message listed the comment and path lines of copies that mean
    /// the same study as "the file's lines that differ", and a real change below three new
    /// comment lines was cut off; what differs in meaning is said as the settings, in the
    /// YAML's words, and copies that mean the same say nothing of the file.
    #[test]
    fn issue_cluster45_a_refusal_names_the_settings_that_differ_not_comment_lines() {
        let spec = "# cluster45 tiny agent test\nname: digits\nseed: 3\nmethod: tpe\n\
                    metric: {name: val_loss}\ndata:\n  csv: data/x.csv\n  target: y\n\
                    train:\n  epochs: 3\n\
                    parameters:\n  lr: {min: 0.001, max: 0.1}\n";
        let moved = spec
            .replace("# cluster45 tiny agent test", "# node one: comment differs")
            .replace("data/x.csv", "\"../x/data/x.csv\"");
        // Three agents here, two there: the file's copies mean the same.
        let three = AgentHeader {
            agents: 3,
            ..at(&moved, 1)
        };
        let said = super::differences(&at(spec, 0), &three).join(", ");
        assert_eq!(said, "agent: 0 there, 1 here, agents: 2 there, 3 here");
        // Three more comment lines and one fewer epoch.
        let edited = format!(
            "# one\n# two\n# three\n{}",
            moved.replace("epochs: 3", "epochs: 2")
        );
        let said = super::differences(&at(spec, 0), &at(&edited, 0)).join(", ");
        let hashes = format!(
            "spec text sha256: {} there, {} here",
            experiment::short_hash(&at(spec, 0).spec_hash),
            experiment::short_hash(&at(&edited, 0).spec_hash)
        );
        assert_eq!(
            said,
            format!("{hashes}, the file's settings that differ: train.epochs: 3 there, 2 here")
        );
        // A copy that does not parse shows its raw lines.
        let broken = spec.replace("seed: 3", "seed: [");
        let said = super::differences(&at(spec, 0), &at(&broken, 0)).join(", ");
        assert!(
            said.ends_with(
                "the file's lines that differ: line 3 there: `seed: 3`; line 3 here: `seed: [`"
            ),
            "{said}"
        );
    }
}
