//! One trial in full, or several side by side: `sweep show EXPERIMENT/NUMBER ...`, the
//! terminal's counterpart of the dashboard's trial and compare pages.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use experiment::{
    format_duration, shell_quote, Constraint, ExperimentSpec, FrontStanding, Step, Trial,
};
use store::{CheckpointAt, ExperimentInfo, TestResult, TrialTrace};

use super::leaderboard::cells::Cells;
use super::table;
use super::visible as escaped;

/// Every metric's curve of a trial, by name.
pub(crate) type Curves = BTreeMap<String, Vec<(Step, f64)>>;

/// A trial to show, with what the store holds around it.
pub(crate) struct Shown<'a> {
    pub(crate) info: &'a ExperimentInfo,
    pub(crate) spec: Option<&'a ExperimentSpec>,
    pub(crate) trial: &'a Trial,
    /// What its record keeps of attempts cut off and of its last report while running.
    pub(crate) trace: &'a TrialTrace,
    pub(crate) curves: &'a Curves,
    /// Where its checkpoint is, for `sweep predict`.
    pub(crate) checkpoint: CheckpointAt,
    /// Its metrics on the test split, when it is the trial measured there.
    pub(crate) test: Option<&'a TestResult>,
    /// Where it stands against the Pareto front, with several objectives.
    pub(crate) front: Option<FrontStanding>,
}

impl Shown<'_> {
    /// `EXPERIMENT/NUMBER`.
    fn name(&self) -> String {
        format!("{}/{}", self.info.name, self.trial.id)
    }

    /// How long it ran: start to end, or, for a trial a kill left running (this process holds
    /// the store, so no sweep runs it), start to its last report, said so.
    fn duration(&self) -> Option<String> {
        match self.trial.duration_ms() {
            Some(ms) => Some(format_duration(ms)),
            None => self.trace.interrupted_text(self.trial, false),
        }
    }

    /// The last epoch it reported.
    fn epochs(&self) -> Option<u32> {
        experiment::epochs_reported(self.curves)
    }

    /// Its spec's constraints (none without a readable spec).
    fn constraints(&self) -> &[Constraint] {
        self.spec.map_or(&[][..], |s| s.constraints.as_slice())
    }

    /// Whether it meets its spec's constraints: `met`, or `breaks` and the ones it breaks;
    /// `None` without constraints or without a result.
    fn constraint_standing(&self) -> Option<String> {
        experiment::feasibility_text(self.constraints(), self.trial)
    }

    /// Metric `name`'s value `v` as text, marked `!` where it breaks one of the constraints.
    fn marked(&self, name: &str, v: Option<f64>) -> String {
        let breaks = experiment::breaks_bound(self.constraints(), name, v);
        format!("{}{}", value(name, v), if breaks { "!" } else { "" })
    }

    /// Its state, with the reason when there is one.
    fn state(&self) -> String {
        let state = self.trial.state.as_str_when_idle();
        match &self.trial.reason {
            Some(reason) => format!("{state}: {}", escaped(reason)),
            None => state.to_string(),
        }
    }
}

/// The widest sparkline, in characters.
const SPARK_WIDTH: usize = 24;

/// Writes one trial: its facts, parameters (with their distributions), every metric at the
/// best epoch with a sparkline of its curve, and the commands that use it; `store_dir` as the
/// commands should name it.
pub(crate) fn trial_card(
    out: &mut impl Write,
    shown: &Shown<'_>,
    store_dir: &str,
) -> io::Result<()> {
    card(out, shown, store_dir).map_err(|e| crate::standard_output::writing(SUMMARY, e))
}

/// What `main` says could not be written where a trial's card or trials side by side could not
/// (`sweep show EXPERIMENT/NUMBER > /dev/full`), in place of the experiment's summary of `sweep
/// show EXPERIMENT`.
const SUMMARY: &str = "the trial's summary";

