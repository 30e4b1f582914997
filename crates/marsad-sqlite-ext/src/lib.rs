//! marsad's Arabic search functions in any SQLite (3.7 on): `marsad_match`,
//! `marsad_analyze`, `marsad_stem`, `marsad_normalize`, `marsad_snippet`
//! and `marsad_highlight`, computed by the same code the `marsad` binary
//! runs (`marsad_text::functions`; the binary registers them through
//! rusqlite in `marsad_text::sqlite`, which documents each).
//!
//! ```text
//! sqlite> .load target/release/libmarsad_ext
//! sqlite> SELECT count(*) FROM articles_fts WHERE articles_fts MATCH marsad_match('الوزير');
//! ```
//!
//! SQLite looks for `sqlite3_extension_init`, then for `sqlite3_marsadext_init`
//! (the name it derives from `libmarsad_ext.so`); both are exported.

mod api;

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicPtr, Ordering};

use api::{ApiRoutines, Context, Sqlite3, Value};
use marsad_text::functions as f;

/// SQLite's routines, handed over when the extension is loaded (the same
/// table for every connection of a process).
static API: AtomicPtr<ApiRoutines> = AtomicPtr::new(std::ptr::null_mut());

const SQLITE_OK: c_int = 0;
const SQLITE_ERROR: c_int = 1;
const SQLITE_NULL: c_int = 5;
const SQLITE_UTF8: c_int = 1;
const SQLITE_DETERMINISTIC: c_int = 0x800;
const SQLITE_INNOCUOUS: c_int = 0x20_0000;
/// Tells SQLite to copy a result string before the call returns.
const SQLITE_TRANSIENT: isize = -1;

fn api() -> &'static ApiRoutines {
    // Set before any function is registered, so before any is called.
    unsafe { &*API.load(Ordering::Acquire) }
}

/// What one SQL function computes from its (text) arguments; `None` is NULL.
type Compute = fn(&[Option<String>]) -> Option<String>;

fn both(a: &[Option<String>]) -> Option<(&str, &str)> {
    Some((a.first()?.as_deref()?, a.get(1)?.as_deref()?))
}

fn marks(a: &[Option<String>]) -> (&str, &str) {
    if a.len() == 4 {
        (a[2].as_deref().unwrap_or(""), a[3].as_deref().unwrap_or(""))
    } else {
        ("[", "]")
    }
}

const FUNCTIONS: &[(&CStr, c_int, Compute)] = &[
    (c"marsad_match", 1, |a| Some(f::match_sql(a[0].as_deref()?))),
    (c"marsad_analyze", 1, |a| {
        Some(f::analyze_json(a[0].as_deref()?))
    }),
    (c"marsad_stem", 1, |a| Some(f::stems(a[0].as_deref()?))),
    (c"marsad_normalize", 1, |a| {
        Some(marsad_text::normalize(a[0].as_deref()?))
    }),
    (c"marsad_snippet", 2, snippet),
    (c"marsad_snippet", 4, snippet),
    (c"marsad_highlight", 2, highlight),
    (c"marsad_highlight", 4, highlight),
];

fn snippet(a: &[Option<String>]) -> Option<String> {
    let (body, q) = both(a)?;
    let (open, close) = marks(a);
    Some(f::marked_snippet(body, q, open, close))
}

fn highlight(a: &[Option<String>]) -> Option<String> {
    let (text, q) = both(a)?;
    let (open, close) = marks(a);
    Some(f::marked_text(text, q, open, close))
}

/// An argument as text (numbers as SQLite writes them), or `None` for NULL.
unsafe fn arg(v: *mut Value) -> Option<String> {
    let api = api();
    unsafe {
        if (api.value_type?)(v) == SQLITE_NULL {
            return None;
        }
        let p = (api.value_text?)(v);
        let n = (api.value_bytes?)(v);
        if p.is_null() {
            return Some(String::new());
        }
        let bytes = std::slice::from_raw_parts(p, usize::try_from(n).unwrap_or(0));
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The `xFunc` of every function: its [`Compute`] is the user data.
unsafe extern "C" fn call(ctx: *mut Context, argc: c_int, argv: *mut *mut Value) {
    let api = api();
    unsafe {
        let (Some(user_data), Some(result_text), Some(result_null), Some(result_error)) = (
            api.user_data,
            api.result_text,
            api.result_null,
            api.result_error,
        ) else {
            return;
        };
        let compute: Compute = std::mem::transmute::<*mut c_void, Compute>(user_data(ctx));
        let args: Vec<Option<String>> = (0..usize::try_from(argc).unwrap_or(0))
            .map(|i| arg(*argv.add(i)))
            .collect();
        match catch_unwind(AssertUnwindSafe(|| compute(&args))) {
            Ok(Some(s)) => match c_int::try_from(s.len()) {
                Ok(n) => result_text(ctx, s.as_ptr().cast::<c_char>(), n, SQLITE_TRANSIENT),
                Err(_) => result_error(ctx, c"marsad: result too long".as_ptr(), -1),
            },
            Ok(None) => result_null(ctx),
            Err(_) => result_error(ctx, c"marsad: internal error".as_ptr(), -1),
        }
    }
}

unsafe fn init(db: *mut Sqlite3, p_api: *const ApiRoutines) -> c_int {
    if p_api.is_null() {
        return SQLITE_ERROR;
    }
    API.store(p_api.cast_mut(), Ordering::Release);
    let Some(create) = api().create_function_v2 else {
        return SQLITE_ERROR;
    };
    let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    for &(name, n_arg, compute) in FUNCTIONS {
        let rc = unsafe {
            create(
                db,
                name.as_ptr(),
                n_arg,
                flags,
                compute as *mut c_void,
                Some(call),
                None,
                None,
                None,
            )
        };
        if rc != SQLITE_OK {
            return rc;
        }
    }
    SQLITE_OK
}

/// The entry point SQLite tries first.
///
/// # Safety
/// Called by SQLite with a valid connection and its routine table.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sqlite3_extension_init(
    db: *mut Sqlite3,
    _err: *mut *mut c_char,
    p_api: *const ApiRoutines,
) -> c_int {
    unsafe { init(db, p_api) }
}

/// The entry point SQLite derives from the file name `libmarsad_ext.so`.
///
/// # Safety
/// As [`sqlite3_extension_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sqlite3_marsadext_init(
    db: *mut Sqlite3,
    err: *mut *mut c_char,
    p_api: *const ApiRoutines,
) -> c_int {
    unsafe { sqlite3_extension_init(db, err, p_api) }
}
