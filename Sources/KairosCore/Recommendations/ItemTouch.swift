/// One interaction of a profile with an item, as kept in the profile (12 bytes): the item's
/// number in the ``ItemIndex``, the time in seconds, the kind and the weight.
public struct ItemTouch: Sendable, Equatable {
    public var item: UInt32
    private var seconds: UInt32
    private var storedKind: UInt8
    private var storedWeight: UInt8

    /// Most interactions a profile keeps (the newest).
    public static let historyLimit = 30

    public init(item: UInt32, time: Millis, kind: InteractionMapping.Kind, weight: Float, conversion: Bool = false) {
        self.item = item
        self.seconds = UInt32(clamping: time / 1000)
        self.storedKind = kind == .positive ? (conversion ? 3 : 0) : kind == .seen ? 1 : 2
        self.storedWeight = UInt8(clamping: Int((weight * 10).rounded()))
    }

    public var time: Millis { Millis(seconds) * 1000 }
    public var kind: InteractionMapping.Kind { storedKind == 1 ? .seen : storedKind == 2 ? .negative : .positive }
    /// Whether this was a purchase.
    public var isConversion: Bool { storedKind == 3 }
    public var weight: Float { Float(storedWeight) / 10 }

    /// Inserts `touch` into a history kept in time order. Beyond the limit the oldest impression
    /// (`seen`) goes first, so that a long list view cannot push out what the person did.
    static func insert(_ touch: ItemTouch, into history: inout [ItemTouch]) {
        ProfileBook.insert(touch, into: &history, limit: historyLimit + 1, time: \.time)
        guard history.count > historyLimit else { return }
        history.remove(at: history.firstIndex { $0.kind == .seen } ?? history.startIndex)
    }
}
