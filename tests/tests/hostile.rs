//! Hostile input (issue 12, item 3): what an attacker, a broken client or a fuzzer sends. Every
//! one gets a precise 4xx problem (never a 500, a dropped connection or a stored surprise), the
//! server keeps answering, and what is stored comes back byte for byte and inert.
//!
//! Neighbours: `errors.rs` covers malformed bodies, content types and configured body limits;
//! `auth.rs` tampered, `alg: none`, HS512 and expired tokens; this file adds the real limits,
//! lying lengths, nesting, encodings, NULs, long strings, injection payloads in every free-text
//! field, formula cells in every CSV export, JWT key confusion and header injection, and codes
//! that look like paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};

use base64::Engine;
use kinerja_tests::{TestApp, TestResponse, city, on_each_db};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const JSON_LIMIT: usize = 1024 * 1024;
const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

/// The server still answers after whatever came before.
async fn still_answers(app: &TestApp) {
    app.get("/health").await.assert_status(200);
}

/// Sends raw bytes on a fresh connection and returns what came back before the server closed it
/// (or stopped sending for a second).
async fn raw_exchange(app: &TestApp, request: Vec<u8>) -> String {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(1)))
            .unwrap();
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let mut buffer = [0u8; 8192];
        while let Ok(n) = stream.read(&mut buffer) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

/// The status code of a raw HTTP/1.1 answer.
fn raw_status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

/// The body (after the blank line) of a raw answer, as JSON.
fn raw_json(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("no JSON body ({e}): {answer:?}"))
}

fn chunks(bytes: Vec<u8>) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter(
        bytes
            .chunks(64 * 1024)
            .map(|c| Ok(c.to_vec()))
            .collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn bodies_past_the_real_limits_are_413_naming_the_limit() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        // (route, content type, limit): JSON routes take 1 MiB, imports 20 MiB.
        let routes = [
            ("/api/v1/units", "application/json", JSON_LIMIT),
            (
                "/api/v1/imports/units?dry_run=true",
                "text/csv",
                IMPORT_LIMIT,
            ),
            (
                "/api/v1/imports/units?dry_run=true",
                "application/json",
                IMPORT_LIMIT,
            ),
        ];
        for (path, content_type, limit) in routes {
            // A JSON string one byte past the limit, with an honest Content-Length.
            let mut body = br#"{"name":""#.to_vec();
            body.resize(limit - 1, b'x');
            body.extend_from_slice(b"\"}");
            assert_eq!(body.len(), limit + 1);
            let problem = app
                .send(
                    app.authed(Method::POST, path, a)
                        .header("Content-Type", content_type)
                        .body(body.clone()),
                )
                .await
                .assert_problem(413, "payload_too_large");
            assert_eq!(problem["limit_bytes"], limit, "{path}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&limit.to_string()),
                "{problem}"
            );

            // The same body chunked, without a Content-Length: cut off once it passes the limit.
            let problem = app
                .send(
                    app.authed(Method::POST, path, a)
                        .header("Content-Type", content_type)
                        .body(reqwest::Body::wrap_stream(chunks(body))),
                )
                .await
                .assert_problem(413, "payload_too_large");
            assert_eq!(problem["limit_bytes"], limit, "{path}");
        }
        // Exactly at the limit is not too large: the JSON route reads it and judges the content.
        let mut body = br#"{"code":"BIG","kind":"dinas","name":""#.to_vec();
        body.resize(JSON_LIMIT - 2, b'x');
        body.extend_from_slice(b"\"}");
        let problem = app
            .send(
                app.authed(Method::POST, "/api/v1/units", a)
                    .header("Content-Type", "application/json")
                    .body(body),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "name");
        still_answers(app).await;
    })
    .await;
}

#[tokio::test]
async fn a_lying_content_length_gets_a_problem_not_a_hang() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let host = app.address.trim_start_matches("http://");
        // Declares 2 GiB, sends a few bytes: refused on the header, before reading.
        let request = format!(
            "POST /api/v1/units HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {a}\r\n\
             Content-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n{{\"name\":\"x\"}}"
        );
        let answer = raw_exchange(app, request.into_bytes()).await;
        assert_eq!(raw_status(&answer), 413, "{answer}");
        let problem = raw_json(&answer);
        assert_eq!(problem["code"], "payload_too_large");
        assert_eq!(problem["limit_bytes"], JSON_LIMIT);

        // Declares 10 bytes and sends 2 MiB: only the 10 declared bytes are the body (not JSON),
        // the rest is not a request; nothing is created.
        let mut request = format!(
            "POST /api/v1/units HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {a}\r\n\
             Content-Type: application/json\r\nContent-Length: 10\r\n\r\n"
        )
        .into_bytes();
        request.extend_from_slice(br#"{"code":"LIAR","kind":"dinas","name":""#);
        request.resize(request.len() + 2 * JSON_LIMIT, b'x');
        let answer = raw_exchange(app, request).await;
        assert_eq!(raw_status(&answer), 400, "{answer}");
        assert!(
            answer.contains("\"code\":\"malformed_json\""),
            "the first answer is about the 10-byte body: {answer}"
        );
        let units = app.get_as("/api/v1/units?q=LIAR", a).await;
        units.assert_status(200);
        assert_eq!(units.json()["total"], 0);
        still_answers(app).await;
    })
    .await;
}

#[tokio::test]
async fn deeply_nested_json_is_400_without_a_stack_overflow() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let depth = 10_000;
        let documents = [
            // Unclosed and closed arrays, objects nested under a key, and the nest inside a field.
            "[".repeat(depth),
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
            format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)),
            format!(
                r#"{{"code":"DEEP","kind":"dinas","name":{}"x"{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ];
        for document in &documents {
            for (path, content_type) in [
                ("/api/v1/units", "application/json"),
                ("/api/v1/auth/token", "application/json"),
                ("/api/v1/imports/units?dry_run=true", "application/json"),
            ] {
                let problem = app
                    .send(
                        app.authed(Method::POST, path, a)
                            .header("Content-Type", content_type)
                            .body(document.clone()),
                    )
                    .await
                    .assert_problem(400, "malformed_json");
                assert!(
                    problem["detail"].as_str().unwrap().contains("recursion"),
                    "{path}: {problem}"
                );
            }
        }
        still_answers(app).await;
        // A sane nesting depth still works.
        app.create_unit(a, "SHALLOW", "dinas", None, false).await;
    })
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_400_naming_where_it_is() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        // In a JSON body.
        let problem = app
            .send(
                app.authed(Method::POST, "/api/v1/units", a)
                    .header("Content-Type", "application/json")
                    .body(
                        b"{\"code\":\"U\",\"kind\":\"dinas\",\"name\":\"Dinas \xc3\x28\"}".to_vec(),
                    ),
            )
            .await
            .assert_problem(400, "invalid_encoding");
        assert!(
            problem["detail"].as_str().unwrap().contains("body"),
            "{problem}"
        );
        // In a CSV import, and in a JSON import (both files).
        for content_type in ["text/csv", "application/json"] {
            let body: &[u8] = if content_type == "text/csv" {
                b"code,name,kind\nU1,Dinas \xff\xfe,dinas\n"
            } else {
                b"[{\"code\":\"U1\",\"name\":\"Dinas \xff\",\"kind\":\"dinas\"}]"
            };
            let problem = app
                .send(
                    app.authed(Method::POST, "/api/v1/imports/units", a)
                        .header("Content-Type", content_type)
                        .body(body.to_vec()),
                )
                .await
                .assert_problem(400, "invalid_encoding");
            assert!(
                problem["detail"].as_str().unwrap().contains("file"),
                "{problem}"
            );
        }
        // In a query string (percent-encoded bytes that are not UTF-8).
        for (path, field) in [
            ("/api/v1/users?q=%FF%FE", "q"),
            ("/api/v1/employees?q=Budi%C3%28", "q"),
            ("/api/v1/units?q=%80", "q"),
        ] {
            let problem = app
                .get_as(path, a)
                .await
                .assert_problem(400, "invalid_parameter");
            assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
        }
        // In a path segment.
        for path in [
            "/api/v1/users/%FF%FE",
            "/api/v1/units/%C3%28",
            "/api/v1/public/surveys/%FF",
        ] {
            let problem = app
                .get_as(path, a)
                .await
                .assert_problem(400, "invalid_parameter");
            assert_eq!(problem["errors"][0]["field"], "path", "{path}: {problem}");
        }
        // Nothing was created.
        assert_eq!(app.get_as("/api/v1/units", a).await.json()["total"], 0);
        still_answers(app).await;
    })
    .await;
}

