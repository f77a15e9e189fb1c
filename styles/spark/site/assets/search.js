/* Search of the archive from any page: nothing is downloaded until a reader types.
   Over the web: Pagefind (pagefind/, made by `layout site` from the article pages) fetches only the
   chunks of its index that the query's words need; results are ranked, accents folded, and each
   links to the article at the subhead nearest the match. A query of several words is first looked
   for as a phrase ("May Day", not "may be ... days"). A word found nowhere is corrected to the
   commonest archive word within one or two letters of it, from search/words-XX.json (the words
   beginning with its first two letters).
   From disk (file://, where browsers refuse fetch()): search-index.js, titles, bylines, kinds and
   subjects of every article, searched here with the same phrase rule and the same typo tolerance.
   Results are built with DOM nodes, never innerHTML. */
(function () {
  "use strict";

  var box = document.getElementById("search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!box || !input || !status || !list) return;
  var panel = box.querySelector(".search-panel");
  var root = new URL(box.dataset.root || "", window.location.href);
  var MAX_RESULTS = 20;
  var WEIGHTS = { title: 10, subjects: 6, byline: 4, kind: 2 };
  var engine = null; // a promise of {search(words, phrase) -> promise of hits}, made on first use
  var latest = 0; // the number of the newest query: an older answer arriving late is dropped

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function wordsOf(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
  }

  /* Letters to change, add, drop or swap to make one word the other (Damerau-Levenshtein). */
  function distance(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i++) {
      rows.push([i]);
      for (var j = 1; j <= b.length; j++) {
        if (i === 0) { rows[0].push(j); continue; }
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
        rows[i].push(best);
      }
    }
    return rows[a.length][b.length];
  }

  /* How many letters a word of this length may have wrong: none in a short word. */
  function tolerance(word) {
    return word.length < 4 ? 0 : word.length < 8 ? 1 : 2;
  }

  /* The first of ``candidates`` (commonest first) nearest to ``word``, or null. */
  function nearest(word, candidates) {
    var best = null;
    var bestDistance = tolerance(word) + 1;
    for (var i = 0; i < candidates.length; i++) {
      if (Math.abs(candidates[i].length - word.length) >= bestDistance) continue;
      var d = distance(word, candidates[i]);
      if (d < bestDistance) { best = candidates[i]; bestDistance = d; }
    }
    return best;
  }

  function shardName(word) {
    return Array.from(word.slice(0, 2)).map(function (c) {
      return c >= "a" && c <= "z" ? c : "u" + c.codePointAt(0).toString(16).padStart(4, "0");
    }).join("");
  }

  /* --- over the web: Pagefind ----------------------------------------------------------------- */

  function pagefindEngine() {
    return import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
      return pagefind.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
        return {
          search: function (words, phrase) {
            var query = phrase ? "\u201c" + words.join(" ") + "\u201d" : words.join(" ");
            return pagefind.search(phrase ? '"' + words.join(" ") + '"' : query).then(function (found) {
              return Promise.all(found.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
                .then(function (data) { return { count: found.results.length, hits: data.map(pagefindHit) }; });
            });
          },
          correct: function (word) {
            return fetch(new URL("search/words-" + shardName(word) + ".json", root))
              .then(function (response) { return response.ok ? response.json() : []; })
              .catch(function () { return []; })
              .then(function (candidates) { return candidates.indexOf(word) !== -1 ? word : nearest(word, candidates); });
          },
        };
      });
    });
  }

  /* A Pagefind result as a hit: the article's title, and the subhead where most of the words are. */
  function pagefindHit(data) {
    var best = null;
    (data.sub_results || []).forEach(function (sub) {
      if (!best || sub.locations.length > best.locations.length) best = sub;
    });
    var target = best || data;
    return {
      title: data.meta.title || data.url,
      url: target.url,
      section: best && best.title !== data.meta.title ? best.title : "",
      excerpt: target.excerpt,
      meta: data.meta.kicker || "",
    };
  }

  /* --- from disk: the script index of titles, bylines and subjects ---------------------------- */

  function scriptEngine() {
    return new Promise(function (resolve, reject) {
      if (window.SPARK_SEARCH) return resolve();
      var script = document.createElement("script");
      script.src = new URL("search-index.js", root).href;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    }).then(function () {
      var records = (window.SPARK_SEARCH || []).map(function (record) {
        return {
          record: record,
          title: wordsOf(record.title),
          subjects: wordsOf(record.subjects.join(" \u0000 ")),
          byline: wordsOf(record.byline),
          kind: wordsOf(record.kind),
        };
      });
      var vocabulary = [];
      records.forEach(function (entry) {
        for (var field in WEIGHTS) entry[field].forEach(function (w) { if (vocabulary.indexOf(w) === -1) vocabulary.push(w); });
      });
      return {
        search: function (words, phrase) {
          var found = records
            .map(function (entry) { return { entry: entry, score: scoreRecord(entry, words, phrase) }; })
            .filter(function (hit) { return hit.score > 0; })
            .sort(function (a, b) { return b.score - a.score; });
          return Promise.resolve({
            count: found.length,
            hits: found.slice(0, MAX_RESULTS).map(function (hit) {
              var r = hit.entry.record;
              return { title: r.title, url: new URL(r.url, root).href, section: r.byline, excerpt: "", meta: r.kind + " \u00b7 " + r.issue };
            }),
          });
        },
        correct: function (word) {
          if (vocabulary.some(function (w) { return w.startsWith(word); })) return Promise.resolve(word);
          return Promise.resolve(nearest(word, vocabulary));
        },
      };
    });
  }

  /* Does ``tokens`` hold the words in a row (phrase) or each somewhere? The last word typed may be
     the start of a word (still being typed); the others are whole words. */
  function matches(tokens, words, phrase) {
    function fits(token, k) { return k === words.length - 1 ? token.startsWith(words[k]) : token === words[k]; }
    if (!phrase) return words.every(function (w, k) { return tokens.some(function (t) { return fits(t, k); }); });
    for (var i = 0; i + words.length <= tokens.length; i++) {
      if (words.every(function (w, k) { return fits(tokens[i + k], k); })) return true;
    }
    return false;
  }

  function scoreRecord(entry, words, phrase) {
    var total = 0;
    for (var field in WEIGHTS) if (matches(entry[field], words, phrase)) total += WEIGHTS[field];
    if (total || phrase) return total;
    var all = [].concat(entry.title, entry.subjects, entry.byline, entry.kind); // the words spread over fields
    return matches(all, words, false) ? 1 : 0;
  }

  /* --- the page ------------------------------------------------------------------------------- */

  function getEngine() {
    if (!engine) {
      engine = window.location.protocol === "file:"
        ? scriptEngine()
        : pagefindEngine().catch(function () { return scriptEngine(); }); // a host without the bundle
    }
    return engine;
  }

  /* Pagefind's excerpt is escaped text with <mark>s: rebuilt as text nodes and marks only. */
  function excerptNode(html) {
    var p = document.createElement("p");
    p.className = "result-snippet";
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else {
        p.append(node.textContent);
      }
    });
    return p;
  }

  function resultItem(hit) {
    var item = document.createElement("li");
    item.className = "result";
    if (hit.meta) {
      var meta = document.createElement("p");
      meta.className = "kicker";
      meta.textContent = hit.meta;
      item.append(meta);
    }
    var heading = document.createElement("p"); // no heading: the box comes before the page's h1
    heading.className = "result-title";
    var link = document.createElement("a");
    link.href = hit.url;
    link.textContent = hit.title;
    heading.append(link);
    item.append(heading);
    if (hit.section) {
      var section = document.createElement("p");
      section.className = "byline";
      section.textContent = hit.section;
      item.append(section);
    }
    if (hit.excerpt) item.append(excerptNode(hit.excerpt));
    return item;
  }

  function articles(count) {
    return count === 1 ? "1 article" : count + " articles";
  }

  function show(query, found, corrected, phrase) {
    list.replaceChildren();
    found.hits.forEach(function (hit) { list.append(resultItem(hit)); });
    var said = "\u201c" + query + "\u201d";
    var text;
    if (!found.count) text = "No article matches " + said;
    else if (corrected) text = "Nothing has " + said + ". " + articles(found.count) + (found.count === 1 ? " matches" : " match") + " \u201c" + corrected + "\u201d";
    else text = articles(found.count) + (found.count === 1 ? " matches " : " match ") + said + (phrase ? " as a phrase" : "");
    if (found.count > found.hits.length) text += ", the first " + found.hits.length + " shown";
    status.textContent = text;
  }

  /* Look for the phrase, then for the words; where nothing is found, for the words corrected. */
  function run() {
    var query = input.value.trim();
    var words = wordsOf(query);
    var number = ++latest;
    panel.hidden = !words.length;
    if (!words.length) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching\u2026";
    getEngine().then(function (search) {
      var phrase = words.length > 1;
      return search.search(words, phrase).then(function (found) {
        if (number !== latest) return;
        if (found.count) return show(query, found, null, phrase);
        return Promise.all(words.map(search.correct)).then(function (fixed) {
          if (fixed.some(function (w) { return !w; }) || fixed.join(" ") === words.join(" ")) {
            return phrase ? search.search(words, false).then(function (f) { if (number === latest) show(query, f); }) : show(query, found);
          }
          return search.search(fixed, phrase).then(function (again) {
            if (!again.count && phrase) return search.search(fixed, false);
            return again;
          }).then(function (again) { if (number === latest) show(query, again, fixed.join(" ")); });
        });
      });
    }).catch(function () {
      if (number === latest) status.textContent = "Search could not load. The subject pages list every article.";
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150); // a query a word, not a query a letter
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run();
  }
})();
