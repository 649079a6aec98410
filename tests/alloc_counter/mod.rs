//! A counting global allocator for the no-allocation tests: counts allocations on the current
//! thread only, so the test harness's other threads cannot interfere. Each test binary that
//! uses it declares `#[global_allocator] static GLOBAL: alloc_counter::Counting = ..;`.
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to `System` and counts.
pub struct Counting;

thread_local! {
    // `const` initialisation and a type without Drop: no lazy registration, so touching it from
    // inside the allocator never allocates itself.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

/// Allocations made so far on this thread.
pub fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

// SAFETY: forwards every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}