/// Writes one trial as `trial_card` does, its errors as they are.
fn card(out: &mut impl Write, shown: &Shown<'_>, store_dir: &str) -> io::Result<()> {
    let t = shown.trial;
    writeln!(out, "trial       {}", escaped(&shown.name()))?;
    writeln!(out, "state       {}", shown.state())?;
    writeln!(out, "seed        {}", t.seed)?;
    if let Some(started) = t.started {
        writeln!(out, "started     {} UTC", started.utc())?;
    }
    if let Some(duration) = shown.duration() {
        writeln!(out, "duration    {duration}")?;
    }
    if let Some(cut) = shown.trace.cut_text() {
        writeln!(out, "cut off     {cut} (each ran again from scratch)")?;
    }
    if let Some(spec) = shown.spec {
        writeln!(out, "parameters  {}", spec.origin_sentence(t.id))?;
    }
    if let Some(result) = &t.result {
        let of = shown
            .epochs()
            .map_or(String::new(), |n| format!(" of {n} reported"));
        writeln!(out, "best epoch  {}{of}", result.best_step)?;
    }
    if let Some(standing) = shown.constraint_standing() {
        writeln!(out, "constraints {standing}")?;
    }
    if let Some(front) = shown.front {
        writeln!(out, "front       {}", front.sentence())?;
    }
    writeln!(out)?;
    let params: Vec<Vec<String>> = t
        .params
        .iter()
        .map(|(name, value)| {
            let distribution = shown
                .spec
                .and_then(|s| s.space.param(name))
                .map_or(String::new(), |p| p.distribution.name().to_string());
            // Whole, as nowhere else in a table: this is where a cut value is read.
            let value = escaped(&value.to_string()).into_owned();
            vec![escaped(name).into_owned(), value, distribution]
        })
        .collect();
    if !params.is_empty() {
        let header = ["parameter", "value", "distribution"].map(String::from);
        table(out, &header, &params)?;
        writeln!(out)?;
    }
    // Without a result (failed, or still running), the last value each metric reported.
    let at = t.result.as_ref().map_or_else(
        || "last reported".to_string(),
        |r| format!("at epoch {}", r.best_step),
    );
    let names: BTreeSet<&String> = shown
        .curves
        .keys()
        .chain(t.result.iter().flat_map(|r| r.metrics.keys()))
        .collect();
    let metrics: Vec<Vec<String>> = names
        .into_iter()
        .map(|name| {
            let curve = shown.curves.get(name).map_or(&[][..], Vec::as_slice);
            let shown_value = match &t.result {
                Some(_) => t.value(name),
                None => curve.last().map(|(_, v)| *v),
            };
            vec![
                escaped(name).into_owned(),
                shown.marked(name, shown_value),
                sparkline(curve, SPARK_WIDTH),
            ]
        })
        .collect();
    if !metrics.is_empty() {
        let first = shown
            .curves
            .values()
            .filter_map(|c| c.first())
            .map(|(s, _)| s.0)
            .min();
        let curve = match (first, shown.epochs()) {
            (Some(a), Some(b)) if a < b => format!("curve, epochs {a} to {b}"),
            _ => "curve".to_string(),
        };
        table(out, &["metric".to_string(), at, curve], &metrics)?;
        writeln!(out)?;
    }
    if let Some(test) = shown.test {
        let metrics: Vec<String> = test
            .metrics
            .iter()
            .map(|(name, v)| format!("{} {}", escaped(name), value(name, Some(*v))))
            .collect();
        writeln!(
            out,
            "test split  {} (measured when the run that found it ended; never used to choose)",
            metrics.join(", ")
        )?;
    }
    let name = shell_quote(&shown.name());
    let store = super::shell_word(store_dir);
    let ended = t.ended_with_result();
    match (shown.checkpoint, shown.checkpoint.elsewhere()) {
        (CheckpointAt::Here, _) if ended => writeln!(
            out,
            "predict     sweep predict {name} --input new.csv --store {store}"
        )?,
        (_, Some(place)) if ended => writeln!(out, "predict     no checkpoint here: {place}")?,
        (CheckpointAt::Nowhere, _) if ended => {
            writeln!(
                out,
                "predict     no checkpoint: {}",
                no_checkpoint(shown.spec)
            )?;
        }
        _ => {}
    }
    // Only a finished trial has a stored outcome to compare with.
    match t.state.is_finished() {
        true => writeln!(out, "reproduce   sweep reproduce {name} --store {store}"),
        false => Ok(()),
    }
}

/// Says why an ended trial has no checkpoint in this store, as far as its spec tells: none kept
/// (`checkpoints.keep: 0`); or only the best trials keep one, in the store that trained them,
/// so that a trial an agent took back from its journal into a new store (its store lost, the
/// checkpoint with it) has none, best or not.
fn no_checkpoint(spec: Option<&ExperimentSpec>) -> String {
    match spec.map(|s| (s.checkpoints.keep, s.is_multi_objective())) {
        Some((0, _)) => "this experiment keeps none (`checkpoints.keep: 0`)".to_string(),
        kept => format!(
            "only the best trials ({}) keep one{}, in the store that trained them (under \
             agents, a trial taken back from an agent's journal into a new store, its store \
             lost, has none)",
            kept.map_or("`checkpoints.keep`".to_string(), |(keep, _)| format!(
                "`checkpoints.keep: {keep}`"
            )),
            if kept.is_some_and(|(_, multi)| multi) {
                ", and those on the Pareto front"
            } else {
                ""
            }
        ),
    }
}

