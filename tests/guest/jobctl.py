#!/usr/bin/env python3
"""jobctl.py LXEMU TTY_FG: interactive busybox sh job control on a pseudo-terminal.

Runs `busybox sh -i` natively and under lxemu on a pty, types the same
commands (a foreground job, Ctrl-Z, jobs, bg/fg, Ctrl-C; background jobs
that read the terminal, write it under TOSTOP or set its modes, stopped by
SIGTTIN or SIGTTOU) and compares the transcripts and exit statuses; then
does the same for `TTY_FG bg` as the terminal's session leader (what each
call of a background or orphaned group gets), and for `lxemu TTY_FG orphan`
typed into a native shell (the guest's init, its parent outside the guest).  Exits 0 on a match, 1 on a
difference, 77 when no pty can be had.
"""
import os, pty, select, shutil, sys, tempfile, time

BUSYBOX = '/usr/bin/busybox'


def session(cmd, steps):
    """Types each step's data on a pty running cmd; returns (transcript, exit code).

    A step waits before the next one: None, for the next prompt; a number,
    that many seconds; bytes, until that output has come.
    """
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(PS1='$ ', ENV='', TERM='dumb')
        os.execv(cmd[0], cmd)
    out = b''

    def read_until(done, limit):
        nonlocal out
        end = time.time() + limit
        while time.time() < end and not done():
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data

    never = lambda: False
    n = 1
    if steps:
        read_until(lambda: out.count(b'$ ') >= n, 20)
    for data, wait in steps:
        start = len(out)
        os.write(fd, data)
        if wait is None:
            # The next prompt: the transcript is then complete so far.
            n += 1
            read_until(lambda: out.count(b'$ ') >= n, 20)
        elif isinstance(wait, bytes):
            read_until(lambda: wait in out[start:], 20)
        else:
            read_until(never, wait)
    read_until(never, 60)  # until the end of the output
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors='replace').replace('\r', '').replace('\x1b[6n', '')
    return text, os.waitstatus_to_exitcode(status)


def shell_steps(tty_fg):
    bb = BUSYBOX.encode()
    return [
        (tty_fg.encode() + b'\n', None),          # a foreground job: its own group, the terminal's
        (tty_fg.encode() + b' 100\n', 1.5),        # a job to stop (it runs 10 s)
        (b'\x1a', None),                           # Ctrl-Z
        (b'jobs\n', None),
        (b'fg\n', 0.5),                            # on again, in the foreground
        (b'\x03', None),                           # Ctrl-C ends it
        (b'echo status $?\n', None),
        # A background read stops the job with SIGTTIN (wait says 128 + 21);
        # in the foreground its read starts again and gets a line, then EOF.
        (bb + b' cat & wait %1; echo status $?\n', None),
        (b'jobs\n', None),
        (b'fg\n', b'cat\r\n'),
        (b'typed\n', b'typed\r\ntyped\r\n'),
        (b'\x04', None),
        # Under TOSTOP a background write stops the job with SIGTTOU.
        (bb + b' stty tostop; echo hi & wait %1; echo status $?\n', None),
        (bb + b' stty -tostop; fg\n', None),
        # Setting the terminal's modes from the background: SIGTTOU.
        (bb + b' stty echo & wait %1; echo status $?\n', None),
        (b'fg\n', None),
        (b'exit 4\n', 0),
    ]


def host_shell_steps(prefix):
    """A native shell runs `prefix ./tty_fg orphan` as a job: lxemu's parent is
    then in another group of its session, so the guest init's group is not
    orphaned."""
    return [(prefix + b'./tty_fg orphan\n', None), (b'exit\n', 0)]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    lxemu, tty_fg = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shell = [BUSYBOX, 'sh', '-i']
    # (name, native command and steps, lxemu's)
    runs = [
        ('busybox sh', shell, shell_steps(tty_fg), [lxemu] + shell, shell_steps(tty_fg)),
        ('tty_fg bg', [tty_fg, 'bg'], [], [lxemu, tty_fg, 'bg'], []),
        ('tty_fg orphan from a shell', shell, host_shell_steps(b''),
         shell, host_shell_steps(b'./lxemu ')),
    ]
    # Short names, run from a scratch directory: the shell wraps long lines.
    work = tempfile.mkdtemp(prefix='jobctl.')
    os.chdir(work)
    os.symlink(lxemu, 'lxemu')
    os.symlink(tty_fg, 'tty_fg')
    try:
        return compare(runs)
    finally:
        shutil.rmtree(work)


def compare(runs):
    failed = 0
    for name, cmd, steps, emu_cmd, emu_steps in runs:
        try:
            native = session(cmd, steps)
        except OSError as e:
            print('jobctl.py: no pty:', e)
            return 77
        emu = session(emu_cmd, emu_steps)
        emu = (emu[0].replace('./lxemu ', ''), emu[1])
        if native == emu:
            print('jobctl.py: %s: match (%d)' % (name, native[1]))
            continue
        failed = 1
        print('jobctl.py: %s: MISMATCH\n--- native (%d):\n%s\n--- lxemu (%d):\n%s' %
              (name, native[1], native[0], emu[1], emu[0]))
    return failed


if __name__ == '__main__':
    sys.exit(main())
