import CTapRing
import Glibc
import TapRing

// The C entry points of tapring.h: each checks its arguments, turns Swift
// errors into a tapring_status and a last-error message, and never traps.

private let engines = HandleTable<CEngine>()

@_cdecl("tapring_last_error")
public func tapringLastError() -> UnsafePointer<CChar> {
    LastError.message
}

@_cdecl("tapring_engine_create")
public func tapringEngineCreate(
    _ options: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int, _ engine: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    call { () throws(CallFailure) in
        guard let engine else { throw .argument("engine: NULL") }
        // `count` is a size_t: one past Int.max is no count of options.
        guard count >= 0 else { throw .argument("count \(UInt(bitPattern: count)): more options than memory holds") }
        guard count == 0 || options != nil else { throw .argument("options: NULL with count \(count)") }
        var words: [String] = []
        for index in 0..<count {
            guard let word = options?[index] else { throw .argument("options[\(index)]: NULL") }
            words.append(String(cString: word))
        }
        let plan: NetworkPlan
        do throws(OptionError) {
            plan = try NetworkPlan.parse(words)
        } catch {
            throw CallFailure(TAPRING_ERR_OPTIONS, error.description)
        }
        // A help request plans nothing: its answer is the message.
        if let help = plan.help { throw CallFailure(TAPRING_ERR_OPTIONS, help.text) }
        engine.pointee = engines.insert(CEngine(plan: plan))
    }
}

@_cdecl("tapring_engine_nic_count")
public func tapringEngineNICCount(_ handle: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        guard let count else { throw .argument("count: NULL") }
        count.pointee = engine.plan.devices.count
    }
}

@_cdecl("tapring_nic_set_guest_memory")
public func tapringNICSetGuestMemory(
    _ handle: OpaquePointer?, _ nic: Int, _ regions: UnsafePointer<tapring_region>?, _ count: Int
) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        guard let regions else { throw .argument("regions: NULL") }
        guard count > 0 else {
            throw .argument("count \(UInt(bitPattern: count)): from 1 region to as many as memory holds")
        }
        var list: [GuestMemory.Region] = []
        for index in 0..<count {
            let region = regions[index]
            guard let host = region.host else { throw .argument("regions[\(index)]: host address NULL") }
            guard region.size > 0 else { throw .argument("regions[\(index)]: size 0; a region has at least 1 byte") }
            guard region.size <= UInt64(Int.max) else {
                throw .argument(
                    "regions[\(index)]: size \(region.size) is more than a process can map (2^63 - 1 bytes)")
            }
            list.append(GuestMemory.Region(guestAddress: region.guest_address, byteCount: Int(region.size), host: host))
        }
        do {
            try engine.setMemory(try GuestMemory(regions: list), for: nic)
        } catch let error as CallFailure {
            throw error
        } catch {
            throw .argument("regions: \(error)")
        }
    }
}

@_cdecl("tapring_nic_set_interrupt_eventfd")
public func tapringNICSetInterruptEventfd(_ handle: OpaquePointer?, _ nic: Int, _ eventfd: Int32) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        let line = InterruptLine.eventfd(eventfd)
        do throws(DeviceError) {
            try line.validate()
        } catch {
            throw .argument("eventfd: \(error)")
        }
        try engine.setInterrupt(line, for: nic)
    }
}

@_cdecl("tapring_nic_set_interrupt_intx")
public func tapringNICSetInterruptINTx(
    _ handle: OpaquePointer?, _ nic: Int, _ trigger: Int32, _ resample: Int32
) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        for (name, descriptor) in [("trigger", trigger), ("resample", resample)] {
            do throws(DeviceError) {
                try InterruptLine.eventfd(descriptor).validate()
            } catch {
                throw .argument("\(name): \(error)")
            }
        }
        try engine.setINTx(trigger: trigger, resample: resample, for: nic)
    }
}

@_cdecl("tapring_nic_set_interrupt_callback")
public func tapringNICSetInterruptCallback(
    _ handle: OpaquePointer?, _ nic: Int,
    _ report: (@convention(c) (UnsafeMutableRawPointer?, Int32) -> Void)?, _ context: UnsafeMutableRawPointer?
) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        guard let report else { throw .argument("report: NULL") }
        let address = UInt(bitPattern: context)
        try engine.setInterrupt(
            .callback { level in report(UnsafeMutableRawPointer(bitPattern: address), level ? 1 : 0) }, for: nic)
    }
}

@_cdecl("tapring_engine_start")
public func tapringEngineStart(_ handle: OpaquePointer?) -> Int32 {
    call { () throws(CallFailure) in try engines.object(handle).start() }
}

@_cdecl("tapring_engine_stop")
public func tapringEngineStop(_ handle: OpaquePointer?) -> Int32 {
    call { () throws(CallFailure) in try engines.object(handle).stop() }
}

@_cdecl("tapring_engine_destroy")
public func tapringEngineDestroy(_ handle: OpaquePointer?) -> Int32 {
    call { () throws(CallFailure) in try engines.remove(handle).destroy() }
}

