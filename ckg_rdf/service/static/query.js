// The query page's only script: pick an example to fill the box, Ctrl+Enter to run.
// The page works without it (the form submits with GET and the server renders the table).
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var box = document.getElementById("query");
  var picker = document.getElementById("example");
  var data = JSON.parse(document.getElementById("example-data").textContent || "{}");
  picker.addEventListener("change", function () {
    if (data[picker.value] !== undefined) { box.value = data[picker.value]; box.focus(); }
  });
  box.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function () {
    // only the query text goes in the URL: the example name would be noise
    picker.disabled = true;
    document.getElementById("run").textContent = "Running…";
  });
})();
