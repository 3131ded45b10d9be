// Suggestions under the search box, from /search's JSON (same origin, no library).
// Results are written with textContent only: a label is never parsed as HTML.
(function () {
  "use strict";
  var NAMES = { paper: "paper", author: "author", institution: "institution", concept: "concept", topic: "topic" };
  function attach(form) {
    var box = form.querySelector("input[name=q]");
    var list = form.querySelector(".suggest");
    if (!box || !list) { return; }
    var timer = null, seq = 0, active = -1;
    function close() { list.hidden = true; list.textContent = ""; active = -1; }
    function items() { return list.querySelectorAll("a"); }
    function mark(i) {
      var all = items();
      for (var j = 0; j < all.length; j++) { all[j].classList.toggle("active", j === i); }
      active = i;
    }
    function item(hit) {
      var a = document.createElement("a");
      a.href = hit.href;
      a.title = hit.iri;
      a.setAttribute("role", "option");
      a.dataset.kind = hit.kind;
      var kind = document.createElement("small");
      kind.className = "badge";
      kind.textContent = NAMES[hit.kind] || hit.kind;
      var label = document.createElement("span");
      label.className = "label";
      label.textContent = hit.label;
      a.appendChild(kind);
      a.appendChild(label);
      if (hit.detail) {
        var detail = document.createElement("small");
        detail.className = "detail";
        detail.textContent = hit.detail;
        a.appendChild(detail);
      }
      return a;
    }
    function render(data) {
      list.textContent = "";
      var kinds = Object.keys(data.groups || {}).slice(0, 4);
      kinds.forEach(function (kind) {
        data.groups[kind].forEach(function (hit) { if (hit.href) { list.appendChild(item(hit)); } });
      });
      if (!list.childNodes.length) { close(); return; }
      var all = document.createElement("a");
      all.href = "/search?q=" + encodeURIComponent(data.q);
      all.className = "all";
      all.textContent = "All " + data.total.toLocaleString() + " results for \u201c" + data.q + "\u201d";
      list.appendChild(all);
      list.hidden = false;
      active = -1;
    }
    function ask() {
      var q = box.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++seq;
      fetch("/search?per_page=1&group=3&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === seq) { render(data); } })
        .catch(function () { close(); });
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 60);
    });
    box.addEventListener("keydown", function (e) {
      var all = items();
      if (e.key === "ArrowDown" && all.length) { e.preventDefault(); mark((active + 1) % all.length); }
      else if (e.key === "ArrowUp" && all.length) { e.preventDefault(); mark((active - 1 + all.length) % all.length); }
      else if (e.key === "Enter" && active >= 0 && all[active]) { e.preventDefault(); window.location.href = all[active].href; }
      else if (e.key === "Escape") { close(); }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) { close(); } });
  }
  var forms = document.querySelectorAll("form.search");
  for (var i = 0; i < forms.length; i++) { attach(forms[i]); }
})();
