/*
 * Guard against the CVE-2019-5736 class: a container that makes the runtime exec
 * /proc/self/exe could reopen the host's binary for writing through /proc/<pid>/exe.
 * berth-init therefore always runs from a sealed, read-only memfd copy of itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include "init.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

void reexec_from_sealed_copy(char **argv)
{
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		fail("seal self", "open /proc/self/exe");
	int seals = fcntl(self, F_GET_SEALS);
	if (seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS) {
		close(self);
		return;
	}
	/* MFD_EXEC: kernels with vm.memfd_noexec would otherwise refuse to run the copy. */
	int copy = memfd_create("berth-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (copy < 0 && errno == EINVAL)
		copy = memfd_create("berth-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		fail("seal self", "memfd_create");
	struct stat st;
	if (fstat(self, &st) < 0)
		fail("seal self", "fstat /proc/self/exe");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail("seal self", "copy /proc/self/exe");
		done += n;
	}
	close(self);
	if (fcntl(copy, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		fail("seal self", "F_ADD_SEALS");
	fexecve(copy, argv, environ);
	fail("seal self", "fexecve");
}
