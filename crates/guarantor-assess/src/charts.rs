//! The brief's charts as standalone SVG: a heat map and horizontal bar charts.
//!
//! Written by hand rather than with a plotting crate because the charts are few and simple, the
//! output must be deterministic (snapshot tests) and embeddable both in HTML and in typst, and
//! plotting crates' text rendering pulls system font libraries. Every chart states its unit on
//! the axis, carries a legend when it has more than one series, and tells its series apart by
//! lightness as well as hue so that it reads in greyscale print.

use std::fmt::Write;

/// Chart text: sans-serif in browsers; typst falls back to its embedded fonts.
const FONT: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
/// Series fills, dark to light, so that greyscale print keeps them apart.
const SERIES: [&str; 3] = ["#1d3557", "#8fa9c8", "#d9e2ec"];
/// Outline of light bars, so a white-ish bar stays visible on paper.
const OUTLINE: &str = "#1d3557";

/// Escapes text for SVG/XML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number as written in chart labels: thousands separated, at most one decimal.
fn label_number(x: f64) -> String {
    crate::format::number(
        x,
        if x.abs() >= 100.0 || x.fract() == 0.0 {
            0
        } else {
            1
        },
    )
}

/// The opening of a chart's SVG at 11 px: its size, its title as accessible name, its
/// description in words (`desc`) and the title drawn above the plot.
fn svg_head(width: f64, height: f64, title: &str, describe: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="{FONT}" font-size="11" role="img" aria-label="{t}"><title>{t}</title><desc>{d}</desc><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
        t = esc(title),
        d = esc(describe)
    )
}

/// One series of a bar chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per category, in the chart's unit.
    pub values: Vec<f64>,
}

/// A horizontal bar chart: one row per category, bars side by side or stacked.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Title, drawn above the plot.
    pub title: String,
    /// The value axis label with its unit, e.g. "personnel committed (persons)".
    pub axis: String,
    /// Row labels.
    pub categories: Vec<String>,
    /// The series (at most three).
    pub series: Vec<Series>,
    /// Stack the series in one bar instead of drawing them side by side.
    pub stacked: bool,
    /// Append this to value labels, e.g. "%".
    pub value_suffix: String,
}

/// Rounds an axis maximum up to 1, 2 or 5 × a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|m| *m >= max * 0.999_999)
        .unwrap_or(10.0 * magnitude)
}