#[tokio::test]
async fn nul_characters_are_refused_naming_the_field_on_both_databases() {
    on_each_db(async |app: &TestApp| {
        let c = city::city(app).await;
        let a = &c.admin;
        // JSON bodies: the field's path is named, wherever the NUL hides.
        let cases = [
            (
                Method::POST,
                "/api/v1/units".to_owned(),
                json!({"code": "NUL1", "kind": "dinas", "name": "Dinas\u{0}"}),
                "name",
            ),
            (
                Method::POST,
                "/api/v1/cycles".to_owned(),
                json!({"year": 2025, "name": "\u{0}"}),
                "name",
            ),
            (
                Method::POST,
                "/api/v1/service-accounts".to_owned(),
                json!({"name": "sync\u{0}bot", "scopes": []}),
                "name",
            ),
            (
                Method::POST,
                format!("/api/v1/cycles/{}/units/{}/indicators", c.cycle, uuid::Uuid::nil()),
                json!({"description": "x", "direction": "higher_is_better", "target": 1, "unit": "per\u{0}sen"}),
                "unit",
            ),
            (
                Method::POST,
                "/api/v1/trainings".to_owned(),
                json!({"title": "Pelatihan", "route": "klasikal", "method": "pelatihan_struktural",
                       "jp": 8, "provider": "BKPSDM", "start_date": "2026-02-01", "end_date": "2026-02-01",
                       "sessions": [{"date": "2026-02-01", "location": "Aula\u{0}"}]}),
                "sessions[0].location",
            ),
            (
                Method::POST,
                "/api/v1/units".to_owned(),
                json!({"code": "NUL2", "kind": "dinas", "name": "ok", "extra\u{0}": 1}),
                "extra\u{0}",
            ),
        ];
        for (method, path, body, field) in cases {
            let problem = app
                .send(app.authed(method, &path, a).json(&body))
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
            assert_eq!(problem["errors"][0]["code"], "nul_character", "{problem}");
        }
        // A raw NUL in a CSV cell, and an escaped one in a JSON import: the row and column.
        // Rows are numbered as a spreadsheet shows them (the CSV header is row 1) and from 1 in
        // a JSON array.
        for (content_type, body, row) in [
            ("text/csv", "code,name,kind\nNUL3,Dinas\0Baru,dinas\n", 2),
            (
                "application/json",
                r#"[{"code":"NUL3","name":"Dinas\u0000Baru","kind":"dinas"}]"#,
                1,
            ),
        ] {
            let problem = app
                .import(a, "/api/v1/imports/units", content_type, body)
                .await
                .assert_problem(422, "import_invalid");
            let error = &problem["errors"][0];
            assert_eq!(error["code"], "nul_character", "{problem}");
            assert_eq!(error["field"], "name", "{problem}");
            assert_eq!(error["row"], row, "{problem}");
        }
        // Nothing with a NUL was stored.
        let units = app.get_as("/api/v1/units?per_page=100", a).await.json();
        assert_eq!(units["total"], 2, "{units}");
        still_answers(app).await;
    })
    .await;
}

/// The test apps' HS256 secret (`Config::for_database`).
const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token with exactly this header and these claims, signed with HMAC-SHA256 over `key`
/// whatever the header says (as a forger would).
fn hmac_token(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(key),
        jsonwebtoken::Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{signature}")
}

