//! The dashboard end to end: `sweep run` serves it while it works, `sweep serve` serves a
//! store, and headless Chromium renders the experiment page (its charts and leaderboard rows
//! are asserted on the DOM after the scripts ran, and a screenshot is taken).
//!
//! Servers bind port 0 (any free loopback port) and print their URL, which the tests read, so
//! tests never fight over a port. Chromium is Debian's `chromium`; `.ci/run` installs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tests::TestEnv;

/// 4 trials of 3 epochs on the digits, two side by side.
const TINY: &str = tests::digits_spec!(
    "tiny",
    4,
    2,
    "  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
  hidden: {values: [16, 32]}
  optimizer: {values: [sgd, adam]}
"
);

/// Kills the child process when dropped, so that a failing test leaves no server behind.
pub(crate) struct Running(Child);

impl Running {
    /// Returns the process's id.
    pub(crate) fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sweep ARGS` in `env` and returns it (killed when dropped) with the URL of the
/// dashboard it prints (`sweep run` on stderr, `sweep serve` on stdout).
pub(crate) fn start_serving(env: &TestEnv, args: &[&str]) -> (Running, String) {
    let mut child = env
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sweep starts");
    let (tx, rx) = mpsc::channel();
    let streams: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    for stream in streams {
        let tx = tx.clone();
        // Read to the end, so that the process never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let running = Running(child);
    let url = dashboard_url(&rx);
    (running, url)
}

/// Waits for the line `dashboard: URL` and returns the URL (without a trailing slash).
fn dashboard_url(rx: &mpsc::Receiver<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("dashboard: ") {
                    return url.trim_end_matches('/').to_string();
                }
                seen.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!(
        "no `dashboard: URL` line; the process printed:\n{}",
        seen.join("\n")
    )
}

/// GETs `url` (plain HTTP on loopback) and returns the status and body.
pub(crate) fn get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Returns Chromium's path, or fails saying how to install it.
fn chromium() -> PathBuf {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "chromium is not installed; the dashboard's browser test needs it: \
         run `apt-get update && apt-get install -y chromium` (.ci/run does this on CI)"
    )
}

/// Runs headless Chromium on `url` with `extra` flags, in a fresh profile, and returns stdout.
fn run_chromium(env: &TestEnv, url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir_in(env.path()).unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited on") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "chromium did not finish in 90 s on {url}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = reader.join().unwrap_or_default();
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    assert!(
        status.success(),
        "chromium failed on {url}: {status}\n{err}"
    );
    out
}

/// Returns the text of the `<pre id="probe">` a page's probe script wrote, from Chromium's
/// `--dump-dom` of it; empty when there is none.
fn probe_text(dom: &str) -> &str {
    dom.split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|p| p.split("</pre>").next())
        .unwrap_or_default()
}

#[test]
fn the_experiment_page_renders_in_headless_chromium() {
    let browser = chromium();
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let run = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    // A second experiment on the same metric, to compare with.
    let other = env.write_spec(
        "other.yaml",
        &TINY
            .replace("name: tiny", "name: other")
            .replace("seed: 5", "seed: 6"),
    );
    let run = env.sweep(&["run", other.to_str().unwrap(), "--no-serve"]);
    assert_eq!(run.code, 0, "{run:?}");
    // The same trials under a spec an older build wrote, with a field this version removed.
    {
        let store = store::Store::open(&env.store()).unwrap();
        let mut info = store.experiment("tiny").unwrap().unwrap();
        info.name = "old".into();
        info.spec_yaml.push_str("retired_setting: 3\n");
        store.create_experiment(&info).unwrap();
        for t in store.trials("tiny").unwrap() {
            store.put_trial("old", &t).unwrap();
        }
    }

    let (server, url) = start_serving(&env, &["serve", "--addr", "127.0.0.1:0"]);

    let list = run_chromium(&env, &format!("{url}/"), &["--dump-dom"]);
    assert!(
        list.contains("pick 2 to 8 experiments") && list.contains("value=\"other\""),
        "the experiments picker and its script: {list}"
    );
    // Paged: a page past the last is sent to the last, which the browser shows.
    let paged = run_chromium(&env, &format!("{url}/?per_page=1&page=9"), &["--dump-dom"]);
    assert!(
        paged.contains("3–3 of 3 · page 3 of 3")
            && paged.matches("<td class=\"name\">").count() == 1
            && paged.contains("rel=\"prev\">← previous</a>"),
        "{paged}"
    );
    // Ticks reach across pages: by name, `old` is on page 1 and `tiny` on page 3; both ticked,
    // page 1 shows `tiny` ticked above the table, the script counts both and enables Compare,
    // and the pages' links keep both ticks.
    let ticked = run_chromium(
        &env,
        &format!("{url}/?sort=name&per_page=1&e=tiny&e=old"),
        &["--dump-dom"],
    );
    let row = ticked.split("<tbody>").nth(1).unwrap_or_default();
    assert!(
        row.contains("value=\"old\" checked=\"\"")
            && ticked.contains("also picked (on other pages, or hidden by the filter):</span> <label><input type=\"checkbox\" name=\"e\" value=\"tiny\" checked=\"\"")
            && ticked.contains(">2 picked</span>")
            && ticked.contains("id=\"compare-go\">Compare</button>")
            && ticked.contains("href=\"/?sort=name&amp;dir=asc&amp;page=2&amp;per_page=1&amp;e=tiny&amp;e=old\""),
        "{ticked}"
    );
    // Ticking a box (the script at work) puts the ticks in the address, the pages' links and the
    // filter form, so that paging on keeps them.
    let probe_ticks = probe(
        &url,
        "/?sort=name&per_page=1&e=other",
        "doc.querySelector('input[name=e][value=old]').click();\
         lines.push('next ' + doc.querySelector('a[rel=next]').getAttribute('href'));\
         lines.push('filter ' + Array.prototype.map.call(\
           doc.querySelectorAll('form.list-filter input[type=hidden][name=e]'),\
           function (input) { return input.value; }).join(' '));\
         lines.push('address ' + frame.location.search);",
    );
    let measured = run_chromium(&env, &probe_ticks, &["--dump-dom"]);
    assert!(
        measured.contains(
            "next /?sort=name&amp;dir=asc&amp;page=2&amp;per_page=1&amp;e=other&amp;e=old\n"
        ) && measured.contains("filter other old\n")
            && measured.contains("address ?sort=name&amp;per_page=1&amp;e=other&amp;e=old<"),
        "{measured}"
    );
    // The leaderboard's ticks travel the same way (`?t=`): ticking a trial puts it in the
    // address, the pager's, the state pills' and the column heads' links and the filter form.
    let probe_trials = probe(
        &url,
        "/experiments/tiny?per_page=1",
        "var box = doc.querySelector('table.leaderboard input[name=t]');\
         box.click();\
         lines.push('ticked ' + box.value);\
         lines.push('next ' + doc.querySelector('.pager a[rel=next]').getAttribute('href'));\
         lines.push('pill ' + doc.querySelector('.filters a').getAttribute('href'));\
         lines.push('head ' + doc.querySelector('table.leaderboard thead a').getAttribute('href'));\
         lines.push('filter ' + Array.prototype.map.call(doc.querySelectorAll('form.search'),\
           function (form) { return Array.prototype.map.call(\
             form.querySelectorAll('input[type=hidden][name=t]'),\
             function (input) { return input.value; }).join(' '); }).join('|'));\
         lines.push('address ' + frame.location.search);",
    );
    let measured = run_chromium(&env, &probe_trials, &["--dump-dom"]);
    let lines = probe_text(&measured);
    let id = lines
        .lines()
        .find_map(|l| l.strip_prefix("ticked "))
        .unwrap_or("none");
    let kept = format!("&amp;t={id}#leaderboard");
    assert!(
        id.parse::<u32>().is_ok()
            && lines.contains(&format!(
                "next /experiments/tiny?sort=rank&amp;dir=asc&amp;page=2&amp;per_page=1{kept}\n"
            ))
            && lines
                .lines()
                .filter(|l| l.starts_with("pill ") || l.starts_with("head "))
                .all(|l| l.ends_with(&kept))
            // Both forms, the filter's and the parameter pairs', send the tick.
            && lines.contains(&format!("filter {id}|{id}\n"))
            && lines.ends_with(&format!("address ?per_page=1&amp;t={id}")),
        "{measured}"
    );
    // The address keeps the order ticked, not the page's: `tiny` (ticked first, last on the
    // page by name) before `old`. An update on its way when `old` is unticked again (the
    // request held until then, as a slow answer would be) does not tick it back: the page
    // takes the state the person left, over the one the answer was made with, and so does the
    // filter form's hidden inputs, which the answer brought with the old ticks.
    let probe_untick = probe(
        &url,
        "/?sort=name&e=tiny",
        "var box = function (name) { return doc.querySelector('input[type=checkbox][name=e][value=' + name + ']'); };\
         box('old').click();\
         lines.push('ordered ' + frame.location.search);\
         var real = frame.fetch.bind(frame), release = null;\
         frame.fetch = function (u, o) { var answer = real(u, o);\
           return new frame.Promise(function (ok) { release = function () { ok(answer); }; }); };\
         var pause = doc.getElementById('live-pause');\
         pause.click(); pause.click();\
         lines.push('in flight ' + (release !== null));\
         box('old').click();\
         doc.querySelector('table.experiments').setAttribute('data-old', '1');\
         release();\
         var out = document.getElementById('probe');\
         var wait = function () {\
           if (doc.querySelector('table.experiments[data-old]')) { return setTimeout(wait, 20); }\
           lines.push('swapped tiny ' + box('tiny').checked + ' old ' + box('old').checked);\
           lines.push('count ' + doc.querySelector('.compare-count').textContent);\
           lines.push('address ' + frame.location.search);\
           lines.push('form ' + Array.prototype.map.call(\
             doc.querySelectorAll('form.list-filter input[type=hidden][name=e]'),\
             function (input) { return input.value; }).join(' '));\
           out.textContent = lines.join('\\n');\
         };\
         setTimeout(wait, 20);",
    );
    let measured = run_chromium(&env, &probe_untick, &["--dump-dom"]);
    let lines = probe_text(&measured);
    assert_eq!(
        lines,
        "ordered ?sort=name&amp;e=tiny&amp;e=old\nin flight true\nswapped tiny true old false\n\
         count 1 picked (at least 2)\naddress ?sort=name&amp;e=tiny\nform tiny",
        "{measured}"
    );
    // Compare sends the boxes in the order ticked, not the page's: `tiny` (last by name), then
    // `old` (first). (Without the script the form is a plain GET of the boxes:
    // tests_a11y::issue_a11y_compare_forms_work_without_the_script.) The probe runs again on
    // the page the form opens.
    let probe_order = probe(
        &url,
        "/?sort=name",
        "if (frame.location.pathname === '/compare') {\
           lines.push('compared ' + frame.location.search);\
         } else {\
           doc.querySelector('input[name=e][value=tiny]').click();\
           doc.querySelector('input[name=e][value=old]').click();\
           doc.getElementById('compare-go').click();\
         }",
    );
    let measured = run_chromium(&env, &probe_order, &["--dump-dom"]);
    assert!(
        measured.contains("<pre id=\"probe\">compared ?e=tiny&amp;e=old</pre>"),
        "{measured}"
    );
    let old = run_chromium(&env, &format!("{url}/experiments/old"), &["--dump-dom"]);
    assert!(
        old.contains("<p class=\"notice spec-notice\">This experiment's stored spec does not read")
            && old.contains("retired_setting"),
        "{old}"
    );
    let past = run_chromium(
        &env,
        &format!("{url}/experiments/tiny?page=9"),
        &["--dump-dom"],
    );
    assert!(
        past.contains("page 1 of 1") && past.matches("class=\"trial-row row-").count() == 4,
        "{past}"
    );
    let compared = run_chromium(
        &env,
        &format!("{url}/compare?e=tiny&e=other"),
        &["--dump-dom"],
    );
    assert!(compared.contains("Compare 2 experiments"), "{compared}");
    assert_eq!(
        compared.matches("<svg class=\"chart\"").count(),
        2,
        "best so far and the distribution of results: {compared}"
    );
    assert!(
        compared.matches("<polyline").count() >= 2,
        "a best-so-far line each: {compared}"
    );

    // On a phone's width (400 px) the compare tables' sticky row names leave room for the
    // values: the first value cell is wholly in view, both comparing trials and experiments;
    // the leaderboard, scrolled to its last column, keeps its trial numbers in view.
    for target in [
        "/experiments/tiny",
        "/experiments/tiny/compare?t=0&t=1&t=2",
        "/compare?e=tiny&e=other",
    ] {
        let probe = probe_narrow(&url, target);
        let measured = run_chromium(&env, &probe, &["--dump-dom"]);
        let lines = probe_text(&measured);
        assert!(
            lines.starts_with("inside ") && !lines.contains("outside"),
            "{target} at 400 px: {lines}"
        );
        // The leaderboard did scroll: its trial number in view is not the table merely fitting.
        let scrolled: Vec<u32> = lines
            .lines()
            .filter_map(|l| l.split(" scrolled ").nth(1)?.parse().ok())
            .collect();
        if target == "/experiments/tiny" {
            assert!(
                !scrolled.is_empty() && scrolled.iter().all(|&s| s > 0),
                "the leaderboard at 400 px scrolls: {lines}"
            );
        }
    }

    // At 400 and 320 px the experiment page does not scroll sideways, nor does any box in it
    // but a table's and a chart's: a chart is shown at the size it was drawn and scrolls in its
    // box, so that its text stays readable (shown whole, it shrank to 2 or 3 px; with an 800 px
    // floor, to 5.3 px).
    let narrow = probe(&url, "/experiments/tiny", FITS);
    let measured = run_chromium(&env, &narrow, &["--dump-dom"]);
    let lines = probe_text(&measured);
    let sizes: Vec<(f64, f64)> = lines
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("400 fits 7 charts, text ")?;
            let (least, middle) = rest
                .strip_suffix(" px")
                .unwrap_or(rest)
                .split_once(" px, most ")?;
            Some((least.parse().ok()?, middle.parse().ok()?))
        })
        .collect();
    assert!(
        lines.contains("\n320 fits 7 charts, text ")
            && sizes.len() == 1
            && sizes
                .iter()
                .all(|&(least, middle)| least >= 8.5 && middle >= 8.5),
        "{lines}"
    );

    let dom = run_chromium(&env, &format!("{url}/experiments/tiny"), &["--dump-dom"]);
    assert!(dom.contains("<h2>Leaderboard</h2>"), "{dom}");
    assert_eq!(
        dom.matches("<svg class=\"chart\"").count(),
        7,
        "seven charts"
    );
    assert!(
        dom.contains("<h2>Timeline</h2>") && dom.contains("all 4 trials that started"),
        "{dom}"
    );
    assert_eq!(
        dom.matches("class=\"trial-row row-").count(),
        4,
        "one leaderboard row per trial"
    );
    assert!(dom.matches("<circle").count() >= 4, "history dots");
    assert!(
        dom.matches("<polyline").count() >= 4,
        "curves and parallel coordinates"
    );
    assert!(
        dom.contains("pick 2 to 8 trials"),
        "the compare picker's script ran"
    );
    // Importance needs 10 completed or pruned trials; the other charts have data, the pair
    // plots taking the parameters in name order meanwhile.
    assert_eq!(dom.matches("data-empty").count(), 1, "one empty chart");
    assert!(dom.contains("needs 10 completed or pruned trials (4 so far)"));
    assert!(
        dom.contains("<h2>Parameter pairs</h2>") && dom.contains("the first parameters by name"),
        "{dom}"
    );

    // The leaderboard's search box, as a browser submits it: only the matching rows, the text
    // kept in the box.
    let searched = run_chromium(
        &env,
        &format!("{url}/experiments/tiny?sort=rank&dir=asc&filter=param.hidden+%3D+16"),
        &["--dump-dom"],
    );
    let rows = searched.matches("class=\"trial-row row-").count();
    let sixteen = dom
        .split("class=\"trial-row row-")
        .skip(1)
        .filter(|row| {
            let row = row.split("</tr>").next().unwrap_or("");
            row.contains("<td class=\"num\">16</td>")
        })
        .count();
    assert!(
        rows >= 1 && rows == sixteen,
        "{rows} rows, {sixteen} with 16 units: {searched}"
    );
    assert!(
        searched.contains("value=\"param.hidden = 16\""),
        "the box keeps the text: {searched}"
    );

    let shot = env.path().join("experiment.png");
    run_chromium(
        &env,
        &format!("{url}/experiments/tiny"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1000",
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    // Kept for people to look at: target/tmp/dashboard-experiment.png.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-experiment.png");
    let _ = std::fs::copy(&shot, keep);
    drop(server);
    drop(browser);
}

/// Forwards each HTTP request to `upstream` on a connection of its own, except a live page's
/// update (`X-Sweep-Fragment`), whose connection it closes without an answer: to the page, the
/// server has gone away, as when the sweep that served it ended. Returns the proxy's URL.
fn proxy_dropping_updates(upstream: &str) -> String {
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                if head.to_ascii_lowercase().contains("x-sweep-fragment") {
                    return; // Dropped: the client sees the connection close unanswered.
                }
                // GET requests only: the head is the whole request. One request per connection.
                let mut request: String = head
                    .trim_end()
                    .lines()
                    .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                    .map(|l| format!("{l}\r\n"))
                    .collect();
                request.push_str("Connection: close\r\n\r\n");
                let Ok(mut server) = TcpStream::connect(&upstream) else {
                    return;
                };
                if server.write_all(request.as_bytes()).is_ok() {
                    let _ = std::io::copy(&mut server, &mut client);
                }
            });
        }
    });
    url
}

/// Serves, at `/probe`, a page that loads `target` from `upstream` in a 400-px-wide frame (a
/// phone's width; the frame's media queries see that width) and, once it has loaded, writes
/// into its own `<pre id="probe">` one line per table of class `compare` or `leaderboard` in
/// the frame: whether a cell that should stay in view lies wholly inside the table's scrolling
/// box, as `inside LEFT RIGHT of WIDTH` or `outside ...`: a compare table's first value cell
/// (the first `td` of its first body row), and a leaderboard's trial number (its third cell)
/// once the table is scrolled to its far right, followed by ` scrolled N`, how far it scrolled.
/// Everything else is forwarded to `upstream`, so the frame is of the probe's origin and the
/// script may measure it (`getBoundingClientRect`); the answers lose only what forbids framing
/// (`X-Frame-Options`, and the CSP's `frame-ancestors` directive), so the frame is measured
/// under the rest of the dashboard's policy. Returns the probe's URL.
fn probe_narrow(upstream: &str, target: &str) -> String {
    probe(
        upstream,
        target,
        "doc.querySelectorAll('table.compare, table.leaderboard').forEach(function (table) {\
           var wrap = table.closest('.table-wrap') || table;\
           var board = table.classList.contains('leaderboard');\
           if (board) { wrap.scrollLeft = wrap.scrollWidth; }\
           var box = wrap.getBoundingClientRect();\
           var cell = table.querySelector(board ? 'tbody tr td:nth-child(3)' : 'tbody tr td')\
             .getBoundingClientRect();\
           var inside = cell.left >= box.left && cell.right <= box.right;\
           lines.push((inside ? 'inside ' : 'outside ') + Math.round(cell.left) + ' ' +\
             Math.round(cell.right) + ' of ' + Math.round(box.width) +\
             (board ? ' scrolled ' + Math.round(wrap.scrollLeft) : ''));\
         });",
    )
}

/// A probe's script (`probe`) that sets the frame to 400 px wide, then 320, and at each
/// writes `W fits N charts, text A px, most B px` when the page does not scroll sideways and
/// nothing in its `<main>` outside a table's or a chart's scroll box (`.table-wrap`,
/// `.chart-box`; a chart box itself must fit) reaches past the frame's right edge or scrolls
/// sideways within its own box (N counts the charts in a box that fits; A is the smallest
/// size a chart's text is drawn at, in px, B the median), or `W over` and each such element
/// (`tag class right/scrollWidth`).
const FITS: &str = "var root = doc.documentElement;\
  [400, 320].forEach(function (w) {\
    frame.frameElement.style.width = w + 'px';\
    var width = root.clientWidth, over = [], charts = 0, sizes = [];\
    if (root.scrollWidth > width + 1) { over.push('page ' + root.scrollWidth); }\
    doc.querySelectorAll('main, main *').forEach(function (el) {\
      if (el.closest('.table-wrap') || el.closest('svg')) { return; }\
      var box = el.getBoundingClientRect();\
      var scrolls = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&\
        getComputedStyle(el).overflowX !== 'visible' && !el.matches('.chart-box');\
      if (box.right > width + 0.5 || scrolls) {\
        over.push(el.tagName + ' ' + (el.getAttribute('class') || '') + ' ' +\
          Math.round(box.right) + '/' + el.scrollWidth);\
      }\
    });\
    doc.querySelectorAll('main .chart-box > svg.chart').forEach(function (svg) {\
      charts += 1;\
      var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;\
      svg.querySelectorAll('text').forEach(function (t) {\
        sizes.push(parseFloat(t.getAttribute('font-size') || '12') * scale);\
      });\
    });\
    sizes.sort(function (a, b) { return a - b; });\
    var px = function (v) { return (v || 0).toFixed(1) + ' px'; };\
    lines.push(w + (over.length ? ' over ' + over.join(', ') :\
      ' fits ' + charts + ' charts, text ' + px(sizes[0]) + ', most ' +\
      px(sizes[Math.floor(sizes.length / 2)])));\
  });";

/// Serves, at `/probe`, a page that loads `target` from `upstream` in a 400-px-wide frame and,
/// once it has loaded, runs `script` with `doc` (the frame's document), `frame` (its window)
/// and `lines` (an array) in scope, then writes `lines` into its own `<pre id="probe">`, one a
/// line (a script that throws adds `error` and the exception). Everything else is forwarded to `upstream` (as `probe_narrow` says). Returns the
/// probe's URL.
fn probe(upstream: &str, target: &str, script: &str) -> String {
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let page = format!(
        "<!doctype html><html><body style=\"margin:0\"><pre id=\"probe\">waiting</pre>\
         <iframe id=\"frame\" src=\"{target}\" style=\"width:400px;height:900px;border:0\"></iframe>\
         <script>document.getElementById('frame').addEventListener('load', function () {{\
           var doc = this.contentDocument, frame = this.contentWindow, lines = [];\
           try {{ {script} }} catch (e) {{ lines.push('error ' + e); }}\
           document.getElementById('probe').textContent = lines.join('\\n');\
         }});</script></body></html>"
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/probe", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let (upstream, page) = (upstream.clone(), page.clone());
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                if head.starts_with("GET /probe ") {
                    let _ = write!(
                        client,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
                        page.len()
                    );
                    return;
                }
                // GET requests only: the head is the whole request. One request per connection.
                let mut request: String = head
                    .trim_end()
                    .lines()
                    .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                    .map(|l| format!("{l}\r\n"))
                    .collect();
                request.push_str("Connection: close\r\n\r\n");
                let Ok(mut server) = TcpStream::connect(&upstream) else {
                    return;
                };
                let mut answer = Vec::new();
                if server.write_all(request.as_bytes()).is_err()
                    || server.read_to_end(&mut answer).is_err()
                {
                    return;
                }
                let at = answer
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .unwrap_or(answer.len());
                let head: String = String::from_utf8_lossy(&answer[..at])
                    .lines()
                    .filter(|l| !l.to_ascii_lowercase().starts_with("x-frame-options:"))
                    .map(|l| match l.split_once(':') {
                        Some((name, policy))
                            if name.eq_ignore_ascii_case("content-security-policy") =>
                        {
                            let kept: Vec<&str> = policy
                                .split(';')
                                .map(str::trim)
                                .filter(|d| !d.to_ascii_lowercase().starts_with("frame-ancestors"))
                                .collect();
                            format!("{name}: {}\r\n", kept.join("; "))
                        }
                        _ => format!("{l}\r\n"),
                    })
                    .collect();
                let _ = client.write_all(head.as_bytes());
                // The blank line that ends the head, then the body.
                let _ = client.write_all(answer.get(at + 2..).unwrap_or_default());
            });
        }
    });
    url
}

/// Starts a sweep of `TINY` that stays running, and so serves its pages live, however slow
/// the machine, while training next to nothing: agent 1 of 2, which trains its own two trials
/// of 3 epochs and then waits, idle, for agent 0's, which never come (the test stops it).
/// Returns it (killed when dropped) with its dashboard's URL once `/experiments/tiny` is there.
pub(crate) fn start_waiting_sweep(env: &TestEnv) -> (Running, String) {
    let spec = env.write_spec("tiny.yaml", TINY);
    let exchange = env.path().join("exchange");
    let (sweep, url) = start_serving(
        env,
        &[
            "run",
            spec.to_str().unwrap(),
            "--agent",
            "1/2",
            "--exchange",
            exchange.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ],
    );
    // The dashboard is up before the experiment is stored.
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(&format!("{url}/experiments/tiny")).0 == 404 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    (sweep, url)
}

#[test]
fn a_live_page_says_offline_when_its_server_is_gone() {
    let browser = chromium();
    let env = TestEnv::new();
    // Still running when the page loads; the test stops it.
    let (sweep, url) = start_waiting_sweep(&env);
    let proxy = proxy_dropping_updates(&url);

    // Chromium's virtual time runs the page's timers: its first update (after two seconds)
    // finds no server.
    let dom = run_chromium(&env, &format!("{proxy}/experiments/tiny"), &["--dump-dom"]);
    assert!(dom.contains("data-live=\"1\""), "the page was live: {dom}");
    assert!(
        dom.contains("class=\"live-badge offline\"") && dom.contains(">offline</span>"),
        "{dom}"
    );
    drop(sweep);
    drop(browser);
}

#[test]
fn a_live_page_announces_a_filter_error_once() {
    let browser = chromium();
    let env = TestEnv::new();
    // Still running while Chromium loads the page and takes its first update.
    let (sweep, url) = start_waiting_sweep(&env);
    // A filter naming a parameter the space lacks: the page says so in an alert.
    let page = format!("{url}/experiments/tiny?filter=param.optimiser%20%3D%20adam");
    let (status, first) = get(&page);
    assert_eq!(status, 200, "{first}");
    assert!(
        first.contains("id=\"filter-error\" role=\"alert\""),
        "the first load shows the message as an alert: {first}"
    );
    // After an update (Chromium's virtual time runs the page's two-second timer), the same
    // message is still shown, no longer as an alert that a screen reader would announce again.
    let dom = run_chromium(&env, &page, &["--dump-dom"]);
    assert!(dom.contains("data-live=\"1\""), "the page is live: {dom}");
    assert!(dom.contains("id=\"filter-error\""), "{dom}");
    assert!(
        !dom.contains("role=\"alert\""),
        "an update announces the same message again: {dom}"
    );
    drop(sweep);
    drop(browser);
}

#[test]
fn issue_a11y_a_ticked_trial_an_update_takes_off_the_page_stays_ticked() {
    let browser = chromium();
    let env = TestEnv::new();
    // Still running while Chromium loads the page and takes an update.
    let (sweep, url) = start_waiting_sweep(&env);
    let page = format!("{url}/experiments/tiny");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !get(&page).1.contains("class=\"trial-row row-") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    // The first row's trial is ticked; the update that follows is asked of a page without it
    // (a filter leaves it out, as a trial that others pass leaves the leaderboard's page, with
    // the same effect on the page); the update is started at once by pausing and resuming.
    let probe_kept = probe(
        &url,
        "/experiments/tiny",
        "var first = doc.querySelector('tbody input[name=t]');\
         var n = first.value;\
         first.click();\
         lines.push('live ' + doc.body.getAttribute('data-live'));\
         var real = frame.fetch.bind(frame);\
         frame.fetch = function (u, o) {\
           return real('/experiments/tiny?filter=' + encodeURIComponent('trial != ' + n), o); };\
         doc.querySelector('table.leaderboard').setAttribute('data-old', '1');\
         var pause = doc.getElementById('live-pause');\
         pause.click(); pause.click();\
         var out = document.getElementById('probe');\
         var wait = function () {\
           if (doc.querySelector('table.leaderboard[data-old]')) { return setTimeout(wait, 20); }\
           var row = doc.querySelector('tbody input[name=t][value=\"' + n + '\"]');\
           var kept = doc.querySelector('.picked-elsewhere input[name=t][value=\"' + n + '\"]');\
           lines.push('row ' + (row !== null) + ' kept ' + (kept !== null && kept.checked));\
           lines.push('label ' + (kept && kept.getAttribute('aria-label') === 'compare trial ' + n));\
           lines.push('count ' + doc.querySelector('.compare-count').textContent);\
           var of = doc.querySelector('.picked-elsewhere .of');\
           lines.push('why ' + (of && of.textContent) + ' title ' + (of && of.hasAttribute('title')));\
           out.textContent = lines.join('\\n');\
         };\
         setTimeout(wait, 20);",
    );
    let measured = run_chromium(&env, &probe_kept, &["--dump-dom"]);
    let lines = probe_text(&measured);
    assert_eq!(
        lines,
        "live 1\nrow false kept true\nlabel true\ncount 1 picked (at least 2)\n\
         why also picked (moved off this page by an update): title false",
        "{measured}"
    );
    drop(sweep);
    drop(browser);
}

#[test]
fn sweep_run_serves_its_dashboard_while_it_runs_and_keeps_the_store() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let spec = spec.to_str().unwrap();
    let (sweep, url) = start_serving(
        &env,
        &["run", spec, "--addr", "127.0.0.1:0", "--serve-after"],
    );
    let pid = sweep.0.id();

    // A second sweep on the same store is refused with a message that says which process
    // holds the store and where its dashboard is.
    // It exits 75 (try again later), told apart from bad input's 2.
    let second = env.sweep(&["run", spec, "--no-serve"]);
    assert_eq!(second.code, 75, "{second:?}");
    for part in [
        "is in use by another sweep process: `sweep run ",
        " --addr 127.0.0.1:0 --serve-after` (pid ",
        &format!("pid {pid}, since "),
        &format!("dashboard at {url}/"),
        &format!("meanwhile its dashboard shows the store, as pages and as JSON (`curl {url}/api/experiments`"),
        "stop it or wait for it to end, or use another --store",
    ] {
        assert!(second.stderr.contains(part), "{part}: {}", second.stderr);
    }

    // The dashboard answers while trials run, and stays up after the sweep (--serve-after).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = get(&format!("{url}/api/experiments/tiny"));
        if status == 200 && body.contains("\"status\":\"finished\"") {
            assert!(body.contains("\"completed\":4"), "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the sweep did not finish: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let (status, page) = get(&format!("{url}/experiments/tiny"));
    assert_eq!(status, 200);
    assert!(
        page.contains("X-Sweep") || page.contains("data-live=\"0\""),
        "finished pages stop polling"
    );
    // Ctrl-C closes the dashboard of a sweep that finished: it interrupted nothing, so the
    // process ends as the sweep did, with 0.
    let mut sweep = sweep;
    let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap());
    let status = loop {
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        if let Some(status) = sweep.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "Ctrl-C did not end it");
    };
    assert_eq!(status.code(), Some(0));
}

