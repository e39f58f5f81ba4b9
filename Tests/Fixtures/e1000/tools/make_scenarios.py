#!/usr/bin/env python3
"""Generates the e1000 oracle scenarios in ../scenarios/ (one JSON step per line).

The scenarios hold computed bytes (frames, checksums, TX context/data descriptors);
this script is where they come from. It does not run QEMU: see ../README.md for
producing the golden traces.

usage: python3 make_scenarios.py [NAME ...]     (default: every scenario)
"""
import json, os, struct, sys

RXRING = 0x100000
RXBUF = 0x200000
TXRING = 0x180000
TXBUF = 0x300000
MAC = bytes.fromhex("525400123456")
SRC = bytes.fromhex("020000000001")
BCAST = b"\xff" * 6
BAR0 = 0xFEBC0000

# register offsets not in the oracle's REG table (printed as decimal numbers)
R = dict(VET=0x38, PBA=0x1000, LEDCTL=0xE00, MANC=0x5820, TXDCTL=0x3828,
         CRCERRS=0x4000, PRC64=0x405C, PRC127=0x4060, PRC255=0x4064, PRC511=0x4068,
         PRC1023=0x406C, PRC1522=0x4070, BPRC=0x4078, MPRC=0x407C,
         GORCL=0x4088, GORCH=0x408C, GOTCL=0x4090, GOTCH=0x4094, RUC=0x40A4,
         TORL=0x40C0, TORH=0x40C4, TOTL=0x40C8, TOTH=0x40CC,
         PTC64=0x40D8, PTC127=0x40DC, PTC255=0x40E0, PTC511=0x40E4, PTC1023=0x40E8,
         PTC1522=0x40EC, MPTC=0x40F0, BPTC=0x40F4, TSCTC=0x40F8, TSCTFC=0x40FC,
         VFTA=0x5600, MTA=0x5200, RA1L=0x5408, RA1H=0x540C, RDFH=0x2410, TDFH=0x3410)

def pattern(n, seed=3, step=7):
    return bytes((seed + i * step) & 0xFF for i in range(n))

def eth(dst, typ, payload, src=SRC):
    return dst + src + struct.pack(">H", typ) + payload

def frame(dst, n, typ=0x88B5, seed=3):
    """n-byte frame (n includes 14-byte header)"""
    return eth(dst, typ, pattern(n - 14, seed))

def csum(data):
    if len(data) % 2: data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return s

def ipv4(src, dst, proto, payload_len, ident=0x1234, total=None, cs=True):
    tl = 20 + payload_len if total is None else total
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, tl, ident, 0x4000, 64, proto, 0, bytes(src), bytes(dst))
    if cs:
        c = (~csum(h)) & 0xFFFF
        h = h[:10] + struct.pack(">H", c) + h[12:]
    return h

def steps_to_json(steps):
    return "[\n" + ",\n".join(json.dumps(s) for s in steps) + "\n]\n"

def ctx_desc(ipcss=0, ipcso=0, ipcse=0, tucss=0, tucso=0, tucse=0, paylen=0, tucmd=0, sta=0, hdrlen=0, mss=0):
    """TX context descriptor. tucmd: DEXT 0x20 is added; TSE 0x04, RS 0x08, IP 0x02, TCP 0x01, IDE 0x80"""
    cmd_len = (paylen & 0xFFFFF) | (0 << 20) | ((tucmd | 0x20) << 24)
    return struct.pack("<BBHBBHIBBH", ipcss, ipcso, ipcse, tucss, tucso, tucse, cmd_len, sta, hdrlen, mss).hex()

def data_desc(addr, length, dcmd, popts=0, status=0, special=0):
    """TX data descriptor (DTYP=1). dcmd: EOP 1, IFCS 2, TSE 4, RS 8, DEXT 0x20 (added), VLE 0x40, IDE 0x80"""
    lower = (length & 0xFFFFF) | (1 << 20) | ((dcmd | 0x20) << 24)
    return struct.pack("<QIBBH", addr, lower, status, popts, special).hex()

def legacy_desc(addr, length, cmd, cso=0, css=0, special=0, status=0):
    return struct.pack("<QHBBBBH", addr, length, cso, cmd, status, css, special).hex()

def rx_setup(n=8, bsz=2048, rctl=0x8002, rdt=None, ims=0x9F, ring=RXRING, bufs=RXBUF, rdlen=None):
    return [
        ["rxring", ring, n, bufs, bsz],
        ["w", "RDBAL", ring], ["w", "RDBAH", 0],
        ["w", "RDLEN", 16 * n if rdlen is None else rdlen],
        ["w", "RDH", 0], ["w", "RDT", n - 1 if rdt is None else rdt],
        ["w", "IMS", ims], ["w", "RCTL", rctl], ["sleep", 1.2],
    ]

