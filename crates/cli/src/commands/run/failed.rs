//! What a sweep in which no trial completed says: how many failed, why (their stored reasons,
//! grouped), how many were pruned, and what to change where the reasons tell it.

use std::collections::{BTreeMap, BTreeSet};

use experiment::{ExperimentSpec, Trial, TrialState};

/// The reasons of failed trials shown one by one; the rest are counted together.
const REASONS_SHOWN: usize = 3;

/// Returns the lines that say why no trial of `trials` completed: "no trial completed: 12
/// failed (12 diverged at epoch 1 or 2)", the pruned ones counted too, and, where every failed
/// trial diverged, a note on the learning rate of `spec`; the command that lists the reasons
/// not shown names the `store` they are in.
pub(super) fn no_trial_completed(
    spec: &ExperimentSpec,
    trials: &[Trial],
    store: &std::path::Path,
) -> Vec<String> {
    let failed: Vec<&Trial> = trials
        .iter()
        .filter(|t| t.state == TrialState::Failed)
        .collect();
    let pruned = trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .count();
    let mut said = Vec::new();
    if !failed.is_empty() {
        said.push(format!(
            "{} failed ({})",
            failed.len(),
            reasons(&spec.name, store, &failed)
        ));
    }
    if pruned > 0 {
        said.push(format!("{pruned} pruned"));
    }
    if said.is_empty() {
        return vec!["no trial completed".to_string()];
    }
    let mut lines = vec![format!("no trial completed: {}", said.join(", "))];
    let diverged = failed.iter().filter(|t| diverged_at(t).is_some()).count();
    if !failed.is_empty() && diverged == failed.len() {
        let lower = match spec.space.param("lr") {
            Some(_) => "try lower values of `lr` under `parameters:`",
            // Fixed in the file (`train: {lr: ...}`) or left at its default.
            None => "try a lower `lr` under `train:`",
        };
        lines.push(format!(
            "note: every failed trial diverged (its loss became NaN or infinite), which usually \
             means a learning rate too large: {lower}"
        ));
    }
    lines
}

/// Returns the reasons of the `failed` trials of experiment `name` grouped, the most common
/// first: those that diverged as one group naming the epochs, every other reason as stored;
/// past `REASONS_SHOWN` groups, the rest counted, and where to read them (in `store`).
fn reasons(name: &str, store: &std::path::Path, failed: &[&Trial]) -> String {
    let mut epochs: BTreeSet<u32> = BTreeSet::new();
    let mut diverged = 0;
    let mut other: BTreeMap<&str, usize> = BTreeMap::new();
    for trial in failed {
        match diverged_at(trial) {
            Some(epoch) => {
                diverged += 1;
                epochs.insert(epoch);
            }
            None => {
                *other
                    .entry(trial.reason.as_deref().unwrap_or("no reason stored"))
                    .or_default() += 1;
            }
        }
    }
    let mut groups: Vec<(usize, String)> = other
        .into_iter()
        .map(|(reason, n)| (n, reason.to_string()))
        .collect();
    if diverged > 0 {
        groups.push((diverged, format!("diverged at {}", epochs_text(&epochs))));
    }
    // The most common first; alike counts in the order of their text, the same every run.
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let rest: usize = groups.iter().skip(REASONS_SHOWN).map(|(n, _)| n).sum();
    let mut shown: Vec<String> = groups
        .iter()
        .take(REASONS_SHOWN)
        .map(|(n, reason)| format!("{n} {reason}"))
        .collect();
    if rest > 0 {
        shown.push(format!(
            "{rest} for other reasons, which `sweep trials {} --store {} --format json` gives",
            experiment::shell_quote(name),
            crate::commands::quoted(store)
        ));
    }
    shown.join("; ")
}

/// Returns the epoch at which `trial` diverged, as its stored reason says ("diverged at epoch
/// 3", the trainer's words), if it did.
fn diverged_at(trial: &Trial) -> Option<u32> {
    trial
        .reason
        .as_deref()?
        .strip_prefix("diverged at epoch ")?
        .parse()
        .ok()
}

