// kg viz: the page's own script. Reads the JSON in #kg-data (see kg/viz.py, _PageBuilder),
// draws it with vis-network (no physics: positions come from Python), places node labels
// itself (most mentioned first, never overlapping), filters by period, searches every
// entity in the page and shows a panel with charts, events and sources on click.
// Every piece of text from the data reaches the page through textContent, SVG text or
// canvas text, never as markup.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var MAP = DATA.mode === "map";
  var T = DATA.tables, NODES = DATA.nodes, EDGES = DATA.edges, ITEMS = DATA.items;
  var FIGS = DATA.figs, EVENTS = DATA.events, DATES = DATA.dates;
  var N = NODES.length;
  var FONT = getComputedStyle(document.documentElement).getPropertyValue("--kg-font").trim() || "sans-serif";
  var SVGNS = "http://www.w3.org/2000/svg";
  var DIM = "#dddddd";
  var STYLE = {};
  DATA.types.forEach(function (t) { STYLE[t.name] = t; });
  var LABEL_MAX = 220;               // labels placed per frame at most
  var LABEL_TRIES = 1500;            // nodes in view considered for a label per frame
  var DIM_UP_TO = 1500;
  var NEIGHBOURS_BROUGHT = 25;       // a searched entity comes with its strongest neighbours

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  }
  function fold(s) { return String(s).normalize("NFKC").toLowerCase(); }
  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function fmtInt(n) { return Number(n).toLocaleString("en-US"); }
  function plural(n, one, many) { return fmtInt(n) + " " + (n === 1 ? one : (many || one + "s")); }

  // ------------------------------------------------------------------ dates and period
  function lastDay(y, m) { return new Date(Date.UTC(y, m, 0)).getUTCDate(); }
  function span(d) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(d)) return [d, d];
    if (/^\d{4}-\d{2}$/.test(d)) return [d + "-01", d + "-" + String(lastDay(+d.slice(0, 4), +d.slice(5, 7))).padStart(2, "0")];
    if (/^\d{4}$/.test(d)) return [d + "-01-01", d + "-12-31"];
    return [null, null];
  }
  var SPAN = DATES.map(span);
  var period = { from: null, to: null };
  var inP = new Uint8Array(DATES.length);
  function noPeriod() { return !period.from && !period.to; }
  function setPeriodFlags() {
    for (var k = 0; k < DATES.length; k++) {
      var s = SPAN[k];
      inP[k] = s[0] !== null && (!period.from || s[1] >= period.from) && (!period.to || s[0] <= period.to) ? 1 : 0;
    }
  }
  function dateIn(k) { return noPeriod() ? true : (k >= 0 && inP[k] === 1); }
  function dateText(k) { return k >= 0 ? DATES[k] : "undated"; }
  function periodText() {
    if (noPeriod()) return "";
    return " from " + (period.from || "the start") + " to " + (period.to || "the end");
  }

  // ---------------------------------------------------------------------- node state
  var adj = [];
  for (var i = 0; i < N; i++) adj.push([]);
  EDGES.forEach(function (e, k) { adj[e[0]].push(k); adj[e[1]].push(k); });
  var pm = new Int32Array(N);        // mentions in the period
  var ew = new Int32Array(EDGES.length);
  var drawn = new Set(), drawnEdges = new Set(), pinned = new Set(), hiddenTypes = new Set(DATA.hidden || []);
  var eligible = [];                 // in the period, of a shown type, most mentioned first
  var priority = [];                 // drawn nodes, label priority order
  var rank = new Int32Array(N);
  var selected = null, highlighted = null;
  var focusFirst = new Set(DATA.focus || []);
  var started = false;               // set once the first drawing has the data

  // the entity map sizes by mentions in the period; --all keeps sizes and drops what has
  // no date in the period
  function countMentions(n) {
    if (noPeriod() || !MAP) return n.m;
    var c = 0;
    for (var j = 0; j < n.it.length; j++) if (dateIn(ITEMS.d[n.it[j]])) c++;
    return c;
  }
  function active(i) {
    var n = NODES[i], j;
    if (MAP && pm[i] > 0) return true;
    if (noPeriod()) return !MAP || n.fg.length > 0 || n.ev.length > 0;
    if (!MAP) {
      for (j = 0; j < n.dt.length; j++) if (inP[n.dt[j]]) return true;
      for (j = 0; j < n.it.length; j++) if (dateIn(ITEMS.d[n.it[j]])) return true;
      return false;
    }
    for (j = 0; j < n.fg.length; j++) if (dateIn(FIGS[n.fg[j]][0])) return true;
    for (j = 0; j < n.ev.length; j++) if (dateIn(EVENTS[n.ev[j]][0])) return true;
    return false;
  }
  function edgeWeight(e) {
    if (!MAP) return 1;
    if (noPeriod()) return e[3].length;
    var c = 0;
    for (var j = 0; j < e[3].length; j++) if (dateIn(e[3][j])) c++;
    return c;
  }
  function sizeOf(i) { return 5 + 4.2 * Math.log2(1 + Math.max(0, pm[i])); }   // as viz.node_size
  function byMentions(a, b) {
    return (focusFirst.has(b) ? 1 : 0) - (focusFirst.has(a) ? 1 : 0) || pm[b] - pm[a] ||
      NODES[b].m - NODES[a].m || cmpStr(NODES[a].label, NODES[b].label) || a - b;
  }

  function nodeView(i) {
    var n = NODES[i], t = STYLE[n.type];
    var dim = highlighted !== null && !highlighted.has(i);
    var c = dim ? DIM : t.color, bg = t.hollow ? "#ffffff" : c;
    return {
      id: i, x: n.x, y: n.y, size: sizeOf(i), shape: t.shape,
      borderWidth: t.hollow ? 3 : 1, borderWidthSelected: t.hollow ? 4 : 3,
      color: { background: bg, border: c, highlight: { background: bg, border: "#222" }, hover: { background: bg, border: "#222" } }
    };
  }
  // the DataSets are told only what changed: a node's size or dimming, an edge's width,
  // dimming or emphasis (vis-network re-processes every item it is given)
  var nodeKey = new Array(N).fill(null), edgeKey = new Array(EDGES.length).fill(null);
  function syncNodes(ids) {
    var add = [], upd = [];
    ids.forEach(function (i) {
      var key = sizeOf(i).toFixed(2) + (highlighted !== null && !highlighted.has(i) ? "d" : "");
      if (nodeKey[i] === key) return;
      (nodeKey[i] === null ? add : upd).push(nodeView(i));
      nodeKey[i] = key;
    });
    if (upd.length) nodeSet.update(upd);
    if (add.length) nodeSet.add(add);
  }
  function syncEdges(ks) {
    var add = [], upd = [];
    ks.forEach(function (k) {
      var v = edgeView(k), key = v.width.toFixed(2) + v.color.color;
      if (edgeKey[k] === key) return;
      (edgeKey[k] === null ? add : upd).push(v);
      edgeKey[k] = key;
    });
    if (upd.length) edgeSet.update(upd);
    if (add.length) edgeSet.add(add);
  }
  function edgeText(k) { return T.kinds[EDGES[k][2]] + (MAP ? " ×" + ew[k] : ""); }
  function edgeView(k) {
    var e = EDGES[k];
    var on = selected !== null && (e[0] === selected || e[1] === selected);
    var dim = highlighted !== null && !on;
    return {
      id: k, from: e[0], to: e[1],
      width: MAP ? 0.6 + 0.7 * Math.log2(1 + ew[k]) : 1,
      color: { color: dim ? "#eeeeee" : "#c2c2c2", highlight: "#444444", hover: "#777777" }
    };
  }

  // ------------------------------------------------------------------------- network
  var container = document.getElementById("kg-graph");
  var nodeSet = new vis.DataSet([]), edgeSet = new vis.DataSet([]);
  var big = N > 1500;
  var network = new vis.Network(container, { nodes: nodeSet, edges: edgeSet }, {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: true, hoverConnectedEdges: !big, tooltipDelay: 3600000, hideEdgesOnDrag: big,
                   hideEdgesOnZoom: big, dragNodes: false, multiselect: false, keyboard: false },
    nodes: { font: { size: 0 } },
    edges: { smooth: false, selectionWidth: 1, arrows: { to: { enabled: !MAP, scaleFactor: 0.45 } } }
  });

  // Which entities are drawn: the `cap` most mentioned in the period (of the types shown),
  // plus those brought in by search; edges with support in the period between them.
  function recompute() {
    setPeriodFlags();
    eligible = [];
    for (var i = 0; i < N; i++) {
      pm[i] = countMentions(NODES[i]);
      if (active(i) && !hiddenTypes.has(NODES[i].type)) eligible.push(i);
    }
    eligible.sort(byMentions);
    var want = new Set(DATA.cap === null ? eligible : eligible.slice(0, DATA.cap));
    pinned.forEach(function (p) { want.add(p); });
    if (selected !== null && !want.has(selected)) selected = null;
    var gone = [], added = [], kept = [];
    drawn.forEach(function (d) { if (!want.has(d)) gone.push(d); });
    want.forEach(function (w) { (drawn.has(w) ? kept : added).push(w); });
    drawn = want;
    var wantEdges = new Set();
    for (var k = 0; k < EDGES.length; k++) {
      ew[k] = edgeWeight(EDGES[k]);
      if (ew[k] > 0 && want.has(EDGES[k][0]) && want.has(EDGES[k][1])) wantEdges.add(k);
    }
    var goneE = [];
    drawnEdges.forEach(function (k) { if (!wantEdges.has(k)) goneE.push(k); });
    edgeSet.remove(goneE);
    goneE.forEach(function (k) { edgeKey[k] = null; });
    nodeSet.remove(gone);
    gone.forEach(function (i) { nodeKey[i] = null; });
    syncNodes(kept.concat(added));
    syncEdges(Array.from(wantEdges));
    drawnEdges = wantEdges;
    priority = Array.from(drawn).sort(byMentions);
    priority.forEach(function (p, r) { rank[p] = r; });
    if (highlighted !== null) setHighlight(selected);
    updateCounts();
    if (panelOpenFor !== null) renderPanel(panelOpenFor); else renderHelp();
  }

  function updateCounts() {
    var shownEligible = eligible.filter(function (i) { return drawn.has(i); }).length;
    var hidden = eligible.length - shownEligible;
    var count = document.getElementById("kg-count");
    if (MAP) {
      count.textContent = fmtInt(drawn.size) + " of " + plural(eligible.length + drawn.size - shownEligible, "entity", "entities") +
        " drawn · " + plural(drawnEdges.size, "edge");
    } else {
      count.textContent = fmtInt(drawn.size) + (DATA.total !== N ? " of " + fmtInt(DATA.total) : "") +
        " nodes · " + plural(drawnEdges.size, "edge");
    }
    var msg = DATA.notice || "";
    if (MAP && hidden > 0) {
      var top = Math.min(DATA.cap, eligible.length), extra = shownEligible - top;
      msg = "Showing the " + fmtInt(top) + " most-mentioned of " + plural(eligible.length, "entity", "entities") +
        periodText() + (extra > 0 ? " and " + fmtInt(extra) + " brought in by search" : "") + "; " + fmtInt(hidden) +
        " more are not drawn. Search for one to bring it in with its neighbours, narrow the period, or run " +
        "kg viz --max-nodes N (or --all) to draw more.";
    } else if (MAP && eligible.length === 0) {
      msg = "No entity is mentioned" + (periodText() || " in this page") + ".";
    }
    var unticked = 0;
    for (var u = 0; u < N; u++) if (hiddenTypes.has(NODES[u].type) && !drawn.has(u) && active(u)) unticked++;
    if (MAP && unticked) {
      msg += (msg ? " " : "") + plural(unticked, "entity", "entities") + " of the types unticked in the legend (" +
        Array.from(hiddenTypes).sort().join(", ") + ") " + (unticked === 1 ? "is" : "are") + " not drawn: tick " +
        (hiddenTypes.size === 1 ? "it" : "them") + " to draw them.";
    }
    var nb = document.getElementById("kg-notice");
    nb.textContent = msg;
    nb.style.display = msg ? "block" : "none";
    var top = msg ? (document.getElementById("kg-bar").offsetHeight + nb.offsetHeight) + "px" : "";
    if (container.style.top !== top) { container.style.top = top; network.setSize("100%", "100%"); network.redraw(); }
    var counts = {}, all = {};
    drawn.forEach(function (d) { counts[NODES[d].type] = (counts[NODES[d].type] || 0) + 1; });
    for (var i = 0; i < N; i++) if (pm[i] > 0 || !MAP) all[NODES[i].type] = (all[NODES[i].type] || 0) + 1;
    document.querySelectorAll("#kg-types input[data-type]").forEach(function (cb) {
      var t = cb.getAttribute("data-type");
      cb.parentNode.querySelector(".kg-n").textContent = hiddenTypes.has(t) ?
        fmtInt(all[t] || 0) + " hidden" : fmtInt(counts[t] || 0);
    });
  }

  // ------------------------------------------------------------------ labels on canvas
  // Labels are drawn in screen pixels after vis-network has drawn the nodes: the selected
  // node and its neighbours first, then by mentions in the period; each label takes the
  // first free place below, above, right or left of its node, or is left out. So the
  // most-mentioned labels are readable at any zoom and no two labels overlap.
  var widths = new Map();
  var lastLabels = [];
  function textWidth(ctx, text, font) {
    var key = font + "\u0000" + text;
    var w = widths.get(key);
    if (w === undefined) { ctx.font = font; w = ctx.measureText(text).width; widths.set(key, w); }
    return w;
  }
  var EDGE_SPOTS = [[0.5, 0], [0.4, 0], [0.6, 0], [0.5, 1], [0.5, -1], [0.3, 0], [0.7, 0], [0.35, 1], [0.65, -1]];
  function short(s) { s = String(s); return s.length > 42 ? s.slice(0, 40) + "…" : s; }
  // what to label, in order: the selected node, its neighbours, its edges (the relation and
  // its support in the period; off every node), then every drawn node by mentions
  function labelOrder() {
    var seen = new Set(), out = [];
    function push(i) { if (drawn.has(i) && !seen.has(i)) { seen.add(i); out.push(i); } }
    if (selected !== null && drawn.has(selected)) {
      push(selected);
      neighbours(selected).sort(byMentions).forEach(push);
      adj[selected].filter(function (k) { return drawnEdges.has(k); })
        .sort(function (a, b) { return ew[b] - ew[a] || a - b; })
        .forEach(function (k) { out.push(-1 - k); });
    }
    priority.forEach(push);
    return out;
  }
  function drawLabels(ctx) {
    var W = container.clientWidth, H = container.clientHeight;
    var scale = network.getScale(), o = network.canvasToDOM({ x: 0, y: 0 });
    var pr = window.devicePixelRatio || 1;
    var CELL = 96, grid = new Map(), out = [], discs = [];
    function cells(b, fn) {
      for (var cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++)
        for (var cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++) fn(cx + ":" + cy);
    }
    function free(b) {
      if (b[0] < 0 || b[1] < 0 || b[2] > W || b[3] > H) return false;
      var ok = true;
      cells(b, function (c) {
        var l = grid.get(c);
        if (ok && l) for (var j = 0; j < l.length; j++) {
          var q = l[j];
          if (b[0] < q[2] && q[0] < b[2] && b[1] < q[3] && q[1] < b[3]) { ok = false; break; }
        }
      });
      return ok;
    }
    function take(b) { cells(b, function (c) { if (!grid.has(c)) grid.set(c, []); grid.get(c).push(b); }); }
    function put(b, text, font, color) {
      ctx.font = font;
      ctx.strokeText(text, b[0] + 2, b[1] + 2);
      ctx.fillStyle = color;
      ctx.fillText(text, b[0] + 2, b[1] + 2);
    }
    ctx.save();
    ctx.setTransform(pr, 0, 0, pr, 0, 0);
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    var order = labelOrder(), tries = 0;
    if (selected !== null && drawn.has(selected)) {      // edge labels keep off these nodes
      [selected].concat(neighbours(selected)).forEach(function (i) {
        if (!drawn.has(i)) return;
        var r = sizeOf(i) * scale, x = o.x + NODES[i].x * scale, y = o.y + NODES[i].y * scale;
        discs.push([x - r, y - r, x + r, y + r]);
      });
    }
    for (var j = 0; j < order.length && out.length < LABEL_MAX && tries < LABEL_TRIES; j++) {
      var b, s, w, h, text, font;
      if (order[j] < 0) {                       // an edge of the selected node
        var k = -1 - order[j], e = EDGES[k], a = NODES[e[0]], c = NODES[e[1]];
        text = edgeText(k); font = "11px " + FONT;
        w = textWidth(ctx, text, font) + 4; h = 15;
        var ax = o.x + a.x * scale, ay = o.y + a.y * scale, dx = (c.x - a.x) * scale, dy = (c.y - a.y) * scale;
        var len = Math.hypot(dx, dy) || 1;
        for (s = 0; s < EDGE_SPOTS.length; s++) {     // along the edge, then beside it
          var f = EDGE_SPOTS[s][0], off = EDGE_SPOTS[s][1] * (h / 2 + 2);
          var mx = ax + dx * f - dy / len * off, my = ay + dy * f + dx / len * off;
          b = [mx - w / 2, my - h / 2, mx + w / 2, my + h / 2];
          if (!free(b) || discs.some(function (q) { return b[0] < q[2] && q[0] < b[2] && b[1] < q[3] && q[1] < b[3]; })) continue;
          take(b);
          put(b, text, font, "#555555");
          out.push({ edge: k, label: text, text: text, x0: b[0], y0: b[1], x1: b[2], y1: b[3], px: 11 });
          break;
        }
        continue;
      }
      var i = order[j], n = NODES[i];
      var x = o.x + n.x * scale, y = o.y + n.y * scale;
      if (x < -40 || y < -40 || x > W + 40 || y > H + 40) continue;
      tries++;
      var r = sizeOf(i) * scale;
      var strong = i === selected || rank[i] < 10;
      var px = strong ? 14 : 12;
      font = (strong ? "600 " : "") + px + "px " + FONT;
      text = short(n.label);
      w = textWidth(ctx, text, font) + 4; h = px + 4;
      // below, above, right, left, then below and above shifted half a label sideways
      var spots = [[x - w / 2, y + r + 1], [x - w / 2, y - r - 1 - h], [x + r + 2, y - h / 2], [x - r - 2 - w, y - h / 2],
                   [x - r, y + r + 1], [x + r - w, y + r + 1], [x - r, y - r - 1 - h], [x + r - w, y - r - 1 - h]];
      for (s = 0; s < spots.length; s++) {
        b = [spots[s][0], spots[s][1], spots[s][0] + w, spots[s][1] + h];
        if (!free(b)) continue;
        take(b);
        take([x - r, y - r, x + r, y + r]);       // later labels keep off this node
        put(b, text, font, highlighted !== null && !highlighted.has(i) ? "#aaaaaa" : "#1a1a1a");
        out.push({ id: i, label: n.label, text: text, x0: b[0], y0: b[1], x1: b[2], y1: b[3], px: px });
        break;
      }
    }
    ctx.restore();
    lastLabels = out;
  }
  network.on("afterDrawing", function (ctx) {
    drawLabels(ctx);
    if (started && typeof window.kgReady !== "number") {
      window.kgReady = performance.now();
      document.body.setAttribute("data-kg-ready", "1");
    }
  });

  // ---------------------------------------------------------------- legend and types
  function swatch(t) {
    var s = svg("svg", { width: 16, height: 16, viewBox: "0 0 18 18" }), shape;
    if (t.shape === "dot") shape = svg("circle", { cx: 9, cy: 9, r: 6.5 });
    else if (t.shape === "square") shape = svg("rect", { x: 3, y: 3, width: 12, height: 12 });
    else shape = svg("polygon", { points: { triangle: "9,2 16,15 2,15", triangleDown: "2,3 16,3 9,16", diamond: "9,1 17,9 9,17 1,9",
      hexagon: "9,1.5 15.5,5.25 15.5,12.75 9,16.5 2.5,12.75 2.5,5.25",
      star: "9,1 11.2,6.6 17,6.9 12.5,10.6 14,16.4 9,13.2 4,16.4 5.5,10.6 1,6.9 6.8,6.6" }[t.shape] || "3,3 15,3 15,15 3,15" });
    shape.setAttribute("fill", t.hollow ? "#ffffff" : t.color);
    shape.setAttribute("stroke", t.color);
    shape.setAttribute("stroke-width", t.hollow ? "2.5" : "1");
    s.appendChild(shape);
    return s;
  }
  var typesBox = document.getElementById("kg-types");
  DATA.types.forEach(function (t) {
    var lab = el("label"), cb = el("input");
    cb.type = "checkbox"; cb.checked = !hiddenTypes.has(t.name); cb.setAttribute("data-type", t.name);
    cb.addEventListener("change", function () { setTypeVisible(t.name, cb.checked); });
    lab.appendChild(cb); lab.appendChild(swatch(t)); lab.appendChild(el("span", null, t.name));
    lab.appendChild(el("span", "kg-n", ""));
    typesBox.appendChild(lab);
  });
  document.getElementById("kg-legend-note").textContent = MAP ?
    "Size: mentions in the period. An edge joins entities that share items or events; click an entity for " +
    "its figures, events, connections and sources." :
    "Every entity, event and metric. Size: mentions. Click a node for its figures and sources.";
  function setTypeVisible(type, visible) {
    if (visible) hiddenTypes.delete(type); else hiddenTypes.add(type);
    var cb = typesBox.querySelector('input[data-type="' + type.replace(/[^A-Za-z]/g, "") + '"]');
    if (cb) cb.checked = visible;
    recompute();
  }

  // ------------------------------------------------------------ selection, highlight
  function neighbours(i) {
    return adj[i].map(function (k) { var e = EDGES[k]; return e[0] === i ? e[1] : e[0]; });
  }
  function setHighlight(i) {
    // dimming the rest means restyling every node; above DIM_UP_TO drawn nodes the
    // selection (and its edges, which vis-network highlights) has to do
    highlighted = i === null || drawn.size > DIM_UP_TO ? null :
      new Set([i].concat(neighbours(i).filter(function (j) { return drawn.has(j); })));
    syncNodes(Array.from(drawn));
    syncEdges(Array.from(drawnEdges));
  }
  function select(i) {
    selected = i;
    if (i === null) {
      network.unselectAll();
      setHighlight(null);
      renderHelp();
      return;
    }
    network.selectNodes([i]);
    setHighlight(i);
    renderPanel(i);
  }
  network.on("click", function (p) {
    tip.style.display = "none";
    if (p.nodes.length) select(p.nodes[0]); else if (!p.edges.length) select(null);
  });

  // ------------------------------------------------------------------------- tooltip
  var tip = document.getElementById("kg-tip");
  var mouse = { x: 0, y: 0 };
  container.addEventListener("mousemove", function (e) {
    mouse.x = e.clientX; mouse.y = e.clientY;
    if (tip.style.display === "block") placeTip();
  });
  function placeTip() {
    var w = tip.offsetWidth, h = tip.offsetHeight, x = mouse.x + 14, y = mouse.y + 14;
    if (x + w > window.innerWidth - 4) x = Math.max(4, mouse.x - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, window.innerHeight - h - 4);
    tip.style.left = x + "px"; tip.style.top = y + "px";
  }
  function showTip(children) { tip.replaceChildren.apply(tip, children); tip.style.display = "block"; placeTip(); }
  network.on("hoverNode", function (p) {
    var n = NODES[p.node];
    if (!n) return;
    var sub = n.type + (n.sub && n.sub !== n.type ? " · " + n.sub : "") + " · " +
      plural(pm[p.node], "mention") + (noPeriod() ? "" : " in the period") + (n.fg.length ? " · " + plural(n.fg.length, "figure") : "");
    showTip([el("div", "kg-tl", n.label), el("div", "kg-tt", sub), el("div", "kg-tt", "Click for details")]);
  });
  network.on("hoverEdge", function (p) {
    var e = EDGES[p.edge];
    if (!e) return;
    var rows = [el("div", "kg-tl", NODES[e[0]].label + " — " + NODES[e[1]].label), el("div", null, edgeText(p.edge))];
    if (MAP) rows.push(el("div", "kg-tt", "In all: " + e[4].map(function (kn) { return T.kinds[kn[0]] + " ×" + kn[1]; }).join(", ")));
    showTip(rows);
  });
  network.on("blurNode", function () { tip.style.display = "none"; });
  network.on("blurEdge", function () { tip.style.display = "none"; });
  network.on("dragStart", function () { tip.style.display = "none"; });
  network.on("zoom", function () { tip.style.display = "none"; });

  // --------------------------------------------------------------------------- panel
  var panel = document.getElementById("kg-panel");
  var panelOpenFor = null;
  function renderHelp() {
    panelOpenFor = null;
    panel.replaceChildren(el("p", "kg-help", MAP ?
      "Click an entity to see its figures over time, its events and its sources. Search finds every entity in " +
      "the page, also those not drawn. The period (From, to) resizes and filters everything." :
      "Click a node to see its figures, dates and sources."));
  }
  function section(title, count) {
    var h = el("h3", null, title + (count !== undefined ? " (" + fmtInt(count) + ")" : ""));
    panel.appendChild(h);
    return h;
  }
  function more(list, total, shown, render) {
    if (total <= shown) return;
    var b = el("button", "kg-more", "Show " + fmtInt(total - shown) + " more");
    b.type = "button";
    b.addEventListener("click", function () { b.remove(); render(); });
    list.parentNode.insertBefore(b, list.nextSibling);
  }
  function nodeLink(j) {
    var b = el("button", "kg-link", NODES[j].label);
    b.type = "button";
    b.addEventListener("click", function () { bringIn(j); });
    return b;
  }
  function itemMeta(k) {
    return [ITEMS.o[k] >= 0 ? T.outlets[ITEMS.o[k]] : "unknown outlet", ITEMS.s[k] >= 0 ? T.issues[ITEMS.s[k]] : null,
            ITEMS.d[k] >= 0 ? DATES[ITEMS.d[k]] : null].filter(Boolean).join(" · ");
  }
  function figLabel(f) {
    var s = f[4];
    if (f[6] === 1) s += " (up)"; else if (f[6] === 2) s += " (down)";
    if (f[5] >= 0) s += " [" + T.quals[f[5]] + "]";
    return s;
  }
  function renderPanel(i) {
    panelOpenFor = i;
    var n = NODES[i];
    panel.replaceChildren();
    panel.appendChild(el("h2", null, n.label));
    panel.appendChild(el("div", "kg-sub", n.type + (n.sub && n.sub !== n.type ? " · " + n.sub : "")));
    if (n.al.length) panel.appendChild(el("div", "kg-sub", "Also: " + n.al.join(", ")));
    panel.appendChild(el("div", "kg-sub", (noPeriod() ? "Mentioned in " + plural(n.m, "item") :
      "Mentioned in " + plural(pm[i], "item") + periodText() + " (" + fmtInt(n.m) + " in all)")));
    renderFigures(n);
    if (MAP) renderEvents(n, i);
    if (MAP) renderConnections(i);
    renderSources(n);
  }

  // figures: one line chart per measure (and unit, and qualifiers), one point per dated
  // figure in the period; undated figures are listed under the charts
  function renderFigures(n) {
    var figs = n.fg.map(function (f) { return FIGS[f]; });
    if (!figs.length) return;
    var groups = new Map(), undated = [];
    figs.forEach(function (f, j) {
      if (f[0] < 0 || typeof f[2] !== "number") { if (noPeriod() || !MAP || f[0] >= 0 && dateIn(f[0])) undated.push(f); return; }
      if (!dateIn(f[0])) return;
      var key = f[1] + "|" + f[3] + "|" + (isChange(f) ? "c" : "");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(f);
    });
    var shown = 0;
    groups.forEach(function (g) { shown += g.length; });
    section("Figures", shown + undated.length);
    Array.from(groups.keys()).sort(function (a, b) { return groups.get(b).length - groups.get(a).length || cmpStr(a, b); })
      .forEach(function (key) { panel.appendChild(chart(groups.get(key))); });
    if (undated.length) {
      panel.appendChild(el("div", "kg-sub", "Undated or not a number:"));
      var ul = el("ul");
      undated.forEach(function (f) {
        ul.appendChild(el("li", null, (T.measures[f[1]] || "") + " " + figLabel(f) + (f[0] >= 0 ? " · " + DATES[f[0]] : "")));
      });
      panel.appendChild(ul);
    }
    if (!shown && !undated.length) panel.appendChild(el("div", "kg-sub", "No figure in this period."));
  }
  function isChange(f) { return f[5] >= 0 && /(^|, )change(,|$)/.test(T.quals[f[5]]); }
  function compact(v, unit) {
    var s = Math.abs(v) >= 1000 ? new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(v) :
      String(Math.round(v * 100) / 100);
    if (unit === "percent") return s + "%";
    if (unit === "USD") return (v < 0 ? "-$" + s.slice(1) : "$" + s);
    return s;
  }
  function chart(g) {
    var f0 = g[0], unit = T.units[f0[3]] || "";
    var box = el("div", "kg-chart");
    box.setAttribute("data-measure", T.measures[f0[1]] || "");
    var title = (T.measures[f0[1]] || "figure") + (isChange(f0) ? " change" : "") + (unit ? " (" + unit + ")" : "");
    box.appendChild(el("div", "kg-chart-title", title + " · " + plural(g.length, "figure")));
    var pts = g.map(function (f) {
      return { t: Date.parse(SPAN[f[0]][0] + "T00:00:00Z"), v: f[2], f: f };
    }).sort(function (a, b) { return a.t - b.t || a.v - b.v; });
    var W = 340, H = 120, L = 56, R = 10, TP = 8, B = 22;
    var t0 = pts[0].t, t1 = pts[pts.length - 1].t, v0 = Infinity, v1 = -Infinity;
    pts.forEach(function (p) { v0 = Math.min(v0, p.v); v1 = Math.max(v1, p.v); });
    if (t0 === t1) { t0 -= 15 * 864e5; t1 += 15 * 864e5; }
    if (v0 === v1) { var d = Math.abs(v0) * 0.1 || 1; v0 -= d; v1 += d; }
    var pad = (v1 - v0) * 0.08; v0 -= pad; v1 += pad;
    function X(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
    function Y(v) { return TP + (v1 - v) / (v1 - v0) * (H - TP - B); }
    var s = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img" });
    s.appendChild(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#bbb" }));
    s.appendChild(svg("line", { x1: L, y1: TP, x2: L, y2: H - B, stroke: "#bbb" }));
    if (v0 < 0 && v1 > 0) s.appendChild(svg("line", { x1: L, y1: Y(0), x2: W - R, y2: Y(0), stroke: "#ccc", "stroke-dasharray": "3 3" }));
    function text(x, y, str, anchor) {
      var t = svg("text", { x: x, y: y, "font-size": 10, fill: "#666", "text-anchor": anchor || "start" });
      t.textContent = str;
      s.appendChild(t);
    }
    text(L - 4, TP + 8, compact(v1, unit), "end");
    text(L - 4, H - B, compact(v0, unit), "end");
    text(L, H - 6, DATES[pts[0].f[0]], "start");
    if (pts.length > 1 && pts[pts.length - 1].f[0] !== pts[0].f[0]) text(W - R, H - 6, DATES[pts[pts.length - 1].f[0]], "end");
    if (pts[pts.length - 1].t > pts[0].t) {
      s.appendChild(svg("polyline", { points: pts.map(function (p) { return X(p.t).toFixed(1) + "," + Y(p.v).toFixed(1); }).join(" "),
        fill: "none", stroke: "#4e79a7", "stroke-width": 1.2, "stroke-opacity": 0.7 }));
    }
    pts.forEach(function (p) {
      var c = svg("circle", { cx: X(p.t).toFixed(1), cy: Y(p.v).toFixed(1), r: 3.2, "class": "kg-pt",
        fill: p.f[6] === 1 ? "#2e8b57" : p.f[6] === 2 ? "#c0392b" : "#4e79a7" });
      c.setAttribute("data-date", DATES[p.f[0]]);
      var tt = svg("title");
      tt.textContent = DATES[p.f[0]] + " · " + figLabel(p.f) + (p.f[7] >= 0 ? " · " + itemMeta(p.f[7]) : "");
      c.appendChild(tt);
      s.appendChild(c);
    });
    box.appendChild(s);
    return box;
  }

  function renderEvents(n) {
    var evs = n.ev.filter(function (k) { return dateIn(EVENTS[k][0]); })
      .sort(function (a, b) { return EVENTS[b][0] - EVENTS[a][0] || a - b; });
    if (!evs.length) return;
    section("Events", evs.length);
    var ul = el("ul");
    panel.appendChild(ul);
    var shown = 0;
    function render(limit) {
      evs.slice(shown, limit).forEach(function (k) {
        var ev = EVENTS[k], li = el("li");
        li.appendChild(el("span", "kg-date", dateText(ev[0]) + " "));
        li.appendChild(el("b", null, T.kinds[ev[1]]));
        var figs = ev[3].map(function (f) { return T.measures[FIGS[f][1]] + " " + figLabel(FIGS[f]); });
        if (figs.length) li.appendChild(document.createTextNode(" · " + figs.join(", ")));
        var others = ev[2].filter(function (a) { return NODES[a] !== n; });
        if (others.length) {
          li.appendChild(document.createTextNode(" · with "));
          others.forEach(function (a, j) { if (j) li.appendChild(document.createTextNode(", ")); li.appendChild(nodeLink(a)); });
        }
        if (ev[4] >= 0) li.appendChild(el("div", "kg-src", itemMeta(ev[4]) + (ev[5] > 1 ? " (+" + (ev[5] - 1) + " more)" : "")));
        ul.appendChild(li);
      });
      shown = Math.min(limit, evs.length);
    }
    render(20);
    more(ul, evs.length, shown, function () { render(evs.length); });
  }

  function renderConnections(i) {
    var ks = adj[i].filter(function (k) { return ew[k] > 0; }).sort(function (a, b) { return ew[b] - ew[a] || a - b; });
    if (!ks.length) return;
    section("Connections", ks.length);
    var ul = el("ul");
    panel.appendChild(ul);
    ks.forEach(function (k) {
      var e = EDGES[k], j = e[0] === i ? e[1] : e[0], li = el("li");
      li.appendChild(nodeLink(j));
      li.appendChild(document.createTextNode(" · " + edgeText(k)));
      ul.appendChild(li);
    });
  }

  function renderSources(n) {
    var withText = [], without = [], spans = n.sp || null;
    if (spans && spans.length) {
      section("Evidence", n.ns);
      spans.forEach(function (sp) {
        panel.appendChild(el("div", "kg-src", sp[0] >= 0 ? itemMeta(sp[0]) : "unknown source"));
        panel.appendChild(el("div", "kg-ev", sp[1]));
      });
      if (n.ns > spans.length) panel.appendChild(el("div", "kg-src", "… and " + fmtInt(n.ns - spans.length) + " more"));
      return;
    }
    for (var j = n.it.length - 1; j >= 0; j--) {
      var k = n.it[j];
      if (!dateIn(ITEMS.d[k])) continue;
      (ITEMS.t[k] !== null ? withText : without).push(k);
    }
    if (!withText.length && !without.length) return;
    section("Sources", withText.length + without.length);
    var box = el("div");
    panel.appendChild(box);
    var shown = 0;
    function render(limit) {
      withText.slice(shown, limit).forEach(function (k) {
        box.appendChild(el("div", "kg-src", itemMeta(k)));
        box.appendChild(el("div", "kg-ev", ITEMS.t[k]));
      });
      shown = Math.min(limit, withText.length);
    }
    render(15);
    more(box, withText.length, shown, function () { render(withText.length); });
    if (without.length) {
      panel.appendChild(el("div", "kg-sub", fmtInt(without.length) + " more " + (without.length === 1 ? "item" : "items") +
        " whose text is not in this page (the page keeps a share of each entity's texts; " +
        "kg viz --since/--until or --focus writes a page with theirs):"));
      var ul = el("ul");
      panel.appendChild(ul);
      var shownW = 0;
      var renderW = function (limit) {
        without.slice(shownW, limit).forEach(function (k) { ul.appendChild(el("li", "kg-src", itemMeta(k))); });
        shownW = Math.min(limit, without.length);
      };
      renderW(10);
      more(ul, without.length, shownW, function () { renderW(without.length); });
    }
  }

  // -------------------------------------------------------------------------- search
  var INDEX = NODES.map(function (n, i) { return [i, [fold(n.label)].concat(n.al.map(fold))]; });
  function search(q, limit) {
    q = fold(q).trim();
    if (!q) return [];
    var hits = [];
    INDEX.forEach(function (e) {
      var best = 9;
      e[1].forEach(function (k) {
        var r = k === q ? 0 : (k.indexOf(q) === 0 ? 1 : (k.indexOf(q) > 0 ? 2 : 9));
        if (r < best) best = r;
      });
      if (best < 9) hits.push([best, e[0]]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || byMentions(a[1], b[1]); });
    return hits.slice(0, limit || 12).map(function (h) { return h[1]; });
  }
  // Bring an entity into view: draw it (and its strongest neighbours) if it is not drawn,
  // select it, open its panel and fit the view around it.
  function bringIn(i) {
    if (!drawn.has(i)) {
      pinned.add(i);
      adj[i].slice().sort(function (a, b) { return ew[b] - ew[a] || EDGES[b][3].length - EDGES[a][3].length || a - b; })
        .slice(0, NEIGHBOURS_BROUGHT).forEach(function (k) { pinned.add(EDGES[k][0] === i ? EDGES[k][1] : EDGES[k][0]); });
    }
    selected = i;
    recompute();
    select(i);
    var around = [i].concat(neighbours(i).filter(function (j) { return drawn.has(j); }));
    network.fit({ nodes: around, maxZoomLevel: 1.4, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    api.focused = i;
    return i;
  }
  var input = document.getElementById("kg-search"), results = document.getElementById("kg-results");
  var current = [];
  function showResults() {
    current = search(input.value);
    results.replaceChildren();
    current.forEach(function (id, k) {
      var n = NODES[id], b = el("button", k === 0 ? "kg-active" : null);
      b.type = "button";
      b.appendChild(el("span", null, n.label));
      b.appendChild(el("span", "kg-rtype", n.type + " · " + fmtInt(pm[id])));
      if (!drawn.has(id)) b.appendChild(el("span", "kg-tag", "not drawn"));
      b.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(id); });
      results.appendChild(b);
    });
    if (!current.length && input.value.trim()) results.appendChild(el("div", "kg-rtype", "no match"));
    results.style.display = input.value.trim() ? "block" : "none";
  }
  function pick(id) {
    results.style.display = "none";
    input.value = NODES[id].label;
    bringIn(id);
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); showResults(); if (current.length) pick(current[0]); }
    else if (e.key === "Escape") { results.style.display = "none"; }
  });
  input.addEventListener("blur", function () { results.style.display = "none"; });

  // -------------------------------------------------------------------------- period
  var from = document.getElementById("kg-from"), to = document.getElementById("kg-to");
  var firstDay = null, lastDayAll = null;
  SPAN.forEach(function (s) {
    if (s[0] !== null && (firstDay === null || s[0] < firstDay)) firstDay = s[0];
    if (s[1] !== null && (lastDayAll === null || s[1] > lastDayAll)) lastDayAll = s[1];
  });
  [from, to].forEach(function (inp) {
    if (firstDay) { inp.min = firstDay; inp.max = lastDayAll; }
    inp.addEventListener("change", function () { setPeriod(from.value || null, to.value || null); });
  });
  document.getElementById("kg-all-time").addEventListener("click", function () { setPeriod(null, null); });
  function setPeriod(a, b) {
    if (a && b && a > b) { var t = a; a = b; b = t; }
    period = { from: a || null, to: b || null };
    from.value = period.from || ""; to.value = period.to || "";
    recompute();
  }
  document.getElementById("kg-reset").addEventListener("click", function () {
    pinned.clear();
    selected = null;
    recompute();
    select(null);
    network.fit({ animation: false });
  });

  // ---------------------------------------------------------------------- start, API
  document.title = DATA.title;
  document.getElementById("kg-title").textContent = DATA.title;
  var api = {
    network: network, nodes: nodeSet, edges: edgeSet, data: DATA, focused: null,
    get nodeCount() { return drawn.size; },
    get edgeCount() { return drawnEdges.size; },
    get highlighted() { return highlighted === null ? null : Array.from(highlighted).sort(function (a, b) { return a - b; }); },
    get selected() { return selected; },
    drawnIds: function () { return Array.from(drawn).sort(function (a, b) { return a - b; }); },
    eligibleCount: function () { return eligible.length; },
    hiddenCount: function () { return eligible.filter(function (i) { return !drawn.has(i); }).length; },
    labels: function () { return lastLabels.map(function (l) { return Object.assign({}, l); }); },
    periodMentions: function (i) { return pm[i]; },
    search: function (q) { return search(q).map(function (id) { return NODES[id].label; }); },
    pick: function (q) { var ids = search(q, 1); return ids.length ? bringIn(ids[0]) : null; },
    select: function (i) { select(i); return i; },
    setPeriod: setPeriod,
    setTypeVisible: setTypeVisible,
    visibleCount: function () { return drawn.size; },
    node: function (i) { return NODES[i]; }
  };
  window.kgGraph = api;
  renderHelp();
  recompute();
  network.fit({ animation: false });
  if (DATA.focus && DATA.focus.length) select(DATA.focus[0]);
  started = true;
  network.redraw();
})();
