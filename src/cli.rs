//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Author digital support and treatment programs as YAML and Markdown in git.
#[derive(Debug, Parser)]
#[command(name = "moment", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every moment: schemas, rules, lints and form tests.
    Check(CheckArgs),
    /// Check, then compile reproducible, versioned bundles into dist/.
    Build(BuildArgs),
    /// Show what changed between two versions, classed clinical, content or cosmetic.
    Diff(DiffArgs),
    /// Serve a live-reloading preview of every moment on 127.0.0.1.
    Preview(PreviewArgs),
    /// Scaffold a new moment that `moment check` accepts as it is.
    New(NewArgs),
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text with source snippets; colour on a terminal.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Arguments of `moment check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The repository root, or one moment's folder.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Highest LIX readability index allowed per Markdown file.
    #[arg(long, default_value_t = 50.0, value_name = "N")]
    pub max_lix: f64,
    /// Also enforce the version policy against this git revision (such as origin/main).
    #[arg(long, value_name = "REV")]
    pub against: Option<String>,
}

/// Arguments of `moment build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Moment ids to build (default: all).
    pub ids: Vec<String>,
    /// Output folder.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
    /// The repository root.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Highest LIX readability index allowed per Markdown file.
    #[arg(long, default_value_t = 50.0, value_name = "N")]
    pub max_lix: f64,
}

/// Arguments of `moment preview`.
#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// The repository root.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Port to listen on (0 picks a free port).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Address to bind; anything but loopback exposes unpublished content.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Open the preview in a browser.
    #[arg(long)]
    pub open: bool,
}

/// Kinds of moment, for `moment new`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MomentKind {
    /// Patient education.
    Education,
    /// A course.
    Course,
    /// A support program.
    Support,
    /// A self-assessment.
    Assessment,
    /// A health plan.
    Healthplan,
    /// A treatment program.
    Treatment,
}

/// Arguments of `moment new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The new moment's id: lowercase letters, digits and hyphens.
    pub id: String,
    /// Its title.
    #[arg(long)]
    pub title: Option<String>,
    /// Its publisher unit (default: the first unit in units.yaml).
    #[arg(long)]
    pub unit: Option<String>,
    /// Its kind.
    #[arg(long, value_enum, default_value_t = MomentKind::Education)]
    pub kind: MomentKind,
    /// The repository root.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for a terminal; colour on a terminal.
    Human,
    /// One JSON document.
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
    /// Swedish release notes for care-provider administrators.
    ReleaseNotes,
}

/// Arguments of `moment diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old side: a git revision (main, HEAD~3, somn/v1.2.0) or `.` for the working tree.
    pub from: String,
    /// The new side (default: the working tree).
    #[arg(default_value = ".")]
    pub to: String,
    /// Compare FROM with the working tree (the same as giving `.` as TO).
    #[arg(long)]
    pub worktree: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// The repository root.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
}
