# Sourced by the determinism tests. `other_heap` runs a command under another heap layout: glibc's
# allocator without its per-thread and fast caches (freed blocks are reused in another order),
# with blocks of 2 KiB and more mapped apart, and every block filled with a pattern when taken
# and when freed. A pointer value or an uninitialised byte that reaches a trace or a view then
# shows as a different hash; an ordering by key, as DESIGN.md's determinism rules ask, does not.
# Checked by hand: sorting a replica manager list by pointer instead of by partition changed
# random-nemesis-safe seed 7's hash here, and not between two plain runs.
other_heap() {
  GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.mmap_threshold=2048:glibc.malloc.perturb=85 "$@"
}
