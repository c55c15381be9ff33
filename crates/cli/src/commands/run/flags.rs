//! The flags of `sweep run` checked before any store opens: `--parallel`, `--agent`,
//! `--exchange`, `--run-cap` and `--extend`, against each other and the file, and `--extend`
//! against an unfinished experiment.

use std::path::Path;

use anyhow::{bail, Context};
use experiment::ExperimentSpec;

use crate::args::RunArgs;
use crate::commands::{open_store, quoted, StoreMode};

/// Checks the flags that need no store against each other and the file: `--parallel`
/// (`asked`, with the file's `parallel:`), `--agent`, `--run-cap` and `--extend`. Returns the
/// agent's options when `--agent` and `--exchange` make this run one agent of several.
pub(super) fn checked_flags(
    args: &RunArgs,
    spec: &ExperimentSpec,
    asked: Option<u32>,
) -> anyhow::Result<Option<runner::AgentOptions>> {
    match asked {
        Some(0) => bail!("--parallel must be at least 1"),
        None if args.agent.is_some() => bail!(
            "with --agent, give `parallel:` in {} or --parallel N: the trials side by side \
             across all agents, which the results depend on, so the same for every agent",
            args.file.display()
        ),
        _ => {}
    }
    let agent = match (&args.agent, &args.exchange) {
        (Some(agent), Some(exchange)) => Some(agent_options(agent, exchange, args.quiet_after)?),
        _ => None,
    };
    if args.run_cap == Some(0) {
        bail!("--run-cap must be at least 1");
    }
    if args.extend == Some(0) {
        bail!("--extend must be at least 1");
    }
    if let (Some(n), Some(_)) = (args.extend, &args.agent) {
        bail!("{}", extend_under_agents(n, spec, &args.store.store));
    }
    Ok(agent)
}

/// Refuses `--extend N` on the experiment `stored` when a run left it unfinished: `--extend N`
/// adds N each time it runs, so on an experiment an earlier `--extend` killed part way, say,
/// running the same command again would add N twice.
pub(super) fn refuse_extend_unfinished(
    args: &RunArgs,
    stored: Option<&store::ExperimentInfo>,
) -> anyhow::Result<()> {
    if let (Some(n), Some(e)) = (args.extend, stored) {
        if e.status != store::ExperimentStatus::Finished {
            bail!(
                "experiment `{}` has not finished its {} (a run stopped part way, an earlier \
                 --extend perhaps), and --extend {n} adds {n} more each time it is run: \
                 finish it with `sweep run {} --store {}` (no --extend), or set the total with \
                 --run-cap {}, which running again does not add to",
                e.name,
                experiment::counted(e.run_cap, "planned trial", "planned trials"),
                quoted(&args.file),
                quoted(&args.store.store),
                e.run_cap.saturating_add(n)
            );
        }
    }
    Ok(())
}

/// Reads `--agent I/N`, `--exchange DIR` and `--quiet-after` (in milliseconds). The exchange
/// folder is made absolute against the current directory: the run record keeps it so, and the
/// dashboard's command that resumes the agent then finds the same folder from anywhere.
fn agent_options(
    agent: &str,
    exchange: &std::path::Path,
    quiet_after: i64,
) -> anyhow::Result<runner::AgentOptions> {
    let parsed = agent
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
    let (index, count) = match parsed {
        Some((_, n)) if n > store::MAX_AGENTS => bail!(
            "--agent {agent}: a study has at most {} agents",
            store::MAX_AGENTS
        ),
        Some((i, n)) if i < n => (i, n),
        Some((_, 0)) => bail!("--agent {agent}: the number of agents must be at least 1"),
        Some((i, n)) => bail!(
            "--agent {agent}: agent {i} of {n} does not exist; agents are numbered from 0 to the \
             count less one (0/{n} to {}/{n})",
            n.saturating_sub(1)
        ),
        None => bail!(
            "--agent {agent}: expected I/N, this agent's number (from 0) and the number of \
             agents, e.g. 0/4"
        ),
    };
    // The folder of one study's journals given for the exchange would start the study again
    // in a folder of its own below it.
    if store::Watcher::is_study_folder(exchange) {
        let parent = exchange.parent().unwrap_or(exchange);
        bail!(
            "--exchange {}: it holds the agent journals of one study; give the exchange folder \
             the other agents were started with, the one above it: --exchange {}",
            exchange.display(),
            crate::commands::quoted(parent)
        );
    }
    let exchange = std::path::absolute(exchange).with_context(|| {
        format!(
            "--exchange {}: cannot make it an absolute path",
            exchange.display()
        )
    })?;
    Ok(runner::AgentOptions {
        agent: index,
        agents: count,
        exchange,
        // A trial waiting for another agent's starts at most this late.
        poll: std::time::Duration::from_millis(25),
        quiet_after: std::time::Duration::from_millis(u64::try_from(quiet_after).unwrap_or(1)),
    })
}

/// Says why `--extend N` is refused with `--agent`, and what adds `n` trials to a study run by
/// agents: the run cap the store's experiment plans plus `n`, when the store holds it.
fn extend_under_agents(n: u32, spec: &ExperimentSpec, store: &Path) -> String {
    // A store another process holds, or none, gives the advice without the count.
    let planned = Some(store)
        .filter(|path| path.exists())
        .and_then(|path| open_store(path, StoreMode::Existing).ok())
        .and_then(|s| s.experiment(&spec.name).ok().flatten())
        .map(|e| e.run_cap);
    let cap = match planned {
        Some(cap) => format!(
            "--run-cap {} (`{}` plans {})",
            cap.saturating_add(n),
            spec.name,
            experiment::counted(cap, "trial", "trials")
        ),
        None => format!("a --run-cap {n} above the trials the study plans"),
    };
    let trials = experiment::counted(n, "trial", "trials");
    format!(
        "--extend cannot be used with --agent: an agent started again with the same command \
         would add its {trials} again. To add {trials} to a study run by agents, run every \
         agent with {cap} and a new --exchange folder; each agent's store already holds the \
         trials so far"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_exchange_folder_is_handed_on_absolute() {
        let options = super::agent_options("1/2", std::path::Path::new("shared/ex"), 10).unwrap();
        assert!(options.exchange.is_absolute(), "{:?}", options.exchange);
        let here = std::env::current_dir().unwrap();
        assert_eq!(options.exchange, here.join("shared/ex"));
    }
}