def tx_setup(n=8, tctl=0x0A, ring=TXRING):
    return [["w", "TDBAL", ring], ["w", "TDBAH", 0], ["w", "TDLEN", 16 * n],
            ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", tctl]]

def r(*names):
    out = []
    for n in names:
        out.append(["r", R[n] if n in R else n])
    return out

IP_A = bytes([10, 0, 0, 1])
IP_B = bytes([10, 0, 0, 2])
DST2 = bytes.fromhex("020000000002")

def pseudo(src, dst, proto, length):
    return csum(src + dst + struct.pack(">BBH", 0, proto, length))

def tcp_frame(payload, seq=0x01020304, flags=0x18, ip_total=None, ip_cs=False, tcp_cs="pseudo", ident=0x1234, dst=DST2, pseudo_len=True):
    """eth + ipv4 + tcp + payload; IP checksum 0 unless ip_cs; TCP checksum field = pseudo-header sum (as a driver leaves it for offload)"""
    tl = 20 + len(payload)
    ip = ipv4(IP_A, IP_B, 6, tl, ident=ident, total=ip_total, cs=ip_cs)
    ph = pseudo(IP_A, IP_B, 6, tl if pseudo_len else 0) if tcp_cs == "pseudo" else (tcp_cs or 0)
    tcp = struct.pack(">HHIIBBHHH", 0x1234, 0x0050, seq, 0x0A0B0C0D, 0x50, flags, 0xFFFF, ph, 0)
    return eth(dst, 0x0800, ip + tcp + payload, src=MAC)

def udp_frame(payload, ident=0x4321, udp_cs="pseudo", dst=DST2, ip_cs=False):
    ul = 8 + len(payload)
    ip = ipv4(IP_A, IP_B, 17, ul, ident=ident, cs=ip_cs)
    ph = pseudo(IP_A, IP_B, 17, ul) if udp_cs == "pseudo" else (udp_cs or 0)
    udp = struct.pack(">HHHH", 0x3039, 0x0035, ul, ph)
    return eth(dst, 0x0800, ip + udp + payload, src=MAC)

def verify_ipv4(fr, off=14):
    h = fr[off:off + 20]
    return csum(h) == 0xFFFF

def verify_l4(fr, proto, off=14):
    ip = fr[off:off + 20]
    tl = struct.unpack(">H", ip[2:4])[0]
    l4 = fr[off + 20: off + tl]
    return (csum(ip[12:20] + struct.pack(">BBH", 0, proto, len(l4))) + csum(l4)) % 0xFFFF in (0,) or \
        csum(ip[12:20] + struct.pack(">BBH", 0, proto, len(l4)) + l4) == 0xFFFF

IP6_A = bytes.fromhex("fe800000000000000000000000000001")
IP6_B = bytes.fromhex("fe800000000000000000000000000002")

def tcp6_frame(payload, seq=0x11223344, flags=0x18):
    ph = csum(IP6_A + IP6_B + struct.pack(">IxxxB", 0, 6))
    ip6 = struct.pack(">IHBB", 0x60000000, 0, 6, 64) + IP6_A + IP6_B
    tcp = struct.pack(">HHIIBBHHH", 0x1234, 0x0050, seq, 0x0A0B0C0D, 0x50, flags, 0xFFFF, ph, 0)
    return eth(DST2, 0x86DD, ip6 + tcp + payload, src=MAC)


S = {}
def scenario(f):
    S[f.__name__] = f
    return f

def rxd(*idx, ring=RXRING):
    return [["rxdesc", ring, i] for i in idx]

@scenario
def rx_ring_full():
    A = frame(BCAST, 64, seed=0x10)
    B = frame(BCAST, 80, seed=0x20)
    C = frame(BCAST, 96, seed=0x30)
    s = [["note", "ring of 8 x 256-byte buffers, RDH=0 RDT=3: three free descriptors (0,1,2)"]]
    s += rx_setup(n=8, bsz=256, rctl=0x8002 | (3 << 16), rdt=3)
    s += [["note", "burst of 6 identical 64-byte frames: 3 land in 0..2, RDH stops at RDT, 3 wait in the NIC's queue"],
          ["frames", 6, A.hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3) + [
          ["r", "RNBC"], ["r", "MPC"], ["irq"], ["r", "ICR"]]
    s += [["note", "two different frames (80, 96 bytes) sent while the ring is full: not received"],
          ["frame", B.hex()], ["frame", C.hex()], ["r", "RDH"], ["r", "ICR"]]
    s += [["note", "RDT=4 frees one descriptor: the queue is flushed, one frame lands in 3, the other 2 queued frames overrun (RXO, RNBC, MPC) and are lost"],
          ["w", "RDT", 4], ["sleep", 0.2],
          ["r", "RDH"]] + rxd(3, 4) + [["mem", RXBUF + 3 * 256, 16],
          ["r", "RNBC"], ["r", "MPC"], ["irq"], ["r", "ICR"]]
    s += [["note", "RDT=7 frees 4,5,6: the two frames sent while full arrive in 4 and 5"],
          ["w", "RDT", 7], ["sleep", 0.2],
          ["r", "RDH"]] + rxd(4, 5, 6) + [["mem", RXBUF + 4 * 256, 16], ["mem", RXBUF + 5 * 256, 16], ["mem", RXBUF + 6 * 256, 16],
          ["r", "RNBC"], ["r", "MPC"], ["r", "ICR"], ["r", "GPRC"]]
    s += [["note", "RDH=6 RDT=7: one free 256-byte buffer; a 600-byte frame (604 with CRC) does not fit -> RXO, dropped"],
          ["frame", frame(BCAST, 600, seed=0x40).hex()],
          ["r", "RDH"]] + rxd(6) + [["r", "RNBC"], ["r", "MPC"], ["irq"], ["r", "ICR"]]
    s += [["note", "RDT=0: two free (6,7) = 512 bytes, still too small for 604 -> RXO again"],
          ["w", "RDT", 0], ["sleep", 0.1],
          ["frame", frame(BCAST, 600, seed=0x50).hex()],
          ["r", "RDH"], ["r", "RNBC"], ["r", "MPC"], ["r", "ICR"]]
    s += [["note", "a 400-byte frame (404) fits 6 and 7 exactly; the ring is then full (RDH=RDT=0)"],
          ["frame", frame(BCAST, 400, seed=0x60).hex()],
          ["r", "RDH"]] + rxd(6, 7) + [["r", "RNBC"], ["r", "ICR"]]
    g3 = struct.pack("<QHHBBH", RXBUF + 3 * 256, 0x9999, 0x7777, 0xF8, 0xA5, 0x1234).hex()
    g4 = struct.pack("<QHHBBH", RXBUF + 4 * 256, 0x9999, 0x7777, 0xF8, 0xA5, 0x1234).hex()
    s += [["note", "descriptors 3 and 4 prefilled with garbage (length 0x9999, csum 0x7777, status 0xf8, errors 0xa5, special 0x1234); RDT=5 frees 0..4"],
          ["desc-raw", RXRING, 3, g3], ["desc-raw", RXRING, 4, g4],
          ["w", "RDT", 5], ["sleep", 0.1],
          ["note", "a 600-byte frame takes 0,1,2; a 300-byte frame takes 3 and 4: stale status/errors bits survive"],
          ["frame", frame(BCAST, 600, seed=0x70).hex()],
          ["frame", frame(BCAST, 300, seed=0x78).hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3, 4) + [["mem", RXRING + 3 * 16, 32], ["r", "ICR"]]
    s += [["note", "ring full (RDH=RDT=5); a burst of 20 frames all waits in the queue"],
          ["frames", 20, frame(BCAST, 64, seed=0x80).hex()], ["r", "RDH"], ["r", "RNBC"], ["r", "ICR"],
          ["note", "RDT=1 frees 5,6,7,0: four frames land, the other 16 queued frames overrun"],
          ["w", "RDT", 1], ["sleep", 0.2],
          ["r", "RDH"]] + rxd(5, 6, 7, 0) + [["r", "RNBC"], ["r", "MPC"], ["irq"], ["r", "ICR"]]
    s += [["note", "a frame sent while full waits for RDT=2 and then lands in 1"],
          ["frame", frame(BCAST, 72, seed=0x90).hex()], ["r", "RDH"],
          ["w", "RDT", 2], ["sleep", 0.2], ["r", "RDH"]] + rxd(1) + [["mem", RXBUF + 256, 16],
          ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["r", "TPR"], ["r", "ICR"], ["r", "STATUS"]]
    return s

@scenario
def rx_oversize():
    BS = 16384
    vlan = lambda n, seed: eth(BCAST, 0x8100, bytes.fromhex("0005") + struct.pack(">H", 0x88B5) + pattern(n - 18, seed))
    s = [["note", "ring of 16 descriptors, buffers 16 KiB apart; RCTL=EN|BAM, 2048-byte buffers, LPE=0 SBP=0"]]
    s += rx_setup(n=16, bsz=BS, rctl=0x8002)
    s += [["note", "LPE=0: 1518 and 1522 accepted; 1523, 1600 and a 1526-byte VLAN-tagged frame dropped (ROC); a 1522-byte tagged frame accepted"],
          ["frame", frame(BCAST, 1518, seed=1).hex()],
          ["frame", frame(BCAST, 1522, seed=2).hex()],
          ["frame", frame(BCAST, 1523, seed=3).hex()],
          ["frame", frame(BCAST, 1600, seed=4).hex()],
          ["frame", vlan(1526, 5).hex()],
          ["frame", vlan(1522, 6).hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3) + [["mem", RXBUF + BS + 1512, 24],
          ["r", "ROC"], ["r", "ROC"], ["r", "ICR"], ["r", "GPRC"]]
    s += [["note", "RCTL.SBP without LPE: 1523 accepted; 2044 fills one 2048 buffer; 2045 needs a second descriptor holding only 1 CRC byte; 3000 spans two"],
          ["w", "RCTL", 0x8006], ["sleep", 1.2],
          ["frame", frame(BCAST, 1523, seed=7).hex()],
          ["frame", frame(BCAST, 2044, seed=8).hex()],
          ["frame", frame(BCAST, 2045, seed=9).hex()],
          ["frame", frame(BCAST, 3000, seed=10).hex()],
          ["r", "RDH"]] + rxd(3, 4, 5, 6, 7, 8) + [["mem", RXBUF + 5 * BS + 2040, 16], ["mem", RXBUF + 6 * BS, 8],
          ["mem", RXBUF + 8 * BS, 16], ["r", "ROC"], ["r", "ICR"]]
    s += [["note", "RCTL=EN|BAM|LPE|BSEX with 16384-byte buffers: 9000, 16380 accepted; 16384 (16388) takes a second descriptor for the CRC only; 16385 and 16400 dropped (ROC)"],
          ["w", "RCTL", 0x8002 | 0x20 | 0x02000000 | (1 << 16)], ["sleep", 1.2],
          ["frame", frame(BCAST, 9000, seed=11).hex()],
          ["frame", frame(BCAST, 16380, seed=12).hex()],
          ["frame", frame(BCAST, 16384, seed=13).hex()],
          ["frame", frame(BCAST, 16385, seed=14).hex()],
          ["frame", frame(BCAST, 16400, seed=15).hex()],
          ["r", "RDH"]] + rxd(9, 10, 11, 12) + [["mem", RXBUF + 11 * BS + BS - 8, 8], ["mem", RXBUF + 12 * BS, 8],
          ["r", "ROC"], ["r", "ICR"]]
    s += [["note", "same with SECRC (strip CRC): a 16384-byte frame fits one descriptor"],
          ["w", "RCTL", 0x8002 | 0x20 | 0x02000000 | (1 << 16) | 0x04000000], ["sleep", 1.2],
          ["frame", frame(BCAST, 16384, seed=16).hex()],
          ["r", "RDH"]] + rxd(13, 14) + [["r", "ROC"]]
    s += [["note", "LPE|SBP: RDT=5 frees 14,15,0..4; 20000 takes two descriptors, 40000 three"],
          ["w", "RDT", 5],
          ["w", "RCTL", 0x8002 | 0x20 | 0x04 | 0x02000000 | (1 << 16)], ["sleep", 1.2],
          ["frame", frame(BCAST, 20000, seed=17).hex()],
          ["frame", frame(BCAST, 40000, seed=18).hex()],
          ["r", "RDH"]] + rxd(14, 15, 0, 1, 2) + [["mem", RXBUF + 15 * BS + 3600, 24], ["mem", RXBUF + 2 * BS + 7220, 24],
          ["r", "ROC"], ["r", "ICR"], ["r", "GPRC"], ["r", "TPR"]]
    return s

@scenario
def rx_rdlen_bounds():
    F = lambda seed: frame(BCAST, 64, seed=seed).hex()
    s = [["note", "register masks: RDLEN keeps bits 7..19 (multiples of 128), RDH/RDT keep 16 bits"],
          ["w", "RDLEN", 200], ["r", "RDLEN"], ["w", "RDLEN", 16], ["r", "RDLEN"], ["w", "RDLEN", 0xFFFFFFFF], ["r", "RDLEN"],
          ["w", "RDH", 0x12345], ["r", "RDH"], ["w", "RDT", 0xABCDE], ["r", "RDT"],
          ["w", "TDLEN", 0x1F0], ["r", "TDLEN"], ["w", "TDH", 0x54321], ["r", "TDH"], ["w", "TDT", 0x10007], ["r", "TDT"],
          ["w", "RDBAL", 0x12345678], ["r", "RDBAL"], ["w", "RDBAH", 0xFFFFFFFF], ["r", "RDBAH"]]
    s += [["note", "32 descriptors laid out in memory; RDLEN=200 acts as 128 (8 descriptors); RDH=6 RDT=10 (outside the ring)"]]
    s += [["rxring", RXRING, 32, RXBUF, 2048], ["w", "RDBAL", RXRING], ["w", "RDBAH", 0], ["w", "RDLEN", 200],
          ["w", "RDH", 6], ["w", "RDT", 10], ["w", "IMS", 0x9F], ["w", "RCTL", 0x8002], ["sleep", 1.2]]
    s += [["frame", F(1)], ["frame", F(2)], ["frame", F(3)],
          ["r", "RDH"]] + rxd(6, 7, 0, 8) + [["r", "ICR"], ["r", "RNBC"]]
    s += [["note", "RDT=10 is never reached: a burst of 12 frames keeps wrapping inside the 8-entry ring"],
          ["frames", 12, F(4)], ["r", "RDH"], ["r", "RDT"], ["r", "RNBC"], ["r", "GPRC"], ["r", "ICR"]]
    s += [["note", "RDLEN=16 (reads 0), RDH=0 RDT=1: the frame is written to descriptor 0, then RDH wraps onto itself -> RXO"],
          ["rxring", RXRING, 32, RXBUF, 2048],
          ["w", "RDLEN", 16], ["w", "RDH", 0], ["w", "RDT", 1],
          ["frame", F(5)],
          ["r", "RDH"]] + rxd(0, 1) + [["mem", RXBUF, 16], ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["r", "ICR"],
          ["frame", F(6)], ["r", "RDH"], ["mem", RXBUF, 16], ["r", "RNBC"], ["r", "ICR"]]
    s += [["note", "RDLEN=0, RDH=5 RDT=6: descriptor 5 is used, RDH becomes 0, RXO"],
          ["w", "RDLEN", 0], ["w", "RDH", 5], ["w", "RDT", 6],
          ["frame", F(7)],
          ["r", "RDH"]] + rxd(5) + [["mem", RXBUF + 5 * 2048, 16], ["r", "RNBC"], ["r", "ICR"]]
    s += [["note", "RDLEN=128, RDH=20 RDT=25 (both outside): descriptor 20 is used, RDH wraps to 0, RXO; the next frame goes to 0"],
          ["w", "RDLEN", 128], ["w", "RDH", 20], ["w", "RDT", 25],
          ["frame", F(8)],
          ["r", "RDH"]] + rxd(20, 21) + [["mem", RXBUF + 20 * 2048, 16], ["r", "RNBC"], ["r", "ICR"],
          ["frame", F(9)],
          ["r", "RDH"]] + rxd(0) + [["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["r", "ICR"]]
    s += [["note", "RDH=0xFFFF RDT=0: RDH outside, one frame, RXO"],
          ["w", "RDH", 0xFFFF], ["w", "RDT", 0],
          ["frame", F(10)], ["r", "RDH"], ["r", "RNBC"], ["r", "ICR"], ["r", "STATUS"]]
    return s

def vlan_frame(dst, tci, n, seed, tpid=0x8100, typ=0x88B5):
    """n bytes in total including the 4-byte tag"""
    return eth(dst, tpid, struct.pack(">HH", tci, typ) + pattern(n - 18, seed))

@scenario
def rx_vlan():
    s = [["note", "RCTL=EN|BAM, VFE=0, CTRL.VME=0: a tagged frame is received whole"]]
    s += rx_setup(n=16, bsz=2048, rdt=15)
    s += [["frame", vlan_frame(BCAST, 0x6005, 68, 1).hex()],
          ["r", "RDH"]] + rxd(0) + [["mem", RXBUF, 20]]
    s += [["note", "CTRL.VME=1: the tag is stripped, TCI goes to the descriptor's special field, status VP"],
          ["w", "CTRL", 0x40140240], ["r", "CTRL"],
          ["frame", vlan_frame(BCAST, 0x6005, 68, 2).hex()],
          ["frame", vlan_frame(MAC, 0xF064, 100, 3).hex()],
          ["note", "a 40-byte tagged frame: padded to 60 first, then 4 bytes removed"],
          ["frame", vlan_frame(BCAST, 0x0007, 40, 4).hex()],
          ["note", "an untagged frame with VME=1: no VP"],
          ["frame", frame(BCAST, 64, seed=5).hex()],
          ["r", "RDH"]] + rxd(1, 2, 3, 4) + [["mem", RXBUF + 2048, 20], ["mem", RXBUF + 3 * 2048, 64]]
    s += [["note", "RCTL.VFE=1 with an empty VFTA: tagged frames are dropped silently, untagged still pass"],
          ["w", "RCTL", 0x8002 | 0x40000], ["sleep", 1.2],
          ["frame", vlan_frame(BCAST, 0x6005, 68, 6).hex()],
          ["frame", vlan_frame(BCAST, 0x0000, 68, 7).hex()],
          ["frame", frame(BCAST, 64, seed=8).hex()],
          ["r", "RDH"]] + rxd(5, 6) + [["r", "RNBC"], ["r", "MPC"], ["r", "ROC"]]
    s += [["note", "VFTA[0] bit 5 lets VLAN 5 in (any priority); VLAN 100 needs VFTA[3] bit 4; VLAN 0 needs VFTA[0] bit 0"],
          ["w", R["VFTA"], 1 << 5],
          ["frame", vlan_frame(BCAST, 0x6005, 68, 9).hex()],
          ["frame", vlan_frame(BCAST, 0xE005, 68, 10).hex()],
          ["frame", vlan_frame(BCAST, 0x0064, 68, 11).hex()],
          ["r", "RDH"],
          ["w", R["VFTA"] + 12, 1 << 4],
          ["frame", vlan_frame(BCAST, 0x0064, 68, 12).hex()],
          ["frame", vlan_frame(BCAST, 0x1000, 68, 13).hex()],
          ["r", "RDH"]] + rxd(6, 7, 8, 9) + [["r", R["VFTA"]], ["r", R["VFTA"] + 12]]
    s += [["note", "a tagged unicast frame for another MAC is still refused by the address filter"],
          ["frame", vlan_frame(bytes.fromhex("020000000099"), 0x0005, 68, 14).hex()],
          ["r", "RDH"]]
    s += [["note", "VET=0x88A8: 0x8100 frames are no longer VLAN frames (not filtered, not stripped); 0x88A8 frames are filtered (VLAN 9 dropped) and stripped (VLAN 5)"],
          ["r", R["VET"]], ["w", R["VET"], 0x88A8], ["r", R["VET"]],
          ["frame", vlan_frame(BCAST, 0x0009, 68, 15).hex()],
          ["frame", vlan_frame(BCAST, 0x0009, 68, 16, tpid=0x88A8).hex()],
          ["frame", vlan_frame(BCAST, 0x0005, 68, 17, tpid=0x88A8).hex()],
          ["r", "RDH"]] + rxd(9, 10, 11) + [["mem", RXBUF + 9 * 2048, 20], ["mem", RXBUF + 10 * 2048, 20]]
    s += [["note", "VET=0xFFFF8100: the upper half is kept in the register but only the low 16 bits are compared"],
          ["w", R["VET"], 0xFFFF8100], ["r", R["VET"]],
          ["frame", vlan_frame(BCAST, 0x0005, 68, 18).hex()],
          ["r", "RDH"]] + rxd(11) + [["r", "GPRC"], ["r", "ICR"]]
    s += [["note", "VME=0 again with VFE=1: filtering still applies, no stripping"],
          ["w", "CTRL", 0x00140240],
          ["frame", vlan_frame(BCAST, 0x0006, 68, 19).hex()],
          ["frame", vlan_frame(BCAST, 0x0005, 68, 20).hex()],
          ["r", "RDH"]] + rxd(12) + [["mem", RXBUF + 12 * 2048, 20]]
    return s

MDIC_R = 0x08000000
MDIC_W = 0x04000000
def mdic(reg, op=MDIC_R, data=0, phy=1, extra=0):
    return ["w", "MDIC", extra | op | (phy << 21) | (reg << 16) | data]

@scenario
def eeprom_phy():
    s = [["note", "EERD: all 64 EEPROM words (START bit 0, address at bit 8; DONE bit 4, data in bits 31:16)"]]
    for i in range(64):
        s += [["w", "EERD", (i << 8) | 1], ["r", "EERD"]]
    s += [["note", "EERD beyond word 0x3F: DONE without data; without START the register reads back as written"],
          ["w", "EERD", (0x40 << 8) | 1], ["r", "EERD"],
          ["w", "EERD", (0xFF << 8) | 1], ["r", "EERD"],
          ["w", "EERD", 0xABCD0201], ["r", "EERD"],
          ["w", "EERD", 0x0000AB00], ["r", "EERD"], ["r", "EERD"]]
    s += [["note", "EECD: idle read, then a Microwire read of word 2 bit-banged through EECD (opcode 110, 6 address bits, 16 data bits)"],
          ["r", "EECD"], ["w", "EECD", 0x02], ["r", "EECD"]]
    bits = [1, 1, 0] + [(2 >> (5 - k)) & 1 for k in range(6)]
    for b in bits:
        di = 0x04 if b else 0
        s += [["w", "EECD", 0x02 | di], ["w", "EECD", 0x03 | di], ["w", "EECD", 0x02 | di]]
    for k in range(16):
        s += [["r", "EECD"], ["w", "EECD", 0x03], ["w", "EECD", 0x02]]
    s += [["w", "EECD", 0x00], ["r", "EECD"], ["w", "EECD", 0x70], ["r", "EECD"], ["w", "EECD", 0x00]]
    s += [["note", "MDIC reads of PHY 1: BMCR, BMSR, ID1, ID2, ANAR, ANLPAR, ANER, 1000CTRL, 1000STAT, 0x10, 0x11, 0x14, 0x15"]]
    for reg in [0, 1, 2, 3, 4, 5, 6, 9, 10, 0x10, 0x11, 0x14, 0x15]:
        s += [mdic(reg), ["r", "MDIC"]]
    s += [["note", "unsupported register 7 and 0x1F: ERROR bit; PHY address 0 and 2: ERROR on top of the previous MDIC value"],
          mdic(7), ["r", "MDIC"], mdic(0x1F), ["r", "MDIC"],
          mdic(2), ["r", "MDIC"], mdic(2, phy=0), ["r", "MDIC"], mdic(3, phy=2), ["r", "MDIC"],
          mdic(3), ["r", "MDIC"], mdic(3, op=MDIC_W, data=0x1234, phy=31), ["r", "MDIC"],
          ["note", "MDIC with neither READ nor WRITE: only READY is added"],
          ["w", "MDIC", (1 << 21) | (4 << 16) | 0xBEEF], ["r", "MDIC"]]
    s += [["note", "MDIC writes: ANAR and 1000CTRL are writable; ID1 and BMSR are read-only (ERROR, unchanged)"],
          mdic(4, MDIC_W, 0x0de1 ^ 0x0180), ["r", "MDIC"], mdic(4), ["r", "MDIC"],
          mdic(9, MDIC_W, 0x0000), ["r", "MDIC"], mdic(9), ["r", "MDIC"],
          mdic(2, MDIC_W, 0xFFFF), ["r", "MDIC"], mdic(2), ["r", "MDIC"],
          mdic(1, MDIC_W, 0x0000), ["r", "MDIC"], mdic(1), ["r", "MDIC"],
          mdic(0x10, MDIC_W, 0x0123), ["r", "MDIC"], mdic(0x10), ["r", "MDIC"]]
    s += [["note", "MDIC with INT_EN (bit 29) raises ICR.MDAC (0x200); not in IMS, so no interrupt"],
          ["r", "ICR"], mdic(2, extra=0x20000000), ["r", "MDIC"], ["irq"], ["r", "ICR"], ["r", "ICR"]]
    s += [["note", "receive set up; BMCR write with RESET (self-clearing, masked) and no ANRESTART"]]
    s += rx_setup(n=8, bsz=2048, rdt=7)
    s += [mdic(0, MDIC_W, 0x9140), ["r", "MDIC"], mdic(0), ["r", "MDIC"], ["r", "STATUS"], ["r", "ICR"]]
    s += [["note", "BMCR ANRESTART with AUTOEN: link goes down (STATUS.LU, BMSR link) until autonegotiation completes 500 ms later with LSC"],
          mdic(0, MDIC_W, 0x1340), ["r", "STATUS"], mdic(1), ["r", "MDIC"], mdic(5), ["r", "MDIC"],
          ["note", "a frame sent while the link is down waits"],
          ["frame", frame(BCAST, 64, seed=1).hex()], ["r", "RDH"], ["irq"],
          ["sleep", 0.8],
          ["r", "RDH"], ["r", "STATUS"], mdic(1), ["r", "MDIC"], mdic(5), ["r", "MDIC"], mdic(0), ["r", "MDIC"],
          ["irq"], ["r", "ICR"]] + rxd(0) + [
          ["note", "ANRESTART without AUTOEN: nothing happens"],
          mdic(0, MDIC_W, 0x0340), ["r", "STATUS"], ["sleep", 0.7], ["r", "STATUS"], ["r", "ICR"],
          ["note", "ANRESTART again with AUTOEN after negotiation completed"],
          mdic(0, MDIC_W, 0x1340), ["r", "STATUS"], mdic(1), ["r", "MDIC"], ["sleep", 0.8], ["r", "STATUS"], ["r", "ICR"],
          ["frame", frame(BCAST, 64, seed=2).hex()], ["r", "RDH"]]
    return s

def txd(i, buf, ln, cmd, **kw):
    return ["desc-raw", TXRING, i, legacy_desc(buf, ln, cmd, **kw)]

def txs(*idx):
    return [["txstatus", TXRING, i] for i in idx]

@scenario
def tx_multidesc():
    f1 = frame(BCAST, 200, seed=1)
    s = [["note", "TX ring of 8 at 0x180000, TCTL=EN|PSP; a 200-byte frame in 3 legacy descriptors (64 RS, 100, 36 EOP|RS)"]]
    s += tx_setup() + [["w", "IMS", 0x9F],
          ["memw", TXBUF, f1.hex()],
          ["txdesc", TXRING, 0, TXBUF, 64, 0x08],
          ["txdesc", TXRING, 1, TXBUF + 64, 100, 0x00],
          ["txdesc", TXRING, 2, TXBUF + 164, 36, 0x09],
          ["w", "TDT", 3], ["sleep", 0.1], ["sent"]] + txs(0, 1, 2) + [
          ["r", "TDH"], ["irq"], ["r", "ICR"], ["irq"]]
    s += [["note", "two frames without RS: no descriptor write-back, ICR shows TXQE only"],
          ["memw", TXBUF + 0x1000, frame(MAC, 60, seed=2).hex()],
          ["memw", TXBUF + 0x2000, frame(SRC, 70, seed=3).hex()],
          ["txdesc", TXRING, 3, TXBUF + 0x1000, 60, 0x01],
          ["txdesc", TXRING, 4, TXBUF + 0x2000, 70, 0x01],
          ["w", "TDT", 5], ["sleep", 0.1], ["sent"]] + txs(3, 4) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "wrap-around: a frame in descriptors 5,6,7 and another in 0, TDT=1; RPS (0x10) also requests write-back"],
          ["memw", TXBUF + 0x3000, frame(BCAST, 150, seed=4).hex()],
          ["memw", TXBUF + 0x4000, frame(BCAST, 61, seed=5).hex()],
          ["txdesc", TXRING, 5, TXBUF + 0x3000, 50, 0x10],
          ["txdesc", TXRING, 6, TXBUF + 0x3000 + 50, 50, 0x00],
          ["txdesc", TXRING, 7, TXBUF + 0x3000 + 100, 50, 0x01],
          ["txdesc", TXRING, 0, TXBUF + 0x4000, 61, 0x09],
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"]] + txs(5, 6, 7, 0) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "a frame split across two TDT writes: the first half waits inside the device"],
          ["memw", TXBUF + 0x5000, frame(BCAST, 120, seed=6).hex()],
          ["txdesc", TXRING, 1, TXBUF + 0x5000, 70, 0x08],
          ["w", "TDT", 2], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"],
          ["txdesc", TXRING, 2, TXBUF + 0x5000 + 70, 50, 0x09],
          ["w", "TDT", 3], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"]]
    s += [["note", "a zero-length descriptor with EOP ends the frame; a 20-byte frame is sent unpadded; IFCS changes nothing"],
          ["memw", TXBUF + 0x6000, frame(BCAST, 60, seed=7).hex()],
          ["memw", TXBUF + 0x7000, frame(BCAST, 20, seed=8).hex()],
          ["txdesc", TXRING, 3, TXBUF + 0x6000, 60, 0x02],
          ["txdesc", TXRING, 4, TXBUF + 0x6000, 0, 0x09],
          ["txdesc", TXRING, 5, TXBUF + 0x7000, 20, 0x0B],
          ["w", "TDT", 6], ["sleep", 0.1], ["sent"]] + txs(3, 4, 5) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "TCTL.EN=0: TDT moves but nothing is sent; enabling TCTL sends"],
          ["memw", TXBUF + 0x8000, frame(BCAST, 64, seed=9).hex()],
          ["txdesc", TXRING, 6, TXBUF + 0x8000, 64, 0x09],
          ["w", "TCTL", 0x08], ["w", "TDT", 7], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "TDT"], ["r", "ICR"],
          ["w", "TCTL", 0x0A], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"]]
    g = legacy_desc(TXBUF + 0x9000, 64, 0x09, cso=0x11, css=0x22, special=0xBEEF, status=0xFE)
    s += [["note", "write-back keeps the upper dword but sets DD and clears EC/LC/TU: status 0xfe becomes 0xf1; legacy CSO/CSS are ignored"],
          ["memw", TXBUF + 0x9000, frame(BCAST, 64, seed=10).hex()],
          ["desc-raw", TXRING, 7, g],
          ["w", "TDT", 0], ["sleep", 0.1], ["sent"]] + txs(7) + [["mem", TXRING + 7 * 16, 16], ["r", "TDH"], ["r", "ICR"],
          ["r", "GPTC"], ["r", "TPT"]]
    return s

IXSM, TXSM = 1, 2
EOP, IFCS, TSE, RS, VLE, IDE = 0x01, 0x02, 0x04, 0x08, 0x40, 0x80
T_IP, T_TCP = 0x02, 0x01

def dd(i, *a, **kw):
    return ["desc-raw", TXRING, i, data_desc(*a, **kw)]

def cd(i, **kw):
    return ["desc-raw", TXRING, i, ctx_desc(**kw)]

@scenario
def tx_csum_offload():
    tcpf = tcp_frame(pattern(100, 0x11))
    udpf = udp_frame(pattern(77, 0x22))
    s = [["note", "TCP/IPv4 frame (154 bytes) with IP checksum 0 and the pseudo-header sum in the TCP checksum field"]]
    s += tx_setup(n=16) + [["w", "IMS", 0x9F], ["memw", TXBUF, tcpf.hex()], ["memw", TXBUF + 0x1000, udpf.hex()]]
    s += [["note", "context descriptor (IP|TCP, ipcss=14 ipcso=24 ipcse=33, tucss=34 tucso=50 tucse=0, RS) + data descriptor with POPTS IXSM|TXSM"],
          cd(0, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, tucmd=T_IP | T_TCP | RS),
          dd(1, TXBUF, len(tcpf), EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 2], ["sleep", 0.1], ["sent"]] + txs(0, 1) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "UDP frame split over two data descriptors; POPTS only on the first counts; the context stays in effect (UDP, tucso=40)"],
          cd(2, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=40, tucse=0, tucmd=T_IP),
          dd(3, TXBUF + 0x1000, 50, RS, popts=IXSM | TXSM),
          dd(4, TXBUF + 0x1000 + 50, len(udpf) - 50, EOP | RS, popts=0),
          ["w", "TDT", 5], ["sleep", 0.1], ["sent"]] + txs(2, 3, 4)
    s += [["note", "POPTS only on the second descriptor: ignored, frame sent as is"],
          dd(5, TXBUF + 0x1000, 50, 0, popts=0),
          dd(6, TXBUF + 0x1000 + 50, len(udpf) - 50, EOP, popts=IXSM | TXSM),
          ["w", "TDT", 7], ["sleep", 0.1], ["sent"]]
    s += [["note", "IXSM only (TCP checksum field keeps the pseudo sum); TXSM only"],
          cd(7, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, tucmd=T_IP | T_TCP),
          dd(8, TXBUF, len(tcpf), EOP, popts=IXSM),
          dd(9, TXBUF, len(tcpf), EOP, popts=TXSM),
          ["w", "TDT", 10], ["sleep", 0.1], ["sent"]]
    s += [["note", "tucse=53 limits the TCP sum to bytes 34..53 (the header); ipcse=0 sums to the end of the frame; tucso past the end writes nothing"],
          cd(10, ipcss=14, ipcso=24, ipcse=0, tucss=34, tucso=50, tucse=53, tucmd=T_IP | T_TCP),
          dd(11, TXBUF, len(tcpf), EOP, popts=IXSM | TXSM),
          cd(12, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=200, tucse=0, tucmd=T_IP | T_TCP),
          dd(13, TXBUF, len(tcpf), EOP, popts=IXSM | TXSM),
          ["w", "TDT", 14], ["sleep", 0.1], ["sent"]]
    # UDP frame whose checksum would come out as 0: QEMU writes 0xffff
    body = bytearray(pattern(40, 0x33))
    body[0:2] = b"\0\0"
    zf = bytearray(udp_frame(bytes(body)))
    tot = csum(bytes(zf[34:]))
    adj = 0xFFFF - tot
    zf[34 + 8:34 + 10] = struct.pack(">H", adj)
    assert csum(bytes(zf[34:])) == 0xFFFF
    s += [["note", "a UDP frame whose checksum computes to 0: written as 0xffff; and a legacy descriptor after a context gets no checksum"],
          ["memw", TXBUF + 0x2000, bytes(zf).hex()],
          cd(14, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=40, tucse=0, tucmd=T_IP),
          dd(15, TXBUF + 0x2000, len(zf), EOP | RS, popts=IXSM | TXSM),
          txd(0, TXBUF, len(tcpf), EOP | RS),
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"]] + txs(14, 15, 0) + [["r", "TDH"], ["r", "ICR"], ["r", "GPTC"]]
    return s

@scenario
def tx_tso():
    p1 = pattern(3000, 0x01, 3)
    f1 = tcp_frame(p1, ip_total=0, pseudo_len=False, flags=0x19)  # PSH|FIN|ACK
    s = [["note", "TSO: 54-byte IPv4/TCP header (total length 0, pseudo sum without length) + 3000-byte payload, mss 1000, flags PSH|FIN|ACK"]]
    s += tx_setup(n=16) + [["w", "IMS", 0x9F], ["memw", TXBUF, f1.hex()]]
    s += [["note", "context (TSE|IP|TCP, paylen 3000, hdrlen 54, mss 1000) then header and payload in two data descriptors -> 3 segments of 1054, then (payload an exact multiple of mss) a bare 54-byte header segment"],
          cd(0, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=3000, tucmd=TSE | T_IP | T_TCP | RS, hdrlen=54, mss=1000),
          dd(1, TXBUF, 54, TSE, popts=IXSM | TXSM),
          dd(2, TXBUF + 54, 3000, TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 3], ["sleep", 0.2], ["sent"]] + txs(0, 1, 2) + [["r", "TDH"], ["r", "ICR"],
          ["r", "GPTC"], ["r", "TPT"], ["r", R["TSCTC"]], ["r", R["TSCTC"]], ["r", R["PTC1023"]], ["r", R["PTC1522"]]]
    p2 = pattern(2500, 0x40, 5)
    f2 = tcp_frame(p2, ip_total=0, pseudo_len=False, flags=0x18, seq=0xFFFFFC00, ident=0xFFFF)
    s += [["note", "2500 bytes in descriptors of 700 + 1854 (not aligned to segments): 1000, 1000, 500; sequence number and IP id wrap"],
          ["memw", TXBUF + 0x2000, f2.hex()],
          cd(3, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=2500, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=1000),
          dd(4, TXBUF + 0x2000, 700, TSE, popts=IXSM | TXSM),
          dd(5, TXBUF + 0x2000 + 700, len(f2) - 700, TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 6], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", R["TSCTC"]]]
    u = pattern(2000, 0x80, 11)
    ip = ipv4(IP_A, IP_B, 17, 0, ident=0x0100, total=0, cs=False)
    udp = struct.pack(">HHHH", 0x3039, 0x0035, 0, pseudo(IP_A, IP_B, 17, 0))
    f3 = eth(DST2, 0x0800, ip + udp + u, src=MAC)
    s += [["note", "UDP segmentation (TSE without TCP): 2000 bytes, mss 800, hdrlen 42: UDP length and IP id fixed per segment"],
          ["memw", TXBUF + 0x4000, f3.hex()],
          cd(6, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=40, tucse=0, paylen=2000, tucmd=TSE | T_IP, hdrlen=42, mss=800),
          dd(7, TXBUF + 0x4000, len(f3), TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 8], ["sleep", 0.2], ["sent"], ["r", "TDH"]]
    f4 = tcp6_frame(pattern(1500, 0x21, 13))
    s += [["note", "IPv6/TCP TSO (IP bit clear): 1500 bytes, mss 600, hdrlen 74: payload length per segment, TCP checksum only"],
          ["memw", TXBUF + 0x6000, f4.hex()],
          cd(8, ipcss=14, ipcso=0, ipcse=0, tucss=54, tucso=70, tucse=0, paylen=1500, tucmd=TSE | T_TCP, hdrlen=74, mss=600),
          dd(9, TXBUF + 0x6000, len(f4), TSE | EOP | RS, popts=TXSM),
          ["w", "TDT", 10], ["sleep", 0.2], ["sent"], ["r", "TDH"]]
    s += [["note", "after TSO, a plain data descriptor without TSE uses the last non-TSO context (none yet: all zero) -> frame as is"],
          dd(10, TXBUF, 200, EOP | RS, popts=0),
          ["note", "a TSE data descriptor reuses the last TSO context (the IPv6 one) on 1254 bytes of the IPv4 frame"],
          dd(11, TXBUF, 54 + 1200, TSE | EOP | RS, popts=TXSM),
          ["w", "TDT", 12], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "ICR"], ["r", "GPTC"], ["r", R["TSCTC"]]]
    return s

@scenario
def tx_burst():
    n = 600
    s = [["note", "one TDT write sends 600 frames of 60-187 bytes from a 1024-descriptor ring, more than a reactor has spare slots at once; RS on every 100th"]]
    s += tx_setup(n=1024) + [["w", "IMS", 0x9F], ["memw", TXBUF, frame(BCAST, 187, seed=0x31).hex()]]
    ring = b"".join(bytes.fromhex(legacy_desc(TXBUF, 60 + (i * 37) % 128, 0x09 if i % 100 == 99 else 0x01)) for i in range(n))
    s += [["memw", TXRING, ring.hex()], ["w", "TDT", n], ["r", "TDH"], ["irq"], ["r", "ICR"], ["irq"], ["sent"]]
    s += txs(98, 99, 599) + [["r", "GPTC"], ["r", "TPT"], ["r", R["PTC64"]], ["r", R["PTC127"]], ["r", R["PTC255"]]]
    payload = pattern(8000, 0x05, 3)
    f = tcp_frame(payload, ip_total=0, pseudo_len=False, flags=0x18)
    s += [["note", "then 6 TSO packets of 8000 bytes with mss 100 in one TDT write: 480 segments of 154 bytes"],
          ["memw", TXBUF + 0x4000, f.hex()],
          cd(n, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=8000, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=100)]
    for k in range(6):
        s += [dd(n + 1 + k, TXBUF + 0x4000, len(f), TSE | EOP | (RS if k == 5 else 0), popts=IXSM | TXSM)]
    s += [["w", "TDT", n + 7], ["r", "TDH"], ["r", "ICR"], ["sent"]] + txs(n + 6) + [
          ["r", "GPTC"], ["r", "TPT"], ["r", R["TSCTC"]], ["r", R["PTC255"]]]
    s += alive(rx_ring=True, rctl=True)
    return s

@scenario
def tx_vlan():
    f = frame(BCAST, 64, seed=1)
    s = [["note", "legacy descriptor with VLE and special=0x6005 while CTRL.VME=0: no tag"]]
    s += tx_setup(n=16) + [["w", "IMS", 0x9F], ["memw", TXBUF, f.hex()],
          txd(0, TXBUF, 64, EOP | RS | VLE, special=0x6005),
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"]] + txs(0)
    s += [["note", "CTRL.VME=1: the tag (VET, special) is inserted after the MAC addresses"],
          ["w", "CTRL", 0x40140240],
          txd(1, TXBUF, 64, EOP | RS | VLE, special=0x6005),
          txd(2, TXBUF, 64, EOP | RS, special=0x6005),
          ["note", "a 20-byte frame grows to 24; VLE on the first descriptor of two is ignored, on the last it counts"],
          txd(3, TXBUF, 20, EOP | VLE, special=0x0FFF),
          txd(4, TXBUF, 30, VLE, special=0x0111),
          txd(5, TXBUF + 30, 34, EOP, special=0x0222),
          txd(6, TXBUF, 30, 0, special=0x0333),
          txd(7, TXBUF + 30, 34, EOP | VLE, special=0x0444),
          ["w", "TDT", 8], ["sleep", 0.1], ["sent"]] + txs(1, 2)
    s += [["note", "VET=0x88A8 is used as the inserted TPID; data descriptor (DEXT) with VLE"],
          ["w", R["VET"], 0x88A8],
          dd(8, TXBUF, 64, EOP | RS | VLE, special=0xA00B),
          ["w", "TDT", 9], ["sleep", 0.1], ["sent"], ["w", R["VET"], 0x8100]]
    p = pattern(1500, 0x05, 7)
    tf = tcp_frame(p, ip_total=0, pseudo_len=False, flags=0x18)
    s += [["note", "TSO (1500 bytes, mss 700) with VLE: every segment carries the tag"],
          ["memw", TXBUF + 0x1000, tf.hex()],
          cd(9, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=1500, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=700),
          dd(10, TXBUF + 0x1000, len(tf), TSE | EOP | RS | VLE, popts=IXSM | TXSM, special=0x2064),
          ["w", "TDT", 11], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "ICR"], ["r", "GPTC"], ["r", R["TOTL"]], ["r", R["TOTH"]]]
    return s

@scenario
def irq_mitigation():
    z = ["sleep", 0.01]   # keeps rising edges > 128 us apart (QEMU's minimum mitigation window)
    s = [["note", "reset values; IMS is OR-ed, IMC clears, ICS reads like ICR without clearing, ICR write is write-1-to-clear"],
         ["r", "ICR"], ["r", "IMS"], ["r", "ICS"], ["r", "ITR"], ["r", "RDTR"], ["r", "RADV"], ["r", "TADV"], ["r", "TIDV"],
         ["w", "IMS", 0x80], ["w", "IMS", 0x04], ["r", "IMS"], ["irq"],
         z, ["w", "ICS", 0x80], ["irq"], ["r", "ICS"], ["r", "ICS"], ["irq"],
         ["w", "ICR", 0x80], ["irq"], ["r", "ICS"], ["r", "ICR"],
         z, ["w", "ICS", 0x83], ["irq"], ["w", "ICR", 0x01], ["r", "ICS"], ["irq"], ["w", "ICR", 0x80], ["irq"], ["r", "ICS"],
         ["w", "IMC", 0x04], ["r", "IMS"], ["r", "ICR"], ["r", "ICR"]]
    s += [["note", "a cause outside the mask does not raise the line; unmasking it later does; IMC lowers it"],
          z, ["w", "ICS", 0x10], ["irq"], z, ["w", "IMS", 0x10], ["irq"], ["w", "IMC", 0x10], ["irq"], ["r", "IMS"],
          z, ["w", "IMS", 0x10], ["irq"], ["r", "ICR"], ["irq"], ["w", "IMC", 0xFFFFFFFF], ["r", "IMS"]]
    s += [["note", "ICS with every bit, IMS with every bit"],
          z, ["w", "ICS", 0xFFFFFFFF], ["irq"], ["r", "ICS"], ["w", "IMS", 0xFFFFFFFF], ["irq"], ["r", "IMS"], ["r", "ICR"], ["irq"],
          ["w", "IMC", 0xFFFFFFFF], ["r", "IMS"], ["w", "IMS", 0x9F]]
    s += [["note", "mitigation registers keep 16 bits; TIDV is not implemented (reads 0)"],
          ["w", "ITR", 0x12345], ["r", "ITR"], ["w", "RDTR", 0xABCDEF], ["r", "RDTR"], ["w", "RADV", 0x10001], ["r", "RADV"],
          ["w", "TADV", 0xFFFFFFFF], ["r", "TADV"], ["w", "TIDV", 0x55], ["r", "TIDV"],
          ["w", "ITR", 0], ["w", "RDTR", 0], ["w", "RADV", 0], ["w", "TADV", 0]]
    s += [["note", "RDTR=1 RADV=65535 (67 ms) holds a second RXT0 edge until the timer expires (ITR=0)"],
          ["sleep", 0.1], ["w", "RDTR", 1], ["w", "RADV", 65535],
          ["w", "ICS", 0x80], ["irq"], ["r", "ICR"], ["irq"], ["w", "ICS", 0x80], ["irq"], ["r", "ICS"],
          ["sleep", 0.25], ["r", "STATUS"], ["irq"], ["r", "ICR"], ["irq"],
          ["note", "RADV applies to RXT0 only: LSC is not held"],
          ["sleep", 0.1], ["w", "ICS", 0x04], ["irq"], ["r", "ICR"], ["irq"], z, ["w", "ICS", 0x04], ["irq"], ["r", "ICR"], ["irq"],
          ["note", "RDTR=0 disables RADV"],
          ["sleep", 0.1], ["w", "RDTR", 0],
          ["w", "ICS", 0x80], ["irq"], ["r", "ICR"], ["irq"], z, ["w", "ICS", 0x80], ["irq"], ["r", "ICR"], ["irq"],
          ["w", "RADV", 0]]
    f = frame(BCAST, 64, seed=1)
    s += [["note", "TADV=65535 (67 ms) applies after a TX descriptor with IDE"]]
    s += tx_setup(n=8) + [["note", "(writing TCTL with TDH=TDT already raised TXQE: clear it first)"], ["irq"], ["r", "ICR"], ["irq"],
          ["memw", TXBUF, f.hex()], ["w", "TADV", 65535], ["sleep", 0.1],
          txd(0, TXBUF, 64, EOP | RS | IDE),
          ["w", "TDT", 1], ["irq"], ["r", "ICR"], ["irq"], ["w", "ICS", 0x01], ["irq"], ["r", "ICS"],
          ["sleep", 0.25], ["r", "STATUS"], ["irq"], ["r", "ICR"], ["irq"], ["sent"],
          ["note", "the same without IDE: no TADV delay"],
          ["sleep", 0.1],
          txd(1, TXBUF, 64, EOP | RS),
          ["w", "TDT", 2], ["irq"], ["r", "ICR"], ["irq"], z, ["w", "ICS", 0x01], ["irq"], ["r", "ICR"], ["irq"], ["sent"]]
    return s

STATS = ["CRCERRS", "MPC", "PRC64", "PRC127", "PRC255", "PRC511", "PRC1023", "PRC1522", "GPRC", "BPRC", "MPRC",
         "GPTC", "RNBC", "RUC", "ROC", "TPR", "TPT", "PTC64", "PTC127", "PTC255", "PTC511", "PTC1023", "PTC1522",
         "MPTC", "BPTC", "TSCTC", "TSCTFC"]

@scenario
def stats_clear_on_read():
    MC = bytes.fromhex("01005e000001")
    s = [["note", "statistics at reset (all registers, numbers are offsets: see README)"]]
    s += r(*STATS) + r("GORCL", "GORCH", "GOTCL", "GOTCH", "TORL", "TORH", "TOTL", "TOTH")
    s += [["note", "RX: 8 frames of 60/64/100/200/300/600/1100/1514 bytes (broadcast, unicast, multicast); RCTL=EN|BAM|MPE"]]
    s += rx_setup(n=16, bsz=2048, rctl=0x8002 | 0x10, rdt=15)
    s += [["frame", frame(BCAST, 60, seed=1).hex()],
          ["frame", frame(MAC, 64, seed=2).hex()],
          ["frame", frame(MC, 100, seed=3).hex()],
          ["frame", frame(BCAST, 200, seed=4).hex()],
          ["frame", frame(MAC, 300, seed=5).hex()],
          ["frame", frame(MC, 600, seed=6).hex()],
          ["frame", frame(BCAST, 1100, seed=7).hex()],
          ["frame", frame(MAC, 1514, seed=8).hex()],
          ["r", "RDH"]]
    s += [["note", "TX: 6 frames of 60/64/100/300/1000/1514 bytes (broadcast, multicast, unicast)"]]
    s += tx_setup(n=8)
    sizes = [(BCAST, 60), (MC, 64), (DST2, 100), (BCAST, 300), (MC, 1000), (DST2, 1514)]
    for i, (d, n) in enumerate(sizes):
        s += [["memw", TXBUF + i * 0x800, frame(d, n, seed=0x10 + i).hex()], txd(i, TXBUF + i * 0x800, n, EOP | RS)]
    s += [["w", "TDT", len(sizes)], ["sleep", 0.2], ["sent"], ["r", "TDH"]]
    s += [["note", "first read of every counter"]] + r(*STATS)
    s += [["note", "second read: the clear-on-read counters are now 0"]] + r(*STATS)
    s += [["note", "octet counters: low halves read twice, then the high half (clears both), then the low half again"]]
    for lo, hi in [("GORCL", "GORCH"), ("GOTCL", "GOTCH"), ("TORL", "TORH"), ("TOTL", "TOTH")]:
        s += r(lo, lo, hi, lo, hi)
    s += [["note", "one more broadcast RX frame of 1518 bytes and one TX frame: counters restart from 0"],
          ["frame", frame(BCAST, 1518, seed=9).hex()],
          ["memw", TXBUF, frame(BCAST, 1518, seed=0x20).hex()], txd(6, TXBUF, 1518, EOP | RS),
          ["w", "TDT", 7], ["sleep", 0.2], ["sent"]]
    s += r("GPRC", "BPRC", "MPRC", "PRC1522", "TPR", "GORCL", "TORL", "GPTC", "BPTC", "PTC1522", "TPT", "GOTCL", "TOTL", "GORCH", "GOTCH", "TORH", "TOTH")
    s += [["note", "RCTL=EN|BAM without MPE: broadcast, multicast through the MTA hash (MTA[0] bit 16), exact unicast"],
          ["w", "RCTL", 0x8002], ["w", R["MTA"], 1 << 16], ["sleep", 1.2],
          ["frame", frame(BCAST, 64, seed=10).hex()],
          ["frame", frame(MC, 64, seed=11).hex()],
          ["frame", frame(MAC, 64, seed=12).hex()],
          ["r", "RDH"]]
    s += r("GPRC", "BPRC", "MPRC", "PRC127", "TPR", "GORCL", "GORCH")
    return s

@scenario
def phy_loopback():
    s = [["note", "RX ring (8 x 2048, RCTL=EN|BAM) and TX ring; PHY BMCR loopback (0x4000) set through MDIC"]]
    s += rx_setup(n=8, bsz=2048, rdt=7) + tx_setup(n=16) + [["r", "ICR"],
          mdic(0, MDIC_W, 0x5140), ["r", "MDIC"], mdic(0), ["r", "MDIC"], ["r", "STATUS"]]
    s += [["note", "a broadcast TX frame comes back into RX and does not reach the wire"],
          ["memw", TXBUF, frame(BCAST, 100, seed=1).hex()],
          txd(0, TXBUF, 100, EOP | RS),
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"]] + txs(0) + [["r", "TDH"], ["r", "RDH"]] + rxd(0) + [
          ["mem", RXBUF, 24], ["irq"], ["r", "ICR"], ["r", "GPRC"], ["r", "GPTC"]]
    s += [["note", "to our MAC: accepted; to another unicast MAC: filtered; a 20-byte frame is padded to 60 on the way in"],
          ["memw", TXBUF + 0x800, frame(MAC, 80, seed=2).hex()],
          ["memw", TXBUF + 0x1000, frame(DST2, 80, seed=3).hex()],
          ["memw", TXBUF + 0x1800, frame(BCAST, 20, seed=4).hex()],
          txd(1, TXBUF + 0x800, 80, EOP | RS),
          txd(2, TXBUF + 0x1000, 80, EOP | RS),
          txd(3, TXBUF + 0x1800, 20, EOP | RS),
          ["w", "TDT", 4], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "RDH"]] + rxd(1, 2, 3) + [["mem", RXBUF + 2 * 2048, 64], ["r", "ICR"]]
    s += [["note", "TSO in loopback: 1200 bytes with mss 500 -> three segments received"],
          ["memw", TXBUF + 0x2000, tcp_frame(pattern(1200, 7, 3), ip_total=0, pseudo_len=False, dst=MAC).hex()],
          cd(4, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=1200, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=500),
          dd(5, TXBUF + 0x2000, 54 + 1200, TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 6], ["sleep", 0.1], ["sent"], ["r", "RDH"]] + rxd(3, 4, 5) + [["mem", RXBUF + 3 * 2048, 60], ["mem", RXBUF + 5 * 2048, 60]]
    s += [["note", "VLAN: TX inserts the tag (CTRL.VME, VLE) and RX strips it again (special, VP)"],
          ["w", "CTRL", 0x40140240],
          txd(6, TXBUF, 100, EOP | RS | VLE, special=0x3123),
          ["w", "TDT", 7], ["sleep", 0.1], ["sent"], ["r", "RDH"]] + rxd(6) + [["mem", RXBUF + 6 * 2048, 20],
          ["w", "CTRL", 0x00140240]]
    s += [["note", "RX ring full (RDH=RDT=7): the looped frame is lost, not queued; freeing descriptors brings nothing"],
          txd(7, TXBUF, 100, EOP | RS),
          ["w", "TDT", 8], ["sleep", 0.1], ["sent"], ["r", "RDH"], ["r", "RNBC"], ["r", "MPC"], ["r", "ICR"],
          ["w", "RDT", 3], ["sleep", 0.2], ["r", "RDH"]] + rxd(7) + [["r", "ICR"], ["r", "GPRC"], ["r", "GPTC"]]
    s += [["note", "RCTL rewritten: for 1 s the receiver refuses and the looped frame is lost; after that it is received"],
          ["w", "RCTL", 0x8002],
          txd(8, TXBUF + 0x1800, 20, EOP | RS),
          ["w", "TDT", 9], ["sleep", 0.1], ["sent"], ["r", "RDH"],
          ["sleep", 1.2],
          txd(9, TXBUF + 0x1800, 20, EOP | RS),
          ["w", "TDT", 10], ["sleep", 0.1], ["sent"], ["r", "RDH"]] + rxd(7, 0) + [
          ["note", "RCTL.EN=0: looped frames are dropped"],
          ["w", "RCTL", 0x8000],
          txd(10, TXBUF, 100, EOP | RS),
          ["w", "TDT", 11], ["sleep", 0.1], ["sent"], ["r", "RDH"], ["r", "ICR"]]
    s += [["note", "RCTL.LBM=01 (MAC loopback) without PHY loopback is not implemented: the frame goes to the wire"],
          mdic(0, MDIC_W, 0x1140), mdic(0), ["r", "MDIC"],
          ["w", "RCTL", 0x8002 | 0x40], ["sleep", 1.2],
          txd(11, TXBUF, 100, EOP | RS),
          ["w", "TDT", 12], ["sleep", 0.1], ["sent"], ["r", "RDH"], ["r", "ICR"], ["r", "GPTC"], ["r", "GPRC"]]
    return s

def alive(rx_ring=True, seed=0x77, rctl=False):
    """device still answers: registers, one normal TX frame, optionally one normal RX frame"""
    s = [["note", "device still answers: registers, a normal TX frame" + (", a normal RX frame" if rx_ring else "")],
         ["r", "STATUS"], ["r", "ICR"], ["r", "TDH"], ["r", "TDT"]]
    s += [["w", "TCTL", 0], ["w", "TDBAL", 0x1C0000], ["w", "TDBAH", 0], ["w", "TDLEN", 128], ["w", "TDH", 0], ["w", "TDT", 0],
          ["w", "TCTL", 0x0A],
          ["memw", 0x380000, frame(BCAST, 60, seed=seed).hex()],
          ["desc-raw", 0x1C0000, 0, legacy_desc(0x380000, 60, EOP | RS)],
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"], ["txstatus", 0x1C0000, 0], ["r", "TDH"]]
    if rx_ring:
        s += [["rxring", 0x140000, 8, 0x240000, 2048], ["w", "RDBAL", 0x140000], ["w", "RDBAH", 0], ["w", "RDLEN", 128],
              ["w", "RDH", 0], ["w", "RDT", 7]] + ([["w", "RCTL", 0x8002], ["sleep", 1.2]] if rctl else []) + [
              ["frame", frame(BCAST, 60, seed=seed + 1).hex()],
              ["r", "RDH"], ["rxdesc", 0x140000, 0], ["mem", 0x240000, 16]]
    s += [["r", "ICR"], ["r", "STATUS"]]
    return s

@scenario
def hostile_cve_2012_0029_tx_overlong():
    s = [["note", "CVE-2012-0029 class: TX data beyond the 64 KiB frame buffer. Memory: 0x400000.. filled with 0x5a, a 100-byte frame at 0x300000"]]
    s += tx_setup(n=16) + [["r", "ICR"], ["w", "IMS", 0x9F],
          ["mem-fill", 0x400000, 0x20000, 0x5A],
          ["memw", TXBUF, frame(BCAST, 100, seed=1).hex()]]
    s += [["note", "legacy 65535 + 65535 (no EOP) then 100 with EOP: the copy is capped at 65536 bytes and the 16-bit size wraps, so only the last 100 bytes go out"],
          txd(0, 0x400000, 0xFFFF, 0),
          txd(1, 0x400000, 0xFFFF, 0),
          txd(2, TXBUF, 100, EOP | RS),
          ["w", "TDT", 3], ["sleep", 0.3], ["sent"]] + txs(2) + [["r", "TDH"], ["r", "ICR"], ["r", "GPTC"]]
    s += [["note", "65535, 2, 40000, 30000 (no EOP) then 64 with EOP: the partial frame wraps twice, only the last 64 bytes go out"],
          txd(3, 0x400000, 0xFFFF, 0),
          txd(4, 0x400000, 2, 0),
          txd(5, 0x400000, 40000, 0),
          txd(6, 0x400000, 30000, 0),
          txd(7, TXBUF, 64, EOP | RS),
          ["w", "TDT", 8], ["sleep", 0.3], ["sent"]] + txs(7) + [["r", "TDH"], ["r", "GPTC"], ["r", R["TOTL"]]]
    s += [["note", "RX still works"]]
    s += rx_setup(n=8, bsz=2048, rdt=7) + [["frame", frame(BCAST, 64, seed=9).hex()], ["r", "RDH"]] + rxd(0)
    s += [["note", "65535 then 1 with EOP: exactly 65536 bytes -> size wraps to 0 and a 0-byte frame is sent; QEMU's socket backend then treats the peer as busy and queues every later TX frame (nothing more reaches the wire)"],
          txd(8, 0x400000, 0xFFFF, 0),
          txd(9, 0x400000, 1, EOP | RS),
          ["w", "TDT", 10], ["sleep", 0.3], ["sent"]] + txs(9) + [["r", "TDH"], ["r", "GPTC"], ["r", R["TOTL"]], ["r", R["TOTH"]]]
    s += alive(rx_ring=True)
    return s

@scenario
def hostile_cve_2015_6815_tso_zero():
    f = tcp_frame(pattern(46, 1), ip_total=0, pseudo_len=False)
    s = [["note", "CVE-2015-6815 class: TSO contexts with mss=0 (hdr_len=mss=0 used to loop forever)"]]
    s += tx_setup(n=16) + [["r", "ICR"], ["w", "IMS", 0x9F], ["memw", TXBUF, f.hex()]]
    s += [["note", "hdr_len=54 mss=0 on a 100-byte frame: segments are bare 54-byte headers"],
          cd(0, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=46, tucmd=TSE | T_IP | T_TCP | RS, hdrlen=54, mss=0),
          dd(1, TXBUF, len(f), TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 2], ["sleep", 0.2], ["sent"]] + txs(0, 1) + [["r", "TDH"], ["r", "ICR"], ["r", "GPTC"], ["r", R["TSCTC"]]]
    s += [["note", "hdr_len=0 mss=0, data split over three TSE descriptors (EOP on the last): nothing accumulates, a 0-byte frame is sent; QEMU's socket backend then queues every later TX frame (nothing more reaches the wire)"],
          cd(2, paylen=100, tucmd=TSE | T_IP | T_TCP, hdrlen=0, mss=0),
          dd(3, TXBUF, 30, TSE, popts=IXSM | TXSM),
          dd(4, TXBUF + 30, 30, TSE),
          dd(5, TXBUF + 60, 40, TSE | EOP | RS),
          ["w", "TDT", 6], ["sleep", 0.2], ["sent"]] + txs(5) + [["r", "TDH"], ["r", "ICR"], ["r", "GPTC"], ["r", R["TOTL"]]]
    s += [["note", "hdr_len=0 mss=0 on one descriptor: same, the TX descriptor is completed"],
          cd(6, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=46, tucmd=TSE | T_IP | T_TCP, hdrlen=0, mss=0),
          dd(7, TXBUF, len(f), TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 8], ["sleep", 0.2], ["sent"]] + txs(7) + [["r", "TDH"], ["r", "GPTC"], ["r", R["TSCTC"]]]
    s += alive(rctl=True)
    return s

@scenario
def hostile_cve_2016_1981_ring_len():
    F = lambda seed: frame(BCAST, 60, seed=seed)
    s = [["note", "CVE-2016-1981 class: zero/tiny TDLEN and RDLEN with heads outside the ring (used to loop forever)"]]
    s += [["w", "IMS", 0x9F]]
    for i in range(8):
        s += [["memw", TXBUF + i * 0x100, F(0x10 + i).hex()], txd(i, TXBUF + i * 0x100, 60, EOP | RS)]
    s += [["note", "TDLEN=16 (reads 0), TDH=TDT=5, TCTL.EN; then TDT=6: descriptor 5 is processed, TDH becomes 0 and the loop stops"],
          ["w", "TDBAL", TXRING], ["w", "TDBAH", 0], ["w", "TDLEN", 16], ["r", "TDLEN"], ["w", "TDH", 5], ["w", "TDT", 5],
          ["w", "TCTL", 0x0A], ["r", "ICR"],
          ["w", "TDT", 6], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"],
          ["note", "TDLEN=0, TDH=0 TDT=1: each TDT write processes exactly one descriptor (0)"],
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"], ["r", "TDH"],
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"]]
    s += [["note", "TDLEN=128 (8), TDH=20 TDT=25, then TCTL.EN: descriptor 20 (memory past the ring, all zero) is processed, TDH wraps to 0"],
          ["w", "TCTL", 0], ["w", "TDLEN", 128], ["w", "TDH", 20], ["w", "TDT", 25], ["w", "TCTL", 0x0A],
          ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"],
          ["note", "TDH=0 TDT=25: all 8 descriptors are processed once, then TDH is back at its start and the loop stops"],
          ["w", "TDT", 25], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "ICR"], ["r", "GPTC"],
          ["note", "TDH=3 TDT=0xFFFF: 3..7,0..2 once"],
          ["w", "TDH", 3], ["w", "TDT", 0xFFFF], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "RX: RDLEN=0 RDH=RDT=0 refuses; RDT=1 takes one frame then RXO each time"]]
    s += [["rxring", RXRING, 8, RXBUF, 2048], ["w", "RDBAL", RXRING], ["w", "RDBAH", 0], ["w", "RDLEN", 0],
          ["w", "RDH", 0], ["w", "RDT", 0], ["w", "RCTL", 0x8002], ["sleep", 1.2],
          ["frame", F(1).hex()], ["r", "RDH"], ["r", "RNBC"],
          ["w", "RDT", 1], ["sleep", 0.2], ["r", "RDH"], ["r", "RNBC"], ["r", "ICR"]] + rxd(0) + [
          ["frame", F(2).hex()], ["frame", F(3).hex()], ["r", "RDH"], ["r", "RNBC"], ["r", "GPRC"], ["r", "ICR"], ["mem", RXBUF, 16]]
    s += alive()
    return s

@scenario
def hostile_cve_2021_20257_evil_tso():
    f = tcp_frame(pattern(200, 1), ip_total=0, pseudo_len=False)
    s = [["note", "CVE-2021-20257 class: evil TSO contexts/descriptors"]]
    s += tx_setup(n=16) + [["r", "ICR"], ["w", "IMS", 0x9F], ["memw", TXBUF, f.hex()],
          ["mem-fill", 0x400000, 0x10000, 0x5A]]
    s += [["note", "hdr_len=40 mss=1: 10 bytes of data after the header -> 10 segments of 41 bytes, then a bare 40-byte header"],
          cd(0, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=10, tucmd=TSE | T_IP | T_TCP, hdrlen=40, mss=1),
          dd(1, TXBUF, 50, TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 2], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "GPTC"], ["r", R["TSCTC"]]]
    s += [["note", "hdr_len=100 but only 60 bytes with EOP: nothing is sent"],
          cd(2, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=100, tucmd=TSE | T_IP | T_TCP, hdrlen=100, mss=100),
          dd(3, TXBUF, 60, TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 4], ["sleep", 0.2], ["sent"]] + txs(3) + [["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "offsets beyond the frame: ipcss=200 ipcso=250 tucss=220 tucso=255 on a 254-byte frame, hdr_len 54 mss 100"],
          cd(4, ipcss=200, ipcso=250, ipcse=0, tucss=220, tucso=255, tucse=0, paylen=200, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=100),
          dd(5, TXBUF, len(f), TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 6], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "hdr_len=54 mss=65535 (segment > 64 KiB): 65535 bytes then 101 with EOP; the 16-bit size wraps after 1 byte of the second descriptor and its other 100 bytes go out as one segment"],
          ["memw", 0x400000, f[:54].hex()],
          cd(6, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=65582, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=65535),
          dd(7, 0x400000, 0xFFFF, TSE, popts=IXSM | TXSM),
          dd(8, TXBUF, 101, TSE | EOP | RS),
          ["w", "TDT", 9], ["sleep", 0.3], ["sent"]] + txs(8) + [["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "paylen=0 in the context with 200 bytes of payload, mss 80: the first segment keeps PSH, later ones lose it (paylen - sofar wraps)"],
          cd(9, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=0, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=80),
          dd(10, TXBUF, len(f), TSE | EOP | RS, popts=IXSM | TXSM),
          ["w", "TDT", 11], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "TSE data descriptor (100 bytes, no EOP) then a legacy descriptor (154 bytes, EOP): the legacy one clears TSE and the 254 bytes go out as one frame"],
          cd(11, ipcss=14, ipcso=24, ipcse=33, tucss=34, tucso=50, tucse=0, paylen=200, tucmd=TSE | T_IP | T_TCP, hdrlen=54, mss=60),
          dd(12, TXBUF, 100, TSE, popts=IXSM | TXSM),
          txd(13, TXBUF + 100, 154, EOP | RS),
          ["w", "TDT", 14], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "GPTC"]]
    s += alive(rctl=True)
    return s

