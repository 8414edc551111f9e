/* slowcat MIB_PER_S: a slow consumer.  Reads stdin and throws it away at
 * no more than MIB_PER_S MiB/s, so that a fast producer upstream is held
 * back by a full pipe (the back-pressure case of the stdio benchmark). */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	double rate = argc > 1 ? atof(argv[1]) * 1024 * 1024 : 0;
	int64_t start = now_ns(), total = 0;

	if (rate <= 0) {
		fprintf(stderr, "usage: slowcat MIB_PER_S\n");
		return 2;
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		int64_t due;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? 1 : 0;
		total += n;
		/* Sleep until the moment this many bytes are due. */
		due = start + (int64_t)((double)total / rate * 1e9);
		while (now_ns() < due) {
			int64_t left = due - now_ns();
			struct timespec ts = {left / 1000000000, left % 1000000000};
			if (left > 0)
				nanosleep(&ts, NULL);
		}
	}
}
