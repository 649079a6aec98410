//! Figures for the examples, as SVG (plotters' SVG backend only: no fonts, no C libraries; text
//! is written as SVG `<text>` and rendered by the viewer).
//!
//! Included by each example with `#[path = "common/plot.rs"] mod plot;`. Also holds the two
//! settings every example shares: where figures go ([`figures_dir`]) and the fast mode
//! ([`fast_mode`]).
#![allow(dead_code)]

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

/// What the drawing functions return.
pub type PlotResult = Result<(), Box<dyn Error>>;

/// `AUTODIFF_FAST=1` (or `true`): fewer steps, for CI.
pub fn fast_mode() -> bool {
    std::env::var("AUTODIFF_FAST").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// The folder for the figures: `AUTODIFF_FIGURES`, else the first command-line argument, else
/// `target/figures` (relative to the working directory). Created if missing.
pub fn figures_dir() -> PathBuf {
    let dir = std::env::var_os("AUTODIFF_FIGURES")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::args_os().nth(1).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target/figures"));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create the figures folder {}: {e}", dir.display());
    }
    dir
}

/// Writes a figure with `draw` and prints its path; a failure is printed, not fatal.
pub fn save(dir: &Path, name: &str, draw: impl FnOnce(&Path) -> PlotResult) -> PathBuf {
    let path = dir.join(name);
    match draw(&path) {
        Ok(()) => println!("  figure: {}", path.display()),
        Err(e) => println!("  figure {} failed: {e}", path.display()),
    }
    path
}

/// Matplotlib's "tab10" colors.
pub const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The `i`-th series color.
pub fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// One curve of a [`line_chart`].
pub struct Series {
    /// Legend text.
    pub label: String,
    /// The points; non-finite ones (and non-positive ones on a log axis) are left out.
    pub points: Vec<(f64, f64)>,
    /// Also mark every point.
    pub markers: bool,
    /// Dashed look (drawn thinner and lighter).
    pub light: bool,
}

impl Series {
    /// A plain line.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            markers: false,
            light: false,
        }
    }
    /// Marks the points too.
    #[must_use]
    pub fn markers(mut self) -> Self {
        self.markers = true;
        self
    }
    /// Thinner, lighter line.
    #[must_use]
    pub fn light(mut self) -> Self {
        self.light = true;
        self
    }
}

/// Titles and axes of a [`line_chart`].
pub struct Chart<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// x-axis description.
    pub x_label: &'a str,
    /// y-axis description.
    pub y_label: &'a str,
    /// Logarithmic x axis (base 10).
    pub log_x: bool,
    /// Logarithmic y axis (base 10).
    pub log_y: bool,
    /// Where the legend goes.
    pub legend: SeriesLabelPosition,
}

impl<'a> Chart<'a> {
    /// Linear axes, legend at the upper right.
    pub fn new(title: &'a str, x_label: &'a str, y_label: &'a str) -> Self {
        Chart {
            title,
            x_label,
            y_label,
            log_x: false,
            log_y: false,
            legend: SeriesLabelPosition::UpperRight,
        }
    }
    /// Logarithmic y axis.
    #[must_use]
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    /// Logarithmic x and y axes.
    #[must_use]
    pub fn log_log(mut self) -> Self {
        self.log_x = true;
        self.log_y = true;
        self
    }
    /// Moves the legend.
    #[must_use]
    pub fn legend(mut self, position: SeriesLabelPosition) -> Self {
        self.legend = position;
        self
    }
}

/// Tick label of a (possibly log10-transformed) axis value.
fn tick(v: f64, log: bool) -> String {
    if !log {
        return format!("{v}");
    }
    if (v - v.round()).abs() < 1e-9 {
        format!("1e{}", v.round())
    } else {
        format!("{:.1e}", 10f64.powf(v))
    }
}

/// Smallest and largest of `values`, widened by `pad` of the span (or by 1 if it is empty).
fn span(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let w = if hi > lo { hi - lo } else { 1.0 };
    (lo - pad * w, hi + pad * w)
}

