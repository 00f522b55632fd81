//! The pool and the noise buffer are wiped before their memory is freed.
//!
//! A checking global allocator looks at every block with the pool's page alignment (4096) and
//! every block of the noise buffer's size at the moment it is freed, and counts those that still
//! hold a non-zero byte. Reading the memory after `drop` would be undefined behaviour; the
//! allocator sees it while it is still owned.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use jent_core::{Config, EntropySource, Mode, TimerKind};

const BUFFER_SIZE: usize = 64 * 1024;

static CHECKED: AtomicUsize = AtomicUsize::new(0);
static NOT_WIPED: AtomicUsize = AtomicUsize::new(0);

struct CheckingAllocator;

// SAFETY: every call is forwarded unchanged to the system allocator; the extra work only reads
// the block that is being freed, while it is still allocated and owned by the caller.
unsafe impl GlobalAlloc for CheckingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, as GlobalAlloc requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() == 4096 || layout.size() == BUFFER_SIZE {
            // SAFETY: ptr points to a live block of layout.size() bytes until we free it below.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            CHECKED.fetch_add(1, Ordering::SeqCst);
            if block.iter().any(|&byte| byte != 0) {
                NOT_WIPED.fetch_add(1, Ordering::SeqCst);
            }
        }
        // SAFETY: forwarded with the pointer and layout the caller allocated with.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CheckingAllocator = CheckingAllocator;

#[test]
fn pool_and_buffer_are_wiped_before_they_are_freed() {
    let config = Config {
        mode: Mode::Fips,
        memory_size: Some(BUFFER_SIZE),
        timer: TimerKind::Hardware,
        ..Config::default()
    };
    let mut source = EntropySource::new(config).expect("collector starts");
    let mut out = [0u8; 64];
    source.fill(&mut out).expect("output");
    assert_ne!(out, [0u8; 64]);
    let before = CHECKED.load(Ordering::SeqCst);
    drop(source);

    // The power-up test's collector was freed during start-up; dropping the source frees the
    // pool page and the buffer of the collector in use.
    let checked = CHECKED.load(Ordering::SeqCst);
    assert!(
        checked >= before + 2,
        "pool and buffer were not seen being freed ({checked})"
    );
    assert!(
        before >= 2,
        "the power-up collector was not seen being freed ({before})"
    );
    assert_eq!(
        NOT_WIPED.load(Ordering::SeqCst),
        0,
        "a block was freed without being wiped"
    );
}
