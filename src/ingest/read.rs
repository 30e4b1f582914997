//! Reading untrusted inputs with bounded memory: only regular files are
//! opened (never a device or a FIFO), gzip data that expands like a bomb is
//! stopped, and documents and lines are read no further than the article
//! limit, counted in decompressed bytes.

use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::Error;

pub(super) type SharedHash = Arc<Mutex<Sha256>>;

/// Why a path that exists is not read as an input; `None` for a regular file.
pub fn refusal(ft: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some(
                "is a named pipe (FIFO), which would block the run; pipe it to standard input instead: marsad ingest - < PIPE",
            );
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some(
                "is a device, not a file (such as /dev/zero or /dev/null); give files, folders or - for standard input",
            );
        }
        if ft.is_socket() {
            return Some("is a socket, not a file; give files, folders or - for standard input");
        }
    }
    (!ft.is_file()).then_some("is not a regular file; give files, folders or - for standard input")
}

/// Open a regular file for reading. Non-blocking, so that a path swapped for
/// a FIFO after listing cannot hang the run (with the lock held); the handle
/// is then checked to be a regular file, where the flag changes nothing.
pub fn open_regular(path: &Path) -> Result<std::fs::File, String> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = o.open(path).map_err(|e| vanished(&e))?;
    let meta = f.metadata().map_err(|e| format!("cannot read: {e}"))?;
    match refusal(&meta.file_type()) {
        Some(why) => Err(why.to_string()),
        None => Ok(f),
    }
}

pub fn vanished(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "file disappeared before it could be read".into()
    } else {
        format!("cannot read: {e}")
    }
}

/// The message of a read error: a limit's own message as it is, anything
/// else as a failed read.
pub fn read_error(e: &std::io::Error) -> String {
    match e.get_ref().and_then(|x| x.downcast_ref::<Error>()) {
        Some(Error::Input(m)) => m.clone(),
        _ => format!("cannot read: {e}"),
    }
}

/// A reader that hashes and counts every byte it passes on (the raw file's
/// SHA-256 and size).
struct Hashing<R> {
    inner: R,
    hash: SharedHash,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.lock().expect("hash").update(&buf[..n]);
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Gzip data may expand this many times its compressed size at most. Prose
/// compresses 3–5:1 and markup or JSON rarely past 20:1; only repetition, a
/// decompression bomb, goes past 100:1.
pub const MAX_EXPANSION: u64 = 100;
/// Decompressed bytes before the ratio is judged, so that a small file's
/// header and first blocks do not count.
const EXPANSION_GRACE: u64 = 16 << 20;

/// Stops gzip output that grows past [`MAX_EXPANSION`] times the compressed
/// bytes read so far.
struct Expansion<R> {
    inner: R,
    raw: Arc<AtomicU64>,
    out: u64,
}

impl<R: Read> Read for Expansion<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let raw = self.raw.load(Ordering::Relaxed).max(1);
        if self.out > EXPANSION_GRACE && self.out > MAX_EXPANSION * raw {
            return Err(std::io::Error::other(Error::Input(format!(
                "gzip data expands more than {MAX_EXPANSION} times ({} bytes out of the first {raw} compressed bytes): \
                 a decompression bomb, not news; stopped reading this input (the other inputs are read)",
                self.out
            ))));
        }
        Ok(n)
    }
}

/// An open input: its decompressed bytes, and its raw bytes' hash and count.
pub struct Opened {
    pub reader: Box<dyn BufRead>,
    pub hash: SharedHash,
    pub raw_bytes: Arc<AtomicU64>,
}

impl Opened {
    pub fn raw_sha256(&self) -> String {
        crate::identity::hex(&self.hash.lock().expect("hash").clone().finalize())
    }
}

/// Open a file for reading (through gzip if `gz`), hashing its raw bytes.
pub fn open(path: &Path, gz: bool) -> Result<Opened, String> {
    let file = open_regular(path)?;
    let hash: SharedHash = Default::default();
    let raw_bytes: Arc<AtomicU64> = Default::default();
    let raw = Hashing {
        inner: file,
        hash: hash.clone(),
        count: raw_bytes.clone(),
    };
    let reader: Box<dyn BufRead> = if gz {
        Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            Expansion {
                inner: flate2::read::MultiGzDecoder::new(raw),
                raw: raw_bytes.clone(),
                out: 0,
            },
        ))
    } else {
        Box::new(std::io::BufReader::with_capacity(1 << 20, raw))
    };
    Ok(Opened {
        reader,
        hash,
        raw_bytes,
    })
}

/// Read up to `buf.len()` bytes (fewer only at the end).
pub fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Read all of `r` if it holds at most `limit` bytes; as soon as it holds
/// more, `Ok(Err(the first limit + 1 bytes))`, reading no further.
pub fn read_capped(r: &mut dyn Read, limit: u64) -> std::io::Result<Result<Vec<u8>, Vec<u8>>> {
    let mut out = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut out)?;
    Ok(if out.len() as u64 > limit {
        Err(out)
    } else {
        Ok(out)
    })
}

/// One line as read by [`read_line`].
pub struct Line {
    /// Bytes consumed, newline included; 0 at the end of the input.
    pub len: u64,
    /// Longer than the limit: `buf` holds only its first `limit` bytes.
    pub over: bool,
    /// Ended with a newline (not the end of the input).
    pub newline: bool,
}

/// Read one line into `buf` (cleared first), keeping at most `limit` bytes
/// of it: the rest of a longer line is consumed and hashed, never held.
/// Every byte consumed goes into `hash`.
pub fn read_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
    hash: &mut Sha256,
) -> std::io::Result<Line> {
    buf.clear();
    let (mut len, mut over) = (0u64, false);
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(Line {
                len,
                over,
                newline: false,
            });
        }
        let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (&avail[..=i], true),
            None => (avail, false),
        };
        hash.update(chunk);
        if !over {
            let room = limit.saturating_sub(buf.len() as u64) as usize;
            // The newline does not count against the limit.
            let content = chunk.strip_suffix(b"\n").unwrap_or(chunk);
            if content.len() > room {
                buf.extend_from_slice(&content[..room]);
                over = true;
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = chunk.len();
        len += n as u64;
        r.consume(n);
        if done {
            return Ok(Line {
                len,
                over,
                newline: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_but_consumed_and_hashed() {
        let data = b"short\nthis one is long\nlast";
        let mut r = std::io::BufReader::with_capacity(4, &data[..]);
        let mut h = Sha256::new();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            let l = read_line(&mut r, &mut buf, 8, &mut h).unwrap();
            if l.len == 0 {
                break;
            }
            got.push((String::from_utf8(buf.clone()).unwrap(), l.len, l.over));
        }
        assert_eq!(
            got,
            vec![
                ("short\n".to_string(), 6, false),
                ("this one".to_string(), 17, true),
                ("last".to_string(), 4, false),
            ]
        );
        assert_eq!(h.finalize(), Sha256::digest(data));
    }

    #[test]
    fn capped_reads_stop_after_the_limit() {
        let data = [7u8; 100];
        assert_eq!(
            read_capped(&mut &data[..], 100).unwrap().unwrap().len(),
            100
        );
        assert!(read_capped(&mut &data[..], 99).unwrap().is_err());
    }
}
