//! The dashboard at scale: an experiment of 10,000 trials of 100 epochs each.
//!
//! 1. Generates the experiment into a temporary store through the store API (two writer
//!    threads; four metrics per epoch, one batch per epoch).
//! 2. Server-side render time: each page is requested through `dashboard::app` with
//!    `actix_web::test` (no socket), `REPEATS` times; the median and the slowest are reported.
//!    The goal for the experiment page is under 150 ms, checked on leaderboard pages not
//!    viewed before (a finished experiment's pages are kept once rendered, so the same page
//!    again costs almost nothing; that row is reported too).
//! 3. Load: the dashboard is served on a loopback port (two workers), and 64 clients, each on
//!    its own keep-alive connection, send `REQUESTS_PER_CLIENT` GETs over a mix of pages and API
//!    calls, each client also a leaderboard page of its own; p50, p99 and the slowest latency are reported, with every failure (I/O error or a
//!    status other than 200). The run is bounded: a fixed number of requests, with timeouts.
//!
//! Run with `cargo bench -p dashboard --bench dashboard` (part of `just bench`).

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use actix_web::test::{call_service, init_service, read_body, TestRequest};
use dashboard::{Access, Dashboard, Freshness, ServeOptions};
use experiment::{
    Direction, MetricPoint, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId, TrialResult,
    TrialState,
};
use store::{ExperimentInfo, ExperimentStatus, Store};

const NAME: &str = "bench-10k";
const TRIALS: u32 = 10_000;
const EPOCHS: u32 = 100;
const REPEATS: usize = 15;
const CLIENTS: usize = 64;
const REQUESTS_PER_CLIENT: usize = 25;
const GOAL_MS: f64 = 150.0;
/// The row the goal is checked on: the experiment page with a leaderboard page not viewed
/// before, so that no kept page answers it.
const NEW_PAGE: &str = "/experiments/bench-10k?page=N (not viewed before)";

