#!/usr/bin/env bash
# Fails when core/ or sim/ use an API that DESIGN.md's determinism rules ban.
# Usage: banned_api_scan.sh DIR_OR_FILE...   prints file:line: banned [rule] (reason): text per hit
#        banned_api_scan.sh --list-rules     prints the rule ids, one a line
#
# One awk pass reads every file once and tries every rule on each line (the old loop ran one grep
# per file per rule and took ~50 s). Lines are checked after stripping // comments, so that prose
# may name the banned APIs. Files named *_main.cc are not scanned: a tool's main is its shell
# (samsa-sim's main calls the OS helpers of net/os), not simulated code.
#
# "A free call" below (rules raw-io, popen, system, fork) means the name followed by "(" and
# preceded by the start of the line, by a character that cannot end an identifier or a member
# access (not [_[:alnum:]], ".", ">" or ":"), or by a bare "::" or "std::" (global or standard
# scope). So write(fd, ...), ::write(fd, ...) and std::system("...") are hits; disk.write(...),
# file->open(...), Disk::Write, PosixDisk::write(...) and my_write(...) are not. A text scan cannot
# tell a call from a declaration, so declaring a free or member function named open/write/fork/...
# ("int write(int);") is a hit too; our functions are PascalCase, so that costs nothing.
#
# Rules: id<TAB>extended regex<TAB>reason. Each rule has a fixture under
# tests/data/banned_fixture/rules/<id>.cc that must trip it (tests/banned_api_scan_fixture_test.sh).
set -uo pipefail
free='(^|[^_[:alnum:].>:]|(^|[^_[:alnum:]])(std)?::)'
end='([^_[:alnum:]]|$)'
rules=$(cat <<EOF
chrono-clock	std::chrono::(system_clock|steady_clock|high_resolution_clock)	std::chrono clocks (the sim kernel owns time)
time	(^|[^_[:alnum:]:.>])time[[:space:]]*\(	time() reads the wall clock
wall-clock	(^|[^_[:alnum:]])(clock_gettime|gettimeofday)[[:space:]]*\(	wall clock
thread	std::(thread|jthread|async)${end}	threads
banned-header	#include[[:space:]]*<(thread|mutex|shared_mutex|atomic|condition_variable|future|fstream|random|chrono)>	banned header
lock-atomic	std::(mutex|shared_mutex|recursive_mutex|atomic|condition_variable)${end}	locks and atomics
socket	#include[[:space:]]*<(sys/socket\.h|netinet/in\.h|arpa/inet\.h|boost/asio[^>]*)>	sockets
file-io	(^|[^_[:alnum:]])(fopen|fstream|ifstream|ofstream)${end}	file I/O outside the Disk seam
rand	(^|[^_[:alnum:]:.>])(rand|srand|random)[[:space:]]*\(	unseeded randomness
random-device	std::random_device	nondeterministic seed
getenv	(^|[^_[:alnum:]])(getenv|secure_getenv)[[:space:]]*\(	environment reads
filesystem	#include[[:space:]]*<filesystem>|std::filesystem::	std::filesystem (files go through the Disk seam; tools use net/os)
posix-header	#include[[:space:]]*<(unistd\.h|fcntl\.h|spawn\.h|dirent\.h|sys/(wait|stat|mman|uio|file)\.h)>	POSIX system-call headers (I/O and processes belong to net/os)
raw-io	${free}(open|openat|creat|write|pwrite|writev)[[:space:]]*\(	raw POSIX open/write (a free call; member calls are fine)
popen	${free}(popen|pclose)[[:space:]]*\(	popen runs a shell
system	${free}system[[:space:]]*\(	system() runs a shell
fork	${free}(fork|vfork|posix_spawnp?|execlp?|execle|execvp?|execvpe)[[:space:]]*\(	process creation (tools fork through net/os)
EOF
)
if [ "${1:-}" = "--list-rules" ]; then
  printf '%s\n' "$rules" | cut -f1
  exit 0
fi
if [ "$#" -eq 0 ]; then
  echo "usage: banned_api_scan.sh DIR_OR_FILE... | --list-rules" >&2
  exit 2
fi
find "$@" -type f \( -name '*.h' -o -name '*.cc' -o -name '*.cpp' -o -name '*.hpp' \) \
    ! -name '*_main.cc' | LC_ALL=C sort |
  SCAN_RULES="$rules" SCAN_DIRS="$*" awk '
    BEGIN {
      n = split(ENVIRON["SCAN_RULES"], lines, "\n")
      for (i = 1; i <= n; i++) {
        split(lines[i], f, "\t")
        id[i] = f[1]; re[i] = f[2]; why[i] = f[3]
      }
    }
    {
      file = $0; files++; nr = 0
      while ((getline line < file) > 0) {
        nr++
        sub(/\/\/.*$/, "", line)
        for (i = 1; i <= n; i++) {
          if (line ~ re[i]) {
            printf "%s:%d: banned [%s] (%s): %s\n", file, nr, id[i], why[i], line
            hits++
          }
        }
      }
      close(file)
    }
    END {
      if (hits > 0) {
        printf "banned_api_scan: %d banned use(s) in %s\n", hits, ENVIRON["SCAN_DIRS"]
        exit 1
      }
      printf "banned_api_scan: clean (%d files in %s)\n", files, ENVIRON["SCAN_DIRS"]
    }'