def rxdesc_raw(i, buf, ring=RXRING):
    return ["desc-raw", ring, i, struct.pack("<QHHBBH", buf, 0, 0, 0, 0, 0).hex()]

@scenario
def hostile_cve_2021_3416_loopback_recursion():
    FA = 0x300000
    d = bytes.fromhex(legacy_desc(FA, 64, EOP | RS))
    F = d * 4   # 64-byte frame whose every 16 bytes are a TX descriptor that sends this very frame
    s = [["note", "CVE-2021-3416 class: PHY loopback feeding the device's own receive; a 64-byte frame made of four copies of a TX descriptor that sends itself"],
         ["note", "RX (RCTL=EN|UPE|BAM) buffers point into the TX ring: RX descriptor k writes at TX slot k+1"]]
    s += [["memw", FA, F.hex()], ["mem-fill", TXRING, 256, 0]]
    s += [rxdesc_raw(k, TXRING + 16 * (k + 1)) for k in range(8)]
    s += [["w", "RDBAL", RXRING], ["w", "RDBAH", 0], ["w", "RDLEN", 128], ["w", "RDH", 0], ["w", "RDT", 7],
          ["w", "IMS", 0x9F], ["w", "RCTL", 0x800A], ["sleep", 1.2],
          mdic(0, MDIC_W, 0x5140),
          ["w", "TDBAL", TXRING], ["w", "TDBAH", 0], ["w", "TDLEN", 128], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A], ["r", "ICR"],
          txd(0, FA, 64, EOP | RS)]
    s += [["note", "TDT=7: each transmitted frame lands in the next TX slots and is transmitted in turn, until TDH reaches TDT (7 frames)"],
          ["w", "TDT", 7], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "RDH"]] + rxd(0, 6, 7) + txs(0, 1, 6, 7) + [
          ["mem", TXRING + 0x70, 64], ["r", "ICR"], ["r", "GPTC"], ["r", "GPRC"]]
    s += [["note", "TDT=0: slot 7 (written by the loop) is sent once more, the RX ring is full so the looped copy is dropped"],
          ["w", "TDT", 0], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "RDH"], ["r", "RNBC"], ["r", "GPTC"], ["r", "GPRC"], ["r", "ICR"]]
    s += [["note", "RX descriptor 7's buffer at the TDT register (BAR0+0x3818), RDT=0: the looped frame's DMA into MMIO is dropped, TDT keeps its value"],
          rxdesc_raw(7, 0xFEBC3818),
          ["w", "RDT", 0],
          txd(0, FA, 64, EOP | RS),
          ["w", "TDT", 1], ["sleep", 0.2], ["sent"], ["r", "TDH"], ["r", "TDT"], ["r", "RDH"]] + rxd(7) + [["r", "ICR"], ["r", "GPRC"]]
    s += [["note", "loopback off"], mdic(0, MDIC_W, 0x1140)]
    s += alive(rx_ring=True)
    return s

