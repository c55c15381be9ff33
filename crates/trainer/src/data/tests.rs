//! Unit tests of `data`: CSV parsing, column roles, task inference and class numbering, and
//! the errors that place a problem at its file, row and column.

use std::path::PathBuf;

use experiment::{Location, Normalize, SplitSpec};

use super::*;

/// Returns a data spec for `csv` with target `target`, as if written in `spec.yaml`.
pub(crate) fn spec(csv: impl Into<PathBuf>, target: &str) -> DataSpec {
    let at = |line| Location {
        file: PathBuf::from("spec.yaml"),
        line,
        column: 8,
    };
    DataSpec {
        csv: Located {
            value: csv.into(),
            location: at(4),
        },
        target: Located {
            value: target.to_string(),
            location: at(5),
        },
        split: SplitSpec {
            validation: 0.2,
            test: 0.2,
            stratify: true,
        },
        normalize: Normalize::Standard,
        task: None,
        image: None,
        format: DataFormat::Csv,
        missing: experiment::MissingValues::Error,
        categorical: Vec::new(),
        exclude: Vec::new(),
    }
}

fn parse_str(text: &str, target: &str) -> Result<Dataset> {
    parse(text.as_bytes(), &spec("data/x.csv", target))
}

#[test]
fn every_column_needs_a_name_of_its_own() {
    for (text, said) in [
            ("a,a,y\n1,2,0\n3,4,1\n", "x.csv: columns 1 and 2 are both named `a`; each column needs a name of its own"),
            ("a,y,y\n1,2,0\n3,4,1\n", "x.csv: columns 2 and 3 are both named `y`; each column needs a name of its own"),
            (",a,y\n0,1,0\n1,3,1\n", "x.csv: column 1 has no name in the header (pandas writes its index so: save with `index=False`, or name the column and list it in `data.exclude`)"),
            ("a,y,\n1,0,\n3,1,\n", "x.csv: column 3 has no name in the header (a comma too many in the header line?)"),
        ] {
            let message = parse_str(text, "y").unwrap_err().to_string();
            assert!(message.ends_with(said), "{text:?}: {message}");
        }
}

#[test]
fn a_wide_header_names_the_first_name_given_twice_by_both_its_columns() {
    // A hundred thousand columns, judged in one pass (the check was quadratic: seconds for
    // this header). A name given three times is said by its first two columns; an empty name
    // after the first repeat is not reached.
    let mut header: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
    header.push("f7".into());
    header.push("f7".into());
    header.push(String::new());
    assert_eq!(
        header_names_each_column_once(&header).unwrap_err(),
        "columns 8 and 100001 are both named `f7`; each column needs a name of its own"
    );
    header.truncate(100_000);
    assert_eq!(header_names_each_column_once(&header), Ok(()));
}

