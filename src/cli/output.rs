//! Output for every listing command: a table on a terminal, or JSON (one
//! array), JSON Lines, or CSV. Rows are any `Serialize` value; the table and
//! CSV take the named columns from it.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

/// `println!` for command output: a closed pipe (`marsad entity X | head`)
/// ends the program quietly with exit code 0, as it does for ripgrep and
/// xsv, instead of a panic.
macro_rules! outln {
    () => { $crate::cli::output::write_line(format_args!("")) };
    ($($t:tt)*) => { $crate::cli::output::write_line(format_args!($($t)*)) };
}
pub(crate) use outln;

pub fn write_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        quit_if_closed(&e);
        eprintln!("marsad: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Exit quietly with code 0 if `e` says the reader of our output went away.
pub fn quit_if_closed(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
}

/// As [`quit_if_closed`], for an error from any writer (JSON, CSV, io).
pub fn quit_if_output_closed(e: &anyhow::Error) {
    for cause in e.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            quit_if_closed(io);
        }
        if let Some(j) = cause.downcast_ref::<serde_json::Error>()
            && j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
        {
            std::process::exit(0);
        }
        if let Some(c) = cause.downcast_ref::<csv::Error>()
            && let csv::ErrorKind::Io(io) = c.kind()
        {
            quit_if_closed(io);
        }
    }
}

/// An output error met inside a library callback, as the library's error
/// (after ending quietly if the pipe was closed).
pub fn output_error(e: anyhow::Error) -> marsad::Error {
    quit_if_output_closed(&e);
    marsad::Error::Input(format!("cannot write the output: {e:#}"))
}

