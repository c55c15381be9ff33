// Sweep dashboard: live updates and the compare pickers. Hand-written, no build step.
//
// Live pages (body[data-live="1"]) fetch their own URL every two seconds with the header
// `X-Sweep-Fragment: 1`, get back only the <main> content, and swap it in, keeping the
// compare boxes as the person left them (ticked or not: a box unticked while an update was
// on its way stays unticked; a ticked one the update took off the page stays ticked above the
// table), what is being typed in the leaderboard's filter box and the
// parameter pairs' box, and the keyboard's focus. Polling stops when the server answers
// `X-Sweep-Live: 0`.
// When the server does not answer (the sweep that served it ended or was stopped), the badge
// says "offline", since the page no longer changes; it keeps trying, and turns "live" again
// if a server comes back on the same address. The "pause updates" button stops the updates (for
// reading at one's pace, or a screen reader's) until pressed again.
(function () {
  "use strict";
  var PERIOD_MS = 2000;
  var main = document.getElementById("main");
  var badge = document.getElementById("live-badge");
  var pause = document.getElementById("live-pause");
  var paused = false;

  // The compare pickers: trials on an experiment's page (`t`), experiments on the list (`e`).
  var PICKS = 'input[name="t"], input[name="e"]';

  function pickKey(name, value) { return name + "=" + value; }

  // The boxes in the order they were ticked, as pickKey's keys: a tick goes last, an untick
  // leaves. It starts from the address's `?e=` or `?t=` (the list's or the leaderboard's
  // ticks, in the order ticked on earlier pages); boxes ticked otherwise follow in the page's
  // order.
  var params = new URL(window.location.href).searchParams;
  var order = ["e", "t"].reduce(function (keys, name) {
    return keys.concat(params.getAll(name).map(function (value) { return pickKey(name, value); }));
  }, []);

  function noteTick(box) {
    var key = pickKey(box.name, box.value);
    order = order.filter(function (k) { return k !== key; });
    if (box.checked) { order.push(key); }
  }

  // The boxes ticked now, each once, in the order ticked.
  function ticked() {
    var seen = {};
    var picks = [];
    Array.prototype.forEach.call(
      document.querySelectorAll('input[name="t"]:checked, input[name="e"]:checked'),
      function (box) {
        var key = pickKey(box.name, box.value);
        if (seen[key]) { return; }
        seen[key] = true;
        var at = order.indexOf(key);
        picks.push({ pick: [box.name, box.value], rank: at < 0 ? order.length + picks.length : at });
      });
    picks.sort(function (a, b) { return a.rank - b.rank; });
    return picks.map(function (p) { return p.pick; });
  }

  // The compare forms are plain GET forms, which work without this script (the server says
  // when fewer than 2 or more than 8 are ticked); with it, they send the boxes in the order
  // ticked rather than the page's, as the compare page shows them.
  function submitTicked(event) {
    var form = event.target;
    if (!form || !form.classList || !form.classList.contains("compare-form")) { return; }
    var picks = ticked();
    if (picks.length === 0) { return; }
    event.preventDefault();
    var url = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    url.search = "";
    url.hash = "";
    picks.forEach(function (pick) { url.searchParams.append(pick[0], pick[1]); });
    window.location.assign(url.pathname + url.search);
  }

  // Boxes ticked that an update took off the page (a trial that another passed on the
  // leaderboard's page, an experiment gone from the list's): each comes back ticked above the
  // table, beside the Compare button, as the list's ticks of other pages do, so that it is
  // still compared and can be unticked there. `keep` holds the ticks by pickKey.
  function keepOffPage(keep) {
    var form = main.querySelector("form.compare-form");
    var bar = form && form.querySelector(".board-bar");
    if (!bar) { return; }
    Object.keys(keep).forEach(function (key) {
      var at = key.indexOf("=");
      var name = key.slice(0, at);
      var value = key.slice(at + 1);
      if (form.querySelector('input[name="' + CSS.escape(name) + '"][value="' + CSS.escape(value) + '"]')) {
        return;
      }
      var spot = bar.querySelector(".picked-elsewhere");
      if (!spot) {
        spot = document.createElement("span");
        spot.className = "picked-elsewhere";
        bar.insertBefore(spot, bar.querySelector(".compare-bar"));
      }
      if (!spot.querySelector(".of")) {
        var of = document.createElement("span");
        of.className = "of";
        of.textContent = "also picked (moved off this page by an update):";
        spot.appendChild(of);
      }
      var named = name === "t" ? "trial " + value : value;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = value;
      box.checked = true;
      box.setAttribute("aria-label", "compare " + named);
      var label = document.createElement("label");
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + named));
      spot.appendChild(document.createTextNode(" "));
      spot.appendChild(label);
    });
  }

  function updateCompare() {
    var n = ticked().length;
    var count = document.querySelector(".compare-count");
    var button = document.querySelector(".compare-button");
    if (!count || !button) { return; }
    // The limits are the server's (`data-min`, `data-max`: compare::MIN_TRIALS and MAX_TRIALS,
    // or experiments_compare's), as the page first says them; every template writes them.
    var noun = count.getAttribute("data-noun") || "trials";
    var min = parseInt(count.getAttribute("data-min"), 10);
    var max = parseInt(count.getAttribute("data-max"), 10);
    if (isNaN(min) || isNaN(max)) { return; }
    button.disabled = n < min || n > max;
    count.textContent = n === 0 ? "pick " + min + " to " + max + " " + noun
      : n + " picked" + (n > max ? " (at most " + max + ")" : n < min ? " (at least " + min + ")" : "");
  }

  // The experiments ticked on the list travel in its address (`?e=`), and the trials ticked on
  // the leaderboard in the experiment page's (`?t=`), as the compare pages take them: on a
  // tick, and after a live update, the address, the links that page, sort, filter or unfilter
  // the table (the pager's, the column heads', the state pills' and the filter's "all" or
  // "clear") and the hidden inputs of every such form (the filter's, the parameter pairs') take
  // the ticks now shown, in the order ticked, so that rows on different pages, or hidden by a
  // filter, are compared together. (The server shows the ticks of other pages above the table,
  // ticked; a live update asks for the address.)
  var PICKERS = {
    e: { form: "form.list-filter", table: "table.experiments",
         links: ".pager a, table.experiments thead a, .list-filter a" },
    t: { form: "form.search", table: "table.leaderboard",
         links: ".pager a, table.leaderboard thead a, .filters a, form.search a" }
  };

  function withPicks(href, name, values) {
    var url = new URL(href, window.location.href);
    url.searchParams.delete(name);
    values.forEach(function (value) { url.searchParams.append(name, value); });
    return url.pathname + url.search + url.hash;
  }

  function syncPicks(name) {
    var picker = PICKERS[name];
    // Every such form carries the ticks: the leaderboard's filter and the parameter pairs'
    // (whose Show would otherwise send the ticks the page was served with).
    var forms = picker ? document.querySelectorAll(picker.form) : [];
    if (!forms.length || !document.querySelector(picker.table)) { return; }
    var values = ticked().filter(function (pick) { return pick[0] === name; })
      .map(function (pick) { return pick[1]; });
    window.history.replaceState(null, "", withPicks(window.location.href, name, values));
    Array.prototype.forEach.call(document.querySelectorAll(picker.links), function (a) {
      a.setAttribute("href", withPicks(a.getAttribute("href"), name, values));
    });
    Array.prototype.forEach.call(forms, function (form) {
      Array.prototype.forEach.call(
        form.querySelectorAll('input[type="hidden"][name="' + name + '"]'),
        function (input) { input.remove(); });
      // Before the form's button, else at its end.
      var go = form.querySelector('button[type="submit"]');
      values.forEach(function (value) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.insertBefore(input, go);
      });
    });
  }

  function connected(yes) {
    if (!badge || paused) { return; }
    badge.textContent = yes ? "live" : "offline";
    badge.classList.toggle("offline", !yes);
    badge.title = yes ? "this page updates itself while the sweep runs"
      : "the dashboard's process stopped (the sweep ended or was stopped): this page shows "
        + "what it last heard; `sweep serve` shows the results";
  }

  // The text boxes a person types in (the leaderboard's filter, the parameter pairs' names,
  // the experiments list's name filter):
  // their text, focus and caret, so that an update does not lose what is typed.
  var TYPED = ["trial-filter", "pair-params", "experiment-filter"];

  function typing() {
    return TYPED.map(function (id) {
      var box = document.getElementById(id);
      if (!box) { return null; }
      return { id: id, value: box.value, focused: document.activeElement === box,
        start: box.selectionStart, end: box.selectionEnd };
    }).filter(function (typed) { return typed !== null; });
  }

  function restoreTyping(boxes) {
    boxes.forEach(function (typed) {
      var box = document.getElementById(typed.id);
      if (!box) { return; }
      box.value = typed.value;
      if (typed.focused) {
        box.focus();
        box.setSelectionRange(typed.start, typed.end);
      }
    });
  }

  // The link or box that has the keyboard's focus in <main> (a trial's link, a compare box, a
  // sort header), as what finds it again in the new content: an update does not send the
  // keyboard back to the top of the page.
  // Found within the same section (the leaderboard's trial links and the charts' marks link
  // the same pages).
  function focused() {
    var el = document.activeElement;
    if (!el || !main || !main.contains(el) || TYPED.indexOf(el.id) >= 0) { return null; }
    var section = el.closest("[id]");
    var scope = section && section !== main ? "#" + CSS.escape(section.id) + " " : "";
    if (el.tagName === "A") {
      return scope + 'a[href="' + CSS.escape(el.getAttribute("href")) + '"]';
    }
    if (el.tagName === "INPUT" && el.name) {
      return scope + 'input[name="' + CSS.escape(el.name) + '"][value="'
        + CSS.escape(el.value) + '"]';
    }
    return el.id ? "#" + CSS.escape(el.id) : null;
  }

  // The messages shown as alerts (a filter that could not be read): their text by id. An
  // update brings the same message back as new content, which a screen reader would announce
  // again every two seconds; one already shown keeps its place without the alert's role.
  function alertsShown() {
    var shown = {};
    Array.prototype.forEach.call(main.querySelectorAll(".filter-error[id]"), function (el) {
      shown[el.id] = el.textContent;
    });
    return shown;
  }

  function quietRepeats(shown) {
    Array.prototype.forEach.call(main.querySelectorAll(".filter-error[id]"), function (el) {
      if (shown[el.id] === el.textContent) { el.removeAttribute("role"); }
    });
  }

  function refocus(selector) {
    if (!selector) { return; }
    var el = main.querySelector(selector);
    if (el) { el.focus({ preventScroll: true }); }
  }

  function refresh() {
    if (paused) { return; }
    if (document.hidden || !main) { return schedule(); }
    fetch(window.location.href, {
      headers: { "X-Sweep-Fragment": "1" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      // Any answer means the server is there; an error status is retried as it is.
      connected(true);
      if (!response.ok) { return schedule(); }
      // A page past the last is sent to the last: the address says which page is shown.
      if (response.redirected) { window.history.replaceState(null, "", response.url + window.location.hash); }
      var live = response.headers.get("X-Sweep-Live") === "1";
      return response.text().then(function (html) {
        // Paused while the request was out: the page stays as it is.
        if (paused) { return; }
        // Read just before the swap: ticking and typing go on while the request is out. The
        // boxes take the state the person left them in, over the one the answer was made
        // with: a box unticked since the request left comes back unticked.
        var keep = {};
        ticked().forEach(function (pick) { keep[pickKey(pick[0], pick[1])] = true; });
        var typed = typing();
        var focus = focused();
        var shown = alertsShown();
        main.innerHTML = html;
        quietRepeats(shown);
        restoreTyping(typed);
        Array.prototype.forEach.call(document.querySelectorAll(PICKS), function (box) {
          if (box.type === "checkbox") { box.checked = keep[pickKey(box.name, box.value)] === true; }
        });
        keepOffPage(keep);
        // The address, the links and every form take the ticks kept, not the answer's.
        syncPicks("t");
        syncPicks("e");
        // The Compare button is enabled by the ticks: focus goes back once they are.
        updateCompare();
        refocus(focus);
        document.body.setAttribute("data-live", live ? "1" : "0");
        if (badge) { badge.hidden = !live; }
        if (pause) { pause.hidden = !live; }
        if (live) { schedule(); }
      });
    }).catch(function () { connected(false); schedule(); });
  }

  // One timer at a time: pausing and resuming never starts a second round of updates.
  var timer = null;
  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, PERIOD_MS);
  }

  if (pause) {
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
      pause.textContent = paused ? "resume updates" : "pause updates";
      if (badge) {
        badge.textContent = paused ? "paused" : "live";
        badge.classList.toggle("paused", paused);
        badge.classList.remove("offline");
      }
      window.clearTimeout(timer);
      if (!paused) { refresh(); }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && (event.target.name === "t" || event.target.name === "e")) {
      noteTick(event.target);
      updateCompare();
    }
    if (event.target && (event.target.name === "t" || event.target.name === "e")) {
      syncPicks(event.target.name);
    }
  });
  document.addEventListener("submit", submitTicked);
  updateCompare();
  // A filter (or a pick of parameter pairs) that could not be read comes back with its
  // message: the keyboard goes to the box, whose description is the message, to mend it there
  // (once the page has loaded and scrolled to `#leaderboard` or `#pairs`, which would
  // otherwise take the focus back).
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      var boxes = [["trial-filter", "filter-error"], ["pair-params", "pairs-error"]];
      for (var i = 0; i < boxes.length; i++) {
        var box = document.getElementById(boxes[i][0]);
        if (box && document.getElementById(boxes[i][1])) {
          box.focus({ preventScroll: true });
          return;
        }
      }
    }, 0);
  });
  if (document.body.getAttribute("data-live") === "1") { schedule(); }
})();
