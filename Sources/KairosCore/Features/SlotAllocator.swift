/// Hands out the small slot numbers that name compiled definitions in per-profile state. An
/// unchanged definition keeps its slot; a new or changed one gets a number never used before in
/// this process, so state left by a retired definition can never be read as a new one's.
struct SlotAllocator {
    private(set) var next: UInt16
    let kind: String

    /// `old` is the slot of the same, unchanged definition in the previous set, if any.
    mutating func slot(keeping old: UInt16?) throws(APIError) -> UInt16 {
        if let old { return old }
        guard next < UInt16.max else {
            throw APIError(status: 409, code: "too_many_changes", message: "restart Kairos to redefine more \(kind)")
        }
        defer { next += 1 }
        return next
    }
}