#[tokio::test]
async fn forged_tokens_of_every_kind_are_the_same_401_and_leak_nothing() {
    on_each_db(async |app: &TestApp| {
        let (user, session) = app.session_as("admin", &["admin"]).await;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = session.access_token.split('.').nth(1).unwrap();
        let claims: Value = serde_json::from_slice(&engine.decode(payload).unwrap()).unwrap();
        let hs256 = json!({"alg": "HS256", "typ": "JWT"});
        // The genuine header and claims, re-signed with the right secret: accepted, so every
        // refusal below is due to what each case changes.
        app.get_as("/api/v1/me", &hmac_token(&hs256, &claims, SECRET))
            .await
            .assert_status(200);

        let with = |header: Value| hmac_token(&header, &claims, SECRET);
        let jwt = |alg: jsonwebtoken::Algorithm, key: &[u8]| {
            jsonwebtoken::encode(
                &jsonwebtoken::Header::new(alg),
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(key),
            )
            .unwrap()
        };
        let mut sql_sub = claims.clone();
        sql_sub["sub"] = json!("'; DROP TABLE users; --");
        let mut other_sub = claims.clone();
        other_sub["sub"] = json!(uuid::Uuid::now_v7());
        let forged = [
            // Unsigned: alg none, with and without a trailing signature, in any case.
            (
                "alg none",
                format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#)),
            ),
            (
                "alg None with a signature",
                format!(
                    "{}.{payload}.{}",
                    b64(r#"{"alg":"None","typ":"JWT"}"#),
                    with(hs256.clone()).rsplit('.').next().unwrap()
                ),
            ),
            ("no signature part", format!("{}.{payload}", b64(hs256.to_string()))),
            // Other HMAC algorithms with the right secret: only HS256 is taken.
            ("HS384", jwt(jsonwebtoken::Algorithm::HS384, SECRET)),
            ("HS512", jwt(jsonwebtoken::Algorithm::HS512, SECRET)),
            // Key confusion: an asymmetric alg, "verified" with the HMAC secret as public key.
            ("RS256 keyed with the secret", with(json!({"alg": "RS256", "typ": "JWT"}))),
            ("ES256 keyed with the secret", with(json!({"alg": "ES256", "typ": "JWT"}))),
            ("PS256 keyed with the secret", with(json!({"alg": "PS256", "typ": "JWT"}))),
            ("EdDSA keyed with the secret", with(json!({"alg": "EdDSA", "typ": "JWT"}))),
            // Another secret.
            (
                "another secret",
                jwt(jsonwebtoken::Algorithm::HS256, b"another-secret-another-secret-00"),
            ),
            // Header injection: a key id pointing at a file (an empty key), a key set on the
            // attacker's host, an embedded key; each signed with the attacker's key.
            (
                "kid path traversal",
                hmac_token(
                    &json!({"alg": "HS256", "typ": "JWT", "kid": "../../../../../../dev/null"}),
                    &claims,
                    b"",
                ),
            ),
            (
                "kid SQL",
                hmac_token(
                    &json!({"alg": "HS256", "typ": "JWT", "kid": "x' UNION SELECT 'attacker-key' --"}),
                    &claims,
                    b"attacker-key",
                ),
            ),
            (
                "jku",
                hmac_token(
                    &json!({"alg": "HS256", "typ": "JWT", "jku": "http://127.0.0.1:1/jwks.json", "kid": "k1"}),
                    &claims,
                    b"attacker-key",
                ),
            ),
            (
                "embedded jwk",
                hmac_token(
                    &json!({"alg": "HS256", "typ": "JWT",
                            "jwk": {"kty": "oct", "k": b64("attacker-key")}}),
                    &claims,
                    b"attacker-key",
                ),
            ),
            // Rightly signed, but the subject is a SQL payload or nobody.
            ("SQL in sub", hmac_token(&hs256, &sql_sub, SECRET)),
            ("unknown sub", hmac_token(&hs256, &other_sub, SECRET)),
            // Not even a token.
            ("garbage", "a.b.c".to_owned()),
            ("too many parts", format!("{}.x", session.access_token)),
        ];
        let mut details = std::collections::BTreeSet::new();
        for (name, token) in &forged {
            let response = app.get_as("/api/v1/me", token).await;
            let problem = response.assert_problem(401, "invalid_token");
            let detail = problem["detail"].as_str().unwrap().to_owned();
            let challenge = response.header("www-authenticate").unwrap_or_default();
            for leak in [
                "DROP", "UNION", "attacker", "jwks", "dev/null", "Invalid", "Signature",
                "Algorithm", "base64", "Base64", "JSON", "uuid", "test-secret",
            ] {
                assert!(!detail.contains(leak), "{name}: detail leaks {leak:?}: {detail}");
                assert!(
                    !challenge.contains(leak),
                    "{name}: challenge leaks {leak:?}: {challenge}"
                );
            }
            assert!(challenge.contains("error=\"invalid_token\""), "{name}: {challenge}");
            // A forged token also gets nowhere on a write.
            app.post_as(
                "/api/v1/units",
                token,
                &json!({"code": "FORGED", "kind": "dinas", "name": "Forged"}),
            )
            .await
            .assert_problem(401, "invalid_token");
            details.insert(detail);
        }
        // One message for all but the unknown subject (an account that is gone says so).
        assert!(details.len() <= 2, "{details:?}");
        // Still one account, no unit; the real token still works.
        let me = app.get_as("/api/v1/me", &session.access_token).await;
        me.assert_status(200);
        assert_eq!(me.json()["user"]["id"], user.id.to_string());
        assert_eq!(
            app.get_as("/api/v1/units", &session.access_token).await.json()["total"],
            0
        );
    })
    .await;
}

#[tokio::test]
async fn codes_that_look_like_paths_are_problems_never_files() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DISDUKCAPIL", "dinas", None, true).await;
        let hostile = [
            "../../etc/passwd",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "..%5C..%5Cwindows%5Cwin.ini",
            "..\\..\\etc\\passwd",
            "DISDUKCAPIL%00",
            "DISDUKCAPIL%00.json",
            "%2e%2e",
            "..",
            ".",
            "%252e%252e%252f",
            "DISDUKCAPIL%2F..%2F..%2Fetc%2Fpasswd",
            "C:%5Cboot.ini",
            "%C0%AE%C0%AE%2F",
        ];
        for code in hostile {
            for path in [
                format!("/api/v1/public/surveys/{code}"),
                format!("/api/v1/public/surveys/{code}/token"),
                format!("/api/v1/units/{code}"),
                format!("/api/v1/units/{unit}/services/{code}"),
            ] {
                let response = app.get_as(&path, a).await;
                assert!(
                    matches!(response.status, 400 | 404 | 405),
                    "{path}: {} {}",
                    response.status,
                    response.text()
                );
                let problem = response.json();
                assert_eq!(
                    response.header("content-type"),
                    Some("application/problem+json"),
                    "{path}"
                );
                assert!(
                    [
                        "not_found",
                        "route_not_found",
                        "invalid_parameter",
                        "method_not_allowed"
                    ]
                    .contains(&problem["code"].as_str().unwrap()),
                    "{path}: {problem}"
                );
                let text = response.text();
                assert!(!text.contains("root:"), "{path} served a file: {text}");
                assert!(!text.contains("[boot loader]"), "{path}: {text}");
            }
        }
        // Such codes cannot be created: for a unit, a service, or by import.
        for code in [
            "../../etc/passwd",
            "..\\windows",
            "a/b",
            "DIS%00",
            "DIS\u{0}",
            "..",
            ".",
            ".hidden",
            "-rf",
            "a b",
            "ДИНАС",
        ] {
            let problem = app
                .post_as(
                    "/api/v1/units",
                    a,
                    &json!({"code": code, "kind": "dinas", "name": "Dinas"}),
                )
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], "code", "{code}: {problem}");
            let problem = app
                .post_as(
                    &format!("/api/v1/units/{unit}/services"),
                    a,
                    &json!({"code": code, "name": "Layanan"}),
                )
                .await;
            // The unit is not a service unit, which is judged first or alongside.
            assert!(
                matches!(problem.status, 409 | 422),
                "{code}: {}",
                problem.text()
            );
            let problem = app
                .import(
                    a,
                    "/api/v1/imports/units",
                    "application/json",
                    json!([{"code": code, "name": "Dinas", "kind": "dinas"}]).to_string(),
                )
                .await
                .assert_problem(422, "import_invalid");
            assert_eq!(problem["errors"][0]["field"], "code", "{code}: {problem}");
        }
        assert_eq!(app.get_as("/api/v1/units", a).await.json()["total"], 1);
        still_answers(app).await;
    })
    .await;
}

/// One free-text field of a writable resource: where it is written, and where it reads back.
struct FreeText {
    /// `METHOD path field`, as a reader of the coverage list sees it.
    name: &'static str,
    method: Method,
    path: String,
    token: String,
    /// The body, with `"$P"` where the value goes, `$N` (or `$3`, 3 digits) in strings that must
    /// differ per write, and `"$YEAR"` for a cycle year of its own.
    body: Value,
    /// The field as a validation error names it.
    field: &'static str,
    /// Where the stored value is, as a JSON pointer into the write's answer (`*`: the last item).
    pointer: &'static str,
    /// A GET answering the stored resource (`{id}` is the written resource's id), and where in it.
    read: Option<(String, &'static str)>,
    max: usize,
}

/// The value at a JSON pointer whose `*` segments stand for the last item of an array.
fn at<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    pointer
        .split('/')
        .skip(1)
        .try_fold(value, |v, segment| match (segment, v) {
            ("*", Value::Array(items)) => items.last(),
            (_, Value::Array(items)) => items.get(segment.parse::<usize>().ok()?),
            (_, v) => v.get(segment),
        })
}

