"""Runs a program under a pseudo-terminal of a given size, as a person at a terminal would.

    run_in_pty.py --cols 80 --rows 24 --wait-for TEXT --then-ctrl-c --timeout 60 -- PROGRAM ARGS...

Waits until TEXT has appeared on the screen output (if given), then types Ctrl-C (the terminal turns it
into SIGINT, as it does for a person), reads until the program exits, and prints one JSON object:
{"status": exit status or -signal, "output": everything the program wrote, "timed_out": bool}.
Standard library only (pty, termios); always stops: the program is killed at the timeout.
"""
import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--wait-for", default=None)
    parser.add_argument("--then-ctrl-c", action="store_true")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command

    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
        os.execvp(command[0], command)

    output = bytearray()
    deadline = time.monotonic() + args.timeout
    interrupted = not args.then_ctrl_c
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.1))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break  # the child closed the terminal
            if not chunk:
                break
            output += chunk
        if not interrupted and (args.wait_for is None or args.wait_for.encode() in output):
            os.write(fd, b"\x03")
            interrupted = True
    _, raw = os.waitpid(pid, 0)
    status = os.waitstatus_to_exitcode(raw)
    print(json.dumps({"status": status, "output": output.decode("utf-8", "replace"), "timed_out": timed_out}))


if __name__ == "__main__":
    main()
