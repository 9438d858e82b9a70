//! `moment explain CODE`: print a code's entry of the diagnostics chapter.

use std::io::Write;

use moment::diagnostic::{Code, explain};
use moment::error::{Error, Outcome};

use crate::cli::ExplainArgs;

/// Runs `moment explain`.
pub fn execute(args: &ExplainArgs) -> Result<Outcome, Error> {
    let code = explain::parse(&args.code).ok_or_else(|| {
        let known: Vec<String> = Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
        let upper = args.code.trim().to_ascii_uppercase();
        Error::Usage(match moment::load::schema::closest(&upper, &known) {
            Some(close) => format!(
                "`{}` is not a diagnostic code; did you mean {close}? (`moment check` prints codes such as E012 and W001)",
                args.code
            ),
            None => format!(
                "`{}` is not a diagnostic code; the codes are {}",
                args.code,
                known.join(", ")
            ),
        })
    })?;
    let text = explain::entry(code)
        .ok_or_else(|| Error::Usage(format!("{code} has no entry in the diagnostics chapter")))?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(Outcome::Success)
}
