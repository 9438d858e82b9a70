//! The validate stage: the rules and lints that go beyond what a schema can say.

mod consistency;
mod content;
pub use content::ALT_PLACEHOLDER;
mod form;
mod formtests;
mod meta;
mod modules;
mod risk;
pub mod scope;
mod units;

use rayon::prelude::*;

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::load::Repository;

/// Settings of a check.
#[derive(Clone, Debug)]
pub struct Options {
    /// Highest LIX readability index allowed before W009.
    pub max_lix: f64,
    /// Report warnings as errors.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_lix: 50.0,
            strict: false,
        }
    }
}

/// Runs every rule over a loaded repository and returns all diagnostics, loading
/// problems included, sorted by file and line.
pub fn repository(repo: &Repository, options: &Options) -> Vec<Diagnostic> {
    let mut all = repo.diagnostics.clone();
    units::check(repo, &mut all);
    let per_moment: Vec<Vec<Diagnostic>> = repo
        .moments
        .par_iter()
        .map(|moment| {
            let mut out = Vec::new();
            meta::check(moment, repo, &mut out);
            risk::check(moment, repo, &mut out);
            content::check(moment, options, &mut out);
            modules::check(moment, &mut out);
            consistency::check(moment, &mut out);
            for form in &moment.forms {
                form::check(form, moment, &mut out);
                formtests::check(form, &mut out);
            }
            out
        })
        .collect();
    all.extend(per_moment.into_iter().flatten());
    if options.strict {
        for d in &mut all {
            d.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut all);
    all
}
