import Synchronization

/// Item ids numbered densely (0, 1, 2, ...) so that models keep compact arrays and profiles keep
/// 4-byte references. Numbers are handed out by the single writer and never reused.
public final class ItemIndex: Sendable {
    private struct State {
        var numbers: [String: UInt32] = [:]
        var ids: [String] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Estimated bytes: the ids and the id → number table.
    func footprint() -> Int {
        state.withLock { state in
            state.ids.reduce(ModelFootprint.array(state.ids.count, stride: 16) + ModelFootprint.table(state.ids.count, entry: 20)) {
                $0 + ModelFootprint.string($1) - 16
            }
        }
    }

    /// Number of known items.
    public var count: Int { state.withLock { $0.ids.count } }

    /// The number of `id`, assigned if new.
    public func intern(_ id: String) -> UInt32 {
        state.withLock { state in
            if let number = state.numbers[id] { return number }
            let number = UInt32(state.ids.count)
            state.numbers[id] = number
            state.ids.append(id)
            return number
        }
    }

    /// The number of `id`, if known.
    public func number(of id: String) -> UInt32? { state.withLock { $0.numbers[id] } }

    /// The id of a number.
    public func id(of number: UInt32) -> String? {
        state.withLock { Int(number) < $0.ids.count ? $0.ids[Int(number)] : nil }
    }

    /// Ids of several numbers at once (one lock).
    public func ids(of numbers: [UInt32]) -> [String] {
        state.withLock { state in numbers.map { Int($0) < state.ids.count ? state.ids[Int($0)] : "" } }
    }
}