fn fill(template: &Value, value: &str, n: usize) -> Value {
    match template {
        Value::String(s) if s == "$P" => Value::String(value.to_owned()),
        // A cycle year of its own: the next of 2028 to 2100 this process has not given out.
        Value::String(s) if s == "$YEAR" => {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(2028);
            let year = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            assert!(year <= 2100, "more cycle years than 2028..=2100 holds");
            json!(year)
        }
        // A day of 2025 of its own.
        Value::String(s) if s == "$DATE" => json!(
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Days::new(n as u64 % 365)
        ),
        Value::String(s) => Value::String(
            s.replace("$3", &format!("{:03}", n % 1000))
                .replace("$N", &n.to_string()),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, value, n)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, value, n)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The ids a scenario of every writable free-text field needs.
struct Stage {
    c: city::City,
    dinas: String,
    ktp_unit: String,
    kadis_skp: String,
    kadis_rhk: String,
    kadis_indicator: String,
    staf_skp: String,
    /// The Sekda's draft: a JPT SKP, whose RHK take a perspective.
    sekda_skp: String,
    feedback: String,
    planning_cycle: String,
}

async fn stage(app: &TestApp) -> Stage {
    let c = city::city(app).await;
    let a = c.admin.clone();
    let units = app.get_as("/api/v1/units?q=DISDUKCAPIL", &a).await.json();
    let dinas = units["items"][0]["id"].as_str().unwrap().to_owned();
    let ktp = app
        .post_as(
            "/api/v1/units",
            &a,
            &json!({"code": "DISDUKCAPIL.KTP", "kind": "upt", "name": "Pelayanan KTP-el",
                    "parent_id": dinas, "is_service_unit": true}),
        )
        .await;
    ktp.assert_status(201);
    let ktp_unit = ktp.json()["id"].as_str().unwrap().to_owned();
    let planning = app
        .post_as("/api/v1/cycles", &a, &json!({"year": 2027}))
        .await;
    planning.assert_status(201);
    let planning_cycle = planning.json()["id"].as_str().unwrap().to_owned();
    let (kadis_skp, kadis_rhk) = city::approved_and_running(app, &c).await;
    let skp = app
        .get_as(&format!("/api/v1/skps/{kadis_skp}"), &c.kadis.1)
        .await
        .json();
    let kadis_indicator = skp["rhk"][0]["indicators"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let staf_skp = city::draft(app, &c.staf.1, &c.cycle, &c.staf.0).await;
    let sekda_skp = city::draft(app, &c.sekda.1, &c.cycle, &c.sekda.0).await;
    let thread = app
        .post_as(
            &format!("/api/v1/skps/{kadis_skp}/feedback"),
            &c.sekda.1,
            &json!({"period": "q1", "rhk_id": kadis_rhk, "text": "Pertahankan."}),
        )
        .await;
    thread.assert_status(201);
    let feedback = thread.json()["id"].as_str().unwrap().to_owned();
    Stage {
        c,
        dinas,
        ktp_unit,
        kadis_skp,
        kadis_rhk,
        kadis_indicator,
        staf_skp,
        sekda_skp,
        feedback,
        planning_cycle,
    }
}

/// Every free-text field of the writable resources (string properties without format, enum or
/// pattern in the request bodies of openapi.yaml) that a repeatable write stores. `PATCH`es of
/// the same fields share the DTO rules and columns; the one-shot decisions (`return`, training
/// record `reject`, a citizen's survey comment) are checked after the table with every payload
/// at once, the texts of the year's decisions (objections, reopening, calibration, assessment,
/// training decisions) in
/// `injection_payloads_in_every_decision_text_are_stored_verbatim_and_megabytes_refused`, and
/// imports in `imports_store_injection_payloads_verbatim_and_refuse_megabyte_cells`. Links
/// (`evidence[]`) and tags (`competencies[]`) are checked values, not free text; credentials
/// and tokens are not stored as sent.
fn free_text_fields(s: &Stage) -> Vec<FreeText> {
    let a = s.c.admin.clone();
    let (kadis, sekda, staf) = (s.c.kadis.1.clone(), s.c.sekda.1.clone(), s.c.staf.1.clone());
    let unit = |name, field, pointer: &'static str, max| FreeText {
        name,
        method: Method::POST,
        path: "/api/v1/units".into(),
        token: a.clone(),
        body: json!({"code": "INJ$N", "kind": "dinas", "name": "$P"}),
        field,
        pointer,
        read: Some(("/api/v1/units/{id}".into(), pointer)),
        max,
    };
    let employee = |name, field, pointer: &'static str| FreeText {
        name,
        method: Method::POST,
        path: "/api/v1/employees".into(),
        token: a.clone(),
        body: {
            let mut body = json!({"nip": "199001012015011$3", "name": "Pegawai", "employment_type": "pns",
                                  "golongan": "III/a", "position": "Analis", "position_kind": "pelaksana",
                                  "unit_id": s.dinas});
            body[field] = json!("$P");
            body
        },
        field,
        pointer,
        read: Some(("/api/v1/employees/{id}".into(), pointer)),
        max: 200,
    };
    let indicator = |name, field: &'static str, pointer: &'static str, max| FreeText {
        name,
        method: Method::POST,
        path: format!(
            "/api/v1/cycles/{}/units/{}/indicators",
            s.planning_cycle, s.dinas
        ),
        token: a.clone(),
        body: {
            let mut body = json!({"description": "Indikator", "direction": "higher_is_better",
                                  "target": 95, "unit": "persen", "target_text": "95 persen"});
            body[field] = json!("$P");
            body
        },
        field,
        pointer,
        read: None,
        max,
    };
    let training = |name, field: &'static str, pointer: &'static str, max| FreeText {
        name,
        method: Method::POST,
        path: "/api/v1/trainings".into(),
        token: a.clone(),
        body: {
            let mut body = json!({"title": "Pelatihan", "description": "Uraian", "route": "klasikal",
                                  "method": "pelatihan", "jp": 8, "provider": "BKPSDM",
                                  "start_date": "2026-03-02", "end_date": "2026-03-02",
                                  "sessions": [{"date": "2026-03-02", "location": "Aula"}]});
            if field == "sessions[0].location" {
                body["sessions"][0]["location"] = json!("$P");
            } else {
                body[field] = json!("$P");
            }
            body
        },
        field,
        pointer,
        read: Some(("/api/v1/trainings/{id}".into(), pointer)),
        max,
    };
    let record = |name, field: &'static str, pointer: &'static str, max| FreeText {
        name,
        method: Method::POST,
        path: format!("/api/v1/employees/{}/training-records", s.c.staf.0),
        token: staf.clone(),
        body: {
            let mut body = json!({"title": "E-Learning", "route": "nonklasikal", "method": "e_learning",
                                  "jp": 2, "completed_on": "2026-02-20", "certificate_no": "C-$N",
                                  "evidence": "https://asn.example.id/sertifikat/$N"});
            body[field] = json!("$P");
            body
        },
        field,
        pointer,
        read: None,
        max,
    };
    let rhk = |name, field: &'static str, pointer: &'static str, max| FreeText {
        name,
        method: Method::POST,
        path: format!("/api/v1/skps/{}/rhk", s.staf_skp),
        token: staf.clone(),
        body: {
            let mut body = city::rhk("utama", "RHK", json!({"parent_rhk_id": s.kadis_rhk}));
            body["indicators"][0]["target_text"] = json!("95 persen");
            match field.strip_prefix("indicators[0].") {
                Some(inner) => body["indicators"][0][inner] = json!("$P"),
                None => body[field] = json!("$P"),
            }
            body
        },
        field,
        pointer,
        read: None,
        max,
    };
    vec![
        unit("POST /units name", "name", "/name", 200),
        employee("POST /employees name", "name", "/name"),
        employee("POST /employees position", "position", "/position"),
        FreeText {
            name: "POST /service-accounts name",
            method: Method::POST,
            path: "/api/v1/service-accounts".into(),
            token: a.clone(),
            body: json!({"name": "$P", "scopes": ["read:org"]}),
            field: "name",
            pointer: "/name",
            read: Some(("/api/v1/service-accounts/{id}".into(), "/name")),
            max: 100,
        },
        FreeText {
            name: "POST /cycles name",
            method: Method::POST,
            path: "/api/v1/cycles".into(),
            token: a.clone(),
            body: json!({"year": "$YEAR", "name": "$P"}),
            field: "name",
            pointer: "/name",
            read: Some(("/api/v1/cycles/{id}".into(), "/name")),
            max: 200,
        },
        indicator(
            "POST /cycles/{id}/units/{unit_id}/indicators description",
            "description",
            "/description",
            2000,
        ),
        indicator(
            "POST /cycles/{id}/units/{unit_id}/indicators target_text",
            "target_text",
            "/target_text",
            500,
        ),
        indicator(
            "POST /cycles/{id}/units/{unit_id}/indicators unit",
            "unit",
            "/unit",
            50,
        ),
        training("POST /trainings title", "title", "/title", 200),
        training(
            "POST /trainings description",
            "description",
            "/description",
            4000,
        ),
        training("POST /trainings provider", "provider", "/provider", 200),
        training(
            "POST /trainings sessions[].location",
            "sessions[0].location",
            "/sessions/0/location",
            200,
        ),
        record(
            "POST /employees/{id}/training-records title",
            "title",
            "/title",
            200,
        ),
        record(
            "POST /employees/{id}/training-records certificate_no",
            "certificate_no",
            "/certificate_no",
            100,
        ),
        record(
            "POST /employees/{id}/training-records evidence",
            "evidence",
            "/evidence",
            2000,
        ),
        FreeText {
            name: "POST /units/{id}/services name",
            method: Method::POST,
            path: format!("/api/v1/units/{}/services", s.ktp_unit),
            token: a.clone(),
            body: json!({"code": "S$N", "name": "$P"}),
            field: "name",
            pointer: "/name",
            read: None,
            max: 200,
        },
        FreeText {
            name: "POST /units/{id}/survey-periods name",
            method: Method::POST,
            path: format!("/api/v1/units/{}/survey-periods", s.ktp_unit),
            token: a.clone(),
            body: json!({"name": "$P", "start_date": "$DATE", "end_date": "$DATE"}),
            field: "name",
            pointer: "/name",
            read: None,
            max: 200,
        },
        rhk(
            "POST /skps/{id}/rhk description",
            "description",
            "/rhk/*/description",
            2000,
        ),
        FreeText {
            name: "POST /skps/{id}/rhk perspective",
            method: Method::POST,
            path: format!("/api/v1/skps/{}/rhk", s.sekda_skp),
            token: sekda.clone(),
            body: city::rhk("tambahan", "RHK", json!({"perspective": "$P"})),
            field: "perspective",
            pointer: "/rhk/*/perspective",
            read: None,
            max: 50,
        },
        rhk(
            "POST /skps/{id}/rhk indicators[].description",
            "indicators[0].description",
            "/rhk/*/indicators/0/description",
            2000,
        ),
        rhk(
            "POST /skps/{id}/rhk indicators[].target_text",
            "indicators[0].target_text",
            "/rhk/*/indicators/0/target_text",
            500,
        ),
        rhk(
            "POST /skps/{id}/rhk indicators[].unit",
            "indicators[0].unit",
            "/rhk/*/indicators/0/unit",
            50,
        ),
        FreeText {
            name: "POST /skps/{id}/realizations note",
            method: Method::POST,
            path: format!("/api/v1/skps/{}/realizations", s.kadis_skp),
            token: kadis.clone(),
            body: json!({"indicator_id": s.kadis_indicator, "period": "q1", "value": 50, "note": "$P"}),
            field: "note",
            pointer: "/realization/note",
            read: None,
            max: 2000,
        },
        FreeText {
            name: "POST /cycles/{id}/units/{unit_id}/indicators/{indicator_id}/realizations note",
            method: Method::POST,
            path: format!(
                "/api/v1/cycles/{}/units/{}/indicators/{}/realizations",
                s.c.cycle, s.dinas, s.c.indicator
            ),
            token: a.clone(),
            body: json!({"period": "q1", "value": 50, "note": "$P"}),
            field: "note",
            pointer: "/realization/note",
            read: None,
            max: 2000,
        },
        FreeText {
            name: "POST /skps/{id}/feedback text",
            method: Method::POST,
            path: format!("/api/v1/skps/{}/feedback", s.kadis_skp),
            token: sekda.clone(),
            body: json!({"period": "q1", "rhk_id": s.kadis_rhk, "text": "$P"}),
            field: "text",
            pointer: "/text",
            read: None,
            max: 4000,
        },
        FreeText {
            name: "POST /skps/{id}/feedback/{feedback_id}/replies text",
            method: Method::POST,
            path: format!(
                "/api/v1/skps/{}/feedback/{}/replies",
                s.kadis_skp, s.feedback
            ),
            token: kadis.clone(),
            body: json!({"text": "$P"}),
            field: "text",
            pointer: "/replies/*/text",
            read: None,
            max: 4000,
        },
        FreeText {
            name: "PUT /skps/{id}/evaluations/{period}/self-assessment rhk[].text",
            method: Method::PUT,
            path: format!(
                "/api/v1/skps/{}/evaluations/q1/self-assessment",
                s.kadis_skp
            ),
            token: kadis.clone(),
            body: json!({"rhk": [{"rhk_id": s.kadis_rhk, "text": "$P"}], "core_values": []}),
            field: "rhk[0].text",
            pointer: "/self_assessment/rhk/0/text",
            read: None,
            max: 4000,
        },
        FreeText {
            name: "PUT /skps/{id}/evaluations/{period}/self-assessment core_values[].text",
            method: Method::PUT,
            path: format!(
                "/api/v1/skps/{}/evaluations/q1/self-assessment",
                s.kadis_skp
            ),
            token: kadis.clone(),
            body: json!({"rhk": [], "core_values": [{"core_value": "adaptif", "text": "$P"}]}),
            field: "core_values[0].text",
            pointer: "/self_assessment/core_values/0/text",
            read: None,
            max: 4000,
        },
    ]
}

