#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora under Fuzz/Corpus/.

    python3 Fuzz/tools/make_seeds.py        # from the repository root

options  the command lines of Tests/TapRingTests/Options/*.swift, as argv
         words separated by NUL bytes (FuzzEntryPoints.parseOptions)
qtest    per e1000 scenario, the qtest lines the oracle sends for it
e1000    per e1000 scenario, the same session as an e1000 program, and the
         TSO ones again on a NIC that sends GSO frames
         (Sources/TapRing/Fuzzing/E1000Program.swift)
frames   the frames the scenarios send to the NIC and put in its transmit
         buffers, with the scenario's setup at that point as the header
         (Sources/TapRing/Fuzzing/E1000FrameProbe.swift)
segmenter  GSO frames as a tap with offloads reads them: a virtio-net header,
         then IPv4 or IPv6, TCP or UDP, with or without a VLAN tag
         (Sources/TapRing/Fuzzing/SegmenterProbe.swift)
remote   QEMU 7.2's x-pci-proxy-dev from realize to receiving frames, as
         steps of Sources/TapRing/Fuzzing/RemoteSession.swift

The scenarios are played by the oracle's own step interpreter
(Tests/Fixtures/e1000/e1000_oracle.py) against a recorder that stands in for
QEMU and answers every read with zeros, so the seeds hold exactly the
commands the oracle sends. Long byte strings are cut (a seed is a start for
the fuzzer, not a replay): writes keep LITERAL bytes and zero-fill the rest,
and the e1000 programs leave out the oracle's filling of receive buffers (a
byte repeated over more than FILL bytes), which costs time on every run and
changes no path.
"""
import glob, hashlib, importlib.util, os, re, shutil, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "e1000")
LITERAL = 128
FILL = 4096
# FuzzedE1000.clockSteps, in seconds.
CLOCK_STEPS = [0, 0.001, 0.01, 0.07, 0.15, 0.6, 1.1, 2.5]
REGISTERS = dict(CTRL=0x0, RCTL=0x100, MDIC=0x20, VET=0x38, MTA=0x5200, VFTA=0x5600)


def load_oracle():
    spec = importlib.util.spec_from_file_location("e1000_oracle", os.path.join(FIXTURES, "e1000_oracle.py"))
    oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracle)
    return oracle


class Recorder:
    """QEMU and its socket backend, as the oracle's `run` sees them: records
    each qtest line, frame and wait in order."""

    def __init__(self, oracle):
        self.events = []
        oracle.time.sleep = lambda seconds: self.events.append(("wait", seconds))
        oracle.select.select = lambda r, w, x, timeout: (self.events.append(("wait", timeout)), ([], [], []))[1]
        self.line = {}

    def cmd(self, line):
        self.events.append(("qtest", line))
        words = line.split()
        if words[0] == "read":
            return "0x" + "00" * int(words[2], 16)
        return "0x0"

    def sendall(self, data):
        length = struct.unpack(">I", data[:4])[0]
        while data:
            self.events.append(("frame", data[4:4 + length]))
            data = data[4 + length:]

    def nic_irq(self):
        return 0


def record(oracle, scenario):
    recorder = Recorder(oracle)
    recorder.cmd("irq_intercept_in ioapic")
    import json
    oracle.run(json.load(open(scenario)), recorder, recorder)
    return recorder.events


def clock_step(seconds):
    return max(index for index, step in enumerate(CLOCK_STEPS) if step <= seconds + 1e-9)


def qtest_seed(events):
    lines = []
    for kind, value in events:
        if kind != "qtest":
            continue
        words = value.split()
        if words[0] == "write":
            words[3] = words[3][:2 + 2 * LITERAL]  # missing digits read as zero
        lines.append(" ".join(words))
    return ("\n".join(lines) + "\n").encode()


def bytes_operand(data):
    """count u24, fill u8, literal count u16, literal bytes."""
    if data and data.count(data[0]) == len(data):
        return struct.pack("<I", len(data))[:3] + bytes([data[0]]) + struct.pack("<H", 0)
    literal = data[:LITERAL]
    return struct.pack("<I", len(data))[:3] + b"\0" + struct.pack("<H", len(literal)) + literal


class Program:
    """An e1000 program (E1000Program.swift) for a recorded session, and
    the frame probe seeds met on the way."""

    def __init__(self, oracle):
        self.bar0 = oracle.BAR0
        self.code = bytearray([1])  # the slot size of `tapring qtest`, mitigation on
        self.config_address = 0
        self.registers = {}
        self.context = bytes(16)
        self.data_words = (0x2B << 24, 0)  # legacy EOP|IFCS|RS
        self.frames = []

    def qtest(self, line):
        words = line.split()
        op = words[0]
        if op in ("writel", "readl"):
            offset = int(words[1], 16) - self.bar0
            if op == "readl":
                self.code += bytes([1]) + struct.pack("<I", offset)[:3] + bytes([4])
                return
            value = int(words[2], 16)
            self.registers[offset] = value
            self.code += bytes([0]) + struct.pack("<I", offset)[:3] + bytes([4]) + struct.pack("<Q", value)
        elif op == "write":
            address, data = int(words[1], 16), bytes.fromhex(words[3][2:]).ljust(int(words[2], 16), b"\0")
            if len(data) <= FILL or data.count(data[0]) != len(data):
                self.code += bytes([2]) + struct.pack("<I", address) + bytes_operand(data)
            self.note_transmit_memory(data)
        elif op == "outl" and words[1] == "0xcf8":
            self.config_address = int(words[2], 16)
        elif op == "outl" and words[1] == "0xcfc":
            self.code += bytes([5, self.config_address & 0xFC, 4]) + struct.pack("<I", int(words[2], 16))
        elif op == "inl" and words[1] == "0xcfc":
            self.code += bytes([6, self.config_address & 0xFC, 4])

    def note_transmit_memory(self, data):
        """Context and data descriptors set the probe's descriptors; other
        writes of 14 bytes or more are frames to transmit."""
        if len(data) == 16 and data[11] & 0x20:
            if data[10] >> 4 == 0:
                self.context = data
            else:
                self.data_words = struct.unpack("<II", data[8:16])
        elif len(data) >= 14 and len(data) % 16:
            self.probe(data)

    def frame(self, data):
        self.code += bytes([3]) + bytes_operand(data)
        self.probe(data)

    def wait(self, seconds):
        self.code += bytes([4, clock_step(seconds)])

    def probe(self, frame):
        """A frame probe seed (E1000FrameProbe.swift) for `frame` with the setup so far."""
        register = lambda name, default=0: self.registers.get(REGISTERS[name], default)
        flags = (1 if register("CTRL") & 0x4000_0000 else 0) | (2 if self.loopback() else 0)
        flags |= 4 if any(self.registers.get(REGISTERS["MTA"] + 4 * i) for i in range(128)) else 0
        flags |= 8 if any(self.registers.get(REGISTERS["VFTA"] + 4 * i) for i in range(128)) else 0
        header = struct.pack("<IHBB", register("RCTL", 0x8002), register("VET", 0x8100) & 0xFFFF, flags, 1)
        header += self.context + struct.pack("<II", *self.data_words) + bytes([0])
        self.frames.append(header + frame[:4 * LITERAL])

    def loopback(self):
        mdic = self.registers.get(REGISTERS["MDIC"], 0)
        return mdic & 0x0C1F_0000 == 0x0400_0000 and mdic & 0x4000


def e1000_seeds(oracle, events):
    program = Program(oracle)
    for kind, value in events:
        getattr(program, kind)(value)
    return bytes(program.code), program.frames


# MARK: Segmenter seeds

def gso_frames():
    """(name, virtio-net header + frame) for each kind of GSO frame."""
    payload = bytes(i * 7 & 0xFF for i in range(3000))
    for ipv6 in (False, True):
        for tcp in (True, False):
            for tagged in (False, True):
                transport = struct.pack(">HHIIBBHHH", 1234, 80, 0x01020304, 0, 0x50, 0x19, 0xFFFF, 0, 0) if tcp \
                    else struct.pack(">HHHH", 1234, 53, 8 + len(payload), 0)
                protocol = 6 if tcp else 17
                if ipv6:
                    network = struct.pack(">IHBB", 0x6000_0000, len(transport) + len(payload), protocol, 64) \
                        + bytes(range(16)) + bytes(range(16, 32))
                else:
                    network = struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(transport) + len(payload), 0x1234, 0x4000,
                                          64, protocol, 0) + bytes([10, 0, 0, 1, 10, 0, 0, 2])
                ethernet = bytes.fromhex("020000000002525400123456") + (bytes.fromhex("81000005") if tagged else b"")
                ethernet += bytes.fromhex("86dd" if ipv6 else "0800")
                frame = ethernet + network + transport + payload
                start = len(ethernet) + len(network)
                kind = (4 if ipv6 else 1) if tcp else 5
                for size in (100, 1448):
                    header = struct.pack("<BBHHHHH", 1, kind, start + len(transport), size, start, 16 if tcp else 6, 0)
                    name = f"{'ipv6' if ipv6 else 'ipv4'}-{'tcp' if tcp else 'udp'}{'-vlan' if tagged else ''}-{size}"
                    yield name, header + frame
                yield name.rsplit("-", 1)[0] + "-checksum", struct.pack("<BBHHHHH", 1, 0, 0, 0, start,
                                                                        16 if tcp else 6, 0) + frame[:1514]


# MARK: Option parser seeds

HELPERS = {"netdevs": "-netdev", "devices": "-device", "nics": "-nic", "nets": "-net", "objects": "-object"}
LABELLED = {"netdev": "-netdev", "device": "-device"}
STRING = r'"(?:[^"\\\n]|\\.)*"'


def unquote(literal):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(m.group(1), m.group(1)), literal[1:-1])


def literal_calls(text):
    """(start, end, argv) of each helper call with literal arguments."""
    names = "|".join(HELPERS)
    pattern = rf"\b({names})\(\s*((?:{STRING}\s*,\s*)*{STRING})\s*\)"
    for match in re.finditer(pattern, text):
        option = HELPERS[match.group(1)]
        yield match.start(), match.end(), [w for s in re.findall(STRING, match.group(2)) for w in (option, unquote(s))]
    labels = "|".join(LABELLED)
    for match in re.finditer(rf"\b(?:failure|backend)\(({labels}): ({STRING})\)|\bdevice\(({STRING})\)", text):
        option = LABELLED[match.group(1)] if match.group(1) else "-device"
        yield match.start(), match.end(), [option, unquote(match.group(2) or match.group(3))]


def option_seeds(path):
    text = open(path).read()
    seeds = []
    previous_end, group = None, []
    for start, end, argv in sorted(literal_calls(text)):
        if previous_end is not None and re.fullmatch(r"\s*\+\s*", text[previous_end:start]):
            group += argv
        else:
            if group:
                seeds.append(group)
            group = list(argv)
        previous_end = end
    if group:
        seeds.append(group)
    # Literal argv arrays: ["-nic", "tap"].
    for match in re.finditer(rf'\[\s*("-(?:[^"\\\n]|\\.)*"(?:\s*,\s*{STRING})*)\s*,?\s*\]', text):
        seeds.append([unquote(s) for s in re.findall(STRING, match.group(1))])
    seeds += parameterized_seeds(text)
    return seeds


def parameterized_seeds(text):
    """Seeds of @Test(arguments: ...) functions: each case's string literals
    given to the helpers the body calls with the function's parameters."""
    seeds = []
    for match in re.finditer(r"@Test\(arguments:", text):
        depth, index = 1, match.end()
        while depth and index < len(text):
            depth += {"(": 1, ")": -1}.get(text[index], 0)
            index += 1
        arguments = text[match.end():index - 1]
        signature = re.search(r"func \w+\(([^)]*)\)", text[index:])
        if not signature:
            continue
        parameters = [p.split(":")[0].split()[-1] for p in signature.group(1).split(",") if "String" in p.split(":")[-1]]
        body_start = index + signature.end()
        body = text[body_start:text.find("\n    @Test", body_start) if "\n    @Test" in text[body_start:] else len(text)]
        names = "|".join(list(HELPERS) + ["failure\\(netdev:", "failure\\(device:"])
        uses = [(m.group(1), m.group(2)) for m in re.finditer(rf"\b({names})\(?\s*(\w+)\)", body) if m.group(2) in parameters]
        if not uses:
            continue
        cases = re.findall(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", arguments) if parameters[1:] else re.findall(STRING, arguments)
        for case in cases:
            literals = [unquote(s) for s in re.findall(STRING, case)] if parameters[1:] else [unquote(case)]
            values = dict(zip(parameters, literals))
            argv = []
            for helper, parameter in uses:
                option = HELPERS.get(helper) or LABELLED[helper.split("(")[1][:-1]]
                if parameter in values:
                    argv += [option, values[parameter]]
            if argv:
                seeds.append(argv)
    return seeds


def remote_seeds():
    """The proxy's realize sequence (pci_proxy_dev_realize), firmware placing
    BAR0 and enabling the function, a receive ring, frames, then a reset."""
    def message(command, payload=b"", descriptors=()):
        step = 1 | (len(descriptors) << 2)
        return bytes([step, command & 0xFF, len(payload)]) + payload + bytes(descriptors)

    def config(command, offset, value=0, width=4):
        return message(command, struct.pack("<IIi", offset, value, width))

    def bar(command, address, value=0, width=4):
        return message(command, struct.pack("<QQI?3x", address, value, width, True))

    table = bytes([3 | (1 << 2)]) + struct.pack("<HBB", 0, 15, 0) + struct.pack("<HBB", 0x10, 0xEF, 0x10)
    realize = table + message(6, descriptors=(0, 0))
    for offset, width in ((0x00, 2), (0x02, 2), (0x0A, 2), (0x2E, 2)):
        realize += config(3, offset, width=width)
    for offset in range(0x10, 0x2C, 4):
        realize += config(3, offset) + config(2, offset, 0xFFFFFFFF) + config(3, offset) + config(2, offset, 0)
    realize += message(7)
    base = 0xFEBC0000
    enable = config(2, 0x10, base) + config(2, 0x14, 0xC001) + config(2, 0x04, 0x7, 2)
    ring = (bar(4, base + 0x2800, 0x10000) + bar(4, base + 0x2808, 4096) + bar(4, base + 0x2818, 255)
            + bar(4, base + 0x100, 0x8002) + bar(4, base + 0xD0, 0x80))
    frame = bytes([2, 8]) + b"\xff" * 6 + bytes([2, 0, 0, 0, 0, 1, 0x88, 0xB5]) + bytes(50)
    received = realize + enable + ring + frame * 3 + bar(5, base + 0xC0) + bar(5, base + 0x2810)
    hostile = (enable + message(3, bytes(12), (2,)) + message(0, bytes(192), (1, 1, 1, 1, 1, 1, 1, 1, 1))
               + bytes([1, 42, 0]) + bytes([1, 3, 255]) + bytes([0, 4, 1, 0, 0, 0]))
    return [("realize", realize), ("receive", received), ("hostile", hostile)]


def write_corpus(name, seeds):
    folder = os.path.join(CORPUS, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for seed_name, data in seeds:
        with open(os.path.join(folder, seed_name or hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print(f"{name}: {len(seeds)} seeds, {sum(len(d) for _, d in seeds)} bytes")


def main():
    options = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests", "TapRingTests", "Options", "*.swift"))):
        for argv in option_seeds(path):
            data = b"\0".join(w.encode() for w in argv)
            options[hashlib.sha1(data).hexdigest()] = data
    write_corpus("options", [(None, data) for data in options.values()])

    oracle = load_oracle()
    qtest, e1000, frames = [], [], {}
    for scenario in sorted(glob.glob(os.path.join(FIXTURES, "scenarios", "*.json"))):
        name = os.path.basename(scenario)[:-5]
        events = record(oracle, scenario)
        qtest.append((name, qtest_seed(events)))
        program, probes = e1000_seeds(oracle, events)
        e1000.append((name, program))
        if name.startswith("tx_tso"):
            # The same session on a NIC that sends GSO frames (setup bit 3).
            e1000.append((name + "_gso", bytes([program[0] | 8]) + program[1:]))
        for probe in probes:
            frames.setdefault(hashlib.sha1(probe).hexdigest(), probe)
    write_corpus("qtest", qtest)
    write_corpus("e1000", e1000)
    write_corpus("frames", [(None, data) for data in frames.values()])
    write_corpus("segmenter", list(gso_frames()))
    write_corpus("remote", remote_seeds())


if __name__ == "__main__":
    sys.exit(main())
