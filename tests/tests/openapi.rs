//! `openapi.yaml` at the repository root is the contract: it must equal what the code generates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const REGENERATE: &str = "cargo run -q --bin kinerja -- openapi > openapi.yaml";

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let generated = kinerja_api::openapi::to_yaml(&kinerja_api::openapi::spec());
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.yaml is out of date with the code. Regenerate it with:\n\n    {REGENERATE}\n"
    );
}
