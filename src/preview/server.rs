//! HTTP routes of the preview: pages, assets, live-reload events and the form
//! evaluation and graph endpoints.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::model::Form;
use crate::scoring::{Answer, Answers};

use super::guard::{self, Allowed};
use super::html;
use super::listen::Activity;
use super::media::{self, Media, Verified};
use super::state::{MomentView, Snapshot};
use super::{evaluate, graph};

/// A change announced to browsers.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reload {
    /// The snapshot generation after the change.
    pub generation: u64,
    /// Ids of the moments that changed; `*` for all.
    pub moments: Vec<String>,
}

/// Shared state of the server.
#[derive(Clone)]
pub struct App {
    /// The current snapshot, replaced whole on every rebuild.
    pub snapshot: Arc<RwLock<Arc<Snapshot>>>,
    /// Reload announcements.
    pub reloads: broadcast::Sender<Reload>,
    /// Media file versions whose digest has been checked.
    pub verified: Verified,
}

impl App {
    fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

/// The router; every request passes the Host and Origin checks first.
pub fn router(app: App, allowed: Allowed) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/m/{id}", get(moment_root))
        .route("/m/{id}/", get(moment_root))
        .route("/m/{id}/site", get(moment_root))
        .route("/m/{id}/site/", get(moment_root))
        .route("/m/{id}/site/{*page}", get(page))
        .route("/m/{id}/assets/{file}", get(asset))
        .route("/_moment/events", get(events))
        .route("/_moment/client.js", get(client))
        .route("/_moment/status", get(status))
        .route("/_moment/evaluate/{id}/{form}", post(evaluate))
        .route("/_moment/graph/{id}/{form}", post(graph_svg))
        .fallback(not_found)
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(allowed, guard::guard))
}

fn no_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn index(State(app): State<App>) -> Response {
    no_cache(Html(html::index(&app.current())).into_response())
}

async fn moment_root(State(app): State<App>, Path(id): Path<String>) -> Response {
    if !app.current().moments.contains_key(&id) {
        return missing(&format!("/m/{id}"));
    }
    Redirect::temporary(&format!("/m/{}/site/index.html", crate::render::href(&id))).into_response()
}

async fn not_found(uri: Uri) -> Response {
    (StatusCode::NOT_FOUND, Html(html::not_found(uri.path()))).into_response()
}

fn missing(path: &str) -> Response {
    (StatusCode::NOT_FOUND, Html(html::not_found(path))).into_response()
}

async fn page(State(app): State<App>, Path((id, page)): Path<(String, String)>) -> Response {
    let snapshot = app.current();
    let Some(m) = snapshot.moments.get(&id) else {
        return missing(&format!("/m/{id}/site/{page}"));
    };
    let served = match m.pages.get(&page) {
        Some(text) if page.ends_with(".css") => (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            text.clone(),
        )
            .into_response(),
        Some(text) => Html(html::inject(text, m, snapshot.generation)).into_response(),
        None if m.pages.is_empty() && page.ends_with(".html") => {
            Html(broken_page(m, snapshot.generation)).into_response()
        }
        None => return missing(&format!("/m/{id}/site/{page}")),
    };
    no_cache(served)
}

/// A moment that has never built: only its errors.
fn broken_page(m: &MomentView, generation: u64) -> String {
    let body = format!(
        r#"<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{}</title></head><body><main id="main"><h1>{}</h1></main></body></html>"#,
        html::escape(&m.title),
        html::escape(&m.title)
    );
    html::inject(&body, m, generation)
}

async fn asset(
    State(app): State<App>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let snapshot = app.current();
    let key = format!("assets/{file}");
    let Some(path) = snapshot
        .moments
        .get(&id)
        .and_then(|m| m.assets.get(&key))
        .cloned()
    else {
        return missing(&format!("/m/{id}/{key}"));
    };
    // The name is the digest of the content that was checked; a file swapped since
    // (for a link to somewhere else, say) is not served.
    let (digest, ext) = file.split_once('.').unwrap_or((&file, ""));
    let request = Media {
        path,
        digest,
        content_type: content_type(ext),
    };
    let activity = extensions.get::<Activity>();
    match media::serve(request, &headers, &app.verified, activity).await {
        Some(response) => response,
        None => missing(&format!("/m/{id}/{key}")),
    }
}

/// The content type of an asset extension.
fn content_type(ext: &str) -> &'static str {
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "vtt" => "text/vtt; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        other => crate::media_type::mime(other).unwrap_or("application/octet-stream"),
    }
}

async fn client() -> Response {
    no_cache(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("client.js"),
        )
            .into_response(),
    )
}

async fn status(State(app): State<App>) -> Json<serde_json::Value> {
    let snapshot = app.current();
    let moments: BTreeMap<&str, serde_json::Value> = snapshot
        .moments
        .values()
        .map(|m| (m.id.as_str(), serde_json::json!({"errors": m.errors(), "warnings": m.warnings(), "version": m.version})))
        .collect();
    Json(serde_json::json!({"generation": snapshot.generation, "moments": moments}))
}

async fn events(
    State(app): State<App>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(app.reloads.subscribe()).filter_map(|msg| {
        let reload = msg.ok()?;
        let data = serde_json::to_string(&reload).ok()?;
        Some(Ok(Event::default().event("reload").data(data)))
    });
    // A comment line now and then keeps the connection from counting as idle.
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(10)))
}

fn form_of(app: &App, id: &str, form: &str) -> Option<Form> {
    let snapshot = app.current();
    let normal = snapshot.moments.get(id)?.normal.clone()?;
    normal.forms.iter().find(|f| f.id == form).cloned()
}

fn answers_from(form: &Form, raw: &BTreeMap<String, serde_json::Value>) -> Answers {
    raw.iter()
        .filter_map(|(id, v)| {
            let item = form.item(id)?;
            let answer = Answer::from_json(v)?;
            answer.fits(item).ok().map(|()| (id.clone(), answer))
        })
        .collect()
}

/// Body of the evaluation endpoint.
#[derive(Debug, Deserialize)]
pub struct EvaluateRequest {
    /// Item id to answer.
    #[serde(default)]
    pub answers: BTreeMap<String, serde_json::Value>,
}

async fn evaluate(
    State(app): State<App>,
    Path((id, form)): Path<(String, String)>,
    Json(body): Json<EvaluateRequest>,
) -> Response {
    let Some(form) = form_of(&app, &id, &form) else {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such moment or form"})),
        )
            .into_response();
    };
    match evaluate::answers(&form, &body.answers) {
        Ok(answers) => Json(evaluate::response(&form, &answers)).into_response(),
        Err(invalid) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({"error": "answers that do not fit their items", "invalid": invalid})),
        )
            .into_response(),
    }
}

/// Body of the graph endpoint.
#[derive(Debug, Deserialize)]
pub struct GraphRequest {
    /// Answers per occasion, in order.
    #[serde(default)]
    pub occasions: Vec<BTreeMap<String, serde_json::Value>>,
}

async fn graph_svg(
    State(app): State<App>,
    Path((id, form)): Path<(String, String)>,
    Json(body): Json<GraphRequest>,
) -> Response {
    let Some(form) = form_of(&app, &id, &form) else {
        return missing(&format!("/_moment/graph/{id}"));
    };
    let occasions: Vec<Answers> = body
        .occasions
        .iter()
        .take(500)
        .map(|o| answers_from(&form, o))
        .collect();
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        graph::svg(&form, &occasions),
    )
        .into_response()
}
