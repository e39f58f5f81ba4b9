import CTapRing
import Glibc

/// libFuzzer's entry point: one input is a sequence of calls into the C
/// interface, each a byte choosing the function and the bytes after it its
/// arguments, against an engine that lives across inputs (an e1000 on a hub
/// port, with guest RAM). Host addresses handed over always lie in memory
/// the fuzzer owns, as an emulator's must; everything else is arbitrary:
/// handles, NIC and port indices, offsets, widths, values, guest addresses
/// and sizes, descriptors, and when the engine starts, stops, is destroyed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var calls = Calls(bytes: UnsafeRawBufferPointer(start: data, count: size))
    while let call = calls.byte() {
        calls.perform(call)
    }
    return 0
}

/// The engine and guest RAM the calls go to, kept between inputs.
nonisolated(unsafe) private var engine: OpaquePointer? = nil
private let ramSize = 1 << 20
nonisolated(unsafe) private let ram = UnsafeMutableRawPointer.allocate(byteCount: ramSize, alignment: 4096)
/// An eventfd for the NIC's interrupt line. Glibc's Swift module leaves
/// out sys/eventfd.h, so `eventfd` is looked up; its flags are O_CLOEXEC and
/// O_NONBLOCK's values (EFD_CLOEXEC, EFD_NONBLOCK).
private let interruptLine: Int32 = {
    typealias MakeEventfd = @convention(c) (UInt32, Int32) -> Int32
    guard let symbol = dlsym(nil, "eventfd") else { return -1 }
    return unsafeBitCast(symbol, to: MakeEventfd.self)(0, O_CLOEXEC | O_NONBLOCK)
}()

private struct Calls {
    var bytes: UnsafeRawBufferPointer
    var position = 0

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func integer<Value: FixedWidthInteger>(_: Value.Type = Value.self) -> Value {
        var value = Value.zero
        for _ in 0..<MemoryLayout<Value>.size {
            value = value << 8 | Value(truncatingIfNeeded: byte() ?? 0)
        }
        return value
    }

    /// An index that is mostly valid (0 or 1), sometimes anything.
    mutating func index() -> Int {
        let choice = byte() ?? 0
        return choice < 200 ? Int(choice & 1) : integer(Int.self)
    }

    /// The live handle, mostly; NULL or a forged one otherwise.
    mutating func handle() -> OpaquePointer? {
        switch byte() ?? 0 {
        case 0..<240: return currentEngine()
        case 240..<248: return nil
        default: return OpaquePointer(bitPattern: UInt(integer(UInt64.self)) | 1)
        }
    }

    mutating func perform(_ call: UInt8) {
        var value64: UInt64 = 0
        var value32: UInt32 = 0
        var count = 0
        switch call % 12 {
        case 0:
            _ = tapring_nic_mmio_write(
                handle(), index(), integer(UInt64.self) & 0x1FFFF, UInt32(byte() ?? 4) % 9, integer(UInt64.self))
        case 1:
            _ = tapring_nic_mmio_read(handle(), index(), integer(UInt64.self), UInt32(byte() ?? 4), &value64)
        case 2:
            _ = tapring_nic_config_write(
                handle(), index(), integer(UInt32.self), UInt32(byte() ?? 4), integer(UInt32.self))
        case 3:
            _ = tapring_nic_config_read(handle(), index(), integer(UInt32.self), UInt32(byte() ?? 4), &value32)
        case 4:
            setGuestMemory()
        case 5:
            _ = tapring_engine_port_count(handle(), &count)
        case 6:
            var statistics = tapring_port_statistics()
            _ = tapring_engine_port_statistics(handle(), index(), &statistics)
        case 7:
            var mac = [UInt8](repeating: 0, count: 6)
            _ = tapring_nic_mac_address(handle(), index(), &mac)
        case 8:
            // A descriptor of this process, or the eventfd, or anything.
            let descriptor: Int32 = (byte() ?? 0) < 128 ? interruptLine : integer(Int32.self)
            _ = tapring_nic_set_interrupt_eventfd(handle(), index(), descriptor)
        case 9:
            if let engine = currentEngine() { _ = tapring_engine_start(engine) }
        case 10:
            if let engine = currentEngine() { _ = tapring_engine_stop(engine) }
        default:
            // Now and then the engine goes, and the next call makes another.
            if (byte() ?? 0) > 240, let current = engine {
                _ = tapring_engine_destroy(current)
                engine = nil
                _ = tapring_engine_destroy(current)
            }
        }
    }

    /// Regions inside the fuzzer's RAM at arbitrary guest addresses, or a
    /// bad count, size or NULL host.
    mutating func setGuestMemory() {
        var regions: [tapring_region] = []
        let wanted = Int((byte() ?? 1) % 4)
        for _ in 0..<wanted {
            let offset = Int(integer(UInt32.self)) % ramSize
            let length = UInt64(integer(UInt32.self)) % UInt64(ramSize - offset + 1)
            regions.append(tapring_region(guest_address: integer(UInt64.self), size: length, host: ram + offset))
        }
        let count = (byte() ?? 0) > 250 ? integer(Int.self) : regions.count
        _ = regions.withUnsafeBufferPointer { buffer in
            tapring_nic_set_guest_memory(
                handle(), index(), buffer.baseAddress, count > regions.count ? regions.count : count)
        }
    }
}

/// The engine, made again (and given its memory and line) if it is gone.
/// The last one is destroyed at exit, so that its reactors' memory is
/// freed before LeakSanitizer looks.
private func currentEngine() -> OpaquePointer? {
    if let engine { return engine }
    _ = destroyAtExit
    let words = ["-netdev", "hubport,id=h,hubid=0", "-device", "e1000,netdev=h"]
    var pointers = words.map { UnsafePointer(strdup($0)) }
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    var created: OpaquePointer?
    guard tapring_engine_create(&pointers, pointers.count, &created) == TAPRING_OK.rawValue else { return nil }
    var region = tapring_region(guest_address: 0, size: UInt64(ramSize), host: ram)
    _ = tapring_nic_set_guest_memory(created, 0, &region, 1)
    _ = tapring_nic_set_interrupt_eventfd(created, 0, interruptLine)
    engine = created
    return created
}

private let destroyAtExit: Void = {
    atexit {
        if let current = engine { _ = tapring_engine_destroy(current) }
    }
}()
