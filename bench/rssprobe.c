/* rssprobe [MS]: the workload of the memory benchmark.
 *
 * Prints "maxrss_kb=N" on stdout, where N is getrusage(RUSAGE_SELF)
 * .ru_maxrss: the kernel keeps the high-water RSS of every image this
 * process ran before its exec (exec_mmap folds the old mm's hiwater into
 * signal->maxrss), so N is the peak RSS of the runtime's set-up process,
 * the one that built the sandbox and then exec'd us.  Then it sleeps MS
 * milliseconds, so the driver can read VmHWM of the processes still around
 * (launcher, PID-1 helpers).
 *
 * Built without libc (no start-up code, a few KiB resident) so that its
 * own RSS stays well below what it measures. */

struct timespec_k {
	long tv_sec, tv_nsec;
};

/* struct rusage: two struct timeval, then ru_maxrss. */
struct rusage_k {
	long utime[2], stime[2];
	long maxrss;
	long rest[13];
};

#if defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_NANOSLEEP 35
#define SYS_EXIT 60
#define SYS_GETRUSAGE 98
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.globl _start\n_start:\n\txor %rbp,%rbp\n\tmov %rsp,%rdi\n"
	"\tand $-16,%rsp\n\tcall probe_main\n\thlt\n");
#elif defined(__aarch64__)
#define SYS_WRITE 64
#define SYS_NANOSLEEP 101
#define SYS_EXIT 93
#define SYS_GETRUSAGE 165
static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
__asm__(".text\n.globl _start\n_start:\n\tmov x0, sp\n\tbl probe_main\n");
#else
#error "rssprobe: add the syscall glue for this architecture"
#endif

void probe_main(long *sp) __attribute__((noreturn, used));

static unsigned long parse_ulong(const char *s)
{
	unsigned long v = 0;

	while (s && *s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

static int format_line(char *buf, long v)
{
	static const char head[] = "maxrss_kb=";
	char digits[24];
	int n = 0, len = 0;

	for (int i = 0; head[i]; i++)
		buf[len++] = head[i];
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		buf[len++] = digits[--n];
	buf[len++] = '\n';
	return len;
}

void probe_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	struct rusage_k ru = {0};
	char line[64];
	unsigned long ms = argc > 1 ? parse_ulong(argv[1]) : 0;
	struct timespec_k ts = {(long)(ms / 1000), (long)(ms % 1000) * 1000000L};

	sys3(SYS_GETRUSAGE, 0 /* RUSAGE_SELF */, (long)&ru, 0);
	sys3(SYS_WRITE, 1, (long)line, format_line(line, ru.maxrss));
	if (ms)
		sys3(SYS_NANOSLEEP, (long)&ts, 0, 0);
	for (;;)
		sys3(SYS_EXIT, 0, 0, 0);
}
