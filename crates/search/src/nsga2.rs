//! NSGA-II ("nsga2"): the elitist genetic algorithm of Deb et al. (2002), which Optuna's
//! `NSGAIISampler` runs by default on studies with several objectives; and NSGA-III ("nsga3",
//! Deb and Jain 2014, Optuna's `NSGAIIISampler`), the same but for the cut of the front that does
//! not fit whole (`niching`).
//!
//! Trials form generations of `population_size` consecutive numbers; the first is drawn at
//! random (the `random` sampler's draws). Trial `k` of generation `g` breeds from the population
//! that elitist selection keeps through the generations below `g`: the first generation's
//! trials, then at each next generation the best `population_size` of the population and that
//! generation's trials, best by Pareto front (non-dominated sorting) and, within the front that
//! does not fit whole, by crowding distance (NSGA-III: by how its trials fill reference
//! directions, the random choices among ties drawn from a stream of the generation's own).
//! With constraints, every trial that meets them ranks before those that break them, which
//! rank by how far (Deb's constrained domination);
//! failed and pruned trials rank last. Nothing is kept between proposals: the selection is
//! replayed from the finished trials given, so a proposal is a pure function of (space,
//! history, seed). The runner's rule gives trial `k` the trials numbered `k - p` and below, so
//! with `parallel` > 1 the first members of a generation select from what they see of the
//! previous one; a trial that sees fewer trials than one generation is drawn at random.
//!
//! A child takes two parents, each the better of two members drawn at random (a binary
//! tournament by front, then crowding distance; NSGA-III's by front alone), the second drawn
//! from the population without the first (as Optuna does), so that no child has one trial as
//! both parents. With probability `crossover_prob` it mixes them, taking each parameter from
//! the second parent with probability `swapping_prob` (uniform crossover, Optuna's default),
//! except that by default
//! (`crossover: blx`, BLX-alpha) every numeric parameter takes a value drawn between both
//! parents' on its unit interval widened by `alpha` times their distance on each side, and
//! with `crossover: sbx` half the numeric parameters, at random, take a value spread around
//! both parents' (simulated binary crossover); otherwise it copies the first. Each parameter
//! is then drawn afresh from its distribution with probability
//! `mutation_prob` (by default one over the number of parameters). A crossover's value of a
//! prior-shaped parameter (`normal`, `log_normal`, `beta` and their `q_` forms) is clipped to
//! the prior's central range (`plausible`), those of bounded ones to their closed interval: the
//! interval's ends stand for values such a prior never gives (mu ± 7.03 sigma, a beta's 0 and
//! 1), where children that overshoot would pile up; a value inherited or drawn afresh is the
//! prior's own draw, tails and all. A conditional parameter
//! active in the child comes from a parent that has it, or is drawn when neither does. Trial
//! `k` draws from stream `k` of the experiment's seed.

use experiment::pareto::{crowding, fronts, oriented};
use experiment::{
    Constraint, Crossover, MetricSpec, Nsga2Config, Nsga3Config, Param, ParamValue, Params, Seed,
    Trial, TrialState,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::draw::draw;
use crate::plausible;
use crate::random::RandomSampler;
use crate::unit::Coding;
use crate::{Result, Sampler, SuggestContext};

/// Breeds trials from the best of the generations before them.
#[derive(Debug, Clone)]
pub(crate) struct Nsga2Sampler {
    seed: Seed,
    config: Nsga2Config,
    /// The objective first, then any further ones.
    objectives: Vec<MetricSpec>,
    constraints: Vec<Constraint>,
    /// How the front that does not fit whole is cut.
    survival: Survival,
}

/// How selection cuts the front that does not fit whole into the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Survival {
    /// By crowding distance, the loneliest first (NSGA-II).
    Crowding,
    /// By reference directions with this many divisions (NSGA-III).
    ReferencePoints(u32),
}

/// The first of the random streams that NSGA-III's cuts draw from, one per generation: above
/// every trial's stream (trial numbers are 32-bit).
const CUT_STREAMS: u64 = 1 << 40;