@scenario
def hostile_cve_2023_3019_dma_mmio():
    V = R["VFTA"]
    s = [["note", "CVE-2023-3019 class: DMA aimed at the device's own registers (BAR0 0xFEBC0000). VFTA[0..7] preset to known values"]]
    for i in range(8):
        s += [["w", V + 4 * i, 0x11111111 * (i + 1)]]
    s += rx_setup(n=8, bsz=2048, rdt=7)
    s += [["note", "RX descriptor 0's buffer at BAR0+0x5600 (VFTA): the frame's DMA write is dropped, the descriptor completes normally"],
          rxdesc_raw(0, BAR0 + 0x5600),
          ["frame", frame(BCAST, 64, seed=1).hex()],
          ["r", "RDH"]] + rxd(0) + [["r", V], ["r", V + 4], ["r", V + 60], ["r", "ICR"], ["r", "GPRC"]]
    s += [["note", "RX descriptor 1's buffer at BAR0+0x2818 (RDT): dropped as well, RDT unchanged"],
          rxdesc_raw(1, BAR0 + 0x2818),
          ["frame", frame(BCAST, 64, seed=2).hex()],
          ["r", "RDH"], ["r", "RDT"]] + rxd(1) + [["r", "ICR"]]
    s += [["note", "RX descriptor ring in MMIO (RDBAL=BAR0+0x5600): the descriptor read fails -> RXO, RNBC, MPC; RDH does not move"],
          ["w", V, 0x00200000], ["w", V + 4, 0],
          ["w", "RDBAL", BAR0 + 0x5600], ["w", "RDH", 0], ["w", "RDT", 4],
          ["frame", frame(BCAST, 64, seed=3).hex()],
          ["r", "RDH"], ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["irq"], ["r", "ICR"], ["r", V], ["r", V + 8], ["r", V + 12],
          ["mem", 0x200000, 16]]
    s += [["note", "TX descriptor ring in MMIO (TDBAL=BAR0+0x5600): descriptors read as zero, TDH advances, nothing is sent"],
          ["w", V + 8, 0x0900003C], ["w", V + 12, 0],
          ["memw", TXBUF, frame(BCAST, 60, seed=4).hex()],
          ["w", "TDBAL", BAR0 + 0x5600], ["w", "TDBAH", 0], ["w", "TDLEN", 128], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A], ["r", "ICR"],
          ["w", "TDT", 2], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", V + 12], ["r", "ICR"], ["r", "GPTC"]]
    s += [["note", "TX buffers in MMIO: 64 bytes from BAR0+0x5400 (RAL0...) and 16 bytes from BAR0+0x3818 (TDT) read as zeros"],
          ["w", "TCTL", 0], ["w", "TDBAL", TXRING], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A],
          txd(0, BAR0 + 0x5400, 64, EOP | RS),
          txd(1, TXBUF, 14, 0),
          txd(2, BAR0 + 0x3818, 16, EOP | RS),
          ["w", "TDT", 3], ["sleep", 0.1], ["sent"]] + txs(0, 2) + [["r", "TDH"], ["r", "TDT"], ["r", "RAL0"], ["r", "GPTC"]]
    s += alive(rx_ring=True)
    return s

