import Foundation
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// `tapring` as a user meets it: errors worded like QEMU's, naming the option.
struct CommandLineTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        try TapRingBinary.run(arguments)
    }

    @Test func badOptionsFailBeforeAnythingIsCreated() throws {
        let result = try run(["run", "-netdev", "tap,id=a,ifname=trbad0,foo=1"])
        #expect(result.status == 1)
        #expect(result.errors == "tapring: -netdev tap,id=a,ifname=trbad0,foo=1: Invalid parameter 'foo'\n")
    }

    @Test func unknownOptionsAreNamed() throws {
        let result = try run(["run", "-hda", "linux.img"])
        #expect(result.status == 1)
        #expect(result.errors == "tapring: -hda: invalid option\n")
    }

    /// A help request is answered as QEMU 7.2 answers it, and the program
    /// exits successfully, as QEMU does, even for a device it does not know.
    @Test func helpRequestsAreAnswered() throws {
        func answer(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
            let process = Process()
            process.executableURL = TapRingBinary.url
            process.arguments = arguments
            let (output, errors) = (Pipe(), Pipe())
            (process.standardOutput, process.standardError) = (output, errors)
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus,
                    String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                    String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        let netdevs = try answer(["run", "-netdev", "help"])
        #expect(netdevs.status == 0 && netdevs.errors.isEmpty)
        #expect(netdevs.output == "Available netdev backend types:\nsocket\nstream\ndgram\nhubport\ntap\nbridge\n")
        let unknown = try answer(["qtest", "-device", "foo,help"])
        #expect(unknown.status == 0 && unknown.output.isEmpty)
        #expect(unknown.errors == "tapring: -device foo,help: Device 'foo' not found\n")
    }

    @Test func aSocketDescriptorMustBeASocket() throws {
        let result = try run(["run", "-netdev", "socket,id=s,fd=0", "-netdev", "hubport,id=h,hubid=0,netdev=s"])
        #expect(result.status == 1)
        #expect(result.errors == "tapring: -netdev socket,id=s,fd=0: can't get socket option SO_TYPE\n")
    }

    /// QEMU 7.2's order and words: the descriptor first, then (for dgram)
    /// its address, then its type. Peer warnings come only once every
    /// netdev is created, so a netdev that fails has none.
    @Test func descriptorsAreCheckedInQEMUsOrder() throws {
        let missing = try run(["run", "-netdev", "socket,id=s,fd=1000"])
        #expect(missing.errors
            == "tapring: -netdev socket,id=s,fd=1000: s: Can't use file descriptor 1000: Bad file descriptor\n")
        let missingTap = try run(["run", "-netdev", "tap,id=t,fd=1000"])
        #expect(missingTap.errors
            == "tapring: -netdev tap,id=t,fd=1000: t: Can't use file descriptor 1000: Bad file descriptor\n")
        let file = try run(["run", "-netdev", "dgram,id=d,local.type=fd,local.str=0"])
        #expect(file.errors == "tapring: -netdev dgram,id=d,local.type=fd,local.str=0: "
            + "Unable to query local socket address: Socket operation on non-socket\n")
    }

    /// QEMU 7.2 creates each netdev before it reads the options that follow
    /// it in its order (later netdevs, NICs, devices): a netdev that cannot
    /// be created is the error, after the warnings of the options it read.
    @Test func aNetdevThatCannotBeCreatedComesBeforeLaterOptions() throws {
        let device = try run(
            ["run", "-netdev", "socket,id=s,fd=1000", "-device", "e1000,netdev=s,nomitigation,bogus=1"])
        #expect(device.status == 1)
        #expect(device.errors == """
            tapring: -device e1000,netdev=s,nomitigation,bogus=1: warning: short-form boolean option 'nomitigation' \
            deprecated
            Please use mitigation=off instead
            tapring: -netdev socket,id=s,fd=1000: s: Can't use file descriptor 1000: Bad file descriptor

            """)
        let netdev = try run(["qtest", "-netdev", "socket,id=a,fd=0", "-netdev", "tap,id=b,bogus=1"])
        #expect(netdev.errors == "tapring: -netdev socket,id=a,fd=0: can't get socket option SO_TYPE\n")
        // Modern netdevs are created first, wherever they stand.
        let modern = try run([
            "run", "-netdev", "socket,id=a,fd=0", "-netdev", "dgram,id=b,local.type=fd,local.str=1000",
            "-netdev", "hubport,id=h,hubid=0,netdev=zz",
        ])
        #expect(modern.errors == "tapring: -netdev dgram,id=b,local.type=fd,local.str=1000: "
            + "b: Can't use file descriptor 1000: Bad file descriptor\n")
    }

    /// QEMU 7.2 answers `-netdev help` and `model=help` once it has created
    /// the netdevs before them: one that cannot be created is the answer.
    @Test func helpComesAfterTheNetdevsBeforeIt() throws {
        let failing = "tapring: -netdev tap,id=n0,fd=1000: n0: Can't use file descriptor 1000: Bad file descriptor\n"
        for request in [["-netdev", "help"], ["-net", "nic,model=help"]] {
            let answer = try run(["run", "-netdev", "tap,id=n0,fd=1000"] + request)
            #expect(answer.status == 1)
            #expect(answer.errors == failing)
        }
        #expect(try run(["run", "-netdev", "tap,id=n0,fd=1000", "-device", "help"]).status == 0)
    }

    /// A netdev's warnings are printed as it is created: not those of the
    /// netdevs after one that cannot be created, as QEMU 7.2 never reads them.
    @Test func netdevWarningsComeWithTheNetdev() throws {
        let hex = "warning: Using a multiplier suffix on hex numbers is deprecated"
        let later = try run(["run", "-netdev", "socket,id=s,fd=1000", "-netdev", "tap,id=b,sndbuf=0x1k,fd=1000"])
        #expect(later.errors
            == "tapring: -netdev socket,id=s,fd=1000: s: Can't use file descriptor 1000: Bad file descriptor\n")
        for command in ["run", "qtest"] {
            let own = try run([command, "-netdev", "tap,id=b,sndbuf=0x1k,fd=1000"])
            #expect(own.errors == """
                tapring: -netdev tap,id=b,sndbuf=0x1k,fd=1000: \(hex): 0x1k
                tapring: -netdev tap,id=b,sndbuf=0x1k,fd=1000: b: Can't use file descriptor 1000: Bad file descriptor

                """)
        }
        let rejected = try run(["run", "-netdev", "tap,id=b,sndbuf=0x1k,fd=1000", "-device", "e1000,bogus=1"])
        #expect(rejected.errors == """
            tapring: -netdev tap,id=b,sndbuf=0x1k,fd=1000: \(hex): 0x1k
            tapring: -netdev tap,id=b,sndbuf=0x1k,fd=1000: b: Can't use file descriptor 1000: Bad file descriptor

            """)
        let ownLast = try run(["run", "-netdev", "hubport,id=h,hubid=1", "-net", "tap,sndbuf=0x2k,queues=2"])
        #expect(ownLast.errors == """
            tapring: -net tap,sndbuf=0x2k,queues=2: \(hex): 0x2k
            tapring: -net tap,sndbuf=0x2k,queues=2: Multiqueue tap cannot be used with hubs

            """)
    }

    @Test func socketsThatCannotBeMadeAreNamed() throws {
        func engineFailure(_ arguments: [String]) throws -> String? {
            let plan = try NetworkPlan.parse(arguments)
            do {
                _ = try Engine(plan)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(try engineFailure(["-netdev", "socket,id=s,listen=192.0.2.1:9"])
            == "-netdev socket,id=s,listen=192.0.2.1:9: can't bind ip=192.0.2.1 to socket: "
            + "Cannot assign requested address")
        #expect(try engineFailure(["-netdev", "dgram,id=d,remote.type=inet,remote.host=127.0.0.1,remote.port=9,"
            + "local.type=inet,local.host=192.0.2.1,local.port=9"])
            == "-netdev dgram,id=d,remote.type=inet,remote.host=127.0.0.1,remote.port=9,local.type=inet,"
            + "local.host=192.0.2.1,local.port=9: can't bind ip=192.0.2.1 to socket: Cannot assign requested address")
        // `-netdev dgram` reads inet addresses as `-netdev socket` does: IPv4 only.
        let dgram = "dgram,id=d,remote.type=inet,remote.host=127.0.0.1,remote.port=9,local.type=inet,local.host=::1,"
            + "local.port=9"
        #expect(try engineFailure(["-netdev", dgram]) == "-netdev \(dgram): can't resolve host address '::1'")
    }

    @Test func engineSettingsAreChecked() {
        var configuration = EngineConfiguration()
        configuration.slotSize = 1000
        #expect {
            _ = try Engine(NetworkPlan(netdevs: []), configuration: configuration)
        } throws: { error in
            (error as? EngineError)?.description
                == "slotSize: a multiple of 64 with room for a header and a minimal frame, not 1000"
        }
        configuration = EngineConfiguration()
        configuration.largeSlotsPerReactor = -1
        #expect {
            _ = try Engine(NetworkPlan(netdevs: []), configuration: configuration)
        } throws: { error in
            (error as? EngineError)?.description == "largeSlotsPerReactor: between 0 and 4096, not -1"
        }
    }

    /// A plan built by hand, not parsed, whose indices do not hold together
    /// is refused by name instead of trapping where they are followed.
    @Test func handBuiltPlansAreChecked() throws {
        var plan = try NetworkPlan.parse(["-netdev", "hubport,id=a,hubid=0",
                                          "-netdev", "hubport,id=b,hubid=1,netdev=a"])
        plan.netdevs[1].peer = 7
        #expect {
            _ = try Engine(plan)
        } throws: { error in
            // a's peer, b, now names netdev 7 as its peer.
            (error as? EngineError)?.description
                == "-netdev hubport,id=a,hubid=0: peer 1: not a netdev whose peer is this one"
        }
        plan = try NetworkPlan.parse(["-netdev", "hubport,id=a,hubid=0", "-device", "e1000,netdev=a"])
        plan.devices[0].netdev = -3
        #expect {
            _ = try Engine(plan)
        } throws: { error in
            (error as? EngineError)?.description.hasSuffix("device 0: not a NIC on this netdev alone") == true
        }
    }
}
