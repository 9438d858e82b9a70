//! Staff graphs: scores of a repeated form over its occasions, as a self-contained SVG.

use std::fmt::Write;

use crate::model::Form;
use crate::scoring::{self, Answers, fmt_num};

use super::html::escape;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;
const COLOURS: &[&str] = &["#00508c", "#b5121b", "#2e7d32", "#6a1b9a"];

/// Draws every score of `form` over `occasions` (answers per occasion, in order).
pub fn svg(form: &Form, occasions: &[Answers]) -> String {
    let evaluations: Vec<scoring::Evaluation> = occasions
        .iter()
        .map(|a| scoring::evaluate(form, a))
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for score in &form.scores {
        if let Some((l, h, _)) = scoring::score_range(form, score) {
            lo = lo.min(l);
            hi = hi.max(h);
        }
    }
    for e in &evaluations {
        for v in e.scores.values() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let n = occasions.len().max(1);
    let x = |i: usize| {
        LEFT + (WIDTH - LEFT - RIGHT)
            * if n == 1 {
                0.5
            } else {
                i as f64 / (n - 1) as f64
            }
    };
    let y = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    let mut out = String::new();
    let title = format!("{}: poäng per tillfälle", form.title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="g-{id}-t g-{id}-d" class="graph"><title id="g-{id}-t">{title}</title><desc id="g-{id}-d">"#,
        id = escape(&form.id),
        title = escape(&title),
    );
    for (k, score) in form.scores.iter().enumerate() {
        let values: Vec<String> = evaluations
            .iter()
            .map(|e| {
                e.scores
                    .get(&score.id)
                    .map_or_else(|| "ej beräknad".to_owned(), |v| fmt_num(*v))
            })
            .collect();
        let _ = write!(
            out,
            "{}{}: {}. ",
            if k > 0 { " " } else { "" },
            escape(score.title.as_deref().unwrap_or(&score.id)),
            values.join(", ")
        );
    }
    out.push_str("</desc>");
    // Bands of the first score as a background.
    if let Some(score) = form.scores.first() {
        for (b, band) in score.bands.iter().enumerate() {
            // Each band reaches up to where the next one starts, so that whole-number
            // bands such as 3–3 still show as a stripe.
            let upper = score.bands.get(b + 1).map_or(hi, |next| next.min);
            let (top, bottom) = (y(upper.min(hi)), y(band.min.max(lo)));
            let _ = write!(
                out,
                r##"<rect x="{LEFT}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"/><text x="{tx:.1}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#333">{label}</text>"##,
                w = WIDTH - LEFT - RIGHT,
                h = (bottom - top).max(0.0),
                fill = if b % 2 == 0 { "#f1f5f9" } else { "#e2e8f0" },
                tx = WIDTH - RIGHT - 4.0,
                ty = top + 12.0,
                label = escape(&band.label),
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="#333"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b:.1}" stroke="#333"/><text x="{lx:.1}" y="{ty:.1}" font-size="11" text-anchor="end">{top}</text><text x="{lx:.1}" y="{by:.1}" font-size="11" text-anchor="end">{bottom}</text>"##,
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT,
        lx = LEFT - 6.0,
        ty = TOP + 4.0,
        by = HEIGHT - BOTTOM,
        top = fmt_num(hi),
        bottom = fmt_num(lo),
    );
    for i in 0..occasions.len() {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
            x(i),
            HEIGHT - BOTTOM + 16.0,
            i + 1
        );
    }
    for (k, score) in form.scores.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        // A line joins consecutive occasions whose score was computed; an occasion
        // without a score leaves a gap, never a point at zero.
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        for (i, e) in evaluations.iter().enumerate() {
            match e.scores.get(&score.id) {
                Some(v) => runs.last_mut().expect("at least one run").push(format!(
                    "{:.1},{:.1}",
                    x(i),
                    y(*v)
                )),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| r.len() > 1) {
            let _ = write!(
                out,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{}"/>"#,
                run.join(" ")
            );
        }
        for (i, e) in evaluations.iter().enumerate() {
            let Some(v) = e.scores.get(&score.id).copied() else {
                continue;
            };
            let alert = !e.alerts.is_empty();
            let _ = write!(
                out,
                r##"<circle cx="{:.1}" cy="{:.1}" r="{}" fill="{}" stroke="#fff" data-occasion="{}"><title>{} {}: {}{}</title></circle>"##,
                x(i),
                y(v),
                if alert { 6 } else { 4 },
                if alert { "#b5121b" } else { colour },
                i + 1,
                i + 1,
                escape(score.title.as_deref().unwrap_or(&score.id)),
                fmt_num(v),
                if alert {
                    format!(" (larm: {})", escape(&e.alerts.join(", ")))
                } else {
                    String::new()
                },
            );
        }
    }
    out.push_str("</svg>");
    out
}
