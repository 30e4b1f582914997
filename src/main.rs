//! The `marsad` binary: argument parsing and output only; the work is done
//! by the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
