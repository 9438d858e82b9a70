//! The static site of a normalised moment: its pages through the theme's templates.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::NormalMoment;
use super::theme::Theme;
use crate::diagnostic::Diagnostic;
use crate::model::Form;

/// The most modules the navigation of one page lists. A moment of more modules
/// gets a window around the current module on each page, so that the pages together
/// stay linear in the number of modules instead of quadratic.
pub const NAV_WINDOW: usize = 50;

/// The range of modules the navigation of the page of module `index` lists (the
/// first ones on pages that are not modules).
fn nav_window(count: usize, index: Option<usize>) -> (usize, usize) {
    if count <= NAV_WINDOW {
        return (0, count);
    }
    let from = index
        .map_or(0, |i| i.saturating_sub(NAV_WINDOW / 2))
        .min(count - NAV_WINDOW);
    (from, from + NAV_WINDOW)
}

/// Renders the static site of a normalised moment.
pub fn site(
    normal: &NormalMoment,
    theme: &Theme,
    tool_version: &str,
) -> Result<Vec<(String, String)>, Diagnostic> {
    let forms: BTreeMap<&str, &Form> = normal.forms.iter().map(|f| (f.id.as_str(), f)).collect();
    // Converted once: every page shares these values.
    let moment_value = minijinja::Value::from_serialize(normal);
    let forms_value = minijinja::Value::from_serialize(&forms);
    let strings = minijinja::Value::from_serialize(theme.strings(&normal.language));
    let modules: Vec<minijinja::Value> = normal
        .modules
        .iter()
        .map(minijinja::Value::from_serialize)
        .collect();
    let ctx = |view: &str, page: &str, index: Option<usize>| {
        let at = |i: Option<usize>| i.and_then(|i| modules.get(i)).cloned();
        let (from, to) = nav_window(modules.len(), index);
        minijinja::context! {
            nav => minijinja::context! {
                modules => modules[from..to].to_vec(),
                first => from + 1,
                more_before => from > 0,
                more_after => to < modules.len(),
            },
            moment => moment_value.clone(),
            forms => forms_value.clone(),
            t => strings.clone(),
            view => view,
            page => page,
            module => at(index),
            previous => at(index.and_then(|i| i.checked_sub(1))),
            next => at(index.map(|i| i + 1)),
            tool_version => tool_version,
        }
    };
    let mut files = Vec::with_capacity(normal.modules.len() + 3);
    files.push((
        "index.html".to_owned(),
        theme.render("index.html", ctx("citizen", "index.html", None))?,
    ));
    files.push((
        "staff.html".to_owned(),
        theme.render("staff.html", ctx("staff", "staff.html", None))?,
    ));
    // Pages in parallel, then in order, so that a template error is always that of
    // the first page that has one (see `normal::normalise`).
    let pages: Vec<Result<(String, String), Diagnostic>> = normal
        .modules
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            let html = theme.render("module.html", ctx("citizen", &m.page, Some(i)))?;
            Ok((m.page.clone(), html))
        })
        .collect();
    let pages = pages.into_iter().collect::<Result<Vec<_>, _>>()?;
    files.extend(pages);
    files.push(("style.css".to_owned(), theme.css().to_owned()));
    Ok(files)
}