/// Payloads that would do harm if anything interpreted them (SQL, HTML, templates, JNDI).
const INJECTIONS: [&str; 6] = [
    "'; DROP TABLE employees; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "Robert'); DELETE FROM units WHERE ('1'='1",
];

/// Whether some string in `value` is exactly `text`.
fn holds(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s == text,
        Value::Array(items) => items.iter().any(|v| holds(v, text)),
        Value::Object(map) => map.values().any(|v| holds(v, text)),
        _ => false,
    }
}

fn assert_safe_json(response: &TestResponse, what: &str) {
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{what}"
    );
    assert_eq!(
        response.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        response.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'"),
        "{what}"
    );
    assert_eq!(
        response.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
}

async fn write(app: &TestApp, f: &FreeText, value: &str, n: usize) -> TestResponse {
    let mut request = app
        .authed(f.method.clone(), &f.path, &f.token)
        .json(&fill(&f.body, value, n));
    if f.method == Method::PUT || f.method == Method::PATCH {
        request = request.header("If-Match", "*");
    }
    app.send(request).await
}

#[tokio::test]
async fn injection_payloads_in_every_free_text_field_are_stored_verbatim_and_inert() {
    on_each_db(async |app: &TestApp| {
        let s = stage(app).await;
        let fields = free_text_fields(&s);
        let mut n = 10;
        for payload in INJECTIONS {
            for f in &fields {
                n += 1;
                let what = format!("{} <- {payload}", f.name);
                // Short fields take the payload cut to their limit.
                let value: String = payload.chars().take(f.max).collect();
                let written = write(app, f, &value, n).await;
                assert!(
                    matches!(written.status, 200 | 201),
                    "{what}: {} {}",
                    written.status,
                    written.text()
                );
                assert_safe_json(&written, &what);
                let body = written.json();
                assert_eq!(at(&body, f.pointer), Some(&json!(value)), "{what}: {body}");
                if let Some((read, pointer)) = &f.read {
                    let path = read.replace("{id}", body["id"].as_str().unwrap());
                    let stored = app.get_as(&path, &s.c.admin).await;
                    stored.assert_status(200);
                    assert_safe_json(&stored, &what);
                    assert_eq!(at(&stored.json(), pointer), Some(&json!(value)), "{what}");
                }
            }
        }
        // One-shot decisions take every payload at once: the penilai returns the staff
        // member's SKP with a reason, the superior rejects an external training record.
        let all = INJECTIONS.join(" ");
        city::action(app, &s.c.staf.1, &s.staf_skp, "submit", None)
            .await
            .assert_status(200);
        let returned = city::action(
            app,
            &s.c.kadis.1,
            &s.staf_skp,
            "return",
            Some(json!({"reason": all})),
        )
        .await;
        returned.assert_status(200);
        assert_safe_json(&returned, "POST /skps/{id}/return reason");
        assert_eq!(returned.json()["return_reason"], json!(all));
        let skp = app
            .get_as(&format!("/api/v1/skps/{}", s.staf_skp), &s.c.staf.1)
            .await;
        assert_eq!(skp.json()["return_reason"], json!(all));
        let record = app
            .post_as(
                &format!("/api/v1/employees/{}/training-records", s.c.staf.0),
                &s.c.staf.1,
                &json!({"title": "E-Learning", "route": "nonklasikal", "method": "e_learning", "jp": 2,
                        "completed_on": "2026-02-20", "evidence": "https://asn.example.id/sertifikat/x"}),
            )
            .await;
        record.assert_status(201);
        let rejected = app
            .send(
                app.authed(
                    Method::POST,
                    &format!(
                        "/api/v1/training-records/{}/reject",
                        record.json()["id"].as_str().unwrap()
                    ),
                    &s.c.kadis.1,
                )
                .header("If-Match", "*")
                .json(&json!({"reason": all})),
            )
            .await;
        rejected.assert_status(200);
        assert_safe_json(&rejected, "POST /training-records/{id}/reject reason");
        assert!(
            holds(&rejected.json(), &all),
            "the reason is stored verbatim: {}",
            rejected.text()
        );

        // A citizen's survey comment, on an open period of a service of the service unit.
        app.post_as(
            &format!("/api/v1/units/{}/services", s.ktp_unit),
            &s.c.admin,
            &json!({"code": "KTP-BARU", "name": "KTP-el baru"}),
        )
        .await
        .assert_status(201);
        app.post_as(
            &format!("/api/v1/units/{}/survey-periods", s.ktp_unit),
            &s.c.admin,
            &json!({"name": "Maret 2026", "start_date": "2026-03-01", "end_date": "2026-03-31"}),
        )
        .await
        .assert_status(201);
        let answers = json!({"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3});
        let survey = "/api/v1/public/surveys/DISDUKCAPIL.KTP/responses";
        // The public route takes at most 16 KiB: a megabyte comment never reaches the rules.
        let problem = app
            .post_json(
                survey,
                &json!({"service": "KTP-BARU", "answers": answers, "comment": "A".repeat(JSON_LIMIT - 4096)}),
            )
            .await
            .assert_problem(413, "payload_too_large");
        assert_eq!(problem["limit_bytes"], 16 * 1024);
        let problem = app
            .post_json(
                survey,
                &json!({"service": "KTP-BARU", "answers": answers, "comment": "A".repeat(10_000)}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "comment", "{problem}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("1000"));
        let submitted = app
            .post_json(
                survey,
                &json!({"service": "KTP-BARU", "answers": answers, "comment": all}),
            )
            .await;
        submitted.assert_status(201);
        assert_safe_json(&submitted, "POST /public/surveys/{unit_code}/responses comment");
        let conn = app.db.connection();
        let comments: Vec<String> = conn
            .query_all_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT comment FROM survey_responses".to_owned(),
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "comment").unwrap())
            .collect();
        assert_eq!(comments, vec![all]);

        // The tables the payloads name are all there, with every row written.
        let employees = app.get_as("/api/v1/employees?per_page=1", &s.c.admin).await;
        employees.assert_status(200);
        assert_eq!(
            employees.json()["total"],
            3 + 2 * INJECTIONS.len(),
            "{}",
            employees.text()
        );
        let units = app.get_as("/api/v1/units?per_page=1", &s.c.admin).await;
        assert_eq!(units.json()["total"], 3 + INJECTIONS.len());
        // Lists show them verbatim too.
        let list = app
            .get_as("/api/v1/units?q=INJ&per_page=100", &s.c.admin)
            .await
            .json();
        let names: std::collections::BTreeSet<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, INJECTIONS.iter().copied().collect());
    })
    .await;
}

#[tokio::test]
async fn megabyte_strings_in_every_free_text_field_are_422_naming_the_field_and_its_maximum() {
    on_each_db(async |app: &TestApp| {
        let s = stage(app).await;
        let fields = free_text_fields(&s);
        // Just under the 1 MiB body limit, so the length rule (not the body limit) answers.
        let huge = "A".repeat(JSON_LIMIT - 4096);
        for (n, f) in fields.iter().enumerate() {
            let response = write(app, f, &huge, 50 + n).await;
            let problem = response.assert_problem(422, "validation_failed");
            let error = problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["field"] == f.field)
                .unwrap_or_else(|| panic!("{}: {problem}", f.name));
            // `length` from the DTO's rule, `too_long` from the few checked in the domain.
            assert!(
                ["length", "too_long"].contains(&error["code"].as_str().unwrap()),
                "{}: {error}",
                f.name
            );
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains(&f.max.to_string()),
                "{}: {error}",
                f.name
            );
            assert!(
                response.body.len() < 4096,
                "{}: the problem does not echo the value",
                f.name
            );
            // Exactly the maximum is taken (the limit is the one stated).
            let at_max = "A".repeat(f.max);
            let written = write(app, f, &at_max, 100 + n).await;
            assert!(
                matches!(written.status, 200 | 201),
                "{}: {} {}",
                f.name,
                written.status,
                written.text()
            );
            assert_eq!(
                at(&written.json(), f.pointer),
                Some(&json!(at_max)),
                "{}",
                f.name
            );
        }
        still_answers(app).await;
    })
    .await;
}