impl BarChart {
    /// The data in words, for readers who cannot see the chart (the SVG's `desc`).
    pub fn describe(&self) -> String {
        let rows: Vec<String> = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let values: Vec<String> = self
                    .series
                    .iter()
                    .map(|s| {
                        let v = label_number(s.values.get(i).copied().unwrap_or(0.0));
                        if self.series.len() > 1 {
                            format!("{} {v}{}", s.name, self.value_suffix)
                        } else {
                            format!("{v}{}", self.value_suffix)
                        }
                    })
                    .collect();
                format!("{c}: {}", values.join(", "))
            })
            .collect();
        format!("{}. {}.", self.axis, rows.join("; "))
    }

    /// Draws the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const RIGHT: f64 = 70.0;
        // Category names are written right-aligned before the bars: room for the longest
        // (about 6.3 px a character at 11 px), so that no name is clipped at the left edge; the
        // plot keeps its width.
        let longest = self
            .categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let label_w = (longest * 6.3 + 14.0).max(170.0);
        let width = label_w + 480.0 + RIGHT;
        const TOP: f64 = 52.0;
        let series = &self.series[..self.series.len().min(SERIES.len())];
        let bars_per_row = if self.stacked { 1 } else { series.len().max(1) };
        let bar_h = 12.0;
        let row_h = bar_h * bars_per_row as f64 + 8.0;
        let plot_h = row_h * self.categories.len().max(1) as f64;
        let legend_h = if series.len() > 1 { 22.0 } else { 0.0 };
        let height = TOP + plot_h + 40.0 + legend_h;
        let plot_w = width - label_w - RIGHT;
        let row_total = |i: usize| -> f64 {
            if self.stacked {
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                    .sum()
            } else {
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                    .fold(0.0, f64::max)
            }
        };
        let max = nice_max(
            (0..self.categories.len())
                .map(row_total)
                .fold(0.0, f64::max),
        );
        let x = |v: f64| label_w + (v.max(0.0) / max) * plot_w;

        let mut s = svg_head(width, height, &self.title, &self.describe());
        // Grid and value axis: five ticks.
        for k in 0..=5 {
            let v = max * f64::from(k) / 5.0;
            let gx = x(v);
            let _ = write!(
                s,
                r##"<line x1="{gx:.1}" y1="{TOP}" x2="{gx:.1}" y2="{y2:.1}" stroke="#c8c8c8" stroke-width="0.6"/><text x="{gx:.1}" y="{ty:.1}" text-anchor="middle">{label}{suffix}</text>"##,
                y2 = TOP + plot_h,
                ty = TOP + plot_h + 14.0,
                label = label_number(v),
                suffix = esc(&self.value_suffix),
            );
        }
        let _ = write!(
            s,
            r#"<text x="{cx:.1}" y="{ay:.1}" text-anchor="middle" font-style="italic">{axis}</text>"#,
            cx = label_w + plot_w / 2.0,
            ay = TOP + plot_h + 30.0,
            axis = esc(&self.axis)
        );
        for (i, category) in self.categories.iter().enumerate() {
            let row_y = TOP + row_h * i as f64 + 4.0;
            let _ = write!(
                s,
                r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end">{c}</text>"#,
                lx = label_w - 6.0,
                ly = row_y + (row_h - 8.0) / 2.0 + 4.0,
                c = esc(category)
            );
            let mut offset = 0.0;
            for (k, serie) in series.iter().enumerate() {
                let v = serie.values.get(i).copied().unwrap_or(0.0);
                let (bx, by) = if self.stacked {
                    (x(offset), row_y)
                } else {
                    (x(0.0), row_y + bar_h * k as f64)
                };
                let w = (x(if self.stacked { offset + v } else { v }) - bx).max(0.0);
                // A zero-width bar draws nothing and some renderers reject it.
                if w > 0.0 {
                    let _ = write!(
                        s,
                        r#"<rect x="{bx:.1}" y="{by:.1}" width="{w:.1}" height="{bar_h}" fill="{fill}" stroke="{OUTLINE}" stroke-width="0.5"><title>{name}: {value}{suffix}</title></rect>"#,
                        fill = SERIES[k],
                        name = esc(&serie.name),
                        value = label_number(v),
                        suffix = esc(&self.value_suffix),
                    );
                }
                if !self.stacked {
                    let _ = write!(
                        s,
                        r#"<text x="{tx:.1}" y="{ty:.1}">{value}{suffix}</text>"#,
                        tx = bx + w + 3.0,
                        ty = by + bar_h - 2.5,
                        value = label_number(v),
                        suffix = esc(&self.value_suffix),
                    );
                }
                offset += v;
            }
            if self.stacked {
                let _ = write!(
                    s,
                    r#"<text x="{tx:.1}" y="{ty:.1}">{value}{suffix}</text>"#,
                    tx = x(offset) + 3.0,
                    ty = row_y + bar_h - 2.5,
                    value = label_number(offset),
                    suffix = esc(&self.value_suffix),
                );
            }
        }
        if series.len() > 1 {
            legend(
                &mut s,
                label_w,
                TOP + plot_h + 44.0,
                series.iter().map(|x| x.name.as_str()),
            );
        }
        s.push_str("</svg>");
        s
    }
}

fn legend<'a>(s: &mut String, x0: f64, y: f64, names: impl Iterator<Item = &'a str>) {
    let mut x = x0;
    for (k, name) in names.enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{ry:.1}" width="12" height="10" fill="{fill}" stroke="{OUTLINE}" stroke-width="0.5"/><text x="{tx:.1}" y="{y:.1}">{n}</text>"#,
            ry = y - 9.0,
            fill = SERIES[k % SERIES.len()],
            tx = x + 16.0,
            n = esc(name)
        );
        x += 16.0 + 6.5 * name.chars().count() as f64 + 18.0;
    }
}

/// A chart over time: each series a step line that holds its value until the next day it
/// changed (a record of steps, not a trend between them).
#[derive(Debug, Clone)]
pub struct TimeChart {
    /// Title, drawn above the plot.
    pub title: String,
    /// The value axis label with its unit.
    pub axis: String,
    /// The days, oldest first; every series has one value per day.
    pub days: Vec<chrono::NaiveDate>,
    /// The series (at most four).
    pub series: Vec<Series>,
    /// A horizontal line to read the series against (e.g. units required), with its name.
    pub target: Option<(String, f64)>,
    /// Append this to value labels, e.g. "%".
    pub value_suffix: String,
}

