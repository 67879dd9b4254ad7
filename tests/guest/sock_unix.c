/* sock_unix.c: AF_UNIX socketpairs. Creation (families, types, flags,
 * EFAULT), fstat, /proc/self/fd links, options and names; stream bytes
 * through read/write/readv/writev/send/recv/sendmsg/recvmsg with MSG_PEEK,
 * MSG_WAITALL, MSG_DONTWAIT, EOF after close or shutdown, EPIPE with
 * SIGPIPE (none with MSG_NOSIGNAL), ECONNRESET; a nonblocking writer that
 * fills the buffer and a blocking one a child drains; datagram and
 * seqpacket boundaries and truncation (MSG_TRUNC both ways), their peers'
 * closes; poll; SCM_RIGHTS: files shared with a child (offset and status
 * flags), lowest free descriptors, MSG_CTRUNC, MSG_CMSG_CLOEXEC, rights
 * never merged across sends, a pipe's write end keeping EOF away while
 * received and not after, in-flight files put when both ends close; a
 * thread blocked in recv woken by another process; errors. Children never
 * print; pids, addresses and buffer sizes are never printed. */
#include "guest.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static pid_t xfork(void)
{
    fflush(stdout);
    fflush(stderr);
    return fork();
}

static int reap(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int revents(int fd, int timeout)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    if (poll(&p, 1, timeout) < 0)
        return -1;
    return p.revents;
}

/* Sends len bytes of data with nfds descriptors in one SCM_RIGHTS message. */
static long send_fds(int s, const char *data, size_t len, const int *fds, int nfds)
{
    char ctl[CMSG_SPACE(sizeof(int) * 260)];
    struct iovec iov = { (void *)data, len };
    struct msghdr m = { 0 };
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (nfds) {
        memset(ctl, 0, sizeof ctl);
        m.msg_control = ctl;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    return sendmsg(s, &m, 0);
}

struct rcv {
    long n;
    int nfds;
    int fds[8];
    int flags;
    size_t controllen;
};

/* Receives into buf with room for maxfds descriptors (ctlsize bytes of control if nonzero). */
static struct rcv recv_fds(int s, char *buf, size_t len, size_t ctlsize, int flags)
{
    char ctl[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iov = { buf, len };
    struct msghdr m = { 0 };
    struct rcv r = { 0 };
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctlsize ? ctl : NULL;
    m.msg_controllen = ctlsize;
    r.n = recvmsg(s, &m, flags);
    r.flags = m.msg_flags;
    r.controllen = m.msg_controllen;
    if (r.n < 0)
        return r;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(r.fds + r.nfds, CMSG_DATA(c), sizeof(int) * n);
            r.nfds += n;
        }
    return r;
}

/* The lowest descriptor free now. */
static int lowest_free(void)
{
    int fd = dup(0);
    close(fd);
    return fd;
}

static void test_create(void)
{
    int sv[2];
    char link[64], path[64];
    struct stat st;
    socklen_t len;
    int v;

    CHECK_ERR(socketpair(99, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    CHECK_ERR(socketpair(AF_UNIX, 7, 0, sv), ESOCKTNOSUPPORT);
    CHECK_ERR(socketpair(AF_UNIX, 20, 0, sv), EINVAL);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL);
    CHECK_ERR(socketpair(AF_UNIX, SOCK_STREAM, 2, sv), EPROTONOSUPPORT);
    CHECK_ERR(socket(99, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_UNIX, 7, 0), ESOCKTNOSUPPORT);
    int low = lowest_free();
    CHECK_ERR(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (void *)8), EFAULT);
    CHECK_EQ(lowest_free(), low);

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, PF_UNIX, sv), 0);
    CHECK_EQ(sv[0], low);
    CHECK_EQ(fcntl(sv[0], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(sv[1], F_GETFL), O_RDWR | O_NONBLOCK);
    CHECK_EQ(fstat(sv[0], &st), 0);
    CHECK(S_ISSOCK(st.st_mode));
    snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
    len = (socklen_t)readlink(path, link, sizeof link - 1);
    link[len > 0 ? len : 0] = 0;
    CHECK(!strncmp(link, "socket:[", 8) && link[len - 1] == ']');
    len = sizeof v;
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK_EQ(v, SOCK_STREAM);
    CHECK_EQ(len, sizeof v);
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
    CHECK_EQ(v, AF_UNIX);
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
    CHECK(v > 0);
    CHECK_ERR(getsockopt(sv[0], 6, 1, &v, &len), EOPNOTSUPP);
    CHECK_ERR(getsockopt(sv[0], SOL_SOCKET, 999, &v, &len), ENOPROTOOPT);
    struct ucred cr;
    len = sizeof cr;
    CHECK_EQ(getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cr, &len), 0);
    CHECK_EQ(len, sizeof cr);
    CHECK(cr.pid == getpid() && cr.uid == geteuid() && cr.gid == getegid());
    struct sockaddr_un a;
    len = sizeof a;
    memset(&a, 0x55, sizeof a);
    CHECK_EQ(getsockname(sv[0], (struct sockaddr *)&a, &len), 0);
    CHECK_EQ(len, 2);
    CHECK_EQ(a.sun_family, AF_UNIX);
    len = sizeof a;
    CHECK_EQ(getpeername(sv[1], (struct sockaddr *)&a, &len), 0);
    CHECK_EQ(len, 2);
    close(sv[0]);
    close(sv[1]);

    CHECK_EQ(socketpair(AF_UNIX, SOCK_RAW, 0, sv), 0); /* a datagram pair */
    len = sizeof v;
    CHECK_EQ(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
    CHECK_EQ(v, SOCK_DGRAM);
    close(sv[0]);
    close(sv[1]);
}

