# Sourced by the determinism tests. `other_heap` runs a command under another heap layout: freed
# blocks reused in another order and every block filled with a pattern when taken and when freed.
# samsa-sim's heap is jemalloc (cmake/Dependencies.cmake): its thread cache off and junk filling
# on. Builds on glibc's malloc (the sanitizer builds) get the same from glibc's tunables: no
# per-thread and fast caches, blocks of 2 KiB and more mapped apart, a perturb pattern. Each
# allocator ignores the other's variable. A pointer value or an uninitialised byte that reaches a
# trace or a view then shows as a different hash; an ordering by key, as DESIGN.md's determinism
# rules ask, does not.
# Checked by hand: sorting a replica manager list by pointer instead of by partition changed
# random-nemesis-safe seed 7's hash here (under glibc's tunables, and again under jemalloc's), and
# not between two plain runs.
OTHER_HEAP_MALLOC_CONF=junk:true,tcache:false
OTHER_HEAP_GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0:glibc.malloc.mmap_threshold=2048:glibc.malloc.perturb=85
# The variables, as a reproduce command writes them.
other_heap_env() { echo "MALLOC_CONF=$OTHER_HEAP_MALLOC_CONF GLIBC_TUNABLES=$OTHER_HEAP_GLIBC_TUNABLES"; }
# The command (or shell function) "$@" under the other layout.
other_heap() { MALLOC_CONF=$OTHER_HEAP_MALLOC_CONF GLIBC_TUNABLES=$OTHER_HEAP_GLIBC_TUNABLES "$@"; }