/// Writes several trials side by side: a column each, a row per fact, parameter and metric
/// (at each one's best epoch), and test-split metric (of the trials measured there), rows where
/// they differ marked `*`.
pub(crate) fn trials_side_by_side(out: &mut impl Write, shown: &[Shown<'_>]) -> io::Result<()> {
    side_by_side(out, shown).map_err(|e| crate::standard_output::writing("the trials' summary", e))
}

/// Writes several trials as `trials_side_by_side` does, its errors as they are.
fn side_by_side(out: &mut impl Write, shown: &[Shown<'_>]) -> io::Result<()> {
    let mut rows: Vec<(String, Vec<String>)> = vec![
        (
            "state".into(),
            shown
                .iter()
                .map(|s| s.trial.state.as_str_when_idle().to_string())
                .collect(),
        ),
        (
            "best epoch".into(),
            shown
                .iter()
                .map(|s| {
                    s.trial
                        .result
                        .as_ref()
                        .map_or("-".into(), |r| r.best_step.to_string())
                })
                .collect(),
        ),
        (
            "epochs".into(),
            shown
                .iter()
                .map(|s| s.epochs().map_or("-".into(), |n| n.to_string()))
                .collect(),
        ),
        (
            "duration".into(),
            shown
                .iter()
                .map(|s| s.duration().unwrap_or_else(|| "-".into()))
                .collect(),
        ),
    ];
    let params: BTreeSet<&String> = shown.iter().flat_map(|s| s.trial.params.keys()).collect();
    for name in params {
        let cells = shown
            .iter()
            .map(|s| {
                s.trial
                    .params
                    .get(name)
                    .map_or("-".into(), ToString::to_string)
            })
            .collect();
        rows.push((name.clone(), cells));
    }
    let metrics: BTreeSet<&String> = shown
        .iter()
        .flat_map(|s| s.trial.result.iter().flat_map(|r| r.metrics.keys()))
        .collect();
    for name in metrics {
        let cells = shown
            .iter()
            .map(|s| s.marked(name, s.trial.value(name)))
            .collect();
        rows.push((name.clone(), cells));
    }
    if shown.iter().any(|s| s.front.is_some()) {
        let cells = shown
            .iter()
            .map(|s| s.front.map_or_else(|| "-".into(), FrontStanding::cell))
            .collect();
        rows.push(("Pareto front".into(), cells));
    }
    if shown.iter().any(|s| !s.constraints().is_empty()) {
        let cells = shown
            .iter()
            .map(|s| s.constraint_standing().unwrap_or_else(|| "-".into()))
            .collect();
        rows.push(("constraints".into(), cells));
    }
    // The test split, for the trials measured there (one per experiment): `-` for the others.
    let tested: BTreeSet<&String> = shown
        .iter()
        .flat_map(|s| s.test.iter().flat_map(|t| t.metrics.keys()))
        .collect();
    for name in tested {
        let cells = shown
            .iter()
            .map(|s| value(name, s.test.and_then(|t| t.metrics.get(name).copied())))
            .collect();
        rows.push((format!("{name} (test split)"), cells));
    }
    let mut header = vec![String::new()];
    header.extend(shown.iter().map(Shown::name));
    header.push("differs".into());
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(name, cells)| {
            // Wall time always differs; it says nothing about the trials.
            let differs = name != "duration"
                && name != experiment::WALL_TIME_METRIC
                && cells.iter().any(|c| *c != cells[0]);
            let mut row = vec![name];
            row.extend(cells);
            row.push(if differs { "*".into() } else { String::new() });
            row
        })
        .collect();
    // Cut only once whether they differ is known, which the whole values say.
    let mut cells = Cells::default();
    let header = cells.row(&header);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells.row(r)).collect();
    table(out, &header, &rows)?;
    cells.note(
        out,
        "`sweep show EXPERIMENT/N` shows one trial's values whole",
    )
}

/// Formats metric `name`'s value: a count (`param_count`) without decimals.
use experiment::named_metric_text as value;

