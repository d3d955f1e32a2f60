/* databorder report: draws the charts from the inline JSON and makes the tables sortable and
   filterable. No network access; every value is set as text, never as HTML. */
(function () {
  "use strict";

  function chartData() {
    var block = document.getElementById("chart-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function drawSankey(target, flow) {
    if (!target || !window.Plotly || flow.labels.length === 0) { return; }
    var trace = {
      type: "sankey", arrangement: "snap", valueformat: ",.0f", valuesuffix: " " + flow.unit,
      node: { label: flow.labels, color: flow.colours, pad: 14, thickness: 16,
              line: { width: 0 } },
      link: { source: flow.sources, target: flow.targets, value: flow.values,
              label: flow.link_labels, color: "rgba(108, 122, 137, 0.25)" }
    };
    var layout = { margin: { l: 8, r: 8, t: 8, b: 8 }, font: { size: 12 },
                   height: Math.max(320, 28 * flow.labels.length) };
    window.Plotly.newPlot(target, [trace], layout, { displayModeBar: false, responsive: true });
  }

  function drawBars(target, data) {
    var bars = data.jurisdictions;
    if (!target || !window.Plotly || bars.codes.length === 0) { return; }
    var trace = {
      type: "bar", x: bars.codes, y: bars.bytes, text: bars.labels, textposition: "auto",
      marker: { color: bars.colours }, customdata: bars.recipients,
      hovertemplate: "%{x}: %{text}<br>%{customdata}<extra></extra>"
    };
    var layout = { margin: { l: 60, r: 8, t: 8, b: 40 }, height: 300,
                   yaxis: { title: { text: "bytes out" }, tickformat: "~s" },
                   xaxis: { type: "category", title: { text: "controlled from" } } };
    window.Plotly.newPlot(target, [trace], layout, { displayModeBar: false, responsive: true });
  }

  function sortKey(cell) {
    var key = cell.getAttribute("data-sort");
    if (key !== null && key !== "" && !isNaN(Number(key))) { return Number(key); }
    return (key !== null ? key : cell.textContent).trim().toLowerCase();
  }

  function sortTable(table, column, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[column]), y = sortKey(b.cells[column]);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      var order = x < y ? -1 : (x > y ? 1 : 0);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function filterTable(table, query, counter) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var text = row.textContent.toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (counter) {
      counter.textContent = shown + " of " + table.tBodies[0].rows.length + " rows";
    }
  }

  function wireTables() {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
        var button = header.querySelector("button");
        if (button) {
          button.addEventListener("click", function () { sortTable(table, column, header); });
        }
      });
      var box = document.querySelector("input[data-filter='" + table.id + "']");
      var counter = document.querySelector("[data-count='" + table.id + "']");
      if (box) {
        box.addEventListener("input", function () { filterTable(table, box.value, counter); });
      }
      filterTable(table, "", counter);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireTables();
    var data = chartData();
    if (data) {
      drawSankey(document.getElementById("sankey"), data.sankey);
      drawSankey(document.getElementById("transfers-sankey"), data.transfers);
      drawBars(document.getElementById("jurisdiction-bars"), data);
    }
    document.body.setAttribute("data-ready", "true");
  });
}());