/// Line colours and dash patterns of a time chart's series, dark to light and solid to
/// dotted, so that the lines stay apart in greyscale print.
const LINES: [(&str, &str); 4] = [
    ("#1d3557", ""),
    ("#457b9d", "6 3"),
    ("#8a6d00", "2 2"),
    ("#2a9d8f", "8 3 2 3"),
];

impl TimeChart {
    /// The data in words, for readers who cannot see the chart (the SVG's `desc`).
    pub fn describe(&self) -> String {
        let days: Vec<String> = self
            .days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                let values: Vec<String> = self
                    .series
                    .iter()
                    .map(|s| {
                        format!(
                            "{} {}{}",
                            s.name,
                            label_number(s.values.get(i).copied().unwrap_or(0.0)),
                            self.value_suffix
                        )
                    })
                    .collect();
                format!("{day}: {}", values.join(", "))
            })
            .collect();
        let target = self.target.as_ref().map_or_else(String::new, |(name, v)| {
            format!(" ({name}: {}{})", label_number(*v), self.value_suffix)
        });
        format!("{}{target}. {}.", self.axis, days.join("; "))
    }

    /// Draws the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 60.0;
        const TOP: f64 = 40.0;
        const PLOT_W: f64 = 560.0;
        const PLOT_H: f64 = 200.0;
        let series = &self.series[..self.series.len().min(LINES.len())];
        let width = LEFT + PLOT_W + 30.0;
        let height = TOP + PLOT_H + 70.0;
        let max = nice_max(
            series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .chain(self.target.iter().map(|(_, v)| *v))
                .fold(0.0, f64::max),
        );
        let (first, last) = match (self.days.first(), self.days.last()) {
            (Some(a), Some(b)) => (*a, *b),
            _ => (chrono::NaiveDate::MIN, chrono::NaiveDate::MIN),
        };
        // The axis runs a tenth past the last day (a day at least), so that the last step is
        // drawn as a segment rather than a jump at the edge.
        let days = (last - first).num_days();
        let span = (days + (days + 9) / 10).max(1) as f64;
        let x = |d: chrono::NaiveDate| LEFT + ((d - first).num_days() as f64 / span) * PLOT_W;
        let y = |v: f64| TOP + PLOT_H - (v.max(0.0) / max) * PLOT_H;

        let mut s = svg_head(width, height, &self.title, &self.describe());
        // Four steps when each is a whole or a half (25% of 100, 2.5 of 10), else five (1 of 5).
        let quarter = max / 4.0;
        let steps = if (quarter * 2.0).fract() == 0.0 { 4 } else { 5 };
        for k in 0..=steps {
            let v = max * f64::from(k) / f64::from(steps);
            let gy = y(v);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{x2:.1}" y2="{gy:.1}" stroke="#c8c8c8" stroke-width="0.6"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="end">{label}{suffix}</text>"##,
                x2 = LEFT + PLOT_W,
                tx = LEFT - 5.0,
                ty = gy + 4.0,
                label = label_number(v),
                suffix = esc(&self.value_suffix),
            );
        }
        // Day labels: the first, the last and, between them, as many as fit 80 px apart.
        let end = x(last);
        let mut labelled: Vec<f64> = Vec::new();
        for (i, day) in self.days.iter().enumerate() {
            let dx = x(*day);
            let is_end = i + 1 == self.days.len();
            let crowded = labelled.iter().any(|l| (l - dx).abs() < 80.0);
            if !is_end && (crowded || (end - dx).abs() < 80.0 && i > 0) {
                continue;
            }
            labelled.push(dx);
            let _ = write!(
                s,
                r##"<line x1="{dx:.1}" y1="{y1:.1}" x2="{dx:.1}" y2="{y2:.1}" stroke="#8c8c8c" stroke-width="0.6"/><text x="{dx:.1}" y="{ty:.1}" text-anchor="middle">{day}</text>"##,
                y1 = TOP + PLOT_H,
                y2 = TOP + PLOT_H + 4.0,
                ty = TOP + PLOT_H + 16.0,
            );
        }
        let _ = write!(
            s,
            r#"<text x="{cx:.1}" y="{ay:.1}" text-anchor="middle" font-style="italic">{axis}</text>"#,
            cx = LEFT + PLOT_W / 2.0,
            ay = TOP + PLOT_H + 32.0,
            axis = esc(&self.axis)
        );
        if let Some((name, v)) = &self.target {
            let ty = y(*v);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{ty:.1}" x2="{x2:.1}" y2="{ty:.1}" stroke="#9b2226" stroke-width="1.2" stroke-dasharray="1 3"/><text x="{x2:.1}" y="{ly:.1}" text-anchor="end" fill="#9b2226">{n}</text>"##,
                x2 = LEFT + PLOT_W,
                ly = ty - 4.0,
                n = esc(name),
            );
        }
        // A series' stroke: its colour, and its dashes unless solid.
        let stroke = |k: usize| {
            let (colour, dash) = LINES[k];
            if dash.is_empty() {
                format!(r#"stroke="{colour}" stroke-width="2""#)
            } else {
                format!(r#"stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}""#)
            }
        };
        for (k, serie) in series.iter().enumerate() {
            let mut points = Vec::new();
            for (i, day) in self.days.iter().enumerate() {
                let v = y(serie.values.get(i).copied().unwrap_or(0.0));
                if i > 0 {
                    // Hold the previous value until this day.
                    let held = y(serie.values.get(i - 1).copied().unwrap_or(0.0));
                    points.push(format!("{:.1},{held:.1}", x(*day)));
                }
                let point = format!("{:.1},{v:.1}", x(*day));
                if points.last() != Some(&point) {
                    points.push(point);
                }
            }
            let held = y(serie
                .values
                .get(self.days.len().saturating_sub(1))
                .copied()
                .unwrap_or(0.0));
            points.push(format!("{:.1},{held:.1}", LEFT + PLOT_W));
            let _ = write!(
                s,
                r#"<polyline points="{p}" fill="none" {stroke}><title>{n}</title></polyline>"#,
                p = points.join(" "),
                stroke = stroke(k),
                n = esc(&serie.name),
            );
        }
        let mut lx = LEFT;
        let ly = TOP + PLOT_H + 54.0;
        for (k, serie) in series.iter().enumerate() {
            let _ = write!(
                s,
                r#"<line x1="{lx:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" {stroke}/><text x="{tx:.1}" y="{ly:.1}">{n}</text>"#,
                stroke = stroke(k),
                y = ly - 4.0,
                x2 = lx + 22.0,
                tx = lx + 26.0,
                n = esc(&serie.name),
            );
            lx += 26.0 + 6.5 * serie.name.chars().count() as f64 + 18.0;
        }
        s.push_str("</svg>");
        s
    }
}