static void test_unconnected(void)
{
    char b[4] = "x";
    socklen_t len = sizeof(struct sockaddr_un);
    struct sockaddr_un a;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);

    CHECK(s >= 0);
    CHECK_ERR(read(s, b, 1), EINVAL);
    CHECK_ERR(write(s, b, 1), ENOTCONN);
    CHECK_ERR(send(s, b, 1, 0), ENOTCONN);
    CHECK_ERR(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
    CHECK_EQ(revents(s, 0), POLLOUT | POLLHUP);
    close(s);
    s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK_ERR(recv(s, b, 1, MSG_DONTWAIT), EAGAIN);
    CHECK_ERR(send(s, b, 1, 0), ENOTCONN);
    CHECK_EQ(revents(s, 0), POLLOUT);
    close(s);
    s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK_ERR(recv(s, b, 1, MSG_DONTWAIT), ENOTCONN);
    CHECK_ERR(send(s, b, 1, 0), ENOTCONN);
    close(s);
}

static void test_stream(void)
{
    char b[64];
    int sv[2];

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(write(sv[0], "hello", 5), 5);
    CHECK_EQ(send(sv[0], " world", 6, 0), 6);
    memset(b, 0, sizeof b);
    CHECK_EQ(recv(sv[1], b, sizeof b, MSG_PEEK), 11);
    CHECK_EQ(recv(sv[1], b, 3, MSG_PEEK), 3);
    CHECK_EQ(read(sv[1], b, 4), 4);
    CHECK_EQ(recvfrom(sv[1], b + 4, sizeof b, 0, NULL, NULL), 7);
    CHECK(!memcmp(b, "hello world", 11));
    CHECK_ERR(recv(sv[1], b, 1, MSG_DONTWAIT), EAGAIN);
    struct iovec wv[2] = { { "abc", 3 }, { "defg", 4 } };
    CHECK_EQ(writev(sv[1], wv, 2), 7);
    char r1[2], r2[8];
    struct iovec rv[2] = { { r1, 2 }, { r2, 8 } };
    CHECK_EQ(readv(sv[0], rv, 2), 7);
    CHECK(!memcmp(r1, "ab", 2) && !memcmp(r2, "cdefg", 5));
    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    CHECK_EQ(sendto(sv[0], "xy", 2, 0, NULL, 0), 2);
    CHECK_EQ(recvfrom(sv[1], b, sizeof b, 0, (struct sockaddr *)&from, &flen), 2);
    CHECK_EQ(flen, 0);
    CHECK_ERR(sendto(sv[0], "xy", 2, 0, (struct sockaddr *)&from, sizeof from), EISCONN);
    int avail = -1;
    CHECK_EQ(send(sv[0], "12345", 5, 0), 5);
    CHECK_EQ(ioctl(sv[1], FIONREAD, &avail), 0);
    CHECK_EQ(avail, 5);
    CHECK_EQ(read(sv[1], b, sizeof b), 5);

    /* MSG_WAITALL collects a child's three writes. */
    pid_t pid = xfork();
    if (pid == 0) {
        for (int i = 0; i < 3; i++) {
            usleep(20000);
            if (write(sv[0], "abc", 3) != 3)
                _exit(1);
        }
        _exit(0);
    }
    CHECK_EQ(recv(sv[1], b, 9, MSG_WAITALL), 9);
    CHECK(!memcmp(b, "abcabcabc", 9));
    CHECK_EQ(reap(pid), 0);

    /* shutdown: EOF one way, the other way still open. */
    CHECK_ERR(shutdown(sv[0], 7), EINVAL);
    CHECK_EQ(shutdown(sv[0], SHUT_WR), 0);
    CHECK_EQ(read(sv[1], b, sizeof b), 0);
    CHECK_EQ(revents(sv[1], 0), POLLIN | POLLOUT | POLLRDHUP);
    CHECK_EQ(revents(sv[0], 0), POLLOUT);
    CHECK_EQ(write(sv[1], "back", 4), 4);
    CHECK_EQ(read(sv[0], b, sizeof b), 4);
    sigpipes = 0;
    CHECK_ERR(write(sv[0], "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 1);
    CHECK_EQ(shutdown(sv[1], SHUT_RD), 0);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 1);
    close(sv[0]);
    close(sv[1]);

    /* The peer's close: queued bytes, then EOF; writes get EPIPE and SIGPIPE. */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(write(sv[1], "last", 4), 4);
    CHECK_EQ(revents(sv[0], 0), POLLIN | POLLOUT);
    close(sv[1]);
    CHECK_EQ(revents(sv[0], 0), POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
    CHECK_EQ(read(sv[0], b, sizeof b), 4);
    CHECK_EQ(read(sv[0], b, sizeof b), 0);
    sigpipes = 0;
    CHECK_ERR(send(sv[0], "x", 1, 0), EPIPE);
    CHECK_EQ(sigpipes, 1);
    CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT), EPIPE);
    CHECK_EQ(sigpipes, 1);
    close(sv[0]);

    /* Closing with unread data resets the peer once. */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(write(sv[0], "lost", 4), 4);
    close(sv[1]);
    CHECK_EQ(revents(sv[0], 0), POLLOUT | POLLHUP | POLLRDHUP | POLLIN | POLLERR);
    CHECK_ERR(read(sv[0], b, sizeof b), ECONNRESET);
    CHECK_EQ(read(sv[0], b, sizeof b), 0);
    close(sv[0]);
}

