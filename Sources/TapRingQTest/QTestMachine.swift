import Glibc
import TapRing

import Synchronization

/// The machine a qtest client drives: q35's guest memory (`Q35MemoryMap`:
/// RAM, the option-ROM area and the firmware), PCI configuration through
/// ports 0xCF8/0xCFC (mechanism #1), and NICs on bus 0, as QEMU's q35
/// machine presents them to `-qtest`.
///
/// Threading: `handle(_:)` runs on the thread that reads the client (the
/// machine's only vCPU); interrupt lines may be reported from the NICs'
/// reactors; `output` serializes both.
public final class QTestMachine: @unchecked Sendable {
    public let memory: GuestMemory
    /// The host mappings behind `memory`: RAM, the option-ROM area, the
    /// firmware, the HPET's registers.
    private let mappings: [UnsafeMutableRawBufferPointer]
    /// RAM and the HPET: memory of the machine's own, over the PCI hole,
    /// which hides any BAR placed on it (q35 maps the PCI address space
    /// below system memory, at priority -1).
    private let shadowingBARs: [Range<UInt64>]
    private var configAddress: UInt32 = 0
    /// The NICs by PCI slot on bus 0, function 0.
    private var nics: [Int: E1000] = [:]
    private let output: QTestOutput

    /// What the firmware is when none is given: 64 KiB of HLT instructions,
    /// the image the e1000 oracle gives QEMU. Under qtest no CPU runs it; a
    /// device's DMA and the client's reads see its bytes.
    public static let haltingFirmware = [UInt8](repeating: 0xF4, count: 64 << 10)

    /// A machine with `megabytes` of RAM and `firmware` (a whole number of
    /// 64 KiB, as QEMU's `-bios` takes it), answering through `write`.
    public init(megabytes: Int, firmware: [UInt8] = haltingFirmware,
                write: @escaping @Sendable (String) -> Void) throws(DeviceError) {
        let size = megabytes << 20
        guard size > 0 else { throw DeviceError("could not map \(megabytes) MiB of guest RAM") }
        guard Self.takesFirmware(ofSize: firmware.count) else {
            throw DeviceError("is \(firmware.count) bytes; it must be a whole number of 64 KiB, at most 16 MiB",
                              object: "the firmware")
        }
        let sizes = [size, Q35MemoryMap.optionROMSize, firmware.count, Q35MemoryMap.hpetRegisters.count]
        let maps = sizes.map(Self.map)
        guard let ram = maps[0], let optionROM = maps[1], let image = maps[2], let hpet = maps[3] else {
            for case let mapping? in maps { munmap(mapping.baseAddress, mapping.count) }
            throw DeviceError("could not map \(megabytes) MiB of guest RAM and the ROMs beside it")
        }
        // The option-ROM area keeps the zeros it was mapped with.
        firmware.withUnsafeBytes { image.copyMemory(from: $0) }
        Q35MemoryMap.hpetRegisters.withUnsafeBytes { hpet.copyMemory(from: $0) }
        for rom in [optionROM, image, hpet] {
            mprotect(rom.baseAddress, rom.count, PROT_READ)
        }
        mappings = [ram, optionROM, image, hpet]
        let map = Q35MemoryMap(ramSize: size, firmwareSize: firmware.count)
        shadowingBARs = map.ranges.compactMap { range in
            switch range.backing {
            case .ram, .hpet: range.guestAddress..<range.guestAddress + UInt64(range.byteCount)
            case .optionROM, .firmware: nil
            }
        }
        let regions = map.ranges.map { range in
            let (host, kind): (UnsafeMutableRawPointer, GuestMemory.Region.Kind) =
                switch range.backing {
                case .ram(let offset): (ram.baseAddress! + offset, .ram)
                case .optionROM: (optionROM.baseAddress!, .rom)
                case .firmware(let offset): (image.baseAddress! + offset, .rom)
                // The HPET takes accesses of 4 and 8 bytes (`hpet_ram_ops`).
                case .hpet: (hpet.baseAddress!, .registers(narrowestRead: 4))
                }
            return GuestMemory.Region(guestAddress: range.guestAddress, byteCount: range.byteCount, host: host,
                                      kind: kind)
        }
        memory = try GuestMemory(regions: regions)
        output = QTestOutput(write: write)
    }

    deinit {
        for mapping in mappings {
            munmap(mapping.baseAddress, mapping.count)
        }
    }

    /// The largest firmware taken: 16 MiB, far below where RAM can reach.
    public static let largestFirmware = 16 << 20

    /// Whether a firmware of `size` bytes fits: a whole number of 64 KiB, as
    /// QEMU's `x86_bios_rom_init` requires, and at most `largestFirmware`.
    public static func takesFirmware(ofSize size: Int) -> Bool {
        size > 0 && size % (64 << 10) == 0 && size <= largestFirmware
    }