/// A text written once, as a step of a decision: a megabyte in `field` is 422 naming it and its
/// maximum (the step is not taken, so it can still be taken), then `value` is taken. The answer
/// to the write that took.
#[allow(clippy::too_many_arguments)]
async fn once(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
    field: &str,
    max: usize,
    value: &str,
) -> Value {
    let send = async |text: &str| {
        let mut request = app
            .authed(method.clone(), path, token)
            .json(&fill(body, text, 0));
        if method != Method::POST {
            request = request.header("If-Match", "*");
        }
        app.send(request).await
    };
    let what = format!("{method} {path} {field}");
    let refused = send(&"A".repeat(JSON_LIMIT - 4096)).await;
    let problem = refused.assert_problem(422, "validation_failed");
    let error = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("{what}: {problem}"));
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains(&max.to_string()),
        "{what}: {error}"
    );
    assert!(
        refused.body.len() < 4096,
        "{what}: the problem does not echo the value"
    );
    let taken = send(value).await;
    assert!(
        matches!(taken.status, 200 | 201),
        "{what}: {} {}",
        taken.status,
        taken.text()
    );
    assert_safe_json(&taken, &what);
    taken.json()
}

/// The `after` of the newest audit event of `action` on `entity`.
async fn audited(app: &TestApp, admin: &str, entity: &str, action: &str) -> Value {
    let events = app
        .get_as(
            &format!("/api/v1/audit-events?entity_id={entity}&action={action}"),
            admin,
        )
        .await
        .json();
    events["items"][0]["after"].clone()
}