const SPEC: &str = "\
name: bench-10k
description: 10,000 synthetic trials of 100 epochs for the dashboard benchmark
seed: 1
method: random
run_cap: 10000
metric: {name: val_accuracy, goal: maximize}
data: {csv: data/digits.csv, target: digit}
train: {epochs: 100}
parameters:
  lr:         {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  hidden:     {values: [32, 64, 128, 256]}
  depth:      {distribution: int_uniform, min: 1, max: 3}
  dropout:    {min: 0.0, max: 0.5}
  l2:         {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2}
  batch_size: {values: [16, 32, 64, 128]}
  optimizer:  {values: [sgd, adam, adamw]}
";

/// The bench's clock: it stands at the generated experiment's end, which it measures nothing
/// by (the experiment is finished).
#[derive(Debug)]
struct BenchClock;

impl dashboard::Clock for BenchClock {
    fn now(&self) -> Timestamp {
        Timestamp(1_795_965_400_000)
    }
}

/// Returns the bench's clock, as `Dashboard::new` takes it.
fn clock() -> std::sync::Arc<dyn dashboard::Clock> {
    std::sync::Arc::new(BenchClock)
}

fn main() {
    let store = Store::temporary().expect("a temporary store opens");
    let started = Instant::now();
    generate(&store);
    println!(
        "generated {TRIALS} trials x {EPOCHS} epochs x 4 metrics in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let system = actix_web::rt::System::new();
    let modes = [
        (
            "cold: every request reads and decodes the store (the handler tests' mode; \
             no served dashboard does this, so the goal is not checked)",
            Freshness::EveryRequest,
        ),
        (
            "warm: decoded trials kept, as `sweep serve` does",
            Freshness::Frozen,
        ),
    ];
    for (label, freshness) in modes {
        let served = freshness != Freshness::EveryRequest;
        let dashboard = Dashboard::new(store.clone(), Access::open(), freshness, clock());
        if served {
            let started = Instant::now();
            dashboard.warm().expect("the store reads");
            println!(
                "\nwarming (reading and decoding {TRIALS} trials once): {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        let timings = system.block_on(render_times(&dashboard));
        println!("\nserver-side time over {REPEATS} renders, no socket; {label}:");
        println!(
            "{:<72} {:>9} {:>9} {:>7}",
            "page", "median ms", "max ms", "KiB"
        );
        for (page, (median, max, kib)) in &timings {
            println!("{page:<72} {median:>9.1} {max:>9.1} {kib:>7.0}");
        }
        if let Some((median, _, _)) = timings.get(NEW_PAGE).filter(|_| served) {
            let verdict = if *median < GOAL_MS { "meets" } else { "MISSES" };
            println!(
                "experiment page ({label}): median {median:.1} ms, {verdict} the {GOAL_MS} ms goal"
            );
        }
    }
    load(&store);
}

/// Writes the experiment: 70% completed (100 epochs), 20% pruned (10 to 50 epochs), 10% failed.
fn generate(store: &Store) {
    let info = ExperimentInfo {
        name: NAME.into(),
        description: "benchmark".into(),
        spec_yaml: SPEC.into(),
        spec_hash: "0".repeat(64),
        spec_path: "experiments/bench-10k.yaml".into(),
        objective: "val_accuracy".into(),
        goal: Direction::Maximize,
        seed: Seed(1),
        run_cap: TRIALS,
        status: ExperimentStatus::Finished,
        created: Timestamp(1_795_865_400_000),
        finished: Some(Timestamp(1_795_965_400_000)),
    };
    store
        .create_experiment(&info)
        .expect("the experiment is new");
    std::thread::scope(|scope| {
        for part in 0..2u32 {
            scope.spawn(move || {
                for i in (part..TRIALS).step_by(2) {
                    write_trial(store, i);
                }
            });
        }
    });
}

fn write_trial(store: &Store, i: u32) {
    let mut rng = u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut uniform = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let log_lr = -4.0 + 3.0 * uniform();
    let optimizer = ["sgd", "adam", "adamw"][(uniform() * 3.0) as usize % 3];
    let params: Params = BTreeMap::from([
        ("lr".to_string(), ParamValue::Float(10f64.powf(log_lr))),
        (
            "hidden".to_string(),
            ParamValue::Int([32, 64, 128, 256][(uniform() * 4.0) as usize % 4]),
        ),
        (
            "depth".to_string(),
            ParamValue::Int(1 + (uniform() * 3.0) as i64 % 3),
        ),
        ("dropout".to_string(), ParamValue::Float(0.5 * uniform())),
        (
            "l2".to_string(),
            ParamValue::Float(10f64.powf(-6.0 + 4.0 * uniform())),
        ),
        (
            "batch_size".to_string(),
            ParamValue::Int([16, 32, 64, 128][(uniform() * 4.0) as usize % 4]),
        ),
        ("optimizer".to_string(), ParamValue::Str(optimizer.into())),
    ]);
    let roll = uniform();
    let (state, epochs) = if roll < 0.1 {
        (TrialState::Failed, 3)
    } else if roll < 0.3 {
        (TrialState::Pruned, 10 + (uniform() * 40.0) as u32)
    } else {
        (TrialState::Completed, EPOCHS)
    };
    let peak = 0.98 - 0.06 * (log_lr + 2.5).powi(2) - if optimizer == "sgd" { 0.04 } else { 0.0 };
    let mut best = (Step(1), f64::NEG_INFINITY, 0.0);
    for e in 1..=epochs {
        let accuracy = peak * (1.0 - (-f64::from(e) / 12.0).exp()) + 0.01 * (uniform() - 0.5);
        let loss = (1.0 - accuracy).max(0.01) * 2.0;
        if accuracy > best.1 {
            best = (Step(e), accuracy, loss);
        }
        let points = [
            MetricPoint {
                name: "train_loss".into(),
                value: loss * 0.9,
            },
            MetricPoint {
                name: "val_loss".into(),
                value: loss,
            },
            MetricPoint {
                name: "val_accuracy".into(),
                value: accuracy,
            },
            MetricPoint {
                name: "epoch_seconds".into(),
                value: 0.05 + 0.01 * uniform(),
            },
        ];
        store
            .append_metrics(NAME, TrialId(i), Step(e), &points)
            .expect("the experiment exists");
    }
    let start = 1_795_865_400_000 + i64::from(i) * 10_000;
    let trial = Trial {
        id: TrialId(i),
        seed: experiment::trial_seed(Seed(1), TrialId(i)),
        params,
        state,
        reason: match state {
            TrialState::Failed => Some("diverged at epoch 3".into()),
            TrialState::Pruned => Some(format!("pruned at epoch {epochs}")),
            _ => None,
        },
        started: Some(Timestamp(start)),
        finished: Some(Timestamp(start + i64::from(epochs) * 60)),
        result: (state != TrialState::Failed).then(|| TrialResult {
            best_step: best.0,
            metrics: BTreeMap::from([
                ("val_accuracy".to_string(), best.1),
                ("val_loss".to_string(), best.2),
            ]),
        }),
    };
    store
        .put_trial(NAME, &trial)
        .expect("the experiment exists");
}

/// Returns (median ms, max ms, KiB) per page, rendering through the app without a socket.
async fn render_times(dashboard: &Dashboard) -> BTreeMap<String, (f64, f64, f64)> {
    let service = init_service(dashboard.app()).await;
    let same = |uri: &str| (uri.to_string(), vec![uri.to_string()]);
    // Each repeat asks for another leaderboard page: rendered, never a kept page.
    let new_pages = |label: &str, query: &str| {
        let uris = (1..=REPEATS)
            .map(|n| format!("/experiments/bench-10k?{query}page={n}"))
            .collect();
        (label.to_string(), uris)
    };
    let pages = [
        same("/experiments/bench-10k"),
        new_pages(NEW_PAGE, ""),
        new_pages(
            "/experiments/bench-10k?sort=param.lr&dir=desc&state=completed&page=N",
            "sort=param.lr&dir=desc&state=completed&",
        ),
        same("/"),
        same("/experiments/bench-10k/trials/1234"),
        same("/experiments/bench-10k/compare?t=1&t=2&t=3&t=4&t=5&t=6&t=7&t=8"),
        same("/api/experiments/bench-10k/trials?per_page=100"),
        same("/api/experiments/bench-10k/trials/42/metrics?max_points=50"),
    ];
    let mut out = BTreeMap::new();
    for (page, uris) in pages {
        let mut times = Vec::with_capacity(REPEATS);
        let mut size = 0;
        for r in 0..REPEATS {
            let uri = &uris[r % uris.len()];
            let start = Instant::now();
            let res = call_service(&service, TestRequest::get().uri(uri).to_request()).await;
            assert!(res.status().is_success(), "{uri}: {}", res.status());
            let body = read_body(res).await;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            size = body.len();
        }
        times.sort_by(f64::total_cmp);
        out.insert(
            page,
            (
                times[times.len() / 2],
                times[times.len() - 1],
                size as f64 / 1024.0,
            ),
        );
    }
    out
}

/// Serves the dashboard on loopback as `sweep serve` does, and measures latency under `CLIENTS`
/// concurrent connections.
fn load(store: &Store) {
    let dashboard = Dashboard::new(store.clone(), Access::open(), Freshness::Frozen, clock());
    dashboard.warm().expect("the store reads");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
    let options = ServeOptions { workers: 2 };
    let server = dashboard::spawn(dashboard, listener, options).expect("the dashboard starts");
    let addr = server.addr();
    let paths = [
        "/experiments/bench-10k",
        "/experiments/bench-10k?state=pruned&page=3",
        "/experiments/bench-10k/trials/777",
        "/api/experiments/bench-10k/trials?page=7",
        "/api/experiments/bench-10k/trials/99/metrics/val_loss?max_points=20",
        "/",
        "/static/css/dashboard.css",
    ];
    let started = Instant::now();
    let results: Vec<(Vec<f64>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| scope.spawn(move || client(addr, c, &paths)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (Vec::new(), vec!["client panicked".into()]))
            })
            .collect()
    });
    let wall = started.elapsed().as_secs_f64();
    let mut latencies: Vec<f64> = results
        .iter()
        .flat_map(|(l, _)| l.iter().copied())
        .collect();
    let failures: Vec<&String> = results.iter().flat_map(|(_, f)| f.iter()).collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "\n{CLIENTS} concurrent keep-alive connections on loopback, {} requests in {wall:.1} s ({:.0} req/s), mix of {} pages/API calls and a leaderboard page per client:",
        latencies.len() + failures.len(),
        latencies.len() as f64 / wall,
        paths.len()
    );
    println!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; failures: {}",
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
        failures.len()
    );
    for f in failures.iter().take(5) {
        println!("  failure: {f}");
    }
    if let Err(e) = server.stop() {
        println!("stopping the server: {e}");
    }
}

