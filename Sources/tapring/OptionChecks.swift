import ArgumentParser
import TapRing

/// The QEMU options a subcommand passes through start where tapring's own
/// end, so `--help` there would be taken for one: a first word that asks for
/// help (QEMU's `-h` and `-help` too) shows the subcommand's help instead.
func requestHelpIfAsked(_ passedThrough: [String], for command: some ParsableCommand) throws {
    if let first = passedThrough.first, ["-h", "--help", "-help"].contains(first) {
        throw CleanExit.helpRequest(command)
    }
}

/// Refuses a number of seconds that is not finite or is below `least`,
/// naming the option and the value.
func checkSeconds(_ seconds: Double?, option: String, least: Double, inclusive: Bool) throws {
    guard let seconds else { return }
    guard seconds.isFinite, inclusive ? seconds >= least : seconds > least else {
        throw ValidationError(
            "\(option): a number of seconds \(inclusive ? "from" : "above") \(least.formatted()), not \(seconds)")
    }
}

private extension Double {
    func formatted() -> String { self == rounded() ? String(Int(self)) : String(self) }
}

/// Reads QEMU networking options as QEMU 7.2 starts up with them: the
/// command line's warnings printed as they are read (a netdev's own come as
/// the engine opens it), and a rejected option, or one asking for help,
/// answered after creating the netdevs QEMU creates before it comes to that
/// option, the first of which that cannot be created is reported instead.
/// The NICs' addresses leave `machine`'s own PCI devices their functions.
func readPlan(_ options: [String], machine: BoardMachine = .pc) throws(Failure) -> NetworkPlan {
    let plan: NetworkPlan
    do throws(OptionError) {
        plan = try NetworkPlan.parse(options, machine: machine)
    } catch {
        error.warnings.forEach(printWarning)
        if let failure = Engine.failureCreating(error.netdevsBefore, diagnostics: printWarning) {
            throw Failure(failure.description)
        }
        error.ownWarnings.forEach(printWarning)
        throw Failure(error.description)
    }
    plan.warnings.forEach(printWarning)
    if plan.help != nil, let failure = Engine.failureCreating(plan.netdevs, diagnostics: printWarning) {
        throw Failure(failure.description)
    }
    return plan
}

/// Prints a warning of the options, which names its option, as QEMU does.
func printWarning(_ warning: String) {
    printError("tapring: \(warning)")
}