/// The texts `free_text_fields` cannot repeat, each taken at its step of a whole year: the
/// cycle's reason for a settings change, the penilai's override reason and behaviour note, the
/// admin's reopening reason, the objection with its explanation and decision note, the org
/// predikat's reason and the calibration override, a dropped participation's reason, a
/// completion's certificate number and the superior's approval reason. Each refuses a megabyte
/// naming the field, then keeps every payload at once byte for byte, in its answer, in the
/// resource read back, and in the audit trail where that is the only place it lives.
#[tokio::test]
async fn injection_payloads_in_every_decision_text_are_stored_verbatim_and_megabytes_refused() {
    on_each_db(async |app: &TestApp| {
        let c = city::city(app).await;
        let a = c.admin.clone();
        let (staf, kadis, sekda) = (c.staf.1.clone(), c.kadis.1.clone(), c.sekda.1.clone());
        let all = INJECTIONS.join(" ");
        let cut: String = all.chars().take(100).collect();

        // Disdukcapil of six (the curve blocks from five): the kadis, the staff member with
        // realisasi, and four more staff; the Sekda heads the Setda above it.
        let (kadis_skp, kadis_rhk) = city::approved_and_running(app, &c).await;
        let dinas = app.get_as(&format!("/api/v1/employees/{}", c.kadis.0), &a).await.json()["unit_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let setda = app.get_as(&format!("/api/v1/units/{dinas}"), &a).await.json()["parent_id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.patch_as(&format!("/api/v1/units/{setda}"), &a, Some("*"), &json!({"head_employee_id": c.sekda.0}))
            .await
            .assert_status(200);
        let mut staff = vec![c.staf.0];
        for n in 0..4 {
            let nip = kinerja_tests::test_nip(200 + n);
            staff.push(app.create_employee(&a, &nip, &format!("Staf {n}"), dinas.parse().unwrap(), Some(c.kadis.0)).await);
        }
        let mut skps = Vec::new();
        for employee in &staff {
            let skp = city::draft(app, &a, &c.cycle, employee).await;
            app.post_as(&format!("/api/v1/skps/{skp}/rhk"), &a, &city::rhk("utama", "Berkas selesai", json!({"parent_rhk_id": kadis_rhk})))
                .await
                .assert_status(201);
            city::action(app, &a, &skp, "submit", None).await.assert_status(200);
            city::action(app, &kadis, &skp, "approve", None).await.assert_status(200);
            skps.push(skp);
        }
        let skp = skps[0].clone();
        let indicator = app.get_as(&format!("/api/v1/skps/{skp}"), &staf).await.json()["rhk"][0]["indicators"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The running cycle's settings change with a reason, which only the audit trail keeps.
        once(app, Method::PATCH, &format!("/api/v1/cycles/{}", c.cycle), &a,
             &json!({"settings": {"weak_indicator_capaian": 75}, "reason": "$P"}), "reason", 1000, &all)
            .await;
        assert_eq!(audited(app, &a, &c.cycle, "cycle.updated").await["reason"], json!(all));

        // The penilai rates below the suggestion (99 of 90: di atas) with a reason and a note.
        app.post_as(&format!("/api/v1/skps/{skp}/realizations"), &staf,
                    &json!({"indicator_id": indicator, "period": "q1", "value": 99}))
            .await
            .assert_status(201);
        let q1 = format!("/api/v1/skps/{skp}/evaluations/q1");
        let rate = |reason: &str, note: &str| {
            let mut body = city::assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi");
            body["override_reason"] = json!(reason);
            body["behavior_notes"] = json!({"adaptif": note});
            body
        };
        let rated = once(app, Method::PUT, &format!("{q1}/assessment"), &kadis, &rate("$P", "Catatan"), "override_reason", 2000, &all).await;
        assert_eq!(rated["override_reason"], json!(all));
        let rated = once(app, Method::PUT, &format!("{q1}/assessment"), &kadis, &rate("Di bawah rata-rata unit", "$P"),
                         "behavior_notes.adaptif", 2000, &all)
            .await;
        let note = |e: &Value| {
            e["behavior_ratings"].as_array().unwrap().iter().find(|b| b["core_value"] == "adaptif").unwrap()["note"].clone()
        };
        assert_eq!(note(&rated), json!(all));
        assert_eq!(note(&app.get_as(&q1, &staf).await.json()), json!(all));

        // Finalised, reopened by an admin with a reason (kept by the audit trail), finalised again.
        city::action(app, &kadis, &skp, "evaluations/q1/finalize", None).await.assert_status(200);
        let reopened = once(app, Method::POST, &format!("{q1}/reopen"), &a, &json!({"reason": "$P"}), "reason", 2000, &all).await;
        let evaluation = reopened["id"].as_str().unwrap().to_owned();
        assert_eq!(audited(app, &a, &evaluation, "evaluation.reopened").await["reason"], json!(all));
        city::action(app, &kadis, &skp, "evaluations/q1/finalize", None).await.assert_status(200);

        // The objection: the pegawai's reason, the penilai's explanation, the atasan's note.
        let filed = once(app, Method::POST, &format!("{q1}/objections"), &staf, &json!({"reason": "$P"}), "reason", 4000, &all).await;
        assert_eq!(filed["reason"], json!(all));
        let objection = format!("/api/v1/objections/{}", filed["id"].as_str().unwrap());
        let explained = once(app, Method::POST, &format!("{objection}/explanation"), &kadis, &json!({"text": "$P"}), "text", 4000, &all).await;
        assert_eq!(explained["explanation"], json!(all));
        let decided = once(app, Method::POST, &format!("{objection}/decide"), &sekda,
                           &json!({"decision": "rejected", "note": "$P"}), "note", 4000, &all)
            .await;
        assert_eq!(decided["decision_note"], json!(all));
        let stored = app.get_as(&objection, &staf).await;
        assert_safe_json(&stored, "GET /objections/{id}");
        let stored = stored.json();
        assert_eq!((&stored["reason"], &stored["explanation"], &stored["decision_note"]), (&json!(all), &json!(all), &json!(all)));

        // The year's calibration: the Sekda sets baik with a reason; all six baik breach the curve,
        // and he overrides it with a reason.
        let base = format!("/api/v1/cycles/{}/units/{dinas}", c.cycle);
        let set = once(app, Method::PUT, &format!("{base}/performance"), &sekda,
                       &json!({"period": "q4", "predikat": "baik", "reason": "$P"}), "reason", 2000, &all)
            .await;
        assert_eq!(set["reason"], json!(all));
        assert_eq!(app.get_as(&format!("{base}/performance"), &kadis).await.json()["reason"], json!(all));
        city::put(app, &sekda, &format!("/api/v1/skps/{kadis_skp}/evaluations/q4/assessment"), &city::assessment(None, "sesuai_ekspektasi"))
            .await
            .assert_status(200);
        for skp in &skps {
            let mut body = city::assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi");
            body["override_reason"] = json!("Penilaian tahunan");
            city::put(app, &kadis, &format!("/api/v1/skps/{skp}/evaluations/q4/assessment"), &body).await.assert_status(200);
        }
        let finalize = format!("{base}/calibration/finalize");
        app.post_as(&finalize, &sekda, &json!({"period": "q4"})).await.assert_problem(409, "curve_breached");
        let done = once(app, Method::POST, &finalize, &sekda, &json!({"period": "q4", "override_reason": "$P"}),
                        "override_reason", 2000, &all)
            .await;
        assert_eq!(done["override_reason"], json!(all));
        let record = app.get_as(&format!("{base}/performance"), &a).await.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(audited(app, &a, &record, "calibration.finalized").await["override_reason"], json!(all));

        // Training: a dropped participation's reason, a completion's certificate number (cut to
        // its 100), the superior's reason for approving an external record.
        let training = app
            .post_as("/api/v1/trainings", &a,
                     &json!({"title": "Pelayanan Prima", "route": "klasikal", "method": "pelatihan", "jp": 8, "provider": "BKPSDM",
                             "start_date": "2026-02-20", "end_date": "2026-03-20",
                             "sessions": [{"date": "2026-02-20", "location": "Aula"}]}))
            .await;
        training.assert_status(201);
        let t = training.json()["id"].as_str().unwrap().to_owned();
        let participant = format!("/api/v1/trainings/{t}/participants/{}", c.staf.0);
        let enrol = json!({"employee_id": c.staf.0});
        app.post_as(&format!("/api/v1/trainings/{t}/participants"), &staf, &enrol).await.assert_status(201);
        let dropped = once(app, Method::POST, &format!("{participant}/drop"), &staf, &json!({"reason": "$P"}), "reason", 4000, &all).await;
        assert_eq!(dropped["drop_reason"], json!(all));
        assert_eq!(app.get_as(&participant, &a).await.json()["drop_reason"], json!(all));
        app.post_as(&format!("/api/v1/trainings/{t}/participants"), &staf, &enrol).await.assert_status(201);
        app.post_as(&format!("{participant}/attend"), &a, &json!({})).await.assert_status(200);
        let completed = once(app, Method::POST, &format!("{participant}/complete"), &a, &json!({"certificate_no": "$P"}),
                             "certificate_no", 100, &cut)
            .await;
        assert_eq!(completed["record"]["certificate_no"], json!(cut));
        let submitted = app
            .post_as(&format!("/api/v1/employees/{}/training-records", c.staf.0), &staf,
                     &json!({"title": "E-Learning", "route": "nonklasikal", "method": "e_learning", "jp": 2,
                             "completed_on": "2026-02-20", "evidence": "https://asn.example.id/sertifikat/y"}))
            .await;
        submitted.assert_status(201);
        let record = format!("/api/v1/training-records/{}", submitted.json()["id"].as_str().unwrap());
        let approved = once(app, Method::POST, &format!("{record}/approve"), &kadis, &json!({"reason": "$P"}), "reason", 4000, &all).await;
        assert_eq!(approved["decision_reason"], json!(all));
        assert_eq!(app.get_as(&record, &staf).await.json()["decision_reason"], json!(all));

        // Links and tags are not free text: a script link as bukti dukung, or a payload as a
        // programme's competency tag, is refused naming the item.
        let problem = app
            .post_as(&format!("/api/v1/skps/{skp}/realizations"), &staf,
                     &json!({"indicator_id": indicator, "period": "q2", "value": 50, "evidence": ["javascript:alert(1)"]}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "evidence[0]", "{problem}");
        let problem = app
            .post_as("/api/v1/trainings", &a,
                     &json!({"title": "Pelatihan", "route": "klasikal", "method": "pelatihan", "jp": 8, "provider": "BKPSDM",
                             "competencies": ["pelayanan", INJECTIONS[0]],
                             "start_date": "2026-03-02", "end_date": "2026-03-02",
                             "sessions": [{"date": "2026-03-02", "location": "Aula"}]}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "competencies[1]", "{problem}");
        still_answers(app).await;
    })
    .await;
}

/// Cells a spreadsheet would run as a formula (or that hide one behind a tab or a CR).
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "@SUM(1+1)",
    "+1",
    "-1+2",
    "\t=1+1",
    "\r=2+2",
];

fn csv_cells(response: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(
        response.header("content-type"),
        Some("text/csv; charset=utf-8"),
        "{}",
        response.text()
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(response.body.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// No cell of an export starts like a formula, and every stored value in `expected` appears,
/// neutralised with a leading `'`.
fn assert_neutralised(what: &str, rows: &[Vec<String>], expected: &[&str]) {
    assert!(rows.len() >= 2, "{what}: header and rows: {rows:?}");
    for row in rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: a live formula cell {cell:?} in {row:?}"
            );
        }
    }
    for value in expected {
        assert!(
            value.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: {value:?} is stored as a formula"
        );
        let neutralised = format!("'{value}");
        assert!(
            rows.iter().flatten().any(|c| *c == neutralised),
            "{what}: {neutralised:?} not found in {rows:?}"
        );
    }
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let index = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[index].as_str()).collect()
}

#[tokio::test]
async fn formula_cells_are_neutralised_in_every_csv_export() {
    on_each_db(async |app: &TestApp| {
        let c = city::city(app).await;
        let a = &c.admin;
        let units = app.get_as("/api/v1/units?q=DISDUKCAPIL", a).await.json();
        let dinas = units["items"][0]["id"].as_str().unwrap().to_owned();
        // Formula-like names and positions on people and a unit, before the SKPs are made.
        let patch = |path: String, body: Value| async move {
            let response = app.patch_as(&path, a, Some("*"), &body).await;
            response.assert_status(200);
            response.json()
        };
        let kadis = patch(
            format!("/api/v1/employees/{}", c.kadis.0),
            json!({"name": FORMULAS[0], "position": FORMULAS[1]}),
        )
        .await;
        let staf = patch(
            format!("/api/v1/employees/{}", c.staf.0),
            json!({"name": FORMULAS[2], "position": FORMULAS[3]}),
        )
        .await;
        let unit = patch(format!("/api/v1/units/{dinas}"), json!({"name": FORMULAS[3]})).await;
        let created = app
            .post_as(
                "/api/v1/employees",
                a,
                &json!({"nip": kinerja_tests::test_nip(40), "name": FORMULAS[4], "employment_type": "pns",
                        "golongan": "III/a", "position": FORMULAS[5], "position_kind": "pelaksana",
                        "unit_id": dinas}),
            )
            .await;
        created.assert_status(201);
        let newcomer = created.json();
        // What was stored (a name may be trimmed: the stored value is what must be neutralised).
        let stored = |v: &Value, key: &str| v[key].as_str().unwrap().to_owned();
        let (kadis_name, kadis_position) = (stored(&kadis, "name"), stored(&kadis, "position"));
        let (staf_name, staf_position) = (stored(&staf, "name"), stored(&staf, "position"));
        let unit_name = stored(&unit, "name");
        let (newcomer_name, newcomer_position) =
            (stored(&newcomer, "name"), stored(&newcomer, "position"));
        for value in [&kadis_name, &kadis_position, &staf_name, &staf_position, &unit_name] {
            assert!(FORMULAS.contains(&value.as_str()), "stored verbatim: {value:?}");
        }
        city::approved_and_running(app, &c).await;
        let csv = |path: &'static str| async move {
            let response = app
                .send(app.authed(Method::GET, path, a).header("Accept", "text/csv"))
                .await;
            response.assert_status(200);
            csv_cells(&response)
        };

        // Each CSV operation, with the stored values its rows carry.
        let mut covered = std::collections::BTreeSet::new();
        let employees = csv("/api/v1/employees?per_page=500").await;
        assert_neutralised(
            "list_employees",
            &employees,
            &[
                &kadis_name,
                &kadis_position,
                &staf_name,
                &staf_position,
                &newcomer_name,
                &newcomer_position,
            ],
        );
        // A number column stays a number.
        assert!(column(&employees, "version").iter().all(|v| v.parse::<u32>().is_ok()));
        covered.insert("list_employees");

        let units = csv("/api/v1/units").await;
        assert_neutralised("list_units", &units, &[&unit_name]);
        covered.insert("list_units");

        let annual = csv("/api/v1/exports/annual-predikat?year=2026").await;
        assert_neutralised("annual_predikat", &annual, &[&kadis_name]);
        covered.insert("annual_predikat");

        let monthly = csv("/api/v1/reports/monthly-performance?month=2026-03").await;
        assert_neutralised(
            "monthly_performance",
            &monthly,
            &[&kadis_name, &staf_name, &newcomer_name],
        );
        assert!(column(&monthly, "jp").iter().all(|v| v.parse::<f64>().is_ok()), "{monthly:?}");
        covered.insert("monthly_performance");

        let accounts = app
            .send(
                app.authed(Method::POST, "/api/v1/users/from-employees", a)
                    .header("Accept", "text/csv")
                    .json(&json!({"unit_id": dinas})),
            )
            .await;
        accounts.assert_status(200);
        let accounts = csv_cells(&accounts);
        assert_neutralised("create_from_employees", &accounts, &[&newcomer_name]);
        // The one-time passwords are exported as they are (none is formula-like).
        let password = column(&accounts, "password")[0].to_owned();
        let username = column(&accounts, "username")[0].to_owned();
        app.token(&username, &password).await.assert_status(200);
        covered.insert("create_from_employees");

        // Every operation the served contract says can answer CSV is covered above.
        let spec = app.get("/openapi.json").await.json();
        let mut csv_operations = std::collections::BTreeSet::new();
        for item in spec["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                let answers_csv = operation["responses"]
                    .as_object()
                    .is_some_and(|r| r.values().any(|r| r["content"].get("text/csv").is_some()));
                if answers_csv {
                    csv_operations.insert(operation["operationId"].as_str().unwrap().to_owned());
                }
            }
        }
        let covered: std::collections::BTreeSet<String> =
            covered.into_iter().map(str::to_owned).collect();
        assert_eq!(csv_operations, covered, "a CSV export is not covered here");
    })
    .await;
}