static void test_full(void)
{
    static char big[1 << 20];
    char b[4096];
    long total = 0, n, got = 0;
    int sv[2];

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    memset(b, 'q', sizeof b);
    while ((n = write(sv[0], b, sizeof b)) > 0)
        total += n;
    CHECK_ERR(write(sv[0], b, sizeof b), EAGAIN);
    CHECK(total > 0);
    CHECK_EQ(revents(sv[0], 0), 0);
    CHECK_EQ(revents(sv[1], 0), POLLIN | POLLOUT);
    while ((n = read(sv[1], b, sizeof b)) > 0)
        got += n;
    CHECK(got == total); /* the amount itself may differ from Linux's */
    CHECK_EQ(revents(sv[0], 0), POLLOUT);
    close(sv[0]);
    close(sv[1]);

    /* A blocking writer of a megabyte while a child drains it. */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    pid_t pid = xfork();
    if (pid == 0) {
        close(sv[0]);
        long sum = 0;
        size_t at = 0;
        while ((n = read(sv[1], b, 1000)) > 0) {
            for (long i = 0; i < n; i++, at++)
                if (b[i] != (char)(at * 7))
                    _exit(2);
            sum += n;
        }
        _exit(sum == (long)sizeof big ? 0 : 1);
    }
    close(sv[1]);
    CHECK_EQ(write(sv[0], big, sizeof big), sizeof big);
    close(sv[0]);
    CHECK_EQ(reap(pid), 0);
}

