//! Managing users and service accounts, with optimistic concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_admin_creates_reads_and_lists_users() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let unit = app.create_unit(&admin.access_token, "DISDUKCAPIL", "dinas", None, true).await;
        let created = app
            .post_as(
                "/api/v1/users",
                &admin.access_token,
                &json!({"username": "Operator.Disdukcapil", "password": "operator-sandi-2026", "roles": ["unit_admin"],
                        "unit_id": unit, "must_change_password": true}),
            )
            .await;
        created.assert_status(201);
        let user = created.json();
        assert_eq!(user["username"], "operator.disdukcapil");
        assert_eq!(user["roles"], json!(["unit_admin"]));
        assert_eq!(user["roles_label"], json!(["Operator Unit Kerja"]));
        assert_eq!(user["version"], 1);
        assert_eq!(created.header("etag"), Some("\"1\""));
        let location = created.header("location").unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/users/{}", user["id"].as_str().unwrap()));

        let read = app.get_as(&location, &admin.access_token).await;
        read.assert_status(200);
        assert_eq!(read.json(), user);
        assert_eq!(read.header("etag"), Some("\"1\""));

        // The new account can log in and must change its password first.
        let login = app.token("operator.disdukcapil", "operator-sandi-2026").await;
        login.assert_status(200);

        let list = app.get_as("/api/v1/users?role=unit_admin&sort=-username", &admin.access_token).await;
        list.assert_status(200);
        let page = list.json();
        assert_eq!(page["total"], 1);
        assert_eq!(page["page"], 1);
        assert_eq!(page["per_page"], 50);
        assert_eq!(page["items"][0]["username"], "operator.disdukcapil");

        let all = app.get_as("/api/v1/users?per_page=1&page=2&sort=username", &admin.access_token).await.json();
        assert_eq!(all["total"], 2);
        assert_eq!(all["items"][0]["username"], "operator.disdukcapil");
        let searched = app.get_as("/api/v1/users?q=DISDUK", &admin.access_token).await.json();
        assert_eq!(searched["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn invalid_users_are_refused_field_by_field() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let cases = [
            (json!({"username": "a b", "password": "operator-sandi-2026", "roles": ["employee"]}), "username", "invalid_characters"),
            (json!({"username": "ab", "password": "operator-sandi-2026", "roles": ["employee"]}), "username", "length"),
            (json!({"username": "budi", "password": "short", "roles": ["employee"]}), "password", "length"),
            (json!({"username": "budi", "password": "operator-sandi-2026", "roles": []}), "roles", "length"),
            (json!({"username": "budi", "password": "operator-sandi-2026", "roles": ["unit_admin"]}), "unit_id", "required_for_unit_admin"),
            (json!({"username": "budi", "password": "operator-sandi-2026", "roles": ["root"]}), "roles[0]", "invalid_type"),
        ];
        for (body, field, code) in cases {
            let problem = app
                .post_as("/api/v1/users", &admin.access_token, &body)
                .await
                .assert_problem(422, "validation_failed");
            let errors = problem["errors"].as_array().unwrap();
            assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{body}: {problem}");
        }
        app.create_user("budi", &["employee"]).await;
        app.post_as(
            "/api/v1/users",
            &admin.access_token,
            &json!({"username": "BUDI", "password": "operator-sandi-2026", "roles": ["employee"]}),
        )
        .await
        .assert_problem(409, "username_taken");
    })
    .await;
}