/// A trial kept in a population, with what selection ranks it by.
#[derive(Debug, Clone, Copy)]
struct Member<'t> {
    trial: &'t Trial,
    /// Its front among the trials selected from (0 is the first).
    rank: usize,
    /// Its crowding distance within its front: larger is lonelier, better.
    crowding: f64,
}

impl Member<'_> {
    /// Returns whether it beats `other` in a tournament: a lower front, or the same and more
    /// room around it.
    fn beats(&self, other: &Member<'_>) -> bool {
        (self.rank, other.crowding) < (other.rank, self.crowding)
    }
}

impl Nsga2Sampler {
    /// Returns a sampler for an experiment seeded with `seed` that improves `objective`.
    pub(crate) fn new(seed: Seed, config: Nsga2Config, objective: MetricSpec) -> Nsga2Sampler {
        Nsga2Sampler {
            seed,
            config,
            objectives: vec![objective],
            constraints: Vec::new(),
            survival: Survival::Crowding,
        }
    }

    /// Returns an NSGA-III sampler: NSGA-II that cuts the last front by reference directions.
    pub(crate) fn nsga3(seed: Seed, config: Nsga3Config, objective: MetricSpec) -> Nsga2Sampler {
        Nsga2Sampler {
            survival: Survival::ReferencePoints(config.dividing_parameter.max(1)),
            ..Nsga2Sampler::new(seed, config.genetic, objective)
        }
    }

    /// Adds objectives improved along with the first.
    pub(crate) fn with_more_objectives(mut self, more: Vec<MetricSpec>) -> Nsga2Sampler {
        self.objectives.extend(more);
        self
    }

    /// Ranks trials that break `constraints` after those that meet them.
    pub(crate) fn with_constraints(mut self, constraints: Vec<Constraint>) -> Nsga2Sampler {
        self.constraints = constraints;
        self
    }

    /// Returns the trials per generation (at least 2).
    fn generation_size(&self) -> u32 {
        self.config.population_size.max(2)
    }

    fn population_size(&self) -> usize {
        usize::try_from(self.generation_size()).unwrap_or(usize::MAX)
    }