    /// `count` bytes of zeroed, private host memory, reserved lazily.
    private static func map(_ count: Int) -> UnsafeMutableRawBufferPointer? {
        guard let base = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
            base != MAP_FAILED
        else { return nil }
        return UnsafeMutableRawBufferPointer(start: base, count: count)
    }

    /// What a NIC in `slot` gets: this machine's RAM, and an interrupt line
    /// reported as `IRQ raise`/`IRQ lower` of the GSI q35 routes the slot to.
    public func attachment(slot: Int) -> NICAttachment {
        let line = 16 + (slot + 4) % 8
        let output = output
        return NICAttachment(memory: memory, interruptLine: .callback { level in output.interrupt(line, level: level) })
    }

    /// Puts `nic` in `slot` on bus 0.
    public func plug(_ nic: E1000, slot: Int) {
        nics[slot] = nic
    }

    /// Carries out one request line and answers it.
    public func handle(_ line: Substring) {
        switch QTestRequest.parse(line) {
        case .failure(let failure):
            output.answer("FAIL \(failure.reason)")
        case .success(let request):
            output.answer(perform(request))
        }
    }

    private func perform(_ request: QTestRequest) -> String {
        switch request {
        case .portOut(let width, let port, let value):
            writePort(port, width: width, value: value)
            return "OK"
        case .portIn(let width, let port):
            return "OK " + hex(UInt64(readPort(port, width: width)), digits: 4)
        case .memoryRead(let width, let address):
            return "OK " + hex(readMemory(address, width: width), digits: 16)
        case .memoryWrite(let width, let address, let value):
            writeMemory(address, width: width, value: value)
            return "OK"
        case .read(let address, let count):
            return "OK 0x" + hexDigits(at: address, count: count)
        case .write(let address, let bytes):
            bytes.withUnsafeBytes { writeBytes(at: address, from: $0) }
            return "OK"
        case .interceptInterrupts:
            output.intercepting.store(true, ordering: .releasing)
            return "OK"
        }
    }

    // MARK: PCI configuration mechanism #1

    private func writePort(_ port: UInt16, width: Int, value: UInt32) {
        if port == 0xCF8 && width == 4 {
            configAddress = value
        } else if (0xCFC...0xCFF).contains(port), let (nic, offset) = configTarget(port) {
            nic.writeConfig(at: offset, width: width, value: value)
        }
    }

    private func readPort(_ port: UInt16, width: Int) -> UInt32 {
        if port == 0xCF8 && width == 4 { return configAddress }
        guard (0xCFC...0xCFF).contains(port) else { return 0xFFFF_FFFF >> (32 - 8 * UInt32(width)) }
        guard let (nic, offset) = configTarget(port) else { return 0xFFFF_FFFF >> (32 - 8 * UInt32(width)) }
        return nic.readConfig(at: offset, width: width)
    }

    /// The NIC and register the address latched in 0xCF8 selects: enable bit
    /// 31, bus 0, a slot with a NIC, function 0.
    private func configTarget(_ port: UInt16) -> (E1000, Int)? {
        guard configAddress & 0x8000_0000 != 0, (configAddress >> 16) & 0xFF == 0, (configAddress >> 8) & 7 == 0,
            let nic = nics[Int(configAddress >> 11) & 0x1F]
        else { return nil }
        return (nic, Int(configAddress & 0xFC) + Int(port - 0xCFC))
    }

    // MARK: Memory-mapped access

    /// A piece of a client's access, as QEMU's `address_space_rw` splits it.
    private enum Piece {
        /// `count` bytes at offset `offset` of `nic`'s registers: at most up
        /// to the next multiple of 8, which the NIC splits further as QEMU
        /// splits them (no piece of QEMU's crosses such a boundary).
        case registers(E1000, offset: Int, count: Int)
        /// `count` bytes of memory at `address`.
        case memory(address: UInt64, count: Int)

        var count: Int {
            switch self {
            case .registers(_, _, let count), .memory(_, let count): count
            }
        }
    }

