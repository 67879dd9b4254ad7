#!/usr/bin/env python3
"""jobctl.py LXEMU TTY_FG: interactive busybox sh job control on a pseudo-terminal.

Runs `busybox sh -i` natively and under lxemu on a pty, types the same
commands (a foreground job, Ctrl-Z, jobs, bg/fg, Ctrl-C) and compares the
transcripts and exit statuses.  Exits 0 on a match, 1 on a difference, 77
when no pty can be had.
"""
import os, pty, select, sys, time

BUSYBOX = '/usr/bin/busybox'


def session(cmd, tty_fg):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(PS1='$ ', ENV='', TERM='dumb')
        os.execv(cmd[0], cmd)
    out = b''

    def read_until(token, limit):
        nonlocal out
        end = time.time() + limit
        while time.time() < end and token not in out:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data

    def prompt_after(n):
        # Wait for the n-th prompt: the transcript is then complete so far.
        end = time.time() + 20
        while time.time() < end and out.count(b'$ ') < n:
            read_until(b'\0', 0.1)

    steps = [
        (tty_fg.encode() + b'\n', None),          # a foreground job: its own group, the terminal's
        (tty_fg.encode() + b' 100\n', 1.5),        # a job to stop (it runs 10 s)
        (b'\x1a', None),                           # Ctrl-Z
        (b'jobs\n', None),
        (b'fg\n', 0.5),                            # on again, in the foreground
        (b'\x03', None),                           # Ctrl-C ends it
        (b'echo status $?\n', None),
        (b'exit 4\n', None),
    ]
    prompt_after(1)
    n = 1
    for data, pause in steps:
        os.write(fd, data)
        if pause:
            read_until(b'\0', pause)
            continue
        n += 1
        prompt_after(n)
    read_until(b'\0', 2)
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors='replace').replace('\r', '').replace('\x1b[6n', '')
    return text, os.waitstatus_to_exitcode(status)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    lxemu, tty_fg = sys.argv[1], os.path.abspath(sys.argv[2])
    try:
        native = session([BUSYBOX, 'sh', '-i'], tty_fg)
    except OSError as e:
        print('jobctl.py: no pty:', e)
        return 77
    emu = session([lxemu, BUSYBOX, 'sh', '-i'], tty_fg)
    if native == emu:
        print('jobctl.py: match (%d)' % native[1])
        return 0
    print('jobctl.py: MISMATCH\n--- native (%d):\n%s\n--- lxemu (%d):\n%s' %
          (native[1], native[0], emu[1], emu[0]))
    return 1


if __name__ == '__main__':
    sys.exit(main())
