//! Which requests the preview answers: only those addressed to it by name (the `Host`
//! header, against DNS rebinding) and, for anything but reading, only those sent from
//! its own pages (the `Origin` header, against cross-site requests).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The authorities (`host:port`) the preview answers to.
#[derive(Clone, Debug)]
pub struct Allowed {
    /// Lowercase `host:port` forms, the first one the address printed at start.
    authorities: Arc<Vec<String>>,
}

impl Allowed {
    /// `127.0.0.1`, `localhost`, `[::1]` and the address given with `--host`, each with
    /// the port the server listens on (and also without it when that port is 80).
    pub fn new(host: IpAddr, local: SocketAddr) -> Allowed {
        let port = local.port();
        let given = match host {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => format!("[{a}]"),
        };
        let mut names = vec![given];
        for name in ["127.0.0.1", "localhost", "[::1]"] {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        let mut authorities: Vec<String> = names.iter().map(|n| format!("{n}:{port}")).collect();
        if port == 80 {
            authorities.extend(names);
        }
        Allowed {
            authorities: Arc::new(authorities),
        }
    }

    /// Whether `authority` (a `Host` value) names this server.
    pub fn host(&self, authority: &str) -> bool {
        self.authorities
            .iter()
            .any(|a| a.eq_ignore_ascii_case(authority))
    }

    /// Whether `origin` (an `Origin` value) is one of this server's own origins.
    pub fn origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|rest| self.host(rest))
    }

    fn first(&self) -> &str {
        self.authorities.first().map_or("127.0.0.1", String::as_str)
    }
}

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// `Host` missing, repeated or not this server (421).
    Host,
    /// A state-changing request from another site's page (403).
    Origin,
}

fn host_refusal(allowed: &Allowed, uri: &Uri, headers: &HeaderMap) -> bool {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return true;
    };
    // An absolute request target (`GET http://name/ HTTP/1.1`) names the server too.
    let target_ok = uri.authority().is_none_or(|a| allowed.host(a.as_str()));
    !(allowed.host(host) && target_ok)
}

fn origin_refusal(allowed: &Allowed, method: &Method, headers: &HeaderMap) -> bool {
    if method == Method::GET || method == Method::HEAD {
        return false;
    }
    let mut origins = headers.get_all(header::ORIGIN).iter();
    match (origins.next(), origins.next()) {
        // Tools such as curl send no Origin; browsers always do on a POST.
        (None, _) => {}
        (Some(origin), None) if origin.to_str().is_ok_and(|o| allowed.origin(o)) => {}
        _ => return true,
    }
    headers
        .get("sec-fetch-site")
        .is_some_and(|site| site != "same-origin" && site != "none")
}

fn check(allowed: &Allowed, request: &Request) -> Option<Refusal> {
    if host_refusal(allowed, request.uri(), request.headers()) {
        Some(Refusal::Host)
    } else if origin_refusal(allowed, request.method(), request.headers()) {
        Some(Refusal::Origin)
    } else {
        None
    }
}

/// Middleware: answers 421 to a request for another host name and 403 to a
/// cross-origin request that is not a GET or HEAD; passes everything else on. No
/// answer may be framed by another site's page or sniffed as another content type.
pub async fn guard(State(allowed): State<Allowed>, request: Request, next: Next) -> Response {
    let mut response = match check(&allowed, &request) {
        None => next.run(request).await,
        Some(refusal) => refuse(&allowed, refusal),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

fn refuse(allowed: &Allowed, refusal: Refusal) -> Response {
    let home = format!("http://{}/", allowed.first());
    let (status, title, text) = match refusal {
        Refusal::Host => (
            StatusCode::MISDIRECTED_REQUEST,
            "Fel adress – wrong address",
            "This preview answers only at its own address (127.0.0.1, localhost or [::1] \
             with its port, or the --host given).",
        ),
        Refusal::Origin => (
            StatusCode::FORBIDDEN,
            "Förfrågan nekad – request refused",
            "The preview accepts this request only from its own pages.",
        ),
    };
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p><p>Open <a href="{home}">{home}</a>.</p></main></body></html>"#
    );
    let mut response = (status, Html(page)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(host: &str, port: u16) -> Allowed {
        let ip: IpAddr = host.parse().expect("an address");
        Allowed::new(ip, SocketAddr::new(ip, port))
    }

    #[test]
    fn hosts() {
        let a = allowed("127.0.0.1", 4000);
        for ok in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LOCALHOST:4000",
            "[::1]:4000",
        ] {
            assert!(a.host(ok), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "localhost",
            "127.0.0.1:4001",
            "evil.example:4000",
            "localhost.:4000",
            "127.0.0.1:4000.evil.example",
            "",
        ] {
            assert!(!a.host(bad), "{bad}");
        }
        let v6 = allowed("::1", 80);
        assert!(v6.host("[::1]") && v6.host("[::1]:80") && v6.host("localhost"));
        let lan = allowed("192.168.1.5", 4000);
        assert!(lan.host("192.168.1.5:4000") && lan.host("127.0.0.1:4000"));
    }

    #[test]
    fn origins() {
        let a = allowed("127.0.0.1", 4000);
        assert!(a.origin("http://127.0.0.1:4000") && a.origin("http://localhost:4000"));
        for bad in [
            "null",
            "https://127.0.0.1:4000",
            "http://evil.example",
            "http://127.0.0.1:4000/",
            "http://127.0.0.1:4001",
        ] {
            assert!(!a.origin(bad), "{bad}");
        }
    }
}
