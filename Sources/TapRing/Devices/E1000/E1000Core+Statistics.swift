extension E1000Core {
    // The counters are registers behind a pointer, but counting changes the
    // device: these are `mutating`, which also spares the per-frame path a
    // copy of the whole core that a borrow of `self` costs.
    /// Adds one to a 32-bit statistic, stopping at its maximum
    /// (`e1000x_inc_reg_if_not_full`).
    @inline(__always)
    mutating func increment(_ offset: Int) {
        if self[offset] != .max { self[offset] &+= 1 }
    }

    /// Adds `amount` to a 32-bit statistic, stopping at its maximum: what
    /// `amount` increments in a row leave.
    @inline(__always)
    mutating func add(_ amount: UInt32, to offset: Int) {
        let (sum, overflow) = self[offset].addingReportingOverflow(amount)
        self[offset] = overflow ? .max : sum
    }

    /// Adds to a 64-bit statistic kept as low and high halves, stopping at
    /// its maximum (`e1000x_grow_8reg_if_not_full`).
    @inline(__always)
    mutating func grow(_ lowOffset: Int, by amount: UInt64) {
        let value = UInt64(self[lowOffset + 4]) << 32 | UInt64(self[lowOffset])
        let (sum, overflow) = value.addingReportingOverflow(amount)
        let result = overflow ? UInt64.max : sum
        self[lowOffset] = UInt32(truncatingIfNeeded: result)
        self[lowOffset + 4] = UInt32(truncatingIfNeeded: result >> 32)
    }

    /// Counts a frame of `size` bytes in the bucket of six starting at
    /// `first` (`e1000x_increase_size_stats`).
    @inline(__always)
    mutating func countSize(_ size: Int, bucketsFrom first: Int) {
        if let bucket = Self.sizeBucket(of: size) { increment(first + 4 * bucket) }
    }

    /// Which of the six size counters a frame of `size` bytes counts in:
    /// exactly 64, 65–127, 128–255, 256–511, 512–1023, 1024 and up; shorter
    /// frames count nowhere. Past 64, each counter covers a power of two.
    @inline(__always)
    static func sizeBucket(of size: Int) -> Int? {
        guard size > 64 else { return size == 64 ? 0 : nil }
        return min(5, Int.bitWidth - 1 - size.leadingZeroBitCount - 5)
    }
}
