extension FeatureState {
    /// Bytes this state occupies: the struct itself plus the heap blocks of its arrays (each
    /// with its allocator header) and of the strings they hold that do not fit inline.
    public var footprint: Int {
        MemoryLayout<FeatureState>.size
            + Self.heapBytes(cells) + Self.heapBytes(marks) + Self.heapBytes(values) + Self.heapBytes(tallies)
            + values.reduce(0) { $0 + Self.heapBytes($1.value) }
            + tallies.reduce(0) { $0 + Self.heapBytes($1.value) }
    }

    /// Heap bytes of an array's buffer (nothing when empty: the empty array is shared).
    static func heapBytes<Element>(_ array: [Element]) -> Int {
        array.capacity == 0 ? 0 : 32 + 16 + array.capacity * MemoryLayout<Element>.stride
    }

    /// Heap bytes of a string (small strings, up to 15 UTF-8 bytes, are stored inline).
    static func heapBytes(_ string: String) -> Int {
        string.utf8.count <= 15 ? 0 : 32 + 16 + string.utf8.count
    }

    static func heapBytes(_ value: JSONValue) -> Int {
        switch value {
        case .string(let text): heapBytes(text)
        case .array, .object: 64  // rare for last/first values; an estimate
        default: 0
        }
    }
}

extension ProfileBook {
    /// Total bytes of feature and segment state over all profiles, and the number of profiles
    /// (walks every shard; for metrics and benchmarks, not the hot path).
    public func stateFootprint() -> (bytes: Int, profiles: Int) {
        var bytes = 0
        var profiles = 0
        for shard in shards {
            shard.state.withLock { state in
                for profile in state.profiles.values {
                    bytes += profile.features.footprint + MemoryLayout<SegmentSlots>.size + profile.segments.heapBytes
                    profiles += 1
                }
            }
        }
        return (bytes, profiles)
    }
}
