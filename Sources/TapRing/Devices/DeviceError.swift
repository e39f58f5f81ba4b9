/// A device that cannot be set up as asked, and why.
public struct DeviceError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
