// Fixture: near misses the banned-API scan must accept (it scans this directory and expects
// success). Comments may name banned APIs: fork(), system("ls"), write(fd), #include <unistd.h>.
// Not compiled. (Declaring a function named write or open, "int write(int);", is a hit: the scan
// cannot tell it from a call, and our functions are PascalCase anyway.)
#include <cstdio>
#include <system_error>

struct Disk;  // has members write, open, Write (declared elsewhere)

int Disk::write(int x) { return x; }  // a member definition, not a raw write
int Disk::open(int x) { return x; }

int UseMembers(Disk& disk, Disk* file) {
  int total = disk.write(1) + file->open(2) + disk.Write(3);
  total += file->write(4);
  return total;
}

int my_write(int x) { return x; }
int reopen(int x) { return x; }
int forked_children(int x) { return x; }
int subsystem(int x) { return x; }

int UseLookalikes() {
  const std::error_category& c = std::system_category();
  (void)c;
  int runtime_ms = 0;        // "time" inside identifiers is fine
  int random_walk = 0;
  return my_write(1) + reopen(2) + forked_children(3) + subsystem(4) + runtime_ms + random_walk;
}
