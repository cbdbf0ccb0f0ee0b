extension Duration {
    /// Whole nanoseconds (metrics timers take them).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole microseconds.
    public var microseconds: Int64 { nanoseconds / 1000 }
}
