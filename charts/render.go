package charts

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/replay"
)

// echarts.min.js from the npm package echarts 6.1.0 (Apache-2.0; LICENSE
// and NOTICE beside it in assets/).
//
//go:embed assets/echarts.min.js
var echartsJS string

//go:embed assets/LICENSE
var echartsLicense string

//go:embed report.html.tmpl
var pageTemplate string

// chart is one chart of the page: an element id and its option as JSON
// (encoding/json escapes <, > and &, so no log string can close the script).
type chart struct {
	ID, Title, Note string
	Option          template.JS
	Height          int
	// Empty replaces a chart that would have nothing to show with one line
	// saying why.
	Empty string
	// Panel places the chart: "" the main charts, "status", "clients".
	Panel string
}

// classOrder and classColor: one colour per status class in every report.
var classOrder = []string{"2xx", "3xx", "4xx", "5xx", "1xx", "?"}

var classColor = map[string]string{"1xx": "#9e9e9e", "2xx": "#2e7d32", "3xx": "#1565c0", "4xx": "#ef6c00", "5xx": "#c62828", "?": "#bdbdbd"}

func optionJSON(c interface{ JSON() map[string]interface{} }) template.JS {
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return template.JS("{}")
	}
	return template.JS(b) // json.Marshal escapes HTML characters in strings
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

func fnum(v float64) float64 { return math.Round(v*1000) / 1000 }

var statusOrder = []string{"HIT", "STALE", "UPDATING", "REVALIDATED", "MISS", "EXPIRED", "BYPASS", "PASS", "DYNAMIC", "ERROR", "NONE"}

// statusColor gives each cache status one colour in every report (the
// chart library's palette would colour them by the order of the statuses
// present): greens served from the cache, warm colours from the origin,
// greys not cacheable.
var statusColor = map[string]string{
	"HIT": "#2e7d32", "STALE": "#66bb6a", "UPDATING": "#81c784", "REVALIDATED": "#a5d6a7",
	"MISS": "#ef6c00", "EXPIRED": "#ffa726", "BYPASS": "#9e9e9e", "PASS": "#757575",
	"DYNAMIC": "#616161", "ERROR": "#c62828", "NONE": "#bdbdbd",
}

// saveableNote says what the saveable count counts.
const saveableNote = "Saveable: GET and HEAD requests that reached the origin with a cacheable status (200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501), without Set-Cookie, Authorization (a cache bypasses those on purpose) or a private/no-store Cache-Control: what a shared cache could have answered."

func baseOpts(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithAnimation(false),
	}
}

