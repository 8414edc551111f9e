/* linux.netDevices (config-linux.md "Network Devices"): each host
 * interface named moves into the sandbox's network namespace, under its
 * new name, keeping its permanent addresses of global scope, and is set
 * up there.  The runtime does it on the host (it needs CAP_NET_ADMIN over
 * the host's network namespace), after the clone and before GO, so the
 * workload finds the interface ready.  Nothing is moved back at the end:
 * the spec leaves the interface to the namespace's owner (a physical one
 * returns to the host when the namespace dies, a virtual one goes with
 * it).
 *
 * rtnetlink, request by request, each acknowledged: RTM_GETADDR (dump) for
 * the addresses, RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME for the
 * move, then, on a socket made inside the sandbox's namespace,
 * RTM_NEWADDR for each address and RTM_NEWLINK for IFF_UP. */
#include "net_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define NL_BUF 16384
#define MAX_ADDRS 64

/* One request: the header, its fixed part and room for attributes. */
struct nl_req {
	struct nlmsghdr h;
	char body[512];
};

/* A permanent global address of the interface, to give it back. */
struct saved_addr {
	struct ifaddrmsg ifa;
	unsigned char local[16], address[16], broadcast[4];
	size_t alen;
	bool has_local, has_address, has_broadcast;
};

static int nl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	return fd < 0 ? -errno : fd;
}

static void *nl_tail(struct nl_req *r)
{
	return (char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len);
}

static void nl_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = nl_tail(r);

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* One datagram of replies: its length or -errno. */
static ssize_t nl_recv(int fd, char *buf, size_t len)
{
	ssize_t n;

	while ((n = recv(fd, buf, len, 0)) < 0 && errno == EINTR)
		;
	return n < 0 ? -errno : n;
}

/* Send r and wait for its acknowledgement: 0 or -errno (the kernel's). */
static int nl_talk(int fd, struct nl_req *r)
{
	static unsigned int seq;
	char buf[NL_BUF];
	ssize_t n;

	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = ++seq;
	if (send(fd, r, r->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = nl_recv(fd, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n))
			if (h->nlmsg_seq == r->h.nlmsg_seq && h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

static bool permanent_global(const struct ifaddrmsg *ifa, struct rtattr *a, size_t len)
{
	unsigned int flags = ifa->ifa_flags;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD(a) >= sizeof(unsigned int))
			memcpy(&flags, RTA_DATA(a), sizeof(flags));
	return ifa->ifa_scope == RT_SCOPE_UNIVERSE && (flags & IFA_F_PERMANENT);
}

static void save_addr(struct saved_addr *s, const struct ifaddrmsg *ifa, struct rtattr *a,
		      size_t len)
{
	memset(s, 0, sizeof(*s));
	s->ifa = *ifa;
	s->alen = ifa->ifa_family == AF_INET ? 4 : 16;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (RTA_PAYLOAD(a) < s->alen && a->rta_type != IFA_BROADCAST)
			continue;
		if (a->rta_type == IFA_LOCAL) {
			memcpy(s->local, RTA_DATA(a), s->alen);
			s->has_local = true;
		} else if (a->rta_type == IFA_ADDRESS) {
			memcpy(s->address, RTA_DATA(a), s->alen);
			s->has_address = true;
		} else if (a->rta_type == IFA_BROADCAST && RTA_PAYLOAD(a) == 4) {
			memcpy(s->broadcast, RTA_DATA(a), 4);
			s->has_broadcast = true;
		}
	}
}

/* The interface's permanent global IPv4 and IPv6 addresses. */
static int dump_addrs(int fd, int ifindex, struct saved_addr *out, size_t *n_out)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
				   .nlmsg_type = RTM_GETADDR,
				   .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
				   .nlmsg_seq = 1 } };
	char buf[NL_BUF];
	ssize_t n;

	*n_out = 0;
	if (send(fd, &r, r.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = nl_recv(fd, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);
			size_t len;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != ifindex ||
			    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
				continue;
			len = IFA_PAYLOAD(h);
			if (!permanent_global(ifa, IFA_RTA(ifa), len))
				continue;
			if (*n_out == MAX_ADDRS)
				return -E2BIG;
			save_addr(&out[(*n_out)++], ifa, IFA_RTA(ifa), len);
		}
	}
}

/* Into the namespace netns, renamed to name: RTM_NEWLINK on the index. */
static int move_link(int fd, int ifindex, int netns, const char *name)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				   .nlmsg_type = RTM_NEWLINK } };
	struct ifinfomsg *ifi = NLMSG_DATA(&r.h);
	uint32_t nsfd = (uint32_t)netns;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	nl_attr(&r, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
	nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(fd, &r);
}