@_cdecl("tapring_nic_mmio_read")
public func tapringNICMMIORead(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt64, _ width: UInt32, _ value: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    call { () throws(CallFailure) in
        guard let value else { throw .argument("value: NULL") }
        let offset = try registerOffset(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            value.pointee = device.readRegister(at: offset, width: Int(width))
        }
    }
}

@_cdecl("tapring_nic_mmio_write")
public func tapringNICMMIOWrite(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt64, _ width: UInt32, _ value: UInt64
) -> Int32 {
    call { () throws(CallFailure) in
        let offset = try registerOffset(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            device.writeRegister(at: offset, width: Int(width), value: value)
        }
    }
}

@_cdecl("tapring_nic_io_read")
public func tapringNICIORead(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt64, _ width: UInt32, _ value: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    call { () throws(CallFailure) in
        guard let value else { throw .argument("value: NULL") }
        let offset = try ioOffset(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            value.pointee = device.readIO(at: offset, width: Int(width))
        }
    }
}

@_cdecl("tapring_nic_io_write")
public func tapringNICIOWrite(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt64, _ width: UInt32, _ value: UInt32
) -> Int32 {
    call { () throws(CallFailure) in
        let offset = try ioOffset(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            device.writeIO(at: offset, width: Int(width), value: value)
        }
    }
}

@_cdecl("tapring_nic_config_read")
public func tapringNICConfigRead(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt32, _ width: UInt32, _ value: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    call { () throws(CallFailure) in
        guard let value else { throw .argument("value: NULL") }
        try checkConfigAccess(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            value.pointee = device.readConfig(at: Int(offset), width: Int(width))
        }
    }
}

@_cdecl("tapring_nic_config_write")
public func tapringNICConfigWrite(
    _ handle: OpaquePointer?, _ nic: Int, _ offset: UInt32, _ width: UInt32, _ value: UInt32
) -> Int32 {
    call { () throws(CallFailure) in
        try checkConfigAccess(offset, width: width)
        try engines.object(handle).withNIC(nic) { device in
            device.writeConfig(at: Int(offset), width: Int(width), value: value)
        }
    }
}

@_cdecl("tapring_nic_mac_address")
public func tapringNICMACAddress(_ handle: OpaquePointer?, _ nic: Int, _ mac: UnsafeMutablePointer<UInt8>?) -> Int32 {
    call { () throws(CallFailure) in
        let engine = try engines.object(handle)
        try engine.checkNIC(nic)
        guard let mac else { throw .argument("mac: NULL") }
        for (index, byte) in engine.plan.devices[nic].mac.bytes.enumerated() {
            mac[index] = byte
        }
    }
}

@_cdecl("tapring_engine_port_count")
public func tapringEnginePortCount(_ handle: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> Int32 {
    call { () throws(CallFailure) in
        guard let count else { throw .argument("count: NULL") }
        count.pointee = try engines.object(handle).withRunning { engine in engine.statistics().count }
    }
}

@_cdecl("tapring_engine_port_statistics")
public func tapringEnginePortStatistics(
    _ handle: OpaquePointer?, _ port: Int, _ statistics: UnsafeMutablePointer<tapring_port_statistics>?
) -> Int32 {
    call { () throws(CallFailure) in
        guard let statistics else { throw .argument("statistics: NULL") }
        let ports = try engines.object(handle).withRunning { engine in engine.statistics() }
        guard ports.indices.contains(port) else {
            throw .argument("port \(UInt(bitPattern: port)): the engine has \(ports.count) ports")
        }
        let snapshot = ports[port]
        var result = tapring_port_statistics()
        withUnsafeMutableBytes(of: &result.name) { name in
            for (index, byte) in snapshot.netdev.utf8.prefix(name.count - 1).enumerated() { name[index] = byte }
        }
        result.frames_in = snapshot.framesIn
        result.bytes_in = snapshot.bytesIn
        result.frames_out = snapshot.framesOut
        result.bytes_out = snapshot.bytesOut
        result.drops = snapshot.drops
        result.errors = snapshot.errors
        statistics.pointee = result
    }
}

private func registerOffset(_ offset: UInt64, width: UInt32) throws(CallFailure) -> Int {
    guard [1, 2, 4, 8].contains(width) else { throw .argument("width \(width): 1, 2, 4 or 8 bytes") }
    guard offset < 0x2_0000 else { throw .argument("offset \(offset): BAR0 has 128 KiB") }
    return Int(offset)
}

private func ioOffset(_ offset: UInt64, width: UInt32) throws(CallFailure) -> Int {
    guard [1, 2, 4].contains(width) else { throw .argument("width \(width): 1, 2 or 4 bytes") }
    guard offset < 0x40 else { throw .argument("offset \(offset): BAR1 has 64 bytes") }
    return Int(offset)
}

private func checkConfigAccess(_ offset: UInt32, width: UInt32) throws(CallFailure) {
    guard [1, 2, 4].contains(width) else { throw .argument("width \(width): 1, 2 or 4 bytes") }
    // In 64 bits: an offset near 2^32 plus the width would wrap in 32.
    guard UInt64(offset) + UInt64(width) <= 256 else {
        throw .argument("offset \(offset) with width \(width): configuration space has 256 bytes")
    }
}