/// A heat map cell: a fraction in [0, 1] and whether the line is essential.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatCell {
    /// Coverage fraction.
    pub value: f64,
    /// Essential lines get a heavy border.
    pub essential: bool,
}

/// A heat map of coverage: rows × columns, empty where nothing is required.
#[derive(Debug, Clone)]
pub struct HeatMap {
    /// Title.
    pub title: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// What a cell measures, for the legend, e.g. "units offered ÷ units required".
    pub measure: String,
    /// cells[row][column].
    pub cells: Vec<Vec<Option<HeatCell>>>,
}

/// Coverage bands, light (little) to dark (full); text turns white on the two darkest.
const BANDS: [(f64, &str); 5] = [
    (0.0, "#f7f7f7"),
    (0.25, "#d0d9e4"),
    (0.5, "#9fb3c8"),
    (0.75, "#52708f"),
    (1.0, "#1d3557"),
];

fn band(value: f64) -> (usize, &'static str) {
    let i = match percent_label(value) {
        100 => 4,
        75..=99 => 3,
        50..=74 => 2,
        25..=49 => 1,
        _ => 0,
    };
    (i, BANDS[i].1)
}

/// The percentage written in a cell, rounded as every table rounds it
/// ([`guarantor_domain::format::whole_percent`]: 2 of 3 is 67); the cell's colour band is
/// chosen from this label, so the label always falls in the band its colour shows.
fn percent_label(value: f64) -> u32 {
    u32::try_from(guarantor_domain::format::whole_percent(value.max(0.0))).unwrap_or(0)
}

