/* Test-only: bind() to an address other than the loopback (or the wildcard) fails with EADDRNOTAVAIL, so a
   browser started with it gathers WebRTC candidates on the loopback only (the lab never leaves it). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        in_addr_t a = ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr);
        if (a != INADDR_ANY && (a >> 24) != 127) { errno = EADDRNOTAVAIL; return -1; }
    } else if (addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
        if (!IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_UNSPECIFIED(a)) { errno = EADDRNOTAVAIL; return -1; }
    }
    return real(fd, addr, len);
}