/// Returns the `epochs` in words: "epoch 1", "epoch 1 or 2", "epoch 1, 2 or 5", and from four
/// on "epochs 1 to 9".
fn epochs_text(epochs: &BTreeSet<u32>) -> String {
    let listed: Vec<String> = epochs.iter().map(u32::to_string).collect();
    match listed.as_slice() {
        [] => "an epoch".to_string(),
        [one] => format!("epoch {one}"),
        [first @ .., last] if listed.len() <= 3 => {
            format!("epoch {} or {last}", first.join(", "))
        }
        [first, .., last] => format!("epochs {first} to {last}"),
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Params, Seed, TrialId};

    use super::*;

    fn spec(parameters: &str) -> ExperimentSpec {
        ExperimentSpec::from_yaml_str(
            &format!(
                "name: e\nmetric: {{name: val_loss, goal: minimize}}\nrun_cap: 5\n\
                 data: {{csv: d.csv, target: y}}\nparameters:\n{parameters}"
            ),
            std::path::Path::new("e.yaml"),
        )
        .unwrap()
    }

    fn ended(id: u32, state: TrialState, reason: Option<&str>) -> Trial {
        Trial {
            id: TrialId(id),
            seed: Seed(1),
            params: Params::new(),
            state,
            reason: reason.map(str::to_string),
            started: None,
            finished: None,
            result: None,
        }
    }

    /// The store the sweep ran in, as `--store` named it: the hint names it back.
    const STORE_DIR: &str = "my runs";

    #[test]
    fn issue_a_sweep_whose_every_trial_diverged_says_so_and_to_lower_the_learning_rate() {
        let searched = spec("  lr: {values: [8.0, 10.0]}\n");
        let trials: Vec<Trial> = (0..12)
            .map(|i| {
                let reason = format!("diverged at epoch {}", 1 + i % 2);
                ended(i, TrialState::Failed, Some(&reason))
            })
            .collect();
        assert_eq!(
            no_trial_completed(&searched, &trials, std::path::Path::new(STORE_DIR)),
            [
                "no trial completed: 12 failed (12 diverged at epoch 1 or 2)",
                "note: every failed trial diverged (its loss became NaN or infinite), which \
                 usually means a learning rate too large: try lower values of `lr` under \
                 `parameters:`"
            ]
        );
        let fixed = spec("  depth: {values: [1, 2]}\n");
        assert_eq!(
            no_trial_completed(&fixed, &trials[..1], std::path::Path::new(STORE_DIR))[1],
            "note: every failed trial diverged (its loss became NaN or infinite), which usually \
             means a learning rate too large: try a lower `lr` under `train:`"
        );
    }

    #[test]
    fn issue_other_reasons_are_grouped_the_most_common_first_with_no_note() {
        let spec = spec("  lr: {values: [0.1]}\n");
        let trials = vec![
            ended(0, TrialState::Failed, Some("out of memory")),
            ended(1, TrialState::Failed, Some("diverged at epoch 3")),
            ended(2, TrialState::Failed, Some("out of memory")),
            ended(3, TrialState::Pruned, None),
            ended(4, TrialState::Failed, Some("diverged at epoch 9")),
            ended(5, TrialState::Failed, Some("diverged at epoch 4")),
            ended(6, TrialState::Failed, Some("diverged at epoch 5")),
            ended(7, TrialState::Failed, Some("bad dropout")),
            ended(8, TrialState::Failed, Some("no data")),
            ended(9, TrialState::Failed, None),
        ];
        assert_eq!(
            no_trial_completed(&spec, &trials, std::path::Path::new(STORE_DIR)),
            [
                "no trial completed: 9 failed (4 diverged at epochs 3 to 9; 2 out of memory; 1 \
                 bad dropout; 2 for other reasons, which `sweep trials e --store 'my runs' --format json` gives), \
                 1 pruned"
            ]
        );
        // Nothing ended: nothing more to say.
        assert_eq!(
            no_trial_completed(&spec, &[], std::path::Path::new(STORE_DIR)),
            ["no trial completed"]
        );
        let pruned = [ended(0, TrialState::Pruned, None)];
        assert_eq!(
            no_trial_completed(&spec, &pruned, std::path::Path::new(STORE_DIR)),
            ["no trial completed: 1 pruned"]
        );
    }
}
