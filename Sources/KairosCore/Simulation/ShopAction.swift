/// One simulated happening in compact form (about 40 bytes): an event, or an item arriving in the
/// catalog. A day's actions are generated, sorted by time, and rendered as JSON only when read.
struct ShopAction: Sendable {
    enum Kind: UInt8, Sendable {
        /// An item enters the catalog (`item` is the product).
        case arrival
        /// A logged-out visitor logs in: an `identify` with both ids.
        case identify
        case view, click, wishlist, add, remove
        /// `Order Completed` with `lines`.
        case order
    }

    /// One order line.
    struct Line: Sendable, Equatable {
        var item: Int32
        var quantity: Int32
    }

    var time: Millis
    /// The person's index (unused for arrivals).
    var user: Int
    /// The product (arrivals, product events).
    var item: Int32
    /// The day the session started, its number among the person's sessions that day, and the
    /// action's position in it: together unique, they make the messageId.
    var day: UInt16
    var session: UInt16
    var step: UInt16
    var kind: Kind
    /// Whether the event is sent by `anonymousId` (logged out) rather than `userId`.
    var anonymous: Bool
    var quantity: UInt8
    /// The products of an order.
    var lines: [Line]

    init(
        time: Millis, kind: Kind, user: Int = 0, item: Int = 0, day: Int = 0, session: Int = 0, step: Int = 0,
        anonymous: Bool = false, quantity: Int = 1, lines: [Line] = []
    ) {
        self.time = time
        self.kind = kind
        self.user = user
        self.item = Int32(truncatingIfNeeded: item)
        self.day = UInt16(truncatingIfNeeded: day)
        self.session = UInt16(truncatingIfNeeded: session)
        self.step = UInt16(truncatingIfNeeded: step)
        self.anonymous = anonymous
        self.quantity = UInt8(truncatingIfNeeded: quantity)
        self.lines = lines
    }

    /// The stream's total order: by time; at equal times arrivals first (an item is in the catalog
    /// before anyone sees it), then by person, session and step (each person's events keep their
    /// order).
    static func precedes(_ a: ShopAction, _ b: ShopAction) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if (a.kind == .arrival) != (b.kind == .arrival) { return a.kind == .arrival }
        if a.kind == .arrival { return a.item < b.item }
        if a.user != b.user { return a.user < b.user }
        if a.day != b.day { return a.day < b.day }
        if a.session != b.session { return a.session < b.session }
        return a.step < b.step
    }
}
