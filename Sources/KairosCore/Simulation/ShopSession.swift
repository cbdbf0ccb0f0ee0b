/// Generates the events of one visit: a walk through products (mostly in the visitor's preferred
/// categories, popularity-weighted, often following an item's related products), with clicks,
/// wishlist and cart actions along the way, a login for some logged-out customers, and an order
/// at the end of some visits with a cart.
struct ShopSession {
    let catalog: ShopCatalog
    let visitor: ShopVisitor
    let day: Int
    let session: Int
    /// Whether the visit starts logged out (a known customer who then logs in).
    let startsLoggedOut: Bool
    var rng: SeededGenerator

    private var time: Millis = 0
    private var step = 0
    private var anonymous = false
    private var cart: [ShopAction.Line] = []

    init(
        catalog: ShopCatalog, visitor: ShopVisitor, day: Int, session: Int, startsLoggedOut: Bool, rng: SeededGenerator
    ) {
        self.catalog = catalog
        self.visitor = visitor
        self.day = day
        self.session = session
        self.startsLoggedOut = startsLoggedOut
        self.rng = rng
    }

    /// Appends the visit's actions, starting at `start`, to `actions`; returns when it ended.
    mutating func run(start: Millis, into actions: inout [ShopAction]) -> Millis {
        time = start
        anonymous = visitor.anonymousOnly || startsLoggedOut
        let views = rng.chance(0.3) ? 1 : min(2 + Int(rng.nextExponential(mean: 5)), 40)
        // Logged out for at least one view; logging in at `views` means only at checkout, if at all.
        let loginAt = startsLoggedOut ? rng.nextInt(in: 1...views) : -1
        var category = visitor.pickCategory(catalog: catalog, &rng)
        var current: Int?

        for view in 0..<views {
            if view == loginAt { logIn(into: &actions) }
            var next: Int?
            if let from = current, rng.chance(0.45) {
                let related = catalog.related(to: from)
                if !related.isEmpty {
                    let candidate = related[rng.nextInt(below: related.count)]
                    if catalog.products[candidate].createdAt <= time { next = candidate }
                }
            }
            if next == nil {
                if current != nil, rng.chance(0.25) { category = visitor.pickCategory(catalog: catalog, &rng) }
                if rng.chance(0.06) { next = catalog.newArrival(in: category, before: time, &rng) }
                if next == nil { next = pick(in: category) }
            }
            let item = next!
            current = item
            if rng.chance(0.25) {
                emit(.click, item: item, into: &actions)
                time += Millis(1000 + rng.nextInt(below: 3000))
            }
            emit(.view, item: item, into: &actions)
            if rng.chance(0.02) {
                time += Millis(2000 + rng.nextInt(below: 8000))
                emit(.wishlist, item: item, into: &actions)
            }
            if rng.chance(addProbability(item)) {
                time += Millis(5000 + rng.nextInt(below: 35_000))
                let cheap = catalog.products[item].price < 30
                let quantity = cheap && rng.chance(0.15) ? 2 : 1
                emit(.add, item: item, quantity: quantity, into: &actions)
                if let line = cart.firstIndex(where: { $0.item == Int32(item) }) {
                    cart[line].quantity += Int32(quantity)
                } else {
                    cart.append(ShopAction.Line(item: Int32(item), quantity: Int32(quantity)))
                }
            }
            if !cart.isEmpty, rng.chance(0.04) {
                time += Millis(3000 + rng.nextInt(below: 20_000))
                let line = cart.remove(at: rng.nextInt(below: cart.count))
                emit(.remove, item: Int(line.item), quantity: Int(line.quantity), into: &actions)
            }
            time += Millis(8000 + Int(rng.nextExponential(mean: 40_000)))
        }

        if !cart.isEmpty, rng.chance(0.45 * (1 - 0.3 * visitor.priceSensitivity)) {
            if anonymous && !visitor.anonymousOnly { logIn(into: &actions) }
            time += Millis(30_000 + rng.nextInt(below: 150_000))
            emit(.order, item: 0, lines: cart, into: &actions)
        }
        return time
    }

    /// A product of `category` chosen by popularity and this visitor's appeal, among products
    /// already in the catalog (the most popular product of a category always is).
    private mutating func pick(in category: Int) -> Int {
        for _ in 0..<6 {
            let candidate = catalog.randomProduct(in: category, &rng)
            guard catalog.products[candidate].createdAt <= time else { continue }
            if rng.chance(visitor.appeal(of: candidate, catalog: catalog)) { return candidate }
        }
        return catalog.categories[category].byRank[0]
    }

    /// The chance that viewing `item` leads to adding it to the cart.
    private func addProbability(_ item: Int) -> Double {
        let preferred = visitor.categories.contains(catalog.products[item].category) ? 1.4 : 0.6
        return 0.035 * preferred * visitor.appeal(of: item, catalog: catalog)
    }

    private mutating func logIn(into actions: inout [ShopAction]) {
        guard anonymous, !visitor.anonymousOnly else { return }
        time += Millis(5000 + rng.nextInt(below: 25_000))
        emit(.identify, item: 0, into: &actions)
        anonymous = false
        time += 1000
    }

    private mutating func emit(
        _ kind: ShopAction.Kind, item: Int, quantity: Int = 1, lines: [ShopAction.Line] = [],
        into actions: inout [ShopAction]
    ) {
        actions.append(
            ShopAction(
                time: time, kind: kind, user: visitor.index, item: item, day: day, session: session, step: step,
                anonymous: anonymous, quantity: quantity, lines: lines))
        step += 1
        time += 1
    }
}