static int add_addr(int fd, int ifindex, const struct saved_addr *s)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
				   .nlmsg_type = RTM_NEWADDR,
				   .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL } };
	struct ifaddrmsg *ifa = NLMSG_DATA(&r.h);

	*ifa = s->ifa;
	ifa->ifa_index = (unsigned int)ifindex;
	if (s->has_local)
		nl_attr(&r, IFA_LOCAL, s->local, s->alen);
	if (s->has_address)
		nl_attr(&r, IFA_ADDRESS, s->address, s->alen);
	if (s->has_broadcast)
		nl_attr(&r, IFA_BROADCAST, s->broadcast, 4);
	return nl_talk(fd, &r);
}

static int link_up(int fd, int ifindex)
{
	struct nl_req r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
				   .nlmsg_type = RTM_NEWLINK } };
	struct ifinfomsg *ifi = NLMSG_DATA(&r.h);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(fd, &r);
}

/* What is done inside the namespace netns: a netlink socket made there (a
 * socket keeps the namespace it was made in) and the index of name there
 * (0: none); or, for a template, whether old_index is there (the kernel
 * keeps an interface's index unless it is taken). */
struct inside {
	const char *name;
	int old_index;
	bool socket;
	int fd, index;
};

static int in_netns(int netns, struct inside *in)
{
	cleanup_close int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	char found[IF_NAMESIZE];
	int e = 0;

	in->fd = -1;
	if (own < 0 || setns(netns, CLONE_NEWNET) < 0)
		return -errno;
	if (in->socket && (in->fd = nl_socket()) < 0)
		e = in->fd;
	if (strchr(in->name, '%'))
		in->index = if_indextoname((unsigned int)in->old_index, found) ? in->old_index : 0;
	else
		in->index = (int)if_nametoindex(in->name);
	if (setns(own, CLONE_NEWNET) < 0 && e == 0)
		e = -errno;
	if (e < 0)
		sluice_close(in->fd);
	return e;
}

static const char *netns_path(const struct sluice_config *c, pid_t pid, char *buf, size_t len)
{
	if (c->linux.ns[SLUICE_NS_NET].path)
		return c->linux.ns[SLUICE_NS_NET].path;
	snprintf(buf, len, "/proc/%d/ns/net", (int)pid);
	return buf;
}

static int move_one(const struct sluice_net_device *d, int host, int netns, struct sluice_error *err)
{
	const char *name = d->name ? d->name : d->host;
	struct saved_addr addrs[MAX_ADDRS];
	size_t n = 0;
	int ifindex = (int)if_nametoindex(d->host), r;
	struct inside in = { .name = name };
	cleanup_close int fd = -1;

	if (ifindex == 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "linux.netDevices: %s: no such interface on the host", d->host);
	/* the kernel would move it first and fail at the rename after */
	if ((r = in_netns(netns, &in)) < 0 || (in.index && !strchr(name, '%')))
		return sluice_err(err, SLUICE_EXIT_SETUP, r < 0 ? -r : EEXIST,
				  "linux.netDevices: %s: %s", name,
				  r == -EPERM ? "cannot enter the sandbox's network namespace (it "
						"needs root)" :
				  r < 0	      ? "cannot enter the sandbox's network namespace" :
						"the sandbox's network namespace has an interface of "
						"that name (end the name with %d for the kernel to "
						"number it)");
	r = dump_addrs(host, ifindex, addrs, &n);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "linux.netDevices: %s: its addresses",
				  d->host);
	r = move_link(host, ifindex, netns, name);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "linux.netDevices: move %s into the sandbox as %s%s", d->host,
				  name, r == -EPERM ? " (it needs root)" : "");
	in.socket = true;
	in.old_index = ifindex;
	r = in_netns(netns, &in);
	fd = in.fd;
	if (r == 0 && !in.index)
		r = -ENODEV;
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "linux.netDevices: %s in the sandbox's network namespace", name);
	for (size_t i = 0; i < n; i++)
		if ((r = add_addr(fd, in.index, &addrs[i])) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r,
					  "linux.netDevices: %s: give back an address", name);
	r = link_up(fd, in.index);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "linux.netDevices: %s: set it up",
				  name);
	return 0;
}

int sluice_net_devices_move(const struct sluice_config *c, pid_t pid, struct sluice_error *err)
{
	char buf[64];
	const char *path;
	cleanup_close int host = -1, netns = -1;

	if (!c->linux.n_net_devices)
		return 0;
	path = netns_path(c, pid, buf, sizeof(buf));
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "linux.netDevices: open %s", path);
	host = nl_socket();
	if (host < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -host, "linux.netDevices: netlink socket");
	for (size_t i = 0; i < c->linux.n_net_devices; i++)
		if (move_one(&c->linux.net_devices[i], host, netns, err) < 0)
			return -1;
	return 0;
}
