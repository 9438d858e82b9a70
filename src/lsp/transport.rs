//! JSON-RPC over stdio, framed with `Content-Length` headers, on two threads.
//!
//! Unlike `lsp_server::Connection::stdio`, a malformed message (a bad header, a huge
//! length, text that is not JSON or not JSON-RPC) is reported on stderr and skipped,
//! and the server keeps serving: no input ends it but `exit` or the end of stdin.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;

/// The largest message body accepted, in bytes.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// The reader and writer threads.
pub struct Threads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for the writer to flush what was sent (after every sender is dropped).
    /// The reader is left to end with stdin.
    pub fn join(self) -> io::Result<()> {
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")))
    }
}

/// Starts reading messages from `input` and writing messages to `output`.
pub fn start<R, W>(input: R, output: W) -> io::Result<(Sender<Message>, Receiver<Message>, Threads)>
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let (to_client, outbox) = crossbeam_channel::unbounded::<Message>();
    let (inbox, from_client) = crossbeam_channel::unbounded::<Message>();
    let writer = thread::Builder::new()
        .name("moment-lsp-writer".to_owned())
        .spawn(move || {
            let mut output = io::BufWriter::new(output);
            for message in outbox {
                message.write(&mut output)?;
            }
            output.flush()
        })?;
    let reader = thread::Builder::new()
        .name("moment-lsp-reader".to_owned())
        .spawn(move || {
            let mut input = io::BufReader::new(input);
            loop {
                match read_message(&mut input) {
                    Ok(Some(Frame::Message(message))) => {
                        let exit =
                            matches!(&message, Message::Notification(n) if n.method == "exit");
                        if inbox.send(message).is_err() || exit {
                            return;
                        }
                    }
                    Ok(Some(Frame::Skipped(why))) => {
                        eprintln!("moment lsp: skipped a message: {why}")
                    }
                    Ok(None) => return,
                    Err(e) => {
                        eprintln!("moment lsp: cannot read stdin: {e}");
                        return;
                    }
                }
            }
        })?;
    Ok((to_client, from_client, Threads { reader, writer }))
}

/// One framed message, or why one was skipped.
pub enum Frame {
    /// A JSON-RPC message.
    Message(Message),
    /// A frame that was read but is not a message.
    Skipped(String),
}

/// Reads one frame; `None` at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut line = Vec::new();
    let mut any = false;
    loop {
        line.clear();
        let n = input.by_ref().take(8 * 1024).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(if any {
                Some(Frame::Skipped("the input ended inside a header".into()))
            } else {
                None
            });
        }
        any = true;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(v) => length = Some(v),
                    Err(_) => bad_header = Some(format!("bad Content-Length {:?}", value.trim())),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("not a header: {text:?}")),
        }
    }
    if let Some(why) = bad_header {
        return Ok(Some(Frame::Skipped(why)));
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Skipped("no Content-Length".into())));
    };
    if length > MAX_MESSAGE {
        // Skip the body without holding it.
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Skipped(format!(
            "a message of {length} bytes, more than the limit of {MAX_MESSAGE}"
        ))));
    }
    let mut body = Vec::with_capacity(length.min(1 << 20));
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Some(Frame::Skipped(
            "the input ended inside a message".into(),
        )));
    }
    match serde_json::from_slice::<Message>(&body) {
        Ok(message) => Ok(Some(Frame::Message(message))),
        Err(e) => Ok(Some(Frame::Skipped(format!("not a JSON-RPC message: {e}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = io::BufReader::new(input);
        let mut out = Vec::new();
        while let Some(frame) = read_message(&mut reader).unwrap() {
            out.push(match frame {
                Frame::Message(m) => format!("ok {}", serde_json::to_string(&m).unwrap()),
                Frame::Skipped(why) => format!("skip {why}"),
            });
        }
        out
    }

    #[test]
    fn garbage_is_skipped_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{{{{{{{nonsense\r\n\r\nContent-Length: {}\r\n\r\n{good}Content-Length: 99999999999\r\n\r\n{{}}",
            good.len()
        );
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("skip not a JSON-RPC"), "{got:?}");
        assert!(got[1].starts_with("skip not a header"), "{got:?}");
        assert!(got[2].starts_with("ok "), "{got:?}");
        assert!(got[3].contains("more than the limit"), "{got:?}");
    }
}
