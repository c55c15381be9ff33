//! Tests of the notes on draws outside a knob: the normal family's, with and without rounding
//! to q, and beta's.

use crate::{Distribution, Param, SearchSpace};

#[test]
fn a_normal_distribution_drawing_outside_its_knob_is_noted() {
    let normal =
        |name: &str, mu: f64, sigma: f64| Param::new(name, Distribution::Normal { mu, sigma });
    let space = SearchSpace::new(vec![
        normal("lr", 0.001, 0.1),
        normal("dropout", 0.3, 0.05),
        normal("label", -5.0, 1.0),
    ]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`lr` is drawn from a normal distribution (mu 0.001, sigma 0.1) that puts about \
          50% of its draws outside the values it takes (1e-12 to 10): those trials fail; a \
          `log_normal` or a range keeps every draw valid"
        ]
    );
    // A log-normal is judged on the log scale: e^700 is past every knob; e^-7 is an lr.
    let space = SearchSpace::new(vec![
        Param::new(
            "lr",
            Distribution::LogNormal {
                mu: 700.0,
                sigma: 1.0,
            },
        ),
        Param::new(
            "l2",
            Distribution::LogNormal {
                mu: -7.0,
                sigma: 1.0,
            },
        ),
    ]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`lr` is drawn from a log-normal distribution (mu 700, sigma 1, of the value's \
          natural log) that puts about 100% of its draws outside the values it takes (1e-12 \
          to 10): those trials fail; a range keeps every draw valid"
        ]
    );
    assert!((super::normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
    assert!((super::normal_cdf(0.0) - 0.5).abs() < 1e-9);
}

#[test]
fn issue_45_a_quantized_normal_counts_the_draws_its_rounding_loses() {
    // Draws below 4 round to 0, which `batch_size` cannot take: about 27% of e^N(2, 1).
    let space = SearchSpace::new(vec![Param::new(
        "batch_size",
        Distribution::QLogNormal {
            mu: 2.0,
            sigma: 1.0,
            q: 8.0,
        },
    )]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`batch_size` is drawn from a log-normal distribution (mu 2, sigma 1, of the \
          value's natural log, rounded to a multiple of q (8)) that puts about 27% of its \
          draws outside the values it takes (1 to 1048576; draws below 4 round to 0): those \
          trials fail; a range keeps every draw valid"
        ]
    );
    // Draws below 2 round to 0 (about 23% of N(8, 8)), not only those below 0.5 (17%).
    let space = SearchSpace::new(vec![Param::new(
        "hidden",
        Distribution::QNormal {
            mu: 8.0,
            sigma: 8.0,
            q: 4.0,
        },
    )]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`hidden` is drawn from a normal distribution (mu 8, sigma 8, rounded to a \
          multiple of q (4)) that puts about 23% of its draws outside the values it takes (1 \
          to 65536; draws below 2 round to 0 or less): those trials fail; a `log_normal` or \
          a range keeps every draw valid"
        ]
    );
    // `momentum` takes no 1: draws from 0.875 up round to it.
    let space = SearchSpace::new(vec![Param::new(
        "momentum",
        Distribution::QNormal {
            mu: 0.5,
            sigma: 0.3,
            q: 0.25,
        },
    )]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`momentum` is drawn from a normal distribution (mu 0.5, sigma 0.3, rounded to a \
          multiple of q (0.25)) that puts about 12% of its draws outside the values it takes \
          (0 to 1; draws below -0.125 round to -0.25 or less; draws from 0.875 up round to 1 \
          or more): those trials fail; a `log_normal` or a range keeps every draw valid"
        ]
    );
}

#[test]
fn issue_45_a_q_beta_whose_draws_round_outside_the_knob_is_noted() {
    // Beta(5, 1) puts 1 - 0.875^5, about 49%, of its draws from 0.875 up: they round to 1.
    let space = SearchSpace::new(vec![Param::new(
        "momentum",
        Distribution::QBeta {
            a: 5.0,
            b: 1.0,
            q: 0.25,
        },
    )]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`momentum` is drawn from a beta distribution (a 5, b 1, rounded to a multiple of q \
             (0.25)) that puts about 49% of its draws outside the values it takes (0 to 1; draws \
             from 0.875 up round to 1): those trials fail; a range with bounds it takes keeps \
             every draw valid"
        ]
    );
    // Draws below 0.05 round to 0, which no `lr` is: 0.05^0.5, about 22%, of Beta(0.5, 1).
    let space = SearchSpace::new(vec![Param::new(
        "lr",
        Distribution::QBeta {
            a: 0.5,
            b: 1.0,
            q: 0.1,
        },
    )]);
    assert_eq!(
        space.normal_outside_notes(),
        [
            "`lr` is drawn from a beta distribution (a 0.5, b 1, rounded to a multiple of q \
             (0.1)) that puts about 22% of its draws outside the values it takes (1e-12 to 10; \
             draws below 0.05 round to 0): those trials fail; a range with bounds it takes keeps \
             every draw valid"
        ]
    );
    // Under 5%: 0.025^3 of Beta(1, 3) rounds to 1. Knobs that take 0 and 1, and `beta` itself,
    // lose nothing.
    let space = SearchSpace::new(vec![
        Param::new(
            "dropout",
            Distribution::QBeta {
                a: 1.0,
                b: 3.0,
                q: 0.05,
            },
        ),
        Param::new(
            "l2",
            Distribution::QBeta {
                a: 2.0,
                b: 2.0,
                q: 1.0,
            },
        ),
        Param::new("momentum", Distribution::Beta { a: 2.0, b: 2.0 }),
    ]);
    assert!(space.normal_outside_notes().is_empty());
}

