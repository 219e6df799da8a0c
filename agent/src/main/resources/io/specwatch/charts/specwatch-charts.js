/*
 * specwatch's one chart front-end, shared by the live page and the static report (io.specwatch.charts.ChartPage).
 * It draws with Apache ECharts (SVG renderer: crisp at any resolution, axes and labels are DOM text) from one
 * JSON shape: {title, catalogue, runs: [RunData], warnings, status}. What each number is (title, axis title with
 * its unit, count or not, healthy range, heat-map or not) comes from the metric catalogue; nothing here lists
 * metrics. The numerics (histograms, fitted curves) are computed in Java (EsdPlot): this file only plots.
 */
var specwatchCharts = (function () {
  "use strict";

  // Okabe–Ito: distinguishable with the common colour-vision deficiencies
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  // cividis (for many layers: colour follows depth) and viridis (heat-maps): perceptually uniform, CVD-safe
  var CIVIDIS = ["#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838"];
  var VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"];
  var DASHES = ["solid", "dashed", "dotted", [8, 3, 2, 3]];
  var STEP_AXIS = "step (optimiser updates)";
  // ECharts 5 hides the line and ticks of value axes by default: a chart to read needs both
  var AXIS_LINE = {show: true, onZero: false, lineStyle: {color: "#6E7079"}};
  var AXIS_TICK = {show: true};

  var state = {data: null, layer: null, filter: "", hidden: {}, esdView: "log", heatScale: "row", sort: {key: null, dir: 1}, charts: {}};

  function fmt(v) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "–";
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
    return String(+v.toPrecision(4));
  }
  function fmtCount(v) { return v === null || v === undefined ? "–" : String(Math.round(v)); }
  function el(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function interpolate(stops, t) {
    t = Math.max(0, Math.min(1, t));
    var x = t * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
    function c(h, k) { return parseInt(h.substr(1 + 2 * k, 2), 16); }
    var rgb = [0, 1, 2].map(function (k) { return Math.round(c(stops[i], k) * (1 - f) + c(stops[i + 1], k) * f); });
    return "rgb(" + rgb.join(",") + ")";
  }
  function layerColor(i, n) { return n <= PALETTE.length ? PALETTE[i % PALETTE.length] : interpolate(CIVIDIS, n > 1 ? i / (n - 1) : 0); }
  function decadeBelow(v) { return Math.pow(10, Math.floor(Math.log10(v) + 1e-9)); }
  function decadeAbove(v) { return Math.pow(10, Math.ceil(Math.log10(v) - 1e-9)); }

  function allLayers(runs) {
    var seen = [], set = {};
    runs.forEach(function (r) { r.layers.forEach(function (l) { if (!set[l]) { set[l] = true; seen.push(l); } }); });
    return seen;
  }
  function visibleLayers(names) {
    if (!state.filter) return names;
    var re;
    try { re = new RegExp(state.filter, "i"); } catch (e) { re = null; }
    return names.filter(function (n) { return re ? re.test(n) : n.indexOf(state.filter) >= 0; });
  }
  function stepRange(runs) {
    var lo = Infinity, hi = -Infinity;
    runs.forEach(function (r) {
      Object.keys(r.series).forEach(function (l) { r.series[l].step.forEach(function (s) { lo = Math.min(lo, s); hi = Math.max(hi, s); }); });
      r.training.forEach(function (t) { Object.keys(t.series).forEach(function (n) { t.series[n].step.forEach(function (s) { lo = Math.min(lo, s); hi = Math.max(hi, s); }); }); });
    });
    if (!isFinite(lo)) return [0, 1];
    return [lo, hi > lo ? hi : lo + 1];
  }

  /** The flags of a layer's latest record: what the table highlights and the header counts. */
  function flags(rec, cat) {
    var out = [];
    if (!rec) return out;
    if (rec.phase === cat.phases.nonfinite || rec.status === cat.phases.nonfinite || rec.nonfinite_values > 0) {
      out.push({cls: "nonfinite", text: "non-finite weights" + (rec.nonfinite_values > 0 ? " (" + rec.nonfinite_values + " entries)" : "")});
    }
    if (rec.phase === cat.phases.rank_collapse) out.push({cls: "collapse", text: "rank collapse"});
    cat.charts.forEach(function (f) {
      var v = rec[f.key];
      if (typeof v !== "number") return;
      // as the SpectralAlphaOutOfRange alert: only a fit good enough to trust counts
      var trusted = !(rec.ks_distance >= cat.fit_trusted.ks_distance_max) && !(rec.tail_size < cat.fit_trusted.tail_size_min);
      if (trusted && ((f.low !== undefined && v < f.low) || (f.high !== undefined && v > f.high))) {
        out.push({cls: "range", text: f.key + " " + fmt(v) + " outside " + fmt(f.low) + "–" + fmt(f.high)});
      }
    });
    return out;
  }

  // ---------- the page's skeleton ----------

  function skeleton(root) {
    root.replaceChildren();
    var header = el("header", null, root);
    el("h1", {id: "title"}, header, "specwatch");
    el("div", {id: "run-legend", "aria-label": "runs"}, header);
    el("span", {id: "status", role: "status"}, header, "waiting for data…");
    var main = el("main", null, root);
    el("div", {id: "warnings", class: "warnings"}, main);

    el("h2", null, main, "All layers");
    var c = el("div", {class: "controls"}, main);
    var lab = el("label", null, c, "layer filter (regex) ");
    var input = el("input", {type: "text", id: "layer-filter", placeholder: "e.g. attn|mlp"}, lab);
    input.addEventListener("input", function () { state.filter = input.value; render(); });
    el("span", {class: "hint"}, c, "Click a legend entry to hide a layer in every chart; hover for values.");
    el("div", {id: "overview", class: "grid"}, main);

    el("h2", null, main, "Layers");
    el("p", {class: "hint", id: "table-hint"}, main);
    el("table", {id: "layer-table"}, el("div", {class: "table-scroll"}, main));

    el("h2", {id: "esd-title"}, main, "Spectrum");
    var ec = el("div", {class: "controls"}, main);
    var sl = el("label", null, ec, "layer ");
    var select = el("select", {id: "layer"}, sl);
    select.addEventListener("change", function () { selectLayer(select.value); });
    var vl = el("label", null, ec, "axes ");
    var view = el("select", {id: "esd-view"}, vl);
    [["log", "log–log"], ["linear", "linear"]].forEach(function (o) { el("option", {value: o[0]}, view, o[1]); });
    view.addEventListener("change", function () { state.esdView = view.value; render(); });
    var row = el("div", {class: "esd-row"}, main);
    el("div", {id: "esd-charts"}, row);
    el("table", {id: "metrics"}, row);

    el("h2", null, main, "Layer × step heat-maps");
    var hc = el("div", {class: "controls"}, main);
    var hl = el("label", null, hc, "colour scale ");
    var hs = el("select", {id: "heat-scale"}, hl);
    [["row", "per layer (each row from its min to its max)"], ["shared", "one scale for all layers"]].forEach(function (o) { el("option", {value: o[0]}, hs, o[1]); });
    hs.value = state.heatScale;
    hs.addEventListener("change", function () { state.heatScale = hs.value; render(); });
    el("div", {id: "heatmaps", class: "grid"}, main);
  }

  /** One chart container (reused across live refreshes, so hover and legend state survive). */
  function chartBox(parent, id, kind, metric, extraClass) {
    var box = document.getElementById(id);
    if (!box) {
      box = el("div", {id: id, class: "chart " + kind + (extraClass ? " " + extraClass : ""), "data-kind": kind}, parent);
      if (metric) box.setAttribute("data-metric", metric);
      el("div", {class: "plot"}, box);
    } else if (box.parentNode !== parent) {
      parent.appendChild(box);
    }
    box.dataset.used = "1";
    return box;
  }
  function draw(box, option) {
    var plot = box.querySelector(".plot");
    if (box.dataset.empty) { plot.textContent = ""; delete box.dataset.empty; }
    var chart = state.charts[box.id];
    if (!chart) {
      chart = echarts.init(plot, null, {renderer: "svg"});
      state.charts[box.id] = chart;
      chart.on("legendselectchanged", function (e) {
        if (box.dataset.kind !== "series") return;
        state.hidden[e.name] = !e.selected[e.name];
        render();
      });
    }
    chart.setOption(option, true);
  }
  function pruneCharts(container) {
    Array.prototype.slice.call(container.querySelectorAll(".chart")).forEach(function (b) {
      if (b.dataset.used !== "1") {
        if (state.charts[b.id]) { state.charts[b.id].dispose(); delete state.charts[b.id]; }
        b.remove();
      }
      delete b.dataset.used;
    });
  }

  function baseOption(title, yName) {
    return {
      animation: false,
      textStyle: {fontSize: 13},
      title: {text: title, left: 8, top: 4, textStyle: {fontSize: 14, fontWeight: 600}},
      tooltip: {trigger: "axis", confine: true, valueFormatter: fmt},
      grid: {left: 14, right: 24, top: 54, bottom: 70, containLabel: true},
      xAxis: {type: "value", name: STEP_AXIS, nameLocation: "middle", nameGap: 28,
              axisLine: AXIS_LINE, axisTick: AXIS_TICK,
              axisLabel: {formatter: fmt, hideOverlap: true}, splitLine: {show: true, lineStyle: {color: "#eee"}}},
      yAxis: {type: "value", name: yName, nameLocation: "end", nameGap: 10, nameTextStyle: {align: "left", color: "#333"},
              scale: true, axisLine: AXIS_LINE, axisTick: AXIS_TICK, axisLabel: {formatter: fmt}, splitLine: {show: true, lineStyle: {color: "#e6e6e6"}}}
    };
  }
  function legend(names) {
    var selected = {};
    names.forEach(function (n) { selected[n] = !state.hidden[n]; });
    return {type: "scroll", bottom: 2, left: 8, right: 8, data: names, selected: selected, textStyle: {fontSize: 12}};
  }

  // ---------- all layers against the step ----------

  function renderOverview(runs, cat) {
    var box = document.getElementById("overview");
    var names = visibleLayers(allLayers(runs));
    var all = allLayers(runs);
    var steps = stepRange(runs);
    // training values first: loss and accuracy beside the spectra, on the same step axis
    var metrics = {};
    runs.forEach(function (r) { r.training.forEach(function (t) { metrics[t.metric] = t.unit; }); });
    Object.keys(metrics).forEach(function (metric) {
      var b = chartBox(box, "training-" + metric.replace(/[^A-Za-z0-9_-]/g, "_"), "training", metric);
      var opt = baseOption("training " + metric, metric + " (" + (metrics[metric] || "no unit") + ")");
      opt.xAxis.min = steps[0]; opt.xAxis.max = steps[1];
      var series = [], seriesNames = [];
      runs.forEach(function (r, ri) {
        r.training.forEach(function (t) {
          if (t.metric !== metric) return;
          Object.keys(t.series).forEach(function (n, ni) {
            var s = t.series[n];
            if (seriesNames.indexOf(n) < 0) seriesNames.push(n);
            series.push({type: "line", name: n, showSymbol: s.step.length < 40, connectNulls: false,
                         color: PALETTE[(seriesNames.indexOf(n) + 5) % PALETTE.length],
                         lineStyle: {type: DASHES[ri % DASHES.length], width: 2},
                         data: s.step.map(function (st, i) { return [st, s.value[i]]; })});
          });
        });
      });
      opt.series = series;
      opt.legend = {bottom: 2, left: 8, data: seriesNames};
      draw(b, opt);
    });
    cat.charts.forEach(function (f) {
      var b = chartBox(box, "series-" + f.key, "series", f.key);
      var opt = baseOption(f.title, f.axis);
      opt.xAxis.min = steps[0]; opt.xAxis.max = steps[1];
      if (f.count) { opt.yAxis.minInterval = 1; opt.yAxis.axisLabel.formatter = fmtCount; opt.tooltip.valueFormatter = fmtCount; }
      var series = [];
      runs.forEach(function (r, ri) {
        names.forEach(function (l) {
          var s = r.series[l];
          if (!s) return;
          var col = s[f.key];
          series.push({type: "line", name: l, color: layerColor(all.indexOf(l), all.length), connectNulls: false,
                       showSymbol: s.step.length < 40, symbolSize: 5, lineStyle: {type: DASHES[ri % DASHES.length], width: 1.8},
                       emphasis: {focus: "series"},
                       data: s.step.map(function (st, i) { return [st, col[i]]; })});
        });
      });
      if (series.length && (f.low !== undefined || f.high !== undefined)) {
        series[0].markArea = {silent: true, itemStyle: {color: "rgba(0,158,115,0.09)"},
          label: {show: true, position: "insideTopRight", color: "#2b7a5b", fontSize: 11, formatter: "healthy range"},
          data: [[{yAxis: f.low !== undefined ? f.low : "min"}, {yAxis: f.high !== undefined ? f.high : "max"}]]};
      }
      opt.series = series;
      opt.legend = legend(names);
      draw(b, opt);
    });
    pruneCharts(box);
  }

  // ---------- the layer table ----------

  function renderTable(runs, cat) {
    document.getElementById("table-hint").textContent = "Latest snapshot of every layer. Click a header to sort, a row to show its ESD. "
      + "Red: non-finite weights; orange: rank collapse; yellow: a value outside its healthy range, with a fit good enough to trust "
      + "(KS distance < " + cat.fit_trusted.ks_distance_max + ", tail ≥ " + cat.fit_trusted.tail_size_min + " eigenvalues, as the SpectralAlphaOutOfRange alert).";
    var table = document.getElementById("layer-table");
    var multi = runs.length > 1;
    var cols = [{key: "layer", title: "layer", text: true}];
    if (multi) cols.push({key: "_run", title: "run", text: true});
    cols.push({key: "step", title: "step", count: true}, {key: "phase", title: "phase", text: true},
              {key: "status", title: "status", text: true}, {key: "_alerts", title: "alert state", text: true});
    cat.table.forEach(function (c) { cols.push({key: c.key, title: c.title, count: c.count}); });
    var rows = [];
    runs.forEach(function (r) {
      visibleLayers(r.layers).forEach(function (l) {
        var rec = r.latest[l] || {};
        var fl = flags(rec, cat);
        rows.push({layer: l, run: r, rec: rec, flags: fl, _run: r.label, _alerts: fl.map(function (f) { return f.text; }).join("; ")});
      });
    });
    var sk = state.sort.key;
    if (sk) {
      rows.sort(function (a, b) {
        var va = sk === "layer" || sk === "_run" || sk === "_alerts" ? a[sk] : a.rec[sk];
        var vb = sk === "layer" || sk === "_run" || sk === "_alerts" ? b[sk] : b.rec[sk];
        if (va === vb) return 0;
        if (va === null || va === undefined) return 1;
        if (vb === null || vb === undefined) return -1;
        return (typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb))) * state.sort.dir;
      });
    }
    table.replaceChildren();
    var head = el("tr", null, el("thead", null, table));
    cols.forEach(function (c) {
      var th = el("th", {"data-key": c.key, class: (c.text ? "text " : "") + (sk === c.key ? (state.sort.dir > 0 ? "sorted-asc" : "sorted-desc") : ""), scope: "col"}, head, c.title);
      th.addEventListener("click", function () {
        state.sort = {key: c.key, dir: state.sort.key === c.key ? -state.sort.dir : 1};
        render();
      });
    });
    var body = el("tbody", null, table);
    rows.forEach(function (row) {
      var cls = row.flags.length ? "flag-" + row.flags[0].cls : "";
      if (row.layer === state.layer) cls += " selected";
      var tr = el("tr", {"data-layer": row.layer, "data-flags": row.flags.map(function (f) { return f.cls; }).join(" "), class: cls}, body);
      cols.forEach(function (c) {
        var v = c.key === "layer" ? row.layer : c.key === "_run" ? row._run : c.key === "_alerts" ? row._alerts : row.rec[c.key];
        el("td", {class: c.key === "layer" ? "text name" : c.key === "_alerts" ? "alerts" : c.text ? "text" : ""}, tr,
           c.key === "_alerts" ? (v || "none") : c.count ? fmtCount(v) : fmt(v));
      });
      tr.addEventListener("click", function () { selectLayer(row.layer); });
    });
  }

  // ---------- the ESD of one layer ----------

  function esdOption(rec, run, cat, log) {
    var esd = rec.esd;
    var opt = {
      animation: false, textStyle: {fontSize: 13},
      title: {text: (state.data.runs.length > 1 ? run.label + " · " : "") + state.layer + " at step " + rec.step,
              subtext: log ? "log–log" : "linear axes", left: 8, top: 2, textStyle: {fontSize: 14, fontWeight: 600}},
      tooltip: {trigger: "item", confine: true, formatter: function (p) {
        var d = p.data && p.data.value ? p.data.value : p.data;
        if (!d) return p.seriesName;
        if (d.length >= 3) return p.seriesName + "<br>λ " + fmt(d[0]) + " – " + fmt(d[1]) + "<br>density " + fmt(d[2]);
        return p.seriesName + "<br>λ " + fmt(d[0]) + (d[1] !== undefined ? "<br>density " + fmt(d[1]) : "");
      }},
      legend: {bottom: 4, left: 8, right: 8, textStyle: {fontSize: 12}},
      grid: {left: 14, right: 28, top: 64, bottom: 96, containLabel: true},
      xAxis: {type: log ? "log" : "value", name: cat.esd.x, nameLocation: "middle", nameGap: 30, axisLabel: {formatter: fmt},
              axisLine: AXIS_LINE, axisTick: AXIS_TICK,
              splitLine: {show: true, lineStyle: {color: "#e6e6e6"}}, minorSplitLine: {show: false}},
      yAxis: {type: log ? "log" : "value", name: cat.esd.y, nameLocation: "end", nameGap: 10, nameTextStyle: {align: "left", color: "#333"},
              axisLine: AXIS_LINE, axisTick: AXIS_TICK,
              axisLabel: {formatter: fmt}, splitLine: {show: true, lineStyle: {color: "#e6e6e6"}}},
      series: []
    };
    var bins = log ? esd.log_bins : esd.linear_bins;
    var dens = bins.map(function (b) { return b[2]; }).filter(function (d) { return d > 0; });
    var xs = bins.length ? [bins[0][0], bins[bins.length - 1][1]] : [1, 10];
    if (esd.edge) xs[1] = Math.max(xs[1], esd.edge * 1.05);
    if (log) {
      var dmax = Math.max.apply(null, dens), dmin = Math.min.apply(null, dens);
      opt.xAxis.min = decadeBelow(xs[0]); opt.xAxis.max = decadeAbove(xs[1]);
      // the density axis covers the histogram; fitted curves are clipped to it
      opt.yAxis.min = decadeBelow(dmin / 2); opt.yAxis.max = decadeAbove(dmax * 1.5);
      var floor = opt.yAxis.min;
      // a histogram on a log axis has no zero: each bin is drawn as its level (a staircase), empty bins as gaps
      var stairs = [];
      bins.forEach(function (b, i) {
        if (b[2] > 0) { stairs.push([b[0], b[2], b[1]]); stairs.push([b[1], b[2], b[0]]); }
        else if (stairs.length && stairs[stairs.length - 1] !== "-") stairs.push("-");
      });
      opt.series.push({type: "line", name: "ESD histogram (" + esd.points + " eigenvalues)", color: "#56B4E9", symbol: "none",
        lineStyle: {width: 2}, areaStyle: {color: "rgba(86,180,233,0.18)", origin: "start"}, connectNulls: false,
        data: stairs.map(function (p) { return p === "-" ? ["-", "-"] : {value: [p[0], p[1]], bin: p}; }),
        tooltip: {formatter: function (p) { return p.data && p.data.bin ? "ESD bin λ " + fmt(Math.min(p.data.bin[0], p.data.bin[2])) + " – "
          + fmt(Math.max(p.data.bin[0], p.data.bin[2])) + "<br>density " + fmt(p.data.bin[1]) : ""; }}});
      (esd.spikes || []).length && opt.series.push({type: "scatter", name: "spikes (" + esd.spikes.length + ")", color: "#D55E00",
        symbol: "triangle", symbolSize: 11, data: esd.spikes.map(function (v) { return [v, floor * 1.6]; }),
        tooltip: {formatter: function (p) { return "spike λ " + fmt(p.data[0]); }}});
    } else {
      opt.xAxis.min = Math.min(0, xs[0]); opt.xAxis.max = xs[1];
      opt.yAxis.min = 0;
      opt.series.push({type: "custom", name: "ESD histogram (" + esd.points + " eigenvalues)", color: "#56B4E9",
        renderItem: function (params, api) {
          var p0 = api.coord([api.value(0), api.value(2)]), p1 = api.coord([api.value(1), 0]);
          return {type: "rect", shape: {x: p0[0], y: p0[1], width: Math.max(1, p1[0] - p0[0] - 1), height: Math.max(0, p1[1] - p0[1])},
                  style: {fill: "rgba(86,180,233,0.55)", stroke: "#3a8fc0"}};
        },
        encode: {x: [0, 1], y: 2}, data: bins});
      (esd.spikes || []).length && opt.series.push({type: "scatter", name: "spikes (" + esd.spikes.length + ")", color: "#D55E00",
        symbol: "triangle", symbolSize: 11, data: esd.spikes.map(function (v) { return [v, 0]; }),
        tooltip: {formatter: function (p) { return "spike λ " + fmt(p.data[0]); }}});
    }
    if (esd.mp.length) {
      opt.series.push({type: "line", name: "Marchenko–Pastur fit (σ " + fmt(rec.mp_sigma) + ")", color: "#0072B2", symbol: "none",
        lineStyle: {width: 2.2}, data: esd.mp, clip: true});
    }
    if (esd.powerlaw.length) {
      opt.series.push({type: "line", name: "power law α " + fmt(rec.alpha) + " from xmin " + fmt(rec.xmin), color: "#E69F00", symbol: "none",
        lineStyle: {width: 2.6}, data: esd.powerlaw, clip: true});
    }
    if (esd.edge) {
      opt.series.push({type: "line", name: "MP bulk edge " + fmt(esd.edge), color: "#CC79A7", data: [],
        markLine: {silent: true, symbol: "none", lineStyle: {type: "dashed", width: 2, color: "#CC79A7"}, label: {formatter: "bulk edge", color: "#8e3c6c"},
                   data: [{xAxis: esd.edge}]}});
    }
    return opt;
  }

  function renderEsd(runs, cat) {
    var select = document.getElementById("layer");
    var names = allLayers(runs);
    if (select.options.length !== names.length || Array.prototype.some.call(select.options, function (o, i) { return o.value !== names[i]; })) {
      select.replaceChildren();
      names.forEach(function (n) { el("option", {value: n}, select, n); });
    }
    if (!state.layer || names.indexOf(state.layer) < 0) state.layer = names[0] || null;
    select.value = state.layer || "";
    document.getElementById("esd-view").value = state.esdView;
    var box = document.getElementById("esd-charts");
    var title = document.getElementById("esd-title");
    title.textContent = "Spectrum of " + (state.layer || "–");
    runs.forEach(function (r, ri) {
      var rec = r.latest[state.layer];
      if (!rec) return;
      var b = chartBox(box, "esd-" + ri, "esd", null, "esd");
      if (!rec.esd) {
        if (state.charts[b.id]) { state.charts[b.id].dispose(); delete state.charts[b.id]; }
        b.querySelector(".plot").textContent = "No ESD for this layer at step " + rec.step + " (status " + fmt(rec.status) + ")"
          + (rec.status === cat.phases.nonfinite ? ": non-finite weights are not decomposed." : ".");
        b.dataset.empty = "true";
        return;
      }
      draw(b, esdOption(rec, r, cat, state.esdView === "log"));
    });
    pruneCharts(box);
    var t = document.getElementById("metrics");
    t.replaceChildren();
    var rec0 = runs.length ? runs[0].latest[state.layer] : null;
    if (rec0) {
      [["step", rec0.step], ["phase", rec0.phase], ["status", rec0.status], ["warning", rec0.warning], ["shape", (rec0.shape || []).join(" × ")]]
        .concat(cat.table.map(function (c) { return [c.title, rec0[c.key], c.count]; }))
        .forEach(function (row) {
          var tr = el("tr", null, t);
          el("td", null, tr, row[0]);
          el("td", null, tr, row[2] ? fmtCount(row[1]) : fmt(row[1]));
        });
    }
  }

  // ---------- heat-maps ----------

  function renderHeatmaps(runs, cat) {
    var box = document.getElementById("heatmaps");
    var perRow = state.heatScale === "row";
    cat.charts.filter(function (f) { return f.heatmap; }).forEach(function (f) {
      runs.forEach(function (r, ri) {
        var names = visibleLayers(r.layers);
        var cells = [], lo = Infinity, hi = -Infinity;
        names.forEach(function (l, row) {
          var s = r.series[l];
          if (!s) return;
          var col = s[f.key], rlo = Infinity, rhi = -Infinity;
          col.forEach(function (v) { if (v !== null) { rlo = Math.min(rlo, v); rhi = Math.max(rhi, v); } });
          var gap = s.step.length > 1 ? (s.step[s.step.length - 1] - s.step[0]) / (s.step.length - 1) : 1;
          s.step.forEach(function (st, i) {
            var v = col[i];
            if (v === null) return;
            lo = Math.min(lo, v); hi = Math.max(hi, v);
            // a cell spans from its step to the next snapshot's: steps on a true step axis
            var next = i + 1 < s.step.length ? s.step[i + 1] : st + Math.max(1, Math.min(gap, st - (i > 0 ? s.step[i - 1] : st - 1)));
            cells.push([st, row, next, v, rhi > rlo ? (v - rlo) / (rhi - rlo) : 0.5, l]);
          });
        });
        var b = chartBox(box, "heatmap-" + f.key + "-" + ri, "heatmap", f.key, "wide");
        var plotHeight = Math.max(250, 90 + 26 * names.length);
        var opt = {
          animation: false, textStyle: {fontSize: 13},
          title: {text: f.title + ", layer × step" + (runs.length > 1 ? " · " + r.label : ""), left: 8, top: 4, textStyle: {fontSize: 14, fontWeight: 600}},
          tooltip: {trigger: "item", confine: true, formatter: function (p) {
            return p.data[5] + "<br>step " + p.data[0] + "<br>" + f.key + " " + fmt(p.data[3]); }},
          grid: {left: 14, right: 120, top: 44, bottom: 44, containLabel: true},
          xAxis: {type: "value", name: STEP_AXIS, nameLocation: "middle", nameGap: 28, axisLabel: {formatter: fmt},
                  axisLine: AXIS_LINE, axisTick: AXIS_TICK},
          yAxis: {type: "category", data: names, inverse: true, axisLabel: {fontSize: 12}, axisTick: {show: false}},
          visualMap: {type: "continuous", dimension: perRow ? 4 : 3, min: perRow ? 0 : (isFinite(lo) ? lo : 0), max: perRow ? 1 : (isFinite(hi) && hi > lo ? hi : lo + 1),
                      inRange: {color: VIRIDIS}, orient: "vertical", right: 10, top: 40, itemHeight: plotHeight - 110, calculable: false,
                      text: [perRow ? "row max" : fmt(hi), perRow ? "row min" : fmt(lo)], textStyle: {fontSize: 12},
                      formatter: fmt},
          series: [{type: "custom", name: f.axis, encode: {x: [0, 2], y: 1}, data: cells,
            renderItem: function (params, api) {
              var a = api.coord([api.value(0), api.value(1)]), c = api.coord([api.value(2), api.value(1)]);
              var h = api.size([0, 1])[1];
              return {type: "rect", shape: {x: a[0], y: a[1] - h / 2 + 1, width: Math.max(1, c[0] - a[0]), height: Math.max(1, h - 2)},
                      style: {fill: api.visual("color")}};
            }}]
        };
        opt.xAxis.min = stepRange([r])[0];
        opt.xAxis.max = cells.length ? Math.max.apply(null, cells.map(function (c) { return c[2]; })) : 1;
        b.querySelector(".plot").style.height = plotHeight + "px";
        b.setAttribute("data-colorbar", f.axis);
        draw(b, opt);
        var colourTitle = b.querySelector(".colour-title") || el("div", {class: "hint colour-title"}, b);
        colourTitle.textContent = "colour: " + f.axis + (perRow ? ", scaled per layer from its own minimum to maximum" : "");
      });
    });
    pruneCharts(box);
  }

  // ---------- header ----------

  function renderHeader(data, cat) {
    document.getElementById("title").textContent = data.title || "specwatch";
    var legend = document.getElementById("run-legend");
    legend.replaceChildren();
    if (data.runs.length > 1) {
      data.runs.forEach(function (r, i) {
        var s = el("span", {class: "run", "data-run": r.id}, legend);
        var dash = DASHES[i % DASHES.length];
        var da = dash === "solid" ? "" : dash === "dashed" ? "8 4" : dash === "dotted" ? "2 3" : "8 3 2 3";
        s.innerHTML = '<svg width="36" height="10" aria-hidden="true"><line x1="0" y1="5" x2="36" y2="5" stroke="#333" stroke-width="2.5"'
          + (da ? ' stroke-dasharray="' + da + '"' : "") + "/></svg>";
        s.appendChild(document.createTextNode(r.label));
      });
    }
    var flagged = 0, layers = 0;
    data.runs.forEach(function (r) { r.layers.forEach(function (l) { layers++; if (flags(r.latest[l], cat).length) flagged++; }); });
    var st = document.getElementById("status");
    var text = layers + " layers" + (flagged ? ", " + flagged + " flagged" : "");
    if (data.status) {
      text = data.status.model + ": " + data.status.snapshots + " snapshots, " + data.status.dropped + " dropped, "
        + data.status.errors + " errors, " + text + (data.status.last_step !== undefined ? ", last step " + data.status.last_step : "");
    } else {
      var steps = stepRange(data.runs);
      text += ", steps " + steps[0] + " to " + steps[1];
    }
    st.textContent = text;
    st.className = flagged || (data.status && data.status.errors > 0) ? "flagged" : "";
    var w = document.getElementById("warnings");
    w.textContent = (data.warnings || []).join(" ");
  }

  function selectLayer(name) {
    state.layer = name;
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("layer", name);
      window.history.replaceState(null, "", url.toString());
    } catch (e) { /* a page without a history API keeps working */ }
    render();
  }

  function render() {
    var data = state.data;
    if (!data) return;
    var cat = data.catalogue;
    renderHeader(data, cat);
    renderOverview(data.runs, cat);
    renderTable(data.runs, cat);
    renderEsd(data.runs, cat);
    renderHeatmaps(data.runs, cat);
    document.body.dataset.ready = "true";
  }

  function show(data) {
    state.data = data;
    render();
  }

  function poll(api) {
    var catalogue = null;
    function refresh() {
      var get = function (path) { return fetch(api + path, {cache: "no-store"}).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json(); }); };
      (catalogue ? Promise.resolve(catalogue) : get("catalogue")).then(function (c) {
        catalogue = c;
        return get("run");
      }).then(function (live) {
        if (!live.run.layers.length) {
          document.getElementById("status").textContent = live.status.model + ": waiting for the first snapshot…";
          return;
        }
        show({title: "specwatch live: " + live.status.model, catalogue: catalogue, runs: [live.run], status: live.status});
      }).catch(function (e) {
        var st = document.getElementById("status");
        if (st) { st.textContent = "cannot reach the monitor: " + e.message; st.className = "flagged"; }
      });
    }
    refresh();
    setInterval(refresh, 2000);
  }

  function start(config) {
    var root = document.getElementById("app");
    skeleton(root);
    var wanted = new URLSearchParams(window.location.search).get("layer");
    if (wanted) state.layer = wanted;
    window.addEventListener("resize", function () { Object.keys(state.charts).forEach(function (k) { state.charts[k].resize(); }); });
    if (config.mode === "live") poll(config.api);
    else show(config.data);
  }

  return {start: start, fmt: fmt};
})();
