//! `moment`: author digital support and treatment programs as YAML and Markdown in git,
//! and check, build, preview, diff and publish them.
//!
//! The pipeline runs in stages, one module each: [`load`] reads and parses,
//! [`validate`] applies the rules, and later stages render, bundle and publish.

pub mod build;
pub mod bundle;
pub mod cache;
pub mod codeowners;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod git;
pub mod init;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod preview;
pub mod publish;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod scoring;
pub mod validate;