    /// Walks `count` bytes from `address`: through a NIC's registers where
    /// its BAR is mapped and no memory of the machine hides it, through
    /// memory elsewhere. Past 2^64 the address wraps, as QEMU's does.
    private func forEachPiece(at address: UInt64, count: Int, _ body: (Piece) -> Void) {
        let windows = nics.values.compactMap { nic in nic.registerWindow.map { (nic, $0) } }
        let regions = shadowingBARs + windows.map(\.1)
        var address = address
        var remaining = count
        while remaining > 0 {
            // Counted from the last byte: the walk may end at 2^64.
            var length = UInt64.max - address >= UInt64(remaining - 1) ? remaining : Int(UInt64.max - address) + 1
            var target: (E1000, Int)?
            for range in regions where range.lowerBound > address {
                length = min(length, Int(clamping: range.lowerBound - address))
            }
            if let shadow = shadowingBARs.first(where: { $0.contains(address) }) {
                length = min(length, Int(clamping: shadow.upperBound - address))
            } else if let (nic, window) = windows.first(where: { $0.1.contains(address) }) {
                let offset = Int(address - window.lowerBound)
                length = min(length, Int(clamping: window.upperBound - address), 8 - offset % 8)
                target = (nic, offset)
            }
            if let (nic, offset) = target {
                body(.registers(nic, offset: offset, count: length))
            } else {
                body(.memory(address: address, count: length))
            }
            address &+= UInt64(length)
            remaining -= length
        }
    }

    /// Walks `count` bytes from `address` as a client's read sees them,
    /// handing `body` each run: where its bytes are (registers as they
    /// read), or nil for a run of zeros (memory nothing backs).
    private func forEachRun(at address: UInt64, count: Int, _ body: (UnsafeRawPointer?, Int) -> Void) {
        forEachPiece(at: address, count: count) { piece in
            switch piece {
            case .registers(let nic, let register, let length):
                let value = nic.readRegister(at: register, width: length).littleEndian
                withUnsafeBytes(of: value) { body($0.baseAddress, length) }
            case .memory(let start, let length):
                memory.window.forEachPiece(at: start, count: length, writing: false) { body($0, $1) }
            }
        }
    }

    /// Stores `bytes` at `address`, as a client's `write` does: into RAM
    /// and registers; the bytes for ROM and unassigned memory are dropped.
    private func writeBytes(at address: UInt64, from bytes: UnsafeRawBufferPointer) {
        var offset = 0
        forEachPiece(at: address, count: bytes.count) { piece in
            switch piece {
            case .registers(let nic, let register, let length):
                var value: UInt64 = 0
                for index in 0..<length { value |= UInt64(bytes[offset + index]) << (8 * index) }
                nic.writeRegister(at: register, width: length, value: value)
            case .memory(let start, let length):
                _ = memory.window.write(start, from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
            }
            offset += piece.count
        }
    }

    private func readMemory(_ address: UInt64, width: Int) -> UInt64 {
        var value: UInt64 = 0
        var offset = 0
        forEachRun(at: address, count: width) { source, length in
            if let source {
                withUnsafeMutableBytes(of: &value) { bytes in
                    (bytes.baseAddress! + offset).copyMemory(from: source, byteCount: length)
                }
            }
            offset += length
        }
        return UInt64(littleEndian: value)
    }

    private func writeMemory(_ address: UInt64, width: Int, value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes in
            writeBytes(at: address, from: UnsafeRawBufferPointer(rebasing: bytes[..<width]))
        }
    }

    /// Two lowercase hex digits for each of `count` bytes at `address`, as
    /// a client's `read` sees them, written into one string: a `read` may
    /// ask for 16 MiB, which a string per byte, or a loop over bytes nothing
    /// backs, turns into seconds.
    private func hexDigits(at address: UInt64, count: Int) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 2 * count) { text in
            var offset = 0
            /// Appends `length` bytes from `source`, zeros when it is nil.
            func append(_ source: UnsafeRawPointer?, _ length: Int) {
                let piece = UnsafeMutableBufferPointer(rebasing: text[2 * offset..<2 * (offset + length)])
                if let source {
                    for index in 0..<length {
                        let byte = source.load(fromByteOffset: index, as: UInt8.self)
                        piece[2 * index] = digits.utf8Start[Int(byte >> 4)]
                        piece[2 * index + 1] = digits.utf8Start[Int(byte & 0xF)]
                    }
                } else {
                    piece.initialize(repeating: UInt8(ascii: "0"))
                }
                offset += length
            }
            forEachRun(at: address, count: count, append)
            return 2 * count
        }
    }
}

/// The machine's answers and interrupt reports, one line at a time: an
/// interrupt reported while a request runs comes before the request's answer,
/// as QEMU prints it.
final class QTestOutput: Sendable {
    let intercepting = Atomic<Bool>(false)
    private let write: @Sendable (String) -> Void
    private let levels = PosixMutex<[Int: Bool]>([:])

    init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    func answer(_ line: String) {
        levels.withLock { _ in write(line + "\n") }
    }

    func interrupt(_ line: Int, level: Bool) {
        guard intercepting.load(ordering: .acquiring) else { return }
        levels.withLock { levels in
            guard levels[line, default: false] != level else { return }
            levels[line] = level
            write("IRQ \(level ? "raise" : "lower") \(line)\n")
        }
    }
}

private func hex(_ value: UInt64, digits: Int) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