@scenario
def hostile_cve_2018_17963_big_lengths():
    BS = 16384
    s = [["note", "CVE-2018-17963 class: packet lengths near and above 64 KiB. RX ring of 8 x 16 KiB, RCTL=EN|BAM|LPE|SBP|BSEX (16384)"]]
    s += rx_setup(n=8, bsz=BS, rctl=0x8002 | 0x20 | 0x04 | 0x02000000 | (1 << 16), rdt=7)
    s += [["note", "a 65535-byte frame: 65539 with CRC -> four full descriptors and a fifth holding 3 CRC bytes"],
          ["frame", frame(BCAST, 65535, seed=1).hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3, 4) + [["mem", RXBUF + 4 * BS - 8, 16], ["mem", RXBUF + 4 * BS, 8], ["r", "ICR"], ["r", "GPRC"],
          ["r", R["PRC1522"]], ["r", R["GORCL"]], ["r", R["GORCH"]]]
    s += [["note", "RDT=4 frees 5,6,7,0..3; a 69632-byte frame (the socket backend's limit) takes five descriptors"],
          ["w", "RDT", 4], ["sleep", 0.1],
          ["frame", frame(BCAST, 69632, seed=2).hex()],
          ["r", "RDH"]] + rxd(5, 6, 7, 0, 1) + [["mem", RXBUF + 1 * BS + 4090, 16], ["r", "ICR"], ["r", "GPRC"], ["r", R["TORL"]], ["r", R["TORH"]]]
    s += [["note", "TX: one legacy descriptor of 65535 bytes with EOP goes out whole"]]
    s += tx_setup(n=8) + [["r", "ICR"], ["mem-fill", 0x400000, 0xFFFF, 0x5A], ["memw", 0x400000, frame(BCAST, 14).hex()],
          txd(0, 0x400000, 0xFFFF, EOP | RS),
          ["w", "TDT", 1], ["sleep", 0.5], ["sent"]] + txs(0) + [["r", "TDH"], ["r", "ICR"], ["r", "GPTC"], ["r", R["PTC1522"]],
          ["r", R["GOTCL"]], ["r", R["GOTCH"]]]
    s += alive(rx_ring=True)
    s += [["note", "a 69633-byte frame exceeds QEMU's socket backend limit: the backend drops the connection; registers still answer, nothing more goes out"],
          ["frame", frame(BCAST, 69633, seed=3).hex()],
          ["r", "RDH"], ["r", "STATUS"], ["r", "ICR"],
          ["memw", 0x380000, frame(BCAST, 60, seed=4).hex()],
          ["desc-raw", 0x1C0000, 1, legacy_desc(0x380000, 60, EOP | RS)],
          ["w", "TDT", 2], ["sleep", 0.1], ["sent"], ["txstatus", 0x1C0000, 1], ["r", "TDH"], ["r", "GPTC"], ["r", "STATUS"]]
    return s

@scenario
def hostile_dma_outside_ram():
    END = 64 << 20
    s = [["note", "descriptors and buffers outside the 64 MiB of RAM or straddling its end"]]
    s += [["mem-fill", END - 0x100, 0x100, 0xCC]]
    s += [["note", "RX ring in the last 128 bytes of RAM; buffers: 0 straddles the end, 1 is at 128 MiB, 2 at 2^64-4096, 3 and 4 normal"],
          rxdesc_raw(0, END - 16, ring=END - 128),
          rxdesc_raw(1, 0x8000000, ring=END - 128),
          rxdesc_raw(2, 0xFFFFFFFFFFFFF000, ring=END - 128),
          rxdesc_raw(3, RXBUF, ring=END - 128),
          rxdesc_raw(4, RXBUF + 0x800, ring=END - 128),
          ["w", "RDBAL", END - 128], ["w", "RDBAH", 0], ["w", "RDLEN", 128], ["w", "RDH", 0], ["w", "RDT", 7],
          ["w", "IMS", 0x9F], ["w", "RCTL", 0x8002], ["sleep", 1.2],
          ["frame", frame(BCAST, 64, seed=1).hex()],
          ["frame", frame(BCAST, 64, seed=2).hex()],
          ["frame", frame(BCAST, 64, seed=3).hex()],
          ["frame", frame(BCAST, 64, seed=4).hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3, ring=END - 128) + [["mem", END - 32, 32], ["mem", RXBUF, 16], ["r", "ICR"], ["r", "GPRC"], ["r", "RNBC"]]
    s += [["note", "RX ring straddling the end: RDBAL=END-64, RDH=3 RDT=6: descriptor 3 is the last in RAM; 4..7 past the end read as zero (null buffers, skipped) so the second frame wraps to descriptor 0"],
          rxdesc_raw(3, RXBUF + 0x1000, ring=END - 64),
          ["w", "RDBAL", END - 64], ["w", "RDH", 3], ["w", "RDT", 6],
          ["frame", frame(BCAST, 64, seed=5).hex()],
          ["frame", frame(BCAST, 64, seed=6).hex()],
          ["r", "RDH"], ["rxdesc", END - 64, 3], ["mem", RXBUF + 0x1000, 16], ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["r", "ICR"]]
    s += [["note", "RDBAH=1: the ring is at 4 GiB + 1 MiB where nothing is mapped: the descriptor fetch fails -> RXO, RNBC, RDH stays"],
          ["w", "RDBAL", RXRING], ["w", "RDBAH", 1], ["w", "RDH", 0], ["w", "RDT", 7],
          ["frame", frame(BCAST, 64, seed=7).hex()],
          ["r", "RDH"], ["r", "RNBC"], ["r", "GPRC"], ["r", "ICR"], ["w", "RDBAH", 0]]
    s += [["note", "TX ring at 128 MiB (outside RAM): descriptors read as zero, nothing sent"],
          ["w", "TDBAL", 0x8000000], ["w", "TDBAH", 0], ["w", "TDLEN", 128], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A], ["r", "ICR"],
          ["w", "TDT", 3], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"], ["r", "GPTC"]]
    s += [["note", "TX buffers: 100 bytes starting 48 bytes before the end of RAM; 60 bytes at 128 MiB; 60 bytes at 2^64-32"],
          ["memw", END - 48, frame(BCAST, 48, seed=8).hex()],
          ["w", "TCTL", 0], ["w", "TDBAL", TXRING], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A],
          txd(0, END - 48, 100, EOP | RS),
          txd(1, 0x8000000, 60, EOP | RS),
          txd(2, 0xFFFFFFFFFFFFFFE0, 60, EOP | RS),
          ["w", "TDT", 3], ["sleep", 0.1], ["sent"]] + txs(0, 1, 2) + [["r", "TDH"], ["r", "GPTC"]]
    s += [["note", "TX ring straddling the end (TDBAL=END-32, 8 entries): descriptors 0,1 in RAM, 2.. past the end"],
          ["memw", TXBUF, frame(BCAST, 60, seed=9).hex()],
          ["desc-raw", END - 32, 0, legacy_desc(TXBUF, 60, EOP | RS)],
          ["desc-raw", END - 32, 1, legacy_desc(TXBUF, 60, EOP | RS)],
          ["w", "TCTL", 0], ["w", "TDBAL", END - 32], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A],
          ["w", "TDT", 4], ["sleep", 0.1], ["sent"], ["txstatus", END - 32, 0], ["txstatus", END - 32, 1], ["r", "TDH"], ["r", "GPTC"]]
    s += alive(rx_ring=True)
    return s

