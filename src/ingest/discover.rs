//! Turning the paths given on the command line into a sorted list of input
//! files: folders recursively, hidden entries skipped, symlink loops and
//! unreadable entries reported rather than followed forever. Also the
//! lossless name a path is recorded under ([`path_name`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Format, InputError, Problem};

/// One input: a file, or standard input (`path: None`).
#[derive(Debug, Clone)]
pub struct Input {
    pub path: Option<PathBuf>,
    /// The name recorded in the archive: the file's absolute path as
    /// [`path_name`] writes it, or `-`.
    pub display: String,
    pub size: u64,
}

/// Inputs found under some paths, with what could not be listed.
#[derive(Debug, Default)]
pub struct Listing {
    pub inputs: Vec<Input>,
    pub errors: Vec<InputError>,
    /// Files in folders not read: an extension marsad does not read, or
    /// not a regular file (a FIFO, a device).
    pub ignored: Vec<String>,
}

impl Listing {
    fn error(&mut self, path: &Path, message: String) {
        self.errors.push(InputError {
            input: path_name(path),
            line: None,
            message,
            kind: Problem::Error,
        });
    }
}

/// List the inputs under `paths`. Files named explicitly are always read;
/// in folders, only files with an extension marsad reads (the others are
/// listed as ignored).
pub fn list(paths: &[PathBuf]) -> Listing {
    let mut listing = Listing::default();
    for p in paths {
        if p.as_os_str() == "-" {
            listing.inputs.push(Input {
                path: None,
                display: "-".into(),
                size: 0,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut seen = HashSet::new();
                walk(p, &mut seen, &mut listing);
            }
            Ok(m) => match super::read::refusal(&m.file_type()) {
                None => listing.inputs.push(file_input(p, m.len())),
                Some(why) => listing.error(p, why.into()),
            },
            Err(e) => listing.error(p, describe(&e)),
        }
    }
    // A file reached twice (named twice, or through two links) is read once.
    let mut names = HashSet::new();
    listing
        .inputs
        .retain(|i| i.path.is_none() || names.insert(i.display.clone()));
    listing
}

fn file_input(p: &Path, size: u64) -> Input {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    Input {
        display: path_name(&abs),
        path: Some(abs),
        size,
    }
}

/// A path as text, losslessly: valid UTF-8 as it is except that a backslash
/// is written `\\`, and each byte that is not UTF-8 (a Windows-1256 name,
/// say) as `\xNN`. Two paths never share a name (the lossy form made two
/// such files one input, and one of them was never read), and
/// [`name_path`] gives the path back.
#[cfg(unix)]
pub fn path_name(p: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for chunk in p.as_os_str().as_bytes().utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Elsewhere paths are Unicode but for unpaired surrogates, shown lossily.
#[cfg(not(unix))]
pub fn path_name(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The path a [`path_name`] stands for; `None` if it is not one.
#[cfg(unix)]
pub fn name_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let mut out = Vec::with_capacity(name.len());
    let mut rest = name.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match rest {
            [b'\\', tail @ ..] => {
                out.push(b'\\');
                rest = tail;
            }
            [b'x', h, l, tail @ ..] if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = [*h, *l];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
                rest = tail;
            }
            _ => return None,
        }
    }
    Some(PathBuf::from(std::ffi::OsString::from_vec(out)))
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        _ if link_loop(e) => "symbolic link loop (too many levels of links)".into(),
        _ => format!("cannot read: {e}"),
    }
}

/// ELOOP. `io::ErrorKind::FilesystemLoop` is not stable yet, so the error
/// is known by its name in libc.
#[cfg(target_os = "linux")]
fn link_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(target_os = "linux"))]
fn link_loop(_: &std::io::Error) -> bool {
    false
}

fn walk(dir: &Path, seen: &mut HashSet<PathBuf>, listing: &mut Listing) {
    let canon = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => return listing.error(dir, describe(&e)),
    };
    if !seen.insert(canon.clone()) {
        return listing.error(
            dir,
            format!(
                "symbolic link loop: leads back to {}; not followed",
                path_name(&canon)
            ),
        );
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => return listing.error(dir, describe(&e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for p in paths {
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, seen, listing),
            Ok(m) if m.is_file() => {
                if Format::from_name(&p.to_string_lossy()).is_some() {
                    listing.inputs.push(file_input(&p, m.len()));
                } else {
                    listing.ignored.push(path_name(&p));
                }
            }
            // FIFOs, devices and sockets in a folder are not news files.
            Ok(_) => listing.ignored.push(path_name(&p)),
            Err(e) => listing.error(&p, describe(&e)),
        }
    }
    seen.remove(&canon);
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn names_keep_valid_text_and_escape_the_rest() {
        let p = Path::new(std::ffi::OsStr::from_bytes(
            b"/in/\xCE\xC8\xD1 \\x41 \xD8\xAE.txt",
        ));
        assert_eq!(path_name(p), "/in/\\xCE\\xC8\\xD1 \\\\x41 خ.txt");
        assert_eq!(name_path(&path_name(p)).as_deref(), Some(p));
        assert_eq!(name_path("bad\\q"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_to_itself_is_named_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("loop.txt");
        std::os::unix::fs::symlink(&link, &link).unwrap();
        let listing = list(&[link]);
        assert!(listing.inputs.is_empty());
        assert_eq!(
            listing.errors[0].message,
            "symbolic link loop (too many levels of links)"
        );
    }

    proptest::proptest! {
        #[test]
        fn names_round_trip_and_never_collide(a in proptest::collection::vec(proptest::num::u8::ANY, 0..12),
                                              b in proptest::collection::vec(proptest::num::u8::ANY, 0..12)) {
            let (pa, pb) = (Path::new(std::ffi::OsStr::from_bytes(&a)), Path::new(std::ffi::OsStr::from_bytes(&b)));
            let back = name_path(&path_name(pa));
            proptest::prop_assert_eq!(back.as_deref(), Some(pa));
            proptest::prop_assert_eq!(path_name(pa) == path_name(pb), a == b);
        }
    }
}
