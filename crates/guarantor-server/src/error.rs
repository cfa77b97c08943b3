//! The API's errors: a status, a stable code, a message a person can act on, and for validation
//! every problem with its path.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guarantor_app::{AppError, ErrorKind};
use serde::de::DeserializeOwned;

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    problems: Vec<String>,
    current_version: Option<i64>,
    retry_after: Option<i64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            problems: Vec::new(),
            current_version: None,
            retry_after: None,
        }
    }

    /// 404: also what a capital gets for anything that is not its own.
    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The credential sent more requests than its rate allows.
    pub fn too_many_requests(retry_after_seconds: i64) -> Self {
        let mut err = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!(
                "too many requests with this token: slow down and retry in {retry_after_seconds} s"
            ),
        );
        err.retry_after = Some(retry_after_seconds);
        err
    }

    /// Something this server was built without.
    pub fn not_implemented(what: &str) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, "not_implemented", what)
    }

    /// Anything the caller may not see looks as if it did not exist.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// 404 for a path the API does not have (distinct code, so a typo is told from a missing
    /// resource).
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no_route",
            "no such route: see /api/openapi.json",
        )
    }

    /// 401: no token, or one that is unknown, revoked or expired.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send Authorization: Bearer TOKEN with a valid API or invitation token",
        )
    }

    /// 403: known caller, not allowed.
    pub fn forbidden(why: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", why)
    }

    /// 428: a change without `If-Match`.
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the ETag of the proposal you read, so that no one else's change is overwritten",
        )
    }

    /// 422: one field is wrong.
    pub fn invalid_field(field: &str, problem: &str) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {problem}"),
        );
        e.problems.push(format!("{field}: {problem}"));
        e
    }

    /// 500, with the details in the log only.
    pub fn internal(detail: &str) -> Self {
        tracing::error!(detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the details are in its log",
        )
    }
}

/// The one mapping of the application's error kinds to HTTP statuses, for the API and the
/// pages alike (docs/api.md lists it).
pub(crate) fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unauthenticated | ErrorKind::BadCredentials => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Malformed => StatusCode::BAD_REQUEST,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Conflict => StatusCode::PRECONDITION_FAILED,
        ErrorKind::WrongState
        | ErrorKind::DeadlinePassed
        | ErrorKind::SubmissionsClosed
        | ErrorKind::Exists => StatusCode::CONFLICT,
        ErrorKind::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::NOT_IMPLEMENTED,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let mut err = Self::new(status_of(e.kind), e.kind.code(), e.message);
        err.problems = e.problems;
        err.current_version = e.current_version;
        err.retry_after = e.retry_after;
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({"code": self.code, "message": self.message});
        if !self.problems.is_empty() {
            error["problems"] = serde_json::json!(self.problems);
        }
        if let Some(v) = self.current_version {
            error["current_version"] = serde_json::json!(v);
            error["current_etag"] = serde_json::json!(format!("\"v{v}\""));
        }
        let mut response =
            (self.status, Json(serde_json::json!({ "error": error }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .extensions_mut()
                .insert(crate::throttle::AuthFailed);
        }
        if let Some(seconds) = self.retry_after
            && let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

/// Parses a JSON body: malformed JSON is 400 with where it broke; JSON of the wrong shape
/// (unknown field, wrong type, negative count) is 422 with the path of the field.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Strictly first: a key given twice is refused with its path rather than the last one
    // silently winning.
    let value = guarantor_domain::json::parse_strict_bytes(body).map_err(json_error)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::invalid_field(
            if path == "." { "body" } else { &path },
            &e.inner().to_string(),
        )
    })
}

/// Middleware over every route: an error answered under `/api/` by a layer rather than a
/// handler (a body over the limit, a timeout, a method the path does not have) becomes a JSON
/// error like every other, with a stable code; pages keep their own error pages.
pub async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            format!(
                "the body is over the limit of {} MiB",
                crate::BODY_LIMIT / (1024 * 1024)
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took longer than 60 s and was stopped".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this path does not take that method (see /api/openapi.json)".to_owned(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as application/json".to_owned(),
        ),
        other if other.is_server_error() => ("internal", "the server failed".to_owned()),
        _ => ("malformed", "the request could not be read".to_owned()),
    };
    let mut converted = ApiError::new(status, code, message).into_response();
    for name in [axum::http::header::ALLOW, axum::http::header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            converted.headers_mut().insert(name, v.clone());
        }
    }
    converted
}

/// The API's answer to a body that is not strict JSON: 400 `malformed` for bad syntax (or bytes
/// that are not UTF-8), 422 with the path for a duplicated key.
pub fn json_error(e: guarantor_domain::json::JsonError) -> ApiError {
    match e {
        guarantor_domain::json::JsonError::Syntax(message) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not JSON: {message}"),
        ),
        guarantor_domain::json::JsonError::DuplicateKey { path, key } => ApiError::invalid_field(
            &path,
            &format!("the key \"{key}\" is given twice in this object: give it once"),
        ),
    }
}

/// A body that must be UTF-8 text (a campaign file); read only after the caller is authorised.
pub fn text_body(body: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not UTF-8 text: {e}"),
        )
    })
}

/// Like [`parse_body`], with an empty body meaning the defaults.
pub fn parse_optional_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_body(body)
    }
}
