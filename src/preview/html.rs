//! The preview's own pages: the index of moments, the error overlay, the toolbar
//! injected into theme pages, and the not-found page.

use std::fmt::Write;

use crate::diagnostic::{Lang, Severity};

use super::state::{MomentView, Snapshot};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;line-height:1.5;color:#1b1b1b}main{max-width:60rem;margin:0 auto;padding:1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #8a8a8a;padding:.4rem .6rem;text-align:left}th{background:#e8f1f8}a{color:#00508c}.err{color:#b5121b;font-weight:700}.warn{color:#7a4b00}:focus-visible{outline:3px solid #ffbf47}";

/// The index of every moment.
pub fn index(snapshot: &Snapshot) -> String {
    let mut rows = String::new();
    for m in snapshot.moments.values() {
        let _ = write!(
            rows,
            r#"<tr><td><a href="/m/{id}/site/index.html">{title}</a></td><td>{version}</td><td>{unit}</td><td>{kind}</td><td><a href="/m/{id}/site/staff.html">personalens vy</a></td><td>{status}</td></tr>"#,
            id = escape(&m.id),
            title = escape(&m.title),
            version = escape(&m.version),
            unit = escape(&m.unit),
            kind = escape(&m.kind),
            status = status(m),
        );
    }
    format!(
        r#"<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>moment preview</title><style>{STYLE}</style></head><body><main id="main"><h1>Förhandsvisning</h1><p>Alla moment i arkivet. Sidorna laddas om när du sparar en fil.</p><table><thead><tr><th scope="col">Moment</th><th scope="col">Version</th><th scope="col">Utgivarenhet</th><th scope="col">Typ</th><th scope="col">Personal</th><th scope="col">Kontroll</th></tr></thead><tbody>{rows}</tbody></table></main><script src="/_moment/client.js" defer></script></body></html>"#
    )
}

fn status(m: &MomentView) -> String {
    match (m.errors(), m.warnings()) {
        (0, 0) => "inga problem".to_owned(),
        (e, w) => {
            let noun = if w == 1 { "varning" } else { "varningar" };
            format!(r#"<span class="err">{e} fel</span>, <span class="warn">{w} {noun}</span>"#)
        }
    }
}

/// The HTML injected before `</body>` of every theme page: toolbar, error overlay and client.
pub fn inject(page: &str, m: &MomentView, generation: u64) -> String {
    let mut extra = format!(
        r#"<div id="moment-preview" data-moment="{id}" data-generation="{generation}" data-messaging="{messaging}" style="position:fixed;bottom:0;right:0;z-index:9999;background:#1b1b1b;color:#fff;padding:.4rem .8rem;font:14px system-ui,sans-serif;border-top-left-radius:.4rem"><a href="/" style="color:#fff">Alla moment</a> · <button type="button" id="moment-narrow" aria-pressed="false">Mobilbredd</button> · <span id="moment-status">{status}</span></div>"#,
        id = escape(&m.id),
        messaging = m.normal.as_ref().is_some_and(|n| n.messaging),
        status = if m.errors() > 0 {
            format!("{} fel", m.errors())
        } else {
            "aktuell".to_owned()
        },
    );
    if m.errors() > 0 {
        extra.push_str(&overlay(m));
    }
    extra.push_str(r#"<script src="/_moment/client.js" defer></script>"#);
    match page.rfind("</body>") {
        Some(at) => format!("{}{}{}", &page[..at], extra, &page[at..]),
        None => format!("{page}{extra}"),
    }
}

/// The overlay listing a moment's errors above its last good build.
pub fn overlay(m: &MomentView) -> String {
    let mut items = String::new();
    for d in m
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        let _ = write!(
            items,
            "<li><code>{file}:{line}:{col}</code> <strong>{code}</strong> {msg}{hint}</li>",
            file = escape(&d.file),
            line = d.line,
            col = d.column,
            code = d.code,
            // The preview speaks Swedish: so do its diagnostics.
            msg = escape(d.message_in(Lang::Sv)),
            hint = d
                .hint_in(Lang::Sv)
                .map_or(String::new(), |h| format!("<br><em>{}</em>", escape(h))),
        );
    }
    let last_good = if m.pages.is_empty() {
        "Det finns ingen tidigare fungerande version att visa."
    } else {
        "Under rutan syns den senaste fungerande versionen."
    };
    format!(
        r#"<div id="moment-overlay" role="alert" style="position:fixed;inset:auto 1rem 3rem 1rem;max-height:60vh;overflow:auto;z-index:9998;background:#fff5f5;color:#1b1b1b;border:3px solid #b5121b;border-radius:.5rem;padding:1rem;font:15px/1.5 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.3)"><h2 style="margin-top:0;color:#b5121b">Fel i {title}</h2><p>{last_good} Rätta filen och spara, så försvinner rutan.</p><ul>{items}</ul></div>"#,
        title = escape(&m.title),
    )
}

/// A page for an unknown path.
pub fn not_found(path: &str) -> String {
    format!(
        r#"<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Sidan finns inte</title><style>{STYLE}</style></head><body><main id="main"><h1>Sidan finns inte</h1><p>Det finns ingen sida på <code>{}</code> i förhandsvisningen.</p><p><a href="/">Visa alla moment</a></p></main></body></html>"#,
        escape(path)
    )
}
