//! A test subscriber that records, for every event, the spans it was emitted in, so that tests
//! can check where the training loop's spans begin and end.
//!
//! Written by hand rather than with `tracing-subscriber`, which only `cli` depends on. It does
//! not answer `Span::current()` (`current_span` returns a type only `tracing-core` names, which
//! this crate does not depend on), so code that captures the current span sees none here.

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records each event's message with the spans around it, outermost first, each written as
/// `name{field=value,...}`: a span's parent is the one current where it was made, as in
/// `tracing-subscriber`'s registry, and spans are entered and left per thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder(Arc<Recorded>);

#[derive(Debug, Default)]
struct Recorded {
    /// Each span, by id minus one.
    spans: Mutex<Vec<Made>>,
    /// Each thread's entered spans, innermost last.
    stacks: Mutex<Vec<(ThreadId, Vec<Id>)>>,
    events: Mutex<Vec<(String, Vec<String>)>>,
}

/// A span as made.
#[derive(Debug)]
struct Made {
    text: String,
    parent: Option<Id>,
}

impl Recorder {
    /// Returns every event so far: its message and the spans it was in, outermost first.
    pub(crate) fn events(&self) -> Vec<(String, Vec<String>)> {
        self.0.events.lock().unwrap().clone()
    }

    fn with_stack<R>(&self, f: impl FnOnce(&mut Vec<Id>) -> R) -> R {
        let me = std::thread::current().id();
        let mut stacks = self.0.stacks.lock().unwrap();
        let at = match stacks.iter().position(|(t, _)| *t == me) {
            Some(at) => at,
            None => {
                stacks.push((me, Vec::new()));
                stacks.len() - 1
            }
        };
        f(&mut stacks[at].1)
    }

    /// Returns the span current on this thread.
    fn current(&self) -> Option<Id> {
        self.with_stack(|stack| stack.last().cloned())
    }
}

fn index(id: &Id) -> usize {
    usize::try_from(id.into_u64() - 1).unwrap()
}

/// Writes fields as `name=value`, commas between, and keeps the message apart.
#[derive(Default)]
struct Fields {
    message: String,
    fields: Vec<String>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields.push(format!("{}={value:?}", field.name()));
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        let parent = if span.is_contextual() {
            self.current()
        } else {
            span.parent().cloned()
        };
        let mut spans = self.0.spans.lock().unwrap();
        spans.push(Made {
            text: format!("{}{{{}}}", span.metadata().name(), fields.fields.join(",")),
            parent,
        });
        Id::from_u64(u64::try_from(spans.len()).unwrap())
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut at = if event.is_contextual() {
            self.current()
        } else {
            event.parent().cloned()
        };
        let spans = self.0.spans.lock().unwrap();
        let mut around = Vec::new();
        while let Some(id) = at {
            let made = &spans[index(&id)];
            around.insert(0, made.text.clone());
            at = made.parent.clone();
        }
        self.0.events.lock().unwrap().push((fields.message, around));
    }

    fn enter(&self, span: &Id) {
        self.with_stack(|stack| stack.push(span.clone()));
    }

    fn exit(&self, span: &Id) {
        self.with_stack(|stack| {
            let left = stack.pop();
            assert_eq!(left.as_ref(), Some(span), "spans leave in order");
        });
    }
}