static void test_dgram(int type)
{
    struct iovec iov;
    struct msghdr m = { 0 };
    char b[16];
    int sv[2];

    printf("-- %s\n", type == SOCK_DGRAM ? "dgram" : "seqpacket");
    CHECK_EQ(socketpair(AF_UNIX, type, 0, sv), 0);
    CHECK_EQ(send(sv[0], "a", 1, 0), 1);
    CHECK_EQ(send(sv[0], "bb", 2, 0), 2);
    CHECK_EQ(write(sv[0], "", 0), 0);
    CHECK_EQ(send(sv[0], "hello", 5, 0), 5);
    CHECK_EQ(send(sv[0], "world", 5, 0), 5);
    CHECK_EQ(send(sv[0], "again", 5, 0), 5);
    CHECK_EQ(recv(sv[1], b, sizeof b, MSG_PEEK), 1);
    CHECK_EQ(recv(sv[1], b, sizeof b, 0), 1);
    CHECK_EQ(read(sv[1], b, sizeof b), 2);
    CHECK_EQ(recv(sv[1], b, sizeof b, 0), 0);
    iov.iov_base = b;
    iov.iov_len = 2;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    CHECK_EQ(recvmsg(sv[1], &m, 0), 2);
    CHECK_EQ(m.msg_flags, MSG_TRUNC);
    CHECK(!memcmp(b, "he", 2));
    CHECK_EQ(recv(sv[1], b, 2, MSG_TRUNC), 5);
    CHECK(!memcmp(b, "wo", 2));
    CHECK_EQ(recvmsg(sv[1], &m, MSG_TRUNC), 5);
    CHECK_EQ(m.msg_flags, MSG_TRUNC);
    CHECK_ERR(recv(sv[1], b, sizeof b, MSG_DONTWAIT), EAGAIN);
    CHECK_EQ(revents(sv[1], 0), POLLOUT);
    CHECK_EQ(send(sv[0], "z", 1, 0), 1);
    CHECK_EQ(revents(sv[1], 0), POLLIN | POLLOUT);
    CHECK_ERR(send(sv[0], (void *)1, 10, 0), EFAULT);
    static char huge[300000];
    CHECK_ERR(send(sv[0], huge, sizeof huge, 0), EMSGSIZE);
    close(sv[0]);
    sigpipes = 0;
    if (type == SOCK_DGRAM) {
        CHECK_EQ(revents(sv[1], 0), POLLIN | POLLOUT);
        CHECK_EQ(recv(sv[1], b, sizeof b, 0), 1);
        CHECK_ERR(send(sv[1], "x", 1, 0), ECONNREFUSED);
        CHECK_ERR(send(sv[1], "x", 1, 0), ENOTCONN);
    } else {
        CHECK_EQ(revents(sv[1], 0), POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
        CHECK_EQ(recv(sv[1], b, sizeof b, 0), 1);
        CHECK_EQ(recv(sv[1], b, sizeof b, 0), 0);
        CHECK_EQ(recv(sv[1], b, sizeof b, MSG_DONTWAIT), 0);
        CHECK_ERR(write(sv[1], "x", 1), EPIPE);
    }
    CHECK_EQ(sigpipes, 0);
    close(sv[1]);
}

static void test_poll(void)
{
    char b[8];
    int sv[2];

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(revents(sv[0], 0), POLLOUT);
    pid_t pid = xfork();
    if (pid == 0) {
        usleep(30000);
        _exit(write(sv[1], "p", 1) == 1 ? 0 : 1);
    }
    struct pollfd p = { sv[0], POLLIN, 0 };
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_EQ(reap(pid), 0);
    CHECK_EQ(read(sv[0], b, sizeof b), 1);
    /* A child's close ends a poll waiting for input. */
    pid = xfork();
    if (pid == 0) {
        usleep(30000);
        _exit(0);
    }
    close(sv[1]);
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN | POLLHUP);
    CHECK_EQ(reap(pid), 0);
    close(sv[0]);
}