// topRows returns the rows to chart: the top n by the given key.
func topRows(rows []analyze.Row, n int, key func(analyze.Row) float64) []analyze.Row {
	out := append([]analyze.Row(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) > key(out[j]) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (d *Data) charts() []chart {
	var out []chart
	a := d.Analysis
	// Requests over time by cache status, with the hit ratio.
	if len(d.Timeline) > 0 {
		bar, labels := d.stackedTimeline(statusOrder, statusColor, func(b Bucket) map[string]int64 { return b.ByStatus })
		bar.ExtendYAxis(opts.YAxis{Name: "hit ratio", Min: 0, Max: 1})
		line := charts.NewLine()
		line.SetXAxis(labels)
		var hr []opts.LineData
		for _, b := range d.Timeline {
			if b.HitRatio == nil {
				hr = append(hr, opts.LineData{Value: nil})
			} else {
				hr = append(hr, opts.LineData{Value: fnum(*b.HitRatio)})
			}
		}
		line.AddSeries("hit ratio", hr, charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}))
		bar.Overlap(line)
		bar.Validate()
		out = append(out, chart{ID: "timeline", Title: "Requests over time by cache status, per " + d.Step, Option: optionJSON(bar), Height: 360})
	}
	// Before and after a recorded advice run: the measured hit ratio over
	// time of the busiest routes, the change and each prediction marked.
	if v := d.Verify; v != nil && len(v.Series) > 0 {
		layout := "01-02 15:04"
		if v.Step < time.Minute {
			layout = "15:04:05"
		}
		seen := map[time.Time]bool{}
		var starts []time.Time
		for _, s := range v.Series {
			for _, p := range s.Points {
				if !seen[p.Start] {
					seen[p.Start] = true
					starts = append(starts, p.Start)
				}
			}
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
		var labels []string
		change := ""
		for _, t := range starts {
			labels = append(labels, t.Format(layout))
			if change == "" && !t.Add(v.Step).Before(v.Since) {
				change = t.Format(layout)
			}
		}
		line := charts.NewLine()
		line.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Min: 0, Max: 1, Name: "hit ratio"}))...)
		line.SetXAxis(labels)
		for k, s := range v.Series {
			at := map[time.Time]*float64{}
			for _, p := range s.Points {
				at[p.Start] = p.HitRatio
			}
			var vals []opts.LineData
			for _, t := range starts {
				if h := at[t]; h != nil {
					vals = append(vals, opts.LineData{Value: fnum(*h)})
				} else {
					vals = append(vals, opts.LineData{Value: nil})
				}
			}
			marks := []charts.SeriesOpts{charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "predicted", YAxis: fnum(*s.Predicted)})}
			if k == 0 && change != "" {
				marks = append(marks, charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: "change", XAxis: change}))
			}
			line.AddSeries(s.Method+" "+s.Route, vals, marks...)
		}
		line.Validate()
		out = append(out, chart{ID: "beforeafter", Title: "Before and after: measured hit ratio over time per " + v.Step.String() + " (the change and each route's prediction marked)", Option: optionJSON(line), Height: 380})
	}
	rows := a.Rows
	// Origin requests a cache could have saved.
	if len(rows) > 0 {
		top := topRows(rows, d.TopN, func(r analyze.Row) float64 { return float64(r.Saveable) })
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts("")...)
		var names []string
		var vals []opts.BarData
		for i := len(top) - 1; i >= 0; i-- {
			names = append(names, rowLabel(top[i]))
			vals = append(vals, opts.BarData{Value: top[i].Saveable})
		}
		bar.SetXAxis(names).AddSeries("saveable origin requests", vals)
		bar.XYReversal()
		bar.Validate()
		out = append(out, chart{ID: "saveable", Title: "Top endpoints by origin requests a cache could have saved", Note: saveableNote, Option: optionJSON(bar), Height: 80 + 24*len(top)})
	}
	// Hit ratio per endpoint against the 70% line.
	if a.Mode != "origin" && len(rows) > 0 && (a.Totals.HitRatio == nil || *a.Totals.HitRatio == 0) {
		why := "No hits yet: the edge served every request from the origin (no Cache-Control, or the edge passes them: see the recommendations)."
		if a.Totals.HitRatio == nil {
			why = "The edge logs record no cache status: hit ratios are unknown (log $upstream_cache_status, %{Varnish:hitmiss}x, or the CDN's cache field)."
		}
		out = append(out, chart{ID: "hitratio", Title: "Hit ratio of the busiest endpoints, against 70%", Empty: why},
			chart{ID: "latency", Title: "Edge latency per endpoint: hits vs misses", Empty: "No hits to compare misses with."})
	} else if a.Mode != "origin" && len(rows) > 0 {
		top := topRows(rows, d.TopN, func(r analyze.Row) float64 { return float64(r.Requests) })
		bar := charts.NewBar()
		bar.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Min: 0, Max: 1}))...)
		var names []string
		var vals []opts.BarData
		for _, r := range top {
			names = append(names, rowLabel(r))
			v := 0.0
			if r.HitRatio != nil {
				v = fnum(*r.HitRatio)
			}
			vals = append(vals, opts.BarData{Value: v})
		}
		bar.SetXAxis(names).AddSeries("hit ratio", vals, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "70%", YAxis: 0.7}))
		bar.Validate()
		out = append(out, chart{ID: "hitratio", Title: "Hit ratio of the busiest endpoints, against 70%", Option: optionJSON(bar), Height: 360})
		// Latency, hits vs misses.
		lat := charts.NewBar()
		lat.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Name: "ms"}))...)
		lat.SetXAxis(names)
		for _, s := range []struct {
			name string
			f    func(analyze.Row) float64
		}{
			{"hit p50", func(r analyze.Row) float64 { return p(r.EdgeHit, 50) }},
			{"hit p95", func(r analyze.Row) float64 { return p(r.EdgeHit, 95) }},
			{"miss p50", func(r analyze.Row) float64 { return p(r.EdgeMiss, 50) }},
			{"miss p95", func(r analyze.Row) float64 { return p(r.EdgeMiss, 95) }},
		} {
			var vals []opts.BarData
			for _, r := range top {
				vals = append(vals, opts.BarData{Value: fnum(s.f(r))})
			}
			lat.AddSeries(s.name, vals)
		}
		lat.Validate()
		out = append(out, chart{ID: "latency", Title: "Edge latency per endpoint: hits vs misses", Option: optionJSON(lat), Height: 360})
	}
	// Per-PoP hit ratio.
	pops := 0
	if d.ByPop != nil {
		for _, r := range d.ByPop.Rows {
			if r.Keys["pop"] != "-" {
				pops++
			}
		}
	}
	if d.ByPop != nil && d.ByPop.Mode != "origin" && pops == 0 {
		out = append(out, chart{ID: "pops", Title: "Hit ratio per PoP", Empty: "The logs name no edge location (PoP): one cache is all there is to show (CloudFront's x-edge-location, Cloudflare's EdgeColoCode, Fastly's pop, or pop= in an nginx log name it)."})
	} else if d.ByPop != nil && d.ByPop.Mode != "origin" && len(d.ByPop.Rows) > 0 {
		bar := charts.NewBar()
		bar.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Min: 0, Max: 1}))...)
		var names []string
		var vals []opts.BarData
		for _, r := range topRows(d.ByPop.Rows, 40, func(r analyze.Row) float64 { return float64(r.Requests) }) {
			names = append(names, r.Keys["pop"])
			v := 0.0
			if r.HitRatio != nil {
				v = fnum(*r.HitRatio)
			}
			vals = append(vals, opts.BarData{Value: v})
		}
		bar.SetXAxis(names).AddSeries("hit ratio", vals)
		bar.Validate()
		out = append(out, chart{ID: "pops", Title: "Hit ratio per PoP", Option: optionJSON(bar), Height: 300})
	}
	// What-if curves for the busiest endpoints, recommended TTL marked.
	if d.Sweep != nil && len(d.Sweep.Endpoints) > 0 {
		var labels []string
		for _, t := range d.Sweep.Totals {
			labels = append(labels, t.TTLText)
		}
		recTTL := map[string]string{}
		if d.Advice != nil {
			for _, r := range d.Advice.Recommendations {
				if r.Method == "GET" {
					recTTL[r.Endpoint] = r.TTL
				}
			}
		}
		// Unsafe methods are never cached: their flat curves are left out;
		// so are routes the advice keeps out of shared caches (private,
		// no-store, unverified): a curve reaching 100% would invite caching
		// them.
		shared := map[string]bool{}
		if d.Advice != nil {
			for _, r := range d.Advice.Recommendations {
				if r.Method == "GET" {
					shared[r.Endpoint] = advisor.SharedHeader(r.CacheControl)
				}
			}
		}
		var eps [][]replay.Outcome
		for _, row := range d.Sweep.Endpoints {
			if len(row) == 0 || strings.HasPrefix(row[0].Endpoint, replay.UnsafeEndpoint("")) {
				continue
			}
			if d.Advice != nil && !shared[row[0].Endpoint] {
				continue
			}
			eps = append(eps, row)
		}
		sort.SliceStable(eps, func(i, j int) bool { return eps[i][0].Requests > eps[j][0].Requests })
		if len(eps) > 8 {
			eps = eps[:8]
		}
		hit, stale := charts.NewLine(), charts.NewLine()
		hit.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Min: 0, Max: 1, Name: "hit ratio"}), charts.WithXAxisOpts(opts.XAxis{Name: "TTL"}))...)
		stale.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Min: 0, Name: "stale share"}), charts.WithXAxisOpts(opts.XAxis{Name: "TTL"}))...)
		hit.SetXAxis(labels)
		stale.SetXAxis(labels)
		for _, row := range eps {
			var hv []opts.LineData
			var sv []opts.LineData
			for _, o := range row {
				hv = append(hv, opts.LineData{Value: fnum(o.HitRatio)})
				sv = append(sv, opts.LineData{Value: fnum(o.StaleShare)})
			}
			name := row[0].Endpoint
			var marks []charts.SeriesOpts
			if t, ok := recTTL[name]; ok && t != "" {
				for _, o := range row {
					if o.TTLText == t {
						marks = append(marks, charts.WithMarkPointNameCoordItemOpts(opts.MarkPointNameCoordItem{Name: "recommended", Coordinate: []interface{}{t, fnum(o.HitRatio)}, Value: t}))
					}
				}
			}
			hit.AddSeries(name, hv, marks...)
			stale.AddSeries(name, sv)
		}
		hit.Validate()
		stale.Validate()
		whatif := chart{ID: "whatif", Title: "What if: predicted hit ratio vs TTL (recommended TTL marked)", Option: optionJSON(hit), Height: 380}
		staleness := chart{ID: "staleness", Title: "What if: share of responses older than the newest content vs TTL", Option: optionJSON(stale), Height: 320}
		if len(eps) == 0 {
			whatif.Empty = "No route the advice lets a shared cache store: no curve to draw."
			staleness.Empty = whatif.Empty
		} else if a.Totals.OriginRequests == 0 {
			staleness.Empty = "Staleness unknown (no origin logs): when content changes is read from the origin's responses; ingest the app's or the origin's logs to measure it."
		}
		out = append(out, whatif, staleness)
	}
	return out
}

