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
pub mod digest;
pub mod error;
pub mod fhir;
pub mod file_types;
pub mod git;
pub mod init;
pub mod keys;
pub mod load;
pub mod lsp;
pub mod media_type;
pub mod model;
pub mod pipeline;
pub mod preview;
pub mod publish;
pub mod render;
pub mod report;
pub mod risk_analysis;
pub mod scaffold;
/// Forwarding path for [`load::schema`], where the schemas now live.
pub use load::schema;
pub mod scoring;
pub mod validate;
pub mod version;