#[test]
fn reads_features_and_sorted_string_labels() {
    let d = parse_str(
        "a,label,b\n1,zebra,2\n3,ant,4\n5,moth,6\n7,ant,8\n",
        "label",
    )
    .unwrap();
    assert_eq!(d.feature_names, ["a", "b"]);
    assert_eq!(d.class_names, ["ant", "moth", "zebra"]);
    assert_eq!(d.labels, [2, 0, 1, 0]);
    assert_eq!(d.features.data, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    assert_eq!((d.features.rows, d.features.cols), (4, 2));
}

#[test]
fn the_task_is_inferred_from_the_target_unless_given() {
    let few_integers = "x,y\n1,3\n2,5\n3,3\n";
    let d = parse_str(few_integers, "y").unwrap();
    assert_eq!((d.task, d.class_names.len()), (Task::Classification, 2));
    let fractions = "x,y\n1,0.5\n2,1.5\n3,2\n";
    let d = parse_str(fractions, "y").unwrap();
    assert_eq!(d.task, Task::Regression);
    assert_eq!(d.values, [0.5, 1.5, 2.0]);
    assert!(d.labels.is_empty() && d.class_names.is_empty());
    let many: String = (0..=MAX_INFERRED_CLASSES)
        .map(|i| format!("{i},{i}\n"))
        .collect();
    let d = parse_str(&format!("x,y\n{many}"), "y").unwrap();
    assert_eq!(
        d.task,
        Task::Regression,
        "more integers than classes are values"
    );

    let mut given = spec("data/x.csv", "y");
    given.task = Some(Task::Regression);
    let d = parse(few_integers.as_bytes(), &given).unwrap();
    assert_eq!(
        (d.task, d.values.clone()),
        (Task::Regression, vec![3.0, 5.0, 3.0])
    );
    let err = parse("x,y\n1,a\n2,b\n".as_bytes(), &given).unwrap_err();
    assert!(
        err.to_string()
            .contains("column `y`: a regression target must be a finite number, found `a`"),
        "{err}"
    );
    given.task = Some(Task::Classification);
    let d = parse(fractions.as_bytes(), &given).unwrap();
    assert_eq!(d.class_names, ["0.5", "1.5", "2"]);
}

#[test]
fn an_image_shape_must_match_the_pixel_columns() {
    let mut image = spec("data/x.csv", "y");
    image.image = Some(ImageShape {
        height: 2,
        width: 2,
        channels: 1,
    });
    let text = "a,b,c,d,y\n1,2,3,4,0\n5,6,7,8,1\n";
    assert!(parse(text.as_bytes(), &image).is_ok());
    let err = parse("a,b,c,y\n1,2,3,0\n5,6,7,1\n".as_bytes(), &image).unwrap_err();
    assert!(
            err.to_string()
                .ends_with("data.image: 2x2 with 1 channel is 4 pixel columns, but data/x.csv has 3 feature columns"),
            "{err}"
        );
}

#[test]
fn an_empty_file_says_so() {
    for text in ["", "\n", "\r\n\r\n"] {
        let err = parse_str(text, "y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv: the file is empty; expected a header row naming the columns, then \
                 one row per example",
            "{text:?}"
        );
    }
}

#[test]
fn a_semicolon_or_tab_file_reads_as_its_comma_twin() {
    let commas = parse_str("a,b,y\n1.5,2,x\n3,-4,z\n", "y").unwrap();
    for text in ["a;b;y\n1.5;2;x\n3;-4;z\n", "a\tb\ty\n1.5\t2\tx\n3\t-4\tz\n"] {
        let other = parse_str(text, "y").unwrap();
        assert_eq!(other.feature_names, commas.feature_names, "{text:?}");
        assert_eq!(other.features.data, commas.features.data, "{text:?}");
        assert_eq!(other.labels, commas.labels, "{text:?}");
        assert_eq!(other.class_names, commas.class_names, "{text:?}");
    }
}

#[test]
fn integer_labels_sort_numerically() {
    let d = parse_str("x,y\n0,10\n0,2\n0,-1\n0,2\n", "y").unwrap();
    assert_eq!(d.class_names, ["-1", "2", "10"]);
    assert_eq!(d.labels, [2, 1, 0, 1]);
}

#[test]
fn a_target_of_numbers_but_a_few_cells_is_not_read_as_many_classes_unasked() {
    let mut priced = String::from("x,price\n");
    let mut missing = String::from("x,y\n");
    for i in 0..40 {
        priced.push_str(&format!("{i},\"1,{:03},000\"\n", i * 7));
        let y = if i % 10 == 3 {
            "NA".to_string()
        } else {
            format!("{}", i * 3)
        };
        missing.push_str(&format!("{i},{y}\n"));
    }
    let err = parse_str(&priced, "price").unwrap_err().to_string();
    assert!(
        err.contains(
            "the target `price` would be read as 40 classes, since 40 of its 40 cells are \
                 not numbers (`1,000,000`, `1,007,000`, `1,014,000`, ...) though the others \
                 are: write its numbers without thousands separators (`1000000`) and give \
                 `data.task: regression`, or `data.task: classification` to train on these \
                 classes"
        ),
        "{err}"
    );
    let err = parse_str(&missing, "y").unwrap_err().to_string();
    assert!(
        err.contains("would be read as 37 classes, since 4 of its 40 cells are not numbers (`NA`)"),
        "{err}"
    );
    // Text that is no missing value: no `missing: drop` would leave it out.
    let mut coded = String::from("x,y\n");
    for i in 0..40 {
        coded.push_str(&format!(
            "{i},{}\n",
            if i % 12 == 0 {
                "X9".to_string()
            } else {
                (100 + i).to_string()
            }
        ));
    }
    let err = parse_str(&coded, "y").unwrap_err().to_string();
    assert!(
        err.contains(
            "(`X9`) though the others are: mend or remove the rows whose target is not a number"
        ),
        "{err}"
    );
    // Asked for, or text, or few classes: read as classes.
    let mut spec = spec("data/x.csv", "y");
    spec.task = Some(Task::Classification);
    let mut few = String::from("x,y\n");
    let mut text = String::from("x,y\n");
    for i in 0..40 {
        few.push_str(&format!(
            "{i},{}\n",
            if i == 0 {
                "NA".to_string()
            } else {
                (i % 5).to_string()
            }
        ));
        text.push_str(&format!(
            "{i},{}\n",
            if i < 30 {
                format!("c{i}")
            } else {
                i.to_string()
            }
        ));
    }
    assert_eq!(parse_str(&few, "y").unwrap().class_names.len(), 6);
    assert_eq!(parse_str(&text, "y").unwrap().class_names.len(), 40);
    let asked = parse(missing.as_bytes(), &spec).unwrap();
    assert_eq!(asked.class_names.len(), 37);
}

#[test]
fn a_header_split_at_a_comma_in_a_name_says_what_separates_it() {
    let err = parse_str("Gewicht, kg;Größe;y\n1.5;2;0\n2.5;3;1\n", "y")
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "the columns are `Gewicht`, `kg;Größe;y` (the header holds `;`: if that \
                 separates the columns, quote the names with a comma in them, as \
                 `\"Gewicht, kg\"`)"
        ),
        "{err}"
    );
}