// panelCharts are the status panel (status classes over time and per
// busiest route) and the clients panel (requests by kind of client).
func (d *Data) panelCharts() []chart {
	var out []chart
	if len(d.Timeline) > 0 {
		bar, _ := d.stackedTimeline(classOrder, classColor, func(b Bucket) map[string]int64 { return b.ByClass })
		bar.Validate()
		out = append(out, chart{ID: "statustime", Panel: "status", Title: "Status codes over time, per " + d.Step, Option: optionJSON(bar), Height: 300})
	}
	if a := d.Analysis; a != nil && len(a.Rows) > 0 {
		top := topRows(a.Rows, d.TopN, func(r analyze.Row) float64 { return float64(r.Requests) })
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts("")...)
		var names []string
		for i := len(top) - 1; i >= 0; i-- {
			names = append(names, rowLabel(top[i]))
		}
		bar.SetXAxis(names)
		for _, c := range classOrder[:4] {
			var vals []opts.BarData
			for i := len(top) - 1; i >= 0; i-- {
				vals = append(vals, opts.BarData{Value: top[i].StatusClasses[c]})
			}
			bar.AddSeries(c, vals, charts.WithBarChartOpts(opts.BarChart{Stack: "class"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: classColor[c]}))
		}
		bar.XYReversal()
		bar.Validate()
		out = append(out, chart{ID: "statusroutes", Panel: "status", Title: "Status codes of the busiest routes", Option: optionJSON(bar), Height: 80 + 24*len(top)})
	}
	if len(d.Clients) > 0 {
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts("")...)
		var names []string
		var vals []opts.BarData
		for i := len(d.Clients) - 1; i >= 0; i-- {
			names = append(names, d.Clients[i].Kind)
			vals = append(vals, opts.BarData{Value: d.Clients[i].Requests})
		}
		bar.SetXAxis(names).AddSeries("requests", vals)
		bar.XYReversal()
		bar.Validate()
		out = append(out, chart{ID: "clientkinds", Panel: "clients", Title: "Requests by kind of client (from the User-Agent)", Option: optionJSON(bar), Height: 80 + 30*len(d.Clients)})
	}
	return out
}

