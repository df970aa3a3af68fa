// Fixture: files named *_main.cc are not scanned (a tool's main is its shell), so these pass.
#include <unistd.h>
int main() { return fork() + system("true"); }
