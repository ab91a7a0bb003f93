//! A small city for SKP and evaluation tests: a Setda OPD with the Sekda, the Disdukcapil OPD
//! with its kepala dinas (its head) and one staff member, a unit admin of Disdukcapil, a 2026
//! cycle in planning and one Perjanjian Kinerja indicator of Disdukcapil.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{TestApp, TestResponse, test_nip};

/// The city's ids and tokens.
pub struct City {
    pub admin: String,
    pub cycle: String,
    pub indicator: String,
    pub sekda: (Uuid, String),
    pub kadis: (Uuid, String),
    pub staf: (Uuid, String),
    pub operator: String,
}

pub async fn employee(
    app: &TestApp,
    a: &str,
    n: u32,
    name: &str,
    kind: &str,
    unit: Uuid,
    supervisor: Option<Uuid>,
) -> Uuid {
    let response = app
        .post_as(
            "/api/v1/employees",
            a,
            &json!({"nip": test_nip(n), "name": name, "employment_type": "pns", "golongan": "IV/a", "position": name,
                    "position_kind": kind, "unit_id": unit, "supervisor_id": supervisor}),
        )
        .await;
    response.assert_status(201);
    response.json()["id"].as_str().unwrap().parse().unwrap()
}

pub async fn person(app: &TestApp, a: &str, username: &str, id: Uuid) -> (Uuid, String) {
    let (user, _) = app.session_as(username, &["employee"]).await;
    app.link_user(a, user.id, id).await;
    (id, app.login(&user).await.access_token)
}

pub async fn city(app: &TestApp) -> City {
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = admin.access_token.clone();
    let cycle = app
        .post_as("/api/v1/cycles", &a, &json!({"year": 2026}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let setda = app
        .create_unit(&a, "SETDA", "sekretariat", None, true)
        .await;
    let dinas = app
        .create_unit(&a, "DISDUKCAPIL", "dinas", Some(setda), true)
        .await;
    let sekda = employee(app, &a, 1, "Sekretaris Daerah", "jpt", setda, None).await;
    let kadis = employee(app, &a, 2, "Kepala Dinas", "jpt", dinas, Some(sekda)).await;
    let staf = employee(
        app,
        &a,
        3,
        "Pengadministrasi",
        "pelaksana",
        dinas,
        Some(kadis),
    )
    .await;
    app.patch_as(
        &format!("/api/v1/units/{dinas}"),
        &a,
        Some("*"),
        &json!({"head_employee_id": kadis}),
    )
    .await
    .assert_status(200);
    let indicator = app
        .post_as(
            &format!("/api/v1/cycles/{cycle}/units/{dinas}/indicators"),
            &a,
            &json!({"description": "Persentase KTP-el terbit ≤ 1 hari kerja", "direction": "higher_is_better", "target": 95, "unit": "persen"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let operator = app
        .create_user_with("operator.disdukcapil", &["unit_admin"], false, Some(dinas))
        .await;
    City {
        sekda: person(app, &a, "sekda", sekda).await,
        kadis: person(app, &a, "kadis", kadis).await,
        staf: person(app, &a, "staf", staf).await,
        operator: app.login(&operator).await.access_token,
        admin: a,
        cycle,
        indicator,
    }
}

pub fn rhk(kind: &str, description: &str, intervenes: Value) -> Value {
    let mut body = json!({
        "kind": kind, "description": description,
        "indicators": [{"description": "Persentase berkas selesai tepat waktu", "aspect": "waktu", "direction": "higher_is_better",
                        "target": 95, "unit": "persen", "aggregation": "average", "period_targets": {"q1": 90}}]
    });
    if let (Some(target), Some(extra)) = (body.as_object_mut(), intervenes.as_object()) {
        target.extend(extra.clone());
    }
    body
}

pub async fn action(
    app: &TestApp,
    token: &str,
    skp: &str,
    what: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut request = app.authed(Method::POST, &format!("/api/v1/skps/{skp}/{what}"), token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

/// A new draft SKP of `employee` for `cycle`, written by `token`'s owner: its id.
pub async fn draft(app: &TestApp, token: &str, cycle: &str, employee: &Uuid) -> String {
    let created = app
        .post_as(
            "/api/v1/skps",
            token,
            &json!({"cycle_id": cycle, "employee_id": employee}),
        )
        .await;
    created.assert_status(201);
    created.json()["id"].as_str().unwrap().to_owned()
}

/// The kepala dinas's SKP with one utama RHK intervening the Perjanjian Kinerja, approved by the
/// sekda, in a running cycle: its id and the RHK's id.
pub async fn approved_and_running(app: &TestApp, c: &City) -> (String, String) {
    let skp = draft(app, &c.kadis.1, &c.cycle, &c.kadis.0).await;
    let added = app
        .post_as(
            &format!("/api/v1/skps/{skp}/rhk"),
            &c.kadis.1,
            &rhk(
                "utama",
                "Meningkatnya kecepatan layanan",
                json!({"unit_indicator_id": c.indicator}),
            ),
        )
        .await;
    added.assert_status(201);
    let rhk_id = added.json()["rhk"][0]["id"].as_str().unwrap().to_owned();
    action(app, &c.kadis.1, &skp, "submit", None)
        .await
        .assert_status(200);
    action(app, &c.sekda.1, &skp, "approve", None)
        .await
        .assert_status(200);
    app.post_as(
        &format!("/api/v1/cycles/{}/start", c.cycle),
        &c.admin,
        &json!({}),
    )
    .await
    .assert_status(200);
    (skp, rhk_id)
}

/// Logs everyone in again (after the test clock jumped past the tokens' lifetime).
pub async fn relogin(app: &TestApp, c: &mut City) {
    let token = |username: &'static str| async move {
        let response = app.token(username, &format!("{username}-pass-2026")).await;
        response.assert_status(200);
        response.json()["access_token"].as_str().unwrap().to_owned()
    };
    c.admin = token("admin").await;
    c.sekda.1 = token("sekda").await;
    c.kadis.1 = token("kadis").await;
    c.staf.1 = token("staf").await;
    c.operator = token("operator.disdukcapil").await;
}

/// The seven BerAKHLAK core values as the API names them.
pub const CORE_VALUES: [&str; 7] = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
];

/// Every core value rated `rating`, as `behavior_ratings` takes them.
pub fn core_values(rating: &str) -> Value {
    Value::Object(
        CORE_VALUES
            .iter()
            .map(|n| ((*n).to_owned(), json!(rating)))
            .collect(),
    )
}

/// An assessment body: the work rating (none for an OPD head) and every core value and the
/// behaviour rating `behavior`.
pub fn assessment(work: Option<&str>, behavior: &str) -> Value {
    json!({"work_rating": work, "behavior_ratings": core_values(behavior), "behavior_rating": behavior})
}

/// `PUT` with `If-Match: *` (self-assessments and assessments).
pub async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> TestResponse {
    app.send(
        app.authed(Method::PUT, path, token)
            .header("If-Match", "*")
            .json(body),
    )
    .await
}