// stackedTimeline is a bar chart of the requests per time bucket, stacked
// by the keys count gives (in order, each in its fixed colour; keys with no
// request left out), and the buckets' labels.
func (d *Data) stackedTimeline(order []string, colour map[string]string, count func(Bucket) map[string]int64) (*charts.Bar, []string) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(baseOpts(""), charts.WithYAxisOpts(opts.YAxis{Name: "requests"}))...)
	var labels []string
	for _, b := range d.Timeline {
		labels = append(labels, b.Start.Format(timeLayout(d.StepDur)))
	}
	bar.SetXAxis(labels)
	for _, k := range order {
		var vals []opts.BarData
		any := false
		for _, b := range d.Timeline {
			n := count(b)[k]
			vals = append(vals, opts.BarData{Value: n})
			any = any || n > 0
		}
		if any {
			bar.AddSeries(k, vals, charts.WithBarChartOpts(opts.BarChart{Stack: "stack"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colour[k]}))
		}
	}
	return bar, labels
}

// timeLayout labels a time bucket of the given step.
func timeLayout(step time.Duration) string {
	switch {
	case step < time.Minute:
		return "15:04:05"
	case step >= 24*time.Hour:
		return "2006-01-02"
	}
	return "01-02 15:04"
}

func p(q *analyze.Percentiles, which int) float64 {
	if q == nil {
		return 0
	}
	switch which {
	case 50:
		return q.P50
	case 95:
		return q.P95
	}
	return q.P99
}