/// A one-line field (a title, a name, a snippet, a table cell) as it may
/// reach a terminal: control characters (C0 but tab, DEL, C1) shown as
/// `\x1B`, so that text holding ESC, OSC or BEL cannot drive the terminal,
/// and a line feed as `\x0A`, so that one hit stays one line for `head` and
/// `grep`. JSON keeps the data exact.
pub fn term(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Text that keeps its lines (a body, a message): as [`term`], but line
/// feeds stay.
pub fn term_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, lines: bool) -> Cow<'_, str> {
    let shown = |c: char| !is_control(c) || (lines && c == '\n');
    if s.chars().all(shown) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if shown(c) {
            out.push(c);
        } else {
            push_term(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Append `c` to `out` as [`term`] shows it.
pub fn push_term(out: &mut String, c: char) {
    if is_control(c) {
        out.push_str(&format!("\\x{:02X}", c as u32));
    } else {
        out.push(c);
    }
}

fn is_control(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// A CSV cell, control characters escaped as in a table: CSV is read in a
/// terminal (`| head`, `| column`) as often as by a program, and marsad
/// cannot tell where a pipe ends. JSON is the exact form.
fn csv_cell(v: Option<&Value>) -> String {
    term_text(&cell(v)).into_owned()
}

/// JSON text with DEL and the C1 controls written as `\u00XX`: the same
/// JSON value, but a raw U+009B (CSI) cannot drive a terminal. Outside
/// strings JSON holds only ASCII, so the replacement is exact.
fn json_text(s: String) -> String {
    marsad::text::functions::escape_c1(s)
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Print `rows` in `format`, with `columns` for the table and CSV forms.
pub fn print_rows<T: Serialize>(
    format: Format,
    columns: &[&str],
    rows: &[T],
) -> anyhow::Result<()> {
    let mut out = buffered();
    match format {
        Format::Json => {
            writeln!(out, "{}", json_text(serde_json::to_string_pretty(rows)?))?;
        }
        Format::Jsonl => {
            for r in rows {
                writeln!(out, "{}", json_text(serde_json::to_string(r)?))?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(columns)?;
            for r in rows {
                let v = serde_json::to_value(r)?;
                w.write_record(columns.iter().map(|c| csv_cell(v.get(*c))))?;
            }
            w.flush()?;
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let v = serde_json::to_value(r).unwrap_or(Value::Null);
                    columns
                        .iter()
                        .map(|c| truncate(&term(&cell(v.get(*c))), 70))
                        .collect()
                })
                .collect();
            let widths = table_widths(columns, &cells);
            writeln!(out, "{}", table_line(columns, &widths))?;
            for row in &cells {
                writeln!(out, "{}", table_line(row, &widths))?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Standard output written in 64 KB blocks: stdout itself writes each line
/// alone (86k write calls for `export mentions --entity russia` at 300k
/// articles), for a listing of many rows.
fn buffered() -> std::io::BufWriter<std::io::Stdout> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout())
}

/// Print one object: JSON forms as JSON, table and CSV as `key: value` lines
/// (CSV as a two-column key,value table).
pub fn print_object<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    let v = serde_json::to_value(value)?;
    match format {
        Format::Json => outln!("{}", json_text(serde_json::to_string_pretty(&v)?)),
        Format::Jsonl => outln!("{}", json_text(serde_json::to_string(&v)?)),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["key", "value"])?;
            if let Value::Object(m) = &v {
                for (k, x) in m {
                    w.write_record([k.as_str(), &csv_cell(Some(x))])?;
                }
            }
            w.flush()?;
        }
        Format::Table => {
            if let Value::Object(m) = &v {
                for (k, x) in m {
                    outln!("{k}: {}", term(&cell(Some(x))));
                }
            }
        }
    }
    Ok(())
}

/// Rows written one at a time, for exports and SQL results of any size:
/// every format streams, so memory stays bounded however many rows come.
/// JSON is one array with an object per line; the table takes its column
/// widths from the first [`TABLE_SAMPLE`] rows.
pub struct RowWriter {
    format: Format,
    columns: Vec<String>,
    csv: Option<csv::Writer<std::io::Stdout>>,
    /// JSON and JSON Lines, through [`buffered`]. The CSV writer keeps its
    /// own buffer.
    json: std::io::BufWriter<std::io::Stdout>,
    /// Table rows held until the widths are known.
    held: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    rows: u64,
}

/// Rows a table reads before it fixes its column widths.
const TABLE_SAMPLE: usize = 1000;

impl RowWriter {
    pub fn new(format: Format, columns: &[String]) -> anyhow::Result<RowWriter> {
        let mut csv = None;
        if format == Format::Csv {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(columns)?;
            csv = Some(w);
        }
        Ok(RowWriter {
            format,
            columns: columns.to_vec(),
            csv,
            json: buffered(),
            held: Vec::new(),
            widths: None,
            rows: 0,
        })
    }

    pub fn write(&mut self, row: serde_json::Map<String, Value>) -> anyhow::Result<()> {
        match self.format {
            Format::Jsonl => {
                writeln!(self.json, "{}", json_text(serde_json::to_string(&row)?))?;
            }
            Format::Json => {
                let out = &mut self.json;
                out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
                out.write_all(json_text(serde_json::to_string(&row)?).as_bytes())?;
            }
            Format::Csv => {
                if let Some(w) = &mut self.csv {
                    w.write_record(self.columns.iter().map(|c| csv_cell(row.get(c))))?;
                }
            }
            Format::Table => {
                let cells: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| truncate(&term(&cell(row.get(c))), 70))
                    .collect();
                match &self.widths {
                    Some(w) => write_line(format_args!("{}", table_line(&cells, w))),
                    None => {
                        self.held.push(cells);
                        if self.held.len() >= TABLE_SAMPLE {
                            self.flush_table();
                        }
                    }
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Fix the table's widths from the rows held, and print them.
    fn flush_table(&mut self) {
        let widths = table_widths(&self.columns, &self.held);
        write_line(format_args!("{}", table_line(&self.columns, &widths)));
        for r in self.held.drain(..) {
            write_line(format_args!("{}", table_line(&r, &widths)));
        }
        self.widths = Some(widths);
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        if let Some(w) = &mut self.csv {
            w.flush()?;
        }
        match self.format {
            Format::Json => {
                let out = &mut self.json;
                out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            Format::Table if self.widths.is_none() => {
                if self.held.is_empty() {
                    eprintln!("no rows");
                } else {
                    self.flush_table();
                }
            }
            _ => {}
        }
        self.json.flush()?;
        Ok(())
    }
}

/// Each column's width: its longest cell or header, in characters.
fn table_widths<S: AsRef<str>>(columns: &[S], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.as_ref().chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    widths
}

/// One table line, each cell padded to its column's width (a longer cell,
/// past the rows the widths were taken from, is shown whole, out of line).
fn table_line<S: AsRef<str>>(cells: &[S], widths: &[usize]) -> String {
    cells
        .iter()
        .zip(widths)
        .map(|(v, &w)| {
            let v = v.as_ref();
            format!("{v}{}", " ".repeat(w.saturating_sub(v.chars().count())))
        })
        .collect::<Vec<_>>()
        .join("  ")
        .trim_end()
        .to_string()
}
