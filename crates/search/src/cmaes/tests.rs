//! CMA-ES: a golden sequence, generations as the unit of learning, and a search that beats
//! random on a bowl and on a narrow valley.

use experiment::{Distribution, Param, Restart, Seed, TpeConfig, TrialId};

use super::*;
use crate::special;
use crate::testing::{
    best, median, median_best_on_quadratic, objective, propose, quadratic, quadratic_space, study,
    x_and_kind_space, xy,
};

fn cmaes(seed: u64) -> CmaEsSampler {
    CmaEsSampler::new(Seed(seed), CmaEsConfig::default(), objective())
}

use experiment::Trial;

/// Returns the strategy `sampler` replays from `trials` on `space`, and its constants.
fn replayed(
    sampler: &CmaEsSampler,
    space: &SearchSpace,
    trials: &[Trial],
) -> (Strategy, Constants) {
    let observations = history::observations(trials, &[objective()], &[], Combine::Fronts);
    sampler.replay(&coordinates(space), &observations)
}

#[test]
fn golden_sequence_for_seed_7() {
    // A golden sequence: a change here changes every CMA-ES experiment's trials. Two
    // coordinates give generations of 6; these are the third generation's first four.
    let trials = study(&cmaes(7), &quadratic_space(), 16, quadratic);
    let drawn = xy(&trials[12..]);
    assert_eq!(
        drawn,
        [
            "x=1.535592 y=-4.830204",
            "x=0.255395 y=-3.105983",
            "x=4.923899 y=-1.578481",
            "x=1.210640 y=-1.383300",
        ]
    );
}