/* Files sent to a child: it reads through one and writes through the other. */
static void test_rights_fork(void)
{
    char tmpl[] = "/tmp/sock_unix_XXXXXX", b[16];
    int sv[2], p[2];
    int file = mkstemp(tmpl);

    CHECK(file >= 0);
    unlink(tmpl);
    CHECK_EQ(write(file, "0123456789", 10), 10);
    CHECK_EQ(lseek(file, 0, SEEK_SET), 0);
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        close(sv[0]);
        close(p[0]);
        close(p[1]);
        char c[8];
        struct rcv r = recv_fds(sv[1], c, sizeof c, CMSG_SPACE(sizeof(int) * 2), 0);
        if (r.n != 2 || memcmp(c, "go", 2) || r.nfds != 2)
            _exit(1);
        if (read(r.fds[0], c, 3) != 3 || memcmp(c, "012", 3))
            _exit(2);
        if (fcntl(r.fds[0], F_SETFL, O_APPEND) != 0)
            _exit(3);
        if (write(r.fds[1], "hi", 2) != 2)
            _exit(4);
        _exit(0);
    }
    close(sv[1]);
    int fds[2] = { file, p[1] };
    CHECK_EQ(send_fds(sv[0], "go", 2, fds, 2), 2);
    close(p[1]);
    CHECK_EQ(reap(pid), 0);
    CHECK_EQ(lseek(file, 0, SEEK_CUR), 3);
    CHECK(fcntl(file, F_GETFL) & O_APPEND);
    CHECK_EQ(read(p[0], b, sizeof b), 2);
    CHECK(!memcmp(b, "hi", 2));
    CHECK_EQ(read(p[0], b, sizeof b), 0);
    close(p[0]);
    close(file);
    close(sv[0]);
}

