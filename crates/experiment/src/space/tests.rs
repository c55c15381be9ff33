//! Tests of search spaces: which parameters count as searched, whether a point belongs to a
//! space, grid sizes, which values a distribution admits, quantized values and how values are
//! written.

use super::*;

#[test]
fn a_constant_is_not_counted_as_searched() {
    let space = SearchSpace::new(vec![
        Param::new(
            "lr",
            Distribution::LogUniformValues {
                min: 1e-4,
                max: 0.1,
            },
        ),
        Param::new(
            "optimizer",
            Distribution::Constant(ParamValue::Str("adam".into())),
        ),
    ]);
    assert_eq!(space.params().len(), 2);
    assert_eq!(space.searched_count(), 1);
}

#[test]
fn quantized_values_are_the_decimals_they_look_like() {
    assert_eq!(quantized(0.86, 0.05), ParamValue::Float(0.85));
    assert_eq!(quantized(0.31, 0.1), ParamValue::Float(0.3));
    assert_eq!(quantized(20.1, 8.0), ParamValue::Int(24));
    assert_eq!(quantized(7.0, 2.5), ParamValue::Float(7.5));
    assert_eq!(quantized(-1.26, 0.25), ParamValue::Float(-1.25));
    assert_eq!(quantized(0.2, 1.0), ParamValue::Int(0));
}

#[test]
fn a_point_of_the_space_is_told_from_one_that_is_not() {
    use ParamValue::{Float, Str};
    let mut dropout = Param::new("dropout", Distribution::Uniform { min: 0.0, max: 0.5 });
    dropout.condition = Some(Condition {
        when: [("reg".to_string(), vec![Str("dropout".into())])].into(),
    });
    let space = SearchSpace::new(vec![
        Param::new(
            "reg",
            Distribution::Categorical {
                values: vec![Str("none".into()), Str("dropout".into())],
                probabilities: None,
            },
        ),
        dropout,
    ]);
    let point = |pairs: &[(&str, ParamValue)]| -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    };
    let none = Str("none".into());
    let with = Str("dropout".into());
    assert_eq!(space.not_a_point(&point(&[("reg", none.clone())])), None);
    assert_eq!(
        space.not_a_point(&point(&[("reg", with.clone()), ("dropout", Float(0.2))])),
        None
    );
    for (params, said) in [
        (point(&[("reg", Str("abc".into()))]), "`reg` must be one of"),
        (
            point(&[("reg", none.clone()), ("zzz", Float(1.0))]),
            "`zzz` is not a parameter",
        ),
        (
            point(&[("reg", with.clone()), ("dropout", Float(0.9))]),
            "`dropout` must be in",
        ),
        (
            point(&[("reg", none), ("dropout", Float(0.2))]),
            "`dropout` is given where its `when:` does not hold",
        ),
        (point(&[("reg", with)]), "`dropout` is missing"),
    ] {
        let problem = space.not_a_point(&params);
        assert!(
            problem.as_deref().is_some_and(|p| p.starts_with(said)),
            "{problem:?}"
        );
    }
}