#[test]
fn the_worst_members_carry_negative_weights_within_the_bound_that_keeps_c_positive() {
    for (n, lambda) in [(2, 6), (5, 8), (10, 10), (10, 7), (1, 4)] {
        let k = Constants::new(n, lambda);
        assert_eq!(k.weights.len(), lambda / 2);
        assert!((k.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // An odd generation's middle member weighs nothing.
        assert_eq!(k.negative.len(), lambda / 2, "n {n} lambda {lambda}");
        assert!(k.negative.iter().all(|w| *w < 0.0));
        assert!(
            k.negative.windows(2).all(|w| w[1] < w[0]),
            "the worst pushes hardest"
        );
        let total: f64 = -k.negative.iter().sum::<f64>();
        let posdef = (1.0 - k.c_1 - k.c_mu) / (count(n) * k.c_mu);
        assert!(total <= 1.0 + k.c_1 / k.c_mu + 1e-12 && total <= posdef + 1e-12);
    }
}

#[test]
fn the_covariance_shrinks_along_the_worst_members_steps() {
    // Best members along x, worst along y: the variance along y falls below that along x,
    // further than the best members alone would take it.
    let k = Constants::new(2, 6);
    let mut strategy = Strategy::new(2, 0.1);
    let points: Vec<Vec<f64>> = [
        (0.6, 0.5),
        (0.4, 0.5),
        (0.55, 0.5),
        (0.5, 0.6),
        (0.5, 0.4),
        (0.5, 0.65),
    ]
    .iter()
    .map(|(x, y)| vec![*x, *y])
    .collect();
    strategy.tell(&points, &k);
    let (cxx, cyy) = (strategy.c[0], strategy.c[3]);
    assert!(cyy < cxx, "C = {:?}", strategy.c);
    let passive = Constants {
        negative: Vec::new(),
        ..Constants::new(2, 6)
    };
    let mut without = Strategy::new(2, 0.1);
    without.tell(&points, &passive);
    assert!(cyy < without.c[3], "{cyy} against {}", without.c[3]);
}

#[test]
fn only_complete_generations_move_the_distribution() {
    let space = quadratic_space();
    let trials = study(&cmaes(3), &space, 16, quadratic);
    // Generations of 6: 0-5 and 6-11 are complete, 12-15 are not.
    let after_two = propose(&cmaes(3), &space, &trials[..12], 20);
    assert_eq!(propose(&cmaes(3), &space, &trials, 20), after_two);
    assert_ne!(propose(&cmaes(3), &space, &trials[..11], 20), after_two);
    // The first generation draws from the initial distribution whatever it is given.
    assert_eq!(
        propose(&cmaes(3), &space, &trials[..5], 5),
        propose(&cmaes(3), &space, &[], 5)
    );
    assert!(!cmaes(3).learns_from(3));
    assert!(cmaes(3).learns_from(4));
}

#[test]
fn it_beats_random_search_on_a_bowl() {
    let cma = median_best_on_quadratic(&|s| Box::new(cmaes(s)), 9, 60);
    let random = median_best_on_quadratic(&|s| Box::new(RandomSampler::new(Seed(s))), 9, 60);
    assert!(cma < random / 20.0, "cmaes {cma}, random {random}");
    assert!(cma < 0.05, "cmaes {cma}");
}

#[test]
fn it_follows_a_narrow_rotated_valley() {
    // Rosenbrock in 4-D: the covariance must learn the curved valley (the optimum, 0, is at
    // 1, 1, 1, 1); random search stays far from it.
    let uniform = || Distribution::Uniform {
        min: -2.0,
        max: 2.0,
    };
    let names = ["a", "b", "c", "d"];
    let space = SearchSpace::new(names.iter().map(|n| Param::new(*n, uniform())).collect());
    let rosenbrock = |p: &Params| {
        let x: Vec<f64> = names.iter().map(|n| p[*n].as_f64().unwrap()).collect();
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .sum::<f64>()
    };
    let found = |sampler: &dyn Sampler| best(&study(sampler, &space, 800, rosenbrock));
    let cma = median((0..5).map(|s| found(&cmaes(s))).collect());
    let random = median(
        (0..5)
            .map(|s| found(&RandomSampler::new(Seed(s))))
            .collect(),
    );
    assert!(cma < 0.5 && random > 4.0, "cmaes {cma}, random {random}");
}

#[test]
fn the_parameters_the_strategy_does_not_move_are_left_to_tpe_or_drawn_at_random() {
    let space = x_and_kind_space();
    let coordinates = coordinates(&space);
    assert_eq!(coordinates.len(), 1);
    assert_eq!(coordinates[0].0.name, "x");
    let f = |p: &Params| {
        p["x"].as_f64().unwrap()
            + if p["kind"].as_str() == Some("a") {
                0.0
            } else {
                1.0
            }
    };
    let random = CmaEsSampler::new(
        Seed(1),
        CmaEsConfig {
            independent_sampler: IndependentSampler::Random,
            ..CmaEsConfig::default()
        },
        objective(),
    );
    let count_a = |trials: &[Trial]| {
        trials
            .iter()
            .filter(|t| t.params["kind"].as_str() == Some("a"))
            .count()
    };
    // Random draws take both kinds about equally; TPE learns that `a` pays, and the strategy
    // moves `x` the same way under both.
    let drawn = study(&random, &space, 60, f);
    let learned = study(&cmaes(1), &space, 60, f);
    assert!((18..=42).contains(&count_a(&drawn)), "{}", count_a(&drawn));
    assert!(count_a(&learned) >= 45, "{}", count_a(&learned));
    // TPE chooses `kind` given the strategy's `x`.
    let k = 40;
    let proposal = propose(&cmaes(1), &space, &learned[..40], k);
    let x = proposal["x"].clone();
    let tpe = TpeSampler::new(Seed(1), TpeConfig::default(), objective());
    let given = Params::from([("x".to_string(), x)]);
    let chosen = tpe
        .suggest_in(&SuggestContext {
            space: &space,
            finished: &learned[..40],
            running: &[],
            pinned: &given,
            trial: TrialId(k),
            planned: None,
        })
        .unwrap();
    assert_eq!(proposal, chosen);
    // A space with no numeric parameter is left whole to the independent sampler.
    let kind = space.params().iter().find(|p| p.name == "kind").unwrap();
    let only_kind = SearchSpace::new(vec![kind.clone()]);
    for k in 0..12 {
        assert_eq!(
            propose(&random, &only_kind, &[], k),
            RandomSampler::new(Seed(1))
                .suggest(&only_kind, &[], TrialId(k))
                .unwrap()
        );
        assert_eq!(
            propose(&cmaes(1), &only_kind, &[], k),
            tpe.suggest(&only_kind, &[], TrialId(k)).unwrap()
        );
    }
}

#[test]
fn a_flat_or_converged_strategy_starts_again_with_twice_the_generation() {
    let space = quadratic_space();
    let with = |restart: Restart| {
        CmaEsSampler::new(
            Seed(2),
            CmaEsConfig {
                popsize: Some(4),
                restart,
                ..CmaEsConfig::default()
            },
            objective(),
        )
    };
    let state = |sampler: &CmaEsSampler, trials: &[Trial]| {
        let (strategy, constants) = replayed(sampler, &space, trials);
        (strategy.restarts, constants.lambda)
    };
    // Flat values: after 10 + 30 * 2 / 4 = 25 generations of 4, a restart with 8.
    let flat = study(&with(Restart::Ipop), &space, 120, |_| 1.0);
    assert_eq!(state(&with(Restart::Ipop), &flat), (1, 8));
    let flat = study(&with(Restart::None), &space, 120, |_| 1.0);
    assert_eq!(state(&with(Restart::None), &flat), (0, 4));
    // A bowl: the steps shrink below 1e-8 of the range, then it starts again elsewhere, and
    // the best found stays the best.
    let ipop = study(&with(Restart::Ipop), &space, 700, quadratic);
    let (restarts, lambda) = state(&with(Restart::Ipop), &ipop);
    assert!(
        restarts >= 1 && lambda == 4 << restarts,
        "{restarts} {lambda}"
    );
    let plain = study(&with(Restart::None), &space, 700, quadratic);
    assert_eq!(state(&with(Restart::None), &plain).0, 0);
    // BIPOP: the same first restart, then runs of 4 (half of 8), which stay small while they
    // spent fewer trials than the first two runs (100 + 18 * 8: restarts at 100, 244, 344);
    // IPOP doubles again (at 100, 244).
    let bipop = study(&with(Restart::Bipop), &space, 700, quadratic);
    assert_eq!(bipop, ipop, "the same up to the second restart");
    let flat = |restart| study(&with(restart), &space, 400, |_| 1.0);
    assert_eq!(state(&with(Restart::Ipop), &flat(Restart::Ipop)), (2, 16));
    assert_eq!(state(&with(Restart::Bipop), &flat(Restart::Bipop)), (3, 4));
    // Without restarts the last proposals are one point; with them they spread again.
    let spread = |trials: &[Trial]| {
        let xs: Vec<f64> = trials[trials.len() - 20..]
            .iter()
            .map(|t| t.params["x"].as_f64().unwrap())
            .collect();
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - xs.iter().copied().fold(f64::INFINITY, f64::min)
    };
    assert!(spread(&plain) < 1e-6, "{}", spread(&plain));
    assert!(spread(&ipop) > 1e-3, "{}", spread(&ipop));
    assert!(best(&ipop) < 1e-12 && best(&plain) < 1e-12);
}

#[test]
fn bipop_alternates_doubled_and_small_runs_by_the_trials_they_spent() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut runs = Runs::default();
    let mut next = |runs: &mut Runs, spent: u64| {
        runs.spent = spent;
        runs.restart(Restart::Bipop, 6, 0.2, &mut rng)
    };
    // The first restart is large, whatever the first run spent.
    assert_eq!(next(&mut runs, 600), (12, 0.2));
    // Then small runs (generations of 6: half of 12 is the default), each with a smaller
    // step, until they spent as many trials as the large ones (600 + 1,200).
    for spent in [1_200, 700, 700] {
        let (lambda, sigma) = next(&mut runs, spent);
        assert_eq!(lambda, 6);
        assert!((0.002..=0.2).contains(&sigma), "{sigma}");
    }
    // 1,400 spent small against 1,800 large: one more small, then large again (24).
    assert_eq!(next(&mut runs, 300).0, 6);
    assert_eq!(next(&mut runs, 200), (24, 0.2));
    // Now small runs draw generations between 6 and half of 24, and steps down to a
    // hundredth of 0.2.
    let drawn: Vec<(usize, f64)> = [10_000; 1]
        .into_iter()
        .chain([1; 39])
        .map(|spent| next(&mut runs, spent))
        .collect();
    assert!(drawn
        .iter()
        .all(|(l, s)| (6..=12).contains(l) && (0.002..=0.2).contains(s)));
    assert!(drawn.iter().any(|(l, _)| *l > 6), "{drawn:?}");
    assert!(drawn.iter().any(|(_, s)| *s < 0.02), "{drawn:?}");
    // IPOP always doubles: 6, 12, 24, ... up to the largest generation.
    let mut ipop = Runs::default();
    let sizes: Vec<usize> = (0..12)
        .map(|_| ipop.restart(Restart::Ipop, 6, 0.2, &mut rng).0)
        .collect();
    assert_eq!(
        sizes,
        [12, 24, 48, 96, 192, 384, 768, 1536, 3072, 4096, 4096, 4096]
    );
}

/// A 3-D space: two reals that matter a thousand times more than an integer from 0 to 8.
fn light_integer() -> (SearchSpace, impl Fn(&Params) -> f64) {
    let real = || Distribution::Uniform {
        min: -2.0,
        max: 2.0,
    };
    let space = SearchSpace::new(vec![
        Param::new("a", real()),
        Param::new("b", real()),
        Param::new("k", Distribution::IntUniform { min: 0, max: 8 }),
    ]);
    let f = |p: &Params| {
        let x = |name: &str| p[name].as_f64().unwrap_or(f64::NAN);
        1000.0 * (x("a") - 0.5).powi(2) + 1000.0 * (x("b") + 0.3).powi(2) + (x("k") - 7.0).powi(2)
    };
    (space, f)
}

#[test]
fn the_margin_keeps_an_integer_that_matters_little_moving() {
    // The strategy settles the reals first; by then its steps are below the integer's spacing,
    // and without a margin every candidate rounds to the same integer, wherever it stopped.
    let (space, f) = light_integer();
    let found = |with_margin: bool| {
        (0..12)
            .filter(|&seed| {
                let config = CmaEsConfig {
                    with_margin,
                    restart: Restart::None,
                    ..CmaEsConfig::default()
                };
                let sampler = CmaEsSampler::new(Seed(seed), config, objective());
                let trials = study(&sampler, &space, 300, &f);
                let best = trials
                    .iter()
                    .min_by(|x, y| f(&x.params).total_cmp(&f(&y.params)));
                best.is_some_and(|t| t.params["k"] == experiment::ParamValue::Int(7))
            })
            .count()
    };
    let (with, without) = (found(true), found(false));
    assert!(with >= 11, "with the margin {with} of 12 seeds found k = 7");
    assert!(without <= 8, "without it {without} of 12 seeds found k = 7");
}

#[test]
fn the_margin_leaves_each_neighbour_at_least_its_share() {
    let (space, _) = light_integer();
    let coordinates = coordinates(&space);
    let k = coordinates.iter().position(|(p, _)| p.name == "k").unwrap();
    let alpha = 0.05;
    // Steps far below the integer's spacing (1/9 of the unit interval): at 4 (the middle of
    // its interval), then near 4's upper end, then inside 0's (the range's lower end).
    for (mean, lower_end) in [(0.5, false), (5.0 / 9.0 - 0.001, false), (0.02, true)] {
        let mut strategy = Strategy::new(3, 1e-4);
        strategy.mean[k] = mean;
        strategy.keep_margin(&coordinates, alpha);
        let spread = strategy.sigma * strategy.scales[k];
        let m = strategy.mean[k];
        let (_, numeric) = coordinates[k];
        let (lo, hi) = numeric.cell(m).unwrap();
        let above = 1.0 - special::cdf((hi.unwrap() - m) / spread);
        if lower_end {
            assert_eq!(lo, None);
            assert!((above - alpha).abs() < 1e-9, "{above}");
            assert_eq!(strategy.scales[k], 1.0);
        } else {
            let below = 1.0 - special::cdf((m - lo.unwrap()) / spread);
            assert!(below >= alpha / 2.0 - 1e-9 && above >= alpha / 2.0 - 1e-9);
            assert!(strategy.scales[k] > 1.0);
        }
        // The reals are left alone.
        assert_eq!(strategy.scales[..k], [1.0, 1.0][..k]);
        assert_eq!(strategy.mean[..k], [0.5, 0.5][..k]);
    }
    // A wide step already leaves the neighbours more: nothing moves.
    let mut wide = Strategy::new(3, 0.3);
    wide.keep_margin(&coordinates, alpha);
    assert_eq!((wide.mean, wide.scales), (vec![0.5; 3], vec![1.0; 3]));
}

#[test]
fn the_covariance_learns_faster_on_a_bowl_than_where_the_values_are_noise() {
    // With `lr_adapt`, the replayed strategy's rates after 40 generations of 6. Both rates
    // fall in the first generations, while their averages hold one step (as in the `cmaes`
    // library under Optuna); by then the covariance's has recovered on the bowl, whose
    // generations agree, to twice what it is where the values say nothing.
    let space = quadratic_space();
    let sampler = CmaEsSampler::new(
        Seed(5),
        CmaEsConfig {
            lr_adapt: true,
            restart: Restart::None,
            ..CmaEsConfig::default()
        },
        objective(),
    );
    let rates_on = |f: &dyn Fn(&Params) -> f64| {
        let trials = study(&sampler, &space, 240, f);
        let (strategy, _) = replayed(&sampler, &space, &trials);
        (
            strategy.rates.map(|r| (r.mean, r.covariance)),
            strategy.sigma,
        )
    };
    let bowl = rates_on(&quadratic);
    // A value that depends on the point but in no smooth way.
    let noise = rates_on(&|p: &Params| {
        let (x, y) = (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap());
        ((x * 12.9898 + y * 78.233).sin() * 43_758.545).fract()
    });
    let ((Some((_, bowl)), bowl_sigma), (Some((_, noise)), noise_sigma)) = (bowl, noise) else {
        panic!("the strategy keeps its rates");
    };
    assert!(bowl > 1.5 * noise, "bowl {bowl}, noise {noise}");
    // And the bowl is being converged on, the noise not.
    assert!(
        bowl_sigma < noise_sigma / 10.0,
        "{bowl_sigma} {noise_sigma}"
    );
    // Without `lr_adapt` there are none.
    let trials = study(&cmaes(5), &space, 60, quadratic);
    assert!(replayed(&cmaes(5), &space, &trials).0.rates.is_none());
}

#[test]
fn a_separable_strategy_learns_faster_and_keeps_its_covariance_diagonal() {
    for (n, lambda) in [(2, 6), (6, 9), (10, 10), (40, 15)] {
        let full = Constants::new(n, lambda);
        let sep = Constants::new(n, lambda).separable(n);
        assert!(sep.negative.is_empty());
        assert!(sep.c_1 + sep.c_mu <= 1.0 + 1e-12);
        let factor = (count(n) + 2.0) / 3.0;
        if (full.c_1 + full.c_mu) * factor <= 1.0 {
            assert!((sep.c_1 - full.c_1 * factor).abs() < 1e-15);
            assert!((sep.c_mu - full.c_mu * factor).abs() < 1e-15);
        }
        assert_eq!((sep.weights, sep.mu_eff), (full.weights, full.mu_eff));
    }
    // Members spread along the diagonal x = y: a full covariance learns the correlation, a
    // diagonal one only the two variances.
    let points: Vec<Vec<f64>> = [0.6, 0.58, 0.42, 0.4, 0.52, 0.47]
        .iter()
        .map(|v| vec![*v, *v])
        .collect();
    let k = Constants::new(2, 6);
    let mut full = Strategy::new(2, 0.1);
    full.tell(&points, &k);
    assert!(full.c[1] > 0.0, "{:?}", full.c);
    let mut sep = Strategy::new(2, 0.1).separable();
    sep.tell(&points, &Constants::new(2, 6).separable(2));
    assert_eq!((sep.c[1], sep.c[2]), (0.0, 0.0));
    assert_eq!(sep.b, vec![1.0, 0.0, 0.0, 1.0]);
    assert_eq!(sep.d, vec![sep.c[0].sqrt(), sep.c[3].sqrt()]);
}

#[test]
fn a_separable_strategy_finds_an_axis_aligned_ellipsoid_sooner() {
    // Six parameters whose weights differ a hundredfold: learning six variances is quicker
    // than learning 21 covariances.
    let names = ["a", "b", "c", "d", "e", "f"];
    let space = SearchSpace::new(
        names
            .iter()
            .map(|n| {
                Param::new(
                    *n,
                    Distribution::Uniform {
                        min: -1.0,
                        max: 1.0,
                    },
                )
            })
            .collect(),
    );
    let ellipsoid = |p: &Params| {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| 100f64.powf(count(i) / 5.0) * (p[*n].as_f64().unwrap() - 0.3).powi(2))
            .sum::<f64>()
    };
    let found = |separable: bool, seed: u64| {
        let sampler = CmaEsSampler::new(
            Seed(seed),
            CmaEsConfig {
                use_separable_cma: separable,
                ..CmaEsConfig::default()
            },
            objective(),
        );
        best(&study(&sampler, &space, 300, ellipsoid))
    };
    let sep = median((0..5).map(|s| found(true, s)).collect());
    let full = median((0..5).map(|s| found(false, s)).collect());
    assert!(sep < full / 1.5, "separable {sep}, full {full}");
}