/// The leaderboard's CSV download is what `sweep trials --format csv` writes for the same
/// filter and order, byte for byte: every kept trial, not one page; a trial page's is what
/// `sweep export --series` writes for that trial.
#[test]
fn the_dashboard_downloads_csv_as_the_cli_writes_it() {
    let env = TestEnv::new();
    let spec = env.write_spec("tiny.yaml", TINY);
    let out = env.sweep(&["run", spec.to_str().unwrap(), "--no-serve"]);
    assert_eq!(out.code, 0, "{out:?}");
    let cli = env.sweep(&[
        "trials",
        "tiny",
        "--format",
        "csv",
        "--sort",
        "metric.val_accuracy",
        "--desc",
        "--filter",
        "param.hidden in (16, 32) and state = completed",
    ]);
    assert_eq!(cli.code, 0, "{cli:?}");
    assert_eq!(cli.stdout.lines().count(), 5, "{}", cli.stdout);
    let curves = env.sweep(&[
        "export",
        "tiny",
        "--series",
        "--format",
        "csv",
        "--filter",
        "trial = 1",
    ]);
    assert_eq!(curves.code, 0, "{curves:?}");
    let (server, url) = start_serving(&env, &["serve", "--addr", "127.0.0.1:0"]);
    // A trial's curves, as `sweep export --series` writes them, linked from its page.
    let (status, csv) = get(&format!("{url}/experiments/tiny/trials/1/metrics.csv"));
    assert_eq!(status, 200, "{csv}");
    assert_eq!(csv, curves.stdout);
    let (_, page) = get(&format!("{url}/experiments/tiny/trials/1"));
    assert!(
        page.contains("href=\"/experiments/tiny/trials/1/metrics.csv\" download"),
        "{page}"
    );
    // Its command names the file as the record keeps it, absolute: it runs from anywhere.
    let file = std::fs::canonicalize(&spec).unwrap();
    let rerun = format!("sweep run {} --store .sweep-reproduce-1", file.display());
    assert!(page.contains(&rerun), "{rerun}\n{page}");
    let (status, _) = get(&format!("{url}/experiments/tiny/trials/9/metrics.csv"));
    assert_eq!(status, 404);
    let query = "sort=metric.val_accuracy&dir=desc&per_page=1\
                 &filter=param.hidden%20in%20(16%2C%2032)%20and%20state%20%3D%20completed";
    let (status, csv) = get(&format!("{url}/experiments/tiny/trials.csv?{query}"));
    assert_eq!(status, 200, "{csv}");
    assert_eq!(csv, cli.stdout);
    // The page links to it, keeping the query; a filter that cannot be read has no download.
    let (_, page) = get(&format!("{url}/experiments/tiny?{query}"));
    assert!(
        page.contains("/experiments/tiny/trials.csv?sort=metric.val_accuracy&#38;dir=desc")
            && page.contains("download these 4 trials as CSV"),
        "{page}"
    );
    let (status, _) = get(&format!(
        "{url}/experiments/tiny/trials.csv?filter=lr%20%3E%201"
    ));
    assert_eq!(status, 400);
    let (_, page) = get(&format!("{url}/experiments/tiny?filter=lr%20%3E%201"));
    assert!(!page.contains("trials.csv"), "{page}");
    drop(server);
}

