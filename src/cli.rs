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
    /// Verify a signed release tag, build its moment and add it to the catalog.
    Publish(PublishArgs),
    /// List, verify or yank what a catalog holds.
    Catalog(CatalogArgs),
    /// Write CODEOWNERS from the user groups in units.yaml.
    Codeowners(CodeownersArgs),
    /// Scaffold a moments repository with units.yaml, an example and CI workflows.
    Init(InitArgs),
    /// Explain a diagnostic code, with a bad and a fixed example.
    Explain(ExplainArgs),
}

/// Arguments of `moment explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code, such as E012 or w001.
    pub code: String,
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
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
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
    /// Show every warning in full (human output folds repeated warnings of one code).
    #[arg(long, short)]
    pub verbose: bool,
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
    /// Show every warning in full (repeated warnings of one code are folded).
    #[arg(long, short)]
    pub verbose: bool,
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
    /// Release notes for care-provider administrators, in the moment's language;
    /// exits 1 when the version policy fails.
    ReleaseNotes,
    /// GitHub workflow-command annotations on the changed lines.
    Github,
}

/// Arguments of `moment diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old side: a git revision (main, HEAD~3, somn/v1.2.0), `.` for the working
    /// tree, or a bundle (`somn-1.0.0.tar.gz` or its unpacked folder). With
    /// `--catalog`: the moment's id.
    pub from: String,
    /// The new side (default: the working tree), or a bundle when FROM is one. With
    /// `--catalog`: the old version.
    #[arg(default_value = ".")]
    pub to: String,
    /// With `--catalog`: the new version.
    pub version: Option<String>,
    /// Compare two published versions in this catalog: `--catalog URL ID FROM TO`.
    #[arg(long, value_name = "URL")]
    pub catalog: Option<String>,
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

/// Arguments of `moment publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The signed release tag, such as somn/v1.2.0.
    #[arg(long)]
    pub tag: String,
    /// The catalog: a folder, file:///path or s3://bucket/prefix.
    #[arg(long, env = "MOMENT_CATALOG")]
    pub catalog: String,
    /// The trusted revision: publishers, units and approvals are read from it, and
    /// the tagged commit must be on it (default: origin/HEAD; never the tag itself).
    #[arg(long, value_name = "REV")]
    pub trust: Option<String>,
    /// The repository root.
    #[arg(long, default_value = ".")]
    pub path: PathBuf,
}

/// Arguments of `moment catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// What to do with the catalog.
    #[command(subcommand)]
    pub action: CatalogAction,
}

/// Output formats of `catalog list` and `catalog verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// A table.
    Human,
    /// One JSON document.
    Json,
}

/// `moment catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogAction {
    /// List every published version.
    List {
        /// The catalog: a folder, file:///path or s3://bucket/prefix.
        #[arg(long, env = "MOMENT_CATALOG")]
        catalog: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Human)]
        format: TableFormat,
    },
    /// Print one published moment (or one version of it) in full.
    Show {
        /// Moment id.
        id: String,
        /// Version (default: every version).
        version: Option<String>,
        /// The catalog: a folder, file:///path or s3://bucket/prefix.
        #[arg(long, env = "MOMENT_CATALOG")]
        catalog: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Human)]
        format: TableFormat,
    },
    /// Re-hash every bundle against the index and its manifest and check the index's
    /// hash chain; exit 1 on tampering.
    Verify {
        /// The catalog: a folder, file:///path or s3://bucket/prefix.
        #[arg(long, env = "MOMENT_CATALOG")]
        catalog: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Human)]
        format: TableFormat,
        /// Also re-verify every stored signature against the key recorded with it.
        #[arg(long)]
        signatures: bool,
        /// Also require each signer to be a publisher of the entry's unit in this
        /// units.yaml (implies --signatures).
        #[arg(long, value_name = "FILE")]
        units: Option<PathBuf>,
        /// Rebuild each published version from its signed tag in this repository and
        /// require the archive to be byte-identical.
        #[arg(long, value_name = "REPO")]
        rebuild: Option<PathBuf>,
        /// With --rebuild, rebuild only this moment.
        #[arg(long, value_name = "ID", requires = "rebuild")]
        only: Option<String>,
    },
    /// Hide a version from new activations (its bytes stay), on a signed tag
    /// yank/<id>/v<version> by a publisher of the moment's unit.
    Yank {
        /// Moment id.
        id: String,
        /// Version.
        version: String,
        /// The catalog: a folder, file:///path or s3://bucket/prefix.
        #[arg(long, env = "MOMENT_CATALOG")]
        catalog: String,
        /// The signed yank tag (default: yank/<id>/v<version>).
        #[arg(long)]
        tag: Option<String>,
        /// The trusted revision (default: origin/HEAD; never the tag itself).
        #[arg(long, value_name = "REV")]
        trust: Option<String>,
        /// The repository root.
        #[arg(long, default_value = ".")]
        path: PathBuf,
    },
}

/// Arguments of `moment codeowners`.
#[derive(Debug, clap::Args)]
pub struct CodeownersArgs {
    /// The repository root.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Only tell whether CODEOWNERS is up to date (exit 1 when not).
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `moment init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to make a moments repository of (created when missing).
    #[arg(default_value = ".")]
    pub path: PathBuf,
}
