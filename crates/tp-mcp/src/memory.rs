//! How the sidecar's process asks its allocator to behave.
//!
//! Claude Desktop keeps one `tp-mcp` process per conversation, so its
//! resident memory is paid many times over (bench/RESULTS.md, peak RSS).
//! glibc's malloc gives every thread that allocates its own arena; the
//! server is single-threaded except for the short blocking tasks that
//! decode device files, and each of those threads' arenas kept about 1 MB
//! resident after a decode that the main heap would have reused. One arena
//! for the whole process removes that, for no measurable contention with
//! two threads. Other allocators (macOS, Windows, musl) need nothing.

/// Called first thing in `main`, before any thread exists.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets a tunable of glibc's allocator; called
        // before any other thread is started.
        let accepted = unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
        if accepted != 1 {
            tracing::debug!("malloc did not accept M_ARENA_MAX = 1");
        }
    }
}

#[cfg(test)]
mod tests {
    /// glibc accepts the setting (it returns 1 on success); elsewhere the
    /// call does nothing and must not fail.
    #[test]
    fn the_allocator_accepts_one_arena() {
        super::configure_allocator();
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            // SAFETY: as in configure_allocator.
            assert_eq!(unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) }, 1);
        }
    }
}
