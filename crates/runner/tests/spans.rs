//! The study's spans, under a subscriber that records every span made. A test target of its
//! own (`[[test]]` in Cargo.toml): a global default subscriber stays installed for every later
//! test of its binary, and worker threads see no thread's default.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use experiment::{
    Control, ExperimentSpec, MetricPoint, Objective, Reporter, Step, Timestamp, TrialContext,
    TrialOutcome, TrialResult,
};
use runner::{run_study, Clock, Observer, Stop, StudyOptions};
use store::Store;

/// Every span made in this test binary: name, `id` field, explicit parent (by index).
static SPANS: Mutex<Vec<(&'static str, String, Option<usize>)>> = Mutex::new(Vec::new());

fn spans() -> MutexGuard<'static, Vec<(&'static str, String, Option<usize>)>> {
    SPANS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A subscriber that records spans into `SPANS`.
struct RecordSpans;

/// Reads a span's `id` field.
struct IdField(String);

impl tracing::field::Visit for IdField {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "id" {
            self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for RecordSpans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut id = IdField(String::new());
        span.record(&mut id);
        // Span ids are indexes from 1.
        let parent = span
            .parent()
            .and_then(|p| usize::try_from(p.into_u64()).ok())
            .map(|p| p - 1);
        let mut spans = spans();
        spans.push((span.metadata().name(), id.0, parent));
        let count = u64::try_from(spans.len()).expect("fewer spans than u64 counts");
        tracing::span::Id::from_u64(count)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// A toy objective: trial `lr` reports a loss of `(lr - 0.3)^2 + 1 / step` over 2 steps.
struct Toy;

impl Objective for Toy {
    fn run(&self, ctx: &TrialContext<'_>, reporter: &mut dyn Reporter) -> TrialOutcome {
        let x = ctx.params["lr"].as_f64().unwrap_or(f64::NAN);
        let mut best = None;
        for step in 1..=2u32 {
            let loss = (x - 0.3).powi(2) + 1.0 / f64::from(step);
            let points = [MetricPoint {
                name: "val_loss".into(),
                value: loss,
            }];
            best = Some(TrialResult {
                best_step: Step(step),
                metrics: [("val_loss".to_string(), loss)].into(),
            });
            if reporter.report(Step(step), &points) == Control::Prune {
                return TrialOutcome::Pruned {
                    at: Step(step),
                    result: best,
                };
            }
        }
        match best {
            Some(result) => TrialOutcome::Completed {
                result,
                stopped_early: None,
            },
            None => TrialOutcome::Failed {
                reason: "no step".into(),
            },
        }
    }
}

/// A clock that ticks once a reading.
#[derive(Debug)]
struct Ticks(AtomicI64);

impl Clock for Ticks {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.fetch_add(1, Ordering::SeqCst))
    }
}

/// Tells nothing.
struct Silent;

impl Observer for Silent {}

#[test]
fn each_trial_s_span_is_a_child_of_its_experiment_s() {
    tracing::subscriber::set_global_default(RecordSpans).expect("the binary's only subscriber");
    let spec = ExperimentSpec::from_yaml_str(
        "name: traced\nseed: 3\nmethod: random\nrun_cap: 4\n\
         metric: {name: val_loss, goal: minimize}\ndata: {csv: none.csv, target: y}\n\
         parameters:\n  lr: {distribution: uniform, min: 0.001, max: 1.0}\n",
        Path::new("traced.yaml"),
    )
    .unwrap();
    let options = StudyOptions {
        spec_path: "traced.yaml".into(),
        parallel: 2,
        run_cap: None,
        extend: None,
        record: None,
        stop: Stop::default(),
        agent: None,
        warm_file: None,
    };
    let store = Store::temporary().unwrap();
    let clock = Ticks(AtomicI64::new(0));
    let summary = run_study(&store, &spec, &Toy, &Silent, &clock, &options).unwrap();
    assert_eq!(summary.finished(), 4);
    let spans = spans().clone();
    let trials: Vec<String> = spans
        .iter()
        .filter(|(name, _, parent)| {
            *name == "trial"
                && parent.is_some_and(|p| spans[p].0 == "experiment" && spans[p].1 == "traced")
        })
        .map(|(_, id, _)| id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(trials, ["0", "1", "2", "3"], "{spans:?}");
}
