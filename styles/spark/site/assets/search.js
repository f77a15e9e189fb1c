/* Search of the archive, in the page: no server, no library.
   The index is search-index.js, which sets window.SPARK_SEARCH (a page opened from disk may not
   fetch a JSON file). Every word typed must appear in the title, byline, subjects or text of an
   article; accents and case are ignored. Results are built with DOM nodes, never innerHTML. */
(function () {
  "use strict";

  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!input || !status || !list) return;

  var MAX_RESULTS = 40;
  var WEIGHTS = { title: 10, subjects: 6, byline: 4, text: 1 };

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var records = (window.SPARK_SEARCH || []).map(function (record) {
    return {
      record: record,
      title: fold(record.title),
      subjects: fold(record.subjects.join(" ")),
      byline: fold(record.byline),
      text: fold(record.text),
    };
  });

  function score(entry, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var found = 0;
      for (var field in WEIGHTS) {
        if (entry[field].indexOf(words[i]) !== -1) found += WEIGHTS[field];
      }
      if (!found) return 0;
      total += found;
    }
    return total;
  }

  /* A few words of the text around the first match, the match marked. Folding keeps lengths
     for the Latin text of the archive, so positions in the folded text fit the original. */
  function snippet(entry, word) {
    var text = entry.record.text;
    var at = entry.text.indexOf(word);
    if (at === -1) return null;
    var start = Math.max(0, text.lastIndexOf(" ", Math.max(0, at - 70)) + 1);
    var end = text.indexOf(" ", Math.min(text.length, at + word.length + 90));
    if (end === -1) end = text.length;
    var p = document.createElement("p");
    p.className = "result-snippet";
    p.append((start > 0 ? "… " : "") + text.slice(start, at));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + word.length);
    p.append(mark, text.slice(at + word.length, end) + (end < text.length ? " …" : ""));
    return p;
  }

  function result(entry, words) {
    var record = entry.record;
    var item = document.createElement("li");
    item.className = "result";
    var meta = document.createElement("p");
    meta.className = "kicker";
    meta.textContent = record.kind + " · " + record.issue;
    var heading = document.createElement("h3");
    heading.className = "result-title";
    var link = document.createElement("a");
    link.href = record.url;
    link.textContent = record.title;
    heading.append(link);
    item.append(meta, heading);
    if (record.byline) {
      var byline = document.createElement("p");
      byline.className = "byline";
      byline.textContent = record.byline;
      item.append(byline);
    }
    var words_in_text = words.filter(function (word) { return entry.text.indexOf(word) !== -1; });
    var longest = words_in_text.sort(function (a, b) { return b.length - a.length; })[0];
    var quote = longest && snippet(entry, longest);
    if (quote) item.append(quote);
    return item;
  }

  function run() {
    var query = input.value.trim();
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!words.length) {
      status.textContent = "";
      return;
    }
    var found = records
      .map(function (entry) { return { entry: entry, score: score(entry, words) }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score; });
    var shown = found.slice(0, MAX_RESULTS);
    shown.forEach(function (hit) { list.append(result(hit.entry, words)); });
    var count = found.length === 1 ? "1 article" : found.length + " articles";
    status.textContent = found.length
      ? count + " match “" + query + "”" + (found.length > shown.length ? ", the first " + shown.length + " shown" : "")
      : "No article matches “" + query + "”";
  }

  input.addEventListener("input", run);
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run();
  }
})();