    /// Returns the population that breeds generation `generation`: selected generation after
    /// generation from those of the `finished` trials numbered below it.
    fn population<'t>(&self, finished: &'t [Trial], generation: u32) -> Vec<Member<'t>> {
        let size = self.generation_size();
        let mut trials: Vec<&Trial> = finished
            .iter()
            .filter(|t| t.state.is_finished() && t.id.0 / size < generation)
            .collect();
        trials.sort_by_key(|t| t.id);
        let mut population: Vec<Member<'t>> = Vec::new();
        let mut rest = trials.as_slice();
        while let Some(first) = rest.first() {
            let this = first.id.0 / size;
            let end = rest
                .iter()
                .position(|t| t.id.0 / size != this)
                .unwrap_or(rest.len());
            let mut pool: Vec<&Trial> = population.iter().map(|m| m.trial).collect();
            pool.extend(&rest[..end]);
            population = self.select(pool, this);
            rest = &rest[end..];
        }
        population
    }

    /// Returns the best `population_size` of `pool`, ranked: by front among the trials that
    /// meet the constraints, then those that break them by how far, then the ones without
    /// values; within the last front kept, the most crowding distance first (NSGA-II), or those
    /// that best fill the reference directions (NSGA-III, drawing from generation
    /// `generation`'s stream).
    fn select<'t>(&self, pool: Vec<&'t Trial>, generation: u32) -> Vec<Member<'t>> {
        // The trials that meet the constraints, and their values.
        let mut feasible: Vec<&Trial> = Vec::new();
        let mut points: Vec<Vec<f64>> = Vec::new();
        let mut infeasible: Vec<(&Trial, f64)> = Vec::new();
        let mut without: Vec<&Trial> = Vec::new();
        for trial in pool {
            let values = oriented(trial, &self.objectives).filter(|v| {
                trial.state == TrialState::Completed && v.iter().all(|x| x.is_finite())
            });
            let violation = experiment::violation(&self.constraints, trial).unwrap_or(0.0);
            match values {
                Some(_) if violation > 0.0 => infeasible.push((trial, violation)),
                Some(v) => {
                    feasible.push(trial);
                    points.push(v);
                }
                None => without.push(trial),
            }
        }
        let front = fronts(&points);
        let count = front.iter().max().map_or(0, |f| f + 1);
        let size = self.population_size();
        let mut members = Vec::with_capacity(points.len() + infeasible.len() + without.len());
        for f in 0..count {
            let indices: Vec<usize> = (0..points.len()).filter(|&i| front[i] == f).collect();
            let kept: Vec<(usize, f64)> = match self.survival {
                Survival::Crowding => indices
                    .iter()
                    .copied()
                    .zip(crowding(&points, &indices))
                    .collect(),
                Survival::ReferencePoints(divisions) => {
                    let before: Vec<usize> = (0..points.len()).filter(|&i| front[i] < f).collect();
                    let room = size.saturating_sub(before.len());
                    let chosen = if room >= indices.len() {
                        indices
                    } else if room == 0 {
                        Vec::new()
                    } else {
                        let references =
                            niching::reference_points(self.objectives.len(), divisions);
                        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
                        rng.set_stream(CUT_STREAMS + u64::from(generation));
                        niching::cut(&points, &before, &indices, room, &references, &mut rng)
                    };
                    chosen.into_iter().map(|i| (i, 0.0)).collect()
                }
            };
            members.extend(kept.into_iter().map(|(i, crowding)| Member {
                trial: feasible[i],
                rank: f,
                crowding,
            }));
        }
        infeasible.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
        let last = count + infeasible.len();
        let behind = infeasible
            .iter()
            .enumerate()
            .map(|(j, (trial, _))| (*trial, count + j))
            .chain(without.iter().map(|trial| (*trial, last)));
        members.extend(behind.map(|(trial, rank)| Member {
            trial,
            rank,
            crowding: 0.0,
        }));
        members.sort_by(|a, b| {
            a.rank
                .cmp(&b.rank)
                .then(b.crowding.total_cmp(&a.crowding))
                .then(a.trial.id.cmp(&b.trial.id))
        });
        members.truncate(size);
        members
    }
}

/// Returns the better of two members drawn at random.
fn tournament<'p, 't>(population: &'p [Member<'t>], rng: &mut ChaCha8Rng) -> &'p Member<'t> {
    let a = &population[rng.gen_range(0..population.len())];
    let b = &population[rng.gen_range(0..population.len())];
    if b.beats(a) {
        b
    } else {
        a
    }
}

/// Returns a child's two parents, each the winner of a tournament: the second among the
/// population without the first (as Optuna's `_select_parents` does), so that no child is
/// bred from one trial with itself, a copy of it but for mutation. A population of one member
/// gives it as both.
fn parents<'t>(population: &[Member<'t>], rng: &mut ChaCha8Rng) -> [&'t Trial; 2] {
    let first = tournament(population, rng).trial;
    let rest: Vec<Member<'t>> = population
        .iter()
        .filter(|m| !std::ptr::eq(m.trial, first))
        .copied()
        .collect();
    let pool = if rest.is_empty() { population } else { &rest };
    [first, tournament(pool, rng).trial]
}

/// Returns a value of `p` spread around its two `parents`' values (simulated binary crossover,
/// on the parameter's unit interval, with distribution index `eta`, clipped to the part of it
/// that proposals keep to: `plausible::range`) for half the numeric parameters both parents
/// have, at random; `None` for the rest. Draws three numbers whatever it returns.
fn sbx(p: &Param, parents: [&Trial; 2], eta: f64, rng: &mut ChaCha8Rng) -> Option<ParamValue> {
    let blend = rng.gen::<f64>() < 0.5;
    let u = rng.gen::<f64>();
    let second = rng.gen::<bool>();
    let Coding::Numeric(n) = Coding::of(&p.distribution) else {
        return None;
    };
    let at = |t: &Trial| Some(n.unit_of(n.coordinate(t.params.get(&p.name)?)?));
    let (a, b) = (at(parents[0])?, at(parents[1])?);
    if !blend {
        return None;
    }
    // The spread: below 1 (between the parents) or above (beyond them) with equal chance.
    let beta = if u <= 0.5 {
        (2.0 * u).powf(1.0 / (eta + 1.0))
    } else {
        (1.0 / (2.0 * (1.0 - u))).powf(1.0 / (eta + 1.0))
    };
    let (near, far) = if second { (b, a) } else { (a, b) };
    let child = 0.5 * ((1.0 + beta) * near + (1.0 - beta) * far);
    let (lowest, highest) = plausible::range(&n);
    Some(n.value(n.at_unit(child.clamp(lowest, highest))))
}

