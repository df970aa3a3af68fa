// Fixture: must trip only the banned-API rule "posix-header".
#include <unistd.h>
