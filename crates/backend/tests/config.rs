//! `[backend]` tables from `tests/fixtures/backends/config/*.toml`: `ok_*` files must load
//! (their parsed form is snapshotted), `err_*` files must fail with a clear message naming the
//! key (snapshotted). Both ways in — [`BackendConfig::from_toml`] and serde — must agree.

use serde::Deserialize;
use tbt_backend::{Backend, BackendConfig, BackendErrorKind};

#[derive(Deserialize)]
struct File {
    backend: BackendConfig,
}

#[test]
fn backend_tables() {
    insta::glob!(
        "../../../tests/fixtures/backends/config",
        "*.toml",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let doc: toml::Table = text.parse().unwrap();
            let table = doc["backend"].as_table().unwrap();
            let via_serde = toml::from_str::<File>(&text)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    f.backend
                        .validate()
                        .map(|()| f.backend)
                        .map_err(|e| e.message)
                });
            match BackendConfig::from_toml(table) {
                Ok(config) => {
                    assert!(name.starts_with("ok_"), "{name} should fail");
                    assert_eq!(via_serde.as_ref(), Ok(&config), "{name}: serde disagrees");
                    Backend::new(&config).unwrap();
                    insta::assert_debug_snapshot!(config);
                }
                Err(e) => {
                    assert!(name.starts_with("err_"), "{name} should load: {e}");
                    assert_eq!(e.kind, BackendErrorKind::Config);
                    assert!(via_serde.is_err(), "{name}: serde accepts it");
                    insta::assert_snapshot!(e.message);
                }
            }
        }
    );
}