#[tokio::test]
async fn patches_need_a_current_if_match() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let budi = app.create_user("budi", &["employee"]).await;
        let path = format!("/api/v1/users/{}", budi.id);
        let body = json!({"roles": ["employee", "auditor"]});

        let missing = app.patch_as(&path, &admin.access_token, None, &body).await;
        let problem = missing.assert_problem(428, "precondition_required");
        assert!(problem["detail"].as_str().unwrap().contains("\"1\""));
        app.patch_as(&path, &admin.access_token, Some("\"7\""), &body)
            .await
            .assert_problem(412, "precondition_failed");

        let changed = app
            .patch_as(&path, &admin.access_token, Some("\"1\""), &body)
            .await;
        changed.assert_status(200);
        assert_eq!(changed.header("etag"), Some("\"2\""));
        assert_eq!(changed.json()["roles"], json!(["employee", "auditor"]));

        // The old ETag is stale now; `*` matches whatever is current.
        app.patch_as(
            &path,
            &admin.access_token,
            Some("\"1\""),
            &json!({"active": false}),
        )
        .await
        .assert_problem(412, "precondition_failed");
        let cleared = app
            .send(
                app.authed(Method::PATCH, &path, &admin.access_token)
                    .header("If-Match", "*")
                    .header("Content-Type", "application/merge-patch+json")
                    .body(r#"{"employee_id": null, "active": false}"#),
            )
            .await;
        cleared.assert_status(200);
        assert_eq!(cleared.json()["active"], false);
        assert_eq!(cleared.json()["version"], 3);

        app.patch_as(
            &path,
            &admin.access_token,
            Some("*"),
            &json!({"roles": null}),
        )
        .await
        .assert_problem(422, "validation_failed");
        let unknown = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
        app.patch_as(&unknown, &admin.access_token, Some("*"), &body)
            .await
            .assert_problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn concurrent_patches_with_one_etag_let_exactly_one_win() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let budi = app.create_user("budi", &["employee"]).await;
        let path = format!("/api/v1/users/{}", budi.id);
        let bodies: Vec<_> = (0..8)
            .map(|i| {
                if i % 2 == 0 {
                    json!({"roles": ["auditor"]})
                } else {
                    json!({"roles": ["employee", "auditor"]})
                }
            })
            .collect();
        let attempts = bodies
            .iter()
            .map(|b| app.patch_as(&path, &admin.access_token, Some("\"1\""), b));
        let results = futures_util::future::join_all(attempts).await;
        let winners: Vec<_> = results.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            winners.len(),
            1,
            "{:?}",
            results.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert!(results.iter().all(|r| r.status == 200 || r.status == 412));
        let now = app.get_as(&path, &admin.access_token).await.json();
        assert_eq!(now["version"], 2);
        assert_eq!(now["roles"], winners[0].json()["roles"]);
    })
    .await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_lost() {
    on_each_db(async |app: &TestApp| {
        let (admin, session) = app.session_as("admin", &["admin"]).await;
        let path = format!("/api/v1/users/{}", admin.id);
        app.patch_as(
            &path,
            &session.access_token,
            Some("*"),
            &json!({"roles": ["employee"]}),
        )
        .await
        .assert_problem(409, "last_admin");
        app.patch_as(
            &path,
            &session.access_token,
            Some("*"),
            &json!({"active": false}),
        )
        .await
        .assert_problem(409, "last_admin");
        app.create_user("admin2", &["admin"]).await;
        app.patch_as(
            &path,
            &session.access_token,
            Some("*"),
            &json!({"roles": ["admin", "auditor"]}),
        )
        .await
        .assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn service_accounts_authenticate_with_their_secret_until_rotated_or_revoked() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let created = app
            .post_as(
                "/api/v1/service-accounts",
                &admin.access_token,
                &json!({"name": "SIMPEG BKPSDM", "scopes": ["import:employees", "read:org"]}),
            )
            .await;
        created.assert_status(201);
        let account = created.json();
        let id = account["id"].as_str().unwrap().to_owned();
        let client_id = account["client_id"].as_str().unwrap().to_owned();
        let secret = account["client_secret"].as_str().unwrap().to_owned();
        assert!(client_id.starts_with("svc-"));
        assert_eq!(account["scopes"], json!(["import:employees", "read:org"]));

        // The secret is never shown again.
        let read = app.get_as(&format!("/api/v1/service-accounts/{id}"), &admin.access_token).await;
        read.assert_status(200);
        assert!(read.json().get("client_secret").is_none());
        assert!(!read.text().contains(&secret));
        let listed = app.get_as("/api/v1/service-accounts", &admin.access_token).await;
        assert!(!listed.text().contains(&secret));

        let grant = |id: String, secret: String| {
            app.post_json(
                "/api/v1/auth/token",
                &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
            )
        };
        let token = grant(client_id.clone(), secret.clone()).await;
        token.assert_status(200);
        assert!(token.json().get("refresh_token").is_none());
        let access = token.json()["access_token"].as_str().unwrap().to_owned();
        let me = app.get_as("/api/v1/me", &access).await.json();
        assert_eq!(me["scopes"], json!(["import:employees", "read:org"]));
        assert!(me["user"].is_null());
        assert_eq!(me["service_account"]["name"], "SIMPEG BKPSDM");
        // A service account is no admin.
        app.get_as("/api/v1/users", &access).await.assert_problem(403, "forbidden");

        grant(client_id.clone(), "wrong".into()).await.assert_problem(401, "invalid_client");

        let rotated = app
            .send(app.authed(Method::POST, &format!("/api/v1/service-accounts/{id}/rotate"), &admin.access_token))
            .await;
        rotated.assert_status(200);
        let new_secret = rotated.json()["client_secret"].as_str().unwrap().to_owned();
        assert_ne!(new_secret, secret);
        grant(client_id.clone(), secret).await.assert_problem(401, "invalid_client");
        grant(client_id.clone(), new_secret.clone()).await.assert_status(200);

        let revoked = app
            .send(app.authed(Method::DELETE, &format!("/api/v1/service-accounts/{id}"), &admin.access_token))
            .await;
        revoked.assert_status(204);
        app.get_as("/api/v1/me", &access).await.assert_problem(401, "invalid_token");
        grant(client_id, new_secret).await.assert_problem(401, "invalid_client");

        let patched = app
            .patch_as(
                &format!("/api/v1/service-accounts/{id}"),
                &admin.access_token,
                Some("*"),
                &json!({"active": true, "scopes": ["read:org"]}),
            )
            .await;
        patched.assert_status(200);
        assert_eq!(patched.json()["scopes"], json!(["read:org"]));
        app.post_as("/api/v1/service-accounts", &admin.access_token, &json!({"name": "x", "scopes": ["import:everything"]}))
            .await
            .assert_problem(422, "validation_failed");
    })
    .await;
}