#[test]
fn a_number_is_one_class_however_written_and_numbers_sort_as_numbers() {
    // pandas writes 1.0 in a column with gaps: one class, named as first written.
    let d = parse_str("x,y\n0,1\n0,0\n0,1.0\n0,0.0\n0,-0\n", "y").unwrap();
    assert_eq!(d.class_names, ["0", "1"]);
    assert_eq!(d.labels, [1, 0, 1, 0, 0]);
    let d = parse_str("x,y\n0,10.0\n0,2.0\n0,1.5\n", "y").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.task, Task::Regression, "a fraction makes a regression");
    let d = parse_str("x,y\n0,10.0\n0,2.0\n0,9.0\n0,2.0\n", "y").unwrap();
    assert_eq!(d.class_names, ["2.0", "9.0", "10.0"], "not 10.0 before 2.0");
    // Integers compare exactly: two ids past 2^53 are two classes.
    let d = parse_str("x,y\n0,9007199254740992\n0,9007199254740993\n", "y").unwrap();
    assert_eq!(d.class_names, ["9007199254740992", "9007199254740993"]);
    // Past 64 bits too, and past 128 (those as text, never merged as doubles).
    let d = parse_str(
        "x,y\n0,18446744073709551616\n0,18446744073709551617\n0,0\n",
        "y",
    )
    .unwrap();
    assert_eq!(
        d.class_names,
        ["0", "18446744073709551616", "18446744073709551617"]
    );
    let long = "1".repeat(45);
    let d = parse_str(&format!("x,y\n0,{long}0\n0,{long}1\n0,7\n"), "y").unwrap();
    assert_eq!(d.class_names.len(), 3);
    // Labels keep their text: 007 stays 007.
    let d = parse_str("x,y\n0,007\n0,+1\n0,012\n0,1\n", "y").unwrap();
    assert_eq!(d.class_names, ["+1", "007", "012"]);
    assert_eq!(d.labels, [1, 0, 2, 0]);
}

