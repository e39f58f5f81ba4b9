import ArgumentParser
import TapRing
import TapRingHarness

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Forward frames between the netdevs of a QEMU networking command line.",
        discussion: """
            Give tapring's own options first, then the networking options exactly as QEMU takes them:

              tapring run --stats 1 -netdev tap,id=a,ifname=ta0,script=no,downscript=no \\
                                    -netdev tap,id=b,ifname=tb0,script=no,downscript=no \\
                                    -netdev hubport,id=pa,hubid=0,netdev=a \\
                                    -netdev hubport,id=pb,hubid=0,netdev=b

            As the device process of a VM that has -device x-pci-proxy-dev,fd=N,
            serving its e1000 over the inherited socket descriptor 4:

              tapring run -machine x-remote \\
                  -netdev tap,id=t0,ifname=tap0,script=no,downscript=no \\
                  -device e1000,id=nic0,netdev=t0 \\
                  -object x-remote-object,id=robj0,devid=nic0,fd=4

            Runs until SIGINT, SIGTERM or SIGHUP, or for --duration seconds;
            with -machine x-remote (auto-shutdown=on, the default), also until
            every VM closed its socket.
            """
    )

    // `.unconditional`: a value that starts with "-" is the value, so that
    // `--stats -1` is refused for what it is.
    @Option(parsing: .unconditional, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(parsing: .unconditional,
            help: "Seconds between the rate lines printed on stderr (with --json, lines of totals); 0 prints none.")
    var stats: Double = 1

    @Flag(help: "Print the final summary, and the lines on stderr, as JSON.")
    var json = false

    @Option(parsing: .unconditional,
            help: "Print the trace points of these categories on stderr: e1000, hub, reactor or all, comma-separated.")
    var trace: String?

    @OptionGroup var engine: EngineOptions

    @Argument(parsing: .captureForPassthrough, help: "QEMU networking options (-netdev ..., -device ...).")
    var qemuOptions: [String] = []

    func validate() throws {
        try requestHelpIfAsked(qemuOptions, for: self)
        try checkSeconds(duration, option: "--duration", least: 0, inclusive: false)
        try checkSeconds(stats, option: "--stats", least: 0, inclusive: true)
        if let trace, Trace.Categories(parsing: trace) == nil {
            throw ValidationError("--trace \(trace): the categories are \(Trace.Categories.known)")
        }
    }

    func run() throws {
        do {
            try forward()
        } catch {
            printError("tapring: \(error)")
            throw ExitCode.failure
        }
    }

    private func forward() throws(Failure) {
        let plan = try readPlan(qemuOptions)
        if let help = plan.help { answer(help) }
        if let categories = trace.flatMap(Trace.Categories.init(parsing:)) { Trace.enable(categories) }
        let waiter = SignalWaiter()
        let engine: Engine
        do throws(EngineError) {
            engine = try Engine(
                plan, configuration: self.engine.configuration, diagnostics: printWarning)
            plan.peerWarnings.forEach(printWarning)
            engine.backendNotice.map { printError("tapring: warning: \($0)") }
            engine.warnings.forEach { printError("tapring: warning: \($0)") }
            try engine.start()
        } catch {
            throw Failure(error.description)
        }
        var report = StatisticsReport(start: engine.statistics())
        let started = ContinuousClock.now
        let endsWithVMs = plan.machine?.autoShutdown == true && !plan.remoteDevices.isEmpty
        var lastReport = started
        while true {
            let elapsed = (ContinuousClock.now - started).seconds
            let remaining = duration.map { $0 - elapsed } ?? .infinity
            if remaining <= 0 { break }
            if endsWithVMs && engine.connectedRemoteDevices == 0 { break }
            let interval = stats > 0 ? stats - (ContinuousClock.now - lastReport).seconds : .infinity
            // Whether a VM is still connected is checked five times a second.
            let slice = endsWithVMs ? 0.2 : 3600
            if waiter.wait(seconds: max(0, min(interval, remaining, slice))) != nil { break }
            if stats > 0 && (ContinuousClock.now - lastReport).seconds >= stats {
                lastReport = ContinuousClock.now
                let now = (ContinuousClock.now - started).seconds
                printError(json ? report.progressJSON(engine.statistics(), at: now)
                    : report.intervalLine(engine.statistics(), at: now))
            }
        }
        engine.stop()
        engine.dumpFailures.forEach { printError("tapring: \($0)") }
        let seconds = (ContinuousClock.now - started).seconds
        let final = engine.statistics()
        print(json ? report.json(final, seconds: seconds) : report.table(final, seconds: seconds))
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