@scenario
def hostile_cve_2012_6075_rx_oversize():
    s = [["note", "CVE-2012-6075 class: frames larger than the guest's buffers with LPE=0 and SBP=0. 8 descriptors of 256 bytes, contiguous, guard bytes 0xee after them"]]
    s += rx_setup(n=8, bsz=256, rctl=0x8002 | (3 << 16), rdt=7)
    s += [["mem-fill", RXBUF + 8 * 256, 64, 0xEE]]
    s += [["note", "1523 and 4000 bytes: dropped as oversize (ROC), nothing written"],
          ["frame", frame(BCAST, 1523, seed=1).hex()],
          ["frame", frame(BCAST, 4000, seed=2).hex()],
          ["r", "RDH"], ["r", "ROC"], ["r", "RNBC"], ["r", "ICR"], ["mem", RXBUF, 16], ["mem", RXBUF + 8 * 256, 16]]
    s += [["note", "1522 bytes (1526 with CRC) is split over 6 of the 7 free 256-byte buffers, nothing written past any buffer"],
          ["frame", frame(BCAST, 1522, seed=3).hex()],
          ["r", "RDH"]] + rxd(0, 1, 2, 3, 4, 5, 6) + [["mem", RXBUF + 256 - 4, 8], ["mem", RXBUF + 5 * 256 - 4, 8], ["mem", RXBUF + 5 * 256 + 240, 32],
          ["r", "ICR"]]
    s += [["note", "another 1522: only RDH=6 is free (256 bytes) -> RXO, RNBC, MPC, nothing written"],
          ["frame", frame(BCAST, 1522, seed=4).hex()],
          ["r", "RDH"], ["r", "RNBC"], ["r", "MPC"], ["r", "ICR"], ["mem", RXBUF + 6 * 256, 8], ["mem", RXBUF + 8 * 256, 16]]
    s += [["note", "SBP on, ring reset to RDH=0 RDT=7: a 3000-byte frame (12 buffers) does not fit 7 -> RXO; a 1788-byte one (1792 = 7 x 256) fits exactly"],
          ["rxring", RXRING, 8, RXBUF, 256], ["w", "RDH", 0], ["w", "RDT", 7],
          ["w", "RCTL", 0x8006 | (3 << 16)], ["sleep", 1.2],
          ["frame", frame(BCAST, 3000, seed=5).hex()],
          ["r", "RDH"], ["r", "RNBC"], ["r", "ICR"],
          ["frame", frame(BCAST, 1788, seed=6).hex()],
          ["r", "RDH"]] + rxd(6) + [["mem", RXBUF + 6 * 256 + 240, 24], ["mem", RXBUF + 8 * 256, 16], ["r", "ROC"], ["r", "ICR"]]
    s += alive(rx_ring=True)
    return s


@scenario
def tx_edge_cases():
    z = ["sleep", 0.01]
    f = [frame(BCAST, 60 + 10 * i, seed=0x40 + i) for i in range(8)]
    s = [["note", "fresh device: no context descriptor yet (all offsets 0). TX ring of 8, IMS=TXDW|TXQE"]]
    s += tx_setup(n=8) + [["w", "IMS", 0x03], ["irq"], ["r", "ICR"], ["irq"]]
    for i in range(8):
        s += [["memw", TXBUF + i * 0x400, f[i].hex()]]
    s += [["note", "TDT written equal to TDH, and TCTL rewritten with TDH=TDT: nothing sent, TXQE raised each time"],
          z, ["w", "TDT", 0], ["irq"], ["r", "ICS"], ["r", "ICR"], ["irq"],
          z, ["w", "TCTL", 0x0A], ["irq"], ["r", "ICR"], ["irq"], ["sent"]]
    s += [["note", "DEXT data descriptors without a context: TXSM and IXSM sum the whole frame (css 0) into bytes 0-1 (cso 0); IFCS ignored"],
          dd(0, TXBUF, 60, EOP | RS | IFCS, popts=TXSM),
          dd(1, TXBUF, 60, EOP | RS, popts=IXSM),
          dd(2, TXBUF, 60, EOP, popts=IXSM | TXSM),
          z, ["w", "TDT", 3], ["sleep", 0.1], ["sent"]] + txs(0, 1, 2) + [["r", "TDH"], ["irq"], ["r", "ICR"]]
    s += [["note", "RS on non-EOP descriptors: each gets DD and TXDW; POPTS of the first data descriptor apply to a legacy EOP descriptor that ends the frame"],
          dd(3, TXBUF + 0x400, 30, RS, popts=TXSM),
          txd(4, TXBUF + 0x400 + 30, 40, RS),
          txd(5, TXBUF + 0x400 + 70, 0, EOP),
          z, ["w", "TDT", 6], ["sleep", 0.1], ["sent"]] + txs(3, 4, 5) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "TCTL.EN=0 in the middle of a frame: the first half (desc 6, RS) is processed, then EN=0 holds desc 7 and 0; EN=1 resumes and the halves are joined"],
          txd(6, TXBUF + 0x800, 50, RS),
          z, ["w", "TDT", 7], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"],
          ["w", "TCTL", 0x08],
          txd(7, TXBUF + 0x800 + 50, 30, 0),
          txd(0, TXBUF + 0x800 + 80, 0, EOP | RS),
          ["w", "TDT", 1], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "TDT"], ["r", "ICR"],
          z, ["w", "TCTL", 0x0A], ["sleep", 0.1], ["sent"]] + txs(6, 7, 0) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "a context descriptor between two data descriptors of one frame: the frame uses the context in force at EOP (tucss=20 tucso=14)"],
          dd(1, TXBUF + 0xC00, 40, 0, popts=TXSM),
          cd(2, tucss=20, tucso=14, tucse=0),
          dd(3, TXBUF + 0xC00 + 40, 50, EOP | RS, popts=0),
          ["w", "TDT", 4], ["sleep", 0.1], ["sent"]] + txs(1, 2, 3) + [["r", "TDH"], ["r", "ICR"]]
    s += [["note", "TDH rewritten while TDH != TDT (EN=0): TDT=7, TDH=6 skips 4 and 5; then TDH=2 below TDT re-sends 2..6 (DD already set is ignored)"],
          ["w", "TCTL", 0x08],
          txd(4, TXBUF + 0x1000, 60, EOP | RS),
          txd(5, TXBUF + 0x1400, 60, EOP | RS),
          txd(6, TXBUF + 0x1800, 60, EOP | RS),
          ["w", "TDT", 7], ["w", "TDH", 6], ["r", "TDH"],
          z, ["w", "TCTL", 0x0A], ["sleep", 0.1], ["sent"]] + txs(4, 5, 6) + [["r", "TDH"], ["r", "ICR"],
          ["w", "TCTL", 0x08], ["w", "TDH", 2], ["r", "TDH"], z, ["w", "TCTL", 0x0A], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"],
          ["r", "GPTC"], ["r", "TPT"], ["r", R["TOTL"]], ["r", R["TOTH"]]]
    s += [["note", "TDH=9, outside the 8-entry ring: one descriptor, then TDH wraps to 0 and processing stops"],
          ["w", "TCTL", 0x08], ["w", "TDH", 9], ["r", "TDH"], z, ["w", "TCTL", 0x0A], ["sleep", 0.1], ["sent"], ["r", "TDH"], ["r", "ICR"]]
    tiny = TXBUF + 0x1C00
    s += [["note", "packets shorter than 12 bytes: QEMU's packet buffer still holds the previous packet's bytes after them. A 2-byte ff ff after a broadcast frame counts in BPTC; with CTRL.VME, a 3-byte packet with VLE goes out as 7 bytes: its 3 and 4 left by earlier packets (the tag lands past the end); then 8 bytes without VLE, 2 and 7 bytes with VLE"],
          ["w", "TCTL", 0x08], ["w", "TDH", 0], ["w", "TDT", 0], ["w", "TCTL", 0x0A], ["r", "ICR"],
          ["memw", tiny, "ffff0102030405060708"], ["memw", tiny + 0x10, "0102030405"],
          txd(0, TXBUF + 0x1800, 60, EOP | RS),
          txd(1, tiny, 2, EOP | RS),
          txd(2, tiny + 0x10, 3, EOP | RS | VLE, special=0x5678),
          txd(3, tiny + 2, 8, EOP | RS),
          txd(4, tiny + 0x10, 2, EOP | RS | VLE, special=0x9ABC),
          txd(5, tiny + 2, 7, EOP | RS | VLE, special=0x1111),
          ["w", "TDT", 2], ["sleep", 0.1], ["sent"]] + r("BPTC", "MPTC") + [
          ["w", "CTRL", 0x40140240], ["w", "TDT", 6], ["sleep", 0.1], ["sent"], ["w", "CTRL", 0x00140240]] + r("BPTC", "MPTC", "PTC64") + [
          ["r", "TDH"], ["r", "ICR"]]
    s += alive(rx_ring=True, rctl=True)
    return s


def ra_words(mac, av=True, extra=0):
    """RAL/RAH values for a MAC address; extra: RAH bits 16..30 (address select, reserved)"""
    low = struct.unpack("<I", mac[:4])[0]
    high = struct.unpack("<H", mac[4:6])[0] | extra | (0x80000000 if av else 0)
    return low, high

def set_ra(n, mac, av=True, extra=0):
    low, high = ra_words(mac, av, extra)
    return [["w", 0x5400 + 8 * n, low], ["w", 0x5404 + 8 * n, high]]