static void test_rights(void)
{
    char b[16];
    int sv[2], p[2], fds[3];
    struct rcv r;

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(pipe(p), 0);

    /* Lowest free descriptors; MSG_CMSG_CLOEXEC. */
    fds[0] = p[0];
    CHECK_EQ(send_fds(sv[0], "a", 1, fds, 1), 1);
    int low = lowest_free();
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int)), 0);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.nfds, 1);
    CHECK_EQ(r.fds[0], low);
    CHECK_EQ(r.flags, 0);
    CHECK_EQ(r.controllen, CMSG_SPACE(sizeof(int)));
    CHECK_EQ(fcntl(r.fds[0], F_GETFD), 0);
    close(r.fds[0]);
    CHECK_EQ(send_fds(sv[0], "a", 1, fds, 1), 1);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC);
    CHECK_EQ(r.nfds, 1);
    CHECK_EQ(r.flags, MSG_CMSG_CLOEXEC);
    CHECK_EQ(fcntl(r.fds[0], F_GETFD), FD_CLOEXEC);
    close(r.fds[0]);

    /* MSG_CTRUNC: room for one of three; none without a control buffer. */
    fds[0] = fds[1] = fds[2] = p[0];
    CHECK_EQ(send_fds(sv[0], "b", 1, fds, 3), 1);
    low = lowest_free();
    r = recv_fds(sv[1], b, sizeof b, CMSG_LEN(sizeof(int)), 0);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.nfds, 1);
    CHECK_EQ(r.flags, MSG_CTRUNC);
    CHECK_EQ(r.controllen, CMSG_LEN(sizeof(int)));
    CHECK_EQ(r.fds[0], low);
    CHECK_ERR(fcntl(low + 1, F_GETFD), EBADF);
    close(r.fds[0]);
    CHECK_EQ(send_fds(sv[0], "c", 1, fds, 2), 1);
    r = recv_fds(sv[1], b, sizeof b, 0, 0);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.flags, MSG_CTRUNC);
    CHECK_EQ(r.controllen, 0);
    CHECK_EQ(lowest_free(), low);

    /* Rights are never merged past their send: read() drops them. */
    CHECK_EQ(send(sv[0], "xy", 2, 0), 2);
    CHECK_EQ(send_fds(sv[0], "zw", 2, fds, 1), 2);
    CHECK_EQ(send_fds(sv[0], "uv", 2, fds, 1), 2);
    CHECK_EQ(send(sv[0], "st", 2, 0), 2);
    CHECK_EQ(send_fds(sv[0], "qr", 2, fds, 1), 2);
    memset(b, 0, sizeof b);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int) * 4), MSG_PEEK);
    CHECK_EQ(r.n, 4);
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int) * 4), 0);
    CHECK_EQ(r.n, 4);
    CHECK(!memcmp(b, "xyzw", 4));
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    r = recv_fds(sv[1], b, 1, CMSG_SPACE(sizeof(int) * 4), 0);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int) * 4), MSG_WAITALL);
    CHECK_EQ(r.n, 5);
    CHECK(!memcmp(b, "vstqr", 5));
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    CHECK_EQ(send_fds(sv[0], "ab", 2, fds, 1), 2);
    low = lowest_free();
    CHECK_EQ(read(sv[1], b, sizeof b), 2);
    CHECK_EQ(lowest_free(), low);

    /* A pipe's write end held in flight, then received: EOF only once its receiver closes it. */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fds[0] = p[1];
    CHECK_EQ(send_fds(sv[0], "w", 1, fds, 1), 1);
    close(p[1]);
    CHECK_ERR(read(p[0], b, 1), EAGAIN);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int)), 0);
    CHECK_EQ(r.nfds, 1);
    CHECK_EQ(write(r.fds[0], "!", 1), 1);
    CHECK_EQ(read(p[0], b, sizeof b), 1);
    CHECK_ERR(read(p[0], b, 1), EAGAIN);
    close(r.fds[0]);
    CHECK_EQ(read(p[0], b, 1), 0);
    close(p[0]);

    /* Never received: both ends' close puts the files in flight. */
    CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
    fds[0] = p[1];
    CHECK_EQ(send_fds(sv[0], "w", 1, fds, 1), 1);
    CHECK_EQ(send_fds(sv[1], "w", 1, fds, 1), 1);
    close(p[1]);
    CHECK_ERR(read(p[0], b, 1), EAGAIN);
    close(sv[0]);
    CHECK_ERR(read(p[0], b, 1), EAGAIN);
    close(sv[1]);
    CHECK_EQ(read(p[0], b, 1), 0);
    close(p[0]);

    /* Datagrams carry files too; a peek gives copies. */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    fds[0] = 0;
    CHECK_EQ(send_fds(sv[0], "d", 1, fds, 1), 1);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int)), MSG_PEEK);
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    r = recv_fds(sv[1], b, sizeof b, CMSG_SPACE(sizeof(int)), 0);
    CHECK_EQ(r.n, 1);
    CHECK_EQ(r.nfds, 1);
    close(r.fds[0]);
    close(sv[0]);
    close(sv[1]);
}

