"""The leaderboard site's static assets: a script that sorts tables, and the style sheet."""

SCRIPT = """\
// Sort a table by the clicked column: numbers by value, text alphabetically; click again to flip.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, column) {
    th.tabIndex = 0;
    function sort() {
      var descending = th.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[column];
        var raw = cell.getAttribute("data-value");
        if (raw === null) { raw = cell.textContent.trim(); }
        var number = Number(raw);
        return raw !== "" && !isNaN(number) ? number : raw.toLowerCase();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0)
          : (typeof x === "number" ? -1 : 1);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
"""

STYLE = """\
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; padding: 0 1rem;
       max-width: 64rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.3rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; }
p.lead { margin-top: 0; } .note { color: #555; font-size: 0.9rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
thead th { background: #f4f4f4; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
table.summary { max-width: 44rem; }
table.summary tbody th { font-weight: normal; background: #fafafa; }
table.summary tbody th a { font-weight: 600; }
tbody.agent { border-top: 2px solid #bbb; }
.ci { color: #777; font-size: 0.8em; white-space: nowrap; }
.by { display: block; color: #555; font-size: 0.85em; }
.tag { font-size: 0.75em; padding: 0 0.3em; border-radius: 0.3em; background: #eee;
       white-space: nowrap; }
.tag.unverified { background: #fde2c4; } .tag.sealed { background: #d4ecd9; }
.pos { color: #1a7f37; } .neg { color: #b42318; }
figure { margin: 1rem 0 2rem; } figcaption { font-size: 0.85rem; color: #555; }
img { max-width: 100%; height: auto; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2rem 1rem; }
dd { margin: 0; overflow-wrap: anywhere; } dt { color: #555; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem; }
@media (max-width: 40rem) {
  body { margin: 0.75rem auto; padding: 0 0.6rem; }
  table { font-size: 0.8rem; } th, td { padding: 0.25rem 0.3rem; }
  table.summary .ci { display: block; }
  dl { grid-template-columns: minmax(0, 1fr); } dt { font-weight: 600; margin-top: 0.4rem; }
}
"""
