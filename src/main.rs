//! The `marsad` binary: argument parsing and output only; the work is done
//! by the library.

mod cli;

// Ingest allocates and frees many small strings per word on every worker;
// glibc's allocator spent about a tenth of all CPU on them (perf, 2018
// corpus), mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