#[test]
fn a_refused_value_shows_text_in_quotes_so_empty_and_spaced_values_are_seen() {
    use ParamValue::{Bool, Float, Int, Str};
    let listed = Distribution::Categorical {
        values: vec![
            Str("x".into()),
            Str(String::new()),
            Str("null".into()),
            Bool(true),
            Str(" sp".into()),
            Int(64),
            Float(0.5),
        ],
        probabilities: None,
    };
    assert_eq!(
        listed.admit(&Str("sp".into())),
        Err(r#"must be one of "x", "", "null", true, " sp", 64, 0.5, found "sp""#.into())
    );
    assert_eq!(
        listed.admit(&Int(32)),
        Err(r#"must be one of "x", "", "null", true, " sp", 64, 0.5, found 32"#.into())
    );
    let only = Distribution::Constant(Str("adam ".into()));
    assert_eq!(
        only.admit(&Str("adam".into())),
        Err(r#"must be "adam ", its only value, found "adam""#.into())
    );
    assert_eq!(
        Distribution::Constant(Int(3)).admit(&Int(4)),
        Err("must be 3, its only value, found 4".into())
    );
}

#[test]
fn grid_size_multiplies_and_refuses_continuous() {
    let space = SearchSpace::new(vec![
        Param::new(
            "hidden",
            Distribution::Categorical {
                values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                probabilities: None,
            },
        ),
        Param::new("depth", Distribution::IntUniform { min: 1, max: 3 }),
    ]);
    assert_eq!(space.grid_size(), Some(6));
    assert_eq!(space.params()[0].name, "depth");
    let continuous = SearchSpace::new(vec![Param::new(
        "lr",
        Distribution::Uniform { min: 0.0, max: 1.0 },
    )]);
    assert_eq!(continuous.grid_size(), None);
}

#[test]
fn a_value_is_admitted_as_its_distribution_gives_it() {
    use Distribution as D;
    use ParamValue::{Float, Int, Str};
    let ok = |d: D, v: ParamValue| d.admit(&v);
    // Log bounds are natural logarithms; `exp` of them admits the bounds themselves.
    let log = D::LogUniform {
        min: 1e-4f64.ln(),
        max: 1e-1f64.ln(),
    };
    assert_eq!(ok(log.clone(), Float(1e-4)), Ok(Float(1e-4)));
    assert_eq!(ok(log.clone(), Float(0.1)), Ok(Float(0.1)));
    assert!(ok(log, Float(0.2)).is_err_and(|e| e.starts_with("must be in [")));
    let q = D::QLogUniformValues {
        min: 1.0,
        max: 100.0,
        q: 0.5,
    };
    assert_eq!(ok(q.clone(), Int(3)), Ok(Float(3.0)));
    assert_eq!(ok(q.clone(), Float(2.5)), Ok(Float(2.5)));
    assert_eq!(
        ok(q, Float(2.6)),
        Err("must be a multiple of q = 0.5, found 2.6".into())
    );
    let normal = D::Normal {
        mu: 0.0,
        sigma: 1.0,
    };
    assert_eq!(ok(normal.clone(), Int(-40)), Ok(Float(-40.0)));
    assert_eq!(
        ok(normal, Str("a".into())),
        Err("expected a number, found string `a`".into())
    );
    let log_normal = D::LogNormal {
        mu: 0.0,
        sigma: 1.0,
    };
    assert_eq!(
        ok(log_normal, Float(0.0)),
        Err("must be positive, found 0".into())
    );
    assert_eq!(ok(D::Constant(Int(3)), Float(3.0)), Ok(Int(3)));
    assert_eq!(
        ok(D::Constant(Int(3)), Int(4)),
        Err("must be 3, its only value, found 4".into())
    );
    let listed = D::Categorical {
        values: vec![Float(0.5), Str("adam".into())],
        probabilities: None,
    };
    assert_eq!(
        ok(listed.clone(), Str("adam".into())),
        Ok(Str("adam".into()))
    );
    assert!(ok(listed, Str("Adam".into())).is_err());
}

#[test]
fn issue_log_scale_values_are_positive_whatever_the_slack() {
    use Distribution as D;
    use ParamValue::{Float, Int};
    // A bound this small once gave a slack (1e-12 absolute) that reached 0.
    let tiny = D::LogUniformValues {
        min: 1e-12,
        max: 1e-2,
    };
    for zero in [Float(0.0), Int(0), Float(-0.0), Float(-1e-13)] {
        assert!(
            tiny.admit(&zero)
                .is_err_and(|e| e.starts_with("must be in [")),
            "{zero:?}"
        );
    }
    assert!(tiny.admit(&Float(1e-13)).is_err());
    assert_eq!(tiny.admit(&Float(1e-12)), Ok(Float(1e-12)));
    // A bound computed back from its logarithm still admits the bound itself.
    let back = 1e-12f64.ln().exp();
    assert!(tiny.admit(&Float(back)).is_ok());
    let log = D::LogUniform {
        min: 1e-12f64.ln(),
        max: 1e-2f64.ln(),
    };
    assert!(log.admit(&Float(0.0)).is_err());
    assert!(log.admit(&Float(1e-12)).is_ok());
    let inverse = D::InvLogUniformValues {
        min: 1e-12,
        max: 1e-2,
    };
    assert!(inverse.admit(&Float(0.0)).is_err());
}

#[test]
fn values_display_compactly() {
    assert_eq!(ParamValue::Float(0.25).to_string(), "0.25");
    assert_eq!(ParamValue::Float(1.5e-5).to_string(), "1.500e-5");
    assert_eq!(ParamValue::Int(64).to_string(), "64");
}