#[test]
fn malformed_cell_names_file_row_and_column() {
    let err = parse_str("a,b,y\n1,2,0\n3,oops,1\n", "y").unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/x.csv: row 2 (line 3), column `b`: expected a finite number, found `oops`; \
             list `b` in `data.categorical` to one-hot encode its values, or in `data.exclude` \
             to leave it out"
    );
    let err = parse_str("a;b;y\n1;2;0\n3;4,5;1\n", "y").unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/x.csv: row 2 (line 3), column `b`: expected a finite number, found `4,5` \
             (write `4.5`: numbers are read with a decimal point, not a comma)"
    );
    // A comma before three digits may group thousands; two such commas do.
    let err = parse_str("a;b;y\n1;2;0\n3;1,234;1\n", "y").unwrap_err();
    assert!(
        err.to_string().ends_with(
            "found `1,234` (numbers are read with a decimal point and without thousands \
                 separators: write `1234` if the comma separates thousands, `1.234` if it is a \
                 decimal comma)"
        ),
        "{err}"
    );
    let err = parse_str("a,b,y\n1,2,0\n3,\"-1,234,567.5\",1\n", "y").unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/x.csv: row 2 (line 3), column `b`: expected a finite number, found \
             `-1,234,567.5` (write `-1234567.5`: numbers are read without thousands separators)"
    );
    for not_grouped in ["1,2345", "12345,678", ",123", "1,23,456"] {
        assert_eq!(thousands(not_grouped), None, "{not_grouped}");
    }
    // An infinity is a number too: no hint to list the column as text.
    for infinite in ["inf", "-Infinity"] {
        let err = parse_str(&format!("a,y\n1,0\n{infinite},1\n"), "y").unwrap_err();
        assert!(
            err.to_string().ends_with(&format!(
                "column `a`: expected a finite number, found `{infinite}`"
            )),
            "{err}"
        );
    }
    // A number, too large for training's single precision: said so, without the hint
    // for text.
    let err = parse_str("a,y\n1,0\n1e39,1\n", "y").unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/x.csv: row 2 (line 3), column `a`: `1e39` is past the largest number training \
             computes with (about 3.4e38); rescale the column"
    );
}

#[test]
fn missing_values_are_refused_with_the_way_to_drop_them() {
    let hint = "a missing value; `data.missing: drop` leaves out rows with missing values, \
                    `mean` or `median` fills in missing features";
    let label_hint = "a missing value; `data.missing: drop` (or `mean` or `median`) leaves \
                          out rows with a missing label";
    for (text, want, hint) in [
        (
            "a,b,y\n1,2,0\n3,,1\n",
            "row 2 (line 3), column `b`: the cell is empty",
            hint,
        ),
        (
            "a,b,y\n1,2,0\n3,NA,1\n",
            "row 2 (line 3), column `b`: the cell is `NA`",
            hint,
        ),
        (
            "a,y\n1,0\nNaN,1\n",
            "row 2 (line 3), column `a`: the cell is `NaN`",
            hint,
        ),
        (
            "a,y\n1,0\n2,\n",
            "row 2 (line 3), column `y`: the label is empty",
            label_hint,
        ),
    ] {
        let err = parse_str(text, "y").unwrap_err().to_string();
        assert_eq!(err, format!("data/x.csv: {want}, {hint}"), "{text:?}");
    }
}

