/**
 * The page's script (plain ES2017, run by the browser): draws each chart of the embedded data with
 * uPlot. Kept to wiring; every number was computed in Node.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  var charts = JSON.parse(document.getElementById('perifat-charts').textContent);
  function hexA(c, a) {
    var n = parseInt(c.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  charts.forEach(function (ch) {
    var el = document.getElementById(ch.id);
    if (!el) return;
    var series = [{ label: ch.xLabel }];
    ch.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.edge ? 'transparent' : s.color,
        width: s.edge ? 0 : 2,
        dash: s.dash,
        spanGaps: true,
        show: true,
        paths: s.line || s.edge ? undefined : function () { return null; },
        points: { show: s.points, size: s.line ? 5 : 6, fill: s.color, stroke: s.color },
      });
    });
    var opts = {
      title: ch.title,
      width: 560,
      height: 340,
      scales: {
        x: { time: false, range: ch.xRange ? function () { return ch.xRange; } : undefined },
        y: { range: ch.yRange ? function () { return ch.yRange; } : undefined },
      },
      axes: [{ label: ch.xLabel }, { label: ch.yLabel }],
      series: series,
      bands: ch.bands.map(function (b) { return { series: [b.upper, b.lower], fill: hexA(b.color, 0.18) }; }),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    };
    new uPlot(opts, ch.data, el);
    // A legend of the drawn series only (a band's two edges are not series a reader looks for).
    var legend = document.createElement('div');
    legend.className = 'legend';
    ch.series.forEach(function (s) {
      if (s.edge) return;
      var item = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = s.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.label));
      legend.appendChild(item);
    });
    el.appendChild(legend);
  });
  document.body.setAttribute('data-charts-drawn', String(charts.length));
})();
`;
