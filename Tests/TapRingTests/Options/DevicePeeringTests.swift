import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-device ...,netdev=`: which netdev a NIC takes, when it cannot, and the
/// start-up warnings that follow; checked against qemu-system-x86_64 7.2.
@Suite struct DevicePeeringTests {
    @Test func deviceTakesItsNetdev() throws {
        let plan = try NetworkPlan.parse(netdevs("tap,id=t0", "tap,id=t1")
            + devices("e1000,netdev=t1", "e1000,netdev=t0"))
        #expect(plan.netdevs.map(\.device) == [1, 0])
        #expect(plan.netdevs.map(\.peer) == [nil, nil])
        #expect(plan.devices.map(\.netdev) == [1, 0])
        #expect(plan.warnings.isEmpty)
    }

    @Test func devicesMayComeBeforeTheirNetdevs() throws {
        let plan = try NetworkPlan.parse(devices("e1000,netdev=t") + netdevs("tap,id=t"))
        #expect(plan.devices.first?.netdev == 0)
        #expect(plan.netdevs.first?.device == 0)
    }

    @Test func deviceMayTakeAHubport() throws {
        let plan = try NetworkPlan.parse(netdevs("tap,id=t", "hubport,id=ht,hubid=0,netdev=t", "hubport,id=hn,hubid=0")
            + devices("e1000,netdev=hn"))
        #expect(plan.netdevs.map(\.peer) == [1, 0, nil])
        #expect(plan.netdevs.map(\.device) == [nil, nil, 0])
        #expect(plan.warnings.isEmpty)
    }

    @Test func netdevTakenByAHubportIsInUse() {
        #expect(failure(netdevs("tap,id=t", "hubport,id=h,hubid=0,netdev=t") + devices("e1000,netdev=t"))
            == "-device e1000,netdev=t: Property 'e1000.netdev' can't take value 't', it's in use")
        // The hubport end of the link is taken too.
        #expect(failure(netdevs("hubport,id=h,hubid=0", "hubport,id=p,hubid=1,netdev=h") + devices("e1000,netdev=p"))
            == "-device e1000,netdev=p: Property 'e1000.netdev' can't take value 'p', it's in use")
    }

    @Test func netdevTakenByADeviceIsInUse() {
        #expect(failure(netdevs("tap,id=t") + devices("e1000,netdev=t", "e1000,netdev=t"))
            == "-device e1000,netdev=t: Property 'e1000.netdev' can't take value 't', it's in use")
    }

    @Test func hubportCannotTakeADevicesNetdev() throws {
        // Every netdev exists before any device, so a hubport's netdev= sees
        // only other netdevs' links: here it wins, and the device then fails.
        #expect(failure(netdevs("tap,id=t") + devices("e1000,netdev=t") + netdevs("hubport,id=h,hubid=0,netdev=t"))
            == "-device e1000,netdev=t: Property 'e1000.netdev' can't take value 't', it's in use")
    }

    @Test func lastNetdevWins() throws {
        #expect(failure(netdevs("hubport,id=h,hubid=0") + devices("e1000,netdev=h,netdev=x"))
            == "-device e1000,netdev=h,netdev=x: Property 'e1000.netdev' can't find value 'x'")
        let plan = try NetworkPlan.parse(netdevs("hubport,id=h,hubid=0") + devices("e1000,netdev=x,netdev=h"))
        #expect(plan.devices.first?.netdev == 0)
    }

    @Test func lookupIsByNetdevIDNotDeviceID() {
        #expect(failure(devices("e1000,id=a", "e1000,netdev=a"))
            == "-device e1000,netdev=a: Property 'e1000.netdev' can't find value 'a'")
    }

    @Test func nicsWithoutNetdevWarnByClientName() throws {
        // assign_name() numbers NICs per model, counting those with an id.
        let plan = try NetworkPlan.parse(devices("e1000,id=a", "e1000", "e1000-82540em"))
        #expect(plan.peerWarnings == [
            "warning: nic a has no peer", "warning: nic e1000.1 has no peer", "warning: nic e1000.2 has no peer",
        ])
    }

    @Test func warningsComeNetdevsFirstThenNICs() throws {
        let plan = try NetworkPlan.parse(
            netdevs("socket,id=s,listen=:1234", "tap,id=t,script=no,downscript=no")
                + devices("e1000,netdev=t", "e1000,id=n2", "e1000"))
        #expect(plan.peerWarnings == [
            "warning: netdev s has no peer", "warning: nic n2 has no peer", "warning: nic e1000.2 has no peer",
        ])
    }
}