static void test_rights_errors(void)
{
    char ctl[CMSG_SPACE(sizeof(int) * 300)], b[4];
    struct iovec iov = { "e", 1 };
    struct msghdr m = { 0 };
    int sv[2], p[2], fds[254];
    struct cmsghdr *c;

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fds[0] = 9999;
    CHECK_ERR(send_fds(sv[0], "e", 1, fds, 1), EBADF);
    for (int i = 0; i < 254; i++)
        fds[i] = 0;
    CHECK_EQ(send_fds(sv[0], "e", 1, fds, 253), 1);
    CHECK_ERR(send_fds(sv[0], "e", 1, fds, 254), EINVAL);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    memset(ctl, 0, sizeof ctl);
    c = (struct cmsghdr *)ctl;
    c->cmsg_len = 8;
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    c->cmsg_len = CMSG_LEN(sizeof(int)) + 64;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_type = 99;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EINVAL);
    c->cmsg_level = 12345; /* not SOL_SOCKET: ignored */
    CHECK_EQ(sendmsg(sv[0], &m, 0), 1);
    m.msg_control = (void *)8;
    CHECK_ERR(sendmsg(sv[0], &m, 0), EFAULT);
    CHECK_ERR(sendmsg(sv[0], (void *)8, 0), EFAULT);
    /* The 253 files went with the first message; read() drops them. */
    int low = lowest_free();
    CHECK_EQ(read(sv[1], b, 1), 1);
    CHECK_EQ(recv(sv[1], b, 1, 0), 1);
    CHECK_EQ(lowest_free(), low);
    CHECK_EQ(send(sv[0], "f", 1, 0), 1);
    CHECK_ERR(recv(sv[1], (void *)1, 1, 0), EFAULT);
    CHECK_EQ(recv(sv[1], b, 1, 0), 1);
    CHECK_ERR(send(sv[0], (void *)1, 1, 0), EFAULT);

    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
    CHECK_ERR(recv(p[0], b, 1, 0), ENOTSOCK);
    CHECK_ERR(sendmsg(p[1], &m, 0), ENOTSOCK);
    CHECK_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK);
    int v;
    socklen_t len = sizeof v;
    CHECK_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
    CHECK_ERR(send(9999, "x", 1, 0), EBADF);
    CHECK_ERR(recv(9999, b, 1, 0), EBADF);
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
}

/* A thread blocked in recv, woken by another process's send; SO_PEERCRED names the creator. */
static int thr_sock;
static char thr_buf[8];
static void *recv_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)recv(thr_sock, thr_buf, sizeof thr_buf, 0);
}

static void test_thread(void)
{
    pthread_t th;
    void *ret;
    int sv[2];

    CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    thr_sock = sv[0];
    CHECK_EQ(pthread_create(&th, NULL, recv_thread, NULL), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        struct ucred cr;
        socklen_t len = sizeof cr;
        if (getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cr, &len) || cr.pid != getppid())
            _exit(1);
        usleep(30000);
        _exit(send(sv[1], "wake", 4, 0) == 4 ? 0 : 2);
    }
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK_EQ((long)(intptr_t)ret, 4);
    CHECK(!memcmp(thr_buf, "wake", 4));
    CHECK_EQ(reap(pid), 0);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    signal(SIGPIPE, on_sigpipe);
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_create();
    test_unconnected();
    test_stream();
    test_full();
    test_dgram(SOCK_DGRAM);
    test_dgram(SOCK_SEQPACKET);
    test_poll();
    test_rights_fork();
    test_rights();
    test_rights_errors();
    test_thread();
    return guest_done();
}
