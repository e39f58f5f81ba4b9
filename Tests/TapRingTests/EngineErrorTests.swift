import SystemPackage
import Testing

@testable import TapRing
import TapRingHarness

/// Engine errors carry what a caller can act on, not only a message: the
/// option to blame and the system call's error.
@Suite struct EngineErrorTests {
    @Test func aSocketThatCannotBindCarriesItsErrno() throws {
        let option = "socket,id=s,listen=192.0.2.1:9"
        let plan = try NetworkPlan.parse(["-netdev", option])
        do {
            _ = try Engine(plan)
            Issue.record("a socket was bound to 192.0.2.1, an address of no interface")
        } catch {
            #expect(error.errno == .addressNotAvailable)
            #expect(error.location == "-netdev \(option)")
            #expect(error.description
                == "-netdev \(option): can't bind ip=192.0.2.1 to socket: \(Errno.addressNotAvailable)")
        }
    }

    /// More ports than the engine runs: QEMU 7.2 opens every netdev first
    /// (the kernel refuses a tap's 257th queue: `queues=5000` fails there),
    /// so the first that cannot be opened is the error, not the engine's limit.
    @Test func netdevsPastTheEnginesLimitFailAsTheyOpen() throws {
        let plan = try NetworkPlan.parse((0...Operation.portLimit).flatMap { ["-netdev", "socket,id=s\($0),fd=1000"] })
        do {
            _ = try Engine(plan)
            Issue.record("\(Operation.portLimit + 1) sockets were opened")
        } catch {
            #expect(error.description
                == "-netdev socket,id=s0,fd=1000: s0: Can't use file descriptor 1000: \(Errno.badFileDescriptor)")
        }
    }

    /// A tap's system call error is named once, as QEMU names it.
    @Test func aTapThatCannotBeAdoptedCarriesItsErrnoOnce() throws {
        let option = "tap,id=a,fd=999"
        let plan = try NetworkPlan.parse(["-netdev", option, "-netdev", "hubport,id=p,hubid=0,netdev=a"])
        do {
            _ = try Engine(plan)
            Issue.record("descriptor 999, not open, was adopted as a tap")
        } catch {
            #expect(error.errno == .badFileDescriptor)
            #expect(error.description
                == "-netdev \(option): a: Can't use file descriptor 999: \(Errno.badFileDescriptor)")
        }
    }
}
