import CLinux
import TapRing

import Glibc

/// The remote-device fuzz target's input: a program of steps played as
/// the VM side of multi-process QEMU against an `MPQemuServer` serving an
/// in-memory e1000, which a thread of its own runs as in `tapring run`.
/// Each step starts with a byte whose low two bits choose it:
/// - 0: raw bytes onto the socket: a length byte, then that many bytes;
/// - 1: a message: command and payload size bytes (the size 255 standing
///   for 2^40), the payload, and (bits 2-5) that many descriptors, each of
///   a kind a byte chooses: eventfd, 1 MiB of shared memory, pipe, /dev/null;
/// - 2: a frame for the NIC, then its reactor's turn: DMA into whatever
///   memory table is in place;
/// - 3: a well-formed `SYNC_SYSMEM` of up to 4 regions (bits 2-3) of the
///   shared memory, with guest addresses, sizes and offsets from the input.
/// The VM side then closes its socket, and the server must end.
enum RemoteSession {
    static func run(_ bytes: UnsafeRawBufferPointer) throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw DeviceError("socketpair failed")
        }
        let ram = try sharedMemoryFile(byteCount: 1 << 20)
        defer { close(ram) }
        let line = INTxLine()
        let harness = try InMemoryNIC(memory: SharedGuestMemory().memory, interruptLine: line.interruptLine,
                                      slotSize: 2048, slotCount: 16, queueCapacity: 16,
                                      servicedFromAnotherThread: true)
        harness.service()
        let server = try MPQemuServer(
            socket: pair[1], function: E1000Function(nic: harness.nic, intx: line), name: "fuzz", diagnostics: { _ in })
        let thread = try PosixThread.spawn(pinnedTo: nil) { server.run() }
        let vm = pair[0]
        // Sends never block: a peer that sends without reading replies would
        // otherwise wait on the server while the server waits on it.
        _ = fcntl(vm, F_SETFL, fcntl(vm, F_GETFL) | O_NONBLOCK)
        var input = FuzzInput(bytes)
        while let step = input.byte() {
            switch step & 3 {
            case 0:
                send(input.bytes(upTo: Int(input.byte() ?? 0)), to: vm)
            case 1:
                sendMessage(&input, descriptorCount: Int(step >> 2) & 0xF, ram: ram, to: vm)
            case 2:
                let frame = input.bytes(upTo: Int(input.byte() ?? 0) * 8)
                harness.inject(Array(frame))
                harness.service(now: monotonicNanoseconds() + 2_500_000_000)
            default:
                sendTable(&input, regionCount: Int(step >> 2) & 3 + 1, ram: ram, to: vm)
            }
            drainReplies(vm)
        }
        shutdown(vm, Int32(SHUT_WR))
        while server.isConnected { drainReplies(vm) }
        PosixThread.join(thread)
        close(vm)
    }

    private static func sendMessage(_ input: inout FuzzInput, descriptorCount: Int, ram: Int32, to vm: Int32) {
        let command = Int32(Int8(bitPattern: input.byte() ?? 0))
        let sizeByte = input.byte() ?? 0
        let payload = input.bytes(upTo: Int(sizeByte))
        var descriptors: [Int32] = []
        for _ in 0..<descriptorCount {
            switch (input.byte() ?? 0) & 3 {
            case 0: descriptors.append(eventfd(0, Int32(EFD_CLOEXEC)))
            case 1: descriptors.append(ram)
            case 2:
                var ends: [Int32] = [-1, -1]
                if pipe(&ends) == 0 {
                    descriptors.append(ends[0])
                    close(ends[1])
                }
            default: descriptors.append(open("/dev/null", O_RDONLY | O_CLOEXEC))
            }
        }
        var header = MPQemuLayout.header(command: command, size: sizeByte == 255 ? 1 << 40 : UInt64(sizeByte))
        withUnsafeBytes(of: &header) { send($0, descriptors: descriptors, to: vm) }
        send(payload, to: vm)
        for descriptor in descriptors where descriptor != ram && descriptor >= 0 { close(descriptor) }
    }

    private static func sendTable(_ input: inout FuzzInput, regionCount: Int, ram: Int32, to vm: Int32) {
        var table = [UInt64](repeating: 0, count: 24)
        for index in 0..<regionCount {
            table[index] = (input.next(2) ?? 0) << 12
            table[8 + index] = ((input.next(1) ?? 0) + 1) << 12
            table[16 + index] = (input.next(1) ?? 0) << 12
        }
        var header = MPQemuLayout.header(command: MPQemuCommand.syncSystemMemory.rawValue, size: 192)
        let descriptors = [Int32](repeating: ram, count: regionCount)
        withUnsafeBytes(of: &header) { send($0, descriptors: descriptors, to: vm) }
        table.withUnsafeBytes { send($0, to: vm) }
    }

    /// Sends all of `bytes`, `descriptors` with the first of them, reading
    /// replies whenever the socket is full; gives up once the server is gone.
    private static func send(_ bytes: UnsafeRawBufferPointer, descriptors: [Int32] = [], to vm: Int32) {
        var sent = 0
        while sent < bytes.count {
            let passed = sent == 0 ? descriptors : []
            let result = clinux_send_with_descriptors(
                vm, bytes.baseAddress! + sent, UInt(bytes.count - sent), passed, Int32(passed.count))
            if result > 0 {
                sent += result
                continue
            }
            guard result < 0, errno == EAGAIN || errno == EINTR else { return }
            drainReplies(vm)
            var watched = pollfd(fd: vm, events: Int16(POLLOUT), revents: 0)
            _ = poll(&watched, 1, 10)
            if watched.revents & Int16(POLLERR | POLLHUP) != 0 { return }
        }
    }

    /// Reads whatever replies wait, so that the socket never fills.
    private static func drainReplies(_ vm: Int32) {
        var sink = [UInt8](repeating: 0, count: 4096)
        while recv(vm, &sink, sink.count, Int32(MSG_DONTWAIT)) > 0 {}
    }
}
