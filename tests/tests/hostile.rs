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
use kinerja_tests::{TestApp, city, on_each_db};
use reqwest::Method;
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
