//! One Parquet part file, written with the `parquet` crate's column writers
//! (no Arrow): rows are buffered column by column and written out as a row
//! group every [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] of text, so a
//! partition of any size streams through bounded memory. The file is
//! written as `.NAME.tmp` and renamed to `NAME` only once complete.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::tables::{Column, Type};
use crate::error::{Error, Result};

/// Rows per row group at most.
pub const ROW_GROUP_ROWS: usize = 100_000;
/// Bytes of buffered text (bodies, mostly) per row group at most.
pub const ROW_GROUP_BYTES: usize = 32 << 20;

/// A value of one column of one row, as read from the archive.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    List(Vec<String>),
}

/// The Parquet schema of `columns` (docs/parquet.md). Lists are the
/// standard three-level LIST of required strings.
pub fn schema(name: &str, columns: &[Column]) -> String {
    let mut s = format!("message {name} {{\n");
    for c in columns {
        s += &match c.ty {
            Type::Int => format!("  optional int64 {};\n", c.name),
            Type::Real => format!("  optional double {};\n", c.name),
            Type::Text => format!("  optional binary {} (STRING);\n", c.name),
            Type::List | Type::Terms => format!(
                "  required group {} (LIST) {{ repeated group list {{ required binary element (STRING); }} }}\n",
                c.name
            ),
        };
    }
    s + "}\n"
}

/// The buffered values of one column.
enum Buffer {
    Int(Vec<i64>, Vec<i16>),
    Real(Vec<f64>, Vec<i16>),
    Text(Vec<ByteArray>, Vec<i16>),
    /// Values, definition and repetition levels.
    List(Vec<ByteArray>, Vec<i16>, Vec<i16>),
}

impl Buffer {
    fn new(ty: Type) -> Buffer {
        match ty {
            Type::Int => Buffer::Int(Vec::new(), Vec::new()),
            Type::Real => Buffer::Real(Vec::new(), Vec::new()),
            Type::Text => Buffer::Text(Vec::new(), Vec::new()),
            Type::List | Type::Terms => Buffer::List(Vec::new(), Vec::new(), Vec::new()),
        }
    }

    /// Add one value; returns the bytes of text it holds.
    fn push(&mut self, v: Value) -> usize {
        match (self, v) {
            (Buffer::Int(vals, def), Value::Int(x)) => {
                vals.push(x);
                def.push(1);
                0
            }
            (Buffer::Int(vals, def), Value::Real(x)) => {
                vals.push(x as i64);
                def.push(1);
                0
            }
            (Buffer::Real(vals, def), Value::Real(x)) => {
                vals.push(x);
                def.push(1);
                0
            }
            (Buffer::Real(vals, def), Value::Int(x)) => {
                vals.push(x as f64);
                def.push(1);
                0
            }
            (Buffer::Text(vals, def), Value::Text(s)) => {
                let n = s.len();
                vals.push(ByteArray::from(s.into_bytes()));
                def.push(1);
                n
            }
            (Buffer::Text(vals, def), Value::Int(x)) => {
                vals.push(ByteArray::from(x.to_string().into_bytes()));
                def.push(1);
                0
            }
            (Buffer::Text(vals, def), Value::Real(x)) => {
                vals.push(ByteArray::from(x.to_string().into_bytes()));
                def.push(1);
                0
            }
            (Buffer::List(vals, def, rep), Value::List(items)) => {
                if items.is_empty() {
                    def.push(0);
                    rep.push(0);
                    return 0;
                }
                let mut n = 0;
                for (i, s) in items.into_iter().enumerate() {
                    n += s.len();
                    vals.push(ByteArray::from(s.into_bytes()));
                    def.push(1);
                    rep.push(if i == 0 { 0 } else { 1 });
                }
                n
            }
            (Buffer::List(_, def, rep), _) => {
                def.push(0);
                rep.push(0);
                0
            }
            (Buffer::Int(_, def) | Buffer::Real(_, def) | Buffer::Text(_, def), _) => {
                def.push(0);
                0
            }
        }
    }

    fn clear(&mut self) {
        match self {
            Buffer::Int(v, d) => {
                v.clear();
                d.clear();
            }
            Buffer::Real(v, d) => {
                v.clear();
                d.clear();
            }
            Buffer::Text(v, d) => {
                v.clear();
                d.clear();
            }
            Buffer::List(v, d, r) => {
                v.clear();
                d.clear();
                r.clear();
            }
        }
    }
}

/// A part file being written.
pub struct PartWriter {
    writer: SerializedFileWriter<BufWriter<File>>,
    buffers: Vec<Buffer>,
    rows: usize,
    bytes: usize,
    total_rows: u64,
    tmp: PathBuf,
    path: PathBuf,
}

impl PartWriter {
    /// Start `path` (as `path.tmp`; its directory is created).
    pub fn create(path: &Path, table: &str, columns: &[Column]) -> Result<PartWriter> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        // A leading dot: Spark and Hadoop skip such files, DuckDB's
        // `*.parquet` does not match them, so a killed run's leftover never
        // breaks a reader.
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let schema = Arc::new(parse_message_type(&schema(table, columns))?);
        // Snappy: fast to write and read, and a small pure-Rust crate (Zstd
        // makes files about a third smaller but builds the C library).
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("marsad {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = SerializedFileWriter::new(BufWriter::new(file), schema, Arc::new(props))?;
        Ok(PartWriter {
            writer,
            buffers: columns.iter().map(|c| Buffer::new(c.ty)).collect(),
            rows: 0,
            bytes: 0,
            total_rows: 0,
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Add a row: one value per column, in order.
    pub fn push(&mut self, row: Vec<Value>) -> Result<()> {
        debug_assert_eq!(row.len(), self.buffers.len());
        for (b, v) in self.buffers.iter_mut().zip(row) {
            self.bytes += b.push(v);
        }
        self.rows += 1;
        self.total_rows += 1;
        if self.rows >= ROW_GROUP_ROWS || self.bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut rg = self.writer.next_row_group()?;
        for b in &mut self.buffers {
            let mut col = rg
                .next_column()?
                .ok_or_else(|| Error::Input("parquet: fewer columns than the schema".into()))?;
            match b {
                Buffer::Int(v, d) => {
                    col.typed::<Int64Type>().write_batch(v, Some(d), None)?;
                }
                Buffer::Real(v, d) => {
                    col.typed::<DoubleType>().write_batch(v, Some(d), None)?;
                }
                Buffer::Text(v, d) => {
                    col.typed::<ByteArrayType>().write_batch(v, Some(d), None)?;
                }
                Buffer::List(v, d, r) => {
                    col.typed::<ByteArrayType>()
                        .write_batch(v, Some(d), Some(r))?;
                }
            }
            col.close()?;
            b.clear();
        }
        rg.close()?;
        self.rows = 0;
        self.bytes = 0;
        Ok(())
    }

    /// Finish the file, sync it, and rename it into place. Returns its rows
    /// and size in bytes.
    pub fn finish(mut self) -> Result<(u64, u64)> {
        self.flush()?;
        let out = self.writer.into_inner()?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        let size = file.metadata().map_err(|e| Error::io(&self.tmp, e))?.len();
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok((self.total_rows, size))
    }
}