#[tokio::test]
async fn imports_store_injection_payloads_verbatim_and_refuse_megabyte_cells() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        // A CSV written as a spreadsheet would (quotes doubled, cells with `,` quoted).
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["code", "name", "kind"]).unwrap();
        for (i, payload) in INJECTIONS.iter().enumerate() {
            writer
                .write_record([format!("IMP{i}").as_str(), payload, "dinas"])
                .unwrap();
        }
        let file = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let imported = app
            .import(a, "/api/v1/imports/units", "text/csv", file)
            .await;
        imported.assert_status(200);
        assert_safe_json(&imported, "POST /imports/units");
        assert_eq!(
            imported.json()["created"],
            INJECTIONS.len(),
            "{}",
            imported.text()
        );
        for (i, payload) in INJECTIONS.iter().enumerate() {
            let found = app
                .get_as(&format!("/api/v1/units?q=IMP{i}"), a)
                .await
                .json();
            assert_eq!(found["items"][0]["name"], *payload, "{found}");
        }

        // A 1 MB cell, in CSV and in JSON: the row, the column and the maximum are named.
        let huge = "A".repeat(JSON_LIMIT);
        for (content_type, file, row) in [
            ("text/csv", format!("code,name,kind\nBIG,{huge},dinas\n"), 2),
            (
                "application/json",
                json!([{"code": "BIG", "name": huge, "kind": "dinas"}]).to_string(),
                1,
            ),
        ] {
            let response = app
                .import(a, "/api/v1/imports/units", content_type, file)
                .await;
            let problem = response.assert_problem(422, "import_invalid");
            let error = &problem["errors"][0];
            assert_eq!(
                (error["field"].as_str(), error["row"].as_u64()),
                (Some("name"), Some(row)),
                "{problem}"
            );
            assert!(
                error["message"].as_str().unwrap().contains("200"),
                "{error}"
            );
            assert!(
                response.body.len() < 4096,
                "the problem does not echo the cell"
            );
        }
        let units = app.get_as("/api/v1/units?per_page=1", a).await.json();
        assert_eq!(units["total"], INJECTIONS.len());
    })
    .await;
}
