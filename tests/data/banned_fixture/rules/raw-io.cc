// Fixture: must trip only the banned-API rule "raw-io".
void Log(int fd) { (void)write(fd, "x", 1); }
