//! Media of a moment as bundling sees it: the content-addressed files under
//! `assets/`. Which files a moment refers to is read in [`crate::load::refs`]; this
//! module only forwards to it for bundling code.

pub use crate::digest::hex;
pub use crate::load::refs::{Asset, Assets, collect};