@scenario
def rx_filters_deep():
    N = 32
    seed = [0x10]
    def fr(dst):
        seed[0] += 1
        return [["frame", frame(dst, 64, seed=seed[0]).hex()], ["r", "RDH"]]
    ua = lambda b: bytes.fromhex("0200000000") + bytes([b])
    MC = bytes.fromhex("01005e001234")   # bytes 4,5 = 12 34: hash MO0 0x341, MO1 0x682, MO2 0xd04, MO3 0x412
    MC2 = bytes.fromhex("01005e00abcd")
    UC3 = bytes.fromhex("020000005678")  # unicast, not in RA: hash MO0 0x785, MO2 0xe15
    def mta_bit(h):
        return (0x5200 + 4 * (h >> 5), 1 << (h & 31))
    s = [["note", "32 x 2048 ring; RCTL=EN only (no BAM/UPE/MPE), MO=0"]]
    s += rx_setup(n=N, bsz=2048, rctl=0x0002, rdt=N - 1)
    s += [["note", "RA1 ..11 AV, RA2 ..22 without AV, RA7 ..77 AV with address-select bits 01 and reserved bits 18-30 set, RA15 ..ff AV, RA3 multicast 01:00:5e:00:12:34 AV; read back"]]
    s += set_ra(1, ua(0x11)) + set_ra(2, ua(0x22), av=False) + set_ra(7, ua(0x77), extra=0x7FFD0000) \
        + set_ra(15, ua(0xFF)) + set_ra(3, MC)
    s += [["r", 0x5400 + 8 * n] for n in (1, 2, 3, 7, 15)] + [["r", 0x5404 + 8 * n] for n in (1, 2, 3, 7, 15)]
    s += [["note", "to RA1 (in), RA2 (AV off: out), RA7 (in), RA15 (in), RA3's multicast (in, not counted in MPRC)"]]
    s += fr(ua(0x11)) + fr(ua(0x22)) + fr(ua(0x77)) + fr(ua(0xFF)) + fr(MC)
    s += r("BPRC", "MPRC") + [["r", "GPRC"]]
    s += [["note", "broadcast with BAM off: out; with MTA[127] bit 31 (the hash of ff:ff, MO=0) it comes in through the hash and counts in MPRC"]]
    s += fr(BCAST) + [["w", 0x5200 + 4 * 127, 0x80000000]] + fr(BCAST) + r("BPRC", "MPRC") + [["w", 0x5200 + 4 * 127, 0]]
    s += [["note", "RA0 without AV: our own MAC is refused; broadcast in RA4 with BAM off: accepted, not counted"]]
    s += [["w", "RAH0", ra_words(MAC, av=False)[1]]] + fr(MAC) + set_ra(4, BCAST) + fr(BCAST) + r("BPRC", "MPRC")
    s += [["w", "RAH0", ra_words(MAC)[1]]] + set_ra(4, BCAST, av=False) + set_ra(3, MC, av=False)
    a = mta_bit(0x682); b = mta_bit(0x412); c = mta_bit(0xE15)
    s += [["note", "RA3 invalidated; MTA bits for MC under MO=1 (0x682) and MO=3 (0x412), for the unicast UC3 (not in RA) under MO=2 (0xe15)"],
          ["w", a[0], a[1]], ["w", b[0], b[1]], ["w", c[0], c[1]]]
    for mo, dsts in [(0, (MC, UC3)), (1, (MC,)), (2, (MC, UC3)), (3, (MC,))]:
        s += [["note", "RCTL.MO=%d: %s" % (mo, ", ".join(":".join("%02x" % x for x in d) for d in dsts))]]
        if mo:
            s += [["w", "RCTL", 0x0002 | (mo << 12)], ["sleep", 1.05]]
        for d in dsts:
            s += fr(d)
    s += r("MPRC") + [["r", "GPRC"]]
    s += [["note", "MTA cleared; RCTL=EN|UPE: another unicast in, multicast out, broadcast out (UPE is not for broadcast)"],
          ["w", a[0], 0], ["w", b[0], 0], ["w", c[0], 0], ["w", "RCTL", 0x0002 | 0x08], ["sleep", 1.05]]
    s += fr(ua(0x44)) + fr(MC2) + fr(BCAST) + r("BPRC", "MPRC")
    s += [["note", "RCTL=EN|MPE|BAM: multicast in, broadcast in and counted as multicast (MPE is tested first), other unicast out"],
          ["w", "RCTL", 0x0002 | 0x10 | 0x8000], ["sleep", 1.05]]
    s += fr(MC2) + fr(BCAST) + fr(ua(0x44)) + r("BPRC", "MPRC")
    s += [["note", "the ring: first 16 bytes of each buffer used"], ["r", "RDH"]]
    s += [["mem", RXBUF + i * 2048, 16] for i in range(13)]
    s += [["r", "GPRC"], ["r", "TPR"], ["r", "STATUS"], ["r", "ICR"]]
    return s

@scenario
def rx_bufsize_rdmts():
    BS, N = 16384, 16
    # (RCTL size bits, RDMTS, extra RCTL bits, big frame length, what it shows)
    combos = [(0x00010000, 0, 0, 1500, "BSIZE=01: 1024-byte buffers, 1504 bytes -> 1024 + 480"),
              (0x00020000, 1, 0x04000000, 1024, "BSIZE=10: 512-byte buffers with SECRC, 1024 bytes -> 512 + 512"),
              (0x02030000, 2, 0x20, 4093, "BSEX|BSIZE=11: 4096-byte buffers (LPE), 4097 bytes -> 4096 + 1 CRC byte"),
              (0x02020000, 3, 0x20, 9000, "BSEX|BSIZE=10: 8192-byte buffers (LPE), 9004 bytes -> 8192 + 812"),
              (0x02000000, 0, 0x20, 3000, "BSEX|BSIZE=00 (reserved): 2048-byte buffers (LPE), 3004 bytes -> 2048 + 956"),
              (0x02010000, 1, 0x04, 17000, "BSEX|BSIZE=01: 16384-byte buffers, SBP without LPE, 17004 bytes -> 16384 + 620")]
    thresholds = {0: 8, 1: 4, 2: 2, 3: 1}   # free descriptors at which RXDMT0 fires: free * 16 <= RDLEN >> (RDMTS + 1)
    s = [["note", "16 descriptors (RDLEN=256), buffers 16 KiB apart; each RCTL write sets the buffer size and RDMTS; RDT is placed so that the big frame leaves threshold+1 free descriptors (no RXDMT0) and the next 64-byte frame leaves exactly the threshold (RXDMT0)"]]
    s += [["rxring", RXRING, N, RXBUF, BS], ["w", "RDBAL", RXRING], ["w", "RDBAH", 0], ["w", "RDLEN", 16 * N],
          ["w", "RDH", 0], ["w", "RDT", 0], ["w", "IMS", 0x9F]]
    head = 0
    for k, (size, rdmts, extra, n, what) in enumerate(combos):
        thr = thresholds[rdmts]
        rdt = (head + 2 + thr + 1) % N
        rctl = 0x8002 | size | (rdmts << 8) | extra
        s += [["note", "RCTL=%#010x RDMTS=%d (RXDMT0 at %d free): %s" % (rctl, rdmts, thr, what)],
              ["w", "RDT", rdt], ["w", "RCTL", rctl], ["sleep", 1.05],
              ["frame", frame(BCAST, n, seed=k + 1).hex()], ["r", "RDH"], ["r", "ICR"],
              ["frame", frame(BCAST, 64, seed=k + 0x41).hex()], ["r", "RDH"], ["r", "ICR"]]
        s += rxd(head, (head + 1) % N, (head + 2) % N)
        first = (RXBUF + head * BS)
        bsize = {0x00010000: 1024, 0x00020000: 512, 0x02030000: 4096, 0x02020000: 8192, 0x02000000: 2048, 0x02010000: 16384}[size]
        s += [["mem", first + bsize - 4, 8], ["mem", RXBUF + ((head + 1) % N) * BS, 8],
              ["mem", RXBUF + ((head + 1) % N) * BS + max(0, n - bsize - 4), 8]]
        head = (head + 3) % N
    s += [["r", "RDT"], ["r", "ROC"], ["r", "RNBC"], ["r", "GPRC"], ["r", "STATUS"], ["r", "ICR"]]
    return s


