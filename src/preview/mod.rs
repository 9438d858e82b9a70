//! `moment preview`: a local server that shows every moment as built, from the
//! citizen's and the staff's side, and reloads the browser when a file is saved.

mod evaluate;
mod graph;
mod guard;
mod html;
mod listen;
mod media;
mod server;
pub mod state;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::broadcast;

use crate::error::Error;
use crate::load::refs::Digests;
use crate::load::schema::Schemas;
use server::{App, Reload};
use state::{Scope, Snapshot};

/// How long the watcher waits for more events after the last one. Editors write a
/// file in several steps (truncate and write, or write a copy and rename it), all
/// within a millisecond or two; this folds them into one rebuild. The debouncer looks
/// every quarter of it, so a save waits 10 to 12.5 ms: from 15 ms, this took about
/// 7 ms off the preview's save-to-visible time (`scripts/bench-preview.sh`).
const DEBOUNCE: Duration = Duration::from_millis(10);

/// Settings of the preview server.
#[derive(Clone, Debug)]
pub struct PreviewOptions {
    /// The repository root.
    pub root: PathBuf,
    /// Address to bind.
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open a browser.
    pub open: bool,
}

/// Runs the preview until Ctrl-C. Prints the address once listening.
pub fn serve(options: &PreviewOptions) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    let result = runtime.block_on(run(options));
    // A media file being hashed must not hold up the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

async fn run(options: &PreviewOptions) -> Result<(), Error> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| Error::io(&options.root, e))?;
    let schemas = Arc::new(Schemas::compile());
    let started = Instant::now();
    let digests = Arc::new(Digests::default());
    let first = state::rebuild(&root, &Scope::All, &Snapshot::default(), &schemas, &digests);
    let (errors, count) = (
        first.moments.values().map(|m| m.errors()).sum::<usize>(),
        first.moments.len(),
    );
    let snapshot = Arc::new(RwLock::new(Arc::new(first)));
    let (reloads, _) = broadcast::channel(64);
    let app = App {
        snapshot: Arc::clone(&snapshot),
        reloads: reloads.clone(),
        verified: media::Verified::new(Arc::clone(&digests)),
    };
    let addr = SocketAddr::new(options.host, options.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Usage(format!(
                "port {} on {} is already in use; choose another with --port",
                options.port, options.host
            ))
        } else {
            Error::io(addr.to_string(), e)
        }
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io(addr.to_string(), e))?;
    let url = format!("http://{local}/");
    // Watch before announcing the address, so that no save after the announcement is missed.
    let _watcher = watch_sources(&root, Arc::clone(&schemas), digests, snapshot, reloads)?;
    println!(
        "moment preview: {count} moment{} ({errors} error{}) ready in {} ms at {url}",
        if count == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        started.elapsed().as_millis()
    );
    println!("watching moments/, themes/, schemas/ and units.yaml; press Ctrl-C to stop");
    if options.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let router = server::router(app, guard::Allowed::new(options.host, local));
    // Open event streams never finish by themselves: give them a moment, then stop.
    listen::serve(listener, router, shutdown, Duration::from_millis(500)).await;
    println!("moment preview stopped");
    Ok(())
}

/// Starts the file watcher; the returned value keeps it alive.
fn watch_sources(
    root: &std::path::Path,
    schemas: Arc<Schemas>,
    digests: Arc<Digests>,
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
    reloads: broadcast::Sender<Reload>,
) -> Result<
    notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    Error,
> {
    let root_owned = root.to_path_buf();
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let scopes = events
            .iter()
            .filter(|e| watch::is_change(&e.kind))
            .flat_map(|e| e.paths.iter())
            .filter_map(|p| p.strip_prefix(&root_owned).ok())
            .filter_map(watch::affected);
        let Some(scope) = watch::merge(scopes) else {
            return;
        };
        let previous = match snapshot.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        let next = state::rebuild(&root_owned, &scope, &previous, &schemas, &digests);
        let generation = next.generation;
        if let Ok(mut guard) = snapshot.write() {
            *guard = Arc::new(next);
        }
        let moments = match scope {
            Scope::All => vec!["*".to_owned()],
            Scope::Moments(ids) => ids,
        };
        let _ = reloads.send(Reload {
            generation,
            moments,
        });
    };
    let mut debouncer = new_debouncer(DEBOUNCE, None, handler)
        .map_err(|e| Error::io(root, std::io::Error::other(e)))?;
    for sub in ["moments", "themes", "schemas"] {
        let dir = root.join(sub);
        if dir.is_dir() {
            debouncer
                .watch(&dir, RecursiveMode::Recursive)
                .map_err(|e| Error::io(&dir, std::io::Error::other(e)))?;
        }
    }
    // units.yaml: watch the root without recursion (the file may be replaced on save).
    debouncer
        .watch(root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::io(root, std::io::Error::other(e)))?;
    Ok(debouncer)
}
