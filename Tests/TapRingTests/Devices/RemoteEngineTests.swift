import Foundation
import Glibc
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// `x-remote-object`s in an engine: the socket each names must be an open
/// AF_UNIX stream socket, and a VM that goes away stops only its own NIC.
@Suite(.timeLimit(.minutes(1)))
struct RemoteEngineTests {
    private func plan(sockets: [Int32]) throws -> NetworkPlan {
        let ids = sockets.indices.map { "nic\($0)" }
        return try NetworkPlan.parse(
            ["-machine", "x-remote"] + ids.flatMap { ["-device", "e1000,id=\($0)"] }
                + zip(ids, sockets).flatMap { ["-object", "x-remote-object,id=r\($0.0),devid=\($0.0),fd=\($0.1)"] })
    }

    private func refusal(_ socket: Int32) throws -> String? {
        do {
            _ = try Engine(plan(sockets: [socket]))
            return nil
        } catch let error as EngineError {
            return error.description
        }
    }

    @Test func theSocketMustBeAnOpenUnixStreamSocket() throws {
        let location = "-object x-remote-object,id=rnic0,devid=nic0"
        #expect(try refusal(999)?.hasSuffix("\(location),fd=999: fd=999 is not open") == true)
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        #expect(try refusal(ends[0])?.hasSuffix("fd=\(ends[0]) is not a socket") == true)
        for (domain, type) in [(AF_INET, SOCK_DGRAM), (AF_UNIX, SOCK_DGRAM), (AF_UNIX, SOCK_SEQPACKET)] {
            let socket = Glibc.socket(domain, Int32(type.rawValue), 0)
            defer { close(socket) }
            #expect(try refusal(socket)?.hasSuffix("fd=\(socket) is not an AF_UNIX stream socket") == true)
        }
    }

    @Test func aVMThatLeavesStopsOnlyItsNIC() throws {
        var first: [Int32] = [-1, -1], second: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &first) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &second) == 0)
        defer { close(second[0]) }
        let engine = try Engine(plan(sockets: [first[1], second[1]]))
        try engine.start()
        defer { engine.stop() }
        #expect(engine.connectedRemoteDevices == 2)
        close(first[0])
        // Generous: under AddressSanitizer, beside the suite's other tests
        // on two cores, noticing took longer than 5 s once.
        let deadline = Date().addingTimeInterval(30)
        while engine.connectedRemoteDevices != 1 && Date() < deadline { usleep(1000) }
        #expect(engine.connectedRemoteDevices == 1)
        // PCI_CFGREAD of the vendor and device IDs on the VM that stayed.
        let request: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0]
        #expect(send(second[0], request, request.count, 0) == request.count)
        var reply = [UInt8](repeating: 0, count: 24)
        #expect(recv(second[0], &reply, 24, Int32(MSG_WAITALL)) == 24)
        #expect(Array(reply[16..<20]) == [0x86, 0x80, 0x0E, 0x10])
    }
}