/// Returns a value of `p` drawn uniformly between its two `parents`' values widened by `alpha`
/// times their distance on each side (BLX-alpha, on the parameter's unit interval, clipped to
/// the part of it that proposals keep to: `plausible::range`) when both parents have a numeric
/// value; `None` otherwise. Draws one number whatever it returns.
fn blx(p: &Param, parents: [&Trial; 2], alpha: f64, rng: &mut ChaCha8Rng) -> Option<ParamValue> {
    let u = rng.gen::<f64>();
    let Coding::Numeric(n) = Coding::of(&p.distribution) else {
        return None;
    };
    let at = |t: &Trial| Some(n.unit_of(n.coordinate(t.params.get(&p.name)?)?));
    let (a, b) = (at(parents[0])?, at(parents[1])?);
    let (low, high) = (a.min(b), a.max(b));
    let child = low + (high - low) * (u * (1.0 + 2.0 * alpha) - alpha);
    // An alpha so large that the interval overflows leaves the parents' middle.
    let child = if child.is_nan() {
        0.5 * (low + high)
    } else {
        child
    };
    let (lowest, highest) = plausible::range(&n);
    Some(n.value(n.at_unit(child.clamp(lowest, highest))))
}

impl Sampler for Nsga2Sampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let generation = ctx.trial.0 / self.generation_size();
        let population = if self.learns_from(ctx.finished.len()) {
            self.population(ctx.finished, generation)
        } else {
            Vec::new()
        };
        if population.is_empty() {
            return RandomSampler::new(self.seed).suggest_in(ctx);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
        rng.set_stream(u64::from(ctx.trial.0));
        let [first, second] = parents(&population, &mut rng);
        let mix = rng.gen::<f64>() < self.config.crossover_prob;
        let params = ctx.space.params().len().max(1);
        #[allow(clippy::cast_precision_loss)] // A space has a handful of parameters.
        let mutation = self.config.mutation_prob.unwrap_or(1.0 / params as f64);
        let mut child = Params::new();
        for p in ctx.space.in_dependency_order() {
            if !ctx.space.is_active(p, &child) {
                continue;
            }
            // Every draw is made, so that one choice moves no other parameter's draws.
            let drawn = draw(&p.distribution, &mut rng);
            let mutate = rng.gen::<f64>() < mutation;
            let swap = rng.gen::<f64>() < self.config.swapping_prob;
            let blended = match self.config.crossover {
                Crossover::Sbx { eta } if mix => {
                    let eta = eta.unwrap_or(if self.objectives.len() > 1 { 20.0 } else { 2.0 });
                    sbx(p, [first, second], eta, &mut rng)
                }
                Crossover::Blx { alpha } if mix => blx(p, [first, second], alpha, &mut rng),
                _ => None,
            };
            let (from, other) = if mix && swap {
                (second, first)
            } else {
                (first, second)
            };
            let inherited = blended.as_ref().or_else(|| {
                from.params
                    .get(&p.name)
                    .or_else(|| other.params.get(&p.name))
            });
            let value = match (ctx.pinned.get(&p.name), inherited) {
                (Some(pinned), _) => pinned.clone(),
                (None, Some(value)) if !mutate => value.clone(),
                _ => drawn,
            };
            child.insert(p.name.clone(), value);
        }
        Ok(child)
    }

    fn learns_from(&self, visible: usize) -> bool {
        visible >= self.population_size()
    }
}

mod niching;

#[cfg(test)]
mod tests;