/// One client: its own connection, `REQUESTS_PER_CLIENT` sequential GETs; returns latencies in
/// ms and failures.
fn client(addr: SocketAddr, c: usize, paths: &[&str]) -> (Vec<f64>, Vec<String>) {
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    let mut conn: Option<BufReader<TcpStream>> = None;
    // Besides the shared mix, each client views a leaderboard page of its own, sorted by a
    // parameter: a page nobody else asked for, rendered rather than kept.
    let own = format!("/experiments/bench-10k?sort=param.lr&page={}", c + 1);
    for r in 0..REQUESTS_PER_CLIENT {
        let i = (c + r) % (paths.len() + 1);
        let path = paths.get(i).copied().unwrap_or(own.as_str());
        let start = Instant::now();
        let outcome = (|| -> std::io::Result<u16> {
            if conn.is_none() {
                let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
                stream.set_read_timeout(Some(Duration::from_secs(60)))?;
                stream.set_nodelay(true)?;
                conn = Some(BufReader::new(stream));
            }
            let reader = conn
                .as_mut()
                .ok_or_else(|| std::io::Error::other("no connection"))?;
            write!(
                reader.get_mut(),
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: keep-alive\r\n\r\n"
            )?;
            read_response(reader)
        })();
        match outcome {
            Ok(200) => latencies.push(start.elapsed().as_secs_f64() * 1000.0),
            Ok(status) => failures.push(format!("{path}: status {status}")),
            Err(e) => {
                failures.push(format!("{path}: {e}"));
                conn = None;
            }
        }
    }
    (latencies, failures)
}

/// Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = None;
    let mut chunked = false;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0; length.unwrap_or(0)];
        reader.read_exact(&mut body)?;
    }
    Ok(status)
}
