//! The `kinerja` command itself, built inside this package so that the black-box tests can run it
//! as a real process (`env!("CARGO_BIN_EXE_kinerja-served")`): killed with SIGKILL, restarted, two
//! of them on one database.

fn main() -> std::process::ExitCode {
    kinerja_api::cli::main()
}
