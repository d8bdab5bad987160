/*
 * Receiving a file descriptor sent over a unix socket with SCM_RIGHTS: how a pty master comes
 * from berth-init (native/src/terminal.c) or runc over a console socket, to the monitor and to
 * berth-recvtty alike.
 */
#ifndef BERTH_FD_PASSING_H
#define BERTH_FD_PASSING_H

/* The descriptor in the next message on `conn` (close-on-exec), or -1 with errno (EPROTO: none). */
int receive_fd(int conn);

#endif