#[test]
fn the_beta_share_matches_closed_forms() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
    // Beta(a, 1): x^a; Beta(1, b): 1 - (1-x)^b; Beta(2, 2): 3x^2 - 2x^3.
    assert!(close(super::beta_cdf(0.875, 5.0, 1.0), 0.875f64.powi(5)));
    assert!(close(super::beta_cdf(0.05, 0.5, 1.0), 0.05f64.sqrt()));
    assert!(close(
        super::beta_cdf(0.3, 1.0, 0.4),
        1.0 - 0.7f64.powf(0.4)
    ));
    assert!(close(
        super::beta_cdf(0.9, 1.0, 0.4),
        1.0 - 0.1f64.powf(0.4)
    ));
    assert!(close(
        super::beta_cdf(0.7, 2.0, 2.0),
        3.0 * 0.49 - 2.0 * 0.343
    ));
    // Beta(0.5, 0.5) is the arcsine law: (2 / pi) asin(sqrt(x)).
    let arcsine = |x: f64| 2.0 / std::f64::consts::PI * x.sqrt().asin();
    assert!(close(super::beta_cdf(0.1, 0.5, 0.5), arcsine(0.1)));
    assert!(close(super::beta_cdf(0.95, 0.5, 0.5), arcsine(0.95)));
    assert_eq!(super::beta_cdf(0.0, 2.0, 2.0), 0.0);
    assert_eq!(super::beta_cdf(1.0, 2.0, 2.0), 1.0);
}

#[test]
fn the_beta_share_holds_at_extreme_shapes() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    // Beta(5, 1): x^5.
    assert!(close(super::beta_cdf(0.875, 5.0, 1.0), 0.875f64.powi(5)));
    assert!(close(super::beta_cdf(0.3, 5.0, 1.0), 0.3f64.powi(5)));
    // Beta(1e5, 1): x^1e5, all but nothing of it past 0.875, e^-1 of it below 1 - 1e-5.
    assert_eq!(super::beta_cdf(0.875, 1e5, 1.0), 0.0);
    let x: f64 = 1.0 - 1e-5;
    assert!(close(super::beta_cdf(x, 1e5, 1.0), (1e5 * x.ln()).exp()));
    // Beta(600, 600): symmetric, so a half below 1/2; below 0.48, the binomial tail
    // P(Bin(1199, 0.48) >= 600) that I_x(a, b) is for whole shapes, summed here in logs.
    assert!(close(super::beta_cdf(0.5, 600.0, 600.0), 0.5));
    let ln_factorial = |n: u32| (1..=n).map(|k| f64::from(k).ln()).sum::<f64>();
    let tail: f64 = (600..=1199)
        .map(|j| {
            (ln_factorial(1199) - ln_factorial(j) - ln_factorial(1199 - j)
                + f64::from(j) * 0.48f64.ln()
                + f64::from(1199 - j) * 0.52f64.ln())
            .exp()
        })
        .sum();
    let share = super::beta_cdf(0.48, 600.0, 600.0);
    assert!(
        (share - tail).abs() < 1e-9 && share > 0.05,
        "{share} {tail}"
    );
    assert!(close(super::beta_cdf(0.875, 600.0, 600.0), 1.0));
    // Beta(0.5, 0.5), the arcsine law.
    let arcsine = |x: f64| 2.0 / std::f64::consts::PI * x.sqrt().asin();
    for x in [1e-6, 0.1, 0.5, 0.95, 1.0 - 1e-9] {
        assert!(close(super::beta_cdf(x, 0.5, 0.5), arcsine(x)), "{x}");
    }
    // Shapes that are not positive and finite give no share.
    assert!(super::beta_cdf(0.5, f64::NAN, 1.0).is_nan());
    assert!(super::beta_cdf(0.5, 0.0, 1.0).is_nan());
}

#[test]
fn a_q_beta_of_extreme_shape_is_noted_with_its_share_or_not_at_all() {
    let q_beta = |name: &str, a: f64, b: f64| {
        SearchSpace::new(vec![Param::new(
            name,
            Distribution::QBeta { a, b, q: 0.25 },
        )])
        .normal_outside_notes()
    };
    // Beta(600, 600) stays within 0.5 +- 0.1: nothing rounds to 1.
    assert!(q_beta("dropout", 600.0, 600.0).is_empty());
    // Beta(1e5, 1) puts 1 - 0.875^1e5 of its draws from 0.875 up, all of them.
    assert_eq!(
        q_beta("dropout", 1e5, 1.0),
        [
            "`dropout` is drawn from a beta distribution (a 100000, b 1, rounded to a multiple \
             of q (0.25)) that puts about 100% of its draws outside the values it takes (0 to 1; \
             draws from 0.875 up round to 1): those trials fail; a range with bounds it takes \
             keeps every draw valid"
        ]
    );
    // A share that is not a number is not said.
    assert!(q_beta("dropout", f64::NAN, 1.0).is_empty());
    let normal = Param::new(
        "lr",
        Distribution::Normal {
            mu: f64::NAN,
            sigma: 1.0,
        },
    );
    assert!(SearchSpace::new(vec![normal])
        .normal_outside_notes()
        .is_empty());
}
