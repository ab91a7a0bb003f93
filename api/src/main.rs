//! `kinerja`: serve the API (default), migrate the database, or print the OpenAPI document.

fn main() -> std::process::ExitCode {
    kinerja_api::cli::main()
}