impl HeatMap {
    /// The cells in words, for readers who cannot see the chart (the SVG's `desc`).
    pub fn describe(&self) -> String {
        let mut cells = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            for (j, column) in self.columns.iter().enumerate() {
                if let Some(cell) = self.cells.get(i).and_then(|r| r.get(j)).copied().flatten() {
                    cells.push(format!(
                        "{row}, {column}: {}%{}",
                        percent_label(cell.value),
                        if cell.essential { " (essential)" } else { "" }
                    ));
                }
            }
        }
        format!("{}. {}.", self.measure, cells.join("; "))
    }

    /// Draws the heat map as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        const LABEL_W: f64 = 190.0;
        const CELL_H: f64 = 22.0;
        // Column labels are written at 50° up and to the right: room above and to the right
        // for the longest, so that no name is clipped (about 5.5 px a character at 10 px).
        let longest = self
            .columns
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let top = (30.0 + longest * 5.5 * 50f64.to_radians().sin()).max(118.0);
        let cell_w = (520.0 / self.columns.len().max(1) as f64).clamp(34.0, 70.0);
        let width = LABEL_W
            + cell_w * self.columns.len() as f64
            + (longest * 5.5 * 50f64.to_radians().cos()).max(20.0);
        let width = width.max(520.0);
        let height = top + CELL_H * self.rows.len().max(1) as f64 + 56.0;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="{FONT}" font-size="10" role="img" aria-label="{t}"><title>{t}</title><desc>{d}</desc><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
            t = esc(&self.title),
            d = esc(&self.describe())
        );
        for (j, column) in self.columns.iter().enumerate() {
            let cx = LABEL_W + cell_w * j as f64 + cell_w / 2.0;
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{y:.1}" transform="rotate(-50 {cx:.1} {y:.1})">{c}</text>"#,
                y = top - 6.0,
                c = esc(column)
            );
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + CELL_H * i as f64;
            let _ = write!(
                s,
                r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end">{r}</text>"#,
                lx = LABEL_W - 6.0,
                ly = y + CELL_H / 2.0 + 3.5,
                r = esc(row)
            );
            for j in 0..self.columns.len() {
                let x = LABEL_W + cell_w * j as f64;
                match self.cells.get(i).and_then(|r| r.get(j)).copied().flatten() {
                    Some(cell) => {
                        let (level, fill) = band(cell.value);
                        let text_fill = if level >= 3 { "#ffffff" } else { "#000000" };
                        let (stroke, stroke_w) = if cell.essential {
                            ("#000000", 2.0)
                        } else {
                            ("#888888", 0.6)
                        };
                        let _ = write!(
                            s,
                            r#"<rect x="{x1:.1}" y="{y1:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" fill="{text_fill}">{pct}%</text>"#,
                            x1 = x + 1.0,
                            y1 = y + 1.0,
                            w = cell_w - 2.0,
                            h = CELL_H - 2.0,
                            tx = x + cell_w / 2.0,
                            ty = y + CELL_H / 2.0 + 3.5,
                            pct = percent_label(cell.value),
                        );
                    }
                    None => {
                        let _ = write!(
                            s,
                            r##"<rect x="{x1:.1}" y="{y1:.1}" width="{w:.1}" height="{h:.1}" fill="#ffffff" stroke="#e0e0e0" stroke-width="0.6"/>"##,
                            x1 = x + 1.0,
                            y1 = y + 1.0,
                            w = cell_w - 2.0,
                            h = CELL_H - 2.0,
                        );
                    }
                }
            }
        }
        // Legend: the bands, and what a heavy border means.
        let ly = top + CELL_H * self.rows.len().max(1) as f64 + 22.0;
        let _ = write!(
            s,
            r#"<text x="0" y="{ly:.1}">{m}:</text>"#,
            m = esc(&self.measure)
        );
        let labels = ["< 25%", "25–49%", "50–74%", "75–99%", "100%"];
        for (k, (label, (_, fill))) in labels.iter().zip(BANDS).enumerate() {
            let x = 170.0 + 70.0 * k as f64;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{ry:.1}" width="14" height="11" fill="{fill}" stroke="#888888" stroke-width="0.6"/><text x="{tx:.1}" y="{ly:.1}">{label}</text>"##,
                ry = ly - 9.5,
                tx = x + 18.0,
                label = esc(label),
            );
        }
        let _ = write!(
            s,
            r##"<rect x="0" y="{ry:.1}" width="14" height="11" fill="#ffffff" stroke="#000000" stroke-width="2"/><text x="18" y="{ty:.1}">essential requirement (heavy border); blank: nothing required there</text>"##,
            ry = ly + 8.0,
            ty = ly + 17.5,
        );
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_max_rounds_up_to_one_two_five() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(20.0), 20.0);
        assert_eq!(nice_max(31_000.0), 50_000.0);
        assert_eq!(nice_max(0.42), 0.5);
    }

    /// A step chart holds each value until the day it changed and states every point in its
    /// description.
    #[test]
    fn a_time_chart_steps_and_describes_each_day() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
        let chart = TimeChart {
            title: "R3 over time".into(),
            axis: "units".into(),
            days: vec![day(1), day(11), day(21)],
            series: vec![Series {
                name: "delivered".into(),
                values: vec![0.0, 1.0, 2.0],
            }],
            target: Some(("required".into(), 2.0)),
            value_suffix: String::new(),
        };
        assert_eq!(
            chart.describe(),
            "units (required: 2). 2025-03-01: delivered 0; 2025-03-11: delivered 1; 2025-03-21: delivered 2."
        );
        let svg = chart.to_svg();
        // The plot runs from x = 60 to 620 over 20 days and 2 more, and from y = 240 (0) to 40
        // (2): the line rises at day 11 (x = 314.5) from 0 to 1, then at day 21 (x = 569.1) to
        // 2, and holds to the end.
        assert!(
            svg.contains(
                r#"points="60.0,240.0 314.5,240.0 314.5,140.0 569.1,140.0 569.1,40.0 620.0,40.0""#
            ),
            "{svg}"
        );
        assert!(svg.contains(">2025-03-01</text>") && svg.contains(">2025-03-21</text>"));
        // Against 3 required the axis runs to 5 in steps of 1, not of 1.25.
        let three = TimeChart {
            target: Some(("required".into(), 3.0)),
            ..chart
        }
        .to_svg();
        assert!(
            three.contains(">4</text>") && !three.contains(">3.8</text>"),
            "{three}"
        );
    }

    /// A long scenario name is never clipped: its right-aligned label has room to its left.
    #[test]
    fn a_long_category_name_fits_left_of_the_bars() {
        let name = "UN mandate, 15,000 troop ceiling, no presence in the east of the country";
        let chart = BarChart {
            title: "Coverage by scenario".into(),
            axis: "Essential coverage".into(),
            categories: vec![name.into(), "US backstop".into()],
            series: vec![Series {
                name: "Essential".into(),
                values: vec![0.5, 0.7],
            }],
            stacked: false,
            value_suffix: "%".into(),
        };
        let svg = chart.to_svg();
        let at = svg
            .find(&format!(">{}</text>", name.replace('&', "&amp;")))
            .expect("the name is written as a label");
        let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
        let x: f64 = tag
            .split("x=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .expect("the label's x");
        assert!(x >= name.chars().count() as f64 * 6.0, "x = {x}: {tag}");
    }

    #[test]
    fn bands_cover_the_range_and_full_only_when_met() {
        assert_eq!(band(0.0).0, 0);
        assert_eq!(band(0.999).0, 3);
        assert_eq!(band(1.0).0, 4);
        // The label and the band agree at the edges.
        assert_eq!((percent_label(0.996), band(0.996).0), (99, 3));
        assert_eq!((percent_label(0.244), band(0.244).0), (24, 0));
        assert_eq!((percent_label(0.246), band(0.246).0), (25, 1));
        assert_eq!((percent_label(0.25), band(0.25).0), (25, 1));
        // Rounded as the tables round: 2 of 3 is 67%, in the 50-74 band.
        assert_eq!((percent_label(2.0 / 3.0), band(2.0 / 3.0).0), (67, 2));
    }

    #[test]
    fn text_is_escaped() {
        let chart = BarChart {
            title: "A <b> & \"c\"".into(),
            axis: "x".into(),
            categories: vec!["<script>".into()],
            series: vec![Series {
                name: "s".into(),
                values: vec![1.0],
            }],
            stacked: false,
            value_suffix: String::new(),
        };
        let svg = chart.to_svg();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
    }
}