@scenario
def rx_disabled_queue():
    F = lambda seed, n=64: ["frame", frame(BCAST, n, seed=seed).hex()]
    s = [["note", "8 x 2048 ring, RDT=7, RCTL=BAM (EN=0), its 1 s holdback waited out. Frames are sent one by one: the first the NIC cannot take waits in QEMU's queue, the next ones stay unread in the socket"]]
    s += rx_setup(n=8, bsz=2048, rdt=7, rctl=0x8000)
    s += [["note", "RCTL.EN=0: frames 1 and 2 wait; an RDT write flushes the queue into the disabled receiver: frame 1 is lost (no RXO, no counter), frame 2, read next, waits again"],
          F(1), F(2), ["r", "RDH"], ["r", "ICR"],
          ["w", "RDT", 7], ["sleep", 0.2], ["r", "RDH"], ["r", "ICR"], ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"], ["mem", RXBUF, 16]]
    s += [["note", "frames 3 and 4 while disabled, then RCTL=EN|BAM: frames 2, 3, 4 are delivered when its 1 s holdback ends"],
          F(3), F(4), ["w", "RCTL", 0x8002], ["sleep", 0.5], ["r", "RDH"], ["sleep", 0.7], ["r", "RDH"]] + rxd(0, 1, 2) + [
          ["mem", RXBUF, 16], ["mem", RXBUF + 2048, 16], ["mem", RXBUF + 2 * 2048, 16], ["r", "ICR"]]
    s += [["note", "frame 5 sent during the holdback of a new RCTL write; RCTL rewritten 0.6 s later restarts the holdback; an RDT write during it delivers nothing"],
          ["w", "RCTL", 0x8002], F(5), ["sleep", 0.6], ["w", "RCTL", 0x8002], ["sleep", 0.6], ["r", "RDH"],
          ["w", "RDT", 7], ["r", "RDH"], ["sleep", 0.6], ["r", "RDH"]] + rxd(3) + [["mem", RXBUF + 3 * 2048, 16], ["r", "ICR"]]
    s += [["note", "RDT=RDH=4 (no free descriptor): frames 6 and 7 wait; RCTL.EN=0: the flush at the end of its holdback drops frame 6; RDT=6 drops frame 7; no RXO"],
          ["w", "RDT", 4], F(6), F(7), ["r", "RDH"], ["w", "RCTL", 0x8000], ["sleep", 1.1], ["r", "RDH"], ["r", "ICR"],
          ["w", "RDT", 6], ["sleep", 0.2], ["r", "RDH"], ["r", "ICR"], ["r", "RNBC"], ["mem", RXBUF + 4 * 2048, 16]]
    s += [["note", "receiver enabled, RDT=RDH=4 again: frames 8 and 9 wait; an RCTL write: the flush at the end of its holdback finds no descriptor for frame 8 (RXO, RNBC, MPC), frame 9 waits; RDT=6 delivers it, frame 10 follows"],
          ["w", "RCTL", 0x8002], ["sleep", 1.05], ["w", "RDT", 4], F(8), F(9), ["r", "ICR"],
          ["w", "RCTL", 0x8002], ["sleep", 1.1], ["r", "RDH"], ["r", "ICR"], ["r", "RNBC"], ["r", "MPC"],
          ["w", "RDT", 6], ["sleep", 0.2], ["r", "RDH"], F(10), ["r", "RDH"]] + rxd(4, 5) + [
          ["mem", RXBUF + 4 * 2048, 16], ["mem", RXBUF + 5 * 2048, 16],
          ["r", "GPRC"], ["r", "TPR"], ["r", "STATUS"], ["r", "ICR"]]
    return s

@scenario
def irq_icr_pending():
    z = ["sleep", 0.01]   # rising edges > 128 us apart
    s = [["note", "IMS=0: causes collect in ICR without raising the line; an ICR read returns and clears them all"],
         ["r", "IMS"], ["w", "ICS", 0x80], ["w", "ICS", 0x04], ["irq"], ["r", "ICS"], ["r", "ICR"], ["irq"], ["r", "ICR"], ["r", "ICS"],
         ["note", "IMS=0, IMC of everything and ICS 0: nothing changes; ICR write of 0 keeps the causes"],
         ["w", "IMC", 0xFFFFFFFF], ["w", "ICS", 0], ["w", "ICS", 0x10], ["w", "ICR", 0], ["r", "ICS"], ["irq"],
         ["note", "unmasking a pending cause raises the line at once; IMS=0x80 more does not lower it; ICR read lowers it"],
         z, ["w", "IMS", 0x10], ["irq"], ["w", "IMS", 0x80], ["irq"], ["r", "IMS"], ["r", "ICR"], ["irq"], ["r", "ICS"]]
    s += [["note", "a masked cause (0x01) and an unmasked one (0x80) pending: clearing 0x80 (ICR write) lowers the line, 0x01 stays"],
          z, ["w", "ICS", 0x81], ["irq"], ["w", "ICR", 0x80], ["irq"], ["r", "ICS"],
          ["note", "IMC of the only unmasked pending cause lowers the line but keeps ICR; IMS again raises it"],
          z, ["w", "ICS", 0x80], ["irq"], ["w", "IMC", 0x80], ["irq"], ["r", "ICS"], z, ["w", "IMS", 0x80], ["irq"],
          ["note", "reading ICS does not clear; ICR read with the line up returns every cause, masked ones too"],
          ["r", "ICS"], ["irq"], ["r", "ICR"], ["irq"], ["r", "ICR"],
          ["note", "line up, more causes added: the line stays up; ICR returns them all; ICR write of all ones on an empty ICR"],
          z, ["w", "IMS", 0x9F], ["w", "ICS", 0x02], ["irq"], ["w", "ICS", 0x10], ["w", "ICS", 0x40], ["irq"], ["r", "ICR"], ["irq"],
          ["w", "ICR", 0xFFFFFFFF], ["r", "ICS"], ["irq"]]
    hold = [["w", "RDTR", 1], ["w", "RADV", 0xFFFF], ["sleep", 0.1]]
    s += [["note", "RDTR=1 RADV=65535 (67 ms window after an RXT0 edge): an ICR read inside the window, with a new RXT0 held, cancels the raise"]] + hold + [
          ["w", "ICS", 0x80], ["r", "ICR"], ["w", "ICS", 0x80], ["r", "ICR"], ["irq"], ["sleep", 0.25], ["r", "STATUS"], ["irq"], ["r", "ICS"],
          ["note", "a held RXT0 whose mask is cleared inside the window: nothing when it ends, IMS afterwards raises at once"],
          ["sleep", 0.1], ["w", "ICS", 0x80], ["r", "ICR"], ["w", "ICS", 0x80], ["w", "IMC", 0x80], ["sleep", 0.25], ["r", "STATUS"], ["irq"],
          ["w", "IMS", 0x80], ["irq"], ["r", "ICR"], ["irq"],
          ["note", "an RXT0 edge opens the window; after an ICR read, an LSC edge inside it is held too (the window holds every edge)"],
          ["sleep", 0.1], ["w", "ICS", 0x80], ["r", "ICR"], ["w", "ICS", 0x04], ["irq"], ["sleep", 0.25], ["r", "STATUS"], ["irq"], ["r", "ICR"], ["irq"],
          ["w", "RDTR", 0], ["w", "RADV", 0], ["sleep", 0.05]]
    s += [["note", "a received frame with IMS=0: RXT0 and RXDMT0 (1 free descriptor left of 8) wait in ICR, line low; IMS=0x90 raises it"]]
    s += rx_setup(n=8, bsz=2048, rdt=2, ims=0) + [["w", "IMC", 0xFFFFFFFF], ["r", "ICR"],
          ["frame", frame(BCAST, 64, seed=1).hex()], ["irq"], ["r", "RDH"], ["r", "ICS"], z, ["w", "IMS", 0x90], ["irq"], ["r", "ICR"], ["irq"],
          ["r", "STATUS"], ["r", "ICR"]]
    return s

# registers QEMU implements, does not implement, or only reads, for regs_semantics
XREG = dict(CTRL_EXT=0x18, FLA=0x1C, FCAL=0x28, FCAH=0x2C, FCT=0x30, FCTTV=0x170, TXCW=0x178, RXCW=0x180,
          TIPG=0x410, AIT=0x458, FCRTL=0x2160, FCRTH=0x2168, RDFT=0x2418, RDFPC=0x2430, RXDCTL=0x2828,
          RSRPD=0x2C00, TDFT=0x3418, TDFPC=0x3430, TSPMT=0x3830, RXCSUM=0x5000, WUC=0x5800, WUFC=0x5808,
          WUS=0x5810, IPAV=0x5838, IP4AT=0x5840, SWSM=0x5B50, FWSM=0x5B54, FFLT=0x5F00, FFMT=0x9000, FFVT=0x9800, PBM=0x10000)

@scenario
def regs_semantics():
    names = ["CTRL", "STATUS", "EECD", "EERD", "MDIC", "ICR", "ITR", "ICS", "IMS", "IMC", "RCTL", "TCTL",
             "RDBAL", "RDBAH", "RDLEN", "RDH", "RDT", "RDTR", "RADV", "TDBAL", "TDBAH", "TDLEN", "TDH", "TDT", "TIDV", "TADV",
             "RAL0", "RAH0", "MTA0", "VFTA0"]
    other = [R["VET"], R["PBA"], R["LEDCTL"], R["MANC"], R["TXDCTL"]] + list(XREG.values())
    s = [["note", "reset values: named registers, then VET PBA LEDCTL MANC TXDCTL and unimplemented or partial ones by offset"]]
    s += [["r", n] for n in names] + [["r", o] for o in other]
    rw = ["CTRL", "STATUS", "ITR", "RDTR", "RADV", "TIDV", "TADV", "RDBAL", "RDBAH", "RDLEN", "RDH", "TDBAL", "TDBAH", "TDLEN", "TDH",
          "MTA0", "VFTA0", "GPRC", "MPC", "TPT"]
    s += [["note", "all ones written to each, read back: CTRL loses RST, STATUS and statistics are read-only, the mitigation registers and RDH/TDH keep 16 bits, the ring lengths 0xfff80, unimplemented registers stay 0"]]
    s += [["w", n, 0xFFFFFFFF] for n in rw] + [["w", o, 0xFFFFFFFF] for o in other]
    s += [["r", n] for n in rw] + [["r", o] for o in other]
    s += [["note", "zeros written back; CTRL=0 clears SLU, ASDE, SPEED and the SWDPINs: STATUS does not change"]]
    s += [["w", n, 0] for n in rw] + [["w", o, 0] for o in other]
    s += [["r", n] for n in rw] + [["r", o] for o in other]
    s += [["note", "CTRL.RST (bit 26) resets nothing and reads back as 0: IMS, RDBAL, RA0 and MTA survive"],
          ["w", "IMS", 0x9F], ["w", "RDBAL", 0x12340], ["w", "MTA0", 0x5A5A], ["w", "CTRL", 0x04140240],
          ["r", "CTRL"], ["r", "STATUS"], ["r", "IMS"], ["r", "RDBAL"], ["r", "RAL0"], ["r", "RAH0"], ["r", "MTA0"], ["r", "ICR"],
          ["w", "IMC", 0xFFFFFFFF], ["w", "MTA0", 0]]
    s += [["note", "unaligned 32-bit reads are cut into aligned pieces, each reading the whole register that holds it and keeping its low bytes: CTRL at +1, +2, +3, STATUS at -2, +1, +2"]]
    s += [["w", "CTRL", 0x00140240]] + [["r", o] for o in (1, 2, 3, 6, 7, 9, 10)]
    s += [["note", "a read at ICS+2 reads ICS and ITR; one at ICR+2 clears ICR"],
          ["w", "ICS", 0x84], ["r", 0xCA], ["r", "ICS"], ["r", 0xC2], ["r", "ICS"]]
    s += [["note", "unaligned writes: RDBAL+2 writes RDBAL (low half) then RDBAH; RDBAL+1 writes RDBAL three times; RDBAH+3 reaches RDLEN; MTA0+3"],
          ["w", 0x2802, 0x12345678], ["r", "RDBAL"], ["r", "RDBAH"],
          ["w", 0x2801, 0xAABBCCDD], ["r", "RDBAL"], ["r", "RDBAH"],
          ["w", "RDLEN", 0x1000], ["w", 0x2807, 0x11223344], ["r", "RDBAH"], ["r", "RDLEN"],
          ["w", 0x5203, 0xCAFEBABE], ["r", "MTA0"], ["r", 0x5204],
          ["w", "RDBAL", 0], ["w", "RDBAH", 0], ["w", "RDLEN", 0], ["w", "MTA0", 0], ["w", 0x5204, 0]]
    s += [["note", "the last word of BAR0 (PBM): a write 2 bytes before the end keeps the part inside; reads past the end are 0"],
          ["w", 0x1FFFC, 0x11223344], ["r", 0x1FFFC], ["r", 0x1FFFE], ["r", 0x1FFFD], ["w", 0x1FFFE, 0xAABBCCDD], ["r", 0x1FFFC],
          ["w", 0x1FFFC, 0]]
    bits = [1, 1, 0] + [(2 >> (5 - k)) & 1 for k in range(6)]
    s += [["note", "EECD: a Microwire read of word 2 with DO (bit 3) written as 1 all along: DO reads the EEPROM bit, the written DO is not kept; FWE/REQ read back"]]
    s += [["w", "EECD", 0x0A]]
    for b in bits:
        di = 0x04 if b else 0
        s += [["w", "EECD", 0x0A | di], ["w", "EECD", 0x0B | di], ["w", "EECD", 0x0A | di]]
    for k in range(16):
        s += [["r", "EECD"], ["w", "EECD", 0x0B], ["w", "EECD", 0x0A]]
    s += [["w", "EECD", 0xFFFFFFFF], ["r", "EECD"], ["w", "EECD", 0x78], ["r", "EECD"], ["w", "EECD", 0], ["r", "EECD"]]
    s += [["note", "with CTRL.SLU clear the link stays up: frames are still received"],
          ["w", "CTRL", 0]] + rx_setup(n=8, bsz=2048, rdt=7, ims=0) + [
          ["frame", frame(BCAST, 64, seed=1).hex()], ["r", "RDH"]] + rxd(0) + [["r", "STATUS"], ["r", "ICR"], ["w", "CTRL", 0x00140240]]
    s += alive(rx_ring=True)
    return s


@scenario
def rx_ring_quirks():
    s = [["note", "8 x 2048 ring whose first descriptor's buffer is the ring itself: the frame lands over the descriptors, then the whole descriptor is written back from the copy read before (its buffer address too)"]]
    s += rx_setup(n=8, bsz=2048, rdt=7, ims=0)
    s += [rxdesc_raw(0, RXRING), ["frame", frame(MAC, 64, seed=5).hex()], ["r", "RDH"], ["mem", RXRING, 64]] + rxd(0, 1)
    s += [["note", "RDLEN=128 (8 descriptors) of 1024-byte buffers, RDH=10 past the ring, RDT=1: e1000_has_rxbufs counts -1 buffers in an int, times the uint32_t buffer size a number near 4 GiB, so a 1500-byte frame is taken: descriptor 10 gets 1024 bytes, then RXO with RDH wrapped to 0"],
          ["rxring", RXRING, 16, RXBUF, 1024], ["w", "RDLEN", 128], ["w", "RDH", 10], ["w", "RDT", 1],
          ["w", "RCTL", 0x18002], ["sleep", 1.2], ["r", "ICR"],
          ["frame", frame(MAC, 1500, seed=6).hex()], ["r", "RDH"]] + rxd(10, 0) + [
          ["mem", RXBUF + 10 * 1024, 16], ["r", "ICR"], ["r", "RNBC"], ["r", "MPC"], ["r", "GPRC"]]
    s += [["note", "UPE set; a zero-length frame alone on the socket: QEMU's stream parser ends a frame only while bytes follow it, so nothing arrives; the next frame brings both (the empty one padded to 60 bytes)"],
          ["w", "RDH", 0], ["w", "RDT", 7], ["w", "RCTL", 0x1800A], ["sleep", 1.2], ["r", "ICR"],
          ["frame", ""], ["r", "RDH"], ["r", "ICR"],
          ["frame", frame(MAC, 64, seed=7).hex()], ["r", "RDH"]] + rxd(0, 1) + [
          ["mem", RXBUF, 16], ["mem", RXBUF + 1024, 16], ["r", "ICR"], ["r", "GPRC"]]
    s += [["note", "RDT=RDH=2: a frame from the socket waits in QEMU's queue; RDH=4 gives room without a flush; a frame the PHY loops back is received at once, ahead of the queued one, which the next RDT write flushes"],
          ["w", "RDT", 2], ["frame", frame(MAC, 100, seed=8).hex()], ["r", "RDH"], ["w", "RDH", 4]]
    s += tx_setup(n=8) + [mdic(0, MDIC_W, 0x5140),
          ["memw", TXBUF, frame(MAC, 80, seed=9).hex()], txd(0, TXBUF, 80, EOP | IFCS | RS),
          ["w", "TDT", 1], ["sleep", 0.2], ["r", "RDH"], ["r", "ICR"]] + rxd(4) + [
          ["w", "RDT", 2], ["sleep", 0.4], ["r", "RDH"]] + rxd(4, 5) + [
          ["mem", RXBUF + 4 * 1024, 16], ["mem", RXBUF + 5 * 1024, 16], mdic(0, MDIC_W, 0x1140)]
    s += [["note", "a receive buffer at 0xFFFFFFFFFFFFFFF8: the address wraps past 2^64, so the frame from its 9th byte on lands in RAM at 0"],
          ["mem-fill", 0, 80, 0x77], rxdesc_raw(6, 0xFFFFFFFFFFFFFFF8),
          ["frame", frame(MAC, 64, seed=10).hex()], ["r", "RDH"]] + rxd(6) + [["mem", 0, 80]]
    return s

@scenario
def tx_buffer_quirks():
    s = [["note", "TSO with hdr_len 10, mss 20, TCP at TUCSS 18: the sequence number (bytes 22..25) runs past the headers; 43 bytes make segments of 30 and 23 bytes, and the last one's sequence sum carries out of the bytes the first segment left in QEMU's buffer into its last byte"]]
    s += tx_setup(n=16) + [
          ["memw", TXBUF, (bytes(range(0x10, 0x1A)) + b"\x40" * 12 + b"\xff" * 4 + b"\x50" * 16 + b"\x77").hex()],
          cd(0, tucss=18, paylen=33, tucmd=TSE | T_TCP, hdrlen=10, mss=20),
          dd(1, TXBUF, 43, TSE | EOP),
          ["w", "TDT", 2], ["sleep", 0.25], ["sent"]]
    s += [["note", "one TSO data descriptor cut into 601 segments (hdr_len 22, mss 8, neither IP nor TCP), more than a reactor supplies slots for at once: every one is sent before the TDT write returns"],
          ["memw", TXBUF, (BCAST + SRC + bytes.fromhex("88b5") + bytes(8) + pattern(4800, 0, 7)).hex()],
          txd(2, TXBUF, 60, EOP),
          cd(3, ipcss=14, tucss=14, paylen=4800, tucmd=TSE, hdrlen=22, mss=8),
          dd(4, TXBUF, 4822, TSE | EOP),
          ["w", "TDT", 5], ["r", "TDH"], ["r", "GPTC"], ["r", R["TOTL"]], ["r", R["BPTC"]], ["r", R["PTC64"]],
          ["sleep", 0.3], ["sent"]]
    s += [["note", "a 16-byte frame from 0xFFFFFFFFFFFFFFF8: the address wraps past 2^64, so its last 8 bytes come from RAM at 0"],
          ["memw", 0, bytes(range(0xA1, 0xB0)).hex()],
          txd(5, 0xFFFFFFFFFFFFFFF8, 16, EOP | RS),
          ["w", "TDT", 6], ["sleep", 0.25], ["sent"]]
    s += [["note", "PHY loopback with CTRL.VME: a 64-byte frame to ff:ff:ff:ff:00:00 tagged 8100/0005 has its tag stripped by the receiver in QEMU's transmit buffer itself, which moves the addresses 4 bytes on: it is counted as broadcast (BPTC), not multicast"]]
    s += rx_setup(n=8, bsz=2048, rdt=7, rctl=0x8012, ims=0) + [
          ["w", "CTRL", 0x40140240], mdic(0, MDIC_W, 0x5140),
          ["memw", TXBUF, (b"\xff" * 4 + b"\x00" * 2 + SRC + bytes.fromhex("81000005") + eth(b"", 0x88B5, pattern(46, 0, 1), src=b"")).hex()],
          txd(6, TXBUF, 64, EOP),
          ["w", "TDT", 7], ["r", R["BPTC"]], ["r", R["MPTC"]], ["r", "RDH"]] + rxd(0) + [["mem", RXBUF, 16]]
    s += [["note", "loopback off; a 4-byte frame with VLE takes its tag after the bytes the receiver moved (the buffer's bytes 4..7 now ff ff ff ff); then a 0-byte frame, after which QEMU's socket backend sends nothing again"],
          mdic(0, MDIC_W, 0x1140),
          ["memw", TXBUF + 0x100, "aabbccdd"],
          txd(7, TXBUF + 0x100, 4, EOP | VLE, special=0x1234),
          txd(8, TXBUF + 0x100, 0, EOP),
          ["w", "TDT", 9], ["sleep", 0.25], ["sent"], ["r", R["BPTC"]], ["r", R["MPTC"]], ["w", "CTRL", 0x00140240]]
    s += alive(rx_ring=False)
    return s

@scenario
def qtest_bar_access():
    s = [["note", "a client's reads of BAR0 of 1 to 20 bytes from each byte of an 8-byte block (RDBAL..RDT set): QEMU cuts them into pieces of at most 4 bytes, none larger than its address's alignment, each reading the low bytes of the register holding it"],
         ["w", "RDBAL", 0x11223340], ["w", "RDBAH", 0x55667788], ["w", "RDLEN", 0x1000], ["w", "RDH", 3],
         ["w", "RDT", 5], ["w", "RDTR", 0x1234]]
    s += [["mem", BAR0 + 0x2800 + o, n] for o in range(8) for n in range(1, 21)]
    s += [["note", "writes of 3 to 17 bytes from each byte: each piece written, zero-extended, into the whole register holding it"]]
    data = bytes.fromhex("112233445566778899aabbccddeeff0011223344")
    for o in range(8):
        for n in (3, 5, 7, 9, 11, 13, 17):
            s += [["memw", BAR0 + 0x2800 + o, data[:n].hex()], ["mem", BAR0 + 0x2800, 24]]
    s += [["w", "RDLEN", 0], ["w", "RDH", 0], ["w", "RDT", 0], ["w", "RDBAH", 0]]
    s += alive(rx_ring=False)
    return s

def model_identity(model):
    """what tells QEMU's e1000 models apart, for a scenario run with `-device MODEL` (scenarios/NAME.device)"""
    s = [["note", f"{model}: the PCI device ID (pci-id line), EEPROM words 0x0B and 0x0D and the checksum word, PHY identifier 2, VET after reset (init-vet), before and after CTRL.RST"],
         ["r", "STATUS"], ["r", "CTRL"], ["r", R["VET"]]]
    for word in (0, 1, 2, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x3F):
        s += [["w", "EERD", word << 8 | 1], ["r", "EERD"]]
    s += [mdic(2), ["r", "MDIC"], mdic(3), ["r", "MDIC"], mdic(3, MDIC_W, 0x1234), mdic(3), ["r", "MDIC"],
          ["w", R["VET"], 0x88A8], ["w", "CTRL", 0x04000000], mdic(3), ["r", "MDIC"], ["r", R["VET"]]]
    s += alive(rctl=True)
    return s

@scenario
def model_82544gc():
    return model_identity("e1000-82544gc, init-vet=off")

@scenario
def model_82545em():
    return model_identity("e1000-82545em")

@scenario
def old_mac_registers():
    """run with `-device e1000,extra_mac_registers=off` (scenarios/old_mac_registers.device)"""
    flagged = [0x5838, 0x5800, 0x5810, 0x458, 0x5840, 0x5880, 0x5A00, 0x5F00, 0x9000, 0x9800, 0x10000,
               0x2410, 0x2418, 0x2420, 0x2428, 0x2430, 0x3410, 0x3418, 0x3420, 0x3428, 0x3430, 0x4058]
    neighbours = [0x5844, 0x5884, 0x5A04, 0x5F04, 0x9004, 0x9804, 0x10004, 0x5808, 0x5B50]
    s = [["note", "extra_mac_registers=off: the registers QEMU flags MAC (a table's first word only) read 0 and ignore writes; the words after them and the other registers answer"]]
    for r in flagged + neighbours:
        s += [["w", r, 0xFFFFFFFF], ["r", r], ["w", r, 0]]
    s += [["note", "counters flagged MAC read 0 after traffic, GPRC/GPTC/TPR/TPT/TOR/TOT answer; the hidden ones keep counting and are never cleared by a read"]]
    s += alive(rctl=True)
    s += [["r", r] for r in (0x4074, 0x4080, 0x40D0, 0x40D4, 0x40C0, 0x40C4, 0x40C8, 0x40CC)]
    s += [["r", r] for r in (0x405C, 0x4078, 0x407C, 0x4088, 0x408C, 0x4090, 0x4094, 0x40D8, 0x40F0, 0x40F4,
                             0x40F8, 0x40FC, 0x40A0, 0x40A4, 0x40AC)]
    return s

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios")
    names = sys.argv[1:] or list(S)
    for n in names:
        with open(os.path.join(out, n + ".json"), "w") as f:
            f.write(steps_to_json(S[n]()))
        print("wrote", n)
