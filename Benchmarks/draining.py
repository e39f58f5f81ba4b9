"""The drain method, shared by the measuring scripts of this folder.

Stop the forwarder (SIGSTOP), queue frames on the kernel side of its input
tap, resume it (SIGCONT) and time how fast frames come out; the forwarder's
CPU time over the same span says what each frame cost it. A forwarder's own
rate, free of the traffic source's limit.
"""
import errno, os, signal, socket, subprocess, time


def stat(interface, name):
    with open(f"/sys/class/net/{interface}/statistics/{name}") as f:
        return int(f.read())


def cpu_seconds(pid):
    """The CPU time of every thread of `pid` so far, in seconds: the first
    field of each thread's schedstat (`sum_exec_runtime`, in nanoseconds).
    /proc/PID/stat gives the same time in clock ticks of 10 ms, a few
    percent of a drain."""
    total = 0
    for thread in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{thread}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total / 1e9


def user_and_system_seconds(pid):
    """The CPU time of every thread of `pid` so far, in user space and in the
    kernel, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def queue_frames(interface, count, length, flows):
    """Sends `count` frames out of `interface` (into the tap's queues)."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS: straight into the tap
    sock.bind((interface, 0))
    frames = [flow_frame(flow, length) for flow in range(flows)] if flows else None
    header = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5"
    for sequence in range(count):
        frame = frames[sequence % flows] if frames else (header + sequence.to_bytes(8, "big")).ljust(length, b"\0")
        for attempt in range(1000):
            try:
                sock.send(frame)
                break
            except OSError as error:
                # ENOBUFS: the kernel was short of memory for a moment; a full tap
                # queue that stays full is an error after a second.
                if error.errno != errno.ENOBUFS or attempt == 999:
                    raise
                time.sleep(0.001)
    sock.close()


def flow_frame(flow, length):
    """A UDP/IPv4 frame of source port 10000 + `flow`. Its IP checksum is left
    0, so the kernel drops it on the far tap as soon as it has counted it."""
    ip_length = length - 14
    ip = bytes([0x45, 0]) + ip_length.to_bytes(2, "big") + bytes([0, 0, 0, 0, 64, 17, 0, 0, 10, 200, 0, 1, 10, 200, 0, 2])
    udp = (10000 + flow).to_bytes(2, "big") + b"\x00\x09" + (ip_length - 20).to_bytes(2, "big") + b"\0\0"
    return (b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp).ljust(length, b"\0")


def drain(pid, queue, received, breakdown=None):
    """Stops `pid`, runs `queue()`, resumes `pid` and follows `received()`
    until it has not moved for 0.3 s. Returns the frames that arrived, the
    seconds from the resumption to the last of them, and the CPU seconds
    `pid` used over the drain. With a dict for `breakdown`, fills it with
    the user and kernel seconds (to the clock tick), system calls and
    context switches of the drain (the last two from `perf stat`)."""
    os.kill(pid, signal.SIGSTOP)
    try:
        queue()
    finally:
        before, cpu, split = received(), cpu_seconds(pid), user_and_system_seconds(pid)
        perf = None
        if breakdown is not None:
            perf = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter,context-switches",
                                     "-p", str(pid)], stderr=subprocess.PIPE, text=True)
            time.sleep(0.2)
        start = time.perf_counter()
        os.kill(pid, signal.SIGCONT)
    last, last_time = before, start
    while time.perf_counter() - last_time < 0.3:
        time.sleep(0.001)
        now = received()
        if now != last:
            last, last_time = now, time.perf_counter()
    used = cpu_seconds(pid) - cpu
    user, system = (after - earlier for after, earlier in zip(user_and_system_seconds(pid), split))
    if perf:
        perf.send_signal(signal.SIGINT)
        for line in perf.communicate()[1].splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[0].isdigit():
                breakdown[fields[2].split(":")[-1]] = int(fields[0])
        breakdown.update(user=user, system=system)
    return last - before, last_time - start, used