#[test]
fn serve_closes_on_ctrl_c_or_sigterm_even_when_started_with_ctrl_c_ignored() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let env = TestEnv::new();
    drop(store::Store::open(&env.store()).unwrap());
    for (signal, code) in [(Signal::SIGINT, 130), (Signal::SIGTERM, 143)] {
        // As a script's `sweep serve &` starts it: SIGINT ignored, which `exec` keeps.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("trap '' INT; exec \"$0\" serve --addr 127.0.0.1:0")
            .arg(tests::sweep_binary())
            .current_dir(env.path())
            .env_remove("SWEEP_TOKEN")
            .env_remove("SWEEP_ADDR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        dashboard_url(&rx);
        let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
        kill(pid, signal).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains("stopping: the dashboard closes"),
            "{stderr}"
        );
        // The store is let go: another command opens it.
        assert_eq!(env.sweep(&["ls"]).code, 0);
    }
}

#[test]
fn a_port_alone_serves_on_loopback() {
    let env = TestEnv::new();
    // An empty store, as a sweep creates it.
    drop(store::Store::open(&env.store()).unwrap());
    for args in [["serve", "--port", "0"], ["serve", "--addr", "0"]] {
        let (server, url) = start_serving(&env, &args);
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert_eq!(get(&format!("{url}/")).0, 200);
        drop(server);
    }
    let out = env.sweep(&["serve", "--addr", "myhost:8080"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("localhost:PORT, or a port such as 8080, found `myhost:8080`"),
        "{}",
        out.stderr
    );
    let out = env.sweep(&["serve", "--addr", "127.0.0.1:0", "--port", "0"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("cannot be used with"), "{}", out.stderr);
}

#[test]
fn serving_beyond_loopback_needs_a_token() {
    let env = TestEnv::new();
    // The address and the token are refused before the store is looked at: there is none.
    std::fs::create_dir_all(env.store()).unwrap();
    let out = env.sweep(&["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("needs a token"), "{}", out.stderr);
    let out = env.sweep(&["serve", "--addr", "127.0.0.1:0", "--token", "short"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("token"), "{}", out.stderr);
    // A folder without a store is not served as an empty one (nor made into one).
    let out = env.sweep(&["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("the folder holds no sweep store"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(env.store()).unwrap().count(), 0);
}
