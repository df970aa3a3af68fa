# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(ZLIB REQUIRED)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
find_library(SNAPPY_LIBRARY NAMES snappy REQUIRED)
find_path(SNAPPY_INCLUDE_DIR snappy.h REQUIRED)
add_library(samsa_snappy INTERFACE)
target_link_libraries(samsa_snappy INTERFACE ${SNAPPY_LIBRARY})
target_include_directories(samsa_snappy INTERFACE ${SNAPPY_INCLUDE_DIR})
find_package(fmt REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
if(SAMSA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SAMSA_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
# samsa-sim's heap: jemalloc, which runs the simulator about 8% faster than glibc's malloc at 12
# and at 768 partitions (scripts/bench-scale.sh) and lets the determinism tests change the heap
# layout through MALLOC_CONF (tests/other_heap_layout.sh). Not under the sanitizers or libFuzzer,
# whose runtimes own malloc.
if(NOT SAMSA_SANITIZE AND NOT SAMSA_FUZZ)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
