//! The service surface every client meets first: health, readiness, request ids, security
//! headers, CORS, the documentation, and problem+json for every generic error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;

#[tokio::test]
async fn health_and_readiness_answer() {
    on_each_db(async |app: &TestApp| {
        let health = app.get("/health").await;
        health.assert_status(200);
        assert_eq!(health.json(), serde_json::json!({"status": "ok"}));
        app.get("/ready").await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn readiness_fails_with_a_problem_when_the_database_is_gone() {
    on_each_db(async |app: &TestApp| {
        app.cut_database().await;
        let ready = app.get("/ready").await;
        ready.assert_problem(503, "database_unavailable");
        assert!(
            ready.header("retry-after").is_some(),
            "503 must advise when to retry"
        );
        // The process itself is still up.
        app.get("/health").await.assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    on_each_db(async |app: &TestApp| {
        let generated = app.get("/health").await;
        let id = generated.header("x-request-id").expect("generated id");
        assert_eq!(
            uuid::Uuid::parse_str(id).map(|u| u.get_version_num()),
            Ok(7)
        );

        let passed = app
            .send(
                app.request(Method::GET, "/health")
                    .header("X-Request-Id", "lb-42.abc"),
            )
            .await;
        assert_eq!(passed.header("x-request-id"), Some("lb-42.abc"));

        let unsafe_id = app
            .send(
                app.request(Method::GET, "/health")
                    .header("X-Request-Id", "evil\tlog line"),
            )
            .await;
        assert_ne!(unsafe_id.header("x-request-id"), Some("evil\tlog line"));
    })
    .await;
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    on_each_db(async |app: &TestApp| {
        for path in ["/health", "/no/such/route", "/openapi.json"] {
            let response = app.get(path).await;
            assert_eq!(
                response.header("x-content-type-options"),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                response.header("referrer-policy"),
                Some("no-referrer"),
                "{path}"
            );
            assert_eq!(
                response.header("content-security-policy"),
                Some("default-src 'none'; frame-ancestors 'none'"),
                "{path}"
            );
        }
        let docs = app.get("/docs/").await;
        let csp = docs.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'"),
            "Swagger UI needs its scripts: {csp}"
        );
        assert!(
            !csp.contains("http"),
            "docs load nothing from outside: {csp}"
        );
    })
    .await;
}

#[tokio::test]
async fn docs_render_offline_and_the_spec_is_served() {
    on_each_db(async |app: &TestApp| {
        let redirect = app.get("/docs").await;
        redirect.assert_status(301);
        assert_eq!(redirect.header("location"), Some("/docs/"));

        let page = app.get("/docs/").await;
        page.assert_status(200);
        assert!(page.text().contains("swagger"), "{}", page.text());
        // The assets are vendored into the binary: nothing is fetched from a CDN.
        for asset in [
            "/docs/swagger-ui.css",
            "/docs/swagger-ui-bundle.js",
            "/docs/swagger-initializer.js",
        ] {
            let response = app.get(asset).await;
            response.assert_status(200);
            assert!(!response.body.is_empty(), "{asset}");
        }
        let initializer = app.get("/docs/swagger-initializer.js").await.text();
        assert!(initializer.contains("/openapi.json"), "{initializer}");

        let json = app.get("/openapi.json").await;
        json.assert_status(200);
        assert_eq!(json.json()["openapi"], "3.1.0");
        let yaml = app.get("/openapi.yaml").await;
        yaml.assert_status(200);
        assert!(yaml.text().starts_with("openapi: 3.1.0"));
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    on_each_db(async |app: &TestApp| {
        let body = app
            .get("/api/v1/no-such-thing")
            .await
            .assert_problem(404, "route_not_found");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("/api/v1/no-such-thing")
        );
    })
    .await;
}

#[tokio::test]
async fn undeclared_methods_are_405_problems_with_allow() {
    on_each_db(async |app: &TestApp| {
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
            let response = app.send(app.request(method.clone(), "/health")).await;
            response.assert_problem(405, "method_not_allowed");
            assert_eq!(response.header("allow"), Some("GET"), "{method}");
        }
    })
    .await;
}

#[tokio::test]
async fn problems_speak_indonesian_when_asked() {
    on_each_db(async |app: &TestApp| {
        let response = app
            .send(
                app.request(Method::GET, "/nowhere")
                    .header("Accept-Language", "id-ID,id;q=0.9,en;q=0.5"),
            )
            .await;
        let body = response.assert_problem(404, "route_not_found");
        assert_eq!(body["title"], "Tidak ditemukan");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .starts_with("Tidak ada rute")
        );
        assert_eq!(response.header("content-language"), Some("id"));

        let english = app
            .get("/nowhere")
            .await
            .assert_problem(404, "route_not_found");
        assert_eq!(english["title"], "Not found");
    })
    .await;
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    on_each_db(async |app: &TestApp| {
        let preflight = |origin: &'static str| {
            app.request(Method::OPTIONS, "/health")
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET")
                .header(
                    "Access-Control-Request-Headers",
                    "authorization,if-match,idempotency-key",
                )
        };
        let allowed = app.send(preflight("http://portal.test")).await;
        assert_eq!(
            allowed.header("access-control-allow-origin"),
            Some("http://portal.test")
        );
        let headers = allowed
            .header("access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        for needed in ["authorization", "if-match", "idempotency-key"] {
            assert!(headers.contains(needed), "{headers}");
        }

        let simple = app
            .send(
                app.request(Method::GET, "/health")
                    .header("Origin", "http://portal.test"),
            )
            .await;
        let exposed = simple
            .header("access-control-expose-headers")
            .unwrap()
            .to_ascii_lowercase();
        for needed in ["etag", "location", "retry-after", "x-request-id"] {
            assert!(exposed.contains(needed), "{exposed}");
        }

        let foreign = app.send(preflight("https://evil.example")).await;
        assert_eq!(foreign.header("access-control-allow-origin"), None);
    })
    .await;
}
