/// Offsets of the 82540EM's registers in BAR0, as QEMU's `e1000_regs.h`
/// names them, and the bits the model uses (Intel 8254x manual, chapter 13).
package enum E1000Register {
    package static let ctrl = 0x0000, status = 0x0008, eecd = 0x0010, eerd = 0x0014, mdic = 0x0020, vet = 0x0038
    package static let icr = 0x00C0, itr = 0x00C4, ics = 0x00C8, ims = 0x00D0, imc = 0x00D8
    package static let rctl = 0x0100, tctl = 0x0400, ait = 0x0458, ledctl = 0x0E00, pba = 0x1000
    package static let rdfh = 0x2410, rdft = 0x2418, rdfhs = 0x2420, rdfts = 0x2428, rdfpc = 0x2430
    package static let rdbal = 0x2800, rdbah = 0x2804, rdlen = 0x2808, rdh = 0x2810, rdt = 0x2818
    package static let rdtr = 0x2820, radv = 0x282C
    package static let tdfh = 0x3410, tdft = 0x3418, tdfhs = 0x3420, tdfts = 0x3428, tdfpc = 0x3430
    package static let tdbal = 0x3800, tdbah = 0x3804, tdlen = 0x3808, tdh = 0x3810, tdt = 0x3818
    package static let txdctl = 0x3828, tadv = 0x382C
    // Statistics (section 13.7).
    package static let crcerrs = 0x4000, mpc = 0x4010, fcruc = 0x4058
    package static let prc64 = 0x405C, gprc = 0x4074, bprc = 0x4078, mprc = 0x407C, gptc = 0x4080
    package static let gorcl = 0x4088, gorch = 0x408C, gotcl = 0x4090, gotch = 0x4094
    package static let rnbc = 0x40A0, ruc = 0x40A4, rfc = 0x40A8, roc = 0x40AC, rjc = 0x40B0
    package static let mgtprc = 0x40B4, mgtpdc = 0x40B8, mgtptc = 0x40BC
    package static let torl = 0x40C0, torh = 0x40C4, totl = 0x40C8, toth = 0x40CC, tpr = 0x40D0, tpt = 0x40D4
    package static let ptc64 = 0x40D8, mptc = 0x40F0, bptc = 0x40F4, tsctc = 0x40F8, tsctfc = 0x40FC
    // Filter and wake-up tables.
    package static let mta = 0x5200, ra = 0x5400, vfta = 0x5600
    package static let wuc = 0x5800, wufc = 0x5808, wus = 0x5810, manc = 0x5820, ipav = 0x5838
    package static let ip4at = 0x5840, ip6at = 0x5880, wupm = 0x5A00, swsm = 0x5B50, fflt = 0x5F00
    package static let ffmt = 0x9000, ffvt = 0x9800, pbm = 0x10000

    /// Bytes of register space behind BAR0.
    package static let spaceSize = 0x20000
}

/// Device control (CTRL) bits.
package enum E1000Control {
    /// VLAN mode enable (CTRL.VME, bit 30): tags are inserted and stripped.
    package static let vlanModeEnable: UInt32 = 1 << 30
}

/// Device status (STATUS) bits.
package enum E1000Status {
    package static let linkUp: UInt32 = 1 << 1
}

/// Transmit control (TCTL) bits.
package enum E1000TransmitControl {
    package static let enable: UInt32 = 1 << 1
}

/// Packet options (POPTS) of a data descriptor: the checksums to insert.
package enum E1000PacketOptions {
    package static let insertIPChecksum: UInt8 = 0x1, insertTCPChecksum: UInt8 = 0x2
}

/// Interrupt causes (ICR, ICS, IMS, IMC bits).
package enum E1000Interrupt {
    package static let txdw: UInt32 = 0x01, txqe: UInt32 = 0x02, lsc: UInt32 = 0x04
    package static let rxdmt0: UInt32 = 0x10, rxo: UInt32 = 0x40, rxt0: UInt32 = 0x80, mdac: UInt32 = 0x200
}

/// Receive control (RCTL) bits.
package enum E1000ReceiveControl {
    package static let enable: UInt32 = 1 << 1, storeBadPackets: UInt32 = 1 << 2
    package static let unicastPromiscuous: UInt32 = 1 << 3, multicastPromiscuous: UInt32 = 1 << 4
    package static let longPackets: UInt32 = 1 << 5, broadcastAccept: UInt32 = 1 << 15
    package static let vlanFilter: UInt32 = 1 << 18, bufferSizeExtension: UInt32 = 1 << 25, stripCRC: UInt32 = 1 << 26
}

/// Transmit descriptor command and type bits, in the descriptor's second dword.
package enum E1000TransmitCommand {
    package static let endOfPacket: UInt32 = 0x0100_0000, tcpSegmentation: UInt32 = 0x0400_0000
    package static let reportStatus: UInt32 = 0x0800_0000, reportPacketSent: UInt32 = 0x1000_0000
    package static let extended: UInt32 = 0x2000_0000, vlan: UInt32 = 0x4000_0000, delayInterrupt: UInt32 = 0x8000_0000
    package static let dataDescriptor: UInt32 = 0x0010_0000
}

/// Receive descriptor status bits.
package enum E1000ReceiveStatus {
    package static let done: UInt8 = 0x01, endOfPacket: UInt8 = 0x02, ignoreChecksum: UInt8 = 0x04, vlan: UInt8 = 0x08
}