#[test]
fn filling_keeps_rows_with_missing_features_and_leaves_out_missing_labels() {
    let mut fill = spec("data/x.csv", "y");
    fill.missing = experiment::MissingValues::Median;
    let text = "a,b,y\n1,2,0\n3,,1\n4,NA,1\n5,6,\n?,8,1\n";
    let d = parse(text.as_bytes(), &fill).unwrap();
    assert_eq!(
        (d.features.rows, d.dropped_rows, d.missing_cells),
        (4, 1, 3)
    );
    let nan_at: Vec<usize> = (0..d.features.data.len())
        .filter(|&i| d.features.data[i].is_nan())
        .collect();
    assert_eq!(nan_at, [3, 5, 6], "row 2's b, row 3's b, row 5's a");
    assert_eq!(d.labels, [0, 1, 1, 1]);
    // Anything that is not a number nor a missing value is still an error.
    let err = parse("a,y\n1,0\noops,1\n".as_bytes(), &fill).unwrap_err();
    assert!(err.to_string().contains("found `oops`"), "{err}");
}

#[test]
fn dropping_missing_values_leaves_out_their_rows_only() {
    let mut drop = spec("data/x.csv", "y");
    drop.missing = experiment::MissingValues::Drop;
    let text = "a,b,y\n1,2,0\n3,,1\n4,NA,1\n5,6,\n7,8,1\n9,?,0\n10,11,0\n12,<NA>,1\n\
                    13,-1.#IND,0\n";
    let d = parse(text.as_bytes(), &drop).unwrap();
    assert_eq!(d.features.data, [1.0, 2.0, 7.0, 8.0, 10.0, 11.0]);
    assert_eq!(d.labels, [0, 1, 0]);
    assert_eq!(d.dropped_rows, 6);
    // A label that reads like a marker is a class unless the target is known to be numbers.
    let labels = "a,y\n1,NA\n2,b\n3,NA\n";
    let d = parse(labels.as_bytes(), &drop).unwrap();
    assert_eq!(
        (d.class_names.clone(), d.dropped_rows),
        (vec!["NA".to_string(), "b".to_string()], 0)
    );
    drop.task = Some(Task::Regression);
    let d = parse("a,y\n1,0.5\n2,NA\n3,1.5\n".as_bytes(), &drop).unwrap();
    assert_eq!((d.values.clone(), d.dropped_rows), (vec![0.5, 1.5], 1));
    let err = parse("a,y\n1,0\n,1\nNA,0\n".as_bytes(), &drop).unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/x.csv: 2 rows with missing values left out leave 1 data row; at least 2 are \
             needed"
    );
    // Anything else is still an error.
    let err = parse("a,y\n1,0\noops,1\n".as_bytes(), &drop).unwrap_err();
    assert!(err.to_string().contains("found `oops`"), "{err}");
}

/// Returns `spec` with `columns` (name, line) as its `data.categorical` or `data.exclude`.
fn listed(columns: &[(&str, usize)]) -> Vec<Located<String>> {
    columns
        .iter()
        .map(|&(name, line)| Located {
            value: name.to_string(),
            location: Location {
                file: PathBuf::from("spec.yaml"),
                line,
                column: 20,
            },
        })
        .collect()
}