/// Curves on one chart, with axis labels and a legend. Log axes plot `log10` of the values and
/// label the ticks `1e-8`, `1e-6`, ...
pub fn line_chart(path: &Path, chart: &Chart, series: &[Series]) -> PlotResult {
    let tf = |v: f64, log: bool| if log { v.log10() } else { v };
    let data: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|&(x, y)| (tf(x, chart.log_x), tf(y, chart.log_y)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect()
        })
        .collect();
    let (x0, x1) = span(data.iter().flatten().map(|p| p.0), 0.02);
    let (y0, y1) = span(data.iter().flatten().map(|p| p.1), 0.05);

    let root = SVGBackend::new(path, (860, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut ch = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let (log_x, log_y) = (chart.log_x, chart.log_y);
    let fx = move |v: &f64| tick(*v, log_x);
    let fy = move |v: &f64| tick(*v, log_y);
    ch.configure_mesh()
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for (i, (s, pts)) in series.iter().zip(&data).enumerate() {
        let c = color(i);
        let style = if s.light {
            c.mix(0.6).stroke_width(1)
        } else {
            c.stroke_width(2)
        };
        ch.draw_series(LineSeries::new(pts.iter().copied(), style))?
            .label(s.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        if s.markers {
            ch.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
    }
    ch.configure_series_labels()
        .position(chart.legend.clone())
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// A path of an optimizer over a [`heat_map`].
pub struct Path2 {
    /// Legend text.
    pub label: String,
    /// The iterates, start first.
    pub points: Vec<(f64, f64)>,
}

impl Path2 {
    /// A labelled path.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Path2 {
            label: label.into(),
            points,
        }
    }
}

/// Region and labels of a [`heat_map`].
pub struct Map<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// x-axis description.
    pub x_label: &'a str,
    /// y-axis description.
    pub y_label: &'a str,
    /// The x range.
    pub x: (f64, f64),
    /// The y range.
    pub y: (f64, f64),
    /// Color by `ln(1 + f - min f)` instead of `f` (for functions spanning decades).
    pub log_values: bool,
    /// Cells per side of the color grid.
    pub cells: usize,
    /// Contour levels drawn (evenly spaced in the color variable).
    pub contours: usize,
    /// Color bands (the color variable is quantized, as a filled contour plot).
    pub bands: usize,
}

impl<'a> Map<'a> {
    /// A log-colored map of `x` by `y` with 60 cells per side, 20 color bands and 5 contour
    /// lines.
    pub fn new(title: &'a str, x: (f64, f64), y: (f64, f64)) -> Self {
        Map {
            title,
            x_label: "x",
            y_label: "y",
            x,
            y,
            log_values: true,
            cells: 60,
            contours: 5,
            bands: 20,
        }
    }
    /// Sets the axis descriptions.
    #[must_use]
    pub fn labels(mut self, x_label: &'a str, y_label: &'a str) -> Self {
        self.x_label = x_label;
        self.y_label = y_label;
        self
    }
    /// Colors by the value itself.
    #[must_use]
    pub fn linear(mut self) -> Self {
        self.log_values = false;
        self
    }
}

/// Viridis-like colormap, `t` in [0, 1].
pub fn colormap(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let s = t * (ANCHORS.len() - 1) as f64;
    let i = (s.floor() as usize).min(ANCHORS.len() - 2);
    let w = s - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |p: f64, q: f64| (p + w * (q - p)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The segments of the `level` contour of a grid `z[j][i]` at `xs[i]`, `ys[j]` (marching squares).
fn contour_segments(xs: &[f64], ys: &[f64], z: &[Vec<f64>], level: f64) -> Vec<[(f64, f64); 2]> {
    let mut out = Vec::new();
    for j in 0..ys.len() - 1 {
        for i in 0..xs.len() - 1 {
            // Corners counter-clockwise from the lower left.
            let c = [
                (xs[i], ys[j], z[j][i]),
                (xs[i + 1], ys[j], z[j][i + 1]),
                (xs[i + 1], ys[j + 1], z[j + 1][i + 1]),
                (xs[i], ys[j + 1], z[j + 1][i]),
            ];
            let mut hits = Vec::with_capacity(4);
            for e in 0..4 {
                let (p, q) = (c[e], c[(e + 1) % 4]);
                if (p.2 < level) != (q.2 < level) {
                    let t = (level - p.2) / (q.2 - p.2);
                    hits.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
                }
            }
            for pair in hits.chunks_exact(2) {
                out.push([pair[0], pair[1]]);
            }
        }
    }
    out
}

/// A color map of `f` over a rectangle with contour lines, and optimizer paths over it: each
/// path as a line with its iterates as dots, its start as a large circle and its end as a cross.
/// A path is cut where it first leaves the rectangle.
pub fn heat_map(
    path: &Path,
    map: &Map,
    f: &dyn Fn(f64, f64) -> f64,
    paths: &[Path2],
) -> PlotResult {
    let n = map.cells.max(2);
    let (x0, x1) = map.x;
    let (y0, y1) = map.y;
    let (dx, dy) = ((x1 - x0) / n as f64, (y1 - y0) / n as f64);
    // Values at the cell centres: the color grid and the contour grid.
    let xs: Vec<f64> = (0..n).map(|i| x0 + (i as f64 + 0.5) * dx).collect();
    let ys: Vec<f64> = (0..n).map(|j| y0 + (j as f64 + 0.5) * dy).collect();
    let raw: Vec<Vec<f64>> = ys
        .iter()
        .map(|&y| xs.iter().map(|&x| f(x, y)).collect())
        .collect();
    let lo = raw
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let t = |v: f64| {
        if map.log_values {
            (v - lo).ln_1p()
        } else {
            v
        }
    };
    let z: Vec<Vec<f64>> = raw
        .iter()
        .map(|row| row.iter().map(|&v| t(v)).collect())
        .collect();
    let (zlo, zhi) = span(z.iter().flatten().copied().filter(|v| v.is_finite()), 0.0);

    let root: DrawingArea<SVGBackend, Shift> =
        SVGBackend::new(path, (720, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut ch = ChartBuilder::on(&root)
        .caption(map.title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    ch.configure_mesh()
        .disable_mesh()
        .x_desc(map.x_label)
        .y_desc(map.y_label)
        .draw()?;
    // Filled bands: the color variable quantized to `bands` levels, equal neighbours in a row
    // merged into one rectangle (keeps the SVG small).
    let bands = map.bands.max(2);
    let band = |v: f64| (((v - zlo) / (zhi - zlo) * bands as f64) as usize).min(bands - 1);
    let mut cells_drawn = Vec::new();
    for (j, row) in z.iter().enumerate() {
        let mut i = 0;
        while i < n {
            let b = band(row[i]);
            let mut e = i + 1;
            while e < n && band(row[e]) == b {
                e += 1;
            }
            let (cx, cy) = (x0 + i as f64 * dx, y0 + j as f64 * dy);
            let c = colormap((b as f64 + 0.5) / bands as f64);
            cells_drawn.push(Rectangle::new(
                [(cx, cy), (x0 + e as f64 * dx, cy + dy)],
                c.filled(),
            ));
            i = e;
        }
    }
    ch.draw_series(cells_drawn)?;
    for k in 1..=map.contours {
        let level = zlo + (zhi - zlo) * k as f64 / (map.contours + 1) as f64;
        let segs = contour_segments(&xs, &ys, &z, level);
        ch.draw_series(
            segs.into_iter()
                .map(|s| PathElement::new(s.to_vec(), WHITE.mix(0.45).stroke_width(1))),
        )?;
    }
    let inside = |&(x, y): &(f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
    for (k, p) in paths.iter().enumerate() {
        // Red first: it stands out on viridis.
        let c = [
            COLORS[3], COLORS[1], WHITE, COLORS[6], COLORS[0], COLORS[2], COLORS[4], COLORS[5],
        ][k % 8];
        let pts: Vec<(f64, f64)> = p.points.iter().copied().take_while(inside).collect();
        let Some((&start, &end)) = pts.first().zip(pts.last()) else {
            continue;
        };
        ch.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))?
            .label(p.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        // Dots at the steps (thinned to at most ~200).
        let every = pts.len().div_ceil(200).max(1);
        ch.draw_series(
            pts.iter()
                .step_by(every)
                .map(|&q| Circle::new(q, 2, c.filled())),
        )?;
        ch.draw_series([
            Circle::new(start, 7, c.filled()),
            Circle::new(start, 7, BLACK.stroke_width(1)),
        ])?;
        ch.draw_series([Cross::new(end, 8, BLACK.stroke_width(4))])?;
        ch.draw_series([Cross::new(end, 7, c.stroke_width(2))])?;
    }
    if !paths.is_empty() {
        ch.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("start")
            .legend(|(x, y)| Circle::new((x + 10, y), 6, BLACK.filled()));
        ch.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("end")
            .legend(|(x, y)| Cross::new((x + 10, y), 6, BLACK.stroke_width(2)));
        ch.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Checks that `path` is a non-empty SVG document (`<svg ...>...</svg>`); for the examples' own
/// self-check at the end.
pub fn looks_like_svg(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| {
        let s = s.trim();
        s.len() > 200 && s.starts_with("<svg") && s.ends_with("</svg>")
    })
}
