//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Author digital support and treatment programs as YAML and Markdown in git.
#[derive(Debug, Parser)]
#[command(name = "moment", version, about, long_about = None)]
pub struct Cli {
    /// Language of diagnostics: sv or en [default: MOMENT_LANG, units.yaml `language:`, the locale, en]
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<moment::diagnostic::Lang>,
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
    /// Import a form from another format: `moment import fhir FILE --moment ID --id FORM`.
    Import(ImportArgs),
    /// Export every form to another format: `moment export fhir [PATH]`.
    Export(ExportArgs),
    /// Run the language server on stdio: the same checks, live in the editor.
    Lsp(LspArgs),
}

/// Arguments of `moment lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
    /// Milliseconds the editor must be quiet before a check starts.
    #[arg(long, default_value_t = 5, value_name = "MS")]
    pub debounce_ms: u64,
}

/// Arguments of `moment explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code, such as E012 or w001.
    pub code: String,
}

/// Where the repository is, on every subcommand that reads one: a positional `PATH`
/// (the repository root, a moment's folder or a folder inside the repository), or
/// `--path`, the hidden spelling of earlier releases.
#[derive(Debug, Default, clap::Args)]
pub struct RepoPath {
    /// The repository root, or one moment's folder (default: the current folder).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// The same as PATH; kept for a release, for scripts written before PATH was positional.
    #[arg(
        long = "path",
        value_name = "PATH",
        hide = true,
        conflicts_with = "path"
    )]
    path_flag: Option<PathBuf>,
}

impl RepoPath {
    /// The path given (positional or `--path`), or `.`.
    pub fn get(&self) -> PathBuf {
        self.path
            .clone()
            .or_else(|| self.path_flag.clone())
            .unwrap_or_else(|| PathBuf::from("."))
    }
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
    /// Where the repository is.
    #[command(flatten)]
    pub path: RepoPath,
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
    /// What to build: moment ids, or a path (the repository root, or a moment's folder
    /// such as moments/somn); default: every moment of the repository in the current folder.
    #[arg(value_name = "PATH|ID")]
    pub ids: Vec<String>,
    /// Output folder.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
    /// The repository root (the same as giving it as PATH; kept for a release).
    #[arg(long, value_name = "PATH", hide = true)]
    pub path: Option<PathBuf>,
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
    /// Where the repository is.
    #[command(flatten)]
    pub path: RepoPath,
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

/// Kinds of moment, for `moment new`: the model's own kinds.
pub use moment::model::MomentKind;

/// Arguments of `moment new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The new moment's id: lowercase letters, digits and hyphens.
    pub id: String,
    /// Its title.
    #[arg(long)]
    pub title: Option<String>,
    /// Its publisher unit (default: the only production unit in units.yaml).
    #[arg(long)]
    pub unit: Option<String>,
    /// Its kind.
    #[arg(long, value_enum, default_value_t = MomentKind::Education)]
    pub kind: MomentKind,
    /// Where the repository is: its root or any folder inside it.
    #[command(flatten)]
    pub path: RepoPath,
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
    /// The repository root, or one moment's folder to compare only that moment (default:
    /// the current folder). With `--catalog`: the new version.
    #[arg(value_name = "PATH|VERSION")]
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
    /// The same as PATH; kept for a release.
    #[arg(long, value_name = "PATH", hide = true)]
    pub path: Option<PathBuf>,
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
    /// Where the repository is.
    #[command(flatten)]
    pub path: RepoPath,
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
        /// Where the repository is.
        #[command(flatten)]
        path: RepoPath,
    },
}

/// Arguments of `moment codeowners`.
#[derive(Debug, clap::Args)]
pub struct CodeownersArgs {
    /// Where the repository is.
    #[command(flatten)]
    pub path: RepoPath,
    /// Only tell whether CODEOWNERS is up to date (exit 1 when not).
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `moment init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to make a moments repository of (created when missing; default: the
    /// current folder).
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

/// Arguments of `moment import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// `moment import` sources.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A FHIR R4 Questionnaire (JSON, SDC scoring) as forms/<ID>.yaml and its tests.
    Fhir {
        /// The Questionnaire's JSON file.
        file: PathBuf,
        /// The moment to add the form to.
        #[arg(long = "moment", value_name = "MOMENT")]
        moment: String,
        /// The new form's id.
        #[arg(long = "id", value_name = "FORM")]
        id: String,
        /// The repository root.
        #[arg(long, default_value = ".")]
        path: PathBuf,
        /// Replace an existing form of that id.
        #[arg(long)]
        force: bool,
        /// Output format of the report.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// Arguments of `moment export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to export to.
    #[command(subcommand)]
    pub target: ExportTarget,
}

/// `moment export` targets.
#[derive(Debug, Subcommand)]
pub enum ExportTarget {
    /// Every form as a FHIR R4 Questionnaire: <OUT>/<moment>/<form>.json.
    Fhir {
        /// The repository root, or one moment's folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "dist/fhir")]
        out: PathBuf,
        /// Output format of the report.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}
