import Testing
@testable import TapRing
@testable import TapRingOptions

/// Checks across netdevs: ids, peers, hub loops and start-up warnings.
@Suite struct TopologyValidationTests {
    @Test func duplicateIDIsReportedAtTheLaterOption() {
        #expect(failure(netdevs("tap,id=a", "hubport,id=a,hubid=1"))
            == "-netdev hubport,id=a,hubid=1: Duplicate ID 'a' for netdev")
    }

    @Test func idsAreCheckedBeforeAnyNetdevIsTyped() {
        #expect(failure(netdevs("tap,id=a,foo=1", "hubport,id=a,hubid=0"))
            == "-netdev hubport,id=a,hubid=0: Duplicate ID 'a' for netdev")
        #expect(failure(netdevs("tap,id=a,foo=1", "tap,id=9")) == """
            -netdev tap,id=9: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
    }

    @Test func netdevsAreCreatedInOrder() {
        #expect(failure(netdevs("hubport,id=p,hubid=0,netdev=zz", "tap,id=t,foo=1"))
            == "-netdev hubport,id=p,hubid=0,netdev=zz: netdev 'zz' not found")
        #expect(failure(netdevs("tap,id=t,foo=1", "hubport,id=p,hubid=0,netdev=zz"))
            == "-netdev tap,id=t,foo=1: Invalid parameter 'foo'")
    }

    @Test(arguments: [
        (["hubport,id=a,hubid=0,netdev=zz"], "-netdev hubport,id=a,hubid=0,netdev=zz: netdev 'zz' not found"),
        (["hubport,id=p,hubid=0,netdev=t", "tap,id=t"], "-netdev hubport,id=p,hubid=0,netdev=t: netdev 't' not found"),
        (["hubport,id=p,hubid=0,netdev=p"], "-netdev hubport,id=p,hubid=0,netdev=p: netdev 'p' not found"),
        (["hubport,id=p,hubid=0,netdev="], "-netdev hubport,id=p,hubid=0,netdev=: netdev '' not found"),
    ])
    func peerMustBeDefinedEarlier(values: [String], report: String) {
        #expect(failure(values.flatMap { ["-netdev", $0] }) == report)
    }

    @Test func peerCanBeTakenOnce() {
        #expect(failure(netdevs("tap,id=t", "hubport,id=p1,hubid=0,netdev=t", "hubport,id=p2,hubid=1,netdev=t"))
            == "-netdev hubport,id=p2,hubid=1,netdev=t: netdev 't' is already in use by 'p1'")
        #expect(failure(netdevs("hubport,id=p1,hubid=0", "hubport,id=p2,hubid=1,netdev=p1",
                                "hubport,id=p3,hubid=2,netdev=p1"))
            == "-netdev hubport,id=p3,hubid=2,netdev=p1: netdev 'p1' is already in use by 'p2'")
        #expect(failure(netdevs("hubport,id=p1,hubid=0", "hubport,id=p2,hubid=1,netdev=p1",
                                "hubport,id=p3,hubid=2,netdev=p2"))
            == "-netdev hubport,id=p3,hubid=2,netdev=p2: netdev 'p2' is already in use by 'p1'")
    }

    @Test func portJoinedToItsOwnHubIsALoop() {
        #expect(failure(netdevs("hubport,id=a,hubid=0", "hubport,id=b,hubid=0,netdev=a"))
            == "-netdev hubport,id=b,hubid=0,netdev=a: netdev 'a' would join hub 0 back to hub 0, "
            + "a loop that forwards frames forever")
    }

    @Test func secondLinkBetweenTwoHubsIsALoop() {
        let values = netdevs("hubport,id=a,hubid=0", "hubport,id=b,hubid=1,netdev=a", "hubport,id=c,hubid=0",
                             "hubport,id=d,hubid=1,netdev=c")
        #expect(failure(values) == "-netdev hubport,id=d,hubid=1,netdev=c: netdev 'c' would join hub 0 back to hub 1, "
            + "a loop that forwards frames forever")
    }

    @Test func ringOfThreeHubsIsALoop() {
        let values = netdevs(
            "hubport,id=a0,hubid=0", "hubport,id=b1,hubid=1,netdev=a0",
            "hubport,id=a1,hubid=1", "hubport,id=b2,hubid=2,netdev=a1",
            "hubport,id=a2,hubid=2", "hubport,id=b0,hubid=0,netdev=a2"
        )
        #expect(failure(values)
            == "-netdev hubport,id=b0,hubid=0,netdev=a2: netdev 'a2' would join hub 2 back to hub 0, "
                + "a loop that forwards frames forever")
    }

    @Test func treeOfHubsIsAccepted() throws {
        let plan = try NetworkPlan.parse(netdevs(
            "tap,id=t0", "hubport,id=h0,hubid=0,netdev=t0",
            "hubport,id=a0,hubid=0", "hubport,id=b1,hubid=1,netdev=a0",
            "hubport,id=a1,hubid=1", "hubport,id=b2,hubid=-2,netdev=a1",
            "tap,id=t2", "hubport,id=h2,hubid=-2,netdev=t2"
        ))
        #expect(plan.netdevs.map(\.peer) == [1, 0, 3, 2, 5, 4, 7, 6])
        #expect(plan.netdevs[5].backend == .hubport(HubPortOptions(hubID: -2, netdev: "a1")))
        #expect(plan.warnings.isEmpty)
    }

    @Test func peerlessNetdevsWarnHubPortsFirst() throws {
        let plan = try NetworkPlan.parse(netdevs(
            "tap,id=t", "hubport,id=p,hubid=0", "tap,id=u", "hubport,id=q,hubid=0,netdev=u"
        ))
        #expect(plan.netdevs.map(\.peer) == [nil, nil, 3, 2])
        #expect(plan.peerWarnings == [
            "warning: hub port p has no peer", "warning: hub 0 with no nics", "warning: netdev t has no peer",
            "warning: netdev p has no peer",
        ])
    }

    /// `net_hub_check_clients()` walks hubs and their ports newest first;
    /// then every client without a peer, hub ports too, warns in the order
    /// it was created. Verified against qemu-system-x86_64 7.2.
    @Test(arguments: [
        (netdevs("hubport,id=a,hubid=0", "hubport,id=b,hubid=0", "hubport,id=c,hubid=1"), [
            "warning: hub port c has no peer", "warning: hub port b has no peer", "warning: hub port a has no peer",
            "warning: netdev a has no peer", "warning: netdev b has no peer", "warning: netdev c has no peer",
        ]),
        (netdevs("hubport,id=a,hubid=0") + devices("e1000,netdev=a") + netdevs("hubport,id=b,hubid=0"), [
            "warning: hub port b has no peer", "warning: hub 0 is not connected to host network",
            "warning: netdev b has no peer",
        ]),
        // A port joined to another hub's port reaches neither a NIC nor the host.
        (netdevs("hubport,id=a,hubid=1", "hubport,id=n,hubid=1", "hubport,id=b,hubid=0,netdev=a", "tap,id=t",
                 "hubport,id=c,hubid=0,netdev=t") + devices("e1000,netdev=n"), [
            "warning: hub 0 with no nics", "warning: hub 1 is not connected to host network",
        ]),
        // A NIC takes every queue of a multi-queue tap, a hub port the first.
        (netdevs("tap,id=t,queues=3", "tap,id=u,queues=2", "hubport,id=h,hubid=0,netdev=u") + devices("e1000,netdev=t"),
         ["warning: hub 0 with no nics", "warning: netdev u has no peer"]),
        (netdevs("tap,id=t,queues=2"), ["warning: netdev t has no peer", "warning: netdev t has no peer"]),
        (nets("nic") + devices("e1000,id=x"), [
            "warning: hub 0 is not connected to host network", "warning: nic x has no peer",
        ]),
    ])
    func hubsWarnBeforePeerlessClients(arguments: [String], expected: [String]) throws {
        #expect(try NetworkPlan.parse(arguments).peerWarnings == expected)
    }

    @Test func warningsComeInQEMUsOrder() throws {
        // Every option is tokenized before any netdev is typed, each netdev's
        // values as it is created, and the peer checks run last; verified
        // against qemu-system-x86_64 7.2.
        let plan = try NetworkPlan.parse(netdevs(
            "tap,id=a,sndbuf=0x1k,script=no,downscript=no", "tap,id=b,vnet_hdr,script=no,downscript=no",
            "hubport,id=h,hubid=0"
        ) + nets("tap,sndbuf=0x2k"))
        #expect(plan.warnings == [
            "-netdev tap,id=b,vnet_hdr,script=no,downscript=no: warning: "
                + "short-form boolean option 'vnet_hdr' deprecated\n"
                + "Please use vnet_hdr=on instead",
        ])
        #expect(plan.netdevs.map(\.warnings) == [
            ["-netdev tap,id=a,sndbuf=0x1k,script=no,downscript=no: warning: "
                + "Using a multiplier suffix on hex numbers is deprecated: 0x1k"],
            [], [], [],
            ["-net tap,sndbuf=0x2k: warning: Using a multiplier suffix on hex numbers is deprecated: 0x2k"],
        ])
        #expect(plan.peerWarnings == [
            "warning: hub port h has no peer", "warning: hub 0 with no nics", "warning: netdev a has no peer",
            "warning: netdev b has no peer", "warning: netdev h has no peer",
        ])
    }

    @Test func emptyCommandLineIsAnEmptyPlan() throws {
        #expect(try NetworkPlan.parse([]) == NetworkPlan(netdevs: [], warnings: []))
    }
}
