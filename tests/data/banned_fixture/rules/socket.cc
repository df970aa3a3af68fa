// Fixture: must trip only the banned-API rule "socket".
#include <sys/socket.h>
