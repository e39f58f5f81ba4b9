import SystemPackage
import Testing

@testable import TapRing
import TapRingHarness

/// Engine errors carry what a caller can act on, not only a message: the
/// option to blame and the system call's error.
@Suite struct EngineErrorTests {
    @Test func aRefusedConnectionCarriesItsErrno() throws {
        let option = "socket,id=s,connect=127.0.0.1:1"
        let plan = try NetworkPlan.parse(["-netdev", option])
        do {
            _ = try Engine(plan)
            Issue.record("a connection to port 1 of loopback was accepted")
        } catch {
            #expect(error.errno == .connectionRefused)
            #expect(error.location == "-netdev \(option)")
            #expect(error.description
                == "-netdev \(option): can't connect socket to 127.0.0.1:1: \(Errno.connectionRefused)")
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
                == "-netdev \(option): Unable to query TUNGETIFF on FD 999: \(Errno.badFileDescriptor)")
        }
    }
}