// Render writes the report as one HTML file.
func Render(w io.Writer, d *Data) error {
	tpl, err := template.New("report").Funcs(template.FuncMap{
		"pct": pct,
		"ms": func(q *analyze.Percentiles, which int) string {
			if q == nil {
				return "-"
			}
			return fmt.Sprintf("%.1f", p(q, which))
		},
		"num": func(v int64) string { return humanInt(v) },
		"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"fp": func(v *float64) string {
			if v == nil {
				return "-"
			}
			return fmt.Sprintf("%.1f", *v)
		},
		"join":     strings.Join,
		"inc":      func(i int) int { return i + 1 },
		"sub":      func(a, b int) int { return a - b },
		"perday":   func(v float64) string { return humanInt(int64(math.Round(v))) },
		"groupwhy": advisor.GroupWhy,
		"rates3":   func(a, b, c *float64) string { return analyze.Rates(a, b, c) },
		"rates": func(now float64, at *float64) string {
			if at == nil {
				return "-"
			}
			return analyze.Rates(&now, at)
		},
	}).Parse(pageTemplate)
	if err != nil {
		return err
	}
	rows, err := d.endpointRows()
	if err != nil {
		return err
	}
	recs, err := d.recRows()
	if err != nil {
		return err
	}
	view := struct {
		*Data
		Charts    []chart
		ECharts   template.JS
		License   string
		Endpoints template.JS
		NRows     int
		Recs      template.JS
		// SaveableNote says what the saveable count counts.
		SaveableNote string
		// StaleUnknown: without origin logs, when content changes is not
		// known, nor staleness.
		StaleUnknown bool
	}{Data: d, ECharts: template.JS(echartsJS), License: echartsLicense, Endpoints: rows, Recs: recs, SaveableNote: saveableNote,
		StaleUnknown: d.Analysis != nil && d.Analysis.Totals.OriginRequests == 0}
	if d.Analysis != nil && d.Analysis.Mode != "empty" {
		view.Charts = append(d.charts(), d.panelCharts()...)
		view.NRows = min(len(d.Analysis.Rows), d.MaxRows)
	}
	return tpl.Execute(w, view)
}

// rowLabel names an analysis row: its endpoint, preceded by the method for
// rows of unsafe methods (the advice's rows are per method group).
func rowLabel(r analyze.Row) string {
	if m := r.Keys["method_group"]; m != "" && m != "GET" {
		return m + " " + r.Endpoint
	}
	return r.Endpoint
}

// endpointRows is the paged table's data: compact arrays, JSON-escaped.
func (d *Data) endpointRows() (template.JS, error) {
	var rows [][]any
	if d.Analysis != nil {
		for i, r := range d.Analysis.Rows {
			if i >= d.MaxRows {
				break
			}
			hr := -1.0
			if r.HitRatio != nil {
				hr = fnum(*r.HitRatio)
			}
			rows = append(rows, []any{rowLabel(r), r.Requests, hr, r.Saveable, r.CacheKeys, fnum(p(r.EdgeMiss, 95)), fnum(p(r.Origin, 95))})
		}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

// recRows is the paged table of every recommendation: text only, JSON-escaped.
func (d *Data) recRows() (template.JS, error) {
	rows := [][]string{}
	if d.Advice != nil {
		for _, r := range d.Advice.Recommendations {
			stale := pct(r.StaleShare)
			if d.Analysis != nil && d.Analysis.Totals.OriginRequests == 0 {
				stale = "unknown"
			}
			rates := "-"
			if r.OriginPerMinAt != nil {
				now := r.OriginPerMinNow
				rates = analyze.Rates(&now, r.OriginPerMinAt)
			}
			why := append([]string(nil), r.Reasons...)
			for _, e := range r.EdgeNeeds {
				why = append(why, "edge: "+e)
			}
			rows = append(rows, []string{r.Method + " " + r.Endpoint, fmt.Sprint(r.Requests), r.Class, r.CacheControl,
				pct(r.CurrentHitRatio), pct(r.PredictedHitRatio), rates, stale, r.Confidence, strings.Join(why, "; ")})
		}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil
}

func humanInt(v int64) string {
	s := fmt.Sprint(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// WriteFile renders the report into the file at path.
func WriteFile(path string, d *Data) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := Render(w, d); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