#[test]
fn categorical_columns_are_kept_as_text_and_excluded_ones_never_read() {
    let mut s = spec("data/x.csv", "y");
    s.categorical = listed(&[("colour", 6)]);
    s.exclude = listed(&[("id", 7)]);
    // `id` holds text and a missing cell, and is never looked at.
    let text = "id,a,colour,y\nr1,1,red,0\n,2,blue,1\nr3,3,red,1\n";
    let d = parse(text.as_bytes(), &s).unwrap();
    assert_eq!(d.feature_names, ["a"]);
    assert_eq!(d.features.data, [1.0, 2.0, 3.0]);
    let cells = |d: &Dataset| d.categorical[0].cells.clone();
    let some = |v: &str| Some(v.to_string());
    assert_eq!(d.categorical[0].name, "colour");
    assert_eq!(cells(&d), [some("red"), some("blue"), some("red")]);
    // A missing category: an error by default, the row left out with `drop`, kept as no
    // category with `mean` or `median`.
    let text = "id,a,colour,y\n1,1,red,0\n2,2,NA,1\n3,3,,1\n4,4,blue,1\n";
    let err = parse(text.as_bytes(), &s).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("data/x.csv: row 2 (line 3), column `colour`: the cell is `NA`"),
        "{err}"
    );
    s.missing = experiment::MissingValues::Drop;
    let d = parse(text.as_bytes(), &s).unwrap();
    assert_eq!(
        (cells(&d), d.dropped_rows),
        (vec![some("red"), some("blue")], 2)
    );
    s.missing = experiment::MissingValues::Median;
    let d = parse(text.as_bytes(), &s).unwrap();
    assert_eq!(cells(&d), [some("red"), None, None, some("blue")]);
    assert_eq!((d.missing_categories, d.missing_cells), (2, 0));
    // Only categorical columns: no numeric feature is needed.
    s.exclude.clear();
    let d = parse("colour,y\nred,0\nblue,1\n".as_bytes(), &s).unwrap();
    assert!(d.feature_names.is_empty() && d.features.cols == 0);
    // A code written once as an integer and once as a decimal is one category.
    let d = parse("colour,y\n94110,0\n94110.0,1\n02134,1\n".as_bytes(), &s).unwrap();
    assert_eq!(cells(&d), [some("94110"), some("94110"), some("02134")]);
}

#[test]
fn a_listed_column_not_in_the_file_names_its_place_in_the_spec() {
    let mut s = spec("data/x.csv", "y");
    s.categorical = listed(&[("a", 6), ("colr", 6)]);
    let err = parse("a,colour,y\n1,red,0\n".as_bytes(), &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:6:20: data.categorical: no column `colr` in `data/x.csv`; did you mean \
             `colour`? the columns are `a`, `colour`, `y`"
    );
    s.categorical.clear();
    s.exclude = listed(&[("identifier", 7)]);
    let err = parse("a,colour,y\n1,red,0\n".as_bytes(), &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:7:20: data.exclude: no column `identifier` in `data/x.csv`; the columns \
             are `a`, `colour`, `y`"
    );
}

#[test]
fn every_listed_column_not_in_the_file_is_said_and_an_excluded_one_never_suggested() {
    let mut s = spec("data/x.csv", "y");
    s.categorical = listed(&[("px0_0x", 6)]);
    s.exclude = listed(&[("nope", 7), ("px0_0", 7)]);
    let text = "px0_0,px0_1,colour,y\n1,2,red,0\n";
    let err = parse(text.as_bytes(), &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:6:20: data.categorical: no column `px0_0x` in `data/x.csv`; did you mean \
             `px0_1`?\n\
             spec.yaml:7:20: data.exclude: no column `nope` in `data/x.csv`\n\
             data/x.csv: the columns are `px0_0`, `px0_1`, `colour`, `y`"
    );
    // Said in the order the spec file names them, the target among them.
    s.target.value = "why".to_string();
    s.exclude = listed(&[("px0_0", 3)]);
    let err = parse(text.as_bytes(), &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:5:8: data.target: no column `why` in `data/x.csv`\n\
             spec.yaml:6:20: data.categorical: no column `px0_0x` in `data/x.csv`; did you mean \
             `px0_1`?\n\
             data/x.csv: the columns are `px0_0`, `px0_1`, `colour`, `y`"
    );
    // One alone is said as before, with a suggestion that is not excluded.
    s.target.value = "y".to_string();
    let err = parse(text.as_bytes(), &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:6:20: data.categorical: no column `px0_0x` in `data/x.csv`; did you mean \
             `px0_1`? the columns are `px0_0`, `px0_1`, `colour`, `y`"
    );
}

