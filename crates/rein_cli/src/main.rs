//! The `rein` binary: hands the process's arguments and streams to [`rein_cli::run`].

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    // The streams are not locked for the whole run: the progress display writes stderr and
    // `rein lsp` writes stdout from threads of their own.
    let mut stdout = BufWriter::new(std::io::stdout());
    let mut stderr = std::io::stderr();
    let code = rein_cli::run(std::env::args_os(), &mut stdout, &mut stderr);
    let _ = stdout.flush();
    ExitCode::from(u8::try_from(code).unwrap_or(3))
}
