//! Agents' headers compared: whether two are of one study (`same_study`), what differs
//! between them for a refusal, and what is wrong with a header's counts.

use super::{AgentHeader, MAX_AGENTS};

/// Returns whether `found` and `expected` are headers of one study: equal, but for the experiment
/// file's text, whose copies may differ in comments, layout and quoting, as a single process's
/// file may between runs (`experiment::same_content`).
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
            && experiment::same_content(&found.spec_text, &expected.spec_text))
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
    differ(
        "spec text sha256",
        short(&found.spec_hash),
        short(&expected.spec_hash),
    );
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
    // The file's lines that differ, last, where both journals carry the text.
    if found.spec_hash != expected.spec_hash
        && !found.spec_text.is_empty()
        && !expected.spec_text.is_empty()
    {
        let lines = text_differences(&found.spec_text, &expected.spec_text);
        if !lines.is_empty() {
            out.push(format!("the file's lines that differ: {lines}"));
        }
    }
    out
}

/// Names the lines of the experiment file's text `there` that `here` lacks, and the other way
/// round, the first few of each with their line numbers, as `line 17 there: `...`; line 17
/// here: `...``: what an agent's copy of the file changed (a copy that changed only comments
/// or layout is the same study, `same_study`, so comments show here only beside a change).
fn text_differences(there: &str, here: &str) -> String {
    const SHOWN: usize = 3;
    // Lines compared without their ends, so that line endings alone show nothing.
    let only = |text: &str, other: &str, side: &str| -> Vec<String> {
        let others: std::collections::BTreeSet<&str> = other.lines().map(str::trim_end).collect();
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