#[test]
fn missing_target_names_the_spec_location() {
    let err = parse_str("a,b\n1,2\n", "label").unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:5:8: data.target: no column `label` in `data/x.csv`; the columns are `a`, `b`"
    );
}

#[test]
fn a_missing_target_suggests_a_close_column_and_shortens_a_long_header() {
    let header: Vec<String> = (0..20)
        .map(|i| format!("px{i}"))
        .chain(["digit".into()])
        .collect();
    let text = format!("{}\n{}\n", header.join(","), vec!["1"; 21].join(","));
    let err = parse_str(&text, "digits").unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:5:8: data.target: no column `digits` in `data/x.csv`; did you mean \
             `digit`? the columns are `px0`, `px1`, `px2`, `px3`, `px4`, `px5`, ..., `px18`, \
             `px19`, `digit` (21 in all)"
    );
}

#[test]
fn missing_file_names_the_spec_location() {
    let err = load(&spec("no/such/file.csv", "y")).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("spec.yaml:4:8: data.csv: cannot read `no/such/file.csv`: "),
        "{message}"
    );
    assert!(!message.contains("os error"), "{message}");
}

#[test]
fn a_missing_file_under_a_tilde_says_that_it_is_not_expanded() {
    let err = load(&spec("c/~/small.csv", "y")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:4:8: data.csv: cannot read `c/~/small.csv`: No such file or directory; \
             `~` is not expanded to the home folder (no shell reads the spec): write the path in \
             full, or relative to the spec's folder"
    );
    // A file that is there is read, `~` or not; one that is not, without a `~`, says no more.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("~")).unwrap();
    std::fs::write(dir.path().join("~/small.csv"), "a,y\n1,0\n2,1\n").unwrap();
    let read = read_file(&spec(dir.path().join("~/small.csv"), "y").csv, "data.csv");
    assert_eq!(read.map(|text| text.len()).ok(), Some(12));
    let err = load(&spec("no/such/file.csv", "y")).unwrap_err();
    assert!(!err.to_string().contains('~'), "{err}");
}

#[test]
fn a_device_or_a_folder_is_refused_before_reading() {
    // `/dev/zero` would be read forever.
    let err = load(&spec("/dev/zero", "y")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.yaml:4:8: data.csv: cannot read `/dev/zero`: it is not a file but a device or \
             a pipe; name a data file"
    );
    let dir = tempfile::tempdir().unwrap();
    let err = load(&spec(dir.path().to_str().unwrap(), "y")).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("it is a folder; name the data file in it"),
        "{err}"
    );
}

#[test]
fn ragged_rows_and_degenerate_data_are_errors() {
    let err = parse_str("a,y\n1,0\n2,1,3\n", "y").unwrap_err();
    assert!(matches!(err, Error::Csv { .. }), "{err}");
    let err = parse_str("a,y\n1,0\n2,0\n", "y").unwrap_err();
    assert!(err.to_string().contains("single class `0`"), "{err}");
    let err = parse_str("y\n1\n2\n", "y").unwrap_err();
    assert!(err.to_string().contains("no feature columns"), "{err}");
    // A regression target training cannot hold, or with nothing to learn.
    // Named at its row, while the task is still to be inferred from the column.
    let err = parse_str("a,y\n1,0.5\n2,1e300\n3,0.25\n", "y").unwrap_err();
    assert!(
        err.to_string().contains(
            "row 2 (line 3), column `y`: `1e300` is past the largest number training \
                 computes with (about 3.4e38); rescale the target"
        ),
        "{err}"
    );
    let mut regression = spec("data/x.csv", "y");
    regression.task = Some(Task::Regression);
    let err = parse("a,y\n1,2.5\n2,2.5\n3,2.5\n".as_bytes(), &regression).unwrap_err();
    assert!(
        err.to_string()
            .contains("the target `y` has a single value, 2.5: there is nothing"),
        "{err}"
    );
}
