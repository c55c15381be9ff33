//! Handler tests, through `app` without a port, of text a user wrote as the pages show it: a
//! categorical parameter's long value sits in a text cell of its own (left-aligned, cut with
//! its whole in its tooltip), not in a number's, and a description or a value that holds a
//! direction override (U+202E) keeps it to itself (`dir="auto"`), a description showing it as
//! an escape.

use actix_web::http::StatusCode;
use experiment::{ParamValue, Trial};
use store::{ExperimentStatus, Store};

use crate::tests::{get, run};
use crate::view::fixtures;

/// A categorical value far wider than a number's cell.
const LONG: &str = "a-very-long-categorical-choice-that-would-push-the-column-off-screen";

/// Returns a store whose experiment `demo` has a description holding a right-to-left
/// override, and 3 trials, trial 0's optimizer the `LONG` value.
fn store() -> Store {
    let store = Store::temporary().unwrap();
    let mut info = fixtures::info("demo", ExperimentStatus::Finished, 3);
    info.description = "digits \u{202E}reversed to the end".into();
    store.create_experiment(&info).unwrap();
    for i in 0..3 {
        let mut t: Trial = fixtures::trial(i, 3);
        if i == 0 {
            t.params
                .insert("optimizer".into(), ParamValue::Str(LONG.into()));
        }
        store.put_trial("demo", &t).unwrap();
    }
    store
}

#[test]
fn a_categorical_value_has_a_text_cell_cut_with_its_whole_in_its_tooltip() {
    run(async {
        let store = store();
        let cell = format!(
            "<td class=\"text\"><span class=\"clip\" dir=\"auto\" title=\"{LONG}\">{LONG}</span></td>"
        );
        for uri in ["/experiments/demo", "/experiments/demo/compare?t=0&t=1"] {
            let (status, page) = get(&store, uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {page}");
            assert!(page.contains(&cell), "{uri}: {page}");
            assert!(
                !page.contains(&format!("<td class=\"num\">{LONG}")),
                "{uri}"
            );
            // A number keeps its cell.
            assert!(page.contains("<td class=\"num\">"), "{uri}");
        }
    });
}

/// Issue: a right-to-left override in a description, kept from the page around it by
/// `dir="auto"`, still reversed the rest of the description. It is shown as an escape, as
/// `sweep show` writes it, so the text reads in the order written.
#[test]
fn issue_a_description_holding_a_direction_override_shows_it_and_reads_in_order() {
    run(async {
        let store = store();
        let (status, page) = get(&store, "/experiments/demo").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains(
                "<p class=\"description\" dir=\"auto\">digits \\u{202e}reversed to the end</p>"
            ),
            "{page}"
        );
        assert!(!page.contains('\u{202E}'), "{page}");
    });
}
