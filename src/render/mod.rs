//! The render stage: a loaded moment becomes the normalised `moment.json`
//! ([`normal`]) and the static pages of its citizen and staff views ([`site`]).

mod href;
pub mod markdown;
mod normal;
mod site;
pub mod theme;

pub use href::href;
pub use normal::{
    NormalBlock, NormalModule, NormalMoment, NormalText, normalise, page_names, page_of,
};
pub use site::{NAV_WINDOW, site};

use crate::diagnostic::Diagnostic;
use crate::load::LoadedMoment;
use crate::load::refs::Assets;
use crate::model::MomentMeta;
use theme::Theme;

/// Version of the bundle format (`manifest.json` and `moment.json`).
pub const FORMAT_VERSION: u32 = 1;

/// A rendered moment.
#[derive(Debug)]
pub struct Rendered {
    /// `moment.json`.
    pub moment: NormalMoment,
    /// Files of `site/`: path inside `site/` and content.
    pub site: Vec<(String, String)>,
}

/// Renders a valid moment: `moment.json` and its pages. `meta` and every module's
/// front matter must be present (the check stage guarantees it).
pub fn moment(
    loaded: &LoadedMoment,
    meta: &MomentMeta,
    assets: &Assets,
    theme: &Theme,
    tool_version: &str,
) -> Result<Rendered, Diagnostic> {
    let normal = normalise(loaded, meta, assets);
    let site = site(&normal, theme, tool_version)?;
    Ok(Rendered {
        moment: normal,
        site,
    })
}