/// Draws `curve` in at most `width` block characters, low to high, each the mean of its share
/// of the points; `·` where a share has no finite value.
fn sparkline(curve: &[(Step, f64)], width: usize) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let n = curve.len();
    if n == 0 || width == 0 {
        return String::new();
    }
    let cells = n.min(width);
    let means: Vec<Option<f64>> = (0..cells)
        .map(|i| {
            let share = &curve[i * n / cells..(i + 1) * n / cells];
            let finite: Vec<f64> = share
                .iter()
                .map(|(_, v)| *v)
                .filter(|v| v.is_finite())
                .collect();
            #[allow(clippy::cast_precision_loss)]
            let mean = finite.iter().sum::<f64>() / finite.len() as f64;
            (!finite.is_empty()).then_some(mean)
        })
        .collect();
    let (low, high) = means
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    means
        .iter()
        .map(|m| match m {
            None => '·',
            Some(_) if high <= low => BLOCKS[3],
            Some(v) => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let level = (((v - low) / (high - low)) * 7.0).round() as usize;
                BLOCKS[level.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn curve(values: &[f64]) -> Vec<(Step, f64)> {
        (1u32..).zip(values).map(|(s, v)| (Step(s), *v)).collect()
    }

    /// A finished experiment `e` minimizing `val_loss`.
    pub(in crate::output) fn info() -> ExperimentInfo {
        ExperimentInfo {
            name: "e".into(),
            description: String::new(),
            spec_yaml: String::new(),
            spec_hash: String::new(),
            spec_path: "e.yaml".into(),
            objective: "val_loss".into(),
            goal: experiment::Direction::Minimize,
            seed: experiment::Seed(1),
            run_cap: 2,
            status: store::ExperimentStatus::Finished,
            created: experiment::Timestamp(0),
            finished: None,
        }
    }

    #[test]
    fn an_interrupted_trial_shows_its_run_to_its_last_report_and_its_cut_attempts() {
        use experiment::Timestamp;
        use store::{CutAttempt, CutBy, Heard};
        let info = info();
        let trial = Trial {
            id: experiment::TrialId(1),
            seed: experiment::Seed(9),
            params: experiment::Params::new(),
            state: experiment::TrialState::Running,
            reason: None,
            started: Some(Timestamp(10_000)),
            finished: None,
            result: None,
        };
        let trace = TrialTrace {
            heard: Some(Heard {
                at: Timestamp(72_000),
                step: experiment::Step(4),
            }),
            cut: vec![CutAttempt {
                started: Timestamp(1_000),
                ended: Timestamp(3_500),
                epochs: 1,
                by: CutBy::Stop,
            }],
        };
        let text = traced_card(&info, (&trial, &trace), &Curves::new(), "st");
        let heard = Timestamp(72_000).utc();
        assert!(
            text.contains(&format!(
                "state       interrupted\n\
                 seed        9\n\
                 started     {} UTC\n\
                 duration    1m02s until last heard from, at epoch 4 ({heard} UTC)\n\
                 cut off     1 (stopped): 1 epoch, 2.5s of compute (each ran again from scratch)\n",
                Timestamp(10_000).utc()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_trial_without_a_result_shows_what_it_last_reported() {
        let info = info();
        let trial = Trial {
            id: experiment::TrialId(1),
            seed: experiment::Seed(9),
            params: [("lr".to_string(), experiment::ParamValue::Float(5.0))].into(),
            state: experiment::TrialState::Failed,
            reason: Some("diverged at epoch 3".into()),
            started: None,
            finished: None,
            result: None,
        };
        let curves: Curves = [
            ("val_loss".to_string(), curve(&[2.0, 9.0e8])),
            ("param_count".to_string(), curve(&[610.0, 610.0])),
        ]
        .into();
        let text = plain_card(&info, &trial, &curves, "runs/a b");
        assert_eq!(
            text,
            "trial       e/1\n\
             state       failed: diverged at epoch 3\n\
             seed        9\n\
             \n\
             parameter  value  distribution\n\
             lr             5\n\
             \n\
             metric       last reported  curve, epochs 1 to 2\n\
             param_count            610  ▄▄\n\
             val_loss          9.0000e8  ▁█\n\
             \n\
             reproduce   sweep reproduce e/1 --store 'runs/a b'\n"
        );
    }

    /// Returns `trial`'s card as `sweep show` writes it with no spec, checkpoint, test result
    /// or front: the parts taken from the trial and its curves alone.
    fn plain_card(info: &ExperimentInfo, trial: &Trial, curves: &Curves, store: &str) -> String {
        traced_card(info, (trial, &TrialTrace::default()), curves, store)
    }

    /// Returns `trial`'s card as `plain_card` does, with its record's `trace`.
    fn traced_card(
        info: &ExperimentInfo,
        (trial, trace): (&Trial, &TrialTrace),
        curves: &Curves,
        store: &str,
    ) -> String {
        let shown = Shown {
            info,
            spec: None,
            trial,
            trace,
            curves,
            checkpoint: CheckpointAt::Nowhere,
            test: None,
            front: None,
        };
        let mut out = Vec::new();
        trial_card(&mut out, &shown, store).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Issue: a trial an agent took back from its journal into a new store (its store lost)
    /// was said to have no checkpoint because only the best trials keep one, though `keep` was
    /// 5; and an experiment that keeps none was told the same.
    #[test]
    fn issue_cluster45_the_predict_line_says_why_a_trial_has_no_checkpoint() {
        let spec = |keep: u32| {
            ExperimentSpec::from_yaml_str(
                &format!(
                    "name: e\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
                     checkpoints: {{keep: {keep}}}\nparameters:\n  lr: {{min: 0.1, max: 1}}\n"
                ),
                std::path::Path::new("e.yaml"),
            )
            .unwrap()
        };
        assert_eq!(
            super::no_checkpoint(Some(&spec(5))),
            "only the best trials (`checkpoints.keep: 5`) keep one, in the store that trained \
             them (under agents, a trial taken back from an agent's journal into a new store, \
             its store lost, has none)"
        );
        assert_eq!(
            super::no_checkpoint(Some(&spec(0))),
            "this experiment keeps none (`checkpoints.keep: 0`)"
        );
    }

    #[test]
    fn a_reason_and_a_categorical_value_show_their_controls() {
        let info = info();
        let trial = Trial {
            id: experiment::TrialId(1),
            seed: experiment::Seed(9),
            params: [(
                "act".to_string(),
                experiment::ParamValue::Str("re\u{202e}lu".into()),
            )]
            .into(),
            state: experiment::TrialState::Failed,
            reason: Some("boom\u{1b}]0;owned\u{7}".into()),
            started: None,
            finished: None,
            result: None,
        };
        let curves = Curves::new();
        let text = plain_card(&info, &trial, &curves, "runs");
        assert!(
            text.contains("state       failed: boom\\u{1b}]0;owned\\u{7}\n"),
            "{text}"
        );
        assert!(text.contains("act        re\\u{202e}lu"), "{text}");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{text}"
        );
    }

    #[test]
    fn trials_side_by_side_say_which_break_a_constraint() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             constraints:\n  param_count: {max: 2000}\n",
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        let info = info();
        let trial = |id: u32, count: f64| Trial {
            id: experiment::TrialId(id),
            seed: experiment::Seed(9),
            params: experiment::Params::new(),
            state: experiment::TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(experiment::TrialResult {
                best_step: Step(2),
                metrics: [
                    ("val_loss".to_string(), 0.5),
                    ("param_count".to_string(), count),
                ]
                .into(),
            }),
        };
        let (small, large) = (trial(0, 1500.0), trial(1, 2500.0));
        let curves = Curves::new();
        let none = TrialTrace::default();
        let shown = |t| Shown {
            info: &info,
            spec: Some(&spec),
            trial: t,
            trace: &none,
            curves: &curves,
            checkpoint: CheckpointAt::Nowhere,
            test: None,
            front: None,
        };
        let mut out = Vec::new();
        trials_side_by_side(&mut out, &[shown(&small), shown(&large)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = |name: &str| {
            let line = text.lines().find(|l| l.starts_with(name));
            line.unwrap_or_else(|| panic!("no {name} row:\n{text}"))
                .to_string()
        };
        assert_eq!(
            row("param_count").split_whitespace().collect::<Vec<_>>(),
            ["param_count", "1500", "2500!", "*"],
            "{text}"
        );
        assert_eq!(
            row("constraints").split_whitespace().collect::<Vec<_>>(),
            [
                "constraints",
                "met",
                "breaks",
                "param_count",
                "≤",
                "2000",
                "*"
            ],
            "{text}"
        );
        // One trial's card says the same.
        let mut out = Vec::new();
        trial_card(&mut out, &shown(&large), "runs").unwrap();
        let card = String::from_utf8(out).unwrap();
        assert!(
            card.contains("constraints breaks param_count ≤ 2000\n"),
            "{card}"
        );
    }

    #[test]
    fn a_sparkline_spans_its_curve_low_to_high() {
        assert_eq!(
            sparkline(&curve(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), 24),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&curve(&[1.0, f64::NAN, 3.0]), 24), "▁·█");
        assert_eq!(sparkline(&curve(&[2.0, 2.0]), 24), "▄▄");
        // Longer curves: each character the mean of its share.
        let long: Vec<f64> = (0..100).map(f64::from).collect();
        let drawn = sparkline(&curve(&long), 10);
        assert_eq!(drawn.chars().count(), 10);
        assert!(drawn.starts_with('▁') && drawn.ends_with('█'), "{drawn}");
        assert_eq!(sparkline(&[], 24), "");
    }
}
