import Glibc

/// Where a device reports the level of its interrupt pin.
public enum InterruptLine: Sendable {
    /// Calls `report(level)` each time the level changes. It runs with the
    /// device's lock held, on whichever thread changed the level, so it must
    /// not call back into the device.
    case callback(@Sendable (_ level: Bool) -> Void)
    /// Signals the eventfd on each rising edge, as KVM's irqfd expects; the
    /// emulator resamples the level (KVM_IRQFD_FLAG_RESAMPLE) by reading ICR.
    case eventfd(Int32)

    /// Refuses a line that could hurt the device: an eventfd that is not
    /// one (a pipe fills up, and its write would hold the NIC's lock forever).
    public func validate() throws(DeviceError) {
        if case .eventfd(let descriptor) = self, !EventCounter.isEventCounter(descriptor) {
            throw DeviceError("is not an eventfd", object: "descriptor \(descriptor)")
        }
    }

    func report(_ level: Bool) {
        switch self {
        case .callback(let report):
            report(level)
        case .eventfd(let descriptor):
            guard level else { return }
            EventCounter(descriptor: descriptor).signal()
        }
    }
}
