//! A deadline for every API request (`KINERJA_REQUEST_TIMEOUT`, 30 s by default).
//!
//! New connections and pooled ones are checked within the acquire timeout, but a query already
//! sent on a connection whose network then hangs waits for an answer that never comes: sqlx has
//! no socket timeout, and TCP keeps quiet about a silent peer for many minutes. Past the deadline
//! the request's future is dropped — its transaction with it, which rolls back (the connection is
//! closed, PostgreSQL ends the session's transaction) — and the caller gets 503
//! `database_unavailable` with `Retry-After`, as for any other database outage.
//!
//! The deadline counts the work, not the upload: while a body arrives it is held, and it moves by
//! the time the body took. A body that stops arriving is the reader's to end (408 `body_timeout`
//! after the same time without a byte; see [`crate::http::json::read_limited`]), so a 20 MB
//! import over a slow line is not cut short.
//!
//! It wraps the `/api/v1` scope inside the Idempotency-Key middleware, so an abandoned request
//! releases its key and the client's retry is a real attempt. Routing is over when it runs, but
//! the request cannot be kept for the answer (routing needs it unshared), so it answers with an
//! error the server renders itself: problem+json in the caller's language, with the request id.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};

use crate::app::AppState;
use crate::error::Lang;
use crate::http::middleware::{RequestId, X_REQUEST_ID, add_security_headers};

pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limit) = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.request_timeout)
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let abandoned = Abandoned {
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        lang: Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
        method: req.method().to_string(),
        path: req.path().to_owned(),
        after: limit,
    };
    let deadline = Deadline::new(limit);
    req.extensions_mut().insert(deadline.clone());
    let work = next.call(req);
    tokio::pin!(work);
    loop {
        tokio::select! {
            result = &mut work => return result.map(ServiceResponse::map_into_boxed_body),
            () = tokio::time::sleep_until(deadline.at()) => {
                if deadline.passed() {
                    log::error!(target: "kinerja::request", "{abandoned}");
                    return Err(abandoned.into());
                }
            }
            // The body is in: wait for the moved deadline, not a limit from the last look.
            () = deadline.released() => {}
        }
    }
}

/// A request's deadline, shared with the body readers of that request (in its extensions).
#[derive(Clone)]
pub struct Deadline(Rc<State>);

struct State {
    limit: Duration,
    at: Cell<Instant>,
    /// Since when a body has been arriving (the deadline is held meanwhile).
    held_since: Cell<Option<Instant>>,
    released: Notify,
}

impl Deadline {
    fn new(limit: Duration) -> Deadline {
        Deadline(Rc::new(State {
            limit,
            at: Cell::new(Instant::now() + limit),
            held_since: Cell::new(None),
            released: Notify::new(),
        }))
    }

    /// The body starts arriving: the deadline waits for it.
    pub fn hold(&self) {
        self.0.held_since.set(Some(Instant::now()));
    }

    /// The body is in (or failed): the deadline moves by the time it took, so it counts the
    /// work only. A body already in memory (read by the Idempotency-Key middleware before the
    /// key's claim) moves it by nothing, which keeps the claim's takeover margin true.
    pub fn release(&self) {
        if let Some(since) = self.0.held_since.take() {
            self.0.at.set(self.0.at.get() + since.elapsed());
            self.0.released.notify_one();
        }
    }

    async fn released(&self) {
        self.0.released.notified().await;
    }

    /// When to look again: the deadline, or (while a body arrives) a limit from now.
    fn at(&self) -> Instant {
        match self.0.held_since.get() {
            Some(_) => Instant::now() + self.0.limit,
            None => self.0.at.get(),
        }
    }

    fn passed(&self) -> bool {
        self.0.held_since.get().is_none() && Instant::now() >= self.0.at.get()
    }
}

/// A request abandoned at its deadline.
#[derive(Debug)]
struct Abandoned {
    request_id: Option<String>,
    lang: Lang,
    method: String,
    path: String,
    after: std::time::Duration,
}

impl fmt::Display for Abandoned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} abandoned after {:?} (database unresponsive?) request_id={}",
            self.method,
            self.path,
            self.after,
            self.request_id.as_deref().unwrap_or("-")
        )
    }
}

impl ResponseError for Abandoned {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        let seconds = self.after.as_secs();
        let mut response = crate::routes::service::unavailable()
            .with_detail(
                format!("The database did not answer within {seconds} s; nothing was changed."),
                format!("Basis data tidak menjawab dalam {seconds} detik; tidak ada yang diubah."),
            )
            .to_response(self.lang, self.request_id.as_deref());
        let headers = response.headers_mut();
        if let Some(id) = self
            .request_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok())
        {
            headers.insert(X_REQUEST_ID, id);
        }
        add_security_headers(headers, &self.path);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_arriving_body_holds_the_deadline_which_then_moves_by_its_time() {
        let limit = Duration::from_millis(300);
        let deadline = Deadline::new(limit);
        deadline.hold();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!deadline.passed(), "held while the body arrives");
        assert!(deadline.at() + Duration::from_millis(100) >= Instant::now() + limit);
        deadline.release();
        // Released: the waiter is woken to look at the moved deadline (300 ms + ~400 ms held).
        tokio::time::timeout(Duration::from_millis(50), deadline.released())
            .await
            .expect("release wakes the deadline");
        assert!(!deadline.passed(), "the body's time is not counted");
        tokio::time::sleep_until(deadline.at()).await;
        assert!(deadline.passed());
    }

    #[tokio::test]
    async fn a_body_already_in_memory_moves_nothing() {
        let deadline = Deadline::new(Duration::from_millis(200));
        let at = deadline.at();
        deadline.hold();
        deadline.release();
        assert!(deadline.at() - at < Duration::from_millis(100));
    }
}
