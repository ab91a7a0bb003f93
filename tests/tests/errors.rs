//! Every generic error a newcomer can provoke with curl is problem+json with a stable code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db, on_each_db_with};
use reqwest::Method;

const TOKEN: &str = "/api/v1/auth/token";

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> kinerja_tests::TestResponse {
    let mut request = app.request(Method::POST, TOKEN).body(body);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    app.send(request).await
}

#[tokio::test]
async fn malformed_bodies_are_named_precisely() {
    on_each_db(async |app: &TestApp| {
        let json = Some("application/json");
        // Table of bad inputs: body, expected status, code, field (if any).
        let cases: &[(&[u8], u16, &str, Option<&str>)] = &[
            (b"{\"grant_type\":", 400, "malformed_json", None),
            (b"", 400, "malformed_json", None),
            (b"[1,2", 400, "malformed_json", None),
            (b"{\"grant_type\":\"password\",\"username\":\"a\",\"password\":\"b\"} x", 400, "malformed_json", None),
            (b"{\"grant_type\":\"password\",\"username\":\"a\",\"password\":\"b\",\"admin\":true}", 400, "unknown_field", Some("admin")),
            (b"{\"grant_type\":\"password\",\"username\":\"\xff\xfe\",\"password\":\"b\"}", 400, "invalid_encoding", None),
            (b"{\"grant_type\":\"password\",\"username\":\"a\"}", 422, "validation_failed", Some("password")),
            (b"{\"grant_type\":\"password\",\"username\":7,\"password\":\"b\"}", 422, "validation_failed", Some("username")),
            (b"{\"grant_type\":\"telepathy\"}", 422, "validation_failed", Some("grant_type")),
            (b"{\"grant_type\":\"password\",\"username\":\"\",\"password\":\"b\"}", 422, "validation_failed", Some("username")),
        ];
        for (body, status, code, field) in cases {
            let response = post_raw(app, json, body.to_vec()).await;
            let problem = response.assert_problem(*status, code);
            let first_field = problem["errors"][0]["field"].as_str();
            assert_eq!(first_field, *field, "{}: {problem}", String::from_utf8_lossy(body));
        }
    })
    .await;
}

#[tokio::test]
async fn wrong_content_types_are_415() {
    on_each_db(async |app: &TestApp| {
        let body = br#"{"grant_type":"password","username":"a","password":"b"}"#.to_vec();
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/xml"),
        ] {
            post_raw(app, content_type, body.clone())
                .await
                .assert_problem(415, "unsupported_media_type");
        }
        // JSON with a charset, and the merge-patch type, are JSON.
        let ok = post_raw(app, Some("application/json; charset=utf-8"), body.clone()).await;
        assert_eq!(ok.status, 401, "{}", ok.text());
    })
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_413_naming_the_limit() {
    on_each_db_with(
        |config| config.json_limit = 2048,
        async |app: &TestApp| {
            let padding = "x".repeat(4096);
            let body =
                format!(r#"{{"grant_type":"password","username":"a","password":"{padding}"}}"#);
            let problem = post_raw(app, Some("application/json"), body.into_bytes())
                .await
                .assert_problem(413, "payload_too_large");
            assert_eq!(problem["limit_bytes"], 2048);
            assert!(
                problem["detail"].as_str().unwrap().contains("2048"),
                "{problem}"
            );

            // Chunked bodies without a Content-Length are cut off at the limit too.
            let stream = futures_stream(vec![b'x'; 8192]);
            let response = app
                .send(
                    app.request(Method::POST, TOKEN)
                        .header("Content-Type", "application/json")
                        .body(reqwest::Body::wrap_stream(stream)),
                )
                .await;
            response.assert_problem(413, "payload_too_large");
        },
    )
    .await;
}

fn futures_stream(
    bytes: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter(
        bytes
            .chunks(1024)
            .map(|c| Ok(c.to_vec()))
            .collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn malformed_path_and_query_parameters_are_400() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let problem = app
            .get_as("/api/v1/users/not-a-uuid", &admin.access_token)
            .await
            .assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["field"], "path");
        for query in [
            "per_page=0",
            "per_page=501",
            "page=0",
            "per_page=abc",
            "sort=password_hash",
            "active=maybe",
        ] {
            app.get_as(&format!("/api/v1/users?{query}"), &admin.access_token)
                .await
                .assert_problem(400, "invalid_parameter");
        }
    })
    .await;
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_problems() {
    on_each_db(async |app: &TestApp| {
        app.get("/api/v1/nothing/here")
            .await
            .assert_problem(404, "route_not_found");
        let response = app.send(app.request(Method::DELETE, "/api/v1/users")).await;
        response.assert_problem(405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some("GET, POST"));
        let response = app
            .send(app.request(Method::PUT, "/api/v1/auth/token"))
            .await;
        response.assert_problem(405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some("POST"));
    })
    .await;
}

/// Inputs contract fuzzing found; each once answered 500, a dropped connection, or 200.
#[tokio::test]
async fn inputs_found_by_fuzzing_get_a_clear_4xx() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        // An offset beyond what databases take.
        for path in [
            "/api/v1/users?page=9223372036854775807",
            "/api/v1/audit-events?page=1000001",
        ] {
            let problem = app
                .get_as(path, a)
                .await
                .assert_problem(400, "invalid_parameter");
            assert_eq!(problem["errors"][0]["field"], "page");
        }
        // Query limits the spec states are enforced.
        let long = "a".repeat(65);
        let problem = app
            .get_as(&format!("/api/v1/users?q={long}"), a)
            .await
            .assert_problem(400, "invalid_parameter");
        assert_eq!(problem["errors"][0]["field"], "q");
        app.get_as(&format!("/api/v1/audit-events?entity_type={long}"), a)
            .await
            .assert_problem(400, "invalid_parameter");
        // `sep` is checked even without a CSV request.
        app.get_as("/api/v1/employees?sep=", a)
            .await
            .assert_problem(400, "invalid_parameter");
        app.get_as("/api/v1/units?sep=x", a)
            .await
            .assert_problem(400, "invalid_parameter");
        // An unknown subtree is empty, like an unknown parent.
        let empty = app
            .get_as(
                &format!("/api/v1/units?subtree_of={}", uuid::Uuid::now_v7()),
                a,
            )
            .await;
        empty.assert_status(200);
        assert_eq!(empty.json()["total"], 0);
        // NUL characters: PostgreSQL cannot store them, so neither database takes them.
        let problem = app
            .post_as(
                "/api/v1/units",
                a,
                &serde_json::json!({"code": "X", "name": "a\u{0}b", "kind": "badan"}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "nul_character");
        assert_eq!(problem["errors"][0]["field"], "name");
        app.get_as("/api/v1/users?q=a%00", a)
            .await
            .assert_problem(400, "invalid_parameter");
        app.post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"grant_type": "password", "username": "a\u{0}", "password": "x"}),
        )
        .await
        .assert_problem(422, "validation_failed");
        // An unknown unit for bulk accounts names the field.
        let problem = app
            .post_as(
                "/api/v1/users/from-employees",
                a,
                &serde_json::json!({"unit_id": uuid::Uuid::now_v7()}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_unit");
        // JSON imports hold cells of the documented types.
        let problem = app
            .import(
                a,
                "/api/v1/imports/units?dry_run=true",
                "application/json",
                r#"[{"code":"A","kind":"dinas","name":{}}]"#,
            )
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "invalid_type");
    })
    .await;
}
