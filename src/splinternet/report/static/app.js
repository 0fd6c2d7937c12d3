/* splinternet pages: sortable tables, progress polling, AS search. No library, no network but our own API. */
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (numeric) {
      var x = parseFloat(raw);
      return isNaN(x) ? -Infinity : x;
    }
    return raw.trim().toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      th.classList.add("sort");
      th.setAttribute("title", "sort by this column");
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "num";
        var descending = th.getAttribute("aria-sort") !== "descending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var order = x < y ? -1 : (x > y ? 1 : 0);
          return descending ? -order : order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function pollJob(box) {
    var status = box.getAttribute("data-status-url");
    var done = box.getAttribute("data-done-url");
    var bar = document.getElementById("job-progress");
    var step = document.getElementById("job-step");
    function tick() {
      fetch(status, {headers: {"Accept": "application/json"}}).then(function (r) { return r.json(); }).then(function (job) {
        var p = job.progress || {};
        if (p.total) { bar.max = p.total; bar.value = p.done; } else { bar.removeAttribute("value"); }
        step.textContent = (p.step || job.state) + (p.total ? " (" + p.done + " of " + p.total + ")" : "") +
          " — " + job.elapsed_s + " s";
        if (job.state === "done" || job.state === "failed") { window.location.replace(done); return; }
        window.setTimeout(tick, 700);
      }).catch(function () { window.setTimeout(tick, 2000); });
    }
    tick();
  }

  function asSearch(input) {
    var list = document.getElementById("as-results");
    var target = document.getElementById("without");
    var dateField = document.querySelector("#whatif-form input[name=date]");
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { list.innerHTML = ""; return; }
        var url = "/api/v1/search/as?q=" + encodeURIComponent(q);
        if (dateField && dateField.value) { url += "&date=" + encodeURIComponent(dateField.value); }
        fetch(url).then(function (r) { return r.json(); }).then(function (data) {
          list.innerHTML = "";
          (data.results || []).forEach(function (row) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = "AS" + row.asn + " " + row.name + " (" + (row.country || "??") + ")";
            button.addEventListener("click", function () {
              var items = target.value.split(/[\s,]+/).filter(Boolean);
              if (items.indexOf(String(row.asn)) < 0) { items.push(String(row.asn)); }
              target.value = items.join(" ");
            });
            li.appendChild(button);
            list.appendChild(li);
          });
        });
      }, 250);
    });
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  var job = document.getElementById("job");
  if (job) { pollJob(job); }
  var search = document.getElementById("as-search");
  if (search) { asSearch(search); }
})();
