//! The worker threads of the parallel stages (ingest analysis, reindex,
//! re-extraction, dedup rebuild): one rayon pool per run, below the
//! writer's priority.
//!
//! Each of those stages ends in one SQLite writer, the stage everything
//! waits for, so it must never queue for a core behind the workers: they run
//! at a lower priority and use what it leaves (faster than equal priority or
//! one worker fewer; the figures are in the commit that made it so).

/// A pool of one worker per core, below the calling thread's priority.
pub struct Workers(Option<rayon::ThreadPool>);

impl Workers {
    pub fn new() -> Workers {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .start_handler(|_| lower_priority())
            .build();
        // No pool of our own (threads exhausted): rayon's global one still works.
        Workers(pool.ok())
    }

    /// Run `f` with its parallel iterators on these workers.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.0 {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }
}

impl Default for Workers {
    fn default() -> Self {
        Self::new()
    }
}

/// Lower the calling thread's scheduling priority (Linux keeps a nice value
/// per thread; elsewhere this would renice the whole process, so it does
/// nothing there).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority touches no memory; `who` = 0 is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
